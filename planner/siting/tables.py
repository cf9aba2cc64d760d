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


SETTING_UNITS = {"renewable_share_frac": ("{:.0%}", 1.0), "max_country_share_frac":
                 ("{:.0%} of the served load", 1.0), "min_member_states": ("{:.0f} member states", 1.0),
                 "carbon_cap_t_per_year": ("{:,.0f} t CO2/yr", 1.0),
                 "budget_eur": ("{:,.1f} M EUR", 1e-6)}
"""Policy field -> (format, scale) of its setting as the tables show it, with its unit."""


def _setting(policy: str, value) -> str:
    """A policy's setting with its unit ("80%", "3 member states"); text (a repair) as is."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    form, scale = SETTING_UNITS.get(policy, ("{:g}", 1.0))
    return form.format(number * scale)


def policy_table(policy_costs: pd.DataFrame) -> pd.DataFrame:
    """One row a policy: its setting, whether it binds and what it costs."""
    return pd.DataFrame({
        "policy": policy_costs["label"], "setting": [
            _setting(p, v) for p, v in zip(policy_costs["policy"], policy_costs["setting"],
                                           strict=True)],
        "binding": policy_costs["binding"],
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


def _m(values: pd.Series, decimals: int = 3) -> pd.Series:
    """EUR to M EUR, rounded."""
    return (pd.to_numeric(values, errors="coerce") / 1e6).round(decimals)


def _pct(values: pd.Series, decimals: int = 1) -> pd.Series:
    return (100 * pd.to_numeric(values, errors="coerce")).round(decimals)


def robustness_summary_table(summary: dict) -> pd.DataFrame:
    """The robustness study's figures as item, value, unit."""
    m = 1e-6
    def money(key: str) -> float | None:
        value = summary.get(key)
        return None if value is None else float(value) * m
    rows = [("draws", summary.get("draws"), "draws"),
            ("draws solved", summary.get("draws_solved"), "draws"),
            ("base plan sites", ", ".join(summary.get("base_open_sites", [])), ""),
            ("draws with the base plan's sites", None if summary.get(
                "draws_with_base_sites_frac") is None else 100 * summary[
                "draws_with_base_sites_frac"], "%"),
            ("draws the base sites cannot hold", summary.get("draws_base_sites_infeasible"),
             "draws"),
            *[("they fail exactly when", condition, "")
              for condition in summary.get("base_sites_fail_when", [])],
            ("TCO of the base plan", money("base_tco_eur_per_year"), "M EUR/yr")]
    rows += [(f"TCO of the draws, {q}", money(f"tco_{key}_eur_per_year"), "M EUR/yr")
             for q, key in (("lowest", "min"), ("5th percentile", "p5"),
                            ("median", "median"), ("95th percentile", "p95"),
                            ("highest", "max"))]
    rows += [("regret of the base siting, mean", money("regret_mean_eur_per_year"), "M EUR/yr"),
             ("regret of the base siting, highest", money("regret_max_eur_per_year"), "M EUR/yr"),
             ("regret of the base siting, highest share of TCO", None if summary.get(
                 "regret_max_frac") is None else 100 * summary["regret_max_frac"], "%"),
             ("estimated figures varied", summary.get("estimates_varied"), "figures"),
             ("solves (re-used model / rebuilt)",
              f"{summary.get('solves_re_used', 0)} / {summary.get('solves_rebuilt', 0)}", "")]
    return pd.DataFrame(rows, columns=["item", "value", "unit"])


def robustness_sites_table(sites: pd.DataFrame) -> pd.DataFrame:
    """One row a site opened in the base plan or a draw: open share and IT capacity range."""
    return pd.DataFrame({
        "site": sites["site"], "member state": sites["country"],
        "in the base plan": sites["open_in_base"].map({True: "yes", False: "no"}),
        "open in draws [%]": _pct(sites["open_share_frac"]),
        "IT, base plan [MW]": sites["it_mw_base"].round(3),
        "IT, lowest [MW]": sites["it_mw_min"].round(3),
        "IT, median [MW]": sites["it_mw_median"].round(3),
        "IT, highest [MW]": sites["it_mw_max"].round(3)})


def choices_table(choices: pd.DataFrame) -> pd.DataFrame:
    """Accelerator and cooling choices: in the base plan, share of draws making them."""
    return pd.DataFrame({
        "kind": choices["kind"], "site": choices["site"], "choice": choices["choice"],
        "in the base plan": choices["in_base"].map({True: "yes", False: "no"}),
        "draws [%]": _pct(choices["draws_frac"]),
        "draws with the site open [%]": _pct(choices["share_of_draws_open_frac"]),
        "GPUs, base plan": choices["gpus_base"], "GPUs, fewest": choices["gpus_min"],
        "GPUs, most": choices["gpus_max"]})


def draws_table(draws: pd.DataFrame) -> pd.DataFrame:
    """One row a draw: its optimum, the base sites' cost in it and the regret."""
    return pd.DataFrame({
        "draw": draws["draw"], "status": draws["status"],
        "TCO [M EUR/yr]": _m(draws["tco_eur_per_year"]),
        "TCO with the base sites [M EUR/yr]": _m(draws["tco_base_sites_eur_per_year"]),
        "regret [M EUR/yr]": _m(draws["regret_eur_per_year"], 4),
        "regret [%]": _pct(draws["regret_frac"], 2),
        "sites": draws["open_sites"].fillna("").str.replace(";", ", "),
        "same sites as the base plan": draws["same_sites_as_base"].map(
            {True: "yes", False: "no"}),
        "gap [%]": _pct(draws["gap_frac"], 2), "base sites status": draws["base_sites_status"]})


SIDE_BY_SIDE = (("direction", "direction", ""),
                ("TCO", "tco_eur_per_year", "M EUR/yr"),
                ("TCO above the optimum", "tco_above_optimum_frac", "%"),
                ("capex", "capex_eur", "M EUR"),
                ("GPUs", "gpus", "GPUs"),
                ("cost per GPU-hour", "eur_per_gpu_hour", "EUR/GPU-h"),
                ("IT nameplate", "it_mw", "MW"),
                ("emissions", "emissions_t_per_year", "t CO2/yr"),
                ("renewable share", "renewable_share", "%"),
                ("sites open", "sites_open", "sites"),
                ("sites", "open_sites", ""),
                ("member states", "member_states", ""),
                ("differs in", "differs_in", ""),
                ("gap", "gap_frac", "%"))
"""Rows of the side-by-side table: label, summary column, unit shown."""
_SCALE = {"M EUR/yr": 1e-6, "M EUR": 1e-6, "%": 100.0}


def alternatives_side_by_side(summary: pd.DataFrame) -> pd.DataFrame:
    """The plans side by side: a row an item (with its unit), a column a plan."""
    rows = []
    for label, column, unit in SIDE_BY_SIDE:
        values = summary[column] if column in summary else pd.Series([None] * len(summary))
        out = []
        for value in values:
            if isinstance(value, str) or value is None or pd.isna(value):
                out.append("" if value is None or (not isinstance(value, str) and pd.isna(value))
                           else value.replace(";", ", "))
            else:
                out.append(round(float(value) * _SCALE.get(unit, 1.0), 4))
        rows.append([label, unit, *out])
    return pd.DataFrame(rows, columns=["item", "unit", *summary["plan"].astype(str)])


def share_by_country_table(by_country: pd.DataFrame, column: str = "it_share_frac"
                           ) -> pd.DataFrame:
    """A row a plan, a column a member state: its share of the IT nameplate [%] (or MW)."""
    wide = by_country.pivot_table(index="plan", columns="country", values=column,
                                  aggfunc="sum", sort=False).fillna(0.0)
    wide = wide[sorted(wide.columns)]
    scale, unit = (100.0, "%") if column.endswith("_frac") else (1.0, "MW")
    frame = (wide * scale).round(2 if unit == "%" else 4)
    frame.columns = [f"{c} [{unit}]" for c in frame.columns]
    return frame.reset_index()
