"""Exceptions for mistakes in what a user gives gigaplan.

Every error a user can cause is a :class:`GigaplanError`: it carries where the
problem is (file, line, field), what is wrong and what is allowed, so the CLI
and the app can print one clear message instead of a traceback. A missing or
invalid value is always an error, never a silent zero.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Problem:
    """One thing wrong with an input, located as precisely as possible."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    allowed: str | None = None

    def render(self) -> str:
        """Format as ``file:line: field: message (allowed: ...)``."""
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "")
        parts = [p for p in (where, self.field) if p]
        text = ": ".join(parts + [self.message]) if parts else self.message
        if self.allowed:
            text += f" (allowed: {self.allowed})"
        return text


@dataclass
class GigaplanError(Exception):
    """Base class: one or more problems with a user's input."""

    problems: list[Problem] = field(default_factory=list)
    exit_code = 2
    kind = "input error"

    def __str__(self) -> str:
        return "\n".join(p.render() for p in self.problems)

    @classmethod
    def single(cls, message: str, **where: object) -> GigaplanError:
        """Build the error from one problem."""
        return cls([Problem(message, **where)])  # type: ignore[arg-type]


class ScenarioError(GigaplanError):
    """A scenario file is malformed, has unknown fields or invalid values."""

    kind = "scenario error"


class DataError(GigaplanError):
    """A catalogue table or an imported data file is malformed or unsourced."""

    kind = "data error"


class UsageError(GigaplanError):
    """A command-line argument or API argument is invalid."""

    kind = "usage error"


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the likeliest choice, or ``""``.

    Choices that start with ``value`` come first (``h100`` -> ``h100-sxm``, ``h100-pcie``:
    the shortest, then alphabetically, up to three), then the closest by edit similarity
    (``difflib``, ratio at least 0.6).
    """
    value, options = str(value), sorted({str(c) for c in choices})
    if value:
        folded = value.lower()
        starting = sorted((c for c in options if c.lower().startswith(folded) and c != value),
                          key=lambda c: (len(c), c))[:3]
        if starting:
            return " (did you mean " + " or ".join(f"'{c}'" for c in starting) + "?)"
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def list_allowed(choices: Iterable[str], limit: int = 40) -> str:
    """Comma-join sorted choices, shortened past ``limit`` items."""
    items = sorted(str(c) for c in choices)
    if len(items) > limit:
        return ", ".join(items[:limit]) + f", ... ({len(items)} in all)"
    return ", ".join(items)
