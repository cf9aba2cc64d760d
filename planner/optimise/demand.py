"""What the fleet must deliver: workloads through the roofline core, and capacity targets.

A training run's node count is the core's fewest GPUs for its deadline; its busy power
per node is the core's GPU power at the run's busy fraction plus the node overhead.
Inference and HPC rates per node are the core's sustained rates. A run's window sets
which periods it is active in (``run_activity``) and which runs overlap
(``run_segments``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.catalogue import Catalogue
from planner.errors import GigaplanError, ScenarioError
from planner.optimise.periods import Periods, window_activity
from planner.roofline import api as roofline
from planner.roofline.hardware import accelerator, roofline_parameters
from planner.roofline.power import node_power_w
from planner.scenario import Scenario
from planner.scenario.schema import DAYS_PER_YEAR


@dataclass(frozen=True)
class Demand:
    """Model inputs for the workloads and targets, and the per-option table the plan reports."""

    training: pd.DataFrame
    inference: pd.DataFrame
    hpc: pd.DataFrame
    options: pd.DataFrame


def _frame(rows: dict, names: list[str], columns: list[str]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=columns, index=pd.MultiIndex.from_tuples([], names=names),
                            dtype=float)
    frame = pd.DataFrame.from_dict(rows, orient="index")[columns].astype(float)
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=names)
    return frame


def workloads(scenario: Scenario, catalogue: Catalogue, accels: pd.DataFrame) -> Demand:
    """Roofline estimates of every (workload, accelerator) pair; infeasible pairs explained."""
    p = roofline_parameters(catalogue)
    options, training, inference, hpc = [], {}, {}, {}
    for run in scenario.workloads.training:
        for acc_id in accels.index:
            entry = {"workload": run.id, "kind": "training", "accelerator": acc_id}
            try:
                est = roofline.estimate_training_run(
                    catalogue, acc_id, run.tokens_t * 1e12, model_id=run.model,
                    params=run.params_b * 1e9 if run.params_b else None,
                    active_params=run.active_params_b * 1e9 if run.active_params_b else None,
                    deadline_days=run.deadline_days, seq_len=run.seq_len or 8192,
                    precision=run.precision.value)
            except GigaplanError as exc:
                entry.update(feasible=False, reason=exc.problems[0].message)
            else:
                per_node = accels.at[acc_id, "gpus_per_node"]
                nodes = math.ceil(est.gpus / per_node)
                busy_kw = node_power_w(accelerator(catalogue, acc_id), est.gpu_power_w, p) / 1e3
                training[(run.id, acc_id)] = {
                    "nodes": float(nodes), "busy_kw": busy_kw,
                    "duty_frac": min(1.0, est.wall_days / run.deadline_days),
                    "window_frac": run.deadline_days / DAYS_PER_YEAR}
                entry.update(feasible=True, gpus=est.gpus, nodes=nodes, wall_days=est.wall_days,
                             start_day=run.start_day, end_day=run.end_day, mfu=est.mfu,
                             tflops_per_gpu=est.tflops_per_gpu,
                             tokens_per_s_per_gpu=est.tokens_per_s_per_gpu,
                             busy_kw_per_node=busy_kw, layout=str(est.layout.as_dict()))
            options.append(entry)
    for demand in scenario.workloads.inference:
        for acc_id in accels.index:
            entry = {"workload": demand.id, "kind": "inference", "accelerator": acc_id}
            try:
                est = roofline.estimate_inference(
                    catalogue, acc_id, demand.model, demand.prompt_tokens, demand.output_tokens,
                    demand.ttft_s, demand.tpot_ms, demand.precision.value)
            except GigaplanError as exc:
                entry.update(feasible=False, reason=exc.problems[0].message)
            else:
                rate = est.tokens_per_s_per_gpu * accels.at[acc_id, "gpus_per_node"]
                busy_kw = node_power_w(accelerator(catalogue, acc_id), est.gpu_power_w, p) / 1e3
                inference[(demand.id, acc_id)] = {"rate_per_node": rate, "busy_kw": busy_kw}
                entry.update(feasible=True, tokens_per_s_per_gpu=est.tokens_per_s_per_gpu,
                             rate_per_node=rate, busy_kw_per_node=busy_kw)
            options.append(entry)
    for demand in scenario.workloads.hpc:
        for acc_id in accels.index:
            entry = {"workload": demand.id, "kind": "hpc", "accelerator": acc_id}
            try:
                est = roofline.estimate_hpc(catalogue, demand.kernel, acc_id, 1)
            except GigaplanError as exc:
                entry.update(feasible=False, reason=exc.problems[0].message)
            else:
                rate = est.tflops_per_gpu * accels.at[acc_id, "gpus_per_node"] / 1e3
                busy_kw = float(accels.at[acc_id, "node_it_kw"])  # kernels run at full activity
                hpc[(demand.id, acc_id)] = {"rate_per_node": rate, "busy_kw": busy_kw}
                entry.update(feasible=True, tflops_per_gpu=est.tflops_per_gpu,
                             rate_per_node=rate, busy_kw_per_node=busy_kw)
            options.append(entry)
    table = pd.DataFrame(options)
    for wid in table["workload"].unique() if len(table) else []:
        rows = table[table["workload"] == wid]
        if not rows["feasible"].any():
            reasons = "; ".join(f"{r.accelerator}: {r.reason}" for r in rows.itertuples())
            raise ScenarioError.single(f"workload '{wid}' is possible on none of the allowed "
                                       f"accelerators ({reasons})", field="accelerators")
    serving = ["rate_per_node", "busy_kw"]
    return Demand(
        training=_frame(training, ["run", "accelerator"],
                        ["nodes", "busy_kw", "duty_frac", "window_frac"]),
        inference=_frame(inference, ["demand", "accelerator"], serving),
        hpc=_frame(hpc, ["demand", "accelerator"], serving), options=table)


def run_activity(scenario: Scenario, periods: Periods) -> pd.Series:
    """Share of each period's days inside each run's window, index (run, period)."""
    groups = sorted(periods.table["group"].unique())
    parts = {}
    for run in scenario.workloads.training:
        parts[run.id] = window_activity(periods, groups, run.start_day, run.end_day)
    if not parts:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=["run", "period"]))
    series = pd.concat(parts, names=["run", "period"])
    return series


def run_segments(scenario: Scenario) -> pd.DataFrame:
    """Runs whose windows overlap, per segment of the year (dominated segments dropped).

    The year is cut at every window's start and end; a segment's runs are those whose
    window covers it. A segment whose runs are a subset of another's needs no
    constraint of its own (the larger set needs at least as many nodes).
    """
    runs = scenario.workloads.training
    cuts = sorted({0.0, DAYS_PER_YEAR} | {r.start_day for r in runs} | {r.end_day for r in runs})
    sets = []
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        middle = (a + b) / 2.0
        active = frozenset(r.id for r in runs if r.start_day <= middle < r.end_day)
        if active and active not in sets:
            sets.append(active)
    kept = [s for s in sets if not any(s < other for other in sets)]
    rows = [(k, r) for k, s in enumerate(kept) for r in sorted(s)]
    index = pd.MultiIndex.from_tuples(rows, names=["segment", "run"]) if rows else \
        pd.MultiIndex.from_tuples([], names=["segment", "run"])
    return pd.DataFrame(index=index)


def day_segments(scenario: Scenario) -> np.ndarray:
    """One id per calendar day: days share an id when the same training windows are open.

    Representative days never mix days of different ids, so on every typical day a
    run's window is either open or closed (a day a window opens or closes mid-way is
    labelled by its midpoint).
    """
    runs = scenario.workloads.training
    ids: dict[frozenset, int] = {}
    out = np.zeros(int(DAYS_PER_YEAR), dtype=int)
    for d in range(int(DAYS_PER_YEAR)):
        active = frozenset(r.id for r in runs if r.start_day <= d + 0.5 < r.end_day)
        out[d] = ids.setdefault(active, len(ids))
    return out


PRECISION_COLUMN = {"fp64": "fp64_tflops", "bf16": "bf16_tflops", "fp8": "fp8_tflops",
                    "fp4": "fp4_tflops"}


def targets(scenario: Scenario, catalogue: Catalogue, sites: pd.DataFrame,
            accels: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Capacity targets: (targets, what one node contributes, spare utilisation).

    A node contributes its GPUs (``gpus``), its dense peak at the precision
    (``pflops``: GPUs x catalogue TFLOP/s / 1000) or its nameplate IT (``it_mw``).
    """
    frame, coef, util = {}, {}, {}
    for i, target in enumerate(scenario.targets):
        field = f"targets[{i}]"
        scope = list(sites.index)
        if target.site is not None:
            if target.site not in sites.index:
                raise ScenarioError.single(f"target '{target.id}' names site '{target.site}', "
                                           "which is not a candidate of this scenario",
                                           field=f"{field}.site")
            scope = [target.site]
        elif target.country is not None:
            scope = [s for s in sites.index if sites.at[s, "country"] == target.country]
            if not scope:
                raise ScenarioError.single(f"target '{target.id}' names {target.country}, which "
                                           "has no candidate site in this scenario",
                                           field=f"{field}.country")
        accs = [target.accelerator] if target.accelerator else list(accels.index)
        per_node = {}
        for g in accs:
            gpus = float(accels.at[g, "gpus_per_node"])
            if target.quantity == "gpus":
                per_node[g] = gpus
            elif target.quantity == "it_mw":
                per_node[g] = float(accels.at[g, "node_it_kw"]) / 1e3
            else:
                column = PRECISION_COLUMN.get(target.precision.value)
                tflops = catalogue.accelerators.at[g, column] if column else float("nan")
                if pd.notna(tflops) and tflops > 0:
                    per_node[g] = gpus * float(tflops) / 1e3
        if not per_node:
            raise ScenarioError.single(f"target '{target.id}': none of its accelerators has a "
                                       f"{target.precision.value} peak in the catalogue",
                                       field=f"{field}.precision")
        frame[target.id] = {"value": target.value, "unit": target.quantity}
        for s in scope:
            for g, c in per_node.items():
                coef[(target.id, s, g)] = c
                util[(s, g)] = max(util.get((s, g), 0.0), target.utilisation_frac)
    table = pd.DataFrame.from_dict(frame, orient="index", columns=["value", "unit"])
    table.index.name = "target"
    coef_s = pd.Series(coef, dtype=float)
    util_s = pd.Series(util, dtype=float)
    if len(coef_s):
        coef_s.index.names = ["target", "site", "accelerator"]
        util_s.index.names = ["site", "accelerator"]
    return table, coef_s, util_s
