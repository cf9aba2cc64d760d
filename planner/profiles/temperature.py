"""Hourly outdoor temperature from monthly climate normals.

No hourly measured temperature ships for every candidate site, so gigaplan
synthesises one reference year per site from sourced monthly normals:

``T(h) = T_month(d) + A(d) + R_month/2 * cos(2*pi*(solar_hour(h) - 15)/24)``

- ``T_month(d)``: monthly means interpolated periodically to days, then corrected
  so every month's mean equals its normal exactly;
- ``A(d)``: a day-to-day synoptic anomaly, AR(1) with lag-1 correlation 0.7 and
  standard deviation 3 K (estimates typical of European mid-latitudes), seeded
  from the site id so the year is reproducible, zero mean within each month;
- ``R_month``: the mean daily temperature range; the daily maximum at 15:00 local
  solar time.

The result keeps monthly means and mean daily ranges of the normals and gives
plausible peaks for cooling design; it is not a measured year (marked as
derived in data/SOURCES.md). Import a measured year with
:func:`planner.profiles.importers.read_pvgis_tmy` where one is available.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

ANOMALY_STD_K = 3.0
ANOMALY_LAG1 = 0.7
PEAK_SOLAR_HOUR = 15.0


def _seed(site_id: str) -> int:
    return zlib.crc32(site_id.encode("utf-8"))


def hourly_temperature(times_utc: pd.DatetimeIndex, lon_deg: float, monthly_mean_c: np.ndarray,
                       monthly_range_k: np.ndarray, site_id: str) -> np.ndarray:
    """Synthesise hourly air temperature [°C] for one site (see module docstring).

    Parameters
    ----------
    times_utc : hour-start timestamps in UTC (one reference year).
    lon_deg : site longitude [degrees], for local solar time.
    monthly_mean_c : 12 monthly mean temperatures [°C].
    monthly_range_k : 12 mean daily temperature ranges [K].
    site_id : seeds the synoptic anomaly (same site, same year).
    """
    monthly_mean_c = np.asarray(monthly_mean_c, float)
    monthly_range_k = np.asarray(monthly_range_k, float)
    days = times_utc.floor("D")
    unique_days = days.unique()
    doy = np.arange(len(unique_days))
    month_of_day = unique_days.month.to_numpy() - 1
    mid = np.array([15, 45, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349], float)
    # periodic linear interpolation between mid-month values
    xp = np.concatenate([mid - 365, mid, mid + 365])
    fp = np.tile(monthly_mean_c, 3)
    daily = np.interp(doy, xp, fp)
    rng = np.random.default_rng(_seed(site_id))
    shocks = rng.normal(0.0, ANOMALY_STD_K * np.sqrt(1 - ANOMALY_LAG1**2), len(doy))
    anomaly = np.empty(len(doy))
    anomaly[0] = rng.normal(0.0, ANOMALY_STD_K)
    for i in range(1, len(doy)):
        anomaly[i] = ANOMALY_LAG1 * anomaly[i - 1] + shocks[i]
    daily = daily + anomaly
    # exact monthly means
    for m in range(12):
        sel = month_of_day == m
        daily[sel] += monthly_mean_c[m] - daily[sel].mean()
    day_pos = pd.Index(unique_days).get_indexer(days)
    solar_hour = (times_utc.hour.to_numpy() + lon_deg / 15.0) % 24
    half_range = 0.5 * monthly_range_k[times_utc.month.to_numpy() - 1]
    diurnal = half_range * np.cos(2 * np.pi * (solar_hour - PEAK_SOLAR_HOUR) / 24.0)
    return daily[day_pos] + diurnal
