"""The roofline: attainable throughput from peak compute, bandwidth and intensity.

References
----------
Williams, S., Waterman, A., Patterson, D. (2009). Roofline: an insightful visual
performance model for multicore architectures. Communications of the ACM 52(4),
65-76. doi:10.1145/1498765.1498785
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def attainable_flops(peak_flops: ArrayLike, bandwidth_bytes_per_s: ArrayLike,
                     intensity_flop_per_byte: ArrayLike, compute_efficiency: ArrayLike = 1.0,
                     memory_efficiency: ArrayLike = 1.0) -> np.ndarray:
    """Attainable throughput of a kernel on one device [FLOP/s].

    ``min(peak * compute_efficiency, intensity * bandwidth * memory_efficiency)``.

    Parameters
    ----------
    peak_flops : dense peak of the device at the kernel's precision [FLOP/s].
    bandwidth_bytes_per_s : peak memory bandwidth [byte/s].
    intensity_flop_per_byte : arithmetic intensity of the kernel [FLOP/byte].
    compute_efficiency : achievable fraction of the compute peak [-].
    memory_efficiency : achievable fraction of the bandwidth [-].

    Examples
    --------
    H100 SXM, BF16 989.4 TFLOP/s and 3.35 TB/s: a kernel of intensity 100 FLOP/byte is
    memory-bound at 335 TFLOP/s; the ridge point is at 295 FLOP/byte.
    """
    compute = np.asarray(peak_flops, float) * np.asarray(compute_efficiency, float)
    memory = (np.asarray(intensity_flop_per_byte, float) * np.asarray(bandwidth_bytes_per_s, float)
              * np.asarray(memory_efficiency, float))
    return np.minimum(compute, memory)


def kernel_time_s(flops: ArrayLike, bytes_moved: ArrayLike, peak_flops: ArrayLike,
                  bandwidth_bytes_per_s: ArrayLike, compute_efficiency: ArrayLike = 1.0,
                  memory_efficiency: ArrayLike = 1.0) -> np.ndarray:
    """Time of a kernel [s]: the slower of its compute and its memory traffic.

    ``max(flops / (peak * ce), bytes / (bandwidth * me))`` — the roofline read as time,
    equal to ``flops / attainable_flops(...)`` with intensity ``flops / bytes``.
    """
    compute = np.asarray(flops, float) / (np.asarray(peak_flops, float)
                                          * np.asarray(compute_efficiency, float))
    memory = np.asarray(bytes_moved, float) / (np.asarray(bandwidth_bytes_per_s, float)
                                               * np.asarray(memory_efficiency, float))
    return np.maximum(compute, memory)


def ridge_point_flop_per_byte(peak_flops: ArrayLike, bandwidth_bytes_per_s: ArrayLike) -> np.ndarray:
    """Arithmetic intensity where a device turns compute-bound [FLOP/byte]."""
    return np.asarray(peak_flops, float) / np.asarray(bandwidth_bytes_per_s, float)


def ring_allreduce_s(size_bytes: ArrayLike, ranks: ArrayLike, bandwidth_bytes_per_s: ArrayLike,
                     latency_s: ArrayLike = 0.0) -> np.ndarray:
    """Time of a ring all-reduce [s]: ``2 (n-1)/n * S / B + 2 (n-1) * latency``.

    Reduce-scatter followed by all-gather; each half moves ``(n-1)/n`` of the data over
    every rank's link. Zero for one rank.

    References
    ----------
    Thakur, R., Rabenseifner, R., Gropp, W. (2005). Optimization of collective
    communication operations in MPICH. IJHPCA 19(1), 49-66.
    """
    n = np.asarray(ranks, float)
    steps = 2.0 * (n - 1.0)
    return (steps / n * np.asarray(size_bytes, float) / np.asarray(bandwidth_bytes_per_s, float)
            + steps * np.asarray(latency_s, float))


def all_to_all_s(size_bytes: ArrayLike, ranks: ArrayLike, bandwidth_bytes_per_s: ArrayLike,
                 latency_s: ArrayLike = 0.0) -> np.ndarray:
    """Time of an all-to-all of ``size_bytes`` per rank [s]: ``(n-1)/n * S / B + (n-1) * latency``."""
    n = np.asarray(ranks, float)
    return ((n - 1.0) / n * np.asarray(size_bytes, float) / np.asarray(bandwidth_bytes_per_s, float)
            + (n - 1.0) * np.asarray(latency_s, float))
