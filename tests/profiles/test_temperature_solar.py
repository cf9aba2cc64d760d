"""Temperature synthesis and clear-sky PV against hand-checkable figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.profiles.entsoe_generation import hourly_utc_index
from planner.profiles.solar import clear_sky_pv_cf, daily_clearness, optimal_tilt_deg
from planner.profiles.temperature import hourly_temperature

TIMES = hourly_utc_index(2019)
MEANS = np.array([1.5, 2.0, 5.5, 9.0, 13.5, 16.5, 18.5, 18.0, 14.5, 10.5, 5.5, 2.5])
RANGES = np.array([5.0, 6.0, 8.0, 10.0, 11.0, 11.0, 11.0, 10.0, 9.0, 7.0, 5.5, 5.0])


def test_reference_year_has_8760_utc_hours():
    assert len(TIMES) == 8760 and str(TIMES.tz) == "UTC"
    assert not ((TIMES.month == 2) & (TIMES.day == 29)).any()


def test_temperature_keeps_monthly_normals_exactly():
    temp = hourly_temperature(TIMES, 6.4, MEANS, RANGES, "julich")
    monthly = pd.Series(temp, index=TIMES).groupby(TIMES.month).mean().to_numpy()
    np.testing.assert_allclose(monthly, MEANS, atol=1e-9)


def test_temperature_daily_cycle_peaks_mid_afternoon_with_normal_range():
    temp = pd.Series(hourly_temperature(TIMES, 0.0, MEANS, RANGES, "x"), index=TIMES)
    july = temp[TIMES.month == 7]
    by_hour = july.groupby(july.index.hour).mean()
    assert by_hour.idxmax() == 15  # longitude 0: solar time = UTC
    assert by_hour.max() - by_hour.min() == pytest.approx(RANGES[6], rel=0.01)


def test_temperature_is_reproducible_per_site_and_differs_between_sites():
    a = hourly_temperature(TIMES, 6.4, MEANS, RANGES, "julich")
    b = hourly_temperature(TIMES, 6.4, MEANS, RANGES, "julich")
    c = hourly_temperature(TIMES, 6.4, MEANS, RANGES, "kajaani")
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_optimal_tilt_rule():
    # Jacobson & Jadhav 2018: 0.76 * lat + 3.1
    assert optimal_tilt_deg(45.0) == pytest.approx(37.3)


def test_clear_sky_pv_yield_at_45n_is_plausible():
    """pvlib's clear-sky GHI at 45N 8E is ~1722 kWh/m2/yr (shared reference); under clear
    skies an optimally tilted plane gains ~15-25 % (mostly beam), 14 % system losses and
    warm cells take ~17 % back: about 1500-1850 kWh/kWp, a capacity factor of 0.17-0.21."""
    temp = np.full(len(TIMES), 12.0)
    cf = clear_sky_pv_cf(TIMES, 45.0, 8.0, temp)
    assert 0.17 < cf.mean() < 0.21
    night = TIMES.hour == 0  # 01:00 local: dark all year at 8E
    assert cf[night].max() == 0.0


def test_daily_clearness_is_one_on_average_and_tracks_cloudy_days():
    times = TIMES[: 24 * 4]
    clear = pd.Series(np.tile(np.r_[np.zeros(8), np.ones(8), np.zeros(8)], 4), index=times)
    real = clear * np.repeat([1.0, 1.0, 0.2, 1.8], 24)
    k = daily_clearness(real, clear)
    assert k.groupby(times.floor("D")).first().tolist() == pytest.approx([1.0, 1.0, 0.2, 1.8])
