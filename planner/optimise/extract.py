"""Read a solved Pyomo model back into the Plan's tables, its design and its KPIs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from models import ModelInputs
from planner.optimise.check import Design
from planner.optimise.lifetime import lifetime_kpis
from planner.scenario import Scenario


def _value(expr) -> float:
    value = pyo.value(expr, exception=False)
    return 0.0 if value is None else float(value)


def _values(component, keys) -> np.ndarray:
    return np.array([_value(component[k]) for k in keys], dtype=float)


def chosen_cooling(m: pyo.ConcreteModel) -> dict[str, str]:
    """The cooling technology of each open site ('' where closed)."""
    out = {}
    for s in m.SITES:
        chosen = [k for k in m.COOLING if _value(m.cooling_at[s, k]) > 0.5]
        out[s] = chosen[0] if chosen else ""
    return out


def dispatch_table(m: pyo.ConcreteModel, inp: ModelInputs) -> pd.DataFrame:
    """Energy by site and period [MW] with the period's weight [h], day, hour and kind."""
    keys = list(m.SITE_PERIODS)
    solar = np.array([m.solar_cf[k] for k in keys])
    wind = np.array([m.wind_cf[k] for k in keys])
    sites = [s for s, _ in keys]

    def cap(var) -> np.ndarray:
        values = {s: _value(var[s]) for s in m.SITES}
        return np.array([values[s] for s in sites])

    frame = pd.DataFrame({
        "site": sites, "period": [t for _, t in keys],
        "facility_mw": _values(m.facility_mw, keys), "it_mw": _values(m.it_load_mw, keys),
        "heat_pump_mw": _values(m.heat_pump_mw_e, keys),
        "grid_import_mw": _values(m.grid_import_mw, keys),
        "ppa_solar_mw": solar * cap(m.ppa_solar_mw), "ppa_wind_mw": wind * cap(m.ppa_wind_mw),
        "pv_mw": solar * cap(m.pv_mw), "wind_mw": wind * cap(m.wind_mw),
        "battery_discharge_mw": _values(m.discharge_mw, keys),
        "battery_charge_mw": _values(m.charge_mw, keys), "backup_mw": _values(m.backup_gen_mw, keys),
        "gas_mw": _values(m.gas_gen_mw, keys), "spill_mw": _values(m.spill_mw, keys),
        "heat_sold_mw": _values(m.heat_sold_mw, keys), "soc_mwh": _values(m.soc_mwh, keys),
    })
    frame["ppa_mw"] = frame["ppa_solar_mw"] + frame["ppa_wind_mw"]
    frame["onsite_mw"] = frame["pv_mw"] + frame["wind_mw"]
    table = inp.periods[["weight_h", "day", "hour", "kind"]]
    return frame.join(table, on="period")


ENERGY_COLUMNS = ("facility_mw", "it_mw", "heat_pump_mw", "grid_import_mw", "ppa_mw", "onsite_mw",
                  "backup_mw", "gas_mw", "spill_mw", "heat_sold_mw")
CAPACITIES = ("grid_upgrade_mw", "pv_mw", "wind_mw", "ppa_solar_mw", "ppa_wind_mw", "battery_mw",
              "battery_mwh", "backup_mw", "gas_mw", "heat_pump_mw")


def site_table(m: pyo.ConcreteModel, inp: ModelInputs, dispatch: pd.DataFrame) -> pd.DataFrame:
    """One row per candidate site: decisions, energy by source, emissions, water, heat, EU KPIs.

    EU indicators (Delegated Regulation (EU) 2024/1364, EN 50600-4-x): ``pue`` = facility
    energy / IT energy; ``wue_l_per_kwh`` = water / IT energy; ``erf`` = heat reused / total
    energy; ``ref`` = renewable energy (consumed on-site or by PPA, net of curtailment, plus
    guarantees of origin) / total energy. Total energy counts the heat pumps.
    """
    sites = inp.sites
    out = pd.DataFrame(index=sites.index)
    out["country"] = sites["country"]
    out["open"] = [_value(m.open_site[s]) > 0.5 for s in sites.index]
    out["cooling"] = pd.Series(chosen_cooling(m))
    for g in m.ACCELERATORS:
        per_node = int(inp.accelerators.at[g, "gpus_per_node"])
        out[f"gpus_{g}"] = [int(round(_value(m.nodes[s, g]))) * per_node for s in sites.index]
    out["it_mw"] = [_value(m.it_mw[s]) for s in sites.index]
    out["served_mw"] = [_value(m.served_mw[s]) for s in sites.index]
    w = dispatch["weight_h"]
    energy = dispatch.assign(**{c: dispatch[c] * w for c in ENERGY_COLUMNS}).groupby("site")[
        list(ENERGY_COLUMNS)].sum()
    energy.columns = [c.replace("_mw", "_mwh") for c in energy.columns]
    out = out.join(energy)
    out["facility_mw_mean"] = out["facility_mwh"] / 8760.0
    out["facility_peak_mw"] = dispatch.groupby("site")["facility_mw"].max().reindex(out.index)
    out["design_peak_mw"] = [_value(m.facility_peak_mw[s]) for s in sites.index]
    it = out["it_mwh"].where(out["it_mwh"] > 0)
    out["pue_mean"] = out["facility_mwh"] / it
    out["go_mwh"] = [_value(m.go_mwh[s]) for s in sites.index]
    total = out["facility_mwh"] + out["heat_pump_mwh"]
    fossil = out["grid_import_mwh"] + out["backup_mwh"] + out["gas_mwh"]
    out["renewable_generation_mwh"] = out["ppa_mwh"] + out["onsite_mwh"]
    out["renewable_consumed_mwh"] = total - fossil
    out["emissions_t"] = [_value(m.site_emissions_t[s]) for s in sites.index]
    out["water_m3"] = [_value(m.site_water_m3[s]) for s in sites.index]
    out["wue_l_per_kwh"] = out["water_m3"] / it
    out["erf"] = out["heat_sold_mwh"] / total.where(total > 0)
    out["ref"] = ((out["renewable_consumed_mwh"] + out["go_mwh"]) / total.where(total > 0)).clip(
        upper=1.0)
    out["it_capacity_mw"] = [_value(m.it_capacity_mw[s]) for s in sites.index]
    for name in CAPACITIES:
        var = getattr(m, name)
        out[name if name != "backup_mw" else "backup_capacity_mw"] = [_value(var[s])
                                                                      for s in sites.index]
    out.loc[~out["open"], "cooling"] = ""
    cap = out["backup_capacity_mw"]
    out["backup_hours"] = (out["backup_mwh"] / cap.where(cap > 1e-9)).fillna(0.0)
    out.index.name = "site"
    return out


def design(m: pyo.ConcreteModel, inp: ModelInputs, scenario: Scenario) -> Design:
    """The capacities and IT loads of the open sites, for the full-year check."""
    cooling = chosen_cooling(m)
    now = inp.sites["grid_mw_now"].astype(float)
    rows = {}
    for s in m.SITES:
        if _value(m.open_site[s]) <= 0.5:
            continue
        k = cooling[s]
        rows[s] = {"cooling": k, "it_base_mw": _value(m.it_base_cooled[s, k]),
                   "grid_mw": float(now[s]) + _value(m.grid_upgrade_mw[s]),
                   "design_peak_mw": _value(m.facility_peak_mw[s]),
                   "it_capacity_mw": _value(m.it_capacity_mw[s]),
                   **{name: _value(getattr(m, name)[s]) for name in CAPACITIES}}
    sites = pd.DataFrame.from_dict(rows, orient="index")
    sites.index.name = "site"
    windows = {r.id: (r.start_day, r.end_day) for r in scenario.workloads.training}
    runs = []
    for (r, s) in m.RUN_SITES:
        if s in rows:
            add = _value(m.run_cooled[r, s, cooling[s]])
            if abs(add) > 1e-9:
                runs.append({"run": r, "site": s, "it_add_mw": add, "start_day": windows[r][0],
                             "end_day": windows[r][1]})
    runs_frame = pd.DataFrame(runs, columns=["run", "site", "it_add_mw", "start_day", "end_day"])
    return Design(sites=sites, runs=runs_frame.set_index(["run", "site"]))


def fleet_table(m: pyo.ConcreteModel, inp: ModelInputs) -> pd.DataFrame:
    """Nodes and GPUs by site and accelerator (deployed ones only)."""
    rows = []
    for s in m.SITES:
        for g in m.ACCELERATORS:
            nodes = int(round(_value(m.nodes[s, g])))
            if nodes:
                acc = inp.accelerators.loc[g]
                rows.append({"site": s, "accelerator": g, "nodes": nodes,
                             "gpus": nodes * int(acc["gpus_per_node"]),
                             "it_mw": nodes * acc["node_it_kw"] / 1e3,
                             "peak_bf16_pflops": nodes * acc["pflops_per_node"]})
    return pd.DataFrame(rows, columns=["site", "accelerator", "nodes", "gpus", "it_mw",
                                       "peak_bf16_pflops"])


def workload_table(m: pyo.ConcreteModel, inp: ModelInputs, options: pd.DataFrame) -> pd.DataFrame:
    """Where each workload runs, on what, with how many nodes and GPUs, and when."""
    rows = []
    for (r, s, g) in m.RUN_OPTIONS:
        if _value(m.run_at[(r, s, g)]) > 0.5:
            opt = options[(options["workload"] == r) & (options["accelerator"] == g)].iloc[0]
            rows.append({"workload": r, "kind": "training", "site": s, "accelerator": g,
                         "nodes": float(inp.training.at[(r, g), "nodes"]),
                         "gpus": float(opt["gpus"]), "start_day": float(opt["start_day"]),
                         "finish_day": float(opt["start_day"]) + float(opt["wall_days"]),
                         "deadline_day": float(opt["end_day"])})
    for kind, var, opts in (("inference", m.inference_nodes, m.INF_OPTIONS),
                            ("hpc", m.hpc_nodes, m.HPC_OPTIONS)):
        for (w, s, g) in opts:
            nodes = _value(var[(w, s, g)])
            if nodes > 1e-6:
                per = inp.accelerators.at[g, "gpus_per_node"]
                rows.append({"workload": w, "kind": kind, "site": s, "accelerator": g,
                             "nodes": nodes, "gpus": nodes * per, "start_day": 0.0,
                             "finish_day": np.nan, "deadline_day": np.nan})
    return pd.DataFrame(rows, columns=["workload", "kind", "site", "accelerator", "nodes", "gpus",
                                       "start_day", "finish_day", "deadline_day"])


def cost_table(m: pyo.ConcreteModel) -> pd.DataFrame:
    """Cost by item and site: annual [EUR/yr] (heat revenue negative) and capex [EUR]."""
    rows = {}
    for kind, registry in (("eur_per_year", m.cost_terms), ("capex_eur", m.capex_terms)):
        for item, by_site in registry.items():
            if item.startswith("slack_"):
                continue
            for site, expr in by_site.items():
                rows.setdefault((item, site), {})[kind] = _value(expr)
    frame = pd.DataFrame.from_dict(rows, orient="index").fillna(0.0)
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["item", "site"])
    frame = frame.reset_index()
    used = frame.groupby("site")[["eur_per_year", "capex_eur"]].transform(
        lambda col: col.abs().sum()).sum(axis=1) > 0
    return frame[used].reset_index(drop=True)[["item", "site", "eur_per_year", "capex_eur"]]


def kpis(sites: pd.DataFrame, fleet: pd.DataFrame, costs: pd.DataFrame,
         scenario: Scenario, finance: dict[str, float]) -> dict[str, float]:
    """Headline figures, computed from the plan's own tables (formulas in docs/model.md).

    ``finance`` (the catalogue's finance parameters with the scenario's overrides) gives
    the discount rate and asset lives of the lifetime figures
    (:func:`planner.optimise.lifetime.lifetime_kpis`).
    """
    tco = float(costs["eur_per_year"].sum()) if len(costs) else 0.0
    gpus = int(sum(sites[c].sum() for c in sites.columns if c.startswith("gpus_")))
    facility_mwh = float(sites["facility_mwh"].sum())
    total_mwh = facility_mwh + float(sites["heat_pump_mwh"].sum())
    it_mwh = float(sites["it_mwh"].sum())
    renewable = float(sites["renewable_consumed_mwh"].sum())
    certified = float(sites["go_mwh"].sum())
    pflops = float(fleet["peak_bf16_pflops"].sum()) if len(fleet) else 0.0
    tokens = sum(r.tokens_t * 1e12 for r in scenario.workloads.training)
    water = float(sites["water_m3"].sum())
    return {
        "tco_eur_per_year": tco,
        "capex_eur": float(costs["capex_eur"].sum()) if len(costs) else 0.0,
        "gpus": gpus,
        "eur_per_gpu_hour": tco / (gpus * 8760.0) if gpus else float("nan"),
        "eur_per_pflop_day": tco / (pflops * 365.0) if pflops else float("nan"),
        "eur_per_million_training_tokens": tco / (tokens / 1e6) if tokens else float("nan"),
        "it_mw": float(sites["it_mw"].sum()),
        "facility_mw": facility_mwh / 8760.0,
        "pue": facility_mwh / it_mwh if it_mwh else float("nan"),
        "renewable_share": min(1.0, (renewable + certified) / total_mwh) if total_mwh
        else float("nan"),
        "renewable_share_hourly": renewable / total_mwh if total_mwh else float("nan"),
        "renewable_generation_mwh": float(sites["renewable_generation_mwh"].sum()),
        "curtailment_mwh": float(sites["spill_mwh"].sum()),
        "emissions_t_per_year": float(sites["emissions_t"].sum()),
        "water_m3_per_year": water,
        "wue_l_per_kwh": water / it_mwh if it_mwh else float("nan"),
        "erf": float(sites["heat_sold_mwh"].sum()) / total_mwh if total_mwh else float("nan"),
        "backup_mwh": float(sites["backup_mwh"].sum()),
        "sites_open": int(sites["open"].sum()),
        "member_states": int(sites.loc[sites["open"], "country"].nunique()),
        **lifetime_kpis(costs, finance, gpus, tokens),
    }
