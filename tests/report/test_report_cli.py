"""End-to-end: `gigaplan report` as a user runs it (real subprocesses)."""

from __future__ import annotations

import openpyxl
import pytest

from planner.report import SHEETS
from tests.cli.test_cli import run
from tests.conftest import SCENARIOS, write


@pytest.fixture(scope="module")
def plan_dir(demo_plan, tmp_path_factory):
    return demo_plan.save(tmp_path_factory.mktemp("saved") / "plan")


def test_report_from_a_saved_plan_folder(plan_dir, demo_plan, tmp_path):
    out = tmp_path / "out.xlsx"
    result = run("report", str(plan_dir), "--xlsx", str(out))
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == list(SHEETS)
    summary = {r[3]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    meta = {r[3]: r[1] for r in wb["Run metadata"].iter_rows(min_row=2, values_only=True)}
    assert meta["scenario_hash"] == demo_plan.meta["scenario_hash"]
    assert summary["tco_eur_per_year"] == pytest.approx(demo_plan.kpis["tco_eur_per_year"])


def test_report_from_a_scenario_solves_it_first(tmp_path):
    out = tmp_path / "tiny.xlsx"
    result = run("report", str(SCENARIOS / "demo-tiny.yaml"), "--xlsx", str(out),
                 "--time-limit", "60")
    assert result.returncode == 0, result.stderr
    assert openpyxl.load_workbook(out)["Summary"]["B2"].value == "demo-tiny"
    # not silent while it solves: its progress on stderr
    assert "demo-tiny: HiGHS branch and bound" in result.stderr
    assert "demo-tiny: done" in result.stderr


def test_an_infeasible_scenario_exits_3_with_a_workbook_of_the_reasons(tmp_path):
    scenario = write(tmp_path / "s.yaml", f"extends: {SCENARIOS / 'demo-tiny.yaml'}\n"
                     "name: tight\nsites:\n  overrides:\n"
                     "    kajaani: {grid_mw_now: 0.2, grid_mw_max: 0.2}\n")
    out = tmp_path / "tight.xlsx"
    result = run("report", str(scenario), "--xlsx", str(out))
    assert result.returncode == 3
    assert "the grid is short at site 'kajaani'" in result.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Assumptions", "Sources", "Run metadata"]


@pytest.mark.parametrize("args, message", [
    (["{plan}"], "--xlsx: required"),
    (["{plan}", "--xlsx", "{tmp}/out.xls"], "must end in .xlsx"),
    (["{plan}", "--xlsx", "{tmp}/no/such/folder/out.xlsx"], "folder does not exist"),
    (["{plan}", "--xlsx", "{tmp}"], "is a folder"),
    (["{tmp}/missing", "--xlsx", "{tmp}/out.xlsx"], "missing: not found"),
    (["{tmp}", "--xlsx", "{tmp}/out.xlsx"], "none of plan.json, study.json"),
    (["{tmp}/notes.txt", "--xlsx", "{tmp}/out.xlsx"], "not a plan, study or scenario"),
    (["{plan}", "--xlsx", "{tmp}/out.xlsx", "--time-limit", "5"], "--time-limit"),
    (["{tmp}/bad.yaml", "--xlsx", "{tmp}/out.xlsx"], "bad.yaml"),
])
def test_bad_input_exits_2_with_a_clear_message_and_writes_nothing(plan_dir, tmp_path, args,
                                                                   message):
    write(tmp_path / "notes.txt", "not a plan")
    write(tmp_path / "bad.yaml", "name: [unclosed\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run("report", *[a.format(plan=plan_dir, tmp=tmp_path) for a in args])
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
