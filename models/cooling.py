"""Cooling: one technology per open site, climate-driven PUE, what racks it can cool, heat, water.

The nameplate IT (``it_mw_cooled[s, k]``) sizes the cooling plant and the design peak;
the IT load hour by hour (``it_base_cooled[s, k]`` plus each run's ``run_cooled[r, s,
k]`` while its window is open) times the hourly PUE gives the facility load. Heat is sold
to district heating under a supply contract: a share of the network's hourly demand,
within the heat the cooling recovers that hour, lifted by a heat pump (electricity
``heat / COP``) where the cooling delivers it below the network's supply temperature.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models._shared import add_capex, add_cost, slack
from models.inputs import ModelInputs
from models.sites import site_capacity_mw


def add_cooling(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """``cooling_at``, the split of IT by cooling, ``facility_mw[s, t]``, heat and water."""
    cool = inp.cooling
    m.COOLING = pyo.Set(initialize=list(cool.index), ordered=True, doc="cooling technologies")
    m.PERIODS = pyo.Set(initialize=list(inp.periods.index), ordered=True, doc="time periods")
    m.SITE_PERIODS = pyo.Set(dimen=2, ordered=True, initialize=inp.site_periods(),
                             doc="(site, period) of the site's calendar group")
    m.periods_of = inp.periods_of()
    m.weight = inp.periods["weight_h"].astype(float).to_dict()
    m.cooling_at = pyo.Var(m.SITES, m.COOLING, within=pyo.Binary, doc="site s uses cooling k")
    m.cooling_one = pyo.Constraint(m.SITES, rule=lambda m, s: sum(
        m.cooling_at[s, k] for k in m.COOLING) == m.open_site[s], doc="one technology per open site")
    _add_it_split(m, inp)
    _add_facility(m, inp)
    _add_heat(m, inp)
    _add_water_and_costs(m, inp)


def _split(m, name: str, index, big: dict, total_rule, doc: str) -> None:
    """``name[i..., k] >= 0``, zero unless cooling ``k`` is chosen, summing to ``total``."""
    var = pyo.Var(index, m.COOLING, within=pyo.NonNegativeReals, doc=doc)
    m.add_component(name, var)
    m.add_component(f"{name}_chosen", pyo.Constraint(index, m.COOLING, rule=lambda m, *ik: (
        var[ik] <= big[ik[-2]] * m.cooling_at[ik[-2], ik[-1]])))
    m.add_component(f"{name}_balance", pyo.Constraint(index, rule=lambda m, *i: (
        sum(var[(*i, k)] for k in m.COOLING) == total_rule(m, *i))))


def _add_it_split(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    cap = site_capacity_mw(m, inp)
    _split(m, "it_mw_cooled", m.SITES, cap, lambda m, s: m.it_mw[s],
           "nameplate IT by cooling [MW]")
    _split(m, "it_base_cooled", m.SITES, cap, lambda m, s: m.it_base_mw[s],
           "IT load that does not change over the year, by cooling [MW]")
    run_cap = {s: cap[s] for s in m.SITES}
    m.run_cooled = pyo.Var(m.RUN_SITES, m.COOLING, within=pyo.Reals,
                           doc="a run's added IT load by cooling [MW]")
    m.run_cooled_chosen_hi = pyo.Constraint(m.RUN_SITES, m.COOLING, rule=lambda m, r, s, k: (
        m.run_cooled[r, s, k] <= run_cap[s] * m.cooling_at[s, k]))
    m.run_cooled_chosen_lo = pyo.Constraint(m.RUN_SITES, m.COOLING, rule=lambda m, r, s, k: (
        m.run_cooled[r, s, k] >= -run_cap[s] * m.cooling_at[s, k]))
    m.run_cooled_balance = pyo.Constraint(m.RUN_SITES, rule=lambda m, r, s: (
        sum(m.run_cooled[r, s, k] for k in m.COOLING) == m.run_it_mw[r, s]))
    excluded = sorted((s, g, k) for s in m.SITES for (g, k) in inp.cooling_excluded
                      if g in m.ACCELERATORS and k in m.COOLING)
    m.COOLING_EXCLUDED = pyo.Set(dimen=3, initialize=excluded,
                                 doc="(site, accelerator, cooling) that cannot be combined")
    m.cooling_compatible = pyo.Constraint(m.COOLING_EXCLUDED, rule=lambda m, s, g, k: (
        m.nodes[s, g] <= m.node_cap[s, g] * (1 - m.cooling_at[s, k])),
        doc="no accelerator under a cooling that cannot remove its rack's heat")


def _add_facility(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """IT load per distinct set of open training windows, and the facility load from it.

    Periods whose runs are active in the same proportions share one load variable per
    (site, cooling) (``it_load_cooled[s, k, v]``), so each period's facility load is a
    short sum of ``PUE x load`` over the cooling technologies.
    """
    pue = inp.pue.astype(float).to_dict()
    activity = inp.run_activity.astype(float).to_dict()
    runs = list(m.RUNS)
    vector_of, vectors = {}, {}
    for t in m.PERIODS:
        key = tuple(round(activity.get((r, t), 0.0), 9) for r in runs)
        vector_of[t] = vectors.setdefault(key, len(vectors))
    shares = {v: dict(zip(runs, key, strict=True)) for key, v in vectors.items()}
    runs_of = {s: [] for s in m.SITES}
    for (r, s) in m.RUN_SITES:
        runs_of[s].append(r)
    m.vector_of = vector_of
    m.LOADS = pyo.Set(dimen=3, ordered=True, initialize=sorted(
        {(s, k, vector_of[t]) for s in m.SITES for t in m.periods_of[s] for k in m.COOLING}),
        doc="(site, cooling, activity of the training windows)")
    m.it_load_cooled = pyo.Var(m.LOADS, within=pyo.NonNegativeReals,
                               doc="IT load by cooling when the windows are open as in v [MW]")
    m.it_load_definition = pyo.Constraint(m.LOADS, rule=lambda m, s, k, v: (
        m.it_load_cooled[s, k, v] == m.it_base_cooled[s, k] + sum(
            shares[v][r] * m.run_cooled[r, s, k] for r in runs_of[s] if shares[v][r])))

    def it_load(m, s, k, t):
        return m.it_load_cooled[s, k, vector_of[t]]
    m.it_load_by_cooling = it_load
    m.it_load_mw = pyo.Expression(m.SITE_PERIODS, rule=lambda m, s, t: sum(
        it_load(m, s, k, t) for k in m.COOLING), doc="IT load [MW]")
    m.facility_mw = pyo.Expression(m.SITE_PERIODS, rule=lambda m, s, t: sum(
        pue[(s, k, t)] * it_load(m, s, k, t) for k in m.COOLING),
        doc="facility load = PUE x IT load [MW]")
    peak = inp.pue_peak.astype(float).to_dict()
    m.facility_peak_mw = pyo.Expression(m.SITES, rule=lambda m, s: sum(
        peak[(s, k)] * m.it_mw_cooled[s, k] for k in m.COOLING),
        doc="design peak: nameplate IT at the year's largest PUE [MW]")


def _add_heat(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """Heat sold as a share of the network's hourly demand (a heat-supply contract).

    ``heat_contract_mw[s, k]`` is the heat delivered in the network's peak hour; every
    hour the site delivers that times the hour's demand fraction, within the heat its
    cooling recovers (plus the heat pump's electricity where the heat must be lifted).
    """
    sites, cool = inp.sites, inp.cooling
    offtake = sites["dh_offtake_mw"].astype(float).to_dict()
    cop = inp.heat_pump_cop.astype(float).to_dict() if len(inp.heat_pump_cop) else {}
    usable = {(s, k): c for (s, k), c in cop.items() if s in offtake and k in cool.index
              and offtake[s] > 0 and c > 0 and (inp.options["heat_pump"] or c == float("inf"))}
    lift = {key: (0.0 if c == float("inf") else 1.0 / c) for key, c in usable.items()}
    recovery = cool["heat_recovery_frac"].astype(float).to_dict()
    m.HEAT_OPTIONS = pyo.Set(dimen=2, ordered=True, initialize=sorted(usable),
                             doc="(site, cooling) whose recovered heat the network can take")
    m.heat_contract_mw = pyo.Var(m.HEAT_OPTIONS, within=pyo.NonNegativeReals,
                                 doc="heat delivered in the network's peak hour [MW thermal]")
    m.heat_contract_max = pyo.Constraint(m.HEAT_OPTIONS, rule=lambda m, s, k: (
        m.heat_contract_mw[s, k] <= m.site_dh_offtake_mw[s] * m.cooling_at[s, k]),
        doc="within the network's offtake, with the site's cooling")
    demand = inp.profiles["dh_demand_frac"].astype(float).to_dict()
    options_at = {s: [] for s in m.SITES}
    for (s, k) in m.HEAT_OPTIONS:
        options_at[s].append(k)
    heat_sites = [s for s in m.SITES if options_at[s]]
    m.HEAT_SITE_PERIODS = pyo.Set(dimen=2, ordered=True, initialize=[
        (s, t) for s in heat_sites for t in m.periods_of[s]])
    m.HEAT_SITES = pyo.Set(initialize=heat_sites, ordered=True)
    m.heat_recovered_peak_mw = pyo.Var(m.HEAT_SITES, within=pyo.NonNegativeReals,
                                       doc="recovered heat in the network's peak hour [MW]")
    m.heat_pump_peak_mw_e = pyo.Var(m.HEAT_SITES, within=pyo.NonNegativeReals,
                                    doc="heat-pump electricity in the network's peak hour [MW]")
    m.heat_recovered_definition = pyo.Constraint(m.HEAT_SITES, rule=lambda m, s: (
        m.heat_recovered_peak_mw[s] == sum((1.0 - lift[(s, k)]) * m.heat_contract_mw[s, k]
                                           for k in options_at[s])))
    m.heat_pump_definition = pyo.Constraint(m.HEAT_SITES, rule=lambda m, s: (
        m.heat_pump_peak_mw_e[s] == sum(lift[(s, k)] * m.heat_contract_mw[s, k]
                                        for k in options_at[s])))
    m.heat_recovered_max = pyo.Constraint(m.HEAT_SITE_PERIODS, rule=lambda m, s, t: (
        demand[(s, t)] * m.heat_recovered_peak_mw[s]
        <= sum(recovery[k] * m.it_load_by_cooling(m, s, k, t) for k in options_at[s])),
        doc="heat delivered within the IT heat recovered (plus the heat pump's electricity)")
    m.heat_sold_mw = pyo.Expression(m.SITE_PERIODS, rule=lambda m, s, t: demand[(s, t)] * sum(
        m.heat_contract_mw[s, k] for k in options_at[s]), doc="heat delivered [MW thermal]")
    m.heat_pump_mw_e = pyo.Expression(m.SITE_PERIODS, rule=lambda m, s, t: (
        demand[(s, t)] * m.heat_pump_peak_mw_e[s] if options_at[s] else 0.0),
        doc="heat-pump electricity [MW]")
    m.heat_pump_mw = pyo.Expression(m.SITES, rule=lambda m, s: sum(
        m.heat_contract_mw[s, k] for k in options_at[s] if lift[(s, k)] > 0),
        doc="heat-pump capacity [MW thermal delivered]")
    w = m.weight
    shape_h = {s: sum(w[t] * demand[(s, t)] for t in m.periods_of[s]) for s in heat_sites}
    m.heat_sold_mwh = pyo.Expression(m.SITES, rule=lambda m, s: shape_h.get(s, 0.0) * sum(
        m.heat_contract_mw[s, k] for k in options_at[s]), doc="heat sold [MWh/yr]")
    lifted_mwh = {s: shape_h.get(s, 0.0) * sum(
        m.heat_contract_mw[s, k] for k in options_at[s] if lift[(s, k)] > 0) for s in m.SITES}
    e = inp.energy
    add_cost(m, "heat_revenue", {s: -m.site_dh_price_eur_per_mwh[s] * m.heat_sold_mwh[s]
                                 for s in m.SITES})
    add_cost(m, "heat_pump", {s: e["heat_pump_eur_per_mw_year"] * m.heat_pump_mw[s]
                              + e["heat_pump_vom_eur_per_mwh"] * lifted_mwh[s] for s in m.SITES})
    add_capex(m, "heat_pump", {s: e["heat_pump_capex_eur_per_mw"] * m.heat_pump_mw[s]
                               for s in m.SITES})


def _add_water_and_costs(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    cool = inp.cooling
    wue = cool["wue_m3_per_mwh"].astype(float).to_dict()
    w = m.weight
    activity = inp.run_activity.astype(float).to_dict()
    run_hours = {(r, s): sum(w[t] * activity.get((r, t), 0.0) for t in m.periods_of[s])
                 for (r, s) in m.RUN_SITES}

    def it_mwh(m, s, k):
        return 8760.0 * m.it_base_cooled[s, k] + sum(
            run_hours[(r, s2)] * m.run_cooled[r, s2, k] for (r, s2) in m.RUN_SITES if s2 == s)
    m.site_it_mwh_cooled = pyo.Expression(m.SITES, m.COOLING, rule=it_mwh,
                                          doc="IT energy by cooling [MWh/yr]")
    m.site_it_mwh = pyo.Expression(m.SITES, rule=lambda m, s: sum(
        m.site_it_mwh_cooled[s, k] for k in m.COOLING), doc="IT energy [MWh/yr]")
    if len(inp.wue):
        # climate-dependent WUE: weight each load vector's periods by their water per MWh
        hourly_wue = inp.wue.astype(float).to_dict()
        per_load: dict = {}
        for s in m.SITES:
            for t in m.periods_of[s]:
                for k in m.COOLING:
                    key = (s, k, m.vector_of[t])
                    per_load[key] = per_load.get(key, 0.0) + w[t] * hourly_wue[(s, k, t)]
        loads_at = {s: [] for s in m.SITES}
        for key in m.LOADS:
            loads_at[key[0]].append(key)
        m.site_water_m3 = pyo.Expression(m.SITES, rule=lambda m, s: sum(
            per_load[key] * m.it_load_cooled[key] for key in loads_at[s]),
            doc="water use by site [m3/yr]")
    else:
        m.site_water_m3 = pyo.Expression(m.SITES, rule=lambda m, s: sum(
            wue[k] * m.site_it_mwh_cooled[s, k] for k in m.COOLING),
            doc="water use by site [m3/yr]")
    m.water_m3 = pyo.Expression(expr=sum(m.site_water_m3[s] for s in m.SITES),
                                doc="water use [m3/yr]")
    if inp.policy.max_water_m3_per_year is not None:
        excess = slack(m, "water_excess", None, "m3/yr", "water above the limit")
        m.water_max = pyo.Constraint(expr=m.water_m3 <= inp.policy.max_water_m3_per_year
                                     + (excess if excess is not None else 0))
    annual = cool["eur_per_mw_it_year"].astype(float).to_dict()
    capex = cool["capex_eur_per_mw_it"].astype(float).to_dict()
    add_cost(m, "cooling", {s: sum(annual[k] * m.it_mw_cooled[s, k] for k in m.COOLING)
                            for s in m.SITES})
    add_capex(m, "cooling", {s: sum(capex[k] * m.it_mw_cooled[s, k] for k in m.COOLING)
                             for s in m.SITES})
