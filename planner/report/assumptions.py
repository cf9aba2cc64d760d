"""The Assumptions and Sources sheets: every input a plan used, with units and provenance."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, get_args

import pandas as pd
from pydantic import BaseModel

from planner.catalogue import TABLES, Catalogue
from planner.report.labels import unit_of
from planner.report.used import Used
from planner.scenario import Scenario

ASSUMPTION_COLUMNS = ["section", "item", "parameter", "value", "unit", "source", "estimate",
                      "notes"]
SOURCE_COLUMNS = ["table", "source", "cited by", "title", "publisher", "year", "url", "licence"]
OVERRIDE = "scenario override"
PROFILES_NOTE = ("Hourly site profiles (temperature, solar and wind capacity factors, grid price "
                 "and carbon intensity) built by `gigaplan data build-profiles`; their inputs, "
                 "estimates and licences are described in data/SOURCES.md")


def assumptions_table(used: Used, catalogue: Catalogue) -> pd.DataFrame:
    """One row per input: the scenario's fields, finance, and every catalogue figure used."""
    rows = list(_scenario_rows(used.spec)) + list(_finance_rows(used, catalogue))
    for table, ids in used.rows.items():
        if table == "finance":
            continue
        frame = used.sites if table == "sites" else catalogue.tables[table]
        overrides = used.spec.get("sites", {}).get("overrides", {}) if table == "sites" else {}
        rows += _catalogue_rows(table, frame, ids, overrides)
    return pd.DataFrame(rows, columns=ASSUMPTION_COLUMNS)


def sources_table(used: Used, catalogue: Catalogue) -> pd.DataFrame:
    """One row per (catalogue table, source) cited by the rows used, with the registry entry."""
    registry = catalogue.sources
    rows = []
    for table, ids in used.rows.items():
        frame = catalogue.tables[table]
        cited: dict[str, list[str]] = {}
        for row_id in ids:
            for key in _keys(frame.at[row_id, "source"]):
                cited.setdefault(key, []).append(str(row_id))
        for key, by in cited.items():
            entry = registry.loc[key] if key in registry.index else None
            rows.append({
                "table": table, "source": key, "cited by": ", ".join(by),
                "title": entry["title"] if entry is not None else "(not in sources.csv)",
                "publisher": entry["publisher"] if entry is not None else "",
                "year": entry["year"] if entry is not None else None,
                "url": entry["url"] if entry is not None else "",
                "licence": entry["licence"] if entry is not None else ""})
    if used.spec:
        rows.append({"table": "scenario", "source": used.spec.get("name", ""),
                     "cited by": ", ".join(sorted(_overridden_fields(used))),
                     "title": "the scenario file (its values override the catalogue's)",
                     "publisher": "", "year": None, "url": "", "licence": ""})
    rows.append({"table": "profiles", "source": "data/SOURCES.md", "cited by": "all sites",
                 "title": PROFILES_NOTE, "publisher": "", "year": None, "url": "", "licence": ""})
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)


def _keys(text: object) -> list[str]:
    return [k.strip() for k in str(text or "").split(";") if k.strip()]


def _overridden_fields(used: Used) -> set[str]:
    fields = {f"finance.{k}" for k in used.overridden}
    for site, override in used.spec.get("sites", {}).get("overrides", {}).items():
        fields |= {f"sites.{site}.{k}" for k, v in override.items() if v is not None}
    return fields


def _number(value: object) -> object:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value


def _finance_rows(used: Used, catalogue: Catalogue) -> Iterator[dict[str, Any]]:
    table = catalogue.finance
    for name in table.index:
        row = table.loc[name]
        overridden = name in used.overridden
        yield {"section": "finance", "item": "", "parameter": name,
               "value": _number(used.finance[name]), "unit": row["unit"],
               "source": OVERRIDE if overridden else row["source"],
               "estimate": not overridden and "value" in _keys(row["estimated_fields"]),
               "notes": f"catalogue value {row['value']}" if overridden else row["notes"]}


def _catalogue_rows(table: str, frame: pd.DataFrame, ids: list[str],
                    overrides: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    spec = TABLES[table]
    columns = [c for c in spec.columns if c.name not in spec.key]
    rows = []
    for row_id in ids:
        row = frame.loc[row_id]
        estimated = set(_keys(row.get("estimated_fields")))
        for col in columns:
            if col.name == "unit":
                continue
            unit = row["unit"] if "unit" in frame.columns and col.name == "value" else col.unit
            is_override = overrides.get(row_id, {}).get(col.name) is not None
            rows.append({"section": table, "item": row_id, "parameter": col.name,
                         "value": _number(row[col.name]) if col.kind != "str" else row[col.name],
                         "unit": unit, "source": OVERRIDE if is_override else row["source"],
                         "estimate": not is_override and col.name in estimated,
                         "notes": col.doc})
    return rows


def _scenario_rows(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    units = _schema_units(Scenario)
    for path, value in _flatten(spec, ()):
        plain_path = tuple(p for p in path if not p.startswith("["))
        unit = units.get(plain_path) or unit_of(path[-1]) or ("-" if isinstance(
            value, (int, float)) and not isinstance(value, bool) else "")
        item = ".".join(p.strip("[]") for p in path[:-1])
        yield {"section": "scenario", "item": item, "parameter": path[-1], "value": value,
               "unit": unit, "source": "scenario", "estimate": False,
               "notes": "not set" if value is None else ""}


def _flatten(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, dict):
        if not value and path:
            yield path, None
        for key, sub in value.items():
            yield from _flatten(sub, path + (str(key),))
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, sub in enumerate(value):
            yield from _flatten(sub, path + (f"[{sub.get('id', i)}]",))
    elif isinstance(value, list):
        yield path, ", ".join(str(v) for v in value)
    else:
        yield path, value


def _schema_units(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> dict[tuple, str]:
    """Units stated as ``[unit]`` in the scenario schema's field descriptions."""
    out = {}
    for name, field in model.model_fields.items():
        path = prefix + (name,)
        found = re.search(r"\[([^\]]+)\]", field.description or "")
        if found:
            out[path] = found.group(1)
        for sub in _models_in(field.annotation):
            out.update(_schema_units(sub, path))
    return out


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)
