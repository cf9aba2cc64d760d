"""Compute fleet: integer nodes per site and accelerator type, their nameplate IT and cost.

``it_mw[s]`` is the nameplate IT load (every GPU at full activity): the building,
cooling and grid connection are sized on it. What the nodes draw hour by hour depends
on what they do (:mod:`models.workloads`).
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from models._shared import add_capex, add_cost
from models.inputs import ModelInputs
from models.sites import site_capacity_mw


def elastic_demand_mw(inp: ModelInputs) -> float:
    """Facility power the workloads and targets could need at most [MW] (elastic bound).

    Sum over demands of the largest IT they could need on any allowed accelerator,
    times the largest PUE.
    """
    kw = inp.accelerators["node_it_kw"]
    it = 0.0
    if len(inp.training):
        per = inp.training["nodes"] * kw.reindex(inp.training.index.get_level_values(1)).to_numpy()
        it += float(per.groupby(level=0).max().sum()) / 1e3
    for table, demand in ((inp.inference, inp.inference_demand), (inp.hpc, inp.hpc_demand)):
        if len(table):
            need = demand.reindex(table.index.get_level_values(0)).to_numpy() / table[
                "rate_per_node"] * kw.reindex(table.index.get_level_values(1)).to_numpy()
            it += float(need.groupby(level=0).max().sum()) / 1e3
    for target, row in inp.targets.iterrows():
        coef = inp.target_coef.xs(target, level="target") if len(inp.target_coef) else None
        if coef is None or not len(coef):
            continue
        per_node = coef.groupby(level="accelerator").max()
        mw = (row["value"] / per_node * kw.reindex(per_node.index)).max() / 1e3
        it += float(mw)
    return it * float(inp.pue.max()) + 1.0


def max_nodes(cap_mw: float, node_kw: float) -> int:
    """Upper bound on nodes at a site: what its capacity holds at PUE 1."""
    return int(math.floor(cap_mw * 1000.0 / node_kw))


def add_fleet(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """``ACCELERATORS``, ``nodes[s, g]``, ``nodes_open``, ``it_mw[s]``, node costs."""
    acc = inp.accelerators
    m.ACCELERATORS = pyo.Set(initialize=list(acc.index), ordered=True, doc="accelerator types")
    kw = acc["node_it_kw"].astype(float).to_dict()
    cap = site_capacity_mw(m, inp)
    m.node_cap = {(s, g): max_nodes(cap[s], kw[g]) for s in m.SITES for g in m.ACCELERATORS}
    m.nodes = pyo.Var(m.SITES, m.ACCELERATORS, within=pyo.NonNegativeIntegers,
                      bounds=lambda m, s, g: (0, m.node_cap[s, g]), doc="nodes deployed")
    m.nodes_open = pyo.Constraint(m.SITES, m.ACCELERATORS, rule=lambda m, s, g: (
        m.nodes[s, g] <= m.node_cap[s, g] * m.open_site[s]), doc="nodes only at open sites")
    m.it_mw = pyo.Expression(m.SITES, rule=lambda m, s: sum(
        kw[g] / 1000.0 * m.nodes[s, g] for g in m.ACCELERATORS),
        doc="nameplate IT load [MW]")
    idle = acc["node_idle_kw"].astype(float).to_dict()
    m.idle_mw = pyo.Expression(m.SITES, rule=lambda m, s: sum(
        idle[g] / 1000.0 * m.nodes[s, g] for g in m.ACCELERATORS), doc="IT load when idle [MW]")
    annual = acc["node_eur_per_year"].astype(float).to_dict()
    capex = acc["node_capex_eur"].astype(float).to_dict()
    factor = m.accelerator_price_factor
    add_cost(m, "compute_nodes", {s: factor * sum(annual[g] * m.nodes[s, g]
                                                  for g in m.ACCELERATORS) for s in m.SITES})
    add_capex(m, "compute_nodes", {s: factor * sum(capex[g] * m.nodes[s, g]
                                                   for g in m.ACCELERATORS) for s in m.SITES})
