"""A watched solve reports its phases and HiGHS' better plans, and stops when asked."""

from __future__ import annotations

import pytest

from planner.optimise import solve
from planner.optimise.progress import SolveProgress
from planner.scenario import load_scenario
from tests.conftest import SCENARIOS


def test_a_watched_solve_reports_its_phases_and_the_plans_highs_finds(catalogue):
    seen = []
    plan = solve(load_scenario(SCENARIOS / "demo-small.yaml", catalogue), catalogue, gap=0.0,
                 progress=SolveProgress(seen.append))
    phases = [s.phase for s in seen]
    assert phases[0] == "prepare" and phases[-1] == "done"
    assert phases.index("build") < phases.index("solve") < phases.index("check")
    found = [s for s in seen if s.objective is not None]
    assert found and all(s.gap is not None and s.unit == "EUR/yr" for s in found)
    # the last plan HiGHS reported is the plan: its TCO before the full-year check
    assert plan.status == "optimal"
    assert found[-1].objective == pytest.approx(plan.kpis["tco_eur_per_year"], rel=1e-6)
    assert "best plan found" in found[-1].line() and "proven gap" in found[-1].line()


def test_a_stop_keeps_the_best_plan_found_with_its_proven_gap(catalogue):
    def on_change(snap):
        if snap.objective is not None and not snap.stopping:
            progress.stop()  # at HiGHS' first plan with a bound

    progress = SolveProgress(on_change)
    plan = solve(load_scenario(SCENARIOS / "demo-small.yaml", catalogue), catalogue, gap=0.0,
                 progress=progress)
    first = progress.snapshot()  # HiGHS' plan at the stop
    assert plan.status == "stopped" and plan.has_solution
    assert plan.gap == pytest.approx(first.gap) and plan.gap > 0  # stopped short of gap 0
    assert plan.kpis["tco_eur_per_year"] == pytest.approx(first.objective, rel=1e-6)
    assert any("stopped on request" in note for note in plan.explanation)
    assert plan.meta["full_year_check"]["holds"] is None  # the check was skipped, and says so
    assert "stop asked for" in plan.meta["full_year_check"]["cut_short"]


def test_a_stop_before_any_plan_returns_none_and_says_so(catalogue):
    progress = SolveProgress()
    progress.stop()
    plan = solve(load_scenario(SCENARIOS / "demo-tiny.yaml", catalogue), catalogue,
                 progress=progress)
    assert plan.status == "stopped" and not plan.has_solution
    assert "before a plan was found" in plan.explanation[-1]
