"""Why this plan: levelised cost per MW at every site by its formula; policy costs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from planner.optimise import solve
from planner.optimise.finance import capital_recovery_factor
from planner.optimise.prepare import prepare
from planner.scenario import load_scenario
from planner.scenario.schema import FullYearCheck, SiteOverride
from planner.siting.why import PARTS, explain, policy_costs, site_costs
from tests.conftest import ROOT, SCENARIOS


def _scenario(catalogue, tmp_path, text: str = "", gap: float = 1e-4):
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {SCENARIOS / 'demo-small.yaml'}\nname: why-demo\n"
                    f"solver: {{mip_gap_frac: {gap}}}\n{text}")
    scenario = load_scenario(path, catalogue)
    return scenario.model_copy(update={"time": scenario.time.model_copy(
        update={"full_year_check": FullYearCheck.off})})


@pytest.fixture(scope="module")
def demo(catalogue, tmp_path_factory):
    scenario = _scenario(catalogue, tmp_path_factory.mktemp("why"))
    return scenario, solve(scenario, catalogue)


def test_every_candidate_site_has_its_parts_and_total(demo, catalogue):
    scenario, plan = demo
    table = explain(scenario, catalogue, plan, policies=False).site_costs
    assert set(table.index) == {"julich", "kajaani", "bologna"}
    parts = table[[f"{p}_eur_per_mw_year" for p in PARTS]].sum(axis=1)
    assert parts.to_numpy() == pytest.approx(table["total_eur_per_mw_year"].to_numpy())
    assert table["above_cheapest_eur_per_mw_year"].min() == 0.0
    assert (table["heat_revenue_eur_per_mw_year"] <= 0).all()
    open_site = table[table["open"]]
    assert list(open_site.index) == ["bologna"] and open_site["plan_eur_per_mw_year"].notna().all()
    assert table.loc["julich", "plan_eur_per_mw_year"] != table.loc["julich",
                                                                     "plan_eur_per_mw_year"]


def test_the_power_part_prices_every_hour_of_the_year_by_hand(demo, catalogue):
    # Kajaani never reaches direct liquid's 30 C threshold: PUE 1.08 every hour, so its
    # power per MW of IT is LF x 1.08 x sum_h((1 - f) grid_h + f PPA), grid_h the hourly
    # price net of 23.45 EUR/MWh of embedded carbon plus the carbon price on the hour's CO2
    scenario, plan = demo
    prepared = prepare(scenario, catalogue)
    why = explain(scenario, catalogue, plan, policies=False)
    k = why.site_costs.loc["kajaani"]
    hours = prepared.hourly[prepared.hourly["site"] == "kajaani"]
    grid = ((hours["price_eur_per_mwh"] - 23.45).clip(lower=0)
            + scenario.policy.carbon_price_eur_per_t * hours["grid_co2_g_per_kwh"] / 1e3)
    f, lf = why.meta["renewable_share"], why.meta["load_factor"]
    ppa = min(catalogue.countries.at["FI", "ppa_solar_eur_per_mwh"],
              catalogue.countries.at["FI", "ppa_wind_eur_per_mwh"])
    assert k["cooling"] == "direct_liquid" and k["pue_mean"] == pytest.approx(1.08)
    assert k["power_eur_per_mw_year"] == pytest.approx(
        lf * 1.08 * ((1 - f) * grid + f * ppa).sum(), rel=1e-7)


def test_the_building_part_follows_the_build_cost_factor_by_hand(demo, catalogue, tmp_path):
    scenario, plan = demo
    def factor(value: float):
        return scenario.model_copy(update={"sites": scenario.sites.model_copy(update={
            "overrides": {"kajaani": SiteOverride(build_cost_factor=value)}})})

    cheap, dear = factor(1.0), factor(1.5)
    a = site_costs(plan, prepare(cheap, catalogue), catalogue).loc["kajaani"]
    b = site_costs(plan, prepare(dear, catalogue), catalogue).loc["kajaani"]
    fin = prepare(cheap, catalogue).finance
    capex = catalogue.energy.at["datacentre_building", "capex_eur_per_kw"] * 1e3
    annual = (capital_recovery_factor(fin["discount_rate"], fin["building_lifetime_years"])
              + fin["facility_om_frac_per_year"] + fin["insurance_tax_frac_per_year"])
    built = plan.sites["it_capacity_mw"].sum() / plan.sites["it_mw"].sum()
    expected = 0.5 * capex * annual * built
    assert b["building_eur_per_mw_year"] - a["building_eur_per_mw_year"] == pytest.approx(expected)
    for part in ("power", "labour", "cooling"):
        assert a[f"{part}_eur_per_mw_year"] == pytest.approx(b[f"{part}_eur_per_mw_year"])


def test_a_policy_costs_the_tco_difference_of_the_two_solves(catalogue, tmp_path):
    scenario = _scenario(catalogue, tmp_path, "policy:\n  min_member_states: 2\n")
    table, base = policy_costs(scenario, catalogue)
    row = table.set_index("policy").loc["min_member_states"]
    relaxed = solve(scenario.model_copy(update={"policy": scenario.policy.model_copy(
        update={"min_member_states": None})}), catalogue)
    difference = base.kpis["tco_eur_per_year"] - relaxed.kpis["tco_eur_per_year"]
    assert row["binding"] == "yes" and difference > 0
    assert row["cost_eur_per_year"] == pytest.approx(difference, rel=1e-3)
    assert row["cost_low_eur_per_year"] <= row["cost_eur_per_year"] <= row[
        "cost_high_eur_per_year"]
    assert row["cost_eur_per_gpu_hour"] == pytest.approx(
        row["cost_eur_per_year"] / (base.kpis["gpus"] * 8760))
    assert len(row["open_sites_relaxed"].split(";")) == 1
    share = table.set_index("policy").loc["renewable_share_frac"]
    assert share["cost_eur_per_year"] >= 0  # started from the plan: relaxing never costs more


def test_explain_cli_writes_the_tables_and_refuses_a_non_plan(tmp_path):
    plan_dir = tmp_path / "plan"
    done = subprocess.run([sys.executable, "-m", "planner", "solve",
                           str(SCENARIOS / "demo-tiny.yaml"), "--out", str(plan_dir), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, "-m", "planner", "explain", str(plan_dir)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "levelised cost of 1 MW of IT" in done.stdout
    assert (plan_dir / "why_sites.csv").is_file() and (plan_dir / "why_policies.csv").is_file()
    done = subprocess.run([sys.executable, "-m", "planner", "explain", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 2 and "plan.json" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([sys.executable, "-m", "planner", "explain", str(plan_dir),
                           "--gap", "1.5"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 2 and "--gap" in done.stderr and "[0, 1)" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_full_year_repair_is_priced_as_the_plans_own_tco_difference():
    import numpy as np
    import pandas as pd

    from planner.optimise import Plan
    from planner.siting.tables import policy_table
    from planner.siting.why import POLICY_COLUMNS, repair_cost, with_repair

    check = {"repair_rounds": [{"repair": "representative-day share raised to 90.2%"},
                               {"repair": "representative-day share raised to 96.3%"}],
             "tco_before_repair_eur_per_year": 1000e6, "tco_after_repair_eur_per_year": 1018e6}
    plan = Plan(status="optimal", gap=0.003, kpis={"gpus": 1000}, meta={"full_year_check": check})
    row = repair_cost(plan)
    assert row["cost_eur_per_year"] == pytest.approx(18e6) and row["binding"] == "yes"
    assert row["cost_eur_per_gpu_hour"] == pytest.approx(18e6 / (1000 * 8760))
    assert np.isnan(row["cost_low_eur_per_year"])  # two plans' difference, no proven bound
    policies = pd.DataFrame([{"policy": "min_member_states", "label": "member-state minimum",
                              "setting": 3, "binding": "yes"}], columns=POLICY_COLUMNS)
    table = policy_table(with_repair(policies, plan))
    assert table["setting"].tolist() == ["3 member states",
                                         "representative-day share raised to 96.3%"]
    unrepaired = Plan(status="optimal", gap=0.0, kpis={"gpus": 1}, meta={
        "full_year_check": {"repair_rounds": []}})
    assert repair_cost(unrepaired) is None and len(with_repair(policies, unrepaired)) == 1
