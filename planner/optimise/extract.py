"""Read a solved Pyomo model back into the Plan's tables and KPIs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from models import ModelInputs
from planner.scenario import Scenario


def _values(var) -> pd.Series:
    """A Pyomo indexed variable or expression as a Series (index tuples kept)."""
    data = {k: pyo.value(var[k]) for k in var}
    return pd.Series(data, dtype=float)


def dispatch_table(m: pyo.ConcreteModel, inp: ModelInputs) -> pd.DataFrame:
    """Energy by site and period [MW] with the period weight [h]."""
    cols = {
        "facility_mw": m.facility_mw, "grid_import_mw": m.grid_import_mw, "ppa_mw": m.ppa_mw,
        "onsite_mw": m.onsite_mw, "battery_discharge_mw": m.discharge_mw,
        "battery_charge_mw": m.charge_mw, "backup_mw": m.backup_gen_mw, "spill_mw": m.spill_mw,
        "heat_sold_mw": m.heat_sold_mw, "soc_mwh": m.soc_mwh,
    }
    frame = pd.DataFrame({name: _values(var) for name, var in cols.items()})
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["site", "period"])
    frame = frame.join(inp.periods[["weight_h", "day"]], on="period")
    return frame.reset_index()


def site_table(m: pyo.ConcreteModel, inp: ModelInputs, dispatch: pd.DataFrame) -> pd.DataFrame:
    """One row per candidate site: decisions, energy by source, emissions, water, heat."""
    sites = inp.sites
    out = pd.DataFrame(index=sites.index)
    out["country"] = sites["country"]
    out["open"] = [pyo.value(m.open_site[s]) > 0.5 for s in sites.index]
    cooling = {}
    for s in sites.index:
        chosen = [k for k in m.COOLING if pyo.value(m.cooling_at[s, k]) > 0.5]
        cooling[s] = chosen[0] if chosen else ""
    out["cooling"] = pd.Series(cooling)
    for g in m.ACCELERATORS:
        per_node = int(inp.accelerators.at[g, "gpus_per_node"])
        out[f"gpus_{g}"] = [int(round(pyo.value(m.nodes[s, g]))) * per_node for s in sites.index]
    out["it_mw"] = [pyo.value(m.it_mw[s]) for s in sites.index]
    w = dispatch["weight_h"]
    energy = dispatch.assign(**{c: dispatch[c] * w for c in (
        "facility_mw", "grid_import_mw", "ppa_mw", "onsite_mw", "backup_mw", "spill_mw",
        "heat_sold_mw")}).groupby("site")[["facility_mw", "grid_import_mw", "ppa_mw", "onsite_mw",
                                           "backup_mw", "spill_mw", "heat_sold_mw"]].sum()
    energy.columns = [c.replace("_mw", "_mwh") for c in energy.columns]
    out = out.join(energy)
    out["facility_mw_mean"] = out["facility_mwh"] / 8760.0
    out["pue_mean"] = np.where(out["it_mw"] > 0, out["facility_mw_mean"] / out["it_mw"].where(
        out["it_mw"] > 0, 1.0), np.nan)
    out["emissions_t"] = [pyo.value(m.site_emissions_t[s]) for s in sites.index]
    out["water_m3"] = [pyo.value(m.site_water_m3[s]) for s in sites.index]
    out["it_capacity_mw"] = [pyo.value(m.it_capacity_mw[s]) for s in sites.index]
    for name in ("grid_upgrade_mw", "pv_mw", "wind_mw", "ppa_solar_mw", "ppa_wind_mw",
                 "battery_mw", "battery_mwh", "backup_mw"):
        var = getattr(m, name)
        out[name if name != "backup_mw" else "backup_capacity_mw"] = [pyo.value(var[s])
                                                                      for s in sites.index]
    out.index.name = "site"
    return out


def fleet_table(m: pyo.ConcreteModel, inp: ModelInputs) -> pd.DataFrame:
    """Nodes and GPUs by site and accelerator (deployed ones only)."""
    rows = []
    for s in m.SITES:
        for g in m.ACCELERATORS:
            nodes = int(round(pyo.value(m.nodes[s, g])))
            if nodes:
                acc = inp.accelerators.loc[g]
                rows.append({"site": s, "accelerator": g, "nodes": nodes,
                             "gpus": nodes * int(acc["gpus_per_node"]),
                             "it_mw": nodes * acc["node_it_kw"] / 1e3,
                             "peak_bf16_pflops": nodes * acc["pflops_per_node"]})
    return pd.DataFrame(rows, columns=["site", "accelerator", "nodes", "gpus", "it_mw",
                                       "peak_bf16_pflops"])


def workload_table(m: pyo.ConcreteModel, inp: ModelInputs, options: pd.DataFrame) -> pd.DataFrame:
    """Where each workload runs, on what, with how many nodes and GPUs."""
    rows = []
    for (r, s, g) in m.RUN_OPTIONS:
        if pyo.value(m.run_at[(r, s, g)]) > 0.5:
            opt = options[(options["workload"] == r) & (options["accelerator"] == g)].iloc[0]
            rows.append({"workload": r, "kind": "training", "site": s, "accelerator": g,
                         "nodes": float(inp.training_nodes[(r, g)]), "gpus": float(opt["gpus"]),
                         "finish_days": float(opt["wall_days"])})
    for kind, var, opts in (("inference", m.inference_nodes, m.INF_OPTIONS),
                            ("hpc", m.hpc_nodes, m.HPC_OPTIONS)):
        for (w, s, g) in opts:
            nodes = pyo.value(var[(w, s, g)])
            if nodes > 1e-6:
                per = inp.accelerators.at[g, "gpus_per_node"]
                rows.append({"workload": w, "kind": kind, "site": s, "accelerator": g,
                             "nodes": nodes, "gpus": nodes * per, "finish_days": np.nan})
    return pd.DataFrame(rows, columns=["workload", "kind", "site", "accelerator", "nodes", "gpus",
                                       "finish_days"])


def cost_table(m: pyo.ConcreteModel) -> pd.DataFrame:
    """Cost by item and site: annual [EUR/yr] (heat revenue negative) and capex [EUR]."""
    rows = {}
    for kind, registry in (("eur_per_year", m.cost_terms), ("capex_eur", m.capex_terms)):
        for item, by_site in registry.items():
            if item.startswith("slack_"):
                continue
            for site, expr in by_site.items():
                rows.setdefault((item, site), {})[kind] = pyo.value(expr)
    frame = pd.DataFrame.from_dict(rows, orient="index").fillna(0.0)
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["item", "site"])
    frame = frame.reset_index()
    used = frame.groupby("site")[["eur_per_year", "capex_eur"]].transform(
        lambda col: col.abs().sum()).sum(axis=1) > 0
    return frame[used].reset_index(drop=True)[["item", "site", "eur_per_year", "capex_eur"]]


def kpis(m: pyo.ConcreteModel, sites: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """Headline figures (formulas in docs/model.md, "KPIs")."""
    tco = pyo.value(m.tco_eur_per_year)
    gpus = int(sum(sites[c].sum() for c in sites.columns if c.startswith("gpus_")))
    facility_mwh = float(sites["facility_mwh"].sum())
    fossil_mwh = float(sites["grid_import_mwh"].sum() + sites["backup_mwh"].sum())
    renewable_mwh = float(sites["ppa_mwh"].sum() + sites["onsite_mwh"].sum())
    it_mw = float(sites["it_mw"].sum())
    pflops = pyo.value(m.compute_pflops)
    tokens_per_year = sum(r.tokens_t * 1e12 * 365.0 / r.deadline_days
                          for r in scenario.workloads.training)
    return {
        "tco_eur_per_year": tco,
        "capex_eur": pyo.value(m.capex_eur),
        "gpus": gpus,
        "eur_per_gpu_hour": tco / (gpus * 8760.0) if gpus else float("nan"),
        "eur_per_pflop_day": tco / (pflops * 365.0) if pflops else float("nan"),
        "eur_per_million_training_tokens": tco / (tokens_per_year / 1e6)
        if tokens_per_year else float("nan"),
        "it_mw": it_mw,
        "facility_mw": facility_mwh / 8760.0,
        "pue": facility_mwh / (it_mw * 8760.0) if it_mw else float("nan"),
        "renewable_share": min(1.0, renewable_mwh / facility_mwh) if facility_mwh
        else float("nan"),
        "renewable_share_hourly": 1.0 - fossil_mwh / facility_mwh if facility_mwh
        else float("nan"),
        "emissions_t_per_year": pyo.value(m.emissions_t),
        "water_m3_per_year": pyo.value(m.water_m3),
        "sites_open": int(sites["open"].sum()),
        "member_states": int(sites.loc[sites["open"], "country"].nunique()),
    }
