"""Hand a Pyomo model to HiGHS as matrices, solve it, and load the solution back.

Pyomo's persistent APPSI interface walks every constraint expression in Python to
transfer it (about 10x the model's build time at flagship size). Here the model is
compiled once to sparse standard form by Pyomo's own ``LinearStandardFormCompiler``
and passed to ``highspy`` in one call, which costs a fraction of the build.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from planner.optimise.progress import watch_highs

INF = highspy.kHighsInf


@dataclass
class HighsSettings:
    """Solver settings and the last solution (a MIP start for the next solve)."""

    time_limit_s: float
    mip_gap: float
    threads: int
    seed: int
    warm_start: bool = False
    last: dict[int, float] = field(default_factory=dict)  # id(var) -> value
    compiled: Compiled | None = field(default=None, repr=False)  # of the last solve


@dataclass(frozen=True)
class Compiled:
    """The standard form HiGHS was last given: model, columns, rows and matrix."""

    model_id: int
    info: object  # LinearStandardFormCompiler's result
    lp: highspy.HighsLp
    maximise: bool
    params: dict[str, float]  # mutable Params (levers) at compile time


@dataclass(frozen=True)
class Outcome:
    """How a solve ended: status, objective, best bound, proven relative gap."""

    status: str  # optimal | time_limit | infeasible | error
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None


def _compile(model: pyo.ConcreteModel):
    return LinearStandardFormCompiler().write(model, mixed_form=True)


def _lp(info) -> highspy.HighsLp:
    columns = info.columns
    lp = highspy.HighsLp()
    n, m = len(columns), info.A.shape[0]
    lp.num_col_ = n
    lp.num_row_ = m
    cost = np.asarray(info.c.todense()).ravel() if info.c.shape[0] else np.zeros(n)
    lp.col_cost_ = cost[:n] if cost.size >= n else np.zeros(n)
    lp.offset_ = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    lp.col_lower_ = np.array([-INF if v.lb is None else float(v.lb) for v in columns])
    lp.col_upper_ = np.array([INF if v.ub is None else float(v.ub) for v in columns])
    ops = np.array([mult for _, mult in info.rows])
    rhs = np.asarray(info.rhs, dtype=float)
    lp.row_lower_ = np.where(ops == 1, -INF, rhs)
    lp.row_upper_ = np.where(ops == -1, INF, rhs)
    A = info.A.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    integer = [v.is_integer() or v.is_binary() for v in columns]
    if any(integer):
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in integer]
    return lp


def _highs(settings: HighsSettings, maximise: bool) -> highspy.Highs:
    """A quiet HiGHS instance with the threads, seed and time limit of ``settings``.

    Watched by the active solve progress, if any (its better plans, its stop).
    """
    highspy.Highs.resetGlobalScheduler(True)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", int(settings.threads))
    h.setOptionValue("random_seed", int(settings.seed))
    h.setOptionValue("time_limit", float(settings.time_limit_s))
    watch_highs(h, maximise)
    return h


def solve(model: pyo.ConcreteModel, settings: HighsSettings) -> Outcome:
    """Compile, solve with HiGHS and load the incumbent into ``model`` when there is one.

    HiGHS keeps one thread scheduler per process and refuses a different ``threads``
    setting once it runs, so the scheduler is reset before every solve.
    """
    try:
        info = _compile(model)
    except InfeasibleConstraintException:
        return Outcome("infeasible")
    maximise = any(obj.sense == pyo.maximize for obj in model.component_data_objects(
        pyo.Objective, active=True))
    h = _highs(settings, maximise)
    h.setOptionValue("mip_rel_gap", float(settings.mip_gap))
    lp = _lp(info)
    settings.compiled = Compiled(id(model), info, lp, maximise, {
        p.name: float(pyo.value(p)) for p in model.component_objects(pyo.Param)
        if p.mutable and not p.is_indexed()})
    h.passModel(lp)
    columns = info.columns
    if settings.warm_start and settings.last:
        start = highspy.HighsSolution()
        start.col_value = [settings.last.get(id(v), 0.0 if v.lb is None else max(v.lb, 0.0))
                           for v in columns]
        start.value_valid = True
        h.setSolution(start)
    h.run()
    integer = any(v.is_integer() or v.is_binary() for v in columns)
    return _outcome(h, model, columns, settings, maximise, integer)


def resolve_fixed(model: pyo.ConcreteModel, settings: HighsSettings,
                  scaled: list[tuple[object, object, float]]) -> Outcome | None:
    """Re-solve the model ``settings`` last compiled as an LP, without compiling it again.

    Every integer column is fixed at the last solution; ``scaled`` lists (constraint,
    variable, factor): the matrix entry multiplied by the factor (a lever that scales one
    coefficient, as the renewable share does ``demand_mwh``'s). ``None`` (compile
    afresh instead) when the last compile is not of ``model``, a named entry is not in
    it, or there is no last solution. A compile costs as much as the build (demo-tiny
    0.04 s); this costs the HiGHS run.
    """
    compiled = settings.compiled
    if compiled is None or compiled.model_id != id(model) or not settings.last:
        return None
    info, columns = compiled.info, compiled.info.columns
    row_of = {id(con): i for i, (con, _) in enumerate(info.rows)}
    col_of = {id(var): j for j, var in enumerate(columns)}
    matrix = info.A.tocsc()
    entries = []
    for con, var, factor in scaled:
        i, j = row_of.get(id(con)), col_of.get(id(var))
        if i is None or j is None:
            return None
        start, end = matrix.indptr[j], matrix.indptr[j + 1]
        at = np.flatnonzero(matrix.indices[start:end] == i)
        if not len(at):
            return None
        entries.append((i, j, float(matrix.data[start + at[0]]) * factor))
    integer = np.array([v.is_integer() or v.is_binary() for v in columns])
    fixed = np.flatnonzero(integer)
    values = np.array([round(settings.last.get(id(columns[j]), 0.0)) for j in fixed], float)
    h = _highs(settings, compiled.maximise)
    h.passModel(compiled.lp)
    if len(fixed):
        h.changeColsIntegrality(len(fixed), fixed.astype(np.int32), np.array(
            [highspy.HighsVarType.kContinuous] * len(fixed)))
        h.changeColsBounds(len(fixed), fixed.astype(np.int32), values, values)
    for i, j, value in entries:
        h.changeCoeff(i, j, value)
    h.run()
    return _outcome(h, model, columns, settings, compiled.maximise, False)


def _outcome(h: highspy.Highs, model: pyo.ConcreteModel, columns, settings: HighsSettings,
             maximise: bool, integer: bool) -> Outcome:
    """How the run of ``h`` ended; its solution loaded into ``model`` when there is one."""
    status = h.getModelStatus()
    info_h = h.getInfo()
    has_solution = info_h.primal_solution_status == 2  # kSolutionStatusFeasible
    name = {highspy.HighsModelStatus.kOptimal: "optimal",
            highspy.HighsModelStatus.kInfeasible: "infeasible",
            highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
            highspy.HighsModelStatus.kTimeLimit: "time_limit",
            highspy.HighsModelStatus.kIterationLimit: "time_limit",
            highspy.HighsModelStatus.kSolutionLimit: "time_limit",
            highspy.HighsModelStatus.kInterrupt: "time_limit"}.get(status, "error")
    if name in ("optimal", "time_limit") and not has_solution:
        return Outcome("time_limit" if name == "time_limit" else "error")
    if name not in ("optimal", "time_limit"):
        return Outcome(name)
    x = np.asarray(h.getSolution().col_value)
    _load(model, columns, x)
    settings.last = {id(v): float(value) for v, value in zip(columns, x, strict=True)}
    sign = -1.0 if maximise else 1.0
    objective = sign * float(info_h.objective_function_value)
    bound = sign * float(info_h.mip_dual_bound) if integer else objective
    gap = float(info_h.mip_gap) if integer else 0.0
    if not np.isfinite(gap):
        gap = None
    return Outcome(name, objective, bound, gap)


def _load(model: pyo.ConcreteModel, columns, x: np.ndarray) -> None:
    for var, value in zip(columns, x, strict=True):
        if var.is_integer() or var.is_binary():
            value = round(value)
        var.set_value(float(value), skip_validation=True)
    for var in model.component_data_objects(pyo.Var, descend_into=True):
        if var.value is None:  # in no constraint or objective: at its bound nearest zero
            lo = var.lb if var.lb is not None else -INF
            hi = var.ub if var.ub is not None else INF
            var.set_value(float(min(max(0.0, lo), hi)), skip_validation=True)
