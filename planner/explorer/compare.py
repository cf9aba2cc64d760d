"""Plans side by side: KPIs with the differences marked, sites, costs and inputs that differ."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from planner.cli.render import format_value
from planner.labels import column_label, general_text, is_fraction, source_label
from planner.optimise import Plan
from planner.optimise.plan import status_words
from planner.report.labels import KPI_LABELS, SUFFIX_UNITS

FINANCE_KPIS = ("npv_cost_eur", "finance_horizon_years", "capex_over_horizon_eur",
                "energy_eur_per_year", "eur_per_gpu_hour_excl_energy",
                "eur_per_million_training_tokens_excl_energy")
"""Finance KPIs compared when a plan has them (labelled by the report's KPI labels)."""
LOWER_IS_BETTER = frozenset({
    "tco_eur_per_year", "capex_eur", "eur_per_gpu_hour", "eur_per_pflop_day",
    "eur_per_million_training_tokens", "pue", "emissions_t_per_year", "water_m3_per_year",
    "npv_cost_eur", "capex_over_horizon_eur", "energy_eur_per_year",
    "eur_per_gpu_hour_excl_energy", "eur_per_million_training_tokens_excl_energy"})
HIGHER_IS_BETTER = frozenset({"renewable_share", "renewable_share_hourly"})
RELATIVE_TOLERANCE = 0.005
"""Changes smaller than this fraction of the baseline count as equal (solver gap noise)."""

BETTER, WORSE, CHANGED = "#d9f0d3", "#fddbc7", "#fff2b2"


MAX_CHANGES_NAMED = 2
"""A plan's label names at most this many of the inputs it changed (then "+N more")."""


def plan_label(plan: Plan) -> str:
    """``demo-small · f9f35f``: the scenario's name and the start of its hash."""
    return f"{plan.meta.get('scenario', '?')} · {str(plan.meta.get('scenario_hash', ''))[:6]}"


def field_phrase(path: str, value: Any) -> str:
    """``policy.carbon_price_eur_per_t``, 300 -> ``carbon price 300 EUR/tCO2``.

    The last part of the path in words, its value, and the unit its suffix states.
    """
    name = path.rsplit(".", 1)[-1]
    unit = ""
    for suffix, suffix_unit in SUFFIX_UNITS:
        if name.endswith(suffix) and len(name) > len(suffix):
            name, unit = name.removesuffix(suffix), suffix_unit
            break
    shown = format_value(value) if isinstance(value, (int, float)) and not isinstance(
        value, bool) else str(value)
    if unit == "fraction" and isinstance(value, (int, float)):
        shown, unit = f"{value:.0%}", ""
    return " ".join(p for p in (name.replace("_", " "), shown, unit) if p)


def changes_against(plan: Plan, reference: Plan) -> list[str]:
    """The scenario inputs ``plan`` sets differently from ``reference``, in words."""
    mine = _flatten(plan.meta.get("scenario_spec") or {})
    theirs = _flatten(reference.meta.get("scenario_spec") or {})
    fields = sorted((set(mine) | set(theirs)) - {"name", "description"})
    return [field_phrase(f, mine.get(f)) for f in fields if mine.get(f) != theirs.get(f)]


def plan_labels(plans: Mapping[str, Plan]) -> dict[str, str]:
    """A label for each plan (same keys) that says what it is.

    Its scenario's name and, for a later plan of a scenario already in ``plans``, what
    it changed against the first plan of that name (``demo-small: carbon price 300
    EUR/tCO2``).

    A plan whose ``meta["explorer_label"]`` is set (an alternative) keeps that label.
    Labels stay unique: two plans that read the same get their scenario hash appended.
    """
    first: dict[str, Plan] = {}
    labels: dict[str, str] = {}
    for key, plan in plans.items():
        if plan.meta.get("explorer_label"):  # named where it was made (an alternative)
            labels[key] = str(plan.meta["explorer_label"])
            continue
        name = str(plan.meta.get("scenario", "?"))
        reference = first.setdefault(name, plan)
        changes = changes_against(plan, reference) if plan is not reference else []
        if len(changes) > MAX_CHANGES_NAMED:
            changes = changes[:MAX_CHANGES_NAMED] + [
                f"+{len(changes) - MAX_CHANGES_NAMED} more"]
        labels[key] = f"{name}: {', '.join(changes)}" if changes else name
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    return {key: label if counts[label] == 1
            else f"{label} · {str(plans[key].meta.get('scenario_hash', ''))[:6]}"
            for key, label in labels.items()}


def percent_change(base: float | None, value: float | None) -> str:
    """``+12.3 %`` of ``value`` against ``base``; blank where either is missing or 0."""
    if base is None or value is None or not all(map(math.isfinite, (base, value))) \
            or base == 0:
        return ""
    return f"{value / base - 1:+.1%}"


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


DELTA = "{label}, change [%]"
"""Header of the column with a plan's change against the baseline [%]."""


def kpi_comparison(plans: dict[str, Plan]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """KPIs (rows) of each plan (columns), and each cell's change against the first plan.

    Every plan after the first gets a second column, its change against the first in %
    (:data:`DELTA`). Returns the formatted table and a same-shaped table of ``better`` /
    ``worse`` / ``changed`` / ``""`` (the first plan is the baseline).
    """
    labels = list(plans)
    base = plans[labels[0]]
    columns = [labels[0]]
    for label in labels[1:]:
        columns += [label, DELTA.format(label=label)]
    rows = {"status": [status_words(p.status) for p in plans.values()],
            "proven gap": ["" if p.gap is None else f"{p.gap:.2%}" for p in plans.values()]}
    marks = {"status": ["" if p.status == base.status else "changed" for p in plans.values()],
             "proven gap": [""] * len(plans)}
    rows = {k: _with_deltas(v, [""] * len(plans)) for k, v in rows.items()}
    marks = {k: _with_deltas(v, v) for k, v in marks.items()}
    labels_ = {**KPI_LABELS, **{k: source_label(k) for k in FINANCE_KPIS if k not in KPI_LABELS}}
    for key, label in labels_.items():
        if not any(key in p.kpis for p in plans.values()):
            continue
        values = [p.kpis.get(key) for p in plans.values()]
        change = [_change(key, base.kpis.get(key), v) for v in values]
        rows[label] = _with_deltas([_shown(key, v) for v in values],
                                   [percent_change(base.kpis.get(key), v) for v in values])
        marks[label] = _with_deltas(change, change)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table.index.name = "KPI"
    return table, pd.DataFrame.from_dict(marks, orient="index", columns=columns)


SHARES = frozenset({"renewable_share", "renewable_share_hourly", "erf"})
"""KPIs that are fractions [-], shown in %."""


def _shown(key: str, value: float | None) -> str:
    if key in SHARES and value is not None and math.isfinite(value):
        return f"{value:.1%}"
    return format_value(value)


def _with_deltas(values: list, deltas: list) -> list:
    """``[v0, v1, d1, v2, d2, ...]``: each value after the first followed by its delta."""
    out = [values[0]]
    for value, delta in zip(values[1:], deltas[1:], strict=True):
        out += [value, delta]
    return out


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
            name = field.rsplit(".", 1)[-1]
            rows[field] = [column_label(name), *(_input_text(name, v) for v in values)]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["input", *plans])
    table.index.name = "scenario field"
    return table


def _input_text(name: str, value: Any) -> str:
    """A scenario value as the reader sees it under its label: fractions in %, blanks "–"."""
    if is_fraction(name) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{100 * value:,.1f} %"
    return general_text(value)


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
