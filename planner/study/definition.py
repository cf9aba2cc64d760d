"""Read a study file: YAML with line numbers, the schema, the base scenario, the design."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from planner.catalogue import Catalogue
from planner.errors import ScenarioError
from planner.paths import PathRefused, checked_file, readable_roots
from planner.scenario import Scenario, load_scenario, scenario_hash
from planner.scenario.load import Layer, Locator, validation_problems
from planner.study.design import Variant, expand
from planner.study.spec import Study
from planner.yamlio import read_yaml_file


@dataclass
class StudyPlan:
    """A validated study: its definition, base scenario, variants and definition hash."""

    file: str
    study: Study
    base: Scenario
    variants: list[Variant]
    definition_hash: str
    data_version: str


def load_study(path: str | Path, catalogue: Catalogue) -> StudyPlan:
    """Load and validate a study file and expand its design.

    Raises
    ------
    ScenarioError
        With file, line and field for a malformed file, an unknown or repeated field,
        a bad distribution, a missing base scenario or a variant the scenario schema
        rejects.
    """
    path = Path(path)
    data, lines = read_yaml_file(path, "study")
    return study_plan(data, path, lines, catalogue)


def study_plan(data: object, path: Path, lines: dict, catalogue: Catalogue) -> StudyPlan:
    """Validate a parsed study (``data``, as read from ``path``) and expand its design.

    ``path`` locates the problems and the base scenario (relative to its folder); a
    study made in code passes the path it would have and an absolute ``base``.
    """
    shown = str(path)
    if not isinstance(data, dict):
        raise ScenarioError.single("a study must be a mapping of fields (study, base, sweeps, "
                                   "grid, zip, monte_carlo, pareto, ...)", file=shown, line=1)
    try:
        study = Study.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, Locator([Layer(shown, data, lines)]),
                                                model=Study)) from None
    try:
        base_path = checked_file(study.base, path.parent, readable_roots(path))
    except PathRefused as exc:
        where = path.parent / study.base[:200]
        text = (f"base scenario '{study.base[:200]}' not found (looked for {where})"
                if str(exc) == "not found" else f"base scenario '{study.base[:200]}' refused: "
                f"{exc}")
        raise ScenarioError.single(text, file=shown, line=lines.get(("base",)),
                                   field="base") from None
    base = load_scenario(base_path, catalogue)
    variants = expand(study, base, catalogue, shown, lines)
    definition = {"study": study.model_dump(mode="json"), "base": scenario_hash(base),
                  "data_version": catalogue.version}
    digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:16]
    return StudyPlan(shown, study, base, variants, digest, catalogue.version)
