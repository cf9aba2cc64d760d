"""Scenarios: the YAML a user writes, validated against schema and catalogue."""

from __future__ import annotations

import tempfile
from pathlib import Path

from planner.catalogue import Catalogue, load_catalogue
from planner.errors import ScenarioError
from planner.scenario.crosscheck import candidate_sites, crosscheck
from planner.scenario.load import (
    Locator,
    parse_scenario,
    resolve_layers,
    resolve_layers_no_extends,
    scenario_hash,
    to_yaml,
    without_bad_fields,
)
from planner.scenario.schema import Scenario


def load_scenario(path: str | Path, catalogue: Catalogue | None = None) -> Scenario:
    """Load a scenario file, resolve ``extends:``, validate schema and catalogue ids.

    Raises
    ------
    ScenarioError
        Naming file, line, field and what is allowed for every problem found.
    """
    return _validated(resolve_layers(Path(path)), catalogue)


def _validated(layers: list, catalogue: Catalogue | None) -> Scenario:
    """Schema-validate merged layers and check their ids against the catalogue.

    Both checks report at once: when the schema refuses some fields, the catalogue
    check runs on the rest (:func:`without_bad_fields`) and its problems are added.
    """
    try:
        scenario = parse_scenario(layers)
    except ScenarioError as exc:
        rest = without_bad_fields(layers)
        if rest is None:
            raise
        catalogue = catalogue if catalogue is not None else load_catalogue()
        raise ScenarioError([*exc.problems, *crosscheck(rest, catalogue, Locator(layers))]
                            ) from None
    catalogue = catalogue if catalogue is not None else load_catalogue()
    problems = crosscheck(scenario, catalogue, Locator(layers))
    if problems:
        raise ScenarioError(problems)
    return scenario


def load_scenario_bytes(data: bytes, name: str, catalogue: Catalogue | None = None) -> Scenario:
    """Validate a scenario given as bytes (an upload), by the same rules as a file.

    An ``extends:`` in an upload is refused: there is no folder to resolve it in.
    """
    from planner.yamlio import MAX_YAML_BYTES

    if len(data) > MAX_YAML_BYTES:
        raise ScenarioError.single(f"upload is {len(data):,} bytes; scenario files are limited "
                                   f"to {MAX_YAML_BYTES:,} bytes", file=name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.yaml"  # the name the user sees is ``name``
        path.write_bytes(data)
        return _validated(resolve_layers_no_extends(path, name), catalogue)


__all__ = ["Scenario", "candidate_sites", "load_scenario", "load_scenario_bytes", "scenario_hash",
           "to_yaml"]
