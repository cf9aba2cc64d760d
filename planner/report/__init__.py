"""Excel reports: a plan's workbook (:func:`to_excel`) and a batch study's (:func:`study_to_excel`).

Workbooks stand on their own: what was decided, what it costs, on what assumptions
and sources, as formatted Excel Tables with units in their headers and native
charts. Text from scenarios and data files is always written as text, never as a
formula (docs/report.md).
"""

from planner.report.study import study_to_excel
from planner.report.workbook import SHEETS, to_excel

__all__ = ["SHEETS", "study_to_excel", "to_excel"]
