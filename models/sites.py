"""Siting: which candidate sites open, and the policies on member states."""

from __future__ import annotations

import math

import pyomo.environ as pyo

from models._shared import add_capex, add_cost, slack
from models.inputs import ModelInputs


def add_sites(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """Sets ``SITES``/``COUNTRIES``, ``open_site[s]``, building and fixed site costs."""
    sites = inp.sites
    m.SITES = pyo.Set(initialize=list(sites.index), ordered=True, doc="candidate sites")
    countries = sorted(sites["country"].unique())
    m.COUNTRIES = pyo.Set(initialize=countries, ordered=True, doc="member states")
    m.open_site = pyo.Var(m.SITES, within=pyo.Binary, doc="site is built [0/1]")
    m.country_used = pyo.Var(m.COUNTRIES, within=pyo.Binary, doc="a site opens in the state")

    def country_used_max(m, c):
        return m.country_used[c] <= sum(m.open_site[s] for s in m.SITES
                                        if sites.at[s, "country"] == c)
    m.country_used_max = pyo.Constraint(m.COUNTRIES, rule=country_used_max)

    policy = inp.policy
    if policy.min_member_states:
        short = slack(m, "member_states", None, "member states", "member states missing")
        m.member_states_min = pyo.Constraint(
            expr=sum(m.country_used[c] for c in m.COUNTRIES) + (short if short is not None else 0)
            >= policy.min_member_states, doc="at least N member states host a site")
    if policy.max_sites:
        m.sites_max = pyo.Constraint(expr=sum(m.open_site[s] for s in m.SITES) <= policy.max_sites)

    add_cost(m, "site_fixed", {s: sites.at[s, "site_fixed_eur_per_year"] * m.open_site[s]
                               for s in m.SITES})


def add_site_capacity(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """IT capacity built in whole modules, its building, power train and staff costs.

    ``it_modules[s]`` modules of ``module_mw`` each must hold the IT load (needs
    ``it_mw`` from the fleet); building cost is paid on the capacity built.
    """
    sites = inp.sites
    module = {s: float(sites.at[s, "module_mw"]) for s in m.SITES}
    m.it_modules = pyo.Var(m.SITES, within=pyo.NonNegativeIntegers, bounds=lambda m, s: (
        0, math.ceil(float(sites.at[s, "grid_mw_max"]) / module[s])), doc="IT modules built")
    m.it_capacity_max = pyo.Constraint(m.SITES, rule=lambda m, s: (
        m.it_mw[s] <= module[s] * m.it_modules[s]), doc="IT load within the modules built")
    m.it_capacity_mw = pyo.Expression(m.SITES, rule=lambda m, s: module[s] * m.it_modules[s])
    add_cost(m, "building", {s: sites.at[s, "building_eur_per_mw_year"] * m.it_capacity_mw[s]
                             for s in m.SITES})
    add_capex(m, "building", {s: sites.at[s, "building_capex_eur_per_mw"] * m.it_capacity_mw[s]
                              for s in m.SITES})
    policy = inp.policy
    if policy.min_site_it_mw:
        m.site_it_min = pyo.Constraint(m.SITES, rule=lambda m, s: (
            m.it_mw[s] >= policy.min_site_it_mw * m.open_site[s]),
            doc="an open site hosts at least the minimum IT load")
    if policy.max_country_share_frac is not None:
        total = sum(m.it_mw[s] for s in m.SITES)

        def country_share_max(m, c):
            return (sum(m.it_mw[s] for s in m.SITES if sites.at[s, "country"] == c)
                    <= policy.max_country_share_frac * total)
        m.country_share_max = pyo.Constraint(m.COUNTRIES, rule=country_share_max,
                                             doc="at most X % of IT power in one state")
