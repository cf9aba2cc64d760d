"""Why this plan: what 1 MW of IT costs at every candidate site, and what each policy costs.

**Levelised cost of 1 MW of IT** at site ``s`` (``site_costs``) [EUR/yr per MW of IT
nameplate], for a block the size of the plan's average open site (``S`` MW of IT) run at
the plan's IT load factor ``LF`` (IT energy over nameplate x 8760 h), with the cooling
that is cheapest there among those the plan's accelerators allow:

- building: ``building capex x (CRF(building life) + facility O&M + insurance)``
  (``build_cost_factor`` of the site) per MW of building, times the plan's building MW
  per MW of IT (whole modules), plus the site's fixed cost over ``S``;
- labour: ``staff FTE per MW x staff cost x labour_cost_factor`` (the country's);
- cooling: the technology's annualised cost per MW of IT;
- power: ``LF x sum_h PUE_h x ((1-f) x grid_h + f x PPA)`` over the 8760 hours of the
  reference year, with the hourly PUE of the cooling in the site's temperature, the
  grid at its hourly price net of the carbon it carried, times the grid price factor,
  plus the carbon price times the grid's hourly carbon intensity, and the cheapest PPA
  at the plan's renewable share ``f`` (its profile and curtailment left to the
  optimiser);
- grid upgrade: the connection beyond today's that a block of ``S`` MW at the year's
  largest PUE needs, per MW, at the annualised upgrade cost;
- heat revenue (negative): the heat the cooling recovers, within the network's offtake
  (its mean demand over ``S``), at the heat price, less a heat pump's electricity where
  the heat must be lifted.

These are the model's own inputs (:func:`planner.optimise.prepare.prepare`) put through a
stated formula, not the optimiser's dual values: the optimiser also weighs hourly
renewable profiles, batteries and module sizes, so the plan's own cost per MW at its open
sites is shown alongside (``plan_eur_per_mw_year``).

**Cost of a binding policy** (``policy_costs``): the plan re-solved on the same model with
that policy relaxed (renewable share 0, member-state minimum 0, country cap 100 %, carbon
cap and budget lifted), started from the plan. Relaxing only widens the feasible set, so
the plan is a plan of the relaxed problem too: when the relaxed solve stops (within its
MIP gap) at a dearer plan, the plan itself is the relaxed incumbent.
``cost = TCO(plan) - min(TCO(relaxed), TCO(plan))`` [EUR/yr], also per GPU-hour of the
plan's fleet. The true cost (of the two optima) lies in ``[cost_low, cost_high]``:
``cost_low = max(0, bound(plan) - TCO(relaxed))`` and ``cost_high = TCO(plan) -
bound(relaxed)``, with ``bound = TCO * (1 - proven gap)``. ``binding`` says ``yes`` when
even ``cost_low`` is above ``BINDING_FRAC`` of the TCO, ``no`` when ``cost_high`` is not,
and ``within the gap`` otherwise (the solves' gap is too wide to tell: tighten
``solver.mip_gap_frac``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.catalogue import Catalogue
from planner.optimise import Plan
from planner.optimise.assets import pue
from planner.optimise.hourly import embedded_carbon_eur_per_mwh
from planner.optimise.prepare import Prepared, prepare
from planner.scenario import Scenario
from planner.scenario.schema import FullYearCheck

HOURS = 8760.0
PARTS = ("power", "cooling", "building", "labour", "grid_upgrade", "heat_revenue")
"""The parts of the levelised cost, in the order shown [EUR/yr per MW of IT]."""
POLICIES = {
    "renewable_share_frac": ("renewable share", 0.0),
    "min_member_states": ("member-state minimum", 0),
    "max_country_share_frac": ("country cap", 1.0),
    "carbon_cap_t_per_year": ("carbon cap", 1e15),
    "budget_eur": ("capex budget", 1e18),
}
"""Policy field: (name, the relaxed value). Each is a lever of the built model."""
BINDING_FRAC = 1e-6
"""A policy binds when relaxing it lowers the TCO by more than this share of it."""
BINDS, FREE, UNDECIDED, NOT_FOUND = "yes", "no", "within the gap", "no relaxed plan"
"""The values of ``binding``."""


@dataclass
class Why:
    """Why this plan: levelised cost per candidate site, cost per binding policy."""

    site_costs: pd.DataFrame
    policy_costs: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def save(self, folder: Path | str) -> list[Path]:
        """Write ``why_sites.csv`` and ``why_policies.csv`` into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / "why_sites.csv", folder / "why_policies.csv"]
        self.site_costs.to_csv(paths[0])
        self.policy_costs.to_csv(paths[1], index=False)
        return paths


def _weighted_mean(series: pd.Series, weights: pd.Series) -> float:
    w = weights.reindex(series.index.get_level_values("period")).to_numpy(float)
    return float(np.average(series.to_numpy(float), weights=w)) if w.sum() > 0 else float("nan")


def plan_shape(plan: Plan) -> dict[str, float]:
    """The plan's average open site [MW IT], IT load factor and renewable share."""
    open_sites = plan.sites[plan.sites["open"]]
    nameplate = float(open_sites["it_mw"].sum())
    size = nameplate / len(open_sites) if len(open_sites) else 1.0
    load = float(open_sites["it_mwh"].sum()) / (nameplate * HOURS) if nameplate > 0 else 0.0
    built = float(open_sites["it_capacity_mw"].sum()) / nameplate if nameplate > 0 else 1.0
    return {"block_mw": max(size, 1e-3), "load_factor": min(max(load, 0.0), 1.0),
            "building_per_it_mw": max(built, 1.0),
            "renewable_share": float(plan.kpis.get("renewable_share", 0.0) or 0.0)}


def site_costs(plan: Plan, prepared: Prepared, catalogue: Catalogue) -> pd.DataFrame:
    """The levelised cost of 1 MW of IT at every candidate site (module docstring).

    Index ``site``; columns ``country``, ``open``, ``cooling`` (cheapest allowed there),
    ``pue_mean`` (its mean over the year),
    the :data:`PARTS` as ``<part>_eur_per_mw_year``, ``total_eur_per_mw_year``,
    ``above_cheapest_eur_per_mw_year``, ``rank``, ``plan_eur_per_mw_year`` (open sites:
    the plan's non-accelerator cost per MW of IT) and ``estimated_inputs``.
    """
    inp, fin = prepared.inputs, prepared.finance
    shape = plan_shape(plan)
    size, lf, share = shape["block_mw"], shape["load_factor"], shape["renewable_share"]
    built = shape["building_per_it_mw"]
    sites = inp.sites
    countries = catalogue.countries.reindex(sites["country"])
    staff = (fin["staff_fte_per_mw_it"] * fin["staff_cost_eur_per_fte_year"]
             * countries["labour_cost_factor"].to_numpy(float))
    labour = pd.Series(staff, index=sites.index)
    building = ((sites["building_eur_per_mw_year"] - labour) * built
                + sites["site_fixed_eur_per_year"] / size)
    weights = inp.periods["weight_h"].astype(float)
    fleet = [c.removeprefix("gpus_") for c in plan.sites.columns
             if c.startswith("gpus_") and plan.sites[c].sum() > 0]
    allowed = [k for k in inp.cooling.index
               if not any((g, k) in inp.cooling_excluded for g in fleet)] or list(inp.cooling.index)
    carbon = inp.policy.carbon_price_eur_per_t
    embedded = embedded_carbon_eur_per_mwh(fin)
    rows = {}
    for s in sites.index:
        prof = inp.profiles.xs(s, level="site")
        w = weights.reindex(prof.index).to_numpy(float)
        hours = prepared.hourly[prepared.hourly["site"] == s]
        grid = (inp.price_factors.grid * np.clip(hours["price_eur_per_mwh"].to_numpy(float)
                                                 - embedded, 0.0, None)
                + carbon * hours["grid_co2_g_per_kwh"].to_numpy(float) / 1e3)
        ppa = min(float(sites.at[s, "ppa_solar_eur_per_mwh"]),
                  float(sites.at[s, "ppa_wind_eur_per_mwh"]))
        price = (1.0 - share) * float(grid.mean()) + share * ppa
        dh_mean = float(np.average(prof["dh_demand_frac"].to_numpy(float), weights=w))
        temp = hours["temp_air_c"].to_numpy(float)
        best = None
        for k in allowed:
            c = catalogue.cooling.loc[k]
            hourly_pue = pue(temp, c["pue_min"], c["pue_threshold_c"], c["pue_slope_per_c"])
            pue_mean, peak = float(hourly_pue.mean()), float(hourly_pue.max())
            power = lf * float(((1.0 - share) * hourly_pue * grid + share * hourly_pue * ppa)
                               .sum())
            need = max(0.0, peak - float(sites.at[s, "grid_mw_now"]) / size)
            upgrade = need * float(sites.at[s, "grid_upgrade_eur_per_mw_year"])
            recovered = float(inp.cooling.at[k, "heat_recovery_frac"]) * lf * HOURS
            takes = float(sites.at[s, "dh_offtake_mw"]) * dh_mean * HOURS / size
            cop = inp.heat_pump_cop.get((s, k)) if len(inp.heat_pump_cop) else None
            heat = 0.0
            if cop is not None and cop > 0 and (math.isinf(cop) or inp.options["heat_pump"]):
                sold = min(recovered, takes)
                lift = 0.0 if math.isinf(cop) else sold / cop * price
                heat = -(float(sites.at[s, "dh_price_eur_per_mwh"]) * sold - lift)
            parts = {"power": power, "cooling": float(inp.cooling.at[k, "eur_per_mw_it_year"]),
                     "building": float(building[s]), "labour": float(labour[s]),
                     "grid_upgrade": upgrade, "heat_revenue": min(heat, 0.0)}
            total = sum(parts.values())
            if best is None or total < best[0]:
                best = (total, k, parts, pue_mean)
        total, k, parts, pue_mean = best
        rows[s] = {"country": sites.at[s, "country"], "open": bool(plan.sites.at[s, "open"])
                   if s in plan.sites.index else False, "cooling": k, "pue_mean": pue_mean,
                   **{f"{p}_eur_per_mw_year": v for p, v in parts.items()},
                   "total_eur_per_mw_year": total}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "site"
    frame["above_cheapest_eur_per_mw_year"] = frame["total_eur_per_mw_year"] - frame[
        "total_eur_per_mw_year"].min()
    frame["rank"] = frame["total_eur_per_mw_year"].rank(method="min").astype(int)
    frame["plan_eur_per_mw_year"] = _plan_per_mw(plan).reindex(frame.index)
    frame["estimated_inputs"] = _estimated(catalogue, frame.index, sites["country"])
    return frame.sort_values("total_eur_per_mw_year")


def _plan_per_mw(plan: Plan) -> pd.Series:
    costs = plan.costs
    if costs.empty:
        return pd.Series(dtype=float)
    own = costs[costs["item"] != "compute_nodes"].groupby("site")["eur_per_year"].sum()
    it = plan.sites.loc[plan.sites["open"], "it_mw"]
    return (own.reindex(it.index) / it).where(it > 0)


def _estimated(catalogue: Catalogue, sites: pd.Index, country: pd.Series) -> list[str]:
    from planner.optimise.estimates import VARIED, ranges

    spans = ranges(catalogue)
    out = []
    for s in sites:
        fields = spans[((spans["table"] == "sites") & (spans["id"] == s)
                        & spans["field"].isin(VARIED["sites"]))
                       | ((spans["table"] == "countries") & (spans["id"] == country[s])
                          & spans["field"].isin(VARIED["countries"]))]["field"]
        out.append(", ".join(sorted(set(fields))))
    return out


def policy_costs(scenario: Scenario, catalogue: Catalogue, resolver=None) -> tuple[
        pd.DataFrame, Plan]:
    """Each policy the scenario sets, its cost: the plan re-solved with it relaxed.

    Returns the table and the base plan it was measured on (solved here on the
    representative days without the full-year check, so both solves are alike).
    """
    from planner.optimise.solve import Resolver

    base_scenario = scenario.model_copy(update={"time": scenario.time.model_copy(
        update={"full_year_check": FullYearCheck.off})})
    resolver = resolver or Resolver(catalogue)
    base = resolver.solve(base_scenario)
    rows = []
    if not base.has_solution:
        return pd.DataFrame(columns=POLICY_COLUMNS), base
    tco = float(base.kpis["tco_eur_per_year"])
    gpu_hours = float(base.kpis.get("gpus", 0)) * HOURS
    bound = tco * (1.0 - (base.gap or 0.0))
    for name, (label, relaxed) in POLICIES.items():
        value = getattr(scenario.policy, name)
        if value is None or (name == "min_member_states" and not value):
            continue
        variant = base_scenario.model_copy(update={"policy": base_scenario.policy.model_copy(
            update={name: relaxed})})
        other = resolver.solve(variant)
        if not other.has_solution:
            rows.append({"policy": name, "label": label, "setting": value, "binding": NOT_FOUND,
                         "tco_eur_per_year": tco, "tco_relaxed_eur_per_year": np.nan,
                         "cost_eur_per_year": np.nan, "cost_low_eur_per_year": np.nan,
                         "cost_high_eur_per_year": np.nan, "cost_eur_per_gpu_hour": np.nan,
                         "relaxed_status": other.status, "open_sites_relaxed": ""})
            continue
        found = float(other.kpis["tco_eur_per_year"])
        other_bound = found * (1.0 - (other.gap or 0.0))
        low_tco = min(found, tco)  # the plan is feasible for the relaxed problem
        kept = other if found < tco else base  # the relaxed incumbent
        cost, cost_low, cost_high = tco - low_tco, max(0.0, bound - low_tco), tco - other_bound
        threshold = BINDING_FRAC * tco
        binding = BINDS if cost_low > threshold else FREE if cost_high <= threshold \
            else UNDECIDED
        rows.append({
            "policy": name, "label": label, "setting": value, "binding": binding,
            "tco_eur_per_year": tco, "tco_relaxed_eur_per_year": low_tco,
            "cost_eur_per_year": cost, "cost_low_eur_per_year": cost_low,
            "cost_high_eur_per_year": cost_high,
            "cost_eur_per_gpu_hour": cost / gpu_hours if gpu_hours else np.nan,
            "relaxed_status": other.status,
            "open_sites_relaxed": ";".join(kept.sites.index[kept.sites["open"]])})
    return pd.DataFrame(rows, columns=POLICY_COLUMNS), base


POLICY_COLUMNS = ["policy", "label", "setting", "binding", "tco_eur_per_year",
                   "tco_relaxed_eur_per_year", "cost_eur_per_year", "cost_low_eur_per_year",
                   "cost_high_eur_per_year", "cost_eur_per_gpu_hour", "relaxed_status",
                   "open_sites_relaxed"]


def explain(scenario: Scenario, catalogue: Catalogue, plan: Plan | None = None,
            policies: bool = True) -> Why:
    """Why ``plan`` (solved for ``scenario``; solved here when omitted).

    ``policies=False`` skips the re-solves and gives the site costs alone.
    """
    prepared = prepare(scenario, catalogue)
    table = pd.DataFrame(columns=POLICY_COLUMNS)
    measured_on = None
    if policies:
        table, measured_on = policy_costs(scenario, catalogue)
    if plan is None:
        plan = measured_on if measured_on is not None else _solve(scenario, catalogue)
    if policies:
        table = with_repair(table, plan)
    meta = {"scenario": scenario.name, **plan_shape(plan),
            "plan_tco_eur_per_year": plan.kpis.get("tco_eur_per_year"),
            "policy_base_tco_eur_per_year": None if measured_on is None
            else measured_on.kpis.get("tco_eur_per_year"),
            "policy_base_gap": None if measured_on is None else measured_on.gap}
    return Why(site_costs(plan, prepared, catalogue), table, meta)


def with_repair(table: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The policy table with the plan's full-year repair (:func:`repair_cost`) as a last row."""
    repair = repair_cost(plan)
    if repair is None:
        return table
    return pd.concat([table.astype({"setting": object}), pd.DataFrame(
        [repair], columns=POLICY_COLUMNS)], ignore_index=True)


def repair_cost(plan: Plan) -> dict[str, Any] | None:
    """The cost of holding the plan on the full year, when its check had to repair it.

    The policies are priced on the representative days; a plan whose full-year check
    found a requirement broken (typically the annual renewable share) was re-solved with
    it tightened until it held. ``cost = TCO(after the repair) - TCO(before)`` [EUR/yr], a
    measured difference of two plans, not bounded by a proven gap (``cost_low`` and
    ``cost_high`` are empty); ``setting`` is the last repair, e.g. "representative-day
    share raised to 96.3%". None when the plan was not repaired.
    """
    check = plan.meta.get("full_year_check") or {}
    before = check.get("tco_before_repair_eur_per_year")
    after = check.get("tco_after_repair_eur_per_year")
    rounds = check.get("repair_rounds") or []
    if not rounds or before is None or after is None:
        return None
    gpu_hours = float(plan.kpis.get("gpus", 0)) * HOURS
    cost = float(after) - float(before)
    return {"policy": "full_year_repair", "label": "holding it on the full year",
            "setting": str(rounds[-1].get("repair", "")),
            "binding": BINDS if cost > BINDING_FRAC * float(after) else FREE,
            "tco_eur_per_year": float(after), "tco_relaxed_eur_per_year": float(before),
            "cost_eur_per_year": cost, "cost_low_eur_per_year": np.nan,
            "cost_high_eur_per_year": np.nan,
            "cost_eur_per_gpu_hour": cost / gpu_hours if gpu_hours else np.nan,
            "relaxed_status": "representative days", "open_sites_relaxed": ""}


def _solve(scenario: Scenario, catalogue: Catalogue) -> Plan:
    from planner.optimise import solve

    return solve(scenario, catalogue)


def load_why(folder: Path | str) -> Why | None:
    """The Why of a plan folder (``why_sites.csv``, ``why_policies.csv``), or None.

    ``meta`` is empty: the files do not hold it (:func:`plan_shape` recomputes it).
    """
    folder = Path(folder)
    if not (folder / "why_sites.csv").is_file():
        return None
    sites = pd.read_csv(folder / "why_sites.csv", index_col="site",
                        keep_default_na=False, na_values=[""])
    sites["estimated_inputs"] = sites["estimated_inputs"].fillna("").astype(str)
    sites["open"] = sites["open"].astype(str).str.lower().eq("true")
    path = folder / "why_policies.csv"
    policies = pd.read_csv(path) if path.is_file() and path.stat().st_size else pd.DataFrame(
        columns=POLICY_COLUMNS)
    if "binding" in policies:
        policies["binding"] = policies["binding"].fillna(NOT_FOUND).astype(str)
    return Why(sites, policies, {})
