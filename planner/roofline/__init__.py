"""The roofline performance core: from a workload to accelerators, time and energy.

Pure functions of numpy arrays (``ceilings``, ``architecture``, ``power``) and a
vectorised layout search (``layouts``, ``training``) turn a workload into what the
optimiser needs per accelerator type: sustained useful throughput per GPU, whether
and how the model fits in memory, and power. Efficiency factors are catalogue data
(``accelerator_efficiency.csv``, ``roofline_parameters.csv``); the remaining error
against published runs is stated in ``docs/validation.md``.
"""

from planner.roofline.api import (
    default_batch_tokens,
    estimate_hpc,
    estimate_inference,
    estimate_training_run,
)
from planner.roofline.architecture import Transformer, derive, from_catalogue
from planner.roofline.ceilings import attainable_flops, kernel_time_s, ridge_point_flop_per_byte
from planner.roofline.training import TrainingEstimate, TrainingRequest

__all__ = [
    "Transformer", "TrainingEstimate", "TrainingRequest", "attainable_flops",
    "default_batch_tokens", "derive", "estimate_hpc", "estimate_inference",
    "estimate_training_run", "from_catalogue", "kernel_time_s", "ridge_point_flop_per_byte",
]
