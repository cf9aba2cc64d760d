"""End-to-end: `gigaplan solve` as a user runs it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.cli.test_cli import run
from tests.conftest import ROOT, SCENARIOS, write


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


def test_solve_shows_its_progress_on_stderr_and_keeps_stdout_clean():
    result = run("solve", str(SCENARIOS / "demo-small.yaml"), "--json")
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)  # stdout is the JSON alone
    lines = result.stderr.splitlines()
    assert lines[0].startswith("demo-small: loading the planner")
    assert any("HiGHS branch and bound" in line and "proven gap" in line for line in lines)
    assert lines[-1].startswith("demo-small: done")
    assert "loading" not in run("solve", str(SCENARIOS / "demo-small.yaml"), "--quiet").stderr


def _interrupted(times: int) -> subprocess.CompletedProcess:
    """`gigaplan solve demo-tiny` sent Ctrl-C ``times`` times once its first line is out."""
    proc = subprocess.Popen([sys.executable, "-m", "planner", "solve",
                             str(SCENARIOS / "demo-tiny.yaml")], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stderr.readline()
    assert first.startswith("demo-tiny: loading")
    for _ in range(times):
        proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
    out, rest = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, first + rest)


def test_ctrl_c_stops_the_solve_and_says_what_it_kept():
    result = _interrupted(1)
    assert "stopping: HiGHS keeps the best plan found so far" in result.stderr
    assert result.returncode == 3  # stopped while loading: no plan yet
    assert "stopped" in result.stdout and "before a plan was found" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_second_ctrl_c_aborts_with_nothing_written():
    result = _interrupted(2)
    assert result.returncode == 130
    assert "aborted: nothing written" in result.stderr and "Traceback" not in result.stderr
