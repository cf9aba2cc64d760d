"""What a running solve is doing, for whoever watches it, and how to stop it.

A :class:`SolveProgress` is handed to :func:`planner.optimise.solve`; the solve records
its phase and HiGHS reports each better plan it finds (objective, best bound, proven
gap) through its MIP callbacks. The command line draws it on stderr; the explorer
polls it from another thread. :meth:`SolveProgress.stop` asks the solve to end: HiGHS
is interrupted at its next callback and keeps its incumbent, the full-year check and
repair steps not yet started are skipped, and the plan comes back with status
``stopped`` and its proven gap, as a time limit would end it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

PHASES = {
    "starting": "loading the planner, the catalogue and the scenario",
    "prepare": "reading inputs and representative days",
    "build": "building the model",
    "coarse_start": "coarse start (one mean day per site group)",
    "solve": "HiGHS branch and bound",
    "second_stage": "HiGHS second stage (least cost at that compute)",
    "extract": "reading the plan back",
    "check": "full-year check (8760 h)",
    "repair": "repairing the plan on the full year",
    "explain": "explaining why no plan exists",
    "done": "done",
}
"""Phase keys of a solve and how they read."""


@dataclass(frozen=True)
class Snapshot:
    """One reading of a solve's progress."""

    phase: str  # a key of PHASES
    elapsed_s: float
    unit: str  # of the objective: EUR/yr, or PFLOP/s or t CO2/yr in a first stage
    objective: float | None  # best plan found by HiGHS so far (the objective's unit)
    bound: float | None  # HiGHS' best bound on the objective
    gap: float | None  # proven relative gap [-]
    stopping: bool  # a stop was asked for

    @property
    def label(self) -> str:
        """The phase in words."""
        return PHASES.get(self.phase, self.phase)

    def line(self) -> str:
        """``phase, elapsed [s], incumbent and gap`` on one line."""
        text = f"{self.label}; {self.elapsed_s:.0f} s elapsed"
        if self.objective is not None:
            text += f"; best plan found {self.objective:,.0f} {self.unit}"
        if self.gap is not None:
            text += f", proven gap {self.gap:.2%}"
        if self.stopping:
            text += "; stopping (keeping the best plan found)"
        return text


class SolveProgress:
    """Progress of one solve; safe to read from another thread.

    ``on_change``: called (in the solving thread) with a :class:`Snapshot` when the
    phase changes or HiGHS finds a better plan; keep it quick.
    """

    def __init__(self, on_change: Callable[[Snapshot], None] | None = None):
        self._on_change = on_change
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._start = time.monotonic()
        self._phase = "starting"
        self._unit = "EUR/yr"
        self._objective: float | None = None
        self._bound: float | None = None
        self._gap: float | None = None

    def enter(self, phase: str, unit: str | None = None) -> None:
        """The solve starts ``phase`` (a key of :data:`PHASES`), its objective in ``unit``.

        A new objective (the second stage's cost after the first stage's compute)
        clears the best plan found.
        """
        with self._lock:
            self._phase = phase
            if unit is not None and unit != self._unit:
                self._unit, self._objective, self._bound, self._gap = unit, None, None, None
        self._notify()

    def found(self, objective: float, bound: float | None, gap: float | None) -> None:
        """HiGHS found a better plan: its objective, the best bound and the gap."""
        with self._lock:
            self._objective, self._bound, self._gap = objective, bound, gap
        self._notify()

    def stop(self) -> None:
        """Ask the solve to end now with the best plan found so far."""
        self._stop.set()
        self._notify()

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stop.is_set()

    def snapshot(self) -> Snapshot:
        """The progress now."""
        with self._lock:
            return Snapshot(self._phase, time.monotonic() - self._start, self._unit,
                            self._objective,
                            self._bound, self._gap, self._stop.is_set())

    def _notify(self) -> None:
        if self._on_change is not None:
            self._on_change(self.snapshot())


_ACTIVE: ContextVar[SolveProgress | None] = ContextVar("gigaplan_solve_progress", default=None)


def active() -> SolveProgress | None:
    """The progress of the solve running in this thread, if one is watched."""
    return _ACTIVE.get()


@contextmanager
def watching(progress: SolveProgress | None) -> Iterator[None]:
    """Make ``progress`` the :func:`active` one for the solve inside the block."""
    token = _ACTIVE.set(progress)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def watch_highs(h, maximise: bool = False) -> None:
    """Report HiGHS' better plans to the active progress and stop HiGHS when asked.

    Subscribes to HiGHS' improving-solution and MIP interrupt callbacks (objective,
    best bound, gap, at most once a second while only the bound moves; only in the
    phases that solve the plan itself, not the coarse start, and once HiGHS has a bound:
    a plan without a proven gap is not kept), and stops HiGHS at its MIP, IPM and
    simplex interrupt callbacks. Nothing is subscribed when no progress is active, so an
    unwatched solve pays nothing.
    """
    progress = active()
    if progress is None:
        return
    sign = -1.0 if maximise else 1.0
    last = {"objective": None, "gap": None, "at": 0.0}

    def report(out, primal: float) -> None:
        gap = float(out.mip_gap)  # infinite before HiGHS has a bound: not yet a plan it keeps
        if not (math.isfinite(gap) and math.isfinite(primal)):
            return
        now = time.monotonic()
        if primal == last["objective"] and (gap == last["gap"] or now - last["at"] < 1.0):
            return
        last.update(objective=primal, gap=gap, at=now)
        if progress.snapshot().phase in ("solve", "second_stage"):
            progress.found(sign * primal, sign * float(out.mip_dual_bound), gap)

    def improving(e) -> None:
        report(e.data_out, float(e.data_out.objective_function_value))

    def interrupt(e) -> None:
        if progress.stopping:
            e.interrupt()
        elif e.callback_type == cb.HighsCallbackType.kCallbackMipInterrupt:
            report(e.data_out, float(e.data_out.mip_primal_bound))  # the bound moves too

    from highspy import cb

    h.cbMipImprovingSolution.subscribe(improving)
    h.cbMipInterrupt.subscribe(interrupt)
    h.cbSimplexInterrupt.subscribe(interrupt)
    h.cbIpmInterrupt.subscribe(interrupt)
