"""gigaplan's application layer: scenarios, data catalogue, profiles and the CLI.

Notebook use::

    import planner
    cat = planner.load_catalogue()
    scenario = planner.load_scenario("scenarios/eu-gigafactory.yaml", cat)
    plan = planner.solve(scenario, cat)      # Plan: status, gap, kpis, DataFrames

The names below are imported on first use, so ``import planner`` (and ``gigaplan
--help``) does not pay for pandas, Pyomo, HiGHS and tsam until they are needed.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gigaplan")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"

_WHERE = {
    "Catalogue": "planner.catalogue", "load_catalogue": "planner.catalogue",
    "DataError": "planner.errors", "GigaplanError": "planner.errors",
    "ScenarioError": "planner.errors", "UsageError": "planner.errors",
    "Plan": "planner.optimise", "load_plan": "planner.optimise", "solve": "planner.optimise",
    "Scenario": "planner.scenario", "load_scenario": "planner.scenario",
    "scenario_hash": "planner.scenario",
}

__all__ = ["__version__", *sorted(_WHERE)]


def __getattr__(name: str):
    """Import a public name's module when the name is first used (PEP 562)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
