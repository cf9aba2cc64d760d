"""`gigaplan solve FILE`: optimise a scenario and print the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.catalogue import load_catalogue
from planner.cli.render import err, format_value, handle_errors, out, print_frame, print_json
from planner.errors import UsageError
from planner.optimise import Plan, solve
from planner.report.labels import KPI_LABELS
from planner.scenario import load_scenario

EXIT_INFEASIBLE = 3


def print_plan(plan: Plan) -> None:
    """Human summary: status, KPIs, sites, fleet, workloads, costs."""
    gap = "" if plan.gap is None else f", proven gap {plan.gap:.2%}"
    out.print(f"[bold]{plan.meta.get('scenario')}[/]: {plan.status}{gap} (scenario "
              f"{plan.meta.get('scenario_hash')}, data {plan.meta.get('data_version')})",
              markup=True)
    if plan.explanation:
        out.print("why it is infeasible:")
        for line in plan.explanation:
            out.print(f"  - {line}", markup=False)
    if not plan.has_solution:
        return
    for key, label in KPI_LABELS.items():
        out.print(f"  {label:<38} {format_value(plan.kpis[key])}", markup=False)
    sites = plan.sites[plan.sites["open"]]
    gpu_cols = [c for c in sites.columns if c.startswith("gpus_") and sites[c].sum() > 0]
    print_frame(sites[["country", "cooling", *gpu_cols, "it_mw", "facility_mw_mean", "pue_mean",
                       "grid_upgrade_mw", "ppa_solar_mw", "ppa_wind_mw", "pv_mw", "wind_mw",
                       "battery_mwh", "emissions_t", "heat_sold_mwh"]].reset_index(),
                title="open sites")
    print_frame(plan.workloads, title="workloads")
    costs = plan.costs.groupby("item")[["eur_per_year", "capex_eur"]].sum()
    print_frame(costs.reset_index(), title="costs by item (by site: plan tables, --out)")
    t = plan.meta.get("timings", {})
    out.print("timings [s]: " + ", ".join(f"{k.removesuffix('_s')} {v:.2f}" for k, v in t.items()))


def command(file: Annotated[Path, typer.Argument(help="scenario YAML file")],
            out_dir: Annotated[Path | None, typer.Option("--out", help="write plan.json and "
                                                                       "tables here")] = None,
            time_limit: Annotated[float | None, typer.Option(help="solver time limit [s]")] = None,
            gap: Annotated[float | None, typer.Option(help="relative MIP gap, e.g. 0.01")] = None,
            threads: Annotated[int | None, typer.Option(help="solver threads")] = None,
            data: Annotated[Path | None, typer.Option("--data", help="catalogue folder")] = None,
            json: Annotated[bool, typer.Option("--json", help="one JSON object on stdout")] = False,
            ) -> None:
    """Optimise a scenario: sites, fleet, cooling, energy, cost.

    Exit 0 with a plan, 2 on bad input, 3 when infeasible (with the reasons).
    """
    plan = _solve(file, out_dir, time_limit, gap, threads, data)
    if json:
        print_json(plan.summary())
    else:
        print_plan(plan)
    if out_dir is not None and plan.has_solution:
        err.print(f"plan written to {out_dir}")
    if plan.status == "infeasible":
        raise typer.Exit(EXIT_INFEASIBLE)
    if plan.status == "error":
        raise typer.Exit(1)


@handle_errors
def _solve(file, out_dir, time_limit, gap, threads, data) -> Plan:
    if time_limit is not None and time_limit <= 0:
        raise UsageError.single("must be positive", field="--time-limit")
    if gap is not None and not 0 <= gap < 1:
        raise UsageError.single("must be a fraction in [0, 1)", field="--gap")
    catalogue = load_catalogue(data)
    plan = solve(load_scenario(file, catalogue), catalogue, time_limit, gap, threads)
    if out_dir is not None:
        plan.save(out_dir)
    return plan


