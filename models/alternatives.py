"""Modelling to generate alternatives: plans within a cost slack that differ in siting.

After the least-cost solve, :func:`add_cost_cap` bounds the cost at the optimum times
``1 + slack``; :func:`set_direction` then replaces the objective by a weighted sum of the
load each site serves (``served_mw``): weights 1 on one member state's sites and 0
elsewhere minimise that state's share, -1 maximise it, random weights explore other
directions (Brill et al. 1982; DeCarolis 2011; PyPSA's MGA, Calliope's SPORES).
:func:`restore_cost_objective` puts the least-cost objective back. Served load, not
nameplate, is the direction, so no direction can gain by buying idle hardware.
"""

from __future__ import annotations

import pyomo.environ as pyo


def add_cost_cap(m: pyo.ConcreteModel, limit_eur_per_year: float, served_limit_mw: float
                 ) -> None:
    """``tco + penalty <= limit`` and total served load ``<= served_limit_mw``.

    The second keeps an alternative doing the optimum's work elsewhere, rather than
    spending the slack on more work where a direction rewards it. Both limits are mutable
    ``Param``s, re-set on every use.
    """
    if hasattr(m, "mga_cost_limit"):
        m.mga_cost_limit.set_value(float(limit_eur_per_year))
        m.mga_served_limit.set_value(float(served_limit_mw))
        m.mga_cost_cap.activate()
        m.mga_served_cap.activate()
        return
    m.mga_cost_limit = pyo.Param(initialize=float(limit_eur_per_year), mutable=True,
                                 within=pyo.Reals, doc="cost cap of the alternatives [EUR/yr]")
    m.mga_served_limit = pyo.Param(initialize=float(served_limit_mw), mutable=True,
                                   within=pyo.Reals, doc="served load cap [MW]")
    m.mga_cost_cap = pyo.Constraint(expr=m.tco_eur_per_year + m.penalty <= m.mga_cost_limit,
                                    doc="alternatives stay within the cost slack")
    m.mga_served_cap = pyo.Constraint(expr=sum(m.served_mw[s] for s in m.SITES)
                                      <= m.mga_served_limit, doc="the optimum's work, not more")


def set_direction(m: pyo.ConcreteModel, weights: dict[str, float]) -> None:
    """Minimise ``sum(weights[s] * served_mw[s])`` instead of the cost."""
    if hasattr(m, "mga_objective"):
        m.del_component(m.mga_objective)
    m.objective.deactivate()
    m.mga_objective = pyo.Objective(expr=sum(float(w) * m.served_mw[s]
                                             for s, w in weights.items() if w), sense=pyo.minimize)


def keep_direction(m: pyo.ConcreteModel, weights: dict[str, float], value: float,
                   tolerance: float = 1e-6) -> None:
    """Second stage: least cost keeping the direction at ``value`` (no slack wasted)."""
    if hasattr(m, "mga_kept"):
        m.del_component(m.mga_kept)
    m.mga_kept = pyo.Constraint(expr=sum(float(w) * m.served_mw[s] for s, w in weights.items()
                                         if w) <= value + tolerance * max(1.0, abs(value)))
    if hasattr(m, "mga_objective"):
        m.del_component(m.mga_objective)
    m.objective.activate()


def restore_cost_objective(m: pyo.ConcreteModel) -> None:
    """Back to the least-cost model: no direction, no kept value, no cost cap."""
    for name in ("mga_objective", "mga_kept"):
        if hasattr(m, name):
            m.del_component(getattr(m, name))
    if hasattr(m, "mga_cost_cap"):
        m.mga_cost_cap.deactivate()
        m.mga_served_cap.deactivate()
    m.objective.activate()
