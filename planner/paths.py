"""Paths a scenario or study file names (``extends:``, ``base:``), checked before they are read.

A path is refused, in a sentence, when it holds a NUL character, is longer than
:data:`MAX_PATH_CHARS`, loops through symbolic links, does not lead to a regular file, or
leads outside the folders a scenario may read: the folder tree of the file the user
named, the bundled ``scenarios/`` folder, and any folder listed in the environment
variable :data:`ROOTS_VARIABLE` (separated by ``os.pathsep``). So a scenario cannot make
gigaplan read ``/etc`` or ``/proc`` through ``extends: ../../etc/passwd``.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

MAX_PATH_CHARS = 1024
"""Longest path a file may name [characters]."""
ROOTS_VARIABLE = "GIGAPLAN_SCENARIO_ROOTS"
BUNDLED_SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


class PathRefused(ValueError):
    """A named path that cannot be used; the message says why and what is allowed."""


def readable_roots(named: Path) -> list[Path]:
    """Folders a scenario named by the user as ``named`` may read files from."""
    roots = [Path(os.path.abspath(named)).parent, BUNDLED_SCENARIOS]
    extra = os.environ.get(ROOTS_VARIABLE, "")
    roots += [Path(p) for p in extra.split(os.pathsep) if p.strip()]
    out = []
    for root in roots:
        try:
            out.append(root.resolve())
        except (OSError, RuntimeError):
            continue
    return out


def checked_file(text: str, relative_to: Path, roots: list[Path]) -> Path:
    """The regular file ``text`` names (relative to the folder ``relative_to``), resolved.

    Raises
    ------
    PathRefused
        With the reason: NUL, length, symlink loop, missing, not a regular file, or
        outside ``roots`` (the message lists them and :data:`ROOTS_VARIABLE`).
    """
    if "\x00" in text:
        raise PathRefused("the path contains a NUL character")
    if len(text) > MAX_PATH_CHARS:
        raise PathRefused(f"the path is {len(text):,} characters long; at most "
                          f"{MAX_PATH_CHARS:,} are allowed")
    try:
        resolved = (relative_to / text).resolve(strict=True)
    except FileNotFoundError:
        raise PathRefused("not found") from None
    except RuntimeError:  # Python 3.11-3.12 raise this for a symlink loop
        raise PathRefused("the path loops through symbolic links") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise PathRefused("the path loops through symbolic links") from None
        raise PathRefused(f"cannot be opened ({exc.strerror or exc})") from None
    if not any(resolved == root or resolved.is_relative_to(root) for root in roots):
        allowed = ", ".join(str(r) for r in roots)
        raise PathRefused(f"it leads to {resolved}, outside the folders scenario files may "
                          f"read ({allowed}); add a folder to the environment variable "
                          f"{ROOTS_VARIABLE} to allow it")
    if not resolved.is_file():
        raise PathRefused(f"it leads to {resolved}, which is not a regular file")
    return resolved
