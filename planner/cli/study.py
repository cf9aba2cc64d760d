"""`gigaplan study FILE --out DIR`: run a batch policy study, locally or on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.render import err, handle_errors, out, print_frame
from planner.errors import UsageError

if TYPE_CHECKING:  # the study package is imported when a study runs (`--help` stays quick)
    from planner.study import StudyPlan

EXIT_INTERRUPTED = 130


class BarProgress:
    """A rich progress bar on stderr: done, failed, remaining, time elapsed and left.

    Implements :class:`planner.study.Progress`.
    """

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(),
            TextColumn("{task.completed}/{task.total} done, {task.fields[failed]} failed, "
                       "{task.fields[remaining]} remaining;"),
            TimeElapsedColumn(), TextColumn("elapsed,"), TimeRemainingColumn(),
            TextColumn("left"), console=err, transient=False)
        self.task = None
        self.total = 0

    def start(self, total: int, done: int, failed: int) -> None:  # noqa: D102
        self.total = total
        self.bar.start()
        self.task = self.bar.add_task("study", total=total, completed=done, failed=failed,
                                      remaining=total - done)

    def update(self, done: int, failed: int) -> None:  # noqa: D102
        self.bar.update(self.task, completed=done, failed=failed, remaining=self.total - done)

    def stop(self) -> None:  # noqa: D102
        self.bar.stop()


def command(
    file: Annotated[Path, typer.Argument(help="study YAML file (scenarios/studies/)")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="study folder for the results")]
    = None,
    workers: Annotated[int | None, typer.Option(help="worker processes (default: cores), Dask "
                                                     "workers, or SLURM jobs")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. "
                                                       "tcp://host:8786")] = None,
    cluster: Annotated[str | None, typer.Option(help="start Dask workers as jobs: slurm")] = None,
    restart: Annotated[bool, typer.Option("--restart", help="delete results of an older study "
                                                            "definition in --out")] = False,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="solve variants recorded "
                                                                      "as errors again")] = False,
    no_reuse: Annotated[bool, typer.Option("--no-reuse", help="rebuild the model for every "
                                                              "variant")] = False,
    save_plans: Annotated[bool, typer.Option("--save-plans", help="also write every variant's "
                                                                  "full plan")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="validate and list the variants; "
                                                            "solve nothing")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
    data: Annotated[Path | None, typer.Option("--data", help="catalogue folder")] = None,
) -> None:
    """Run a study: a base scenario under many variations; resumable.

    Results are written as they finish to DIR/results/ (one JSON file a variant) and
    DIR/results.parquet; running the same command again solves only what is missing.
    Exit 0 when every variant has a result (infeasible ones included), 2 on bad
    input, 130 when interrupted (finished results are kept).
    """
    if dry_run:
        _dry_run(file, data)
        return
    run = _run(file, out_dir, workers, scheduler, cluster, restart, retry_failed, no_reuse,
               save_plans, quiet, data)
    if run is None:
        raise typer.Exit(EXIT_INTERRUPTED)
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(run.statuses.items()))
    out.print(f"{run.variants} variants: {statuses}; {run.solved_now} solved now, "
              f"{run.already_done} already done, in {run.wall_s:.1f} s", markup=False)
    out.print(f"results: {run.folder / 'results.parquet'} (planner.study.load('{run.folder}'); "
              f"gigaplan report {run.folder} --xlsx FILE)", markup=False)


@handle_errors
def _dry_run(file: Path, data: Path | None) -> None:
    from planner.catalogue import load_catalogue
    from planner.study import load_study

    sp = load_study(file, load_catalogue(data))
    _describe(sp)
    import pandas as pd

    rows = [{"variant": v.id, "batch": v.batch, **({"pareto": v.pareto} if sp.study.pareto
                                                   else {}), **v.values} for v in sp.variants]
    print_frame(pd.DataFrame(rows), title="variants")


def _describe(sp: StudyPlan) -> None:
    batches = len({v.batch for v in sp.variants})
    err.print(f"study {sp.study.study}: {len(sp.variants)} variants in {batches} batches over "
              f"base {sp.base.name} (definition {sp.definition_hash})", markup=False)


@handle_errors
def _run(file, out_dir, workers, scheduler, cluster, restart, retry_failed, no_reuse, save_plans,
         quiet, data):
    if out_dir is None:
        raise UsageError.single("is required: the folder for the study's results", field="--out")
    from planner.study import run_study

    progress = None if quiet else BarProgress()
    try:
        return run_study(file, out_dir, workers=workers, scheduler=scheduler, cluster=cluster,
                         data=data, restart=restart, retry_failed=retry_failed,
                         save_plans=save_plans, reuse=False if no_reuse else None,
                         progress=progress, on_loaded=_describe)
    except KeyboardInterrupt:
        err.print(f"interrupted: finished results are kept in {out_dir}; run the same command "
                  "to resume", markup=False)
        return None
    except OSError as exc:  # a full disk, a read-only or vanished folder
        raise UsageError.single(
            f"cannot write the study's results ({exc.strerror or exc}"
            f"{': ' + str(exc.filename) if exc.filename else ''}); every result written so far "
            "is whole; free space or fix the folder's permissions and run the same command to "
            "resume", file=str(out_dir)) from None
