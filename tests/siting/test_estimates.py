"""Estimated inputs drawn within their ranges; a built model re-solved for a draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.errors import ScenarioError
from planner.optimise.estimates import HELD, VARIED, draw_values, drawn_catalogue, ranges
from planner.optimise.solve import Resolver
from planner.scenario import load_scenario
from planner.scenario.schema import FullYearCheck
from tests.conftest import SCENARIOS


def _demo(catalogue, **update):
    scenario = load_scenario(SCENARIOS / "demo-small.yaml", catalogue)
    time = scenario.time.model_copy(update={"full_year_check": FullYearCheck.off})
    return scenario.model_copy(update={"time": time, **update})


def test_every_estimate_has_a_range_holding_its_value(catalogue):
    spans = ranges(catalogue)
    assert len(spans) > 300
    for row in spans.itertuples():
        value = catalogue.tables[row.table].at[row.id, row.field]
        assert row.low <= value <= row.high, (row.table, row.id, row.field)


def test_a_draw_is_reproducible_within_its_ranges_and_holds_what_it_must(catalogue):
    first = draw_values(catalogue, 2026, 3)
    again = draw_values(catalogue, 2026, 3)
    other = draw_values(catalogue, 2026, 4)
    pd.testing.assert_frame_equal(first, again)
    varied = first[first["varied"]]
    assert (varied["value"].to_numpy() != other.loc[varied.index, "value"].to_numpy()).mean() > 0.9
    assert ((first["value"] >= first["low"] - 1e-9) & (first["value"] <= first["high"] + 1e-9)).all()
    held = first[~first["varied"]]
    assert set(held["field"]) <= set(HELD) | {"labour_cost_eur_per_hour"} - set(VARIED["countries"])
    assert (held["value"] == held["catalogue_value"]).all()


def test_the_drawn_catalogue_changes_only_varied_estimates(catalogue):
    drawn = drawn_catalogue(catalogue, 7, 0)
    values = draw_values(catalogue, 7, 0)
    varied = {(r.id, r.field) for r in values[values["varied"] & (values["table"] == "sites")]
              .itertuples()}
    before, after = catalogue.sites, drawn.sites
    for column in before.columns:
        if before[column].dtype.kind not in "fi":
            continue
        changed = before.index[~np.isclose(before[column].astype(float),
                                           after[column].astype(float), equal_nan=True)]
        assert {(s, column) for s in changed} <= varied, column
    assert drawn.profiles is catalogue.profiles  # the loaded profiles are shared, not re-read
    assert drawn_catalogue(catalogue, 7, None) is catalogue


def test_a_re_solved_draw_equals_a_fresh_build(catalogue):
    base = _demo(catalogue)
    resolver = Resolver(catalogue)
    resolver.solve(base)
    for draw in (0, 1):
        scenario = base.model_copy(update={"estimates": base.estimates.model_copy(
            update={"draw": draw})})
        reused = resolver.solve(scenario)
        fresh = Resolver(catalogue, reuse=False).solve(scenario)
        assert reused.meta["model_reused"] and not fresh.meta["model_reused"]
        assert reused.kpis["tco_eur_per_year"] == pytest.approx(
            fresh.kpis["tco_eur_per_year"], rel=scenario.solver.mip_gap_frac)
    assert reused.kpis["tco_eur_per_year"] != pytest.approx(
        resolver.solve(base).kpis["tco_eur_per_year"], rel=1e-6)  # the draw moved the cost


def test_sites_fixed_open_are_exactly_the_open_sites_and_cost_no_less(catalogue):
    base = _demo(catalogue)
    resolver = Resolver(catalogue)
    free = resolver.solve(base)
    fixed = resolver.solve(base.model_copy(update={"sites": base.sites.model_copy(
        update={"fixed_open": ["julich"]})}))
    assert fixed.meta["model_reused"]
    assert list(fixed.sites.index[fixed.sites["open"]]) == ["julich"]
    assert fixed.kpis["tco_eur_per_year"] >= free.kpis["tco_eur_per_year"] * (1 - 1e-9)
    again = resolver.solve(base)  # the bounds are lifted again
    assert again.kpis["tco_eur_per_year"] == pytest.approx(free.kpis["tco_eur_per_year"],
                                                           rel=base.solver.mip_gap_frac)


@pytest.mark.parametrize("fixed, message", [
    (["atlantis"], "unknown site 'atlantis'"),
    (["bologna"], "left out by countries, include or exclude"),
])
def test_a_bad_fixed_site_is_named(catalogue, tmp_path, fixed, message):
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {SCENARIOS / 'demo-small.yaml'}\n"
                    f"sites:\n  include: [julich, kajaani]\n  fixed_open: {fixed}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, catalogue)
    text = str(caught.value)
    assert message in text and "sites.fixed_open" in text
