"""``to_excel(plan, path)``: the plan workbook, Excel Tables and native charts set up to print."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from planner.catalogue import Catalogue, load_catalogue
from planner.colours import accelerator_colours
from planner.optimise import Plan
from planner.optimise.lifetime import annuity_factor
from planner.report import charts, plan_tables
from planner.report.assumptions import assumptions_table, sources_table
from planner.report.board import finance_numbers
from planner.report.board_sheet import write_board
from planner.report.labels import is_year, number_format
from planner.report.printing import Page, header_text, one_page_if_it_fits, place_chart, set_up
from planner.report.sheet import (
    Placed,
    check_target,
    new_workbook,
    note,
    put,
    save,
    write_table,
)
from planner.report.siting import WHY_SHEET, write_why
from planner.report.used import Used, used_inputs
from planner.siting.why import Why, plan_shape

SHEETS = ("Board summary", "Summary", "Sites", "Site supply", "Site inputs", "Fleet",
          "Throughput", "Energy", "Dispatch", "Cooling", "Costs", "Costs by site", "Cash flow",
          "Workloads", "Full year", "Assumptions", "Sources", "Run metadata")
NO_SOLUTION_SHEETS = ("Summary", "Assumptions", "Sources", "Run metadata")
BOLD = Font(name="Arial", sz=10, bold=True)


def to_excel(plan: Plan, path: Path | str, catalogue: Catalogue | None = None,
             why: Why | None = None) -> Path:
    """Write the plan's Excel report to ``path`` (``.xlsx``) and return the path.

    A plan with a solution gets all sheets (:data:`SHEETS`): a one-page Board summary
    first, then the tables, native charts of cost by item, energy mix per site, GPUs per
    site, the dispatch of one representative day and the cash flow by year, and Run
    metadata last. A plan without one (infeasible, solver error) gets
    :data:`NO_SOLUTION_SHEETS`, Summary with the reasons. ``catalogue`` (loaded when
    omitted) supplies the assumptions' figures and provenance; Summary warns when it is
    not the data version the plan was solved with. ``why``
    (:func:`planner.siting.why.explain` or ``load_why``) adds a "Why this plan" sheet after
    Costs by site. Every sheet is set up to print
    (:mod:`planner.report.printing`). Written atomically.
    """
    check_target(path)
    catalogue = catalogue if catalogue is not None else load_catalogue()
    wb = _workbook(plan, catalogue, why)
    for ws in wb.worksheets:
        if ws._charts and ws.title != "Board summary":
            one_page_if_it_fits(ws)
    return save(wb, path)


def _workbook(plan: Plan, catalogue: Catalogue, why: Why | None = None):
    """The workbook of ``plan``, every sheet laid out and set up to print."""
    used = used_inputs(plan, catalogue)
    wb = new_workbook()
    wb.properties.title = f"gigaplan plan: {plan.meta.get('scenario', '')}"
    wb.properties.creator = "gigaplan"
    page = Page(str(plan.meta.get("scenario", "")), datetime.now(UTC).date().isoformat())
    if plan.has_solution:
        write_board(wb.create_sheet("Board summary"), plan, catalogue, used, page)
    _summary(wb.create_sheet("Summary"), plan_tables.summary_table(plan, catalogue, used), page)
    if plan.has_solution:
        _sites(wb, plan, catalogue, used, page)
        _fleet(wb.create_sheet("Fleet"), plan, wb["Site supply"], page, catalogue)
        _tall(wb.create_sheet("Throughput"), plan_tables.throughput_table(plan), "Throughput",
              page, key="A:A")
        _energy(wb.create_sheet("Energy"), wb.create_sheet("Dispatch"), plan, page)
        _tall(wb.create_sheet("Cooling"), plan_tables.cooling_table(plan, catalogue, used),
              "Cooling", page, key="A:A")
        by_site, by_item = plan_tables.cost_tables(plan, catalogue, used)
        _costs(wb.create_sheet("Costs"), by_item, page)
        _tall(wb.create_sheet("Costs by site"), by_site, "Costs", page, key="A:A")
        if why is not None:
            write_why(wb.create_sheet(WHY_SHEET), why, why.meta or plan_shape(plan), page)
        _cash_flow(wb.create_sheet("Cash flow"), plan, used, page)
        _tall(wb.create_sheet("Workloads"), plan_tables.workloads_table(plan, used), "Workloads",
              page, key="A:A")
        _full_year(wb.create_sheet("Full year"), plan, page)
    _assumptions(wb.create_sheet("Assumptions"), assumptions_table(used, catalogue), page)
    _sources(wb.create_sheet("Sources"), sources_table(used, catalogue), page)
    _summary(wb.create_sheet("Run metadata"),
             plan_tables.run_metadata_table(plan, catalogue, used), page, name="RunMetadata")
    return wb


def _single(ws: Worksheet, frame, name: str, freeze: str = "A2") -> Placed:
    placed = write_table(ws, frame, name)
    ws.freeze_panes = freeze
    return placed


def _tall(ws: Worksheet, frame, name: str, page: Page, key: str | None = None,
          freeze: str = "A2", widths: dict[str, float] | None = None,
          nowrap: frozenset[str] = frozenset()) -> Placed:
    """A sheet of one table at A1, its header row (and ``key`` columns) repeated in print."""
    placed = write_table(ws, frame, name, widths=widths, nowrap=nowrap)
    ws.freeze_panes = freeze
    set_up(ws, page.scenario, page.date, title_rows="1:1", title_cols=key)
    return placed


def _chart_at(ws: Worksheet, chart, row: int) -> None:
    """Anchor ``chart`` in column A at ``row``, on a new printed page unless it fits below."""
    place_chart(ws, chart, row)


def _beside(ws: Worksheet, left: Placed, chars: int = charts.CHART_WIDTH_CHARS) -> int:
    """First column right of ``left`` and wide enough for a chart placed under it."""
    col, width = left.first_col, 0.0
    while col <= left.last_col or width < chars:
        width += ws.column_dimensions[get_column_letter(col)].width or 13.0
        col += 1
    return col + 1


def _below(*placed: Placed, gap: int = 3) -> int:
    return max(p.last_row for p in placed) + gap


SUMMARY_ONE_PAGE_ROWS = 60
"""A Summary of at most this many rows prints on one page (at about 80 % scale)."""


def _summary(ws: Worksheet, frame, page: Page, name: str = "Summary") -> None:
    """A table of item, value, unit, key with a number format per row's unit."""
    placed = write_table(ws, frame, name, widths={"value": 50.0})
    ws.freeze_panes = "A2"
    value_col = placed.col("value")
    for i, (value, unit) in enumerate(zip(frame["value"], frame["unit"], strict=True)):
        ws.cell(row=placed.header_row + 1 + i, column=value_col).number_format = number_format(
            [value], unit)
    set_up(ws, page.scenario, page.date, one_page=len(frame) <= SUMMARY_ONE_PAGE_ROWS)


def _sites(wb, plan: Plan, catalogue: Catalogue, used: Used, page: Page) -> None:
    """Sites in three sheets (decisions, supply built, inputs): each prints one page wide."""
    for sheet, part, name in (("Sites", "decisions", "Sites"), ("Site supply", "supply",
                                                                  "SiteSupply"),
                              ("Site inputs", "inputs", "SiteInputs")):
        _tall(wb.create_sheet(sheet), plan_tables.sites_table(plan, catalogue, used, part), name,
              page, key="A:A", freeze="B2")


def _fleet(ws: Worksheet, plan: Plan, sites_ws: Worksheet, page: Page,
           catalogue: Catalogue) -> None:
    """Nodes and GPUs by site and accelerator; a chart of GPUs per site from Site supply."""
    fleet = _tall(ws, plan_tables.fleet_table(plan), "Fleet", page)
    n_open = len(plan_tables.open_sites(plan))
    sites = _placed_of(sites_ws, "SiteSupply")
    gpu_labels = [h for h in sites.columns if h.startswith("GPUs ")
                  and plan.sites[f"gpus_{h.removeprefix('GPUs ')}"].sum() > 0]
    if n_open and gpu_labels:
        colours = accelerator_colours(catalogue.ids("accelerators"))
        chart = charts.bar_chart(sites_ws, sites, "site", gpu_labels, "GPUs per site",
                                 "GPUs", rows=(2, 1 + n_open), stacked=True,
                                 colours={h: colours.get(h.removeprefix("GPUs "))
                                          for h in gpu_labels})
        _chart_at(ws, chart, _below(fleet))


def _placed_of(ws: Worksheet, name: str) -> Placed:
    """Where the table ``name`` sits on ``ws``, read back from the sheet."""
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
    headers = tuple(ws.cell(row=min_row, column=c).value for c in range(min_col, max_col + 1))
    return Placed(min_row, min_col, max_row, max_col, headers)


def _energy(ws: Worksheet, dispatch_ws: Worksheet, plan: Plan, page: Page) -> None:
    """Energy: annual sources and indicators by site, two charts; Dispatch: the hours."""
    annual = write_table(ws, plan_tables.energy_table(plan), "EnergyAnnual")
    indicators = write_table(ws, plan_tables.energy_indicators_table(plan), "EnergyIndicators",
                             row=_below(annual, gap=2))
    ws.freeze_panes = "A2"
    set_up(ws, page.scenario, page.date, title_rows=None, title_cols="A:A")
    dispatch_frame = plan_tables.dispatch_table(plan)
    dispatch = _single(dispatch_ws, dispatch_frame, "Dispatch")
    if not len(dispatch_frame):
        set_up(dispatch_ws, page.scenario, page.date)
        return
    _chart_at(ws, charts.bar_chart(ws, annual, "site", list(plan_tables.ENERGY_SOURCES.values()),
                                   "Annual energy by site and source", "MWh/yr", stacked=True,
                                   colours=plan_tables.flow_colours()),
              _below(indicators))
    site = dispatch_frame["site"].iloc[0]  # the largest chosen site
    at_site = dispatch_frame[dispatch_frame["site"] == site]
    day = at_site.groupby("day")["weight [h]"].first().idxmax()  # the most typical day
    day_rows = at_site.index[at_site["day"] == day]
    rows = day_rows[:24]  # a full-year plan has one "day" of 8760 hours: show its first day
    days = at_site.loc[rows[0], "weight [h]"]  # each hour stands for this many hours of the year
    what = f"representative day {day} (stands for {days:.0f} days)" \
        if len(day_rows) <= 24 and days > 1 else f"day {day} of the year"
    title = f"Dispatch at {site}, {what}"
    chart = charts.dispatch_chart(dispatch_ws, dispatch, (rows[0] + 2, rows[-1] + 2),
                                  plan_tables.DISPATCH_SUPPLY, "facility load [MW]", title,
                                  colours=plan_tables.flow_colours())
    _chart_at(ws, chart, _below(indicators) + 22)
    first, last = rows[0] + 2, rows[-1] + 2  # the hours the chart shows are the ones printed
    area = f"A{first}:{get_column_letter(dispatch.last_col)}{last}"  # under the header row
    set_up(dispatch_ws, page.scenario, page.date, title_cols="A:A", print_area=area)
    dispatch_ws.oddFooter.center.text = header_text(
        f"printed: the {len(rows)} hours of the chart on Energy; the sheet holds "
        f"{len(dispatch_frame):,} rows")
    dispatch_ws.oddFooter.center.size = 9


def _full_year(ws: Worksheet, plan: Plan, page: Page) -> None:
    """The full-year check table, and under it what breaks and what the repair did."""
    placed = _tall(ws, plan_tables.check_table(plan), "FullYearCheck", page)
    row = _below(placed, gap=2)
    check = plan.meta.get("full_year_check", {})
    if not len(plan.check):
        note(ws, row, placed.last_col, "The plan was not checked on the full year "
              "(time.full_year_check: off, "
            "or the plan was solved on all 8760 hours).")
        return
    verdict = "holds on the full year" if not plan.check_breaks else "breaks on the full year"
    put(ws, row, 1, f"The plan {verdict}.").font = BOLD
    for i, text in enumerate(plan.check_breaks, start=1):
        note(ws, row + i, placed.last_col, text)
    row += len(plan.check_breaks) + 2
    for i, step in enumerate(check.get("repair_rounds", [])):
        note(ws, row + i, placed.last_col, f"repair {i + 1}: {step.get('repair', '')}"
            + (f"; then {'; '.join(step['breaks'])}" if step.get("breaks") else "; then it holds"))


def _costs(ws: Worksheet, by_item, page: Page) -> None:
    """Costs by item, a total row, an Excel SUM row that recomputes it, and a chart."""
    items = _tall(ws, by_item, "CostsByItem", page)
    totals = items.last_row + 1
    first, last = items.header_row + 1, items.last_row
    put(ws, totals, items.first_col, "total").font = BOLD
    put(ws, totals + 1, items.first_col, "total, Excel SUM of the rows above").font = BOLD
    for label in (plan_tables.CAPEX, plan_tables.ANNUALISED, plan_tables.OPERATING,
                  plan_tables.ANNUAL):
        col = items.col(label)
        fmt = ws.cell(row=first, column=col).number_format
        put(ws, totals, col, float(by_item[label].sum()), fmt).font = BOLD
        letter = get_column_letter(col)
        formula = ws.cell(row=totals + 1, column=col, value=f"=SUM({letter}{first}:{letter}{last})")
        formula.number_format = fmt
    note(ws, totals + 2, items.last_col, "The annual-cost total is the TCO on the Summary sheet; "
        "annualised capex = capex x capital recovery factor (discount rate, asset life).")
    chart = charts.bar_chart(ws, items, "item", [plan_tables.ANNUAL],
                             "Annual cost by item [EUR/yr]", "EUR/yr", horizontal=True)
    chart.height = 6.5  # [cm]: with the table on one page
    _chart_at(ws, chart, totals + 4)


def _cash_flow(ws: Worksheet, plan: Plan, used: Used, page: Page) -> None:
    """The cash flow by year, its NPV against TCO x annuity factor, and a chart."""
    finance = finance_numbers(used)
    frame = plan_tables.cash_flow_frame(plan, finance)
    placed = _tall(ws, frame, "CashFlow", page)
    rate, horizon = finance["discount_rate"], float(frame["year"].iloc[-1])
    factor = annuity_factor(rate, horizon)
    row = _below(placed, gap=2)
    lines = (("NPV of costs: sum of the present values [EUR]", plan.kpis.get("npv_cost_eur")),
             (f"annuity factor at {rate:.1%} over {horizon:.0f} years [years]", factor),
             ("TCO x annuity factor [EUR]", plan.kpis["tco_eur_per_year"] * factor))
    for i, (text, value) in enumerate(lines):
        put(ws, row + i, 1, text).font = BOLD
        put(ws, row + i, 2, value, "#,##0.000" if "factor [" in text else "#,##0")
    note(ws, row + 3, placed.last_col, "Capex in year 0; each asset renewed at the end of its "
          "economic life; "
        "salvage = the capital annuities left after the horizon, discounted to it; operating "
        "cost = annual cost less capital annuities (docs/model.md, Lifetime finance).")
    labels = ["initial capex [EUR]", "renewals [EUR]", "salvage value [EUR]",
              "operating cost [EUR]"]
    chart = charts.bar_chart(ws, placed, "year", labels, "Costs by year [EUR]", "EUR",
                             stacked=True)
    chart.height = 7.5  # [cm]: with the table on one page
    _chart_at(ws, chart, row + 4)


ASSUMPTION_WIDTHS = {"section": 12.0, "item": 36.0, "unit": 14.0, "source": 22.0, "notes": 50.0}
SOURCE_WIDTHS = {"table": 14.0, "source": 24.0, "cited by": 16.0, "title": 64.0,
                 "publisher": 16.0, "url": 30.0, "licence": 14.0}
"""Column widths [characters] that print these text-heavy tables on few pages, one wide."""
ONE_LINE = {"Assumptions": frozenset({"notes"}),
            "Sources": frozenset({"cited by", "publisher", "url", "licence"})}
"""Columns kept to one line (the full text is in the cell, cut at its edge in print)."""
PRINTED_ASSUMPTIONS = ("scenario", "finance")
"""Sections of Assumptions that print: what the scenario set and the finance parameters.
The site and country inputs print on Site inputs; the catalogue's technology rows stay
in the workbook (and data/*.csv), their sources on Sources."""


def _assumptions(ws: Worksheet, frame, page: Page) -> None:
    """Assumptions, each value formatted by its own unit (a year without a separator)."""
    placed = _tall(ws, frame, "Assumptions", page, widths=ASSUMPTION_WIDTHS,
                   nowrap=ONE_LINE["Assumptions"])
    col = placed.col("value")
    for i, row in enumerate(frame.itertuples(index=False)):
        unit = "year" if is_year(str(row.parameter)) else row.unit
        ws.cell(row=placed.header_row + 1 + i, column=col).number_format = number_format(
            [row.value], unit)
    printed = frame["section"].isin(PRINTED_ASSUMPTIONS).to_numpy()
    last = placed.header_row + (int(printed.nonzero()[0].max()) + 1 if printed.any()
                                else len(frame))  # the printed sections come first
    ws.print_area = f"A1:{get_column_letter(placed.last_col)}{last}"
    ws.oddFooter.center.text = header_text(
        f"printed: the {' and '.join(PRINTED_ASSUMPTIONS)} rows ({int(printed.sum()):,} of "
        f"{len(frame):,}), notes cut at the page edge; all rows and notes are on this sheet")
    ws.oddFooter.center.size = 9


def _sources(ws: Worksheet, frame, page: Page) -> None:
    """Sources: titles and urls wrap, the lists of rows citing each source stay one line."""
    _tall(ws, frame, "Sources", page, widths=SOURCE_WIDTHS, nowrap=ONE_LINE["Sources"])
