"""The scenario schema: what a user may write in a scenario YAML file.

Every quantity carries its unit in its field name; an empty (omitted) field means
"no limit" or "catalogue default", never ``-1`` or a magic number. Unknown keys are
errors (``extra="forbid"``), so a misspelt field is never silently ignored.
Identifiers (sites, accelerators, models) are checked against the catalogue in
:mod:`planner.scenario.crosscheck`.
"""

from __future__ import annotations

import functools
import types
import typing
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


def up_to(high: float, positive: bool = True) -> Any:
    """A finite float above 0 (``positive``) or at least 0, and at most ``high``.

    The bound is far beyond any real installation, there so that 1e308 or a typo of ten
    extra zeros is refused with its range instead of overflowing the optimiser or being
    dropped as unservable.
    """
    low = {"gt": 0} if positive else {"ge": 0}
    return Annotated[float, Field(le=high, allow_inf_nan=False, **low)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")]
MAX_WORKLOADS = 500
"""Most training runs, inference or HPC demands (each) and capacity targets a scenario lists."""
MAX_IDS = 200
"""Longest list of catalogue ids (the catalogue holds 42 sites and 14 accelerators)."""


def _leaf_types(annotation: Any) -> set:
    """The scalar types a field annotation admits (``float | None`` gives float, None)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_leaf_types(a) for a in typing.get_args(annotation)))
    if origin is Annotated:
        return _leaf_types(typing.get_args(annotation)[0])
    return {annotation}


def _wants_number(annotation: Any) -> bool:
    leaves = _leaf_types(annotation)
    return bool(leaves & {int, float}) and not leaves & {bool, str}


def _not_a_number(value: Any) -> str | None:
    """Why ``value`` is not a number a user wrote as one (``None`` when it is)."""
    if isinstance(value, bool):
        return f"a number is required, not {str(value).lower()}"
    if isinstance(value, str):
        return (f"a number is required, not the text '{value[:40]}' (write digits, a decimal "
                "point and an optional exponent, e.g. 90, 1.5 or 1e3)")
    return None


def _unique(values: list) -> list:
    """``values`` if no entry repeats; otherwise a ValueError naming the repeats."""
    seen, repeated = set(), []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    if repeated:
        raise ValueError("listed more than once: " + ", ".join(map(str, repeated)))
    return values


class Strict(BaseModel):
    """Base: unknown fields are errors; values are validated on assignment.

    A number is written as a number: ``true``/``false`` (which pydantic reads as 1 or 0)
    and text (``"1_0"``, ``"1:30"``, which YAML 1.1 read as 10 and 90) are refused in a
    numeric field and in a list or mapping of numbers.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        kind = _number_kind(cls, info.field_name)
        if kind is None or isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        if kind == "number":
            if why := _not_a_number(value):
                raise ValueError(why)
        elif isinstance(value, (list, dict)):
            pairs = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in pairs:
                if why := _not_a_number(item):
                    raise ValueError(f"{key}: {why}" if isinstance(value, dict) else why)
        return value


@functools.cache
def _number_kind(model: type[BaseModel], name: str | None) -> str | None:
    """``number``, ``numbers`` (a list or mapping of them) or ``None`` for a model's field.

    Read once per (model, field) from the annotation: the validator runs on every field
    of every scenario a study validates, so it must not inspect types each time.
    """
    field = model.model_fields.get(name) if name else None
    if field is None:
        return None
    annotation = field.annotation
    if _wants_number(annotation):
        return "number"
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (list, dict) and args and _wants_number(args[-1]):
        return "numbers"
    return None


class Precision(StrEnum):
    """Arithmetic precision of a workload."""

    fp64 = "fp64"
    fp32 = "fp32"
    bf16 = "bf16"
    fp8 = "fp8"
    fp4 = "fp4"


DAYS_PER_YEAR = 365.0
"""Length of the planning year [days]: training windows lie inside it."""


class TrainingRun(Strict):
    """One training run in its window of the planning year, on one site (one fabric).

    The run may use its nodes from ``start_day`` to ``start_day + deadline_days``; runs
    whose windows do not overlap can share the same nodes.
    """

    id: Id
    model: Id | None = Field(None, description="llm_models id; or give params_b")
    params_b: up_to(1e5) | None = Field(None, description="total parameters [1e9] (at most 1e5)")
    active_params_b: up_to(1e5) | None = Field(None, description="active parameters [1e9]")
    tokens_t: up_to(1e4) = Field(description="training tokens [1e12] (at most 1e4)")
    deadline_days: up_to(3650) = Field(description="wall-clock deadline [days] after start_day")
    start_day: up_to(365, positive=False) = Field(
        0.0, description="first day of the run's window in the planning year [days since "
        "1 January]")
    seq_len: Annotated[int, Field(gt=0, le=10_000_000)] | None = Field(
        None, description="sequence length [tokens]")
    precision: Precision = Precision.bf16

    @model_validator(mode="after")
    def _model_or_params(self) -> TrainingRun:
        if (self.model is None) == (self.params_b is None):
            raise ValueError("give exactly one of 'model' (a catalogue id) or 'params_b'")
        if self.active_params_b is not None and self.params_b is not None:
            if self.active_params_b > self.params_b:
                raise ValueError("active_params_b cannot exceed params_b")
        if self.start_day + self.deadline_days > DAYS_PER_YEAR + 1e-9:
            raise ValueError(f"the window start_day + deadline_days = "
                             f"{self.start_day + self.deadline_days:g} days must lie inside the "
                             f"planning year ({DAYS_PER_YEAR:g} days)")
        return self

    @property
    def end_day(self) -> float:
        """Last day of the window [days since 1 January]."""
        return self.start_day + self.deadline_days


class InferenceDemand(Strict):
    """Sustained inference demand, spread over sites."""

    id: Id
    model: Id
    output_tokens_per_s: up_to(1e10) = Field(description="sustained generated tokens [1/s]")
    prompt_tokens: Annotated[int, Field(gt=0, le=10_000_000)] = Field(
        2000, description="[tokens] per request")
    output_tokens: Annotated[int, Field(gt=0, le=10_000_000)] = Field(
        500, description="[tokens] per request")
    ttft_s: up_to(3600) = Field(2.0, description="time-to-first-token target [s]")
    tpot_ms: up_to(1e5) = Field(50.0, description="time-per-output-token target [ms]")
    precision: Precision = Precision.fp8


class HpcDemand(Strict):
    """Sustained HPC demand of one kernel, spread over sites."""

    id: Id
    kernel: Id
    sustained_pflops: up_to(1e6) = Field(description="sustained throughput [PFLOP/s]")


class Workloads(Strict):
    """What the installation must deliver."""

    training: list[TrainingRun] = Field(default_factory=list, max_length=MAX_WORKLOADS)
    inference: list[InferenceDemand] = Field(default_factory=list, max_length=MAX_WORKLOADS)
    hpc: list[HpcDemand] = Field(default_factory=list, max_length=MAX_WORKLOADS)

    @model_validator(mode="after")
    def _unique_ids(self) -> Workloads:
        ids = [w.id for w in self.training + self.inference + self.hpc]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"workload ids must be unique; repeated: {', '.join(dup)}")
        return self

    @property
    def empty(self) -> bool:
        """No training run, inference or HPC demand."""
        return not (self.training or self.inference or self.hpc)


class CapacityTarget(Strict):
    """A fleet asked for directly: GPUs, PFLOP/s at a precision, or IT MW (at least).

    Scoped to one site, one member state or the whole plan; ``accelerator`` restricts
    which GPUs count. Nodes beyond what the modelled workloads use are general-purpose
    capacity busy ``utilisation_frac`` of the time.
    """

    id: Id
    gpus: up_to(1e7) | None = Field(None, description="at least this many GPUs")
    pflops: up_to(1e7) | None = Field(None, description="at least this dense peak [PFLOP/s]")
    precision: Precision = Field(Precision.bf16, description="precision of 'pflops'")
    it_mw: up_to(1e5) | None = Field(None, description="at least this IT load [MW]")
    accelerator: Id | None = Field(None, description="only this accelerator counts")
    site: Id | None = Field(None, description="scope: one site (empty: overall)")
    country: str | None = Field(None, description="scope: one member state, ISO alpha-2")
    utilisation_frac: Fraction = Field(1.0, description="busy share of the target's spare nodes")

    @model_validator(mode="after")
    def _one_quantity(self) -> CapacityTarget:
        given = [name for name in ("gpus", "pflops", "it_mw") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'gpus', 'pflops' or 'it_mw'")
        if self.site is not None and self.country is not None:
            raise ValueError("give at most one of 'site' or 'country' as the target's scope")
        if self.it_mw is not None and self.accelerator is not None:
            raise ValueError("'accelerator' applies to gpus and pflops targets only")
        return self

    @property
    def quantity(self) -> str:
        """Which quantity the target asks for (``gpus``, ``pflops`` or ``it_mw``)."""
        return next(n for n in ("gpus", "pflops", "it_mw") if getattr(self, n) is not None)

    @property
    def value(self) -> float:
        """The target's value in the unit of :attr:`quantity`."""
        return float(getattr(self, self.quantity))


class SiteOverride(Strict):
    """Scenario-specific changes to one catalogue site."""

    grid_mw_now: up_to(1e5, positive=False) | None = None
    grid_mw_max: up_to(1e5, positive=False) | None = None
    grid_upgrade_eur_per_kw: up_to(1e5, positive=False) | None = None
    build_cost_factor: up_to(100, positive=False) | None = Field(
        None, description="construction cost relative to the EU average (0: the building is "
        "priced elsewhere, e.g. inside a system contract)")
    land_ha: up_to(1e6, positive=False) | None = None
    dh_offtake_mw: up_to(1e5, positive=False) | None = None
    dh_price_eur_per_mwh: up_to(1e4, positive=False) | None = None
    dh_supply_temp_c: Annotated[float, Field(ge=20, le=150, allow_inf_nan=False)] | None = None
    dh_return_temp_c: Annotated[float, Field(ge=10, le=120, allow_inf_nan=False)] | None = None


class AcceleratorOverride(Strict):
    """Scenario-specific changes to one catalogue accelerator."""

    price_eur_per_node: up_to(1e8) | None = Field(
        None, description="purchase price of one node [EUR], e.g. a procurement's own price")


class Sites(Strict):
    """Which candidate sites the optimiser may use. Empty lists mean 'all'."""

    countries: list[str] = Field(default_factory=list, max_length=MAX_IDS,
                                 description="ISO alpha-2 codes")
    include: list[Id] = Field(default_factory=list, max_length=MAX_IDS,
                              description="site ids (empty: all)")
    exclude: list[Id] = Field(default_factory=list, max_length=MAX_IDS,
                              description="site ids to leave out")
    overrides: dict[str, SiteOverride] = Field(default_factory=dict)
    max_sites: Annotated[int, Field(gt=0, le=1000)] | None = Field(
        None, description="at most this many")
    fixed_open: list[Id] | None = Field(
        None, max_length=MAX_IDS, description="open exactly these sites and no other (to "
        "price a chosen siting, e.g. a plan's regret under other inputs); empty or unset: "
        "the optimiser chooses")

    @field_validator("countries", "include", "exclude", "fixed_open")
    @classmethod
    def _no_repeats(cls, values: list | None) -> list | None:
        return None if values is None else _unique(values)


class Estimates(Strict):
    """Which values the catalogue's estimated site and country figures take.

    Unset ``draw``: the catalogue's own values. A draw ``k`` replaces every estimated
    figure of ``data/estimate_ranges.csv`` by a triangular draw between its low and
    high with the catalogue value as the mode, from numpy's ``default_rng([seed, k])``,
    so draw ``k`` of a seed is the same everywhere (robustness studies).
    """

    draw: Annotated[int, Field(ge=0, le=1_000_000)] | None = Field(
        None, description="draw number (unset: the catalogue's values)")
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 2026


class Backup(StrEnum):
    """Backup generation option."""

    none = "none"
    gas_engine = "backup_gas_engine"
    diesel = "backup_diesel"


class BackupSizing(StrEnum):
    """How much standby generation a site must install."""

    optional = "optional"
    critical_load = "critical_load"
    n_plus_1 = "n_plus_1"


class Energy(Strict):
    """Energy supply options."""

    grid: bool = True
    ppa: list[Id] = Field(default_factory=lambda: ["pv_utility", "wind_onshore"],
                          max_length=MAX_IDS)
    onsite: list[Id] = Field(default_factory=lambda: ["pv_utility", "wind_onshore"],
                             max_length=MAX_IDS)
    battery: bool = True
    backup: Backup = Field(Backup.none, description="standby generator technology")
    backup_sizing: BackupSizing = Field(
        BackupSizing.optional, description="optional: the optimiser chooses; critical_load: "
        "cover the critical share of the design peak; n_plus_1: that plus one spare unit")
    backup_critical_load_frac: Fraction = Field(
        1.0, description="share of the site's design-peak load that standby must carry")
    backup_max_hours_per_year: Annotated[float, Field(ge=0, le=8760, allow_inf_nan=False)] | None \
        = Field(None, description="running hours outside emergencies [h/yr] (empty: finance "
                "default, the permit figure)")
    gas_turbine: bool = Field(False, description="allow an on-site gas turbine as firm supply")
    guarantees_of_origin: bool = Field(
        False, description="allow guarantees of origin to certify grid energy as renewable "
        "(annual matching and REF only; never in 24/7 matching)")
    heat_pump: bool = Field(True, description="allow heat pumps to lift recovered heat to the "
                            "district-heating supply temperature")

    @model_validator(mode="after")
    def _sizing_needs_backup(self) -> Energy:
        if self.backup_sizing != BackupSizing.optional and self.backup == Backup.none:
            raise ValueError(f"backup_sizing '{self.backup_sizing.value}' needs a standby "
                             "technology: set backup to backup_diesel or backup_gas_engine")
        return self

    @field_validator("ppa", "onsite")
    @classmethod
    def _no_repeats(cls, values: list) -> list:
        return _unique(values)


class RenewableMatching(StrEnum):
    """How the renewable share is counted.

    ``annual``: renewable energy consumed over the year (net of curtailment);
    ``hourly``: 24/7 matching within each member state every hour; ``hourly_pooled``:
    24/7 matching on the sum over all sites (a surplus in one country covers a deficit
    in another in the same hour - not how 24/7 accounting works, offered for comparison).
    """

    annual = "annual"
    hourly = "hourly"
    hourly_pooled = "hourly_pooled"


class Policy(Strict):
    """Policy constraints and prices. An omitted field means no constraint."""

    carbon_price_eur_per_t: up_to(1e4, positive=False) | None = Field(
        None, description="None: finance default")
    carbon_cap_t_per_year: up_to(1e9, positive=False) | None = None
    renewable_share_frac: Fraction | None = None
    renewable_matching: RenewableMatching = RenewableMatching.annual
    min_member_states: Annotated[int, Field(ge=1, le=27)] | None = None
    max_country_share_frac: Fraction | None = None
    budget_eur: up_to(1e13) | None = Field(None, description="upper bound on capex [EUR]")
    max_water_m3_per_year: up_to(1e12, positive=False) | None = None
    min_site_it_mw: up_to(1e5, positive=False) | None = Field(
        None, description="an open site serves at least this IT load on average [MW] (no "
        "token sites); with min_member_states unset by default to one building module")


class Resolution(StrEnum):
    """Time resolution of the optimisation."""

    representative_days = "representative_days"
    full_year = "full_year"


class FullYearCheck(StrEnum):
    """What to do after a representative-day solve."""

    off = "off"
    report = "report"
    repair = "repair"


class Time(Strict):
    """Time resolution, and how a representative-day plan is checked on the full year."""

    resolution: Resolution = Resolution.representative_days
    representative_days: Annotated[int, Field(ge=1, le=365)] = 8
    extreme_days: bool = Field(True, description="also keep each site's hottest day and its "
                               "lowest-renewable day as periods of their own")
    full_year_check: FullYearCheck = Field(
        FullYearCheck.repair, description="replay the plan on all 8760 hours; repair: re-solve "
        "with the failing days added until the full year holds")
    repair_rounds: Annotated[int, Field(ge=1, le=10)] = Field(
        3, description="at most this many repair re-solves")
    reference_year: Annotated[int, Field(ge=2015, le=2030)] = 2019


class Objective(StrEnum):
    """What the optimiser minimises or maximises."""

    min_cost = "min_cost"
    max_compute = "max_compute"
    min_emissions = "min_emissions"


class Solver(Strict):
    """HiGHS settings."""

    time_limit_s: up_to(604_800) = 300.0
    mip_gap_frac: Fraction = 0.01
    threads: Annotated[int, Field(ge=1, le=256)] = 2
    seed: Annotated[int, Field(ge=0, le=2_147_483_647)] = 0


class Scenario(Strict):
    """A complete gigaplan scenario."""

    name: Id
    description: str = Field("", max_length=5000)
    workloads: Workloads = Field(default_factory=Workloads)
    targets: list[CapacityTarget] = Field(
        default_factory=list, max_length=MAX_WORKLOADS, description="fleets asked for "
        "directly, alongside or instead of workloads")
    sites: Sites = Field(default_factory=Sites)
    accelerators: list[Id] = Field(min_length=1, max_length=MAX_IDS,
                                   description="accelerator ids allowed")
    accelerator_overrides: dict[str, AcceleratorOverride] = Field(default_factory=dict)
    cooling: list[Id] = Field(
        default_factory=lambda: ["air_economiser", "rear_door", "direct_liquid", "immersion"],
        min_length=1, max_length=MAX_IDS,
    )
    energy: Energy = Field(default_factory=Energy)
    policy: Policy = Field(default_factory=Policy)
    finance: dict[str, float] = Field(default_factory=dict, description="finance overrides")
    time: Time = Field(default_factory=Time)
    estimates: Estimates = Field(default_factory=Estimates)
    objective: Objective = Objective.min_cost
    solver: Solver = Field(default_factory=Solver)

    @field_validator("accelerators", "cooling")
    @classmethod
    def _no_repeats(cls, values: list) -> list:
        return _unique(values)

    @model_validator(mode="after")
    def _budget_for_max_compute(self) -> Scenario:
        if self.objective == Objective.max_compute and self.policy.budget_eur is None:
            raise ValueError("objective max_compute needs policy.budget_eur (the capex budget "
                             "to spend)")
        if self.workloads.empty and not self.targets:
            raise ValueError("at least one training run, inference or hpc demand, or a capacity "
                             "target, is required")
        ids = [t.id for t in self.targets]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"target ids must be unique; repeated: {', '.join(dup)}")
        return self
