"""Labels with units for column names, and Excel number formats for their values.

The Plan's KPIs are labelled once here (the CLI prints the same labels). Study
columns are named by their dotted scenario path or KPI key; their units follow from
the name's suffix, the convention of the whole code base (``price_eur_per_mwh``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

KPI_LABELS = {
    "tco_eur_per_year": "TCO [EUR/yr]", "capex_eur": "capex [EUR]", "gpus": "GPUs",
    "eur_per_gpu_hour": "cost per GPU-hour [EUR/GPU-h]", "eur_per_pflop_day": "cost per PFLOP-day [EUR]",
    "eur_per_million_training_tokens": "cost per 1e6 training tokens [EUR]",
    "it_mw": "IT load [MW]", "facility_mw": "facility load, mean [MW]", "pue": "PUE [-]",
    "renewable_share": "renewable share, annual, net of curtailment (REF) [-]",
    "renewable_share_hourly": "renewable share, hourly-matched [-]",
    "renewable_generation_mwh": "renewable generation, gross [MWh/yr]",
    "curtailment_mwh": "renewables curtailed [MWh/yr]",
    "emissions_t_per_year": "emissions [tCO2/yr]", "water_m3_per_year": "water [m3/yr]",
    "wue_l_per_kwh": "water usage effectiveness (WUE) [L/kWh]",
    "erf": "energy reuse factor (ERF) [-]", "backup_mwh": "standby generation [MWh/yr]",
    "sites_open": "sites", "member_states": "member states",
    "npv_cost_eur": "NPV of costs over the finance horizon [EUR]",
    "finance_horizon_years": "finance horizon, building life [years]",
    "capex_over_horizon_eur": "capex over the horizon, initial and renewals [EUR]",
    "energy_eur_per_year": "energy cost, power supply and carbon [EUR/yr]",
    "eur_per_gpu_hour_excl_energy": "cost per GPU-hour excl. energy [EUR/GPU-h]",
    "eur_per_million_training_tokens_excl_energy":
        "cost per 1e6 training tokens excl. energy [EUR]",
}
"""KPI key -> label with its unit in brackets (counts carry no bracket)."""
FRACTION_KPIS = frozenset({"renewable_share", "renewable_share_hourly", "erf"})
"""KPIs that are shares [-]: shown as percentages."""

SUFFIX_UNITS = (
    ("_eur_per_gpu_hour", "EUR/GPU-h"), ("_eur_per_t", "EUR/tCO2"), ("_eur_per_mwh", "EUR/MWh"),
    ("_eur_per_kw", "EUR/kW"), ("_eur_per_year", "EUR/yr"), ("_t_per_year", "tCO2/yr"),
    ("_m3_per_year", "m3/yr"), ("_per_year", "1/yr"), ("_eur", "EUR"), ("_mwh", "MWh"),
    ("_mw", "MW"), ("_kw", "kW"), ("_frac", "fraction"), ("_share", "fraction"),
    ("_factor", "-"), ("_days", "days"), ("_years", "years"), ("_ha", "ha"), ("_ms", "ms"),
    ("_s", "s"), ("_c", "°C"), ("_pflops", "PFLOP/s"), ("_tflops", "TFLOP/s"),
)
"""Name suffix -> unit, longest suffixes first so ``_eur_per_t`` wins over ``_t``."""

SPECIAL_UNITS = {"gap": "fraction", "solve_s": "s"}
FRACTION_UNITS = {"fraction"}
YEAR_UNITS = {"year", "years", "day of year", "days", "day"}
"""Units whose numbers print without a thousands separator (a year is 2025, not 2,025)."""


def is_year(name: str) -> bool:
    """Whether a column or parameter called ``name`` holds a calendar year or a count of years.

    ``year``, ``price_year``, ``year_released``, ``gpu_lifetime_years`` are; ``it_om_frac_per_year``
    is not.
    """
    name = name.lower().rsplit(".", 1)[-1]
    return name in ("year", "years", "day") or name.startswith("year_") or (
        name.endswith(("_year", "_years")) and not name.endswith(("per_year", "per_years")))


def split_label(label: str) -> tuple[str, str]:
    """``"TCO [EUR/yr]"`` -> ``("TCO", "EUR/yr")``; a count label is its own unit."""
    if label.endswith("]") and " [" in label:
        name, unit = label[:-1].rsplit(" [", 1)
        return name, unit
    return label, label


def unit_of(name: str) -> str | None:
    """The unit a column name states by its suffix (None when it states none).

    ``policy.carbon_price_eur_per_t`` -> ``EUR/tCO2``; ``tco_eur_per_year`` -> ``EUR/yr``.
    """
    if name in KPI_LABELS:
        return split_label(KPI_LABELS[name])[1]
    if name in SPECIAL_UNITS:
        return SPECIAL_UNITS[name]
    last = name.rsplit(".", 1)[-1]
    for suffix, unit in SUFFIX_UNITS:
        if last.endswith(suffix):
            return unit
    return None


def column_label(name: str, numeric: bool) -> str:
    """Header for a study column: its name and, for numbers, its unit in brackets."""
    if not numeric:
        return name
    return f"{name} [{unit_of(name) or '-'}]"


def number_format(values: Iterable[object], unit: str | None = None) -> str:
    """An Excel number format that shows ``values`` at a sensible precision.

    Fractions as percentages; years and days without thousands separators (``0``);
    whole numbers and large magnitudes with thousands separators; small magnitudes
    with enough decimals to read them.
    """
    if unit in FRACTION_UNITS:
        return "0.0%"
    if unit in YEAR_UNITS:
        whole = all(float(v).is_integer() for v in values if isinstance(v, (int, float))
                    and not isinstance(v, bool) and math.isfinite(v))
        return "0" if whole else "0.0"
    numbers = [abs(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)
               and math.isfinite(v)]
    if not numbers:
        return "General"
    if all(float(v).is_integer() for v in numbers):
        return "#,##0"
    nonzero = sorted(v for v in numbers if v > 0)
    typical = nonzero[len(nonzero) // 2] if nonzero else 0.0
    if typical >= 100:
        return "#,##0"
    if typical >= 1:
        return "#,##0.00"
    if typical >= 1e-3:
        return "0.0000"
    return "0.00E+00"
