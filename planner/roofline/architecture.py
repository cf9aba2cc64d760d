"""Transformer architectures: parameter counts and per-token operator FLOPs and bytes.

Counts follow the Megatron-LM analysis (Narayanan et al. 2021, §5.1) extended to
grouped-query attention, SwiGLU MLPs and mixture-of-experts layers:

- attention: Q and output projections ``2 h^2``, K and V projections ``2 h h_kv``
  parameters (``h_kv = h * kv_heads / heads``); scores and context ``2 * 2 s h`` FLOPs
  per token, halved by the causal mask;
- MLP: ``m h f`` parameters with ``m = 3`` matrices for SwiGLU, 2 for GELU; MoE layers
  have ``E`` routed experts of width ``f_e`` of which ``k`` (plus shared experts) are
  active, and a router ``h E``;
- embeddings and the output layer: ``2 V h`` parameters (untied).

A forward pass costs 2 FLOPs per parameter used per token plus attention; training
costs three forward passes (forward, and backward for inputs and weights).

References
----------
Narayanan, D. et al. (2021). Efficient large-scale language model training on GPU
clusters using Megatron-LM. SC'21. arXiv:2104.04473.
Kaplan, J. et al. (2020). Scaling laws for neural language models. arXiv:2001.08361.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.catalogue import Catalogue
from planner.errors import UsageError, did_you_mean, list_allowed

DERIVED_ASPECT_RATIO = 128
"""Hidden size per layer of derived architectures: h = 128 L (Llama 3 8B: 4096/32 = 128;
405B: 16384/126 = 130; Kaplan et al. 2020 find loss flat for h/L between ~50 and ~200)."""
HEAD_DIM = 128
DERIVED_KV_HEADS = 8
DERIVED_VOCAB = 128_256
DERIVED_TOP_K = 8


@dataclass(frozen=True)
class Transformer:
    """A decoder-only transformer. MoE fields are zero for dense models."""

    id: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    ffn: int
    vocab: int
    mlp_matrices: int = 3
    experts: int = 0
    top_k: int = 0
    shared_experts: int = 0
    expert_ffn: int = 0
    dense_layers: int = 0
    max_seq_len: int = 131_072

    @property
    def is_moe(self) -> bool:
        """True for mixture-of-experts models."""
        return self.experts > 1

    @property
    def kv_hidden(self) -> float:
        """Width of the K and V projections: ``h * kv_heads / heads``."""
        return self.hidden * self.kv_heads / self.heads

    @property
    def moe_layers(self) -> int:
        """Number of MoE layers (all but the leading dense ones)."""
        return self.layers - self.dense_layers if self.is_moe else 0

    def attention_params(self) -> float:
        """Attention parameters of one layer."""
        return 2.0 * self.hidden**2 + 2.0 * self.hidden * self.kv_hidden

    def expert_params(self) -> float:
        """Parameters of all routed experts (the part sharded by expert parallelism)."""
        return self.moe_layers * self.experts * self.mlp_matrices * self.hidden * self.expert_ffn

    def dense_params(self) -> float:
        """Parameters outside routed experts: attention, dense and shared MLPs, router, embeddings."""
        dense_mlp = (self.layers - self.moe_layers) * self.mlp_matrices * self.hidden * self.ffn
        shared_expert = self.mlp_matrices * self.hidden * self.expert_ffn
        shared = self.moe_layers * (self.shared_experts * shared_expert + self.hidden * self.experts)
        return (self.layers * self.attention_params() + dense_mlp + shared
                + 2.0 * self.vocab * self.hidden)

    def total_params(self) -> float:
        """All parameters."""
        return self.dense_params() + self.expert_params()

    def active_params(self) -> float:
        """Parameters used per token."""
        if not self.is_moe:
            return self.total_params()
        active_experts = (self.moe_layers * self.top_k * self.mlp_matrices * self.hidden
                          * self.expert_ffn)
        return self.dense_params() + active_experts

    def mlp_flops_per_token_layer(self, moe: bool) -> float:
        """Forward MLP FLOPs per token of one (dense or MoE) layer."""
        if not moe:
            return 2.0 * self.mlp_matrices * self.hidden * self.ffn
        experts = ((self.top_k + self.shared_experts) * 2.0 * self.mlp_matrices * self.hidden
                   * self.expert_ffn)
        return experts + 2.0 * self.hidden * self.experts

    def attention_flops_per_token_layer(self, seq_len: float) -> float:
        """Forward attention FLOPs per token of one layer, causal: projections + scores."""
        return 2.0 * self.attention_params() + 2.0 * seq_len * self.hidden

    def forward_flops_per_token(self, seq_len: float) -> float:
        """Forward FLOPs per token of the whole model including the output layer."""
        attention = self.layers * self.attention_flops_per_token_layer(seq_len)
        mlp = ((self.layers - self.moe_layers) * self.mlp_flops_per_token_layer(False)
               + self.moe_layers * self.mlp_flops_per_token_layer(True))
        return attention + mlp + 2.0 * self.vocab * self.hidden

    def model_flops_per_token(self, seq_len: float) -> float:
        """Training FLOPs per token without recomputation (3 forward passes): MFU's numerator."""
        return 3.0 * self.forward_flops_per_token(seq_len)


def from_catalogue(catalogue: Catalogue, model_id: str) -> Transformer:
    """The catalogue's architecture ``model_id``."""
    table = catalogue.llm_models
    if model_id not in table.index:
        raise UsageError.single(f"unknown model '{model_id}'{did_you_mean(model_id, table.index)}",
                                field="model", allowed=list_allowed(table.index))
    r = table.loc[model_id]

    def opt(name: str) -> int:
        return int(r[name]) if np.isfinite(r[name]) else 0

    return Transformer(id=model_id, layers=int(r["layers"]), hidden=int(r["hidden_size"]),
                       heads=int(r["heads"]), kv_heads=int(r["kv_heads"]),
                       ffn=int(r["ffn_hidden_size"]), vocab=int(r["vocab_size"]),
                       mlp_matrices=int(r["mlp_matrices"]),
                       experts=opt("experts"), top_k=opt("experts_per_token"),
                       shared_experts=opt("shared_experts"), expert_ffn=opt("moe_ffn_hidden_size"),
                       dense_layers=opt("dense_layers"), max_seq_len=int(r["max_seq_len"]))


def _round_to(value: float, multiple: int) -> int:
    return max(multiple, int(round(value / multiple)) * multiple)


def derive(params: float, active_params: float | None = None) -> Transformer:
    """A standard architecture for a parameter count (documented rule).

    Dense (or the dense backbone of an MoE with ``active_params``), Llama-style:
    SwiGLU with ``f = 8h/3`` so a layer holds ``12 h^2`` parameters, head dimension 128,
    8 KV heads, vocabulary 128,256. The width follows the aspect ratio ``h = 128 L``:
    ``h = (128 N / 12)^(1/3)`` rounded to a multiple of 1024 (so heads divide by 8 for
    tensor parallelism), then ``L = (N - 2 V h) / p_layer`` with the layer's actual
    parameter count ``p_layer`` (GQA attention and SwiGLU), so the total matches ``N``
    to within one layer. For 405e9 this gives h 16384 (Llama 3 405B's width). An MoE
    (``active_params < params``) keeps that backbone for the active parameters, routes
    top-8 of ``E`` experts of width ``f/8`` in every layer, and sets ``E`` so the total
    matches ``params``.
    """
    if params <= 0 or (active_params is not None and not 0 < active_params <= params):
        raise UsageError.single("parameter counts must be positive, active <= total",
                                field="params")
    backbone = active_params if active_params is not None else params
    hidden = _round_to((DERIVED_ASPECT_RATIO * backbone / 12.0) ** (1.0 / 3.0), 8 * HEAD_DIM)
    heads = hidden // HEAD_DIM
    ffn = _round_to(8.0 * hidden / 3.0, 256)
    kv = min(DERIVED_KV_HEADS, heads)
    per_layer = 2.0 * hidden**2 + 2.0 * hidden * hidden * kv / heads + 3.0 * hidden * ffn
    layers = max(1, round((backbone - 2.0 * DERIVED_VOCAB * hidden) / per_layer))
    dense = Transformer(id=f"derived-{params / 1e9:g}b", layers=layers, hidden=hidden, heads=heads,
                        kv_heads=kv, ffn=ffn, vocab=DERIVED_VOCAB)
    if active_params is None or active_params >= params:
        return dense
    expert_ffn = _round_to(ffn / DERIVED_TOP_K, 64)
    per_expert = layers * 3.0 * hidden * expert_ffn
    routed_total = params - (dense.total_params() - layers * 3.0 * hidden * ffn)
    experts = max(DERIVED_TOP_K + 1, int(math.ceil(routed_total / per_expert)))
    return Transformer(id=f"derived-{params / 1e9:g}b-moe", layers=layers, hidden=hidden,
                       heads=heads, kv_heads=kv, ffn=ffn, vocab=DERIVED_VOCAB, experts=experts,
                       top_k=DERIVED_TOP_K, expert_ffn=expert_ffn)
