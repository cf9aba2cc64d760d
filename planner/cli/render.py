"""Console output shared by the commands: tables, JSON, and error rendering."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from planner.errors import GigaplanError

if TYPE_CHECKING:
    import pandas as pd

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    r"""``text`` with control characters (ESC, CSI, BEL, ...) shown as ``\xNN``, not sent.

    A scenario's description, ids and the values quoted in error messages come from
    files a user may not have written; a raw escape sequence would drive the terminal.
    Newlines and tabs stay.
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class _SafeConsole(Console):
    """A rich console that prints strings through :func:`terminal_safe`."""

    def print(self, *objects: Any, **kwargs: Any) -> None:  # noqa: D102
        super().print(*(terminal_safe(o) if isinstance(o, str) else o for o in objects),
                      **kwargs)


# a terminal gets its own width; pipes and files get wide tables instead of wrapped ones
out = _SafeConsole(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = _SafeConsole(stderr=True, highlight=False, soft_wrap=True)


def print_error(exc: GigaplanError) -> None:
    """Print every problem of an error on stderr, one per line."""
    n = len(exc.problems)
    err.print(f"[bold red]{exc.kind}[/]" + (f" ({n} problems)" if n > 1 else "") + ":",
              markup=True)
    for problem in exc.problems:
        err.print("  " + problem.render(), markup=False)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Render a :class:`GigaplanError` as a clear message and exit with its code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GigaplanError as exc:
            print_error(exc)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return value


def print_json(payload: Any) -> None:
    """One JSON document on stdout."""
    text = json.dumps(payload, indent=2, default=_jsonable, ensure_ascii=False)
    # JSON escapes C0 controls itself; DEL and C1 (0x7f-0x9f, CSI among them) it leaves raw
    text = re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-ready dicts (NaN as null)."""
    return [{k: _jsonable(v) for k, v in row.items()} for row in frame.to_dict("records")]


def format_value(value: Any) -> str:
    """Numbers readable at a glance: thousands separators, 4 significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return terminal_safe(str(value))
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude >= 1e13 or magnitude < 1e-3:
        return f"{value:.3g}"
    if magnitude >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.4g}"


def is_year_column(name: object) -> bool:
    """True for a calendar-year column (``year``, ``year_released``), not ``eur_per_year``."""
    text = str(name)
    return text == "year" or (text.startswith("year_") or text.endswith("_year")) \
        and "per_" not in text and "_years" not in text


def _cell(value: Any, year: bool) -> str:
    if year and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and math.isfinite(value) and float(value).is_integer():
        return str(int(value))  # 2024, not 2,024
    return format_value(value)


WIDE = {"on": False}
"""``--wide``: every column, as wide as it needs (the line may run past the terminal)."""

COLUMN_PAD = 3
"""Characters a rich table adds per column (two of padding and a border) [-]."""


def fitting_columns(widths: list[int], width: int) -> int:
    """How many leading columns of natural ``widths`` fit a line of ``width`` characters.

    At least the first (the key column) and one more when there is one.
    """
    used, n = 1, 0
    for w in widths:
        if used + w + COLUMN_PAD > width and n >= 2:
            break
        used += w + COLUMN_PAD
        n += 1
    return n


def print_frame(frame: pd.DataFrame, title: str | None = None, max_rows: int = 200) -> None:
    """A DataFrame as a rich table: numbers right-aligned, years without separators.

    Columns are never folded mid-number: those that do not fit the line (the terminal's
    width, 160 characters when piped) are left out and named below the table;
    ``gigaplan --wide`` prints them all, ``--json`` or ``--out`` give every value.
    """
    import pandas as pd

    years = [is_year_column(col) for col in frame.columns]
    rows = [[_cell(v, y) for v, y in zip(row, years, strict=True)]
            for row in frame.head(max_rows).itertuples(index=False)]
    headers = [terminal_safe(str(col)) for col in frame.columns]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    shown = len(headers) if WIDE["on"] else fitting_columns(widths, out.width)
    # Text, not str: rich would read a unit such as "[kt CO2/yr]" as a markup tag and drop it
    table = Table(title=None if title is None else Text(title), show_lines=False,
                  header_style="bold")
    for i in range(shown):
        numeric = pd.api.types.is_numeric_dtype(frame[frame.columns[i]])
        table.add_column(Text(headers[i]), justify="right" if numeric else "left",
                         no_wrap=True, min_width=widths[i])
    for row in rows:
        table.add_row(*(Text(terminal_safe(cell)) for cell in row[:shown]))
    out.print(table, crop=False, soft_wrap=WIDE["on"])
    if shown < len(headers):
        out.print(f"  {len(headers) - shown} more columns ({', '.join(headers[shown:])}): "
                  "gigaplan --wide ... for all, --json or --out for every value", markup=False)
    if len(frame) > max_rows:
        out.print(f"... {len(frame) - max_rows} more rows (use --json for all)")
