"""Property-based fuzzing of the YAML loader and the scenario schema (bounded to about a minute).

Whatever a file holds, reading it ends in a scenario or in a located ``ScenarioError``,
never in another exception (which the CLI would show as a traceback).
"""

from __future__ import annotations

import contextlib

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import ScenarioError
from planner.scenario import load_scenario_bytes
from planner.yamlio import parse_yaml
from tests.conftest import SCENARIOS

YAML_ALPHABET = st.sampled_from(list("[]{}:,-?&*!|>'\"#%@` \n\t.~=+_0123456789abexyzINFna\\"))
FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**12),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12)
FIELDS = ["name", "description", "accelerators", "cooling", "finance", "targets",
          "workloads", "sites", "energy", "policy", "time", "solver", "objective",
          "accelerator_overrides", "extends"]


@FUZZ
@given(st.text(YAML_ALPHABET, max_size=120))
def test_any_text_parses_or_is_a_yaml_error(text):
    with contextlib.suppress(yaml.YAMLError):  # anything else would reach the user raw
        parse_yaml(text)


def _base() -> dict:
    spec = yaml.safe_load((SCENARIOS / "demo-tiny.yaml").read_text())
    spec.pop("extends")
    small = yaml.safe_load((SCENARIOS / "demo-small.yaml").read_text())
    return {**small, **spec}


BASE = _base()


@FUZZ
@given(st.dictionaries(st.sampled_from(FIELDS), values, min_size=1, max_size=3),
       st.sampled_from(["policy", "time", "solver", "energy", "sites", "workloads"]),
       st.dictionaries(st.text(max_size=24), values, max_size=3))
def test_any_scenario_validates_or_is_a_located_scenario_error(catalogue, top, section, inner):
    spec = {**BASE, **top}
    if isinstance(spec.get(section), dict):
        spec[section] = {**spec[section], **inner}
    text = yaml.safe_dump(spec, allow_unicode=True).encode()
    try:
        load_scenario_bytes(text, "fuzz.yaml", catalogue)
    except ScenarioError as exc:
        assert exc.problems and all(p.file == "fuzz.yaml" for p in exc.problems)
