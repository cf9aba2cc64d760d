"""Fleet and cost figures of a plan (plotly), from the same tables as the Excel report."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from planner.colours import ACCELERATOR_PALETTE, accelerator_colours
from planner.optimise import Plan
from planner.report.plan_tables import ANNUAL, CAPEX, COST_ITEMS

ACCELERATOR_COLOURS = ACCELERATOR_PALETTE
"""The accelerators' colours (:data:`planner.colours.ACCELERATOR_PALETTE`), by catalogue order."""


def fleet_figure(plan: Plan, accelerator_ids: list[str] | None = None) -> go.Figure:
    """GPUs by chosen site, stacked by accelerator.

    ``accelerator_ids``: the catalogue's accelerators in order, which fix each one's
    colour (:func:`planner.colours.accelerator_colours`), as on the roofline chart;
    by default the plan's accelerators in alphabetical order.
    """
    fleet = plan.fleet
    colours = accelerator_colours(accelerator_ids or sorted(fleet["accelerator"].unique()))
    order = fleet.groupby("site")["gpus"].sum().sort_values(ascending=False).index.tolist()
    fig = go.Figure()
    for acc, rows in fleet.groupby("accelerator", sort=True):
        by_site = rows.groupby("site")[["gpus", "nodes", "it_mw"]].sum().reindex(order)
        fig.add_trace(go.Bar(
            x=order, y=by_site["gpus"], name=acc,
            marker_color=colours.get(acc),
            customdata=by_site[["nodes", "it_mw"]].to_numpy(),
            hovertemplate=(f"{acc}<br>%{{y:,.0f}} GPUs in %{{customdata[0]:,.0f}} nodes"
                           "<br>%{customdata[1]:,.2f} MW IT<extra></extra>")))
    fig.update_layout(barmode="stack", template="plotly_white", title="GPUs by site",
                      yaxis={"title": "GPUs"}, height=400, legend={"title": "accelerator"})
    return fig


def cost_figure(by_site: pd.DataFrame) -> go.Figure:
    """Annual cost by item (largest first), stacked by site; heat revenue below zero.

    ``by_site`` is the report's cost table by item and site
    (``planner.report.plan_tables.cost_tables``).
    """
    totals = by_site.groupby("item")[ANNUAL].sum().sort_values()
    fig = go.Figure()
    for site, rows in by_site.groupby("site", sort=True):
        values = rows.groupby("item")[ANNUAL].sum().reindex(totals.index).fillna(0.0)
        fig.add_trace(go.Bar(
            y=totals.index, x=values, name=site, orientation="h",
            customdata=[COST_ITEMS.get(i, i) for i in totals.index],
            hovertemplate=f"{site}<br>%{{customdata}}<br>%{{x:,.0f}} EUR/yr<extra></extra>"))
    fig.update_layout(barmode="relative", template="plotly_white",
                      title="Annual cost by item [EUR/yr]", height=80 + 32 * len(totals),
                      xaxis={"title": "EUR/yr"}, legend={"title": "site"})
    return fig


def cost_summary(items: pd.DataFrame) -> pd.DataFrame:
    """The report's cost-by-item table with each item's share of the annual total."""
    out = items.copy()
    total = out[ANNUAL].sum()
    out["share of TCO [fraction]"] = out[ANNUAL] / total if total else float("nan")
    return out[["item", "what", CAPEX, ANNUAL, "share of TCO [fraction]"]]
