"""Estimates as data: every estimated figure has one range that holds it, and the share counts."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from planner.catalogue.estimates import check_estimate_ranges, figure_columns, figure_share
from tests.conftest import DATA, ROOT

COLUMNS = ["table", "id", "field", "low", "high", "reason"]


def _validate(data_dir, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planner", "data", "validate", "--data",
                           str(data_dir), *extra], cwd=ROOT, text=True, capture_output=True,
                          timeout=300)


@pytest.fixture
def data_dir(data_copy):
    """A writable copy of the tables, sharing the bundled (read-only) profiles."""
    (data_copy / "profiles").symlink_to(DATA / "profiles", target_is_directory=True)
    return data_copy


def _ranges(data_dir) -> pd.DataFrame:
    return pd.read_csv(data_dir / "estimate_ranges.csv", dtype=str, keep_default_na=False)


def _line_of(frame: pd.DataFrame, table: str, row_id: str, field: str) -> int:
    hit = frame.index[(frame["table"] == table) & (frame["id"] == row_id)
                      & (frame["field"] == field)]
    return int(hit[0]) + 2


def _refused(data_dir) -> str:
    result = _validate(data_dir)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert "data error" in result.stderr
    return result.stderr


def test_the_bundled_ranges_cover_every_estimate_and_hold_its_value(catalogue):
    assert check_estimate_ranges(catalogue.tables, catalogue.data_dir) == []
    ranges = catalogue.estimate_ranges
    assert list(ranges.columns) == COLUMNS
    assert ranges["low"].dtype == float and ranges["high"].dtype == float
    assert (ranges["low"] <= ranges["high"]).all()
    assert ranges["reason"].str.len().min() > 10
    share = figure_share(catalogue.tables)
    assert share.estimates == len(ranges)


def test_bundled_validate_reports_the_published_share():
    result = subprocess.run([sys.executable, "-m", "planner", "data", "validate", "--json"],
                            cwd=ROOT, text=True, capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr
    share = json.loads(result.stdout)["published_share"]
    assert share["figures"] == share["published"] + share["estimates"]
    assert share["share"] == pytest.approx(share["published"] / share["figures"], abs=1e-4)
    text = subprocess.run([sys.executable, "-m", "planner", "data", "validate"], cwd=ROOT,
                          text=True, capture_output=True, timeout=300).stdout
    assert (f"sites and countries: {share['published']:,} of {share['figures']:,} figures"
            in text)
    assert "estimates, each with a range" in text


def test_a_missing_range_names_the_estimate_and_the_row_it_needs(data_dir):
    ranges = _ranges(data_dir)
    ranges = ranges.drop(index=_line_of(ranges, "sites", "julich", "grid_mw_now") - 2)
    ranges.to_csv(data_dir / "estimate_ranges.csv", index=False)
    stderr = _refused(data_dir)
    assert (f"{data_dir / 'sites.csv'}:2: grid_mw_now: estimated figure (sites 'julich', "
            "grid_mw_now) has 0 rows in estimate_ranges.csv; it needs exactly one") in stderr
    assert "sites,julich,grid_mw_now,LOW,HIGH,REASON" in stderr


def test_a_value_outside_its_range_is_refused_at_the_range_row(data_dir):
    ranges = _ranges(data_dir)
    line = _line_of(ranges, "sites", "kajaani", "land_ha")
    high = float(ranges.loc[line - 2, "high"])
    frame = pd.read_csv(data_dir / "sites.csv", dtype=str, keep_default_na=False)
    frame.loc[frame["id"] == "kajaani", "land_ha"] = f"{2 * high:g}"
    frame.to_csv(data_dir / "sites.csv", index=False)
    stderr = _refused(data_dir)
    assert f"{data_dir / 'estimate_ranges.csv'}:{line}: high: sites 'kajaani' land_ha" in stderr
    assert "lies outside its range" in stderr and f"low <= {2 * high:g} <= high" in stderr


def test_a_range_for_a_published_figure_is_refused(data_dir):
    ranges = _ranges(data_dir)
    extra = pd.DataFrame([["countries", "DE", "elec_price_eur_per_mwh", "100", "200",
                           "not an estimate"]], columns=COLUMNS)
    pd.concat([ranges, extra], ignore_index=True).to_csv(data_dir / "estimate_ranges.csv",
                                                         index=False)
    stderr = _refused(data_dir)
    assert (f"{data_dir / 'estimate_ranges.csv'}:{len(ranges) + 2}: field: countries 'DE' "
            "does not list elec_price_eur_per_mwh in its estimated_fields") in stderr


@pytest.mark.parametrize(("change", "message"), [
    ({"id": "atlantis"}, "'atlantis' is not a sites id"),
    ({"field": "lat"}, "'lat' is not a figure column of sites"),
    ({"low": "9999"}, "low 9999 is above high"),
    ({"reason": ""}, "reason: is empty; a value is required"),
    ({"low": "many"}, "'many' is not a number"),
])
def test_a_bad_range_row_is_refused_with_its_line(data_dir, change, message):
    ranges = _ranges(data_dir)
    line = _line_of(ranges, "sites", "julich", "land_ha")
    for column, value in change.items():
        ranges.loc[line - 2, column] = value
    ranges.to_csv(data_dir / "estimate_ranges.csv", index=False)
    stderr = _refused(data_dir)
    assert f"{data_dir / 'estimate_ranges.csv'}:{line}" in stderr
    assert message in stderr


def test_a_duplicated_range_is_refused(data_dir):
    ranges = _ranges(data_dir)
    pd.concat([ranges, ranges.iloc[[0]]], ignore_index=True).to_csv(
        data_dir / "estimate_ranges.csv", index=False)
    stderr = _refused(data_dir)
    assert "duplicate key (sites, julich, grid_mw_now)" in stderr


def test_share_counts_figures_and_estimates_of_a_hand_made_table():
    sites = pd.DataFrame({
        "lat": [50.0, 60.0],                       # coordinates: not figures
        "lon": [6.0, 25.0],
        "grid_mw_now": [10.0, 20.0],               # 2 figures, 1 estimated
        "dh_price_eur_per_mwh": [15.0, np.nan],    # 1 figure (the empty cell is none)
        "water_stress_score": [2.0, 0.3],          # 2 figures, 2 estimated
        "estimated_fields": ["grid_mw_now;water_stress_score;dh_price_eur_per_mwh",
                             "water_stress_score;dh_price_eur_per_mwh"],
    }, index=pd.Index(["a", "b"], name="id"))
    countries = pd.DataFrame({
        "elec_price_eur_per_mwh": [143.0],         # 1 figure, published
        "construction_cost_factor": [1.1],         # 1 figure, estimated
        "estimated_fields": ["construction_cost_factor"],
    }, index=pd.Index(["DE"], name="country"))
    share = figure_share({"sites": sites, "countries": countries})
    # figures: sites 2 + 1 + 2 = 5, countries 2 -> 7; estimates: a 3, b 1, DE 1 -> 5
    assert (share.figures, share.estimates, share.published) == (7, 5, 2)
    assert share.share == pytest.approx(2 / 7)
    assert share.sentence() == ("sites and countries: 2 of 7 figures (28.6 %) from a published "
                                "source; 5 estimates, each with a range")


def test_figures_leave_out_keys_coordinates_and_text():
    columns = figure_columns("sites")
    assert "lat" not in columns and "lon" not in columns and "id" not in columns
    assert {"grid_mw_now", "build_cost_factor", "water_stress_score"} <= set(columns)
    assert "country" not in figure_columns("countries")
