"""Checks of the hourly profile file before anything is built on it.

``data/profiles/hourly_profiles.parquet`` holds one row per site and hour of the
reference year. A file that is not Parquet, lacks a column, holds text or NaN in a
number column, misses, repeats or skips hours, or has values outside their physical
range is reported as the data's fault, with the file, the site and the first rows
concerned, before tsam or the optimiser sees it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import DataError, Problem

HOURS_PER_YEAR = 8760
NUMERIC_RANGES: dict[str, tuple[float, float]] = {
    "temp_air_c": (-50.0, 50.0),  # beyond the records of any candidate site
    "solar_cf_frac": (0.0, 1.0),
    "wind_cf_frac": (0.0, 1.0),
    "price_eur_per_mwh": (0.0, 5000.0),  # the profiles scale a country's annual price
    "grid_co2_g_per_kwh": (0.0, 2000.0),  # above lignite's life-cycle intensity
}
"""Columns of the profile file besides ``site`` and ``time_utc``, with allowed ranges."""
MAX_LISTED = 3


def _rows(mask: np.ndarray) -> str:
    rows = np.flatnonzero(mask)[:MAX_LISTED]
    more = int(mask.sum()) - len(rows)
    return ", ".join(str(r) for r in rows) + (f" and {more:,} more" if more > 0 else "")


def read_profiles(path: Path, sites: list[str] | None = None) -> pd.DataFrame:
    """The profile file, checked; a :class:`DataError` lists every problem found.

    ``sites``: catalogue sites that must each have their profile.
    """
    file = str(path)
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a bad file
        raise DataError.single(f"not a readable Parquet file ({type(exc).__name__}: "
                               f"{str(exc)[:200]}); rebuild it with `gigaplan data "
                               "build-profiles`", file=file) from None
    problems = profile_problems(frame, file)
    if not problems and sites is not None and "site" in frame.columns:
        lacking = sorted(set(sites) - set(frame["site"].unique()))
        if lacking:
            problems.append(Problem(f"no hourly profile for site(s) {', '.join(lacking)}; "
                                    "rebuild with `gigaplan data build-profiles`", file=file,
                                    field="site"))
    if problems:
        raise DataError(problems)
    return frame


def profile_problems(frame: pd.DataFrame, file: str) -> list[Problem]:
    """Everything wrong with a profile frame (empty when it can be used)."""
    required = ["site", "time_utc", *NUMERIC_RANGES]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        return [Problem(f"missing column(s) {', '.join(missing)}", file=file,
                        allowed=", ".join(required))]
    problems: list[Problem] = []
    times = frame["time_utc"]
    if not pd.api.types.is_datetime64_any_dtype(times):
        problems.append(Problem("time_utc is not a timestamp column", file=file,
                                field="time_utc"))
    for column, (low, high) in NUMERIC_RANGES.items():
        if not pd.api.types.is_numeric_dtype(frame[column]):
            problems.append(Problem(f"{column} holds text, not numbers", file=file,
                                    field=column))
            continue
        values = frame[column].to_numpy(float)
        bad = ~np.isfinite(values)
        if bad.any():
            problems.append(Problem(f"{column} is missing (NaN) in rows {_rows(bad)}",
                                    file=file, field=column))
        out = np.isfinite(values) & ((values < low) | (values > high))
        if out.any():
            problems.append(Problem(f"{column} is outside {low:g} to {high:g} in rows "
                                    f"{_rows(out)}", file=file, field=column,
                                    allowed=f"{low:g} to {high:g}"))
    if problems:
        return problems
    # every site's hours in order, checked at once (a groupby per site took 0.13 s)
    codes, site_ids = pd.factorize(frame["site"], sort=True)
    hours = times.to_numpy(dtype="datetime64[ns]")  # UTC; tz-aware gives objects otherwise
    order = np.lexsort((hours, codes))
    first = np.searchsorted(codes[order], np.arange(len(site_ids)))
    hours = hours[order]
    step = np.diff(hours)
    inner = np.ones(len(hours), bool)
    inner[first] = False  # the first hour of a site has no step from the site before
    step_ok = np.concatenate([[True], step == np.timedelta64(1, "h")]) | ~inner
    repeat = np.concatenate([[False], step == np.timedelta64(0, "h")]) & inner
    gap = np.concatenate([[False], step > np.timedelta64(1, "h")]) & inner
    bounds = np.append(first, len(hours))
    for k, site in enumerate(site_ids):
        part = slice(bounds[k], bounds[k + 1])
        n = bounds[k + 1] - bounds[k]
        repeated = int(repeat[part].sum())
        if n != HOURS_PER_YEAR or repeated or not step_ok[part].all():
            problems.append(Problem(
                f"site {site}: {n:,} rows, {repeated:,} repeated hours, "
                f"{int(gap[part].sum()):,} gaps; every site needs the "
                f"{HOURS_PER_YEAR:,} consecutive hours of its reference year", file=file,
                field="time_utc"))
    return problems
