"""Every bundled scenario solves to a proven gap of 1 % or better (slow: about a minute)."""

from __future__ import annotations

import numpy as np
import pytest

from planner.optimise import solve
from planner.scenario import load_scenario
from tests.conftest import SCENARIOS

BUNDLED = sorted(p for p in SCENARIOS.glob("*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scenario_solves_within_one_percent(path, catalogue):
    scenario = load_scenario(path, catalogue)
    plan = solve(scenario, catalogue)
    assert plan.status in ("optimal", "time_limit"), plan.explanation
    assert plan.gap <= 0.01
    e = plan.energy
    supply = (e["grid_import_mw"] + e["ppa_mw"] + e["onsite_mw"] + e["battery_discharge_mw"]
              - e["battery_charge_mw"] + e["backup_mw"] - e["spill_mw"])
    np.testing.assert_allclose(supply, e["facility_mw"], atol=1e-5)
    assert set(plan.workloads["workload"]) == {w.id for w in (
        scenario.workloads.training + scenario.workloads.inference + scenario.workloads.hpc)}
    if scenario.policy.renewable_share_frac is not None:
        assert plan.kpis["renewable_share"] >= scenario.policy.renewable_share_frac - 1e-6
    if scenario.policy.min_member_states:
        assert plan.kpis["member_states"] >= scenario.policy.min_member_states
