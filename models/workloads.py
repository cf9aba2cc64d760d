"""Workloads: training runs in their windows, inference and HPC spread, capacity targets.

A training run needs one high-bandwidth fabric, so it is placed whole
(``run_at[r, s, g]``) with the node count the roofline core gives for its deadline on
``g``. Its nodes are reserved for its window; runs whose windows do not overlap share
nodes, so a site's fleet covers, in every segment of the year, the runs active then plus
inference and HPC (``nodes_min[s, g, k]``). Inference (output tokens/s) and HPC
(PFLOP/s) are served all year by continuous node allocations at the core's rates.

Power follows what nodes do: every node draws its *spare* power (idle, or a capacity
target's utilisation), inference and HPC nodes their busy power, and a training run adds
``(busy - spare) x duty`` per node over its window (its energy spread over the window).
``it_base_mw[s]`` is the part that does not change over the year and
``run_it_mw[r, s]`` a run's addition while its window is open.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models._shared import slack
from models.inputs import ModelInputs


def add_workloads(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """``run_at``, ``inference_nodes``, ``hpc_nodes``, ``nodes_min``, power and served load."""
    _add_runs(m, inp)
    _add_spread_demand(m, "INF", "inference", inp.inference_demand, inp.inference,
                       "output tokens/s")
    _add_spread_demand(m, "HPC", "hpc", inp.hpc_demand, inp.hpc, "PFLOP/s")
    _add_nodes_min(m, inp)
    _add_targets(m, inp)
    _add_power(m, inp)


def _add_runs(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    runs = inp.training
    m.run_nodes = runs["nodes"].astype(float).to_dict()
    m.RUNS = pyo.Set(initialize=sorted(set(runs.index.get_level_values(0))), ordered=True)
    m.RUN_OPTIONS = pyo.Set(dimen=3, ordered=True, initialize=[
        (r, s, g) for (r, g) in runs.index for s in m.SITES
        if m.run_nodes[(r, g)] <= m.node_cap[s, g]], doc="(run, site, accelerator) that fit")
    m.run_at = pyo.Var(m.RUN_OPTIONS, within=pyo.Binary, doc="run r trains at site s on g")
    unplaced = slack(m, "training_unplaced", m.RUNS, "runs", "training run not placed")
    options_of = {r: [] for r in m.RUNS}
    at_site: dict[tuple, list] = {}  # (run, site) -> its options there
    for o in m.RUN_OPTIONS:
        options_of[o[0]].append(o)
        at_site.setdefault(o[:2], []).append(o)

    def run_placed(m, r):
        if not options_of[r] and unplaced is None:
            return pyo.Constraint.Infeasible  # no site can host it: explained by the re-solve
        return sum(m.run_at[o] for o in options_of[r]) + (
            unplaced[r] if unplaced is not None else 0) == 1
    m.run_placed = pyo.Constraint(m.RUNS, rule=run_placed, doc="each run on exactly one site")
    m.run_site_open = pyo.Constraint(list(at_site), rule=lambda m, r, s: (
        sum(m.run_at[o] for o in at_site[(r, s)]) <= m.open_site[s]),
        doc="a run trains only at an open site")


def _add_spread_demand(m: pyo.ConcreteModel, set_name: str, kind: str, demand, table,
                       unit: str) -> None:
    """``{kind}_nodes[w, s, g] >= 0`` and ``{kind}_min[w]``: rate x nodes covers the demand."""
    m.add_component(set_name, pyo.Set(initialize=list(demand.index), ordered=True))
    demands = getattr(m, set_name)
    rate = table["rate_per_node"].astype(float).to_dict() if len(table) else {}
    options = pyo.Set(dimen=3, ordered=True, initialize=[
        (w, s, g) for (w, g) in rate for s in m.SITES])
    m.add_component(f"{set_name}_OPTIONS", options)
    nodes = pyo.Var(options, within=pyo.NonNegativeReals,
                    doc=f"nodes serving {kind} demand w at site s on g")
    m.add_component(f"{kind}_nodes", nodes)
    short = slack(m, f"{kind}_short", demands, unit, f"{kind} demand not served")
    by_demand = {w: [] for w in demands}
    for o in options:
        by_demand[o[0]].append(o)
    wanted = demand.astype(float).to_dict()

    def served_min(m, w):
        served = sum(rate[(w, g)] * nodes[(w, s, g)] for (_, s, g) in by_demand[w])
        return served + (short[w] if short is not None else 0) >= wanted[w]
    m.add_component(f"{kind}_min", pyo.Constraint(demands, rule=served_min,
                                                  doc=f"{kind} demand served"))


def _by_site_accel(m, options):
    grouped = {(s, g): [] for s in m.SITES for g in m.ACCELERATORS}
    for o in options:
        grouped[(o[1], o[2])].append(o)
    return grouped


def _add_nodes_min(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    segments = inp.run_segments
    members: dict = {}
    for (k, r) in segments.index:
        members.setdefault(k, []).append(r)
    if not members:
        members = {0: []}
    m.SEGMENTS = pyo.Set(initialize=sorted(members), ordered=True,
                         doc="segments of the year with a distinct set of overlapping runs")
    runs_at = _by_site_accel(m, m.RUN_OPTIONS)
    inf_at = _by_site_accel(m, m.INF_OPTIONS)
    hpc_at = _by_site_accel(m, m.HPC_OPTIONS)
    m.serving_nodes = pyo.Expression(m.SITES, m.ACCELERATORS, rule=lambda m, s, g: (
        sum(m.inference_nodes[o] for o in inf_at[(s, g)])
        + sum(m.hpc_nodes[o] for o in hpc_at[(s, g)])), doc="nodes serving all year")

    def nodes_min(m, s, g, k):
        active = set(members[k])
        training = sum(m.run_nodes[(r, g)] * m.run_at[(r, s2, g2)]
                       for (r, s2, g2) in runs_at[(s, g)] if r in active)
        return m.nodes[s, g] >= training + m.serving_nodes[s, g]
    m.nodes_min = pyo.Constraint(m.SITES, m.ACCELERATORS, m.SEGMENTS, rule=nodes_min,
                                 doc="nodes cover the runs of each segment, inference and HPC")


def _add_targets(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    targets = inp.targets
    m.TARGETS = pyo.Set(initialize=list(targets.index), ordered=True, doc="capacity targets")
    if not len(targets):
        return
    coef = inp.target_coef.astype(float).to_dict()
    terms = {t: [] for t in targets.index}
    for (t, s, g), c in coef.items():
        terms[t].append((c, s, g))
    short = slack(m, "target_short", m.TARGETS, "target units", "capacity target missed")
    value = targets["value"].astype(float).to_dict()
    m.target_min = pyo.Constraint(m.TARGETS, rule=lambda m, t: (
        sum(c * m.nodes[s, g] for (c, s, g) in terms[t])
        + (short[t] if short is not None else 0) >= value[t]), doc="fleet at least the target")


def _add_power(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    acc = inp.accelerators
    full = acc["node_it_kw"].astype(float).to_dict()
    idle = acc["node_idle_kw"].astype(float).to_dict()
    util = inp.spare_utilisation.astype(float).to_dict() if len(inp.spare_utilisation) else {}
    spare = {(s, g): idle[g] + util.get((s, g), 0.0) * (full[g] - idle[g])
             for s in m.SITES for g in m.ACCELERATORS}
    inf_kw = inp.inference["busy_kw"].astype(float).to_dict() if len(inp.inference) else {}
    hpc_kw = inp.hpc["busy_kw"].astype(float).to_dict() if len(inp.hpc) else {}
    runs = inp.training
    train_kw = runs["busy_kw"].astype(float).to_dict()
    duty = runs["duty_frac"].astype(float).to_dict()
    window = runs["window_frac"].astype(float).to_dict()
    by_site = {s: {"inf": [], "hpc": [], "run": {}} for s in m.SITES}
    for o in m.INF_OPTIONS:
        by_site[o[1]]["inf"].append(o)
    for o in m.HPC_OPTIONS:
        by_site[o[1]]["hpc"].append(o)
    for (r, s, g) in m.RUN_OPTIONS:
        by_site[s]["run"].setdefault(r, []).append(g)
    m.RUN_SITES = pyo.Set(dimen=2, ordered=True, initialize=sorted(
        {(r, s) for (r, s, _) in m.RUN_OPTIONS}), doc="(run, site) a run may use")

    m.it_base_mw = pyo.Expression(m.SITES, rule=lambda m, s: (
        sum(spare[(s, g)] / 1e3 * m.nodes[s, g] for g in m.ACCELERATORS)
        + sum((inf_kw[(w, g)] - spare[(s, g)]) / 1e3 * m.inference_nodes[(w, s, g)]
              for (w, _, g) in by_site[s]["inf"])
        + sum((hpc_kw[(w, g)] - spare[(s, g)]) / 1e3 * m.hpc_nodes[(w, s, g)]
              for (w, _, g) in by_site[s]["hpc"])),
        doc="IT load that does not change over the year [MW]")
    m.run_it_mw = pyo.Expression(m.RUN_SITES, rule=lambda m, r, s: sum(
        (train_kw[(r, g)] - spare[(s, g)]) * duty[(r, g)] * m.run_nodes[(r, g)] / 1e3
        * m.run_at[(r, s, g)] for g in by_site[s]["run"][r]),
        doc="IT load a run adds while its window is open (energy spread over it) [MW]")
    window_of = {r: max(window[(r2, g)] for (r2, g) in window if r2 == r) for r in m.RUNS}
    m.served_mw = pyo.Expression(m.SITES, rule=lambda m, s: (
        m.it_base_mw[s] - m.idle_mw[s]
        + sum(window_of[r] * m.run_it_mw[r, s] for r in by_site[s]["run"])),
        doc="served IT load: average IT power above idle [MW]")
