"""Power as a function of utilisation, and goodput of long runs under failures."""

from __future__ import annotations

import math

from planner.roofline.hardware import Accelerator, RooflineParameters


def gpu_power_w(tdp_w: float, idle_frac: float, busy_frac: float, full_activity_frac: float) -> float:
    """Average GPU power [W] at a busy fraction of time.

    ``P = TDP * (idle + (full_activity - idle) * busy)``: idle power while waiting on
    communication and pipeline bubbles, ``full_activity * TDP`` while computing
    (``gpu_power_at_full_activity_frac``; StarCoder's A100s averaged 0.70 of TDP over a
    whole run, Li et al. 2023).
    """
    busy = min(max(busy_frac, 0.0), 1.0)
    return tdp_w * (idle_frac + (full_activity_frac - idle_frac) * busy)


def fleet_power_w(acc: Accelerator, gpus: int, busy_frac: float,
                  p: RooflineParameters) -> tuple[float, float]:
    """(average power per GPU [W], IT power of the fleet's nodes [W]).

    Node power adds the non-GPU part of the node (CPUs, memory, NICs, fans:
    ``node_power - gpus_per_node * TDP``) at ``node_overhead_load_frac``. Facility
    overheads (PUE) are applied by the optimiser, not here.
    """
    gpu = gpu_power_w(acc.tdp_w, acc.idle_power_frac, busy_frac,
                      p["gpu_power_at_full_activity_frac"])
    overhead = max(acc.node_power_w - acc.gpus_per_node * acc.tdp_w, 0.0)
    nodes = math.ceil(gpus / acc.gpus_per_node)
    return gpu, gpus * gpu + nodes * overhead * p["node_overhead_load_frac"]


def node_power_w(acc: Accelerator, gpu_w: float, p: RooflineParameters) -> float:
    """IT power of one node [W] whose GPUs draw ``gpu_w`` each (see :func:`fleet_power_w`)."""
    overhead = max(acc.node_power_w - acc.gpus_per_node * acc.tdp_w, 0.0)
    return acc.gpus_per_node * gpu_w + overhead * p["node_overhead_load_frac"]


def goodput_frac(gpus: int, run_hours: float, p: RooflineParameters) -> float:
    """Fraction of wall time that advances training, with optimal checkpointing.

    Failures arrive at ``lambda = gpus * r`` per hour (``failure_rate_per_gpu_hour``, from
    Llama 3's 419 unexpected interruptions in 54 days on 16,384 GPUs). Checkpointing every
    ``tau = sqrt(2 C / lambda)`` (Young 1974) loses ``C / tau`` to writing and
    ``lambda * (tau / 2 + R)`` to rework and restarts (C: checkpoint write, R: restart).

    References
    ----------
    Young, J. W. (1974). A first order approximation to the optimum checkpoint interval.
    Communications of the ACM 17(9), 530-531.
    """
    rate = gpus * p["failure_rate_per_gpu_hour"]
    write_h = p["checkpoint_write_s"] / 3600.0
    restart_h = p["restart_s"] / 3600.0
    if rate <= 0 or run_hours <= 0:
        return 1.0
    tau = math.sqrt(2.0 * write_h / rate)
    lost = write_h / tau + rate * (tau / 2.0 + restart_h)
    return max(0.05, 1.0 / (1.0 + lost))
