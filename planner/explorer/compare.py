"""Plans side by side: KPIs with the differences marked, sites, costs and inputs that differ."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from planner.cli.render import format_value
from planner.optimise import Plan
from planner.report.labels import KPI_LABELS

LOWER_IS_BETTER = frozenset({
    "tco_eur_per_year", "capex_eur", "eur_per_gpu_hour", "eur_per_pflop_day",
    "eur_per_million_training_tokens", "pue", "emissions_t_per_year", "water_m3_per_year"})
HIGHER_IS_BETTER = frozenset({"renewable_share", "renewable_share_hourly"})
RELATIVE_TOLERANCE = 0.005
"""Changes smaller than this fraction of the baseline count as equal (solver gap noise)."""

BETTER, WORSE, CHANGED = "#d9f0d3", "#fddbc7", "#fff2b2"


def plan_label(plan: Plan) -> str:
    """``demo-small · f9f35f``: the scenario's name and the start of its hash."""
    return f"{plan.meta.get('scenario', '?')} · {str(plan.meta.get('scenario_hash', ''))[:6]}"


def _change(key: str, base: float | None, value: float | None) -> str:
    """``better``, ``worse``, ``changed`` or ``""`` for a KPI against the baseline."""
    if base is None or value is None or not all(map(math.isfinite, (base, value))):
        return ""  # a plan without numbers: its status row says so
    if abs(value - base) <= RELATIVE_TOLERANCE * max(abs(base), 1e-12):
        return ""
    if key in LOWER_IS_BETTER:
        return "better" if value < base else "worse"
    if key in HIGHER_IS_BETTER:
        return "better" if value > base else "worse"
    return "changed"


def kpi_comparison(plans: dict[str, Plan]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """KPIs (rows) of each plan (columns), and each cell's change against the first plan.

    Returns the formatted table and a same-shaped table of ``better`` / ``worse`` /
    ``changed`` / ``""`` (the first plan is the baseline).
    """
    labels = list(plans)
    base = plans[labels[0]]
    rows = {"status": [p.status for p in plans.values()],
            "proven gap": ["" if p.gap is None else f"{p.gap:.2%}" for p in plans.values()]}
    marks = {"status": ["" if p.status == base.status else "changed" for p in plans.values()],
             "proven gap": [""] * len(plans)}
    for key, label in KPI_LABELS.items():
        if not any(key in p.kpis for p in plans.values()):
            continue
        rows[label] = [format_value(p.kpis.get(key)) for p in plans.values()]
        marks[label] = [_change(key, base.kpis.get(key), p.kpis.get(key))
                        for p in plans.values()]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=labels)
    table.index.name = "KPI"
    return table, pd.DataFrame.from_dict(marks, orient="index", columns=labels)


def highlight(table: pd.DataFrame, marks: pd.DataFrame) -> Styler:
    """Colour each cell by its mark: green better, red worse, yellow changed."""
    colours = {"better": BETTER, "worse": WORSE, "changed": CHANGED}
    css = marks.map(lambda m: f"background-color: {colours[m]}" if m in colours else "")
    return table.style.apply(lambda _: css, axis=None)


def site_comparison(plans: dict[str, Plan]) -> pd.DataFrame:
    """Chosen sites (rows) in each plan (columns): GPUs, facility MW and cooling."""
    cells: dict[str, dict[str, str]] = {}
    for label, plan in plans.items():
        if not plan.has_solution:
            continue
        sites = plan.sites[plan.sites["open"]]
        gpus = sites[[c for c in sites.columns if c.startswith("gpus_")]].sum(axis=1)
        for site, row in sites.iterrows():
            cells.setdefault(str(site), {})[label] = (
                f"{gpus[site]:,.0f} GPUs, {row['facility_mw_mean']:,.1f} MW, {row['cooling']}")
    table = pd.DataFrame.from_dict(cells, orient="index", columns=list(plans)).fillna("")
    table.index.name = "site"
    return table


def _flatten(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        out = {}
        for i, inner in enumerate(value):
            out.update(_flatten(inner, f"{path}[{i}]"))
        return out
    if isinstance(value, list):
        return {path: ", ".join(map(str, value))}
    return {path: value}


def input_differences(plans: dict[str, Plan]) -> pd.DataFrame:
    """The scenario fields whose values differ between the plans (one row a field)."""
    flat = {label: _flatten(plan.meta.get("scenario_spec") or {}) for label, plan in plans.items()}
    fields = sorted(set().union(*(f.keys() for f in flat.values())) - {"name", "description"})
    rows = {}
    for field in fields:
        values = [flat[label].get(field) for label in plans]
        if any(v != values[0] for v in values[1:]):
            rows[field] = ["" if v is None else str(v) for v in values]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(plans))
    table.index.name = "scenario field"
    return table


def cost_comparison_figure(plans: dict[str, Plan]) -> go.Figure:
    """Annual cost by item, one group of bars a plan [EUR/yr]."""
    fig = go.Figure()
    for label, plan in plans.items():
        if not plan.has_solution:
            continue
        items = plan.costs.groupby("item")["eur_per_year"].sum()
        fig.add_trace(go.Bar(x=items.index, y=items.to_numpy(), name=label,
                             hovertemplate=f"{label}<br>%{{x}}: %{{y:,.0f}} EUR/yr<extra></extra>"))
    fig.update_layout(barmode="group", template="plotly_white", height=420,
                      title="Annual cost by item [EUR/yr]", yaxis={"title": "EUR/yr"},
                      legend={"orientation": "h", "y": -0.3})
    return fig
