"""Native Excel charts (openpyxl.chart) over the cells of the report's tables."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.chart import AreaChart, BarChart, LineChart, Reference, ScatterChart, Series
from openpyxl.chart.axis import ChartLines
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.worksheet.worksheet import Worksheet

from planner.colours import excel
from planner.report.sheet import Placed

WIDTH_CM, HEIGHT_CM = 18.0, 9.0
CHART_WIDTH_CHARS = 100  # about WIDTH_CM in Excel's column-width units
MARKER_COLOUR = "1F4E78"


def _size(chart, title: str, x_title: str | None, y_title: str | None) -> None:
    chart.title = title
    chart.width, chart.height = WIDTH_CM, HEIGHT_CM
    chart.x_axis.title = x_title
    chart.y_axis.title = y_title
    chart.y_axis.majorGridlines = ChartLines()
    chart.x_axis.delete = False  # openpyxl >= 3.1 hides axes unless told otherwise
    chart.y_axis.delete = False


def _fill(series: Series, colour: str | None) -> None:
    """Fill a series with ``colour`` (``#rrggbb``, :mod:`planner.colours`); None: Excel's."""
    if colour is not None:
        series.graphicalProperties = GraphicalProperties(solidFill=excel(colour))
        series.graphicalProperties.line.solidFill = excel(colour)


def bar_chart(data: Worksheet, placed: Placed, category: str, values: Sequence[str],
              title: str, y_title: str, rows: tuple[int, int] | None = None,
              stacked: bool = False, horizontal: bool = False,
              colours: dict[str, str] | None = None) -> BarChart:
    """Bars of the ``values`` columns against the ``category`` column of a table.

    ``colours``: column label -> colour, so that a flow or an accelerator has the colour
    the explorer gives it; columns not named keep Excel's.
    """
    first, last = rows or (placed.header_row + 1, placed.last_row)
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    if stacked:
        chart.grouping, chart.overlap = "stacked", 100
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # the table's first row on top
    for label in values:
        col = placed.col(label)
        series = Series(Reference(data, min_col=col, min_row=first, max_row=last), title=label)
        _fill(series, (colours or {}).get(label))
        chart.series.append(series)
    chart.set_categories(Reference(data, min_col=placed.col(category), min_row=first,
                                   max_row=last))
    _size(chart, title, None, y_title)
    if len(values) == 1:
        chart.legend = None
    return chart


def dispatch_chart(data: Worksheet, placed: Placed, rows: tuple[int, int], supply: Sequence[str],
                   load: str, title: str, colours: dict[str, str] | None = None) -> AreaChart:
    """Stacked supply areas and the facility load line over the hours of one day."""
    first, last = rows
    area = AreaChart()
    area.grouping = "stacked"
    for label in supply:
        series = Series(Reference(data, min_col=placed.col(label), min_row=first,
                                  max_row=last), title=label)
        _fill(series, (colours or {}).get(label))
        area.series.append(series)
    hours = Reference(data, min_col=placed.col("hour"), min_row=first, max_row=last)
    area.set_categories(hours)
    line = LineChart()
    line.series.append(Series(Reference(data, min_col=placed.col(load), min_row=first,
                                        max_row=last), title=load))
    line.set_categories(hours)
    _size(area, title, "hour of the day", "power [MW]")
    area.y_axis.number_format = "#,##0.0"
    area += line
    return area


def scatter_chart(data: Worksheet, x: tuple[int, str], y: tuple[int, str], rows: tuple[int, int],
                  title: str) -> ScatterChart:
    """Markers only: column ``y`` against column ``x`` (column number, axis title)."""
    first, last = rows
    chart = ScatterChart()
    series = Series(Reference(data, min_col=y[0], min_row=first, max_row=last),
                    Reference(data, min_col=x[0], min_row=first, max_row=last), title=y[1])
    series.marker.symbol = "circle"
    series.marker.size = 5
    series.marker.graphicalProperties = GraphicalProperties(solidFill=MARKER_COLOUR)
    series.marker.graphicalProperties.line.solidFill = MARKER_COLOUR
    series.graphicalProperties.line.noFill = True
    chart.series.append(series)
    chart.legend = None
    _size(chart, title, x[1], y[1])
    return chart
