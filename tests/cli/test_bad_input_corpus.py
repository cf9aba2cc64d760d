"""Bad scenario files as a careless or hostile user writes them, through the real CLI.

``tests/data/bad/`` holds one file per class of bad input, its first line
``# expect: <text of the message>`` and, where the problem has a line, ``# line: N``.
Files that cannot live in git (a FIFO, links to ``/dev/zero`` or in a loop, very large
files) are made here. Every one must end in exit 2 with its message naming the file
(and line), never a traceback, and ``gigaplan scenario validate`` reads them all in
one process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, SCENARIOS

BAD = ROOT / "tests" / "data" / "bad"
TINY = SCENARIOS / "demo-tiny.yaml"


def _expected(path: Path) -> tuple[str, int | None]:
    head = path.read_text(encoding="utf-8", errors="replace").splitlines()[:2]
    expect = head[0].removeprefix("# expect: ")
    line = int(head[1].removeprefix("# line: ")) if head[1].startswith("# line: ") else None
    return expect, line


def _made(tmp: Path) -> dict[Path, tuple[str, int | None]]:
    """Bad inputs made at run time, with the message each must give."""
    made: dict[Path, tuple[str, int | None]] = {}
    fifo = tmp / "fifo.yaml"
    os.mkfifo(fifo)
    made[fifo] = ("not a regular file (a FIFO, a device or a socket cannot be read)", None)
    zero = tmp / "zero.yaml"
    zero.symlink_to("/dev/zero")
    made[zero] = ("not a regular file", None)
    folder = tmp / "folder.yaml"
    folder.mkdir()
    made[folder] = ("it is a directory", None)
    (tmp / "loop-a.yaml").symlink_to(tmp / "loop-b.yaml")
    (tmp / "loop-b.yaml").symlink_to(tmp / "loop-a.yaml")
    made[tmp / "loop-a.yaml"] = ("loops through symbolic links", None)
    via_loop = tmp / "extends-loop.yaml"
    via_loop.write_text("name: viaLoop\nextends: loop-a.yaml\n")
    made[via_loop] = ("loops through symbolic links", 2)
    values = tmp / "values-25000.yaml"
    values.write_text(f"extends: {TINY}\nname: many\nsites:\n  include: ["
                      + ", ".join(["kajaani"] * 25_000) + "]\n")
    made[values] = ("holds more than 20,000 values", None)
    spec = yaml.safe_load(TINY.read_text())
    runs = [{"id": f"run{i}", "model": "llama3-8b", "tokens_t": 1, "deadline_days": 30}
            for i in range(600)]
    many_runs = tmp / "runs-600.yaml"
    many_runs.write_text(yaml.safe_dump({"extends": str(TINY), "name": "runs",
                                         "workloads": {"training": runs}}))
    made[many_runs] = ("at most 500 items", None)
    assert spec["name"] == "demo-tiny"
    return made


def _validate(*files: Path, json_out: bool = True) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "planner", "scenario", "validate", *map(str, files)]
    return subprocess.run(args + (["--json"] if json_out else []), cwd=ROOT, text=True,
                          capture_output=True, timeout=300)


def test_every_bad_file_is_refused_with_its_message_file_and_line(tmp_path):
    cases = {path: _expected(path) for path in sorted(BAD.glob("*.yaml"))}
    assert len(cases) >= 15
    cases.update(_made(tmp_path))
    result = _validate(*cases)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    reports = {Path(r["file"]): r for r in json.loads(result.stdout)}
    for path, (expect, line) in cases.items():
        report = reports[path]
        assert not report["valid"], path.name
        (problem,) = [p for p in report["problems"] if expect in p] or [report["problems"]]
        assert expect in problem, (path.name, report["problems"])
        assert problem.startswith(str(path)), problem
        if line is not None:
            assert problem.startswith(f"{path}:{line}:"), problem


def test_escape_sequences_in_a_description_are_shown_not_sent(tmp_path):
    evil = tmp_path / "evil.yaml"
    evil.write_text(f"extends: {TINY}\nname: evil\n"
                    'description: "clear \\e[2J\\e]0;owned\\a title \\x9b31m red"\n')
    result = _validate(evil, json_out=False)
    assert result.returncode == 0, result.stderr
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.stdout)
    assert "clear \\x1b[2J\\x1b]0;owned\\x07 title \\x9b31m red" in result.stdout
    as_json = _validate(evil)
    assert not re.search(r"[\x7f-\x9f]", as_json.stdout)
    assert json.loads(as_json.stdout)[0]["summary"]["description"].startswith("clear \x1b[2J")


@pytest.mark.parametrize(("text", "value"), [("1:30", "1:30"), ("1_0", "1_0"), ("010", 10),
                                             ("0x10", 16), ("1e3", 1000.0), ("yes", "yes"),
                                             ("2026-03-01", "2026-03-01"), ("true", True)])
def test_plain_values_follow_the_yaml_1_2_core_schema(text, value):
    from planner.yamlio import parse_yaml

    data, _ = parse_yaml(f"a: {text}\n")
    assert data["a"] == value
    assert type(data["a"]) is type(value)


def test_a_study_base_outside_the_allowed_folders_is_refused(tmp_path, catalogue):
    from planner.errors import ScenarioError
    from planner.study import load_study

    study = tmp_path / "study.yaml"
    study.write_text("study: s\nbase: /etc/hostname\nsweeps:\n  - field: policy.carbon_price_"
                     "eur_per_t\n    start: 0\n    stop: 20\n    step: 10\n")
    with pytest.raises(ScenarioError) as info:
        load_study(study, catalogue)
    (problem,) = info.value.problems
    assert "outside the folders scenario files may read" in problem.message
    assert problem.line == 2 and problem.field == "base"
