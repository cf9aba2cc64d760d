"""``planner.solve(scenario) -> Plan``: prepare, build, solve with HiGHS, read back.

:class:`Resolver` solves a sequence of scenarios (a study's batch) and re-uses the
built Pyomo model, the persistent HiGHS instance and the previous solution as a MIP
start when a scenario differs from the one before only in lever numbers
(:mod:`models.levers`: carbon price, grid and accelerator price factors, renewable
share, carbon cap, budget).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from typing import Any

import highspy
import pyomo.environ as pyo

from models import build, update_levers
from planner import __version__
from planner.catalogue import Catalogue, load_catalogue
from planner.optimise import extract
from planner.optimise.explain import explain
from planner.optimise.plan import Plan
from planner.optimise.prepare import Prepared, prepare, with_levers
from planner.scenario import Scenario, scenario_hash

LIMITS = {"maxTimeLimit", "maxIterations", "maxEvaluations"}
OPTIONAL_LEVERS = ("renewable_share_frac", "carbon_cap_t_per_year", "budget_eur")
FINANCE_LEVERS = ("grid_price_factor", "accelerator_price_factor")


def highspy_version() -> str:
    """The installed highspy version (HiGHS' Python package)."""
    return package_version("highspy")


def highs(time_limit_s: float, gap: float, threads: int, seed: int):
    """A configured HiGHS solver (through Pyomo's persistent APPSI interface)."""
    solver = pyo.SolverFactory("appsi_highs")
    configure(solver, time_limit_s, gap, threads, seed)
    return solver


def configure(solver, time_limit_s: float, gap: float, threads: int, seed: int) -> None:
    """Set time limit [s], relative MIP gap, threads and random seed."""
    solver.config.time_limit = time_limit_s
    solver.config.mip_gap = gap
    solver.config.load_solution = False
    solver.highs_options = {"threads": threads, "random_seed": seed}


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


def structure_key(scenario: Scenario) -> str:
    """Hash of everything in ``scenario`` but its lever numbers.

    Two scenarios with the same key build the same model up to the values of its
    mutable lever parameters; the optional levers count as structure by presence
    (a renewable share of 0.3 and of 0.6 share a key; none and 0.3 do not).
    """
    spec: dict[str, Any] = scenario.model_dump(mode="json")
    spec.pop("solver")
    spec.pop("name")
    spec.pop("description")
    spec["policy"]["carbon_price_eur_per_t"] = None
    for name in OPTIONAL_LEVERS:
        spec["policy"][name] = spec["policy"][name] is not None
    for name in FINANCE_LEVERS:
        spec["finance"].pop(name, None)
    text = json.dumps(spec, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Resolver:
    """Solves scenarios one after another, re-using the model where only levers change.

    Parameters
    ----------
    catalogue : the catalogue (loaded when omitted).
    reuse : re-use the built model and persistent solver between scenarios of the same
        :func:`structure_key`; ``False`` builds every scenario afresh.
    warm_start : with ``reuse``, hand the previous solution to HiGHS as a MIP start.
    """

    def __init__(self, catalogue: Catalogue | None = None, reuse: bool = True,
                 warm_start: bool = True):
        self.catalogue = catalogue if catalogue is not None else load_catalogue()
        self.reuse = reuse
        self.warm_start = warm_start
        self._key: str | None = None
        self._prepared: Prepared | None = None
        self._model: pyo.ConcreteModel | None = None
        self._solver = None
        self.reused = 0

    def solve(self, scenario: Scenario, time_limit_s: float | None = None,
              gap: float | None = None, threads: int | None = None) -> Plan:
        """The plan for ``scenario`` (see :func:`solve`)."""
        settings = scenario.solver.model_copy(update={k: v for k, v in {
            "time_limit_s": time_limit_s, "mip_gap_frac": gap, "threads": threads}.items()
            if v is not None})
        timings: dict[str, float] = {}
        key = structure_key(scenario) if self.reuse else None
        start = time.perf_counter()
        reused = key is not None and key == self._key
        if reused:
            prepared = with_levers(self._prepared, scenario, self.catalogue)
            timings["prepare_s"] = time.perf_counter() - start
            start = time.perf_counter()
            update_levers(self._model, prepared.inputs)
            model, solver = self._model, self._solver
            configure(solver, settings.time_limit_s, settings.mip_gap_frac, settings.threads,
                      settings.seed)
            solver.config.warmstart = self.warm_start
            timings["build_s"] = time.perf_counter() - start
            self.reused += 1
        else:
            self._key = None  # until the new model is in place
            prepared = prepare(scenario, self.catalogue)
            timings["prepare_s"] = time.perf_counter() - start
            start = time.perf_counter()
            model = build(prepared.inputs)
            timings["build_s"] = time.perf_counter() - start
            solver = highs(settings.time_limit_s, settings.mip_gap_frac, settings.threads,
                           settings.seed)
            if key is not None:
                self._key, self._prepared, self._model, self._solver = key, prepared, model, solver
        start = time.perf_counter()
        status, proven_gap = run_highs(model, solver)
        timings["solve_s"] = time.perf_counter() - start
        meta = _meta(scenario, self.catalogue, prepared, settings, timings, reused)
        return _plan(scenario, prepared, model, solver, status, proven_gap, meta)


def solve(scenario: Scenario, catalogue: Catalogue | None = None, time_limit_s: float | None = None,
          gap: float | None = None, threads: int | None = None) -> Plan:
    """Plan of least total cost of ownership (or most compute for a budget) for ``scenario``.

    Solver settings default to the scenario's ``solver`` section. An infeasible
    scenario is re-solved with priced slacks on its requirements and the plan's
    ``explanation`` says which cannot be met and by how much.
    """
    return Resolver(catalogue, reuse=False).solve(scenario, time_limit_s, gap, threads)


def _meta(scenario: Scenario, catalogue: Catalogue, prepared: Prepared, settings,
          timings: dict[str, float], reused: bool) -> dict[str, Any]:
    return {"scenario": scenario.name, "description": scenario.description,
            "scenario_hash": scenario_hash(scenario), "gigaplan_version": __version__,
            "data_version": catalogue.version,
            "solver": f"HiGHS {highspy_version()} (Pyomo {package_version('pyomo')} APPSI)",
            "solved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "scenario_spec": scenario.model_dump(mode="json"),
            "solver_settings": settings.model_dump(), "timings": timings,
            "model_reused": reused,
            "representative_days": int(prepared.periods.table["day"].nunique()),
            "periods": len(prepared.periods.table)}


def _plan(scenario: Scenario, prepared: Prepared, model: pyo.ConcreteModel, solver,
          status: str, proven_gap: float | None, meta: dict[str, Any]) -> Plan:
    timings = meta["timings"]
    if status == "infeasible":
        start = time.perf_counter()
        elastic_inputs = dataclasses.replace(prepared.inputs, elastic=True)
        elastic_model = build(elastic_inputs)
        settings = meta["solver_settings"]
        elastic_status, _ = run_highs(elastic_model, highs(
            settings["time_limit_s"], settings["mip_gap_frac"], settings["threads"],
            settings["seed"]))
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
