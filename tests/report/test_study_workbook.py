"""The study workbook: one row per variant with units, the failures, KPI charts."""

from __future__ import annotations

import math
import zipfile

import openpyxl
import pytest

from planner.report import study_to_excel
from planner.report.labels import column_label, unit_of
from tests.report.conftest import study_results
from tests.report.test_plan_workbook import table_rows


def chart_xml(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    results = study_results(50)
    path = study_to_excel(results, tmp_path_factory.mktemp("study") / "study.xlsx")
    return results, path, openpyxl.load_workbook(path)


def test_sheets_and_one_results_row_per_variant_with_units_in_headers(study):
    results, _, wb = study
    assert wb.sheetnames == ["Summary", "Results", "Failures", "Charts"]
    rows = table_rows(wb["Results"], "Results")
    assert [r["variant"] for r in rows] == list(results["variant"])
    header = list(rows[0])
    assert header[:5] == ["variant", "status", "policy.carbon_price_eur_per_t [EUR/tCO2]",
                          "finance.grid_price_factor [-]", "policy.renewable_matching"]
    assert {"tco_eur_per_year [EUR/yr]", "emissions_t_per_year [tCO2/yr]",
            "renewable_share [-]", "gpus [GPUs]", "gap [fraction]", "solve_s [s]"} <= set(header)
    assert "reason" not in header
    assert wb["Results"].freeze_panes == "B2"


def test_results_numbers_are_numbers_and_failed_kpis_are_empty(study):
    results, _, wb = study
    rows = table_rows(wb["Results"], "Results")
    for row, (_, expected) in zip(rows, results.iterrows(), strict=True):
        tco = row["tco_eur_per_year [EUR/yr]"]
        if math.isnan(expected["tco_eur_per_year"]):
            assert tco is None
        else:
            assert isinstance(tco, float) and tco == pytest.approx(expected["tco_eur_per_year"])
        assert row["policy.carbon_price_eur_per_t [EUR/tCO2]"] == pytest.approx(
            expected["policy.carbon_price_eur_per_t"])


def test_failures_list_every_failed_variant_with_its_reason(study):
    results, _, wb = study
    failed = results[results["status"] != "optimal"]
    rows = table_rows(wb["Failures"], "Failures")
    assert [(r["variant"], r["status"], r["reason"]) for r in rows] == list(
        zip(failed["variant"], failed["status"], failed["reason"], strict=True))


def test_summary_has_the_study_metadata_and_counts_by_status(study):
    results, _, wb = study
    summary = {r["item"]: r["value"] for r in table_rows(wb["Summary"], "Summary")}
    assert summary["name"] == "carbon-sweep" and summary["definition hash"] == "0123456789abcdef"
    assert summary["base"] == "demo-small" and summary["seed"] == 0
    assert summary["variants"] == 50
    for status, n in results["status"].value_counts().items():
        assert summary[f"variants {status}"] == n
    solved = results.dropna(subset=["tco_eur_per_year"])
    assert summary["least TCO [EUR/yr]"] == pytest.approx(solved["tco_eur_per_year"].min())


def test_charts_of_kpis_against_each_numeric_varied_parameter(study):
    _, path, _ = study
    charts = chart_xml(path)
    assert len(charts) == 2 * 3  # two numeric varied parameters x TCO, cost/GPU-h, emissions
    assert all("scatterChart>" in c and "Results" in c for c in charts)


def test_a_pareto_study_adds_emissions_against_tco(tmp_path):
    path = study_to_excel(study_results(20, kind="pareto"), tmp_path / "pareto.xlsx")
    charts = chart_xml(path)
    assert len(charts) == 7
    assert sum("Pareto" in c for c in charts) == 1


def test_charts_are_capped(tmp_path):
    results = study_results(10)
    for i in range(6):
        results[f"finance.extra{i}_factor"] = float(i)
    results.attrs["varied"] += [f"finance.extra{i}_factor" for i in range(6)]
    path = study_to_excel(results, tmp_path / "many.xlsx")
    assert len(chart_xml(path)) == 4 * 3


def test_units_follow_the_name_suffix():
    assert unit_of("policy.carbon_price_eur_per_t") == "EUR/tCO2"
    assert unit_of("policy.carbon_cap_t_per_year") == "tCO2/yr"
    assert unit_of("policy.renewable_share_frac") == "fraction"
    assert unit_of("policy.budget_eur") == "EUR"
    assert unit_of("policy.min_site_it_mw") == "MW"
    assert unit_of("finance.accelerator_price_factor") == "-"
    assert unit_of("tco_eur_per_year") == "EUR/yr"
    assert column_label("policy.renewable_matching", numeric=False) == "policy.renewable_matching"
