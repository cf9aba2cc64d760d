"""Checks of the hourly profiles against the catalogue's sourced annual figures."""

from __future__ import annotations

import pandas as pd

from planner.catalogue import Catalogue
from planner.catalogue.profiles_check import HOURS_PER_YEAR, NUMERIC_RANGES, profile_problems
from planner.errors import Problem
from planner.profiles.build import PROFILE_COLUMNS

HOURS = HOURS_PER_YEAR
RANGES = NUMERIC_RANGES
MEAN_TOLERANCE_FRAC = 0.005
"""Relative tolerance of annual means against the sourced country figures."""


def annual_means(profiles: pd.DataFrame) -> pd.DataFrame:
    """Per-site annual means; carbon intensity as a plain hourly mean (flat load)."""
    return profiles.groupby("site")[list(PROFILE_COLUMNS)].mean()


def check_profiles(profiles: pd.DataFrame, catalogue: Catalogue, file: str) -> list[Problem]:
    """Hours, ranges and annual means (solar, wind, price) of every site's profile."""
    problems = profile_problems(profiles, file)
    if problems:
        return problems
    counts = profiles.groupby("site").size()
    for site in catalogue.ids("sites"):
        if counts.get(site, 0) != HOURS:
            problems.append(Problem(f"site '{site}' has {counts.get(site, 0)} hours, not {HOURS};"
                                    " run `gigaplan data build-profiles`", file=file))
    if problems:
        return problems
    means = annual_means(profiles)
    targets = {"solar_cf_frac": "solar_cf_frac", "wind_cf_frac": "wind_onshore_cf_frac",
               "price_eur_per_mwh": "elec_price_eur_per_mwh"}
    for site, row in means.iterrows():
        if site not in catalogue.sites.index:
            problems.append(Problem(f"profile for unknown site '{site}'", file=file))
            continue
        country = catalogue.countries.loc[catalogue.sites.at[site, "country"]]
        for col, target_col in targets.items():
            target = float(country[target_col])
            if abs(row[col] - target) > MEAN_TOLERANCE_FRAC * target:
                problems.append(Problem(
                    f"site '{site}': annual mean {row[col]:.4g} differs from the country figure "
                    f"{target:.4g}; rebuild the profiles", file=file, field=col))
    return problems
