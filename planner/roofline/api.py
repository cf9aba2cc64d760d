"""Catalogue-level entry points of the performance core (what the CLI and app call)."""

from __future__ import annotations

import math

from planner.catalogue import Catalogue
from planner.errors import UsageError, did_you_mean, list_allowed
from planner.roofline import hpc, inference, training
from planner.roofline.architecture import Transformer, derive, from_catalogue
from planner.roofline.hardware import RooflineParameters, accelerator, roofline_parameters

DEFAULT_SEQ_LEN = 8192


def default_batch_tokens(params: float, p: RooflineParameters) -> float:
    """Global batch [tokens] by model size: log-linear between two published anchors.

    4M tokens up to 70B parameters (Llama 2), 16M from 400B (Llama 3 405B), log-linear
    in ``log(params)`` between (``roofline_parameters.csv``).
    """
    small, large = p["default_tokens_per_batch_small"], p["default_tokens_per_batch_large"]
    lo = p["default_tokens_per_batch_interp_min_params_b"] * 1e9
    hi = p["default_tokens_per_batch_interp_max_params_b"] * 1e9
    if params <= lo:
        return small
    if params >= hi:
        return large
    x = (math.log(params) - math.log(lo)) / (math.log(hi) - math.log(lo))
    return math.exp(math.log(small) + x * (math.log(large) - math.log(small)))


def resolve_model(catalogue: Catalogue, model_id: str | None, params: float | None,
                  active_params: float | None) -> Transformer:
    """A catalogue model by id, or a derived architecture from parameter counts."""
    if model_id:
        return from_catalogue(catalogue, model_id)
    if params is None:
        raise UsageError.single("give a model id or a parameter count", field="--model/--params")
    return derive(params, active_params)


def estimate_training_run(catalogue: Catalogue, accelerator_id: str, tokens: float,
                          model_id: str | None = None, params: float | None = None,
                          active_params: float | None = None, gpus: int | None = None,
                          deadline_days: float | None = None, seq_len: int = DEFAULT_SEQ_LEN,
                          precision: str = "bf16", batch_tokens: float | None = None,
                          pinned: dict | None = None) -> training.TrainingEstimate:
    """Time on a given fleet (``gpus``) or the fewest GPUs for a deadline (``deadline_days``)."""
    if (gpus is None) == (deadline_days is None):
        raise UsageError.single("give exactly one of --gpus or --deadline-days")
    if tokens <= 0 or seq_len <= 0 or (gpus is not None and gpus <= 0):
        raise UsageError.single("tokens, sequence length and GPUs must be positive")
    model = resolve_model(catalogue, model_id, params, active_params)
    p = roofline_parameters(catalogue)
    acc = accelerator(catalogue, accelerator_id)
    batch = batch_tokens or default_batch_tokens(model.total_params(), p)
    req = training.TrainingRequest(model=model, tokens=tokens, seq_len=seq_len,
                                   batch_tokens=batch, precision=precision)
    if gpus is not None:
        return training.estimate_training(req, acc, p, gpus, pinned)
    return training.fewest_gpus_for_deadline(req, acc, p, deadline_days, pinned=pinned)


def estimate_inference(catalogue: Catalogue, accelerator_id: str, model_id: str,
                       prompt_tokens: int = 2000, output_tokens: int = 500, ttft_s: float = 2.0,
                       tpot_ms: float = 50.0, precision: str = "fp8",
                       demand_output_tokens_per_s: float | None = None
                       ) -> inference.InferenceEstimate:
    """Serving throughput per GPU under latency targets, and GPUs for a demand."""
    req = inference.InferenceRequest(
        model=from_catalogue(catalogue, model_id), prompt_tokens=prompt_tokens,
        output_tokens=output_tokens, ttft_s=ttft_s, tpot_s=tpot_ms / 1e3, precision=precision,
        demand_output_tokens_per_s=demand_output_tokens_per_s)
    return inference.estimate_inference(req, accelerator(catalogue, accelerator_id),
                                        roofline_parameters(catalogue))


def hpc_kernel(catalogue: Catalogue, kernel_id: str) -> hpc.HpcKernel:
    """The catalogue's kernel ``kernel_id``."""
    table = catalogue.hpc_kernels
    if kernel_id not in table.index:
        raise UsageError.single(f"unknown HPC kernel '{kernel_id}'"
                                f"{did_you_mean(kernel_id, table.index)}", field="kernel",
                                allowed=list_allowed(table.index))
    row = table.loc[kernel_id]
    return hpc.HpcKernel(id=kernel_id, precision=str(row["precision"]),
                         intensity_flop_per_byte=float(row["arithmetic_intensity_flop_per_byte"]),
                         efficiency=float(row["compute_efficiency_frac"]))


def estimate_hpc(catalogue: Catalogue, kernel_id: str, accelerator_id: str, gpus: int,
                 demand_pflops: float | None = None) -> hpc.HpcEstimate:
    """Sustained throughput, power and efficiency of ``gpus`` GPUs on a kernel."""
    if gpus <= 0:
        raise UsageError.single("the number of GPUs must be positive", field="gpus")
    return hpc.estimate_hpc(hpc_kernel(catalogue, kernel_id), accelerator(catalogue, accelerator_id),
                            gpus, roofline_parameters(catalogue), demand_pflops)
