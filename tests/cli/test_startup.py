"""`gigaplan --help` starts without the numerical stack (lazy imports)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "pyomo", "highspy", "tsam", "pvlib", "scipy", "openpyxl", "dask")


def test_help_imports_none_of_the_numerical_stack():
    probe = ("import sys; from planner.cli import app; "
             "from typer.testing import CliRunner; "
             "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output; "
             "print(' '.join(m for m in " + repr(HEAVY) + " if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.split()
    assert loaded == []


def test_every_command_help_lists_its_options_without_the_numerical_stack():
    probe = ("import sys; from planner.cli import app; "
             "from typer.testing import CliRunner; run = CliRunner().invoke; "
             "helps = [run(app, [*c.split(), '--help']) for c in "
             "('solve', 'report', 'study', 'data show', 'scenario validate', 'estimate train')]; "
             "assert all(h.exit_code == 0 and '--' in h.output for h in helps); "
             "print(' '.join(m for m in " + repr(HEAVY) + " if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.split()
    assert loaded == []


def test_the_public_names_still_import_from_the_package():
    import planner

    assert planner.solve.__module__ == "planner.optimise.solve"
    assert {"Plan", "load_catalogue", "load_scenario", "solve"} <= set(dir(planner))
