"""Print set-up of the workbook's sheets: A4 landscape, one page wide, titles repeated.

Every sheet prints on A4 landscape, fitted to one page wide and as many pages tall as
it needs (``fitToWidth = 1``, ``fitToHeight = 0``), its table header row and key column
repeated on every page, with the scenario, the report date and "page X of Y" in the
header and footer. Each chart starts a page (a manual row break above it) and is
shorter than a page, so no chart crosses a page edge. Sheets are laid out so that the
fit-to-width scale (:func:`fit_scale`) stays at or above :data:`MIN_SCALE`.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

PAPER_WIDTH_MM, PAPER_HEIGHT_MM = 297.0, 210.0  # A4 landscape
MARGIN_SIDE_IN, MARGIN_TOP_IN, MARGIN_HEADER_IN = 0.4, 0.6, 0.25
MM_PER_IN = 25.4
DEFAULT_WIDTH_CHARS = 13.0  # openpyxl's width of a column it has no dimension for
PX_PER_CHAR, PX_PAD, PX_PER_IN = 7.0, 5.0, 96.0  # Excel: Calibri 11, max digit width 7 px
MIN_SCALE = 0.6
"""The smallest fit-to-width scale a sheet may print at (0.6 x 11 pt = 6.6 pt text)."""


@dataclass(frozen=True)
class Page:
    """What every printed page's header and footer state: the scenario and the report date."""

    scenario: str
    date: str


def column_mm(width_chars: float) -> float:
    """Printed width of a column at 100 % [mm]: ``(7 px x width + 5 px) / 96 px/in``.

    Excel's column width is in characters of the default font's widest digit (7 px for
    Calibri 11) plus 5 px of padding (ECMA-376 Part 1, 18.3.1.13 ``col/@width``).
    """
    return (PX_PER_CHAR * width_chars + PX_PAD) / PX_PER_IN * MM_PER_IN


def printable_width_mm() -> float:
    """Width inside the side margins of an A4 landscape page [mm]."""
    return PAPER_WIDTH_MM - 2 * MARGIN_SIDE_IN * MM_PER_IN


def used_width_mm(ws: Worksheet, last_col: int | None = None) -> float:
    """Printed width at 100 % of columns A to ``last_col`` (the sheet's last) [mm]."""
    last = last_col or ws.max_column
    return sum(column_mm(ws.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH_CHARS)
               for c in range(1, last + 1))


def fit_scale(ws: Worksheet, last_col: int | None = None, chart_mm: float = 0.0) -> float:
    """The scale fit-to-width prints ``ws`` at [-]: ``min(1, printable / used width)``.

    ``chart_mm`` is the width of the widest chart anchored in column A, which the page
    must hold as well.
    """
    used = max(used_width_mm(ws, last_col), chart_mm)
    return min(1.0, printable_width_mm() / used) if used else 1.0


def header_text(text: str) -> str:
    """``text`` safe in an Excel page header: ``&`` starts a code there, so it is doubled."""
    return text.replace("&", "&&")


def set_up(ws: Worksheet, scenario: str, date: str, title_rows: str | None = "1:1",
           title_cols: str | None = None, print_area: str | None = None,
           one_page: bool = False, what: str = "plan") -> None:
    """A4 landscape, one page wide, header row (and key column) repeated, header and footer.

    ``title_rows`` like ``"1:1"`` and ``title_cols`` like ``"A:A"`` repeat on every page;
    ``print_area`` limits what prints (``"A1:Q26"``); ``one_page`` fits the sheet on a
    single page (the Board summary). ``what`` names the report in the header (plan, study).
    """
    setup = ws.page_setup
    setup.orientation = "landscape"
    setup.paperSize = ws.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE_IN
    ws.page_margins.top = ws.page_margins.bottom = MARGIN_TOP_IN
    ws.page_margins.header = ws.page_margins.footer = MARGIN_HEADER_IN
    ws.print_options.horizontalCentered = False
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    if print_area:
        ws.print_area = print_area
    name = header_text(scenario)
    ws.oddHeader.left.text = f"gigaplan {what}: {name}"
    ws.oddHeader.center.text = "&A"  # the sheet's name
    ws.oddHeader.right.text = f"report of {date}"
    ws.oddFooter.left.text = name
    ws.oddFooter.right.text = "page &P of &N"
    for part in (ws.oddHeader.left, ws.oddHeader.center, ws.oddHeader.right,
                 ws.oddFooter.left, ws.oddFooter.right):
        part.size = 9


PT_PER_IN = 72.0
LINE_PT = 12.75  # a row of 10 pt Arial with no height of its own
SAFETY_MM = 6.0
"""Page height kept free for the header and footer and the rounding of row heights [mm]."""
SCALE_ALLOWANCE = 1.03
"""The printed scale may be this much larger than :func:`fit_scale` estimates (measured with
LibreOffice and 10 pt Arial: within 1 % on every sheet of the bundled plans), so a page is
assumed to hold that much less."""


def page_height_pt(scale: float) -> float:
    """Sheet height one printed page holds at ``scale`` [pt]."""
    body_mm = PAPER_HEIGHT_MM - 2 * MARGIN_TOP_IN * MM_PER_IN - SAFETY_MM
    return body_mm / MM_PER_IN * PT_PER_IN / min(1.0, scale * SCALE_ALLOWANCE)


def row_pt(ws: Worksheet, row: int) -> float:
    """Height of ``row`` [pt] (the default row height unless it has its own)."""
    dim = ws.row_dimensions.get(row)  # .get: indexing would add an empty dimension
    return float(dim.height) if dim is not None and dim.height else LINE_PT


def page_position_pt(ws: Worksheet, row: int, scale: float) -> float:
    """How far down its printed page ``row`` starts [pt], pages filled row by row.

    Manual breaks start a page; each page after the first starts with the repeated
    title rows.
    """
    capacity = page_height_pt(scale)
    breaks = {b.id for b in ws.row_breaks.brk}
    titles = 0.0
    if ws.print_title_rows:
        first, last = (int(x) for x in ws.print_title_rows.replace("$", "").split(":"))
        titles = sum(row_pt(ws, r) for r in range(first, last + 1))
    used = 0.0
    for r in range(1, row):
        height = row_pt(ws, r)
        if r - 1 in breaks or used + height > capacity:
            used = titles if r > 1 else 0.0
        used += height
    return titles if row - 1 in breaks else used


def place_chart(ws: Worksheet, chart, row: int) -> None:
    """Anchor ``chart`` in column A at ``row``; start a new page there unless it fits below.

    The chart (``chart.width`` x ``chart.height`` [cm]) must be shorter than a page.
    """
    scale = fit_scale(ws, chart_mm=chart.width * 10.0)
    height = chart.height / 2.54 * PT_PER_IN
    if page_position_pt(ws, row, scale) + height > page_height_pt(scale):
        page_break_before(ws, row)
    ws.add_chart(chart, f"A{row}")


def chart_row(chart) -> int:
    """The row (1-based) a chart's top-left corner is anchored at."""
    anchor = chart.anchor
    if isinstance(anchor, str):
        return coordinate_from_string(anchor)[1]
    return anchor._from.row + 1


ONE_PAGE_SCALE = 0.65
"""A sheet with charts whose whole content fits one page at this scale prints on one page."""


def one_page_if_it_fits(ws: Worksheet) -> bool:
    """Print ``ws`` on one page if it fits there at :data:`ONE_PAGE_SCALE` or more.

    Its charts' page breaks are then removed. The content runs to the lower edge of its
    lowest chart (or its last row). Returns whether it fits.
    """
    bottom = sum(row_pt(ws, r) for r in range(1, ws.max_row + 1))
    for chart in ws._charts:
        top = sum(row_pt(ws, r) for r in range(1, chart_row(chart)))
        bottom = max(bottom, top + chart.height / 2.54 * PT_PER_IN)
    if bottom > page_height_pt(ONE_PAGE_SCALE) or fit_scale(ws) < ONE_PAGE_SCALE:
        return False
    ws.row_breaks.brk = []
    ws.page_setup.fitToHeight = 1
    return True


def page_break_before(ws: Worksheet, row: int) -> None:
    """Start a new printed page at ``row`` (a manual break after the row above it)."""
    if row > 1 and all(b.id != row - 1 for b in ws.row_breaks.brk):
        ws.row_breaks.append(Break(id=row - 1))
