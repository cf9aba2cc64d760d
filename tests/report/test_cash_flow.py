"""Lifetime finance (planner/optimise/lifetime.py): cash flow by year, salvage and the NPV."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.optimise.finance import capital_recovery_factor, operating_split
from planner.optimise.lifetime import (
    ENERGY_ITEMS,
    annuity_factor,
    cash_flow_table,
    lifetime_kpis,
)
from planner.optimise.prepare import finance_values
from planner.scenario import load_scenario
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def finance(catalogue):
    return finance_values(load_scenario(SCENARIOS / "demo-small.yaml", catalogue), catalogue)


def costs(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"item": i, "site": "a", "eur_per_year": y, "capex_eur": c}
                         for i, y, c in rows])


def test_annuity_factor_is_the_inverse_of_the_capital_recovery_factor():
    for rate, years in ((0.07, 20), (0.03, 5), (0.0, 12)):
        assert annuity_factor(rate, years) * capital_recovery_factor(rate, years) == \
            pytest.approx(1.0)
    # Short et al. (1995), eq. 4-3 at 7 % over 20 years: sum of (1.07)^-t, t = 1..20
    assert annuity_factor(0.07, 20) == pytest.approx(sum(1.07 ** -t for t in range(1, 21)))


def test_gpus_are_bought_four_times_over_a_twenty_year_building_life(finance):
    fin = {**finance, "network_storage_capex_frac": 0.0}
    c = 1.0e6
    table = costs([("compute_nodes", c * capital_recovery_factor(fin["discount_rate"], 5.0), c)])
    flows = cash_flow_table(table, fin)
    assert list(flows["year"]) == list(range(21))
    assert flows["initial_capex_eur"].iloc[0] == c
    assert list(flows.loc[flows["renewal_capex_eur"] > 0, "year"]) == [5, 10, 15]
    assert flows["salvage_eur"].abs().sum() == 0.0  # the fourth set ends with the building
    assert flows["operating_eur"].abs().max() == pytest.approx(0.0, abs=1e-9)


def test_a_longer_lived_asset_leaves_its_remaining_annuities_as_salvage(finance):
    rate, c = finance["discount_rate"], 2.0e6
    annual = c * capital_recovery_factor(rate, finance["pv_lifetime_years"])  # 25 y > 20 y
    flows = cash_flow_table(costs([("onsite_pv", annual + 1.0e4, c)]), finance)
    remaining = finance["pv_lifetime_years"] - finance["building_lifetime_years"]
    assert flows["salvage_eur"].iloc[-1] == pytest.approx(-annual * annuity_factor(rate, remaining))
    assert flows["operating_eur"].iloc[1:].tolist() == pytest.approx([1.0e4] * 20)


def test_npv_equals_tco_times_the_annuity_factor(demo_plan, finance):
    """With salvage at the remaining annuities, NPV = TCO x AF(r, H) (docs/model.md)."""
    k = demo_plan.kpis
    af = annuity_factor(finance["discount_rate"], finance["building_lifetime_years"])
    assert k["finance_horizon_years"] == finance["building_lifetime_years"]
    assert k["npv_cost_eur"] == pytest.approx(k["tco_eur_per_year"] * af, rel=1e-9)
    flows = cash_flow_table(demo_plan.costs, finance)
    assert flows["cumulative_present_value_eur"].iloc[-1] == pytest.approx(k["npv_cost_eur"])
    split = operating_split(demo_plan.costs, finance)
    assert flows["operating_eur"].iloc[1] == pytest.approx(split["operating_eur_per_year"].sum())
    assert k["capex_over_horizon_eur"] >= k["capex_eur"]


def test_the_identity_holds_at_zero_discount_and_other_lives(demo_plan, finance):
    for override in ({"discount_rate": 0.0}, {"gpu_lifetime_years": 4.0, "discount_rate": 0.03}):
        fin = {**finance, **override}
        split = operating_split(demo_plan.costs, fin)
        table = demo_plan.costs.assign(eur_per_year=split["annualised_capex_eur_per_year"]
                                       + split["operating_eur_per_year"])
        npv = cash_flow_table(table, fin)["present_value_eur"].sum()
        af = annuity_factor(fin["discount_rate"], fin["building_lifetime_years"])
        assert npv == pytest.approx(table["eur_per_year"].sum() * af, rel=1e-9), override


def test_costs_excluding_energy_drop_the_power_supply_items(demo_plan, finance):
    k = demo_plan.kpis
    energy = demo_plan.costs.loc[demo_plan.costs["item"].isin(ENERGY_ITEMS), "eur_per_year"].sum()
    assert k["energy_eur_per_year"] == pytest.approx(energy)
    rest = k["tco_eur_per_year"] - energy
    assert k["eur_per_gpu_hour_excl_energy"] == pytest.approx(rest / (k["gpus"] * 8760.0))
    assert k["eur_per_million_training_tokens_excl_energy"] == pytest.approx(
        k["eur_per_million_training_tokens"] * rest / k["tco_eur_per_year"])
    again = lifetime_kpis(demo_plan.costs, finance, k["gpus"], 0.0)
    assert again["eur_per_million_training_tokens_excl_energy"] != \
        again["eur_per_million_training_tokens_excl_energy"]  # NaN without training


def test_capex_without_a_lifetime_is_an_error(finance):
    with pytest.raises(ValueError, match="no economic lifetime"):
        cash_flow_table(costs([("mystery", 1.0, 5.0)]), finance)
