"""Robustness to the estimated inputs: a study type on the re-used model, and its summary."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from planner.errors import ScenarioError
from planner.study import load_study, run_study
from planner.study.robustness import summarise
from tests.conftest import ROOT, SCENARIOS

DRAWS = 4


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planner", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=600)


@pytest.fixture(scope="module")
def kajaani_study(tmp_path_factory, catalogue):
    """demo-small where the other sites' buildings cost three times as much: Kajaani is the
    cheapest site by construction, whatever the draws of the estimated inputs."""
    folder = tmp_path_factory.mktemp("robust")
    base = folder / "kajaani.yaml"
    base.write_text(f"extends: {SCENARIOS / 'demo-small.yaml'}\nname: kajaani-cheapest\n"
                    "sites:\n  overrides:\n    julich: {build_cost_factor: 3.6}\n"
                    "    bologna: {build_cost_factor: 3.0}\n")
    study = folder / "study.yaml"
    study.write_text(f"study: kajaani-robust\nbase: {base}\nset:\n  time.full_year_check: 'off'\n"
                     f"robustness: {{draws: {DRAWS}}}\nseed: 11\nbatch_size: 8\n"
                     "solver: {time_limit_s: 60}\n")
    out = folder / "out"
    run = run_study(study, out, workers=1)
    return run, summarise(out, catalogue)


def test_the_cheapest_site_by_construction_opens_in_every_draw(kajaani_study):
    run, robust = kajaani_study
    assert run.variants == 1 + 2 * DRAWS and run.failed == 0
    kajaani = robust.sites.set_index("site").loc["kajaani"]
    assert kajaani["open_in_base"] and kajaani["open_share_frac"] == 1.0
    assert robust.summary["draws_with_base_sites_frac"] == 1.0
    assert robust.summary["draws_solved"] == DRAWS


def test_regret_is_never_negative_and_draws_move_the_cost(kajaani_study):
    _, robust = kajaani_study
    draws = robust.draws
    assert (draws["regret_eur_per_year"] >= -1e-6 * draws["tco_eur_per_year"]).all()
    assert draws["tco_eur_per_year"].nunique() == DRAWS  # each draw has its own figures
    spread = robust.summary["tco_max_eur_per_year"] - robust.summary["tco_min_eur_per_year"]
    assert spread > 0


def test_draws_are_re_solved_on_the_built_model(kajaani_study):
    _, robust = kajaani_study
    s = robust.summary
    # one batch for the base, one for the draws: two builds, every other solve re-uses
    assert s["solves_rebuilt"] == 2 and s["solves_re_used"] == 2 * DRAWS - 1
    assert s["estimates_varied"] > 200 and "sites.grid_mw_max" in s["estimates_held"]


def test_the_cli_prints_and_writes_the_summary(tmp_path):
    out = tmp_path / "rob"
    done = _cli("robustness", str(SCENARIOS / "demo-tiny.yaml"), "--draws", "2", "--out",
                str(out), "--workers", "1", "--quiet", "--json")
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["summary"]["draws"] == 2
    assert json.loads((out / "robustness.json").read_text())["summary"] == printed["summary"]
    assert {"site", "open_share_frac", "it_mw_min", "it_mw_max"} <= set(printed["sites"][0])


@pytest.mark.parametrize("args, message", [
    (["--draws", "0"], "--draws"),
    (["--check", "sometimes"], "--check"),
    ([], "--out"),
])
def test_bad_flags_are_refused_with_nothing_written(tmp_path, args, message):
    out = tmp_path / "never"
    extra = [] if not args else ["--out", str(out)]
    done = _cli("robustness", str(SCENARIOS / "demo-tiny.yaml"), *args, *extra)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_a_robustness_study_varies_nothing_else(tmp_path, catalogue):
    study = tmp_path / "both.yaml"
    study.write_text(f"study: both\nbase: {SCENARIOS / 'demo-tiny.yaml'}\n"
                     "robustness: {draws: 2}\nsweeps:\n  - field: policy.carbon_price_eur_per_t\n"
                     "    values: [0, 100]\n")
    with pytest.raises(ScenarioError, match="varies the estimated inputs itself"):
        load_study(study, catalogue)


def test_the_draws_use_every_worker_after_the_base_plan(tmp_path):
    # stage 1 (the base plan) is one batch; the draws after it must not stay on one worker
    from planner.study.store import read_results

    study = tmp_path / "two.yaml"
    study.write_text(f"study: two-workers\nbase: {SCENARIOS / 'demo-tiny.yaml'}\n"
                     "set:\n  time.full_year_check: 'off'\nrobustness: {draws: 4}\n"
                     "batch_size: 2\nsolver: {time_limit_s: 60}\n")
    run_study(study, tmp_path / "out", workers=2)
    results = read_results(tmp_path / "out")
    workers = {r["worker"] for r in results.values() if r["role"] != "base"}
    assert len(workers) == 2


def test_the_figure_that_decides_whether_the_base_sites_hold_is_named(catalogue):
    import pandas as pd

    from planner.optimise.estimates import draw_values
    from planner.study.robustness import driver_lines, failure_drivers

    def land(k: int) -> float:
        v = draw_values(catalogue, 7, k).set_index(["table", "id", "field"])["value"]
        return float(v[("sites", "sofia", "land_ha")])

    plots = {k: land(k) for k in range(40)}
    cut = sorted(plots.values())[20]  # the 20 smallest plots "fail", as a plot too small would
    draws = pd.DataFrame({"draw": list(plots), "base_sites_status": [
        "infeasible" if plots[k] < cut else "optimal" for k in plots]})
    drivers = failure_drivers(draws, catalogue, 7).set_index(["table", "id", "field"])
    row = drivers.loc[("sites", "sofia", "land_ha")]
    assert row["side"] == "below" and row["failing_high"] < row["threshold"] < cut
    assert row["holding_low"] == pytest.approx(cut)
    assert len(drivers) == 1  # 20 against 20: no other figure separates them by chance
    assert driver_lines(drivers.reset_index())[0].startswith("sites sofia land_ha below ")
    holding = draws.assign(base_sites_status="optimal")
    assert failure_drivers(holding, catalogue, 7).empty
