"""Time resolution: representative days by tsam, or the full year."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import tsam

COLUMNS = ("temp_air_c", "solar_cf_frac", "wind_cf_frac", "price_eur_per_mwh",
           "grid_co2_g_per_kwh")


@dataclass(frozen=True)
class Periods:
    """Periods with weights, and the site profiles on them.

    ``table``: index ``period``; ``weight_h``, ``day``, ``hour``. ``profiles``: index
    (``site``, ``period``), the columns of :data:`COLUMNS`. ``accuracy``: tsam's RMSE
    per column (empty for the full year).
    """

    table: pd.DataFrame
    profiles: pd.DataFrame
    accuracy: pd.DataFrame


def full_year(hourly: pd.DataFrame) -> Periods:
    """Every hour its own period (weight 1 h), one storage cycle over the year."""
    hours = sorted(hourly["time_utc"].unique())
    index = pd.Index(range(len(hours)), name="period")
    table = pd.DataFrame({"weight_h": 1.0, "day": 0, "hour": [h.hour for h in hours]},
                         index=index)
    position = {h: i for i, h in enumerate(hours)}
    prof = hourly.assign(period=hourly["time_utc"].map(position)).set_index(["site", "period"])
    return Periods(table, prof[list(COLUMNS)].sort_index(), pd.DataFrame())


def representative_days(hourly: pd.DataFrame, n_days: int) -> Periods:
    """``n_days`` typical days chosen by tsam over all sites' profiles at once.

    Hierarchical clustering with medoids, so every site sees the same calendar days'
    weather.

    Weights are the days each cluster represents times 24 h (summing to 8760 h);
    tsam rescales the representatives so each column's weighted mean matches the
    year's (``preserve_column_means``).

    References
    ----------
    Hoffmann, M., Kotzur, L., Stolten, D. (2022). The Pareto-optimal temporal
    aggregation of energy system models. Applied Energy 315, 119029.
    """
    wide = hourly.pivot(index="time_utc", columns="site", values=list(COLUMNS))
    wide.columns = [f"{col}|{site}" for col, site in wide.columns]
    wide.index = pd.DatetimeIndex(wide.index).tz_localize(None)
    result = tsam.aggregate(wide, n_days, period_duration=24)
    reps = result.cluster_representatives
    counts = result.cluster_counts
    days = sorted(counts)
    rows, records = [], []
    for d_i, day in enumerate(days):
        for hour in range(24):
            period = d_i * 24 + hour
            rows.append({"period": period, "weight_h": float(counts[day]), "day": d_i,
                         "hour": hour})
            values = reps.loc[(day, hour)]
            for key, value in values.items():
                col, site = key.split("|", 1)
                records.append((site, period, col, float(value)))
    table = pd.DataFrame(rows).set_index("period")
    long = pd.DataFrame(records, columns=["site", "period", "column", "value"])
    prof = long.pivot_table(index=["site", "period"], columns="column", values="value")
    prof = prof[list(COLUMNS)].sort_index()
    prof["solar_cf_frac"] = prof["solar_cf_frac"].clip(0.0, 1.0)
    prof["wind_cf_frac"] = prof["wind_cf_frac"].clip(0.0, 1.0)
    accuracy = result.accuracy.rmse if hasattr(result.accuracy, "rmse") else pd.DataFrame()
    return Periods(table, prof, pd.DataFrame(accuracy))
