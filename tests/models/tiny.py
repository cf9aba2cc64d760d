"""Tiny hand-made model inputs whose optimum can be worked out by hand."""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from models import ModelInputs, Policy, build

ZERO_ENERGY = {
    "pv_eur_per_mw_year": 1e9, "wind_eur_per_mw_year": 1e9, "battery_power_eur_per_mw_year": 1e9,
    "battery_energy_eur_per_mwh_year": 1e9, "battery_efficiency_frac": 0.9,
    "backup_eur_per_mw_year": 1e9, "backup_eur_per_mwh": 1e9, "backup_co2_t_per_mwh": 0.5,
    "pv_capex_eur_per_mw": 0.0, "wind_capex_eur_per_mw": 0.0,
    "battery_power_capex_eur_per_mw": 0.0, "battery_energy_capex_eur_per_mwh": 0.0,
    "backup_capex_eur_per_mw": 0.0, "pv_land_ha_per_mw": 1.5, "wind_land_ha_per_mw": 0.5,
    "datacentre_land_ha_per_mw_it": 0.4,
}


def site(country="DE", price=100.0, building=1e6, grid_now=5.0, grid_max=5.0, **kw) -> dict:
    row = {"country": country, "grid_mw_now": grid_now, "grid_mw_max": grid_max,
           "grid_upgrade_eur_per_mw_year": 1e5, "grid_upgrade_capex_eur_per_mw": 1e6,
           "building_eur_per_mw_year": building, "building_capex_eur_per_mw": 10e6,
           "site_fixed_eur_per_year": 5e5, "module_mw": 1.0, "land_ha": 1000.0,
           "dh_offtake_mw": 0.0, "dh_price_eur_per_mwh": 0.0,
           "ppa_solar_eur_per_mwh": 50.0, "ppa_wind_eur_per_mwh": 60.0, "price": price,
           "co2": 0.4, "solar_cf": 0.0, "wind_cf": 0.0}
    row.update(kw)
    return row


def tiny(sites: dict | None = None, run_nodes: float | None = 100.0, inference: float = 0.0,
         policy: Policy | None = None, options: dict | None = None,
         energy: dict | None = None, **flags) -> ModelInputs:
    """One accelerator (10 kW nodes, 100 kEUR/yr), air (PUE 1.5, free) and liquid
    (PUE 1.1, 50 kEUR/MW/yr) cooling, two periods of 4380 h."""
    sites = sites or {"a": site()}
    periods = pd.DataFrame({"weight_h": [4380.0, 4380.0], "day": [0, 0]},
                           index=pd.Index([0, 1], name="period"))
    frame = pd.DataFrame(sites).T
    frame.index.name = "site"
    profiles = pd.DataFrame([
        {"site": s, "period": t, "solar_cf": float(r["solar_cf"]) if t == 0 else 0.0,
         "wind_cf": float(r["wind_cf"]), "price_eur_per_mwh": float(r["price"]),
         "grid_co2_t_per_mwh": float(r["co2"])} for s, r in frame.iterrows() for t in periods.index
    ]).set_index(["site", "period"])
    cooling = pd.DataFrame({"eur_per_mw_it_year": [0.0, 5e4], "capex_eur_per_mw_it": [0.0, 5e5],
                            "max_rack_kw": [30.0, 300.0], "wue_m3_per_mwh": [1.8, 0.1],
                            "heat_recovery_frac": [0.2, 0.8]},
                           index=pd.Index(["air", "liquid"], name="cooling"))
    pue = pd.Series({(s, k, t): (1.5 if k == "air" else 1.1) for s in frame.index
                     for k in cooling.index for t in periods.index})
    pue.index.names = ["site", "cooling", "period"]
    accel = pd.DataFrame({"node_it_kw": [10.0], "node_eur_per_year": [1e5],
                          "node_capex_eur": [3e5], "gpus_per_node": [8], "rack_kw": [20.0],
                          "pflops_per_node": [8.0]}, index=pd.Index(["gpu"], name="accelerator"))
    training = pd.Series({("run", "gpu"): run_nodes} if run_nodes else {}, dtype=float)
    if run_nodes:
        training.index.names = ["run", "accelerator"]
    inf_rate = pd.Series({("chat", "gpu"): 1000.0} if inference else {}, dtype=float)
    inf_demand = pd.Series({"chat": inference} if inference else {}, dtype=float)
    opts = {"grid": True, "pv": False, "wind": False, "ppa_solar": False, "ppa_wind": False,
            "battery": False, "backup": False}
    opts.update(options or {})
    return ModelInputs(
        sites=frame.drop(columns=["price", "co2", "solar_cf", "wind_cf"]).infer_objects(),
        accelerators=accel, cooling=cooling, periods=periods, profiles=profiles, pue=pue,
        training_nodes=training, inference_rate=inf_rate, inference_demand=inf_demand,
        hpc_rate=pd.Series(dtype=float), hpc_demand=pd.Series(dtype=float),
        energy={**ZERO_ENERGY, **(energy or {})}, options=opts, policy=policy or Policy(),
        **flags)


def solve_tiny(inp: ModelInputs) -> pyo.ConcreteModel:
    """Build and solve to proven optimality (gap 1e-9); fail the test otherwise."""
    m = build(inp)
    solver = pyo.SolverFactory("appsi_highs")
    solver.config.mip_gap = 1e-9
    result = solver.solve(m)
    assert str(result.solver.termination_condition) == "optimal"
    return m
