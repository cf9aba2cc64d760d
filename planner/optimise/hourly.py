"""Hourly inputs of the optimiser: site profiles, their periods, PUE and the carbon-free price.

Carbon is counted once: the catalogue's grid prices are 2024 prices that already carry
the EU ETS cost of the price-setting plant. :func:`embedded_carbon_eur_per_mwh` removes
it (pass-through x embedded allowance price x marginal emission factor), and the
scenario's carbon price is then charged on the plan's own emissions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.catalogue import Catalogue
from planner.optimise.assets import pue, wue
from planner.optimise.heat import dh_demand_frac
from planner.optimise.periods import ALL, Periods, full_year, representative_days
from planner.scenario import Scenario
from planner.scenario.schema import RenewableMatching, Resolution


def embedded_carbon_eur_per_mwh(fin: dict[str, float]) -> float:
    """Carbon cost carried by every catalogue grid price [EUR/MWh].

    ``pass_through x embedded allowance price x marginal emission factor``: with the
    defaults 1.0 x 67 EUR/t x 0.35 t/MWh = 23.45 EUR/MWh (Fabra and Reguant 2014,
    Veyt 2024, a gas combined-cycle plant on the margin).
    """
    return (fin["grid_carbon_pass_through_frac"] * fin["grid_price_embedded_carbon_eur_per_t"]
            * fin["grid_marginal_co2_t_per_mwh"])


def site_hourly(scenario: Scenario, catalogue: Catalogue, site_ids: list[str],
                fin: dict[str, float]) -> pd.DataFrame:
    """The catalogue's hourly profiles of ``site_ids`` with each site's district-heat demand."""
    hourly = catalogue.profiles
    hourly = hourly[hourly["site"].isin(site_ids)].sort_values(["site", "time_utc"]).copy()
    shapes = []
    for _, part in hourly.groupby("site", sort=True):
        shapes.append(dh_demand_frac(part["temp_air_c"].to_numpy(), fin["dh_hot_water_share_frac"],
                                     fin["heating_base_temp_c"], fin["heating_threshold_temp_c"]))
    hourly["dh_demand_frac"] = np.concatenate(shapes) if shapes else []
    return hourly.reset_index(drop=True)


def period_groups(scenario: Scenario, sites: pd.DataFrame) -> pd.Series:
    """Calendar group of each site: its member state, or one group for all.

    One group when the scenario runs the full year or pools 24/7 matching over all
    sites (pooled matching compares sites hour by hour, so they share a calendar).
    """
    one = (scenario.time.resolution == Resolution.full_year
           or scenario.policy.renewable_matching == RenewableMatching.hourly_pooled)
    groups = pd.Series(ALL if one else sites["country"].to_numpy(), index=sites.index)
    groups.index.name = "site"
    return groups


def make_periods(scenario: Scenario, hourly: pd.DataFrame, groups: pd.Series,
                 day_segments=None) -> Periods:
    """Representative days (with extremes) or the full year, as the scenario asks.

    ``day_segments``: calendar days that must not share a typical day carry different
    ids (:func:`planner.optimise.demand.day_segments`).
    """
    if scenario.time.resolution == Resolution.full_year:
        return full_year(hourly)
    return representative_days(hourly, scenario.time.representative_days, groups,
                               scenario.time.extreme_days, day_segments)


CF_FLOOR = 1e-4
"""Capacity factors and demand fractions below this are zero (tsam's rescaling leaves
values of 1e-7 that only worsen the LP's scaling)."""


def model_profiles(periods: Periods, fin: dict[str, float]) -> pd.DataFrame:
    """Profiles in the model's units: grid price net of its embedded carbon (never below 0)."""
    prof = periods.profiles
    price = (prof["price_eur_per_mwh"] - embedded_carbon_eur_per_mwh(fin)).clip(lower=0.0)

    def floor(col: str) -> pd.Series:
        return prof[col].where(prof[col] >= CF_FLOOR, 0.0)

    return pd.DataFrame({"solar_cf": floor("solar_cf_frac"), "wind_cf": floor("wind_cf_frac"),
                         "price_eur_per_mwh": price,
                         "grid_co2_t_per_mwh": prof["grid_co2_g_per_kwh"] / 1e3,
                         "dh_demand_frac": floor("dh_demand_frac")}, index=prof.index)


def _by_cooling(periods: Periods, scenario: Scenario, catalogue: Catalogue,
                formula) -> pd.Series:
    """``formula(temperature, cooling row)`` per (site, cooling, period) of ``periods``."""
    idx = periods.profiles.index
    temp = periods.profiles["temp_air_c"].to_numpy()
    parts = []
    for k in scenario.cooling:
        values = formula(temp, catalogue.cooling.loc[k])
        parts.append(pd.Series(values, index=pd.MultiIndex.from_arrays(
            [idx.get_level_values(0), [k] * len(idx), idx.get_level_values(1)],
            names=["site", "cooling", "period"])))
    return pd.concat(parts).sort_index()


def pue_series(periods: Periods, scenario: Scenario, catalogue: Catalogue) -> pd.Series:
    """PUE per (site, cooling, period) from each period's outdoor temperature."""
    return _by_cooling(periods, scenario, catalogue, lambda temp, row: pue(
        temp, row["pue_min"], row["pue_threshold_c"], row["pue_slope_per_c"]))


def wue_series(periods: Periods, scenario: Scenario, catalogue: Catalogue) -> pd.Series:
    """Water use per MWh of IT [m3/MWh = L/kWh] per (site, cooling, period) (:func:`wue`)."""
    return _by_cooling(periods, scenario, catalogue, lambda temp, row: wue(
        temp, row["wue_l_per_kwh"], row["pue_threshold_c"], row["wue_slope_l_per_kwh_per_c"]))
