"""What-if from the explorer: one lever over a range, run as a batch study, and its curves.

The explorer writes the plan's scenario and a one-sweep study next to it into a fresh
folder and runs :func:`planner.study.run_study` on it in a background thread (local
worker process, built model re-used across the lever's values). The folder is the
same a ``gigaplan study`` run writes: results, ``results.csv`` and the study workbook
can be downloaded as they are.
"""

from __future__ import annotations

import io
import math
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import yaml
from plotly.subplots import make_subplots

from planner.errors import GigaplanError
from planner.scenario import Scenario, to_yaml
from planner.study import Progress, load, run_study


@dataclass(frozen=True)
class Lever:
    """A scenario field the explorer can sweep, with its unit and a first range."""

    field: str
    label: str
    unit: str
    start: float
    stop: float
    lowest: float
    highest: float
    percent: bool = False  # a fraction [-], entered and shown in %


LEVERS = {
    "carbon price": Lever("policy.carbon_price_eur_per_t", "carbon price", "EUR/tCO2",
                          0.0, 300.0, 0.0, 1e4),
    "renewable share target": Lever("policy.renewable_share_frac", "renewable share target",
                                    "%", 0.5, 1.0, 0.0, 1.0, percent=True),
    "grid electricity price": Lever("finance.grid_price_factor", "grid price factor",
                                    "x catalogue price", 0.5, 2.0, 0.01, 100.0),
    "accelerator price": Lever("finance.accelerator_price_factor", "accelerator price factor",
                               "x catalogue price", 0.6, 1.6, 0.01, 100.0),
    "largest country share": Lever("policy.max_country_share_frac",
                                   "largest member-state share cap", "%", 0.4, 1.0, 0.01, 1.0,
                                   percent=True),
}
"""Lever name -> the field a what-if sweeps (the same dotted paths a study file uses)."""

PARETO = "cost-emissions front (emission caps)"
"""The other kind of what-if: least cost under evenly spaced emission caps."""

MIN_VALUES, MAX_VALUES = 2, 21
WORKERS = 1
"""Local worker processes of a what-if: one, so the other core keeps the explorer quick."""


def lever_values(lever: Lever, start: float, stop: float, count: int) -> list[float]:
    """``count`` evenly spaced values from ``start`` to ``stop`` (both included).

    Raises :class:`ValueError` in words when the range leaves what the field allows.
    """
    if not MIN_VALUES <= count <= MAX_VALUES:
        raise ValueError(f"number of values must be {MIN_VALUES} to {MAX_VALUES}; got {count}")
    for name, value in (("start", start), ("stop", stop)):
        if not (math.isfinite(value) and lever.lowest <= value <= lever.highest):
            raise ValueError(f"{name} of the {lever.label} must be {_shown(lever, lever.lowest)} "
                             f"to {_shown(lever, lever.highest)}; got {_shown(lever, value)}")
    if start == stop:
        raise ValueError("start and stop are equal: give a range")
    return [round(float(v), 9) for v in np.linspace(start, stop, count)]


def _shown(lever: Lever, value: float) -> str:
    return f"{value:.0%}" if lever.percent else f"{value:,g} {lever.unit}"


def study_spec(name: str, lever: str, values: list[float] | None, points: int | None,
               time_limit_s: float, gap: float) -> dict:
    """The study file's content: the lever swept over ``values``, or a Pareto front."""
    spec: dict = {"study": f"whatif-{name}"[:64], "base": "base.yaml",
                  "solver": {"time_limit_s": time_limit_s, "mip_gap_frac": gap}}
    if lever == PARETO:
        spec["description"] = f"{name}: least cost under {points} emission caps (explorer)"
        spec["pareto"] = {"points": points}
    else:
        field_ = LEVERS[lever].field
        spec["description"] = f"{name}: {LEVERS[lever].label} over {len(values)} values (explorer)"
        spec["sweeps"] = [{"field": field_, "values": values}]
    return spec


def write_study(folder: Path, scenario: Scenario, spec: dict) -> Path:
    """Write ``base.yaml`` and ``study.yaml`` into ``folder``; return the study file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.yaml").write_text(to_yaml(scenario), encoding="utf-8")
    path = folder / "study.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def run_guarded(job, work: Callable[[], object], what: str) -> None:
    """Run ``work()`` for a background ``job``, its end time and any error kept on it.

    The error is kept in words on ``job.error`` (shown in the explorer, not lost in a
    thread); ``job.ended`` is set at the end either way.
    """
    try:
        work()
    except GigaplanError as exc:
        job.error = str(exc)
    except Exception as exc:  # noqa: BLE001
        job.error = f"the {what} stopped: {type(exc).__name__}: {exc}"
    finally:
        job.ended = time.monotonic()


class _Counter(Progress):
    def __init__(self) -> None:
        self.total = self.done = self.failed = 0

    def start(self, total: int, done: int, failed: int) -> None:
        self.total, self.done, self.failed = total, done, failed

    def update(self, done: int, failed: int) -> None:
        self.done, self.failed = done, failed


@dataclass
class WhatIf:
    """One what-if study running (or run) in a background thread."""

    lever: str
    folder: Path
    gap: float = 0.0  # the relative MIP gap each variant is solved to [-]
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    error: str | None = None
    counter: _Counter = field(default_factory=_Counter)
    thread: threading.Thread | None = None
    UNIT = "variants solved"  # what the progress line counts

    @classmethod
    def start(cls, scenario: Scenario, lever: str, values: list[float] | None = None,
              points: int | None = None, time_limit_s: float | None = None,
              gap: float | None = None) -> WhatIf:
        """Write the study for ``scenario`` and start running it."""
        folder = Path(tempfile.mkdtemp(prefix="gigaplan-whatif-"))
        gap = scenario.solver.mip_gap_frac if gap is None else gap
        spec = study_spec(scenario.name, lever, values, points,
                          time_limit_s or scenario.solver.time_limit_s, gap)
        study_file = write_study(folder, scenario, spec)
        job = cls(lever, folder, gap)
        job.thread = threading.Thread(target=job._run, args=(study_file,), daemon=True,
                                      name="gigaplan-whatif")
        job.thread.start()
        return job

    def _run(self, study_file: Path) -> None:
        run_guarded(self, lambda: run_study(study_file, self.folder / "out", workers=WORKERS,
                                            progress=self.counter), "study")

    @property
    def done(self) -> bool:
        """The study ended (with its results, or with ``error`` set)."""
        return self.ended is not None

    def line(self) -> str:
        """``3 of 5 variants solved, 12 s elapsed`` (failed ones counted apart)."""
        c = self.counter
        end = self.ended if self.ended is not None else time.monotonic()
        failed = f" ({c.failed} failed)" if c.failed else ""
        total = f" of {c.total}" if c.total else ""
        return f"{c.done}{total} {self.UNIT}{failed}, {end - self.started:,.0f} s elapsed"

    def results(self) -> pd.DataFrame:
        """The study table (:func:`planner.study.load`)."""
        return load(self.folder / "out")

    def workbook(self) -> bytes:
        """The study workbook (:func:`planner.report.study_to_excel`) as bytes."""
        from planner.report import study_to_excel

        path = self.folder / "whatif.xlsx"
        if not path.exists():
            study_to_excel(self.results(), path)
        return path.read_bytes()

    def discard(self) -> None:
        """Delete the study folder of a finished what-if (a new one replaces it)."""
        if self.done:
            shutil.rmtree(self.folder, ignore_errors=True)

    def archive(self) -> bytes:
        """The study folder (scenario, study file, results, table) as a zip file."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(self.folder.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(self.folder).as_posix())
        return buffer.getvalue()


def lever_column(frame: pd.DataFrame) -> str:
    """The column the study varied (the emission cap for a Pareto front)."""
    varied = frame.attrs.get("varied") or []
    if "policy.carbon_cap_t_per_year" in varied:
        return "policy.carbon_cap_t_per_year"
    return varied[0]


KPI_COLUMNS = ("tco_eur_per_year", "gpus", "emissions_t_per_year", "renewable_share",
               "sites_open")


def with_kpis(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every KPI the views read (blank where no variant was solved)."""
    out = frame.copy()
    for column in KPI_COLUMNS:
        if column not in out.columns:
            out[column] = np.nan
    out.attrs = frame.attrs
    return out


def solved(frame: pd.DataFrame) -> pd.DataFrame:
    """The variants with a plan (optimal or best at a limit), in lever order."""
    frame = with_kpis(frame)
    ok = frame[frame["status"].isin(("optimal", "time_limit", "stopped"))
               & frame["tco_eur_per_year"].notna()]
    return ok.sort_values(lever_column(frame), kind="stable")


def non_dominated(tco: pd.Series, emissions: pd.Series) -> pd.Series:
    """True for each plan no other plan beats on both cost and emissions (both minimised)."""
    order = np.lexsort((tco.to_numpy(), emissions.to_numpy()))
    keep = np.zeros(len(tco), dtype=bool)
    best = math.inf
    for i in order:
        if tco.iloc[i] < best:
            keep[i], best = True, tco.iloc[i]
    return pd.Series(keep, index=tco.index)


def _x(frame: pd.DataFrame, lever: str) -> tuple[pd.Series, str]:
    column = lever_column(frame)
    if lever in LEVERS:
        spec = LEVERS[lever]
        values = frame[column].astype(float)
        return (values * 100, f"{spec.label} [%]") if spec.percent else (
            values, f"{spec.label} [{spec.unit}]")
    return frame[column].astype(float) / 1e3, "emission cap [ktCO2/yr]"


def curve_figure(frame: pd.DataFrame, lever: str) -> go.Figure:
    """TCO, sites and emissions against the lever, one panel each."""
    ok = solved(frame)
    x, title = _x(ok, lever)
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=("TCO [M EUR/yr]", "sites open", "emissions [ktCO2/yr]"))
    panels = ((ok["tco_eur_per_year"] / 1e6, "TCO", "%{y:,.1f} M EUR/yr"),
              (ok["sites_open"], "sites open", "%{y:.0f} sites"),
              (ok["emissions_t_per_year"] / 1e3, "emissions", "%{y:,.1f} ktCO2/yr"))
    for row, (y, name, hover) in enumerate(panels, start=1):
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=name,
                                 customdata=ok["open_sites"].str.replace(";", ", "),
                                 hovertemplate=f"{hover}<br>%{{customdata}}<extra></extra>"),
                      row=row, col=1)
    fig.update_xaxes(title_text=title, row=3, col=1)
    fig.update_layout(template="plotly_white", height=620, showlegend=False,
                      title=f"What-if: {lever}")
    return fig


def pareto_figure(frame: pd.DataFrame, lever: str) -> go.Figure:
    """Cost against emissions of every solved variant, the non-dominated ones joined."""
    ok = solved(frame)
    x, title = _x(ok, lever)
    front = non_dominated(ok["tco_eur_per_year"], ok["emissions_t_per_year"])
    em, tco = ok["emissions_t_per_year"] / 1e3, ok["tco_eur_per_year"] / 1e6
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=em[front], y=tco[front], mode="lines+markers",
                             name="non-dominated plans", marker={"size": 9},
                             customdata=x[front],
                             hovertemplate=(f"%{{x:,.1f}} ktCO2/yr, %{{y:,.1f}} M EUR/yr<br>"
                                            f"{title}: %{{customdata:,.4g}}<extra></extra>")))
    if (~front).any():
        fig.add_trace(go.Scatter(x=em[~front], y=tco[~front], mode="markers",
                                 name="dominated plans", marker={"size": 7, "color": "#bbbbbb"},
                                 customdata=x[~front],
                                 hovertemplate=(f"%{{x:,.1f}} ktCO2/yr, %{{y:,.1f}} M EUR/yr<br>"
                                                f"{title}: %{{customdata:,.4g}}<extra></extra>")))
    fig.update_layout(template="plotly_white", height=420, title="Cost against emissions",
                      xaxis={"title": "emissions [ktCO2/yr]"}, yaxis={"title": "TCO [M EUR/yr]"},
                      legend={"orientation": "h", "y": -0.25})
    return fig


def result_table(frame: pd.DataFrame, lever: str) -> pd.DataFrame:
    """One row a variant: the lever, status, TCO, GPUs, emissions, renewable share, sites."""
    frame = with_kpis(frame)
    x, title = _x(frame, lever)
    return pd.DataFrame({
        title: x.to_numpy(), "status": frame["status"].to_numpy(),
        "TCO [M EUR/yr]": (frame["tco_eur_per_year"] / 1e6).round(2).to_numpy(),
        "GPUs": frame["gpus"].to_numpy(),
        "emissions [ktCO2/yr]": (frame["emissions_t_per_year"] / 1e3).round(2).to_numpy(),
        "renewable share [%]": (frame["renewable_share"] * 100).round(1).to_numpy(),
        "sites": frame["open_sites"].fillna("").str.replace(";", ", ").to_numpy(),
        "why not solved": frame["reason"].fillna("").to_numpy()})
