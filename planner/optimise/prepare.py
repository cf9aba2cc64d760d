"""From a scenario and the catalogue to the model's numeric inputs (``models.ModelInputs``).

Every number here comes from the catalogue or the roofline core through a stated
formula: capital costs are annualised with the capital recovery factor of their
asset's lifetime at the scenario's discount rate; a training run's node count is
the roofline core's fewest GPUs for its deadline; inference and HPC rates per node
are the core's sustained rates; PUE follows the cooling table's temperature law.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models import ModelInputs, Policy, PriceFactors
from planner.catalogue import Catalogue
from planner.errors import GigaplanError, ScenarioError
from planner.optimise.finance import capital_recovery_factor
from planner.optimise.periods import Periods, full_year, representative_days
from planner.roofline import api as roofline
from planner.roofline.hardware import accelerator, roofline_parameters
from planner.roofline.power import fleet_power_w
from planner.scenario import Scenario, candidate_sites
from planner.scenario.schema import Resolution


@dataclass(frozen=True)
class Prepared:
    """Model inputs plus what the plan reports about how they were made."""

    inputs: ModelInputs
    periods: Periods
    workload_options: pd.DataFrame  # workload x accelerator: feasible?, nodes/rate, why not
    finance: dict[str, float]
    notes: list[str] = field(default_factory=list)


def finance_values(scenario: Scenario, catalogue: Catalogue) -> dict[str, float]:
    """Finance defaults with the scenario's overrides applied."""
    table = catalogue.finance["value"]
    values = {k: float(v) for k, v in table.items() if k != "currency"}
    values.update({k: float(v) for k, v in scenario.finance.items()})
    return values


def _site_table(scenario: Scenario, catalogue: Catalogue, fin: dict) -> pd.DataFrame:
    ids = candidate_sites(scenario, catalogue)
    sites = catalogue.sites.loc[ids].copy()
    for site_id, override in scenario.sites.overrides.items():
        if site_id in sites.index:
            for key, value in override.model_dump(exclude_none=True).items():
                sites.at[site_id, key] = value
    sites["grid_mw_max"] = np.maximum(sites["grid_mw_max"], sites["grid_mw_now"])
    countries = catalogue.countries.loc[sites["country"]]
    energy = catalogue.energy
    rate = fin["discount_rate"]
    building_capex = energy.at["datacentre_building", "capex_eur_per_kw"] * 1e3 * sites[
        "build_cost_factor"]
    crf_building = capital_recovery_factor(rate, fin["building_lifetime_years"])
    staff = fin["staff_fte_per_mw_it"] * fin["staff_cost_eur_per_fte_year"] * countries[
        "labour_cost_factor"].to_numpy()
    crf_grid = capital_recovery_factor(rate, energy.at["grid_connection", "lifetime_years"])
    upgrade_capex = sites["grid_upgrade_eur_per_kw"] * 1e3
    return pd.DataFrame({
        "country": sites["country"],
        "grid_mw_now": sites["grid_mw_now"].astype(float),
        "grid_mw_max": sites["grid_mw_max"].astype(float),
        "grid_upgrade_capex_eur_per_mw": upgrade_capex,
        "grid_upgrade_eur_per_mw_year": upgrade_capex * crf_grid
        + energy.at["grid_connection", "fixed_om_eur_per_kw_year"] * 1e3,
        "building_capex_eur_per_mw": building_capex,
        "building_eur_per_mw_year": building_capex * (crf_building
                                                      + fin["facility_om_frac_per_year"]
                                                      + fin["insurance_tax_frac_per_year"])
        + staff,
        "site_fixed_eur_per_year": fin["site_fixed_eur_per_year"],
        "module_mw": fin["building_module_mw"],
        "land_ha": sites["land_ha"].astype(float),
        "dh_offtake_mw": sites["dh_offtake_mw"].fillna(0.0),
        "dh_price_eur_per_mwh": sites["dh_price_eur_per_mwh"].fillna(0.0),
        "ppa_solar_eur_per_mwh": countries["ppa_solar_eur_per_mwh"].to_numpy(),
        "ppa_wind_eur_per_mwh": countries["ppa_wind_eur_per_mwh"].to_numpy(),
    }, index=pd.Index(ids, name="site"))


def _accelerator_table(scenario: Scenario, catalogue: Catalogue, fin: dict) -> pd.DataFrame:
    p = roofline_parameters(catalogue)
    rows = {}
    crf = capital_recovery_factor(fin["discount_rate"], fin["gpu_lifetime_years"])
    for acc_id in scenario.accelerators:
        acc = accelerator(catalogue, acc_id)
        row = catalogue.accelerators.loc[acc_id]
        _, node_w = fleet_power_w(acc, acc.gpus_per_node, 1.0, p)
        capex = float(row["price_eur_per_node"]) * (1.0 + fin["network_storage_capex_frac"])
        rows[acc_id] = {"node_it_kw": node_w / 1e3, "node_capex_eur": capex,
                        "node_eur_per_year": capex * (crf + fin["it_om_frac_per_year"]),
                        "gpus_per_node": int(row["gpus_per_node"]),
                        "rack_kw": float(row["rack_kw"]),
                        "pflops_per_node": float(row["bf16_tflops"]) * int(row["gpus_per_node"])
                        / 1e3}
    frame = pd.DataFrame(rows).T.astype(float)
    frame.index.name = "accelerator"
    return frame


def _cooling_table(scenario: Scenario, catalogue: Catalogue, fin: dict) -> pd.DataFrame:
    cool = catalogue.cooling.loc[scenario.cooling]
    crf = capital_recovery_factor(fin["discount_rate"], fin["cooling_lifetime_years"])
    capex = cool["capex_eur_per_kw_it"] * 1e3
    frame = pd.DataFrame({"capex_eur_per_mw_it": capex,
                          "eur_per_mw_it_year": capex * (crf + fin["facility_om_frac_per_year"]),
                          "max_rack_kw": cool["max_rack_kw"],
                          "wue_m3_per_mwh": cool["wue_l_per_kwh"],  # 1 L/kWh = 1 m3/MWh
                          "heat_recovery_frac": cool["heat_recovery_frac"]}).astype(float)
    frame.index.name = "cooling"
    return frame


def pue(temp_c: np.ndarray, pue_min: float, threshold_c: float, slope_per_c: float) -> np.ndarray:
    """PUE at outdoor temperature: ``pue_min + slope * max(0, T - threshold)`` (cooling.csv)."""
    return pue_min + slope_per_c * np.maximum(0.0, np.asarray(temp_c, float) - threshold_c)


def _pue_series(periods: Periods, scenario: Scenario, catalogue: Catalogue) -> pd.Series:
    parts = []
    for k in scenario.cooling:
        row = catalogue.cooling.loc[k]
        values = pue(periods.profiles["temp_air_c"].to_numpy(), row["pue_min"],
                     row["pue_threshold_c"], row["pue_slope_per_c"])
        idx = periods.profiles.index
        parts.append(pd.Series(values, index=pd.MultiIndex.from_arrays(
            [idx.get_level_values(0), [k] * len(idx), idx.get_level_values(1)],
            names=["site", "cooling", "period"])))
    return pd.concat(parts).sort_index()


def _workloads(scenario: Scenario, catalogue: Catalogue, accels: pd.DataFrame):
    options, training, inf_rate, hpc_rate = [], {}, {}, {}
    for run in scenario.workloads.training:
        for acc_id in accels.index:
            entry = {"workload": run.id, "kind": "training", "accelerator": acc_id}
            try:
                est = roofline.estimate_training_run(
                    catalogue, acc_id, run.tokens_t * 1e12, model_id=run.model,
                    params=run.params_b * 1e9 if run.params_b else None,
                    active_params=run.active_params_b * 1e9 if run.active_params_b else None,
                    deadline_days=run.deadline_days, seq_len=run.seq_len or 8192,
                    precision=run.precision.value)
            except GigaplanError as exc:
                entry.update(feasible=False, reason=exc.problems[0].message)
            else:
                nodes = math.ceil(est.gpus / accels.at[acc_id, "gpus_per_node"])
                training[(run.id, acc_id)] = float(nodes)
                entry.update(feasible=True, gpus=est.gpus, nodes=nodes, wall_days=est.wall_days,
                             mfu=est.mfu, tflops_per_gpu=est.tflops_per_gpu,
                             tokens_per_s_per_gpu=est.tokens_per_s_per_gpu,
                             layout=str(est.layout.as_dict()))
            options.append(entry)
    for demand in scenario.workloads.inference:
        for acc_id in accels.index:
            entry = {"workload": demand.id, "kind": "inference", "accelerator": acc_id}
            try:
                est = roofline.estimate_inference(
                    catalogue, acc_id, demand.model, demand.prompt_tokens, demand.output_tokens,
                    demand.ttft_s, demand.tpot_ms, demand.precision.value)
            except GigaplanError as exc:
                entry.update(feasible=False, reason=exc.problems[0].message)
            else:
                rate = est.tokens_per_s_per_gpu * accels.at[acc_id, "gpus_per_node"]
                inf_rate[(demand.id, acc_id)] = rate
                entry.update(feasible=True, tokens_per_s_per_gpu=est.tokens_per_s_per_gpu,
                             rate_per_node=rate)
            options.append(entry)
    for demand in scenario.workloads.hpc:
        for acc_id in accels.index:
            entry = {"workload": demand.id, "kind": "hpc", "accelerator": acc_id}
            try:
                est = roofline.estimate_hpc(catalogue, demand.kernel, acc_id, 1)
            except GigaplanError as exc:
                entry.update(feasible=False, reason=exc.problems[0].message)
            else:
                rate = est.tflops_per_gpu * accels.at[acc_id, "gpus_per_node"] / 1e3
                hpc_rate[(demand.id, acc_id)] = rate
                entry.update(feasible=True, tflops_per_gpu=est.tflops_per_gpu,
                             rate_per_node=rate)
            options.append(entry)
    table = pd.DataFrame(options)
    for wid in table["workload"].unique() if len(table) else []:
        rows = table[table["workload"] == wid]
        if not rows["feasible"].any():
            reasons = "; ".join(f"{r.accelerator}: {r.reason}" for r in rows.itertuples())
            raise ScenarioError.single(f"workload '{wid}' is possible on none of the allowed "
                                       f"accelerators ({reasons})", field="accelerators")

    def series(data: dict, names: list[str]) -> pd.Series:
        s = pd.Series(data, dtype=float)
        if len(s):
            s.index.names = names
        return s

    return (table, series(training, ["run", "accelerator"]),
            series(inf_rate, ["demand", "accelerator"]), series(hpc_rate, ["demand", "accelerator"]))


def _energy(scenario: Scenario, catalogue: Catalogue, fin: dict) -> dict[str, float]:
    e = catalogue.energy
    rate = fin["discount_rate"]

    def annual(tech: str, per: str = "kw") -> float:
        capex = e.at[tech, f"capex_eur_per_{per}"] * 1e3
        om = e.at[tech, f"fixed_om_eur_per_{per}_year"]
        om = 0.0 if not np.isfinite(om) else om * 1e3
        return capex * capital_recovery_factor(rate, e.at[tech, "lifetime_years"]) + om

    backup = scenario.energy.backup.value if scenario.energy.backup.value != "none" \
        else "backup_gas_engine"
    fuel = fin["gas_price_eur_per_mwh_th"] if backup == "backup_gas_engine" \
        else fin["diesel_price_eur_per_mwh_th"]
    return {
        "pv_eur_per_mw_year": annual("pv_utility"),
        "wind_eur_per_mw_year": annual("wind_onshore"),
        "battery_power_eur_per_mw_year": annual("battery_power"),
        "battery_energy_eur_per_mwh_year": annual("battery_energy", "kwh"),
        "battery_efficiency_frac": float(e.at["battery_energy", "efficiency_frac"]),
        "backup_eur_per_mw_year": annual(backup),
        "backup_eur_per_mwh": float(e.at[backup, "variable_om_eur_per_mwh"])
        + fuel / float(e.at[backup, "efficiency_frac"]),
        "backup_co2_t_per_mwh": float(e.at[backup, "co2_g_per_kwh_out"]) / 1e3,
        "pv_capex_eur_per_mw": float(e.at["pv_utility", "capex_eur_per_kw"]) * 1e3,
        "wind_capex_eur_per_mw": float(e.at["wind_onshore", "capex_eur_per_kw"]) * 1e3,
        "battery_power_capex_eur_per_mw": float(e.at["battery_power", "capex_eur_per_kw"]) * 1e3,
        "battery_energy_capex_eur_per_mwh": float(e.at["battery_energy", "capex_eur_per_kwh"])
        * 1e3,
        "backup_capex_eur_per_mw": float(e.at[backup, "capex_eur_per_kw"]) * 1e3,
        "pv_land_ha_per_mw": fin["pv_land_ha_per_mw"],
        "wind_land_ha_per_mw": fin["wind_land_ha_per_mw"],
        "datacentre_land_ha_per_mw_it": fin["datacentre_land_ha_per_mw_it"],
    }


def policy_inputs(scenario: Scenario, fin: dict[str, float]) -> Policy:
    """The model's policy: the scenario's, with the finance default carbon price."""
    pol = scenario.policy
    return Policy(
        carbon_price_eur_per_t=pol.carbon_price_eur_per_t if pol.carbon_price_eur_per_t
        is not None else fin["carbon_price_eur_per_t"],
        carbon_cap_t_per_year=pol.carbon_cap_t_per_year,
        renewable_share_frac=pol.renewable_share_frac,
        hourly_matching=pol.renewable_matching.value == "hourly",
        min_member_states=pol.min_member_states, max_country_share_frac=pol.max_country_share_frac,
        budget_eur=pol.budget_eur, max_water_m3_per_year=pol.max_water_m3_per_year,
        max_sites=scenario.sites.max_sites, min_site_it_mw=pol.min_site_it_mw)


def price_factors(fin: dict[str, float]) -> PriceFactors:
    """Sensitivity multipliers on grid and accelerator prices (finance parameters)."""
    return PriceFactors(grid=fin["grid_price_factor"], accelerator=fin["accelerator_price_factor"])


def with_levers(prepared: Prepared, scenario: Scenario, catalogue: Catalogue) -> Prepared:
    """``prepared`` with the lever numbers of ``scenario`` (same structure, other numbers).

    Only valid when ``scenario`` differs from the prepared one in lever fields alone
    (see :func:`planner.optimise.solve.structure_key`).
    """
    fin = finance_values(scenario, catalogue)
    inputs = dataclasses.replace(prepared.inputs, policy=policy_inputs(scenario, fin),
                                 price_factors=price_factors(fin))
    return dataclasses.replace(prepared, inputs=inputs, finance=fin)


def prepare(scenario: Scenario, catalogue: Catalogue, elastic: bool = False) -> Prepared:
    """All model inputs for ``scenario`` (see module docstring for the formulas)."""
    fin = finance_values(scenario, catalogue)
    sites = _site_table(scenario, catalogue, fin)
    accels = _accelerator_table(scenario, catalogue, fin)
    cooling = _cooling_table(scenario, catalogue, fin)
    hourly = catalogue.profiles
    hourly = hourly[hourly["site"].isin(sites.index)]
    if scenario.time.resolution == Resolution.full_year:
        periods = full_year(hourly)
    else:
        periods = representative_days(hourly, scenario.time.representative_days)
    prof = periods.profiles
    profiles = pd.DataFrame({"solar_cf": prof["solar_cf_frac"], "wind_cf": prof["wind_cf_frac"],
                             "price_eur_per_mwh": prof["price_eur_per_mwh"],
                             "grid_co2_t_per_mwh": prof["grid_co2_g_per_kwh"] / 1e3})
    profiles = profiles.reindex(pd.MultiIndex.from_product([sites.index, periods.table.index],
                                                           names=["site", "period"]))
    options, training, inf_rate, hpc_rate = _workloads(scenario, catalogue, accels)
    energy = scenario.energy
    inputs = ModelInputs(
        sites=sites, accelerators=accels, cooling=cooling, periods=periods.table[["weight_h", "day"]],
        profiles=profiles, pue=_pue_series(periods, scenario, catalogue).reindex(
            pd.MultiIndex.from_product([sites.index, cooling.index, periods.table.index],
                                       names=["site", "cooling", "period"])),
        training_nodes=training, inference_rate=inf_rate,
        inference_demand=pd.Series({d.id: d.output_tokens_per_s
                                    for d in scenario.workloads.inference}, dtype=float),
        hpc_rate=hpc_rate,
        hpc_demand=pd.Series({d.id: d.sustained_pflops for d in scenario.workloads.hpc},
                             dtype=float),
        energy=_energy(scenario, catalogue, fin),
        options={"grid": energy.grid, "pv": "pv_utility" in energy.onsite,
                 "wind": "wind_onshore" in energy.onsite,
                 "ppa_solar": "pv_utility" in energy.ppa, "ppa_wind": "wind_onshore" in energy.ppa,
                 "battery": energy.battery, "backup": energy.backup.value != "none"},
        policy=policy_inputs(scenario, fin), price_factors=price_factors(fin),
        maximise_compute=scenario.objective.value == "max_compute",
        minimise_emissions=scenario.objective.value == "min_emissions",
        elastic=elastic)
    return Prepared(inputs=inputs, periods=periods, workload_options=options, finance=fin)
