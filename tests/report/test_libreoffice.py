"""Workbooks open without repair in LibreOffice (headless), which also recomputes the formulas."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest

from planner.report import study_to_excel
from tests.report.conftest import study_results


def test_libreoffice_opens_and_converts_plan_and_study_workbooks(plan_xlsx, demo_plan, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: apt-get install libreoffice-calc-nogui (.ci/run does)"
    study = study_to_excel(study_results(50, kind="pareto"), tmp_path / "study.xlsx")
    plan = shutil.copy(plan_xlsx, tmp_path / "plan.xlsx")
    out = tmp_path / "out"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(out), str(plan), str(study)],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stdout, result.stdout
    for name in ("plan.xlsx", "study.xlsx"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, result.stdout
    # LibreOffice computed the Costs sheet's SUM check row: it equals the TCO
    costs = openpyxl.load_workbook(out / "plan.xlsx", data_only=True)["Costs"]
    row = next(r for r in costs.iter_rows() if r[0].value == "total, Excel SUM of the rows above")
    header = [c.value for c in costs[1]]
    assert row[header.index("annual cost [EUR/yr]")].value == pytest.approx(
        demo_plan.kpis["tco_eur_per_year"], abs=0.005)
    assert openpyxl.load_workbook(out / "study.xlsx").sheetnames == [
        "Summary", "Results", "Failures", "Charts"]
