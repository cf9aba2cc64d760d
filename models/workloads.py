"""Workloads: training runs placed whole, inference and HPC spread, the nodes they need.

A training run needs one high-bandwidth fabric, so it is placed whole
(``run_at[r, s, g]``) with the node count the roofline core gives for its deadline on
``g``; inference (output tokens/s) and HPC (PFLOP/s) are served by continuous node
allocations at the core's per-node rates.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models._shared import slack
from models.fleet import max_nodes
from models.inputs import ModelInputs


def add_workloads(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """``run_at``, ``inference_nodes``, ``hpc_nodes`` and ``nodes_min[s, g]``."""
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
