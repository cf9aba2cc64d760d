"""Load the data catalogue from ``data/`` into validated, typed pandas frames."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from planner.catalogue import validate as check
from planner.catalogue.profiles_check import read_profiles
from planner.catalogue.spec import TableSpec
from planner.catalogue.tables import TABLES
from planner.errors import DataError, Problem

PROFILES_FILE = "profiles/hourly_profiles.parquet"


def default_data_dir() -> Path:
    """The catalogue folder: ``$GIGAPLAN_DATA`` or the repository's ``data/``."""
    env = os.environ.get("GIGAPLAN_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "data"


def read_table(spec: TableSpec, data_dir: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one table as text and parse it against its spec."""
    path = data_dir / spec.file
    shown = str(path)
    if not path.is_file():
        return pd.DataFrame(), [Problem(f"table '{spec.name}' not found", file=shown)]
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        return pd.DataFrame(), [Problem(f"cannot read CSV: {exc}", file=shown)]
    return check.parse_table(spec, raw, shown)


def data_version(data_dir: Path) -> str:
    """Content hash of every catalogue file (first 12 hex digits of SHA-256)."""
    digest = hashlib.sha256()
    for path in sorted(data_dir.rglob("*")):
        if path.is_file() and path.suffix in {".csv", ".parquet"}:
            digest.update(str(path.relative_to(data_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Catalogue:
    """All catalogue tables, validated, indexed by their key.

    Attributes are pandas DataFrames with units in column names; ``profiles``
    (hourly site profiles) is read on first use because it is large.
    """

    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(repr=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = object.__getattribute__(self, "tables")
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @cached_property
    def version(self) -> str:
        """Content hash of the data files."""
        return data_version(self.data_dir)

    @cached_property
    def profiles(self) -> pd.DataFrame:
        """Hourly profiles per site (see :mod:`planner.profiles`)."""
        path = self.data_dir / PROFILES_FILE
        if not path.is_file():
            raise DataError.single(
                "hourly profiles not found; run `gigaplan data build-profiles`", file=str(path))
        return read_profiles(path, [str(s) for s in self.tables["sites"].index])

    def finance_value(self, parameter: str) -> float:
        """Numeric value of a finance parameter."""
        return float(self.tables["finance"].loc[parameter, "value"])

    def ids(self, table: str) -> list[str]:
        """Key values of a table with a single key column."""
        return [str(i) for i in self.tables[table].index]


def load_catalogue(data_dir: Path | str | None = None) -> Catalogue:
    """Load and validate every catalogue table.

    Raises
    ------
    DataError
        Listing every problem found (file, line, column, what is allowed).
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if not data_dir.is_dir():
        raise DataError.single("data folder not found", file=str(data_dir))
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for name, spec in TABLES.items():
        frame, found = read_table(spec, data_dir)
        if not found and frame.empty:
            found = [Problem("the table has a header but no rows; every catalogue table "
                             "needs at least one", file=str(data_dir / spec.file))]
        frames[name] = frame
        problems += found
    # cross-table checks on every table whose header is right, so one run lists all problems
    readable = {n: f for n, f in frames.items() if list(f.columns) == TABLES[n].column_names}
    problems += _cross_checks(readable, data_dir)
    if problems:
        raise DataError(problems)
    indexed = {}
    for name, spec in TABLES.items():
        key = list(spec.key)
        indexed[name] = (frames[name].set_index(key if len(key) > 1 else key[0])
                         if spec.indexed else frames[name])
    return Catalogue(data_dir=data_dir, tables=indexed)


def _cross_checks(frames: dict[str, pd.DataFrame], data_dir: Path) -> list[Problem]:
    """Checks across tables, each run only when the tables it needs are readable."""
    problems: list[Problem] = []
    keys_of = {table: set(frames[table][TABLES[table].key[0]])
               for table in ("sites", "countries", "accelerators") if table in frames}
    for name, frame in frames.items():
        spec = TABLES[name]
        file = str(data_dir / spec.file)
        if spec.sourced and "sources" in frames:
            problems += check.check_sources(frame, file, set(frames["sources"]["key"]))
        if all(table in keys_of for table in spec.foreign_keys.values()):
            problems += check.check_foreign_keys(spec, frame, file, keys_of)
    if "finance" in frames:
        problems += check.check_finance(frames["finance"], str(data_dir / "finance.csv"))
    if "site_climate" in frames and "sites" in keys_of:
        problems += check.check_site_climate_complete(
            frames["site_climate"], keys_of["sites"], str(data_dir / "site_climate.csv"))
    return problems
