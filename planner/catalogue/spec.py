"""Column and table specifications: the catalogue's attribute table.

Like PyPSA's ``component_attrs`` tables, every column of every catalogue table is
declared once here with its type, unit, allowed range and meaning; loading and
validation (:mod:`planner.catalogue.validate`) and the documentation both read
from these specs, so a unit is stated in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Kind = str  # "str" | "float" | "int" | "bool"


@dataclass(frozen=True)
class Column:
    """One column of a catalogue table.

    Parameters
    ----------
    name : column name, with its unit as suffix (``tdp_w``).
    kind : ``str``, ``float``, ``int`` or ``bool``.
    unit : unit for display, ``-`` for dimensionless or text.
    doc : what the column holds.
    required : an empty cell is an error when True.
    min, max : inclusive numeric bounds (None: unbounded).
    choices : allowed values for text columns.
    """

    name: str
    kind: Kind
    unit: str
    doc: str
    required: bool = True
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TableSpec:
    """A catalogue table: file, key column(s) and columns, with its provenance rules."""

    name: str
    file: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    doc: str
    sourced: bool = True  # every row needs source/year/estimated_fields
    foreign_keys: dict[str, str] = field(default_factory=dict)  # column -> table
    indexed: bool = True  # loaded indexed by its key; False keeps every column a column

    @property
    def column_names(self) -> list[str]:
        """All column names in file order, provenance columns included."""
        names = [c.name for c in self.columns]
        if self.sourced:
            names += [c.name for c in PROVENANCE]
        return names

    def column(self, name: str) -> Column:
        """Return the column spec called ``name``."""
        for col in self.columns + (PROVENANCE if self.sourced else ()):
            if col.name == name:
                return col
        raise KeyError(name)


PROVENANCE: tuple[Column, ...] = (
    Column("source", "str", "-", "source keys (';'-separated) listed in sources.csv"),
    Column("year", "int", "-", "year the figures refer to", min=1990, max=2030),
    Column(
        "estimated_fields", "str", "-",
        "';'-separated names of this row's columns that are estimates", required=False,
    ),
    Column("notes", "str", "-", "how derived figures were computed; caveats", required=False),
)


def num(name: str, unit: str, doc: str, lo: float | None = 0.0, hi: float | None = None,
        required: bool = True, kind: Kind = "float") -> Column:
    """Shorthand for a numeric column."""
    return Column(name, kind, unit, doc, required=required, min=lo, max=hi)


def text(name: str, doc: str, required: bool = True,
         choices: tuple[str, ...] | None = None) -> Column:
    """Shorthand for a text column."""
    return Column(name, "str", "-", doc, required=required, choices=choices)


def frac(name: str, doc: str, required: bool = True) -> Column:
    """Shorthand for a fraction in [0, 1]."""
    return Column(name, "float", "fraction", doc, required=required, min=0.0, max=1.0)
