"""Bad study files are refused before any work grows, with the file, line and field."""

from __future__ import annotations

import pytest

from planner.errors import ScenarioError
from planner.study import load_study
from tests.cli.test_cli import run
from tests.conftest import SCENARIOS, write

TINY = (SCENARIOS / "demo-tiny.yaml").as_posix()
HEAD = f"study: bad\nbase: {TINY}\n"


def _problem(tmp_path, catalogue, body: str):
    path = write(tmp_path / "s.yaml", HEAD + body)
    with pytest.raises(ScenarioError) as info:
        load_study(path, catalogue)
    return info.value.problems


@pytest.mark.parametrize(("body", "message"), [
    ("sweeps:\n  - field: policy.carbon_price_eur_per_t\n    start: 0\n    stop: 1e9\n"
     "    step: 1\n", "the design has 1,000,000,001 variants; at most 100,000"),
    ("grid:\n  policy.carbon_price_eur_per_t: [" + ", ".join(map(str, range(300))) + "]\n"
     "  finance.grid_price_factor: [" + ", ".join(f"1.{i:03d}" for i in range(300)) + "]\n"
     "  finance.accelerator_price_factor: [" + ", ".join(f"1.{i:03d}" for i in range(300))
     + "]\n", "the design has 27,000,000 variants"),
    ("sweeps:\n  - field: policy.carbon_price_eur_per_t\n    start: .nan\n    stop: 10\n"
     "    step: 1\n", "Input should be a finite number"),
    ("sweeps:\n  - field: policy.carbon_price_eur_per_t\n    start: 0\n    stop: .inf\n"
     "    step: 1\n", "Input should be a finite number"),
    ("monte_carlo:\n  samples: 10\n  fields:\n    finance.grid_price_factor:\n"
     "      dist: normal\n      mean: 1\n      sd: 0.1\n      low: 5\n      high: 6\n",
     "keeps 0 of its probability, below 0.02"),
    ("grid:\n  finance.gpu_lifetime_years: [0, 5]\n", "gpu_lifetime_years = 0 is outside 1 to 100"),
    ("grid:\n  finance.grid_price_factor: [-1, 1]\n", "grid_price_factor = -1 is outside 0 to 100"),
    ("grid:\n  finance.discount_rate: [.nan]\n", "discount_rate = nan is not a finite number"),
])
def test_a_bad_design_is_refused_with_its_reason(tmp_path, catalogue, body, message):
    problems = _problem(tmp_path, catalogue, body)
    assert any(message in p.message for p in problems), [p.message for p in problems]
    assert all(p.file == str(tmp_path / "s.yaml") for p in problems)


def test_an_unwritable_results_folder_is_a_sentence_not_a_traceback():
    study = SCENARIOS / "studies" / "demo-carbon-grid.yaml"
    result = run("study", str(study), "--out", "/proc/gigaplan-study", "--quiet")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "cannot write the study's results" in result.stderr
    assert "/proc/gigaplan-study" in result.stderr
