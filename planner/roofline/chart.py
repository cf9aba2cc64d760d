"""The roofline chart: ceilings per accelerator with workload operating points (plotly)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from planner.colours import accelerator_colours
from planner.roofline.architecture import Transformer
from planner.roofline.ceilings import attainable_flops
from planner.roofline.hardware import BYTES_PER_VALUE, Accelerator

INTENSITY_RANGE = (0.05, 50000.0)


@dataclass(frozen=True)
class OperatingPoint:
    """A workload on the chart: arithmetic intensity [FLOP/byte] and its precision."""

    label: str
    intensity_flop_per_byte: float
    precision: str


def transformer_points(model: Transformer, seq_len: int = 8192, micro_batch: int = 1,
                       decode_batch: int = 64, precision: str = "bf16") -> list[OperatingPoint]:
    """Training (one layer's GEMMs on a micro-batch) and decode (one step) intensities.

    Training: ``2 P t / (P b_w + 2 t h b_a)`` for ``t = micro_batch * seq_len`` tokens
    through a layer of ``P`` parameters; decode: ``2 N_a B / (N_a b_w)`` for a batch of
    ``B`` sequences reading the active weights once per step (KV-cache reads lower it).
    """
    w = BYTES_PER_VALUE[precision]
    layer = model.attention_params() + model.mlp_matrices * model.hidden * model.ffn
    tokens = micro_batch * seq_len
    training = 2.0 * layer * tokens / (layer * w + 2.0 * tokens * model.hidden * 2.0)
    decode = 2.0 * decode_batch / w
    return [OperatingPoint(f"{model.id} training", training, precision),
            OperatingPoint(f"{model.id} decode (batch {decode_batch})", decode, precision)]


WORKLOAD_SYMBOLS = ("circle", "diamond", "square", "triangle-up", "star", "cross",
                    "triangle-down", "x", "pentagon", "hexagon")
"""Marker symbol of each workload (by its place in the list of points)."""


def roofline_figure(accelerators: list[Accelerator], points: list[OperatingPoint],
                    precision: str = "bf16",
                    colours: dict[str, str] | None = None) -> go.Figure:
    """Log-log roofline: achievable TFLOP/s against FLOP/byte, one ceiling per accelerator.

    Ceilings use each chip's measured efficiencies (``accelerator_efficiency.csv``);
    points are placed on the ceiling of every chip at their intensity, in the chip's
    colour, with one marker symbol and one legend entry per workload (on its first
    point). ``colours`` maps accelerator id -> colour (:func:`planner.colours.accelerator_colours` of the
    catalogue's ids, so a chip has its colour on every chart); by default the chips'
    order here.
    """
    colours = colours or accelerator_colours([a.id for a in accelerators])
    x = np.geomspace(*INTENSITY_RANGE, 200)
    fig = go.Figure()
    for acc in accelerators:
        if precision not in acc.peak_flops:
            continue
        y = attainable_flops(acc.peak(precision), acc.hbm_bytes_per_s, x,
                             acc.compute_efficiency(precision), acc.memory_efficiency) / 1e12
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=f"{acc.id} ({precision})",
                                 line={"color": colours.get(acc.id)}, legendgroup="ceilings",
                                 legendgrouptitle={"text": "ceiling [TFLOP/s]"},
                                 hovertemplate=f"{acc.id}<br>%{{x:.3g}} FLOP/byte: "
                                               "%{y:,.0f} TFLOP/s<extra></extra>"))
    for i, pt in enumerate(points):
        symbol = WORKLOAD_SYMBOLS[i % len(WORKLOAD_SYMBOLS)]
        first = True  # the workload's first point carries its legend entry
        for acc in accelerators:
            if pt.precision not in acc.peak_flops:
                continue
            yp = float(attainable_flops(acc.peak(pt.precision), acc.hbm_bytes_per_s,
                                        pt.intensity_flop_per_byte,
                                        acc.compute_efficiency(pt.precision),
                                        acc.memory_efficiency)) / 1e12
            fig.add_trace(go.Scatter(
                x=[pt.intensity_flop_per_byte], y=[yp], mode="markers",
                name=pt.label if first else f"{pt.label} on {acc.id}", showlegend=first,
                legendgroup=pt.label,
                legendgrouptitle={"text": "workload (a point on each ceiling)"}
                if first and i == 0 else None,
                marker={"size": 10, "symbol": symbol, "color": colours.get(acc.id),
                        "line": {"color": "white", "width": 1}},
                hovertemplate=f"{pt.label} on {acc.id} ({pt.precision})<br>%{{x:.3g}} "
                              "FLOP/byte: %{y:,.0f} TFLOP/s<extra></extra>"))
            first = False
    fig.update_layout(xaxis={"type": "log", "title": "arithmetic intensity [FLOP/byte]"},
                      yaxis={"type": "log", "title": "attainable throughput [TFLOP/s]"},
                      title=f"Roofline ({precision}, achieved ceilings)", template="plotly_white",
                      legend={"groupclick": "toggleitem"})
    return fig
