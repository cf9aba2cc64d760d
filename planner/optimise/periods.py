"""Time resolution: representative days by tsam (with each site's extreme days), or the full year.

Sites are clustered in *groups* that share a calendar: one group per member state by
default (24/7 matching is counted within a member state, so its sites must see the same
days), or one group for all sites (the full year, or pooled 24/7 matching). Each group
gets its own typical days, plus the hottest day and the lowest-renewable day of each of
its sites, so peaks the plan is sized on are not averaged away. ``calendar`` records
which representative day stands for each calendar day, so calendar-bound inputs
(training-run windows) and the full-year check can map between the two.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd
import tsam
from tsam import ExtremeConfig

COLUMNS = ("temp_air_c", "solar_cf_frac", "wind_cf_frac", "price_eur_per_mwh",
           "grid_co2_g_per_kwh", "dh_demand_frac")
"""Hourly site columns carried into the periods (``dh_demand_frac`` is derived by the caller)."""

HOURS_PER_DAY = 24
DAYS_PER_YEAR = 365
ALL = "all"
"""Group name when every site shares one calendar."""

_MINIMAL_WEIGHT = 1e-6
"""tsam weight of helper columns used only to find extreme days."""
SEGMENT_WEIGHT = 100.0
"""tsam weight of the calendar-segment indicators: days of different segments never share
a typical day (so a training window is either open or closed on every typical day)."""


@dataclass(frozen=True)
class Periods:
    """Periods with weights, the site profiles on them, and the calendar behind them.

    Attributes
    ----------
    table : index ``period``; ``weight_h`` [h] (hours of the year each stands for; they sum
        to 8760 within each group), ``day`` (representative-day id, or calendar day at full
        resolution), ``hour`` (0-23), ``cycle`` (storage cycles within it), ``group``,
        ``kind`` (``typical``, ``hottest``, ``lowest_renewable``, ``added`` or ``hour``).
    profiles : index (``site``, ``period``) for the periods of the site's group; the
        columns of :data:`COLUMNS`.
    calendar : index (``group``, ``doy``) for doy 0..364; ``day``: the day standing for it.
    site_group : index ``site``; the group of each site.
    accuracy : tsam's RMSE per column (empty for the full year).
    """

    table: pd.DataFrame
    profiles: pd.DataFrame
    calendar: pd.DataFrame
    site_group: pd.Series
    accuracy: pd.DataFrame

    @property
    def full_year(self) -> bool:
        """Every hour is its own period."""
        return bool((self.table["kind"] == "hour").all())

    def days_in(self, day: int) -> np.ndarray:
        """Calendar days (0..364) that representative day ``day`` stands for."""
        cal = self.calendar
        return cal.index.get_level_values("doy")[cal["day"].to_numpy() == day].to_numpy()


def _doy(hourly: pd.DataFrame) -> pd.Series:
    hours = pd.DatetimeIndex(hourly["time_utc"])
    start = hours.min()
    return pd.Series(((hours - start) // pd.Timedelta(hours=1)).to_numpy() // HOURS_PER_DAY,
                     index=hourly.index)


def full_year(hourly: pd.DataFrame) -> Periods:
    """Every hour its own period (weight 1 h), one storage cycle over the year, one group."""
    hours = sorted(hourly["time_utc"].unique())
    n = len(hours)
    index = pd.Index(range(n), name="period")
    table = pd.DataFrame({"weight_h": 1.0, "day": np.arange(n) // HOURS_PER_DAY,
                          "hour": [pd.Timestamp(h).hour for h in hours], "cycle": 0,
                          "group": ALL, "kind": "hour"}, index=index)
    position = {h: i for i, h in enumerate(hours)}
    prof = hourly.assign(period=hourly["time_utc"].map(position)).set_index(["site", "period"])
    days = n // HOURS_PER_DAY
    calendar = pd.DataFrame({"day": np.arange(days)}, index=pd.MultiIndex.from_product(
        [[ALL], range(days)], names=["group", "doy"]))
    sites = sorted(hourly["site"].unique())
    return Periods(table, prof[list(COLUMNS)].sort_index(), calendar,
                   pd.Series(ALL, index=pd.Index(sites, name="site")), pd.DataFrame())


def representative_days(hourly: pd.DataFrame, n_days: int, site_group: pd.Series,
                        extreme_days: bool = True,
                        day_segments: np.ndarray | None = None) -> Periods:
    """``n_days`` typical days per group chosen by tsam, plus each site's extreme days.

    Hierarchical clustering with medoids over the group's sites at once; tsam rescales
    the typical days so each column's weighted mean matches the year's
    (``preserve_column_means``). With ``extreme_days`` the day holding each site's
    hottest hour and the day of its lowest mean renewable capacity factor (solar plus
    wind) are appended as periods of one day each (tsam
    ``ExtremeConfig(method="append")``), keeping their real values.

    ``day_segments`` (one id per calendar day, e.g. which training windows are open)
    keeps days of different segments apart: an indicator per segment enters the
    clustering with a large weight (and is not rescaled), so every typical day lies in
    one segment.

    References
    ----------
    Hoffmann, M., Kotzur, L., Stolten, D. (2022). The Pareto-optimal temporal
    aggregation of energy system models. Applied Energy 315, 119029.
    """
    tables, profiles, calendars, accuracies = [], [], [], []
    next_day = 0
    for group in sorted(site_group.unique()):
        sites = sorted(site_group.index[site_group == group])
        part = hourly[hourly["site"].isin(sites)]
        table, prof, calendar, accuracy = _cached_group_days(part, sites, group, n_days,
                                                             extreme_days, next_day,
                                                             day_segments)
        next_day = int(table["day"].max()) + 1
        tables.append(table)
        profiles.append(prof)
        calendars.append(calendar)
        accuracies.append(accuracy)
    table = pd.concat(tables, ignore_index=True)
    table.index.name = "period"
    offsets = np.cumsum([0] + [len(t) for t in tables[:-1]])
    prof = pd.concat([p.rename(index=lambda t, o=o: t + o, level="period")
                      for p, o in zip(profiles, offsets, strict=True)]).sort_index()
    return Periods(table, prof, pd.concat(calendars).sort_index(), site_group.sort_index(),
                   pd.concat(accuracies) if accuracies else pd.DataFrame())


GROUP_DAYS_CACHE_SIZE = 32
"""Groups whose representative days a process keeps (a study re-solves the same weather)."""
_group_days_cache: OrderedDict[str, tuple] = OrderedDict()


def _group_key(part: pd.DataFrame, sites: list[str], group: str, n_days: int,
               extreme_days: bool, first_day: int, day_segments: np.ndarray | None) -> str:
    """Digest of everything :func:`_group_days` reads (tsam is deterministic on it)."""
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(part[["site", "time_utc", *COLUMNS]],
                                             index=False).to_numpy().tobytes())
    digest.update(repr((sites, group, n_days, extreme_days, first_day)).encode())
    if day_segments is not None:
        digest.update(np.asarray(day_segments, dtype=np.int64).tobytes())
    return digest.hexdigest()


def _cached_group_days(part: pd.DataFrame, sites: list[str], group: str, n_days: int,
                       extreme_days: bool, first_day: int, day_segments: np.ndarray | None):
    """:func:`_group_days`, remembered per process for its last inputs.

    Keeps :data:`GROUP_DAYS_CACHE_SIZE` groups; returns copies, so callers may edit them.
    """
    key = _group_key(part, sites, group, n_days, extreme_days, first_day, day_segments)
    found = _group_days_cache.get(key)
    if found is None:
        found = _group_days(part, sites, group, n_days, extreme_days, first_day, day_segments)
        _group_days_cache[key] = found
        if len(_group_days_cache) > GROUP_DAYS_CACHE_SIZE:
            _group_days_cache.popitem(last=False)
    else:
        _group_days_cache.move_to_end(key)
    return tuple(frame.copy() for frame in found)


def _group_days(part: pd.DataFrame, sites: list[str], group: str, n_days: int,
                extreme_days: bool, first_day: int, day_segments: np.ndarray | None):
    wide = part.pivot(index="time_utc", columns="site", values=list(COLUMNS))
    wide.columns = [f"{col}|{site}" for col, site in wide.columns]
    wide.index = pd.DatetimeIndex(wide.index).tz_localize(None)
    helpers: dict[str, np.ndarray] = {}
    weights: dict[str, float] = {}
    segments = np.zeros(len(wide) // HOURS_PER_DAY, dtype=int) if day_segments is None \
        else np.asarray(day_segments, dtype=int)
    by_hour = np.repeat(segments, HOURS_PER_DAY)
    ids = sorted(set(segments.tolist()))
    if len(ids) > 1:
        for k in ids:
            helpers[f"segment|{k}"] = (by_hour == k).astype(float)
            weights[f"segment|{k}"] = SEGMENT_WEIGHT
    extremes = None
    if extreme_days:
        for site in sites:
            name = f"renewable_cf|{site}"
            helpers[name] = (wide[f"solar_cf_frac|{site}"].to_numpy()
                             + wide[f"wind_cf_frac|{site}"].to_numpy()) / 2.0
            weights[name] = _MINIMAL_WEIGHT
        extremes = ExtremeConfig(method="append", max_value=[f"temp_air_c|{s}" for s in sites],
                                 min_period=[f"renewable_cf|{s}" for s in sites])
    if helpers:
        wide = pd.concat([wide, pd.DataFrame(helpers, index=wide.index)], axis=1)
    weights = {c: weights.get(c, 1.0) for c in wide.columns} if weights else None
    n_days = min(max(n_days, len(ids)), len(wide) // HOURS_PER_DAY)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*minimal tolerable weighting.*")
        result = tsam.aggregate(wide, n_days, period_duration=HOURS_PER_DAY, weights=weights,
                                extremes=extremes,
                                rescale_exclude_columns=list(helpers) or None)
    counts = result.cluster_counts
    assignments = np.asarray(result.cluster_assignments)
    clusters = sorted(counts)
    kinds = _extreme_kinds(wide, sites, assignments, n_days) if extreme_days else {}
    day_of = {c: first_day + i for i, c in enumerate(clusters)}
    reps = result.cluster_representatives
    rows = [{"weight_h": float(counts[c]), "day": day_of[c], "hour": hour, "cycle": day_of[c],
             "group": group, "kind": kinds.get(c, "typical")}
            for c in clusters for hour in range(HOURS_PER_DAY)]
    table = pd.DataFrame(rows)
    # period p of the group is hour p % 24 of its (p // 24)-th cluster in sorted order
    block = reps.loc[pd.MultiIndex.from_product([clusters, range(HOURS_PER_DAY)])]
    periods = np.arange(len(block))
    prof = pd.concat([
        pd.DataFrame({col: block[f"{col}|{site}"].to_numpy(float) for col in COLUMNS},
                     index=pd.MultiIndex.from_arrays([[site] * len(periods), periods],
                                                     names=["site", "period"]))
        for site in sites])
    prof = _clip(prof)
    calendar = pd.DataFrame({"day": [day_of[c] for c in assignments]},
                            index=pd.MultiIndex.from_product([[group], range(len(assignments))],
                                                             names=["group", "doy"]))
    accuracy = result.accuracy.rmse if hasattr(result.accuracy, "rmse") else pd.Series(dtype=float)
    return table, prof, calendar, pd.DataFrame(accuracy).assign(group=group)


def _extreme_kinds(wide: pd.DataFrame, sites: list[str], assignments: np.ndarray,
                   n_typical: int) -> dict[int, str]:
    """Label the appended clusters (ids from ``n_typical`` up) by the extreme they keep."""
    days = np.arange(len(wide)) // HOURS_PER_DAY
    hottest = {int(days[np.argmax(wide[f"temp_air_c|{s}"].to_numpy())]) for s in sites}
    kinds = {}
    for cluster in set(assignments.tolist()):
        if cluster < n_typical:
            continue
        members = np.flatnonzero(assignments == cluster)
        kinds[cluster] = "hottest" if set(members.tolist()) & hottest else "lowest_renewable"
    return kinds


def _clip(prof: pd.DataFrame) -> pd.DataFrame:
    prof = prof.copy()
    for col in ("solar_cf_frac", "wind_cf_frac", "dh_demand_frac"):
        prof[col] = prof[col].clip(0.0, 1.0)
    return prof.sort_index()


def add_days(periods: Periods, hourly: pd.DataFrame, days: dict[str, list[int]]) -> Periods:
    """``periods`` with calendar days added as periods of their own (real values, weight 1 h).

    ``days`` maps a group to calendar days (0..364). Each added day takes one day of
    weight (1 h from each of its hours) from the representative day that stood for it,
    so every group's weights still sum to 8760 h. Days that already stand alone are
    skipped.
    """
    if periods.full_year:
        return periods
    table = periods.table.copy()
    calendar = periods.calendar.copy()
    doy = _doy(hourly)
    new_rows, new_prof = [], []
    next_day = int(table["day"].max()) + 1
    next_period = int(table.index.max()) + 1
    for group, wanted in sorted(days.items()):
        sites = sorted(periods.site_group.index[periods.site_group == group])
        for d in sorted(set(int(x) for x in wanted)):
            old = int(calendar.at[(group, d), "day"])
            if (calendar["day"] == old).sum() <= 1:
                continue  # it already stands alone
            table.loc[table["day"] == old, "weight_h"] -= 1.0  # one calendar day fewer
            calendar.at[(group, d), "day"] = next_day
            on_day = hourly[(doy == d) & hourly["site"].isin(sites)]
            for hour in range(HOURS_PER_DAY):
                period = next_period + hour
                new_rows.append({"period": period, "weight_h": 1.0,
                                 "day": next_day, "hour": hour, "cycle": next_day,
                                 "group": group, "kind": "added"})
                at_hour = on_day[pd.DatetimeIndex(on_day["time_utc"]).hour == hour]
                for _, row in at_hour.iterrows():
                    new_prof.append({"site": row["site"], "period": period,
                                     **{c: float(row[c]) for c in COLUMNS}})
            next_day += 1
            next_period += HOURS_PER_DAY
    if not new_rows:
        return periods
    table = pd.concat([table, pd.DataFrame(new_rows).set_index("period")])
    table.index.name = "period"
    prof = pd.concat([periods.profiles,
                      _clip(pd.DataFrame(new_prof).set_index(["site", "period"]))]).sort_index()
    return Periods(table, prof, calendar, periods.site_group, periods.accuracy)


def window_activity(periods: Periods, site_groups: list[str], start_day: float,
                    end_day: float) -> pd.Series:
    """Share of each period's calendar days inside ``[start_day, end_day)`` [0-1].

    Partial days count by their overlap; at full resolution a period is one hour of
    one day. Indexed by the periods of ``site_groups``.
    """
    out = {}
    table = periods.table
    for group in site_groups:
        rows = table[table["group"] == group]
        if periods.full_year:
            share = day_overlap(rows["day"].to_numpy(), start_day, end_day)
            out.update(zip(rows.index, share, strict=True))
            continue
        cal = periods.calendar.xs(group, level="group")
        for day, members in cal.groupby("day").groups.items():
            doys = np.asarray(members)
            share = float(np.mean(day_overlap(doys, start_day, end_day)))
            for p in rows.index[rows["day"] == day]:
                out[p] = share
    return pd.Series(out, dtype=float).sort_index()


def day_overlap(doy, start: float, end: float):
    """Share of calendar day ``doy`` (or an array of days) inside ``[start, end)`` [0-1]."""
    doy = np.asarray(doy, dtype=float)
    share = np.clip(np.minimum(end, doy + 1.0) - np.maximum(start, doy), 0.0, None)
    return float(share) if share.ndim == 0 else share


def mean_days(hourly: pd.DataFrame, site_group: pd.Series,
              day_segments: np.ndarray | None = None) -> Periods:
    """One average day per group and calendar segment (a coarse, fast representation).

    Each hour of the day is averaged over the segment's calendar days, so column means
    are kept exactly; used to find a first feasible plan quickly, not to plan on.
    """
    doy = _doy(hourly)
    hours = pd.DatetimeIndex(hourly["time_utc"]).hour
    days = int(doy.max()) + 1
    segments = np.zeros(days, dtype=int) if day_segments is None else np.asarray(day_segments)
    frame = hourly.assign(segment=segments[doy.to_numpy()], hour=hours)
    rows, prof_parts, calendars = [], [], []
    day = 0
    for group in sorted(site_group.unique()):
        sites = sorted(site_group.index[site_group == group])
        part = frame[frame["site"].isin(sites)]
        cal = np.zeros(days, dtype=int)
        for seg in sorted(set(segments.tolist())):
            members = np.flatnonzero(segments == seg)
            sub = part[part["segment"] == seg]
            means = sub.groupby(["site", "hour"])[list(COLUMNS)].mean()
            first = len(rows)
            for hour in range(HOURS_PER_DAY):
                rows.append({"weight_h": float(len(members)), "day": day, "hour": hour,
                             "cycle": day, "group": group, "kind": "mean"})
            prof_parts.append(means.reset_index().assign(
                period=lambda f, base=first: base + f["hour"]).drop(columns="hour"))
            cal[members] = day
            day += 1
        calendars.append(pd.DataFrame({"day": cal}, index=pd.MultiIndex.from_product(
            [[group], range(days)], names=["group", "doy"])))
    table = pd.DataFrame(rows)
    table.index.name = "period"
    prof = pd.concat(prof_parts).set_index(["site", "period"])[list(COLUMNS)]
    return Periods(table, _clip(prof), pd.concat(calendars).sort_index(), site_group.sort_index(),
                   pd.DataFrame())
