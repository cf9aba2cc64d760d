"""Training time, memory and energy of a transformer on a fleet, by layout search.

Per micro-batch and pipeline stage, each layer's forward and backward are timed on
the roofline (:func:`~planner.roofline.ceilings.kernel_time_s`); collectives are
timed with ring formulas over the scale-up tier (NVLink-class, within
``scaleup_domain_gpus``) or the scale-out tier (NICs), and only their un-overlapped
share adds to the step. A step is ``(m + (pp-1)/v)`` micro-batch times (the 1F1B
pipeline with ``v`` interleaved chunks and ``m`` micro-batches) plus the exposed
data-parallel gradient reduction. Memory per GPU follows Korthikanti et al. (2022)
for activations and ZeRO (Rajbhandari et al. 2020) for weights, gradients and Adam
states. The fastest layout that fits in memory wins.

References
----------
Narayanan, D. et al. (2021). Efficient large-scale language model training on GPU
clusters using Megatron-LM. SC'21. arXiv:2104.04473.
Korthikanti, V. et al. (2022). Reducing activation recomputation in large
transformer models. arXiv:2205.05198.
Rajbhandari, S. et al. (2020). ZeRO: memory optimizations toward training trillion
parameter models. SC'20. arXiv:1910.02054.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from planner.errors import UsageError
from planner.roofline.architecture import Transformer
from planner.roofline.ceilings import all_to_all_s, kernel_time_s, ring_allreduce_s
from planner.roofline.hardware import BYTES_PER_VALUE, Accelerator, RooflineParameters
from planner.roofline.layouts import Layout, layout_grid
from planner.roofline.power import fleet_power_w, goodput_frac

ACT_BYTES = 2.0  # 16-bit activations


@dataclass(frozen=True)
class TrainingRequest:
    """What to train: model, tokens, sequence length, global batch, precision."""

    model: Transformer
    tokens: float
    seq_len: int
    batch_tokens: float
    precision: str = "bf16"

    @property
    def batch_seqs(self) -> int:
        """Global batch in sequences."""
        return max(1, int(round(self.batch_tokens / self.seq_len)))


@dataclass(frozen=True)
class TrainingEstimate:
    """The fastest layout that fits, and what it implies (units in names)."""

    model: str
    accelerator: str
    precision: str
    gpus: int
    tokens: float
    seq_len: int
    batch_tokens: float
    layout: Layout
    step_time_s: float
    tokens_per_s_per_gpu: float
    tflops_per_gpu: float
    hw_tflops_per_gpu: float
    mfu: float
    memory_per_gpu_gb: float
    memory_capacity_gb: float
    goodput: float
    wall_days: float
    gpu_hours: float
    gpu_power_w: float
    it_power_mw: float
    energy_mwh: float
    step_breakdown_s: dict[str, float]
    layouts_evaluated: int
    layouts_fitting: int

    def as_dict(self) -> dict:
        """Plain dict for JSON (layout flattened under ``layout``)."""
        out = asdict(self)
        out["layout"] = self.layout.as_dict()
        return out


def _tier_bandwidth(group: np.ndarray, acc: Accelerator) -> np.ndarray:
    """Achieved per-GPU bandwidth [byte/s] of a group that spans ``group`` GPUs."""
    up = acc.scaleup_bytes_per_s * acc.scaleup_efficiency
    out = acc.scaleout_bytes_per_s * acc.scaleout_efficiency
    return np.where(group <= acc.scaleup_domain_gpus, up, out)


def _tier_latency(group: np.ndarray, acc: Accelerator, p: RooflineParameters) -> np.ndarray:
    return np.where(group <= acc.scaleup_domain_gpus, p["collective_latency_us_scaleup"],
                    p["collective_latency_us_scaleout"]) * 1e-6


def activation_coeff(model: Transformer, moe: bool) -> float:
    """Bytes of stored activations per token, per unit of hidden size, per layer.

    Korthikanti et al. (2022): ``34`` for a GELU MLP of width ``4h`` (15 attention and
    norms, 19 MLP) with FlashAttention (no ``5as/h`` score term). The MLP share is
    scaled by the active MLP width and by ``m/2`` matrices (SwiGLU stores gate and up).
    """
    width = (model.top_k + model.shared_experts) * model.expert_ffn if moe else model.ffn
    return 15.0 + 19.0 * width / (4.0 * model.hidden) * model.mlp_matrices / 2.0


def evaluate(req: TrainingRequest, acc: Accelerator, p: RooflineParameters,
             grid: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Step time [s], memory [byte] and breakdown of every layout in ``grid``."""
    m_ = req.model
    tp, pp, cp, ep, dp = grid["tp"], grid["pp"], grid["cp"], grid["ep"], grid["dp"]
    mb, v, zero, rc = grid["micro_batch"], grid["interleave"], grid["zero_stage"], grid["recompute"]
    peak = acc.peak(req.precision)
    ce, me = acc.compute_efficiency(req.precision), acc.memory_efficiency
    bw = acc.hbm_bytes_per_s
    h, s = float(m_.hidden), float(req.seq_len)

    layers_stage = -(-m_.layers // pp)
    moe_share = m_.moe_layers / m_.layers
    tokens_mb = mb * s / cp  # tokens per micro-batch on one GPU's slice of the sequence

    def layer_fwd_time(moe: bool) -> np.ndarray:
        flops = tokens_mb * (m_.attention_flops_per_token_layer(s)
                             + m_.mlp_flops_per_token_layer(moe)) / tp
        mlp_params = ((m_.top_k + m_.shared_experts) * m_.expert_ffn if moe else m_.ffn)
        weights = (m_.attention_params() + m_.mlp_matrices * h * mlp_params) / tp
        acts = activation_coeff(m_, moe) * tokens_mb * h / tp
        return kernel_time_s(flops, weights * BYTES_PER_VALUE[req.precision] + 2 * acts,
                             peak, bw, ce, me)

    fwd_layer = (1 - moe_share) * layer_fwd_time(False) + moe_share * layer_fwd_time(True)
    logits = kernel_time_s(tokens_mb * 2.0 * m_.vocab * h / tp, m_.vocab * h * 2.0 / tp,
                           peak, bw, ce, me)
    passes = 3.0 + rc  # forward, backward (2x), recompute forward
    # kernels of a real training step (attention, norms, launches, stragglers) reach a
    # calibrated fraction of the GEMM ceiling (docs/validation.md)
    compute_mb = (layers_stage * fwd_layer * passes + 3.0 * logits / pp) / p[
        "training_compute_efficiency_frac"]

    # tensor parallel: 2 all-gathers + 2 reduce-scatters per layer and pass (sequence parallel)
    act_volume = tokens_mb * h * ACT_BYTES
    tp_coll = 4.0 * ((tp - 1) / tp * act_volume / _tier_bandwidth(tp, acc)
                     + (tp - 1) * _tier_latency(tp, acc, p))
    tp_mb = layers_stage * passes * tp_coll * (1 - p["tp_comm_overlap_frac"])
    # expert parallel: dispatch + combine all-to-all per MoE layer, forward and backward
    a2a = all_to_all_s(act_volume * m_.top_k / tp, ep, _tier_bandwidth(tp * ep, acc),
                       _tier_latency(tp * ep, acc, p))
    ep_mb = layers_stage * moe_share * (2.0 + 2.0 + 2.0 * rc) * a2a * (1 - p["ep_comm_overlap_frac"])
    # context parallel: ring exchange of K and V (forward), and of their gradients (backward)
    kv_volume = tokens_mb * 2.0 * m_.kv_hidden * ACT_BYTES / tp
    cp_coll = (cp - 1) * (kv_volume / _tier_bandwidth(tp * cp, acc) + _tier_latency(tp * cp, acc, p))
    cp_mb = layers_stage * (3.0 + rc) * cp_coll * (1 - p["cp_comm_overlap_frac"])
    # pipeline: activations to the next stage and gradients back, v chunks per stage
    pp_group = tp * cp * pp
    pp_mb = np.where(pp > 1, 2.0 * v * (act_volume / tp / _tier_bandwidth(pp_group, acc)
                                        + _tier_latency(pp_group, acc, p)), 0.0)
    pp_mb = pp_mb * (1 - p["pp_comm_overlap_frac"])
    per_mb = compute_mb + tp_mb + ep_mb + cp_mb + pp_mb

    micro_batches = -(-req.batch_seqs // (dp * mb))
    bubble = (pp - 1) / v * per_mb
    pipeline = micro_batches * per_mb + bubble

    # data parallel: reduce-scatter + all-gather of gradients (dense over dp*cp, experts over
    # dp*cp/ep); ZeRO-3 also gathers weights for forward and backward
    dense_local = m_.dense_params() / (tp * pp)
    expert_local = m_.expert_params() / (ep * pp)
    grad_bytes = p["grad_reduce_bytes_per_param"]
    dp_group = dp * cp
    span = tp * pp * cp * dp
    dp_bw = _tier_bandwidth(span, acc)
    dp_lat = _tier_latency(span, acc, p)
    t_dp = (ring_allreduce_s(dense_local * grad_bytes, dp_group, dp_bw, dp_lat)
            + ring_allreduce_s(expert_local * grad_bytes, np.maximum(dp_group // ep, 1), dp_bw,
                               dp_lat))
    weights_local = (dense_local + expert_local) * p["weight_bytes_per_param_bf16"]
    # ZeRO-3: an all-gather of the weights for forward and one for backward = one all-reduce
    t_dp = t_dp + np.where(zero >= 3, ring_allreduce_s(weights_local, dp_group, dp_bw, dp_lat), 0.0)
    backward_share = pipeline * 2.0 / passes
    dp_exposed = np.maximum((1 - p["dp_comm_overlap_frac"]) * t_dp, t_dp - backward_share)
    step = pipeline + dp_exposed

    # memory of the first pipeline stage (most activations in flight)
    shard_dense = np.where(zero >= 1, dp_group, 1)
    shard_expert = np.where(zero >= 1, np.maximum(dp_group // ep, 1), 1)
    optimizer = p["adam_state_bytes_per_param"] * (dense_local / shard_dense
                                                    + expert_local / shard_expert)
    grads = p["grad_bytes_per_param"] * np.where(
        zero >= 2, dense_local / shard_dense + expert_local / shard_expert, dense_local + expert_local)
    weights = np.where(zero >= 3, weights_local / shard_dense, weights_local)
    coeff = (1 - moe_share) * activation_coeff(m_, False) + moe_share * activation_coeff(m_, True)
    act_layer = np.where(rc == 1, 2.0, coeff) * tokens_mb * h / tp
    # 1F1B: the first stage holds pp micro-batches of its layers; interleaving adds
    # (pp-1)/(pp v) of that (Korthikanti et al. 2022, section 4.2.3)
    in_flight = np.minimum(micro_batches, pp) * np.where(v > 1, 1.0 + (pp - 1) / (pp * v), 1.0)
    working = coeff * tokens_mb * h / tp  # one layer's full activations during recompute
    logits_buf = tokens_mb * m_.vocab * 4.0 / tp
    memory = (weights + grads + optimizer + layers_stage * in_flight * act_layer
              + np.where(rc == 1, working, 0.0) + logits_buf + p["memory_reserved_gb"] * 1e9)

    return {"step_s": step, "memory_bytes": memory, "compute_s": micro_batches * compute_mb,
            "tp_s": micro_batches * tp_mb, "ep_s": micro_batches * ep_mb,
            "cp_s": micro_batches * cp_mb, "pp_s": micro_batches * pp_mb, "bubble_s": bubble,
            "dp_s": dp_exposed, "micro_batches": micro_batches, "passes": passes}


def _best(req: TrainingRequest, acc: Accelerator, p: RooflineParameters, gpus: int,
          pinned: dict | None) -> tuple[dict, dict, int | None] | None:
    """(grid, results, index of the fastest fitting layout or None); None if no layout."""
    grid = layout_grid(req.model, gpus, req.seq_len, req.batch_seqs, pinned)
    if len(grid["tp"]) == 0:
        return None
    res = evaluate(req, acc, p, grid)
    fits = res["memory_bytes"] <= acc.hbm_bytes
    if not fits.any():
        return grid, res, None
    return grid, res, int(np.argmin(np.where(fits, res["step_s"], np.inf)))


def estimate_training(req: TrainingRequest, acc: Accelerator, p: RooflineParameters, gpus: int,
                      pinned: dict | None = None) -> TrainingEstimate:
    """Fastest fitting layout of ``req`` on ``gpus`` GPUs of ``acc``, with time and energy.

    Raises
    ------
    UsageError
        When no layout exists for this GPU count or none fits in memory, saying why.
    """
    if gpus < 1 or req.tokens <= 0 or req.seq_len < 1 or req.batch_tokens <= 0:
        raise UsageError.single("GPUs, tokens, sequence length and batch must be positive")
    found = _best(req, acc, p, gpus, pinned)
    if found is None:
        raise UsageError.single(
            f"no parallel layout divides {gpus} GPUs for {req.model.id} (global batch "
            f"{req.batch_seqs} sequences{', pinned ' + str(pinned) if pinned else ''})",
            field="gpus", allowed="a multiple of the tensor x pipeline x context degrees, at most "
                                  "dp x micro-batch <= global batch")
    grid, res, i = found
    if i is None:
        least = float(res["memory_bytes"].min()) / 1e9
        raise UsageError.single(
            f"{req.model.id} fits on no layout of {gpus} x {acc.id}: the smallest footprint is "
            f"{least:,.0f} GB per GPU, the GPU has {acc.hbm_bytes / 1e9:,.0f} GB",
            field="gpus", allowed="more GPUs, or an accelerator with more memory")
    n_fit = int((res["memory_bytes"] <= acc.hbm_bytes).sum())
    return _result(req, acc, p, gpus, grid, res, i, len(grid["tp"]), n_fit)


def _result(req, acc, p, gpus, grid, res, i, n_eval, n_fit) -> TrainingEstimate:
    layout = Layout(tp=int(grid["tp"][i]), pp=int(grid["pp"][i]), dp=int(grid["dp"][i]),
                    cp=int(grid["cp"][i]), ep=int(grid["ep"][i]),
                    micro_batch=int(grid["micro_batch"][i]), interleave=int(grid["interleave"][i]),
                    zero_stage=int(grid["zero_stage"][i]),
                    recompute="full" if grid["recompute"][i] else "none")
    step = float(res["step_s"][i])
    tokens_step = float(res["micro_batches"][i] * layout.dp * layout.micro_batch * req.seq_len)
    model_flops = req.model.model_flops_per_token(req.seq_len) * tokens_step
    passes = float(res["passes"][i])
    hw_flops = model_flops * passes / 3.0
    steps = req.tokens / tokens_step
    ideal_s = steps * step
    goodput = goodput_frac(gpus, ideal_s / 3600.0, p)
    wall_s = ideal_s / goodput
    busy = float(res["compute_s"][i]) / step
    gpu_w, it_w = fleet_power_w(acc, gpus, busy, p)
    breakdown = {k: float(res[k][i]) for k in ("compute_s", "tp_s", "ep_s", "cp_s", "pp_s",
                                               "bubble_s", "dp_s")}
    return TrainingEstimate(
        model=req.model.id, accelerator=acc.id, precision=req.precision, gpus=gpus,
        tokens=req.tokens, seq_len=req.seq_len, batch_tokens=tokens_step, layout=layout,
        step_time_s=step, tokens_per_s_per_gpu=tokens_step / step / gpus,
        tflops_per_gpu=model_flops / step / gpus / 1e12,
        hw_tflops_per_gpu=hw_flops / step / gpus / 1e12,
        mfu=model_flops / step / gpus / acc.peak(req.precision),
        memory_per_gpu_gb=float(res["memory_bytes"][i]) / 1e9,
        memory_capacity_gb=acc.hbm_bytes / 1e9, goodput=goodput, wall_days=wall_s / 86400.0,
        gpu_hours=gpus * wall_s / 3600.0, gpu_power_w=gpu_w, it_power_mw=it_w / 1e6,
        energy_mwh=it_w * wall_s / 3600.0 / 1e6, step_breakdown_s=breakdown,
        layouts_evaluated=n_eval, layouts_fitting=n_fit)


def gpu_count_candidates(acc: Accelerator, max_gpus: int) -> list[int]:
    """GPU counts tried by the deadline search: whole nodes times ``{4, 5, 6, 7} x 2^a``.

    Spaced at most 25 % apart, and mostly powers of two, so tensor x pipeline x context
    degrees (powers of two) divide them and the odd factor goes to data parallelism, as in
    real cluster partitions.
    """
    unit = acc.gpus_per_node
    counts = {unit, 2 * unit, 3 * unit}
    for a in range(0, 40):
        for k in (4, 5, 6, 7):
            n = unit * k * 2**a
            if n <= max_gpus:
                counts.add(n)
    return sorted(counts)


def fewest_gpus_for_deadline(req: TrainingRequest, acc: Accelerator, p: RooflineParameters,
                             deadline_days: float, max_gpus: int = 1_048_576,
                             pinned: dict | None = None) -> TrainingEstimate:
    """The smallest fleet (on a <=25 % grid of node multiples) that meets the deadline.

    Galloping search up the candidate counts (1, 2, 4, 8... steps) until one meets the
    deadline, then bisection back down, assuming time falls with GPUs below that count.
    Time does not fall forever: past some size failures (goodput) and the global batch
    make more GPUs slower, which is why the search climbs from small fleets.

    Raises
    ------
    UsageError
        If no candidate up to ``max_gpus`` meets the deadline, with the fastest found.
    """
    if deadline_days <= 0:
        raise UsageError.single("the deadline must be positive", field="deadline_days")
    candidates = gpu_count_candidates(acc, max_gpus)
    fastest: TrainingEstimate | None = None

    def attempt(i: int) -> TrainingEstimate | None:
        nonlocal fastest
        try:
            est = estimate_training(req, acc, p, candidates[i], pinned)
        except UsageError:
            return None
        if fastest is None or est.wall_days < fastest.wall_days:
            fastest = est
        return est if est.wall_days <= deadline_days else None

    last_miss, i, stride, found = -1, 0, 1, None
    while i < len(candidates):
        found = attempt(i)
        if found is not None:
            break
        last_miss, i, stride = i, i + stride, stride * 2
    if found is None:
        best = (f"; the fastest fleet found ({fastest.gpus:,} GPUs) takes "
                f"{fastest.wall_days:,.1f} days") if fastest else ""
        raise UsageError.single(
            f"no fleet of up to {candidates[-1]:,} x {acc.id} trains {req.model.id} on "
            f"{req.tokens:.3g} tokens in {deadline_days:g} days{best}",
            field="deadline_days", allowed="a later deadline, fewer tokens or a faster accelerator")
    lo, hi = last_miss + 1, i
    while lo < hi:
        mid = (lo + hi) // 2
        est = attempt(mid)
        if est is not None:
            hi, found = mid, est
        else:
            lo = mid + 1
    return found
