"""The catalogue's estimated site and country figures, drawn within their stated ranges.

``data/estimate_ranges.csv`` gives every figure that is still an estimate a low, a high
and the reason. A robustness study solves the same scenario for many draws of them: draw
``k`` of seed ``s`` takes, for every range in file order, a triangular value between low
and high with the catalogue value as its mode (the catalogue value stays the most likely
one), from ``numpy.random.default_rng([s, k])``. The draws change numbers only, so the
built model is re-solved (:data:`models.levers.SITE_LEVERS`) rather than rebuilt.

Fields the draws vary are those the model reads as numbers (:data:`VARIED`). Others are
held at their catalogue values, for the reason :data:`HELD` gives.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from planner.catalogue import Catalogue
from planner.errors import DataError

VARIED = {
    "sites": ("grid_mw_now", "grid_upgrade_eur_per_kw", "build_cost_factor", "land_ha",
              "dh_offtake_mw", "dh_price_eur_per_mwh"),
    "countries": ("labour_cost_eur_per_hour", "labour_cost_factor", "ppa_solar_eur_per_mwh",
                  "ppa_wind_eur_per_mwh"),
}
"""Estimated fields a draw varies, by table. A drawn hourly labour cost scales the
country's ``labour_cost_factor`` (which the staff cost reads) by the same ratio."""

HELD = {
    "grid_mw_max": "the largest connection bounds the nodes, cooling and supply at a site "
                   "(big-M coefficients of the model's matrix), so it is structure, not a number",
    "dh_supply_temp_c": "network temperatures set the heat-pump COP profiles, built once with "
                        "the model",
    "dh_return_temp_c": "network temperatures set the heat-pump COP profiles, built once with "
                        "the model",
    "water_stress_score": "shown with the sites; the model does not price it",
    "construction_cost_factor": "shown with the countries; the model prices building by each "
                                "site's build_cost_factor",
    "cooling_degree_days": "shown with the countries; the model's cooling uses hourly "
                           "temperatures",
}
"""Estimated fields a draw holds at the catalogue value, and why."""


def ranges(catalogue: Catalogue) -> pd.DataFrame:
    """The estimate ranges as a flat frame: ``table, id, field, low, high, reason``.

    Raises
    ------
    DataError
        When the catalogue has no ``estimate_ranges`` table.
    """
    if "estimate_ranges" not in catalogue.tables:
        raise DataError.single("the catalogue has no estimate ranges (data/estimate_ranges.csv)",
                               file=str(catalogue.data_dir / "estimate_ranges.csv"))
    frame = catalogue.tables["estimate_ranges"]
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    return frame[["table", "id", "field", "low", "high", "reason"]]


def draw_values(catalogue: Catalogue, seed: int, draw: int) -> pd.DataFrame:
    """Every estimated figure in draw ``draw``: the range, the catalogue value and the draw.

    Columns ``table, id, field, low, high, catalogue_value, value, varied`` (``varied``:
    False for :data:`HELD` fields, whose ``value`` is the catalogue's).
    """
    frame = ranges(catalogue).copy()
    base = np.array([_catalogue_value(catalogue, row.table, row.id, row.field)
                     for row in frame.itertuples()], dtype=float)
    low = np.minimum(frame["low"].to_numpy(float), base)
    high = np.maximum(frame["high"].to_numpy(float), base)
    rng = np.random.default_rng([int(seed), int(draw)])
    u = rng.random(len(frame))
    value = _triangular(u, low, base, high)
    varied = np.array([row.field in VARIED.get(row.table, ()) for row in frame.itertuples()])
    frame["catalogue_value"] = base
    frame["value"] = np.where(varied & np.isfinite(base), value, base)
    frame["varied"] = varied
    return frame


def _triangular(u: np.ndarray, low: np.ndarray, mode: np.ndarray,
                high: np.ndarray) -> np.ndarray:
    """Inverse CDF of the triangular distribution at ``u`` (``low == high``: the value)."""
    span = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        cut = np.where(span > 0, (mode - low) / span, 0.5)
        left = low + np.sqrt(u * span * (mode - low))
        right = high - np.sqrt((1.0 - u) * span * (high - mode))
    out = np.where(u < cut, left, right)
    return np.where(span > 0, out, mode)


def _catalogue_value(catalogue: Catalogue, table: str, key: str, column: str) -> float:
    try:
        value = catalogue.tables[table].at[key, column]
    except KeyError:
        return float("nan")
    return float(value) if pd.notna(value) else float("nan")


def drawn_catalogue(catalogue: Catalogue, seed: int, draw: int | None) -> Catalogue:
    """``catalogue`` with the varied estimates of draw ``draw`` (itself when ``None``).

    A site's drawn connection today stays within its largest connection (which is held).
    """
    if draw is None:
        return catalogue
    values = draw_values(catalogue, seed, draw)
    values = values[values["varied"] & np.isfinite(values["value"])]
    tables = dict(catalogue.tables)
    for table, rows in values.groupby("table", sort=False):
        frame = tables[table].copy()
        for row in rows.itertuples():
            frame.at[row.id, row.field] = row.value
        tables[table] = frame
    labour = values[(values["table"] == "countries")
                    & (values["field"] == "labour_cost_eur_per_hour")]
    own_factor = set(values.loc[values["field"] == "labour_cost_factor", "id"])
    for row in labour.itertuples():
        if row.id not in own_factor and row.catalogue_value > 0:
            tables["countries"].at[row.id, "labour_cost_factor"] *= row.value / row.catalogue_value
    sites = tables["sites"].copy()
    sites["grid_mw_now"] = np.minimum(sites["grid_mw_now"], sites["grid_mw_max"])
    tables["sites"] = sites
    drawn = dataclasses.replace(catalogue, tables=tables)
    drawn.__dict__["profiles"] = catalogue.profiles  # the same files: load the profiles once
    drawn.__dict__["version"] = catalogue.version
    return drawn


def held_fields(catalogue: Catalogue) -> pd.DataFrame:
    """Estimated fields a draw holds, with how many figures each and why."""
    frame = ranges(catalogue)
    varied = frame.apply(lambda r: r["field"] in VARIED.get(r["table"], ()), axis=1)
    held = frame[~varied].groupby(["table", "field"]).size().rename("figures").reset_index()
    held["why"] = held["field"].map(HELD).fillna("not read by the model")
    return held
