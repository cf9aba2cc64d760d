"""A plan at a glance: its status in words and the headline KPIs, formatted for people."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from planner.cli.render import format_value
from planner.labels import source_label
from planner.optimise import Plan
from planner.report.labels import KPI_LABELS, split_label


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


def tonnes_co2(t: float | None) -> str:
    """``424 t``, ``113.4 kt``, ``1.23 Mt``: tonnes of CO2 compactly (unit included)."""
    if t is None or not math.isfinite(t):
        return "-"
    if abs(t) >= 1e6:
        return f"{t / 1e6:,.3g} Mt"
    if abs(t) >= 1e3:
        return f"{t / 1e3:,.1f} kt"
    return f"{t:,.0f} t"


def _with_unit(text: str, unit: str) -> str:
    return text if text == "-" else f"{text} {unit}"


def headline(plan: Plan) -> list[Metric]:
    """The eight figures a planner looks at first (the issue's "KPIs at a glance").

    Each value carries its unit and stays short enough for a tile (``14.2 M EUR/yr``,
    ``113.4 kt CO2/yr``).
    """
    k = plan.kpis
    return [
        Metric("TCO", _with_unit(money(k.get("tco_eur_per_year")), "EUR/yr"),
               "total cost of ownership: annualised capex plus opex, less heat revenue"),
        Metric("cost per GPU-hour", _with_unit(_number(k.get("eur_per_gpu_hour"), ",.2f"),
                                               "EUR/GPU-h"),
               "TCO over every installed GPU's hours in a year"),
        Metric("GPUs", _number(k.get("gpus"), ",.0f"), "accelerators installed, all sites"),
        Metric("facility load", _with_unit(megawatts(k.get("facility_mw")), "MW"),
               f"mean facility load; IT load {megawatts(k.get('it_mw'))} MW"),
        Metric("PUE", _number(k.get("pue"), ".2f"),
               "power usage effectiveness: facility energy over IT energy over the year [-]"),
        Metric("renewables", _percent(k.get("renewable_share"), 0),
               "renewable energy consumed (net of curtailment) over facility energy, annual "
               "(REF); hourly-matched: " + _percent(k.get("renewable_share_hourly"), 0)),
        Metric("emissions", _with_unit(tonnes_co2(k.get("emissions_t_per_year")), "CO2/yr"),
               "grid imports at their hourly carbon intensity, standby and gas turbine fuel: "
               f"{_number(k.get('emissions_t_per_year'), ',.0f')} tCO2/yr"),
        Metric("proven gap", _percent(plan.gap, 2),
               "how far from the best possible plan the solver has proven this one to be"),
    ]


def _percent(value: float | None, decimals: int) -> str:
    """``71 %``: a fraction in percent (blank-safe)."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{100 * value:,.{decimals}f} %"


FINANCE = {
    "npv_cost_eur": "net present value of every cost over the finance horizon, at the "
                    "discount rate",
    "finance_horizon_years": "the years the NPV covers",
    "capex_over_horizon_eur": "capital spent over the finance horizon, replacements included",
    "energy_eur_per_year": "the power supply in a year: grid and PPA electricity, guarantees "
                           "of origin, carbon, on-site PV and wind, battery, standby and gas "
                           "turbine",
    "eur_per_gpu_hour_excl_energy": "TCO less energy, over every installed GPU's hours in a "
                                    "year",
    "eur_per_million_training_tokens_excl_energy": "TCO less energy over the training "
                                                   "tokens of a year, per million",
}
"""Finance KPIs shown when the plan has them: key -> what it means (label and unit from
:data:`planner.report.labels.KPI_LABELS`)."""


def finance(plan: Plan) -> list[Metric]:
    """The plan's finance figures (NPV, horizon, energy cost...), those it has."""
    out = []
    for key, help_ in FINANCE.items():
        value = plan.kpis.get(key)
        if value is None:
            continue
        label, unit = split_label(source_label(key))
        if unit in ("EUR", "EUR/yr") and abs(value) >= 1e3:
            text = money(value)
        elif unit == "years":
            text = _number(value, ",.0f")
        else:
            text = _number(value, ",.2f")
        out.append(Metric(label, _with_unit(text, unit), help_))
    return out


def kpi_table(plan: Plan) -> pd.DataFrame:
    """Every KPI with its label and unit (the CLI's and the report's labels)."""
    return pd.DataFrame([{"KPI": label, "value": format_value(plan.kpis[key])}
                         for key, label in KPI_LABELS.items() if key in plan.kpis])
