"""Safe YAML loading that remembers the line of every key.

Scenario errors must name the line where a field is written; PyYAML's safe
composer gives each node a start mark, which we index by the key path.
No Python objects are ever constructed from YAML tags (safe loading only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from planner.errors import Problem

KeyPath = tuple[str | int, ...]

MAX_YAML_BYTES = 1_000_000
MAX_EXPANDED_VALUES = 100_000
"""Most values a file may hold once its aliases are expanded."""


def _index_lines(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            child = path + (key,)
            lines[child] = key_node.start_mark.line + 1
            _index_lines(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = path + (i,)
            lines[child] = item.start_mark.line + 1
            _index_lines(item, child, lines)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys instead of keeping the last one."""

    def construct_mapping(self, node, deep=False):  # noqa: D102
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (first on line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _check_expanded_size(text: str, limit: int = MAX_EXPANDED_VALUES) -> None:
    """Refuse YAML whose aliases expand to more than ``limit`` values ("billion laughs").

    One pass over the event stream: each anchored node's size counts every time an
    alias repeats it, so a 400-byte file of nested aliases is refused at once
    instead of being expanded for minutes.
    """
    sizes: dict[str, int] = {}
    stack: list[list] = [[None, 0]]  # [anchor, expanded values in this collection]
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append([event.anchor, 1])
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, size = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            size = sizes.get(event.anchor, 1)
        else:
            continue
        stack[-1][1] += size
        if stack[-1][1] > limit or sum(frame[1] for frame in stack) > limit:
            raise yaml.constructor.ConstructorError(
                None, None, f"aliases expand this file to more than {limit:,} values; write "
                "the values out instead", event.start_mark)


def parse_yaml(text: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse YAML text safely; return the data and a map key path -> line.

    Raises
    ------
    yaml.YAMLError
        Wrapped by :func:`load_yaml_file` into a located :class:`Problem`.
    """
    _check_expanded_size(text)
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[KeyPath, int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    return data, lines


def yaml_problem(exc: yaml.YAMLError, source: str) -> Problem:
    """Turn a PyYAML exception into a located, readable problem."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    what = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"malformed YAML: {what}" + (f" ({context})" if context else "")
    return Problem(message, file=source, line=line)


def read_text_limited(path: Path, limit: int = MAX_YAML_BYTES) -> str:
    """Read a UTF-8 text file no larger than ``limit`` bytes."""
    size = path.stat().st_size
    if size > limit:
        raise ValueError(f"file is {size:,} bytes; scenario files are limited to {limit:,} bytes")
    return path.read_text(encoding="utf-8")


def read_yaml_file(path: Path, what: str = "scenario") -> tuple[Any, dict[KeyPath, int]]:
    """Read and parse a YAML file; a missing, unreadable or malformed file is a ScenarioError."""
    from planner.errors import ScenarioError

    shown = str(path)
    try:
        text = read_text_limited(path)
    except FileNotFoundError:
        raise ScenarioError.single(f"{what} file not found", file=shown) from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ScenarioError.single(f"cannot read {what}: {exc}", file=shown) from None
    try:
        return parse_yaml(text)
    except yaml.YAMLError as exc:
        raise ScenarioError([yaml_problem(exc, shown)]) from None
