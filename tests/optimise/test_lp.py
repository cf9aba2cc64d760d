"""The array-built LP: zero-fixed columns dropped, warm starts reuse HiGHS (hand-solved)."""

from __future__ import annotations

import numpy as np
import pytest

from planner.optimise.lp import LinearProgram, WarmStart


def _programme(x1_max: float, x3_max: float = 0.0, rhs: float = 3.0) -> LinearProgram:
    """min x1 + 2 x2 + 0.5 x3  s.t.  x1 + x2 + x3 >= rhs,  x1 <= x1_max,  x3 <= x3_max."""
    lp = LinearProgram()
    x1 = lp.add_cols(1, 0.0, x1_max, 1.0)
    x2 = lp.add_cols(1, 0.0, np.inf, 2.0)
    x3 = lp.add_cols(1, 0.0, x3_max, 0.5)
    lp.add_rows(np.zeros(3, int), np.concatenate([x1, x2, x3]), np.ones(3), 1, rhs, np.inf)
    # a row on the zero-fixed column alone: 0 satisfies it, so it may be dropped
    lp.add_rows(np.zeros(1, int), x3, np.ones(1), 1, -np.inf, 5.0)
    return lp


def test_zero_fixed_columns_are_dropped_and_reported_as_zero():
    status, x = _programme(x1_max=2.0).solve()
    assert status == "Optimal"
    # x3 cannot be built, x1 takes its 2, x2 the remaining 1: cost 2 + 2 = 4
    np.testing.assert_allclose(x, [2.0, 1.0, 0.0], atol=1e-9)


def test_an_empty_row_that_zero_breaks_is_kept_and_infeasible():
    lp = LinearProgram()
    col = lp.add_cols(1, 0.0, 0.0, 1.0)
    lp.add_rows(np.zeros(1, int), col, np.ones(1), 1, 1.0, np.inf)  # 0 >= 1: impossible
    status, _ = lp.solve()
    assert status == "Infeasible"


def test_warm_start_reuses_the_instance_only_for_the_same_matrix():
    warm = WarmStart()
    _programme(x1_max=2.0).solve(threads=2, warm=warm)
    status, x = _programme(x1_max=1.0).solve(warm=warm)  # only a bound (and threads) differ
    assert status == "Optimal" and warm.warm_solves == 1
    np.testing.assert_allclose(x, [1.0, 2.0, 0.0], atol=1e-9)  # cost 1 + 4 = 5
    # x3 buildable: a different matrix, solved from scratch; x3 = 3 at 0.5 each
    status, x = _programme(x1_max=1.0, x3_max=10.0).solve(warm=warm)
    assert status == "Optimal" and warm.warm_solves == 1 and warm.solves == 3
    np.testing.assert_allclose(x, [0.0, 0.0, 3.0], atol=1e-9)


@pytest.mark.parametrize("rhs", [3.0, 0.5])
def test_warm_and_cold_solves_agree(rhs):
    warm = WarmStart()
    _programme(x1_max=2.0).solve(warm=warm)
    _, warm_x = _programme(x1_max=2.0, rhs=rhs).solve(warm=warm)
    _, cold_x = _programme(x1_max=2.0, rhs=rhs).solve()
    np.testing.assert_allclose(warm_x, cold_x, atol=1e-9)


@pytest.mark.parametrize("basic", [[1], [0], [2], [0, 1]])
def test_a_hinted_basis_good_poor_or_on_a_dropped_column_gives_the_same_optimum(basic):
    """x2 basic is the optimal guess, x1 a poor one, x3 is zero-fixed and dropped, two
    basic columns for one tight row is a basis of the wrong size: HiGHS repairs each."""
    lp = _programme(x1_max=2.0)
    lp.hint_basis(np.array(basic), tight_rows=np.array([0]), at_upper=np.array([0]))
    status, x = lp.solve()
    assert status == "Optimal"
    np.testing.assert_allclose(x, [2.0, 1.0, 0.0], atol=1e-9)


def test_the_full_year_replay_is_the_same_with_and_without_its_starting_basis(monkeypatch):
    """The merit-order start only saves simplex iterations: the dispatch is unchanged."""
    from models import build
    from planner.catalogue import load_catalogue
    from planner.optimise import check, extract, highs_bridge
    from planner.optimise.prepare import prepare
    from planner.scenario import load_scenario

    catalogue = load_catalogue()
    scenario = load_scenario("scenarios/demo-tiny.yaml", catalogue)
    prepared = prepare(scenario, catalogue)
    model = build(prepared.inputs)
    out = highs_bridge.solve(model, highs_bridge.HighsSettings(60.0, 1e-4, 1, 0))
    assert out.status == "optimal"
    design = extract.design(model, prepared.inputs, scenario)

    def replay():
        return check.replay(design, prepared.inputs, prepared.hourly, catalogue.cooling,
                            prepared.finance)

    hinted = replay()
    monkeypatch.setattr(check, "_hint_dispatch", lambda *args, **kwargs: None)
    plain = replay()
    assert hinted.status == plain.status == "Optimal"
    for key in ("grid_import_mwh", "renewable_share", "emissions_t_per_year"):
        assert hinted.kpis[key] == pytest.approx(plain.kpis[key], rel=1e-7, abs=1e-6)
    np.testing.assert_allclose(hinted.hourly["grid_import_mw"], plain.hourly["grid_import_mw"],
                               atol=1e-6)
