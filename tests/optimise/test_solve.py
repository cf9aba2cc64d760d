"""planner.solve on bundled and edited scenarios: plan consistency, determinism, I/O, infeasibility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.optimise import load_plan, solve
from planner.optimise.finance import capital_recovery_factor
from planner.scenario import load_scenario
from tests.conftest import SCENARIOS, write


@pytest.fixture(scope="module")
def demo(catalogue):
    return solve(load_scenario(SCENARIOS / "demo-small.yaml", catalogue), catalogue)


def test_capital_recovery_factor_hand_values():
    assert capital_recovery_factor(0.07, 5) == pytest.approx(0.24389, abs=1e-5)
    assert capital_recovery_factor(0.07, 20) == pytest.approx(0.09439, abs=1e-5)
    assert capital_recovery_factor(0.0, 4) == 0.25


def test_demo_solves_to_optimality_and_serves_every_workload(demo):
    assert demo.status == "optimal" and demo.gap <= 0.01
    assert set(demo.workloads["workload"]) == {"llama3-8b-pretrain", "chat-8b"}
    assert demo.kpis["renewable_share"] >= 0.5 - 1e-6  # the scenario's target
    assert demo.kpis["gpus"] == demo.fleet["gpus"].sum()


def test_energy_balance_recomputed_from_the_plan_tables(demo):
    e = demo.energy
    supply = (e["grid_import_mw"] + e["ppa_mw"] + e["onsite_mw"] + e["battery_discharge_mw"]
              - e["battery_charge_mw"] + e["backup_mw"] - e["spill_mw"])
    np.testing.assert_allclose(supply, e["facility_mw"], atol=1e-6)
    assert e.groupby("site")["weight_h"].sum().unique() == pytest.approx([8760.0])


def test_costs_reconcile_with_kpis(demo, catalogue):
    assert demo.costs["eur_per_year"].sum() == pytest.approx(demo.kpis["tco_eur_per_year"])
    assert demo.costs["capex_eur"].sum() == pytest.approx(demo.kpis["capex_eur"])
    carbon_price = demo.meta["solver_settings"] and 67.0  # scenario: 67 EUR/t
    by_item = demo.costs.groupby("item")["eur_per_year"].sum()
    assert by_item["carbon"] == pytest.approx(
        carbon_price * demo.kpis["emissions_t_per_year"])
    gpus = demo.kpis["gpus"]
    assert demo.kpis["eur_per_gpu_hour"] == pytest.approx(demo.kpis["tco_eur_per_year"]
                                                          / (gpus * 8760))


def test_node_costs_follow_catalogue_prices(demo, catalogue):
    fleet = demo.fleet.set_index("accelerator")
    acc = fleet.index[0]
    price = catalogue.accelerators.at[acc, "price_eur_per_node"] * (1 + catalogue.finance_value(
        "network_storage_capex_frac"))
    annual = price * (capital_recovery_factor(0.07, 5) + catalogue.finance_value(
        "it_om_frac_per_year"))
    nodes = demo.costs[demo.costs["item"] == "compute_nodes"]
    assert nodes["eur_per_year"].sum() == pytest.approx(annual * fleet["nodes"].sum())
    # costs by site: the open site carries them, and every site's rows add to the total
    assert set(nodes["site"]) == set(demo.fleet["site"])


def test_same_inputs_same_plan(demo, catalogue):
    again = solve(load_scenario(SCENARIOS / "demo-small.yaml", catalogue), catalogue)
    assert again.kpis == demo.kpis
    pd.testing.assert_frame_equal(again.sites, demo.sites)
    assert again.meta["scenario_hash"] == demo.meta["scenario_hash"]


def test_save_and_load_roundtrip(demo, tmp_path):
    demo.save(tmp_path / "plan")
    back = load_plan(tmp_path / "plan")
    assert back.status == demo.status and back.kpis == pytest.approx(demo.kpis)
    assert back.fleet["gpus"].sum() == demo.fleet["gpus"].sum()
    assert not list((tmp_path / "plan").glob("*.tmp"))


def test_saved_csvs_never_start_a_text_cell_with_a_formula(demo, tmp_path):
    import dataclasses

    workloads = demo.workloads.copy()
    workloads.iloc[0, workloads.columns.get_loc("workload")] = "=HYPERLINK(\"x\")"
    dataclasses.replace(demo, workloads=workloads).save(tmp_path / "plan")
    raw = (tmp_path / "plan" / "workloads.csv").read_text()
    assert "'=HYPERLINK" in raw and ",=HYPERLINK" not in raw
    back = load_plan(tmp_path / "plan")
    assert back.workloads["workload"].iloc[0] == "=HYPERLINK(\"x\")"
    assert back.energy["spill_mw"].dtype.kind == "f"


def test_infeasible_grid_is_explained_in_user_terms(tmp_path, catalogue):
    path = write(tmp_path / "s.yaml", f"extends: {SCENARIOS / 'demo-tiny.yaml'}\nname: small-grid\n"
                 "sites:\n  overrides:\n    kajaani: {grid_mw_now: 0.2, grid_mw_max: 0.2}\n")
    plan = solve(load_scenario(path, catalogue), catalogue)
    assert plan.status == "infeasible" and not plan.has_solution
    (reason,) = plan.explanation  # the grid, not the training run, is blamed
    assert reason.startswith("the grid is short at site 'kajaani'")
    assert "more connection than its maximum of 0.2 MW" in reason


def test_infeasible_renewable_target_is_explained(tmp_path, catalogue):
    path = write(tmp_path / "s.yaml", f"extends: {SCENARIOS / 'demo-tiny.yaml'}\nname: green\n"
                 "energy: {ppa: [], onsite: [], battery: false}\n"
                 "policy: {renewable_share_frac: 0.9}\n")
    plan = solve(load_scenario(path, catalogue), catalogue)
    assert plan.status == "infeasible"
    assert "renewable share of 90% is missed" in plan.explanation[0]


def test_time_limit_returns_incumbent_or_says_so(catalogue):
    scenario = load_scenario(SCENARIOS / "demo-small.yaml", catalogue)
    plan = solve(scenario, catalogue, time_limit_s=30, gap=0.0)
    assert plan.status in ("optimal", "time_limit")
    assert plan.gap is not None


def test_full_year_resolution_runs(tmp_path, catalogue):
    path = write(tmp_path / "s.yaml", f"extends: {SCENARIOS / 'demo-tiny.yaml'}\nname: year\n"
                 "time: {resolution: full_year}\n")
    plan = solve(load_scenario(path, catalogue), catalogue)
    assert plan.status == "optimal"
    assert plan.meta["periods"] == 8760


def test_max_compute_spends_the_budget(tmp_path, catalogue):
    path = write(tmp_path / "s.yaml", f"extends: {SCENARIOS / 'demo-small.yaml'}\nname: most\n"
                 "objective: max_compute\npolicy: {budget_eur: 100000000}\n")
    plan = solve(load_scenario(path, catalogue), catalogue)
    assert plan.status == "optimal"
    assert plan.kpis["capex_eur"] == pytest.approx(100e6, rel=1e-6)
    cheapest = solve(load_scenario(SCENARIOS / "demo-small.yaml", catalogue), catalogue)
    assert plan.kpis["gpus"] > cheapest.kpis["gpus"]  # the budget buys more than the minimum


def test_max_compute_without_budget_is_refused(tmp_path, catalogue):
    from planner.errors import ScenarioError

    path = write(tmp_path / "s.yaml", f"extends: {SCENARIOS / 'demo-small.yaml'}\nname: x\n"
                 "objective: max_compute\n")
    with pytest.raises(ScenarioError, match="needs policy.budget_eur"):
        load_scenario(path, catalogue)


def test_a_plan_without_gpus_for_asked_workloads_is_refused(demo, catalogue):
    import dataclasses

    from planner.optimise.solve import refused_if_meaningless

    scenario = load_scenario(SCENARIOS / "demo-small.yaml", catalogue)
    assert refused_if_meaningless(demo, scenario) is demo
    empty = dataclasses.replace(demo, kpis={**demo.kpis, "gpus": 0})
    refused = refused_if_meaningless(empty, scenario)
    assert refused.status == "refused" and not refused.has_solution
    assert "deploys no GPU although the scenario asks for" in refused.explanation[-1]


def test_saved_csvs_have_no_row_number_column_and_no_negative_zero(demo, tmp_path):
    import dataclasses
    import re

    energy = demo.energy.copy()
    energy.loc[energy.index[0], "spill_mw"] = -0.0  # as a solver's rounding leaves it
    dataclasses.replace(demo, energy=energy).save(tmp_path / "plan")
    for path in (tmp_path / "plan").glob("*.csv"):
        text = path.read_text()
        if not text.strip():
            continue
        header = text.splitlines()[0]
        assert not header.startswith(",") and "Unnamed" not in header, path.name
        assert not re.search(r"(^|,)-0\.0(,|$)", text, re.M), path.name
    assert (tmp_path / "plan" / "sites.csv").read_text().startswith("site,")
    back = load_plan(tmp_path / "plan")
    assert back.sites.index.name == "site" and list(back.sites.index) == list(demo.sites.index)
    assert back.energy.columns.tolist() == demo.energy.columns.tolist()
    assert back.energy["spill_mw"].iloc[0] == 0.0


def test_a_plan_saved_before_the_clean_csvs_still_loads(demo, tmp_path):
    import json

    folder = demo.save(tmp_path / "plan")
    payload = json.loads((folder / "plan.json").read_text())
    del payload["table_index"]  # as written before: every table with its index first
    (folder / "plan.json").write_text(json.dumps(payload, default=str))
    for name in ("sites", "fleet", "costs"):
        getattr(demo, name).to_csv(folder / f"{name}.csv", index=True)
    back = load_plan(folder)
    assert list(back.sites.index) == list(demo.sites.index)
    assert back.costs["eur_per_year"].sum() == pytest.approx(demo.costs["eur_per_year"].sum())
