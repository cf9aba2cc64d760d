"""Which catalogue rows and parameters a plan used, read from its recorded scenario."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pandas as pd

from planner.catalogue import Catalogue
from planner.optimise import Plan
from planner.scenario import candidate_sites
from planner.scenario.schema import Sites

ALWAYS_ENERGY = ("grid_connection", "datacentre_building")
BATTERY = ("battery_power", "battery_energy")


@dataclass(frozen=True)
class Used:
    """The scenario a plan was solved for and the catalogue rows it drew on.

    Attributes
    ----------
    spec : the scenario as recorded in ``plan.meta["scenario_spec"]`` (empty if absent).
    rows : catalogue table name -> ids of the rows used, in catalogue order.
    finance : parameter -> value with the scenario's ``finance:`` overrides applied.
    overridden : finance parameters the scenario set.
    sites : the candidate sites' catalogue rows with the scenario's site overrides.
    """

    spec: dict[str, Any]
    rows: dict[str, list[str]]
    finance: dict[str, object]
    overridden: frozenset[str]
    sites: pd.DataFrame


def used_inputs(plan: Plan, catalogue: Catalogue) -> Used:
    """The inputs behind ``plan``: candidate sites, their countries, technologies, models."""
    spec = plan.meta.get("scenario_spec") or {}
    ids = _candidate_ids(plan, spec, catalogue)
    sites = catalogue.sites.loc[ids].copy()
    for site, override in spec.get("sites", {}).get("overrides", {}).items():
        for key, value in override.items():
            if site in sites.index and value is not None:
                sites[key] = sites[key].astype(object)
                sites.at[site, key] = value
    workloads = spec.get("workloads", {})
    models = {w.get("model") for kind in ("training", "inference") for w in workloads.get(kind, [])}
    kernels = {w.get("kernel") for w in workloads.get("hpc", [])}
    accelerators = list(spec.get("accelerators", []))
    rows = {
        "sites": ids,
        "countries": _in_order(catalogue.countries, set(sites["country"])),
        "accelerators": _in_order(catalogue.accelerators, set(accelerators)),
        "accelerator_efficiency": _in_order(catalogue.accelerator_efficiency, set(accelerators)),
        "cooling": _in_order(catalogue.cooling, set(spec.get("cooling", []))),
        "energy": _in_order(catalogue.energy, _energy_ids(spec.get("energy", {}))),
        "llm_models": _in_order(catalogue.llm_models, models),
        "hpc_kernels": _in_order(catalogue.hpc_kernels, kernels),
        "finance": list(catalogue.finance.index),
        "roofline_parameters": list(catalogue.roofline_parameters.index),
    }
    finance: dict[str, object] = dict(catalogue.finance["value"])
    overrides = {k: float(v) for k, v in spec.get("finance", {}).items()}
    finance.update(overrides)
    return Used(spec, rows, finance, frozenset(overrides), sites)


def _candidate_ids(plan: Plan, spec: dict[str, Any], catalogue: Catalogue) -> list[str]:
    if len(plan.sites):
        return [s for s in plan.sites.index if s in catalogue.sites.index]
    if "sites" not in spec:
        return []
    scenario = SimpleNamespace(sites=Sites.model_validate(spec["sites"]))
    return candidate_sites(scenario, catalogue)  # type: ignore[arg-type]


def _energy_ids(energy: dict[str, Any]) -> set[str]:
    ids = set(ALWAYS_ENERGY) | set(energy.get("ppa", [])) | set(energy.get("onsite", []))
    if energy.get("battery"):
        ids |= set(BATTERY)
    if energy.get("backup", "none") != "none":
        ids.add(energy["backup"])
    return ids


def _in_order(table: pd.DataFrame, ids: set[object]) -> list[str]:
    return [str(i) for i in table.index if i in ids]
