"""The objective: least annual cost, most compute for a budget, or least emissions.

Least emissions anchors a cost-carbon Pareto front (epsilon-constraint studies).
"""

from __future__ import annotations

import pyomo.environ as pyo

from models._shared import slack, total
from models.inputs import ModelInputs

COMPUTE_TIEBREAK = 1e-9
"""Cost weight in the max-compute objective so that, among equal compute, cheaper wins."""

EMISSIONS_TIEBREAK = 1e-9
"""Cost weight [tCO2/EUR] in the min-emissions objective: among equal emissions, cheaper wins
(1 bn EUR/yr counts as 1 t, well inside the MIP gap)."""


def add_objective(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """``tco_eur_per_year``, ``capex_eur``, the budget and the objective."""
    m.tco_eur_per_year = pyo.Expression(expr=sum(
        total(by_site) for name, by_site in m.cost_terms.items() if not name.startswith("slack_")),
        doc="annualised capex + opex - heat revenue [EUR/yr]")
    m.capex_eur = pyo.Expression(expr=sum(total(b) for b in m.capex_terms.values()),
                                 doc="overnight capex [EUR]")
    m.compute_pflops = pyo.Expression(expr=sum(
        float(inp.accelerators.at[g, "pflops_per_node"]) * m.nodes[s, g]
        for s in m.SITES for g in m.ACCELERATORS), doc="dense BF16 peak of the fleet [PFLOP/s]")
    if inp.policy.budget_eur is not None:
        over = slack(m, "budget_excess", None, "EUR", "capex above the budget")
        m.budget_max = pyo.Constraint(expr=m.capex_eur <= m.budget_eur
                                      + (over if over is not None else 0), doc="capex budget")
    m.penalty = pyo.Expression(expr=sum(
        total(by_site) for name, by_site in m.cost_terms.items() if name.startswith("slack_")))
    if inp.minimise_emissions:
        m.objective = pyo.Objective(expr=m.emissions_t + EMISSIONS_TIEBREAK * m.tco_eur_per_year
                                    + m.penalty, sense=pyo.minimize)
    elif inp.maximise_compute:
        m.objective = pyo.Objective(expr=m.compute_pflops - COMPUTE_TIEBREAK * m.tco_eur_per_year
                                    - m.penalty, sense=pyo.maximize)
    else:
        m.objective = pyo.Objective(expr=m.tco_eur_per_year + m.penalty, sense=pyo.minimize)
