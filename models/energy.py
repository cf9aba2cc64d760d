"""Energy supply, power balance, design peak, standby, renewable share and carbon.

Grid (with connection upgrade), PPAs, on-site PV and wind, batteries, standby
generators (limited running hours) and, where a scenario allows it, an on-site gas
turbine as firm supply. Every site and period balances supply against the facility load
plus any heat-pump load; the connection (plus firm on-site capacity) carries the
design peak.

Renewable share, annual: the renewable energy consumed - generation net of curtailment
and battery losses, i.e. facility energy minus grid, standby and gas supply - covers
``share`` of the facility's consumption. Hourly (24/7): in every period grid, standby
and gas supply at most ``1 - share`` of the load, within each member state (or pooled
over all sites for ``hourly_pooled``). Carbon is counted once: the grid price is net of
the carbon it carried, and the carbon price is charged on the plan's own emissions.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models._shared import add_capex, add_cost, slack
from models.inputs import ModelInputs
from models.levers import site_bounds
from models.sites import site_capacity_mw


def previous_period(inp: ModelInputs) -> dict:
    """Map each period to the one before it in the same storage cycle (cyclic)."""
    prev = {}
    for _, group in inp.periods.groupby("cycle", sort=True):
        order = list(group.index)
        for i, t in enumerate(order):
            prev[t] = order[i - 1]
    return prev


def add_energy(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """Supply variables, ``power_balance[s, t]``, grid limits, storage, renewables, carbon."""
    _add_supply(m, inp)
    _add_balance(m, inp)
    _add_standby(m, inp)
    _add_certificates(m, inp)
    _add_renewable_share(m, inp)
    _add_carbon(m, inp)
    _add_energy_costs(m, inp)


def _dispatch(m: pyo.ConcreteModel, name: str, enabled: bool, doc: str) -> None:
    """An hourly dispatch variable, or a zero parameter when the option is off (smaller LP)."""
    if enabled:
        m.add_component(name, pyo.Var(m.SITE_PERIODS, within=pyo.NonNegativeReals, doc=doc))
    else:
        m.add_component(name, pyo.Param(m.SITE_PERIODS, default=0.0, within=pyo.Reals,
                                        doc=doc + " (option off)"))


def _add_supply(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    opt = inp.options
    nn = pyo.NonNegativeReals
    cap = site_capacity_mw(m, inp)
    upgrade = site_bounds(inp)["grid_upgrade_mw"]

    def bounded(flag: bool):
        return (lambda m, s: (0, cap[s])) if flag else (lambda m, s: (0, 0))

    m.grid_upgrade_mw = pyo.Var(m.SITES, within=nn, bounds=lambda m, s: upgrade[s],
                                doc="added connection [MW]")
    m.grid_import_mw = pyo.Var(m.SITE_PERIODS, within=nn, doc="grid import [MW]",
                               bounds=lambda m, s, t: (0, cap[s] if opt["grid"] else 0))
    m.pv_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["pv"]), doc="on-site PV [MW]")
    m.wind_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["wind"]), doc="on-site wind [MW]")
    m.ppa_solar_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["ppa_solar"]),
                             doc="solar PPA capacity [MW]")
    m.ppa_wind_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["ppa_wind"]),
                            doc="wind PPA capacity [MW]")
    m.battery_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["battery"]), doc="[MW]")
    m.battery_mwh = pyo.Var(m.SITES, within=nn, doc="battery energy [MWh]")
    m.backup_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["backup"]),
                          doc="standby generator capacity [MW]")
    m.gas_mw = pyo.Var(m.SITES, within=nn, bounds=bounded(opt["gas_turbine"]),
                       doc="on-site gas turbine capacity [MW]")
    m.go_mwh = pyo.Var(m.SITES, within=nn, bounds=lambda m, s: (
        0, None if opt["guarantees_of_origin"] else 0),
        doc="grid energy certified renewable by guarantees of origin [MWh/yr]")
    _dispatch(m, "charge_mw", opt["battery"], "battery charging [MW]")
    _dispatch(m, "discharge_mw", opt["battery"], "battery discharging [MW]")
    _dispatch(m, "soc_mwh", opt["battery"], "battery state of charge [MWh]")
    _dispatch(m, "backup_gen_mw", opt["backup"], "standby generation [MW]")
    _dispatch(m, "gas_gen_mw", opt["gas_turbine"], "gas turbine generation [MW]")
    prof = inp.profiles
    m.solar_cf = prof["solar_cf"].astype(float).to_dict()
    m.wind_cf = prof["wind_cf"].astype(float).to_dict()
    m.ppa_mw = pyo.Expression(m.SITE_PERIODS, rule=lambda m, s, t: (
        m.solar_cf[(s, t)] * m.ppa_solar_mw[s] + m.wind_cf[(s, t)] * m.ppa_wind_mw[s]))
    m.onsite_mw = pyo.Expression(m.SITE_PERIODS, rule=lambda m, s, t: (
        m.solar_cf[(s, t)] * m.pv_mw[s] + m.wind_cf[(s, t)] * m.wind_mw[s]))
    m.fossil_mw = pyo.Expression(m.SITE_PERIODS, rule=lambda m, s, t: (
        m.grid_import_mw[s, t] + m.backup_gen_mw[s, t] + m.gas_gen_mw[s, t]),
        doc="supply that is not renewable [MW]")
    m.demand_mw = pyo.Expression(m.SITE_PERIODS, rule=lambda m, s, t: (
        m.facility_mw[s, t] + m.heat_pump_mw_e[s, t]), doc="facility plus heat-pump load [MW]")


def _add_balance(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """Supply covers demand every period; what is left over is curtailed (``spill_mw``).

    PPA energy arrives through the connection, so the connection carries the site's net
    load at its meter: demand plus charging minus discharging, on-site generation,
    standby and gas turbine (``grid + PPA - curtailed`` written without the curtailment).
    """
    e, opt = inp.energy, inp.options
    now = m.site_grid_mw_now
    m.supply_mw = pyo.Expression(m.SITE_PERIODS, rule=lambda m, s, t: (
        m.fossil_mw[s, t] + m.ppa_mw[s, t] + m.onsite_mw[s, t] + m.discharge_mw[s, t]
        - m.charge_mw[s, t]), doc="supply before curtailment [MW]")
    m.power_balance = pyo.Constraint(m.SITE_PERIODS, rule=lambda m, s, t: (
        m.supply_mw[s, t] >= m.demand_mw[s, t]),
        doc="supply covers the facility and heat-pump load, every site and period")
    m.spill_mw = pyo.Expression(m.SITE_PERIODS, rule=lambda m, s, t: (
        m.supply_mw[s, t] - m.demand_mw[s, t]), doc="renewable output curtailed [MW]")
    excess = slack(m, "grid_excess", m.SITES, "MW", "connection beyond the site maximum")

    def beyond(s):
        return excess[s] if excess is not None else 0

    m.grid_connection_max = pyo.Constraint(m.SITE_PERIODS, rule=lambda m, s, t: (
        m.demand_mw[s, t] + m.charge_mw[s, t] - m.discharge_mw[s, t] - m.onsite_mw[s, t]
        - m.backup_gen_mw[s, t] - m.gas_gen_mw[s, t]
        <= now[s] + m.grid_upgrade_mw[s] + beyond(s)),
        doc="net load at the meter (grid and delivered PPA) within the connection")
    if inp.options["grid"]:
        m.design_peak_max = pyo.Constraint(m.SITES, rule=lambda m, s: (
            m.facility_peak_mw[s] <= now[s] + m.grid_upgrade_mw[s] + m.gas_mw[s] + beyond(s)),
            doc="the connection and firm on-site supply carry the design-peak facility load")
    if opt["battery"]:
        eta = e["battery_efficiency_frac"] ** 0.5
        prev = previous_period(inp)
        m.soc_balance = pyo.Constraint(m.SITE_PERIODS, rule=lambda m, s, t: (
            m.soc_mwh[s, t] == m.soc_mwh[s, prev[t]] + eta * m.charge_mw[s, t]
            - m.discharge_mw[s, t] / eta), doc="state of charge, cyclic per storage cycle")
        m.soc_max = pyo.Constraint(m.SITE_PERIODS, rule=lambda m, s, t: (
            m.soc_mwh[s, t] <= m.battery_mwh[s]))
        m.charge_max = pyo.Constraint(m.SITE_PERIODS, rule=lambda m, s, t: (
            m.charge_mw[s, t] <= m.battery_mw[s]))
        m.discharge_max = pyo.Constraint(m.SITE_PERIODS, rule=lambda m, s, t: (
            m.discharge_mw[s, t] <= m.battery_mw[s]))
    if opt["gas_turbine"]:
        m.gas_max = pyo.Constraint(m.SITE_PERIODS, rule=lambda m, s, t: (
            m.gas_gen_mw[s, t] <= m.gas_mw[s]))


def _add_standby(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    policy, w = inp.policy, m.weight
    m.backup_mwh = pyo.Expression(m.SITES, rule=lambda m, s: sum(
        w[t] * m.backup_gen_mw[s, t] for t in m.periods_of[s]), doc="standby energy [MWh/yr]")
    if inp.options["backup"]:
        m.backup_max = pyo.Constraint(m.SITE_PERIODS, rule=lambda m, s, t: (
            m.backup_gen_mw[s, t] <= m.backup_mw[s]))
        m.backup_hours_max = pyo.Constraint(m.SITES, rule=lambda m, s: (
            m.backup_mwh[s] <= policy.backup_max_hours_per_year * m.backup_mw[s]),
            doc="standby runs at most its permitted hours a year at full output")
    if policy.backup_min_frac_of_peak is not None:
        m.backup_sizing_min = pyo.Constraint(m.SITES, rule=lambda m, s: (
            m.backup_mw[s] >= policy.backup_min_frac_of_peak * m.facility_peak_mw[s]
            + policy.backup_spare_mw * m.open_site[s]),
            doc="standby covers the critical share of the design peak (plus a spare unit)")


def _add_renewable_share(m, inp: ModelInputs) -> None:
    if inp.policy.renewable_share_frac is None:
        return
    share, w = m.renewable_share_frac, m.weight
    short = slack(m, "renewable_short", None, "MWh/yr", "renewable energy missing")
    if inp.policy.hourly_matching:
        pooled = inp.policy.renewable_matching == "hourly_pooled"
        zones = {}
        for (s, t) in m.SITE_PERIODS:
            zone = "EU" if pooled else inp.sites.at[s, "country"]
            zones.setdefault((zone, t), []).append(s)
        m.MATCH_ZONE_PERIODS = pyo.Set(dimen=2, ordered=True, initialize=sorted(zones),
                                       doc="(zone, period) where supply is matched hourly")

        def hourly(m, z, t):
            members = zones[(z, t)]
            return w[t] * sum(m.fossil_mw[s, t] for s in members) <= (1 - share) * w[t] * sum(
                m.demand_mw[s, t] for s in members) + (short if short is not None else 0)
        m.renewable_share_hourly = pyo.Constraint(m.MATCH_ZONE_PERIODS, rule=hourly,
                                                  doc="24/7: renewable share in every period")
    else:
        # per-site annual fossil energy as a variable keeps the annual row short (one dense
        # row over every site and period slows the simplex several-fold)
        m.fossil_mwh = pyo.Var(m.SITES, within=pyo.NonNegativeReals,
                               doc="grid, standby and gas energy [MWh/yr]")
        m.fossil_mwh_definition = pyo.Constraint(m.SITES, rule=lambda m, s: (
            m.fossil_mwh[s] == sum(w[t] * m.fossil_mw[s, t] for t in m.periods_of[s])))
        # the demand total as a variable: the lever then scales one matrix entry, which a
        # re-solve for another share changes in place (highs_bridge.resolve_fixed)
        m.demand_mwh = pyo.Var(within=pyo.NonNegativeReals,
                               doc="facility plus heat-pump energy [MWh/yr]")
        m.demand_mwh_definition = pyo.Constraint(expr=m.demand_mwh == sum(
            w[t] * m.demand_mw[s, t] for (s, t) in m.SITE_PERIODS))
        m.renewable_share_annual = pyo.Constraint(expr=sum(
            m.fossil_mwh[s] - m.go_mwh[s] for s in m.SITES) <= (1 - share) * m.demand_mwh
            + (short if short is not None else 0),
            doc="annual renewable share: renewable energy consumed (net of curtailment), "
                "plus grid energy certified by guarantees of origin")


def _add_certificates(m, inp: ModelInputs) -> None:
    w = m.weight
    m.grid_mwh = pyo.Expression(m.SITES, rule=lambda m, s: sum(
        w[t] * m.grid_import_mw[s, t] for t in m.periods_of[s]), doc="grid energy [MWh/yr]")
    if inp.options["guarantees_of_origin"]:
        m.go_max = pyo.Constraint(m.SITES, rule=lambda m, s: m.go_mwh[s] <= m.grid_mwh[s],
                                  doc="certificates for at most the grid energy used")
    add_cost(m, "guarantees_of_origin", {s: inp.energy["go_eur_per_mwh"] * m.go_mwh[s]
                                         for s in m.SITES})


def _add_carbon(m, inp: ModelInputs) -> None:
    e, w = inp.energy, m.weight
    co2 = inp.profiles["grid_co2_t_per_mwh"].astype(float).to_dict()
    m.site_emissions_t = pyo.Expression(m.SITES, rule=lambda m, s: sum(
        w[t] * (co2[(s, t)] * m.grid_import_mw[s, t]
                + e["backup_co2_t_per_mwh"] * m.backup_gen_mw[s, t]
                + e["gas_turbine_co2_t_per_mwh"] * m.gas_gen_mw[s, t])
        for t in m.periods_of[s]), doc="CO2 by site [t/yr]")
    m.emissions_t = pyo.Expression(expr=sum(m.site_emissions_t[s] for s in m.SITES),
                                   doc="CO2 [t/yr]")
    if inp.policy.carbon_cap_t_per_year is not None:
        excess = slack(m, "carbon_excess", None, "tCO2/yr", "emissions above the cap")
        m.carbon_cap = pyo.Constraint(expr=m.emissions_t <= m.carbon_cap_t_per_year
                                      + (excess if excess is not None else 0))
    add_cost(m, "carbon", {s: m.carbon_price_eur_per_t * m.site_emissions_t[s]
                           for s in m.SITES})


def _add_energy_costs(m, inp: ModelInputs) -> None:
    e, w = inp.energy, m.weight
    price = inp.profiles["price_eur_per_mwh"].astype(float).to_dict()
    ppa_solar, ppa_wind = m.site_ppa_solar_eur_per_mwh, m.site_ppa_wind_eur_per_mwh
    upgrade, upgrade_capex = m.site_grid_upgrade_eur_per_mw_year, m.site_grid_upgrade_capex_eur_per_mw
    solar_h = {s: sum(w[t] * m.solar_cf[(s, t)] for t in m.periods_of[s]) for s in m.SITES}
    wind_h = {s: sum(w[t] * m.wind_cf[(s, t)] for t in m.periods_of[s]) for s in m.SITES}

    def per_site(rule) -> dict:
        return {s: rule(s) for s in m.SITES}

    add_cost(m, "grid_energy", per_site(lambda s: m.grid_price_factor * sum(
        w[t] * price[(s, t)] * m.grid_import_mw[s, t] for t in m.periods_of[s])))
    add_cost(m, "ppa_energy", per_site(lambda s: solar_h[s] * ppa_solar[s] * m.ppa_solar_mw[s]
                                       + wind_h[s] * ppa_wind[s] * m.ppa_wind_mw[s]))
    add_cost(m, "grid_upgrade", per_site(lambda s: upgrade[s] * m.grid_upgrade_mw[s]))
    add_cost(m, "onsite_pv", per_site(lambda s: e["pv_eur_per_mw_year"] * m.pv_mw[s]))
    add_cost(m, "onsite_wind", per_site(lambda s: (e["wind_eur_per_mw_year"] + e[
        "wind_vom_eur_per_mwh"] * wind_h[s]) * m.wind_mw[s]))
    add_cost(m, "battery", per_site(lambda s: e["battery_power_eur_per_mw_year"] * m.battery_mw[s]
                                    + e["battery_energy_eur_per_mwh_year"] * m.battery_mwh[s]))
    add_cost(m, "backup", per_site(lambda s: e["backup_eur_per_mw_year"] * m.backup_mw[s]
                                   + e["backup_eur_per_mwh"] * m.backup_mwh[s]))
    add_cost(m, "gas_turbine", per_site(lambda s: e["gas_turbine_eur_per_mw_year"] * m.gas_mw[s]
                                        + e["gas_turbine_eur_per_mwh"] * sum(
        w[t] * m.gas_gen_mw[s, t] for t in m.periods_of[s])))
    add_capex(m, "grid_upgrade", per_site(lambda s: upgrade_capex[s] * m.grid_upgrade_mw[s]))
    add_capex(m, "onsite_pv", per_site(lambda s: e["pv_capex_eur_per_mw"] * m.pv_mw[s]))
    add_capex(m, "onsite_wind", per_site(lambda s: e["wind_capex_eur_per_mw"] * m.wind_mw[s]))
    add_capex(m, "battery", per_site(lambda s: e["battery_power_capex_eur_per_mw"]
                                     * m.battery_mw[s] + e["battery_energy_capex_eur_per_mwh"]
                                     * m.battery_mwh[s]))
    add_capex(m, "backup", per_site(lambda s: e["backup_capex_eur_per_mw"] * m.backup_mw[s]))
    add_capex(m, "gas_turbine", per_site(lambda s: e["gas_turbine_capex_eur_per_mw"]
                                         * m.gas_mw[s]))


def add_land(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """``land_max[s]``: IT modules, on-site PV and wind within the site's land [ha]."""
    e = inp.energy
    land = m.site_land_ha
    excess = slack(m, "land_excess", m.SITES, "ha", "land beyond what the site has")
    m.land_max = pyo.Constraint(m.SITES, rule=lambda m, s: (
        e["datacentre_land_ha_per_mw_it"] * m.it_capacity_mw[s] + e["pv_land_ha_per_mw"]
        * m.pv_mw[s] + e["wind_land_ha_per_mw"] * m.wind_mw[s]
        <= land[s] + (excess[s] if excess is not None else 0)),
        doc="land use within the site's land")
