"""Cooling: one technology per open site, climate-driven PUE, rack density, heat reuse, water."""

from __future__ import annotations

import pyomo.environ as pyo

from models._shared import add_capex, add_cost, slack
from models.fleet import max_nodes
from models.inputs import ModelInputs


def add_cooling(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """``cooling_at[s, k]``, ``it_mw_cooled[s, k]``, ``facility_mw[s, t]``, heat and water."""
    cool = inp.cooling
    m.COOLING = pyo.Set(initialize=list(cool.index), ordered=True, doc="cooling technologies")
    m.PERIODS = pyo.Set(initialize=list(inp.periods.index), ordered=True, doc="time periods")
    weight = inp.periods["weight_h"]
    m.cooling_at = pyo.Var(m.SITES, m.COOLING, within=pyo.Binary, doc="site s uses cooling k")
    m.cooling_one = pyo.Constraint(m.SITES, rule=lambda m, s: sum(
        m.cooling_at[s, k] for k in m.COOLING) == m.open_site[s], doc="one technology per open site")

    big_mw = {s: float(inp.sites.at[s, "grid_mw_max"]) for s in m.SITES}
    m.it_mw_cooled = pyo.Var(m.SITES, m.COOLING, within=pyo.NonNegativeReals,
                             bounds=lambda m, s, k: (0, big_mw[s]), doc="IT load by cooling [MW]")
    m.it_cooled_max = pyo.Constraint(m.SITES, m.COOLING, rule=lambda m, s, k: (
        m.it_mw_cooled[s, k] <= big_mw[s] * m.cooling_at[s, k]))
    m.it_cooled_balance = pyo.Constraint(m.SITES, rule=lambda m, s: sum(
        m.it_mw_cooled[s, k] for k in m.COOLING) == m.it_mw[s])

    dense = [(s, g, k) for s in m.SITES for g in m.ACCELERATORS for k in m.COOLING
             if inp.accelerators.at[g, "rack_kw"] > cool.at[k, "max_rack_kw"]]
    m.RACK_TOO_DENSE = pyo.Set(dimen=3, initialize=dense, doc="(site, accel, cooling) excluded")
    m.rack_density_max = pyo.Constraint(m.RACK_TOO_DENSE, rule=lambda m, s, g, k: (
        m.nodes[s, g] <= max_nodes(inp, s, g) * (1 - m.cooling_at[s, k])),
        doc="no rack denser than the cooling can remove")

    pue = inp.pue
    m.facility_mw = pyo.Expression(m.SITES, m.PERIODS, rule=lambda m, s, t: sum(
        float(pue[(s, k, t)]) * m.it_mw_cooled[s, k] for k in m.COOLING),
        doc="facility load = PUE x IT [MW]")

    sites = inp.sites
    m.heat_sold_mw = pyo.Var(m.SITES, m.PERIODS, within=pyo.NonNegativeReals,
                             bounds=lambda m, s, t: (0, float(sites.at[s, "dh_offtake_mw"])),
                             doc="heat sold to district heating [MW thermal]")
    m.heat_recovered_max = pyo.Constraint(m.SITES, m.PERIODS, rule=lambda m, s, t: (
        m.heat_sold_mw[s, t] <= sum(cool.at[k, "heat_recovery_frac"] * m.it_mw_cooled[s, k]
                                    for k in m.COOLING)), doc="heat within recoverable IT heat")
    add_cost(m, "heat_revenue", {s: -sum(
        float(weight[t]) * float(sites.at[s, "dh_price_eur_per_mwh"]) * m.heat_sold_mw[s, t]
        for t in m.PERIODS) for s in m.SITES})

    m.site_water_m3 = pyo.Expression(m.SITES, rule=lambda m, s: 8760.0 * sum(
        cool.at[k, "wue_m3_per_mwh"] * m.it_mw_cooled[s, k] for k in m.COOLING),
        doc="water use by site [m3/yr]")
    m.water_m3 = pyo.Expression(expr=sum(m.site_water_m3[s] for s in m.SITES),
                                doc="water use [m3/yr]")
    if inp.policy.max_water_m3_per_year is not None:
        excess = slack(m, "water_excess", None, "m3/yr", "water above the limit")
        m.water_max = pyo.Constraint(expr=m.water_m3 <= inp.policy.max_water_m3_per_year
                                     + (excess if excess is not None else 0))

    add_cost(m, "cooling", {s: sum(cool.at[k, "eur_per_mw_it_year"] * m.it_mw_cooled[s, k]
                                   for k in m.COOLING) for s in m.SITES})
    add_capex(m, "cooling", {s: sum(cool.at[k, "capex_eur_per_mw_it"] * m.it_mw_cooled[s, k]
                                    for k in m.COOLING) for s in m.SITES})
