"""`gigaplan solve FILE`: optimise a scenario and print the plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.flags import check_gap, check_threads, check_time_limit
from planner.cli.progress import watched_solve
from planner.cli.render import err, format_value, handle_errors, out, print_frame, print_json

if TYPE_CHECKING:  # imported when a command runs: `gigaplan --help` does not pay for them
    from planner.optimise import Plan

EXIT_INFEASIBLE = 3


def print_plan(plan: Plan) -> None:
    """Human summary: status, KPIs, sites, fleet, workloads, costs."""
    from planner.optimise.plan import status_words
    from planner.report.labels import KPI_LABELS

    gap = "" if plan.gap is None else f", proven gap {plan.gap:.2%}"
    out.print(f"[bold]{plan.meta.get('scenario')}[/]: {status_words(plan.status)}{gap} (scenario "
              f"{plan.meta.get('scenario_hash')}, data {plan.meta.get('data_version')})",
              markup=True)
    if plan.explanation:
        out.print({"infeasible": "why it is infeasible:", "refused": "why it is not a plan:"}.get(
            plan.status, "notes:"))
        for line in plan.explanation:
            out.print(f"  - {line}", markup=False)
    if not plan.has_solution:
        return
    for key, label in KPI_LABELS.items():
        out.print(f"  {label:<56} {format_value(plan.kpis.get(key))}", markup=False)
    sites = plan.sites[plan.sites["open"]]
    gpu_cols = [c for c in sites.columns if c.startswith("gpus_") and sites[c].sum() > 0]
    print_frame(sites[["country", "cooling", *gpu_cols, "it_mw", "served_mw", "facility_mw_mean",
                       "design_peak_mw", "pue_mean", "ref", "erf", "emissions_t"]].reset_index(),
                title="open sites (MW; emissions tCO2/yr; REF and ERF fractions)")
    print_frame(sites[["grid_upgrade_mw", "ppa_solar_mw", "ppa_wind_mw", "pv_mw", "wind_mw",
                       "battery_mw", "battery_mwh", "backup_capacity_mw", "backup_hours",
                       "gas_mw", "heat_sold_mwh", "spill_mwh"]].reset_index(),
                title="energy supply by site (MW, MWh, standby h/yr)")
    print_frame(plan.workloads, title="workloads")
    costs = plan.costs.groupby("item")[["eur_per_year", "capex_eur"]].sum()
    print_frame(costs.reset_index(), title="costs by item (by site: plan tables, --out)")
    print_check(plan)
    t = plan.meta.get("timings", {})
    out.print("timings [s]: " + ", ".join(f"{k.removesuffix('_s')} {v:.2f}" for k, v in t.items()),
              markup=False)  # "[s]" would be read as rich's strike-through tag


def print_check(plan: Plan) -> None:
    """The full-year check: the figures both ways, what breaks, what the repair did."""
    if not len(plan.check):
        return
    c = plan.check
    print_frame(c[["figure", "unit", "representative_days", "full_year", "difference_frac"]],
                title="full-year check: the plan's figures on its representative days and on "
                      "all 8760 hours")
    check = plan.meta.get("full_year_check", {})
    for step in check.get("repair_rounds", []):
        out.print(f"  repair: {step.get('repair', '')}", markup=False)
    before, after = (check.get("tco_before_repair_eur_per_year"),
                     check.get("tco_after_repair_eur_per_year"))
    if check.get("repair_rounds") and before and after:
        out.print(f"  the repair changed the TCO from {format_value(before)} to "
                  f"{format_value(after)} EUR/yr ({after / before - 1:+.2%}); the proven gap is "
                  "that of the representative-day solve", markup=False)
    if plan.check_breaks:
        out.print("[bold red]the plan breaks on the full year:[/]", markup=True)
        for text in plan.check_breaks:
            out.print(f"  - {text}", markup=False)
        if check.get("mode") == "report":
            out.print("  (set time.full_year_check: repair to re-solve until it holds)",
                      markup=False)
    else:
        out.print("the plan holds on the full year", markup=False)


def command(file: Annotated[Path, typer.Argument(help="scenario YAML file")],
            out_dir: Annotated[Path | None, typer.Option("--out", help="write plan.json and "
                                                                       "tables here")] = None,
            time_limit: Annotated[float | None, typer.Option(
                help="wall-clock limit of the solve [s]: HiGHS, full-year check and repair")
            ] = None,
            gap: Annotated[float | None, typer.Option(help="relative MIP gap, e.g. 0.01")] = None,
            threads: Annotated[int | None, typer.Option(help="solver threads")] = None,
            data: Annotated[Path | None, typer.Option("--data", help="catalogue folder")] = None,
            json: Annotated[bool, typer.Option("--json", help="one JSON object on stdout")] = False,
            quiet: Annotated[bool, typer.Option("--quiet", help="no progress on stderr")] = False,
            ) -> None:
    """Optimise a scenario: sites, fleet, cooling, energy, cost.

    Progress (phase, elapsed time, HiGHS' best plan and proven gap) goes to stderr.
    Ctrl-C stops the solve with the best plan found so far (status "stopped", with its
    gap); a second Ctrl-C aborts (exit 130, nothing written). Exit 0 with a plan, 2 on
    bad input, 3 with the reasons when there is no plan: the scenario is infeasible, the
    solver's answer is refused as a plan (no GPU for the workloads asked, a negative
    cost), or none was found within the time limit or before the stop.
    """
    try:
        plan = _solve(file, out_dir, time_limit, gap, threads, data, quiet)
    except KeyboardInterrupt:
        err.print("aborted: nothing written", markup=False)
        raise typer.Exit(130) from None
    if json:
        print_json(plan.summary())
    else:
        print_plan(plan)
    if out_dir is not None and plan.has_solution:
        err.print(f"plan written to {out_dir}")
    if plan.status == "error":
        raise typer.Exit(1)
    if not plan.has_solution:  # infeasible, refused, or no plan within the time limit
        raise typer.Exit(EXIT_INFEASIBLE)


def _load_and_solve(progress, file, data, time_limit, gap, threads) -> Plan:
    from planner.catalogue import load_catalogue
    from planner.optimise import solve
    from planner.scenario import load_scenario

    catalogue = load_catalogue(data)
    return solve(load_scenario(file, catalogue), catalogue, time_limit, gap, threads, progress)


@handle_errors
def _solve(file, out_dir, time_limit, gap, threads, data, quiet=False) -> Plan:
    check_time_limit(time_limit)
    check_gap(gap)
    check_threads(threads)
    with watched_solve(Path(file).stem, quiet) as run:
        plan = run(_load_and_solve, file, data, time_limit, gap, threads)
    if out_dir is not None:
        plan.save(out_dir)
    return plan


