"""Preparing model inputs, solving with HiGHS and reading back a Plan."""

import gc

from planner.optimise.plan import Plan, load_plan
from planner.optimise.solve import solve

# The modules imported so far (pandas, Pyomo, HiGHS, tsam, ...) live as long as the
# process. Frozen, they are left out of the collector's full passes: a first solve's
# full pass scanned them for 0.12-0.15 s (demo-tiny's model build 0.15-0.19 s cold
# instead of 0.03-0.04 s warm); see benchmarks/solve_time_vs_commit.py.
gc.freeze()

__all__ = ["Plan", "load_plan", "solve"]
