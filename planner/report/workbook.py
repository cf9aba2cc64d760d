"""``to_excel(plan, path)``: the plan workbook, ten sheets of Excel Tables and four charts."""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from planner.catalogue import Catalogue, load_catalogue
from planner.optimise import Plan
from planner.report import charts, plan_tables
from planner.report.assumptions import assumptions_table, sources_table
from planner.report.labels import number_format
from planner.report.sheet import Placed, check_target, new_workbook, put, save, write_table
from planner.report.used import Used, used_inputs

SHEETS = ("Summary", "Sites", "Fleet", "Energy", "Cooling", "Costs", "Workloads", "Full year",
          "Assumptions", "Sources")
BOLD = Font(bold=True)


def to_excel(plan: Plan, path: Path | str, catalogue: Catalogue | None = None) -> Path:
    """Write the plan's Excel report to ``path`` (``.xlsx``) and return the path.

    A plan with a solution gets all ten sheets (:data:`SHEETS`) and native charts
    of cost by item, energy mix per site, GPUs per site and the dispatch of one
    representative day. A plan without one (infeasible, solver error) gets Summary,
    with the reasons, Assumptions and Sources. ``catalogue`` (loaded when omitted)
    supplies the assumptions' figures and provenance; Summary warns when it is not
    the data version the plan was solved with. Written atomically.
    """
    check_target(path)
    catalogue = catalogue if catalogue is not None else load_catalogue()
    used = used_inputs(plan, catalogue)
    wb = new_workbook()
    wb.properties.title = f"gigaplan plan: {plan.meta.get('scenario', '')}"
    wb.properties.creator = "gigaplan"
    _summary(wb.create_sheet("Summary"), plan, catalogue, used)
    if plan.has_solution:
        _sites(wb.create_sheet("Sites"), plan, catalogue, used)
        _fleet(wb.create_sheet("Fleet"), plan, wb["Sites"])
        _energy(wb.create_sheet("Energy"), plan)
        _single(wb.create_sheet("Cooling"), plan_tables.cooling_table(plan, catalogue, used),
                "Cooling")
        _costs(wb.create_sheet("Costs"), plan, catalogue, used)
        _single(wb.create_sheet("Workloads"), plan_tables.workloads_table(plan, used), "Workloads")
        _full_year(wb.create_sheet("Full year"), plan)
    _single(wb.create_sheet("Assumptions"), assumptions_table(used, catalogue), "Assumptions")
    _single(wb.create_sheet("Sources"), sources_table(used, catalogue), "Sources")
    return save(wb, path)


def _single(ws: Worksheet, frame, name: str, freeze: str = "A2") -> Placed:
    placed = write_table(ws, frame, name)
    ws.freeze_panes = freeze
    return placed


def _beside(ws: Worksheet, left: Placed, chars: int = charts.CHART_WIDTH_CHARS) -> int:
    """First column right of ``left`` and wide enough for a chart placed under it."""
    col, width = left.first_col, 0.0
    while col <= left.last_col or width < chars:
        width += ws.column_dimensions[get_column_letter(col)].width or 13.0
        col += 1
    return col + 1


def _below(*placed: Placed, gap: int = 3) -> int:
    return max(p.last_row for p in placed) + gap


def _summary(ws: Worksheet, plan: Plan, catalogue: Catalogue, used: Used) -> None:
    frame = plan_tables.summary_table(plan, catalogue, used)
    placed = _single(ws, frame, "Summary")
    value_col = placed.col("value")
    for i, (value, unit) in enumerate(zip(frame["value"], frame["unit"], strict=True)):
        ws.cell(row=placed.header_row + 1 + i, column=value_col).number_format = number_format(
            [value], unit)
    ws.column_dimensions[get_column_letter(value_col)].width = 60


def _sites(ws: Worksheet, plan: Plan, catalogue: Catalogue, used: Used) -> None:
    _single(ws, plan_tables.sites_table(plan, catalogue, used), "Sites", freeze="B2")


def _fleet(ws: Worksheet, plan: Plan, sites_ws: Worksheet) -> None:
    fleet = write_table(ws, plan_tables.fleet_table(plan), "Fleet")
    throughput = write_table(ws, plan_tables.throughput_table(plan), "Throughput",
                             col=_beside(ws, fleet))
    ws.freeze_panes = "A2"
    n_open = len(plan_tables.open_sites(plan))
    sites = _placed_of(sites_ws, "Sites")
    gpu_labels = [h for h in sites.columns if h.startswith("GPUs ")
                  and plan.sites[f"gpus_{h.removeprefix('GPUs ')}"].sum() > 0]
    if n_open and gpu_labels:
        chart = charts.bar_chart(sites_ws, sites, "site", gpu_labels, "GPUs per site",
                                 "GPUs", rows=(2, 1 + n_open), stacked=True)
        ws.add_chart(chart, f"A{_below(fleet, throughput)}")


def _placed_of(ws: Worksheet, name: str) -> Placed:
    """Where the table ``name`` sits on ``ws``, read back from the sheet."""
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
    headers = tuple(ws.cell(row=min_row, column=c).value for c in range(min_col, max_col + 1))
    return Placed(min_row, min_col, max_row, max_col, headers)


def _energy(ws: Worksheet, plan: Plan) -> None:
    annual = write_table(ws, plan_tables.energy_table(plan), "EnergyAnnual")
    dispatch_frame = plan_tables.dispatch_table(plan)
    dispatch = write_table(ws, dispatch_frame, "Dispatch", col=_beside(ws, annual))
    ws.freeze_panes = "A2"
    if not len(dispatch_frame):
        return
    ws.add_chart(charts.bar_chart(ws, annual, "site", list(plan_tables.ENERGY_SOURCES.values()),
                                  "Annual energy by site and source", "MWh/yr", stacked=True),
                 f"A{_below(annual)}")
    site = dispatch_frame["site"].iloc[0]  # the largest chosen site
    at_site = dispatch_frame[dispatch_frame["site"] == site]
    day = at_site.groupby("day")["weight [h]"].first().idxmax()  # the most typical day
    day_rows = at_site.index[at_site["day"] == day]
    rows = day_rows[:24]  # a full-year plan has one "day" of 8760 hours: show its first day
    days = at_site.loc[rows[0], "weight [h]"]  # each hour stands for this many hours of the year
    what = f"representative day {day} (stands for {days:.0f} days)" \
        if len(day_rows) <= 24 and days > 1 else "first day of the year"
    title = f"Dispatch at {site}, {what}"
    chart = charts.dispatch_chart(ws, dispatch, (rows[0] + 2, rows[-1] + 2),
                                  plan_tables.DISPATCH_SUPPLY, "facility load [MW]", title)
    ws.add_chart(chart, f"A{_below(annual) + 20}")


def _full_year(ws: Worksheet, plan: Plan) -> None:
    """The full-year check table, and under it what breaks and what the repair did."""
    placed = _single(ws, plan_tables.check_table(plan), "FullYearCheck")
    row = _below(placed, gap=2)
    check = plan.meta.get("full_year_check", {})
    if not len(plan.check):
        put(ws, row, 1, "The plan was not checked on the full year (time.full_year_check: off, "
            "or the plan was solved on all 8760 hours).")
        return
    verdict = "holds on the full year" if not plan.check_breaks else "breaks on the full year"
    put(ws, row, 1, f"The plan {verdict}.").font = BOLD
    for i, text in enumerate(plan.check_breaks, start=1):
        put(ws, row + i, 1, text)
    row += len(plan.check_breaks) + 2
    for i, step in enumerate(check.get("repair_rounds", [])):
        put(ws, row + i, 1, f"repair {i + 1}: {step.get('repair', '')}"
            + (f"; then {'; '.join(step['breaks'])}" if step.get("breaks") else "; then it holds"))


def _costs(ws: Worksheet, plan: Plan, catalogue: Catalogue, used: Used) -> None:
    by_site, by_item = plan_tables.cost_tables(plan, catalogue, used)
    items = write_table(ws, by_item, "CostsByItem")
    write_table(ws, by_site, "Costs", col=_beside(ws, items))
    ws.freeze_panes = "A2"
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
    put(ws, totals + 2, items.first_col, "The annual-cost total is the TCO on the Summary sheet; "
        "annualised capex = capex x capital recovery factor (discount rate, asset life).")
    ws.add_chart(charts.bar_chart(ws, items, "item", [plan_tables.ANNUAL],
                                  "Annual cost by item [EUR/yr]", "EUR/yr", horizontal=True),
                 f"A{totals + 5}")

