"""Figures and tables of a solved plan: map, KPIs, dispatch, cooling, costs, roofline."""

from __future__ import annotations

import numpy as np
import pytest

from planner.catalogue import EU27
from planner.explorer import dispatch, figures, geo, kpis
from planner.explorer.roofline import main_precision, scenario_roofline, workload_points
from planner.explorer.tables import every_site_column, shown
from planner.labels import column_label
from planner.report.plan_tables import (
    SITE_PARTS,
    cost_tables,
    energy_indicators_table,
    energy_table,
    sites_table,
    workloads_table,
)
from planner.report.used import used_inputs


def test_the_map_shades_all_27_member_states_and_sizes_chosen_sites(demo, catalogue):
    assert set(geo.ISO3) == set(EU27)
    fig = geo.site_map(catalogue, list(demo.sites.index), geo.chosen_sites(demo.sites),
                       "grid_co2_g_per_kwh")
    countries, candidates, chosen = fig.data
    assert countries.type == "choropleth" and len(countries.locations) == 27
    assert {"CYP", "MLT"} <= set(countries.locations)
    assert list(candidates.customdata) == ["julich", "kajaani"]
    assert candidates.text[0] == "Julich (FZJ) (DE)<br>catalogue grid: 25 MW now, up to 300 MW"
    assert len(chosen.lon) == 1 and chosen.marker.size[0] == geo.MAX_MARKER_PX
    layout = fig.layout.geo
    assert layout.scope == "world" and layout.resolution == 50  # world_50m: has Cyprus, Malta
    # a one-site plan zooms to a region around its site, not to all of Europe
    lon, lat = catalogue.sites.loc["bologna", ["lon", "lat"]]
    (west, east), (south, north) = layout.lonaxis.range, layout.lataxis.range
    assert west < lon < east and south < lat < north
    assert (east - west, north - south) == pytest.approx(geo.MIN_SPAN_DEG)
    assert "disc area ∝ mean facility load" in chosen.name and "MW" in chosen.name


def test_the_map_zooms_to_the_open_sites_padded_within_europe(catalogue):
    import pandas as pd

    everywhere = geo.extent(catalogue.sites["lon"], catalogue.sites["lat"])
    assert everywhere[0][0] >= geo.EUROPE_LON[0] and everywhere[1][1] <= geo.EUROPE_LAT[1]
    (west, east), (south, north) = geo.extent(pd.Series([10.0, 20.0]), pd.Series([50.0, 60.0]))
    assert (west, east) == pytest.approx((8.5, 21.5))  # 15 % of the span each side
    assert (south, north) == pytest.approx((48.5, 61.5))
    assert geo.extent(pd.Series([], dtype=float), pd.Series([], dtype=float)) == (
        geo.EUROPE_LON, geo.EUROPE_LAT)


def test_names_of_close_sites_do_not_collide():
    sizes = np.array([40.0, 40.0, 30.0])
    lon, lat = np.array([10.0, 10.05, 30.0]), np.array([50.0, 50.0, 40.0])
    positions = geo.label_positions(lon, lat, ["Alpha", "Beta", "Gamma"], sizes, (0.02, 0.02))
    assert positions[0] == "top center" and positions[2] == "top center"
    assert positions[1] != positions[0]  # the neighbour's name goes elsewhere, or hover only
    crowded = geo.label_positions(np.zeros(12), np.zeros(12), [f"site {i}" for i in range(12)],
                                  np.full(12, 20.0), (0.02, 0.02))
    assert None in crowded  # no room left: hover only
    placed = [p for p in crowded if p is not None]
    assert len(placed) == len(set(placed))


def test_chosen_sites_beside_the_map(demo, catalogue):
    table = geo.chosen_table(demo.sites, catalogue)
    assert table.index.tolist() == ["bologna"]
    assert table.loc["bologna", "GPUs"] == 776 and table.loc["bologna", "country"] == "IT"


def test_a_map_without_plan_or_shading(catalogue):
    fig = geo.site_map(catalogue, ["julich", "nicosia", "malta"], None, None)
    assert [t.type for t in fig.data] == ["scattergeo"]
    assert len(fig.data[0].lon) == 3


def test_marker_area_is_proportional_to_megawatts():
    import pandas as pd

    sizes = geo.marker_sizes(pd.Series([400.0, 100.0, 0.0]))
    assert sizes[0] == pytest.approx(2 * sizes[1])  # four times the MW, twice the diameter
    assert sizes[2] == geo.MIN_MARKER_PX


def test_headline_kpis_are_the_eight_the_issue_asks_for_with_units(demo):
    metrics = {m.label: m.value for m in kpis.headline(demo)}
    assert list(metrics) == ["TCO", "cost per GPU-hour", "GPUs", "facility load", "PUE",
                             "renewables", "emissions", "proven gap"]
    assert metrics["GPUs"] == "776" and metrics["TCO"].endswith(" M EUR/yr")
    assert metrics["PUE"] == f"{demo.kpis['pue']:.2f}"
    assert metrics["cost per GPU-hour"].endswith(" EUR/GPU-h")
    assert metrics["emissions"] == f"{demo.kpis['emissions_t_per_year']:,.0f} t CO2/yr"
    assert metrics["renewables"].endswith(" %") and metrics["facility load"].endswith(" MW")
    assert kpis.status_line(demo).startswith("optimal, proven gap ")
    assert kpis.money(1.234e9) == "1.23 bn" and kpis.money(950.0) == "950"
    assert kpis.megawatts(0.91979) == "0.92" and kpis.megawatts(1234.4) == "1,234"


def test_big_kpis_read_compactly_so_a_tile_does_not_cut_them(demo):
    import dataclasses

    big = dataclasses.replace(demo, kpis={**demo.kpis, "emissions_t_per_year": 113_412.0,
                                          "tco_eur_per_year": 14.23e6})
    metrics = {m.label: m.value for m in kpis.headline(big)}
    assert metrics["emissions"] == "113.4 kt CO2/yr" and metrics["TCO"] == "14.2 M EUR/yr"
    assert max(len(m.value) for m in kpis.headline(big)) <= 16
    assert kpis.tonnes_co2(2.5e6) == "2.5 Mt"


def test_finance_kpis_are_shown_when_the_plan_has_them(demo):
    import dataclasses

    # demo-small's plan carries the six lifetime-finance KPIs; each is a tile with its unit
    shown_ = {m.label: m.value for m in kpis.finance(demo)}
    assert len(shown_) == len(kpis.FINANCE) == 6
    npv = shown_["NPV of costs over the finance horizon"]
    assert npv.endswith(" M EUR")  # three significant figures of the plan's own NPV
    assert float(npv.split()[0]) * 1e6 == pytest.approx(demo.kpis["npv_cost_eur"], rel=5e-3)
    horizon = demo.kpis["finance_horizon_years"]
    assert shown_["finance horizon, building life"] == f"{horizon:.0f} years"
    assert shown_["cost per GPU-hour excl. energy"].endswith(" EUR/GPU-h")
    # a plan saved before these KPIs existed shows none, and no blank tile
    older = dataclasses.replace(demo, kpis={k: v for k, v in demo.kpis.items()
                                            if k not in kpis.FINANCE})
    assert kpis.finance(older) == []


def test_days_stand_for_the_whole_year(demo):
    # bologna's calendar group (IT): 4 typical days plus its hottest and its least
    # renewable day (one day each, unless one day is both)
    days = dispatch.days(demo, "bologna")
    typical = days[days["kind"] == "typical"]
    assert len(typical) == 4 and 5 <= len(days) <= 6
    assert days["days_represented"].sum() == pytest.approx(365)
    assert (days.loc[days["kind"] != "typical", "days_represented"] == 1).all()
    assert any("the hottest day" in label for label in days["label"])


def test_dispatch_splits_onsite_supply_into_pv_and_wind_and_balances(demo, demo_scenario,
                                                                     catalogue):
    profiles = dispatch.site_profiles(demo_scenario, catalogue)
    for day in dispatch.days(demo, "bologna")["day"]:
        flows = dispatch.dispatch_day(demo, "bologna", day, profiles)
        assert {"pv_mw", "wind_mw", "temp_air_c"} <= set(flows.columns)
        assert "onsite_mw" not in flows.columns and len(flows) == 24
        supply = sum(flows[c] for c in dispatch.SUPPLY if c in flows.columns)
        sinks = sum(flows[c] for c in dispatch.SINKS)
        np.testing.assert_allclose(supply - sinks, flows["facility_mw"] + flows["heat_pump_mw"],
                                   atol=1e-5)
    first = int(dispatch.days(demo, "bologna")["day"].iloc[0])
    fig = dispatch.dispatch_figure(dispatch.dispatch_day(demo, "bologna", first, profiles), "x")
    row = demo.sites.loc["bologna"]
    wanted = {"facility load"} | {name for name, mw in (("on-site PV", row["pv_mw"]),
                                                         ("on-site wind", row["wind_mw"]))
                                  if mw > 1e-3}
    assert {t.name for t in fig.data} >= wanted and len(wanted) > 1


def test_an_old_plan_without_pv_and_wind_draws_onsite_supply_as_one_flow(demo):
    import dataclasses

    old = dataclasses.replace(demo, energy=demo.energy.drop(columns=["pv_mw", "wind_mw"]))
    first = int(dispatch.days(demo, "bologna")["day"].iloc[0])
    flows = dispatch.dispatch_day(old, "bologna", first)
    assert "onsite_mw" in flows.columns and "pv_mw" not in flows.columns
    assert "temp_air_c" not in flows.columns  # no profiles given
    it = demo.sites.at["bologna", "it_mw"]
    np.testing.assert_allclose(flows["pue"], flows["facility_mw"] / it)


def test_energy_fleet_and_cost_figures(demo, catalogue):
    annual = energy_table(demo)
    mix = dispatch.energy_mix_figure(annual)
    drawn = {f"{t.name}" for t in mix.data}
    expected = {label.split(" [")[0] for label in dispatch.ANNUAL_SOURCES
                if annual[label].abs().max() > 0}
    assert drawn == expected and "grid import" in drawn
    fleet = figures.fleet_figure(demo)
    assert [(t.name, list(t.y)) for t in fleet.data] == [("mi300x", [776])]
    by_site, items = cost_tables(demo, catalogue, used_inputs(demo, catalogue))
    cost = figures.cost_figure(by_site)
    assert sum(sum(t.x) for t in cost.data) == pytest.approx(demo.kpis["tco_eur_per_year"])
    summary = figures.cost_summary(items)
    assert summary["share of TCO [fraction]"].sum() == pytest.approx(1.0)


def test_the_roofline_shows_every_workload(demo_scenario, catalogue):
    points = workload_points(demo_scenario, catalogue)
    assert [(p.label, p.precision) for p in points] == [
        ("llama3-8b-pretrain (training)", "bf16"), ("chat-8b (inference decode)", "fp8")]
    assert main_precision(points) == "bf16"
    fig = scenario_roofline(demo_scenario, catalogue)
    assert sum(t.mode == "lines" for t in fig.data) == 3  # one ceiling per accelerator


def test_report_tables_in_the_explorer_read_as_words_and_units(demo, catalogue):
    indicators = shown(energy_indicators_table(demo))
    assert indicators.loc[0, "PUE [-]"] == f"{demo.kpis['pue']:.2f}"
    assert indicators.loc[0, "renewable energy factor (REF) [%]"].endswith(" %")
    used = used_inputs(demo, catalogue)
    sites = shown(every_site_column([sites_table(demo, catalogue, used, part)
                                     for part in SITE_PARTS]))
    assert len(sites) == len(demo.sites) and sites.columns.is_unique
    deployed = {column_label(f"gpus_{a}") for a in demo.fleet["accelerator"].unique()}
    assert deployed and deployed <= set(sites.columns)  # e.g. "GPUs, MI300X"
    assert sites.loc[sites["site"] == "julich", "PUE, mean [-]"].item() == "–"
    work = shown(workloads_table(demo, used_inputs(demo, catalogue)))
    assert all(n.replace(",", "").isdigit() for n in work["nodes"])  # no 0.54 nodes
    assert (work["share of demand [%]"] == "100.0 %").all()


def _cielab(colour: str) -> np.ndarray:
    """sRGB hex -> CIELAB (D65), the standard sRGB and CIE 1976 formulas."""
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    rgb = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_every_catalogue_accelerator_has_its_own_colour_on_every_chart(demo, catalogue):
    from planner.colours import accelerator_colours
    from planner.roofline.chart import roofline_figure
    from planner.roofline.hardware import accelerator

    ids = catalogue.ids("accelerators")
    accs = [accelerator(catalogue, a) for a in ids]
    colours = accelerator_colours(ids)
    fig = roofline_figure(accs, [], "bf16", colours)
    lines = {t.name.split(" (")[0]: t.line.color for t in fig.data if t.mode == "lines"}
    assert len(lines) == sum("bf16" in a.peak_flops for a in accs) >= 12
    assert len(set(lines.values())) == len(lines)  # gb200/mi355x, b200/h200 apart
    assert len(set(colours.values())) == len(ids)
    # and apart to the eye: CIE76 Delta E of at least 25 between any two (about 2.3 is
    # the smallest difference a reader can see; h100-sxm and mi300x were 4.6 apart)
    lab = {a: _cielab(c) for a, c in colours.items()}
    closest = min(float(np.linalg.norm(lab[a] - lab[b])) for a in ids for b in ids if a < b)
    assert closest >= 25.0
    fleet = figures.fleet_figure(demo, ids)
    assert fleet.data[0].marker.color == colours["mi300x"] == lines["mi300x"]


def test_the_roofline_names_each_workload_in_its_legend(demo_scenario, catalogue):
    fig = scenario_roofline(demo_scenario, catalogue)
    named = [t.name for t in fig.data if t.mode == "markers" and t.showlegend]
    assert named == ["llama3-8b-pretrain (training)", "chat-8b (inference decode)"]
    symbols = {t.legendgroup: t.marker.symbol for t in fig.data if t.mode == "markers"}
    assert len(set(symbols.values())) == 2  # one symbol per workload


def test_a_training_layout_reads_as_megatron_names_not_a_dict(demo):
    from planner.report.plan_tables import throughput_table

    table = shown(throughput_table(demo))
    training = table[(table["kind"] == "training") & (table["feasible"] == "yes")]
    assert len(training)
    for text in training["layout"]:
        assert text.startswith("TP ") and " · PP " in text and " · DP " in text, text
        assert "{" not in text and "'" not in text
