"""Writing cells, formatted Excel Tables and whole workbooks safely.

Every value goes through :func:`put`: text is always stored as text (never a
formula or an error code, whatever its first character), numbers as numbers (NaN
and infinities as empty cells), and the workbook is saved atomically.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from planner.errors import UsageError
from planner.report.labels import is_year, number_format, split_label

BASE_FONT = Font(name="Arial", sz=10, family=2)
"""The workbook's default font: on every Excel, and LibreOffice's Liberation Sans has its
metrics, so column widths (counted in its digits) print alike in both."""
HEADER_FONT = Font(name="Arial", sz=10, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
TABLE_STYLE = "TableStyleMedium2"
FORMULA_START = ("=", "+", "-", "@")
MAX_TEXT = 32767  # Excel's limit on the characters in one cell
MIN_WIDTH, MAX_WIDTH = 8, 30  # longer text wraps, so that a sheet prints one page wide
HEADER_MIN_WIDTH = 14  # a longer header wraps onto more lines rather than widen the column


def plain(value: object) -> object:
    """``value`` as a type openpyxl writes faithfully.

    Missing numbers become None (an empty cell), booleans the text yes or no.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"  # text a reader understands, also in print
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if not math.isfinite(number):
            return None
        return 0.0 if abs(number) < 1e-9 else number  # solver round-off such as -0.0
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text[:MAX_TEXT]


def put(ws: Worksheet, row: int, column: int, value: object, fmt: str | None = None) -> Cell:
    """Write one value; text stays text even when it starts with ``=``, ``+``, ``-``, ``@``."""
    cell = ws.cell(row=row, column=column)
    value = plain(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would make "=..." a formula and "#N/A" an error
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    elif fmt and isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.number_format = fmt
    return cell


@dataclass(frozen=True)
class Placed:
    """Where a table landed: its header row, first and last data rows and columns."""

    header_row: int
    first_col: int
    last_row: int
    last_col: int
    columns: tuple[str, ...]

    def col(self, label: str) -> int:
        """Worksheet column number of the column headed ``label``."""
        return self.first_col + self.columns.index(label)


def unique_headers(labels: Sequence[object]) -> list[str]:
    """Header texts an Excel Table accepts: non-empty, one line, unique."""
    seen: set[str] = set()
    out = []
    for i, label in enumerate(labels):
        text = " ".join(str(plain(label) or f"column {i + 1}").split())[:255] or f"column {i + 1}"
        base, n = text, 2
        while text.lower() in seen:
            text = f"{base} ({n})"
            n += 1
        seen.add(text.lower())
        out.append(text)
    return out


def write_table(ws: Worksheet, frame: pd.DataFrame, name: str, row: int = 1, col: int = 1,
                formats: dict[str, str] | None = None,
                widths: dict[str, float] | None = None,
                nowrap: frozenset[str] = frozenset()) -> Placed:
    """``frame`` as a styled Excel Table called ``name`` with its header at (row, col).

    Number formats follow each column's unit (from the ``[unit]`` in its header) and
    magnitude unless ``formats`` names one; widths follow the longest entry up to
    :data:`MAX_WIDTH` characters (or the width ``widths`` gives a column), longer text
    wraps (except in the ``nowrap`` columns, cut at the column's edge) and its row is made
    tall enough, its cells aligned to the top.
    """
    headers = unique_headers(list(frame.columns))
    formats, widths = formats or {}, widths or {}
    for j, label in enumerate(headers):
        cell = put(ws, row, col + j, label)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
    columns = [frame.iloc[:, j].map(plain).tolist() for j in range(frame.shape[1])]
    lines: dict[int, int] = {row: 1}  # row -> text lines its wrapped cells need
    for j, (label, values) in enumerate(zip(headers, columns, strict=True)):
        unit = split_label(label)[1] if label.endswith("]") else ("year" if is_year(label)
                                                                   else None)
        fmt = formats.get(label) or number_format(values, unit)
        letter = get_column_letter(col + j)
        width = widths.get(label) or max(_width(label, values, fmt), ws.column_dimensions[
            letter].width if letter in ws.column_dimensions else 0.0)
        ws.column_dimensions[letter].width = width
        for i, value in enumerate(values):
            cell = put(ws, row + 1 + i, col + j, value, fmt)
            if isinstance(cell.value, str) and len(cell.value) > width - 1 and \
                    label not in nowrap:
                cell.alignment = WRAP  # long text wraps within the printed page
                lines[row + 1 + i] = max(lines.get(row + 1 + i, 1), wrapped_lines(cell.value,
                                                                                  width))
        lines[row] = max(lines[row], wrapped_lines(label, width, bold=True))
    for r, n in lines.items():  # LibreOffice does not size rows to wrapped text on opening
        if n > 1:
            ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0.0,
                                              row_height_pt(n))
            for c in range(col, col + len(headers)):
                if r > row and not ws.cell(row=r, column=c).alignment.wrap_text:
                    ws.cell(row=r, column=c).alignment = TOP
    last_row = row + max(len(frame), 1)  # an Excel Table needs a data row, even an empty one
    last_col = col + len(headers) - 1
    ref = f"{get_column_letter(col)}{row}:{get_column_letter(last_col)}{last_row}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    ws.add_table(table)
    return Placed(row, col, last_row, last_col, tuple(headers))


def note(ws: Worksheet, row: int, last_col: int, text: str) -> None:
    """A line of text across columns A to ``last_col``, wrapped there.

    Text running on to the right would widen the printed page.
    """
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    put(ws, row, 1, text).alignment = WRAP
    width = sum(ws.column_dimensions[get_column_letter(c)].width or 13.0
                for c in range(1, last_col + 1))
    ws.row_dimensions[row].height = row_height_pt(wrapped_lines(text, width))


LINE_PT = 12.75  # a line of 10 pt Arial: Excel's and LibreOffice's default row height


def row_height_pt(lines: int) -> float:
    """Height of a row showing ``lines`` lines of text [pt]."""
    return LINE_PT * lines + 1.5


def wrapped_lines(text: str, width_chars: float, bold: bool = False) -> int:
    """Lines ``text`` takes wrapped at word boundaries in a column ``width_chars`` wide.

    A column holds about ``width - 1`` characters of 10 pt Arial (its width unit is the
    widest digit, most letters are narrower); bold text about 10 % fewer; a word longer
    than a line is broken across lines.
    """
    capacity = max(1.0, (width_chars - 1.0) * (0.9 if bold else 1.0))
    n, used = 1, 0.0
    for word in str(text).split():
        size = len(word)
        if used and used + 1 + size > capacity:
            n, used = n + 1, 0.0
        if size > capacity:
            extra = math.ceil(size / capacity) - 1
            n, used = n + extra, size - extra * capacity
        else:
            used += (1 if used else 0) + size
    return n


def _width(label: str, values: list[object], fmt: str) -> float:
    shown = (6 if fmt == "0.0%" else len(f"{v:,.2f}") if isinstance(v, float) else len(str(v))
             for v in values[:2000] if v is not None)
    longest = max(shown, default=0)
    header = max((len(word) for word in label.split()), default=0)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2, header + 2,
                                    min(len(label), HEADER_MIN_WIDTH))))


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed) whose default font is :data:`BASE_FONT`."""
    wb = Workbook()
    wb.remove(wb.active)
    wb._fonts = IndexedList([BASE_FONT])  # openpyxl has no public setter for the default font
    wb._named_styles["Normal"].font = BASE_FONT
    return wb


def check_target(path: Path | str) -> Path:
    """The workbook path, if it can be an ``.xlsx`` file in an existing folder."""
    path = Path(path)
    if path.is_dir():
        raise UsageError.single("is a folder; give a file name ending in .xlsx", file=str(path))
    if path.suffix.lower() != ".xlsx":
        raise UsageError.single("the workbook's name must end in .xlsx", file=str(path),
                                allowed=".xlsx")
    if not path.parent.is_dir():
        raise UsageError.single("folder does not exist", file=str(path.parent))
    return path


def save(wb: Workbook, path: Path | str) -> Path:
    """Save ``wb`` to ``path`` atomically.

    The workbook is written to a temporary file in the same folder and renamed over
    ``path``, so a failure leaves no half-written file and any previous one intact.
    """
    path = check_target(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError.single(f"cannot write: {exc.strerror or exc}", file=str(path)) from None
    finally:
        tmp.unlink(missing_ok=True)
    return path
