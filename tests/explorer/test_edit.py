"""Scenario edits: unchanged fields give the same scenario; problems land in their section."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.explorer.edit import (
    FIELDS,
    WORKLOAD_MODELS,
    column_kind,
    edited,
    field_values,
    frame_records,
    nest,
    workload_frame,
)
from planner.scenario import load_scenario, scenario_hash
from tests.conftest import SCENARIOS


def unchanged(scenario):
    return field_values(scenario), {k: workload_frame(scenario, k) for k in WORKLOAD_MODELS}


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.glob("*.yaml")))
def test_editing_nothing_gives_back_the_same_scenario(name, catalogue):
    scenario = load_scenario(SCENARIOS / name, catalogue)
    values, frames = unchanged(scenario)
    result = edited(scenario, values, frames, catalogue)
    assert result.ok and result.problems == {}
    assert scenario_hash(result.scenario) == scenario_hash(scenario)


def test_every_field_is_a_path_of_the_scenario(demo_scenario):
    values = field_values(demo_scenario)
    assert set(values) == set(FIELDS)
    assert values["policy.carbon_price_eur_per_t"] == 67.0
    assert values["time.representative_days"] == 4
    assert nest({"policy.budget_eur": 1.0, "name": "x"}) == {"policy": {"budget_eur": 1.0},
                                                            "name": "x"}


def test_an_edit_changes_the_scenario_and_its_hash(demo_scenario, catalogue):
    values, frames = unchanged(demo_scenario)
    values["policy.carbon_price_eur_per_t"] = 150.0
    frames["training"].loc[0, "tokens_t"] = 20.0
    result = edited(demo_scenario, values, frames, catalogue)
    assert result.scenario.policy.carbon_price_eur_per_t == 150.0
    assert result.scenario.workloads.training[0].tokens_t == 20.0
    assert scenario_hash(result.scenario) != scenario_hash(demo_scenario)
    assert result.candidates == ["julich", "kajaani", "bologna"]


def test_blank_cells_and_rows_are_left_out():
    frame = pd.DataFrame({"id": ["a", None, ""], "model": ["llama3-8b", None, None],
                          "tokens_t": [np.float64(2.0), np.nan, np.nan],
                          "seq_len": [np.nan, np.nan, np.nan]})
    records = frame_records(frame)
    assert records == [{"id": "a", "model": "llama3-8b", "tokens_t": 2.0}]
    assert type(records[0]["tokens_t"]) is float


def test_workload_tables_take_numbers_even_when_empty(demo_scenario):
    hpc = workload_frame(demo_scenario, "hpc")
    assert hpc.empty and hpc["sustained_pflops"].dtype == float
    assert column_kind("training", "precision") == "choice"
    assert column_kind("inference", "prompt_tokens") == "int"
    assert column_kind("training", "model") == "text"


def test_problems_are_shown_in_their_section(demo_scenario, catalogue):
    values, frames = unchanged(demo_scenario)
    values.update({"accelerators": [], "policy.budget_eur": -5.0})
    frames["training"].loc[0, "deadline_days"] = np.nan
    result = edited(demo_scenario, values, frames, catalogue)
    assert not result.ok
    assert "at least 1 item" in result.problems["accelerators"][0]
    assert result.problems["policy"][0].startswith("policy.budget_eur: ")
    assert result.problems["workloads"] == [
        "workloads.training[0].deadline_days: required field is missing"]


def test_catalogue_problems_and_whole_scenario_rules(demo_scenario, catalogue):
    values, frames = unchanged(demo_scenario)
    values["sites.countries"] = ["FR"]  # none of the three included sites is French
    result = edited(demo_scenario, values, frames, catalogue)
    assert result.problems == {"sites": [
        "sites: no candidate site is left after applying countries, include and exclude"]}
    values, frames = unchanged(demo_scenario)
    values["objective"] = "max_compute"
    result = edited(demo_scenario, values, frames, catalogue)
    assert "needs policy.budget_eur" in result.problems["general"][0]
    frames["inference"].loc[0, "model"] = "llama-8b"
    values["objective"] = "min_cost"
    result = edited(demo_scenario, values, frames, catalogue)
    assert "did you mean 'llama3-8b'" in result.problems["workloads"][0]
