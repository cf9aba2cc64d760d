"""Shared containers every subsystem adds to: cost terms by site, capex terms, slacks."""

from __future__ import annotations

import pyomo.environ as pyo

SLACK_PENALTY = {
    "training_unplaced": 1e13, "hpc_short": 1e11, "inference_short": 1e7, "target_short": 1e9,
    "member_states": 1e11, "grid_excess": 1e9, "renewable_short": 1e5, "carbon_excess": 1e5,
    "water_excess": 1e3, "budget_excess": 10.0, "land_excess": 1e6,
    "country_share_excess": 1e6,
}
"""Cost per unit of each relaxed requirement in the elastic re-solve [EUR/yr per unit].

Workloads rank above physical limits, which rank above policies, so the explanation
blames the policy rather than dropping a training run to meet it."""


def init_shared(m: pyo.ConcreteModel, elastic: bool) -> None:
    """Create the shared registries on a new model."""
    m.elastic = elastic
    m.cost_terms = {}  # name -> {site: annual cost expression [EUR/yr]}
    m.capex_terms = {}  # name -> {site: overnight capex expression [EUR]}
    m.slacks = {}  # name -> (Pyomo Var, unit, description)


def add_cost(m: pyo.ConcreteModel, name: str, by_site: dict) -> None:
    """Register an annual cost by site [EUR/yr] (negative for revenue)."""
    m.cost_terms[name] = by_site


def add_capex(m: pyo.ConcreteModel, name: str, by_site: dict) -> None:
    """Register an overnight capital cost by site [EUR] (for the budget and KPIs)."""
    m.capex_terms[name] = by_site


def total(by_site: dict):
    """Sum of a by-site registry entry."""
    return sum(by_site.values())


def slack(m: pyo.ConcreteModel, name: str, index, unit: str, description: str):
    """A non-negative slack on a requirement (elastic re-solve only), else ``None``.

    In the elastic re-solve each slack unit costs its :data:`SLACK_PENALTY`, so the
    solver relaxes only what it must; the explanation reads the non-zero slacks.
    """
    if not m.elastic:
        return None
    penalty = SLACK_PENALTY[name]
    if index is None:
        var = pyo.Var(within=pyo.NonNegativeReals, doc=description)
        m.add_component(f"slack_{name}", var)
        m.slacks[name] = (var, unit, description)
        m.cost_terms[f"slack_{name}"] = {None: penalty * var}
    else:
        var = pyo.Var(index, within=pyo.NonNegativeReals, doc=description)
        m.add_component(f"slack_{name}", var)
        m.slacks[name] = (var, unit, description)
        m.cost_terms[f"slack_{name}"] = {None: penalty * pyo.quicksum(var[i] for i in index)}
    return var
