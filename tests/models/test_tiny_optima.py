"""Tiny instances whose optimum is worked out by hand in each test."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from models import InputError, Policy, build
from tests.models.tiny import site, solve_tiny, tiny

solve = solve_tiny


def test_one_site_picks_liquid_cooling_by_hand():
    # 100 nodes x 10 kW = 1 MW IT. Nodes 100 x 100k = 10.0 M; building 1.0 M; site 0.5 M.
    # Air: 1.5 MW x 8760 h x 100 EUR/MWh = 1.314 M. Liquid: 1.1 x 8760 x 100 = 0.9636 M
    # + 50 k = 1.0136 M -> liquid. TCO = 10 + 1 + 0.5 + 1.0136 = 12.5136 M EUR/yr.
    m = solve(tiny())
    assert pyo.value(m.nodes["a", "gpu"]) == pytest.approx(100)
    assert pyo.value(m.cooling_at["a", "liquid"]) == pytest.approx(1)
    assert pyo.value(m.tco_eur_per_year) == pytest.approx(12.5136e6, rel=1e-9)
    assert pyo.value(m.emissions_t) == pytest.approx(1.1 * 8760 * 0.4)


def test_cheaper_power_beats_cheaper_building_by_hand():
    # b: energy 1.1 x 8760 x 50 = 0.4818 M (saves 0.4818 M), building +0.2 M -> b wins
    sites = {"a": site(price=100.0, building=1.0e6), "b": site(price=50.0, building=1.2e6)}
    m = solve(tiny(sites))
    assert pyo.value(m.open_site["b"]) == pytest.approx(1)
    assert pyo.value(m.open_site["a"]) == pytest.approx(0)
    assert pyo.value(m.tco_eur_per_year) == pytest.approx(10e6 + 1.2e6 + 0.5e6 + 0.4818e6 + 5e4)


def test_grid_limit_forces_upgrade_by_hand():
    # 1.1 MW facility on a 1.0 MW connection: upgrade 0.1 MW at 100 kEUR/MW/yr = 10 kEUR
    m = solve(tiny({"a": site(grid_now=1.0, grid_max=5.0)}))
    assert pyo.value(m.grid_upgrade_mw["a"]) == pytest.approx(0.1)
    assert pyo.value(m.cost_terms["grid_upgrade"]["a"]) == pytest.approx(1e4)


def test_excluded_cooling_is_never_chosen():
    # liquid made very dear (10 MEUR/MW/yr); air excluded for this accelerator (rack density)
    inp = tiny(cooling_excluded=frozenset({("gpu", "air")}))
    dear_liquid = inp.cooling.assign(eur_per_mw_it_year=[0.0, 1e7])
    m = solve(inp.__class__(**{**inp.__dict__, "cooling": dear_liquid}))
    assert pyo.value(m.cooling_at["a", "liquid"]) == pytest.approx(1)


def test_min_member_states_opens_a_second_country():
    sites = {"a": site(country="DE"), "b": site(country="FR", price=100.0)}
    inp = tiny(sites, run_nodes=None, inference=100_000.0,
               policy=Policy(min_member_states=2))
    m = solve(inp)
    assert pyo.value(m.open_site["a"]) + pyo.value(m.open_site["b"]) == pytest.approx(2)


def test_renewable_share_buys_ppa_by_hand():
    # 50 % annual share; grid 50 EUR/MWh is cheaper than the 60 EUR/MWh wind PPA (CF 0.5),
    # so the PPA covers exactly half of the 1.1 MW facility: 0.5 x 1.1 / 0.5 = 1.1 MW.
    inp = tiny({"a": site(price=50.0, wind_cf=0.5)}, options={"ppa_wind": True},
               policy=Policy(renewable_share_frac=0.5))
    m = solve(inp)
    assert pyo.value(m.ppa_wind_mw["a"]) == pytest.approx(1.1, rel=1e-6)


def test_input_contract_is_checked():
    inp = tiny()
    broken = inp.__class__(**{**inp.__dict__, "periods": inp.periods.assign(weight_h=[1.0, 1.0])})
    with pytest.raises(InputError, match="8760"):
        build(broken)


def test_max_compute_fills_the_budget_by_hand():
    # per node: 300 k servers + 10 M/MW x 0.01 MW building (+ air cooling, free) = 400 kEUR;
    # a 40 MEUR budget buys exactly 100 nodes
    inp = tiny(run_nodes=None, policy=Policy(budget_eur=40e6), maximise_compute=True)
    m = solve(inp)
    assert pyo.value(m.nodes["a", "gpu"]) == pytest.approx(100)
    assert pyo.value(m.capex_eur) == pytest.approx(40e6)
    assert pyo.value(m.cooling_at["a", "air"]) == pytest.approx(1)


def test_the_relaxation_pays_for_the_site_and_a_module_by_hand():
    # 5 MW modules, 1 MW of IT. The MIP optimum: nodes 10.0 M, site 0.5 M, one 5 MW module
    # 5 x 1.0 M = 5.0 M, liquid 1.1 x 8760 x 100 = 0.9636 M + 50 k -> 16.5136 M EUR/yr.
    # The LP relaxation (integers continuous) must already pay the site (0.5 M) and a
    # module (5.0 M) in full: a run at a site opens it and an open site builds a module.
    # Before those rows it opened 0.18 of the site and 0.2 of a module, so HiGHS had to
    # close the gap by cuts and search.
    inp = tiny({"a": site(module_mw=5.0, grid_max=10.0)})
    assert pyo.value(solve(inp).tco_eur_per_year) == pytest.approx(16.5136e6, rel=1e-9)
    relaxed = build(inp)
    pyo.TransformationFactory("core.relax_integer_vars").apply_to(relaxed)
    result = pyo.SolverFactory("appsi_highs").solve(relaxed)
    assert str(result.solver.termination_condition) == "optimal"
    assert pyo.value(relaxed.cost_terms["site_fixed"]["a"]) == pytest.approx(0.5e6, rel=1e-9)
    assert pyo.value(relaxed.cost_terms["building"]["a"]) == pytest.approx(5.0e6, rel=1e-9)
