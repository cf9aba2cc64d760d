"""The study schema: a base scenario and the variations to run over it.

A study file names a base scenario and a *design*: the cartesian product of its
axes, in this order:

- each entry of ``sweeps`` (one field over a list or a ``start``/``stop``/``step`` range);
- each field of ``grid`` (a full factorial over the listed values);
- ``zip`` (several fields varied together, element by element);
- ``monte_carlo`` (``samples`` draws from stated distributions, seeded);
- ``pareto`` (a cost-carbon front by the epsilon-constraint method on emissions).

Fields are dotted scenario paths (``policy.carbon_price_eur_per_t``,
``finance.grid_price_factor``, ``workloads.training.llama3-405b.tokens_t``: list
entries by ``id`` or position). ``set`` fixes fields for every variant.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator

from planner.scenario.schema import Fraction, Id, PositiveFloat, Strict, up_to

FieldPath = Annotated[str, Field(min_length=1, max_length=200,
                                 pattern=r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_.\-]+)*$")]
Scalar = float | int | str | bool | None
Value = Scalar | list[Scalar]
"""A value a variant gives a field: a number, text, or a list (e.g. sites.include)."""
MAX_VARIANTS = 100_000
Finite = Annotated[float, Field(allow_inf_nan=False)]
FinitePositive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
MIN_TRUNCATED_MASS = 0.02
"""A truncated normal must keep at least this probability of its distribution [-]."""


class Sweep(Strict):
    """One field over ``values``, or over ``start`` to ``stop`` (inclusive) by ``step``."""

    field: FieldPath
    values: list[Value] | None = Field(None, min_length=1)
    start: Finite | None = None
    stop: Finite | None = None
    step: PositiveFloat | None = None

    @model_validator(mode="after")
    def _values_or_range(self) -> Sweep:
        ranged = (self.start, self.stop, self.step)
        if self.values is None and any(v is None for v in ranged):
            raise ValueError("give 'values' or all of 'start', 'stop' and 'step'")
        if self.values is not None and any(v is not None for v in ranged):
            raise ValueError("give 'values' or a 'start'/'stop'/'step' range, not both")
        if self.values is None and self.stop < self.start:
            raise ValueError("'stop' must not be below 'start'")
        return self

    def count(self) -> int:
        """How many values the sweep gives, computed without listing them."""
        if self.values is not None:
            return len(self.values)
        return int(math.floor((self.stop - self.start) / self.step + 1e-9)) + 1

    def points(self) -> list[Value]:
        """The values of the sweep (a range is computed without float drift)."""
        if self.values is not None:
            return list(self.values)
        n = int(round((self.stop - self.start) / self.step + 1e-9)) + 1
        return [round(self.start + i * self.step, 12) for i in range(n)
                if self.start + i * self.step <= self.stop + 1e-9]


class DistributionKind(StrEnum):
    """Distributions a Monte Carlo field may be drawn from (numpy's parametrisations)."""

    uniform = "uniform"  # low, high
    normal = "normal"  # mean, sd (truncated at low/high when given)
    lognormal = "lognormal"  # median, sigma (of the log)
    triangular = "triangular"  # low, mode, high
    choice = "choice"  # values (equally likely)


REQUIRED_PARAMETERS = {
    DistributionKind.uniform: ("low", "high"), DistributionKind.normal: ("mean", "sd"),
    DistributionKind.lognormal: ("median", "sigma"),
    DistributionKind.triangular: ("low", "mode", "high"), DistributionKind.choice: ("values",),
}


class Distribution(Strict):
    """A stated distribution for one Monte Carlo field."""

    dist: DistributionKind
    low: Finite | None = None
    high: Finite | None = None
    mean: Finite | None = None
    sd: FinitePositive | None = None
    median: FinitePositive | None = None
    sigma: FinitePositive | None = None
    mode: Finite | None = None
    values: list[Scalar] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _parameters(self) -> Distribution:
        needed = REQUIRED_PARAMETERS[self.dist]
        missing = [p for p in needed if getattr(self, p) is None]
        if missing:
            raise ValueError(f"{self.dist.value} needs {', '.join(needed)}; missing "
                             f"{', '.join(missing)}")
        allowed = set(needed) | ({"low", "high"} if self.dist == DistributionKind.normal else set())
        extra = [p for p in ("low", "high", "mean", "sd", "median", "sigma", "mode", "values")
                 if getattr(self, p) is not None and p not in allowed]
        if extra:
            raise ValueError(f"{self.dist.value} takes {', '.join(sorted(allowed))}; not "
                             f"{', '.join(extra)}")
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError("'high' must not be below 'low'")
        if self.dist == DistributionKind.triangular and not self.low <= self.mode <= self.high:
            raise ValueError("triangular needs low <= mode <= high")
        if self.dist == DistributionKind.normal and (self.low is not None
                                                     or self.high is not None):
            kept = self.truncated_mass()
            if kept < MIN_TRUNCATED_MASS:
                raise ValueError(f"normal({self.mean:g}, {self.sd:g}) truncated to "
                                 f"[{self.low}, {self.high}] keeps {kept:.2g} of its "
                                 f"probability, below {MIN_TRUNCATED_MASS:g}; widen low/high "
                                 "or move the mean")
        return self

    def truncated_mass(self) -> float:
        """Probability of a normal draw falling within [low, high] [-]."""
        def cdf(x: float | None, default: float) -> float:
            if x is None:
                return default
            return 0.5 * (1.0 + math.erf((x - self.mean) / (self.sd * math.sqrt(2.0))))
        return cdf(self.high, 1.0) - cdf(self.low, 0.0)


class MonteCarlo(Strict):
    """``samples`` joint draws; each field independent, from its distribution."""

    samples: Annotated[int, Field(ge=1, le=MAX_VARIANTS)]
    fields: dict[FieldPath, Distribution] = Field(min_length=1)


class Pareto(Strict):
    """Cost-carbon front: least cost under ``points`` emission caps (epsilon-constraint).

    The caps run evenly from just above the least achievable emissions (a
    ``min_emissions`` solve) to the emissions of the least-cost plan.
    """

    points: Annotated[int, Field(ge=3, le=200)] = 8


ROBUSTNESS_FIELDS = ("estimates.draw", "sites.fixed_open")
"""What a robustness study varies: the draw, and the base plan's sites fixed or not."""


class Robustness(Strict):
    """Solve the base scenario for ``draws`` draws of the catalogue's estimated figures.

    Each draw is solved twice on the re-used model: with the base plan's sites fixed open
    (its cost under that draw) and free (that draw's optimum, started from the first), so
    the regret of the base siting (first minus second) is never negative.
    """

    draws: Annotated[int, Field(ge=1, le=10_000)] = 50


class StudySolver(Strict):
    """Solver settings for every variant (override the base scenario's)."""

    time_limit_s: up_to(604_800) = 300.0
    mip_gap_frac: Fraction = 0.01
    threads: Annotated[int, Field(ge=1, le=256)] = 1


class Study(Strict):
    """A study file."""

    study: Id = Field(description="study name")
    description: str = Field("", max_length=5000)
    base: str = Field(min_length=1, description="base scenario file, relative to the study file")
    set: dict[FieldPath, Any] = Field(default_factory=dict, description="fixed for all variants")
    sweeps: list[Sweep] = Field(default_factory=list)
    grid: dict[FieldPath, list[Value]] = Field(default_factory=dict)
    zip: dict[FieldPath, list[Value]] = Field(default_factory=dict)
    monte_carlo: MonteCarlo | None = None
    pareto: Pareto | None = None
    robustness: Robustness | None = None
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0
    solver: StudySolver = Field(default_factory=StudySolver)
    reuse_models: bool = Field(True, description="re-solve lever-only variants without rebuilding")
    batch_size: Annotated[int, Field(ge=1, le=1000)] = Field(
        4, description="variants a worker solves in order on one re-used model; batches are "
                       "also the unit of parallelism")

    @model_validator(mode="after")
    def _design(self) -> Study:
        for name, values in self.grid.items():
            if not values:
                raise ValueError(f"grid field '{name}' has no values")
        lengths = {len(v) for v in self.zip.values()}
        if len(lengths) > 1:
            raise ValueError("zip lists must have equal lengths; got "
                             + ", ".join(f"{k}: {len(v)}" for k, v in self.zip.items()))
        if lengths == {0}:
            raise ValueError("zip lists are empty")
        fields = [s.field for s in self.sweeps] + list(self.grid) + list(self.zip) + (
            list(self.monte_carlo.fields) if self.monte_carlo else [])
        repeated = sorted({f for f in fields if fields.count(f) > 1} | (set(fields) & set(self.set)))
        if repeated:
            raise ValueError(f"a field may be varied (or set) once only; repeated: "
                             f"{', '.join(repeated)}")
        if self.pareto and any(f in ("policy.carbon_cap_t_per_year", "objective")
                               for f in [*fields, *self.set]):
            raise ValueError("a pareto study sets policy.carbon_cap_t_per_year and objective "
                             "itself; do not vary them")
        if self.robustness and (fields or self.pareto):
            raise ValueError("a robustness study varies the estimated inputs itself; give no "
                             "sweeps, grid, zip, monte_carlo or pareto with it")
        if self.robustness and any(f.startswith(("estimates", "sites.fixed_open"))
                                   for f in self.set):
            raise ValueError("a robustness study sets estimates and sites.fixed_open itself; do "
                             "not set them")
        if not fields and not self.pareto and not self.robustness:
            raise ValueError("nothing varies: give sweeps, grid, zip, monte_carlo, pareto or "
                             "robustness")
        total = self.variant_count()
        if total > MAX_VARIANTS:
            raise ValueError(f"the design has {total:,} variants; at most {MAX_VARIANTS:,} "
                             "are allowed per study")
        return self

    def variant_count(self) -> int:
        """Variants the design expands to, computed from the counts alone."""
        counts = [s.count() for s in self.sweeps] + [len(v) for v in self.grid.values()]
        if self.zip:
            counts.append(len(next(iter(self.zip.values()))))
        if self.monte_carlo:
            counts.append(self.monte_carlo.samples)
        if self.robustness:
            return 1 + 2 * self.robustness.draws
        return math.prod(counts) * ((self.pareto.points + 1) if self.pareto else 1)

    @property
    def varied(self) -> list[str]:
        """The varied field paths, in design order."""
        if self.robustness:
            return list(ROBUSTNESS_FIELDS)
        return [s.field for s in self.sweeps] + list(self.grid) + list(self.zip) + (
            list(self.monte_carlo.fields) if self.monte_carlo else [])
