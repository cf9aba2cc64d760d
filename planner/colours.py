"""One colour per energy flow and per accelerator, shared by the explorer and the workbook.

Colours are hex RGB strings (``"#7f7f7f"``); the workbook's charts take them without
the ``#`` (:func:`excel`). A reader who sees grey for grid electricity in the
explorer sees grey for it in the report.
"""

from __future__ import annotations

ENERGY_COLOURS = {
    "grid": "#7f7f7f",
    "ppa": "#1b9e77",
    "pv": "#f2b701",
    "wind": "#4c9be8",
    "onsite": "#8fbf3f",
    "battery_discharge": "#9467bd",
    "battery_charge": "#c5b0d5",
    "backup": "#8c564b",
    "gas": "#e7298a",
    "spill": "#d9d9d9",
    "heat": "#d95f02",
}
"""Energy flow -> colour: grid import, PPA, on-site PV, wind and both together, battery,
standby generation, gas turbine, curtailed renewables, heat sold."""

ACCELERATOR_PALETTE = (
    "#1f77b4", "#f6a600", "#31a354", "#be0032", "#e377c2", "#654522", "#f99379", "#17becf",
    "#8db600", "#e6550d", "#c2b280", "#7b4173", "#848482", "#637939", "#a1caf1", "#882d17",
    "#2b3d26", "#b3446c", "#9467bd", "#393b79",
)
"""Twenty colours that stay apart on a white background: from Kelly's 22 colours of
maximum contrast (K. L. Kelly, "Twenty-two colors of maximum contrast", Color
Engineering 3(6), 1965) and the Tableau 10 / d3 category20 sets, without tones lighter
than L* = 80, ordered by farthest point first in CIELAB, so the first 14 (the
catalogue's accelerators) are at least 30 apart (CIE76 Delta E; before: 4.6, h100-sxm
and mi300x both green)."""


def accelerator_colours(ids: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Accelerator id -> its colour, by its place in ``ids`` (the catalogue's order).

    The same id list gives the same colours everywhere, so gb200 keeps its colour
    whether a chart shows two accelerators or ten. Beyond twenty ids the palette repeats.
    """
    return {acc: ACCELERATOR_PALETTE[i % len(ACCELERATOR_PALETTE)] for i, acc in enumerate(ids)}


def excel(colour: str) -> str:
    """``"#7f7f7f"`` -> ``"7F7F7F"``, the form openpyxl's fills and lines take."""
    return colour.removeprefix("#").upper()
