"""The `gigaplan` command line: thin over the planner API."""

from __future__ import annotations

import typer

from planner import __version__
from planner.cli import alternatives, data, estimate, explain, report, robustness, scenario
from planner.cli import solve as solve_cli
from planner.cli import study as study_cli
from planner.cli.render import WIDE

app = typer.Typer(
    name="gigaplan",
    help="Plan AI Gigafactories: sites, accelerators, energy, cooling and lifetime cost.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(data.app, name="data")
app.add_typer(scenario.app, name="scenario")
app.add_typer(estimate.app, name="estimate")
app.command("solve")(solve_cli.command)
app.command("report")(report.command)
app.command("study")(study_cli.command)
app.command("robustness")(robustness.command)
app.command("explain")(explain.command)
app.command("alternatives")(alternatives.command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gigaplan {__version__}")
        raise typer.Exit()


@app.callback()
def root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="print the version and exit"),
         wide: bool = typer.Option(False, "--wide", help="tables with every column, however "
                                                         "wide (gigaplan --wide solve ...)")
         ) -> None:
    """Plan AI Gigafactories: sites, accelerators, energy, cooling and lifetime cost."""
    WIDE["on"] = wide


def main() -> None:
    """Console-script entry point."""
    app()
