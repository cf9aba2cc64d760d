"""The Streamlit app through Streamlit's AppTest (real script run, no browser)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    return at.run()


def test_flagship_scenario_summary_is_shown():
    at = app()
    assert not at.exception
    assert at.subheader[0].value == "eu-gigafactory"
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Member states"]) >= 20


def test_choosing_another_bundled_scenario():
    at = app()
    at.selectbox[0].select("jupiter.yaml").run()
    assert at.subheader[0].value == "jupiter"
    assert {m.label: m.value for m in at.metric}["Candidate sites"] == "1"


def test_catalogue_page_lists_accelerators():
    at = app()
    at.sidebar.radio[0].set_value("Catalogue").run()
    assert not at.exception
    assert at.header[0].value == "Data catalogue"
    table = at.dataframe[0].value
    assert "h100-sxm" in set(table["id"])


def test_roofline_page_draws_the_chart():
    at = app()
    at.sidebar.radio[0].set_value("Roofline").run()
    assert not at.exception
    assert at.header[0].value == "Roofline"
    assert len(at.get("plotly_chart")) == 1


def test_solving_the_demo_shows_kpis_and_offers_the_excel_report():
    import io

    import openpyxl

    at = app()
    at.selectbox[0].select("demo-small.yaml").run()
    at.button(key="solve").click().run()
    assert not at.exception
    assert at.subheader[1].value.startswith("Plan: optimal, proven gap")
    kpis = dict(zip(at.dataframe[1].value["KPI"], at.dataframe[1].value["value"], strict=True))
    assert kpis["GPUs"] == "776" and "TCO [EUR/yr]" in kpis
    report = at.session_state["reports"]
    [data] = report.values()
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[:3] == ["Summary", "Sites", "Fleet"]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download resolved scenario YAML", "Download Excel report",
                      "Download plan JSON"]
