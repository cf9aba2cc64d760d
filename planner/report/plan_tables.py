"""The plan workbook's tables as DataFrames whose column names carry their units."""

from __future__ import annotations

import ast
import json
import platform
from datetime import UTC, datetime

import numpy as np
import openpyxl
import pandas as pd

from planner import __version__
from planner.catalogue import Catalogue
from planner.colours import ENERGY_COLOURS
from planner.optimise import Plan
from planner.optimise.finance import ITEM_LIFETIMES, capital_recovery_factor
from planner.optimise.lifetime import cash_flow_table
from planner.report.labels import FRACTION_KPIS, KPI_LABELS, split_label
from planner.report.used import Used

SITE_DECISIONS = {
    "it_mw": "IT load [MW]", "it_capacity_mw": "IT capacity built [MW]",
    "facility_mw_mean": "facility load, mean [MW]", "pue_mean": "PUE, mean [-]",
    "served_mw": "served IT load, above idle, mean [MW]",
    "design_peak_mw": "design peak facility load [MW]",
    "emissions_t": "emissions [tCO2/yr]", "water_m3": "water [m3/yr]",
}
SITE_SUPPLY = {
    "grid_upgrade_mw": "grid upgrade [MW]", "pv_mw": "on-site PV [MW]",
    "wind_mw": "on-site wind [MW]", "ppa_solar_mw": "solar PPA [MW]",
    "ppa_wind_mw": "wind PPA [MW]", "battery_mw": "battery power [MW]",
    "battery_mwh": "battery energy [MWh]", "backup_capacity_mw": "standby generators [MW]",
    "gas_mw": "on-site gas turbine [MW]", "heat_pump_mw": "heat pump [MW_th]",
}
SITE_INPUTS = {
    "grid_mw_now": "grid connection now [MW]", "grid_mw_max": "grid connection max [MW]",
    "grid_upgrade_eur_per_kw": "grid upgrade cost [EUR/kW]",
    "build_cost_factor": "build cost factor [-]", "land_ha": "land [ha]",
    "dh_offtake_mw": "district-heating offtake [MW_th]",
    "dh_price_eur_per_mwh": "heat price [EUR/MWh_th]", "water_stress_score": "water stress [0-5]",
}
COUNTRY_INPUTS = {
    "elec_price_eur_per_mwh": "electricity price [EUR/MWh]",
    "grid_co2_g_per_kwh": "grid carbon intensity [gCO2/kWh]",
    "ppa_solar_eur_per_mwh": "solar PPA price [EUR/MWh]",
    "ppa_wind_eur_per_mwh": "wind PPA price [EUR/MWh]",
    "labour_cost_factor": "labour cost factor [-]",
}
ENERGY_SOURCES = {
    "grid_import_mwh": "grid import [MWh/yr]", "ppa_mwh": "PPA [MWh/yr]",
    "onsite_mwh": "on-site renewables [MWh/yr]", "backup_mwh": "standby generation [MWh/yr]",
    "gas_mwh": "gas turbine [MWh/yr]",
}
ENERGY_INDICATORS = {
    "heat_pump_mwh": "heat pumps [MWh/yr]",
    "renewable_generation_mwh": "renewable generation, gross [MWh/yr]",
    "spill_mwh": "renewables curtailed [MWh/yr]",
    "renewable_consumed_mwh": "renewable energy consumed [MWh/yr]",
    "go_mwh": "guarantees of origin [MWh/yr]", "backup_hours": "standby running [h/yr]",
    "pue_mean": "PUE [-]", "wue_l_per_kwh": "WUE [L/kWh]",
    "ref": "renewable energy factor (REF) [fraction]",
    "erf": "energy reuse factor (ERF) [fraction]", "heat_sold_mwh": "heat sold [MWh_th/yr]",
}
"""Per-site indicators of the Energy sheet, with the EU datacentre reporting ones
(Delegated Regulation (EU) 2024/1364: PUE, WUE, REF, ERF)."""
DISPATCH = {
    "facility_mw": "facility load [MW]", "grid_import_mw": "grid import [MW]",
    "ppa_mw": "PPA [MW]", "onsite_mw": "on-site renewables [MW]",
    "battery_discharge_mw": "battery discharge [MW]", "battery_charge_mw": "battery charge [MW]",
    "backup_mw": "standby generation [MW]", "gas_mw": "gas turbine [MW]",
    "heat_pump_mw": "heat pumps [MW]", "spill_mw": "renewables curtailed [MW]",
    "heat_sold_mw": "heat sold [MW_th]", "soc_mwh": "battery state of charge [MWh]",
}
DISPATCH_SUPPLY = ("grid import [MW]", "PPA [MW]", "on-site renewables [MW]",
                   "battery discharge [MW]", "standby generation [MW]", "gas turbine [MW]")
FLOW_OF = {"grid_import": "grid", "ppa": "ppa", "onsite": "onsite",
           "battery_discharge": "battery_discharge", "backup": "backup", "gas": "gas"}
"""Table column stem -> its flow in :data:`planner.colours.ENERGY_COLOURS`."""


def flow_colours() -> dict[str, str]:
    """Energy table and dispatch labels -> the flow's colour, as the explorer draws it."""
    out = {}
    for columns in (ENERGY_SOURCES, DISPATCH):
        for column, label in columns.items():
            stem = column.removesuffix("_mwh").removesuffix("_mw")
            if stem in FLOW_OF:
                out[label] = ENERGY_COLOURS[FLOW_OF[stem]]
    return out
COST_ITEMS = {
    "site_fixed": "site fixed cost: management, security, fees",
    "compute_nodes": "compute nodes with network and storage: capital and maintenance",
    "building": "data-centre building: capital, facility O&M, insurance, staff",
    "cooling": "cooling plant: capital and O&M",
    "heat_revenue": "district-heating revenue (negative)", "carbon": "carbon price on emissions",
    "grid_energy": "grid electricity", "ppa_energy": "PPA electricity",
    "grid_upgrade": "grid connection upgrade: capital and O&M",
    "onsite_pv": "on-site PV: capital and O&M", "onsite_wind": "on-site wind: capital and O&M",
    "battery": "battery storage: capital and O&M",
    "backup": "standby generators: capital, fuel (limited running hours)",
    "gas_turbine": "on-site gas turbine: capital, O&M and fuel",
    "heat_pump": "heat pump lifting recovered heat: capital and O&M",
    "guarantees_of_origin": "guarantees of origin for certified grid energy",
}
ANNUAL = "annual cost [EUR/yr]"
CAPEX = "capex [EUR]"
ANNUALISED = "annualised capex [EUR/yr]"
OPERATING = "operating and other [EUR/yr]"


def summary_table(plan: Plan, catalogue: Catalogue, used: Used) -> pd.DataFrame:
    """Item, value, unit, key: scenario, status, explanation, full-year check, KPIs, warnings.

    How the plan was made (versions, solver, timings) is on Run metadata
    (:func:`run_metadata_table`).
    """
    meta = plan.meta
    rows: list[tuple[str, object, str, str]] = [
        ("scenario", meta.get("scenario"), "", "scenario"),
        ("description", meta.get("description", ""), "", "description"),
        ("objective", used.spec.get("objective", ""), "", "objective"),
        ("status", plan.status, "", "status"),
        ("proven gap", plan.gap, "fraction", "gap"),
    ]
    heading = {"infeasible": "why it is infeasible", "refused": "why it is not a plan"}.get(
        plan.status, "note")
    rows += [(heading, line, "",
              "explanation") for line in plan.explanation]
    check = meta.get("full_year_check")
    if check and len(plan.check):
        rows.append(("full-year check", "holds" if not plan.check_breaks else "breaks", "",
                     "full_year_check"))
        rows += [("full-year check breaks", text, "", "check_break") for text in plan.check_breaks]
        rows += [("full-year repair", step.get("repair", ""), "", "repair")
                 for step in check.get("repair_rounds", [])]
    if plan.has_solution:
        for key, label in KPI_LABELS.items():
            name, unit = split_label(label)
            rows.append((name, plan.kpis.get(key), "fraction" if key in FRACTION_KPIS
                         else unit, key))
    if catalogue.version != meta.get("data_version"):
        rows.append(("warning", f"the catalogue (data version {catalogue.version}) is not the "
                     f"one the plan was solved with ({meta.get('data_version')}); Assumptions "
                     "and Sources show the catalogue's figures", "", "warning"))
    if not used.spec:
        rows.append(("warning", "the plan does not record its scenario; Assumptions show "
                     "catalogue defaults only", "", "warning"))
    return pd.DataFrame(rows, columns=["item", "value", "unit", "key"])


def run_metadata_table(plan: Plan, catalogue: Catalogue, used: Used) -> pd.DataFrame:
    """Item, value, unit, key: how the plan was made (hash, versions, solver, timings)."""
    meta = plan.meta
    settings = meta.get("solver_settings", {})
    rows: list[tuple[str, object, str, str]] = [
        ("scenario", meta.get("scenario"), "", "scenario"),
        ("scenario hash", meta.get("scenario_hash"), "", "scenario_hash"),
        ("gigaplan version of the solve", meta.get("gigaplan_version"), "", "gigaplan_version"),
        ("gigaplan version of this report", __version__, "", "report_gigaplan_version"),
        ("data version of the solve", meta.get("data_version"), "", "data_version"),
        ("data version of Assumptions and Sources", catalogue.version, "",
         "catalogue_version"),
        ("Python of this report", platform.python_version(), "", "report_python_version"),
        ("openpyxl of this report", openpyxl.__version__, "", "report_openpyxl_version"),
        ("solver", meta.get("solver"), "", "solver"),
        ("solver time limit", settings.get("time_limit_s"), "s", "time_limit_s"),
        ("solver MIP gap target", settings.get("mip_gap_frac"), "fraction", "mip_gap_frac"),
        ("solver threads", settings.get("threads"), "threads", "threads"),
        ("solver random seed", settings.get("seed"), "-", "seed"),
        ("model reused from an earlier solve", meta.get("model_reused"), "", "model_reused"),
        ("time resolution", used.spec.get("time", {}).get("resolution", ""), "", "resolution"),
        ("representative days", meta.get("representative_days"), "days",
         "representative_days"),
        ("periods in the model", meta.get("periods"), "-", "periods"),
        ("solved at", meta.get("solved_at"), "UTC", "solved_at"),
        ("report written at", datetime.now(UTC).isoformat(timespec="seconds"), "UTC",
         "written_at"),
    ]
    rows += [(f"time to {k.removesuffix('_s')}", v, "s", k)
             for k, v in meta.get("timings", {}).items()]
    return pd.DataFrame(rows, columns=["item", "value", "unit", "key"])


def cash_flow_frame(plan: Plan, finance: dict[str, float]) -> pd.DataFrame:
    """The plan's cash flow by year (:func:`planner.optimise.lifetime.cash_flow_table`)."""
    c = cash_flow_table(plan.costs, finance)
    return pd.DataFrame({
        "year": c["year"], "initial capex [EUR]": c["initial_capex_eur"],
        "renewals [EUR]": c["renewal_capex_eur"], "salvage value [EUR]": c["salvage_eur"],
        "operating cost [EUR]": c["operating_eur"], "net cost [EUR]": c["net_cost_eur"],
        "discount factor [-]": c["discount_factor"],
        "present value [EUR]": c["present_value_eur"],
        "cumulative present value [EUR]": c["cumulative_present_value_eur"]})


SITE_PARTS = ("decisions", "supply", "inputs")


def sites_table(plan: Plan, catalogue: Catalogue, used: Used,
                part: str = "decisions") -> pd.DataFrame:
    """One row per candidate site, chosen ones first (largest IT load first).

    ``part`` (:data:`SITE_PARTS`): ``decisions`` (chosen, cooling, GPUs, loads, PUE,
    emissions, water), ``supply`` (what is built: GPUs by accelerator and the energy
    assets) or ``inputs`` (the site's and
    its country's inputs). Each starts with the site id, so that a sheet of each prints
    one page wide at a readable scale.
    """
    s = plan.sites
    order = s.assign(_it=s["it_mw"]).sort_values(["open", "_it"], ascending=False,
                                                    kind="stable").index
    s = s.loc[order]
    inputs = used.sites.reindex(s.index)
    out = pd.DataFrame({"site": s.index})
    if part == "decisions":
        out["name"] = inputs["name"].to_numpy()
        out["country"] = s["country"].to_numpy()
        out["chosen"] = s["open"].to_numpy()
        out["cooling"] = s["cooling"].to_numpy()
        out["GPUs"] = s[gpu_columns(s)].sum(axis=1).to_numpy()
        for col, label in SITE_DECISIONS.items():
            out[label] = s[col].to_numpy()
    elif part == "supply":
        out["chosen"] = s["open"].to_numpy()
        for col in gpu_columns(s):  # the accelerators deployed somewhere
            if s[col].sum() > 0:
                out[f"GPUs {col.removeprefix('gpus_')}"] = s[col].to_numpy()
        for col, label in SITE_SUPPLY.items():
            out[label] = s[col].to_numpy()
    else:
        countries = catalogue.countries.reindex(s["country"])
        out["country"] = s["country"].to_numpy()
        for col, label in SITE_INPUTS.items():
            out[label] = inputs[col].to_numpy()
        for col, label in COUNTRY_INPUTS.items():
            out[label] = countries[col].to_numpy()
    return out


def gpu_columns(sites: pd.DataFrame) -> list[str]:
    """The plan's ``gpus_<accelerator>`` columns."""
    return [c for c in sites.columns if c.startswith("gpus_")]


def fleet_table(plan: Plan) -> pd.DataFrame:
    """Nodes and GPUs by site and accelerator."""
    f = plan.fleet
    return pd.DataFrame({"site": f["site"], "accelerator": f["accelerator"],
                         "nodes": f["nodes"], "GPUs": f["gpus"], "IT load [MW]": f["it_mw"],
                         "peak BF16 [PFLOP/s]": f["peak_bf16_pflops"]})


def throughput_table(plan: Plan) -> pd.DataFrame:
    """Roofline throughput per GPU of each workload on each allowed accelerator."""
    o = plan.workload_options.reset_index(drop=True)
    placed = plan.workloads.groupby(["workload", "accelerator"])["site"].agg(
        lambda sites: ", ".join(sorted(set(sites)))) if len(plan.workloads) else pd.Series(
        dtype=object)
    runs_at = [placed.get((w, a), "") for w, a in zip(o["workload"], o["accelerator"],
                                                         strict=True)]
    return pd.DataFrame({
        "workload": o["workload"], "kind": o["kind"], "accelerator": o["accelerator"],
        "feasible": o["feasible"], "runs at": runs_at,
        "TFLOP/s per GPU [TFLOP/s]": _col(o, "tflops_per_gpu"),
        "tokens/s per GPU [tokens/s]": _col(o, "tokens_per_s_per_gpu"),
        "MFU [fraction]": _col(o, "mfu"), "GPUs for the deadline [GPUs]": _col(o, "gpus"),
        "time to train [days]": _col(o, "wall_days"),
        "layout": [layout_text(v) for v in _col(o, "layout")],
        "why not": _col(o, "reason")})


LAYOUT_WORDS = (("tp", "TP"), ("pp", "PP"), ("dp", "DP"), ("cp", "CP"), ("ep", "EP"),
                ("micro_batch", "micro-batch"), ("interleave", "interleave"),
                ("zero_stage", "ZeRO"), ("recompute", "recompute"))
"""Layout key -> its Megatron name (tensor, pipeline, data, context, expert parallel)."""


def layout_text(layout) -> str:
    """``{"tp": 8, "pp": 4, ...}`` -> ``"TP 8 · PP 4 · ..."``; blank when there is none."""
    if isinstance(layout, str):  # JSON, or the dict's text as a plan file keeps it
        try:
            layout = json.loads(layout)
        except ValueError:
            try:
                layout = ast.literal_eval(layout)
            except (ValueError, SyntaxError):
                return layout
    if not isinstance(layout, dict):
        return ""
    words = [f"{name} {layout[key]}" for key, name in LAYOUT_WORDS if key in layout]
    words += [f"{key} {value}" for key, value in layout.items()
              if key not in dict(LAYOUT_WORDS)]
    return " · ".join(words)


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series([None] * len(frame), dtype=object)


def open_sites(plan: Plan) -> list[str]:
    """Chosen sites, largest IT load first (the order of the Sites sheet)."""
    s = plan.sites[plan.sites["open"]]
    return list(s.sort_values("it_mw", ascending=False, kind="stable").index)


def energy_table(plan: Plan) -> pd.DataFrame:
    """Annual energy by chosen site and source (the indicators: :func:`energy_indicators_table`)."""
    s = plan.sites.loc[open_sites(plan)]
    out = pd.DataFrame({"site": s.index,
                        "facility consumption [MWh/yr]": s["facility_mwh"].to_numpy()})
    for col, label in ENERGY_SOURCES.items():
        out[label] = s[col].to_numpy()
    out["emissions [tCO2/yr]"] = s["emissions_t"].to_numpy()
    return out


def energy_indicators_table(plan: Plan) -> pd.DataFrame:
    """The EU datacentre indicators and the other energy figures by chosen site."""
    s = plan.sites.loc[open_sites(plan)]
    out = pd.DataFrame({"site": s.index})
    for col, label in ENERGY_INDICATORS.items():
        out[label] = s[col].to_numpy()
    return out


def check_table(plan: Plan) -> pd.DataFrame:
    """The full-year check: each figure on the representative days and on all 8760 hours."""
    c = plan.check
    if not len(c):
        return pd.DataFrame(columns=["figure", "unit", "representative days", "full year",
                                     "difference [fraction]"])
    return pd.DataFrame({"figure": c["figure"], "unit": c["unit"],
                         "representative days": c["representative_days"],
                         "full year": c["full_year"],
                         "difference [fraction]": c["difference_frac"]})


def dispatch_table(plan: Plan) -> pd.DataFrame:
    """Hourly dispatch of the representative periods at the chosen sites.

    Days count from 1, as the explorer shows them ("day 1"); hours from 0 to 23.
    """
    e = plan.energy
    e = e[e["site"].isin(open_sites(plan))].copy()
    e["_order"] = e["site"].map({s: i for i, s in enumerate(open_sites(plan))})
    e = e.sort_values(["_order", "day", "period"], kind="stable")
    hour = e.groupby(["site", "day"]).cumcount()
    out = pd.DataFrame({"site": e["site"], "day": e["day"] + 1, "hour": hour,
                        "weight [h]": e["weight_h"]})
    for col, label in DISPATCH.items():
        out[label] = e[col]
    return out.reset_index(drop=True)


def cooling_table(plan: Plan, catalogue: Catalogue, used: Used) -> pd.DataFrame:
    """Cooling technology, PUE, water and heat recovered and sold at the chosen sites."""
    s = plan.sites.loc[open_sites(plan)]
    tech = catalogue.cooling.reindex(s["cooling"])
    recoverable = tech["heat_recovery_frac"].to_numpy() * s["it_mw"].to_numpy() * 8760.0
    revenue = plan.costs[plan.costs["item"] == "heat_revenue"].groupby("site")["eur_per_year"].sum()
    return pd.DataFrame({
        "site": s.index, "cooling": s["cooling"].to_numpy(), "technology": tech["name"].to_numpy(),
        "IT load [MW]": s["it_mw"].to_numpy(), "PUE, mean [-]": s["pue_mean"].to_numpy(),
        "PUE at free cooling [-]": tech["pue_min"].to_numpy(),
        "highest rack power [kW]": tech["max_rack_kw"].to_numpy(),
        "water use effectiveness, annual [L/kWh]": s["wue_l_per_kwh"].to_numpy(),
        "water [m3/yr]": s["water_m3"].to_numpy(),
        "heat recoverable [MWh_th/yr]": recoverable,
        "district-heating offtake [MW_th]": used.sites["dh_offtake_mw"].reindex(s.index).to_numpy(),
        "heat sold [MWh_th/yr]": s["heat_sold_mwh"].to_numpy(),
        "heat revenue [EUR/yr]": -revenue.reindex(s.index).fillna(0.0).to_numpy()})


def cost_tables(plan: Plan, catalogue: Catalogue, used: Used) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Costs by item and site, and by item (largest first): capex, its annuity, the rest."""
    c = plan.costs
    lifetimes = {item: _lifetime(item, catalogue, used) for item in c["item"].unique()}
    life = c["item"].map(lifetimes).astype(float)
    rate = float(used.finance["discount_rate"])
    crf = life.map(lambda n: capital_recovery_factor(rate, n) if np.isfinite(n) else np.nan)
    annualised = (c["capex_eur"] * crf).where(c["capex_eur"] != 0, 0.0)
    by_site = pd.DataFrame({"item": c["item"], "site": c["site"], CAPEX: c["capex_eur"],
                            "asset life [years]": life, ANNUALISED: annualised,
                            OPERATING: c["eur_per_year"] - annualised, ANNUAL: c["eur_per_year"]})
    sums = by_site.groupby("item", sort=False)[[CAPEX, ANNUALISED, OPERATING, ANNUAL]].sum(
        min_count=1)
    sums = sums.sort_values(ANNUAL, ascending=False, kind="stable").reset_index()
    sums.insert(1, "what", sums["item"].map(COST_ITEMS).fillna(""))
    return by_site, sums


def _lifetime(item: str, catalogue: Catalogue, used: Used) -> float:
    """The economic lifetime the optimiser annualised ``item`` with [years].

    From finance.csv or the scenario's override
    (:data:`planner.optimise.finance.ITEM_LIFETIMES`).
    """
    key = ITEM_LIFETIMES.get(item)
    if key is None or key not in used.finance:
        return np.nan
    if item == "compute_nodes" and float(used.finance.get("network_storage_capex_frac", 0)):
        return np.nan  # servers and their network share have different lives
    return float(used.finance[key])  # type: ignore[arg-type]


def workloads_table(plan: Plan, used: Used) -> pd.DataFrame:
    """Each workload's placement: site, accelerator, GPUs, finish time, share of its demand."""
    w = plan.workloads.reset_index(drop=True)
    demands = {d["id"]: (kind, d) for kind in ("training", "inference", "hpc")
               for d in used.spec.get("workloads", {}).get(kind, [])}
    options = plan.workload_options.set_index(["workload", "accelerator"])
    share = []
    for row in w.itertuples():
        kind, demand = demands.get(row.workload, (row.kind, {}))
        rate = options["rate_per_node"].get((row.workload, row.accelerator), np.nan) \
            if "rate_per_node" in options.columns else np.nan
        need = demand.get("output_tokens_per_s") or demand.get("sustained_pflops")
        share.append(1.0 if row.kind == "training" else row.nodes * rate / need if need else None)

    def field(name: str) -> list[object]:
        return [demands.get(x, ("", {}))[1].get(name) for x in w["workload"]]

    return pd.DataFrame({
        "workload": w["workload"], "kind": w["kind"],
        "model or kernel": [m or k for m, k in zip(field("model"), field("kernel"), strict=True)],
        "site": w["site"], "accelerator": w["accelerator"], "nodes": w["nodes"],
        "GPUs": w["gpus"], "start [day of year]": w["start_day"],
        "finish [day of year]": w["finish_day"], "deadline [day of year]": w["deadline_day"],
        "training tokens [1e12]": field("tokens_t"),
        "inference demand [tokens/s]": field("output_tokens_per_s"),
        "HPC demand [PFLOP/s]": field("sustained_pflops"), "share of demand [fraction]": share})

