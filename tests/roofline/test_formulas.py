"""Pure formulas of the performance core against hand-computed and published numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.roofline.architecture import Transformer, derive, from_catalogue
from planner.roofline.ceilings import (
    all_to_all_s,
    attainable_flops,
    kernel_time_s,
    ridge_point_flop_per_byte,
    ring_allreduce_s,
)
from planner.roofline.hardware import RooflineParameters
from planner.roofline.power import goodput_frac, gpu_power_w


def test_roofline_h100_worked_example():
    # H100 SXM: 989.4 TFLOP/s BF16, 3.35 TB/s; ridge at 295.3 FLOP/byte
    assert ridge_point_flop_per_byte(989.4e12, 3.35e12) == pytest.approx(295.3, abs=0.1)
    assert attainable_flops(989.4e12, 3.35e12, 100.0) == pytest.approx(335e12)
    assert attainable_flops(989.4e12, 3.35e12, 1000.0) == pytest.approx(989.4e12)
    assert attainable_flops(989.4e12, 3.35e12, 1000.0, 0.8, 0.9) == pytest.approx(791.52e12)


def test_kernel_time_is_flops_over_attainable():
    flops, nbytes = 1e12, 2e10  # intensity 50 FLOP/byte
    t = kernel_time_s(flops, nbytes, 989.4e12, 3.35e12)
    assert t == pytest.approx(flops / attainable_flops(989.4e12, 3.35e12, 50.0))


def test_ring_allreduce_and_all_to_all_hand_computed():
    # 8 ranks, 1 GB, 100 GB/s: 2*7/8 * 1e9/1e11 = 17.5 ms; plus 14 steps * 10 us
    assert ring_allreduce_s(1e9, 8, 1e11, 10e-6) == pytest.approx(0.0175 + 14e-5)
    assert ring_allreduce_s(1e9, 1, 1e11, 10e-6) == 0.0
    assert all_to_all_s(1e9, 4, 1e11) == pytest.approx(0.75 * 0.01)


@settings(max_examples=50, deadline=None)
@given(st.floats(1e12, 1e16), st.floats(1e11, 1e13), st.floats(1e-3, 1e4))
def test_attainable_never_exceeds_either_roof(peak, bw, intensity):
    value = float(attainable_flops(peak, bw, intensity))
    assert value <= peak * (1 + 1e-12) and value <= intensity * bw * (1 + 1e-12)
    assert value == pytest.approx(min(peak, intensity * bw))


def test_catalogue_architectures_reproduce_published_parameter_counts(catalogue):
    for model_id, published in [("llama3-8b", 8.03e9), ("llama3-70b", 70.6e9),
                                ("llama3-405b", 405.9e9), ("gpt3-175b", 175e9),
                                ("megatron-1t", 1008e9), ("mixtral-8x7b", 46.7e9)]:
        assert from_catalogue(catalogue, model_id).total_params() == pytest.approx(
            published, rel=0.01), model_id
    ds = from_catalogue(catalogue, "deepseek-v3")  # MLA modelled as GQA: within 5 %
    assert ds.total_params() == pytest.approx(671e9, rel=0.05)
    assert ds.active_params() == pytest.approx(37e9, rel=0.05)


def test_gpt3_training_flops_per_token_match_6n_plus_attention():
    # Narayanan et al. 2021: 72 B s l h^2 (1 + s/(6h) + V/(16 l h)) per batch, no recompute
    gpt3 = Transformer(id="gpt3", layers=96, hidden=12288, heads=96, kv_heads=96, ffn=49152,
                       vocab=50257, mlp_matrices=2)
    s, h, L, V = 2048, 12288, 96, 50257
    megatron = 72 * s * L * h**2 * (1 + s / (6 * h) + V / (16 * L * h)) / s
    # ours counts causal attention (half the score FLOPs) -> slightly lower
    assert gpt3.model_flops_per_token(s) == pytest.approx(megatron, rel=0.03)


def test_derived_architecture_rule():
    m = derive(405e9)
    assert m.hidden == 16384 and m.heads == 128  # Llama 3 405B's width
    assert m.total_params() == pytest.approx(405e9, rel=0.01)
    moe = derive(671e9, 37e9)
    assert moe.is_moe
    assert moe.total_params() == pytest.approx(671e9, rel=0.01)
    assert moe.active_params() == pytest.approx(37e9, rel=0.02)


def test_goodput_llama3_scale():
    p = RooflineParameters({"failure_rate_per_gpu_hour": 419 / (54 * 24 * 16384),
                            "checkpoint_write_s": 60.0, "restart_s": 900.0})
    g = goodput_frac(16384, 1000.0, p)
    # hand: lambda = 0.323/h, tau = sqrt(2 * (1/60) / 0.323) = 0.321 h,
    # lost = (1/60)/0.321 + 0.323 * (0.161 + 0.25) = 0.185 -> 1/1.185
    assert g == pytest.approx(1 / 1.185, abs=0.003)
    assert goodput_frac(1024, 1000.0, p) > g  # fewer GPUs fail less often


def test_gpu_power_between_idle_and_full():
    assert gpu_power_w(700, 0.1, 0.0, 0.85) == pytest.approx(70)
    assert gpu_power_w(700, 0.1, 1.0, 0.85) == pytest.approx(595)
    assert gpu_power_w(700, 0.1, 2.0, 0.85) == pytest.approx(595)  # clipped
