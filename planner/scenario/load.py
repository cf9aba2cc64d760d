"""Read scenario YAML files: safe parsing, ``extends:`` chains, located errors."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from planner.errors import Problem, ScenarioError, did_you_mean
from planner.paths import PathRefused, checked_file, readable_roots
from planner.scenario.schema import Scenario
from planner.yamlio import KeyPath, read_yaml_file

MAX_EXTENDS_DEPTH = 10


@dataclass(frozen=True)
class Layer:
    """One file of an ``extends:`` chain with its key-path line index."""

    file: str
    data: dict[str, Any]
    lines: dict[KeyPath, int]


class Locator:
    """Find the file and line that wrote a key path, most-derived file first."""

    def __init__(self, layers: list[Layer]):
        self.layers = layers  # derived first

    def locate(self, path: KeyPath) -> tuple[str | None, int | None]:
        """Return (file, line) of the longest prefix of ``path`` written in any layer."""
        for n in range(len(path), -1, -1):
            prefix = tuple(path[:n])
            for layer in self.layers:
                if prefix in layer.lines:
                    return layer.file, layer.lines[prefix]
        return (self.layers[0].file if self.layers else None), None


def _read_layer(path: Path) -> Layer:
    shown = str(path)
    data, lines = read_yaml_file(path)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ScenarioError.single(f"a scenario must be a mapping of fields; this file is {kind}",
                                   file=shown, line=1)
    return Layer(shown, data, lines)


def resolve_layers_no_extends(path: Path, shown: str) -> list[Layer]:
    """Read a single self-contained scenario (an upload), shown to the user as ``shown``."""
    try:
        layer = _read_layer(path)
    except ScenarioError as exc:
        for problem in exc.problems:
            problem.file = shown
        raise
    layer = Layer(shown, layer.data, layer.lines)
    if "extends" in layer.data:
        raise ScenarioError.single("an uploaded scenario cannot use 'extends:'; upload the "
                                   "resolved scenario instead", file=shown,
                                   line=layer.lines.get(("extends",)), field="extends")
    return [layer]


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into ``base``: mappings merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def resolve_layers(path: Path) -> list[Layer]:
    """Read a scenario and the files it extends, most-derived first."""
    layers: list[Layer] = []
    seen: list[Path] = []
    current = path
    roots = readable_roots(path)
    while True:
        try:
            resolved = current.resolve()
        except (OSError, RuntimeError, ValueError):
            raise ScenarioError.single("the path loops through symbolic links or cannot be "
                                       "resolved", file=str(current)) from None
        if resolved in seen:
            chain = " -> ".join(str(p) for p in seen + [resolved])
            raise ScenarioError.single(f"'extends:' forms a cycle: {chain}", file=str(current))
        if len(seen) >= MAX_EXTENDS_DEPTH:
            raise ScenarioError.single(f"'extends:' chain deeper than {MAX_EXTENDS_DEPTH} files",
                                       file=str(current))
        seen.append(resolved)
        layer = _read_layer(current)
        layers.append(layer)
        parent = layer.data.get("extends")
        if parent is None:
            return layers
        if not isinstance(parent, str) or not parent.strip():
            raise ScenarioError.single("'extends' must be the path of another scenario file",
                                       file=layer.file, line=layer.lines.get(("extends",)),
                                       field="extends")
        try:
            target = checked_file(parent, current.parent, roots)
        except PathRefused as exc:
            siblings = [p.name for p in current.parent.glob("*.yaml")]
            shown = parent[:200]
            text = (f"extended file '{shown}' not found{did_you_mean(parent, siblings)}"
                    if str(exc) == "not found" else f"extended file '{shown}' refused: {exc}")
            raise ScenarioError.single(text,
                                       file=layer.file, line=layer.lines.get(("extends",)),
                                       field="extends") from None
        current = target


def _loc_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_at(loc: tuple[Any, ...], root: type[BaseModel] = Scenario) -> type[BaseModel] | None:
    """The pydantic model that owns the last key of ``loc`` (to list allowed fields)."""
    model: Any = root
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        model = _inner_model(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def validation_problems(exc: ValidationError, locator: Locator,
                        model: type[BaseModel] = Scenario) -> list[Problem]:
    """Turn pydantic errors (of ``model``) into located problems with what is allowed."""
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        file, line = locator.locate(loc)
        allowed = None
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            owner = _model_at(loc, model)
            names = sorted(owner.model_fields) if owner else []
            message = f"unknown field '{loc[-1]}'{did_you_mean(str(loc[-1]), names)}"
            allowed = ", ".join(names) or None
        elif err["type"] == "enum":
            allowed = err.get("ctx", {}).get("expected")
        elif err["type"] == "missing":
            message = "required field is missing"
        problems.append(Problem(message, file=file, line=line, field=_loc_text(loc) or None,
                                allowed=allowed))
    return problems


def merged_layers(layers: list[Layer]) -> dict[str, Any]:
    """The layers merged, base first, without ``extends``."""
    merged: dict[str, Any] = {}
    for layer in reversed(layers):
        merged = deep_merge(merged, layer.data)
    merged.pop("extends", None)
    return merged


def parse_scenario(layers: list[Layer]) -> Scenario:
    """Merge the layers (base first) and validate against the schema."""
    try:
        return Scenario.model_validate(merged_layers(layers))
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, Locator(layers))) from None


def without_bad_fields(layers: list[Layer]) -> Scenario | None:
    """The scenario with the mapping keys the schema refuses left out, if that validates.

    So that the catalogue check can run beside the schema's (every problem of a file in
    one round). Keys are dropped only from mappings, where the rest keeps its place; an
    error inside a list, or a key the schema requires, gives ``None``.
    """
    merged = copy.deepcopy(merged_layers(layers))  # the layers themselves stay as read
    for _ in range(2):
        try:
            return Scenario.model_validate(merged)
        except ValidationError as exc:
            for err in exc.errors():
                loc = [p for p in err["loc"] if not (isinstance(p, str) and "[" in p)]
                if err["type"] == "missing" or not loc or not _drop(merged, loc):
                    return None
    return None


def _drop(data: Any, loc: list) -> bool:
    """Remove the mapping key at ``loc``; False where ``loc`` runs through a list."""
    for key in loc[:-1]:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    if not isinstance(data, dict) or isinstance(loc[-1], int):
        return False
    data.pop(loc[-1], None)
    return True


def scenario_hash(scenario: Scenario) -> str:
    """Content hash of a resolved scenario (first 12 hex digits of SHA-256)."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def to_yaml(scenario: Scenario) -> str:
    """The resolved scenario as YAML (no ``extends:``), for download and reuse."""
    return yaml.safe_dump(scenario.model_dump(mode="json", exclude_none=True), sort_keys=False,
                          allow_unicode=True)
