"""Shared fixtures: the real catalogue, and writable copies of it for bad-input tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planner.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SCENARIOS = ROOT / "scenarios"
SAMPLES = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def catalogue():
    """The bundled catalogue, loaded once."""
    return load_catalogue(DATA)


@pytest.fixture(scope="session")
def bundled_plans(catalogue):
    """``get(path) -> (scenario, plan)``: each bundled scenario solved at most once a session.

    The flagship takes one to two minutes; tests/optimise/test_bundled.py and
    tests/report/test_print.py share its plan.
    """
    from planner.optimise import solve
    from planner.scenario import load_scenario

    cache: dict[Path, tuple] = {}

    def get(path: Path) -> tuple:
        if path not in cache:
            scenario = load_scenario(path, catalogue)
            cache[path] = (scenario, solve(scenario, catalogue))
        return cache[path]

    return get


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the CSV tables (profiles left out: they are large)."""
    target = tmp_path / "data"
    target.mkdir()
    for path in DATA.glob("*.csv"):
        shutil.copy(path, target / path.name)
    return target


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` and return the path."""
    path.write_text(text, encoding="utf-8")
    return path
