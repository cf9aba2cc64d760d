"""A scenario's summary in the user's terms: workloads, candidate sites, options, policy."""

from __future__ import annotations

from typing import Any

import pandas as pd

from planner.catalogue import Catalogue
from planner.scenario.crosscheck import candidate_sites
from planner.scenario.load import scenario_hash
from planner.scenario.schema import Scenario


def training_flop(active_params: float, tokens: float) -> float:
    """Training compute [FLOP] of a transformer: ``6 * N_active * T``.

    References
    ----------
    Kaplan et al. (2020), Scaling Laws for Neural Language Models, arXiv:2001.08361, §2.1;
    Hoffmann et al. (2022), Training Compute-Optimal Large Language Models, arXiv:2203.15556.
    """
    return 6.0 * active_params * tokens


def workloads_frame(scenario: Scenario, catalogue: Catalogue) -> pd.DataFrame:
    """One row per workload with its size in common units."""
    rows = []
    models = catalogue.llm_models
    for run in scenario.workloads.training:
        if run.model is not None:
            total_b = float(models.at[run.model, "params_b"])
            active_b = float(models.at[run.model, "active_params_b"])
        else:
            total_b = float(run.params_b)
            active_b = float(run.active_params_b or run.params_b)
        rows.append({"workload": run.id, "kind": "training", "model": run.model or "-",
                     "params_b": total_b, "active_params_b": active_b,
                     "size": f"{run.tokens_t:g}e12 tokens by day {run.deadline_days:g}",
                     "compute_flop": training_flop(active_b * 1e9, run.tokens_t * 1e12)})
    for demand in scenario.workloads.inference:
        rows.append({"workload": demand.id, "kind": "inference", "model": demand.model,
                     "params_b": float(models.at[demand.model, "params_b"]),
                     "active_params_b": float(models.at[demand.model, "active_params_b"]),
                     "size": f"{demand.output_tokens_per_s:,.0f} output tokens/s",
                     "compute_flop": None})
    for demand in scenario.workloads.hpc:
        rows.append({"workload": demand.id, "kind": "hpc", "model": demand.kernel,
                     "params_b": None, "active_params_b": None,
                     "size": f"{demand.sustained_pflops:g} PFLOP/s sustained", "compute_flop": None})
    return pd.DataFrame(rows)


def summarise(scenario: Scenario, catalogue: Catalogue) -> dict[str, Any]:
    """Everything a planner checks before solving, as plain data (units in keys)."""
    sites = catalogue.sites.loc[candidate_sites(scenario, catalogue)]
    return {
        "name": scenario.name,
        "description": scenario.description,
        "scenario_hash": scenario_hash(scenario),
        "data_version": catalogue.version,
        "workloads": workloads_frame(scenario, catalogue).to_dict("records"),
        "candidate_sites": sites.index.tolist(),
        "candidate_countries": sorted(sites["country"].unique().tolist()),
        "grid_mw_now_total": float(sites["grid_mw_now"].sum()),
        "grid_mw_max_total": float(sites["grid_mw_max"].sum()),
        "accelerators": scenario.accelerators,
        "cooling": scenario.cooling,
        "energy": scenario.energy.model_dump(mode="json"),
        "policy": scenario.policy.model_dump(mode="json", exclude_none=True),
        "finance_overrides": scenario.finance,
        "time": scenario.time.model_dump(mode="json"),
        "objective": scenario.objective.value,
        "solver": scenario.solver.model_dump(mode="json"),
    }
