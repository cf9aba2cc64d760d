"""Siting a board can defend, in the explorer: why this plan, robustness, alternatives.

Pure functions returning tables and plotly figures, and two background runs: a
robustness study on the study machinery (:class:`RobustnessRun`, the What-if's pattern)
and the near-optimal alternatives in a thread (:class:`AlternativesRun`). Tables are the
ones the CLI and the workbook show (:mod:`planner.siting.tables`).
"""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from planner.catalogue import Catalogue
from planner.explorer.plans import scenario_of
from planner.explorer.whatif import WhatIf, run_guarded, write_study
from planner.optimise import Plan
from planner.scenario import Scenario
from planner.siting import tables
from planner.siting.why import PARTS, site_costs
from planner.study.robustness import driver_lines

PART_COLOURS = {"power": "#f28e2b", "cooling": "#4e79a7", "building": "#9c755f",
                "labour": "#b07aa1", "grid_upgrade": "#e15759", "heat_revenue": "#59a14f"}
DEFAULT_DRAWS, MAX_DRAWS = 10, 200
MIN_SLACK_PCT, MAX_SLACK_PCT = 0.1, 100.0
MAX_ALTERNATIVES = 12


# --- Why this plan -------------------------------------------------------------------------


def why_sites(plan: Plan, catalogue: Catalogue) -> pd.DataFrame:
    """The levelised cost of 1 MW of IT at every candidate site of the plan's scenario.

    :func:`planner.siting.why.site_costs` on the plan's own scenario (about 1 s for the
    demo, 7 s for the flagship: the caller caches it by the plan's digest).
    """
    from planner.optimise.prepare import prepare

    return site_costs(plan, prepare(scenario_of(plan), catalogue), catalogue)


def parts_figure(costs: pd.DataFrame) -> go.Figure:
    """Stacked bars of the parts of the levelised cost by site, cheapest first."""
    fig = go.Figure()
    sites = list(costs.index)
    for part in PARTS:
        values = costs[f"{part}_eur_per_mw_year"] / 1e3
        fig.add_trace(go.Bar(x=sites, y=values, name=tables.PART_HEADERS[part],
                             marker_color=PART_COLOURS[part],
                             hovertemplate="%{x}: %{y:,.1f} k EUR/yr per MW<extra>"
                                           f"{tables.PART_HEADERS[part]}</extra>"))
    totals = costs["total_eur_per_mw_year"] / 1e3
    fig.add_trace(go.Scatter(x=sites, y=totals, mode="markers", name="total",
                             marker={"color": "black", "symbol": "line-ew-open", "size": 18},
                             hovertemplate="%{x}: total %{y:,.1f} k EUR/yr per MW"
                                           "<extra></extra>"))
    fig.update_layout(template="plotly_white", barmode="relative", height=420,
                      title="Levelised cost of 1 MW of IT by site and part",
                      yaxis={"title": "k EUR/yr per MW of IT"},
                      legend={"orientation": "h", "y": -0.2})
    return fig


def price_policies(plan: Plan, catalogue: Catalogue) -> pd.DataFrame:
    """What each policy the plan's scenario sets costs, and the plan's full-year repair.

    One re-solve per policy; the repair row only when the plan's check repaired it.
    """
    from planner.siting.why import policy_costs, with_repair

    return with_repair(policy_costs(scenario_of(plan), catalogue)[0], plan)


# --- Robustness ----------------------------------------------------------------------------


def robustness_spec(name: str, draws: int, seed: int, time_limit_s: float) -> dict:
    """A robustness study of ``draws`` draws of the estimated inputs of ``base.yaml``."""
    if not 1 <= draws <= MAX_DRAWS:
        raise ValueError(f"draws must be 1 to {MAX_DRAWS}; got {draws}")
    return {"study": f"robustness-{name}"[:64], "base": "base.yaml",
            "description": f"{draws} draws of the estimated inputs of {name} (explorer)",
            "set": {"time.full_year_check": "off"}, "robustness": {"draws": int(draws)},
            "seed": int(seed), "solver": {"time_limit_s": time_limit_s}}


@dataclass
class RobustnessRun(WhatIf):
    """A robustness study running (or run) in a background thread; then its summary."""

    UNIT = "solves done (the base plan, then each draw twice)"
    draws: int = 0
    _summary: object = field(default=None, repr=False)

    @classmethod
    def start_draws(cls, scenario: Scenario, draws: int, seed: int = 2026,
                    time_limit_s: float | None = None) -> RobustnessRun:
        """Write the study for ``scenario`` and start running it."""
        spec = robustness_spec(scenario.name, draws, seed,
                               time_limit_s or scenario.solver.time_limit_s)
        folder = Path(tempfile.mkdtemp(prefix="gigaplan-robustness-"))
        job = cls("robustness", folder, scenario.solver.mip_gap_frac, draws=draws)
        study_file = write_study(folder, scenario, spec)
        job.thread = threading.Thread(target=job._run, args=(study_file,), daemon=True,
                                      name="gigaplan-robustness")
        job.thread.start()
        return job

    def summary(self, catalogue: Catalogue):
        """The :class:`planner.study.robustness.Robustness` of the finished study."""
        if self._summary is None:
            from planner.study.robustness import summarise

            self._summary = summarise(self.folder / "out", catalogue)
            self._summary.save(self.folder / "out")
        return self._summary

    def robustness_workbook(self, catalogue: Catalogue) -> bytes:
        """The study workbook with its Robustness and Draws sheets, as bytes."""
        from planner.report import study_to_excel

        path = self.folder / "robustness.xlsx"
        if not path.exists():
            study_to_excel(self.results(), path, self.summary(catalogue))
        return path.read_bytes()


def robustness_lines(robust) -> list[str]:
    """The findings in words: where each site opens, the cost spread, the regret."""
    s = robust.summary
    lines = [f"{row.site} ({row.country}) open in {row.open_share_frac:.0%} of draws"
             + (" (in the base plan)" if row.open_in_base else "")
             for row in robust.sites.itertuples() if pd.notna(row.open_share_frac)]
    if s.get("tco_min_eur_per_year") is not None:
        lines.append(f"TCO of the draws {s['tco_min_eur_per_year'] / 1e6:,.2f} to "
                     f"{s['tco_max_eur_per_year'] / 1e6:,.2f} M EUR/yr (base plan "
                     f"{s['base_tco_eur_per_year'] / 1e6:,.2f})")
    if s.get("regret_max_eur_per_year") is not None:
        lines.append(f"regret of the base siting: mean {s['regret_mean_eur_per_year'] / 1e6:,.3f},"
                     f" highest {s['regret_max_eur_per_year'] / 1e6:,.3f} M EUR/yr "
                     f"({(s.get('regret_max_frac') or 0.0):.2%} of the draw's TCO)")
    if s.get("draws_base_sites_infeasible"):
        lines.append(f"{s['draws_base_sites_infeasible']} draws in which the base sites "
                     "cannot hold the plan (no regret figure)")
        lines += [f"the base sites fail exactly when {line}"
                  for line in driver_lines(robust.drivers)]
    return lines


def spread_figure(robust) -> go.Figure:
    """TCO across the draws (the optimum, the base sites) and the regret's histogram."""
    draws = robust.draws[np.isfinite(robust.draws["tco_eur_per_year"])]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], subplot_titles=(
        "TCO across the draws [M EUR/yr]", "regret of the base siting [M EUR/yr]"))
    for column, name in (("tco_eur_per_year", "draw's optimum"),
                         ("tco_base_sites_eur_per_year", "base plan's sites")):
        fig.add_trace(go.Box(y=draws[column] / 1e6, name=name, boxpoints="all", jitter=0.3,
                             customdata=draws["draw"],
                             hovertemplate="draw %{customdata}: %{y:,.3f} M EUR/yr"
                                           "<extra></extra>"), row=1, col=1)
    base = robust.summary.get("base_tco_eur_per_year")
    if base is not None and np.isfinite(base):
        fig.add_hline(y=base / 1e6, line_dash="dot", annotation_text="base plan", row=1, col=1)
    fig.add_trace(go.Histogram(x=draws["regret_eur_per_year"] / 1e6, name="regret",
                               marker_color="#e15759", nbinsx=20,
                               hovertemplate="%{x} M EUR/yr: %{y} draws<extra></extra>"),
                  row=1, col=2)
    fig.update_xaxes(title_text="M EUR/yr", row=1, col=2)
    fig.update_yaxes(title_text="draws", row=1, col=2)
    fig.update_layout(template="plotly_white", height=420, showlegend=False,
                      title="Robustness: cost spread and regret")
    return fig


# --- Alternatives --------------------------------------------------------------------------


@dataclass
class AlternativesRun:
    """Near-optimal alternatives of a plan's scenario, found in a background thread."""

    name: str
    slack: float
    count: int
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    error: str | None = None
    found: object = None
    thread: threading.Thread | None = None

    @classmethod
    def start(cls, scenario: Scenario, catalogue: Catalogue, slack: float,
              count: int) -> AlternativesRun:
        """Start :func:`planner.siting.alternatives.alternatives` for ``scenario``."""
        job = cls(scenario.name, slack, count)
        job.thread = threading.Thread(target=job._run, args=(scenario, catalogue),
                                      daemon=True, name="gigaplan-alternatives")
        job.thread.start()
        return job

    def _run(self, scenario: Scenario, catalogue: Catalogue) -> None:
        from planner.siting.alternatives import alternatives

        def work() -> None:
            self.found = alternatives(scenario, catalogue, slack=self.slack, count=self.count)

        run_guarded(self, work, "search")

    @property
    def done(self) -> bool:
        """The search ended (with its plans, or with ``error`` set)."""
        return self.ended is not None

    def line(self) -> str:
        """``searching within 5 % of the optimum, 8 s elapsed`` (or what was found)."""
        end = self.ended if self.ended is not None else time.monotonic()
        what = (f"{len(self.found.plans) - 1} alternatives found" if self.found is not None
                else f"searching for {self.count} alternatives")
        return f"{what} within {self.slack:.1%} of the optimum's TCO, {end - self.started:,.0f} s" \
               " elapsed"


def alternative_labels(found) -> dict[str, str]:
    """``demo-small · alternative a01 (without IT, +10.3 %)`` for each plan but the optimum."""
    name = found.meta.get("scenario", "?")
    return {row.plan: f"{name} · alternative {row.plan} ({row.direction}, "
                      f"{100 * row.tco_above_optimum_frac:+.1f} %)"
            for row in found.summary.itertuples() if row.plan != "optimum"}


def labelled_alternatives(found, digest: str) -> dict[str, Plan]:
    """The alternatives as session plans: key ``<digest>:<id>``, their label in meta."""
    out = {}
    for plan_id, label in alternative_labels(found).items():
        plan = found.plans[plan_id]
        plan.meta["explorer_label"] = label
        out[f"{digest}:{plan_id}"] = plan
    return out


def share_figure(by_country: pd.DataFrame) -> go.Figure:
    """Each plan's IT nameplate by member state [%], stacked."""
    wide = tables.share_by_country_table(by_country)
    fig = go.Figure()
    for column in wide.columns[1:]:
        fig.add_trace(go.Bar(x=wide["plan"], y=wide[column], name=column.removesuffix(" [%]"),
                             hovertemplate="%{x}: %{y:.1f} %<extra>"
                                           f"{column.removesuffix(' [%]')}</extra>"))
    fig.update_layout(template="plotly_white", barmode="stack", height=380,
                      title="Share of the IT nameplate by member state",
                      yaxis={"title": "share of IT [%]", "range": [0, 100]},
                      legend={"title": "member state"})
    return fig
