"""Tables for display: labelled columns, readable cells (:mod:`planner.labels`)."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from planner.labels import BLANK, display_frame, display_table, general_text

__all__ = ["BLANK", "arrow_safe", "readable", "shown"]


def arrow_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column of mixed Python types turned into text (blanks kept)."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype != object:
            continue
        kinds = {type(v) for v in values if v is not None and not (isinstance(v, float)
                                                                    and pd.isna(v))}
        if len(kinds) > 1:
            out[column] = [None if v is None or (isinstance(v, float) and pd.isna(v))
                           else general_text(v) for v in values]
    return out


def readable(frame: pd.DataFrame) -> Styler:
    """``frame`` as a reader sees it, the numbers kept underneath for sorting.

    Plain-language headers with units, numbers rounded to what a reader needs (counts
    whole, fractions in %, PUE to 2 decimals, thousands separators), blanks as "–".
    """
    return display_table(frame)


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The text of every cell of :func:`readable` (for tests and plain-text output)."""
    return display_frame(frame)
