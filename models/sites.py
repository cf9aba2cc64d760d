"""Siting: which candidate sites open, their building, and the policies on member states.

Policies count real load only: a member state counts when one of its open sites serves
at least ``min_site_served_mw`` on average, and a country's share is its share of the
served IT load (average IT power above idle), so idle hardware never meets a policy.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from models._shared import add_capex, add_cost, slack
from models.inputs import ModelInputs
from models.levers import open_bounds


def site_capacity_mw(m: pyo.ConcreteModel, inp: ModelInputs) -> dict[str, float]:
    """The most IT a site may hold [MW]: its largest connection (larger when elastic).

    In the elastic re-solve the grid slack is what relaxes a short connection, so the
    hardware at a site is allowed to exceed it; the explanation then blames the grid.
    """
    cap = {s: float(v) for s, v in inp.sites["grid_mw_max"].items()}
    if m.elastic:
        extra = m.elastic_demand_mw
        cap = {s: v + extra for s, v in cap.items()}
    return cap


def add_sites(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """Sets ``SITES``/``COUNTRIES``, ``open_site[s]``, ``country_used[c]``, fixed site costs."""
    sites = inp.sites
    m.SITES = pyo.Set(initialize=list(sites.index), ordered=True, doc="candidate sites")
    countries = sorted(sites["country"].unique())
    m.COUNTRIES = pyo.Set(initialize=countries, ordered=True, doc="member states")
    m.sites_in = {c: [s for s in sites.index if sites.at[s, "country"] == c] for c in countries}
    opened = open_bounds(inp)
    m.open_site = pyo.Var(m.SITES, within=pyo.Binary, bounds=lambda m, s: opened[s],
                          doc="site is built [0/1]")
    m.country_used = pyo.Var(m.COUNTRIES, within=pyo.Binary, doc="a site opens in the state")
    m.country_used_max = pyo.Constraint(m.COUNTRIES, rule=lambda m, c: (
        m.country_used[c] <= sum(m.open_site[s] for s in m.sites_in[c])))
    policy = inp.policy
    if policy.min_member_states:
        short = slack(m, "member_states", None, "member states", "member states missing")
        m.member_states_min = pyo.Constraint(
            expr=sum(m.country_used[c] for c in m.COUNTRIES) + (short if short is not None else 0)
            >= m.min_member_states, doc="at least N member states host a serving site")
    if policy.max_sites:
        m.sites_max = pyo.Constraint(expr=sum(m.open_site[s] for s in m.SITES) <= policy.max_sites)


def add_site_capacity(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """IT capacity built in whole modules, its building, and the policies on served load.

    Needs ``it_mw`` (nameplate, from the fleet) and ``served_mw`` (from the workloads).
    """
    sites = inp.sites
    module = sites["module_mw"].astype(float).to_dict()
    cap = site_capacity_mw(m, inp)
    m.it_modules = pyo.Var(m.SITES, within=pyo.NonNegativeIntegers, bounds=lambda m, s: (
        0, math.ceil(cap[s] / module[s])), doc="IT modules built")
    m.it_capacity_max = pyo.Constraint(m.SITES, rule=lambda m, s: (
        m.it_mw[s] <= module[s] * m.it_modules[s]), doc="IT load within the modules built")
    m.it_modules_open = pyo.Constraint(m.SITES, rule=lambda m, s: (
        m.it_modules[s] >= m.open_site[s]), doc="an open site builds at least one module")
    m.it_capacity_mw = pyo.Expression(m.SITES, rule=lambda m, s: module[s] * m.it_modules[s])
    add_cost(m, "site_fixed", {s: m.site_site_fixed_eur_per_year[s] * m.open_site[s]
                               for s in m.SITES})
    add_cost(m, "building", {s: m.site_building_eur_per_mw_year[s] * m.it_capacity_mw[s]
                             for s in m.SITES})
    add_capex(m, "building", {s: m.site_building_capex_eur_per_mw[s] * m.it_capacity_mw[s]
                              for s in m.SITES})
    policy = inp.policy
    if policy.min_site_served_mw:
        m.site_served_min = pyo.Constraint(m.SITES, rule=lambda m, s: (
            m.served_mw[s] >= policy.min_site_served_mw * m.open_site[s]),
            doc="an open site serves at least the minimum average IT load above idle")
    if policy.max_country_share_frac is not None:
        excess = slack(m, "country_share_excess", m.COUNTRIES, "MW",
                       "served load above the country cap")
        total = sum(m.served_mw[s] for s in m.SITES)

        def country_share_max(m, c):
            return (sum(m.served_mw[s] for s in m.sites_in[c])
                    <= m.max_country_share_frac * total
                    + (excess[c] if excess is not None else 0))
        m.country_share_max = pyo.Constraint(m.COUNTRIES, rule=country_share_max,
                                             doc="at most X % of the served load in one state")
