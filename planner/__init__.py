"""gigaplan's application layer: scenarios, data catalogue, profiles and the CLI.

Notebook use::

    import planner
    cat = planner.load_catalogue()
    scenario = planner.load_scenario("scenarios/eu-gigafactory.yaml", cat)
    plan = planner.solve(scenario, cat)      # Plan: status, gap, kpis, DataFrames
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gigaplan")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"

# The imports below need __version__ (plans record it), hence after it.
from planner.catalogue import Catalogue, load_catalogue  # noqa: E402
from planner.errors import DataError, GigaplanError, ScenarioError, UsageError  # noqa: E402
from planner.optimise import Plan, load_plan, solve  # noqa: E402
from planner.scenario import Scenario, load_scenario, scenario_hash  # noqa: E402

__all__ = [
    "Catalogue", "DataError", "GigaplanError", "Plan", "Scenario", "ScenarioError", "UsageError",
    "__version__", "load_catalogue", "load_plan", "load_scenario", "scenario_hash", "solve",
]
