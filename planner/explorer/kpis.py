"""A plan at a glance: its status in words and the headline KPIs, formatted for people."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from planner.cli.render import format_value
from planner.optimise import Plan
from planner.report.labels import KPI_LABELS


@dataclass(frozen=True)
class Metric:
    """One headline figure: label with unit, formatted value, and what it means."""

    label: str
    value: str
    help: str


def money(eur: float) -> str:
    """``13.7 M``, ``1.24 bn``, ``950 k``: euros at three significant figures."""
    if eur is None or not math.isfinite(eur):
        return "-"
    for scale, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(eur) >= scale:
            return f"{eur / scale:,.3g}{suffix}"
    return f"{eur:,.0f}"


def megawatts(mw: float | None) -> str:
    """``0.92``, ``12.4``, ``1,050``: power at a precision that suits its size."""
    if mw is None or not math.isfinite(mw):
        return "-"
    return f"{mw:,.2f}" if abs(mw) < 10 else f"{mw:,.1f}" if abs(mw) < 100 else f"{mw:,.0f}"


def _number(value: float | None, spec: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return format(value, spec)


def status_line(plan: Plan) -> str:
    """``optimal, proven gap 0.51 %, solved in 1.6 s`` and the like."""
    text = plan.status.replace("_", " ")
    if plan.status == "time_limit":
        text = "time limit reached; best plan found"
    elif plan.status == "stopped":
        text = "stopped on request; best plan found"
    if plan.gap is not None:
        text += f", proven gap {plan.gap:.2%}"
    timings = plan.meta.get("timings", {})
    if timings:
        text += f", solved in {sum(timings.values()):,.1f} s"
    return text


def full_year_line(plan: Plan) -> str | None:
    """One sentence on the full-year check (None when the plan was not checked)."""
    if not len(plan.check):
        return None
    check = plan.meta.get("full_year_check", {})
    repaired = len(check.get("repair_rounds", []))
    how = f" after {repaired} repair step{'s' if repaired != 1 else ''}" if repaired else ""
    if plan.check_breaks:
        offer = " (solve with time.full_year_check: repair to fix it)" \
            if check.get("mode") == "report" else ""
        return f"Replayed on all 8760 hours{how}, the plan breaks{offer}:"
    return f"Replayed on all 8760 hours{how}, the plan holds."


def headline(plan: Plan) -> list[Metric]:
    """The eight figures a planner looks at first (the issue's "KPIs at a glance")."""
    k = plan.kpis
    return [
        Metric("TCO [EUR/yr]", money(k.get("tco_eur_per_year")),
               "total cost of ownership: annualised capex plus opex, less heat revenue"),
        Metric("EUR/GPU-h", _number(k.get("eur_per_gpu_hour"), ",.2f"),
               "cost per GPU-hour: TCO over every installed GPU's hours in a year"),
        Metric("GPUs", _number(k.get("gpus"), ",.0f"), "accelerators installed, all sites"),
        Metric("facility MW", megawatts(k.get("facility_mw")),
               f"mean facility load; IT load {megawatts(k.get('it_mw'))} MW"),
        Metric("PUE", _number(k.get("pue"), ".2f"),
               "facility energy over IT energy over the year"),
        Metric("renewables", _number(k.get("renewable_share"), ".0%"),
               "renewable energy consumed (net of curtailment) over facility energy, annual "
               "(REF); hourly-matched: "
               + _number(k.get("renewable_share_hourly"), ".0%")),
        Metric("tCO2/yr", _number(k.get("emissions_t_per_year"), ",.0f"),
               "emissions: grid imports at their hourly carbon intensity, standby and gas "
               "turbine fuel"),
        Metric("proven gap", _number(plan.gap, ".2%"),
               "how far from the best possible plan the solver has proven this one to be"),
    ]


def kpi_table(plan: Plan) -> pd.DataFrame:
    """Every KPI with its label and unit (the CLI's and the report's labels)."""
    return pd.DataFrame([{"KPI": label, "value": format_value(plan.kpis[key])}
                         for key, label in KPI_LABELS.items() if key in plan.kpis])
