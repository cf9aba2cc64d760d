"""Energy and cooling views of a plan: hourly dispatch of one site and day, PUE, energy mix.

The plan's energy table carries on-site PV and wind as separate flows (``pv_mw``,
``wind_mw``, their sum ``onsite_mw``); older plans carry only the sum, which is then
drawn as one flow. :func:`site_profiles` asks the planner for the representative
periods the optimiser used (``planner.optimise.prepare``), for the outdoor temperature
beside the PUE.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from planner.catalogue import Catalogue
from planner.colours import ENERGY_COLOURS
from planner.optimise import Plan
from planner.optimise.prepare import prepare
from planner.scenario import Scenario

SUPPLY = {  # column -> (label, colour); stacked above zero in this order
    "grid_import_mw": ("grid", ENERGY_COLOURS["grid"]),
    "ppa_mw": ("PPA", ENERGY_COLOURS["ppa"]),
    "pv_mw": ("on-site PV", ENERGY_COLOURS["pv"]),
    "wind_mw": ("on-site wind", ENERGY_COLOURS["wind"]),
    "onsite_mw": ("on-site PV and wind", ENERGY_COLOURS["onsite"]),
    "battery_discharge_mw": ("battery discharge", ENERGY_COLOURS["battery_discharge"]),
    "backup_mw": ("standby generation", ENERGY_COLOURS["backup"]),
    "gas_mw": ("gas turbine", ENERGY_COLOURS["gas"]),
}
SINKS = {  # drawn below zero
    "battery_charge_mw": ("battery charge", ENERGY_COLOURS["battery_charge"]),
    "spill_mw": ("renewables curtailed", ENERGY_COLOURS["spill"]),
}
TOLERANCE_MW = 1e-3


def site_profiles(scenario: Scenario, catalogue: Catalogue) -> pd.DataFrame:
    """The optimiser's period profiles per site: temperature, capacity factors, price, CO2.

    Index (``site``, ``period``); columns ``temp_air_c``, ``solar_cf_frac``,
    ``wind_cf_frac``, ``price_eur_per_mwh``, ``grid_co2_g_per_kwh``.
    """
    return prepare(scenario, catalogue).periods.profiles


def days(plan: Plan, site: str | None = None) -> pd.DataFrame:
    """One row per day of the periods of ``site`` (default: the first in the energy table).

    Columns ``day``, ``days_represented``, ``kind`` and ``label``. Each site has the
    days of its calendar group: typical days standing for several calendar days, and
    its extreme days (hottest, lowest renewable) standing for one. A plan on the full
    year (or repaired on it) has 365 days of weight 1.
    """
    e = plan.energy
    if site is None:
        site = e["site"].iloc[0]
    periods = e[e["site"] == site].drop_duplicates("period").set_index("period").sort_index()
    if periods["day"].nunique() == 1 and len(periods) > 24:
        day = periods.index // 24
    else:
        day = periods["day"]
    weight = periods["weight_h"].groupby(day).first()
    kind = periods["kind"].groupby(day).first() if "kind" in periods.columns else pd.Series(
        "typical", index=weight.index)
    rows = pd.DataFrame({"day": weight.index.astype(int), "days_represented": weight.to_numpy(),
                         "kind": kind.reindex(weight.index).to_numpy()})
    what = {"hottest": "the hottest day", "lowest_renewable": "the day of least sun and wind",
            "added": "a day the full-year check added"}
    rows["label"] = [
        f"day {d + 1}: {what[k]}" if k in what else
        f"day {d + 1}: stands for {w:,.0f} day{'s' if w != 1 else ''} of the year"
        for d, w, k in zip(rows["day"], rows["days_represented"], rows["kind"], strict=True)]
    return rows


def dispatch_day(plan: Plan, site: str, day: int,
                 profiles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hourly flows [MW] of one site on one day: supply columns, sinks, facility load, PUE.

    On-site supply is split into PV and wind where the plan carries both; with
    ``profiles`` (:func:`site_profiles`) the day's outdoor temperature is added.
    """
    e = plan.energy[plan.energy["site"] == site].sort_values("period")
    full_year = (e["day"].nunique() == 1 and len(e) > 24) or (
        "kind" in e.columns and (e["kind"] == "hour").all())
    e = e[(e["period"] // 24 == day) if full_year else (e["day"] == day)].copy()
    e["hour"] = np.arange(len(e))
    row = plan.sites.loc[site]
    if {"pv_mw", "wind_mw", "onsite_mw"} <= set(e.columns):
        if np.allclose(e["pv_mw"] + e["wind_mw"], e["onsite_mw"], atol=TOLERANCE_MW, rtol=1e-6):
            e = e.drop(columns="onsite_mw")
        else:
            e = e.drop(columns=["pv_mw", "wind_mw"])
    if profiles is not None and not full_year and site in profiles.index.get_level_values("site"):
        prof = profiles.loc[site].reindex(e["period"])
        e["temp_air_c"] = prof["temp_air_c"].to_numpy()
    it = float(row["it_mw"])
    e["pue"] = e["facility_mw"] / it if it > 0 else np.nan
    return e.reset_index(drop=True)


def dispatch_figure(day: pd.DataFrame, title: str) -> go.Figure:
    """Stacked supply above zero, charging and curtailment below, facility load as a line."""
    fig = go.Figure()
    for col, (label, colour) in SUPPLY.items():
        if col in day.columns and day[col].abs().max() > TOLERANCE_MW:
            fig.add_trace(go.Bar(x=day["hour"], y=day[col].clip(lower=0), name=label,
                                 marker_color=colour, hovertemplate="%{y:,.2f} MW"))
    for col, (label, colour) in SINKS.items():
        if day[col].abs().max() > TOLERANCE_MW:
            fig.add_trace(go.Bar(x=day["hour"], y=-day[col].clip(lower=0), name=label,
                                 marker_color=colour, hovertemplate="%{y:,.2f} MW"))
    fig.add_trace(go.Scatter(x=day["hour"], y=day["facility_mw"], name="facility load",
                             mode="lines", line={"color": "black", "width": 2.5},
                             hovertemplate="%{y:,.2f} MW"))
    if "heat_pump_mw" in day.columns and day["heat_pump_mw"].abs().max() > TOLERANCE_MW:
        fig.add_trace(go.Scatter(x=day["hour"], y=day["facility_mw"] + day["heat_pump_mw"],
                                 name="facility and heat pumps", mode="lines",
                                 line={"color": "black", "width": 1.5, "dash": "dash"},
                                 hovertemplate="%{y:,.2f} MW"))
    fig.update_layout(barmode="relative", bargap=0.05, title=title, template="plotly_white",
                      xaxis={"title": "hour of the day [UTC]", "dtick": 3},
                      yaxis={"title": "power [MW]"}, hovermode="x unified",
                      legend={"orientation": "h", "y": -0.2}, height=430)
    return fig


def pue_figure(day: pd.DataFrame, title: str) -> go.Figure:
    """PUE through the day, with the outdoor temperature when it is known."""
    fig = go.Figure(go.Scatter(x=day["hour"], y=day["pue"], name="PUE", mode="lines+markers",
                               line={"color": "#b2182b"}, hovertemplate="PUE %{y:.3f}"))
    if "temp_air_c" in day.columns:
        fig.add_trace(go.Scatter(x=day["hour"], y=day["temp_air_c"], name="air temperature",
                                 yaxis="y2", mode="lines", line={"color": "#4c9be8", "dash": "dot"},
                                 hovertemplate="%{y:.1f} °C"))
    fig.update_layout(title=title, template="plotly_white", hovermode="x unified", height=360,
                      xaxis={"title": "hour of the day [UTC]", "dtick": 3},
                      yaxis={"title": "PUE [-]"},
                      yaxis2={"title": "air temperature [°C]", "overlaying": "y", "side": "right"},
                      legend={"orientation": "h", "y": -0.25})
    return fig


ANNUAL_SOURCES = {  # the report's Energy table column -> colour of the same flow above
    "grid import [MWh/yr]": SUPPLY["grid_import_mw"][1], "PPA [MWh/yr]": SUPPLY["ppa_mw"][1],
    "on-site renewables [MWh/yr]": SUPPLY["onsite_mw"][1],
    "standby generation [MWh/yr]": SUPPLY["backup_mw"][1],
    "gas turbine [MWh/yr]": SUPPLY["gas_mw"][1],
}


def energy_mix_figure(energy: pd.DataFrame) -> go.Figure:
    """Annual energy by source at each chosen site (the report's Energy table)."""
    fig = go.Figure()
    for col, colour in ANNUAL_SOURCES.items():
        if col in energy.columns and energy[col].abs().max() > 0:
            fig.add_trace(go.Bar(x=energy["site"], y=energy[col], name=col.split(" [")[0],
                                 marker_color=colour, hovertemplate="%{y:,.0f} MWh/yr"))
    fig.update_layout(barmode="stack", template="plotly_white", title="Annual energy by source",
                      yaxis={"title": "energy [MWh/yr]"}, height=380, bargap=0.5,
                      legend={"orientation": "h", "y": -0.2})
    return fig
