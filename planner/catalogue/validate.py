"""Parse and check catalogue tables: types, units, ranges, keys and provenance.

Each check returns :class:`~planner.errors.Problem` objects located by file,
line and column, so a broken data row is reported like a broken scenario.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from planner.catalogue.spec import Column, TableSpec
from planner.errors import Problem

SOURCE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
TRUE = {"true", "yes", "1"}
FALSE = {"false", "no", "0"}

MAX_MAGNITUDE = 1e12
"""Largest magnitude a numeric catalogue value may have where its column states no
maximum: 1e308 in ``grid_mw_max`` would overflow the optimiser. The largest bundled
value in such a column is 1.7e7 (a parameter of roofline_parameters.csv)."""
FINANCE_RANGES: dict[str, tuple[float, float]] = {
    # parameter: (lowest, highest) a plan can be built on, in the unit of finance.csv
    "price_year": (2000, 2100), "discount_rate": (0.0, 0.5), "usd_per_eur": (0.1, 10.0),
    "gpu_lifetime_years": (1, 100), "network_lifetime_years": (1, 100),
    "building_lifetime_years": (1, 100), "cooling_lifetime_years": (1, 100),
    "pv_lifetime_years": (1, 100), "wind_lifetime_years": (1, 100),
    "battery_lifetime_years": (1, 100), "grid_connection_lifetime_years": (1, 100),
    "backup_lifetime_years": (1, 100), "gas_turbine_lifetime_years": (1, 100),
    "heat_pump_lifetime_years": (1, 100),
    "it_om_frac_per_year": (0.0, 1.0), "facility_om_frac_per_year": (0.0, 1.0),
    "insurance_tax_frac_per_year": (0.0, 1.0), "network_storage_capex_frac": (0.0, 5.0),
    "staff_fte_per_mw_it": (0.0, 100.0), "staff_cost_eur_per_fte_year": (0.0, 1e7),
    "carbon_price_eur_per_t": (0.0, 1e4), "site_fixed_eur_per_year": (0.0, 1e10),
    "gas_price_eur_per_mwh_th": (0.0, 1e4), "diesel_price_eur_per_mwh_th": (0.0, 1e4),
    "building_module_mw": (0.01, 1000.0), "datacentre_land_ha_per_mw_it": (0.0, 100.0),
    "pv_land_ha_per_mw": (0.0, 100.0), "wind_land_ha_per_mw": (0.0, 100.0),
    "grid_price_factor": (0.0, 100.0), "accelerator_price_factor": (0.0, 100.0),
    "backup_max_hours_per_year": (0.0, 8760.0), "backup_unit_mw": (0.01, 1000.0),
    "grid_price_embedded_carbon_eur_per_t": (0.0, 1e4),
    "grid_carbon_pass_through_frac": (0.0, 1.0), "grid_marginal_co2_t_per_mwh": (0.0, 2.0),
    "dh_hot_water_share_frac": (0.0, 1.0), "heating_base_temp_c": (-10.0, 40.0),
    "heating_threshold_temp_c": (-20.0, 40.0), "heat_pump_lorenz_efficiency_frac": (0.01, 1.0),
    "heat_source_cooling_k": (0.0, 50.0), "go_price_eur_per_mwh": (0.0, 1e3),
}
"""Range of every finance parameter, in finance.csv and in a scenario's ``finance:``.

Bounds of what can be planned on, not of what is likely: a lifetime of at least a year
(annuities divide by it), fractions within 0-1, prices and factors not negative (a
negative price makes the least-cost plan buy without limit), nothing infinite or NaN."""
REQUIRED_FINANCE = set(FINANCE_RANGES) | {"currency"}


def finance_value_problem(name: str, value: object) -> str | None:
    """Why ``value`` cannot be finance parameter ``name`` (``None`` when it can)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"'{value}' is not a number"
    low, high = FINANCE_RANGES.get(name, (-math.inf, math.inf))
    if not math.isfinite(number):
        return f"{name} = {number} is not a finite number (allowed {low:g} to {high:g})"
    if not low <= number <= high:
        return f"{name} = {number:g} is outside {low:g} to {high:g}"
    return None


def _line(row_pos: int) -> int:
    """File line of a data row (header is line 1)."""
    return row_pos + 2


def _convert(col: Column, raw: str) -> tuple[object, str | None]:
    """Convert one raw cell; return (value, error message or None)."""
    if raw == "":
        empty = "" if col.kind == "str" else None  # text stays text; numbers become NaN
        return empty, ("is empty; a value is required" if col.required else None)
    if col.kind == "str":
        if col.choices and raw not in col.choices:
            return raw, f"'{raw}' is not an allowed value"
        return raw, None
    if col.kind == "bool":
        low = raw.lower()
        if low in TRUE | FALSE:
            return low in TRUE, None
        return raw, f"'{raw}' is not true/false"
    try:
        value = float(raw)
    except ValueError:
        return raw, f"'{raw}' is not a number ({col.unit})"
    if math.isnan(value) or math.isinf(value):
        return raw, f"'{raw}' is not a finite number"
    if col.kind == "int":
        if value != int(value):
            return raw, f"'{raw}' is not a whole number"
        value = int(value)
    if col.min is not None and value < col.min:
        return value, f"{raw} is below the minimum {col.min:g} {col.unit}"
    if col.max is not None and value > col.max:
        return value, f"{raw} is above the maximum {col.max:g} {col.unit}"
    if abs(value) > MAX_MAGNITUDE:
        return value, (f"{raw} is beyond any real quantity (at most {MAX_MAGNITUDE:g} "
                       f"{col.unit} in a column without a stated maximum)")
    return value, None


def _allowed(col: Column) -> str | None:
    if col.choices:
        return ", ".join(col.choices)
    if col.min is not None or col.max is not None:
        lo = "-inf" if col.min is None else f"{col.min:g}"
        hi = "inf" if col.max is None else f"{col.max:g}"
        return f"{col.kind} in [{lo}, {hi}] {col.unit}"
    return None


def parse_table(spec: TableSpec, raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Check header and cells of a table read as text; return typed frame and problems."""
    problems: list[Problem] = []
    expected = spec.column_names
    missing = [c for c in expected if c not in raw.columns]
    unknown = [c for c in raw.columns if c not in expected]
    if missing or unknown:
        if missing:
            problems.append(Problem(f"missing column(s) {', '.join(missing)}", file=file, line=1,
                                    allowed=", ".join(expected)))
        if unknown:
            problems.append(Problem(f"unknown column(s) {', '.join(unknown)}", file=file, line=1,
                                    allowed=", ".join(expected)))
        return raw, problems
    typed: dict[str, list[object]] = {}
    for name in expected:
        col = spec.column(name)
        values = []
        for pos, cell in enumerate(raw[name].tolist()):
            value, error = _convert(col, cell.strip())
            if error:
                problems.append(Problem(error, file=file, line=_line(pos), field=name,
                                        allowed=_allowed(col)))
            values.append(value)
        typed[name] = values
    frame = pd.DataFrame(typed, columns=expected)
    for name in expected:
        if spec.column(name).kind in ("float", "int"):
            frame[name] = pd.to_numeric(frame[name], errors="coerce")
    problems += _check_keys(spec, frame, file)
    if spec.sourced:
        problems += _check_estimated_fields(set(spec.column_names), frame, file)
    return frame, problems


def _check_keys(spec: TableSpec, frame: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    key = list(spec.key)
    dup = frame.duplicated(subset=key, keep="first")
    for pos in frame.index[dup]:
        label = ", ".join(str(frame.at[pos, k]) for k in key)
        problems.append(Problem(f"duplicate key ({label})", file=file, line=_line(pos),
                                field="/".join(key)))
    return problems


def _check_estimated_fields(names: set[str], frame: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    for pos, cell in frame["estimated_fields"].items():
        for name in filter(None, str(cell).split(";")):
            if name not in names:
                problems.append(Problem(f"estimated_fields names unknown column '{name}'",
                                        file=file, line=_line(pos), field="estimated_fields"))
    return problems


def check_sources(frame: pd.DataFrame, file: str,
                  known_keys: set[str]) -> list[Problem]:
    """Every row cites at least one source, and every cited key is registered."""
    problems = []
    for pos, cell in frame["source"].items():
        keys = [k for k in (cell or "").split(";") if k]
        if not keys:
            problems.append(Problem("no source given", file=file, line=_line(pos), field="source"))
        for key in keys:
            if not SOURCE_KEY.match(key):
                problems.append(Problem(f"source key '{key}' is not lowercase kebab-case",
                                        file=file, line=_line(pos), field="source"))
            elif key not in known_keys:
                problems.append(Problem(f"source key '{key}' is not in sources.csv",
                                        file=file, line=_line(pos), field="source"))
    return problems


def check_foreign_keys(spec: TableSpec, frame: pd.DataFrame, file: str,
                       keys_of: dict[str, set[str]]) -> list[Problem]:
    """Columns that name rows of another table must name existing rows."""
    problems = []
    for column, table in spec.foreign_keys.items():
        valid = keys_of.get(table, set())
        for pos, value in frame[column].items():
            if value is not None and value not in valid:
                problems.append(Problem(f"'{value}' is not a {table} id", file=file,
                                        line=_line(pos), field=column))
    return problems


def check_finance(frame: pd.DataFrame, file: str) -> list[Problem]:
    """Finance parameters: all required ones present, numeric where they must be."""
    problems = []
    present = set(frame["parameter"])
    for name in sorted(REQUIRED_FINANCE - present):
        problems.append(Problem(f"required parameter '{name}' is missing", file=file))
    for pos, row in frame.iterrows():
        if row["parameter"] == "currency":
            if row["value"] != "EUR":
                problems.append(Problem("currency must be EUR", file=file, line=_line(pos),
                                        field="value"))
            continue
        why = finance_value_problem(row["parameter"], row["value"])
        if why:
            problems.append(Problem(why, file=file, line=_line(pos), field="value"))
    return problems


def check_site_climate_complete(frame: pd.DataFrame, sites: set[str], file: str) -> list[Problem]:
    """Every site has exactly the twelve months."""
    problems = []
    months = frame.groupby("site")["month"].apply(set)
    for site in sorted(sites):
        got = months.get(site, set())
        if got != set(range(1, 13)):
            missing = sorted(set(range(1, 13)) - got)
            problems.append(Problem(f"site '{site}' lacks climate normals for month(s) {missing}",
                                    file=file, field="month"))
    return problems
