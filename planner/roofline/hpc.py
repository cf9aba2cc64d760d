"""HPC kernels on the roofline: sustained throughput and power of a fleet."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from planner.roofline.ceilings import attainable_flops
from planner.roofline.hardware import Accelerator, RooflineParameters
from planner.roofline.power import fleet_power_w


@dataclass(frozen=True)
class HpcKernel:
    """A kernel's roofline operating point (``hpc_kernels.csv``)."""

    id: str
    precision: str
    intensity_flop_per_byte: float
    efficiency: float


@dataclass(frozen=True)
class HpcEstimate:
    """Sustained throughput and power of ``gpus`` GPUs on one kernel."""

    kernel: str
    accelerator: str
    gpus: int
    tflops_per_gpu: float
    rmax_pflops: float
    bound: str
    power_mw: float
    gflops_per_w: float
    gpus_for_pflops: int | None

    def as_dict(self) -> dict:
        """Plain dict for JSON."""
        return asdict(self)


def kernel_rate_flops(kernel: HpcKernel, acc: Accelerator) -> tuple[float, str]:
    """Sustained FLOP/s per GPU and whether compute or memory bounds it.

    ``efficiency * min(peak * ceiling, intensity * bandwidth)``: the compute ceiling is
    the chip's measured fraction of peak at that precision (for FP64 the HPL fraction of
    ``accelerator_efficiency.csv``), the memory roof is the peak HBM bandwidth, and the
    kernel's efficiency is its achieved fraction of that roofline (1.0 for HPL, which
    defines the FP64 ceiling; HPCG and stencils from published runs).
    """
    peak = acc.peak(kernel.precision)
    compute = peak * acc.compute_efficiency(kernel.precision)
    rate = float(attainable_flops(peak, acc.hbm_bytes_per_s, kernel.intensity_flop_per_byte,
                                  acc.compute_efficiency(kernel.precision), 1.0))
    bound = "compute" if rate >= compute * (1 - 1e-9) else "memory"
    return kernel.efficiency * rate, bound


def estimate_hpc(kernel: HpcKernel, acc: Accelerator, gpus: int, p: RooflineParameters,
                 demand_pflops: float | None = None) -> HpcEstimate:
    """Rmax-style sustained throughput, IT power and efficiency of a fleet on ``kernel``."""
    rate, bound = kernel_rate_flops(kernel, acc)
    _, it_w = fleet_power_w(acc, gpus, 1.0, p)
    rmax = gpus * rate
    need = None if demand_pflops is None else int(-(-demand_pflops * 1e15 // rate))
    return HpcEstimate(kernel=kernel.id, accelerator=acc.id, gpus=gpus, tflops_per_gpu=rate / 1e12,
                       rmax_pflops=rmax / 1e15, bound=bound, power_mw=it_w / 1e6,
                       gflops_per_w=rmax / it_w / 1e9, gpus_for_pflops=need)
