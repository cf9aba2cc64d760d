"""The objective: least annual cost, most compute for a budget, or least emissions.

Most compute and least emissions are lexicographic: the first solve optimises the
primary goal alone, then :func:`minimise_cost_keeping` re-solves for the least cost
that keeps the primary value reached, so energy and every other cost are optimised
too (a tiny cost weight in one objective would sit inside the MIP gap). Least emissions
anchors a cost-carbon Pareto front (epsilon-constraint studies).
"""

from __future__ import annotations

import pyomo.environ as pyo

from models._shared import slack, total
from models.inputs import ModelInputs

KEEP_TOLERANCE = 1e-7
"""Relative slack on the kept primary value in the second solve (solver feasibility)."""


def add_objective(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """``tco_eur_per_year``, ``capex_eur``, the budget and the objective."""
    m.tco_eur_per_year = pyo.Expression(expr=sum(
        total(by_site) for name, by_site in m.cost_terms.items() if not name.startswith("slack_")),
        doc="annualised capex + opex - heat revenue [EUR/yr]")
    m.capex_eur = pyo.Expression(expr=sum(total(b) for b in m.capex_terms.values()),
                                 doc="overnight capex [EUR]")
    pflops = inp.accelerators["pflops_per_node"].astype(float).to_dict()
    m.compute_pflops = pyo.Expression(expr=sum(
        pflops[g] * m.nodes[s, g] for s in m.SITES for g in m.ACCELERATORS),
        doc="dense BF16 peak of the fleet [PFLOP/s]")
    if inp.policy.budget_eur is not None:
        over = slack(m, "budget_excess", None, "EUR", "capex above the budget")
        m.budget_max = pyo.Constraint(expr=m.capex_eur <= m.budget_eur
                                      + (over if over is not None else 0), doc="capex budget")
    m.penalty = pyo.Expression(expr=sum(
        total(by_site) for name, by_site in m.cost_terms.items() if name.startswith("slack_")))
    if inp.minimise_emissions:
        m.objective = pyo.Objective(expr=m.emissions_t + m.penalty, sense=pyo.minimize)
    elif inp.maximise_compute:
        m.objective = pyo.Objective(expr=m.compute_pflops - m.penalty, sense=pyo.maximize)
    else:
        m.objective = pyo.Objective(expr=m.tco_eur_per_year + m.penalty, sense=pyo.minimize)


def is_lexicographic(inp: ModelInputs) -> bool:
    """True when the objective needs a second, least-cost solve."""
    return inp.maximise_compute or inp.minimise_emissions


def minimise_cost_keeping(m: pyo.ConcreteModel, inp: ModelInputs, primary: float) -> None:
    """Second stage: least cost while keeping the primary objective's value ``primary``.

    Most compute keeps ``compute_pflops >= primary``; least emissions keeps
    ``emissions_t <= primary`` (each within :data:`KEEP_TOLERANCE`).
    """
    tol = KEEP_TOLERANCE * max(1.0, abs(primary))
    if inp.maximise_compute:
        m.primary_kept = pyo.Constraint(expr=m.compute_pflops >= primary - tol,
                                        doc="keep the most compute found")
    elif inp.minimise_emissions:
        m.primary_kept = pyo.Constraint(expr=m.emissions_t <= primary + tol,
                                        doc="keep the least emissions found")
    else:
        return
    m.objective.deactivate()
    m.cost_objective = pyo.Objective(expr=m.tco_eur_per_year + m.penalty, sense=pyo.minimize)


def primary_value(m: pyo.ConcreteModel, inp: ModelInputs) -> float:
    """The value of the first-stage objective in the loaded solution."""
    if inp.maximise_compute:
        return float(pyo.value(m.compute_pflops))
    return float(pyo.value(m.emissions_t))


def restore_primary(m: pyo.ConcreteModel) -> None:
    """Undo :func:`minimise_cost_keeping` so the model can be re-solved for other levers."""
    if hasattr(m, "primary_kept"):
        m.del_component(m.primary_kept)
        m.del_component(m.cost_objective)
        m.objective.activate()
