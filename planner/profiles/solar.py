"""Clear-sky photovoltaic output per site with pvlib, shaped by real cloudiness.

Method (documented in data/SOURCES.md):

1. pvlib's solar position and Ineichen clear-sky model with its shipped Linke
   turbidity climatology give clear-sky GHI/DNI/DHI at the site.
2. Transposed to a fixed, south-facing plane tilted at ``0.76*lat + 3.1`` degrees
   (the latitude rule for optimal fixed tilt of Jacobson & Jadhav 2018) with the
   isotropic sky model; cell temperature by the Faiman model from the site's
   hourly air temperature; DC output by PVWatts (-0.4 %/K), 14 % system losses.
3. Each day is multiplied by the country's daily clearness: the ratio of the
   day's real national solar generation (ENTSO-E) to its clear-sky potential,
   normalised over the year, so cloudy weeks are cloudy.
4. The series is finally scaled (capped at 1) to the country's sourced annual
   capacity factor in :mod:`planner.profiles.build`.

References
----------
Ineichen, P., Perez, R. (2002). A new airmass independent formulation for the
Linke turbidity coefficient. Solar Energy 73(3), 151-157.
Jacobson, M. Z., Jadhav, V. (2018). World estimates of PV optimal tilt angles
and ratios of sunlight incident upon tilted and tracked PV panels relative to
horizontal panels. Solar Energy 169, 55-66. doi:10.1016/j.solener.2018.04.030
Dobos, A. P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib

SYSTEM_LOSSES_FRAC = 0.14
GAMMA_PDC_PER_K = -0.004


def optimal_tilt_deg(lat_deg: float) -> float:
    """Optimal fixed tilt [degrees] for latitude ``lat_deg`` (Jacobson & Jadhav 2018)."""
    return 0.76 * abs(lat_deg) + 3.1


def clear_sky_pv_cf(times_utc: pd.DatetimeIndex, lat_deg: float, lon_deg: float,
                    temp_air_c: np.ndarray, altitude_m: float | None = None) -> np.ndarray:
    """Clear-sky PV output per kW of DC capacity [kW/kW], one value per hour.

    Evaluated at the middle of each hour. ``altitude_m`` defaults to pvlib's
    shipped altitude lookup for the location.
    """
    location = pvlib.location.Location(lat_deg, lon_deg, tz="UTC", altitude=altitude_m)
    mid = times_utc + pd.Timedelta(minutes=30)
    solpos = location.get_solarposition(mid)
    clearsky = location.get_clearsky(mid, model="ineichen", solar_position=solpos)
    tilt = optimal_tilt_deg(lat_deg)
    azimuth = 180.0 if lat_deg >= 0 else 0.0
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, azimuth, solpos["apparent_zenith"], solpos["azimuth"],
        clearsky["dni"], clearsky["ghi"], clearsky["dhi"], model="isotropic",
    )["poa_global"].fillna(0.0).to_numpy()
    temp_cell = pvlib.temperature.faiman(poa, np.asarray(temp_air_c, float), wind_speed=1.0)
    dc = pvlib.pvsystem.pvwatts_dc(poa, temp_cell, pdc0=1.0, gamma_pdc=GAMMA_PDC_PER_K)
    return np.clip(np.asarray(dc, float) * (1.0 - SYSTEM_LOSSES_FRAC), 0.0, 1.0)


def daily_clearness(real_mw: pd.Series, clear_cf: pd.Series) -> pd.Series:
    """Per-hour factor: the day's real output over its clear-sky output, mean 1 over the year.

    Days with no clear-sky energy (polar night) get factor 1.
    """
    days = real_mw.index.floor("D")
    real_day = real_mw.groupby(days).sum()
    clear_day = clear_cf.groupby(clear_cf.index.floor("D")).sum()
    ratio = (real_day / real_day.mean()) / (clear_day / clear_day.mean())
    ratio = ratio.where(clear_day > 1e-6, 1.0).clip(lower=0.0, upper=3.0)
    return pd.Series(ratio.reindex(days).to_numpy(), index=real_mw.index)
