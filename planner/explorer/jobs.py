"""Solves in the background, remembered by scenario hash.

The explorer submits a scenario and polls its :class:`Job` to show progress; the
solve goes on if the user looks at another page meanwhile, and a scenario solved
before (by this or another session of the same server) is answered from memory.
Solves run one at a time so two users do not halve each other's solver threads.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from planner.catalogue import Catalogue
from planner.optimise import Plan, solve
from planner.optimise.progress import SolveProgress
from planner.scenario import Scenario, scenario_hash

MAX_REMEMBERED = 64
"""Plans kept per server (least recently used dropped first)."""


@dataclass
class Job:
    """One solve: which scenario, when it started, and its future plan."""

    digest: str
    name: str
    time_limit_s: float
    future: Future = field(repr=False)
    started: float | None = None
    finished: float | None = None
    watch: SolveProgress = field(default_factory=SolveProgress, repr=False)

    def stop(self) -> None:
        """Cancel: end the solve now with the best plan found so far (status ``stopped``)."""
        self.watch.stop()

    def line(self) -> str:
        """What the solve is doing, in words: phase, elapsed, best plan and gap."""
        if self.started is None:
            return "waiting for another solve to finish"
        return self.watch.snapshot().line()

    @property
    def done(self) -> bool:
        """True when the plan (or the solve's error) is available."""
        return self.future.done()

    @property
    def elapsed_s(self) -> float:
        """Seconds since the solve started (0 while it waits for another solve)."""
        if self.started is None:
            return 0.0
        return (self.finished or time.monotonic()) - self.started

    def progress(self) -> float:
        """Share of the solver's time limit used so far, below 1 until the solve ends."""
        return 1.0 if self.done else min(0.99, self.elapsed_s / self.time_limit_s)

    def result(self) -> Plan:
        """The plan; raises what the solve raised."""
        return self.future.result()


class SolveQueue:
    """Background solves, one at a time, with the plans remembered by scenario hash."""

    def __init__(self, catalogue: Catalogue, solver: Callable[..., Plan] = solve,
                 remember: int = MAX_REMEMBERED):
        self._catalogue = catalogue
        self._solver = solver
        self._remember = remember
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gigaplan-solve")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, scenario: Scenario) -> Job:
        """The job solving ``scenario``: a running or finished one if there is, else a new one.

        A job that failed is started again.
        """
        digest = scenario_hash(scenario)
        with self._lock:
            job = self._jobs.get(digest)
            if job is not None and not (job.done and job.future.exception() is not None):
                self._jobs.move_to_end(digest)
                return job
            job = Job(digest, scenario.name, scenario.solver.time_limit_s, Future())
            job.future = self._pool.submit(self._run, job, scenario)
            self._jobs[digest] = job
            self._forget_oldest()
            return job

    def running(self) -> Job | None:
        """The job solving now, if any (for the note on every page)."""
        with self._lock:
            return next((j for j in self._jobs.values() if j.started is not None
                         and not j.done), None)

    def job(self, digest: str) -> Job | None:
        """The job of a scenario hash, if it was submitted and is still remembered."""
        with self._lock:
            return self._jobs.get(digest)

    def _run(self, job: Job, scenario: Scenario) -> Plan:
        job.started = time.monotonic()
        try:
            return self._solver(scenario, self._catalogue, progress=job.watch)
        finally:
            job.finished = time.monotonic()

    def _forget_oldest(self) -> None:
        while len(self._jobs) > self._remember:
            oldest = next((d for d, j in self._jobs.items() if j.done), None)
            if oldest is None:
                return
            del self._jobs[oldest]
