"""Shared fixtures: one real demo-small plan and its workbook, and synthetic study results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.optimise import solve
from planner.report import to_excel
from planner.scenario import load_scenario
from tests.conftest import SCENARIOS


@pytest.fixture(scope="session")
def demo_plan(catalogue):
    """demo-small solved once for all report tests (about 1.5 s)."""
    plan = solve(load_scenario(SCENARIOS / "demo-small.yaml", catalogue), catalogue)
    assert plan.status == "optimal"
    return plan


@pytest.fixture(scope="session")
def plan_xlsx(demo_plan, catalogue, tmp_path_factory):
    """The demo plan's workbook, written once."""
    return to_excel(demo_plan, tmp_path_factory.mktemp("plan") / "demo.xlsx", catalogue)


def study_results(n: int = 50, kind: str = "sweep", seed: int = 0) -> pd.DataFrame:
    """A results frame shaped like ``planner.study.load``'s: ``n`` variants, a few failed."""
    rng = np.random.default_rng(seed)
    carbon = np.linspace(0, 200, n)
    factor = rng.uniform(0.5, 1.5, n)
    matching = np.where(np.arange(n) % 2, "hourly", "annual")
    status = np.array(["optimal"] * n, dtype=object)
    status[3::17] = "infeasible"
    status[5::23] = "error"
    failed = status != "optimal"
    tco = 1.4e7 + 2e4 * carbon + 4e6 * factor
    frame = pd.DataFrame({
        "variant": [f"v{i:04d}" for i in range(n)], "status": status,
        "reason": np.where(status == "infeasible", "grid too small at every site",
                           np.where(status == "error", "solver error", "")),
        "policy.carbon_price_eur_per_t": carbon, "finance.grid_price_factor": factor,
        "policy.renewable_matching": matching,
        "tco_eur_per_year": np.where(failed, np.nan, tco),
        "eur_per_gpu_hour": np.where(failed, np.nan, tco / (776 * 8760)),
        "gpus": np.where(failed, np.nan, 776.0),
        "it_mw": np.where(failed, np.nan, 0.85),
        "emissions_t_per_year": np.where(failed, np.nan, 400 - carbon),
        "renewable_share": np.where(failed, np.nan, 0.5 + carbon / 500),
        "gap": np.where(failed, np.nan, 0.004), "solve_s": rng.uniform(0.5, 2.0, n)})
    frame.attrs = {
        "varied": ["policy.carbon_price_eur_per_t", "finance.grid_price_factor",
                   "policy.renewable_matching"],
        "kpis": ["tco_eur_per_year", "eur_per_gpu_hour", "gpus", "it_mw", "emissions_t_per_year",
                 "renewable_share"],
        "study": {"name": "carbon-sweep", "description": "carbon price against grid prices",
                  "base": "demo-small", "definition_hash": "0123456789abcdef", "seed": seed,
                  "created": "2026-01-01T00:00:00+00:00", "kind": kind}}
    return frame
