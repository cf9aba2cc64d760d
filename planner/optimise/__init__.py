"""Preparing model inputs, solving with HiGHS and reading back a Plan."""

from planner.optimise.plan import Plan, load_plan
from planner.optimise.solve import solve

__all__ = ["Plan", "load_plan", "solve"]
