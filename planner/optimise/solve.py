"""``planner.solve(scenario) -> Plan``: prepare, build, solve with HiGHS, check, read back.

After the solve, a representative-day plan is replayed on the full year
(:mod:`planner.optimise.check`); where the full year breaks a requirement the
representative days kept, ``full_year_check: repair`` re-solves with the failing days
added as periods of their own, up to ``repair_rounds`` times, and the plan says what
still breaks. Most-compute and least-emissions objectives are solved lexicographically
(:func:`models.minimise_cost_keeping`).

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

import pandas as pd
import pyomo.environ as pyo

from models import build, is_lexicographic, minimise_cost_keeping, primary_value, update_levers
from models.alternatives import (
    add_cost_cap,
    keep_direction,
    restore_cost_objective,
    set_direction,
)
from models.cost import restore_primary
from models.levers import update_site_levers
from planner import __version__
from planner.catalogue import Catalogue, load_catalogue
from planner.errors import UsageError
from planner.optimise import demand, extract, highs_bridge
from planner.optimise.check import compare, replay
from planner.optimise.explain import explain
from planner.optimise.highs_bridge import HighsSettings
from planner.optimise.lp import WarmStart
from planner.optimise.periods import add_days, mean_days
from planner.optimise.plan import Plan
from planner.optimise.prepare import Prepared, prepare, with_levers, with_periods
from planner.optimise.progress import SolveProgress, active, watching
from planner.scenario import Scenario, scenario_hash
from planner.scenario.schema import FullYearCheck

OPTIONAL_LEVERS = ("renewable_share_frac", "carbon_cap_t_per_year", "budget_eur",
                   "min_member_states", "max_country_share_frac")
FINANCE_LEVERS = ("grid_price_factor", "accelerator_price_factor")


@dataclasses.dataclass(frozen=True)
class Deadline:
    """The wall-clock end of one solve: the scenario's time limit counted from its start.

    Every HiGHS run (coarse start, MIP, second stage, full-year replay and repairs) gets
    what is left of it, and a check or repair step that finds nothing left is not
    started; the plan then says so. Reading inputs and building the model are not
    interrupted. A stop asked for through ``progress`` ends it at once.
    """

    end: float  # time.monotonic() [s]
    limit_s: float
    progress: SolveProgress | None = None

    @classmethod
    def after(cls, limit_s: float, progress: SolveProgress | None = None) -> Deadline:
        """The deadline ``limit_s`` seconds from now."""
        return cls(time.monotonic() + limit_s, limit_s, progress)

    @property
    def stopped(self) -> bool:
        """A stop was asked for (Cancel in the explorer, Ctrl-C on the command line)."""
        return self.progress is not None and self.progress.stopping

    def left_s(self) -> float:
        """Seconds left, never below 0 (0 once a stop is asked for)."""
        if self.stopped:
            return 0.0
        return max(0.0, self.end - time.monotonic())

    def reached(self) -> bool:
        """No time left for another step."""
        return self.left_s() <= MIN_STEP_S

    def reason(self) -> str:
        """What ends the solve, in words: the time limit or the stop asked for."""
        if self.stopped:
            return "the stop asked for (Cancel or Ctrl-C)"
        return f"the time limit of {self.limit_s:g} s"


MIN_STEP_S = 0.05
"""A step with less time than this left is not started [s]."""


def highspy_version() -> str:
    """The installed highspy version (HiGHS' Python package)."""
    return package_version("highspy")


def highs(time_limit_s: float, gap: float, threads: int, seed: int) -> HighsSettings:
    """HiGHS settings: time limit [s], relative MIP gap, threads and random seed."""
    return HighsSettings(time_limit_s=time_limit_s, mip_gap=gap, threads=threads, seed=seed)


def configure(solver: HighsSettings, time_limit_s: float, gap: float, threads: int,
              seed: int) -> None:
    """Change the settings of ``solver`` in place (its last solution is kept)."""
    solver.time_limit_s, solver.mip_gap, solver.threads, solver.seed = (
        time_limit_s, gap, threads, seed)


def run_highs(model: pyo.ConcreteModel, solver: HighsSettings) -> tuple[str, float | None]:
    """Solve; return (status, proven gap) and load the incumbent when there is one."""
    outcome = highs_bridge.solve(model, solver)
    if outcome.status in ("optimal", "time_limit") and outcome.objective is not None:
        return outcome.status, outcome.gap
    return outcome.status, None


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
    spec.pop("estimates")  # drawn site and country figures: site levers
    spec["sites"].pop("fixed_open")  # bounds on open_site
    spec["policy"]["carbon_price_eur_per_t"] = None
    for name in OPTIONAL_LEVERS:  # 0 member states is no constraint, as unset is
        value = spec["policy"][name]
        spec["policy"][name] = bool(value) if name == "min_member_states" else value is not None
    for name in FINANCE_LEVERS:
        spec["finance"].pop(name, None)
    text = json.dumps(spec, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


COARSE_START_MIN_SITE_PERIODS = 3000
"""Models with at least this many (site, period) pairs get a first plan from a coarse model."""
COARSE_GAP = 0.05
COARSE_START_MIN_LEFT_S = 10.0
"""The coarse start is skipped when less of the time limit than this is left [s] (it builds
and solves a model of its own, which the limit cannot interrupt)."""


def coarse_start(model: pyo.ConcreteModel, prepared: Prepared, scenario: Scenario,
                 catalogue: Catalogue, solver: HighsSettings,
                 deadline: Deadline | None = None) -> dict[int, float] | None:
    """A first feasible plan for ``model``, found on one average day per group and segment.

    HiGHS spends most of a large solve looking for its first incumbent. The coarse model
    (:func:`planner.optimise.periods.mean_days`) solves in seconds to a loose gap; its
    integer decisions are fixed in ``model``, whose linear rest is then solved, and the
    result becomes the MIP start. ``None`` when any step finds nothing.
    """
    coarse_periods = mean_days(prepared.hourly, prepared.periods.site_group,
                               demand.day_segments(scenario))
    coarse = with_periods(prepared, scenario, catalogue, coarse_periods)
    small = build(coarse.inputs)
    limit = max(5.0, solver.time_limit_s / 4.0)
    if deadline is not None:
        limit = min(limit, deadline.left_s() / 2.0)
    found = highs_bridge.solve(small, highs(limit, COARSE_GAP, solver.threads, solver.seed))
    if found.objective is None:
        return None
    return _start_with_integers_of(small, model,
                                   highs(limit, solver.mip_gap, solver.threads, solver.seed))


def _start_with_integers_of(source: pyo.ConcreteModel, model: pyo.ConcreteModel,
                            settings: HighsSettings) -> dict[int, float] | None:
    """A MIP start for ``model``: the integer decisions of ``source``, the rest re-solved.

    Integer and binary variables are matched by name; ``None`` if the linear rest fails.
    """
    fixed = []
    for var in source.component_data_objects(pyo.Var):
        if (var.is_integer() or var.is_binary()) and var.value is not None:
            target = model.find_component(var.name)
            if target is not None and not target.fixed:
                target.fix(round(var.value))
                fixed.append(target)
    try:
        rest = highs_bridge.solve(model, settings)
    finally:
        for var in fixed:
            var.unfix()
    if rest.status != "optimal":
        return None
    return {id(v): float(v.value) for v in model.component_data_objects(pyo.Var)
            if v.value is not None}


def _solve_model(model: pyo.ConcreteModel, prepared: Prepared, solver,
                 timings: dict[str, float], start_from: dict[int, float] | None = None,
                 deadline: Deadline | None = None) -> tuple[str, float | None]:
    """Run HiGHS (from ``start_from`` when given), then any least-cost second stage.

    The second stage runs for a lexicographic objective (most compute, least emissions).
    """
    inp = prepared.inputs
    _enter("solve", "PFLOP/s" if inp.maximise_compute else
           "t CO2/yr" if inp.minimise_emissions else "EUR/yr")
    start = time.perf_counter()
    if start_from:
        solver.last, solver.warm_start = start_from, True
    if deadline is not None:
        if deadline.reached():  # compiling the model for HiGHS alone would overrun the limit
            timings["solve_s"] = timings.get("solve_s", 0.0) + time.perf_counter() - start
            return "time_limit", None
        solver.time_limit_s = deadline.left_s()
    status, gap = run_highs(model, solver)
    timings["solve_s"] = timings.get("solve_s", 0.0) + time.perf_counter() - start
    if status in ("optimal", "time_limit") and is_lexicographic(inp):
        _enter("second_stage", "EUR/yr")
        start = time.perf_counter()
        minimise_cost_keeping(model, inp, primary_value(model, inp))
        warm, solver.warm_start = solver.warm_start, True
        if deadline is not None:
            solver.time_limit_s = deadline.left_s()
        second, second_gap = run_highs(model, solver)
        solver.warm_start = warm
        timings["second_stage_s"] = time.perf_counter() - start
        if second in ("optimal", "time_limit"):
            status = "optimal" if status == "optimal" and second == "optimal" else "time_limit"
            gap = second_gap if gap is None else max(gap, second_gap or 0.0)
    return status, gap


class Resolver:
    """Solves scenarios one after another, re-using the model where only levers change.

    Parameters
    ----------
    catalogue : the catalogue (loaded when omitted).
    reuse : re-use the built model and persistent solver between scenarios of the same
        :func:`structure_key`; ``False`` builds every scenario afresh.
    warm_start : with ``reuse``, hand the previous solution to HiGHS as a MIP start.
    explain_infeasible : say why an infeasible scenario is infeasible (an elastic
        re-solve, as long as a solve); ``False`` only states it (robustness draws).
    """

    def __init__(self, catalogue: Catalogue | None = None, reuse: bool = True,
                 warm_start: bool = True, explain_infeasible: bool = True):
        self.catalogue = catalogue if catalogue is not None else load_catalogue()
        self.reuse = reuse
        self.warm_start = warm_start
        self.explain_infeasible = explain_infeasible
        self._key: str | None = None
        self._prepared: Prepared | None = None
        self._model: pyo.ConcreteModel | None = None
        self._solver = None
        self.reused = 0

    def solve(self, scenario: Scenario, time_limit_s: float | None = None,
              gap: float | None = None, threads: int | None = None,
              progress: SolveProgress | None = None) -> Plan:
        """The plan for ``scenario`` (see :func:`solve`)."""
        settings = scenario.solver.model_copy(update={k: v for k, v in {
            "time_limit_s": time_limit_s, "mip_gap_frac": gap, "threads": threads}.items()
            if v is not None})
        deadline = Deadline.after(settings.time_limit_s, progress)
        with watching(progress):
            plan = self._solve(scenario, settings, deadline)
        if progress is not None:
            if deadline.stopped:
                plan = stopped(plan, progress)
            progress.enter("done")
        return plan

    def _solve(self, scenario: Scenario, settings, deadline: Deadline) -> Plan:
        timings: dict[str, float] = {}
        key = structure_key(scenario) if self.reuse else None
        _enter("prepare")
        start = time.perf_counter()
        reused = key is not None and key == self._key
        if reused:
            prepared = with_levers(self._prepared, scenario, self.catalogue)
            timings["prepare_s"] = time.perf_counter() - start
            start = time.perf_counter()
            restore_primary(self._model)
            update_levers(self._model, prepared.inputs)
            update_site_levers(self._model, prepared.inputs)
            model, solver = self._model, self._solver
            configure(solver, settings.time_limit_s, settings.mip_gap_frac, settings.threads,
                      settings.seed)
            solver.warm_start = self.warm_start
            timings["build_s"] = time.perf_counter() - start
            self.reused += 1
        else:
            self._key = None  # until the new model is in place
            prepared = prepare(scenario, self.catalogue)
            timings["prepare_s"] = time.perf_counter() - start
            _enter("build")
            start = time.perf_counter()
            model = build(prepared.inputs)
            timings["build_s"] = time.perf_counter() - start
            solver = highs(settings.time_limit_s, settings.mip_gap_frac, settings.threads,
                           settings.seed)
            if key is not None:
                self._key, self._prepared, self._model, self._solver = key, prepared, model, solver
        first = None
        if not reused and len(prepared.inputs.profiles) >= COARSE_START_MIN_SITE_PERIODS \
                and not prepared.periods.full_year and deadline.left_s() > COARSE_START_MIN_LEFT_S:
            _enter("coarse_start")
            start = time.perf_counter()
            first = coarse_start(model, prepared, scenario, self.catalogue, solver, deadline)
            timings["coarse_start_s"] = time.perf_counter() - start
        status, proven_gap = _solve_model(model, prepared, solver, timings, first, deadline)
        meta = _meta(scenario, self.catalogue, prepared, settings, timings, reused)
        if status == "infeasible":
            if not self.explain_infeasible:
                return Plan(status="infeasible", gap=None, kpis={}, explanation=[
                    "infeasible (the re-solve that says why was not asked for)"],
                    workload_options=prepared.workload_options, meta=meta)
            _enter("explain")
            return _infeasible(prepared, settings, meta, deadline)
        if status not in ("optimal", "time_limit") or proven_gap is None:
            why = [] if status != "time_limit" or deadline.stopped else [
                f"no feasible plan was found within the time limit of {deadline.limit_s:g} s "
                f"(reading the inputs took {timings['prepare_s']:.1f} s of it and building the "
                f"model {timings['build_s']:.1f} s); allow more time with --time-limit or "
                "solver.time_limit_s"]
            return Plan(status=status, gap=None, kpis={}, explanation=[*prepared.notes, *why],
                        workload_options=prepared.workload_options, meta=meta)
        return refused_if_meaningless(_checked_plan(
            scenario, self.catalogue, prepared, model, status, proven_gap, solver, settings,
            meta, deadline), scenario)

    def alternative(self, scenario: Scenario, weights: dict[str, float],
                    limit_eur_per_year: float, served_limit_mw: float,
                    time_limit_s: float | None = None,
                    bounds: dict[str, dict] | None = None) -> Plan:
        """A near-optimal plan of the scenario last solved, on the built model.

        ``bounds`` (variable name -> {index: (lb, ub)}) are set first, e.g. a member
        state's sites closed or ``country_used`` of one state fixed at 1. With
        ``weights``, the plan minimises ``sum(weights[s] * served_mw[s])`` subject to
        ``TCO <= limit`` and the total served load within ``served_limit_mw`` (started
        from the last plan, which meets both), then the least cost keeping that value
        (:mod:`models.alternatives`); without, it is the least-cost plan under the bounds
        (no cost cap: its cost says how far it is from the optimum). The least-cost
        objective and the bounds are then put back. The plan is on the representative
        days (no full-year check); ``meta["direction_gap"]`` is the first stage's gap.

        Raises
        ------
        UsageError
            When ``scenario`` is not the structure this resolver last built.
        """
        if self._model is None or structure_key(scenario) != self._key:
            raise UsageError.single("solve the scenario with this resolver first (re-use on)",
                                    field="scenario")
        settings = scenario.solver.model_copy(update={} if time_limit_s is None else {
            "time_limit_s": time_limit_s})
        model, prepared, solver = self._model, self._prepared, self._solver
        configure(solver, settings.time_limit_s, settings.mip_gap_frac, settings.threads,
                  settings.seed)
        solver.warm_start = True
        timings: dict[str, float] = {"prepare_s": 0.0, "build_s": 0.0}
        start = time.perf_counter()
        saved = _set_bounds(model, bounds or {})
        direction_gap = None
        try:
            if weights:
                add_cost_cap(model, limit_eur_per_year, served_limit_mw)
                set_direction(model, weights)
                status, direction_gap = run_highs(model, solver)
                if status not in ("optimal", "time_limit"):
                    return Plan(status=status, gap=None, kpis={}, meta=_meta(
                        scenario, self.catalogue, prepared, settings, timings, True))
                keep_direction(model, weights, float(pyo.value(model.mga_objective)))
            status, gap = run_highs(model, solver)
        finally:
            restore_cost_objective(model)
            _set_bounds(model, saved)
        timings["solve_s"] = time.perf_counter() - start
        meta = _meta(scenario, self.catalogue, prepared, settings, timings, True)
        meta.update({"direction_gap": direction_gap, "cost_limit_eur_per_year":
                     float(limit_eur_per_year) if weights else None})
        if status not in ("optimal", "time_limit") or gap is None:
            return Plan(status=status, gap=None, kpis={}, meta=meta)
        return _plan(scenario, prepared, model, status, gap, meta)


def _set_bounds(model: pyo.ConcreteModel, bounds: dict[str, dict]) -> dict[str, dict]:
    """Set variable bounds; return the bounds they had (to set them back)."""
    saved: dict[str, dict] = {}
    for name, by_index in bounds.items():
        var = getattr(model, name)
        saved[name] = {}
        for key, (lb, ub) in by_index.items():
            saved[name][key] = (var[key].lb, var[key].ub)
            var[key].setlb(lb)
            var[key].setub(ub)
    return saved


def _enter(phase: str, unit: str | None = None) -> None:
    """Record ``phase`` (objective in ``unit``) on the active solve progress, if watched."""
    progress = active()
    if progress is not None:
        progress.enter(phase, unit)


def stopped(plan: Plan, progress: SolveProgress) -> Plan:
    """``plan`` as a stop asked for left it: status ``stopped`` when it carries numbers.

    Its proven gap is HiGHS' at the stop, and the notes say which steps it skipped.
    """
    at = progress.snapshot().elapsed_s
    if plan.has_solution:
        gap = "" if plan.gap is None else f", proven gap {plan.gap:.2%}"
        note = (f"stopped on request after {at:.0f} s: the best plan found so far{gap}; "
                "solve again without stopping for a proven plan")
        return dataclasses.replace(plan, status="stopped",
                                   explanation=[*plan.explanation, note])
    if plan.status in ("infeasible", "refused", "error"):
        return plan
    return dataclasses.replace(plan, status="stopped", explanation=[
        *plan.explanation, f"stopped on request after {at:.0f} s, before a plan was found"])


def refused_if_meaningless(plan: Plan, scenario: Scenario) -> Plan:
    """``plan``, or the same plan with status ``refused`` and the reason, when it cannot be one.

    A solver can prove "optimal" for a plan nobody should read as one: a scenario that
    asks for workloads or a fleet answered by no GPU at all, or a total cost below zero
    (revenue, e.g. heat at an extreme price, exceeding every cost, so the least-cost plan
    is only bounded by the model's limits). The tables stay for inspection.
    """
    if not plan.has_solution:
        return plan
    reasons = []
    w = scenario.workloads
    asked = len(w.training) + len(w.inference) + len(w.hpc) + len(scenario.targets)
    if asked and float(plan.kpis.get("gpus", 0.0)) <= 0.0:
        reasons.append(f"the plan deploys no GPU although the scenario asks for {asked} "
                       "workload(s) or fleet target(s); it is not a plan for them")
    tco = float(plan.kpis.get("tco_eur_per_year", 0.0))
    if tco < 0.0:
        earning = plan.costs[plan.costs["eur_per_year"] < 0].groupby("item")["eur_per_year"].sum()
        items = ", ".join(f"{item} {value:,.0f}" for item, value in earning.items())
        reasons.append(f"the plan's total cost is negative ({tco:,.0f} EUR/yr): revenue "
                       f"({items} EUR/yr) exceeds every cost; check the prices behind it")
    if not reasons:
        return plan
    return dataclasses.replace(plan, status="refused", explanation=[*plan.explanation, *reasons])


def solve(scenario: Scenario, catalogue: Catalogue | None = None, time_limit_s: float | None = None,
          gap: float | None = None, threads: int | None = None,
          progress: SolveProgress | None = None) -> Plan:
    """Plan of least total cost of ownership (or most compute for a budget) for ``scenario``.

    Solver settings default to the scenario's ``solver`` section. An infeasible
    scenario is re-solved with priced slacks on its requirements and the plan's
    ``explanation`` says which cannot be met and by how much. A representative-day
    plan is checked on the full year (and repaired where the scenario asks).
    ``progress``: watch the solve (phase, HiGHS' best plan and gap) and stop it early
    with the best plan found (status ``stopped``); see :mod:`planner.optimise.progress`.
    """
    return Resolver(catalogue, reuse=False).solve(scenario, time_limit_s, gap, threads,
                                                  progress)


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


EXPLAIN_MIN_S = 10.0
"""The elastic re-solve that explains an infeasible scenario gets at least this long [s]."""


def _infeasible(prepared: Prepared, settings, meta: dict[str, Any],
                deadline: Deadline) -> Plan:
    timings = meta["timings"]
    if deadline.stopped:
        return Plan(status="infeasible", gap=None, kpis={}, explanation=[
            "the scenario is infeasible; the stop asked for came before the re-solve that "
            "says why"], workload_options=prepared.workload_options, meta=meta)
    start = time.perf_counter()
    elastic_inputs = dataclasses.replace(prepared.inputs, elastic=True)
    elastic_model = build(elastic_inputs)
    elastic_status, _ = run_highs(elastic_model, highs(
        max(EXPLAIN_MIN_S, deadline.left_s()), settings.mip_gap_frac, settings.threads,
        settings.seed))
    reasons = explain(elastic_model, elastic_inputs) if elastic_status in (
        "optimal", "time_limit") else ["the requirements conflict; the relaxed model could "
                                       "not be solved either"]
    timings["explain_s"] = time.perf_counter() - start
    return Plan(status="infeasible", gap=None, kpis={}, explanation=reasons,
                workload_options=prepared.workload_options, meta=meta)


def _start_from(model: pyo.ConcreteModel, previous: pyo.ConcreteModel,
                solver: HighsSettings) -> dict[int, float] | None:
    """A MIP start for ``model``: the integer decisions of ``previous``, the rest re-solved."""
    return _start_with_integers_of(previous, model, highs(
        solver.time_limit_s, solver.mip_gap, solver.threads, solver.seed))


def _checked_plan(scenario: Scenario, catalogue: Catalogue, prepared: Prepared,
                  model: pyo.ConcreteModel, status: str, gap: float, solver,
                  settings, meta: dict[str, Any], deadline: Deadline) -> Plan:
    """Read the plan, replay it on the full year and repair it where the scenario asks.

    Repair, in the order the failures call for: where an hourly requirement fails
    (unmet load, the connection, 24/7 matching) the worst failing days of each group are
    added as periods of their own and the plan is re-solved, up to ``repair_rounds``
    times; what still breaks then, and any annual requirement the full year misses
    (renewable share, carbon cap, standby hours), is repaired by re-optimising the
    energy supply of the plan's sites, fleet and cooling on all 8760 hours. The check
    always measures against the scenario's own requirements. Each step gets what is
    left of the time limit (:class:`Deadline`); a check or repair the limit cuts short
    is said in the plan's notes and ``meta["full_year_check"]``.
    """
    timings = meta["timings"]
    mode = FullYearCheck(scenario.time.full_year_check)
    plan = _plan(scenario, prepared, model, status, gap, meta)
    if mode == FullYearCheck.off or prepared.periods.full_year:
        return plan
    first_tco = float(plan.kpis["tco_eur_per_year"])
    rounds: list[dict[str, Any]] = []
    warm = WarmStart()
    limit = deadline.reason()
    if deadline.reached():
        return _unchecked(plan, mode, f"{limit} was reached before the full-year check; the "
                          "plan is not checked on the full year")

    def check(optimise: bool = False):
        _enter("repair" if rounds else "check")
        start = time.perf_counter()
        out = replay(extract.design(model, prepared.inputs, scenario), prepared.inputs,
                     prepared.hourly, catalogue.cooling, prepared.finance,
                     threads=settings.threads, optimise=optimise,
                     warm=None if optimise else warm, time_limit_s=deadline.left_s())
        timings["check_s"] = timings.get("check_s", 0.0) + time.perf_counter() - start
        return out

    result = check()
    if result.status != "Optimal":
        return _unchecked(plan, mode, _check_failed(result.status, limit)
                          + "; the plan is not checked on the full year")
    first = {"breaks": list(result.breaks),
             "renewable_share_representative_days": float(plan.kpis.get("renewable_share",
                                                                        float("nan"))),
             "renewable_share_full_year": float(result.kpis.get("renewable_share",
                                                                float("nan")))}
    cut: list[str] = []
    while result.breaks and mode == FullYearCheck.repair and result.failing_days \
            and len(rounds) < scenario.time.repair_rounds:
        if deadline.reached():
            cut.append(f"{limit} ended the repair after {len(rounds)} round(s)")
            break
        _enter("repair")
        start = time.perf_counter()
        rounds.append({"repair": "days added", "breaks": list(result.breaks),
                       "days_added": {g: len(d) for g, d in result.failing_days.items()}})
        periods = add_days(prepared.periods, prepared.hourly, result.failing_days)
        if len(periods.table) == len(prepared.periods.table):
            break
        prepared = with_periods(prepared, scenario, catalogue, periods)
        previous, model = model, build(prepared.inputs)
        solver = highs(settings.time_limit_s, settings.mip_gap_frac, settings.threads,
                       settings.seed)
        first = _start_from(model, previous, solver)
        timings["repair_s"] = timings.get("repair_s", 0.0) + time.perf_counter() - start
        status2, gap2 = _solve_model(model, prepared, solver, timings, first, deadline)
        if status2 not in ("optimal", "time_limit") or gap2 is None:
            rounds[-1]["result"] = f"the re-solve ended {status2}; the previous plan is kept"
            model = previous
            break
        meta = {**meta, "representative_days": int(prepared.periods.table["day"].nunique()),
                "periods": len(prepared.periods.table)}
        plan = _plan(scenario, prepared, model, status2, gap2, meta)
        candidate = check()
        if candidate.status != "Optimal":
            cut.append(_check_failed(candidate.status, limit) + f" in repair round {len(rounds)}")
            break
        result = candidate
    checked = dataclasses.replace(plan, check=compare(plan, result),
                                  check_breaks=list(result.breaks))
    if result.breaks and mode == FullYearCheck.repair and _share_only(result) and not cut:
        _enter("repair")
        start = time.perf_counter()
        lp = highs(settings.time_limit_s, settings.mip_gap_frac, settings.threads, settings.seed)
        lp.compiled, lp.last = solver.compiled, dict(solver.last)  # re-solved without a compile
        repaired = _repair_share(model, prepared, scenario, lp, plan, result, check, meta, rounds,
                                 deadline)
        timings["repair_s"] = timings.get("repair_s", 0.0) + time.perf_counter() - start
        if repaired is not None:
            plan, result = repaired
            checked = _full_year_plan(plan, result, scenario, prepared.finance)
    if result.breaks and mode == FullYearCheck.repair and not cut:
        if deadline.reached():
            cut.append(f"{limit} was reached before the energy supply could be re-optimised "
                       "on the full year")
        else:
            rounds.append({"repair": "energy supply re-optimised on the full year",
                           "breaks": list(result.breaks)})
            reopt = check(optimise=True)
            if reopt.status == "Optimal":
                checked = _full_year_plan(plan, reopt, scenario, prepared.finance)
            else:
                cut.append(f"the full-year re-optimisation of the energy supply ended "
                           f"{reopt.status} ({limit})")
    if cut:
        checked = dataclasses.replace(checked, explanation=[
            *checked.explanation, f"{cut[0]}; the plan is shown as repaired so far and "
            "breaks on the full year where stated"])
    checked.meta["full_year_check"] = {
        "mode": mode.value, "first_check": first, "repair_rounds": rounds,
        "cut_short": cut[0] if cut else None,
        "holds": not checked.check_breaks,
        "tco_before_repair_eur_per_year": first_tco,
        "tco_after_repair_eur_per_year": float(checked.kpis["tco_eur_per_year"])}
    return checked


def _check_failed(status: str, limit: str) -> str:
    if status == "Time limit reached":
        return f"the full-year check did not finish within {limit}"
    return f"the full-year check failed (HiGHS: {status})"


def _unchecked(plan: Plan, mode: FullYearCheck, why: str) -> Plan:
    """``plan`` as read from the representative days, saying why it was not checked."""
    out = dataclasses.replace(plan, explanation=[*plan.explanation, why],
                              meta={**plan.meta})
    out.meta["full_year_check"] = {"mode": mode.value, "cut_short": why, "holds": None}
    return out


SHARE_REPAIR_ROUNDS = 4
"""Re-solves of the energy supply the annual-share repair tries before the full-year LP."""
SHARE_MARGIN = 0.002
"""The repair aims this far above the annual share target [-] (the secant lands close)."""


def _share_only(result) -> bool:
    """True when the only thing the full year misses is the annual renewable share."""
    return set(result.corrections) == {"renewable_share_frac"} and not result.failing_days


FIRST_STEP_ROOM_FRAC = 0.5
"""The first repair step goes at most this share of the way to a 100 % target [-]."""
MAX_FIRST_SLOPE = 10.0
"""Cap on the first secant slope [-] (a full year that spills nearly everything added)."""
SPILL_TOLERANCE_MW = 1e-6
"""Spill below this counts as none [MW] (solver noise)."""


def marginal_spill_frac(energy: pd.DataFrame) -> float:
    """Share of renewable generation [-] in the hours that spill, weighted by hours.

    A little more renewable capacity adds generation in proportion to what it already
    yields each hour; in the hours that already spill, all of it is spilled, elsewhere
    it is consumed (battery aside). ``energy``: dispatch with ``ppa_mw``, ``onsite_mw``,
    ``spill_mw`` [MW] and ``weight_h`` [h] (1 h per row when absent).
    """
    weight = energy["weight_h"].to_numpy(float) if "weight_h" in energy else 1.0
    generated = weight * (energy["ppa_mw"].to_numpy(float) + energy["onsite_mw"].to_numpy(float))
    total = float(generated.sum())
    if total <= 0.0:
        return 0.0
    return float(generated[energy["spill_mw"].to_numpy(float) > SPILL_TOLERANCE_MW].sum() / total)


def first_share_slope(representative: pd.DataFrame, full_year: pd.DataFrame) -> float:
    """First secant slope d(representative-day share) / d(full-year share) [-].

    Raising the representative-day target adds renewable energy that the representative
    days consume except for their marginal spill share ``m_r``; on the full year a share
    ``m_f`` of it spills (:func:`marginal_spill_frac`). To first order the full-year share
    moves by ``(1 - m_f) / (1 - m_r)`` per unit of representative-day share, so the
    first step uses the inverse, at least 1 and at most :data:`MAX_FIRST_SLOPE`.
    """
    m_r, m_f = marginal_spill_frac(representative), marginal_spill_frac(full_year)
    if m_f >= 1.0:
        return MAX_FIRST_SLOPE
    return float(min(MAX_FIRST_SLOPE, max(1.0, (1.0 - m_r) / (1.0 - m_f))))


def _resolve_share(model: pyo.ConcreteModel, solver: HighsSettings, aim: float):
    """The energy re-solve at share target ``aim``, integers fixed.

    From the MIP's own compile where it can (the annual share scales one matrix entry,
    ``demand_mwh``'s coefficient, by ``1 - share``), else compiled afresh.
    """
    compiled = solver.compiled
    base = None if compiled is None else compiled.params.get("renewable_share_frac")
    if base is not None and base < 1.0 and hasattr(model, "renewable_share_annual"):
        out = highs_bridge.resolve_fixed(model, solver, [
            (model.renewable_share_annual, model.demand_mwh, (1.0 - aim) / (1.0 - base))])
        if out is not None:
            return out
    return highs_bridge.solve(model, solver)


def _fix_integers(model: pyo.ConcreteModel) -> list:
    fixed = []
    for var in model.component_data_objects(pyo.Var):
        if (var.is_integer() or var.is_binary()) and not var.fixed and var.value is not None:
            var.fix(round(var.value))
            fixed.append(var)
    return fixed


def _repair_share(model: pyo.ConcreteModel, prepared: Prepared, scenario: Scenario,
                  solver: HighsSettings, plan: Plan, result, check, meta: dict[str, Any],
                  rounds: list[dict[str, Any]], deadline: Deadline | None = None):
    """Raise the representative-day share target until the full year meets the real one.

    Representative days smooth the wind and sun, so a plan sized on them curtails less
    than the real year and its annual renewable share comes out lower on the full year.
    With sites, fleet and cooling fixed (an LP), the share the representative days must
    reach is moved by the secant method on (representative-day share, full-year share)
    until the full-year replay meets the scenario's target. The first step's slope comes
    from the spill of both dispatches (:func:`first_share_slope`) and goes at most half
    the way to 100 %; later steps use the measured secant. The plan is then the last
    design and its energy figures are the full year's. ``None`` if no target up to 100 %
    on the representative days reaches it within :data:`SHARE_REPAIR_ROUNDS`.
    """
    target = float(scenario.policy.renewable_share_frac)
    lever = model.renewable_share_frac
    x_prev, f_prev = float(plan.kpis["renewable_share"]), float(result.kpis["renewable_share"])
    slope = first_share_slope(plan.energy, result.hourly)
    fixed = _fix_integers(model)
    found = None
    try:
        for step in range(SHARE_REPAIR_ROUNDS):
            aim = min(1.0, x_prev + slope * (target + SHARE_MARGIN - f_prev))
            if step == 0:  # a first-order estimate: never more than half the room to 100 %
                aim = min(aim, x_prev + FIRST_STEP_ROOM_FRAC * (1.0 - x_prev))
            if aim <= x_prev + 1e-6:
                break
            if deadline is not None:
                if deadline.reached():
                    rounds.append({"repair": "annual-share repair stopped",
                                   "result": "the time limit was reached"})
                    break
                solver.time_limit_s = deadline.left_s()
            lever.set_value(aim)
            out = _resolve_share(model, solver, aim)
            if out.status != "optimal":
                rounds.append({"repair": f"representative-day share raised to {aim:.1%}",
                               "result": f"the energy re-solve ended {out.status}"})
                break
            plan = _plan(scenario, prepared, model, plan.status, plan.gap, meta)
            result = check()
            if result.status != "Optimal":
                rounds.append({"repair": f"representative-day share raised to {aim:.1%}",
                               "result": f"the full-year check ended {result.status}"})
                break
            x, f = float(plan.kpis["renewable_share"]), float(result.kpis["renewable_share"])
            rounds.append({"repair": f"representative-day share raised to {aim:.1%}",
                           "breaks": list(result.breaks),
                           "full_year_share": f, "representative_day_share": x})
            if not result.breaks:
                found = (plan, result)
                break
            if not _share_only(result) or aim >= 1.0:
                break
            slope = (x - x_prev) / (f - f_prev) if f - f_prev > 1e-4 else 2.0 * slope
            x_prev, f_prev = x, f
    finally:
        for var in fixed:
            var.unfix()
        lever.set_value(target)
    return found


COST_ITEMS_FULL_YEAR = ("grid_energy", "carbon", "ppa_energy", "grid_upgrade", "onsite_pv",
                        "onsite_wind", "battery", "backup", "gas_turbine", "heat_revenue",
                        "guarantees_of_origin")
"""Cost items the full-year re-optimisation of the energy supply replaces."""
SITE_ENERGY = ("facility_mwh", "it_mwh", "heat_pump_mwh", "grid_import_mwh", "ppa_mwh",
               "onsite_mwh", "backup_mwh", "gas_mwh", "spill_mwh", "heat_sold_mwh", "go_mwh",
               "emissions_t", "renewable_consumed_mwh", "backup_hours")


def _full_year_plan(plan: Plan, result, scenario: Scenario, finance: dict[str, float]) -> Plan:
    """The plan with its energy supply as re-optimised on the full year.

    Sites, fleet and cooling stay; capacities, the hourly dispatch (8760 h), energy
    costs and the KPIs come from the full-year programme, KPIs recomputed from the
    plan's tables. The check compares the representative-day plan with this one.
    """
    found = result.sites
    sites = plan.sites.copy()
    for name in ("grid_upgrade_mw", "pv_mw", "wind_mw", "ppa_solar_mw", "ppa_wind_mw",
                 "battery_mw", "battery_mwh", "gas_mw"):
        sites.loc[found.index, name] = found[name]
    sites.loc[found.index, "backup_capacity_mw"] = found["backup_mw"]
    for name in SITE_ENERGY:
        sites.loc[found.index, name] = found[name]
    opened = found.index
    sites.loc[opened, "renewable_generation_mwh"] = found["ppa_mwh"] + found["onsite_mwh"]
    sites.loc[opened, "facility_mw_mean"] = found["facility_mwh"] / 8760.0
    sites.loc[opened, "facility_peak_mw"] = found["peak_facility_mw"]
    sites.loc[opened, "pue_mean"] = found["facility_mwh"] / found["it_mwh"].where(
        found["it_mwh"] > 0)
    total = found["facility_mwh"] + found["heat_pump_mwh"]
    sites.loc[opened, "erf"] = found["heat_sold_mwh"] / total.where(total > 0)
    sites.loc[opened, "ref"] = ((found["renewable_consumed_mwh"] + found["go_mwh"])
                                / total.where(total > 0)).clip(upper=1.0)
    hourly = result.hourly.rename(columns={"hour": "period"})
    energy = hourly.assign(weight_h=1.0, day=hourly["period"] // 24, hour=hourly["period"] % 24,
                           kind="hour").drop(columns=["fossil_mw", "unmet_mw",
                                                      "over_connection_mw"])
    costs = plan.costs.copy()
    keep = ~(costs["item"].isin(COST_ITEMS_FULL_YEAR) & costs["site"].isin(opened))
    new = [{"item": item, "site": site, "eur_per_year": float(found.at[site, f"cost_{item}"]),
            "capex_eur": float(found.at[site, f"capex_{item}"]) if f"capex_{item}" in found
            else 0.0} for site in opened for item in COST_ITEMS_FULL_YEAR]
    costs = pd.concat([costs[keep], pd.DataFrame(new)], ignore_index=True)
    costs = costs[(costs["eur_per_year"].abs() + costs["capex_eur"].abs()) > 0].reset_index(
        drop=True)
    repaired = dataclasses.replace(
        plan, sites=sites, energy=energy, costs=costs,
        kpis=extract.kpis(sites, plan.fleet, costs, scenario, finance), meta=dict(plan.meta),
        check_breaks=list(result.breaks))
    return dataclasses.replace(repaired, check=compare(plan, result))


def _plan(scenario: Scenario, prepared: Prepared, model: pyo.ConcreteModel, status: str,
          proven_gap: float, meta: dict[str, Any]) -> Plan:
    timings = meta["timings"]
    _enter("extract")
    start = time.perf_counter()
    inp = prepared.inputs
    dispatch = extract.dispatch_table(model, inp)
    sites = extract.site_table(model, inp, dispatch)
    fleet = extract.fleet_table(model, inp)
    costs = extract.cost_table(model)
    plan = Plan(status=status, gap=proven_gap, kpis=extract.kpis(sites, fleet, costs, scenario,
                                                               prepared.finance),
                explanation=list(prepared.notes), sites=sites, fleet=fleet, energy=dispatch,
                workloads=extract.workload_table(model, inp, prepared.workload_options),
                costs=costs, workload_options=prepared.workload_options, meta=meta)
    timings["extract_s"] = timings.get("extract_s", 0.0) + time.perf_counter() - start
    return plan
