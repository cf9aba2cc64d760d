"""`gigaplan scenario ...`: validate, summarise and describe scenario files."""

from __future__ import annotations

import json as jsonlib
from pathlib import Path
from typing import Annotated

import typer

from planner.cli.render import handle_errors, out, print_error, print_frame, print_json
from planner.errors import ScenarioError

# the catalogue, the schema and pandas are imported inside the commands, so that
# `gigaplan --help` does not pay for them

app = typer.Typer(help="Validate and describe scenario files.", no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="one JSON document on stdout")]
DataDir = Annotated[Path | None, typer.Option("--data", help="catalogue folder (default: data/)")]


def print_summary(summary: dict) -> None:
    """Human-readable scenario summary."""
    import pandas as pd

    out.print(f"[bold]{summary['name']}[/]  (scenario {summary['scenario_hash']}, "
              f"data {summary['data_version']})", markup=True)
    if summary["description"]:
        out.print(summary["description"].strip(), markup=False)
    frame = pd.DataFrame(summary["workloads"])
    frame["compute_flop"] = frame["compute_flop"].map(
        lambda v: "" if v is None or pd.isna(v) else f"{v:.3g}")
    print_frame(frame, title="workloads")
    sites = summary["candidate_sites"]
    out.print(f"candidate sites: {len(sites)} in {len(summary['candidate_countries'])} member "
              f"states ({', '.join(summary['candidate_countries'])}); grid now "
              f"{summary['grid_mw_now_total']:,.0f} MW, with upgrades "
              f"{summary['grid_mw_max_total']:,.0f} MW")
    out.print(f"accelerators: {', '.join(summary['accelerators'])}")
    out.print(f"cooling: {', '.join(summary['cooling'])}")
    policy = ", ".join(f"{k}={v}" for k, v in summary["policy"].items()) or "none"
    out.print(f"policy: {policy}")
    time = summary["time"]
    out.print(f"time: {time['resolution']} ({time['representative_days']} representative days, "
              f"reference year {time['reference_year']}); objective {summary['objective']}; "
              f"solver limit {summary['solver']['time_limit_s']:g} s, gap "
              f"{summary['solver']['mip_gap_frac']:.2%}")


@app.command("validate")
def validate(files: Annotated[list[Path], typer.Argument(help="scenario YAML files")],
             data: DataDir = None, json: Json = False) -> None:
    """Validate scenario files against the schema and the catalogue; print summaries."""
    from planner.scenario import load_scenario
    from planner.scenario.summary import summarise

    catalogue = _catalogue(data)
    results, failed = [], 0
    for file in files:
        try:
            summary = summarise(load_scenario(file, catalogue), catalogue)
            results.append({"file": str(file), "valid": True, "summary": summary})
            if not json:
                print_summary(summary)
                out.print("")
        except ScenarioError as exc:
            failed += 1
            results.append({"file": str(file), "valid": False,
                            "problems": [p.render() for p in exc.problems]})
            if not json:
                print_error(exc)
    if json:
        print_json(results)
    if failed:
        raise typer.Exit(2)
    if not json:
        out.print(f"{len(files)} scenario file(s) valid")


@handle_errors
def _catalogue(data: Path | None):
    from planner.catalogue import load_catalogue

    return load_catalogue(data)


@app.command("show")
@handle_errors
def show(file: Annotated[Path, typer.Argument(help="scenario YAML file")],
         data: DataDir = None, json: Json = False) -> None:
    """Summarise one scenario: workloads, candidate sites, options, policy."""
    from planner.catalogue import load_catalogue
    from planner.scenario import load_scenario
    from planner.scenario.summary import summarise

    catalogue = load_catalogue(data)
    summary = summarise(load_scenario(file, catalogue), catalogue)
    if json:
        print_json(summary)
    else:
        print_summary(summary)


@app.command("schema")
def schema() -> None:
    """Print the scenario JSON Schema (for editor autocompletion)."""
    from planner.scenario import Scenario

    typer.echo(jsonlib.dumps(Scenario.model_json_schema(), indent=2))
