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
