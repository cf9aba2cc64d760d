"""Scenario files: bundled ones are valid; every kind of bad input gets a located message."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import ScenarioError
from planner.scenario import load_scenario, scenario_hash, to_yaml
from planner.scenario.summary import summarise, training_flop
from tests.conftest import SCENARIOS, write

BUNDLED = sorted(SCENARIOS.glob("*.yaml"))

MINIMAL = """\
name: t
workloads:
  training:
    - id: run
      model: llama3-8b
      tokens_t: 1
      deadline_days: 10
accelerators: [h100-sxm]
"""


def problems_of(path: Path, catalogue) -> list:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, catalogue)
    return info.value.problems


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenarios_are_valid(path, catalogue):
    scenario = load_scenario(path, catalogue)
    assert scenario.name == path.stem


def test_required_bundled_scenarios_exist():
    names = {p.stem for p in BUNDLED}
    assert {"eu-gigafactory", "jupiter", "frontier-training"} <= names


def test_flagship_spans_member_states_and_100k_gpu_class_workload(catalogue):
    scenario = load_scenario(SCENARIOS / "eu-gigafactory.yaml", catalogue)
    summary = summarise(scenario, catalogue)
    assert scenario.policy.min_member_states >= 3
    assert len(summary["candidate_countries"]) >= 20
    frontier = summary["workloads"][0]
    # 6 * active params * tokens, with the catalogue's active parameter count
    active = catalogue.llm_models.at["frontier-moe-10t", "active_params_b"] * 1e9
    assert frontier["compute_flop"] == pytest.approx(6 * active * 60e12)


def test_training_flop_matches_gpt3_published_budget():
    # Brown et al. 2020, Table D.1: GPT-3 175B on 300B tokens = 3.14e23 FLOP
    assert training_flop(175e9, 300e9) == pytest.approx(3.14e23, rel=0.01)


def test_unknown_key_names_line_and_suggests(tmp_path, catalogue):
    path = write(tmp_path / "s.yaml", MINIMAL + "polcy:\n  carbon_price_eur_per_t: 5\n")
    (problem,) = problems_of(path, catalogue)
    assert problem.line == 9
    assert "unknown field 'polcy'" in problem.message
    assert "did you mean 'policy'" in problem.message
    assert "workloads" in problem.allowed


def test_nested_unknown_key_lists_allowed_fields(tmp_path, catalogue):
    text = MINIMAL.replace("      deadline_days: 10\n", "      deadline_days: 10\n      dedline: 3\n")
    (problem,) = problems_of(write(tmp_path / "s.yaml", text), catalogue)
    assert problem.field == "workloads.training[0].dedline"
    assert problem.line == 8
    assert "deadline_days" in problem.allowed


def test_wrong_type_is_reported_with_field(tmp_path, catalogue):
    text = MINIMAL.replace("tokens_t: 1", "tokens_t: lots")
    (problem,) = problems_of(write(tmp_path / "s.yaml", text), catalogue)
    assert problem.field == "workloads.training[0].tokens_t"
    assert problem.line == 6
    assert "number" in problem.message


@pytest.mark.parametrize("field,line", [("deadline_days: -10", 7), ("tokens_t: 0", 6)])
def test_negative_or_zero_sizes_are_rejected(tmp_path, catalogue, field, line):
    key = field.split(":")[0]
    original = "deadline_days: 10" if key == "deadline_days" else "tokens_t: 1"
    text = MINIMAL.replace(original, field)
    (problem,) = problems_of(write(tmp_path / "s.yaml", text), catalogue)
    assert problem.line == line
    assert "greater than 0" in problem.message


def test_negative_capacity_override_is_rejected(tmp_path, catalogue):
    text = MINIMAL + "sites:\n  overrides:\n    julich:\n      grid_mw_max: -5\n"
    (problem,) = problems_of(write(tmp_path / "s.yaml", text), catalogue)
    assert problem.field == "sites.overrides.julich.grid_mw_max"
    assert problem.line == 12


def test_unknown_site_and_accelerator_get_did_you_mean(tmp_path, catalogue):
    text = MINIMAL.replace("[h100-sxm]", "[h100-sx]") + "sites:\n  include: [kajani]\n"
    problems = problems_of(write(tmp_path / "s.yaml", text), catalogue)
    messages = " | ".join(p.message for p in problems)
    assert "unknown accelerator 'h100-sx' (did you mean 'h100-sxm'?)" in messages
    assert "unknown site 'kajani' (did you mean 'kajaani'?)" in messages
    lines = sorted(p.line for p in problems)
    assert lines == [8, 10]


def test_unknown_model_and_country(tmp_path, catalogue):
    text = MINIMAL.replace("llama3-8b", "llama-3-8b") + "sites:\n  countries: [UK]\n"
    problems = problems_of(write(tmp_path / "s.yaml", text), catalogue)
    messages = " | ".join(p.message for p in problems)
    assert "unknown model 'llama-3-8b' (did you mean 'llama3-8b'?)" in messages
    assert "unknown member state 'UK'" in messages


def test_enum_values_are_listed(tmp_path, catalogue):
    text = MINIMAL + "objective: cheapest\n"
    (problem,) = problems_of(write(tmp_path / "s.yaml", text), catalogue)
    assert problem.field == "objective"
    assert "min_cost" in problem.allowed and "max_compute" in problem.allowed


def test_malformed_yaml_names_line(tmp_path, catalogue):
    path = write(tmp_path / "s.yaml", MINIMAL + "policy: [unclosed\n")
    (problem,) = problems_of(path, catalogue)
    assert problem.message.startswith("malformed YAML")
    assert problem.line is not None and problem.line >= 9


def test_duplicate_key_is_an_error_not_last_wins(tmp_path, catalogue):
    path = write(tmp_path / "s.yaml", MINIMAL + "accelerators: [gh200]\n")
    (problem,) = problems_of(path, catalogue)
    assert "duplicate key 'accelerators'" in problem.message


def test_yaml_object_construction_is_refused(tmp_path, catalogue):
    marker = tmp_path / "pwned"
    path = write(tmp_path / "s.yaml", MINIMAL + f"description: !!python/object/apply:os.system "
                                                f"['touch {marker}']\n")
    (problem,) = problems_of(path, catalogue)
    assert "YAML tags such as !!python/object/apply:os.system are not read" in problem.message
    assert not marker.exists()


def test_non_mapping_and_empty_files(tmp_path, catalogue):
    (problem,) = problems_of(write(tmp_path / "a.yaml", "- 1\n- 2\n"), catalogue)
    assert "mapping" in problem.message
    (problem,) = problems_of(write(tmp_path / "b.yaml", ""), catalogue)
    assert "empty" in problem.message


def test_huge_file_is_refused_before_parsing(tmp_path, catalogue):
    path = write(tmp_path / "big.yaml", MINIMAL + "# " + "x" * 1_100_000 + "\n")
    (problem,) = problems_of(path, catalogue)
    assert "limited to" in problem.message


def test_missing_file(tmp_path, catalogue):
    (problem,) = problems_of(tmp_path / "nope.yaml", catalogue)
    assert problem.message == "scenario file not found"


def test_extends_merges_mappings_and_replaces_lists(tmp_path, catalogue):
    write(tmp_path / "base.yaml", MINIMAL + "policy:\n  carbon_price_eur_per_t: 50\n"
          "  renewable_share_frac: 0.5\n")
    child = write(tmp_path / "child.yaml", "extends: base.yaml\nname: child\n"
                  "accelerators: [gh200, b200]\npolicy:\n  carbon_price_eur_per_t: 90\n")
    scenario = load_scenario(child, catalogue)
    assert scenario.name == "child"
    assert scenario.accelerators == ["gh200", "b200"]
    assert scenario.policy.carbon_price_eur_per_t == 90
    assert scenario.policy.renewable_share_frac == 0.5
    assert scenario.workloads.training[0].model == "llama3-8b"


def test_error_in_base_file_names_the_base_file(tmp_path, catalogue):
    write(tmp_path / "base.yaml", MINIMAL.replace("tokens_t: 1", "tokens_t: -1"))
    child = write(tmp_path / "child.yaml", "extends: base.yaml\nname: child\n")
    (problem,) = problems_of(child, catalogue)
    assert problem.file.endswith("base.yaml")
    assert problem.line == 6


def test_broken_extends_chain(tmp_path, catalogue):
    path = write(tmp_path / "c.yaml", "extends: bsae.yaml\nname: c\n")
    write(tmp_path / "base.yaml", MINIMAL)
    (problem,) = problems_of(path, catalogue)
    assert "extended file 'bsae.yaml' not found (did you mean 'base.yaml'?)" in problem.message
    assert problem.line == 1


def test_extends_cycle(tmp_path, catalogue):
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    (problem,) = problems_of(tmp_path / "a.yaml", catalogue)
    assert "cycle" in problem.message


def test_no_candidate_site_left(tmp_path, catalogue):
    text = MINIMAL + "sites:\n  countries: [DE]\n  include: [kajaani]\n"
    (problem,) = problems_of(write(tmp_path / "s.yaml", text), catalogue)
    assert "no candidate site" in problem.message


def test_workload_needs_model_or_params(tmp_path, catalogue):
    text = MINIMAL.replace("      model: llama3-8b\n", "")
    (problem,) = problems_of(write(tmp_path / "s.yaml", text), catalogue)
    assert "exactly one of 'model'" in problem.message


def test_same_scenario_same_hash_and_yaml_roundtrip(tmp_path, catalogue):
    first = load_scenario(SCENARIOS / "demo-tiny.yaml", catalogue)
    again = load_scenario(SCENARIOS / "demo-tiny.yaml", catalogue)
    assert scenario_hash(first) == scenario_hash(again)
    dumped = write(tmp_path / "dump.yaml", to_yaml(first))
    assert scenario_hash(load_scenario(dumped, catalogue)) == scenario_hash(first)
    changed = first.model_copy(update={"accelerators": ["gh200"]})
    assert scenario_hash(changed) != scenario_hash(first)


def test_upload_is_validated_like_a_file(catalogue):
    from planner.scenario import load_scenario_bytes

    scenario = load_scenario_bytes(MINIMAL.encode(), "mine.yaml", catalogue)
    assert scenario.name == "t"
    with pytest.raises(ScenarioError) as info:
        load_scenario_bytes(b"name: [x\n", "mine.yaml", catalogue)
    assert info.value.problems[0].file == "mine.yaml"
    with pytest.raises(ScenarioError, match="cannot use 'extends:'"):
        load_scenario_bytes(b"extends: demo-small.yaml\nname: x\n", "up.yaml", catalogue)
    with pytest.raises(ScenarioError, match="limited to"):
        load_scenario_bytes(b"#" * 2_000_000, "huge.yaml", catalogue)


def test_alias_bomb_is_refused_quickly(tmp_path, catalogue):
    """A few hundred bytes of nested aliases ("billion laughs") must not expand."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    path = write(tmp_path / "bomb.yaml", MINIMAL + "\n".join(lines) + "\n")
    assert path.stat().st_size < 1000
    (problem,) = problems_of(path, catalogue)
    assert "holds more than 20,000 values (aliases expanded)" in problem.message
    assert problem.line is not None


def test_modest_aliases_still_work():
    from planner.yamlio import parse_yaml

    data, _ = parse_yaml("a: &x [1, 2]\nb: *x\nc: {d: *x}\n")
    assert data == {"a": [1, 2], "b": [1, 2], "c": {"d": [1, 2]}}


def test_a_schema_error_and_an_unknown_id_are_reported_in_one_round(tmp_path, catalogue):
    text = MINIMAL.replace("[h100-sxm]", "[h100-sx]") + (
        "policy:\n  carbon_price_eur_per_t: lots\n  renewable_share_fraction: 0.5\n")
    problems = problems_of(write(tmp_path / "s.yaml", text), catalogue)
    fields = [p.field for p in problems]
    assert "policy.carbon_price_eur_per_t" in fields  # schema: text in a number
    assert "policy.renewable_share_fraction" in fields  # schema: unknown key
    assert any("unknown accelerator 'h100-sx'" in p.message for p in problems)  # catalogue
    assert sorted(p.line for p in problems) == [8, 10, 11]


def test_a_missing_required_field_still_gets_its_message_alone(tmp_path, catalogue):
    text = "\n".join(line for line in MINIMAL.splitlines() if not line.startswith("name:"))
    problems = problems_of(write(tmp_path / "s.yaml", text.replace("[h100-sxm]", "[h100-sx]")),
                           catalogue)
    assert [p.message for p in problems] == ["required field is missing"]
