"""Study files: bundled examples expand; bad definitions get located, clear errors."""

from __future__ import annotations

import pytest

from planner.errors import ScenarioError
from planner.study import load_study, set_path
from planner.study.design import ANCHOR_EMISSIONS, get_path, pareto_caps, stage
from tests.conftest import SCENARIOS, write

STUDIES = SCENARIOS / "studies"
DEMO = (SCENARIOS / "demo-small.yaml").as_posix()


def study_file(tmp_path, body: str):
    return write(tmp_path / "study.yaml", f"study: t\nbase: {DEMO}\n{body}")


@pytest.mark.parametrize("name, count", [
    ("carbon-price", 13), ("renewable-matching", 12), ("electricity-price-shock", 5),
    ("chip-prices-monte-carlo", 40), ("cost-carbon-pareto", 9), ("demo-carbon-grid", 8)])
def test_bundled_studies_expand_to_valid_scenarios(catalogue, name, count):
    sp = load_study(STUDIES / f"{name}.yaml", catalogue)
    assert len(sp.variants) == count
    assert len({v.id for v in sp.variants}) == count
    assert all(v.structure for v in sp.variants)


def test_carbon_sweep_values_and_batches(catalogue):
    sp = load_study(STUDIES / "carbon-price.yaml", catalogue)
    prices = [v.values["policy.carbon_price_eur_per_t"] for v in sp.variants]
    assert prices == [25.0 * k for k in range(13)]
    assert all(v.spec["time"]["representative_days"] == 4 for v in sp.variants)
    # lever-only variants share one structure, so they batch by batch_size (default 4)
    assert len({v.structure for v in sp.variants}) == 1
    assert [v.batch for v in sp.variants] == [0] * 4 + [1] * 4 + [2] * 4 + [3]


def test_grid_is_a_full_factorial_and_zip_goes_together(catalogue, tmp_path):
    sp = load_study(study_file(tmp_path, """
grid:
  policy.renewable_matching: [annual, hourly]
  policy.renewable_share_frac: [0.2, 0.5, 0.9]
zip:
  finance.grid_price_factor: [1, 2]
  finance.gas_price_eur_per_mwh_th: [34, 68]
"""), catalogue)
    assert len(sp.variants) == 2 * 3 * 2
    pairs = {(v.values["finance.grid_price_factor"], v.values["finance.gas_price_eur_per_mwh_th"])
             for v in sp.variants}
    assert pairs == {(1.0, 34.0), (2.0, 68.0)}
    hourly = [v for v in sp.variants if v.values["policy.renewable_matching"] == "hourly"]
    assert len(hourly) == 6


def test_monte_carlo_is_seeded_and_respects_truncation(catalogue, tmp_path):
    body = """
seed: {seed}
monte_carlo:
  samples: 30
  fields:
    policy.carbon_price_eur_per_t: {{dist: normal, mean: 50, sd: 60, low: 0, high: 150}}
    finance.accelerator_price_factor: {{dist: lognormal, median: 1.0, sigma: 0.25}}
"""
    a = load_study(study_file(tmp_path, body.format(seed=1)), catalogue)
    b = load_study(study_file(tmp_path, body.format(seed=1)), catalogue)
    c = load_study(study_file(tmp_path, body.format(seed=2)), catalogue)
    draws = [v.values for v in a.variants]
    assert draws == [v.values for v in b.variants]
    assert draws != [v.values for v in c.variants]
    prices = [d["policy.carbon_price_eur_per_t"] for d in draws]
    assert min(prices) >= 0 and max(prices) <= 150
    assert a.definition_hash == b.definition_hash != c.definition_hash


def test_pareto_design_has_two_anchors_then_capped_points(catalogue, tmp_path):
    sp = load_study(study_file(tmp_path, "pareto: {points: 5}\n"), catalogue)
    roles = [v.pareto for v in sp.variants]
    assert roles == [ANCHOR_EMISSIONS, 4, 0, 1, 2, 3]
    assert sp.variants[0].spec["objective"] == "min_emissions"
    assert [stage(v) for v in sp.variants] == [1, 1, 2, 2, 2, 2]
    caps = pareto_caps(100.0, 1100.0, 5)
    assert caps[0] == pytest.approx(100.0 * 1.001 + 1.0)
    assert caps == sorted(caps) and caps[-1] < 1100.0

    # a front per combination of the other axes: its own group, and no robustness role
    sp = load_study(study_file(tmp_path, "pareto: {points: 3}\nsweeps:\n  - field: "
                               "policy.carbon_price_eur_per_t\n    values: [50, 150]\n"), catalogue)
    assert [(v.group, v.pareto) for v in sp.variants] == [
        (0, ANCHOR_EMISSIONS), (0, 2), (0, 0), (0, 1), (1, ANCHOR_EMISSIONS), (1, 2), (1, 0), (1, 1)]
    assert all(v.role is None for v in sp.variants)


def test_paths_address_list_entries_by_id_and_create_overrides():
    spec = {"workloads": {"training": [{"id": "llama.8b", "tokens_t": 1.0}]}, "finance": {},
            "sites": {"overrides": {}}}
    set_path(spec, "workloads.training.llama.8b.tokens_t", 30.0)
    set_path(spec, "finance.grid_price_factor", 1.5)
    set_path(spec, "sites.overrides.julich.grid_mw_max", 200.0)
    assert spec["workloads"]["training"][0]["tokens_t"] == 30.0
    assert get_path(spec, "sites.overrides.julich.grid_mw_max") == 200.0
    with pytest.raises(KeyError, match="no entry 'llama3'"):
        set_path(spec, "workloads.training.llama3.tokens_t", 1.0)


def problems(catalogue, tmp_path, body: str) -> list:
    with pytest.raises(ScenarioError) as info:
        load_study(study_file(tmp_path, body), catalogue)
    return info.value.problems


def test_unknown_study_key_names_the_allowed_ones(catalogue, tmp_path):
    [p] = problems(catalogue, tmp_path, "sweep:\n  - field: policy.carbon_price_eur_per_t\n")
    assert "unknown field 'sweep'" in p.message and "did you mean 'sweeps'" in p.message
    assert p.line == 3 and "monte_carlo" in p.allowed


def test_misspelt_scenario_field_is_located_in_the_study(catalogue, tmp_path):
    found = problems(catalogue, tmp_path, "grid:\n  policy.carbon_prise_eur_per_t: [0, 10]\n")
    assert "'policy.carbon_prise_eur_per_t' is not a scenario field" in found[0].message
    assert found[0].line == 4 and found[0].file.endswith("study.yaml")


def test_out_of_range_value_names_the_variant(catalogue, tmp_path):
    found = problems(catalogue, tmp_path, "sweeps:\n  - field: policy.renewable_share_frac\n"
                                          "    values: [0.5, 1.5]\n")
    assert "variant v0002" in found[0].message and "1.5" in found[0].message
    assert found[0].field == "policy.renewable_share_frac" and found[0].line == 4


def test_unknown_catalogue_id_in_a_variant_is_caught_before_solving(catalogue, tmp_path):
    found = problems(catalogue, tmp_path, "grid:\n  sites.include: [[julich], [julick]]\n")
    assert any("julick" in p.message and "variant v0002" in p.message for p in found)


@pytest.mark.parametrize("body, message", [
    ("zip:\n  finance.grid_price_factor: [1, 2]\n  policy.carbon_price_eur_per_t: [1]\n",
     "equal lengths"),
    ("monte_carlo:\n  samples: 3\n  fields:\n    finance.grid_price_factor: {dist: normal, "
     "mean: 1}\n", "normal needs mean, sd; missing sd"),
    ("monte_carlo:\n  samples: 3\n  fields:\n    finance.grid_price_factor: {dist: beta}\n",
     "Input should be"),
    ("sweeps:\n  - field: policy.carbon_price_eur_per_t\n    start: 10\n    stop: 0\n"
     "    step: 5\n", "'stop' must not be below 'start'"),
    ("description: nothing varies\n", "nothing varies"),
    ("pareto: {points: 4}\ngrid:\n  objective: [min_cost]\n", "pareto study sets"),
    ("grid:\n  finance.grid_price_factor: [1]\nzip:\n  finance.grid_price_factor: [2]\n",
     "repeated: finance.grid_price_factor"),
])
def test_bad_designs_are_explained(catalogue, tmp_path, body, message):
    found = problems(catalogue, tmp_path, body)
    assert any(message in p.message for p in found), [p.message for p in found]


def test_missing_base_and_malformed_yaml(catalogue, tmp_path):
    path = write(tmp_path / "s.yaml", "study: t\nbase: nowhere.yaml\ngrid: {a: [1]}\n")
    with pytest.raises(ScenarioError, match="base scenario 'nowhere.yaml' not found"):
        load_study(path, catalogue)
    path = write(tmp_path / "s.yaml", "study: t\nbase: [unclosed\n")
    with pytest.raises(ScenarioError) as info:
        load_study(path, catalogue)
    assert "malformed YAML" in info.value.problems[0].message
    assert info.value.problems[0].line is not None
