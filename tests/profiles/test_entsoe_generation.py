"""ENTSO-E generation import: real 15-minute sample and gap handling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.errors import DataError
from planner.profiles.entsoe_generation import read_generation_file, to_hourly_year
from tests.conftest import SAMPLES


def test_real_quarter_hour_sample_becomes_hourly_utc_means():
    raw = pd.read_parquet(SAMPLES / "2019_DE_gen_entsoe.parquet")
    # a full year is expected: check the resampling on the sample's own span
    hourly = raw.tz_convert("UTC").resample("h").mean()
    first = hourly.index[0]
    quarter = raw.tz_convert("UTC").loc[first: first + pd.Timedelta(minutes=45)]
    assert hourly.loc[first, "Wind Onshore"] == pytest.approx(quarter["Wind Onshore"].mean())


def test_short_sample_is_rejected_with_missing_hours(tmp_path):
    with pytest.raises(DataError) as info:
        read_generation_file(SAMPLES / "2019_DE_gen_entsoe.parquet", 2019)
    assert "hours of 2019 have no data for any production type" in str(info.value)


def _year(values: dict[str, np.ndarray]) -> pd.DataFrame:
    index = pd.date_range("2019-01-01", periods=8760, freq="h", tz="Europe/Berlin")
    return pd.DataFrame(values, index=index)


def test_gap_rules_interpolate_zero_or_drop():
    n = 8760
    big = np.full(n, 1000.0)
    short_gap = big.copy()
    short_gap[100:104] = np.nan  # 4 h: interpolated
    minor = np.full(n, 5.0)
    minor[:2000] = np.nan  # minor type absent for months: set to 0
    major = np.full(n, 800.0)
    major[:3000] = np.nan  # major type absent for months: dropped
    gaps: list[dict] = []
    out = to_hourly_year(_year({"A": short_gap, "Minor": minor, "Major": major}), 2019, "f",
                         gaps)
    assert out["A"].notna().all()
    assert (out["Minor"].iloc[:1900] == 0).all()
    assert "Major" not in out
    actions = {g["production_type"]: g["action"] for g in gaps}
    assert actions == {"Minor": "set_to_zero", "Major": "dropped"}


def test_naive_timestamps_are_refused():
    frame = pd.DataFrame({"A": [1.0]}, index=pd.DatetimeIndex(["2019-01-01"]))
    with pytest.raises(DataError, match="timezone-aware"):
        to_hourly_year(frame, 2019, "f")
