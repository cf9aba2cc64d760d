"""Compute fleet: nodes per site and accelerator, placement of training runs, serving.

Each training run goes to one site and one accelerator type (a run needs one
high-bandwidth fabric) with the nodes the roofline core says meet its deadline;
inference and HPC demand are spread over sites in proportion to per-node rates.
The fleet is provisioned for all runs at once and draws its load power every hour.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from models._shared import add_capex, add_cost, slack
from models.inputs import ModelInputs


def max_nodes(inp: ModelInputs, site: str, accelerator: str) -> int:
    """Upper bound on nodes at a site: its largest grid connection at PUE 1."""
    kw = inp.accelerators.at[accelerator, "node_it_kw"]
    return int(math.floor(inp.sites.at[site, "grid_mw_max"] * 1000.0 / kw))


def add_fleet(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """``nodes[s, g]``, ``run_at[r, s, g]``, serving allocations, ``it_mw[s]``."""
    acc = inp.accelerators
    m.ACCELERATORS = pyo.Set(initialize=list(acc.index), ordered=True, doc="accelerator types")
    m.nodes = pyo.Var(m.SITES, m.ACCELERATORS, within=pyo.NonNegativeIntegers,
                      bounds=lambda m, s, g: (0, max_nodes(inp, s, g)), doc="nodes deployed")

    runs = inp.training_nodes
    m.RUNS = pyo.Set(initialize=sorted(set(runs.index.get_level_values(0))), ordered=True)
    m.RUN_OPTIONS = pyo.Set(dimen=3, ordered=True, initialize=[
        (r, s, g) for (r, g) in runs.index for s in m.SITES
        if runs.at[(r, g)] <= max_nodes(inp, s, g)], doc="(run, site, accelerator) that fit")
    m.run_at = pyo.Var(m.RUN_OPTIONS, within=pyo.Binary, doc="run r trains at site s on g")
    unplaced = slack(m, "training_unplaced", m.RUNS, "runs", "training run not placed")

    def run_placed(m, r):
        options = [m.run_at[o] for o in m.RUN_OPTIONS if o[0] == r]
        if not options and unplaced is None:
            return pyo.Constraint.Infeasible  # no site can host it: explained by the re-solve
        return sum(options) + (unplaced[r] if unplaced is not None else 0) == 1
    m.run_placed = pyo.Constraint(m.RUNS, rule=run_placed, doc="each run on exactly one site")

    m.INF = pyo.Set(initialize=list(inp.inference_demand.index), ordered=True)
    m.INF_OPTIONS = pyo.Set(dimen=3, ordered=True, initialize=[
        (i, s, g) for (i, g) in inp.inference_rate.index for s in m.SITES])
    m.inference_nodes = pyo.Var(m.INF_OPTIONS, within=pyo.NonNegativeReals,
                                doc="nodes serving demand i at site s on g")
    inf_short = slack(m, "inference_short", m.INF, "output tokens/s", "inference not served")

    def inference_min(m, i):
        served = sum(inp.inference_rate.at[(i, g)] * m.inference_nodes[(i, s, g)]
                     for (i2, s, g) in m.INF_OPTIONS if i2 == i)
        return served + (inf_short[i] if inf_short is not None else 0) >= float(
            inp.inference_demand[i])
    m.inference_min = pyo.Constraint(m.INF, rule=inference_min, doc="inference demand served")

    m.HPC = pyo.Set(initialize=list(inp.hpc_demand.index), ordered=True)
    m.HPC_OPTIONS = pyo.Set(dimen=3, ordered=True, initialize=[
        (k, s, g) for (k, g) in inp.hpc_rate.index for s in m.SITES])
    m.hpc_nodes = pyo.Var(m.HPC_OPTIONS, within=pyo.NonNegativeReals,
                          doc="nodes running HPC demand k at site s on g")
    hpc_short = slack(m, "hpc_short", m.HPC, "PFLOP/s", "HPC demand not served")

    def hpc_min(m, k):
        served = sum(inp.hpc_rate.at[(k, g)] * m.hpc_nodes[(k, s, g)]
                     for (k2, s, g) in m.HPC_OPTIONS if k2 == k)
        return served + (hpc_short[k] if hpc_short is not None else 0) >= float(inp.hpc_demand[k])
    m.hpc_min = pyo.Constraint(m.HPC, rule=hpc_min, doc="HPC demand served")

    def nodes_min(m, s, g):
        training = sum(float(runs.at[(r, g2)]) * m.run_at[(r, s2, g2)]
                       for (r, s2, g2) in m.RUN_OPTIONS if s2 == s and g2 == g)
        serving = sum(m.inference_nodes[o] for o in m.INF_OPTIONS if o[1] == s and o[2] == g)
        science = sum(m.hpc_nodes[o] for o in m.HPC_OPTIONS if o[1] == s and o[2] == g)
        return m.nodes[s, g] >= training + serving + science
    m.nodes_min = pyo.Constraint(m.SITES, m.ACCELERATORS, rule=nodes_min,
                                 doc="nodes cover training, inference and HPC")

    def nodes_open(m, s, g):
        return m.nodes[s, g] <= max_nodes(inp, s, g) * m.open_site[s]
    m.nodes_open = pyo.Constraint(m.SITES, m.ACCELERATORS, rule=nodes_open,
                                  doc="nodes only at open sites")

    m.it_mw = pyo.Expression(m.SITES, rule=lambda m, s: sum(
        acc.at[g, "node_it_kw"] / 1000.0 * m.nodes[s, g] for g in m.ACCELERATORS),
        doc="IT load [MW]")
    add_cost(m, "compute_nodes", sum(acc.at[g, "node_eur_per_year"] * m.nodes[s, g]
                                     for s in m.SITES for g in m.ACCELERATORS))
    add_capex(m, "compute_nodes", sum(acc.at[g, "node_capex_eur"] * m.nodes[s, g]
                                      for s in m.SITES for g in m.ACCELERATORS))
