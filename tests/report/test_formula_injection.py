"""Text from users and data files is written as text: never a formula, never an error code."""

from __future__ import annotations

import dataclasses
import re
import zipfile

import openpyxl
import pytest

from planner.optimise import solve
from planner.report import study_to_excel, to_excel
from planner.scenario import load_scenario
from tests.conftest import SCENARIOS, write
from tests.report.conftest import study_results

DANGEROUS = ["=HYPERLINK(\"http://example.invalid\",\"click\")", "+SUM(1,2)", "-2+3",
             "@SUM(A1)", "=cmd|' /C calc'!A0", "#N/A"]


def formulas(path) -> dict[str, list[str]]:
    """Sheet XML file -> the formulas (``<f>`` elements) it holds."""
    with zipfile.ZipFile(path) as z:
        return {name: re.findall(r"<f>(.*?)</f>", z.read(name).decode())
                for name in z.namelist() if name.startswith("xl/worksheets/sheet")}


def assert_written_as_text(path, texts: list[str]) -> None:
    book = openpyxl.load_workbook(path)
    found = {}
    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in texts:
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    found[cell.value] = cell
    assert set(found) == set(texts), set(texts) - set(found)
    assert all(found[t].quotePrefix for t in texts if t[0] in "=+-@")
    own = [f for fs in formulas(path).values() for f in fs]
    assert all(re.fullmatch(r"SUM\([A-Z]+\d+:[A-Z]+\d+\)", f) for f in own), own


def test_a_scenario_whose_description_starts_like_a_formula(tmp_path, catalogue):
    scenario = write(tmp_path / "s.yaml", f"""\
extends: {SCENARIOS / 'demo-tiny.yaml'}
name: cmd
description: "=HYPERLINK(\\"http://example.invalid\\",\\"click\\")"
""")
    plan = solve(load_scenario(scenario, catalogue), catalogue)
    assert plan.status == "optimal"
    path = to_excel(plan, tmp_path / "s.xlsx", catalogue)
    assert_written_as_text(path, [DANGEROUS[0]])


def test_ids_that_start_like_a_formula_are_refused_at_the_door(tmp_path, catalogue):
    from planner.errors import ScenarioError

    scenario = write(tmp_path / "s.yaml", f"""\
extends: {SCENARIOS / 'demo-tiny.yaml'}
name: "-cmd"
workloads:
  training:
    - {{id: "-run", model: llama3-8b, tokens_t: 15, deadline_days: 30}}
""")
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario, catalogue)
    fields = sorted(p.field for p in info.value.problems)
    assert fields == ["name", "workloads.training[0].id"]
    assert all("should match pattern" in p.message for p in info.value.problems)


def test_plan_text_fields_starting_with_any_formula_character(demo_plan, catalogue, tmp_path):
    workloads = demo_plan.workloads.copy()
    workloads.loc[0, "workload"] = DANGEROUS[1]
    costs = demo_plan.costs.copy()
    no_capex = costs.index[costs["capex_eur"] == 0][0]  # the cash flow needs the capex items' lives
    costs.loc[no_capex, "item"] = DANGEROUS[2]
    fleet = demo_plan.fleet.copy()
    fleet.loc[0, "accelerator"] = DANGEROUS[5]
    plan = dataclasses.replace(
        demo_plan, workloads=workloads, costs=costs, fleet=fleet,
        meta={**demo_plan.meta, "scenario": DANGEROUS[3], "description": DANGEROUS[4]},
        explanation=[DANGEROUS[0]])
    path = to_excel(plan, tmp_path / "p.xlsx", catalogue)
    assert_written_as_text(path, DANGEROUS)
    assert sum(len(f) for f in formulas(path).values()) == 4  # the Costs check row only


@pytest.mark.parametrize("text", DANGEROUS)
def test_study_text_is_text(tmp_path, text):
    results = study_results(10)
    results.loc[0, "variant"] = text
    results.loc[3, "reason"] = text + " reason"
    results["policy.renewable_matching"] = text + " matching"
    results.attrs["study"]["description"] = text
    path = study_to_excel(results, tmp_path / "study.xlsx")
    assert_written_as_text(path, [text, text + " reason", text + " matching"])
    assert not any(formulas(path).values())
