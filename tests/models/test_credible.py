"""Issue 12, model side: each shortcut that decided the answer, replaced and checked by hand.

Tiny cases (tests/models/tiny.py): one 10 kW node type (2 kW idle, 100 kEUR/yr), air
(PUE 1.5) or liquid (PUE 1.1, 50 kEUR/MW/yr) cooling, two periods of 4380 h, grid at
100 EUR/MWh and 0.4 t/MWh unless a test says otherwise.
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo
import pytest

from models import Policy, build, minimise_cost_keeping, primary_value
from tests.models.tiny import site, solve_tiny, tiny


def termination(inp) -> str:
    """HiGHS's termination condition for a tiny case (no assertion)."""
    solver = pyo.SolverFactory("appsi_highs")
    return str(solver.solve(build(inp), load_solutions=False).solver.termination_condition)


def test_standby_runs_within_its_permitted_hours_by_hand():
    # standby at 10 EUR/MWh (no CO2) undercuts the 100 EUR/MWh grid, but may run 100 h/yr;
    # sized for the 1.1 MW design peak (critical load 100 %), it makes 100 x 1.1 = 110 MWh.
    # A MW more costs 100 kEUR/yr and saves only 100 h x 90 EUR/MWh = 9 kEUR: none is built.
    inp = tiny(options={"backup": True},
               energy={"backup_eur_per_mw_year": 1e5, "backup_eur_per_mwh": 10.0,
                       "backup_co2_t_per_mwh": 0.0},
               policy=Policy(backup_max_hours_per_year=100.0, backup_min_frac_of_peak=1.0))
    m = solve_tiny(inp)
    assert pyo.value(m.backup_mw["a"]) == pytest.approx(1.1)
    assert pyo.value(m.backup_mwh["a"]) == pytest.approx(110.0)
    assert pyo.value(m.emissions_t) == pytest.approx((1.1 * 8760 - 110.0) * 0.4)


def test_renewable_share_counts_energy_consumed_not_curtailed_by_hand():
    # wind PPA with CF 1.0 then 0.25 (4380 h each); grid 50 < PPA 60 EUR/MWh, so the PPA
    # is as small as an 80 % share allows. Consumed wind: 4380 min(x, 1.1) + 4380 x 0.25x
    # >= 0.8 x 1.1 x 8760 = 7708.8 MWh  ->  x = (7708.8 - 4818) / 1095 = 2.64 MW,
    # curtailing 4380 x (2.64 - 1.1) = 6745.2 MWh. Counting generation would buy 1.408 MW.
    inp = tiny({"a": site(price=50.0, wind_cf=(1.0, 0.25))}, options={"ppa_wind": True},
               policy=Policy(renewable_share_frac=0.8))
    m = solve_tiny(inp)
    assert pyo.value(m.ppa_wind_mw["a"]) == pytest.approx(2.64, rel=1e-6)
    spilled = sum(pyo.value(m.weight[t] * m.spill_mw["a", t]) for t in (0, 1))
    assert spilled == pytest.approx(6745.2, rel=1e-6)


def _two_states(**policy) -> dict:
    # DE has wind (CF 0.5) for a PPA, FR none; 200 inference nodes' worth of demand
    sites = {"a": site(country="DE", wind_cf=0.5), "b": site(country="FR")}
    return dict(sites=sites, run_nodes=None, inference=200_000.0, options={"ppa_wind": True},
                policy=Policy(min_member_states=2, min_site_served_mw=0.5, **policy))


def test_24_7_matching_is_counted_within_each_member_state():
    # FR must serve 0.5 MW and has no renewable supply: 50 % hourly matching in FR is
    # impossible, whatever DE buys. Pooled over the EU it holds, with FR all on the grid.
    per_state = tiny(**_two_states(renewable_share_frac=0.5, renewable_matching="hourly"))
    assert termination(per_state) == "infeasible"
    pooled = solve_tiny(tiny(**_two_states(renewable_share_frac=0.5,
                                           renewable_matching="hourly_pooled")))
    fr_fossil = pyo.value(pooled.fossil_mw["b", 0])
    assert fr_fossil == pytest.approx(pyo.value(pooled.demand_mw["b", 0])) and fr_fossil > 0
    for t in (0, 1):
        fossil = sum(pyo.value(pooled.fossil_mw[s, t]) for s in "ab")
        assert fossil <= 0.5 * sum(pyo.value(pooled.demand_mw[s, t]) for s in "ab") + 1e-6


def test_country_share_is_met_by_served_load_never_by_idle_nodes_by_hand():
    # one 100-node run cannot be split: with a 50 % cap per state idle nodes elsewhere
    # no longer help (they used to double the cost), so it is infeasible ...
    sites = {"a": site(country="DE", price=50.0), "b": site(country="FR")}
    capped = Policy(max_country_share_frac=0.5)
    assert termination(tiny(sites, run_nodes=100.0, policy=capped)) == "infeasible"
    # ... while a run plus 100 inference nodes (0.8 MW served each) splits exactly:
    # nodes 20 M + buildings 2 M + sites 1 M + liquid 0.1 M
    # + energy 1.1 x 8760 x (50 + 100) = 1.4454 M  ->  24.5454 M EUR/yr, no idle node.
    m = solve_tiny(tiny(sites, run_nodes=100.0, inference=100_000.0, policy=capped))
    assert pyo.value(m.nodes["a", "gpu"]) == pytest.approx(100)
    assert pyo.value(m.nodes["b", "gpu"]) == pytest.approx(100)
    assert pyo.value(m.tco_eur_per_year) == pytest.approx(24.5454e6, rel=1e-9)


def test_a_member_state_counts_only_with_a_serving_site():
    # two states required, one 100-node run and nothing else: an empty site in the second
    # state no longer ticks the box
    sites = {"a": site(country="DE"), "b": site(country="FR")}
    inp = tiny(sites, run_nodes=100.0, policy=Policy(min_member_states=2, min_site_served_mw=0.5))
    assert termination(inp) == "infeasible"


def test_runs_that_follow_each_other_share_their_nodes_by_hand():
    # two 100-node runs, the first in the first half-year, the second in the second: 100
    # nodes busy all year, the same 12.5136 M EUR/yr as one run (nodes 10 M, building 1 M,
    # site 0.5 M, 1.1 MW x 8760 h x 100 EUR/MWh = 0.9636 M, liquid 0.05 M).
    apart = {"r1": (100, [1.0, 0.0], 0.5), "r2": (100, [0.0, 1.0], 0.5)}
    segments = pd.DataFrame(index=pd.MultiIndex.from_tuples(
        [(0, "r1"), (1, "r2")], names=["segment", "run"]))
    m = solve_tiny(tiny(runs=apart, run_segments=segments))
    assert pyo.value(m.nodes["a", "gpu"]) == pytest.approx(100)
    assert pyo.value(m.tco_eur_per_year) == pytest.approx(12.5136e6, rel=1e-9)
    together = pd.DataFrame(index=pd.MultiIndex.from_tuples(
        [(0, "r1"), (0, "r2")], names=["segment", "run"]))
    overlap = {"r1": (100, [1.0, 1.0], 1.0), "r2": (100, [1.0, 1.0], 1.0)}
    m2 = solve_tiny(tiny(runs=overlap, run_segments=together))
    assert pyo.value(m2.nodes["a", "gpu"]) == pytest.approx(200)


def test_nodes_draw_power_by_what_they_do_by_hand():
    # a run in the first half-year only: 100 nodes at 10 kW, then idle at 2 kW.
    # IT 1.0 MW then 0.2 MW; liquid (PUE 1.1): 4380 x (1.1 + 0.22) = 5781.6 MWh,
    # 578,160 EUR/yr of grid energy. The building is still sized for 1 MW nameplate.
    m = solve_tiny(tiny(runs={"run": (100, [1.0, 0.0], 0.5)}))
    assert pyo.value(m.cost_terms["grid_energy"]["a"]) == pytest.approx(578_160.0)
    assert pyo.value(m.cost_terms["building"]["a"]) == pytest.approx(1e6)


def test_heat_follows_the_networks_hourly_demand_by_hand():
    # liquid cooling recovers 0.8 x 1.0 MW at a temperature the network takes (no heat
    # pump); the network's demand is its peak, then half of it. The contract is 0.8 MW at
    # the peak hour: 0.8 x (4380 x 1.0 + 4380 x 0.5) = 5256 MWh/yr at 30 EUR/MWh
    # (157,680 EUR/yr); selling flat would claim 0.8 x 8760 = 7008 MWh.
    cop = pd.Series({("a", "air"): 3.0, ("a", "liquid"): float("inf")})
    cop.index.names = ["site", "cooling"]
    inp = tiny({"a": site(dh_offtake_mw=1.0, dh_price_eur_per_mwh=30.0, dh_demand=(1.0, 0.5))},
               heat_pump_cop=cop)
    m = solve_tiny(inp)
    assert pyo.value(m.heat_contract_mw["a", "liquid"]) == pytest.approx(0.8)
    assert pyo.value(m.heat_sold_mwh["a"]) == pytest.approx(5256.0)
    assert pyo.value(m.tco_eur_per_year) == pytest.approx(12.5136e6 - 157_680.0, rel=1e-9)


def test_onsite_wind_pays_its_variable_om_by_hand():
    # on-site wind at CF 0.5: 100 kEUR/MW/yr + 5 EUR/MWh beats the 100 EUR/MWh grid, so it
    # covers the 1.1 MW load: 2.2 MW, costing (100,000 + 5 x 4380) x 2.2 = 268,180 EUR/yr.
    inp = tiny({"a": site(wind_cf=0.5)}, options={"wind": True},
               energy={"wind_eur_per_mw_year": 1e5, "wind_vom_eur_per_mwh": 5.0})
    m = solve_tiny(inp)
    assert pyo.value(m.wind_mw["a"]) == pytest.approx(2.2)
    assert pyo.value(m.cost_terms["onsite_wind"]["a"]) == pytest.approx(268_180.0)


def test_max_compute_then_spends_least_on_energy_by_hand():
    # a 40 MEUR budget buys 100 nodes and air cooling (see test_tiny_optima); the second
    # stage keeps that compute and buys energy at least cost: idle nodes draw 0.2 MW, 0.3 MW
    # with air, all from the 60 EUR/MWh wind PPA (CF 0.5) rather than the 100 EUR/MWh grid:
    # 0.6 MW, no more. TCO = 10 M + 1 M + 0.5 M + 0.3 x 8760 x 60 = 11,657,680 EUR/yr.
    inp = tiny({"a": site(wind_cf=0.5)}, run_nodes=None, options={"ppa_wind": True},
               policy=Policy(budget_eur=40e6), maximise_compute=True)
    m = solve_tiny(inp)
    minimise_cost_keeping(m, inp, primary_value(m, inp))
    solver = pyo.SolverFactory("appsi_highs")
    solver.config.mip_gap = 1e-9
    assert str(solver.solve(m).solver.termination_condition) == "optimal"
    assert pyo.value(m.nodes["a", "gpu"]) == pytest.approx(100)
    assert pyo.value(m.ppa_wind_mw["a"]) == pytest.approx(0.6)
    assert pyo.value(m.tco_eur_per_year) == pytest.approx(11_657_680.0, rel=1e-9)


def _target(value: float, unit: str, per_node: float):
    targets = pd.DataFrame({"value": [value], "unit": [unit]}, index=pd.Index(["t"], name="target"))
    coef = pd.Series({("t", "a", "gpu"): per_node})
    coef.index.names = ["target", "site", "accelerator"]
    return dict(targets=targets, target_coef=coef)


@pytest.mark.parametrize(("value", "unit", "per_node", "nodes"), [
    (200.0, "gpus", 8.0, 25),        # 200 GPUs at 8 per node
    (0.5, "it_mw", 0.01, 50),        # 0.5 MW of IT at 10 kW per node
    (1000.0, "pflops", 8.0, 125),    # 1000 PFLOP/s at 8 per node
])
def test_a_capacity_target_sizes_the_fleet_by_hand(value, unit, per_node, nodes):
    m = solve_tiny(tiny(run_nodes=None, **_target(value, unit, per_node)))
    assert pyo.value(m.nodes["a", "gpu"]) == pytest.approx(nodes)


def test_a_gas_turbine_is_firm_supply_only_when_allowed_by_hand():
    # at 20 EUR/MWh and 1 kEUR/MW/yr a turbine undercuts the 100 EUR/MWh grid: allowed, it
    # runs all year for the 1.1 MW load (4818 t at 0.5 t/MWh). TCO = 10 M + 1 M + 0.5 M
    # + 0.05 M (liquid) + 1.1 kEUR + 20 x 9636 MWh = 11,743,820 EUR/yr.
    cheap = {"gas_turbine_eur_per_mw_year": 1e3, "gas_turbine_eur_per_mwh": 20.0}
    m = solve_tiny(tiny(options={"gas_turbine": True}, energy=cheap))
    assert pyo.value(m.gas_mw["a"]) == pytest.approx(1.1)
    assert pyo.value(m.emissions_t) == pytest.approx(1.1 * 8760 * 0.5)
    assert pyo.value(m.tco_eur_per_year) == pytest.approx(11_743_820.0, rel=1e-9)
    # not allowed: no turbine however cheap, the grid supplies (12.5136 M EUR/yr)
    off = solve_tiny(tiny(energy=cheap))
    assert pyo.value(off.gas_mw["a"]) == 0
    assert pyo.value(off.tco_eur_per_year) == pytest.approx(12.5136e6, rel=1e-9)


def test_water_follows_the_climate_by_hand():
    # liquid cooling uses 0.1 m3/MWh in the cool half-year and 0.5 in the hot one:
    # 1 MW of IT x (4380 x 0.1 + 4380 x 0.5) = 2628 m3/yr (a constant WUE would give 876)
    wue = pd.Series({("a", k, t): v for k in ("air", "liquid")
                     for t, v in ((0, 0.1), (1, 0.5))})
    wue.index.names = ["site", "cooling", "period"]
    m = solve_tiny(tiny(wue=wue))
    assert pyo.value(m.cooling_at["a", "liquid"]) == pytest.approx(1)
    assert pyo.value(m.water_m3) == pytest.approx(2628.0)
