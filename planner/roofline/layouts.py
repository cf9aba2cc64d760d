"""The space of parallel layouts for a training run, as flat numpy arrays.

A layout is (tp, pp, cp, ep, dp, micro-batch, interleave, ZeRO stage, recompute).
``dp = gpus / (tp pp cp)`` must be whole; tensor parallelism divides the attention
heads; expert parallelism divides the experts and is drawn from the data- and
context-parallel ranks (``ep | dp cp``); every data-parallel rank needs at least one
micro-batch of the global batch. Every combination is enumerated at once so the
whole search is a handful of vector operations.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from planner.roofline.architecture import Transformer

TP_OPTIONS = (1, 2, 4, 8, 16, 32, 64)
CP_OPTIONS = (1, 2, 4, 8, 16)
MICRO_BATCH_OPTIONS = (1, 2, 4, 8)
INTERLEAVE_OPTIONS = (1, 2, 4)
ZERO_OPTIONS = (1, 2, 3)  # 1: optimizer sharded (Megatron distributed optimizer); 2: + grads;
# 3: + weights (FSDP)
RECOMPUTE_OPTIONS = (0, 1)
"""0: none; 1: full. Selective recomputation (Korthikanti et al. 2022) recomputes the
attention scores instead of storing them; under FlashAttention, which every layout here
assumes, the scores are never stored and are recomputed in the backward pass anyway, so
selective recomputation costs and saves nothing beyond "none" and is reported as "none"."""
MIN_TOKENS_PER_CP_RANK = 1024


@dataclass(frozen=True)
class Layout:
    """One parallel layout of a training run."""

    tp: int
    pp: int
    dp: int
    cp: int
    ep: int
    micro_batch: int
    interleave: int
    zero_stage: int
    recompute: str

    def as_dict(self) -> dict[str, int | str]:
        """Plain dict, for JSON."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _pp_options(layers: int) -> list[int]:
    divisors = {d for d in range(1, layers + 1) if layers % d == 0}
    powers = {2**k for k in range(0, 8) if 2**k <= layers}
    return sorted(d for d in divisors | powers if d <= 128)


def _ep_options(model: Transformer) -> list[int]:
    if not model.is_moe:
        return [1]
    return [2**k for k in range(0, 11) if 2**k <= model.experts and model.experts % 2**k == 0]


def layout_grid(model: Transformer, gpus: int, seq_len: int, batch_seqs: int,
                pinned: dict[str, int | str] | None = None) -> dict[str, np.ndarray]:
    """All valid layouts for ``gpus`` GPUs as a dict of equal-length int arrays.

    ``pinned`` fixes any of the layout fields (``recompute`` as ``"none"``/``"full"``).
    """
    pinned = dict(pinned or {})
    if "recompute" in pinned:
        pinned["recompute"] = {"none": 0, "selective": 0, "full": 1}[str(pinned["recompute"])]
    options = {
        "tp": [t for t in TP_OPTIONS if model.heads % t == 0],
        "pp": _pp_options(model.layers),
        "cp": [c for c in CP_OPTIONS if seq_len // c >= MIN_TOKENS_PER_CP_RANK or c == 1],
        "ep": _ep_options(model),
        "micro_batch": list(MICRO_BATCH_OPTIONS),
        "interleave": list(INTERLEAVE_OPTIONS),
        "zero_stage": list(ZERO_OPTIONS),
        "recompute": list(RECOMPUTE_OPTIONS),
    }
    for name, value in pinned.items():
        if name in options:
            options[name] = [int(value)]
    names = list(options)
    mesh = np.meshgrid(*[np.asarray(options[n], dtype=np.int64) for n in names], indexing="ij")
    grid = {n: m.ravel() for n, m in zip(names, mesh, strict=True)}
    model_par = grid["tp"] * grid["pp"] * grid["cp"]
    valid = gpus % model_par == 0
    dp = np.where(valid, gpus // np.maximum(model_par, 1), 0)
    valid &= dp >= 1
    valid &= (dp * grid["cp"]) % grid["ep"] == 0
    valid &= dp * grid["micro_batch"] <= batch_seqs
    layers_per_stage = -(-model.layers // grid["pp"])
    valid &= (grid["interleave"] == 1) | ((grid["pp"] > 1) & (layers_per_stage >= grid["interleave"]))
    if "dp" in pinned:
        valid &= dp == int(pinned["dp"])
    out = {n: a[valid] for n, a in grid.items()}
    out["dp"] = dp[valid]
    return out
