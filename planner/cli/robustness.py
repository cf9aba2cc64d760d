"""`gigaplan robustness SCENARIO --draws N --out DIR`: how robust the plan is to estimates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.render import handle_errors, out, print_frame, print_json
from planner.cli.study import EXIT_INTERRUPTED, BarProgress
from planner.errors import UsageError


def command(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file")],
    draws: Annotated[int, typer.Option("--draws", help="draws of the estimated inputs")] = 50,
    out_dir: Annotated[Path | None, typer.Option("--out", help="study folder for the results")]
    = None,
    seed: Annotated[int, typer.Option(help="seed of the draws")] = 2026,
    workers: Annotated[int | None, typer.Option(help="worker processes (default: cores)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="variants a worker re-solves "
                                                                 "on one model")] = 8,
    time_limit: Annotated[float, typer.Option("--time-limit", help="seconds a solve")] = 300.0,
    threads: Annotated[int, typer.Option(help="solver threads a worker")] = 1,
    check: Annotated[str, typer.Option(help="full-year check of each solve: off, report or "
                                            "repair")] = "off",
    restart: Annotated[bool, typer.Option("--restart", help="delete older results in --out")]
    = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
    json: Annotated[bool, typer.Option("--json", help="the summary as JSON on stdout")] = False,
    data: Annotated[Path | None, typer.Option("--data", help="catalogue folder")] = None,
) -> None:
    """Solve SCENARIO for N draws of the estimated site and country figures.

    Each draw takes every figure of data/estimate_ranges.csv between its low and high
    (triangular, the catalogue value most likely) and is solved on the re-used model twice:
    with the base plan's sites fixed open and free. Prints how often each site opens,
    its capacity range, the accelerator and cooling choices, the cost spread and the regret
    of the base siting; writes DIR/robustness.json (and the study files: resumable, and
    `gigaplan report DIR --xlsx FILE` makes the workbook).
    """
    result = _run(scenario, draws, out_dir, seed, workers, scheduler, batch_size, time_limit,
                  threads, check, restart, quiet, data)
    if result is None:
        raise typer.Exit(EXIT_INTERRUPTED)
    robust, path = result
    if json:
        print_json(robust.to_json())
        return
    _print(robust, path)


@handle_errors
def _run(scenario, draws, out_dir, seed, workers, scheduler, batch_size, time_limit, threads,
         check, restart, quiet, data):
    if out_dir is None:
        raise UsageError.single("is required: the folder for the study's results", field="--out")
    if check not in ("off", "report", "repair"):
        raise UsageError.single(f"unknown check '{check}'", field="--check",
                                allowed="off, report, repair")
    if not 1 <= draws <= 10_000:
        raise UsageError.single(f"{draws} draws: give 1 to 10,000", field="--draws")
    from planner.catalogue import load_catalogue
    from planner.study import run_study
    from planner.study.definition import study_plan
    from planner.study.robustness import summarise

    catalogue = load_catalogue(data)
    base = scenario.resolve()
    if not base.is_file():
        raise UsageError.single("scenario file not found", field="SCENARIO", file=str(scenario))
    spec = {"study": f"{base.stem}-robustness"[:64], "base": str(base),
            "description": f"{draws} draws of the estimated inputs of {base.name}",
            "set": {"time.full_year_check": check}, "robustness": {"draws": draws},
            "seed": seed, "batch_size": batch_size,
            "solver": {"time_limit_s": time_limit, "threads": threads}}
    sp = study_plan(spec, base.parent / f"{base.stem}-robustness.yaml", {}, catalogue)
    try:
        run_study(sp, out_dir, workers=workers, scheduler=scheduler, data=data, restart=restart,
                  progress=None if quiet else BarProgress())
    except KeyboardInterrupt:
        return None
    robust = summarise(out_dir, catalogue)
    return robust, robust.save(out_dir)


def _print(robust, path: Path) -> None:
    import pandas as pd

    from planner.study.robustness import driver_lines

    s = robust.summary
    out.print(f"{s['base_scenario']}: {s['draws_solved']} of {s['draws']} draws solved "
              f"(seed {s['seed']}); {s['solves']} solves, {s['solves_re_used']} re-solved on a "
              f"built model, {s['solves_rebuilt']} built", markup=False)

    def m(key: str) -> str:
        return "–" if s.get(key) is None else f"{s[key] / 1e6:,.2f}"

    out.print(f"base sites {', '.join(s['base_open_sites'])}: the optimum of "
              f"{(s['draws_with_base_sites_frac'] or 0):.0%} of draws; TCO {m('tco_min_eur_per_year')}"
              f" to {m('tco_max_eur_per_year')} M EUR/yr (base {m('base_tco_eur_per_year')}); "
              f"regret of the base sites: mean {m('regret_mean_eur_per_year')}, max "
              f"{m('regret_max_eur_per_year')} M EUR/yr ({(s['regret_max_frac'] or 0):.2%} of "
              f"that draw's TCO); in {s['draws_base_sites_infeasible']} draws the base sites "
              "cannot hold the plan", markup=False)
    for line in driver_lines(robust.drivers):
        out.print(f"  they fail exactly when {line}", markup=False)
    sites = robust.sites.copy()
    sites["open in draws [%]"] = (100 * sites.pop("open_share_frac")).round(0)
    print_frame(sites, title="sites")
    print_frame(robust.choices.drop(columns=["gpus_base", "gpus_min", "gpus_max"]),
                title="accelerator and cooling choices")
    held = pd.DataFrame([{"field": k, "held": v} for k, v in s["estimates_held"].items()])
    print_frame(held, title=f"{s['estimates_varied']} estimated figures varied; held")
    out.print(f"summary: {path}", markup=False)
