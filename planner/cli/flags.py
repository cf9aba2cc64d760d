"""Checks of numeric CLI flags, with the range each allows (the scenario schema's ranges)."""

from __future__ import annotations

import math

from planner.errors import UsageError

MAX_TIME_LIMIT_S = 604_800.0
"""A week [s], the scenario schema's bound on ``solver.time_limit_s``."""
MAX_THREADS = 256


def check_time_limit(value: float | None) -> None:
    """``--time-limit``: a finite number of seconds above 0, at most a week."""
    if value is not None and not (math.isfinite(value) and 0 < value <= MAX_TIME_LIMIT_S):
        raise UsageError.single(f"is {value}; allowed: seconds above 0 and at most "
                                f"{MAX_TIME_LIMIT_S:,.0f} (a week)", field="--time-limit")


def check_gap(value: float | None) -> None:
    """``--gap``: a relative MIP gap in [0, 1)."""
    if value is not None and not (math.isfinite(value) and 0 <= value < 1):
        raise UsageError.single(f"is {value}; allowed: a fraction in [0, 1), e.g. 0.01",
                                field="--gap")


def check_threads(value: int | None) -> None:
    """``--threads``: 1 to :data:`MAX_THREADS` solver threads."""
    if value is not None and not 1 <= value <= MAX_THREADS:
        raise UsageError.single(f"is {value}; allowed: 1 to {MAX_THREADS}", field="--threads")
