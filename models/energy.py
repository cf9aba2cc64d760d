"""Energy supply, power balance, renewable share and carbon.

Grid (with connection upgrade), PPAs, on-site PV and wind, batteries and backup; the
power balance every period; renewable share; carbon price and cap.

Renewable share, annual matching (as in market-based carbon accounting): PPA and
on-site generation over the year, surplus hours included, cover ``share`` of the
facility's consumption. Hourly matching (24/7): in every period grid and backup supply
at most ``1 - share`` of the load.
PPA energy is delivered through the grid connection. Battery state of charge is
cyclic within each representative day (or over the whole year at full resolution).
"""

from __future__ import annotations

import pyomo.environ as pyo

from models._shared import add_capex, add_cost, slack
from models.inputs import ModelInputs


def previous_period(inp: ModelInputs) -> dict:
    """Map each period to the one before it in the same cycle (cyclic per ``day``)."""
    prev = {}
    for _, group in inp.periods.groupby("day", sort=True):
        order = list(group.index)
        for i, t in enumerate(order):
            prev[t] = order[i - 1]
    return prev


def add_energy(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """Supply variables, ``power_balance[s, t]``, grid limits, storage, renewables, carbon."""
    e, opt, sites, prof = inp.energy, inp.options, inp.sites, inp.profiles
    weight = {t: float(w) for t, w in inp.periods["weight_h"].items()}
    nn = pyo.NonNegativeReals
    cap = {s: float(sites.at[s, "grid_mw_max"]) for s in m.SITES}

    def bounded(flag: bool):
        return (lambda m, s: (0, cap[s])) if flag else (lambda m, s: (0, 0))

    m.grid_upgrade_mw = pyo.Var(m.SITES, within=nn, bounds=lambda m, s: (
        0, max(0.0, cap[s] - float(sites.at[s, "grid_mw_now"]))), doc="added connection [MW]")
    m.grid_import_mw = pyo.Var(m.SITES, m.PERIODS, within=nn, doc="grid import [MW]",
                               bounds=lambda m, s, t: (0, cap[s] if opt["grid"] else 0))
    m.pv_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["pv"]), doc="on-site PV [MW]")
    m.wind_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["wind"]), doc="on-site wind [MW]")
    m.ppa_solar_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["ppa_solar"]),
                             doc="solar PPA capacity [MW]")
    m.ppa_wind_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["ppa_wind"]),
                            doc="wind PPA capacity [MW]")
    m.battery_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["battery"]), doc="[MW]")
    m.battery_mwh = pyo.Var(m.SITES, within=nn, doc="battery energy [MWh]")
    m.backup_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["backup"]), doc="backup [MW]")
    m.charge_mw = pyo.Var(m.SITES, m.PERIODS, within=nn)
    m.discharge_mw = pyo.Var(m.SITES, m.PERIODS, within=nn)
    m.soc_mwh = pyo.Var(m.SITES, m.PERIODS, within=nn, doc="battery state of charge [MWh]")
    m.backup_gen_mw = pyo.Var(m.SITES, m.PERIODS, within=nn)
    m.spill_mw = pyo.Var(m.SITES, m.PERIODS, within=nn, doc="renewable output not used [MW]")

    def cf(s, t, col):
        return float(prof.at[(s, t), col])

    m.ppa_mw = pyo.Expression(m.SITES, m.PERIODS, rule=lambda m, s, t: (
        cf(s, t, "solar_cf") * m.ppa_solar_mw[s] + cf(s, t, "wind_cf") * m.ppa_wind_mw[s]))
    m.onsite_mw = pyo.Expression(m.SITES, m.PERIODS, rule=lambda m, s, t: (
        cf(s, t, "solar_cf") * m.pv_mw[s] + cf(s, t, "wind_cf") * m.wind_mw[s]))

    m.power_balance = pyo.Constraint(m.SITES, m.PERIODS, rule=lambda m, s, t: (
        m.grid_import_mw[s, t] + m.ppa_mw[s, t] + m.onsite_mw[s, t] + m.discharge_mw[s, t]
        - m.charge_mw[s, t] + m.backup_gen_mw[s, t] - m.spill_mw[s, t] == m.facility_mw[s, t]),
        doc="supply = facility load, every site and period")
    grid_excess = slack(m, "grid_excess", m.SITES, "MW", "connection beyond the site maximum")
    m.grid_connection_max = pyo.Constraint(m.SITES, m.PERIODS, rule=lambda m, s, t: (
        m.grid_import_mw[s, t] + m.ppa_mw[s, t] - m.spill_mw[s, t]
        <= float(sites.at[s, "grid_mw_now"])
        + m.grid_upgrade_mw[s] + (grid_excess[s] if grid_excess is not None else 0)),
        doc="grid import and delivered PPA energy within the connection (surplus curtailed)")

    eta = e["battery_efficiency_frac"] ** 0.5
    prev = previous_period(inp)
    m.soc_balance = pyo.Constraint(m.SITES, m.PERIODS, rule=lambda m, s, t: (
        m.soc_mwh[s, t] == m.soc_mwh[s, prev[t]] + eta * m.charge_mw[s, t]
        - m.discharge_mw[s, t] / eta), doc="state of charge, cyclic per representative day")
    m.soc_max = pyo.Constraint(m.SITES, m.PERIODS, rule=lambda m, s, t: (
        m.soc_mwh[s, t] <= m.battery_mwh[s]))
    m.charge_max = pyo.Constraint(m.SITES, m.PERIODS, rule=lambda m, s, t: (
        m.charge_mw[s, t] <= m.battery_mw[s]))
    m.discharge_max = pyo.Constraint(m.SITES, m.PERIODS, rule=lambda m, s, t: (
        m.discharge_mw[s, t] <= m.battery_mw[s]))
    m.backup_max = pyo.Constraint(m.SITES, m.PERIODS, rule=lambda m, s, t: (
        m.backup_gen_mw[s, t] <= m.backup_mw[s]))

    _add_renewable_share(m, inp, weight)
    _add_carbon(m, inp, weight)
    _add_energy_costs(m, inp, weight)


def _add_renewable_share(m, inp: ModelInputs, weight: dict) -> None:
    if inp.policy.renewable_share_frac is None:
        return
    share = m.renewable_share_frac
    fossil = {(s, t): m.grid_import_mw[s, t] + m.backup_gen_mw[s, t]
              for s in m.SITES for t in m.PERIODS}
    short = slack(m, "renewable_short", None, "MWh/yr", "renewable energy missing")
    if inp.policy.hourly_matching:
        def hourly(m, t):
            return sum(fossil[s, t] for s in m.SITES) * weight[t] <= (1 - share) * weight[t] * sum(
                m.facility_mw[s, t] for s in m.SITES) + (short if short is not None else 0)
        m.renewable_share_hourly = pyo.Constraint(m.PERIODS, rule=hourly,
                                                  doc="24/7: renewable share in every period")
    else:
        m.renewable_share_annual = pyo.Constraint(expr=sum(
            weight[t] * (m.ppa_mw[s, t] + m.onsite_mw[s, t]) for s in m.SITES for t in m.PERIODS)
            + (short if short is not None else 0) >= share * sum(
            weight[t] * m.facility_mw[s, t] for s in m.SITES for t in m.PERIODS),
            doc="annual renewable share (generation matched to consumption over the year)")


def _add_carbon(m, inp: ModelInputs, weight: dict) -> None:
    prof, e = inp.profiles, inp.energy
    m.site_emissions_t = pyo.Expression(m.SITES, rule=lambda m, s: sum(
        weight[t] * (float(prof.at[(s, t), "grid_co2_t_per_mwh"]) * m.grid_import_mw[s, t]
                     + e["backup_co2_t_per_mwh"] * m.backup_gen_mw[s, t])
        for t in m.PERIODS), doc="CO2 by site [t/yr]")
    m.emissions_t = pyo.Expression(expr=sum(m.site_emissions_t[s] for s in m.SITES),
                                   doc="CO2 [t/yr]")
    if inp.policy.carbon_cap_t_per_year is not None:
        excess = slack(m, "carbon_excess", None, "tCO2/yr", "emissions above the cap")
        m.carbon_cap = pyo.Constraint(expr=m.emissions_t <= m.carbon_cap_t_per_year
                                      + (excess if excess is not None else 0))
    add_cost(m, "carbon", {s: m.carbon_price_eur_per_t * m.site_emissions_t[s]
                           for s in m.SITES})


def _add_energy_costs(m, inp: ModelInputs, weight: dict) -> None:
    e, sites, prof = inp.energy, inp.sites, inp.profiles

    def per_site(rule) -> dict:
        return {s: rule(s) for s in m.SITES}

    add_cost(m, "grid_energy", per_site(lambda s: m.grid_price_factor * sum(
        weight[t] * float(prof.at[(s, t), "price_eur_per_mwh"]) * m.grid_import_mw[s, t]
        for t in m.PERIODS)))
    add_cost(m, "ppa_energy", per_site(lambda s: sum(weight[t] * (
        float(prof.at[(s, t), "solar_cf"]) * float(sites.at[s, "ppa_solar_eur_per_mwh"])
        * m.ppa_solar_mw[s]
        + float(prof.at[(s, t), "wind_cf"]) * float(sites.at[s, "ppa_wind_eur_per_mwh"])
        * m.ppa_wind_mw[s]) for t in m.PERIODS)))
    add_cost(m, "grid_upgrade", per_site(lambda s: float(
        sites.at[s, "grid_upgrade_eur_per_mw_year"]) * m.grid_upgrade_mw[s]))
    add_cost(m, "onsite_pv", per_site(lambda s: e["pv_eur_per_mw_year"] * m.pv_mw[s]))
    add_cost(m, "onsite_wind", per_site(lambda s: e["wind_eur_per_mw_year"] * m.wind_mw[s]))
    add_cost(m, "battery", per_site(lambda s: e["battery_power_eur_per_mw_year"] * m.battery_mw[s]
                                    + e["battery_energy_eur_per_mwh_year"] * m.battery_mwh[s]))
    add_cost(m, "backup", per_site(lambda s: e["backup_eur_per_mw_year"] * m.backup_mw[s]
                                   + e["backup_eur_per_mwh"] * sum(
                                       weight[t] * m.backup_gen_mw[s, t] for t in m.PERIODS)))
    add_capex(m, "grid_upgrade", per_site(lambda s: float(
        sites.at[s, "grid_upgrade_capex_eur_per_mw"]) * m.grid_upgrade_mw[s]))
    add_capex(m, "onsite_pv", per_site(lambda s: e["pv_capex_eur_per_mw"] * m.pv_mw[s]))
    add_capex(m, "onsite_wind", per_site(lambda s: e["wind_capex_eur_per_mw"] * m.wind_mw[s]))
    add_capex(m, "battery", per_site(lambda s: e["battery_power_capex_eur_per_mw"]
                                     * m.battery_mw[s] + e["battery_energy_capex_eur_per_mwh"]
                                     * m.battery_mwh[s]))
    add_capex(m, "backup", per_site(lambda s: e["backup_capex_eur_per_mw"] * m.backup_mw[s]))


def add_land(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """``land_max[s]``: IT modules, on-site PV and wind within the site's land [ha]."""
    e, sites = inp.energy, inp.sites
    excess = slack(m, "land_excess", m.SITES, "ha", "land beyond what the site has")
    m.land_max = pyo.Constraint(m.SITES, rule=lambda m, s: (
        e["datacentre_land_ha_per_mw_it"] * m.it_capacity_mw[s] + e["pv_land_ha_per_mw"]
        * m.pv_mw[s] + e["wind_land_ha_per_mw"] * m.wind_mw[s]
        <= float(sites.at[s, "land_ha"]) + (excess[s] if excess is not None else 0)),
        doc="land use within the site's land")
