"""A solved demo-small plan shared by the explorer's tests."""

from __future__ import annotations

import pytest

from planner.optimise import solve
from planner.scenario import load_scenario
from tests.conftest import SCENARIOS


@pytest.fixture(scope="session")
def demo_scenario(catalogue):
    return load_scenario(SCENARIOS / "demo-small.yaml", catalogue)


@pytest.fixture(scope="session")
def demo(demo_scenario, catalogue):
    return solve(demo_scenario, catalogue)
