"""The plan workbook of a real demo-small solve, read back as a planner would read it."""

from __future__ import annotations

import dataclasses
import zipfile

import openpyxl
import pytest

from planner.errors import UsageError
from planner.optimise import Plan
from planner.report import SHEETS, to_excel
from planner.report.labels import KPI_LABELS, split_label

HEADERS = {  # sheet -> table -> columns it must have (units in brackets)
    "Board summary": {"BoardFigures": ["figure", "value", "unit"],
                      "BoardSites": ["site", "country", "GPUs", "capex [M EUR]",
                                     "capital annuities [M EUR/yr]",
                                     "energy, operating [M EUR/yr]", "other operating [M EUR/yr]",
                                     "annual cost [M EUR/yr]"],
                      "BoardCapex": ["asset", "life [years]", "capex [M EUR]",
                                     "over the horizon [M EUR]"]},
    "Summary": {"Summary": ["item", "value", "unit", "key"]},
    "Sites": {"Sites": ["site", "name", "country", "chosen", "cooling", "GPUs", "IT load [MW]",
                        "PUE, mean [-]", "emissions [tCO2/yr]"]},
    "Site supply": {"SiteSupply": ["site", "chosen", "grid upgrade [MW]", "on-site PV [MW]",
                                   "battery energy [MWh]", "heat pump [MW_th]"]},
    "Site inputs": {"SiteInputs": ["site", "country", "grid connection max [MW]",
                                   "electricity price [EUR/MWh]"]},
    "Fleet": {"Fleet": ["site", "accelerator", "nodes", "GPUs", "IT load [MW]",
                        "peak BF16 [PFLOP/s]"]},
    "Throughput": {"Throughput": ["workload", "accelerator", "TFLOP/s per GPU [TFLOP/s]",
                                  "tokens/s per GPU [tokens/s]", "MFU [fraction]"]},
    "Energy": {"EnergyAnnual": ["site", "facility consumption [MWh/yr]", "grid import [MWh/yr]",
                                "PPA [MWh/yr]", "on-site renewables [MWh/yr]"],
               "EnergyIndicators": ["site", "renewables curtailed [MWh/yr]",
                                    "renewable energy consumed [MWh/yr]",
                                    "renewable energy factor (REF) [fraction]",
                                    "energy reuse factor (ERF) [fraction]", "WUE [L/kWh]",
                                    "standby running [h/yr]"]},
    "Dispatch": {"Dispatch": ["site", "day", "hour", "weight [h]", "facility load [MW]",
                              "grid import [MW]", "battery state of charge [MWh]"]},
    "Cooling": {"Cooling": ["site", "cooling", "PUE, mean [-]", "water [m3/yr]",
                            "heat recoverable [MWh_th/yr]", "heat sold [MWh_th/yr]"]},
    "Costs": {"CostsByItem": ["item", "capex [EUR]", "annualised capex [EUR/yr]",
                              "operating and other [EUR/yr]", "annual cost [EUR/yr]"]},
    "Costs by site": {"Costs": ["item", "site", "capex [EUR]", "asset life [years]",
                                "annual cost [EUR/yr]"]},
    "Cash flow": {"CashFlow": ["year", "initial capex [EUR]", "renewals [EUR]",
                               "salvage value [EUR]", "operating cost [EUR]", "net cost [EUR]",
                               "discount factor [-]", "present value [EUR]"]},
    "Workloads": {"Workloads": ["workload", "kind", "site", "accelerator", "GPUs",
                                "start [day of year]", "finish [day of year]",
                                "deadline [day of year]"]},
    "Full year": {"FullYearCheck": ["figure", "unit", "representative days", "full year",
                                    "difference [fraction]"]},
    "Assumptions": {"Assumptions": ["section", "item", "parameter", "value", "unit", "source"]},
    "Sources": {"Sources": ["table", "source", "cited by", "title", "year", "url", "licence"]},
    "Run metadata": {"RunMetadata": ["item", "value", "unit", "key"]},
}


@pytest.fixture(scope="module")
def wb(plan_xlsx):
    return openpyxl.load_workbook(plan_xlsx)


def table_rows(ws, name: str) -> list[dict[str, object]]:
    """The data rows of Excel Table ``name`` as dicts keyed by header."""
    rows = list(ws[ws.tables[name].ref])
    headers = [c.value for c in rows[0]]
    return [{h: c.value for h, c in zip(headers, row, strict=True)} for row in rows[1:]]


def cells(ws, name: str, header: str) -> list:
    rows = list(ws[ws.tables[name].ref])
    j = [c.value for c in rows[0]].index(header)
    return [row[j] for row in rows[1:]]


def test_every_sheet_a_formatted_table_with_units_in_its_headers(wb):
    assert wb.sheetnames == list(SHEETS) and wb.sheetnames[0] == "Board summary"
    assert set(HEADERS) == set(SHEETS)
    for sheet, tables in HEADERS.items():
        ws = wb[sheet]
        assert ws.freeze_panes in ("A2", "B2") or sheet == "Board summary", sheet
        for name, expected in tables.items():
            table = ws.tables[name]
            assert table.autoFilter is not None and table.tableStyleInfo.name
            header = [c.value for c in ws[table.ref][0]]
            assert set(expected) <= set(header), (sheet, name, set(expected) - set(header))
            assert ws[table.ref][0][0].font.b


def test_numbers_are_numeric_cells_with_number_formats(wb):
    for sheet, name, header in (("Sites", "Sites", "IT load [MW]"),
                                ("Costs by site", "Costs", "annual cost [EUR/yr]"),
                                ("Dispatch", "Dispatch", "facility load [MW]"),
                                ("Fleet", "Fleet", "GPUs")):
        for cell in cells(wb[sheet], name, header):
            assert cell.data_type == "n" and isinstance(cell.value, (int, float)), (sheet, header)
            assert cell.number_format != "General"
    share = cells(wb["Energy"], "EnergyIndicators", "renewable energy factor (REF) [fraction]")[0]
    assert share.number_format == "0.0%" and 0 < share.value <= 1


def test_years_booleans_and_shares_are_formatted_for_reading(wb):
    years = cells(wb["Cash flow"], "CashFlow", "year")
    assert [c.value for c in years] == list(range(len(years))) and years[0].number_format == "0"
    assert {c.number_format for c in cells(wb["Sources"], "Sources", "year")
            if c.value is not None} == {"0"}  # 2024, not 2,024
    lives = cells(wb["Costs by site"], "Costs", "asset life [years]")
    assert {c.number_format for c in lives if c.value is not None} == {"0"}
    assert {c.value for c in cells(wb["Sites"], "Sites", "chosen")} == {"yes", "no"}
    summary = {r["key"]: r for r in table_rows(wb["Summary"], "Summary")}
    for key in ("renewable_share", "renewable_share_hourly", "erf"):
        assert summary[key]["unit"] == "fraction", key
    rows = list(wb["Assumptions"][wb["Assumptions"].tables["Assumptions"].ref])[1:]
    price_year = next(r for r in rows if r[2].value == "price_year")
    assert price_year[3].value == 2024 and price_year[3].number_format == "0"
    assert all(c.number_format == "#,##0" for c in cells(wb["Fleet"], "Fleet", "GPUs"))


def test_costs_total_reconciles_with_the_tco_to_the_cent(wb, demo_plan):
    ws = wb["Costs"]
    by_site = [r["annual cost [EUR/yr]"] for r in table_rows(wb["Costs by site"], "Costs")]
    by_item = [r["annual cost [EUR/yr]"] for r in table_rows(ws, "CostsByItem")]
    tco = demo_plan.kpis["tco_eur_per_year"]
    assert sum(by_site) == pytest.approx(tco, abs=0.005)
    assert sum(by_item) == pytest.approx(tco, abs=0.005)
    last = ws.tables["CostsByItem"].ref.split(":")[1]
    total_row = int("".join(ch for ch in last if ch.isdigit())) + 1
    labels = [c.value for c in ws[1]]
    col = labels.index("annual cost [EUR/yr]") + 1
    assert ws.cell(total_row, 1).value == "total"
    assert ws.cell(total_row, col).value == pytest.approx(tco, abs=0.005)
    assert ws.cell(total_row + 1, col).value.startswith("=SUM(")  # live check in Excel
    summary = {r["key"]: r["value"] for r in table_rows(wb["Summary"], "Summary")}
    assert summary["tco_eur_per_year"] == pytest.approx(tco, abs=0.005)
    capex = [r["capex [EUR]"] for r in table_rows(wb["Costs by site"], "Costs")]
    assert sum(capex) == pytest.approx(demo_plan.kpis["capex_eur"], abs=0.005)
    for row in table_rows(wb["Costs by site"], "Costs"):  # annuity + the rest = the annual cost
        if row["annualised capex [EUR/yr]"] is not None:
            assert row["annualised capex [EUR/yr]"] + row["operating and other [EUR/yr]"] == \
                pytest.approx(row["annual cost [EUR/yr]"], abs=1e-6)


def test_sites_has_every_candidate_site_chosen_ones_first(wb, demo_plan):
    rows = table_rows(wb["Sites"], "Sites")
    assert sorted(r["site"] for r in rows) == sorted(demo_plan.sites.index)
    assert [r["chosen"] for r in rows] == sorted((r["chosen"] for r in rows), reverse=True)
    chosen = [r for r in rows if r["chosen"] == "yes"]
    assert sum(r["GPUs"] for r in chosen) == demo_plan.kpis["gpus"]
    supply = table_rows(wb["Site supply"], "SiteSupply")
    assert sum(r[c] for r in supply for c in r if c.startswith("GPUs ")) == \
        demo_plan.kpis["gpus"]
    assert [r["site"] for r in supply] == [r["site"] for r in rows]
    assert all(r["grid connection max [MW]"] > 0
               for r in table_rows(wb["Site inputs"], "SiteInputs"))


def test_summary_states_status_gap_kpis_and_run_metadata_the_rest(wb, demo_plan):
    summary = {r["key"]: r for r in table_rows(wb["Summary"], "Summary")}
    assert summary["scenario"]["value"] == "demo-small"
    assert summary["status"]["value"] == "optimal"
    assert summary["gap"]["value"] == pytest.approx(demo_plan.gap)
    assert "warning" not in summary
    run = {r["key"]: r for r in table_rows(wb["Run metadata"], "RunMetadata")}
    assert not {"scenario_hash", "solver", "seed", "threads", "solved_at"} & set(summary)
    assert run["scenario_hash"]["value"] == demo_plan.meta["scenario_hash"]
    assert run["data_version"]["value"] == demo_plan.meta["data_version"]
    assert run["gigaplan_version"]["value"] == demo_plan.meta["gigaplan_version"]
    assert run["solver"]["value"].startswith("HiGHS")
    assert run["seed"]["value"] == demo_plan.meta["solver_settings"]["seed"]
    assert run["threads"]["value"] == demo_plan.meta["solver_settings"]["threads"]
    assert {f"time to {k.removesuffix('_s')}" for k in demo_plan.meta["timings"]} <= {
        r["item"] for r in run.values()}
    for key, label in KPI_LABELS.items():
        assert summary[key]["value"] == pytest.approx(demo_plan.kpis[key])
        assert summary[key]["item"] == split_label(label)[0]
    assert summary["renewable_share"]["unit"] == "fraction"


def test_fleet_workloads_and_energy_match_the_plan(wb, demo_plan):
    fleet = table_rows(wb["Fleet"], "Fleet")
    assert sum(r["GPUs"] for r in fleet) == demo_plan.kpis["gpus"]
    runs = [r for r in table_rows(wb["Throughput"], "Throughput") if r["runs at"]]
    assert {r["workload"] for r in runs} == set(demo_plan.workloads["workload"])
    assert all(r["tokens/s per GPU [tokens/s]"] > 0 for r in runs)
    work = table_rows(wb["Workloads"], "Workloads")
    training = next(r for r in work if r["kind"] == "training")
    assert training["start [day of year]"] <= training["finish [day of year]"] \
        <= training["deadline [day of year]"]
    assert sum(r["share of demand [fraction]"] for r in work if r["kind"] == "inference") == \
        pytest.approx(1.0, rel=1e-6)
    dispatch = table_rows(wb["Dispatch"], "Dispatch")
    open_energy = demo_plan.energy[demo_plan.energy["site"].isin(
        demo_plan.sites.index[demo_plan.sites["open"]])]
    assert {r["day"] for r in dispatch} == set(open_energy["day"] + 1)  # "day 1", as explored
    annual = table_rows(wb["Energy"], "EnergyAnnual")
    for site in annual:
        mwh = sum(r["facility load [MW]"] * r["weight [h]"] for r in dispatch
                  if r["site"] == site["site"])
        assert mwh == pytest.approx(site["facility consumption [MWh/yr]"], rel=1e-9)


def test_assumptions_and_sources_cover_the_inputs_used(wb, demo_plan):
    rows = table_rows(wb["Assumptions"], "Assumptions")
    found = {(r["section"], r["item"], r["parameter"]): r for r in rows}
    carbon = found[("scenario", "policy", "carbon_price_eur_per_t")]
    assert carbon["value"] == 67 and carbon["unit"] == "EUR/tCO2"
    assert found[("finance", None, "discount_rate")]["unit"] == "1/yr"
    assert found[("sites", "bologna", "grid_mw_max")]["unit"] == "MW"
    assert found[("countries", "FI", "elec_price_eur_per_mwh")]["unit"] == "EUR/MWh"
    assert ("accelerators", "mi300x", "tdp_w") in found
    assert ("accelerators", "a100-40gb", "tdp_w") not in found  # not allowed by the scenario
    assert ("cooling", "direct_liquid", "pue_min") in found
    assert ("energy", "pv_utility", "capex_eur_per_kw") in found
    assert ("llm_models", "llama3-8b", "params_b") in found
    assert all(r["unit"] for r in rows if isinstance(r["value"], float))
    sources = table_rows(wb["Sources"], "Sources")
    tables = {r["table"] for r in sources}
    assert {"sites", "countries", "accelerators", "cooling", "energy", "finance"} <= tables
    assert all(r["title"] for r in sources)


def test_six_native_charts(plan_xlsx, demo_plan):
    with zipfile.ZipFile(plan_xlsx) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) >= 6
        assert not [n for n in z.namelist() if n.startswith("xl/media/")]  # not pictures
        kinds = " ".join(z.read(n).decode() for n in charts)
    assert all(f"{kind}Chart>" in kinds for kind in ("bar", "area", "line"))
    typical_days = demo_plan.energy["weight_h"].max()  # an hour of the day stands for as many
    assert f"(stands for {typical_days:.0f} days)" in kinds
    site = demo_plan.sites[demo_plan.sites["open"]]["it_mw"].idxmax()
    at_site = demo_plan.energy[demo_plan.energy["site"] == site]
    day = at_site.groupby("day")["weight_h"].first().idxmax() + 1  # the explorer's "day 1"
    assert f"representative day {day} (stands for" in kinds


def test_board_summary_states_the_plan_in_m_eur_and_three_sentences(wb, demo_plan):
    ws = wb["Board summary"]
    k = demo_plan.kpis
    figures = {r["figure"]: r for r in table_rows(ws, "BoardFigures")}
    assert figures["TCO, annual cost"]["value"] == pytest.approx(k["tco_eur_per_year"] / 1e6)
    assert figures["TCO, annual cost"]["unit"] == "M EUR/yr"
    parts = [figures[f"  {p}"]["value"] for p in ("capital annuities", "energy, operating",
                                                   "other operating")]
    assert sum(parts) == pytest.approx(k["tco_eur_per_year"] / 1e6)
    assert figures["cost per GPU-hour"]["value"] == pytest.approx(k["eur_per_gpu_hour"])
    npv = next(v for f, v in figures.items() if f.startswith("NPV of costs"))
    assert npv["value"] == pytest.approx(k["npv_cost_eur"] / 1e6)
    sites = table_rows(ws, "BoardSites")
    assert sum(r["capex [M EUR]"] for r in sites) == pytest.approx(k["capex_eur"] / 1e6)
    assert sum(r["annual cost [M EUR/yr]"] for r in sites) == pytest.approx(
        k["tco_eur_per_year"] / 1e6)
    capex = table_rows(ws, "BoardCapex")
    assert sum(r["over the horizon [M EUR]"] for r in capex) == pytest.approx(
        k["capex_over_horizon_eur"] / 1e6)
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    site = demo_plan.sites[demo_plan.sites["open"]].index[0]
    opens = next(t for t in texts if t.startswith("The plan opens"))
    assert f"{k['gpus']:,} GPUs" in opens and f"({demo_plan.sites.at[site, 'country']})" in opens
    assert any(t.startswith("It costs") and f"{k['eur_per_gpu_hour']:,.2f} EUR per GPU-hour" in t
               for t in texts)
    assert any(t.startswith("The sites and their supply were chosen for") for t in texts)
    assert len(ws._charts) == 1


def test_an_infeasible_plan_gets_summary_with_reasons_assumptions_and_sources(
        demo_plan, catalogue, tmp_path):
    plan = Plan(status="infeasible", gap=None, kpis={}, explanation=["no site can connect 9 GW"],
                workload_options=demo_plan.workload_options, meta=demo_plan.meta)
    book = openpyxl.load_workbook(to_excel(plan, tmp_path / "inf.xlsx", catalogue))
    assert book.sheetnames == ["Summary", "Assumptions", "Sources", "Run metadata"]
    summary = table_rows(book["Summary"], "Summary")
    assert {"key": "explanation", "value": "no site can connect 9 GW"}.items() <= next(
        r for r in summary if r["key"] == "explanation").items()
    # candidate sites come from the recorded scenario when the plan has none
    assert {r["item"] for r in table_rows(book["Assumptions"], "Assumptions")
            if r["section"] == "sites"} == set(demo_plan.sites.index)


def test_summary_warns_when_the_catalogue_is_not_the_plans_data(demo_plan, catalogue, tmp_path):
    plan = dataclasses.replace(demo_plan, meta={**demo_plan.meta, "data_version": "000000000000"})
    book = openpyxl.load_workbook(to_excel(plan, tmp_path / "w.xlsx", catalogue))
    warnings = [r["value"] for r in table_rows(book["Summary"], "Summary") if r["key"] == "warning"]
    assert len(warnings) == 1 and "000000000000" in warnings[0] and catalogue.version in warnings[0]


def test_a_failed_save_leaves_nothing_behind_and_keeps_an_old_file(demo_plan, catalogue,
                                                                   tmp_path, monkeypatch):
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"old")

    def broken_save(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(UsageError, match="No space left"):
        to_excel(demo_plan, target, catalogue)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]


@pytest.mark.parametrize("name, message", [("plan.xls", "must end in .xlsx"),
                                           ("missing/plan.xlsx", "folder does not exist")])
def test_bad_target_is_a_usage_error(demo_plan, catalogue, tmp_path, name, message):
    with pytest.raises(UsageError, match=message):
        to_excel(demo_plan, tmp_path / name, catalogue)
    assert list(tmp_path.iterdir()) == []


def test_full_year_sheet_states_the_check_and_its_verdict(wb, demo_plan):
    rows = table_rows(wb["Full year"], "FullYearCheck")
    assert [r["figure"] for r in rows] == list(demo_plan.check["figure"])
    by_figure = {r["figure"]: r for r in rows}
    expected = demo_plan.check.set_index("figure")
    for figure, row in by_figure.items():
        full = expected.at[figure, "full_year"]
        assert row["full year"] == pytest.approx(full, nan_ok=True) or row["full year"] is None
    verdict = "holds" if not demo_plan.check_breaks else "breaks"
    texts = [c.value for col in wb["Full year"].iter_cols(min_col=1, max_col=1) for c in col]
    assert f"The plan {verdict} on the full year." in texts
    summary = {r["key"]: r for r in table_rows(wb["Summary"], "Summary")}
    assert summary["full_year_check"]["value"] == verdict


def _chart_series_colours(path) -> dict[str, str]:
    """Series title -> its fill colour (RRGGBB) over every chart in the workbook's XML."""
    import re
    import zipfile

    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.startswith("xl/charts/chart"):
                continue
            xml = z.read(name).decode("utf-8")
            for ser in re.findall(r"<(?:c:)?ser>(.*?)</(?:c:)?ser>", xml, flags=re.S):
                title = re.search(r"<(?:c:)?v>(.*?)</(?:c:)?v>", ser)
                fill = re.search(r'<a:solidFill>\s*<a:srgbClr val="([0-9A-Fa-f]{6})"', ser)
                if title and fill:
                    out[title.group(1)] = fill.group(1).upper()
    return out


def test_charts_colour_each_flow_and_accelerator_as_the_explorer_does(plan_xlsx, demo_plan,
                                                                      catalogue):
    from planner.colours import ENERGY_COLOURS, accelerator_colours, excel

    colours = _chart_series_colours(plan_xlsx)
    assert colours["grid import [MWh/yr]"] == excel(ENERGY_COLOURS["grid"])
    assert colours["PPA [MWh/yr]"] == excel(ENERGY_COLOURS["ppa"])
    assert colours["grid import [MW]"] == excel(ENERGY_COLOURS["grid"])  # the dispatch day
    by_acc = accelerator_colours(catalogue.ids("accelerators"))
    for acc in demo_plan.fleet["accelerator"].unique():
        assert colours[f"GPUs {acc}"] == excel(by_acc[acc])
