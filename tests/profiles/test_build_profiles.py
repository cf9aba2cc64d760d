"""Site profiles: sourced annual means, real shapes, reproducibility of the shipped file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.catalogue import EU27
from planner.profiles.build import (
    SHAPE_PROXY,
    SOLAR_PROXY,
    WIND_PROXY,
    build_profiles,
    read_extract,
)
from planner.profiles.check import check_profiles
from planner.profiles.entsoe_generation import country_generation

SITES = ["julich", "kajaani", "nicosia"]  # DE, FI (solar proxy), CY (whole-country proxy)


@pytest.fixture(scope="module")
def built(catalogue):
    return build_profiles(catalogue, sites=SITES)


def test_one_reference_year_per_site(built):
    assert built.groupby("site").size().to_dict() == {s: 8760 for s in SITES}


def test_annual_means_equal_the_sourced_country_figures(built, catalogue):
    means = built.groupby("site").mean(numeric_only=True)
    for site in SITES:
        country = catalogue.countries.loc[catalogue.sites.at[site, "country"]]
        assert means.at[site, "solar_cf_frac"] == pytest.approx(country["solar_cf_frac"], rel=1e-3)
        assert means.at[site, "wind_cf_frac"] == pytest.approx(country["wind_onshore_cf_frac"],
                                                               rel=1e-3)
        assert means.at[site, "price_eur_per_mwh"] == pytest.approx(
            country["elec_price_eur_per_mwh"], rel=1e-3)


def test_carbon_intensity_keeps_generation_weighted_annual_figure(catalogue):
    extract = read_extract(catalogue.data_dir)
    frame = build_profiles(catalogue, extract, sites=["julich"])
    gen = country_generation(extract, "DE").sum(axis=1).to_numpy()
    weighted = np.sum(frame["grid_co2_g_per_kwh"].to_numpy() * gen) / gen.sum()
    assert weighted == pytest.approx(catalogue.countries.at["DE", "grid_co2_g_per_kwh"], rel=1e-3)


def test_shapes_are_physical(built):
    julich = built[built["site"] == "julich"].set_index("time_utc")
    hours = julich.index.hour
    assert julich.loc[hours == 0, "solar_cf_frac"].max() == 0.0  # 01:00 CET: night
    summer = julich.index.month.isin([6, 7])
    winter = julich.index.month.isin([12, 1])
    assert julich.loc[summer, "solar_cf_frac"].mean() > 3 * julich.loc[winter, "solar_cf_frac"].mean()
    assert julich.loc[summer, "temp_air_c"].mean() > julich.loc[winter, "temp_air_c"].mean() + 10
    # hourly carbon intensity varies with the real German mix of 2019
    assert julich["grid_co2_g_per_kwh"].std() > 30


def test_kajaani_is_colder_and_cheaper_than_bologna(catalogue):
    frame = build_profiles(catalogue, sites=["kajaani", "bologna"]).groupby("site").mean(
        numeric_only=True)
    assert frame.at["kajaani", "temp_air_c"] < frame.at["bologna", "temp_air_c"] - 8
    assert frame.at["kajaani", "price_eur_per_mwh"] < frame.at["bologna", "price_eur_per_mwh"]


def test_every_member_state_gets_shapes_from_a_real_fleet(catalogue):
    """Solar cloudiness from >= 100 MW of reporting solar, wind from >= 50 MW of wind."""
    extract = read_extract(catalogue.data_dir)
    for cc in EU27:
        solar_from = SOLAR_PROXY.get(cc, SHAPE_PROXY.get(cc, cc))
        wind_from = WIND_PROXY.get(cc, SHAPE_PROXY.get(cc, cc))
        assert country_generation(extract, solar_from)["Solar"].mean() > 100, cc
        assert country_generation(extract, wind_from)["Wind Onshore"].mean() > 50, cc


def test_same_inputs_same_profiles_and_shipped_file_is_current(built, catalogue):
    again = build_profiles(catalogue, sites=SITES)
    pd.testing.assert_frame_equal(built, again)
    shipped = catalogue.profiles
    shipped = shipped[shipped["site"].isin(SITES)].reset_index(drop=True)
    pd.testing.assert_frame_equal(shipped, built.reset_index(drop=True), check_exact=False,
                                  rtol=1e-6)


def test_shipped_profiles_pass_their_checks(catalogue):
    assert check_profiles(catalogue.profiles, catalogue, "profiles") == []


def test_check_profiles_reports_stale_means(catalogue):
    stale = catalogue.profiles.copy()
    stale.loc[stale["site"] == "julich", "price_eur_per_mwh"] *= 1.1
    problems = check_profiles(stale, catalogue, "p")
    assert any("differs from the country figure" in p.message for p in problems)
