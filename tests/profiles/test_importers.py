"""Importers on real sample files (see tests/data/FORMATS.md for provenance)."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.errors import DataError
from planner.profiles.importers import read_entsoe_day_ahead, read_ninja, read_pvgis_tmy
from tests.conftest import SAMPLES, write


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_pvgis_tmy_reads_real_file_into_one_reference_year(suffix):
    frame = read_pvgis_tmy(SAMPLES / f"pvgis_tmy_45.000_8.000.{suffix}")
    assert len(frame) == 8760
    assert frame.index.is_monotonic_increasing
    assert (frame.index.year == 2019).all() and str(frame.index.tz) == "UTC"
    # shared reference: PVGIS TMY at 45N 8E receives 1436 kWh/m2/yr GHI
    assert frame["ghi_w_per_m2"].sum() / 1000 == pytest.approx(1436, abs=1)
    assert frame["temp_air_c"].mean() == pytest.approx(13.56, abs=0.01)


def test_pvgis_rejects_other_files(tmp_path):
    with pytest.raises(DataError, match="not a PVGIS TMY file"):
        read_pvgis_tmy(SAMPLES / "ninja_pv_sample.csv")
    with pytest.raises(DataError, match="file not found"):
        read_pvgis_tmy(tmp_path / "none.csv")


def test_ninja_pv_and_wind_samples():
    pv = read_ninja(SAMPLES / "ninja_pv_sample.csv")
    assert len(pv) == 168 and pv.index[0] == pd.Timestamp("2014-01-01 00:00", tz="UTC")
    assert pv["cf_frac"].between(0, 1).all()
    assert pv.loc[pv.index.hour == 0, "cf_frac"].max() == 0  # Berlin night
    assert "temp_air_c" in pv
    wind = read_ninja(SAMPLES / "ninja_wind_sample.csv")
    assert wind["cf_frac"].iloc[0] == pytest.approx(0.086)
    assert "wind_speed_m_per_s" in wind


def test_ninja_capacity_from_metadata_normalises_to_capacity_factor(tmp_path):
    text = (SAMPLES / "ninja_wind_sample.csv").read_text().replace('"capacity": "1"',
                                                                  '"capacity": "2000"')
    lines = text.splitlines()
    header = [line for line in lines if line.startswith("#") or line.startswith("time")]
    rows = [line for line in lines if line[:1].isdigit()]
    scaled = []
    for row in rows:
        t, lt, e, ws = row.split(",")
        scaled.append(f"{t},{lt},{float(e) * 2000:g},{ws}")
    path = write(tmp_path / "w.csv", "\n".join(header + scaled) + "\n")
    assert read_ninja(path)["cf_frac"].iloc[0] == pytest.approx(0.086)


def test_ninja_bad_value_names_the_row(tmp_path):
    text = (SAMPLES / "ninja_wind_sample.csv").read_text()
    text = text.replace("2015-01-01 02:00,2015-01-01 03:00,", "2015-01-01 02:00,2015-01-01 03:00,x")
    with pytest.raises(DataError, match="row 3"):
        read_ninja(write(tmp_path / "w.csv", text))


def test_entsoe_classic_export_handles_the_repeated_autumn_hour():
    frame = read_entsoe_day_ahead(SAMPLES / "entsoe_day_ahead_sample.csv")
    # 27 Oct 2019 has 25 hours: 73 rows are 73 distinct UTC hours
    assert len(frame) == 73 and frame.index.is_unique
    assert frame.index[0] == pd.Timestamp("2019-10-26 22:00", tz="UTC")  # 00:00 CEST
    # both 02:00 rows are kept, in file order: CEST first (00:00 UTC), CET second (01:00 UTC)
    assert frame.at[pd.Timestamp("2019-10-27 00:00", tz="UTC"), "price_eur_per_mwh"] == 31.46
    assert frame.at[pd.Timestamp("2019-10-27 01:00", tz="UTC"), "price_eur_per_mwh"] == 31.49


def test_entsoe_new_export_quarter_hours_to_hourly_means():
    frame = read_entsoe_day_ahead(SAMPLES / "entsoe_day_ahead_sample_v2.csv")
    assert len(frame) == 25  # 100 quarter-hours of the 25-hour day
    first = frame["price_eur_per_mwh"].iloc[0]
    assert first == pytest.approx((18.52 + 16.60 + 10.74 + 5.67) / 4)
    assert frame["price_eur_per_mwh"].min() < 0  # negative prices are kept


def test_entsoe_missing_markers_are_dropped_not_zero(tmp_path):
    text = (SAMPLES / "entsoe_day_ahead_sample.csv").read_text()
    text = text.replace('"32.21"', '"n/e"').replace('"31.68"', '"-"')
    frame = read_entsoe_day_ahead(write(tmp_path / "p.csv", text))
    assert len(frame) == 71
    assert (frame["price_eur_per_mwh"] != 0).all()


def test_entsoe_malformed_files(tmp_path):
    with pytest.raises(DataError, match="not an ENTSO-E day-ahead price export"):
        read_entsoe_day_ahead(write(tmp_path / "x.csv", "time,price\n2019-01-01,3\n"))
    with pytest.raises(DataError, match="cannot read ENTSO-E CSV"):
        read_entsoe_day_ahead(SAMPLES / "ninja_pv_sample.csv")
    text = (SAMPLES / "entsoe_day_ahead_sample.csv").read_text().replace('"44.44"', '"abc"')
    with pytest.raises(DataError) as info:
        read_entsoe_day_ahead(write(tmp_path / "p.csv", text))
    assert info.value.problems[0].line == 20  # header is line 1
