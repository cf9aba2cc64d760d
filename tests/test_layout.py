"""DESIGN.md's layout holds and dependencies point one way."""

from __future__ import annotations

import ast

from tests.conftest import ROOT


def test_top_level_layout():
    for name in ("pyproject.toml", "planner", "models", "scenarios", "app.py", "tests", "data",
                 "README.md", "data/SOURCES.md"):
        assert (ROOT / name).exists(), name


def test_models_never_import_planner():
    for path in (ROOT / "models").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] in ("planner", "streamlit") for n in names), path


def test_planner_never_imports_streamlit():
    for path in (ROOT / "planner").rglob("*.py"):
        assert "import streamlit" not in path.read_text(), path
