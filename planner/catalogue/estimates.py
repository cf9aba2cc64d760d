"""Estimates as data: a range for every estimated figure, and the share that is published.

``sites.csv`` and ``countries.csv`` list in each row's ``estimated_fields`` the columns
whose value is an estimate rather than a figure taken from the cited source.
``estimate_ranges.csv`` gives every such (row, field) a ``low``-``high`` range and the
reason for it; :func:`check_estimate_ranges` holds the two tables to each other and
:func:`figure_share` counts how many figures a published source backs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.catalogue.tables import TABLES
from planner.errors import Problem

RANGED_TABLES = ("sites", "countries")
"""Tables whose every estimated figure needs a row in ``estimate_ranges.csv``."""

NOT_FIGURES = frozenset({"lat", "lon"})
"""Numeric columns that place a row rather than measure it (coordinates)."""

RANGES_FILE = TABLES["estimate_ranges"].file


def figure_columns(table: str) -> list[str]:
    """Numeric columns of ``table`` that hold figures: not keys, coordinates or provenance."""
    spec = TABLES[table]
    return [c.name for c in spec.columns
            if c.kind in ("float", "int") and c.name not in spec.key and c.name not in NOT_FIGURES]


def estimated_fields(cell: object) -> list[str]:
    """Column names listed in one ``estimated_fields`` cell (``';'``-separated)."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return []
    return [name.strip() for name in str(cell).split(";") if name.strip()]


@dataclass(frozen=True)
class FigureShare:
    """How many figures of some tables a published source backs.

    Attributes
    ----------
    tables : the tables counted.
    figures : non-empty numeric cells, coordinates, keys and years left out [-].
    estimates : those of them listed in their row's ``estimated_fields`` [-].
    """

    tables: tuple[str, ...]
    figures: int
    estimates: int

    @property
    def published(self) -> int:
        """Figures not marked as estimates, i.e. taken from a cited source [-]."""
        return self.figures - self.estimates

    @property
    def share(self) -> float:
        """Published figures over all figures [fraction]; 0 when there are none."""
        return self.published / self.figures if self.figures else 0.0

    def sentence(self) -> str:
        """One line for people, e.g. ``sites and countries: 612 of 1,008 figures (60.7 %) ...``."""
        names = " and ".join(self.tables)
        return (f"{names}: {self.published:,} of {self.figures:,} figures "
                f"({100 * self.share:.1f} %) from a published source; "
                f"{self.estimates:,} estimates, each with a range")

    def as_dict(self) -> dict[str, object]:
        """The counts for JSON output."""
        return {"tables": list(self.tables), "figures": self.figures,
                "published": self.published, "estimates": self.estimates,
                "share": round(self.share, 4)}


def figure_share(tables: Mapping[str, pd.DataFrame],
                 names: tuple[str, ...] = RANGED_TABLES) -> FigureShare:
    """Count the figures of ``names`` and those marked as estimates.

    A figure is a non-empty cell of a numeric column other than keys, coordinates and
    provenance (:func:`figure_columns`); it is published unless its row's
    ``estimated_fields`` lists its column.
    """
    figures = estimates = 0
    for name in names:
        frame = tables[name]
        columns = [c for c in figure_columns(name) if c in frame.columns]
        present = frame[columns].notna()
        figures += int(present.to_numpy().sum())
        marks = frame["estimated_fields"] if "estimated_fields" in frame else pd.Series(
            "", index=frame.index)
        for pos, cell in enumerate(marks.tolist()):
            row = present.iloc[pos]
            estimates += sum(1 for f in set(estimated_fields(cell)) if f in row and row[f])
    return FigureShare(tables=tuple(names), figures=figures, estimates=estimates)


def _estimated_cells(tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str, str],
                                                                    tuple[float, int]]:
    """Every estimated (table, id, field) of the ranged tables: (value, file line)."""
    cells = {}
    for name in RANGED_TABLES:
        frame = tables[name]
        numeric = set(figure_columns(name))
        for pos, (row_id, row) in enumerate(frame.iterrows()):
            for field in estimated_fields(row["estimated_fields"]):
                if field in numeric:
                    cells[(name, str(row_id), field)] = (row[field], pos + 2)
    return cells


def check_estimate_ranges(tables: Mapping[str, pd.DataFrame], data_dir: Path) -> list[Problem]:
    """Every estimated figure of sites and countries has exactly one range that holds it.

    Reports an estimate without a range (at its row of sites.csv or countries.csv), and
    a range row naming an unknown row or field, a field not marked as estimated, a low
    above its high, or a value outside it (at its line of estimate_ranges.csv).
    """
    ranges = tables["estimate_ranges"]
    ranges_file = str(data_dir / RANGES_FILE)
    cells = _estimated_cells(tables)
    seen = Counter(zip(ranges["table"], ranges["id"].astype(str), ranges["field"], strict=True))
    problems = []
    for (table, row_id, field), (_, line) in cells.items():
        if seen[(table, row_id, field)] != 1:
            problems.append(Problem(
                f"estimated figure ({table} '{row_id}', {field}) has "
                f"{seen[(table, row_id, field)]} rows in {RANGES_FILE}; it needs exactly one",
                file=str(data_dir / TABLES[table].file), line=line, field=field,
                allowed=f"one row '{table},{row_id},{field},LOW,HIGH,REASON' in {RANGES_FILE}"))
    for pos, row in enumerate(ranges.itertuples(index=False)):
        problems += _range_row_problems(row, pos + 2, tables, cells, ranges_file)
    return problems


def _range_row_problems(row: tuple, line: int, tables: Mapping[str, pd.DataFrame],
                        cells: dict[tuple[str, str, str], tuple[float, int]],
                        file: str) -> list[Problem]:
    """What is wrong with one row of estimate_ranges.csv."""
    table, row_id, field = row.table, str(row.id), row.field
    frame = tables[table]
    if row_id not in {str(i) for i in frame.index}:
        return [Problem(f"'{row_id}' is not a {table} id", file=file, line=line, field="id")]
    if field not in figure_columns(table):
        return [Problem(f"'{field}' is not a figure column of {table}", file=file, line=line,
                        field="field", allowed=", ".join(figure_columns(table)))]
    if (table, row_id, field) not in cells:
        marked = [f for f in estimated_fields(frame.loc[row_id, "estimated_fields"])
                  if f in figure_columns(table)]
        return [Problem(f"{table} '{row_id}' does not list {field} in its estimated_fields: "
                        "a published figure takes no range", file=file, line=line,
                        field="field", allowed=", ".join(marked) or "none (no estimates)")]
    problems = []
    if row.low > row.high:
        problems.append(Problem(f"low {row.low:g} is above high {row.high:g}", file=file,
                                line=line, field="low", allowed="low <= high"))
    value = cells[(table, row_id, field)][0]
    if pd.notna(value) and not row.low <= value <= row.high:
        side = "low" if value < row.low else "high"
        problems.append(Problem(
            f"{table} '{row_id}' {field} = {value:g} lies outside its range "
            f"{row.low:g} to {row.high:g}", file=file, line=line, field=side,
            allowed=f"low <= {value:g} <= high"))
    return problems
