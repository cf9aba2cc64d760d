"""Re-solving on a re-used model: same plans as a fresh build, and structure guarded."""

from __future__ import annotations

import dataclasses

import pytest

from models import InputError, build, lever_values, update_levers
from planner.optimise.prepare import prepare
from planner.optimise.solve import Resolver, solve, structure_key
from planner.scenario import Scenario, load_scenario
from tests.conftest import SCENARIOS


def variant(base: Scenario, **changes) -> Scenario:
    spec = base.model_dump(mode="json")
    for path, value in changes.items():
        section, name = path.split("__")
        spec[section][name] = value
    return Scenario.model_validate(spec)


@pytest.fixture(scope="module")
def base(catalogue):
    return load_scenario(SCENARIOS / "demo-small.yaml", catalogue)


def test_lever_changes_keep_the_structure_others_do_not(base):
    key = structure_key(base)
    assert structure_key(variant(base, policy__carbon_price_eur_per_t=250.0)) == key
    assert structure_key(variant(base, policy__renewable_share_frac=0.9)) == key
    assert structure_key(variant(base, finance__grid_price_factor=2.0)) == key
    assert structure_key(variant(base, policy__renewable_share_frac=None)) != key
    assert structure_key(variant(base, policy__renewable_matching="hourly")) != key
    assert structure_key(variant(base, finance__gas_price_eur_per_mwh_th=90.0)) != key


def test_reused_model_finds_the_fresh_optimum(base, catalogue):
    resolver = Resolver(catalogue, reuse=True)
    cases = [dict(policy__carbon_price_eur_per_t=0.0),
             dict(policy__carbon_price_eur_per_t=300.0, finance__grid_price_factor=2.0),
             dict(policy__renewable_share_frac=0.9, finance__accelerator_price_factor=0.6)]
    for i, change in enumerate(cases):
        scenario = variant(base, **change)
        reused = resolver.solve(scenario, threads=1)
        fresh = solve(scenario, catalogue, threads=1)
        assert reused.meta["model_reused"] is (i > 0)
        assert reused.status == fresh.status == "optimal"
        assert reused.kpis["tco_eur_per_year"] == pytest.approx(fresh.kpis["tco_eur_per_year"],
                                                                rel=0.01)
        # the costs the plan reports follow the new lever values
        assert reused.costs["eur_per_year"].sum() == pytest.approx(
            reused.kpis["tco_eur_per_year"], abs=0.01)
    assert resolver.reused == 2


def test_accelerator_price_factor_scales_node_costs(base, catalogue):
    cheap = solve(variant(base, finance__accelerator_price_factor=0.5), catalogue, threads=1)
    full = solve(base, catalogue, threads=1)
    node = {p: plan.costs.query("item == 'compute_nodes'")["capex_eur"].sum()
            for p, plan in (("cheap", cheap), ("full", full))}
    per_gpu = {p: node[p] / plan.kpis["gpus"] for p, plan in (("cheap", cheap), ("full", full))}
    assert per_gpu["cheap"] == pytest.approx(0.5 * per_gpu["full"], rel=0.05)


def test_levers_refuse_a_model_of_another_structure(base, catalogue):
    prepared = prepare(base, catalogue)
    model = build(prepared.inputs)
    assert lever_values(prepared.inputs)["renewable_share_frac"] == 0.5
    no_share = dataclasses.replace(prepared.inputs, policy=dataclasses.replace(
        prepared.inputs.policy, renewable_share_frac=None))
    with pytest.raises(InputError, match="build a new model"):
        update_levers(model, no_share)
