"""Tables for display: columns of mixed types shown as text (Arrow needs one type a column)."""

from __future__ import annotations

import pandas as pd


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
            out[column] = [None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
                           for v in values]
    return out


def _decimals(values: pd.Series) -> int:
    """Decimals that show a column's typical magnitude to about four significant digits."""
    nonzero = values[(values != 0) & values.notna()].abs()
    if nonzero.empty:
        return 0
    typical = float(nonzero.median())
    if typical >= 100 or (nonzero == nonzero.round()).all():
        return 0
    if typical >= 1:
        return 2
    return 4 if typical >= 1e-3 else 6


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with float columns rounded to what a reader needs, mixed columns as text."""
    out = arrow_safe(frame)
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(_decimals(out[column]))
    return out
