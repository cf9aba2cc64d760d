"""End-to-end: `gigaplan solve` as a user runs it."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import run
from tests.conftest import SCENARIOS, write


def test_solve_json_has_the_documented_keys(tmp_path):
    result = run("solve", "scenarios/demo-small.yaml", "--json", "--out", str(tmp_path / "p"))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["status"] == "optimal" and out["gap"] <= 0.01
    for key in ("tco_eur_per_year", "eur_per_gpu_hour", "gpus", "it_mw", "facility_mw", "pue",
                "renewable_share", "emissions_t_per_year", "capex_eur"):
        assert key in out["kpis"]
    (site,) = out["sites"]
    assert {"site", "country", "cooling", "gpus", "it_mw", "facility_mw"} <= set(site)
    assert sum(site["gpus"].values()) == out["kpis"]["gpus"]
    assert set(out["timings"]) >= {"prepare_s", "build_s", "solve_s"}
    assert (tmp_path / "p" / "plan.json").is_file() and (tmp_path / "p" / "sites.csv").is_file()


def test_solve_human_output():
    result = run("solve", "scenarios/demo-tiny.yaml")
    assert result.returncode == 0, result.stderr
    assert "TCO [EUR/yr]" in result.stdout and "open sites" in result.stdout
    assert "timings [s]: prepare " in result.stdout  # the unit survives rich's markup


def test_infeasible_exits_3_with_explanation(tmp_path):
    path = write(tmp_path / "s.yaml", f"extends: {SCENARIOS / 'demo-tiny.yaml'}\nname: tight\n"
                 "sites:\n  overrides:\n    kajaani: {grid_mw_now: 0.2, grid_mw_max: 0.2}\n")
    result = run("solve", str(path), "--json")
    assert result.returncode == 3
    out = json.loads(result.stdout)
    assert out["status"] == "infeasible"
    # the grid is what is short (not the run): the connection of 0.2 MW is named
    assert out["explanation"][0].startswith("the grid is short at site 'kajaani'")
    assert "maximum of 0.2 MW" in out["explanation"][0]


def test_bad_flags_and_files_exit_2(tmp_path):
    result = run("solve", "scenarios/demo-tiny.yaml", "--gap", "2")
    assert result.returncode == 2 and "--gap" in result.stderr
    result = run("solve", str(tmp_path / "missing.yaml"))
    assert result.returncode == 2 and "file not found" in result.stderr
    assert "Traceback" not in result.stderr
    result = run("solve", "scenarios/demo-tiny.yaml", "--time-limit", "nan")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--time-limit: is nan; allowed: seconds above 0 and at most 604,800" in result.stderr


@pytest.mark.parametrize(("check", "value", "message"), [
    ("check_time_limit", float("inf"), "--time-limit: is inf; allowed: seconds above 0"),
    ("check_time_limit", 0.0, "--time-limit: is 0.0; allowed"),
    ("check_gap", float("nan"), "--gap: is nan; allowed: a fraction in [0, 1)"),
    ("check_threads", 0, "--threads: is 0; allowed: 1 to 256"),
    ("check_threads", 10**6, "--threads: is 1000000; allowed: 1 to 256"),
])
def test_numeric_flags_outside_their_range_are_refused(check, value, message):
    from planner.cli import flags
    from planner.errors import UsageError

    with pytest.raises(UsageError) as info:
        getattr(flags, check)(value)
    assert message in info.value.problems[0].render()


def test_a_negative_total_cost_is_refused_as_a_plan(tmp_path):
    path = write(tmp_path / "heat.yaml", f"extends: {SCENARIOS / 'demo-tiny.yaml'}\n"
                 "name: heat-bonanza\nsites:\n  overrides:\n    kajaani:\n"
                 "      dh_price_eur_per_mwh: 10000\n      dh_offtake_mw: 50\n")
    result = run("solve", str(path), "--json")
    assert result.returncode == 3, result.stderr
    summary = json.loads(result.stdout)
    assert summary["status"] == "refused"
    (reason,) = [r for r in summary["explanation"] if "total cost is negative" in r]
    assert "heat_revenue" in reason and "exceeds every cost" in reason
