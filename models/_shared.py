"""Shared containers every subsystem adds to: cost terms, capex terms and slacks."""

from __future__ import annotations

import pyomo.environ as pyo

SLACK_PENALTY = 1e7
"""Cost per unit of a relaxed requirement in the elastic re-solve [EUR/yr per unit]."""


def init_shared(m: pyo.ConcreteModel, elastic: bool) -> None:
    """Create the shared registries on a new model."""
    m.elastic = elastic
    m.cost_terms = {}  # name -> annual cost expression [EUR/yr]
    m.capex_terms = {}  # name -> overnight capex expression [EUR]
    m.slacks = {}  # name -> (Pyomo Var, unit, description)


def add_cost(m: pyo.ConcreteModel, name: str, expr) -> None:
    """Register an annual cost [EUR/yr] (negative for revenue)."""
    m.cost_terms[name] = expr


def add_capex(m: pyo.ConcreteModel, name: str, expr) -> None:
    """Register an overnight capital cost [EUR] (for the budget and KPIs)."""
    m.capex_terms[name] = expr


def slack(m: pyo.ConcreteModel, name: str, index, unit: str, description: str):
    """A non-negative slack on a requirement (elastic re-solve only), else ``None``.

    In the elastic re-solve each slack unit costs :data:`SLACK_PENALTY`, so the solver
    relaxes only what it must; the explanation reads the non-zero slacks.
    """
    if not m.elastic:
        return None
    if index is None:
        var = pyo.Var(within=pyo.NonNegativeReals, doc=description)
        m.add_component(f"slack_{name}", var)
        m.cost_terms[f"slack_{name}"] = SLACK_PENALTY * var
    else:
        var = pyo.Var(index, within=pyo.NonNegativeReals, doc=description)
        m.add_component(f"slack_{name}", var)
        m.cost_terms[f"slack_{name}"] = SLACK_PENALTY * pyo.quicksum(var[i] for i in index)
    m.slacks[name] = (var, unit, description)
    return var
