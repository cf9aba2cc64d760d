"""Why-this-plan tables for reading: the same in the CLI, the workbook and the explorer."""

from __future__ import annotations

import pandas as pd

from planner.siting.why import PARTS

PART_HEADERS = {"power": "power", "cooling": "cooling", "building": "building and site",
                "labour": "labour", "grid_upgrade": "grid upgrade",
                "heat_revenue": "heat revenue"}
UNIT = "[k EUR/yr per MW IT]"


def site_table(site_costs: pd.DataFrame) -> pd.DataFrame:
    """One row a candidate site, cheapest first: parts and total in k EUR/yr per MW of IT."""
    frame = pd.DataFrame({"site": site_costs.index, "member state": site_costs["country"].values,
                          "in the plan": site_costs["open"].map({True: "yes", False: "no"}).values,
                          "rank": site_costs["rank"].values,
                          "cooling assumed": site_costs["cooling"].values})
    for part in PARTS:
        frame[f"{PART_HEADERS[part]} {UNIT}"] = (site_costs[f"{part}_eur_per_mw_year"]
                                                 / 1e3).round(1).values
    frame[f"total {UNIT}"] = (site_costs["total_eur_per_mw_year"] / 1e3).round(1).values
    frame[f"above the cheapest {UNIT}"] = (site_costs["above_cheapest_eur_per_mw_year"]
                                           / 1e3).round(1).values
    frame[f"in the plan {UNIT}"] = (site_costs["plan_eur_per_mw_year"] / 1e3).round(1).values
    frame["estimated inputs"] = site_costs["estimated_inputs"].values
    return frame


def policy_table(policy_costs: pd.DataFrame) -> pd.DataFrame:
    """One row a policy: its setting, whether it binds and what it costs."""
    return pd.DataFrame({
        "policy": policy_costs["label"], "setting": policy_costs["setting"],
        "binding": policy_costs["binding"].map({True: "yes", False: "no", None: "–"}),
        "cost [M EUR/yr]": (policy_costs["cost_eur_per_year"] / 1e6).round(3),
        "cost, lowest [M EUR/yr]": (policy_costs["cost_low_eur_per_year"] / 1e6).round(3),
        "cost, highest [M EUR/yr]": (policy_costs["cost_high_eur_per_year"] / 1e6).round(3),
        "cost [EUR/GPU-h]": policy_costs["cost_eur_per_gpu_hour"].round(4),
        "TCO relaxed [M EUR/yr]": (policy_costs["tco_relaxed_eur_per_year"] / 1e6).round(2),
        "sites when relaxed": policy_costs["open_sites_relaxed"]})


def alternatives_table(summary: pd.DataFrame) -> pd.DataFrame:
    """One row a plan: direction, cost above the optimum, GPUs, emissions and sites."""
    return pd.DataFrame({
        "plan": summary["plan"], "direction": summary["direction"],
        "TCO [M EUR/yr]": (summary["tco_eur_per_year"] / 1e6).round(2),
        "above the optimum [%]": (100 * summary["tco_above_optimum_frac"]).round(2),
        "GPUs": summary["gpus"], "emissions [kt CO2/yr]": (summary["emissions_t_per_year"]
                                                           / 1e3).round(1),
        "renewable share [%]": (100 * summary["renewable_share"]).round(1),
        "sites": summary["open_sites"].str.replace(";", ", "),
        "differs in": summary["differs_in"].str.replace(";", ", ")})
