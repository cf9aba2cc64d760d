"""Tiny hand-made model inputs whose optimum can be worked out by hand.

Defaults: one accelerator (10 kW nodes at full activity, 2 kW idle, 100 kEUR/yr), air
(PUE 1.5, free) and liquid (PUE 1.1, 50 kEUR/MW/yr) cooling, two periods of 4380 h in
one calendar group, one training run of 100 nodes busy at 10 kW all year.
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from models import ModelInputs, Policy, build

ZERO_ENERGY = {
    "pv_eur_per_mw_year": 1e9, "wind_eur_per_mw_year": 1e9, "wind_vom_eur_per_mwh": 0.0,
    "battery_power_eur_per_mw_year": 1e9, "battery_energy_eur_per_mwh_year": 1e9,
    "battery_efficiency_frac": 0.9, "backup_eur_per_mw_year": 1e9, "backup_eur_per_mwh": 1e9,
    "backup_co2_t_per_mwh": 0.5, "gas_turbine_eur_per_mw_year": 1e9,
    "gas_turbine_eur_per_mwh": 1e9, "gas_turbine_co2_t_per_mwh": 0.5,
    "heat_pump_eur_per_mw_year": 0.0, "heat_pump_vom_eur_per_mwh": 0.0, "go_eur_per_mwh": 1e9,
    "pv_capex_eur_per_mw": 0.0, "wind_capex_eur_per_mw": 0.0,
    "battery_power_capex_eur_per_mw": 0.0, "battery_energy_capex_eur_per_mwh": 0.0,
    "backup_capex_eur_per_mw": 0.0, "gas_turbine_capex_eur_per_mw": 0.0,
    "heat_pump_capex_eur_per_mw": 0.0, "pv_land_ha_per_mw": 1.5, "wind_land_ha_per_mw": 0.5,
    "datacentre_land_ha_per_mw_it": 0.4,
}

NO_OPTIONS = {"grid": True, "pv": False, "wind": False, "ppa_solar": False, "ppa_wind": False,
              "battery": False, "backup": False, "gas_turbine": False, "heat_pump": False,
              "guarantees_of_origin": False}


def _per_period(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (float(value),) * 8


def site(country="DE", price=100.0, building=1e6, grid_now=5.0, grid_max=5.0,
         solar_cf=(0.0, 0.0), wind_cf=(0.0, 0.0), dh_demand=(1.0, 1.0), **kw) -> dict:
    """A candidate site; ``solar_cf``/``wind_cf``/``dh_demand``: one value, or one per period."""
    row = {"country": country, "period_group": "all", "grid_mw_now": grid_now,
           "grid_mw_max": grid_max, "grid_upgrade_eur_per_mw_year": 1e5,
           "grid_upgrade_capex_eur_per_mw": 1e6, "building_eur_per_mw_year": building,
           "building_capex_eur_per_mw": 10e6, "site_fixed_eur_per_year": 5e5, "module_mw": 1.0,
           "land_ha": 1000.0, "dh_offtake_mw": 0.0, "dh_price_eur_per_mwh": 0.0,
           "ppa_solar_eur_per_mwh": 50.0, "ppa_wind_eur_per_mwh": 60.0, "price": price,
           "co2": 0.4, "solar_cf": _per_period(solar_cf),
           "wind_cf": _per_period(wind_cf), "dh_demand": _per_period(dh_demand)}
    row.update(kw)
    return row


def tiny(sites: dict | None = None, run_nodes: float | None = 100.0, inference: float = 0.0,
         policy: Policy | None = None, options: dict | None = None,
         energy: dict | None = None, runs: dict | None = None, weights=(4380.0, 4380.0),
         **fields) -> ModelInputs:
    """Inputs of a tiny case; ``runs`` maps run id to (nodes, activity per period, window)."""
    sites = sites or {"a": site()}
    n = len(weights)
    periods = pd.DataFrame({"weight_h": list(weights), "cycle": [0] * n, "group": ["all"] * n,
                            "day": [0] * n, "hour": list(range(n)), "kind": ["typical"] * n},
                           index=pd.Index(range(n), name="period"))
    frame = pd.DataFrame(sites).T
    frame.index.name = "site"
    profiles = pd.DataFrame([
        {"site": s, "period": t, "solar_cf": float(r["solar_cf"][t]),
         "wind_cf": float(r["wind_cf"][t]), "price_eur_per_mwh": float(r["price"]),
         "grid_co2_t_per_mwh": float(r["co2"]), "dh_demand_frac": float(r["dh_demand"][t])}
        for s, r in frame.iterrows() for t in periods.index]).set_index(["site", "period"])
    cooling = pd.DataFrame({"eur_per_mw_it_year": [0.0, 5e4], "capex_eur_per_mw_it": [0.0, 5e5],
                            "wue_m3_per_mwh": [1.8, 0.1], "heat_recovery_frac": [0.2, 0.8]},
                           index=pd.Index(["air", "liquid"], name="cooling"))
    pue = pd.Series({(s, k, t): (1.5 if k == "air" else 1.1) for s in frame.index
                     for k in cooling.index for t in periods.index})
    pue.index.names = ["site", "cooling", "period"]
    peak = pue.groupby(level=["site", "cooling"]).max()
    accel = pd.DataFrame({"node_it_kw": [10.0], "node_idle_kw": [2.0], "node_eur_per_year": [1e5],
                          "node_capex_eur": [3e5], "gpus_per_node": [8], "rack_kw": [20.0],
                          "pflops_per_node": [8.0]}, index=pd.Index(["gpu"], name="accelerator"))
    if runs is None:
        runs = {"run": (run_nodes, [1.0] * n, 1.0)} if run_nodes else {}
    training = pd.DataFrame(
        {(r, "gpu"): {"nodes": float(nodes), "busy_kw": 10.0, "duty_frac": 1.0,
                      "window_frac": float(window)} for r, (nodes, _, window) in runs.items()},
    ).T if runs else pd.DataFrame(columns=["nodes", "busy_kw", "duty_frac", "window_frac"])
    training.index = pd.MultiIndex.from_tuples(list(training.index), names=["run", "accelerator"])
    activity = pd.Series({(r, t): float(act[t]) for r, (_, act, _) in runs.items()
                          for t in periods.index}, dtype=float)
    if len(activity):
        activity.index.names = ["run", "period"]
    segments = pd.DataFrame(index=pd.MultiIndex.from_tuples(
        [(0, r) for r in runs], names=["segment", "run"]))
    inf = pd.DataFrame({"rate_per_node": [1000.0], "busy_kw": [10.0]},
                       index=pd.MultiIndex.from_tuples([("chat", "gpu")],
                                                       names=["demand", "accelerator"])) \
        if inference else pd.DataFrame(columns=["rate_per_node", "busy_kw"], index=pd.MultiIndex
                                       .from_tuples([], names=["demand", "accelerator"]))
    inf_demand = pd.Series({"chat": inference} if inference else {}, dtype=float)
    empty = pd.DataFrame(columns=["rate_per_node", "busy_kw"],
                         index=pd.MultiIndex.from_tuples([], names=["demand", "accelerator"]))
    opts = {**NO_OPTIONS, **(options or {})}
    values = dict(
        sites=frame.drop(columns=["price", "co2", "solar_cf", "wind_cf", "dh_demand"])
        .infer_objects(),
        accelerators=accel, cooling=cooling, periods=periods, profiles=profiles, pue=pue,
        pue_peak=peak, training=training.astype(float), run_activity=activity,
        run_segments=segments, inference=inf, inference_demand=inf_demand, hpc=empty,
        hpc_demand=pd.Series(dtype=float), energy={**ZERO_ENERGY, **(energy or {})},
        options=opts, policy=policy or Policy())
    values.update(fields)
    return ModelInputs(**values)


def solve_tiny(inp: ModelInputs) -> pyo.ConcreteModel:
    """Build and solve to proven optimality (gap 1e-9); fail the test otherwise."""
    m = build(inp)
    solver = pyo.SolverFactory("appsi_highs")
    solver.config.mip_gap = 1e-9
    result = solver.solve(m)
    assert str(result.solver.termination_condition) == "optimal"
    return m
