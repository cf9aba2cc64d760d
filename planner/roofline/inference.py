"""Serving throughput of a transformer under latency targets.

Prefill (the prompt) is compute-bound; decode generates one token per sequence per
step and is bound by reading the weights and the KV cache from HBM. For each
tensor-parallel degree and batch size the model checks that weights and KV cache
fit, that a decode step meets the time-per-output-token target and that one
prompt's prefill meets the time-to-first-token target, and picks the most output
tokens per second per GPU. Continuous batching is assumed: each request costs one
prefill plus its share of decode steps.

References
----------
Pope, R. et al. (2023). Efficiently scaling transformer inference. MLSys.
arXiv:2211.05102.
Kwon, W. et al. (2023). Efficient memory management for large language model
serving with PagedAttention. SOSP. arXiv:2309.06180.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from planner.errors import UsageError
from planner.roofline.architecture import Transformer
from planner.roofline.ceilings import kernel_time_s, ring_allreduce_s
from planner.roofline.hardware import BYTES_PER_VALUE, Accelerator, RooflineParameters
from planner.roofline.power import gpu_power_w

BATCH_OPTIONS = np.unique(np.round(np.geomspace(1, 4096, 60)).astype(int))
TP_OPTIONS = (1, 2, 4, 8, 16, 32, 64)


@dataclass(frozen=True)
class InferenceRequest:
    """A serving workload and its latency targets."""

    model: Transformer
    prompt_tokens: int
    output_tokens: int
    ttft_s: float
    tpot_s: float
    precision: str = "fp8"
    demand_output_tokens_per_s: float | None = None


@dataclass(frozen=True)
class InferenceEstimate:
    """Best serving configuration per GPU (units in names)."""

    model: str
    accelerator: str
    precision: str
    tp: int
    batch: int
    max_batch_by_memory: int
    tokens_per_s_per_gpu: float
    tpot_ms: float
    ttft_s: float
    weights_gb_per_gpu: float
    kv_cache_gb_per_gpu: float
    gpu_power_w: float
    energy_kwh_per_million_tokens: float
    gpus_for_demand: int | None

    def as_dict(self) -> dict:
        """Plain dict for JSON."""
        return asdict(self)


def estimate_inference(req: InferenceRequest, acc: Accelerator,
                       p: RooflineParameters) -> InferenceEstimate:
    """Most output tokens/s per GPU that meet the latency targets.

    Raises
    ------
    UsageError
        If no tensor-parallel degree fits the weights, or none meets the targets.
    """
    m = req.model
    if min(req.prompt_tokens, req.output_tokens) < 1 or min(req.ttft_s, req.tpot_s) <= 0:
        raise UsageError.single("prompt and output lengths and latency targets must be positive")
    w_bytes = BYTES_PER_VALUE[req.precision]
    kv_bytes = max(w_bytes, 1.0)
    peak = acc.peak(req.precision)
    ce, me, bw = acc.compute_efficiency(req.precision), acc.memory_efficiency, acc.hbm_bytes_per_s
    h = float(m.hidden)
    context = req.prompt_tokens + req.output_tokens
    mean_context = req.prompt_tokens + req.output_tokens / 2.0
    kv_per_token = 2.0 * m.layers * m.kv_hidden * kv_bytes

    tp = np.array([t for t in TP_OPTIONS if m.heads % t == 0], dtype=float)
    tp = tp[tp <= max(acc.scaleup_domain_gpus, 1)]
    b = BATCH_OPTIONS.astype(float)
    T, B = np.meshgrid(tp, b, indexing="ij")
    kv_shards = np.minimum(T, m.kv_heads)
    weights = m.total_params() * w_bytes / T
    free = acc.hbm_bytes - p["memory_reserved_gb"] * 1e9 - weights
    max_batch = np.floor(np.maximum(free, 0) / (kv_per_token * context / kv_shards))

    link = acc.scaleup_bytes_per_s * acc.scaleup_efficiency
    lat = p["collective_latency_us_scaleup"] * 1e-6
    expert_touched = np.minimum(1.0, B * max(m.top_k, 1) / max(m.experts, 1)) if m.is_moe else 1.0
    read_weights = (m.dense_params() + m.expert_params() * expert_touched) * w_bytes / T
    decode_flops = B * (2.0 * m.active_params() + 4.0 * m.layers * mean_context * h) / T
    decode_bytes = read_weights + B * kv_per_token * mean_context / kv_shards
    tp_comm = 2.0 * m.layers * ring_allreduce_s(B * h * 2.0, T, link, lat)
    step = kernel_time_s(decode_flops, decode_bytes, peak, bw, ce, me) + tp_comm

    prompt = float(req.prompt_tokens)
    prefill_flops = prompt * (2.0 * m.active_params() + 2.0 * m.layers * prompt * h) / T
    prefill = (kernel_time_s(prefill_flops, weights, peak, bw, ce, me)
               + 2.0 * m.layers * ring_allreduce_s(prompt * h * 2.0, T, link, lat))
    per_request = prefill + req.output_tokens * step / B
    tokens_per_gpu = req.output_tokens / per_request / T
    ok = (B <= max_batch) & (step <= req.tpot_s) & (prefill <= req.ttft_s)
    if not ok.any():
        if not (max_batch >= 1).any():
            raise UsageError.single(
                f"{m.id} does not fit on up to {int(tp.max())} x {acc.id} in {req.precision}: "
                f"weights need {m.total_params() * w_bytes / 1e9:,.0f} GB",
                field="accelerator", allowed="an accelerator with more memory or a lower precision")
        fastest_tpot = float(step[max_batch >= 1].min()) * 1e3
        fastest_ttft = float(prefill.min())
        raise UsageError.single(
            f"no configuration of {acc.id} meets TTFT {req.ttft_s:g} s and TPOT "
            f"{req.tpot_s * 1e3:g} ms for {m.id}: best reachable TPOT {fastest_tpot:,.1f} ms, "
            f"TTFT {fastest_ttft:,.2f} s", field="latency targets")
    score = np.where(ok, tokens_per_gpu, -np.inf)
    i, j = np.unravel_index(int(np.argmax(score)), score.shape)
    rate = float(tokens_per_gpu[i, j])
    busy = float(req.output_tokens * step[i, j] / B[i, j] + prefill[i, j]) / float(per_request[i, j])
    power = gpu_power_w(acc.tdp_w, acc.idle_power_frac, busy, p["gpu_power_at_full_activity_frac"])
    demand = req.demand_output_tokens_per_s
    gpus = None
    if demand is not None:
        groups = int(np.ceil(demand / (rate * tp[i])))
        gpus = groups * int(tp[i])
    return InferenceEstimate(
        model=m.id, accelerator=acc.id, precision=req.precision, tp=int(tp[i]), batch=int(B[i, j]),
        max_batch_by_memory=int(max_batch[i, j]), tokens_per_s_per_gpu=rate,
        tpot_ms=float(step[i, j]) * 1e3, ttft_s=float(prefill[i, j]),
        weights_gb_per_gpu=float(weights[i, j]) / 1e9,
        kv_cache_gb_per_gpu=float(B[i, j] * kv_per_token * context / kv_shards[i, j]) / 1e9,
        gpu_power_w=power, energy_kwh_per_million_tokens=power / rate * 1e6 / 3.6e6,
        gpus_for_demand=gpus)
