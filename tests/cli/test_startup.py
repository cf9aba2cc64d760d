"""`gigaplan --help` starts without the numerical stack (lazy imports)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "pyomo", "highspy", "tsam", "pvlib", "scipy", "openpyxl", "dask")


def _loaded_after_help(*commands: str) -> list[str]:
    """The heavy packages a fresh interpreter holds after ``gigaplan COMMAND --help``."""
    probe = ("import sys; from planner.cli import app; "
             "from typer.testing import CliRunner; run = CliRunner().invoke; "
             f"helps = [run(app, [*c.split(), '--help']) for c in {commands!r}]; "
             "assert all(h.exit_code == 0 and '--help' in h.output for h in helps); "
             f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True).stdout.split()


def test_help_imports_none_of_the_numerical_stack():
    assert _loaded_after_help("") == []


def test_every_command_help_lists_its_options_without_the_numerical_stack():
    assert _loaded_after_help("solve", "report", "study", "data show", "scenario validate",
                              "estimate train") == []


def test_the_public_names_still_import_from_the_package():
    import planner

    assert planner.solve.__module__ == "planner.optimise.solve"
    assert {"Plan", "load_catalogue", "load_scenario", "solve"} <= set(dir(planner))


def test_the_first_progress_line_reads_as_the_first_phase():
    from planner.cli.progress import STARTING
    from planner.optimise.progress import PHASES

    assert STARTING == PHASES["starting"]
