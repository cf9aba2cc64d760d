"""Sheets of the siting analyses: Why this plan, Robustness and Draws, the Alternatives workbook.

Tables come from :mod:`planner.siting.tables` (the same as the CLI and the explorer show),
with their units in the headers; charts are native Excel charts over them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from planner.report import charts
from planner.report.labels import number_format
from planner.report.printing import Page, place_chart, set_up
from planner.report.sheet import Placed, check_target, new_workbook, note, put, save, write_table
from planner.siting import tables
from planner.siting.why import PARTS, Why

WHY_SHEET = "Why this plan"
ROBUSTNESS_SHEETS = ("Robustness", "Draws")
ALTERNATIVES_SHEETS = ("Alternatives", "By member state")
BOLD = Font(name="Arial", sz=10, bold=True)
PART_LABELS = [f"{tables.PART_HEADERS[p]} {tables.UNIT}" for p in PARTS]


def formula_note(meta: dict) -> str:
    """The levelised-cost formula in one line, with the plan's block, load and share."""
    return (f"Levelised cost of 1 MW of IT at each candidate site, for a block of "
            f"{meta.get('block_mw', float('nan')):,.2f} MW of IT run at an IT load factor of "
            f"{meta.get('load_factor', float('nan')):.0%} with a renewable share of "
            f"{meta.get('renewable_share', float('nan')):.0%}: power (load factor x 8760 h x "
            "PUE x price, the price (1 - share) x grid + share x PPA) + cooling + building "
            "and site + labour + grid upgrade - heat revenue, the cheapest allowed cooling "
            "per site; the model's inputs through this formula, not its dual values "
            "(planner/siting/why.py). 'in the plan' is the plan's own cost per MW at its "
            "open sites.")


def write_why(ws: Worksheet, why: Why, meta: dict, page: Page) -> None:
    """Why this plan: the formula, the site table, the policy table and a stacked bar chart."""
    sites = tables.site_table(why.site_costs)
    placed = write_table(ws, sites, "WhySites", row=3, widths={"estimated inputs": 30.0})
    note(ws, 1, placed.last_col, formula_note(meta))
    ws.freeze_panes = "B4"
    row = placed.last_row + 3
    put(ws, row - 1, 1, "What each policy the scenario sets costs: the plan re-solved with it "
        "relaxed; lowest and highest from the two solves' proven bounds").font = BOLD
    if len(why.policy_costs):
        last = write_table(ws, tables.policy_table(why.policy_costs), "WhyPolicies",
                           row=row).last_row
    else:
        put(ws, row, 1, "no policy priced (the scenario sets none, or `gigaplan explain` "
            "was not run with policies)")
        last = row
    chart = charts.bar_chart(ws, placed, "site", PART_LABELS,
                             "Levelised cost of 1 MW of IT by site and part", "k EUR/yr per MW",
                             stacked=True)
    set_up(ws, page.scenario, page.date, title_rows=None, title_cols="A:A")
    place_chart(ws, chart, last + 3)


def write_robustness(wb, robustness, page: Page) -> None:
    """Robustness (figures, sites, choices, a chart of open shares) and Draws sheets."""
    ws = wb.create_sheet(ROBUSTNESS_SHEETS[0])
    figures = _items(ws, tables.robustness_summary_table(robustness.summary), "RobustnessSummary")
    sites = write_table(ws, tables.robustness_sites_table(robustness.sites), "RobustnessSites",
                        row=figures.last_row + 3)
    put(ws, sites.header_row - 1, 1, "Sites: how often each opens across the draws, and its "
        "IT capacity").font = BOLD
    choices = write_table(ws, tables.choices_table(robustness.choices), "RobustnessChoices",
                          row=sites.last_row + 3)
    put(ws, choices.header_row - 1, 1, "Accelerator and cooling choices across the "
        "draws").font = BOLD
    ws.freeze_panes = "A2"
    set_up(ws, page.scenario, page.date, what="study", title_rows=None)
    if len(robustness.sites):
        place_chart(ws, charts.bar_chart(ws, sites, "site", ["open in draws [%]"],
                                         "Share of draws in which each site opens", "%"),
                    choices.last_row + 3)
    draws_ws = wb.create_sheet(ROBUSTNESS_SHEETS[1])
    draws = write_table(draws_ws, tables.draws_table(robustness.draws), "Draws")
    draws_ws.freeze_panes = "B2"
    set_up(draws_ws, page.scenario, page.date, what="study", title_cols="A:A")
    if len(robustness.draws):
        place_chart(draws_ws, charts.bar_chart(
            draws_ws, draws, "draw", ["TCO [M EUR/yr]", "TCO with the base sites [M EUR/yr]"],
            "TCO of each draw: its optimum and with the base plan's sites", "M EUR/yr"),
            draws.last_row + 3)


def _items(ws: Worksheet, frame: pd.DataFrame, name: str, row: int = 1) -> Placed:
    """A table of item, value, unit (or item, unit, a column a plan), formatted by row unit."""
    placed = write_table(ws, frame, name, row=row)
    values = [c for c in frame.columns if c not in ("item", "unit")]
    for i, unit in enumerate(frame["unit"]):
        cells = [frame.at[i, c] for c in values]
        fmt = number_format(cells, None if unit in ("%", "") else unit)
        if unit == "%":
            fmt = "0.00"
        for c in values:
            ws.cell(row=placed.header_row + 1 + i, column=placed.col(c)).number_format = fmt
    return placed


def alternatives_to_excel(alternatives, path: Path | str) -> Path:
    """The Alternatives workbook: the plans side by side, IT share by member state, a chart.

    ``alternatives`` is an :class:`planner.siting.alternatives.Alternatives` (its plans
    need not be loaded: the summary, ``by_country`` and ``meta`` are what it shows).
    """
    check_target(path)
    meta = alternatives.meta
    wb = new_workbook()
    wb.properties.title = f"gigaplan alternatives: {meta.get('scenario', '')}"
    wb.properties.creator = "gigaplan"
    page = Page(f"{meta.get('scenario', '')} alternatives",
                datetime.now(UTC).date().isoformat())
    ws = wb.create_sheet(ALTERNATIVES_SHEETS[0])
    side = _items(ws, tables.alternatives_side_by_side(alternatives.summary), "Alternatives")
    ws.freeze_panes = "C2"
    _meta_lines(ws, side.last_row + 2, side.last_col, meta)
    set_up(ws, page.scenario, page.date, what="alternatives", title_cols="A:B")
    by = wb.create_sheet(ALTERNATIVES_SHEETS[1])
    share = write_table(by, tables.share_by_country_table(alternatives.by_country), "ShareIT")
    it = write_table(by, tables.share_by_country_table(alternatives.by_country, "it_mw"),
                     "ITByMemberState", row=share.last_row + 3)
    put(by, it.header_row - 1, 1, "IT nameplate by member state [MW]").font = BOLD
    by.freeze_panes = "B2"
    set_up(by, page.scenario, page.date, what="alternatives", title_rows=None,
           title_cols="A:A")
    countries = [c for c in share.columns if c != "plan"]
    if countries:
        place_chart(by, charts.bar_chart(by, share, "plan", countries,
                                         "Share of the IT nameplate by member state, per plan",
                                         "%", stacked=True), it.last_row + 3)
    return save(wb, path)


def _meta_lines(ws: Worksheet, row: int, last_col: int, meta: dict) -> None:
    slack = meta.get("slack_frac")
    lines = [f"Alternatives within {slack:.1%} of the optimum's TCO"
             if isinstance(slack, (int, float)) else "Alternatives",
             f"found {meta.get('count_found', '')} of {meta.get('count_asked', '')} asked, "
             f"{meta.get('directions_tried', '')} directions tried, seed {meta.get('seed', '')}",
             *[f"dropped: {d}" for d in meta.get("dropped", [])]]
    put(ws, row, 1, lines[0]).font = BOLD
    for i, text in enumerate(lines[1:], start=1):
        note(ws, row + i, last_col, text)
