"""Properties of the optimum on tiny instances (hypothesis draws the numbers)."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import Policy
from tests.models.tiny import site, solve_tiny, tiny

SETTINGS = settings(max_examples=12, deadline=None)


optimum = solve_tiny


@SETTINGS
@given(st.floats(1e3, 2e5), st.floats(0, 2e5))
def test_more_demand_never_costs_less(demand, extra):
    low = optimum(tiny(run_nodes=None, inference=demand))
    high = optimum(tiny(run_nodes=None, inference=demand + extra))
    assert pyo.value(high.tco_eur_per_year) >= pyo.value(low.tco_eur_per_year) - 1e-6


@SETTINGS
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_tighter_carbon_cap_never_emits_more(a, b):
    # uncapped emissions: 1.1 MW x 8760 h x 0.4 t/MWh = 3854 t; a wind PPA can displace it
    loose_cap, tight_cap = 3854.4 * max(a, b), 3854.4 * min(a, b)
    def run(cap):
        return optimum(tiny({"a": site(wind_cf=0.5)}, options={"ppa_wind": True},
                            policy=Policy(carbon_cap_t_per_year=cap)))
    # 10 kg of solver tolerance on a 3854 t scale
    assert pyo.value(run(tight_cap).emissions_t) <= pyo.value(run(loose_cap).emissions_t) + 1e-2


@SETTINGS
@given(st.floats(20.0, 200.0), st.floats(20.0, 200.0), st.floats(5e5, 2e6))
def test_removing_a_site_never_lowers_cost(price_a, price_b, building_b):
    both = {"a": site(price=price_a), "b": site(price=price_b, building=building_b)}
    with_both = optimum(tiny(both))
    only_a = optimum(tiny({"a": both["a"]}))
    assert pyo.value(only_a.tco_eur_per_year) >= pyo.value(with_both.tco_eur_per_year) - 1e-6


def test_elastic_model_blames_the_grid_when_the_grid_is_short():
    from planner.optimise.explain import explain

    # grid the only supply; the run needs 100 nodes x 10 kW = 1.0 MW IT, 1.1 MW at PUE 1.1,
    # on a site that connects 0.5 MW: the grid, not the run, is 1.1 - 0.5 = 0.6 MW short
    inp = tiny({"a": site(grid_now=0.5, grid_max=0.5)}, run_nodes=100.0, elastic=True)
    m = optimum(inp)
    (reason,) = explain(m, inp)
    assert reason.startswith("the grid is short at site 'a'")
    assert "0.6 MW more connection than its maximum of 0.5 MW" in reason
    assert pyo.value(m.nodes["a", "gpu"]) == pytest.approx(100)
