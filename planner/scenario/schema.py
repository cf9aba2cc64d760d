"""The scenario schema: what a user may write in a scenario YAML file.

Every quantity carries its unit in its field name; an empty (omitted) field means
"no limit" or "catalogue default", never ``-1`` or a magic number. Unknown keys are
errors (``extra="forbid"``), so a misspelt field is never silently ignored.
Identifiers (sites, accelerators, models) are checked against the catalogue in
:mod:`planner.scenario.crosscheck`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


class Strict(BaseModel):
    """Base: unknown fields are errors; values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


class Precision(StrEnum):
    """Arithmetic precision of a workload."""

    fp64 = "fp64"
    fp32 = "fp32"
    bf16 = "bf16"
    fp8 = "fp8"
    fp4 = "fp4"


class TrainingRun(Strict):
    """One training run: it must run on one site (one high-bandwidth fabric) by its deadline."""

    id: Id
    model: Id | None = Field(None, description="llm_models id; or give params_b")
    params_b: PositiveFloat | None = Field(None, description="total parameters [1e9]")
    active_params_b: PositiveFloat | None = Field(None, description="active parameters [1e9]")
    tokens_t: PositiveFloat = Field(description="training tokens [1e12]")
    deadline_days: PositiveFloat = Field(description="wall-clock deadline [days]")
    seq_len: Annotated[int, Field(gt=0)] | None = Field(None, description="sequence length [tokens]")
    precision: Precision = Precision.bf16

    @model_validator(mode="after")
    def _model_or_params(self) -> TrainingRun:
        if (self.model is None) == (self.params_b is None):
            raise ValueError("give exactly one of 'model' (a catalogue id) or 'params_b'")
        if self.active_params_b is not None and self.params_b is not None:
            if self.active_params_b > self.params_b:
                raise ValueError("active_params_b cannot exceed params_b")
        return self


class InferenceDemand(Strict):
    """Sustained inference demand, spread over sites."""

    id: Id
    model: Id
    output_tokens_per_s: PositiveFloat = Field(description="sustained generated tokens [1/s]")
    prompt_tokens: Annotated[int, Field(gt=0)] = Field(2000, description="[tokens] per request")
    output_tokens: Annotated[int, Field(gt=0)] = Field(500, description="[tokens] per request")
    ttft_s: PositiveFloat = Field(2.0, description="time-to-first-token target [s]")
    tpot_ms: PositiveFloat = Field(50.0, description="time-per-output-token target [ms]")
    precision: Precision = Precision.fp8


class HpcDemand(Strict):
    """Sustained HPC demand of one kernel, spread over sites."""

    id: Id
    kernel: Id
    sustained_pflops: PositiveFloat = Field(description="sustained throughput [PFLOP/s]")


class Workloads(Strict):
    """What the installation must deliver."""

    training: list[TrainingRun] = Field(default_factory=list)
    inference: list[InferenceDemand] = Field(default_factory=list)
    hpc: list[HpcDemand] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Workloads:
        ids = [w.id for w in self.training + self.inference + self.hpc]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"workload ids must be unique; repeated: {', '.join(dup)}")
        if not ids:
            raise ValueError("at least one training run, inference or hpc demand is required")
        return self


class SiteOverride(Strict):
    """Scenario-specific changes to one catalogue site."""

    grid_mw_now: NonNegFloat | None = None
    grid_mw_max: NonNegFloat | None = None
    grid_upgrade_eur_per_kw: NonNegFloat | None = None
    land_ha: NonNegFloat | None = None
    dh_offtake_mw: NonNegFloat | None = None
    dh_price_eur_per_mwh: NonNegFloat | None = None


class Sites(Strict):
    """Which candidate sites the optimiser may use. Empty lists mean 'all'."""

    countries: list[str] = Field(default_factory=list, description="ISO alpha-2 codes")
    include: list[Id] = Field(default_factory=list, description="site ids (empty: all)")
    exclude: list[Id] = Field(default_factory=list, description="site ids to leave out")
    overrides: dict[str, SiteOverride] = Field(default_factory=dict)
    max_sites: Annotated[int, Field(gt=0)] | None = Field(None, description="at most this many")


class Backup(StrEnum):
    """Backup generation option."""

    none = "none"
    gas_engine = "backup_gas_engine"
    diesel = "backup_diesel"


class Energy(Strict):
    """Energy supply options."""

    grid: bool = True
    ppa: list[Id] = Field(default_factory=lambda: ["pv_utility", "wind_onshore"])
    onsite: list[Id] = Field(default_factory=lambda: ["pv_utility", "wind_onshore"])
    battery: bool = True
    backup: Backup = Backup.none


class RenewableMatching(StrEnum):
    """How the renewable share is counted."""

    annual = "annual"
    hourly = "hourly"


class Policy(Strict):
    """Policy constraints and prices. An omitted field means no constraint."""

    carbon_price_eur_per_t: NonNegFloat | None = Field(None, description="None: finance default")
    carbon_cap_t_per_year: NonNegFloat | None = None
    renewable_share_frac: Fraction | None = None
    renewable_matching: RenewableMatching = RenewableMatching.annual
    min_member_states: Annotated[int, Field(ge=1, le=27)] | None = None
    max_country_share_frac: Fraction | None = None
    budget_eur: PositiveFloat | None = Field(None, description="upper bound on capex [EUR]")
    max_water_m3_per_year: NonNegFloat | None = None
    min_site_it_mw: NonNegFloat | None = Field(
        None, description="an open site hosts at least this IT load [MW] (no token sites)")


class Resolution(StrEnum):
    """Time resolution of the optimisation."""

    representative_days = "representative_days"
    full_year = "full_year"


class Time(Strict):
    """Time resolution."""

    resolution: Resolution = Resolution.representative_days
    representative_days: Annotated[int, Field(ge=1, le=365)] = 8
    reference_year: Annotated[int, Field(ge=2015, le=2030)] = 2019


class Objective(StrEnum):
    """What the optimiser minimises or maximises."""

    min_cost = "min_cost"
    max_compute = "max_compute"
    min_emissions = "min_emissions"


class Solver(Strict):
    """HiGHS settings."""

    time_limit_s: PositiveFloat = 300.0
    mip_gap_frac: Fraction = 0.01
    threads: Annotated[int, Field(ge=1, le=256)] = 2
    seed: Annotated[int, Field(ge=0)] = 0


class Scenario(Strict):
    """A complete gigaplan scenario."""

    name: Id
    description: str = Field("", max_length=5000)
    workloads: Workloads
    sites: Sites = Field(default_factory=Sites)
    accelerators: list[Id] = Field(min_length=1, description="accelerator ids allowed")
    cooling: list[Id] = Field(
        default_factory=lambda: ["air_economiser", "rear_door", "direct_liquid", "immersion"],
        min_length=1,
    )
    energy: Energy = Field(default_factory=Energy)
    policy: Policy = Field(default_factory=Policy)
    finance: dict[str, float] = Field(default_factory=dict, description="finance overrides")
    time: Time = Field(default_factory=Time)
    objective: Objective = Objective.min_cost
    solver: Solver = Field(default_factory=Solver)

    @model_validator(mode="after")
    def _budget_for_max_compute(self) -> Scenario:
        if self.objective == Objective.max_compute and self.policy.budget_eur is None:
            raise ValueError("objective max_compute needs policy.budget_eur (the capex budget "
                             "to spend)")
        return self
