"""Pure shape functions: hand-computed cases and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from planner.profiles import shapes


def test_scale_to_mean_without_cap_is_a_plain_rescale():
    out = shapes.scale_to_mean(np.array([0.0, 1.0, 2.0, 1.0]), 0.25)
    np.testing.assert_allclose(out, [0.0, 0.25, 0.5, 0.25], rtol=1e-8)


def test_scale_to_mean_caps_at_one_and_keeps_the_mean():
    # [0, 1, 4]: a = 0.5 gives [0, .5, 2] -> capped [0, .5, 1], mean 0.5
    out = shapes.scale_to_mean(np.array([0.0, 1.0, 4.0]), 0.5)
    np.testing.assert_allclose(out, [0.0, 0.5, 1.0], rtol=1e-8)


def test_scale_to_mean_refuses_unreachable_targets():
    with pytest.raises(ValueError):
        shapes.scale_to_mean(np.array([0.0, 1.0]), 0.6)  # half the hours are zero
    with pytest.raises(ValueError):
        shapes.scale_to_mean(np.array([1.0, -1.0]), 0.2)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, 48, elements=st.floats(0.01, 1000)), st.floats(0.01, 0.95))
def test_scale_to_mean_hits_any_reachable_target(shape, target):
    out = shapes.scale_to_mean(shape, target)
    assert out.max() <= 1.0
    assert out.mean() == pytest.approx(target, rel=1e-6)
    order = np.argsort(shape, kind="stable")
    assert np.all(np.diff(out[order]) >= -1e-12)  # the shape's ranking is kept


def test_mix_carbon_intensity_hand_computed():
    gen = pd.DataFrame({"Nuclear": [100.0, 0.0], "Fossil Gas": [100.0, 50.0]})
    factors = pd.Series({"Nuclear": 12.0, "Fossil Gas": 490.0})
    out = shapes.mix_carbon_intensity(gen, factors)
    np.testing.assert_allclose(out, [(100 * 12 + 100 * 490) / 200, 490.0])


def test_mix_carbon_intensity_refuses_unknown_types():
    gen = pd.DataFrame({"Fusion": [1.0]})
    with pytest.raises(KeyError, match="Fusion"):
        shapes.mix_carbon_intensity(gen, pd.Series({"Nuclear": 12.0}))


def test_rescale_weighted_mean():
    out = shapes.rescale_weighted_mean(np.array([100.0, 300.0]), np.array([3.0, 1.0]), 300.0)
    assert np.sum(out * [3, 1]) / 4 == pytest.approx(300.0)


def test_price_follows_residual_load_and_keeps_mean():
    total = np.array([100.0, 100.0, 100.0, 100.0])
    wind = np.array([0.0, 50.0, 0.0, 10.0])
    solar = np.array([0.0, 0.0, 40.0, 0.0])
    price = shapes.price_from_residual_load(total, wind, solar, 80.0)
    assert price.mean() == pytest.approx(80.0)
    assert price[0] == price.max()  # no renewables: highest residual load, highest price
    assert price[1] == price.min()
