"""A solved plan's downloads and the scenario it was solved for."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from planner.catalogue import Catalogue
from planner.optimise import Plan
from planner.report import to_excel
from planner.scenario import Scenario, to_yaml

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scenario_of(plan: Plan) -> Scenario:
    """The resolved scenario recorded in the plan (``meta["scenario_spec"]``)."""
    return Scenario.model_validate(plan.meta["scenario_spec"])


def scenario_yaml(plan: Plan) -> str:
    """The plan's scenario as YAML, ready to solve again."""
    return to_yaml(scenario_of(plan))


def plan_json(plan: Plan) -> str:
    """The plan's JSON summary (what ``gigaplan solve --json`` prints)."""
    return json.dumps(plan.summary(), indent=2, default=str)


def excel_bytes(plan: Plan, catalogue: Catalogue, why=None) -> bytes:
    """The plan's Excel report (:func:`planner.report.to_excel`) as bytes.

    ``why`` (a :class:`planner.siting.why.Why`) adds the "Why this plan" sheet.
    """
    with tempfile.TemporaryDirectory() as tmp:
        return to_excel(plan, Path(tmp) / "plan.xlsx", catalogue, why=why).read_bytes()
