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
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354",
    "#756bb1", "#636363", "#fd8d3c", "#6baed6",
)
"""Twenty colours that stay apart from each other on a white background (Tableau 10
followed by darker and lighter tones of the d3 category20b/c sets)."""


def accelerator_colours(ids: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Accelerator id -> its colour, by its place in ``ids`` (the catalogue's order).

    The same id list gives the same colours everywhere, so gb200 keeps its colour
    whether a chart shows two accelerators or ten. Beyond twenty ids the palette repeats.
    """
    return {acc: ACCELERATOR_PALETTE[i % len(ACCELERATOR_PALETTE)] for i, acc in enumerate(ids)}


def excel(colour: str) -> str:
    """``"#7f7f7f"`` -> ``"7F7F7F"``, the form openpyxl's fills and lines take."""
    return colour.removeprefix("#").upper()
