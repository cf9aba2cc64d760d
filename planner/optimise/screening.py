"""What one MW of IT costs a year at each candidate site, before any optimisation.

A screening table that explains a plan's choice of sites: for one MW of IT running all
year under each cooling the scenario allows, the building (with staff), the cooling
plant, grid energy at the site's hourly prices net of their embedded carbon, and the
scenario's carbon price on the grid's hourly carbon intensity, all from the model's own
inputs (:func:`planner.optimise.prepare.prepare`) on the full year. The cheapest cooling
per site is kept. Where the scenario asks for a renewable share ``f``, an indicative
``total_at_share_eur`` buys ``f`` of the energy from the site's cheaper PPA instead of
the grid (its profile and curtailment ignored: the optimiser prices those).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.catalogue import Catalogue
from planner.optimise.assets import pue
from planner.optimise.hourly import embedded_carbon_eur_per_mwh
from planner.optimise.prepare import Prepared, prepare
from planner.scenario import Scenario

HOURS_PER_YEAR = 8760.0


def site_screening(scenario: Scenario, catalogue: Catalogue,
                   prepared: Prepared | None = None) -> pd.DataFrame:
    """Annual cost of 1 MW of IT at every candidate site [EUR/MW-IT/yr], cheapest first.

    Ordered by ``total_at_share_eur`` when the scenario sets a renewable share.

    ``total = building + cooling + Σ_h PUE_h (price_h + carbon_price x co2_h)`` over the
    8760 hours of the reference year, with ``price_h`` net of the carbon it carried
    (docs/model.md, "Carbon once"), for the cooling of least total at the site.
    Columns: ``country``, ``cooling``, ``pue_mean``, ``building_eur``, ``cooling_eur``,
    ``grid_energy_eur``, ``carbon_eur``, ``total_eur`` (all per MW of IT per year),
    ``ppa_solar_eur_per_mwh``, ``ppa_wind_eur_per_mwh``, ``grid_mw_max`` and, with a
    renewable share ``f``, ``total_at_share_eur = building + cooling + (1 - f) (grid energy
    + carbon) + f x 8760 x PUE_mean x min(PPA prices)``.
    """
    prepared = prepared if prepared is not None else prepare(scenario, catalogue)
    inp, fin = prepared.inputs, prepared.finance
    carbon_price = inp.policy.carbon_price_eur_per_t
    share = inp.policy.renewable_share_frac
    embedded = embedded_carbon_eur_per_mwh(fin)
    rows = []
    for site, row in inp.sites.iterrows():
        h = prepared.hourly[prepared.hourly["site"] == site]
        temp = h["temp_air_c"].to_numpy()
        price = np.clip(h["price_eur_per_mwh"].to_numpy() - embedded, 0.0, None)
        co2 = h["grid_co2_g_per_kwh"].to_numpy() / 1e3
        best = None
        for k in inp.cooling.index:
            c = catalogue.cooling.loc[k]
            p = pue(temp, c["pue_min"], c["pue_threshold_c"], c["pue_slope_per_c"])
            energy = float((p * price).sum())
            carbon = float(carbon_price * (p * co2).sum())
            cooling = float(inp.cooling.at[k, "eur_per_mw_it_year"])
            total = float(row["building_eur_per_mw_year"]) + cooling + energy + carbon
            if best is None or total < best["total_eur"]:
                best = {"site": site, "country": row["country"], "cooling": k,
                        "pue_mean": float(p.mean()),
                        "building_eur": float(row["building_eur_per_mw_year"]),
                        "cooling_eur": cooling, "grid_energy_eur": energy, "carbon_eur": carbon,
                        "total_eur": total}
        ppa = min(float(row["ppa_solar_eur_per_mwh"]), float(row["ppa_wind_eur_per_mwh"]))
        best.update({"ppa_solar_eur_per_mwh": float(row["ppa_solar_eur_per_mwh"]),
                     "ppa_wind_eur_per_mwh": float(row["ppa_wind_eur_per_mwh"]),
                     "grid_mw_max": float(row["grid_mw_max"])})
        if share is not None:
            best["total_at_share_eur"] = (
                best["building_eur"] + best["cooling_eur"]
                + (1.0 - share) * (best["grid_energy_eur"] + best["carbon_eur"])
                + share * HOURS_PER_YEAR * best["pue_mean"] * ppa)
        rows.append(best)
    order = "total_at_share_eur" if share is not None else "total_eur"
    return pd.DataFrame(rows).set_index("site").sort_values(order, kind="stable")
