"""gigaplan explorer (Streamlit): edit a scenario, solve it, explore and compare plans.

Run with ``streamlit run app.py``. The app is widgets over the ``planner`` API:
figures, tables and scenario edits come from :mod:`planner.explorer`, solves from
``planner.solve`` in the background (remembered by scenario hash). No modelling
logic lives here. Nothing is fetched from the internet: the map outlines are served
from ``static/topojson/`` (docs/explorer.md).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pandas as pd
import streamlit as st

import planner
from planner.catalogue import TABLES
from planner.colours import accelerator_colours
from planner.errors import GigaplanError
from planner.explorer import compare, dispatch, figures, geo, kpis, siting, whatif
from planner.explorer.edit import (
    FIELDS,
    WORKLOAD_MODELS,
    Edited,
    column_kind,
    country_labels,
    edited,
    field_help,
    field_values,
    name_labels,
    site_labels,
    workload_frame,
)
from planner.explorer.jobs import Job, SolveQueue
from planner.explorer.plans import XLSX_MIME, excel_bytes, plan_json, scenario_of, scenario_yaml
from planner.explorer.roofline import main_precision, scenario_roofline, workload_points
from planner.explorer.tables import every_site_column, readable
from planner.labels import column_label
from planner.report.assumptions import assumptions_table, sources_table
from planner.report.plan_tables import (
    SITE_PARTS,
    check_table,
    cooling_table,
    cost_tables,
    energy_indicators_table,
    energy_table,
    fleet_table,
    open_sites,
    sites_table,
    throughput_table,
    workloads_table,
)
from planner.report.siting import alternatives_to_excel, formula_note
from planner.report.used import used_inputs
from planner.roofline.architecture import from_catalogue
from planner.roofline.chart import roofline_figure, transformer_points
from planner.roofline.hardware import accelerator
from planner.scenario import load_scenario_bytes, scenario_hash, to_yaml
from planner.scenario.schema import Objective, Precision, RenewableMatching, Resolution
from planner.scenario.summary import summarise
from planner.siting import tables as siting_tables
from planner.siting.why import POLICY_COLUMNS, Why, plan_shape

SCENARIOS = Path(__file__).parent / "scenarios"
DEFAULT_SCENARIO = "demo-small.yaml"  # opened first: it solves in about 2 s
# widget keys (besides ``edit:*``) kept while their page is not shown
PERSISTENT = ("scenario", "plan_choice", "view", "shade", "compare")
LOG = logging.getLogger("gigaplan.explorer")
TABLE_ROW_PX = 35  # one st.dataframe row [px]: n rows show whole at 35 (n + 1) + 3


@st.cache_resource
def catalogue() -> planner.Catalogue:
    """The data catalogue, loaded once per server."""
    return planner.load_catalogue()


@st.cache_resource
def solve_queue() -> SolveQueue:
    """Background solves shared by the server's sessions, remembered by scenario hash."""
    return SolveQueue(catalogue())


def show_error(exc: GigaplanError) -> None:
    """One readable message per problem, never a stack trace."""
    st.error(f"{exc.kind}:\n\n" + "\n".join(f"- {p.render()}" for p in exc.problems))


def show_figure(fig, key: str | None = None) -> None:
    """A plotly chart whose map outlines come from this app (static/topojson/)."""
    base = st.get_option("server.baseUrlPath").strip("/")
    url = ("/" + base if base else "") + "/app/static/topojson/"
    st.plotly_chart(fig, config={"topojsonURL": url, "displaylogo": False}, width="stretch",
                    key=key)


def go_to(page: str) -> None:
    """Callback: show another page."""
    st.session_state["page"] = page


def plans() -> dict[str, planner.Plan]:
    """The solved plans of this session, by scenario hash."""
    return st.session_state.setdefault("plans", {})


# --- Scenario page -------------------------------------------------------------------------


def take_upload() -> None:
    """Callback: validate an uploaded scenario and add it to the scenario choices."""
    file = st.session_state.get("upload")
    st.session_state["upload_error"] = None
    if file is None:
        return
    try:
        scenario = load_scenario_bytes(file.getvalue(), file.name, catalogue())
    except GigaplanError as exc:
        st.session_state["upload_error"] = exc
        return
    except Exception as exc:  # an upload must never end in a stack trace
        LOG.exception("reading upload %s", file.name)
        st.session_state["upload_error"] = planner.ScenarioError.single(
            f"cannot read this file: {exc}", file=file.name)
        return
    label = f"{file.name} (uploaded)"
    st.session_state.setdefault("uploads", {})[label] = scenario
    st.session_state["scenario"] = label


def choose_base() -> planner.Scenario | None:
    """Pick a bundled or uploaded scenario (problems shown in place)."""
    uploads = st.session_state.setdefault("uploads", {})
    options = sorted(p.name for p in SCENARIOS.glob("*.yaml")) + list(uploads)
    st.session_state.setdefault("scenario", DEFAULT_SCENARIO)
    left, right = st.columns(2)
    choice = left.selectbox("Scenario", options, key="scenario",
                            help="the bundled scenarios, and the files you uploaded")
    right.file_uploader("...or upload a scenario YAML (at most 1 MB)", type=["yaml", "yml"],
                        key="upload", on_change=take_upload)
    if st.session_state.get("upload_error") is not None:
        show_error(st.session_state["upload_error"])
    if choice in uploads:
        return uploads[choice]
    try:
        return planner.load_scenario(SCENARIOS / choice, catalogue())
    except GigaplanError as exc:
        show_error(exc)
        return None


def workload_editor(base: planner.Scenario, base_hash: str, kind: str) -> pd.DataFrame:
    """An editable table of one kind of workload (rows can be added and deleted)."""
    key = f"editor:{base_hash}:{kind}"
    inputs = st.session_state.setdefault("editor_inputs", {})
    outputs = st.session_state.setdefault("editor_outputs", {})
    if key not in st.session_state:  # a fresh table starts from the last edit, else the base
        inputs[key] = outputs.get(key, workload_frame(base, kind))
    choices = {"model": catalogue().ids("llm_models"), "kernel": catalogue().ids("hpc_kernels"),
               "precision": [p.value for p in Precision]}
    config = {}
    for column in inputs[key].columns:
        help_, label = field_help(kind, column), column_label(column)
        if column in choices:
            config[column] = st.column_config.SelectboxColumn(label, options=choices[column],
                                                              help=help_)
        elif column_kind(kind, column) in ("int", "float"):
            config[column] = st.column_config.NumberColumn(
                label, help=help_, min_value=0,
                format="%d" if column_kind(kind, column) == "int" else "localized")
        else:
            config[column] = st.column_config.TextColumn(label, help=help_)
    st.markdown(f"**{kind.capitalize()}**")
    outputs[key] = st.data_editor(inputs[key], key=key, num_rows="dynamic", hide_index=True,
                                  column_config=config, width="stretch")
    return outputs[key]


def edit_scenario(base: planner.Scenario, base_hash: str) -> Edited:
    """The fields people change most, each with its problems shown next to it."""
    cat = catalogue()

    def key(field: str) -> str:
        return f"edit:{base_hash}:{field}"

    for field, value in field_values(base).items():
        st.session_state.setdefault(key(field), value)
    slots = {}
    st.text_input("Name", key=key("name"), help="letters, digits, '.', '_' and '-'")
    slots["name"] = st.container()
    tabs = dict(zip(("workloads", "sites", "technology", "policy", "time"), st.tabs(
        ["Workloads", "Sites", "Hardware", "Policy", "Time"]),
        strict=True))
    with tabs["workloads"]:
        st.caption("Blank cells take the schema's defaults; hover a header for its unit.")
        frames = {kind: workload_editor(base, base_hash, kind) for kind in WORKLOAD_MODELS}
        slots["workloads"] = st.container()
    with tabs["sites"]:
        countries = country_labels(cat)
        st.multiselect("Allowed member states (none: all)", list(countries), key=key(
            "sites.countries"), format_func=countries.get)
        sites = site_labels(cat)
        st.multiselect("Only these sites (none: all)", list(sites), key=key("sites.include"),
                       format_func=sites.get)
        st.multiselect("Never these sites", list(sites), key=key("sites.exclude"),
                       format_func=sites.get)
        left, right = st.columns(2)
        left.number_input("At most this many sites (blank: no limit)", min_value=1, step=1,
                          value=None, key=key("sites.max_sites"))
        right.number_input("At least this many member states (blank: no rule)", min_value=1,
                           max_value=27, step=1, value=None, key=key("policy.min_member_states"))
        slots["sites"] = st.container()
    with tabs["technology"]:
        accs = name_labels(cat, "accelerators")
        st.multiselect("Accelerators allowed", list(accs), key=key("accelerators"),
                       format_func=accs.get)
        slots["accelerators"] = st.container()
        cooling = name_labels(cat, "cooling")
        st.multiselect("Cooling technologies allowed", list(cooling), key=key("cooling"),
                       format_func=cooling.get)
        slots["cooling"] = st.container()
    with tabs["policy"]:
        policy_fields(key)
        slots["policy"] = st.container()
    with tabs["time"]:
        time_fields(key)
        slots["time"], slots["objective"], slots["solver"] = (st.container(), st.container(),
                                                              st.container())
    result = edited(base, {f: st.session_state[key(f)] for f in FIELDS}, frames, cat)
    for section, messages in result.problems.items():
        with slots.get(section, slots["name"]):
            for message in messages:
                st.error(message)
    return result


def policy_fields(key) -> None:
    """Carbon price or cap, renewable target, budget (blank: none)."""
    left, right = st.columns(2)
    left.number_input("Carbon price [EUR/tCO2] (blank: finance default)", min_value=0.0,
                      value=None, step=10.0, format="%.1f", key=key("policy.carbon_price_eur_per_t"))
    right.number_input("Carbon cap [tCO2/yr] (blank: no cap)", min_value=0.0, value=None,
                       step=1000.0, format="%.0f", key=key("policy.carbon_cap_t_per_year"))
    left.number_input("Renewable share target [fraction 0-1] (blank: none)", min_value=0.0,
                      max_value=1.0, value=None, step=0.05, format="%.2f",
                      key=key("policy.renewable_share_frac"))
    right.selectbox("Renewable share counted", [m.value for m in RenewableMatching],
                    key=key("policy.renewable_matching"),
                    help="annual: MWh over the year; hourly: matched hour by hour (24/7)")
    st.number_input("Capex budget [EUR] (blank: none; needed for max_compute)", min_value=1.0,
                    value=None, step=1e8, format="%.0f", key=key("policy.budget_eur"))


def time_fields(key) -> None:
    """Time resolution, objective and the solver's limits."""
    left, right = st.columns(2)
    left.number_input("Representative days", min_value=1, max_value=365, step=1,
                      key=key("time.representative_days"),
                      help="fewer solve faster; the report shows their accuracy")
    right.selectbox("Time resolution", [r.value for r in Resolution], key=key("time.resolution"),
                    help="full_year solves all 8,760 hours (slow with many sites)")
    st.selectbox("Objective", [o.value for o in Objective], key=key("objective"),
                 help="min_cost: least TCO; max_compute: most compute for the budget; "
                      "min_emissions: least CO2")
    left, right = st.columns(2)
    left.number_input("Solver time limit [s]", min_value=1.0, step=30.0, format="%.0f",
                      key=key("solver.time_limit_s"),
                      help="HiGHS stops here with its best plan and the proven gap")
    right.number_input("MIP gap target [fraction]", min_value=0.0, max_value=1.0, step=0.005,
                       format="%.3f", key=key("solver.mip_gap_frac"))


def scenario_overview(result: Edited, base_hash: str) -> None:
    """Summary, map of candidate (and chosen) sites, YAML download, solve and KPIs."""
    if not result.ok:
        st.error("The edited scenario has problems (shown next to the fields); fix them to "
                 "solve.\n\n" + "\n".join(f"- {m}" for ms in result.problems.values() for m in ms))
        return
    scenario, cat = result.scenario, catalogue()
    digest = scenario_hash(scenario)
    summary = summarise(scenario, cat)
    st.subheader(summary["name"])
    edited_note = "" if digest == base_hash else " · edited"
    st.caption(f"scenario {digest} · data {summary['data_version']}{edited_note}")
    st.write(summary["description"])
    cols = st.columns(4)
    cols[0].metric("Candidate sites", len(summary["candidate_sites"]))
    cols[1].metric("Member states", len(summary["candidate_countries"]))
    grid = summary["grid_mw_max_total"]
    cols[2].metric("Grid max", f"{grid / 1e3:,.3g} GW" if grid >= 1e3 else f"{grid:,.0f} MW",
                   help=f"the candidate sites' grid connections with every upgrade: "
                        f"{grid:,.0f} MW")
    cols[3].metric("Workloads", len(summary["workloads"]))
    plan = solve_section(scenario, digest)
    chosen = geo.chosen_sites(plan.sites) if plan is not None and plan.has_solution else None
    shade = shade_picker()
    show_figure(geo.site_map(cat, result.candidates, chosen, shade), key="scenario_map")
    st.download_button("Download edited scenario YAML", to_yaml(scenario), key="edited_yaml",
                       file_name=f"{scenario.name}.yaml", mime="application/x-yaml")


def shade_picker() -> str | None:
    """Which country input the map shades by."""
    options = [None, *geo.COUNTRY_SHADES]
    st.session_state.setdefault("shade", "elec_price_eur_per_mwh")
    return st.selectbox("Shade countries by", options, key="shade",
                        format_func=lambda c: "nothing" if c is None else geo.shade_label(c))


def solve_section(scenario: planner.Scenario, digest: str) -> planner.Plan | None:
    """Solve on request (or take the remembered plan); show status and KPIs at a glance."""
    queue = solve_queue()
    job = queue.job(digest)
    left, right = st.columns([1, 3], vertical_alignment="center")
    if left.button("Solve", type="primary", key="solve", disabled=digest in plans()):
        job = queue.submit(scenario)
    right.caption(f"HiGHS, time limit {scenario.solver.time_limit_s:,.0f} s, gap target "
                  f"{scenario.solver.mip_gap_frac:.1%}; solved plans are remembered by "
                  "scenario hash.")
    if digest not in plans() and job is not None:
        plan = wait_for(job)
        if plan is not None:
            plans()[digest] = plan
    plan = plans().get(digest)
    if plan is None:
        return None
    st.session_state["plan_choice"] = compare.plan_labels(plans())[digest]
    show_plan_status(plan)
    if plan.has_solution:
        show_headline(plan, per_row=2)
        st.button("Open the plan: map, fleet, energy, cooling, costs...", key="open_plan",
                  on_click=go_to, args=("Plan",))
    return plan


def wait_for(job: Job) -> planner.Plan | None:
    """Progress while the job runs; its plan, or None with the error shown.

    The bar names the phase, the time elapsed and HiGHS' best plan and gap; Cancel ends
    the solve with the best plan found (status ``stopped``).
    """
    st.button("Cancel the solve (keep the best plan found)", key="cancel_solve",
              on_click=job.stop, disabled=job.done)
    bar = st.progress(0.0)
    while not job.done:
        bar.progress(job.progress(), text=f"Solving {job.name} (time limit "
                                          f"{job.time_limit_s:,.0f} s): {job.line()}")
        time.sleep(0.2)
    bar.empty()
    try:
        return job.result()
    except GigaplanError as exc:
        show_error(exc)
    except Exception as exc:
        LOG.exception("solve of %s failed", job.name)
        st.error(f"The solve failed: {type(exc).__name__}: {exc}")
    return None


def show_plan_status(plan: planner.Plan) -> None:
    """Status in words; the optimiser's explanation when infeasible."""
    st.subheader(f"Plan: {kpis.status_line(plan)}")
    if plan.status == "infeasible":
        st.error("No plan meets every requirement:\n\n"
                 + "\n".join(f"- {line}" for line in plan.explanation))
    elif plan.status == "refused":
        st.error("The solver's answer is not a plan:\n\n"
                 + "\n".join(f"- {line}" for line in plan.explanation))
    elif not plan.has_solution:
        st.error(f"The solver ended with status '{plan.status}' and no plan.")
    else:
        for line in plan.explanation:
            st.warning(line)
        full_year_status(plan)


def full_year_status(plan: planner.Plan) -> None:
    """Whether the plan holds on the full year (8760 h replay), and what its repair did."""
    text = kpis.full_year_line(plan)
    if text is None:
        return
    if plan.check_breaks:
        st.error(text + "\n\n" + "\n".join(f"- {line}" for line in plan.check_breaks))
    else:
        st.success(text)


def show_headline(plan: planner.Plan, per_row: int = 4) -> None:
    """The eight KPIs at a glance, ``per_row`` to a row."""
    show_metrics(kpis.headline(plan), per_row)


def show_metrics(metrics: list[kpis.Metric], per_row: int = 4) -> None:
    """Tiles of label, value with unit, and help."""
    for start in range(0, len(metrics), per_row):
        for col, metric in zip(st.columns(per_row), metrics[start:start + per_row],
                               strict=False):
            col.metric(metric.label, metric.value, help=metric.help, border=True)


INTRO = (
    "gigaplan answers: *to deliver this AI and HPC workload, where should we build, how many "
    "of which accelerators, with what energy supply and cooling, and what does it cost over "
    "its life?* Pick a scenario (or upload one), edit its workloads and policies, and press "
    "**Solve**. The small demo opened here solves in about 2 s; the flagship "
    "`eu-gigafactory.yaml` (42 candidate sites in 27 member states) takes about 40 s to "
    "2 min on two cores, and Cancel keeps the best plan found so far.")
# (a bare string here would be drawn on the page: Streamlit's "magic")


def scenario_page() -> None:
    """Pick or upload a scenario, edit it, solve it."""
    st.header("Scenario")
    st.markdown(INTRO)
    base = choose_base()
    if base is None:
        return
    base_hash = scenario_hash(base)
    edit_col, view_col = st.columns([5, 6], gap="large")
    with edit_col:
        result = edit_scenario(base, base_hash)
    with view_col:
        scenario_overview(result, base_hash)


# --- Plan page -----------------------------------------------------------------------------


def plan_page() -> None:
    """One plan: status, KPIs, downloads, and a view chosen from the list."""
    st.header("Plan")
    if not plans():
        st.info("No plan yet: solve a scenario first.")
        st.button("Go to Scenario", on_click=go_to, args=("Scenario",))
        return
    labels = {label: d for d, label in compare.plan_labels(plans()).items()}
    if st.session_state.get("plan_choice") not in labels:
        st.session_state["plan_choice"] = list(labels)[-1]
    digest = labels[st.selectbox("Plan", list(labels), key="plan_choice")]
    plan = plans()[digest]
    show_plan_status(plan)
    downloads = st.container()
    if plan.has_solution:
        show_headline(plan)
        st.session_state.setdefault("view", VIEWS_ORDER[0])
        view = st.radio("View", VIEWS_ORDER, key="view", horizontal=True)
        VIEWS[view](plan, digest)
    with downloads:
        plan_downloads(plan, digest)


def plan_downloads(plan: planner.Plan, digest: str) -> None:
    """The plan's scenario YAML, Excel report and JSON summary.

    Once the plan's "Why this plan" view has been opened (and its policies priced), the
    Excel report carries the Why this plan sheet with what the view showed.
    """
    reports = st.session_state.setdefault("reports", {})
    why = why_of(plan, digest)
    key = (digest, why is not None, why is not None and len(why.policy_costs) > 0)
    if plan.has_solution and key not in reports:
        reports[key] = excel_bytes(plan, catalogue(), why)
    name = plan.meta.get("scenario", "plan")
    cols = st.columns(3)
    cols[0].download_button("Download resolved scenario YAML", scenario_yaml(plan), key="yaml",
                            file_name=f"{name}.yaml", mime="application/x-yaml")
    if key in reports:
        cols[1].download_button("Download Excel report", reports[key], key="xlsx",
                                file_name=f"{name}-plan.xlsx", mime=XLSX_MIME,
                                help="with the Why this plan sheet" if why is not None else
                                "open the Why this plan view to add its sheet")
    cols[2].download_button("Download plan JSON", plan_json(plan), key="json",
                            file_name=f"{name}-plan.json", mime="application/json")


def why_of(plan: planner.Plan, digest: str) -> Why | None:
    """What the Why this plan view showed for the plan, or None if it was not opened."""
    if digest not in st.session_state.get("why_seen", set()):
        return None
    priced = st.session_state.get("why_policies", {}).get(digest)
    return Why(why_costs(digest, plan), priced if priced is not None else pd.DataFrame(
        columns=POLICY_COLUMNS), plan_shape(plan))


def map_view(plan: planner.Plan, digest: str) -> None:
    """Candidate and chosen sites on the map; the sites table."""
    left, right = st.columns([3, 2], gap="medium")  # the map's labels assume this width
    with right:
        shade = shade_picker()
        st.caption("Discs: the plan's sites, area in proportion to their mean facility load; "
                   "rings: candidate sites left out. Countries are shaded by the input "
                   "chosen above, with its unit on the colour bar.")
    with left:
        show_figure(geo.site_map(catalogue(), list(plan.sites.index),
                                 geo.chosen_sites(plan.sites), shade, height=620), key="plan_map")
    st.markdown("**Chosen sites**")  # full width: a side column cut its columns off
    st.dataframe(readable(geo.chosen_table(plan.sites, catalogue())), hide_index=True)
    st.markdown("**Every candidate site: decisions and inputs**")
    used = used_inputs(plan, catalogue())
    st.dataframe(readable(every_site_column([sites_table(plan, catalogue(), used, part)
                                             for part in SITE_PARTS])), hide_index=True)


def fleet_view(plan: planner.Plan, digest: str) -> None:
    """GPUs by site and accelerator; throughput of every workload on every accelerator."""
    show_figure(figures.fleet_figure(plan, catalogue().ids("accelerators")))
    st.dataframe(readable(fleet_table(plan)), hide_index=True)
    st.markdown("**Throughput per GPU of each workload on each allowed accelerator**")
    st.dataframe(readable(throughput_table(plan)), hide_index=True)


@st.cache_data(max_entries=16, show_spinner="Reading the representative periods...")
def profiles(digest: str, spec: dict) -> pd.DataFrame:
    """The optimiser's site profiles on the plan's periods (cached by scenario hash)."""
    return dispatch.site_profiles(planner.Scenario.model_validate(spec), catalogue())


def site_and_day(plan: planner.Plan, digest: str, view: str) -> tuple[str, int, pd.DataFrame]:
    """Pickers for a chosen site and a day; that day's hourly flows."""
    left, right = st.columns(2)
    site = left.selectbox("Site", open_sites(plan), key=f"{view}_site:{digest}")
    days = dispatch.days(plan, site)  # each site has the days of its calendar group
    day = right.selectbox("Day", list(days["day"]), key=f"{view}_day:{digest}:{site}",
                          format_func=dict(zip(days["day"], days["label"], strict=True)).get)
    flows = dispatch.dispatch_day(plan, site, day, profiles(digest, plan.meta["scenario_spec"]))
    return site, day, flows


def energy_view(plan: planner.Plan, digest: str) -> None:
    """Hourly dispatch of a chosen site and day; annual energy by source."""
    site, day, flows = site_and_day(plan, digest, "energy")
    show_figure(dispatch.dispatch_figure(flows, f"Dispatch at {site}, day {day + 1}"))
    annual = energy_table(plan)
    show_figure(dispatch.energy_mix_figure(annual))
    st.dataframe(readable(annual), hide_index=True)
    st.markdown("**Energy indicators by site (EU Delegated Regulation 2024/1364)**")
    st.dataframe(readable(energy_indicators_table(plan)), hide_index=True)


def cooling_view(plan: planner.Plan, digest: str) -> None:
    """Cooling choice, PUE, water and heat per site; PUE through a chosen day."""
    st.dataframe(readable(cooling_table(plan, catalogue(), used_inputs(plan, catalogue()))),
                 hide_index=True)
    site, day, flows = site_and_day(plan, digest, "cooling")
    show_figure(dispatch.pue_figure(flows, f"PUE at {site}, day {day + 1}"))


def cost_view(plan: planner.Plan, digest: str) -> None:
    """Annual cost by item and site; capex and shares by item."""
    by_site, items = cost_tables(plan, catalogue(), used_inputs(plan, catalogue()))
    finance = kpis.finance(plan)
    if finance:
        show_metrics(finance, per_row=3)
    show_figure(figures.cost_figure(by_site))
    st.dataframe(readable(figures.cost_summary(items)), hide_index=True)
    st.caption(f"The annual costs add up to the TCO: {kpis.money(plan.kpis['tco_eur_per_year'])}"
               " EUR/yr (annualised capital at the finance discount rate plus running costs).")


def full_year_view(plan: planner.Plan, digest: str) -> None:
    """The full-year check: each figure on the representative days and on all 8760 hours."""
    if not len(plan.check):
        st.info("This plan was not checked on the full year (time.full_year_check: off, or it "
                "was solved on all 8760 hours).")
        return
    st.dataframe(readable(check_table(plan)), hide_index=True)
    for step in plan.meta.get("full_year_check", {}).get("repair_rounds", []):
        st.markdown(f"- repair: {step.get('repair', '')}")


def workloads_view(plan: planner.Plan, digest: str) -> None:
    """Where each workload runs, on what, and when it finishes."""
    st.dataframe(readable(workloads_table(plan, used_inputs(plan, catalogue()))), hide_index=True)


def roofline_view(plan: planner.Plan, digest: str) -> None:
    """The scenario's accelerators with its workloads on their ceilings."""
    scenario = scenario_of(plan)
    points = workload_points(scenario, catalogue())
    options = [p.value for p in Precision]
    precision = st.radio("Ceilings at precision", options, horizontal=True,
                         index=options.index(main_precision(points)), key=f"precision:{digest}")
    show_figure(scenario_roofline(scenario, catalogue(), precision))


def assumptions_view(plan: planner.Plan, digest: str) -> None:
    """Every input the plan used, with units and sources (as in the Excel report)."""
    used = used_inputs(plan, catalogue())
    st.markdown("**Assumptions**")
    st.dataframe(readable(assumptions_table(used, catalogue())), hide_index=True)
    st.markdown("**Sources**")
    st.dataframe(readable(sources_table(used, catalogue())), hide_index=True,
                 column_config={"url": st.column_config.LinkColumn("url")})


@st.cache_data(max_entries=16, show_spinner="Costing 1 MW of IT at every candidate site...")
def why_costs(digest: str, _plan: planner.Plan) -> pd.DataFrame:
    """The plan's levelised cost per candidate site (cached by the plan's digest)."""
    return siting.why_sites(_plan, catalogue())


def why_view(plan: planner.Plan, digest: str) -> None:
    """What 1 MW of IT costs at every candidate site, in parts; what each policy costs."""
    costs = why_costs(digest, plan)
    st.session_state.setdefault("why_seen", set()).add(digest)
    st.caption(formula_note(plan_shape(plan)))
    st.dataframe(readable(siting_tables.site_table(costs)), hide_index=True)
    show_figure(siting.parts_figure(costs), key=f"why_parts:{digest}")
    st.markdown("**What the policies cost**")
    priced = st.session_state.setdefault("why_policies", {})
    if st.button("Price the policies", key=f"why_price:{digest}",
                 help="re-solves the plan once with each policy the scenario sets relaxed"):
        with st.spinner("Re-solving with each policy relaxed..."):
            try:
                priced[digest] = siting.price_policies(plan, catalogue())
            except GigaplanError as exc:
                show_error(exc)
    if digest in priced:
        if len(priced[digest]):
            st.dataframe(readable(siting_tables.policy_table(priced[digest])), hide_index=True)
            st.caption("cost = TCO of the plan - TCO with the policy relaxed, on the "
                       "representative days; lowest and highest from the two solves' proven "
                       "bounds; \"within the gap\": the solves' MIP gap cannot tell the cost "
                       "from zero (tighten solver.mip_gap_frac).")
        else:
            st.info("The scenario sets no policy to price.")


VIEWS = {"Map": map_view, "Fleet": fleet_view, "Energy": energy_view, "Cooling": cooling_view,
         "Costs": cost_view, "Workloads": workloads_view, "Full year": full_year_view,
         "Roofline": roofline_view, "Why this plan": why_view,
         "Assumptions and sources": assumptions_view}
VIEWS_ORDER = list(VIEWS)


# --- Compare, Roofline, Catalogue ----------------------------------------------------------


def compare_page() -> None:
    """Two or more plans side by side, differences marked against the first."""
    st.header("Compare plans")
    labelled = {label: plans()[d] for d, label in compare.plan_labels(plans()).items()}
    if len(labelled) < 2:
        st.info("Solve at least two scenarios (or edits of one) to compare them.")
        return
    st.session_state.setdefault("compare", list(labelled)[-4:])
    chosen = st.multiselect("Plans (the first is the baseline)", list(labelled), key="compare")
    if len(chosen) < 2:
        st.info("Choose at least two plans.")
        return
    subset = {label: labelled[label] for label in chosen}
    table, marks = compare.kpi_comparison(subset)
    st.dataframe(compare.highlight(table, marks), height=TABLE_ROW_PX * (len(table) + 1) + 3)
    st.caption("Plans are named by what they change against the first plan of their "
               "scenario. Against the baseline: green better, red worse, yellow different "
               f"(changes under {compare.RELATIVE_TOLERANCE:.1%} are within the solver's gap); "
               "each plan's second column is its change in %.")
    st.markdown("**Inputs that differ**")
    st.dataframe(compare.input_differences(subset))
    st.markdown("**Chosen sites**")
    st.dataframe(compare.site_comparison(subset))
    show_figure(compare.cost_comparison_figure(subset))


def catalogue_page() -> None:
    """Browse any catalogue table with its units and sources."""
    st.header("Data catalogue")
    cat = catalogue()
    st.caption(f"data version {cat.version}")
    name = st.selectbox("Table", list(TABLES), index=list(TABLES).index("accelerators"))
    st.write(TABLES[name].doc)
    st.dataframe(readable(cat.tables[name].reset_index()), hide_index=True)


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
    show_figure(roofline_figure(accs, points, precision,
                                accelerator_colours(cat.ids("accelerators"))))
    st.caption("Ceilings use measured efficiencies (accelerator_efficiency.csv); see "
               "docs/validation.md for the error against published runs. A solved plan's "
               "Roofline view shows its own accelerators and workloads.")


# --- What-if ------------------------------------------------------------------------------


def choose_plan(key: str) -> str:
    """A solved plan of this session picked by its label; its digest."""
    labels = {label: d for d, label in compare.plan_labels(plans()).items()}
    if st.session_state.get(key) not in labels:
        st.session_state[key] = list(labels)[-1]
    return labels[st.selectbox("Around the scenario of the plan", list(labels), key=key)]


def needs_a_plan(what: str) -> bool:
    """True when a plan is solved; else a note and a way to the Scenario page."""
    if plans():
        return True
    st.info(f"Solve a scenario first: {what}")
    st.button("Go to Scenario", on_click=go_to, args=("Scenario",), key=f"go:{what}")
    return False


def whatif_page() -> None:
    """One lever over a range around a solved plan's scenario, run as a batch study."""
    st.header("What-if")
    if not needs_a_plan("a what-if varies one lever of a solved plan's scenario."):
        return
    scenario = scenario_of(plans()[choose_plan("whatif:plan")])
    lever = st.selectbox("Lever", [*whatif.LEVERS, whatif.PARETO], key="whatif:lever")
    with st.form("whatif_form"):
        values = points = None
        if lever == whatif.PARETO:
            points = st.number_input("points on the front", 3, whatif.MAX_VALUES, 5)
            st.caption("Least cost under emission caps spaced evenly from the least "
                       "achievable emissions to those of the least-cost plan.")
        else:
            spec = whatif.LEVERS[lever]
            scale, unit = (100.0, "%") if spec.percent else (1.0, spec.unit)
            left, mid, right = st.columns(3)
            start = left.number_input(f"from [{unit}]", value=spec.start * scale,
                                      key=f"whatif:start:{lever}")
            stop = mid.number_input(f"to [{unit}]", value=spec.stop * scale,
                                    key=f"whatif:stop:{lever}")
            count = right.number_input("values", whatif.MIN_VALUES, whatif.MAX_VALUES, 5,
                                       key=f"whatif:count:{lever}")
        limit = st.number_input("time limit per variant [s]", 1.0, 3600.0,
                                float(min(scenario.solver.time_limit_s, 120.0)))
        busy = st.session_state.get("whatif:job")
        run = st.form_submit_button("Run the what-if", type="primary",
                                    disabled=busy is not None and not busy.done)
    if run:
        try:
            if points is None:
                values = whatif.lever_values(spec, start / scale, stop / scale, int(count))
        except ValueError as exc:
            st.error(str(exc))
        else:
            previous = st.session_state.get("whatif:job")
            if previous is not None:
                previous.discard()  # its folder, once it has ended
            st.session_state["whatif:job"] = whatif.WhatIf.start(
                scenario, lever, values=values, points=points and int(points),
                time_limit_s=limit)
    job = st.session_state.get("whatif:job")
    if job is not None:
        progress_line(job, "whatif", f"What-if of {job.lever} running on the study machinery")
        if job.done:
            whatif_results(job)


@st.fragment(run_every=1.0)
def progress_line(job, page: str, what: str) -> None:
    """A background run's progress, refreshed each second; the whole page redraws at its end."""
    if job.done:
        if st.session_state.pop(f"{page}:running", False):
            st.rerun()  # the whole page, to draw the results
        return
    st.info(f"{what}: {job.line()}")
    st.session_state[f"{page}:running"] = True


def whatif_results(job: whatif.WhatIf) -> None:
    """Curves against the lever, the cost-emissions front, the table and the downloads."""
    if job.error:
        st.error(f"The what-if did not run: {job.error}")
        return
    frame = job.results()
    st.success(f"What-if of {job.lever}: {job.line()}. Study folder: {job.folder}")
    if whatif.solved(frame).empty:
        st.warning("No variant was solved; the table says why.")
    else:
        st.caption(f"Each variant is solved to a gap of at most {job.gap:.1%}: differences "
                   "smaller than that between neighbouring values are solver tolerance.")
        show_figure(whatif.curve_figure(frame, job.lever), key="whatif_curve")
        show_figure(whatif.pareto_figure(frame, job.lever), key="whatif_pareto")
    st.dataframe(readable(whatif.result_table(frame, job.lever)), hide_index=True)
    left, right = st.columns(2)
    left.download_button("Study workbook (.xlsx)", job.workbook(), "whatif.xlsx", XLSX_MIME,
                         key="whatif_xlsx")
    right.download_button("Study folder (.zip)", job.archive(), "whatif.zip",
                          "application/zip", key="whatif_zip")


# --- Robustness and alternatives ----------------------------------------------------------


def robustness_page() -> None:
    """Draws of the estimated inputs around a plan's scenario: how often its siting holds."""
    st.header("Robustness")
    if not needs_a_plan("a robustness study draws the estimated inputs of a solved plan's "
                        "scenario."):
        return
    scenario = scenario_of(plans()[choose_plan("robustness:plan")])
    st.caption("Each draw re-prices the catalogue's estimated figures within their ranges and "
               "is solved twice on the built model: with the base plan's sites fixed and "
               "free. Regret = TCO with the base sites - the draw's least TCO.")
    with st.form("robustness_form"):
        left, right = st.columns(2)
        draws = left.number_input("draws", 1, siting.MAX_DRAWS, siting.DEFAULT_DRAWS,
                                  key="robustness:draws")
        seed = right.number_input("seed", 0, 2**31 - 1, 2026, key="robustness:seed")
        busy = st.session_state.get("robustness:job")
        run = st.form_submit_button("Run the robustness study", type="primary",
                                    disabled=busy is not None and not busy.done)
    if run:
        previous = st.session_state.get("robustness:job")
        if previous is not None:
            previous.discard()
        st.session_state["robustness:job"] = siting.RobustnessRun.start_draws(
            scenario, int(draws), int(seed))
    job = st.session_state.get("robustness:job")
    if job is not None:
        progress_line(job, "robustness", f"Robustness study of {job.draws} draws running on "
                      "the study machinery")
        if job.done:
            robustness_results(job)


def robustness_results(job: siting.RobustnessRun) -> None:
    """Open shares, choices, the cost spread and the regret; the study workbook."""
    try:
        if job.error:
            raise ValueError(job.error)
        robust = job.summary(catalogue())
    except (GigaplanError, ValueError) as exc:
        st.error(f"The robustness study did not run: {exc}")
        return
    st.success(f"Robustness study: {job.line()}")
    st.markdown("\n".join(f"- {line}" for line in siting.robustness_lines(robust)))
    st.markdown("**Sites: open share and IT capacity across the draws**")
    st.dataframe(readable(siting_tables.robustness_sites_table(robust.sites)), hide_index=True)
    show_figure(siting.spread_figure(robust), key="robustness_spread")
    st.markdown("**Accelerator and cooling choices**")
    st.dataframe(readable(siting_tables.choices_table(robust.choices)), hide_index=True)
    st.markdown("**Draws**")
    st.dataframe(readable(siting_tables.draws_table(robust.draws)), hide_index=True)
    st.download_button("Study workbook (.xlsx)", job.robustness_workbook(catalogue()),
                       "robustness.xlsx", XLSX_MIME, key="robustness_xlsx")


def alternatives_page() -> None:
    """Near-optimal plans that put the capacity elsewhere, added to the session's plans."""
    st.header("Alternatives")
    if not needs_a_plan("alternatives are searched around a solved plan's scenario."):
        return
    digest = choose_plan("alternatives:plan")
    st.caption("Plans within a cost slack of the least-cost plan that move the IT capacity "
               "between member states (the cheapest plan without each state the optimum "
               "uses, with each other state, then random directions); repeats of a split "
               "already found are dropped.")
    with st.form("alternatives_form"):
        left, right = st.columns(2)
        slack = left.number_input("cost slack [% of the optimum's TCO]", siting.MIN_SLACK_PCT,
                                  siting.MAX_SLACK_PCT, 2.0, step=0.5, key="alternatives:slack")
        count = right.number_input("alternatives", 1, siting.MAX_ALTERNATIVES, 4,
                                   key="alternatives:count")
        busy = st.session_state.get("alternatives:job")
        run = st.form_submit_button("Find alternatives", type="primary",
                                    disabled=busy is not None and not busy.done)
    if run:
        st.session_state["alternatives:job"] = siting.AlternativesRun.start(
            scenario_of(plans()[digest]), catalogue(), slack / 100.0, int(count))
        st.session_state["alternatives:of"] = digest
    job = st.session_state.get("alternatives:job")
    if job is not None:
        progress_line(job, "alternatives", f"Alternatives of {job.name}")
        if job.done:
            alternatives_results(job, st.session_state["alternatives:of"])


def alternatives_results(job: siting.AlternativesRun, digest: str) -> None:
    """The plans side by side; the alternatives added to the plans Compare shows."""
    if job.error:
        st.error(f"No alternatives: {job.error}")
        return
    found = job.found
    if st.session_state.get("alternatives:added") is not job:
        added = siting.labelled_alternatives(found, digest)
        plans().update(added)
        st.session_state["alternatives:added"] = job
        labels = compare.plan_labels(plans())
        st.session_state["compare"] = [labels[digest], *(labels[k] for k in added)]
    st.success(f"{job.line()}; they are in the Plan and Compare pages' lists.")
    st.dataframe(readable(siting_tables.alternatives_table(found.summary)), hide_index=True)
    show_figure(siting.share_figure(found.by_country), key="alternatives_share")
    left, right = st.columns(2)
    left.button("Compare them with the optimum", on_click=go_to, args=("Compare",),
                key="alternatives_compare")
    right.download_button("Alternatives workbook (.xlsx)", alternatives_workbook(found),
                          "alternatives.xlsx", XLSX_MIME, key="alternatives_xlsx")


def alternatives_workbook(found) -> bytes:
    """The alternatives workbook (:func:`planner.report.siting.alternatives_to_excel`)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return alternatives_to_excel(found, Path(tmp) / "alternatives.xlsx").read_bytes()


PAGES = {"Scenario": scenario_page, "Plan": plan_page, "Compare": compare_page,
         "What-if": whatif_page, "Robustness": robustness_page,
         "Alternatives": alternatives_page, "Roofline": roofline_page,
         "Catalogue": catalogue_page}


@st.fragment(run_every=1.0)
def running_solve() -> None:
    """On every other page: the solve running now, refreshed each second, with Cancel."""
    job = solve_queue().running()
    if job is None:
        return
    st.info(f"Solving {job.name}: {job.line()}")
    st.button("Cancel the solve", key="cancel_running", on_click=job.stop)


def keep_widget_state() -> None:
    """Keep edits and choices while their page is hidden (Streamlit drops unseen widgets)."""
    for key in list(st.session_state.keys()):
        if key in PERSISTENT or str(key).startswith(("edit:", "whatif:", "robustness:",
                                                              "alternatives:")):
            st.session_state[key] = st.session_state[key]


# KPI tiles' values a size smaller than Streamlit's, so a value with its unit fits a tile
# (a bare string here would be drawn on the page: Streamlit's "magic")
TILE_CSS = "<style>[data-testid='stMetricValue'] { font-size: 1.4rem; }</style>"


def main() -> None:
    """Route between pages."""
    st.set_page_config(page_title="gigaplan explorer", layout="wide")
    st.html(TILE_CSS)
    keep_widget_state()
    st.sidebar.title("gigaplan")
    page = st.sidebar.radio("Page", list(PAGES), key="page")
    if page != "Scenario":
        with st.sidebar:
            running_solve()
    footer = st.sidebar.empty()
    PAGES[page]()
    footer.caption(f"gigaplan {planner.__version__} · data {catalogue().version} · "
                   f"{len(plans())} plan(s) solved in this session · works offline")


main()
