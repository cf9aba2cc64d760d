"""Bad study files are refused before any work grows, with the file, line and field.

``tests/data/bad/studies/`` holds one file per class, its first line
``# expect: <message>`` and, where the problem has a line, ``# line: N``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import ScenarioError
from planner.study import load_study
from tests.cli.test_bad_input_corpus import BAD, _expected
from tests.cli.test_cli import run
from tests.conftest import SCENARIOS

CORPUS = sorted((BAD / "studies").glob("*.yaml"))


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_a_bad_study_file_is_refused_with_its_reason(catalogue, path: Path):
    expect, line = _expected(path)
    with pytest.raises(ScenarioError) as info:
        load_study(path, catalogue)
    problems = info.value.problems
    found = [p for p in problems if expect in p.message]
    assert found, [p.message for p in problems]
    assert all(p.file == str(path) for p in problems)
    if line is not None:
        assert found[0].line == line, found[0]


def test_the_cli_dry_run_refuses_a_huge_design_at_once():
    result = run("study", str(BAD / "studies" / "sweep-1e9-steps.yaml"), "--dry-run")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "1,000,000,001 variants; at most 100,000" in result.stderr


def test_an_unwritable_results_folder_is_a_sentence_not_a_traceback():
    study = SCENARIOS / "studies" / "demo-carbon-grid.yaml"
    result = run("study", str(study), "--out", "/proc/gigaplan-study", "--quiet")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "cannot write the study's results" in result.stderr
    assert "/proc/gigaplan-study" in result.stderr
