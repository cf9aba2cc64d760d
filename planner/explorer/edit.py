"""Editing a scenario in the explorer: the fields people change most, validated in place.

The explorer shows one widget per :data:`FIELDS` entry and one table per workload
kind. :func:`edited` merges their values into the base scenario and validates the
result by the planner's own rules (schema, then catalogue ids), returning the
problems grouped by the section they belong to so each can be shown next to its
widgets. Unchanged values give back the base scenario exactly (same hash), so a
plan solved before editing is found again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Any, get_args

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from planner.catalogue import Catalogue
from planner.errors import Problem
from planner.scenario.crosscheck import candidate_sites, crosscheck
from planner.scenario.load import Locator, deep_merge, validation_problems
from planner.scenario.schema import HpcDemand, InferenceDemand, Scenario, TrainingRun

WORKLOAD_MODELS: dict[str, type[BaseModel]] = {
    "training": TrainingRun, "inference": InferenceDemand, "hpc": HpcDemand}
"""Workload kind -> its schema model; a table's columns are the model's fields."""

FIELDS = (
    "name", "sites.countries", "sites.include", "sites.exclude", "sites.max_sites",
    "accelerators", "cooling", "policy.carbon_price_eur_per_t", "policy.carbon_cap_t_per_year",
    "policy.renewable_share_frac", "policy.renewable_matching", "policy.budget_eur",
    "policy.min_member_states", "time.representative_days", "time.resolution", "objective",
    "solver.time_limit_s", "solver.mip_gap_frac",
)
"""Dotted scenario paths the explorer edits directly (besides the workload tables)."""

SECTIONS = ("name", "workloads", "sites", "accelerators", "cooling", "policy", "time",
            "objective", "solver")
"""Where problems are shown; anything else (or a whole-scenario rule) goes to ``general``."""


@dataclass(frozen=True)
class Edited:
    """An edit's outcome: the valid scenario (or None) and its problems by section."""

    scenario: Scenario | None
    problems: dict[str, list[str]]
    candidates: list[str]

    @property
    def ok(self) -> bool:
        """True when the edited scenario is valid."""
        return self.scenario is not None


def _get(data: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def field_values(scenario: Scenario) -> dict[str, Any]:
    """The current value of every :data:`FIELDS` path (enums as their strings)."""
    data = scenario.model_dump(mode="json")
    return {name: _get(data, name) for name in FIELDS}


def nest(values: dict[str, Any]) -> dict[str, Any]:
    """``{"policy.budget_eur": 1}`` -> ``{"policy": {"budget_eur": 1}}``."""
    out: dict[str, Any] = {}
    for dotted, value in values.items():
        *parents, last = dotted.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def _types(annotation: Any) -> set[type]:
    args = get_args(annotation)
    if not args:
        return {annotation} if isinstance(annotation, type) else set()
    return set().union(*(_types(a) for a in args))


def column_kind(kind: str, column: str) -> str:
    """``choice`` (an enumeration), ``int``, ``float`` or ``text``: a workload column's type."""
    types = _types(WORKLOAD_MODELS[kind].model_fields[column].annotation) - {type(None)}
    if any(issubclass(t, Enum) for t in types):
        return "choice"
    if float in types:
        return "float"
    return "int" if int in types else "text"


def workload_frame(scenario: Scenario, kind: str) -> pd.DataFrame:
    """One row per workload of ``kind``; columns are the schema's fields, in order.

    Number columns are floats (blank cells are NaN) whatever the rows hold, so an
    empty table still takes numbers.
    """
    model = WORKLOAD_MODELS[kind]
    rows = [w.model_dump(mode="json") for w in getattr(scenario.workloads, kind)]
    frame = pd.DataFrame(rows, columns=list(model.model_fields))
    for column in frame.columns:
        frame[column] = frame[column].astype(
            float if column_kind(kind, column) in ("int", "float") else object)
    return frame


def _plain(value: Any) -> Any:
    """A table cell as a YAML-able value: numpy scalars unwrapped, blanks as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Table rows as workload mappings: blank cells left out, wholly blank rows dropped."""
    records = []
    for row in frame.to_dict("records"):
        record = {k: v for k, v in ((k, _plain(v)) for k, v in row.items()) if v is not None}
        if record:
            records.append(record)
    return records


def field_help(kind: str, column: str) -> str:
    """The schema's description of a workload column (units in brackets)."""
    field = WORKLOAD_MODELS[kind].model_fields[column]
    return field.description or ""


def _by_section(problems: list[Problem]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        head = (problem.field or "").split(".")[0].split("[")[0]
        grouped.setdefault(head if head in SECTIONS else "general", []).append(problem.render())
    return grouped


def edited(base: Scenario, values: dict[str, Any], workloads: dict[str, pd.DataFrame],
           catalogue: Catalogue) -> Edited:
    """The base scenario with the explorer's edits, validated like a scenario file.

    Parameters
    ----------
    base : the scenario picked or uploaded.
    values : dotted path (:data:`FIELDS`) -> value; missing paths keep the base's.
    workloads : kind -> table as edited (see :func:`workload_frame`); missing kinds keep
        the base's.
    """
    data = deep_merge(base.model_dump(mode="json"), nest(values))
    for kind, frame in workloads.items():
        data["workloads"][kind] = frame_records(frame)
    locator = Locator([])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        return Edited(None, _by_section(validation_problems(exc, locator)), [])
    problems = crosscheck(scenario, catalogue, locator)
    candidates = [] if problems else candidate_sites(scenario, catalogue)
    return Edited(None if problems else scenario, _by_section(problems), candidates)


def site_labels(catalogue: Catalogue) -> dict[str, str]:
    """Site id -> ``"Julich (FZJ), DE"`` for pickers."""
    sites = catalogue.sites
    return {str(s): f"{sites.at[s, 'name']}, {sites.at[s, 'country']}" for s in sites.index}


def country_labels(catalogue: Catalogue) -> dict[str, str]:
    """Country code -> ``"Germany (DE)"`` for pickers."""
    names = catalogue.countries["name"]
    return {str(c): f"{names[c]} ({c})" for c in names.index}


def name_labels(catalogue: Catalogue, table: str) -> dict[str, str]:
    """Row id -> ``"id: name"`` of any catalogue table with a ``name`` column."""
    names = catalogue.tables[table]["name"]
    return {str(i): f"{i}: {names[i]}" for i in names.index}
