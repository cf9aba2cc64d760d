"""What a worker does: solve one batch of variants in order and write each result.

Runs in a local worker process or on a Dask worker. A batch is solved on one
:class:`~planner.optimise.solve.Resolver`, which re-uses the model between variants
of the same structure. Any failure of one variant is recorded with its reason and
the batch goes on (on a fresh model).
"""

from __future__ import annotations

import os
import socket
import time
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from planner.catalogue import Catalogue, load_catalogue
from planner.errors import GigaplanError
from planner.optimise import Plan
from planner.optimise.solve import Resolver
from planner.scenario import Scenario, scenario_hash
from planner.study.store import write_result


@lru_cache(maxsize=4)
def _catalogue(data_dir: str | None) -> Catalogue:
    return load_catalogue(data_dir)


def summarise(plan: Plan, variant: dict[str, Any]) -> dict[str, Any]:
    """The result record of one solved variant (KPIs, status, reason, where it built)."""
    result = {"variant": variant["id"], "batch": variant["batch"], "values": variant["values"],
              "pareto": variant.get("pareto"), "role": variant.get("role"),
              "status": plan.status, "reason": "",
              "gap": plan.gap, "kpis": plan.kpis, "timings": plan.meta.get("timings", {}),
              "model_reused": plan.meta.get("model_reused", False),
              "scenario_hash": plan.meta.get("scenario_hash", ""),
              "carbon_cap_t_per_year": variant["spec"]["policy"].get("carbon_cap_t_per_year"),
              "open_sites": [], "site_it_mw": {}}
    if plan.status in ("infeasible", "refused"):
        result["reason"] = "; ".join(plan.explanation) or plan.status
        if plan.status == "refused":
            result["kpis"] = {}  # not a plan: its figures must not enter a study's table
    elif plan.status == "time_limit" and not plan.has_solution:
        result["reason"] = "no feasible plan found within the time limit"
    elif plan.status == "error":
        result["reason"] = "the solver stopped with an error"
    if plan.has_solution and len(plan.sites):
        chosen = plan.sites[plan.sites["open"]]
        result["open_sites"] = list(chosen.index)
        result["site_it_mw"] = {s: float(v) for s, v in chosen["it_mw"].items()}
        if "cooling" in chosen:
            result["site_cooling"] = {s: str(v) for s, v in chosen["cooling"].items()}
        gpus = [c for c in chosen.columns if c.startswith("gpus_")]
        result["site_gpus"] = {s: {c.removeprefix("gpus_"): int(row[c]) for c in gpus
                                   if row[c] > 0} for s, row in chosen.iterrows()}
    return result


def failure(variant: dict[str, Any], reason: str) -> dict[str, Any]:
    """The result record of a variant that could not be solved."""
    return {"variant": variant["id"], "batch": variant["batch"], "values": variant["values"],
            "pareto": variant.get("pareto"), "role": variant.get("role"), "status": "error",
            "reason": reason, "gap": None,
            "kpis": {}, "timings": {}, "model_reused": False, "scenario_hash": "",
            "carbon_cap_t_per_year": variant["spec"]["policy"].get("carbon_cap_t_per_year"),
            "open_sites": [], "site_it_mw": {}}


def run_batch(task: dict[str, Any]) -> list[dict[str, Any]]:
    """Solve ``task["variants"]`` in order; write and return one result per variant.

    ``task`` holds ``folder`` (the study folder, shared with the driver), ``data_dir``
    (catalogue folder or None), ``reuse`` (bool), ``save_plans`` (bool), ``robustness``
    (bool: infeasible variants are not explained) and
    ``variants`` (dicts with ``id``, ``batch``, ``values``, ``pareto``, ``spec``).
    """
    folder = Path(task["folder"])
    catalogue = _catalogue(task.get("data_dir"))
    explain = not task.get("robustness", False)  # a draw's infeasibility is counted, not explained

    def fresh() -> Resolver:
        return Resolver(catalogue, reuse=task["reuse"], explain_infeasible=explain)

    resolver = fresh()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    out = []
    for variant in task["variants"]:
        start = time.perf_counter()
        plan = scenario = None
        try:
            scenario = Scenario.model_validate(variant["spec"])
            plan = resolver.solve(scenario)
            result = summarise(plan, variant)
        except GigaplanError as exc:
            result = failure(variant, str(exc))
            resolver = fresh()
        except Exception as exc:  # noqa: BLE001 - one variant's failure must not stop the study
            result = failure(variant, f"{type(exc).__name__}: {exc}")
            resolver = fresh()
        result["worker"] = worker
        result["wall_s"] = time.perf_counter() - start
        result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        if not result["scenario_hash"] and scenario is not None:
            result["scenario_hash"] = scenario_hash(scenario)
        if task.get("save_plans") and plan is not None and plan.has_solution:
            plan.save(folder / "plans" / variant["id"])
        write_result(folder, result)
        out.append(result)
    return out
