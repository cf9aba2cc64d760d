"""Build the hourly reference-year profiles of every catalogue site.

For each site: outdoor temperature [°C], solar and onshore-wind capacity factors
[-], grid price [EUR/MWh] and grid carbon intensity [gCO2/kWh], 8760 hours in
UTC. Real hourly shapes come from ENTSO-E national generation (the extract in
``data/raw``) and pvlib's solar geometry; every annual mean is scaled to the
sourced country figure of the catalogue (``countries.csv``). See
``data/SOURCES.md`` ("hourly profiles") for the method and its limits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from planner.catalogue import EU27, Catalogue
from planner.errors import DataError
from planner.profiles import shapes
from planner.profiles.entsoe_generation import country_generation, hourly_utc_index
from planner.profiles.solar import clear_sky_pv_cf, daily_clearness
from planner.profiles.temperature import hourly_temperature

REFERENCE_YEAR = 2019
EXTRACT_FILE = f"raw/entsoe_generation_{REFERENCE_YEAR}.parquet"

EXTRACT_COUNTRIES = (*EU27, "GB")
"""Countries imported from ENTSO-E: the EU-27 and Great Britain (Irish solar cloudiness)."""

SHAPE_PROXY = {"HR": "SI", "CY": "GR", "LU": "BE", "MT": "IT"}
"""Countries with no ENTSO-E generation data in the extract -> neighbour whose shapes are used."""

SOLAR_PROXY = {"FI": "DK", "SE": "DK", "EE": "DK", "LV": "DK", "LT": "DK", "PL": "CZ",
               "HU": "AT", "NL": "BE", "IE": "GB", "SK": "CZ", "SI": "AT", "HR": "AT"}
"""Countries whose extract lacks solar, or reports under 100 MW of it on average (too few
plants for a national cloudiness signal) -> neighbour whose daily cloudiness is used."""

WIND_PROXY = {"SI": "AT", "SK": "AT", "LV": "LT", "HR": "HU", "CY": "GR", "MT": "IT",
              "LU": "BE"}
"""Countries whose extract reports under 50 MW of onshore wind on average -> neighbour
whose hourly wind shape is used (then scaled to the country's own capacity factor)."""

PROFILE_COLUMNS = ("temp_air_c", "solar_cf_frac", "wind_cf_frac", "price_eur_per_mwh",
                   "grid_co2_g_per_kwh")


def read_extract(data_dir: Path) -> pd.DataFrame:
    """Read the ENTSO-E generation extract shipped in ``data/raw``."""
    path = data_dir / EXTRACT_FILE
    if not path.is_file():
        raise DataError.single("ENTSO-E generation extract not found; run "
                               "`gigaplan data extract-entsoe --cache-dir DIR`", file=str(path))
    return pd.read_parquet(path)


def shape_country(country: str) -> str:
    """Country whose generation shapes stand for ``country``."""
    return SHAPE_PROXY.get(country, country)


def site_profile(site_id: str, catalogue: Catalogue, extract: pd.DataFrame,
                 year: int = REFERENCE_YEAR) -> pd.DataFrame:
    """Hourly profile of one site (columns :data:`PROFILE_COLUMNS`, index UTC hours)."""
    site = catalogue.sites.loc[site_id]
    country = catalogue.countries.loc[site["country"]]
    climate = catalogue.site_climate.loc[site_id].sort_index()
    times = hourly_utc_index(year)

    temp = hourly_temperature(times, site["lon"], climate["temp_mean_c"].to_numpy(),
                              climate["temp_daily_range_c"].to_numpy(), site_id)

    cc = site["country"]
    gen = country_generation(extract, shape_country(cc))
    solar_gen = country_generation(extract, SOLAR_PROXY.get(cc, shape_country(cc)))["Solar"]
    wind_gen = country_generation(extract, WIND_PROXY.get(cc, shape_country(cc)))["Wind Onshore"]
    clear = pd.Series(clear_sky_pv_cf(times, site["lat"], site["lon"], temp), index=times)
    solar = shapes.scale_to_mean((clear * daily_clearness(solar_gen, clear)).to_numpy(),
                                 country["solar_cf_frac"])
    wind = shapes.scale_to_mean(wind_gen.to_numpy(), country["wind_onshore_cf_frac"])

    factors = catalogue.emission_factors["co2_g_per_kwh"]
    total = gen.sum(axis=1)
    carbon = shapes.rescale_weighted_mean(
        shapes.mix_carbon_intensity(gen, factors).to_numpy(), total.to_numpy(),
        country["grid_co2_g_per_kwh"])
    wind_all = gen.filter(like="Wind").sum(axis=1)
    price = shapes.price_from_residual_load(total.to_numpy(), wind_all.to_numpy(),
                                            gen.get("Solar", 0.0 * total).to_numpy(),
                                            country["elec_price_eur_per_mwh"])
    return pd.DataFrame({"temp_air_c": temp, "solar_cf_frac": solar, "wind_cf_frac": wind,
                         "price_eur_per_mwh": price, "grid_co2_g_per_kwh": carbon}, index=times)


def build_profiles(catalogue: Catalogue, extract: pd.DataFrame | None = None,
                   sites: list[str] | None = None, year: int = REFERENCE_YEAR) -> pd.DataFrame:
    """Profiles of all (or the given) sites as one tidy frame.

    Returns
    -------
    DataFrame
        Columns ``site``, ``time_utc`` and :data:`PROFILE_COLUMNS` (float32).
    """
    extract = read_extract(catalogue.data_dir) if extract is None else extract
    parts = []
    for site_id in sites or catalogue.ids("sites"):
        frame = site_profile(site_id, catalogue, extract, year)
        frame.index.name = "time_utc"
        parts.append(frame.reset_index().assign(site=site_id))
    out = pd.concat(parts, ignore_index=True)
    out[list(PROFILE_COLUMNS)] = out[list(PROFILE_COLUMNS)].astype(np.float32)
    return out[["site", "time_utc", *PROFILE_COLUMNS]]


def write_parquet_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write Parquet to a temporary file and rename it into place (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        frame.to_parquet(tmp, index=False, compression="zstd")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
