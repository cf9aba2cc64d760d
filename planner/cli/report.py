"""`gigaplan report PATH --xlsx FILE`: the Excel workbook of a plan, a scenario or a study."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.flags import check_time_limit
from planner.cli.progress import watched_solve
from planner.cli.render import err, handle_errors, out
from planner.errors import UsageError

EXIT_INFEASIBLE = 3
SCENARIO_SUFFIXES = (".yaml", ".yml")
KINDS = ("a plan folder (plan.json), a study folder (study.json), an alternatives folder "
         "(alternatives.json) or a scenario file (.yaml)")


def command(path: Annotated[Path, typer.Argument(help="plan folder (from `gigaplan solve --out`), "
                                                      "study folder, or scenario YAML")],
            xlsx: Annotated[Path | None, typer.Option("--xlsx", help="workbook to write "
                                                                     "(.xlsx)")] = None,
            data: Annotated[Path | None, typer.Option("--data", help="catalogue folder")] = None,
            time_limit: Annotated[float | None, typer.Option(
                help="solver time limit [s] when PATH is a scenario")] = None,
            quiet: Annotated[bool, typer.Option("--quiet", help="no solve progress on "
                                                                "stderr")] = False,
            ) -> None:
    """Write the Excel report of a plan, a scenario (solved first) or a batch study.

    Exit 0 when written, 2 on bad input (nothing written), 3 when the scenario is
    infeasible (the workbook is written with the reasons), 1 on a solver error.
    """
    try:
        status = _report(path, xlsx, data, time_limit, quiet)
    except KeyboardInterrupt:
        err.print("aborted: nothing written", markup=False)
        raise typer.Exit(130) from None
    if status == "infeasible":
        raise typer.Exit(EXIT_INFEASIBLE)
    if status == "error":
        raise typer.Exit(1)


@handle_errors
def _report(path: Path, xlsx: Path | None, data: Path | None, time_limit: float | None,
            quiet: bool = False) -> str:
    from planner.report.sheet import check_target  # imported here: `--help` stays quick

    if xlsx is None:
        raise UsageError.single("required: the workbook to write, e.g. --xlsx plan.xlsx",
                                field="--xlsx")
    check_target(xlsx)
    kind = _kind(path)
    if time_limit is not None and kind != "scenario":
        raise UsageError.single("applies only to a scenario file", field="--time-limit")
    check_time_limit(time_limit)
    from planner.catalogue import load_catalogue
    from planner.optimise import load_plan, solve
    from planner.report import to_excel
    from planner.scenario import load_scenario

    if kind == "study":
        _study(path, xlsx, data)
        return "optimal"
    catalogue = load_catalogue(data)
    if kind == "alternatives":
        from planner.report.siting import alternatives_to_excel
        from planner.siting.alternatives import load_alternatives

        alternatives_to_excel(load_alternatives(path, plans=False), xlsx)
        out.print(f"alternatives workbook written to {xlsx}", markup=False)
        return "optimal"
    why = None
    if kind == "plan":
        from planner.siting.why import load_why

        plan, why = load_plan(path), load_why(path)
    else:  # solved with its progress on stderr; Ctrl-C keeps the best plan found
        with watched_solve(path.stem, quiet) as run:
            plan = run(lambda progress: solve(load_scenario(path, catalogue), catalogue,
                                              time_limit, progress=progress))
    to_excel(plan, xlsx, catalogue, why=why)
    if plan.explanation:
        err.print(f"{plan.status}:", markup=False)
        for line in plan.explanation:
            err.print(f"  - {line}", markup=False)
    out.print(f"{plan.meta.get('scenario')}: {plan.status}; workbook written to {xlsx}",
              markup=False)
    return plan.status


def _study(path: Path, xlsx: Path, data: Path | None) -> None:
    """The study workbook; a robustness study's with its Robustness and Draws sheets."""
    from planner.report import study_to_excel
    from planner.study import load  # the study package is imported only when needed
    from planner.study.store import read_header

    robustness = None
    if read_header(path).get("kind") == "robustness":
        from planner.catalogue import load_catalogue
        from planner.study.robustness import summarise

        robustness = summarise(path, load_catalogue(data))
    study_to_excel(load(path), xlsx, robustness)
    out.print(f"study workbook written to {xlsx}", markup=False)


def _kind(path: Path) -> str:
    """``plan``, ``study``, ``alternatives`` or ``scenario``: what PATH holds."""
    if path.is_dir():
        for kind, marker in (("plan", "plan.json"), ("study", "study.json"),
                             ("alternatives", "alternatives.json")):
            if (path / marker).is_file():
                return kind
        raise UsageError.single("folder holds none of plan.json, study.json, "
                                "alternatives.json", file=str(path), allowed=KINDS)
    if not path.exists():
        raise UsageError.single("not found", file=str(path), allowed=KINDS)
    if path.suffix.lower() not in SCENARIO_SUFFIXES:
        raise UsageError.single("not a plan, study or scenario", file=str(path), allowed=KINDS)
    return "scenario"
