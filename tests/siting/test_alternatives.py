"""Near-optimal alternatives (modelling to generate alternatives)."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from models import build
from models.alternatives import add_cost_cap, keep_direction, restore_cost_objective, set_direction
from planner.optimise.highs_bridge import HighsSettings
from planner.optimise.highs_bridge import solve as run
from planner.scenario import load_scenario
from planner.siting.alternatives import DISTINCT_SHARE, alternatives, it_share_by_country
from tests.conftest import SCENARIOS
from tests.models.tiny import site, tiny


def _solve(m) -> float:
    outcome = run(m, HighsSettings(time_limit_s=60, mip_gap=1e-9, threads=1, seed=0,
                                   warm_start=True))
    assert outcome.status == "optimal"
    return outcome.objective


def test_two_equal_cost_sites_give_both_extremes_by_hand():
    # Two identical sites in two member states; inference spreads freely, each open site
    # pays its fixed cost, so the least cost serves all from one site; within 1 % the
    # other site can take all of it. Minimising DE's load puts it all in FR, maximising
    # puts it all in DE, each at the least cost.
    inp = tiny({"a": site(country="DE"), "b": site(country="FR")}, run_nodes=None,
               inference=100_000.0)
    m = build(inp)
    cost = _solve(m)
    served = sum(pyo.value(m.served_mw[s]) for s in m.SITES)
    add_cost_cap(m, cost * 1.01, served * 1.01)
    extremes = {}
    for name, weight in (("least in DE", 1.0), ("most in DE", -1.0)):
        set_direction(m, {"a": weight})
        value = _solve(m)
        keep_direction(m, {"a": weight}, value)
        tco = _solve(m)
        extremes[name] = (pyo.value(m.served_mw["a"]), pyo.value(m.served_mw["b"]), tco)
        restore_cost_objective(m)
        add_cost_cap(m, cost * 1.01, served * 1.01)
    assert extremes["least in DE"][0] == pytest.approx(0, abs=1e-6)
    assert extremes["least in DE"][1] == pytest.approx(served, rel=1e-6)
    assert extremes["most in DE"][0] == pytest.approx(served, rel=1e-6)
    assert extremes["most in DE"][1] == pytest.approx(0, abs=1e-6)
    for _, _, tco in extremes.values():
        assert tco == pytest.approx(cost, rel=1e-9)  # equal cost: no slack spent
    restore_cost_objective(m)
    assert _solve(m) == pytest.approx(cost, rel=1e-9)  # the least-cost model is back


@pytest.fixture(scope="module")
def demo_alternatives(catalogue):
    scenario = load_scenario(SCENARIOS / "demo-small.yaml", catalogue)
    return alternatives(scenario, catalogue, slack=0.15, count=2)


def test_alternatives_stay_within_the_slack_and_move_the_capacity(demo_alternatives):
    found = demo_alternatives
    assert list(found.plans)[0] == "optimum" and found.meta["count_found"] == 2
    optimum = found.plans["optimum"]
    base_share = it_share_by_country(optimum)
    limit = found.meta["cost_limit_eur_per_year"]
    for name, plan in list(found.plans.items())[1:]:
        assert plan.kpis["tco_eur_per_year"] <= limit * (1 + 1e-7)
        moved = it_share_by_country(plan).subtract(base_share, fill_value=0).abs()
        assert moved.max() >= DISTINCT_SHARE, name
        assert plan.kpis["gpus"] >= optimum.kpis["gpus"] * 0.9  # the same work, elsewhere
    summary = found.summary.set_index("plan")
    assert (summary.loc[["a01", "a02"], "differs_in"] != "").all()
    assert summary.loc["optimum", "tco_above_optimum_frac"] == 0.0


def test_alternatives_save_plan_folders_and_tables(demo_alternatives, tmp_path):
    from planner.optimise import load_plan

    folder = demo_alternatives.save(tmp_path / "alt")
    for name in demo_alternatives.plans:
        assert load_plan(folder / "plans" / name).has_solution
    assert (folder / "summary.csv").is_file() and (folder / "alternatives.json").is_file()


@pytest.mark.parametrize("kwargs, message", [
    ({"slack": 0.0}, "slack"), ({"slack": 2.0}, "slack"), ({"count": 0}, "count"),
])
def test_bad_settings_are_refused(catalogue, kwargs, message):
    from planner.errors import UsageError

    scenario = load_scenario(SCENARIOS / "demo-tiny.yaml", catalogue)
    with pytest.raises(UsageError, match=message):
        alternatives(scenario, catalogue, **kwargs)
