"""The scenario's time limit bounds the whole solve, the full-year check and repair included."""

from __future__ import annotations

import time

import pytest

from models import build
from planner.optimise import extract
from planner.optimise.check import replay
from planner.optimise.prepare import prepare
from planner.optimise.solve import Deadline, _checked_plan, _meta, _solve_model, highs
from planner.scenario import load_scenario
from tests.conftest import SCENARIOS


def _solved_tiny(catalogue):
    scenario = load_scenario(SCENARIOS / "demo-tiny.yaml", catalogue)
    prepared = prepare(scenario, catalogue)
    model = build(prepared.inputs)
    s = scenario.solver
    solver = highs(s.time_limit_s, s.mip_gap_frac, s.threads, s.seed)
    timings: dict[str, float] = {}
    status, gap = _solve_model(model, prepared, solver, timings)
    meta = _meta(scenario, catalogue, prepared, s, timings, False)
    return scenario, prepared, model, status, gap, solver, meta


def test_no_time_left_means_no_check_and_the_plan_says_so(catalogue):
    scenario, prepared, model, status, gap, solver, meta = _solved_tiny(catalogue)
    plan = _checked_plan(scenario, catalogue, prepared, model, status, gap, solver,
                         scenario.solver, meta, Deadline.after(0.0))
    assert plan.status == "optimal" and plan.kpis["tco_eur_per_year"] > 0
    assert not len(plan.check)
    assert plan.explanation[-1] == ("the time limit of 0 s was reached before the full-year "
                                    "check; the plan is not checked on the full year")
    assert plan.meta["full_year_check"]["cut_short"] == plan.explanation[-1]


def test_with_time_left_the_same_plan_is_checked_and_repaired(catalogue):
    scenario, prepared, model, status, gap, solver, meta = _solved_tiny(catalogue)
    plan = _checked_plan(scenario, catalogue, prepared, model, status, gap, solver,
                         scenario.solver, meta, Deadline.after(300.0))
    assert len(plan.check) and not plan.check_breaks
    assert plan.meta["full_year_check"]["cut_short"] is None
    assert plan.meta["full_year_check"]["repair_rounds"]  # demo-tiny needs its share repair


def test_a_replay_out_of_time_reports_its_status_instead_of_figures(catalogue):
    scenario, prepared, model, *_ = _solved_tiny(catalogue)
    out = replay(extract.design(model, prepared.inputs, scenario), prepared.inputs,
                 prepared.hourly, catalogue.cooling, prepared.finance, time_limit_s=0.0)
    assert out.status == "Time limit reached"


def test_a_limit_spent_before_the_solver_starts_is_said_in_words(catalogue):
    from planner.optimise import solve

    scenario = load_scenario(SCENARIOS / "demo-tiny.yaml", catalogue)
    plan = solve(scenario, catalogue, time_limit_s=0.01)
    assert plan.status == "time_limit" and not plan.has_solution
    (why,) = [line for line in plan.explanation if "time limit" in line]
    assert why.startswith("no feasible plan was found within the time limit of 0.01 s "
                          "(reading the inputs took ")


@pytest.mark.slow
def test_the_flagship_at_a_60_s_limit_returns_its_best_plan_within_75_s(catalogue):
    """At gap 0 the flagship cannot close its gap in 60 s on two cores (0.06 % at 62 s):
    the solve must still end within 75 s, wall clock, with the incumbent and its gap."""
    from planner.optimise import solve

    scenario = load_scenario(SCENARIOS / "eu-gigafactory.yaml", catalogue)
    start = time.monotonic()
    plan = solve(scenario, catalogue, time_limit_s=60.0, gap=0.0)
    wall_s = time.monotonic() - start
    assert wall_s <= 75.0, f"{wall_s:.1f} s"
    assert plan.status == "time_limit" and plan.has_solution
    # the incumbent's proven gap is stated: 0.06 % idle, 27 % with the other core busy
    # (CI under load); the promise is the wall clock and a stated gap, not its size
    assert plan.gap is not None and 0.0 < plan.gap < 1.0
    assert plan.kpis["gpus"] > 50_000 and plan.kpis["tco_eur_per_year"] > 0
    assert any("time limit of 60 s" in line for line in plan.explanation)
