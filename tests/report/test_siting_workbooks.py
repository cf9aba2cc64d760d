"""The siting analyses in Excel: Why this plan, a robustness study's sheets, alternatives.

Real demo-small runs: the policy re-solves (about 5 s), a robustness study of 2 draws
(about 10 s) and two alternatives (about 12 s).
"""

from __future__ import annotations

import openpyxl
import pytest

from planner.report import study_to_excel, to_excel
from planner.report.siting import ALTERNATIVES_SHEETS, PART_LABELS, ROBUSTNESS_SHEETS, WHY_SHEET
from planner.scenario import load_scenario
from planner.siting import tables
from planner.siting.alternatives import alternatives, load_alternatives
from planner.siting.why import explain, load_why
from tests.cli.test_cli import run
from tests.conftest import SCENARIOS
from tests.report.test_plan_workbook import table_rows

DEMO = SCENARIOS / "demo-small.yaml"


def chart_titles(ws) -> list[str]:
    return ["".join(r.t for p in c.title.tx.rich.p for r in (p.r or []))
            for c in ws._charts]


@pytest.fixture(scope="module")
def why(demo_plan, catalogue):
    return explain(load_scenario(DEMO, catalogue), catalogue, demo_plan)


@pytest.fixture(scope="module")
def why_book(demo_plan, catalogue, why, tmp_path_factory):
    path = to_excel(demo_plan, tmp_path_factory.mktemp("why") / "why.xlsx", catalogue, why=why)
    return openpyxl.load_workbook(path)


def test_why_sheet_holds_the_site_table_cheapest_first_and_the_policies(why_book, why):
    ws = why_book[WHY_SHEET]
    rows = table_rows(ws, "WhySites")
    expected = tables.site_table(why.site_costs)
    assert [r["site"] for r in rows] == list(expected["site"])
    totals = [r[f"total {tables.UNIT}"] for r in rows]
    assert totals == sorted(totals)
    assert {"bologna", "kajaani"} <= {r["site"] for r in rows}
    for label in PART_LABELS:
        assert [r[label] for r in rows] == pytest.approx(list(expected[label]))
    policies = table_rows(ws, "WhyPolicies")
    assert [p["policy"] for p in policies] == list(why.policy_costs["label"])
    assert policies[0]["cost [M EUR/yr]"] == pytest.approx(
        why.policy_costs["cost_eur_per_year"].iloc[0] / 1e6, abs=1e-3)
    assert "block of" in ws["A1"].value and "load factor" in ws["A1"].value


def test_why_sheet_has_a_stacked_chart_of_the_parts_and_prints_landscape(why_book):
    ws = why_book[WHY_SHEET]
    assert chart_titles(ws) == ["Levelised cost of 1 MW of IT by site and part"]
    chart = ws._charts[0]
    assert chart.grouping == "stacked" and len(chart.series) == len(PART_LABELS)
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert why_book.sheetnames.index(WHY_SHEET) == why_book.sheetnames.index("Costs by site") + 1


def test_report_of_an_explained_plan_folder_has_the_why_sheet(demo_plan, why, tmp_path):
    folder = demo_plan.save(tmp_path / "plan")
    why.save(folder)
    loaded = load_why(folder)
    assert list(loaded.site_costs.index) == list(why.site_costs.index)
    assert loaded.site_costs["open"].dtype == bool
    out = tmp_path / "plan.xlsx"
    result = run("report", str(folder), "--xlsx", str(out))
    assert result.returncode == 0, result.stderr
    wb = openpyxl.load_workbook(out)
    assert [r["site"] for r in table_rows(wb[WHY_SHEET], "WhySites")] == list(
        why.site_costs.index)


@pytest.fixture(scope="module")
def robustness_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("rob") / "study"
    result = run("robustness", str(DEMO), "--draws", "2", "--out", str(out), "--workers", "2",
                 "--quiet")
    assert result.returncode == 0, result.stderr
    return out


def test_robustness_study_workbook_has_robustness_and_draws_sheets(robustness_dir, catalogue,
                                                                    tmp_path):
    from planner.study import load
    from planner.study.robustness import summarise

    robust = summarise(robustness_dir, catalogue)
    out = tmp_path / "rob.xlsx"
    result = run("report", str(robustness_dir), "--xlsx", str(out))
    assert result.returncode == 0, result.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["Summary", *ROBUSTNESS_SHEETS]
    sites = table_rows(wb["Robustness"], "RobustnessSites")
    assert [s["site"] for s in sites] == list(robust.sites["site"])
    assert [s["open in draws [%]"] for s in sites] == pytest.approx(
        list(100 * robust.sites["open_share_frac"]))
    figures = {r["item"]: r["value"] for r in table_rows(wb["Robustness"], "RobustnessSummary")}
    assert figures["draws"] == 2
    assert figures["TCO of the base plan"] == pytest.approx(
        robust.summary["base_tco_eur_per_year"] / 1e6)
    draws = table_rows(wb["Draws"], "Draws")
    assert [d["draw"] for d in draws] == [0, 1]
    assert [d["regret [M EUR/yr]"] for d in draws] == pytest.approx(
        list((robust.draws["regret_eur_per_year"] / 1e6).round(4)))
    assert wb["Robustness"]._charts and wb["Draws"]._charts
    assert table_rows(wb["Robustness"], "RobustnessChoices")[0]["kind"] == "accelerator"
    plain = study_to_excel(load(robustness_dir), tmp_path / "plain.xlsx")  # without the summary
    assert "Robustness" not in openpyxl.load_workbook(plain).sheetnames


@pytest.fixture(scope="module")
def alternatives_dir(catalogue, tmp_path_factory):
    found = alternatives(load_scenario(DEMO, catalogue), catalogue, slack=0.15, count=2)
    return found, found.save(tmp_path_factory.mktemp("alt") / "alt")


def test_alternatives_workbook_sets_the_plans_side_by_side(alternatives_dir, tmp_path):
    found, folder = alternatives_dir
    out = tmp_path / "alt.xlsx"
    result = run("report", str(folder), "--xlsx", str(out))
    assert result.returncode == 0, result.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == list(ALTERNATIVES_SHEETS)
    side = table_rows(wb["Alternatives"], "Alternatives")
    assert list(side[0])[2:] == list(found.summary["plan"])
    by_item = {r["item"]: r for r in side}
    for plan, tco in zip(found.summary["plan"], found.summary["tco_eur_per_year"], strict=True):
        assert by_item["TCO"][plan] == pytest.approx(tco / 1e6, abs=1e-4)
    assert by_item["sites"]["optimum"] == found.summary["open_sites"].iloc[0].replace(";", ", ")
    share = table_rows(wb["By member state"], "ShareIT")
    assert [r["plan"] for r in share] == list(found.summary["plan"])
    for r in share:
        assert sum(v for k, v in r.items() if k != "plan") == pytest.approx(100.0, abs=0.1)
    assert chart_titles(wb["By member state"]) == [
        "Share of the IT nameplate by member state, per plan"]
    assert load_alternatives(folder, plans=False).summary.equals(
        load_alternatives(folder).summary)


def test_report_names_the_alternatives_folder_in_its_bad_input_message(tmp_path):
    result = run("report", str(tmp_path), "--xlsx", str(tmp_path / "out.xlsx"))
    assert result.returncode == 2
    assert "alternatives.json" in result.stderr + result.stdout
