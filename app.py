"""gigaplan explorer (Streamlit): browse the catalogue and check a scenario.

Run with ``streamlit run app.py``. The app is thin over the ``planner`` API: it
loads, validates and summarises; no modelling logic lives here. Solving and
plan views arrive with the optimiser.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

import planner
from planner.catalogue import TABLES
from planner.errors import GigaplanError
from planner.roofline.architecture import from_catalogue
from planner.roofline.chart import roofline_figure, transformer_points
from planner.roofline.hardware import accelerator
from planner.scenario import load_scenario_bytes, to_yaml
from planner.scenario.summary import summarise

SCENARIOS = Path(__file__).parent / "scenarios"


@st.cache_resource
def catalogue() -> planner.Catalogue:
    """The data catalogue, loaded once per server."""
    return planner.load_catalogue()


def show_error(exc: GigaplanError) -> None:
    """One readable message per problem, never a stack trace."""
    st.error(f"{exc.kind}:\n\n" + "\n".join(f"- {p.render()}" for p in exc.problems))


def scenario_page() -> None:
    """Pick or upload a scenario, validate it, see its summary, download it."""
    st.header("Scenario")
    bundled = sorted(p.name for p in SCENARIOS.glob("*.yaml"))
    choice = st.selectbox("Bundled scenario", bundled,
                          index=bundled.index("eu-gigafactory.yaml"))
    upload = st.file_uploader("...or upload a scenario YAML", type=["yaml", "yml"])
    try:
        if upload is not None:
            scenario = load_scenario_bytes(upload.getvalue(), upload.name, catalogue())
        else:
            scenario = planner.load_scenario(SCENARIOS / choice, catalogue())
    except GigaplanError as exc:
        show_error(exc)
        return
    summary = summarise(scenario, catalogue())
    st.subheader(summary["name"])
    st.caption(f"scenario {summary['scenario_hash']} · data {summary['data_version']}")
    st.write(summary["description"])
    cols = st.columns(3)
    cols[0].metric("Candidate sites", len(summary["candidate_sites"]))
    cols[1].metric("Member states", len(summary["candidate_countries"]))
    cols[2].metric("Grid with upgrades [MW]", f"{summary['grid_mw_max_total']:,.0f}")
    st.dataframe(pd.DataFrame(summary["workloads"]), hide_index=True)
    st.download_button("Download resolved scenario YAML", to_yaml(scenario),
                       file_name=f"{scenario.name}.yaml", mime="application/x-yaml")


def catalogue_page() -> None:
    """Browse any catalogue table with its units and sources."""
    st.header("Data catalogue")
    cat = catalogue()
    st.caption(f"data version {cat.version}")
    name = st.selectbox("Table", list(TABLES), index=list(TABLES).index("accelerators"))
    st.write(TABLES[name].doc)
    st.dataframe(cat.tables[name].reset_index(), hide_index=True)


def roofline_page() -> None:
    """Roofline chart of chosen accelerators with a model's operating points."""
    st.header("Roofline")
    cat = catalogue()
    chosen = st.multiselect("Accelerators", cat.ids("accelerators"),
                            default=["h100-sxm", "gb200", "mi300x"])
    model_id = st.selectbox("Model", cat.ids("llm_models"),
                            index=cat.ids("llm_models").index("llama3-70b"))
    precision = st.radio("Precision", ["bf16", "fp8"], horizontal=True)
    try:
        accs = [accelerator(cat, a) for a in chosen]
        points = transformer_points(from_catalogue(cat, model_id), precision=precision)
    except GigaplanError as exc:
        show_error(exc)
        return
    st.plotly_chart(roofline_figure(accs, points, precision))
    st.caption("Ceilings use measured efficiencies (accelerator_efficiency.csv); see "
               "docs/validation.md for the error against published runs.")


PAGES = {"Scenario": scenario_page, "Catalogue": catalogue_page, "Roofline": roofline_page}


def main() -> None:
    """Route between pages."""
    st.set_page_config(page_title="gigaplan", layout="wide")
    PAGES[st.sidebar.radio("Page", list(PAGES))]()


main()
