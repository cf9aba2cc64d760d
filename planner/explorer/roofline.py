"""The roofline chart of a scenario: its accelerators with its workloads on them."""

from __future__ import annotations

from collections import Counter

import plotly.graph_objects as go

from planner.catalogue import Catalogue
from planner.colours import accelerator_colours
from planner.roofline.architecture import derive, from_catalogue
from planner.roofline.chart import OperatingPoint, roofline_figure, transformer_points
from planner.roofline.hardware import accelerator
from planner.scenario import Scenario


def workload_points(scenario: Scenario, catalogue: Catalogue) -> list[OperatingPoint]:
    """One operating point per workload of the scenario.

    Training at its layers' GEMM intensity, inference at decode, HPC at its kernel's
    arithmetic intensity (``hpc_kernels.csv``).
    """
    points = []
    for run in scenario.workloads.training:
        model = from_catalogue(catalogue, run.model) if run.model else derive(
            run.params_b * 1e9, run.active_params_b * 1e9 if run.active_params_b else None)
        kwargs = {"seq_len": run.seq_len} if run.seq_len else {}
        training = transformer_points(model, precision=run.precision.value, **kwargs)[0]
        points.append(OperatingPoint(f"{run.id} (training)", training.intensity_flop_per_byte,
                                     training.precision))
    for demand in scenario.workloads.inference:
        decode = transformer_points(from_catalogue(catalogue, demand.model),
                                    precision=demand.precision.value)[1]
        points.append(OperatingPoint(f"{demand.id} (inference decode)",
                                     decode.intensity_flop_per_byte, decode.precision))
    kernels = catalogue.hpc_kernels
    for demand in scenario.workloads.hpc:
        points.append(OperatingPoint(
            f"{demand.id} ({demand.kernel})",
            float(kernels.at[demand.kernel, "arithmetic_intensity_flop_per_byte"]),
            str(kernels.at[demand.kernel, "precision"])))
    return points


def main_precision(points: list[OperatingPoint]) -> str:
    """The precision most of the workloads use (ties: the first workload's)."""
    if not points:
        return "bf16"
    counts = Counter(p.precision for p in points)
    return max(counts, key=lambda p: (counts[p], -[q.precision for q in points].index(p)))


def scenario_roofline(scenario: Scenario, catalogue: Catalogue,
                      precision: str | None = None) -> go.Figure:
    """Ceilings of the scenario's accelerators at ``precision`` with its workloads placed.

    Points of another precision than the ceilings drawn are placed on their own
    precision's ceiling (see :func:`planner.roofline.chart.roofline_figure`).
    """
    points = workload_points(scenario, catalogue)
    precision = precision or main_precision(points)
    accs = [accelerator(catalogue, a) for a in scenario.accelerators]
    fig = roofline_figure(accs, points, precision,
                          accelerator_colours(catalogue.ids("accelerators")))
    fig.update_layout(height=520, title=f"Roofline of {scenario.name} ({precision} ceilings)")
    return fig
