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

    _add_spread_demand(m, "INF", "inference", inp.inference_demand, inp.inference_rate,
                       "output tokens/s")
    _add_spread_demand(m, "HPC", "hpc", inp.hpc_demand, inp.hpc_rate, "PFLOP/s")

    def nodes_min(m, s, g):
        training = sum(float(runs.at[(r, g2)]) * m.run_at[(r, s2, g2)]
                       for (r, s2, g2) in m.RUN_OPTIONS if s2 == s and g2 == g)
        serving = sum(m.inference_nodes[o] for o in m.INF_OPTIONS if o[1] == s and o[2] == g)
        science = sum(m.hpc_nodes[o] for o in m.HPC_OPTIONS if o[1] == s and o[2] == g)
        return m.nodes[s, g] >= training + serving + science
    m.nodes_min = pyo.Constraint(m.SITES, m.ACCELERATORS, rule=nodes_min,
                                 doc="nodes cover training, inference and HPC")


def _add_spread_demand(m: pyo.ConcreteModel, set_name: str, kind: str, demand, rate,
                       unit: str) -> None:
    """``{kind}_nodes[w, s, g] >= 0`` and ``{kind}_min[w]``: rate x nodes covers the demand."""
    demands = pyo.Set(initialize=list(demand.index), ordered=True)
    m.add_component(set_name, demands)
    options = pyo.Set(dimen=3, ordered=True, initialize=[
        (w, s, g) for (w, g) in rate.index for s in m.SITES])
    m.add_component(f"{set_name}_OPTIONS", options)
    nodes = pyo.Var(options, within=pyo.NonNegativeReals,
                    doc=f"nodes serving {kind} demand w at site s on g")
    m.add_component(f"{kind}_nodes", nodes)
    short = slack(m, f"{kind}_short", demands, unit, f"{kind} demand not served")

    def served_min(m, w):
        served = sum(rate.at[(w, g)] * nodes[(w, s, g)] for (w2, s, g) in options if w2 == w)
        return served + (short[w] if short is not None else 0) >= float(demand[w])
    m.add_component(f"{kind}_min", pyo.Constraint(demands, rule=served_min,
                                                  doc=f"{kind} demand served"))
