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
    "Summary": {"Summary": ["item", "value", "unit", "key"]},
    "Sites": {"Sites": ["site", "name", "country", "chosen", "cooling", "IT load [MW]",
                        "PUE, mean [-]", "emissions [tCO2/yr]", "grid connection max [MW]",
                        "electricity price [EUR/MWh]"]},
    "Fleet": {"Fleet": ["site", "accelerator", "nodes", "GPUs", "IT load [MW]",
                        "peak BF16 [PFLOP/s]"],
              "Throughput": ["workload", "accelerator", "TFLOP/s per GPU [TFLOP/s]",
                             "tokens/s per GPU [tokens/s]", "MFU [fraction]"]},
    "Energy": {"EnergyAnnual": ["site", "facility consumption [MWh/yr]", "grid import [MWh/yr]",
                                "PPA [MWh/yr]", "on-site renewables [MWh/yr]",
                                "renewables curtailed [MWh/yr]",
                                "renewable energy consumed [MWh/yr]",
                                "renewable energy factor (REF) [fraction]",
                                "energy reuse factor (ERF) [fraction]", "WUE [L/kWh]",
                                "standby running [h/yr]"],
               "Dispatch": ["site", "day", "hour", "weight [h]", "facility load [MW]",
                            "grid import [MW]", "battery state of charge [MWh]"]},
    "Cooling": {"Cooling": ["site", "cooling", "PUE, mean [-]", "water [m3/yr]",
                            "heat recoverable [MWh_th/yr]", "heat sold [MWh_th/yr]"]},
    "Costs": {"CostsByItem": ["item", "capex [EUR]", "annualised capex [EUR/yr]",
                              "operating and other [EUR/yr]", "annual cost [EUR/yr]"],
              "Costs": ["item", "site", "capex [EUR]", "asset life [years]",
                        "annual cost [EUR/yr]"]},
    "Workloads": {"Workloads": ["workload", "kind", "site", "accelerator", "GPUs",
                                "start [day of year]", "finish [day of year]",
                                "deadline [day of year]"]},
    "Full year": {"FullYearCheck": ["figure", "unit", "representative days", "full year",
                                    "difference [fraction]"]},
    "Assumptions": {"Assumptions": ["section", "item", "parameter", "value", "unit", "source"]},
    "Sources": {"Sources": ["table", "source", "cited by", "title", "year", "url", "licence"]},
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


def test_ten_sheets_each_a_formatted_table_with_units_in_its_headers(wb):
    assert wb.sheetnames == list(SHEETS)
    for sheet, tables in HEADERS.items():
        ws = wb[sheet]
        assert ws.freeze_panes in ("A2", "B2"), sheet
        for name, expected in tables.items():
            table = ws.tables[name]
            assert table.autoFilter is not None and table.tableStyleInfo.name
            header = [c.value for c in ws[table.ref][0]]
            assert set(expected) <= set(header), (sheet, name, set(expected) - set(header))
            assert ws[table.ref][0][0].font.b


def test_numbers_are_numeric_cells_with_number_formats(wb):
    for sheet, name, header in (("Sites", "Sites", "IT load [MW]"),
                                ("Costs", "Costs", "annual cost [EUR/yr]"),
                                ("Energy", "Dispatch", "facility load [MW]"),
                                ("Fleet", "Fleet", "GPUs")):
        for cell in cells(wb[sheet], name, header):
            assert cell.data_type == "n" and isinstance(cell.value, (int, float)), (sheet, header)
            assert cell.number_format != "General"
    share = cells(wb["Energy"], "EnergyAnnual", "renewable energy factor (REF) [fraction]")[0]
    assert share.number_format == "0.0%" and 0 < share.value <= 1


def test_costs_total_reconciles_with_the_tco_to_the_cent(wb, demo_plan):
    ws = wb["Costs"]
    by_site = [r["annual cost [EUR/yr]"] for r in table_rows(ws, "Costs")]
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
    capex = [r["capex [EUR]"] for r in table_rows(ws, "Costs")]
    assert sum(capex) == pytest.approx(demo_plan.kpis["capex_eur"], abs=0.005)
    for row in table_rows(ws, "Costs"):  # annuity + the rest = the annual cost
        if row["annualised capex [EUR/yr]"] is not None:
            assert row["annualised capex [EUR/yr]"] + row["operating and other [EUR/yr]"] == \
                pytest.approx(row["annual cost [EUR/yr]"], abs=1e-6)


def test_sites_has_every_candidate_site_chosen_ones_first(wb, demo_plan):
    rows = table_rows(wb["Sites"], "Sites")
    assert sorted(r["site"] for r in rows) == sorted(demo_plan.sites.index)
    assert [r["chosen"] for r in rows] == sorted((r["chosen"] for r in rows), reverse=True)
    chosen = [r for r in rows if r["chosen"]]
    assert sum(r[c] for r in chosen for c in r if c.startswith("GPUs ")) == \
        demo_plan.kpis["gpus"]
    assert all(r["grid connection max [MW]"] > 0 for r in rows)


def test_summary_states_status_gap_kpis_hash_and_versions(wb, demo_plan):
    summary = {r["key"]: r for r in table_rows(wb["Summary"], "Summary")}
    assert summary["scenario"]["value"] == "demo-small"
    assert summary["status"]["value"] == "optimal"
    assert summary["gap"]["value"] == pytest.approx(demo_plan.gap)
    assert summary["scenario_hash"]["value"] == demo_plan.meta["scenario_hash"]
    assert summary["data_version"]["value"] == demo_plan.meta["data_version"]
    assert summary["gigaplan_version"]["value"] == demo_plan.meta["gigaplan_version"]
    assert summary["solver"]["value"].startswith("HiGHS")
    assert "warning" not in summary
    for key, label in KPI_LABELS.items():
        assert summary[key]["value"] == pytest.approx(demo_plan.kpis[key])
        assert summary[key]["item"] == split_label(label)[0]
    assert summary["renewable_share"]["unit"] == "fraction"


def test_fleet_workloads_and_energy_match_the_plan(wb, demo_plan):
    fleet = table_rows(wb["Fleet"], "Fleet")
    assert sum(r["GPUs"] for r in fleet) == demo_plan.kpis["gpus"]
    runs = [r for r in table_rows(wb["Fleet"], "Throughput") if r["runs at"]]
    assert {r["workload"] for r in runs} == set(demo_plan.workloads["workload"])
    assert all(r["tokens/s per GPU [tokens/s]"] > 0 for r in runs)
    work = table_rows(wb["Workloads"], "Workloads")
    training = next(r for r in work if r["kind"] == "training")
    assert training["start [day of year]"] <= training["finish [day of year]"] \
        <= training["deadline [day of year]"]
    assert sum(r["share of demand [fraction]"] for r in work if r["kind"] == "inference") == \
        pytest.approx(1.0, rel=1e-6)
    dispatch = table_rows(wb["Energy"], "Dispatch")
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


def test_four_native_charts(plan_xlsx, demo_plan):
    with zipfile.ZipFile(plan_xlsx) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) >= 4
        assert not [n for n in z.namelist() if n.startswith("xl/media/")]  # not pictures
        kinds = " ".join(z.read(n).decode() for n in charts)
    assert all(f"{kind}Chart>" in kinds for kind in ("bar", "area", "line"))
    typical_days = demo_plan.energy["weight_h"].max()  # an hour of the day stands for as many
    assert f"(stands for {typical_days:.0f} days)" in kinds


def test_an_infeasible_plan_gets_summary_with_reasons_assumptions_and_sources(
        demo_plan, catalogue, tmp_path):
    plan = Plan(status="infeasible", gap=None, kpis={}, explanation=["no site can connect 9 GW"],
                workload_options=demo_plan.workload_options, meta=demo_plan.meta)
    book = openpyxl.load_workbook(to_excel(plan, tmp_path / "inf.xlsx", catalogue))
    assert book.sheetnames == ["Summary", "Assumptions", "Sources"]
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
