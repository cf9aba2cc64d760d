"""The Board summary: headline figures in M EUR, the cost split, capex by site, three sentences.

Everything here is read from the plan's own tables and KPIs (``plan.kpis``,
``plan.costs``, ``plan.sites``, ``plan.fleet``) and the finance inputs it was solved
with; nothing is computed that the Costs and Cash flow sheets do not show in full.
"""

from __future__ import annotations

import pandas as pd

from planner.catalogue import Catalogue
from planner.optimise import Plan
from planner.optimise.finance import operating_split
from planner.optimise.lifetime import ENERGY_ITEMS, HORIZON_KEY, capex_components, purchases
from planner.report.plan_tables import open_sites
from planner.report.used import Used

M = 1e6
CAPITAL = "capital annuities [M EUR/yr]"
ENERGY = "energy, operating [M EUR/yr]"
OTHER = "other operating [M EUR/yr]"
SPLIT = (CAPITAL, ENERGY, OTHER)


def finance_numbers(used: Used) -> dict[str, float]:
    """The finance parameters as numbers (the text ``currency`` left out)."""
    out = {}
    for key, value in used.finance.items():
        try:
            out[key] = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
    return out


def cost_split(plan: Plan, used: Used) -> pd.DataFrame:
    """Annual cost by chosen site in three parts [M EUR/yr] and capex [M EUR].

    Capital annuities (capex x CRF), the operating part of the power-supply items
    (:data:`planner.optimise.lifetime.ENERGY_ITEMS`) and every other operating cost;
    the three add up to the site's annual cost, the sites' to the TCO.
    """
    split = operating_split(plan.costs, finance_numbers(used))
    energy = split["item"].isin(ENERGY_ITEMS)
    split["energy"] = split["operating_eur_per_year"].where(energy, 0.0)
    split["other"] = split["operating_eur_per_year"].where(~energy, 0.0)
    by_site = split.groupby("site")[["capex_eur", "annualised_capex_eur_per_year", "energy",
                                     "other", "eur_per_year"]].sum()
    sites = [s for s in open_sites(plan) if s in by_site.index]
    by_site = by_site.reindex(sites)
    gpus = plan.fleet.groupby("site")["gpus"].sum().reindex(sites).fillna(0)
    return pd.DataFrame({
        "site": sites, "country": plan.sites.loc[sites, "country"].to_numpy(),
        "GPUs": gpus.to_numpy().astype(int),
        "IT load [MW]": plan.sites.loc[sites, "it_mw"].to_numpy(),
        "capex [M EUR]": by_site["capex_eur"].to_numpy() / M,
        CAPITAL: by_site["annualised_capex_eur_per_year"].to_numpy() / M,
        ENERGY: by_site["energy"].to_numpy() / M, OTHER: by_site["other"].to_numpy() / M,
        "annual cost [M EUR/yr]": by_site["eur_per_year"].to_numpy() / M})


def headline_table(plan: Plan, used: Used) -> pd.DataFrame:
    """The board's figures: ``figure, value, unit`` (money in M EUR)."""
    k = plan.kpis
    split = cost_split(plan, used)
    fin = finance_numbers(used)
    rate = fin.get("discount_rate", float("nan"))
    horizon = k.get("finance_horizon_years", float("nan"))
    rows = [
        ("TCO, annual cost", k.get("tco_eur_per_year", float("nan")) / M, "M EUR/yr"),
        ("  capital annuities", split[CAPITAL].sum(), "M EUR/yr"),
        ("  energy, operating", split[ENERGY].sum(), "M EUR/yr"),
        ("  other operating", split[OTHER].sum(), "M EUR/yr"),
        ("capex, initial", k.get("capex_eur", float("nan")) / M, "M EUR"),
        (f"capex over {horizon:.0f} years, with renewals",
         k.get("capex_over_horizon_eur", float("nan")) / M, "M EUR"),
        (f"NPV of costs over {horizon:.0f} years at {rate:.1%}",
         k.get("npv_cost_eur", float("nan")) / M, "M EUR"),
        ("cost per GPU-hour", k.get("eur_per_gpu_hour"), "EUR/GPU-h"),
        ("cost per GPU-hour excl. energy", k.get("eur_per_gpu_hour_excl_energy"), "EUR/GPU-h"),
        ("cost per 1e6 training tokens", k.get("eur_per_million_training_tokens"), "EUR"),
        ("GPUs", k.get("gpus"), "GPUs"),
        ("IT load", k.get("it_mw"), "MW"),
        ("PUE", k.get("pue"), "-"),
        ("renewable share (REF)", k.get("renewable_share"), "of energy"),
        ("emissions", k.get("emissions_t_per_year"), "tCO2/yr"),
        ("sites / member states", f"{k.get('sites_open', 0)} / {k.get('member_states', 0)}",
         "-"),
    ]
    frame = pd.DataFrame(rows, columns=["figure", "value", "unit"])
    known = frame["value"].map(lambda v: v is not None and v == v)  # NaN: no training, say
    return frame[known].reset_index(drop=True)


ASSET_NAMES = {"onsite_pv": "on-site PV", "onsite_wind": "on-site wind",
               "grid_upgrade": "grid connection upgrade", "backup": "standby generators",
               "gas_turbine": "gas turbine", "heat_pump": "heat pump"}


def capex_table(plan: Plan, used: Used) -> pd.DataFrame:
    """Capex by asset: initial [M EUR], economic life [years], over the horizon [M EUR].

    Over the horizon counts the renewals (:func:`planner.optimise.lifetime.purchases`).
    """
    fin = finance_numbers(used)
    parts = capex_components(plan.costs, fin)
    bought = purchases(parts, int(round(fin[HORIZON_KEY])), fin["discount_rate"])
    first = parts.groupby(["asset", "life_years"], sort=False)["capex_eur"].sum()
    total = bought.groupby(["asset"], sort=False)["capex_eur"].sum()
    out = pd.DataFrame({"asset": [ASSET_NAMES.get(a, a) for a, _ in first.index],
                        "life [years]": [life for _, life in first.index],
                        "capex [M EUR]": first.to_numpy() / M})
    out["over the horizon [M EUR]"] = [total[a] / M for a, _ in first.index]
    return out.sort_values("capex [M EUR]", ascending=False, kind="stable").reset_index(
        drop=True)


def sentences(plan: Plan, used: Used, catalogue: Catalogue) -> list[str]:
    """Three sentences: what the plan is, what it costs, and what decided it."""
    k = plan.kpis
    sites = open_sites(plan)
    where = ", ".join(f"{_site_name(s, used)} ({plan.sites.at[s, 'country']})" for s in sites)
    by_acc = plan.fleet.groupby("accelerator")["gpus"].sum().sort_values(ascending=False)
    names = catalogue.accelerators["name"] if "name" in catalogue.accelerators else pd.Series()
    fleet = ", ".join(f"{n:,} {names.get(a, a)}" for a, n in by_acc.items())
    n_sites = len(sites)
    first = (f"The plan opens {n_sites} site{'s' if n_sites != 1 else ''} in "
             f"{k.get('member_states', 0)} member state{'s' if k.get('member_states') != 1 else ''}"
             f": {where}, with {k.get('gpus', 0):,} GPUs ({fleet}) for "
             f"{k.get('it_mw', 0):,.1f} MW of IT load.")
    second = (f"It costs {k['tco_eur_per_year'] / M:,.1f} M EUR a year, "
              f"{k['eur_per_gpu_hour']:,.2f} EUR per GPU-hour "
              f"({k.get('eur_per_gpu_hour_excl_energy', float('nan')):,.2f} EUR excluding "
              f"energy), after {k['capex_eur'] / M:,.1f} M EUR of initial capex; over "
              f"{k.get('finance_horizon_years', 0):.0f} years the costs have a present value of "
              f"{k.get('npv_cost_eur', float('nan')) / M:,.1f} M EUR.")
    return [first, second, _why(plan, used)]


def _site_name(site: str, used: Used) -> str:
    if "name" in used.sites.columns and site in used.sites.index:
        return str(used.sites.at[site, "name"])
    return site


OBJECTIVES = {"min_cost": "the least annual cost (TCO)",
              "max_compute": "the most compute, then the least cost",
              "min_emissions": "the least emissions, then the least cost"}


def _why(plan: Plan, used: Used) -> str:
    """What decided the plan: its objective, the binding requirements and the solver's notes."""
    k = plan.kpis
    spec = used.spec
    policy = spec.get("policy", {})
    objective = spec.get("objective", "min_tco")
    asks = []
    if policy.get("renewable_share_frac") is not None:
        asks.append(f"at least {policy['renewable_share_frac']:.0%} renewable energy "
                    f"({policy.get('renewable_matching', 'annual')} matching)")
    if policy.get("min_member_states"):
        asks.append(f"sites in at least {policy['min_member_states']} member states")
    if policy.get("max_country_share_frac") is not None:
        asks.append(f"at most {policy['max_country_share_frac']:.0%} of the load in one country")
    if policy.get("carbon_cap_t_per_year") is not None:
        asks.append(f"emissions of at most {policy['carbon_cap_t_per_year']:,.0f} tCO2/yr")
    text = (f"The sites and their supply were chosen for {OBJECTIVES.get(objective, objective)}"
            + (f" under {', '.join(asks)}" if asks else "")
            + f"; the plan reaches {k.get('renewable_share', 0):.0%} renewable energy at a PUE "
            f"of {k.get('pue', float('nan')):.2f}.")
    if plan.explanation:
        text += f" Note: {plan.explanation[0]}."
    return text
