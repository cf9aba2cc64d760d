"""From a scenario and the catalogue to the model's numeric inputs (``models.ModelInputs``).

Every number here comes from the catalogue or the roofline core through a stated
formula: annualised asset costs (:mod:`planner.optimise.assets`), the hourly profiles
on their periods with the grid price net of its embedded carbon
(:mod:`planner.optimise.hourly`), and what the workloads and targets need
(:mod:`planner.optimise.demand`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pandas as pd

from models import ModelInputs, Policy, PriceFactors
from planner.catalogue import Catalogue
from planner.optimise import assets, demand, hourly
from planner.optimise.estimates import drawn_catalogue
from planner.optimise.periods import Periods
from planner.scenario import Scenario, candidate_sites
from planner.scenario.schema import BackupSizing, RenewableMatching


@dataclass(frozen=True)
class Prepared:
    """Model inputs plus what the plan reports about how they were made.

    ``hourly``: the full-year profiles of the candidate sites (for the full-year check).
    """

    inputs: ModelInputs
    periods: Periods
    workload_options: pd.DataFrame  # workload x accelerator: feasible?, nodes/rate, why not
    finance: dict[str, float]
    hourly: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def finance_values(scenario: Scenario, catalogue: Catalogue) -> dict[str, float]:
    """Finance defaults with the scenario's overrides applied."""
    table = catalogue.finance["value"]
    values = {k: float(v) for k, v in table.items() if k != "currency"}
    values.update({k: float(v) for k, v in scenario.finance.items()})
    return values


def policy_inputs(scenario: Scenario, fin: dict[str, float]) -> Policy:
    """The model's policy: the scenario's, with finance defaults where it is silent.

    Member states count only sites that serve real load: without ``min_site_it_mw`` the
    threshold is one building module. Standby sizing: ``critical_load`` covers the
    critical share of the design peak, ``n_plus_1`` adds one ``backup_unit_mw`` unit.
    """
    pol, energy = scenario.policy, scenario.energy
    served = pol.min_site_it_mw
    if served is None and pol.min_member_states:
        served = fin["building_module_mw"]
    sizing = energy.backup_sizing
    hours = energy.backup_max_hours_per_year
    return Policy(
        carbon_price_eur_per_t=pol.carbon_price_eur_per_t if pol.carbon_price_eur_per_t
        is not None else fin["carbon_price_eur_per_t"],
        carbon_cap_t_per_year=pol.carbon_cap_t_per_year,
        renewable_share_frac=pol.renewable_share_frac,
        renewable_matching=pol.renewable_matching.value,
        min_member_states=pol.min_member_states, max_country_share_frac=pol.max_country_share_frac,
        budget_eur=pol.budget_eur, max_water_m3_per_year=pol.max_water_m3_per_year,
        max_sites=scenario.sites.max_sites, min_site_served_mw=served or None,
        backup_min_frac_of_peak=None if sizing == BackupSizing.optional
        else energy.backup_critical_load_frac,
        backup_spare_mw=fin["backup_unit_mw"] if sizing == BackupSizing.n_plus_1 else 0.0,
        backup_max_hours_per_year=hours if hours is not None else fin["backup_max_hours_per_year"])


def price_factors(fin: dict[str, float]) -> PriceFactors:
    """Sensitivity multipliers on grid and accelerator prices (finance parameters)."""
    return PriceFactors(grid=fin["grid_price_factor"], accelerator=fin["accelerator_price_factor"])


def with_levers(prepared: Prepared, scenario: Scenario, catalogue: Catalogue) -> Prepared:
    """``prepared`` with the lever numbers of ``scenario`` (same structure, other numbers).

    Lever numbers: policy and price levers, the draw of the estimated site and country
    figures (the site table is recomputed from them) and the sites fixed open. Only valid
    when ``scenario`` differs from the prepared one in lever fields alone
    (see :func:`planner.optimise.solve.structure_key`).
    """
    fin = finance_values(scenario, catalogue)
    drawn = drawn_catalogue(catalogue, scenario.estimates.seed, scenario.estimates.draw)
    sites = assets.site_table(scenario, drawn, fin, prepared.inputs.sites["period_group"])
    inputs = dataclasses.replace(prepared.inputs, policy=policy_inputs(scenario, fin),
                                 price_factors=price_factors(fin), sites=sites,
                                 open_fixed=open_fixed(scenario))
    return dataclasses.replace(prepared, inputs=inputs, finance=fin)


def open_fixed(scenario: Scenario) -> tuple[str, ...] | None:
    """The sites the scenario opens exactly (``sites.fixed_open``), or ``None``."""
    return tuple(scenario.sites.fixed_open) if scenario.sites.fixed_open else None


def with_periods(prepared: Prepared, scenario: Scenario, catalogue: Catalogue,
                 periods: Periods) -> Prepared:
    """``prepared`` on other periods (the repair adds failing days): time inputs rebuilt."""
    scenario = scenario.model_copy(update={"cooling": list(prepared.inputs.cooling.index)})
    return dataclasses.replace(prepared, periods=periods, inputs=dataclasses.replace(
        prepared.inputs, **_time_inputs(scenario, catalogue, prepared.finance, periods,
                                        prepared.inputs.sites, prepared.inputs.cooling.index)))


def _time_inputs(scenario: Scenario, catalogue: Catalogue, fin: dict, periods: Periods,
                 sites: pd.DataFrame, cooling: pd.Index) -> dict:
    return {
        "periods": periods.table[["weight_h", "cycle", "group", "day", "hour", "kind"]],
        "profiles": hourly.model_profiles(periods, fin),
        "pue": hourly.pue_series(periods, scenario, catalogue),
        "wue": hourly.wue_series(periods, scenario, catalogue),
        "run_activity": demand.run_activity(scenario, periods),
    }


def prepare(scenario: Scenario, catalogue: Catalogue, elastic: bool = False) -> Prepared:
    """All model inputs for ``scenario`` (see the module docstring for the formulas).

    With ``estimates.draw`` set, the catalogue's estimated figures take that draw first.
    """
    catalogue = drawn_catalogue(catalogue, scenario.estimates.seed, scenario.estimates.draw)
    fin = finance_values(scenario, catalogue)
    cooling_ids, notes = assets.usable_cooling(scenario, catalogue)
    if scenario.policy.renewable_matching == RenewableMatching.hourly_pooled:
        notes.append("24/7 matching is pooled over all sites (hourly_pooled): a surplus in "
                     "one member state covers a deficit in another in the same hour; "
                     "24/7 carbon-free accounting (EnergyTag, Google CFE) matches within "
                     "one grid region (renewable_matching: hourly)")
    scenario = scenario.model_copy(update={"cooling": cooling_ids})
    ids = candidate_sites(scenario, catalogue)
    base = catalogue.sites.loc[ids]
    groups = hourly.period_groups(scenario, base)
    sites = assets.site_table(scenario, catalogue, fin, groups)
    accels = assets.accelerator_table(scenario, catalogue, fin)
    cooling = assets.cooling_table(scenario, catalogue, fin)
    year = hourly.site_hourly(scenario, catalogue, ids, fin)
    periods = hourly.make_periods(scenario, year, groups, demand.day_segments(scenario))
    work = demand.workloads(scenario, catalogue, accels)
    targets, coef, util = demand.targets(scenario, catalogue, sites, accels)
    energy = scenario.energy
    inputs = ModelInputs(
        sites=sites, accelerators=accels, cooling=cooling,
        **_time_inputs(scenario, catalogue, fin, periods, sites, cooling.index),
        pue_peak=assets.pue_peak(year, scenario, catalogue),
        heat_pump_cop=assets.heat_cop_table(sites, scenario, catalogue, fin),
        cooling_excluded=assets.cooling_excluded(scenario, catalogue),
        open_fixed=open_fixed(scenario),
        training=work.training, run_segments=demand.run_segments(scenario),
        inference=work.inference, hpc=work.hpc,
        inference_demand=pd.Series({d.id: d.output_tokens_per_s
                                    for d in scenario.workloads.inference}, dtype=float),
        hpc_demand=pd.Series({d.id: d.sustained_pflops for d in scenario.workloads.hpc},
                             dtype=float),
        targets=targets, target_coef=coef, spare_utilisation=util,
        energy=assets.energy_costs(scenario, catalogue, fin),
        options={"grid": energy.grid, "pv": "pv_utility" in energy.onsite,
                 "wind": "wind_onshore" in energy.onsite,
                 "ppa_solar": "pv_utility" in energy.ppa, "ppa_wind": "wind_onshore" in energy.ppa,
                 "battery": energy.battery, "backup": energy.backup.value != "none",
                 "gas_turbine": energy.gas_turbine, "heat_pump": energy.heat_pump,
                 "guarantees_of_origin": energy.guarantees_of_origin},
        policy=policy_inputs(scenario, fin), price_factors=price_factors(fin),
        maximise_compute=scenario.objective.value == "max_compute",
        minimise_emissions=scenario.objective.value == "min_emissions",
        elastic=elastic)
    return Prepared(inputs=inputs, periods=periods, workload_options=work.options, finance=fin,
                    hourly=year, notes=notes)
