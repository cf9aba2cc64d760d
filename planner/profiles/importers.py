"""Importers for external hourly data: PVGIS TMY, Renewables.ninja, ENTSO-E day-ahead prices.

Each reader renames the file's variables once, at this boundary, to gigaplan's
names with units (``temp_air_c``, ``cf_frac``, ``price_eur_per_mwh``) and returns
a DataFrame indexed by hour-start timestamps in UTC. A malformed file raises
:class:`~planner.errors.DataError` naming the file, line and what was expected.
File formats are described in ``tests/data/FORMATS.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from planner.errors import DataError

MAX_IMPORT_BYTES = 200_000_000


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise DataError.single("file not found", file=str(path))
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise DataError.single(f"file larger than {MAX_IMPORT_BYTES:,} bytes", file=str(path))


PVGIS_VARIABLES = {
    "temp_air": "temp_air_c",
    "ghi": "ghi_w_per_m2",
    "dni": "dni_w_per_m2",
    "dhi": "dhi_w_per_m2",
    "wind_speed": "wind_speed_m_per_s",
    "relative_humidity": "relative_humidity_pct",
}


def read_pvgis_tmy(path: Path, year: int = 2019) -> pd.DataFrame:
    """Read a PVGIS typical meteorological year (CSV, JSON or EPW) with pvlib.

    A TMY takes each month from a different real year; the timestamps are
    rewritten to one ``year`` (the reference year) and sorted, as pvlib's
    ``get_pvgis_tmy(coerce_year=...)`` does.

    Returns
    -------
    DataFrame
        Hourly UTC index in ``year``; ``temp_air_c`` [°C], ``ghi_w_per_m2``,
        ``dni_w_per_m2``, ``dhi_w_per_m2`` [W/m²], ``wind_speed_m_per_s`` [m/s],
        ``relative_humidity_pct`` [%] (those present).

    References
    ----------
    PVGIS (EU JRC), Typical Meteorological Year tool; read by
    :func:`pvlib.iotools.read_pvgis_tmy`.
    """
    import pvlib

    path = Path(path)
    _check_file(path)
    try:
        result = pvlib.iotools.read_pvgis_tmy(str(path), map_variables=True)
    except Exception as exc:  # pvlib raises ValueError, KeyError, JSONDecodeError...
        raise DataError.single(f"not a PVGIS TMY file: {type(exc).__name__}: {exc}",
                               file=str(path)) from None
    data = result[0] if isinstance(result, tuple) else result
    keep = {k: v for k, v in PVGIS_VARIABLES.items() if k in data.columns}
    if "temp_air" not in keep or "ghi" not in keep:
        raise DataError.single("PVGIS file lacks air temperature or GHI", file=str(path),
                               allowed=", ".join(PVGIS_VARIABLES))
    frame = data[list(keep)].rename(columns=keep).astype(float)
    index = pd.DatetimeIndex(frame.index).tz_convert("UTC")
    leap = (index.month == 2) & (index.day == 29)
    frame, index = frame[~leap], index[~leap]
    frame.index = pd.DatetimeIndex([t.replace(year=year) for t in index], name="time_utc")
    return frame.sort_index()


NINJA_VARIABLES = {
    "electricity": "cf_frac",
    "irradiance_direct": "irradiance_direct_kw_per_m2",
    "irradiance_diffuse": "irradiance_diffuse_kw_per_m2",
    "temperature": "temp_air_c",
    "wind_speed": "wind_speed_m_per_s",
}


def _ninja_capacity_kw(path: Path) -> float | None:
    """The ``capacity`` parameter from the JSON metadata comment, if present."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.startswith("#"):
                return None
            start = line.find("{")
            if start >= 0:
                try:
                    meta = json.loads(line[start:])
                except json.JSONDecodeError:
                    continue
                capacity = meta.get("params", {}).get("capacity")
                return float(capacity) if capacity not in (None, "") else None
    return None


def read_ninja(path: Path) -> pd.DataFrame:
    """Read a Renewables.ninja PV or wind point download (CSV).

    The file starts with ``#`` comment lines (metadata), then ``time`` (UTC, hour
    start), ``local_time`` and ``electricity`` [kW], optionally weather columns.
    ``electricity`` is divided by the ``capacity`` [kW] of the JSON metadata line
    to give a capacity factor (``local_time`` is ignored: it repeats and skips an
    hour at clock changes). Country downloads with ``national`` columns (already
    capacity factors) are accepted too.

    Returns
    -------
    DataFrame
        Hourly UTC index; ``cf_frac`` [-] and any of ``temp_air_c``,
        ``wind_speed_m_per_s``, irradiance [kW/m²].
    """
    path = Path(path)
    _check_file(path)
    try:
        raw = pd.read_csv(path, comment="#", skip_blank_lines=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError.single(f"cannot read Renewables.ninja CSV: {exc}", file=str(path)) from None
    time_col = "time" if "time" in raw.columns else raw.columns[0]
    if "electricity" not in raw.columns and "national" in raw.columns:
        raw = raw.rename(columns={"national": "electricity"})
    if "electricity" not in raw.columns:
        raise DataError.single("no 'electricity' column", file=str(path),
                               allowed="time, local_time, electricity, weather columns")
    try:
        index = pd.to_datetime(raw[time_col], utc=True, format="mixed")
    except (ValueError, TypeError) as exc:
        raise DataError.single(f"column '{time_col}' is not a timestamp: {exc}",
                               file=str(path)) from None
    keep = {k: v for k, v in NINJA_VARIABLES.items() if k in raw.columns}
    frame = raw[list(keep)].rename(columns=keep).apply(pd.to_numeric, errors="coerce")
    capacity = _ninja_capacity_kw(path)
    if capacity is not None:
        if capacity <= 0:
            raise DataError.single(f"metadata capacity {capacity:g} kW is not positive",
                                   file=str(path), line=3)
        frame["cf_frac"] = frame["cf_frac"] / capacity
    frame.index = pd.DatetimeIndex(index, name="time_utc")
    bad = frame["cf_frac"].isna() | (frame["cf_frac"] < 0) | (frame["cf_frac"] > 1.0001)
    if bad.any():
        line = int(bad.to_numpy().argmax())
        raise DataError.single(f"'electricity' must be a number in [0, 1] kW/kW; row {line + 1} "
                               f"has {raw['electricity'].iloc[line]!r}", file=str(path))
    return frame


PRICE_COLUMN = re.compile(r"^Day-ahead Price\s*[\[(]EUR/MWh[\])]$")
MISSING = {"", "-", "n/e", "N/A", "n/a"}


def _mtu_start(mtu: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split ``'01.01.2019 00:00 - 01.01.2019 01:00'`` into start text and DST suffix."""
    start = mtu.str.split(" - ", n=1).str[0].str.strip()
    suffix = start.str.extract(r"\((CET|CEST)\)\s*$")[0]
    return start.str.replace(r"\s*\((CET|CEST)\)\s*$", "", regex=True), suffix


MTU_ZONES = {"CET/CEST": "Europe/Brussels", "EET/EEST": "Europe/Helsinki",
             "WET/WEST": "Europe/Lisbon", "UTC": "UTC"}
"""Time zone named in the export's MTU header -> IANA zone with the same clock changes."""


def read_entsoe_day_ahead(path: Path) -> pd.DataFrame:
    """Read an ENTSO-E Transparency Platform day-ahead price export (CSV).

    The MTU header names the export's time zone (``MTU (CET/CEST)``, ``(EET/EEST)``,
    ``(WET/WEST)`` or ``(UTC)``). Both layouts are accepted: the classic export (``"MTU (CET/CEST)"``,
    ``"Day-ahead Price [EUR/MWh]"``, ``"Currency"``, ``"BZN|..."``) and the newer
    one (``"MTU (CET/CEST)"``, ``"Area"``, ``"Sequence"``,
    ``"Day-ahead Price (EUR/MWh)"``). Intervals are labelled by their start in
    CET/CEST; the repeated autumn hour is resolved by its ``(CET)``/``(CEST)`` tag
    or by order; sub-hourly (15-min) prices are averaged to hours. ``-``/``n/e``
    mark missing values and are dropped, never read as zero.

    Returns
    -------
    DataFrame
        Hourly UTC index; ``price_eur_per_mwh`` [EUR/MWh].
    """
    path = Path(path)
    _check_file(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError.single(f"cannot read ENTSO-E CSV: {exc}", file=str(path)) from None
    mtu_col = next((c for c in raw.columns if c.startswith("MTU")), None)
    price_col = next((c for c in raw.columns if PRICE_COLUMN.match(c.strip())), None)
    if mtu_col is None or price_col is None:
        raise DataError.single("not an ENTSO-E day-ahead price export", file=str(path), line=1,
                               allowed='columns "MTU (CET/CEST)" and "Day-ahead Price [EUR/MWh]"')
    zone_text = mtu_col[mtu_col.find("(") + 1: mtu_col.rfind(")")].strip()
    if zone_text not in MTU_ZONES:
        raise DataError.single(f"unknown MTU time zone '{zone_text}'", file=str(path), line=1,
                               field=mtu_col, allowed=", ".join(MTU_ZONES))
    tz = MTU_ZONES[zone_text]
    if "Sequence" in raw.columns:  # newer layout: keep the first auction sequence
        seq = raw["Sequence"].str.strip()
        raw = raw[(seq == "") | (seq == seq[seq != ""].min())] if (seq != "").any() else raw
    raw = raw[raw[mtu_col].str.strip() != ""]
    start_text, suffix = _mtu_start(raw[mtu_col])
    local = pd.to_datetime(start_text, dayfirst=True, format="mixed", errors="coerce")
    if local.isna().any():
        pos = int(local.isna().to_numpy().argmax())
        line = int(raw.index[pos]) + 2  # file line: header is line 1
        raise DataError.single(f"cannot read MTU {raw[mtu_col].iloc[pos]!r}",
                               file=str(path), line=line, field=mtu_col,
                               allowed="'DD.MM.YYYY HH:MM - DD.MM.YYYY HH:MM'")
    values = raw[price_col].str.strip()
    present = ~values.isin(MISSING)
    price = pd.to_numeric(values.where(present), errors="coerce")
    bad = present & price.isna()
    if bad.any():
        pos = int(bad.to_numpy().argmax())
        line = int(raw.index[pos]) + 2
        raise DataError.single(f"price {values.iloc[pos]!r} is not a number",
                               file=str(path), line=line, field=price_col)
    # the repeated autumn hour: tagged (CEST)/(CET) in newer exports, else in file order
    ambiguous = (suffix == "CEST").to_numpy() if suffix.notna().any() else "infer"
    index = pd.DatetimeIndex(local).tz_localize(tz, ambiguous=ambiguous, nonexistent="NaT")
    frame = pd.DataFrame({"price_eur_per_mwh": price.to_numpy()}, index=index)
    frame = frame[frame.index.notna() & present.to_numpy()]
    frame.index = frame.index.tz_convert("UTC")
    hourly = frame.resample("h").mean().dropna()
    hourly.index.name = "time_utc"
    if hourly.empty:
        raise DataError.single("no prices in file", file=str(path))
    return hourly


READERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "pvgis": read_pvgis_tmy,
    "ninja": read_ninja,
    "entsoe-prices": read_entsoe_day_ahead,
}


def summarise(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Mean, min and max of every column (units are in the column names)."""
    return {col: {"mean": float(frame[col].mean()), "min": float(frame[col].min()),
                  "max": float(frame[col].max())} for col in frame.columns}
