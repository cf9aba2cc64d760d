"""Lays out the Board summary sheet: one printed page (:mod:`planner.report.board`'s tables)."""

from __future__ import annotations

from openpyxl.chart import BarChart
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.catalogue import Catalogue
from planner.optimise import Plan
from planner.report import charts
from planner.report.board import SPLIT, capex_table, cost_split, headline_table, sentences
from planner.report.printing import Page, set_up
from planner.report.sheet import put, row_height_pt, wrapped_lines, write_table
from planner.report.used import Used

TITLE = Font(name="Arial", bold=True, size=16)
SENTENCE = Alignment(wrap_text=True, vertical="top")
UNIT_FORMATS = {"M EUR/yr": "#,##0.0", "M EUR": "#,##0.0", "EUR/GPU-h": "0.00", "EUR": "0.00",
                "GPUs": "#,##0", "MW": "#,##0.0", "-": "0.00", "fraction": "0%",
                "tCO2/yr": "#,##0", "of energy": "0%"}
"""Number format of each board figure by its unit."""
SPLIT_FORMAT = "#,##0.0"
SITES_COL = 5  # the sites table and the chart start in column E, right of the figures
CHART_WIDTH_CM, CHART_HEIGHT_CM = 19.0, 9.0


def write_board(ws: Worksheet, plan: Plan, catalogue: Catalogue, used: Used, page: Page) -> None:
    """Title, three sentences, the headline figures, capex by asset, cost split by site, a chart.

    Fitted to one A4 landscape page (``fitToHeight = 1``).
    """
    put(ws, 1, 1, f"gigaplan plan: {plan.meta.get('scenario', '')}").font = TITLE
    ws.row_dimensions[1].height = 21
    gap = "" if plan.gap is None else f", proven gap {plan.gap:.2%}"
    headline = headline_table(plan, used)
    figures = write_table(ws, headline, "BoardFigures", row=7, widths={"figure": 36.0})
    for i, unit in enumerate(headline["unit"]):
        cell = ws.cell(row=figures.header_row + 1 + i, column=figures.col("value"))
        cell.number_format = UNIT_FORMATS.get(unit, "General")
    capex = write_table(ws, capex_table(plan, used), "BoardCapex", row=figures.last_row + 2,
                        widths={"asset": 36.0},
                        formats={"capex [M EUR]": SPLIT_FORMAT,
                                 "over the horizon [M EUR]": SPLIT_FORMAT, "life [years]": "0"})
    ws.column_dimensions["D"].width = 14
    ws.column_dimensions["E"].width = 2
    split = cost_split(plan, used)
    formats = {c: SPLIT_FORMAT for c in split.columns if "M EUR" in c}
    sites = write_table(ws, split, "BoardSites", row=figures.header_row, col=SITES_COL,
                        formats={**formats, "IT load [MW]": "#,##0.0", "GPUs": "#,##0"})
    last_col = max(sites.last_col, capex.last_col)
    width = sum(ws.column_dimensions[get_column_letter(c)].width or 13.0
                for c in range(1, last_col + 1))
    texts = [f"{plan.meta.get('description', '')} Status: {plan.status}{gap}.",
             *sentences(plan, used, catalogue)]
    for i, text in enumerate(texts):
        row = 2 + i + (i > 0)  # the description, a blank row, the three sentences
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
        cell = put(ws, row, 1, text)
        cell.alignment = SENTENCE
        ws.row_dimensions[row].height = row_height_pt(wrapped_lines(text, width))
    if len(split):
        chart = _split_chart(ws, sites)
        ws.add_chart(chart, f"{get_column_letter(SITES_COL)}{sites.last_row + 2}")
    set_up(ws, page.scenario, page.date, title_rows=None, one_page=True)


def _split_chart(ws: Worksheet, sites) -> BarChart:
    chart = charts.bar_chart(ws, sites, "site", list(SPLIT),
                             "Annual cost by site: capital, energy, other [M EUR/yr]",
                             "M EUR/yr", stacked=True)
    chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
    return chart
