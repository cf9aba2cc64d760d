"""Compute fleet: integer nodes per site and accelerator type, their IT load and cost.

Nodes draw their load power every hour (the fleet is provisioned for all workloads at
once). What the nodes must cover is added by :mod:`models.workloads`.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from models._shared import add_capex, add_cost
from models.inputs import ModelInputs


def max_nodes(inp: ModelInputs, site: str, accelerator: str) -> int:
    """Upper bound on nodes at a site: its largest grid connection at PUE 1."""
    kw = inp.accelerators.at[accelerator, "node_it_kw"]
    return int(math.floor(inp.sites.at[site, "grid_mw_max"] * 1000.0 / kw))


def add_fleet(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """``ACCELERATORS``, ``nodes[s, g]``, ``nodes_open``, ``it_mw[s]``, node costs."""
    acc = inp.accelerators
    m.ACCELERATORS = pyo.Set(initialize=list(acc.index), ordered=True, doc="accelerator types")
    m.nodes = pyo.Var(m.SITES, m.ACCELERATORS, within=pyo.NonNegativeIntegers,
                      bounds=lambda m, s, g: (0, max_nodes(inp, s, g)), doc="nodes deployed")
    m.nodes_open = pyo.Constraint(m.SITES, m.ACCELERATORS, rule=lambda m, s, g: (
        m.nodes[s, g] <= max_nodes(inp, s, g) * m.open_site[s]), doc="nodes only at open sites")
    m.it_mw = pyo.Expression(m.SITES, rule=lambda m, s: sum(
        acc.at[g, "node_it_kw"] / 1000.0 * m.nodes[s, g] for g in m.ACCELERATORS),
        doc="IT load [MW]")
    factor = m.accelerator_price_factor
    add_cost(m, "compute_nodes", {s: factor * sum(acc.at[g, "node_eur_per_year"] * m.nodes[s, g]
                                                  for g in m.ACCELERATORS) for s in m.SITES})
    add_capex(m, "compute_nodes", {s: factor * sum(acc.at[g, "node_capex_eur"] * m.nodes[s, g]
                                                   for g in m.ACCELERATORS) for s in m.SITES})
