"""Representative days are remembered per process: same weather, same days, no shared state."""

from __future__ import annotations

import pandas as pd

from planner.optimise import periods as periods_module
from planner.optimise.hourly import period_groups, site_hourly
from planner.optimise.periods import representative_days
from planner.optimise.prepare import finance_values
from planner.scenario import load_scenario
from tests.conftest import SCENARIOS


def _year(catalogue):
    scenario = load_scenario(SCENARIOS / "demo-tiny.yaml", catalogue)
    fin = finance_values(scenario, catalogue)
    hourly = site_hourly(scenario, catalogue, ["kajaani"], fin)
    groups = period_groups(scenario, catalogue.sites.loc[["kajaani"]])
    return hourly, groups


def test_a_second_call_gives_the_same_days_and_edits_do_not_leak(catalogue):
    hourly, groups = _year(catalogue)
    periods_module._group_days_cache.clear()
    first = representative_days(hourly, 3, groups)
    first.profiles.loc[:, "temp_air_c"] = 99.0  # a caller editing its copy
    first.table.loc[:, "weight_h"] = 0.0
    second = representative_days(hourly, 3, groups)
    periods_module._group_days_cache.clear()
    fresh = representative_days(hourly, 3, groups)
    pd.testing.assert_frame_equal(second.profiles, fresh.profiles)
    pd.testing.assert_frame_equal(second.table, fresh.table)
    assert second.table["weight_h"].sum() == 8760.0
    assert second.profiles["temp_air_c"].max() < 40.0


def test_other_weather_or_other_day_count_is_not_taken_from_the_cache(catalogue):
    hourly, groups = _year(catalogue)
    base = representative_days(hourly, 3, groups)
    hotter = hourly.assign(temp_air_c=hourly["temp_air_c"] + 5.0)
    warm = representative_days(hotter, 3, groups)
    assert abs(warm.profiles["temp_air_c"].mean() - base.profiles["temp_air_c"].mean() - 5.0) < 0.5
    assert representative_days(hourly, 4, groups).table["day"].nunique() \
        == base.table["day"].nunique() + 1
