"""Tables for display: labelled columns, readable cells (:mod:`planner.labels`)."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from planner.labels import BLANK, display_frame, display_table, general_text

__all__ = ["BLANK", "arrow_safe", "every_site_column", "readable", "shown"]


def every_site_column(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The report's site tables joined on ``site`` into one table a screen can scroll.

    The report prints them as three sheets (decisions, supply, inputs) so that each fits
    a page; a column two parts share is kept once.
    """
    wide = parts[0]
    for part in parts[1:]:
        new = ["site", *(c for c in part.columns if c not in wide.columns)]
        wide = wide.merge(part[new], on="site", how="left", sort=False)
    return wide


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
