"""Siting: which candidate sites open, and the policies on member states."""

from __future__ import annotations

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

    add_cost(m, "site_fixed", sum(sites.at[s, "site_fixed_eur_per_year"] * m.open_site[s]
                                  for s in m.SITES))


def add_site_capacity_costs(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """Building, power train and staff per MW of IT (needs ``it_mw`` from the fleet)."""
    sites = inp.sites
    add_cost(m, "building", sum(sites.at[s, "building_eur_per_mw_year"] * m.it_mw[s]
                                for s in m.SITES))
    add_capex(m, "building", sum(sites.at[s, "building_capex_eur_per_mw"] * m.it_mw[s]
                                 for s in m.SITES))
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
