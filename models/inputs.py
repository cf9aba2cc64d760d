"""The numeric input contract between ``planner`` and ``models``.

Frozen dataclasses of pandas objects with named indexes, all costs annualised in
EUR per year (EUR/yr) and all quantities in the units in their names. ``planner``
prepares them from a scenario and the catalogue; ``models`` never reads a file or a
scenario, so a model can be built and tested from a tiny hand-made instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Policy:
    """Policy constraints and prices; ``None`` means no constraint."""

    carbon_price_eur_per_t: float = 0.0
    carbon_cap_t_per_year: float | None = None
    renewable_share_frac: float | None = None
    hourly_matching: bool = False
    min_member_states: int | None = None
    max_country_share_frac: float | None = None
    budget_eur: float | None = None
    max_water_m3_per_year: float | None = None
    max_sites: int | None = None
    min_site_it_mw: float | None = None


@dataclass(frozen=True)
class PriceFactors:
    """Multipliers on catalogue prices for sensitivity studies (1 = as catalogued).

    ``grid`` scales every hourly grid energy price; ``accelerator`` scales the node
    purchase price and so the annualised node cost and capex.
    """

    grid: float = 1.0
    accelerator: float = 1.0


@dataclass(frozen=True)
class ModelInputs:
    """Everything the optimisation model needs.

    Attributes
    ----------
    sites : index ``site``; columns ``country``, ``grid_mw_now``, ``grid_mw_max``,
        ``grid_upgrade_eur_per_mw_year``, ``building_eur_per_mw_year`` (shell, power and
        facility O&M, staff, per MW IT), ``site_fixed_eur_per_year``, ``dh_offtake_mw``,
        ``dh_price_eur_per_mwh``, ``ppa_solar_eur_per_mwh``, ``ppa_wind_eur_per_mwh``.
    accelerators : index ``accelerator``; ``node_it_kw`` (load power of a node),
        ``node_eur_per_year`` (annualised servers, network, storage, maintenance),
        ``gpus_per_node``, ``rack_kw``, ``pflops_per_node`` (dense BF16, for KPIs).
    cooling : index ``cooling``; ``eur_per_mw_it_year``, ``max_rack_kw``,
        ``wue_m3_per_mwh``, ``heat_recovery_frac``.
    periods : index ``period`` (0..T-1); ``weight_h`` (hours of the year each stands
        for, summing to 8760), ``day`` (representative day, for storage cycles).
    profiles : index (``site``, ``period``); ``solar_cf``, ``wind_cf``,
        ``price_eur_per_mwh``, ``grid_co2_t_per_mwh``.
    pue : index (``site``, ``cooling``, ``period``): PUE [-].
    training_nodes : index (``run``, ``accelerator``): nodes a run needs to meet its
        deadline on that accelerator (only feasible pairs).
    inference_rate : index (``demand``, ``accelerator``): output tokens/s per node.
    inference_demand : index ``demand``: output tokens/s to serve.
    hpc_rate : index (``demand``, ``accelerator``): PFLOP/s per node.
    hpc_demand : index ``demand``: sustained PFLOP/s.
    energy : scalar costs, see :data:`ENERGY_KEYS`.
    options : which supply options exist (``grid``, ``pv``, ``wind``, ``ppa_solar``,
        ``ppa_wind``, ``battery``, ``backup``).
    price_factors : sensitivity multipliers on grid and accelerator prices.
    maximise_compute, minimise_emissions : the objective (default: least cost).
    """

    sites: pd.DataFrame
    accelerators: pd.DataFrame
    cooling: pd.DataFrame
    periods: pd.DataFrame
    profiles: pd.DataFrame
    pue: pd.Series
    training_nodes: pd.Series
    inference_rate: pd.Series
    inference_demand: pd.Series
    hpc_rate: pd.Series
    hpc_demand: pd.Series
    energy: dict[str, float]
    options: dict[str, bool]
    policy: Policy = field(default_factory=Policy)
    price_factors: PriceFactors = field(default_factory=PriceFactors)
    maximise_compute: bool = False
    minimise_emissions: bool = False
    elastic: bool = False


ENERGY_KEYS = (
    "pv_eur_per_mw_year", "wind_eur_per_mw_year", "battery_power_eur_per_mw_year",
    "battery_energy_eur_per_mwh_year", "battery_efficiency_frac", "backup_eur_per_mw_year",
    "backup_eur_per_mwh", "backup_co2_t_per_mwh", "pv_capex_eur_per_mw", "wind_capex_eur_per_mw",
    "battery_power_capex_eur_per_mw", "battery_energy_capex_eur_per_mwh", "backup_capex_eur_per_mw",
    "pv_land_ha_per_mw", "wind_land_ha_per_mw", "datacentre_land_ha_per_mw_it",
)

SITE_COLUMNS = (
    "country", "grid_mw_now", "grid_mw_max", "grid_upgrade_eur_per_mw_year",
    "grid_upgrade_capex_eur_per_mw", "building_eur_per_mw_year", "building_capex_eur_per_mw",
    "site_fixed_eur_per_year", "module_mw", "land_ha", "dh_offtake_mw",
    "dh_price_eur_per_mwh", "ppa_solar_eur_per_mwh", "ppa_wind_eur_per_mwh",
)
ACCELERATOR_COLUMNS = ("node_it_kw", "node_eur_per_year", "node_capex_eur", "gpus_per_node",
                       "rack_kw", "pflops_per_node")
COOLING_COLUMNS = ("eur_per_mw_it_year", "capex_eur_per_mw_it", "max_rack_kw", "wue_m3_per_mwh",
                   "heat_recovery_frac")
PROFILE_COLUMNS = ("solar_cf", "wind_cf", "price_eur_per_mwh", "grid_co2_t_per_mwh")


class InputError(ValueError):
    """The input contract is violated (a bug in the caller, named precisely)."""


def validate(inputs: ModelInputs) -> None:
    """Check columns, indexes, missing values and weights before building.

    Raises
    ------
    InputError
        Naming the table and what is missing or invalid.
    """
    checks = [("sites", inputs.sites, SITE_COLUMNS),
              ("accelerators", inputs.accelerators, ACCELERATOR_COLUMNS),
              ("cooling", inputs.cooling, COOLING_COLUMNS),
              ("profiles", inputs.profiles, PROFILE_COLUMNS),
              ("periods", inputs.periods, ("weight_h", "day"))]
    for name, frame, columns in checks:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise InputError(f"{name} lacks column(s) {missing}")
        numeric = frame[[c for c in columns if c != "country"]]
        if numeric.isna().any().any():
            bad = numeric.columns[numeric.isna().any()].tolist()
            raise InputError(f"{name} has missing values in {bad}")
    missing_energy = [k for k in ENERGY_KEYS if k not in inputs.energy]
    if missing_energy:
        raise InputError(f"energy lacks {missing_energy}")
    if abs(inputs.periods["weight_h"].sum() - 8760.0) > 1e-6:
        raise InputError(f"period weights sum to {inputs.periods['weight_h'].sum()}, not 8760 h")
    expected = pd.MultiIndex.from_product([inputs.sites.index, inputs.periods.index])
    if not inputs.profiles.index.equals(expected):
        raise InputError("profiles must be indexed by every (site, period)")
    expected_pue = pd.MultiIndex.from_product([inputs.sites.index, inputs.cooling.index,
                                               inputs.periods.index])
    if not inputs.pue.index.equals(expected_pue):
        raise InputError("pue must be indexed by every (site, cooling, period)")
    for name in ("training_nodes", "inference_rate", "hpc_rate"):
        series = getattr(inputs, name)
        accel = set(series.index.get_level_values(1)) if len(series) else set()
        if accel - set(inputs.accelerators.index):
            raise InputError(f"{name} names unknown accelerators {sorted(accel)}")
    for demand, table in (("inference", inputs.inference_rate), ("hpc", inputs.hpc_rate)):
        wanted = set(getattr(inputs, f"{demand}_demand").index)
        served = set(table.index.get_level_values(0)) if len(table) else set()
        if wanted - served:
            raise InputError(f"{demand} demand(s) {sorted(wanted - served)} have no accelerator")
