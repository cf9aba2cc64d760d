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


def test_a_warm_re_solve_gets_its_own_time_limit_not_what_is_left_of_the_first():
    # HiGHS measures its time limit on the instance's run clock, which adds up over the
    # runs: a warm re-solve after a first run of T s would otherwise stop at once when
    # its limit is below T (the full-year repair lost its check to this).
    warm = WarmStart()
    _programme(x1_max=2.0).solve(warm=warm)
    spent_s = warm.highs.getRunTime()
    status, _ = _programme(x1_max=1.0).solve(warm=warm, time_limit_s=spent_s / 2)
    assert status == "Optimal" and warm.warm_solves == 1
    _, limit = warm.highs.getOptionValue("time_limit")
    assert limit == pytest.approx(spent_s + spent_s / 2, rel=0.5)


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


def _share_model():
    """min f + 3 r + 2 y: f + r >= d = 10, r <= 4 y (y integer), f <= (1 - s) d."""
    import pyomo.environ as pyo

    m = pyo.ConcreteModel()
    m.s = pyo.Param(initialize=0.5, mutable=True)
    m.f, m.r, m.d = (pyo.Var(within=pyo.NonNegativeReals) for _ in range(3))
    m.y = pyo.Var(within=pyo.Integers, bounds=(0, 5))
    m.demand = pyo.Constraint(expr=m.d == 10)
    m.supply = pyo.Constraint(expr=m.f + m.r >= m.d)
    m.nodes = pyo.Constraint(expr=m.r <= 4 * m.y)
    m.share = pyo.Constraint(expr=m.f <= (1 - m.s) * m.d)
    m.cost = pyo.Objective(expr=m.f + 3 * m.r + 2 * m.y)
    return m


def test_a_share_re_solve_without_a_compile_fixes_the_nodes_and_scales_one_entry():
    from planner.optimise import highs_bridge
    from planner.optimise.highs_bridge import HighsSettings

    m = _share_model()
    settings = HighsSettings(10.0, 0.0, 1, 0)
    first = highs_bridge.solve(m, settings)
    assert first.objective == pytest.approx(24.0)  # y = 2, r = 5, f = 5
    # share 0.7 with 2 nodes: f <= 3, r = 7: 3 + 21 + 4
    again = highs_bridge.resolve_fixed(m, settings, [(m.share, m.d, (1 - 0.7) / (1 - 0.5))])
    assert again.status == "optimal" and again.objective == pytest.approx(28.0)
    assert m.y.value == 2 and m.r.value == pytest.approx(7.0)
    m.s.set_value(0.7)
    m.y.fix(2)
    compiled = highs_bridge.solve(m, HighsSettings(10.0, 0.0, 1, 0))
    assert compiled.objective == pytest.approx(again.objective)
    # share 0.9 needs r = 9 > 4 * 2: no plan with the nodes fixed
    m.y.unfix()
    highs_bridge.solve(m, settings)
    m.s.set_value(0.5)
    assert highs_bridge.resolve_fixed(m, settings, [(m.share, m.d, (1 - 0.9) / (1 - 0.7))]
                                      ).status == "infeasible"
    # another model, or an entry the compile does not have: compile afresh (None)
    assert highs_bridge.resolve_fixed(_share_model(), settings, []) is None
    assert highs_bridge.resolve_fixed(m, settings, [(m.share, m.r, 2.0)]) is None
