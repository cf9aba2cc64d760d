"""The Plan: what the optimiser decided, as tidy DataFrames with units in column names."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import UsageError

STATUS_WORDS = {"time_limit": "time limit reached; best plan found",
                "stopped": "stopped on request; best plan found"}
"""How a status reads to a user where its key alone would not say it (others: the key)."""


def status_words(status: str) -> str:
    """``time_limit`` -> ``time limit reached; best plan found``; ``optimal`` stays."""
    return STATUS_WORDS.get(status, status.replace("_", " "))


TABLES = ("sites", "fleet", "energy", "workloads", "costs", "workload_options", "check")


@dataclass
class Plan:
    """A solved scenario.

    Attributes
    ----------
    status : ``optimal``, ``time_limit`` (best incumbent with its proven gap),
        ``stopped`` (the same, at a stop asked for: Cancel or Ctrl-C), ``infeasible``
        (then ``explanation`` says why in the user's terms), ``refused`` or ``error``.
        For a plan, ``explanation`` holds notes on how it was made (cooling left out,
        pooled 24/7 matching).
    gap : proven relative MIP gap [-] (None without an incumbent).
    kpis : headline figures, units in the keys.
    sites, fleet, energy, workloads, costs, workload_options : DataFrames (empty when
        there is no plan).
    check : the full-year check, one row per figure: as the representative days state it
        and as the replay of all 8760 hours gives it (empty when not run).
    check_breaks : what the full year breaks that the representative days kept, in words
        (empty when the plan holds on the full year).
    meta : scenario name and hash, data version, solver settings, timings [s].
    """

    status: str
    gap: float | None
    kpis: dict[str, float]
    sites: pd.DataFrame = field(default_factory=pd.DataFrame)
    fleet: pd.DataFrame = field(default_factory=pd.DataFrame)
    energy: pd.DataFrame = field(default_factory=pd.DataFrame)
    workloads: pd.DataFrame = field(default_factory=pd.DataFrame)
    costs: pd.DataFrame = field(default_factory=pd.DataFrame)
    workload_options: pd.DataFrame = field(default_factory=pd.DataFrame)
    check: pd.DataFrame = field(default_factory=pd.DataFrame)
    check_breaks: list[str] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def has_solution(self) -> bool:
        """True when the plan carries numbers (optimal, or an incumbent at a limit or stop)."""
        return self.status in ("optimal", "time_limit", "stopped") and bool(self.kpis)

    def summary(self) -> dict[str, Any]:
        """The JSON summary of the CLI (status, gap, kpis, sites, explanation, timings)."""
        sites = []
        if self.has_solution and len(self.sites):
            for site, row in self.sites[self.sites["open"]].iterrows():
                gpus = {c.removeprefix("gpus_"): int(row[c]) for c in self.sites.columns
                        if c.startswith("gpus_") and row[c] > 0}
                sites.append({"site": site, "country": row["country"], "cooling": row["cooling"],
                              "gpus": gpus, "it_mw": row["it_mw"],
                              "facility_mw": row["facility_mw_mean"]})
        out = {"status": self.status, "gap": self.gap, "kpis": self.kpis, "sites": sites,
               "timings": self.meta.get("timings", {}), "scenario": self.meta.get("scenario"),
               "scenario_hash": self.meta.get("scenario_hash"),
               "data_version": self.meta.get("data_version")}
        if self.explanation:
            out["explanation"] = self.explanation
        if len(self.check):
            out["full_year_check"] = {"holds": not self.check_breaks,
                                      "breaks": self.check_breaks}
        return out

    def save(self, folder: Path | str) -> Path:
        """Write ``plan.json`` and one CSV per table into ``folder`` (atomically per file)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        index = {}
        for name in TABLES:
            frame, index[name] = csv_table(getattr(self, name))
            _atomic_write(folder / f"{name}.csv", frame.to_csv(index=False))
        payload = {"status": self.status, "gap": self.gap, "kpis": self.kpis,
                   "explanation": self.explanation, "check_breaks": self.check_breaks,
                   "meta": self.meta, "table_index": index}
        _atomic_write(folder / "plan.json", json.dumps(payload, indent=2, default=str))
        return folder


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is a formula to a spreadsheet (CSV injection)."""


def _quote_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _unquote_text(value: object) -> object:
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_bool_dtype(frame[c])]


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with text cells that a spreadsheet would run as a formula quoted with ``'``.

    As the workbook does (OWASP's advice on CSV injection): a leading ``=``, ``+``,
    ``-``, ``@``, tab or carriage return gets an apostrophe in front, numbers stay
    numbers; :func:`load_plan` takes the apostrophe off again.
    """
    text = _text_columns(frame)
    if not text and pd.api.types.is_numeric_dtype(frame.index):
        return frame
    out = frame.copy()
    for column in text:
        out[column] = out[column].map(_quote_text)
    if not pd.api.types.is_numeric_dtype(out.index):
        out.index = out.index.map(_quote_text)
    return out


def _csv_restored(frame: pd.DataFrame) -> pd.DataFrame:
    for column in _text_columns(frame):
        frame[column] = frame[column].map(_unquote_text)
    if not pd.api.types.is_numeric_dtype(frame.index):
        frame.index = frame.index.map(_unquote_text)
    return frame


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def csv_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """``frame`` as a plan CSV holds it, and the name of its index column (or None).

    A named index (``site``) becomes the first column; a plain row number is left out.
    Text that a spreadsheet would run as a formula is quoted (:func:`csv_safe`) and
    negative zeros (``-0.0``, a solver's rounding) are written as ``0``.
    """
    name = frame.index.name
    out = csv_safe(frame.reset_index() if name is not None else frame.reset_index(drop=True))
    floats = [c for c in out.columns if pd.api.types.is_float_dtype(out[c])]
    if floats:
        out = out.copy()
        out[floats] = out[floats] + 0.0  # -0.0 + 0.0 is +0.0 (IEEE 754)
    return out, name


def load_plan(folder: Path | str) -> Plan:
    """Read a plan written by :meth:`Plan.save`."""
    folder = Path(folder)
    meta_file = folder / "plan.json"
    if not meta_file.is_file():
        raise UsageError.single("not a plan folder (no plan.json)", file=str(folder))
    payload = json.loads(meta_file.read_text(encoding="utf-8"))
    tables = {}
    index = payload.get("table_index")  # absent in plans written before it: first column
    for name in TABLES:
        path = folder / f"{name}.csv"
        if not (path.is_file() and path.stat().st_size > 1):
            tables[name] = pd.DataFrame()
            continue
        if index is None:
            frame = pd.read_csv(path, index_col=0)
        else:
            frame = pd.read_csv(path)
            if index.get(name) is not None:
                frame = frame.set_index(index[name])
        tables[name] = _csv_restored(frame)
    return Plan(status=payload["status"], gap=payload["gap"], kpis=payload["kpis"],
                explanation=payload.get("explanation", []),
                check_breaks=payload.get("check_breaks", []), meta=payload.get("meta", {}),
                **tables)
