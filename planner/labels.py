"""Plain-language column labels with units, and tables formatted for people to read.

One table (:data:`LABELS`) names the column keys the explorer shows (plan, catalogue and
scenario fields); any other key is named by the unit-by-suffix convention of
:mod:`planner.report.labels` (``price_eur_per_mwh`` -> ``price [EUR/MWh]``). Labels that
already carry a unit in brackets (the report's tables) are kept, with fractions shown in
percent. Nothing here imports Streamlit: the explorer, the report or the CLI can use
:func:`column_label`, :func:`display_frame` (cells as text) and :func:`display_table`
(a pandas Styler that keeps the numbers for sorting).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
from pandas.io.formats.style import Styler

from planner.report.labels import KPI_LABELS, SPECIAL_UNITS, SUFFIX_UNITS, unit_of

BLANK = "–"
"""What a missing value shows (en dash)."""

LABELS = {
    # workloads (the scenario's fields)
    "id": "id", "model": "model", "kernel": "HPC kernel", "precision": "precision",
    "params_b": "parameters [billion]", "active_params_b": "active parameters [billion]",
    "tokens_t": "training tokens [trillion]", "deadline_days": "deadline [days]",
    "start_day": "start [day of year]", "seq_len": "sequence length [tokens]",
    "output_tokens_per_s": "output tokens [tokens/s]", "prompt_tokens": "prompt [tokens]",
    "output_tokens": "output per request [tokens]", "ttft_s": "time to first token [s]",
    "tpot_ms": "time per output token [ms]", "sustained_pflops": "sustained [PFLOP/s]",
    # plan sites and fleet
    "it_mw": "IT load [MW]", "it_capacity_mw": "IT capacity built [MW]",
    "facility_mw_mean": "facility load, mean [MW]", "facility_mw": "facility load [MW]",
    "pue_mean": "PUE, mean [-]", "pue": "PUE [-]", "gpus": "GPUs", "nodes": "nodes",
    "peak_bf16_pflops": "peak BF16 [PFLOP/s]", "grid_upgrade_mw": "grid upgrade [MW]",
    "pv_mw": "on-site PV [MW]", "wind_mw": "on-site wind [MW]", "ppa_solar_mw": "solar PPA [MW]",
    "ppa_wind_mw": "wind PPA [MW]", "battery_mw": "battery power [MW]",
    "battery_mwh": "battery energy [MWh]", "emissions_t": "emissions [tCO2/yr]",
    "water_m3": "water [m3/yr]", "open_sites": "sites open", "open": "chosen",
    # catalogue
    "name": "name", "country": "country", "lat": "latitude [°]", "lon": "longitude [°]",
    "grid_mw_now": "grid connection now [MW]", "grid_mw_max": "grid connection max [MW]",
    "land_ha": "land [ha]", "dh_offtake_mw": "district-heating offtake [MW_th]",
    "dh_price_eur_per_mwh": "heat price [EUR/MWh_th]", "water_stress_score": "water stress [0-5]",
    "grid_co2_g_per_kwh": "grid carbon intensity [gCO2/kWh]",
    "co2_g_per_kwh": "carbon intensity [gCO2/kWh]",
    "co2_g_per_kwh_out": "carbon intensity of output [gCO2/kWh]",
    "labour_cost_eur_per_hour": "labour cost [EUR/h]", "hbm_gb": "HBM [GB]",
    "hbm_tb_per_s": "HBM bandwidth [TB/s]", "tdp_w": "TDP [W]", "rack_kw": "rack power [kW]",
    "node_power_kw": "node power [kW]", "gpus_per_node": "GPUs per node",
    "scaleup_gb_per_s": "scale-up bandwidth [GB/s]", "scaleout_gbit_per_s":
        "scale-out bandwidth [Gbit/s]", "scaleup_domain_gpus": "scale-up domain [GPUs]",
    "price_usd_per_gpu": "price [USD/GPU]", "price_eur_per_gpu": "price [EUR/GPU]",
    "price_eur_per_node": "price [EUR/node]", "year_released": "year released",
    "max_rack_kw": "highest rack power [kW]", "pue_min": "PUE at free cooling [-]",
    "capex_eur_per_kw_it": "capex [EUR/kW IT]", "wue_l_per_kwh": "WUE [L/kWh]",
    "arithmetic_intensity_flop_per_byte": "arithmetic intensity [FLOP/byte]",
    "usd_per_eur": "exchange rate [USD/EUR]", "status": "status", "reason": "why not solved",
    "renewable_share": "renewable share, annual, net of curtailment (REF) [fraction]",
    "renewable_share_hourly": "renewable share, hourly-matched [fraction]",
}
"""Column key -> plain-language label with its unit in brackets (counts carry none)."""

ACCELERATOR_NAMES = {"gaudi3": "Gaudi 3", "gh200": "GH200", "h100-pcie": "H100 PCIe"}
"""Accelerator ids whose short name is not their id in capitals (``h100-sxm`` -> H100 SXM)."""

PERCENT_UNITS = frozenset({"%"})
"""Units of columns shown in percent (their values already in %, see :func:`is_fraction`)."""
COUNT_WORDS = ("GPUs", "nodes", "sites", "member states", "GPUs per node")


def accelerator_name(acc: str) -> str:
    """``h100-sxm`` -> ``H100 SXM``, ``mi300x`` -> ``MI300X``."""
    return ACCELERATOR_NAMES.get(acc, acc.upper().replace("-", " "))


def _bare_name(key: str) -> str:
    """A key without its unit suffix, in words: ``grid_upgrade_eur_per_kw`` -> ``grid upgrade``."""
    last = key.rsplit(".", 1)[-1]
    for suffix, _ in SUFFIX_UNITS:
        if last.endswith(suffix) and len(last) > len(suffix):
            last = last.removesuffix(suffix)
            break
    return last.replace("_", " ")


def source_label(key: str) -> str:
    """The label of a column key with its unit as the data holds it (``[fraction]`` kept)."""
    key = str(key)
    if key.startswith("GPUs ") and " " not in key.removeprefix("GPUs "):
        return f"GPUs, {accelerator_name(key.removeprefix('GPUs '))}"  # the report's header
    if " " in key or "[" in key:
        return key  # already a label
    if key in LABELS:
        return LABELS[key]
    if key in KPI_LABELS:
        return KPI_LABELS[key]
    if key.startswith("gpus_"):
        return f"GPUs, {accelerator_name(key.removeprefix('gpus_'))}"
    unit = unit_of(key) if key not in SPECIAL_UNITS else SPECIAL_UNITS[key]
    if unit is None:
        return key.replace("_", " ")
    return f"{_bare_name(key)} [{unit}]"


def is_fraction(key: str) -> bool:
    """True when the column holds fractions (0.84), shown in percent (84.0 %)."""
    return label_unit(source_label(key)) == "fraction"


def column_label(key: str) -> str:
    """The plain-language header of a column key, with its unit in brackets.

    ``params_b`` -> ``parameters [billion]``; ``gpus_h100-sxm`` -> ``GPUs, H100 SXM``;
    ``share [fraction]`` -> ``share [%]``; an unknown ``x_eur_per_mwh`` -> ``x [EUR/MWh]``.
    """
    label = source_label(key)
    return label.removesuffix("[fraction]") + "[%]" if is_fraction(key) else label


def label_unit(label: str) -> str | None:
    """The unit a label states in its last brackets (None when it states none)."""
    if label.endswith("]") and " [" in label:
        return label[:-1].rsplit(" [", 1)[1]
    return None


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _number(value: float, decimals: int) -> str:
    if value == 0:
        return "0"
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def general_text(value: object) -> str:
    """One cell of any type as text: numbers with separators at about 4 significant digits."""
    if _missing(value):
        return BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return _number(float(value), 0)
        magnitude = abs(value)
        if magnitude < 1e-3:
            return f"{value:.3g}"
        return _number(value, 0 if magnitude >= 100 else 2 if magnitude >= 1 else 4)
    return str(value)


def _decimals(values: pd.Series) -> int:
    """Decimals that show a column's typical magnitude to about four significant digits."""
    numbers = pd.to_numeric(values, errors="coerce")
    nonzero = numbers[(numbers != 0) & numbers.notna()].abs()
    if nonzero.empty or (nonzero == nonzero.round()).all():
        return 0
    typical = float(nonzero.median())
    return 0 if typical >= 100 else 2 if typical >= 1 else 4 if typical >= 1e-3 else 6


def _is_count(label: str) -> bool:
    return label in COUNT_WORDS or label.startswith("GPUs") or label_unit(label) == "GPUs"


def cell_format(label: str, values: pd.Series) -> Callable[[object], str]:
    """How a column's cells read, from its label and its values.

    Percentages (a ``[%]`` column; :func:`display_frame` turns fractions into them:
    ``0.8391`` -> ``83.9 %``), PUE and other ratios ``[-]`` with two
    decimals, counts whole (a share of a node rounds up to a node), calendar years
    without separators, other numbers with separators at about four significant digits;
    a missing value is :data:`BLANK`.
    """
    unit = label_unit(label)
    kind = ("bool" if pd.api.types.is_bool_dtype(values) else
            "other" if not pd.api.types.is_numeric_dtype(values) else
            "percent" if unit in PERCENT_UNITS else
            "count" if _is_count(label) else
            "year" if label.startswith("year") else
            "ratio" if unit == "-" else "number")
    decimals = _decimals(values) if kind == "number" else 0

    def text(value: object) -> str:
        if _missing(value):
            return BLANK
        if kind in ("other", "bool") or isinstance(value, bool):
            return general_text(value)
        v = float(value)
        if kind == "percent":
            return f"{_number(v, 1)} %"
        if kind == "count":
            return _number(math.ceil(v - 1e-6), 0)
        if kind == "year":
            return f"{v:.0f}"
        if kind == "ratio":
            return _number(v, 2)
        return _number(v, decimals)

    return text


def _by_row_unit(frame: pd.DataFrame) -> pd.DataFrame:
    """A table whose ``unit`` column gives each row's unit: its numbers as text, row by row.

    The full-year check holds MWh/yr, PUE and MW in one column; each cell reads by its
    own row's unit (PUE 1.08, not 1).
    """
    out = frame.copy()
    units = frame["unit"].fillna("").astype(str)
    names = frame.get("parameter", frame.get("figure", pd.Series([""] * len(frame))))
    years = names.fillna("").astype(str).str.contains("year").to_numpy() & (units == "-")
    for column in frame.columns:
        if column == "unit" or label_unit(column_label(column)) is not None \
                or pd.api.types.is_bool_dtype(frame[column]):
            continue  # a column with its own unit reads by it
        out[column] = [_in_unit(value, unit, year) for value, unit, year in
                       zip(frame[column], units, years, strict=True)]
    return out


def _in_unit(value: object, unit: str, year: bool) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if unit == "fraction":
        return cell_format("x [%]", pd.Series([value]))(100.0 * value)
    if year and float(value).is_integer():
        return f"{value:.0f}"
    return general_text(value)


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    out = _by_row_unit(frame) if "unit" in frame.columns else frame.copy()
    for column in out.columns:
        if is_fraction(column) and pd.api.types.is_numeric_dtype(out[column]) \
                and not pd.api.types.is_bool_dtype(out[column]):
            out[column] = 100.0 * out[column]  # shown in %
    out = out.rename(columns=column_label)
    if out.index.name is not None:
        out.index.name = column_label(out.index.name)
    return out


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with labelled columns and every cell as the text a reader sees."""
    out = _labelled(frame)
    formats = {c: cell_format(c, out[c]) for c in out.columns}
    return pd.DataFrame({c: [formats[c](v) for v in out[c]] for c in out.columns},
                        index=out.index)


def display_table(frame: pd.DataFrame) -> Styler:
    """``frame`` labelled and formatted as :func:`display_frame`, numbers kept for sorting.

    Columns of mixed types (a table's ``value`` column) become text first, since an
    Arrow column holds one type.
    """
    out = _labelled(frame)
    for column in out.columns:
        values = out[column]
        if values.dtype != object:
            continue
        if values.dtype == object and len({type(v) for v in values if not _missing(v)}) > 1:
            out[column] = [None if _missing(v) else general_text(v) for v in values]
    return out.style.format({c: cell_format(c, out[c]) for c in out.columns})
