"""The numeric input contract between ``planner`` and ``models``.

Frozen dataclasses of pandas objects with named indexes, all costs annualised in
EUR per year (EUR/yr) and all quantities in the units in their names. ``planner``
prepares them from a scenario and the catalogue; ``models`` never reads a file or a
scenario, so a model can be built and tested from a tiny hand-made instance.

Time is sparse: every period belongs to one ``group`` of sites that share a calendar
(a member state, or all sites), and a site only has the periods of its group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MATCHING = ("annual", "hourly", "hourly_pooled")


@dataclass(frozen=True)
class Policy:
    """Policy constraints and prices; ``None`` means no constraint.

    ``renewable_matching``: ``annual`` (renewable energy consumed over the year),
    ``hourly`` (24/7 within each member state) or ``hourly_pooled`` (24/7 on the sum over
    all sites). ``min_site_served_mw``: an open site serves at least this average IT
    load above idle (no token sites; member states count only such sites).
    ``backup_min_frac_of_peak`` / ``backup_spare_mw``: standby at each open site covers
    this share of its design-peak load plus this spare capacity (N+1); ``None``: optional.
    """

    carbon_price_eur_per_t: float = 0.0
    carbon_cap_t_per_year: float | None = None
    renewable_share_frac: float | None = None
    renewable_matching: str = "annual"
    min_member_states: int | None = None
    max_country_share_frac: float | None = None
    budget_eur: float | None = None
    max_water_m3_per_year: float | None = None
    max_sites: int | None = None
    min_site_served_mw: float | None = None
    backup_min_frac_of_peak: float | None = None
    backup_spare_mw: float = 0.0
    backup_max_hours_per_year: float = 8760.0

    @property
    def hourly_matching(self) -> bool:
        """True for either 24/7 variant."""
        return self.renewable_matching != "annual"


@dataclass(frozen=True)
class PriceFactors:
    """Multipliers on catalogue prices for sensitivity studies (1 = as catalogued).

    ``grid`` scales every hourly grid energy price (net of carbon); ``accelerator``
    scales the node purchase price and so the annualised node cost and capex.
    """

    grid: float = 1.0
    accelerator: float = 1.0


def _empty(names: list[str], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns, index=pd.MultiIndex.from_tuples([], names=names)
                        if len(names) > 1 else pd.Index([], name=names[0]), dtype=float)


@dataclass(frozen=True)
class ModelInputs:
    """Everything the optimisation model needs.

    Attributes
    ----------
    sites : index ``site``; see :data:`SITE_COLUMNS` (``period_group``: the site's calendar).
    accelerators : index ``accelerator``; ``node_it_kw`` (nameplate: every GPU at full
        activity), ``node_idle_kw``, ``node_eur_per_year``, ``node_capex_eur``,
        ``gpus_per_node``, ``rack_kw``, ``pflops_per_node`` (dense BF16, for KPIs).
    cooling : index ``cooling``; ``eur_per_mw_it_year``, ``capex_eur_per_mw_it``,
        ``wue_m3_per_mwh``, ``heat_recovery_frac``.
    cooling_excluded : (accelerator, cooling) pairs that cannot be combined (rack density,
        air-coolability, immersion qualification).
    periods : index ``period``; ``weight_h`` (hours each stands for; 8760 per group),
        ``cycle`` (storage is cyclic within it), ``group``.
    profiles : index (``site``, ``period``) for the periods of the site's group;
        ``solar_cf``, ``wind_cf``, ``price_eur_per_mwh`` (grid energy net of carbon),
        ``grid_co2_t_per_mwh``, ``dh_demand_frac`` (district-heat demand / its peak).
    pue : index (``site``, ``cooling``, ``period``): PUE [-]; ``pue_peak``: index
        (``site``, ``cooling``): the largest PUE of the full year (design peak).
    wue : index (``site``, ``cooling``, ``period``): water per MWh of IT [m3/MWh] in the
        period's climate; empty: the constant ``cooling.wue_m3_per_mwh``.
    heat_pump_cop : index (``site``, ``cooling``): COP of lifting recovered heat to the
        site's network (``inf``: usable directly; absent: not usable).
    training : index (``run``, ``accelerator``) for feasible pairs; ``nodes`` (for the
        deadline), ``busy_kw`` (per node while training), ``duty_frac`` (share of the window
        spent training), ``window_frac`` (window / year).
    run_activity : index (``run``, ``period``): share of the period's days inside the run's
        window [0-1]; ``run_segments``: index (``segment``, ``run``): runs whose windows
        overlap in each segment of the year (only segments not dominated by another).
    inference, hpc : index (``demand``, ``accelerator``); ``rate_per_node`` (output
        tokens/s, PFLOP/s) and ``busy_kw`` per node. ``inference_demand``, ``hpc_demand``:
        index ``demand``.
    targets : index ``target``; ``value``, ``unit``. ``target_coef``: index (``target``,
        ``site``, ``accelerator``): what one node contributes (GPUs, PFLOP/s or MW).
        ``spare_utilisation``: index (``site``, ``accelerator``): busy share of nodes no
        modelled workload uses (general-purpose capacity of a target; else 0, idle).
    energy : scalar costs, see :data:`ENERGY_KEYS`.
    options : which supply options exist (:data:`OPTIONS`).
    price_factors : sensitivity multipliers on grid and accelerator prices.
    maximise_compute, minimise_emissions : the objective (default: least cost).
    """

    sites: pd.DataFrame
    accelerators: pd.DataFrame
    cooling: pd.DataFrame
    periods: pd.DataFrame
    profiles: pd.DataFrame
    pue: pd.Series
    pue_peak: pd.Series
    training: pd.DataFrame
    run_activity: pd.Series
    run_segments: pd.DataFrame
    inference: pd.DataFrame
    inference_demand: pd.Series
    hpc: pd.DataFrame
    hpc_demand: pd.Series
    energy: dict[str, float]
    options: dict[str, bool]
    heat_pump_cop: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    wue: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    cooling_excluded: frozenset = frozenset()
    open_fixed: tuple[str, ...] | None = None
    targets: pd.DataFrame = field(default_factory=lambda: _empty(["target"], ["value", "unit"]))
    target_coef: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    spare_utilisation: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    policy: Policy = field(default_factory=Policy)
    price_factors: PriceFactors = field(default_factory=PriceFactors)
    maximise_compute: bool = False
    minimise_emissions: bool = False
    elastic: bool = False

    def site_periods(self) -> list[tuple[str, int]]:
        """Valid (site, period) pairs, in the order of ``profiles``."""
        return list(self.profiles.index)

    def periods_of(self) -> dict[str, list[int]]:
        """The periods of each site."""
        groups = self.periods.groupby("group").groups
        return {s: list(groups[g]) for s, g in self.sites["period_group"].items()}


ENERGY_KEYS = (
    "pv_eur_per_mw_year", "wind_eur_per_mw_year", "wind_vom_eur_per_mwh",
    "battery_power_eur_per_mw_year", "battery_energy_eur_per_mwh_year", "battery_efficiency_frac",
    "backup_eur_per_mw_year", "backup_eur_per_mwh", "backup_co2_t_per_mwh",
    "gas_turbine_eur_per_mw_year", "gas_turbine_eur_per_mwh", "gas_turbine_co2_t_per_mwh",
    "heat_pump_eur_per_mw_year", "heat_pump_vom_eur_per_mwh", "go_eur_per_mwh",
    "pv_capex_eur_per_mw", "wind_capex_eur_per_mw", "battery_power_capex_eur_per_mw",
    "battery_energy_capex_eur_per_mwh", "backup_capex_eur_per_mw", "gas_turbine_capex_eur_per_mw",
    "heat_pump_capex_eur_per_mw", "pv_land_ha_per_mw", "wind_land_ha_per_mw",
    "datacentre_land_ha_per_mw_it",
)

OPTIONS = ("grid", "pv", "wind", "ppa_solar", "ppa_wind", "battery", "backup", "gas_turbine",
           "heat_pump", "guarantees_of_origin")

SITE_COLUMNS = (
    "country", "period_group", "grid_mw_now", "grid_mw_max", "grid_upgrade_eur_per_mw_year",
    "grid_upgrade_capex_eur_per_mw", "building_eur_per_mw_year", "building_capex_eur_per_mw",
    "site_fixed_eur_per_year", "module_mw", "land_ha", "dh_offtake_mw",
    "dh_price_eur_per_mwh", "ppa_solar_eur_per_mwh", "ppa_wind_eur_per_mwh",
)
ACCELERATOR_COLUMNS = ("node_it_kw", "node_idle_kw", "node_eur_per_year", "node_capex_eur",
                       "gpus_per_node", "rack_kw", "pflops_per_node")
COOLING_COLUMNS = ("eur_per_mw_it_year", "capex_eur_per_mw_it", "wue_m3_per_mwh",
                   "heat_recovery_frac")
PROFILE_COLUMNS = ("solar_cf", "wind_cf", "price_eur_per_mwh", "grid_co2_t_per_mwh",
                   "dh_demand_frac")
TRAINING_COLUMNS = ("nodes", "busy_kw", "duty_frac", "window_frac")
SERVING_COLUMNS = ("rate_per_node", "busy_kw")
TEXT_COLUMNS = ("country", "period_group")


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
              ("periods", inputs.periods, ("weight_h", "cycle", "group")),
              ("training", inputs.training, TRAINING_COLUMNS),
              ("inference", inputs.inference, SERVING_COLUMNS),
              ("hpc", inputs.hpc, SERVING_COLUMNS)]
    for name, frame, columns in checks:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise InputError(f"{name} lacks column(s) {missing}")
        numeric = frame[[c for c in columns if c not in TEXT_COLUMNS and c != "group"]]
        if numeric.isna().any().any():
            bad = numeric.columns[numeric.isna().any()].tolist()
            raise InputError(f"{name} has missing values in {bad}")
    missing_energy = [k for k in ENERGY_KEYS if k not in inputs.energy]
    if missing_energy:
        raise InputError(f"energy lacks {missing_energy}")
    missing_options = [k for k in OPTIONS if k not in inputs.options]
    if missing_options:
        raise InputError(f"options lack {missing_options}")
    if inputs.policy.renewable_matching not in MATCHING:
        raise InputError(f"renewable_matching must be one of {MATCHING}")
    weights = inputs.periods.groupby("group")["weight_h"].sum()
    if not np.allclose(weights.to_numpy(), 8760.0, atol=1e-6):
        raise InputError(f"period weights must sum to 8760 h in every group; got {weights.to_dict()}")
    groups = set(inputs.periods["group"])
    unknown = set(inputs.sites["period_group"]) - groups
    if unknown:
        raise InputError(f"sites name period groups {sorted(unknown)} that have no periods")
    by_group = inputs.periods.groupby("group").groups
    expected = pd.MultiIndex.from_tuples(
        [(s, t) for s, g in inputs.sites["period_group"].items() for t in by_group[g]],
        names=["site", "period"])
    if not inputs.profiles.index.sort_values().equals(expected.sort_values()):
        raise InputError("profiles must be indexed by every (site, period of its group)")
    expected_pue = pd.MultiIndex.from_tuples(
        [(s, k, t) for (s, t) in expected for k in inputs.cooling.index],
        names=["site", "cooling", "period"])
    if not inputs.pue.index.sort_values().equals(expected_pue.sort_values()):
        raise InputError("pue must be indexed by every (site, cooling, period of the site)")
    if len(inputs.wue) and not inputs.wue.index.sort_values().equals(expected_pue.sort_values()):
        raise InputError("wue must be empty or indexed by every (site, cooling, period of the "
                         "site)")
    peak = pd.MultiIndex.from_product([inputs.sites.index, inputs.cooling.index])
    if not inputs.pue_peak.index.sort_values().equals(peak.sort_values()):
        raise InputError("pue_peak must be indexed by every (site, cooling)")
    for name in ("training", "inference", "hpc"):
        frame = getattr(inputs, name)
        accel = set(frame.index.get_level_values(1)) if len(frame) else set()
        if accel - set(inputs.accelerators.index):
            raise InputError(f"{name} names unknown accelerators {sorted(accel)}")
    for demand, table in (("inference", inputs.inference), ("hpc", inputs.hpc)):
        wanted = set(getattr(inputs, f"{demand}_demand").index)
        served = set(table.index.get_level_values(0)) if len(table) else set()
        if wanted - served:
            raise InputError(f"{demand} demand(s) {sorted(wanted - served)} have no accelerator")
    runs = set(inputs.training.index.get_level_values(0)) if len(inputs.training) else set()
    active = set(inputs.run_activity.index.get_level_values(0)) if len(inputs.run_activity) \
        else set()
    if runs - active:
        raise InputError(f"runs {sorted(runs - active)} lack run_activity")
