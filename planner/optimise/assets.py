"""Annualised costs and technical limits of sites, accelerators, cooling and energy assets.

Capital costs are annualised with the capital recovery factor of each asset's economic
lifetime (``finance.csv``, scenario-overridable) at the scenario's discount rate, plus
its fixed O&M; every figure comes from the catalogue through the formula in its docstring.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planner.catalogue import Catalogue
from planner.errors import ScenarioError
from planner.optimise.finance import capital_recovery_factor, economic_lifetime_years
from planner.optimise.heat import heat_pump_cop
from planner.roofline.hardware import accelerator, roofline_parameters
from planner.roofline.power import fleet_power_w
from planner.scenario import Scenario, candidate_sites


def site_table(scenario: Scenario, catalogue: Catalogue, fin: dict, groups: pd.Series
               ) -> pd.DataFrame:
    """Sites of the scenario with their costs per MW and per year (overrides applied).

    Building: ``capex = datacentre_building x build_cost_factor`` per MW IT, annualised at
    the building lifetime plus facility O&M and insurance, plus staff
    (``staff_fte_per_mw_it x staff cost x labour_cost_factor``). Grid upgrade: its capex
    per MW at the grid-connection lifetime plus fixed O&M.
    """
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
        "build_cost_factor"].astype(float)
    crf_building = capital_recovery_factor(rate, fin["building_lifetime_years"])
    staff = fin["staff_fte_per_mw_it"] * fin["staff_cost_eur_per_fte_year"] * countries[
        "labour_cost_factor"].to_numpy()
    crf_grid = capital_recovery_factor(rate, fin["grid_connection_lifetime_years"])
    upgrade_capex = sites["grid_upgrade_eur_per_kw"].astype(float) * 1e3
    return pd.DataFrame({
        "country": sites["country"],
        "period_group": groups.reindex(ids).to_numpy(),
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
        "dh_offtake_mw": sites["dh_offtake_mw"].astype(float).fillna(0.0),
        "dh_price_eur_per_mwh": sites["dh_price_eur_per_mwh"].astype(float).fillna(0.0),
        "dh_supply_temp_c": sites["dh_supply_temp_c"].astype(float),
        "dh_return_temp_c": sites["dh_return_temp_c"].astype(float),
        "ppa_solar_eur_per_mwh": countries["ppa_solar_eur_per_mwh"].to_numpy(),
        "ppa_wind_eur_per_mwh": countries["ppa_wind_eur_per_mwh"].to_numpy(),
    }, index=pd.Index(ids, name="site"))


def accelerator_table(scenario: Scenario, catalogue: Catalogue, fin: dict) -> pd.DataFrame:
    """Per node: nameplate and idle IT power [kW], purchase and annual cost, rack, peak.

    Nameplate is every GPU at full activity (:func:`planner.roofline.power.fleet_power_w`
    at busy fraction 1), idle at 0. Capex = node price x (1 + network and storage share);
    the servers are annualised at the GPU lifetime, the network and storage at the network
    lifetime, both plus IT O&M.
    """
    p = roofline_parameters(catalogue)
    rate = fin["discount_rate"]
    crf_gpu = capital_recovery_factor(rate, fin["gpu_lifetime_years"])
    crf_net = capital_recovery_factor(rate, fin["network_lifetime_years"])
    net = fin["network_storage_capex_frac"]
    om = fin["it_om_frac_per_year"]
    rows = {}
    for acc_id in scenario.accelerators:
        acc = accelerator(catalogue, acc_id)
        row = catalogue.accelerators.loc[acc_id]
        override = scenario.accelerator_overrides.get(acc_id)
        price = float(override.price_eur_per_node) if override and override.price_eur_per_node \
            else float(row["price_eur_per_node"])
        _, full_w = fleet_power_w(acc, acc.gpus_per_node, 1.0, p)
        _, idle_w = fleet_power_w(acc, acc.gpus_per_node, 0.0, p)
        rows[acc_id] = {"node_it_kw": full_w / 1e3, "node_idle_kw": idle_w / 1e3,
                        "node_price_eur": price, "node_capex_eur": price * (1.0 + net),
                        "node_eur_per_year": price * (crf_gpu + om) + price * net * (crf_net + om),
                        "gpus_per_node": int(row["gpus_per_node"]),
                        "rack_kw": float(row["rack_kw"]),
                        "pflops_per_node": float(row["bf16_tflops"]) * int(row["gpus_per_node"])
                        / 1e3}
    frame = pd.DataFrame(rows).T.astype(float)
    frame.index.name = "accelerator"
    return frame


def cooling_table(scenario: Scenario, catalogue: Catalogue, fin: dict) -> pd.DataFrame:
    """Per MW IT: cooling capex and its annual cost (cooling lifetime plus its own O&M)."""
    cool = catalogue.cooling.loc[scenario.cooling]
    crf = capital_recovery_factor(fin["discount_rate"], fin["cooling_lifetime_years"])
    capex = cool["capex_eur_per_kw_it"].astype(float) * 1e3
    frame = pd.DataFrame({"capex_eur_per_mw_it": capex,
                          "eur_per_mw_it_year": capex * (crf + cool["fixed_om_frac_per_year"]),
                          "wue_m3_per_mwh": cool["wue_l_per_kwh"],  # 1 L/kWh = 1 m3/MWh
                          "heat_recovery_frac": cool["heat_recovery_frac"]}).astype(float)
    frame.index.name = "cooling"
    return frame


def cooling_excluded(scenario: Scenario, catalogue: Catalogue) -> frozenset:
    """(accelerator, cooling) pairs that cannot be combined, and why is in the rule.

    A rack denser than the cooling's ``max_rack_kw``; an air-based cooling for an
    accelerator that is not air-coolable; immersion for servers not qualified for it.
    """
    out = set()
    for g in scenario.accelerators:
        acc = catalogue.accelerators.loc[g]
        for k in scenario.cooling:
            cool = catalogue.cooling.loc[k]
            too_dense = float(acc["rack_kw"]) > float(cool["max_rack_kw"])
            no_air = cool["kind"] == "air" and not bool(acc["air_coolable"])
            no_bath = cool["kind"] == "immersion" and not bool(acc["immersion_compatible"])
            if too_dense or no_air or no_bath:
                out.add((g, k))
    return frozenset(out)


def usable_cooling(scenario: Scenario, catalogue: Catalogue) -> tuple[list[str], list[str]]:
    """The scenario's cooling technologies that can cool at least one allowed accelerator.

    Returns the technologies and a note for each one left out; raises when none is left.
    """
    excluded = cooling_excluded(scenario, catalogue)
    keep = [k for k in scenario.cooling if any((g, k) not in excluded
                                               for g in scenario.accelerators)]
    notes = [f"cooling '{k}' left out: it cannot cool any allowed accelerator's racks"
             for k in scenario.cooling if k not in keep]
    if not keep:
        raise ScenarioError.single(
            "none of the allowed cooling technologies can cool any allowed accelerator's racks "
            f"({', '.join(scenario.cooling)} for {', '.join(scenario.accelerators)})",
            field="cooling", allowed="add direct_liquid, or an air-coolable accelerator")
    return keep, notes


def pue(temp_c: np.ndarray, pue_min: float, threshold_c: float, slope_per_c: float) -> np.ndarray:
    """PUE at outdoor temperature: ``pue_min + slope * max(0, T - threshold)`` (cooling.csv)."""
    return pue_min + slope_per_c * np.maximum(0.0, np.asarray(temp_c, float) - threshold_c)


def wue(temp_c: np.ndarray, wue_l_per_kwh: float, threshold_c: float,
        slope_l_per_kwh_per_c: float) -> np.ndarray:
    """Water use effectiveness at outdoor temperature [L/kWh IT] (cooling.csv).

    ``wue + slope * max(0, T - threshold)``: dry cooling below the free-cooling threshold,
    evaporative or adiabatic assist above it.
    """
    return wue_l_per_kwh + slope_l_per_kwh_per_c * np.maximum(
        0.0, np.asarray(temp_c, float) - threshold_c)


def pue_peak(hourly: pd.DataFrame, scenario: Scenario, catalogue: Catalogue) -> pd.Series:
    """The largest PUE of the full year per (site, cooling): what the plant is sized on."""
    hottest = hourly.groupby("site")["temp_air_c"].max()
    values = {}
    for k in scenario.cooling:
        row = catalogue.cooling.loc[k]
        for site, t in hottest.items():
            values[(site, k)] = float(pue(t, row["pue_min"], row["pue_threshold_c"],
                                          row["pue_slope_per_c"]))
    series = pd.Series(values)
    series.index.names = ["site", "cooling"]
    return series


def heat_cop_table(sites: pd.DataFrame, scenario: Scenario, catalogue: Catalogue,
                   fin: dict) -> pd.Series:
    """COP of lifting each cooling's recovered heat to each site's network (inf: direct)."""
    values = {}
    for site, row in sites.iterrows():
        if row["dh_offtake_mw"] <= 0 or math.isnan(row["dh_supply_temp_c"]):
            continue
        for k in scenario.cooling:
            source = float(catalogue.cooling.at[k, "heat_supply_temp_c"])
            values[(site, k)] = heat_pump_cop(source, fin["heat_source_cooling_k"],
                                              float(row["dh_return_temp_c"]),
                                              float(row["dh_supply_temp_c"]),
                                              fin["heat_pump_lorenz_efficiency_frac"])
    series = pd.Series(values, dtype=float)
    if len(series):
        series.index.names = ["site", "cooling"]
    return series


def energy_costs(scenario: Scenario, catalogue: Catalogue, fin: dict) -> dict[str, float]:
    """Annual costs per MW (or MWh) of each energy asset, fuel and emissions per MWh.

    ``annual = capex x CRF(discount rate, economic lifetime) + fixed O&M``. Standby and
    gas-turbine energy: fuel price / efficiency + variable O&M; CO2 from energy.csv.
    """
    e = catalogue.energy
    rate = fin["discount_rate"]

    def annual(tech: str, per: str = "kw") -> float:
        capex = e.at[tech, f"capex_eur_per_{per}"] * 1e3
        om = e.at[tech, f"fixed_om_eur_per_{per}_year"]
        om = 0.0 if not np.isfinite(om) else om * 1e3
        return capex * capital_recovery_factor(rate, economic_lifetime_years(tech, fin)) + om

    def vom(tech: str) -> float:
        value = float(e.at[tech, "variable_om_eur_per_mwh"])
        return value if np.isfinite(value) else 0.0

    backup = scenario.energy.backup.value if scenario.energy.backup.value != "none" \
        else "backup_gas_engine"
    fuel = fin["gas_price_eur_per_mwh_th"] if backup == "backup_gas_engine" \
        else fin["diesel_price_eur_per_mwh_th"]
    return {
        "pv_eur_per_mw_year": annual("pv_utility"),
        "wind_eur_per_mw_year": annual("wind_onshore"),
        "wind_vom_eur_per_mwh": vom("wind_onshore"),
        "battery_power_eur_per_mw_year": annual("battery_power"),
        "battery_energy_eur_per_mwh_year": annual("battery_energy", "kwh"),
        "battery_efficiency_frac": float(e.at["battery_energy", "efficiency_frac"]),
        "backup_eur_per_mw_year": annual(backup),
        "backup_eur_per_mwh": vom(backup) + fuel / float(e.at[backup, "efficiency_frac"]),
        "backup_co2_t_per_mwh": float(e.at[backup, "co2_g_per_kwh_out"]) / 1e3,
        "gas_turbine_eur_per_mw_year": annual("gas_turbine"),
        "gas_turbine_eur_per_mwh": vom("gas_turbine") + fin["gas_price_eur_per_mwh_th"]
        / float(e.at["gas_turbine", "efficiency_frac"]),
        "gas_turbine_co2_t_per_mwh": float(e.at["gas_turbine", "co2_g_per_kwh_out"]) / 1e3,
        "heat_pump_eur_per_mw_year": annual("heat_pump"),
        "heat_pump_vom_eur_per_mwh": vom("heat_pump"),
        "go_eur_per_mwh": fin["go_price_eur_per_mwh"],
        "pv_capex_eur_per_mw": float(e.at["pv_utility", "capex_eur_per_kw"]) * 1e3,
        "wind_capex_eur_per_mw": float(e.at["wind_onshore", "capex_eur_per_kw"]) * 1e3,
        "battery_power_capex_eur_per_mw": float(e.at["battery_power", "capex_eur_per_kw"]) * 1e3,
        "battery_energy_capex_eur_per_mwh": float(e.at["battery_energy", "capex_eur_per_kwh"])
        * 1e3,
        "backup_capex_eur_per_mw": float(e.at[backup, "capex_eur_per_kw"]) * 1e3,
        "gas_turbine_capex_eur_per_mw": float(e.at["gas_turbine", "capex_eur_per_kw"]) * 1e3,
        "heat_pump_capex_eur_per_mw": float(e.at["heat_pump", "capex_eur_per_kw"]) * 1e3,
        "pv_land_ha_per_mw": fin["pv_land_ha_per_mw"],
        "wind_land_ha_per_mw": fin["wind_land_ha_per_mw"],
        "datacentre_land_ha_per_mw_it": fin["datacentre_land_ha_per_mw_it"],
    }
