"""``study_to_excel(results, path)``: one row per scenario of a batch study, with charts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner import __version__
from planner.report import charts
from planner.report.labels import KPI_LABELS, column_label, split_label
from planner.report.printing import Page, page_break_before, set_up
from planner.report.sheet import Placed, check_target, new_workbook, put, save, write_table
from planner.report.siting import ROBUSTNESS_SHEETS, write_robustness

SOLVED = ("optimal", "time_limit", "stopped")
CHART_KPIS = ("tco_eur_per_year", "eur_per_gpu_hour", "emissions_t_per_year")
MAX_CHARTED_PARAMETERS = 4
STUDY_KEYS = ("name", "description", "base", "kind", "definition_hash", "seed", "created",
              "data_version")
CHART_ROWS, CHART_COLS = 21, 8  # grid step of the Charts sheet [rows, columns]
CHARTS_ACROSS, CHART_ROWS_PER_PAGE = 2, 1
"""Charts two across (the sheet prints at about 85 %), a row of them on each printed page
(two rows run over an A4 landscape page at that scale)."""


def study_to_excel(results: pd.DataFrame, path: Path | str, robustness=None) -> Path:
    """Write a batch study's workbook: Summary, Results, Failures and Charts.

    ``results`` has one row per variant (``variant``, ``status``, ``reason``, the
    varied fields by dotted scenario path, KPI columns, ``gap``, ``solve_s``);
    ``results.attrs`` names them (``varied``, ``kpis``) and describes the study
    (``study``: name, description, base, definition hash, seed, created, kind).
    Charts plot TCO, cost per GPU-hour and emissions against each numeric varied
    parameter (the first four), and emissions against TCO for a ``pareto`` study.
    ``robustness`` (:func:`planner.study.robustness.summarise` of a robustness study)
    adds the Robustness and Draws sheets after Summary.
    """
    check_target(path)
    attrs = results.attrs
    varied = [c for c in attrs.get("varied", []) if c in results.columns]
    kpis = [c for c in attrs.get("kpis", []) if c in results.columns]
    study = dict(attrs.get("study", {}))
    wb = new_workbook()
    wb.properties.title = f"gigaplan study: {study.get('name', '')}"
    wb.properties.creator = "gigaplan"
    summary = wb.create_sheet("Summary")
    write_table(summary, _summary(results, study, varied, kpis), "Summary")
    summary.freeze_panes = "A2"
    summary.column_dimensions["B"].width = 60
    ws = wb.create_sheet("Results")
    frame, labels = _results(results, varied, kpis)
    placed = write_table(ws, frame, "Results")
    ws.freeze_panes = "B2"
    failures = wb.create_sheet("Failures")
    write_table(failures, _failures(results, varied), "Failures")
    failures.freeze_panes = "A2"
    _charts(wb.create_sheet("Charts"), ws, placed, results, labels, varied,
            study.get("kind") == "pareto")
    page = Page(str(study.get("name", "")), datetime.now(UTC).date().isoformat())
    if robustness is not None:
        write_robustness(wb, robustness, page)
        for target, name in enumerate(ROBUSTNESS_SHEETS, start=1):  # after Summary
            wb.move_sheet(name, target - wb.sheetnames.index(name))
    for sheet in wb.worksheets:
        if sheet.title in ROBUSTNESS_SHEETS:
            continue  # set up by write_robustness
        set_up(sheet, page.scenario, page.date, what="study",
               title_rows=None if sheet.title == "Charts" else "1:1",
               title_cols="A:A" if sheet.title == "Results" else None)
    return save(wb, path)


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _summary(results: pd.DataFrame, study: dict, varied: list[str],
             kpis: list[str]) -> pd.DataFrame:
    rows: list[tuple[str, object]] = []
    for key in list(STUDY_KEYS) + sorted(set(study) - set(STUDY_KEYS)):
        if key in study:
            value = study[key]
            rows.append((key.replace("_", " "), value if isinstance(value, (str, int, float))
                         or value is None else json.dumps(value, default=str)))
    rows.append(("variants", len(results)))
    statuses = results["status"].value_counts() if "status" in results else pd.Series(dtype=int)
    rows += [(f"variants {status}", int(n)) for status, n in statuses.items()]
    rows.append(("varied parameters", ", ".join(varied)))
    rows.append(("KPIs", ", ".join(kpis)))
    solved = results[results["status"].isin(SOLVED)] if "status" in results else results
    if "tco_eur_per_year" in solved and solved["tco_eur_per_year"].notna().any():
        best = solved.loc[solved["tco_eur_per_year"].idxmin()]
        rows.append(("least TCO: variant", best.get("variant")))
        rows.append(("least TCO [EUR/yr]", best["tco_eur_per_year"]))
    rows.append(("gigaplan version of this report", __version__))
    rows.append(("report written at [UTC]", datetime.now(UTC).isoformat(timespec="seconds")))
    return pd.DataFrame(rows, columns=["item", "value"])


def _results(results: pd.DataFrame, varied: list[str],
             kpis: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The Results table with unit-bearing headers, and name -> header."""
    first = ["variant", "status", *varied, *kpis, "gap", "solve_s"]
    order = [c for c in dict.fromkeys(first) if c in results.columns]
    order += [c for c in results.columns if c not in order and c != "reason"]
    labels = {c: column_label(str(c), _numeric(results[c])) for c in order}
    frame = results[order].rename(columns=labels).reset_index(drop=True)
    return frame, labels


def _failures(results: pd.DataFrame, varied: list[str]) -> pd.DataFrame:
    status = results.get("status", pd.Series("", index=results.index))
    reason = results.get("reason", pd.Series("", index=results.index)).fillna("")
    failed = results[~status.isin(SOLVED) | (reason.astype(str) != "")]
    columns = [c for c in ("variant", "status", "reason") if c in results.columns] + varied
    return failed[columns].rename(columns={c: column_label(c, _numeric(results[c]))
                                           for c in varied}).reset_index(drop=True)


def _charts(ws: Worksheet, data: Worksheet, placed: Placed, results: pd.DataFrame,
            labels: dict[str, str], varied: list[str], pareto: bool) -> None:
    put(ws, 1, 1, "KPIs against the varied parameters (each marker one variant; data on the "
        "Results sheet; failed variants have no marker)")
    rows = (placed.header_row + 1, placed.header_row + len(results))
    numeric = [c for c in varied if _numeric(results[c])]
    kpis = [k for k in CHART_KPIS if k in labels]
    slots = iter(_grid(ws))
    if not len(results):
        put(ws, 2, 1, "no variants: no charts")
        return
    if pareto and {"emissions_t_per_year", "tco_eur_per_year"} <= set(labels):
        ws.add_chart(charts.scatter_chart(
            data, _axis(placed, labels, "emissions_t_per_year"),
            _axis(placed, labels, "tco_eur_per_year"), rows, "Cost-carbon Pareto front"),
            next(slots))
    for name in numeric[:MAX_CHARTED_PARAMETERS]:
        for kpi in kpis:
            x, y = _axis(placed, labels, name), _axis(placed, labels, kpi)
            title = f"{split_label(KPI_LABELS[kpi])[0]} against {name}"
            ws.add_chart(charts.scatter_chart(data, x, y, rows, title), next(slots))
    if not numeric:
        put(ws, 2, 1, "no numeric varied parameter: see the Results sheet")
    elif len(numeric) > MAX_CHARTED_PARAMETERS:
        put(ws, 2, 1, f"charts for the first {MAX_CHARTED_PARAMETERS} of {len(numeric)} "
            "numeric varied parameters")


def _axis(placed: Placed, labels: dict[str, str], name: str) -> tuple[int, str]:
    return placed.col(labels[name]), labels[name]


def _grid(ws: Worksheet | None = None) -> Iterable[str]:
    """Anchor cells of chart slots, two across, row after row; page breaks on ``ws``."""
    for i in range(1 + MAX_CHARTED_PARAMETERS * len(CHART_KPIS)):
        line = i // CHARTS_ACROSS
        row, col = 3 + line * CHART_ROWS, 1 + (i % CHARTS_ACROSS) * CHART_COLS
        if ws is not None and line and not line % CHART_ROWS_PER_PAGE and \
                not i % CHARTS_ACROSS:
            page_break_before(ws, row)  # a new printed page for each row of charts
        yield f"{get_column_letter(col)}{row}"

