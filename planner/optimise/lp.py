"""A linear programme assembled from numpy arrays and solved by HiGHS directly.

For large LPs of simple structure (the full-year dispatch check has hundreds of
thousands of columns) building through Pyomo costs far more than solving; here columns
are added in blocks and rows as sparse triplets, and the matrix goes to HiGHS in one call.
"""

from __future__ import annotations

import highspy
import numpy as np
import scipy.sparse as sp

INF = highspy.kHighsInf


class LinearProgram:
    """Columns in named blocks, rows from sparse triplets, minimised by HiGHS."""

    def __init__(self) -> None:
        self.n_cols = 0
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.cost: list[np.ndarray] = []
        self.rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.row_lower: list[np.ndarray] = []
        self.row_upper: list[np.ndarray] = []
        self.n_rows = 0

    def add_cols(self, n: int, lower=0.0, upper=INF, cost=0.0) -> np.ndarray:
        """``n`` new columns; returns their indices."""
        idx = np.arange(self.n_cols, self.n_cols + n)
        self.n_cols += n
        self.lower.append(np.broadcast_to(np.asarray(lower, float), (n,)).copy())
        self.upper.append(np.broadcast_to(np.asarray(upper, float), (n,)).copy())
        self.cost.append(np.broadcast_to(np.asarray(cost, float), (n,)).copy())
        return idx

    def add_rows(self, row: np.ndarray, col: np.ndarray, value: np.ndarray, n: int,
                 lower, upper) -> np.ndarray:
        """``n`` new rows ``lower <= sum(value * x[col]) <= upper``; ``row`` counts from 0."""
        offset = self.n_rows
        self.rows.append((np.asarray(row) + offset, np.asarray(col), np.asarray(value, float)))
        self.row_lower.append(np.broadcast_to(np.asarray(lower, float), (n,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, float), (n,)).copy())
        self.n_rows += n
        return np.arange(offset, offset + n)

    def solve(self, threads: int = 1, time_limit_s: float | None = None,
              options: dict | None = None) -> tuple[str, np.ndarray]:
        """Minimise; returns (status text, column values). ``options``: more HiGHS options."""
        lp = highspy.HighsLp()
        lp.num_col_ = self.n_cols
        lp.num_row_ = self.n_rows
        lp.col_cost_ = np.concatenate(self.cost)
        lp.col_lower_ = np.concatenate(self.lower)
        lp.col_upper_ = np.concatenate(self.upper)
        lp.row_lower_ = np.concatenate(self.row_lower)
        lp.row_upper_ = np.concatenate(self.row_upper)
        rows = np.concatenate([r for r, _, _ in self.rows])
        cols = np.concatenate([c for _, c, _ in self.rows])
        vals = np.concatenate([v for _, _, v in self.rows])
        matrix = sp.csc_matrix((vals, (rows, cols)), shape=(self.n_rows, self.n_cols))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", threads)
        if time_limit_s is not None:
            h.setOptionValue("time_limit", float(time_limit_s))
        for key, value in (options or {}).items():
            h.setOptionValue(key, value)
        h.passModel(lp)
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        values = np.asarray(h.getSolution().col_value)
        return status, values
