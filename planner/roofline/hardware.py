"""Accelerators and roofline parameters as typed objects, read from the catalogue."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.catalogue import Catalogue
from planner.errors import UsageError, did_you_mean, list_allowed

PRECISIONS = ("fp64", "bf16", "fp8", "fp4")
BYTES_PER_VALUE = {"fp64": 8.0, "fp32": 4.0, "bf16": 2.0, "fp8": 1.0, "fp4": 0.5}


@dataclass(frozen=True)
class Accelerator:
    """One accelerator type with its ceilings in SI units (FLOP/s, byte/s, W).

    Peaks are dense vendor peaks; ``*_efficiency`` are the achieved fractions of
    ``accelerator_efficiency.csv`` that turn them into roofline ceilings.
    """

    id: str
    name: str
    peak_flops: dict[str, float]
    hbm_bytes: float
    hbm_bytes_per_s: float
    scaleup_bytes_per_s: float  # per direction, per GPU
    scaleup_domain_gpus: int
    scaleout_bytes_per_s: float  # per direction, per GPU
    tdp_w: float
    gpus_per_node: int
    node_power_w: float
    gemm_efficiency: float
    fp64_efficiency: float
    memory_efficiency: float
    scaleup_efficiency: float
    scaleout_efficiency: float
    idle_power_frac: float

    def peak(self, precision: str) -> float:
        """Dense peak at ``precision`` [FLOP/s]; a UsageError if the chip lacks it."""
        value = self.peak_flops.get(precision)
        if value is None or not np.isfinite(value) or value <= 0:
            have = [p for p, v in self.peak_flops.items() if v and np.isfinite(v)]
            raise UsageError.single(f"{self.id} has no {precision} peak in the catalogue",
                                    field="precision", allowed=", ".join(have))
        return value

    def compute_efficiency(self, precision: str) -> float:
        """Achievable fraction of the peak: DGEMM/HPL-class for FP64, GEMM otherwise."""
        return self.fp64_efficiency if precision == "fp64" else self.gemm_efficiency


def accelerator(catalogue: Catalogue, accelerator_id: str) -> Accelerator:
    """Build an :class:`Accelerator` from the catalogue (with did-you-mean on a bad id)."""
    table = catalogue.accelerators
    if accelerator_id not in table.index:
        raise UsageError.single(
            f"unknown accelerator '{accelerator_id}'{did_you_mean(accelerator_id, table.index)}",
            field="accelerator", allowed=list_allowed(table.index))
    row = table.loc[accelerator_id]
    eff = catalogue.accelerator_efficiency.loc[accelerator_id]
    tflops = {p: row[f"{p}_tflops"] for p in PRECISIONS}
    return Accelerator(
        id=accelerator_id,
        name=str(row["name"]),
        peak_flops={p: float(v) * 1e12 for p, v in tflops.items() if np.isfinite(v)},
        hbm_bytes=float(row["hbm_gb"]) * 1e9,
        hbm_bytes_per_s=float(row["hbm_tb_per_s"]) * 1e12,
        scaleup_bytes_per_s=float(row["scaleup_gb_per_s"]) * 1e9 / 2.0,
        scaleup_domain_gpus=int(row["scaleup_domain_gpus"]),
        scaleout_bytes_per_s=float(row["scaleout_gbit_per_s"]) * 1e9 / 8.0,
        tdp_w=float(row["tdp_w"]),
        gpus_per_node=int(row["gpus_per_node"]),
        node_power_w=float(row["node_power_kw"]) * 1e3,
        gemm_efficiency=float(eff["gemm_efficiency_frac"]),
        fp64_efficiency=float(eff["fp64_efficiency_frac"]) if np.isfinite(
            eff["fp64_efficiency_frac"]) else float("nan"),
        memory_efficiency=float(eff["memory_efficiency_frac"]),
        scaleup_efficiency=float(eff["scaleup_efficiency_frac"]),
        scaleout_efficiency=float(eff["scaleout_efficiency_frac"]),
        idle_power_frac=float(eff["idle_power_frac"]),
    )


@dataclass(frozen=True)
class RooflineParameters:
    """Global parameters of the performance core (``roofline_parameters.csv``)."""

    values: dict[str, float]

    def __getitem__(self, name: str) -> float:
        return self.values[name]


def roofline_parameters(catalogue: Catalogue) -> RooflineParameters:
    """Read the global parameters as floats."""
    table = catalogue.roofline_parameters
    return RooflineParameters({str(k): float(v) for k, v in table["value"].items()})
