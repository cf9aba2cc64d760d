"""gigaplan explorer (Streamlit): check and solve a scenario, browse the catalogue.

Run with ``streamlit run app.py``. The app is thin over the ``planner`` API: it
loads, validates, solves and summarises; no modelling logic lives here. A solved
plan is kept per scenario hash for the session and offered as an Excel report
and as plan JSON.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

import planner
from planner.catalogue import TABLES
from planner.cli.render import format_value
from planner.errors import GigaplanError
from planner.report import to_excel
from planner.report.labels import KPI_LABELS
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
    plan_section(scenario, summary["scenario_hash"])


def plan_section(scenario: planner.Scenario, digest: str) -> None:
    """Solve on request; show status and KPIs; offer the Excel report and plan JSON."""
    plans = st.session_state.setdefault("plans", {})
    if st.button("Solve", type="primary", key="solve"):
        with st.spinner(f"Solving {scenario.name} with HiGHS..."):
            plans[digest] = planner.solve(scenario, catalogue())
    plan = plans.get(digest)
    if plan is None:
        st.caption("Solve to see the plan (the flagship takes about 90 s; demo-small about 2 s).")
        return
    gap = "" if plan.gap is None else f", proven gap {plan.gap:.2%}"
    st.subheader(f"Plan: {plan.status}{gap}")
    for line in plan.explanation:
        st.warning(line)
    if plan.has_solution:
        kpis = pd.DataFrame([{"KPI": label, "value": format_value(plan.kpis[key])}
                             for key, label in KPI_LABELS.items() if key in plan.kpis])
        st.dataframe(kpis, hide_index=True)
    reports = st.session_state.setdefault("reports", {})
    if digest not in reports:
        reports[digest] = excel_bytes(plan)
    st.download_button("Download Excel report", reports[digest], key="xlsx",
                       file_name=f"{scenario.name}-plan.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.download_button("Download plan JSON", json.dumps(plan.summary(), indent=2, default=str),
                       file_name=f"{scenario.name}-plan.json", mime="application/json",
                       key="json")


def excel_bytes(plan: planner.Plan) -> bytes:
    """The plan's Excel report (planner.report.to_excel) as bytes for download."""
    with tempfile.TemporaryDirectory() as tmp:
        path = to_excel(plan, Path(tmp) / "plan.xlsx", catalogue())
        return path.read_bytes()


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
