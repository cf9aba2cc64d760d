"""``planner.solve(scenario) -> Plan``: prepare, build, solve with HiGHS, read back."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime
from importlib.metadata import version as package_version

import highspy
import pyomo.environ as pyo

from models import build
from planner import __version__
from planner.catalogue import Catalogue, load_catalogue
from planner.optimise import extract
from planner.optimise.explain import explain
from planner.optimise.plan import Plan
from planner.optimise.prepare import prepare
from planner.scenario import Scenario, scenario_hash

OK = {"optimal"}
LIMITS = {"maxTimeLimit", "maxIterations", "maxEvaluations"}


def highspy_version() -> str:
    """The installed highspy version (HiGHS' Python package)."""
    return package_version("highspy")


def highs(time_limit_s: float, gap: float, threads: int, seed: int):
    """A configured HiGHS solver (through Pyomo's APPSI interface)."""
    solver = pyo.SolverFactory("appsi_highs")
    solver.config.time_limit = time_limit_s
    solver.config.mip_gap = gap
    solver.config.load_solution = False
    solver.highs_options = {"threads": threads, "random_seed": seed}
    return solver


def run_highs(model: pyo.ConcreteModel, solver) -> tuple[str, float | None]:
    """Solve; return (status, proven gap) and load the incumbent when there is one.

    HiGHS keeps one thread scheduler per process and refuses a different ``threads``
    setting once it runs, so the scheduler is reset before every solve.
    """
    highspy.Highs.resetGlobalScheduler(True)
    result = solver.solve(model, load_solutions=False)
    condition = str(result.solver.termination_condition)
    lower, upper = result.problem.lower_bound, result.problem.upper_bound
    has_incumbent = upper is not None and abs(upper) < float("inf")
    if condition == "optimal" or (condition in LIMITS and has_incumbent):
        model.solutions.load_from(result)
        gap = abs(upper - lower) / max(abs(upper), 1e-9) if lower is not None else None
        return ("optimal" if condition == "optimal" else "time_limit"), gap
    if condition in ("infeasible", "infeasibleOrUnbounded"):
        return "infeasible", None
    return ("time_limit" if condition in LIMITS else "error"), None


def solve(scenario: Scenario, catalogue: Catalogue | None = None, time_limit_s: float | None = None,
          gap: float | None = None, threads: int | None = None) -> Plan:
    """Plan of least total cost of ownership (or most compute for a budget) for ``scenario``.

    Solver settings default to the scenario's ``solver`` section. An infeasible
    scenario is re-solved with priced slacks on its requirements and the plan's
    ``explanation`` says which cannot be met and by how much.
    """
    catalogue = catalogue if catalogue is not None else load_catalogue()
    settings = scenario.solver.model_copy(update={k: v for k, v in {
        "time_limit_s": time_limit_s, "mip_gap_frac": gap, "threads": threads}.items()
        if v is not None})
    timings: dict[str, float] = {}
    start = time.perf_counter()
    prepared = prepare(scenario, catalogue)
    timings["prepare_s"] = time.perf_counter() - start
    start = time.perf_counter()
    model = build(prepared.inputs)
    timings["build_s"] = time.perf_counter() - start
    solver = highs(settings.time_limit_s, settings.mip_gap_frac, settings.threads, settings.seed)
    start = time.perf_counter()
    status, proven_gap = run_highs(model, solver)
    timings["solve_s"] = time.perf_counter() - start
    meta = {"scenario": scenario.name, "description": scenario.description,
            "scenario_hash": scenario_hash(scenario), "gigaplan_version": __version__,
            "data_version": catalogue.version, "solver": f"HiGHS {highspy_version()} (Pyomo "
            f"{package_version('pyomo')} APPSI)", "solved_at": datetime.now(UTC).isoformat(
                timespec="seconds"), "scenario_spec": scenario.model_dump(mode="json"),
            "solver_settings": settings.model_dump(), "timings": timings,
            "representative_days": int(prepared.periods.table["day"].nunique()),
            "periods": len(prepared.periods.table)}
    if status == "infeasible":
        start = time.perf_counter()
        elastic_inputs = dataclasses.replace(prepared.inputs, elastic=True)
        elastic_model = build(elastic_inputs)
        elastic_status, _ = run_highs(elastic_model, solver)
        reasons = explain(elastic_model, elastic_inputs) if elastic_status in (
            "optimal", "time_limit") else ["the requirements conflict; the relaxed model could "
                                           "not be solved either"]
        timings["explain_s"] = time.perf_counter() - start
        return Plan(status="infeasible", gap=None, kpis={}, explanation=reasons,
                    workload_options=prepared.workload_options, meta=meta)
    if status not in ("optimal", "time_limit") or proven_gap is None and status == "time_limit":
        return Plan(status=status, gap=None, kpis={}, workload_options=prepared.workload_options,
                    meta=meta)
    start = time.perf_counter()
    dispatch = extract.dispatch_table(model, prepared.inputs)
    sites = extract.site_table(model, prepared.inputs, dispatch)
    plan = Plan(status=status, gap=proven_gap,
                kpis=extract.kpis(model, sites, scenario), sites=sites,
                fleet=extract.fleet_table(model, prepared.inputs), energy=dispatch,
                workloads=extract.workload_table(model, prepared.inputs,
                                                 prepared.workload_options),
                costs=extract.cost_table(model), workload_options=prepared.workload_options,
                meta=meta)
    timings["extract_s"] = time.perf_counter() - start
    return plan
