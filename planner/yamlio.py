"""Safe YAML loading that remembers the line of every key.

Scenario errors must name the line where a field is written; PyYAML's safe
composer gives each node a start mark, which we index by the key path.
No Python objects are ever constructed from YAML tags (safe loading only).

Plain scalars resolve by the YAML 1.2 core schema, not PyYAML's YAML 1.1 one: ``1:30``
(sexagesimal 90 in 1.1) and ``1_0`` (10) stay text, ``yes``/``on`` are not booleans,
``010`` is ten, ``1e3`` is a number. Before anything is built, one pass over the event
stream bounds the file: nesting depth, values once aliases are expanded, an alias
inside the collection it names (a self-reference), and a mapping key that is not a
plain value.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from planner.errors import Problem

KeyPath = tuple[str | int, ...]

MAX_YAML_BYTES = 1_000_000
MAX_EXPANDED_VALUES = 20_000
"""Most values a file may hold once its aliases are expanded (the flagship holds 150)."""
MAX_YAML_DEPTH = 32
"""Deepest nesting of mappings and lists a file may have (scenarios nest 4 levels)."""


class _CoreResolver(yaml.resolver.BaseResolver):
    """Implicit types of the YAML 1.2 core schema (null, bool, int, float; the rest is text)."""


for _tag, _pattern, _first in (
        ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
        ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                  r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
        ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])):
    _CoreResolver.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern),
                                        list(_first))


class _CoreLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                  yaml.composer.Composer, yaml.constructor.SafeConstructor, _CoreResolver):
    """PyYAML's safe loader with the YAML 1.2 core schema's implicit types."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _CoreResolver.__init__(self)

    def construct_yaml_int(self, node):  # noqa: D102 - 1.2: decimal, 0o octal, 0x hex
        value = self.construct_scalar(node)
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value, 10)


_CoreLoader.add_constructor("tag:yaml.org,2002:int", _CoreLoader.construct_yaml_int)


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


class _UniqueKeyLoader(_CoreLoader):
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


class StructureRefused(yaml.constructor.ConstructorError):
    """A well-formed file refused for its shape (depth, size, self-reference, keys)."""


def _check_structure(text: str, limit: int = MAX_EXPANDED_VALUES,
                     max_depth: int = MAX_YAML_DEPTH) -> None:
    """Refuse YAML that would grow the work before it is built.

    One pass over the event stream, constant work per event: nesting deeper than
    ``max_depth``; more than ``limit`` values once aliases are expanded (each anchored
    node's size counts every time an alias repeats it, so a 400-byte "billion laughs"
    file is refused at once); an alias inside the collection it names; a list, a
    mapping or an alias used as a mapping key; an explicit tag (``!!int x``,
    ``!!python/object``), which would construct values outside the core schema.
    """
    sizes: dict[str, int] = {}
    stack: list[list] = [[None, 0, False, 0]]  # [anchor, values, is mapping, children]
    total = 0

    def refuse(message: str, mark) -> None:
        raise StructureRefused(None, None, message, mark)

    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if not isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent,
                                  yaml.MappingEndEvent, yaml.SequenceEndEvent,
                                  yaml.ScalarEvent, yaml.AliasEvent)):
            continue
        parent = stack[-1]
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, size, _, _ = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
            stack[-1][1] += size
            continue
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            refuse(f"YAML tags such as {shown} are not read: write plain values (a scenario "
                   "needs no tags)", event.start_mark)
        if parent[2] and parent[3] % 2 == 0 and not isinstance(event, yaml.ScalarEvent):
            refuse("a mapping key must be a plain value (a name), not a list, a mapping or "
                   "an alias", event.start_mark)
        parent[3] += 1
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(stack) > max_depth:
                refuse(f"nested deeper than {max_depth} levels; scenario and study files "
                       "nest a few levels", event.start_mark)
            stack.append([event.anchor, 1, isinstance(event, yaml.MappingStartEvent), 0])
            total += 1
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            parent[1] += 1
            total += 1
        else:
            if any(frame[0] == event.anchor for frame in stack):
                refuse(f"alias *{event.anchor} is inside the collection &{event.anchor} it "
                       "names (a value cannot contain itself)", event.start_mark)
            size = sizes.get(event.anchor, 1)
            parent[1] += size
            total += size
        if total > limit:
            refuse(f"this file holds more than {limit:,} values (aliases expanded); a "
                   "scenario or study holds a few hundred", event.start_mark)


def parse_yaml(text: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse YAML text safely; return the data and a map key path -> line.

    Raises
    ------
    yaml.YAMLError
        Wrapped by :func:`load_yaml_file` into a located :class:`Problem`.
    """
    _check_structure(text)
    node = yaml.compose(text, Loader=_CoreLoader)
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
    prefix = "YAML refused" if isinstance(exc, StructureRefused) else "malformed YAML"
    message = f"{prefix}: {what}" + (f" ({context})" if context else "")
    return Problem(message, file=source, line=line)


def read_text_limited(path: Path, limit: int = MAX_YAML_BYTES) -> str:
    """Read a UTF-8 text file no larger than ``limit`` bytes; it must be a regular file.

    Opened without blocking and checked on the open descriptor, so a FIFO, a device
    (``/dev/zero``) or a directory is refused instead of read for ever; at most
    ``limit + 1`` bytes are read whatever the file claims its size is.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # checked before reading: io refuses a directory on its own
        os.close(fd)
        raise ValueError("it is a directory" if stat.S_ISDIR(mode) else "it is not a regular "
                         "file (a FIFO, a device or a socket cannot be read)")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"file is over {limit:,} bytes; scenario files are limited to "
                         f"{limit:,} bytes")
    return data.decode("utf-8")


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
