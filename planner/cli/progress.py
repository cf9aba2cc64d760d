"""A solve's progress on stderr, and Ctrl-C that stops it with the best plan found.

On a terminal one line is redrawn in place (phase, elapsed time ticking, HiGHS' best
plan and proven gap); piped or redirected, a line is printed when the phase changes or
HiGHS finds a better plan, so a log shows where a long solve is. The first Ctrl-C asks
the solve to stop (HiGHS keeps its incumbent and the plan comes back ``stopped``); a
second one aborts.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from planner.cli.render import err

if TYPE_CHECKING:
    from planner.optimise.progress import Snapshot

STARTING = "loading the planner, the catalogue and the scenario"
"""The first phase, said before :mod:`planner.optimise` is imported (PHASES["starting"])."""


class _Lines:
    """A line on stderr per phase or better plan (stderr is not a terminal)."""

    def __init__(self, name: str):
        self.name = name
        self.last: tuple | None = None

    def show(self, snap: Snapshot) -> None:
        key = (snap.phase, snap.objective, snap.stopping)
        if key != self.last:
            self.last = key
            err.print(f"{self.name}: {snap.line()}", markup=False)

    def say(self, text: str) -> None:
        """Print ``text`` as a line of its own."""
        err.print(text, markup=False)

    def close(self) -> None:
        """Nothing to tidy."""


class _Live:
    """One line redrawn in place on a terminal, its elapsed time ticking."""

    def __init__(self, name: str):
        from rich.progress import Progress, SpinnerColumn, TextColumn

        self.name = name
        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err,
                            transient=True)
        self.snap: Snapshot | None = None
        self.task = self.bar.add_task(name, total=None)
        self.bar.start()
        self.stop_ticking = threading.Event()
        self.ticker = threading.Thread(target=self._tick, daemon=True)
        self.ticker.start()

    def _tick(self) -> None:  # the elapsed time moves between HiGHS' reports
        while not self.stop_ticking.wait(1.0):
            if self.snap is not None:
                self.bar.update(self.task, description=f"{self.name}: {self._now().line()}")

    def _now(self) -> Snapshot:
        snap = self.snap
        return dataclasses.replace(snap, elapsed_s=snap.elapsed_s + time.monotonic() - self.at)

    def show(self, snap: Snapshot) -> None:
        self.snap, self.at = snap, time.monotonic()
        self.bar.update(self.task, description=f"{self.name}: {snap.line()}")

    def say(self, text: str) -> None:
        """Show ``text`` on the line."""
        self.bar.update(self.task, description=text)

    def close(self) -> None:
        """Stop ticking and clear the line."""
        self.stop_ticking.set()
        self.bar.stop()


@contextmanager
def watched_solve(name: str, quiet: bool = False) -> Iterator[Callable[..., Any]]:
    """``run(func, *args)``: ``func(progress, *args)`` with its progress drawn on stderr.

    ``func`` runs in a worker thread while the main thread waits in short steps, so a
    Ctrl-C is handled at once even while HiGHS runs in C++ (Python handles signals in
    the main thread only); the first asks the solve to stop, a second raises
    ``KeyboardInterrupt``. What ``func`` raises is raised again here.
    """
    presses = 0
    progress = None  # made once the planner is imported

    def on_interrupt(signum, frame) -> None:
        nonlocal presses
        presses += 1
        if presses > 1:
            raise KeyboardInterrupt
        err.print("stopping: HiGHS keeps the best plan found so far (Ctrl-C again to abort)",
                  markup=False)
        if progress is not None:
            progress.stop()

    def run(func: Callable[..., Any], *args: Any) -> Any:
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = func(progress, *args)
            except BaseException as exc:  # noqa: BLE001 - raised again in the caller
                box["error"] = exc

        worker = threading.Thread(target=target, name="gigaplan-solve", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
        if "error" in box:
            raise box["error"]
        return box["value"]

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_interrupt) if in_main else None
    view = None
    try:
        view = None if quiet else (_Live(name) if err.is_terminal else _Lines(name))
        if view is not None:  # at once: importing the planner takes seconds
            view.say(f"{name}: {STARTING}; 0 s elapsed")
        from planner.optimise.progress import SolveProgress

        progress = SolveProgress(None if view is None else view.show)
        if presses:  # Ctrl-C while the planner was imported
            progress.stop()
        yield run
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
        if view is not None:
            view.close()
