"""The Streamlit explorer through Streamlit's AppTest (real script runs, no browser).

Every test starts from empty caches, so no plan is remembered from another test.
"""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from planner.scenario import load_scenario, scenario_hash
from tests.conftest import ROOT, SCENARIOS

VIEWS = {"Map": (1, 2), "Fleet": (1, 2), "Energy": (2, 2), "Cooling": (1, 1), "Costs": (1, 1),
         "Workloads": (0, 1), "Roofline": (1, 0), "Assumptions and sources": (0, 2)}
"""Plan view -> (charts, tables) it shows."""


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_resource.clear()
    st.cache_data.clear()


def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def displayed(table) -> pd.DataFrame:
    """A shown table as the reader sees it: its headers and its cells' display text."""
    from streamlit import dataframe_util

    data = table.proto.arrow_data
    return dataframe_util.convert_arrow_bytes_to_pandas_df(
        data.styler.display_values if data.styler.display_values else data.data)


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def demo(at: AppTest | None = None) -> AppTest:
    at = at or app()
    return at.selectbox(key="scenario").select("demo-small.yaml").run()


def edit(field: str, base: str = "demo-small.yaml") -> str:
    """Key of the widget editing a field of a bundled scenario: ``edit:<its hash>:<field>``."""
    return f"edit:{scenario_hash(load_scenario(SCENARIOS / base))}:{field}"


def page(at: AppTest, name: str) -> AppTest:
    return at.sidebar.radio(key="page").set_value(name).run()


def test_the_explorer_opens_on_the_quick_demo_and_says_what_it_answers():
    at = app()
    assert not at.exception
    assert at.subheader[0].value == "demo-small"
    intro = at.markdown[0].value
    assert "where should we build" in intro and "about 2 s" in intro and "eu-gigafactory" in intro


def test_flagship_scenario_summary_is_shown():
    at = app()
    at.selectbox(key="scenario").select("eu-gigafactory.yaml").run()
    assert not at.exception
    assert at.subheader[0].value == "eu-gigafactory"
    assert int(metrics(at)["Member states"]) >= 20
    assert len(at.get("plotly_chart")) == 1  # the map of candidate sites
    assert at.button(key="solve").disabled is False


def test_choosing_another_bundled_scenario():
    at = app()
    at.selectbox(key="scenario").select("jupiter.yaml").run()
    assert at.subheader[0].value == "jupiter"
    assert metrics(at)["Candidate sites"] == "1"


def test_catalogue_page_lists_accelerators():
    at = page(app(), "Catalogue")
    assert not at.exception
    assert at.header[0].value == "Data catalogue"
    table = at.dataframe[0].value
    assert "h100-sxm" in set(table["id"])


def test_roofline_page_draws_the_chart():
    at = page(app(), "Roofline")
    assert not at.exception
    assert at.header[0].value == "Roofline"
    assert len(at.get("plotly_chart")) == 1


def test_solving_the_demo_shows_kpis_every_view_and_the_downloads():
    at = demo()
    at.button(key="solve").click().run()
    assert not at.exception
    assert at.subheader[1].value.startswith("Plan: optimal, proven gap")
    kpis = metrics(at)
    assert kpis["GPUs"] == "776" and kpis["TCO"].endswith(" M EUR/yr")
    assert kpis["PUE"] == "1.08" and kpis["emissions"].endswith(" CO2/yr")
    assert {"cost per GPU-hour", "facility load", "renewables", "proven gap"} <= set(kpis)
    at.button(key="open_plan").click().run()
    assert at.header[0].value == "Plan" and not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download resolved scenario YAML", "Download Excel report",
                      "Download plan JSON"]
    [data] = at.session_state["reports"].values()
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[:3] == ["Board summary", "Summary", "Sites"]
    for view, (charts, tables) in VIEWS.items():
        at.radio(key="view").set_value(view).run()
        assert not at.exception, view
        assert (len(at.get("plotly_chart")), len(at.dataframe)) == (charts, tables), view
        for table in at.dataframe:  # no "None" or "nan" a reader would see
            cells = displayed(table).astype(str).to_numpy().ravel()
            assert not {"None", "nan", "NaN", "<NA>"} & set(cells), view
        if view == "Map":
            chosen = displayed(at.dataframe[0])
            assert chosen["PUE [-]"].tolist() == ["1.08"] and chosen["GPUs"].tolist() == ["776"]
        if view == "Fleet":
            fleet = displayed(at.dataframe[0])
            assert list(fleet.columns) == ["site", "accelerator", "nodes", "GPUs",
                                           "IT load [MW]", "peak BF16 [PFLOP/s]"]
            assert fleet.iloc[0].tolist()[:4] == ["bologna", "mi300x", "97", "776"]
        if view == "Costs":
            shares = displayed(at.dataframe[0])["share of TCO [%]"]
            [plan] = at.session_state["plans"].values()  # the largest item, from the plan itself
            largest = plan.costs.groupby("item")["eur_per_year"].sum().max()
            expected = f"{100 * largest / plan.kpis['tco_eur_per_year']:.1f} %"
            assert all(s.endswith(" %") for s in shares) and shares.iloc[0] == expected
            assert 55 < float(expected[:-2]) < 75  # GPUs dominate a GPU factory's TCO
    # open the Why this plan view: the Excel download then carries its sheet
    assert "Why this plan" not in workbook.sheetnames
    at.radio(key="view").set_value("Why this plan").run()
    assert not at.exception
    with_why = [data for (_, why, _), data in at.session_state["reports"].items() if why]
    assert len(with_why) == 1
    sheets = openpyxl.load_workbook(io.BytesIO(with_why[0])).sheetnames
    assert "Why this plan" in sheets and sheets.index("Why this plan") == sheets.index(
        "Costs by site") + 1
    [digest] = at.session_state["plans"]
    at.button(key=f"why_price:{digest}").click().run()  # and with the policies priced
    assert not at.exception
    [priced] = [data for (_, _, policies), data in at.session_state["reports"].items()
                if policies]
    sheet = openpyxl.load_workbook(io.BytesIO(priced))["Why this plan"]
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "renewable share" in cells


def test_an_edit_is_a_new_scenario_and_going_back_is_instant():
    at = demo()
    at.button(key="solve").click().run()
    at.number_input(key=edit("policy.carbon_price_eur_per_t")).set_value(300.0).run()
    assert any(c.value.endswith(" · edited") for c in at.caption)
    assert [h.value for h in at.subheader] == ["demo-small"]  # no plan for the edit yet
    at.button(key="solve").click().run()
    assert at.subheader[1].value.startswith("Plan: optimal")
    assert len(at.session_state["plans"]) == 2
    # the edit survives a visit to another page
    at = page(page(at, "Catalogue"), "Scenario")
    assert at.number_input(key=edit("policy.carbon_price_eur_per_t")).value == 300.0
    # another scenario and back: the remembered plan shows without solving
    at.selectbox(key="scenario").select("jupiter.yaml").run()
    at.selectbox(key="scenario").select("demo-small.yaml").run()
    assert at.subheader[1].value.startswith("Plan: optimal") and at.button(key="solve").disabled
    at = page(at, "Compare")
    assert not at.exception
    kpis = at.dataframe[0].value
    assert kpis.shape[1] == 3 and kpis.loc["GPUs"].tolist() == ["776", "776", "+0.0%"]
    assert at.dataframe[1].value.index.tolist() == ["policy.carbon_price_eur_per_t"]


def test_an_infeasible_scenario_is_explained():
    at = demo()
    at.number_input(key=edit("policy.budget_eur")).set_value(1e6).run()
    at.button(key="solve").click().run()
    assert not at.exception
    assert at.subheader[1].value.startswith("Plan: infeasible")
    assert "the capex budget of 1,000,000 EUR is exceeded by" in errors(at)
    page(at, "Plan")
    assert at.subheader[0].value.startswith("Plan: infeasible") and not at.exception


def test_problems_are_shown_next_to_their_fields_and_block_the_solve():
    at = demo()
    at.selectbox(key=edit("objective")).set_value("max_compute").run()
    assert "objective max_compute needs policy.budget_eur" in errors(at)
    assert all(b.key != "solve" for b in at.button)
    at.multiselect(key=edit("accelerators")).set_value([]).run()
    assert not at.exception
    assert "accelerators: List should have at least 1 item" in errors(at)
    at.selectbox(key=edit("objective")).set_value("min_cost").run()
    at.multiselect(key=edit("accelerators")).set_value(["gh200"]).run()
    assert not at.error and at.button(key="solve").disabled is False


@pytest.mark.parametrize(("content", "message"), [
    (b"name: x\nworkloads: [\n", "malformed YAML"),
    ((SCENARIOS / "demo-small.yaml").read_bytes() + b"colour: red\n", "unknown field 'colour'"),
    (b"# " + b"x" * 1_100_000, "scenario files are limited to 1,000,000 bytes"),
    (bytes(range(256)), "cannot read scenario"),
    (b"extends: demo-small.yaml\nname: y\n", "cannot use 'extends:'"),
])
def test_a_bad_upload_gets_a_message_not_a_stack_trace(content, message):
    at = app()
    at.file_uploader(key="upload").upload("bad.yaml", content, "application/x-yaml").run()
    assert not at.exception
    assert message in errors(at)
    assert at.subheader[0].value == "demo-small"  # the chosen scenario stays


def test_a_good_upload_becomes_the_scenario():
    text = (SCENARIOS / "demo-small.yaml").read_text().replace("name: demo-small", "name: mine")
    at = app()
    at.file_uploader(key="upload").upload("mine.yaml", text.encode(), "application/x-yaml").run()
    assert not at.exception and not at.error
    assert at.selectbox(key="scenario").value == "mine.yaml (uploaded)"
    assert at.subheader[0].value == "mine"
