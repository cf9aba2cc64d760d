"""`gigaplan alternatives SCENARIO --slack 0.02 --count K`: near-optimal plans, elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.render import err, frame_records, handle_errors, out, print_frame, print_json
from planner.errors import UsageError


def command(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file")],
    slack: Annotated[float, typer.Option(help="cost above the optimum allowed, as a share "
                                              "(0.02 = 2 %)")] = 0.02,
    count: Annotated[int, typer.Option(help="alternatives to find")] = 6,
    out_dir: Annotated[Path | None, typer.Option("--out", help="folder for the plans and "
                                                               "tables")] = None,
    seed: Annotated[int, typer.Option(help="seed of the random directions")] = 2026,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="seconds a solve")]
    = None,
    json: Annotated[bool, typer.Option("--json", help="one JSON object on stdout")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress on stderr")] = False,
    data: Annotated[Path | None, typer.Option("--data", help="catalogue folder")] = None,
) -> None:
    """Plans within SLACK of the least cost that put the capacity in other member states.

    Modelling to generate alternatives: each member state of the optimum with its load
    minimised, each other member state with its load maximised, then seeded random
    directions, each within the cost cap and doing the optimum's work. With --out, every
    plan is written as a plan folder (DIR/plans/optimum, DIR/plans/a01, ...) with
    summary.csv and by_country.csv; `gigaplan report DIR --xlsx FILE` makes the workbook.
    """
    found = _run(scenario, slack, count, out_dir, seed, time_limit, quiet, data)
    if json:
        print_json({"meta": found.meta, "summary": frame_records(found.summary),
                    "by_country": frame_records(found.by_country)})
        return
    from planner.siting.tables import alternatives_table

    m = found.meta
    out.print(f"{m['scenario']}: {m['count_found']} of {m['count_asked']} alternatives within "
              f"{m['slack_frac']:.1%} of the least cost ({m['optimum_tco_eur_per_year'] / 1e6:,.1f}"
              f" M EUR/yr); {m['directions_tried']} directions tried", markup=False)
    print_frame(alternatives_table(found.summary), title="alternatives")
    shares = found.by_country.pivot(index="country", columns="plan", values="it_share_frac")[
        list(found.plans)]
    print_frame((100 * shares.fillna(0.0)).round(1).reset_index(),
                title="share of the IT capacity by member state [%]")
    if out_dir is not None:
        out.print(f"written to {out_dir}", markup=False)


@handle_errors
def _run(scenario: Path, slack: float, count: int, out_dir: Path | None, seed: int,
         time_limit: float | None, quiet: bool, data: Path | None):
    from planner.catalogue import load_catalogue
    from planner.scenario import load_scenario
    from planner.siting.alternatives import alternatives

    if out_dir is not None and out_dir.exists() and any(out_dir.iterdir()) and not (
            out_dir / "alternatives.json").is_file():
        raise UsageError.single("is a non-empty folder that holds no alternatives; refusing to "
                                "write into it", field="--out", file=str(out_dir))
    catalogue = load_catalogue(data)
    found = alternatives(load_scenario(scenario, catalogue), catalogue, slack=slack,
                         count=count, seed=seed, time_limit_s=time_limit,
                         say=None if quiet else lambda line: err.print(line, markup=False))
    if out_dir is not None:
        found.save(out_dir)
    return found
