"""The study folder: what is written where, always atomically.

::

    DIR/study.json          definition hash, study file, base scenario, data version,
                            variant count (written once, checked on every resume)
    DIR/design.parquet      one row a variant: id, batch, Pareto role, varied values
    DIR/results/v0001.json  one file a finished variant (solved, infeasible or failed)
    DIR/results.parquet     all finished variants in one table (rewritten as they finish)
    DIR/plans/v0001/        the full plan of a variant (only with ``--save-plans``)

Every file is written to a temporary name in the same folder and renamed into
place (``os.replace``), so a killed study leaves finished results whole and
nothing half-written under a final name; leftover ``*.tmp`` files are removed on
resume.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import UsageError

STUDY_FILE = "study.json"
DESIGN_FILE = "design.parquet"
RESULTS_DIR = "results"
TABLE_FILE = "results.parquet"
BASE_COLUMNS = ["variant", "status", "reason"]
TAIL_COLUMNS = ["gap", "solve_s", "open_sites", "model_reused", "scenario_hash"]


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a unique temporary file and a rename."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def write_result(folder: Path, result: dict[str, Any]) -> Path:
    """Write one variant's result as ``results/<variant>.json`` (atomically)."""
    path = Path(folder) / RESULTS_DIR / f"{result['variant']}.json"
    atomic_write_bytes(path, json.dumps(_clean(result), indent=1).encode())
    return path


def read_results(folder: Path) -> dict[str, dict[str, Any]]:
    """Every finished result in ``folder``, by variant id (unreadable files are skipped)."""
    out = {}
    results = Path(folder) / RESULTS_DIR
    if not results.is_dir():
        return out
    for path in sorted(results.glob("v*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("variant") == path.stem:
            out[path.stem] = data
    return out


def read_new_results(folder: Path, known: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Results in ``folder`` not yet in ``known`` (only those files are parsed)."""
    out = {}
    for path in (Path(folder) / RESULTS_DIR).glob("v*.json"):
        if path.stem in known:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("variant") == path.stem:
            out[path.stem] = data
    return out


def remove_leftovers(folder: Path) -> int:
    """Delete temporary files a killed run left behind; return how many."""
    count = 0
    for path in Path(folder).rglob(".*.tmp"):
        path.unlink(missing_ok=True)
        count += 1
    return count


def results_frame(results: dict[str, dict[str, Any]], header: dict[str, Any],
                  design: pd.DataFrame | None = None) -> pd.DataFrame:
    """The study table: one row a finished variant, in design order.

    Columns: ``variant``, ``status``, ``reason``, the varied fields (dotted paths),
    ``pareto`` for a Pareto study, the KPIs (units in their names), then ``gap``,
    ``solve_s``, ``open_sites``, ``model_reused``, ``scenario_hash``. ``attrs`` holds
    ``varied``, ``kpis`` and ``study`` (the header of ``study.json``).
    """
    varied = list(header.get("varied", []))
    kpi_names: list[str] = []
    rows = []
    order = {v: i for i, v in enumerate(design["variant"])} if design is not None else {}
    for vid in sorted(results, key=lambda v: (order.get(v, math.inf), v)):
        r = results[vid]
        row = {"variant": vid, "status": r["status"], "reason": r.get("reason", "")}
        row.update(r.get("values", {}))
        if header.get("kind") == "pareto":
            row["pareto"] = str(r.get("pareto"))
            row["policy.carbon_cap_t_per_year"] = r.get("carbon_cap_t_per_year")
        for k, v in (r.get("kpis") or {}).items():
            if k not in kpi_names:
                kpi_names.append(k)
            row[k] = v
        row.update({"gap": r.get("gap"), "solve_s": r.get("timings", {}).get("solve_s"),
                    "open_sites": ";".join(r.get("open_sites", [])),
                    "model_reused": bool(r.get("model_reused", False)),
                    "scenario_hash": r.get("scenario_hash", "")})
        rows.append(row)
    extra = ["pareto", "policy.carbon_cap_t_per_year"] if header.get("kind") == "pareto" else []
    columns = BASE_COLUMNS + varied + [c for c in extra if c not in varied] + kpi_names \
        + TAIL_COLUMNS
    frame = pd.DataFrame(rows, columns=columns)
    for name in kpi_names + ["gap", "solve_s"]:
        frame[name] = pd.to_numeric(frame[name], errors="coerce")
    frame.attrs = {"varied": varied + [c for c in extra if c not in varied], "kpis": kpi_names,
                   "study": {k: v for k, v in header.items() if k != "varied"}}
    return frame


def write_table(folder: Path, frame: pd.DataFrame) -> None:
    """Write the consolidated ``results.parquet`` (atomically)."""
    table = frame.copy()
    for name in table.columns:
        if table[name].dtype == object:
            table[name] = table[name].map(lambda v: v if v is None or isinstance(v, str)
                                          else json.dumps(v))
    table.attrs = {}
    tmp = Path(folder) / f".{TABLE_FILE}.{uuid.uuid4().hex[:8]}.tmp"
    table.to_parquet(tmp, index=False)
    os.replace(tmp, Path(folder) / TABLE_FILE)


def read_header(folder: Path) -> dict[str, Any]:
    """``study.json`` of a study folder."""
    path = Path(folder) / STUDY_FILE
    if not path.is_file():
        raise UsageError.single("not a study folder (no study.json)", file=str(folder))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UsageError.single(f"study.json is unreadable: {exc}", file=str(path)) from None


def load(folder: str | Path) -> pd.DataFrame:
    """The results of a study folder as a DataFrame (see :func:`results_frame`).

    Reads the per-variant files, so it is complete even while a study is running.
    """
    folder = Path(folder)
    header = read_header(folder)
    design_path = folder / DESIGN_FILE
    design = pd.read_parquet(design_path) if design_path.is_file() else None
    return results_frame(read_results(folder), header, design)
