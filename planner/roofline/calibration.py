"""Predicted versus published: training runs and HPL systems of the catalogue.

``calibration_runs.csv`` holds published training runs with their layouts; each is
re-estimated with its layout pinned (tensor, pipeline, context and expert degrees,
and recomputation where published) and the same FLOP convention as its source
(``model``: 6N-style without recomputation, i.e. MFU; ``hardware``: Megatron's count
including recomputation). ``training_compute_efficiency_frac`` is the one factor fitted
to these runs (:func:`fitted_training_efficiency`); ``docs/validation.md`` reports the
error that remains.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planner.catalogue import Catalogue
from planner.errors import GigaplanError
from planner.roofline import api


def _pinned(row: pd.Series) -> dict:
    pinned = {k: int(row[k]) for k in ("tp", "pp", "cp", "ep") if np.isfinite(row[k])}
    if row["recompute"] in ("none", "selective", "full"):
        pinned["recompute"] = row["recompute"]
    return pinned


def training_runs(catalogue: Catalogue) -> pd.DataFrame:
    """One row per published run: measured and predicted TFLOP/s per GPU, their ratio."""
    rows = []
    for run, r in catalogue.calibration_runs.iterrows():
        model = r["model"] if isinstance(r["model"], str) and r["model"] else None
        precision = "bf16" if r["precision"] in ("fp16", "bf16") else r["precision"]
        entry = {"run": run, "accelerator": r["accelerator"], "gpus": int(r["gpus"]),
                 "convention": r["flops_convention"],
                 "measured_tflops_per_gpu": float(r["measured_tflops_per_gpu"])}
        try:
            est = api.estimate_training_run(
                catalogue, r["accelerator"], 1e12, model_id=model,
                params=None if model else float(r["params_b"]) * 1e9, gpus=int(r["gpus"]),
                seq_len=int(r["seq_len"]), precision=precision,
                batch_tokens=float(r["global_batch_seqs"] * r["seq_len"]), pinned=_pinned(r))
        except GigaplanError as exc:
            entry.update(predicted_tflops_per_gpu=float("nan"), ratio=float("nan"),
                         layout=str(exc))
        else:
            predicted = est.hw_tflops_per_gpu if r["flops_convention"] == "hardware" \
                else est.tflops_per_gpu
            layout = est.layout
            entry.update(predicted_tflops_per_gpu=predicted,
                         ratio=predicted / entry["measured_tflops_per_gpu"],
                         layout=f"TP{layout.tp} PP{layout.pp} DP{layout.dp} CP{layout.cp} "
                                f"EP{layout.ep} mb{layout.micro_batch} v{layout.interleave} "
                                f"ZeRO{layout.zero_stage} recompute={layout.recompute}")
        rows.append(entry)
    return pd.DataFrame(rows)


def fitted_training_efficiency(catalogue: Catalogue) -> float:
    """The efficiency that makes the geometric-mean ratio of predicted to measured 1.

    ``current / exp(mean(log(ratio)))`` over the runs that fit in memory (compute time
    scales as 1/efficiency; communication is left as modelled).
    """
    table = training_runs(catalogue)
    ratios = table["ratio"].dropna()
    current = float(catalogue.roofline_parameters.at["training_compute_efficiency_frac", "value"])
    return current / math.exp(float(np.log(ratios).mean()))


def hpl_systems(catalogue: Catalogue) -> pd.DataFrame:
    """TOP500/Green500 systems: predicted Rmax, power and efficiency against published."""
    rows = []
    for system, r in catalogue.reference_systems.iterrows():
        if not np.isfinite(r["gpus"]):
            continue
        est = api.estimate_hpc(catalogue, "hpl", r["accelerator"], int(r["gpus"]))
        rows.append({"system": system, "accelerator": r["accelerator"], "gpus": int(r["gpus"]),
                     "rmax_pflops": float(r["rmax_pflops"]),
                     "predicted_rmax_pflops": est.rmax_pflops,
                     "rmax_ratio": est.rmax_pflops / float(r["rmax_pflops"]),
                     "power_mw": float(r["power_mw"]),
                     "predicted_power_mw": est.power_mw,
                     "power_ratio": est.power_mw / float(r["power_mw"]),
                     "gflops_per_w": float(r["gflops_per_w"]),
                     "predicted_gflops_per_w": est.gflops_per_w})
    return pd.DataFrame(rows)
