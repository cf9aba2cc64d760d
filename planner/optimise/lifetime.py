"""Lifetime finance: the plan's cash flow by year over the finance horizon, and its NPV.

The optimiser minimises an annual cost (TCO [EUR/yr]): each asset's capex times its
capital recovery factor plus the operating costs. This module unfolds that annual
view into years: capex in year 0, a renewal of every asset whose economic life is
shorter than the horizon at each multiple of its life, the value left in the last
assets at the horizon (salvage, a negative cost), and the operating cost in every
year 1..H. The horizon is the building's life (``building_lifetime_years``).

Salvage is valued as the capital annuities the asset would still earn after the
horizon, discounted to the horizon: ``C x CRF(r, L) x AF(r, remaining years)``. With
it, the NPV of each asset's purchases equals its annuity over the horizon, so
``NPV = TCO x AF(r, H)`` holds exactly (docs/model.md, "Lifetime finance").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.optimise.finance import ITEM_LIFETIMES, capital_recovery_factor, operating_split

HORIZON_KEY = "building_lifetime_years"
ENERGY_ITEMS = ("grid_energy", "ppa_energy", "guarantees_of_origin", "carbon", "onsite_pv",
                "onsite_wind", "battery", "backup", "gas_turbine")
"""Cost items of the power supply: electricity bought (grid, PPA, guarantees of origin), the
carbon price on its emissions, and on-site generation and storage (capital, O&M, fuel)."""


def annuity_factor(rate: float, years: float) -> float:
    """Present value of 1 EUR a year paid at the end of years 1..n [years]: ``(1-(1+r)^-n)/r``.

    The inverse of :func:`planner.optimise.finance.capital_recovery_factor`; ``n`` at
    ``r = 0``. At 7 % over 20 years: 10.594.

    References
    ----------
    Short, W., Packey, D. J., Holt, T. (1995). A manual for the economic evaluation of
    energy efficiency and renewable energy technologies. NREL/TP-462-5173, eq. 4-3.
    """
    if years <= 0:
        return 0.0
    if rate == 0:
        return float(years)
    return (1.0 - (1.0 + rate) ** -years) / rate


def salvage_value_eur(capex_eur: float, life_years: float, rate: float,
                      remaining_years: float) -> float:
    """Value left in an asset at the horizon [EUR]: ``C x CRF(r, L) x AF(r, remaining)``.

    The capital annuities of its remaining life, discounted to the horizon; zero when
    the asset's life ends at or before the horizon.
    """
    if remaining_years <= 0:
        return 0.0
    return capex_eur * capital_recovery_factor(rate, life_years) * annuity_factor(
        rate, remaining_years)


def capex_components(costs: pd.DataFrame, finance: dict[str, float]) -> pd.DataFrame:
    """Capex by item, site and asset with its economic life.

    Columns ``item, site, asset, capex_eur, life_years``.
    Compute nodes are two assets: servers (``gpu_lifetime_years``) and their network and
    storage share ``f`` (``network_lifetime_years``), ``C/(1+f)`` and ``C f/(1+f)``, as the
    optimiser annualises them. A capex item without a known life is an error.
    """
    rows = []
    net = finance["network_storage_capex_frac"]
    for row in costs[costs["capex_eur"] != 0].itertuples():
        if row.item not in ITEM_LIFETIMES:
            raise ValueError(f"cost item {row.item!r} has capex but no economic lifetime")
        if row.item == "compute_nodes":
            parts = (("servers", row.capex_eur / (1 + net), finance["gpu_lifetime_years"]),
                     ("network and storage", row.capex_eur * net / (1 + net),
                      finance["network_lifetime_years"]))
        else:
            parts = ((row.item, row.capex_eur, finance[ITEM_LIFETIMES[row.item]]),)
        rows += [{"item": row.item, "site": row.site, "asset": asset, "capex_eur": float(c),
                  "life_years": float(life)} for asset, c, life in parts]
    return pd.DataFrame(rows, columns=["item", "site", "asset", "capex_eur", "life_years"])


def purchases(components: pd.DataFrame, horizon_years: int, rate: float) -> pd.DataFrame:
    """Every purchase over the horizon and the salvage value of the last.

    Columns ``item, site, asset, year, capex_eur, salvage_eur``.
    Bought in year 0 and again in years ``L, 2L, ...`` before the horizon ``H``; the last
    purchase of each asset carries its salvage value at ``H`` [EUR].
    """
    rows = []
    for c in components.itertuples():
        years = np.arange(0.0, horizon_years, c.life_years)
        for i, year in enumerate(years):
            last = i == len(years) - 1
            salvage = salvage_value_eur(c.capex_eur, c.life_years, rate,
                                        year + c.life_years - horizon_years) if last else 0.0
            rows.append({"item": c.item, "site": c.site, "asset": c.asset, "year": float(year),
                         "capex_eur": c.capex_eur, "salvage_eur": salvage})
    return pd.DataFrame(rows, columns=["item", "site", "asset", "year", "capex_eur",
                                       "salvage_eur"])


def cash_flow_table(costs: pd.DataFrame, finance: dict[str, float]) -> pd.DataFrame:
    """Costs by year 0..H [EUR] and their present value at the discount rate.

    Columns ``year``, ``initial_capex_eur``, ``renewal_capex_eur``, ``salvage_eur``
    (negative), ``operating_eur`` (annual cost less capital annuities, years 1..H),
    ``net_cost_eur``, ``discount_factor`` ``(1+r)^-t``, ``present_value_eur`` and
    ``cumulative_present_value_eur``. A renewal at a time that is not a whole year (a
    life of 7.5 years) is booked in the nearest year; ``NPV = TCO x AF(r, H)`` then holds
    only approximately (exactly for whole-year lives and horizon).
    """
    rate = float(finance["discount_rate"])
    horizon = int(round(finance[HORIZON_KEY]))
    bought = purchases(capex_components(costs, finance), horizon, rate)
    operating = float(operating_split(costs, finance)["operating_eur_per_year"].sum())
    years = np.arange(horizon + 1)
    slot = bought["year"].round().astype(int)
    renewal = bought.loc[bought["year"] > 0, "capex_eur"].groupby(slot).sum()
    out = pd.DataFrame({"year": years})
    out["initial_capex_eur"] = np.where(years == 0, bought.loc[bought["year"] == 0,
                                                               "capex_eur"].sum(), 0.0)
    out["renewal_capex_eur"] = renewal.reindex(years, fill_value=0.0).to_numpy()
    out["salvage_eur"] = np.where(years == horizon, -bought["salvage_eur"].sum(), 0.0)
    out["operating_eur"] = np.where(years > 0, operating, 0.0)
    out["net_cost_eur"] = out[["initial_capex_eur", "renewal_capex_eur", "salvage_eur",
                               "operating_eur"]].sum(axis=1)
    out["discount_factor"] = (1.0 + rate) ** -years.astype(float)
    out["present_value_eur"] = out["net_cost_eur"] * out["discount_factor"]
    out["cumulative_present_value_eur"] = out["present_value_eur"].cumsum()
    return out


def lifetime_kpis(costs: pd.DataFrame, finance: dict[str, float], gpus: int,
                  training_tokens: float) -> dict[str, float]:
    """The plan's lifetime and energy-excluded KPIs (formulas in docs/model.md).

    ``npv_cost_eur`` = sum of the cash flow's present values [EUR];
    ``finance_horizon_years`` = H; ``capex_over_horizon_eur`` = initial and renewal capex,
    undiscounted, salvage not deducted [EUR]; ``energy_eur_per_year`` = annual cost of the
    power supply items [EUR/yr]; ``eur_per_gpu_hour_excl_energy`` = (TCO - energy) / (GPUs
    x 8760) [EUR/GPU-h]; ``eur_per_million_training_tokens_excl_energy`` = (TCO - energy) /
    (tokens / 1e6) [EUR].
    """
    flows = cash_flow_table(costs, finance)
    tco = float(costs["eur_per_year"].sum())
    energy = float(costs.loc[costs["item"].isin(ENERGY_ITEMS), "eur_per_year"].sum())
    rest = tco - energy
    return {
        "npv_cost_eur": float(flows["present_value_eur"].sum()),
        "finance_horizon_years": float(flows["year"].iloc[-1]),
        "capex_over_horizon_eur": float(flows["initial_capex_eur"].sum()
                                        + flows["renewal_capex_eur"].sum()),
        "energy_eur_per_year": energy,
        "eur_per_gpu_hour_excl_energy": rest / (gpus * 8760.0) if gpus else float("nan"),
        "eur_per_million_training_tokens_excl_energy": rest / (training_tokens / 1e6)
        if training_tokens else float("nan"),
    }
