"""A linear programme assembled from numpy arrays and solved by HiGHS directly.

For large LPs of simple structure (the full-year dispatch check has hundreds of
thousands of columns) building through Pyomo costs far more than solving; here columns
are added in blocks and rows as sparse triplets, and the matrix goes to HiGHS in one call.

Two savings matter for the full-year check, which solves the same 8760-hour programme
several times while a plan is repaired:

- columns fixed at zero (a battery, standby or turbine the design does not build) and
  the rows they leave empty are dropped before HiGHS sees them, their values reported
  as zero (an emptied row that 0 breaks makes the programme infeasible at once);
- a :class:`WarmStart` keeps the last HiGHS instance; when the next programme has the
  same matrix (only costs and bounds differ, as when a repair changes capacities), its
  costs and bounds are changed in place and the dual simplex starts from the previous
  optimal basis instead of from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from planner.optimise.progress import watch_highs

INF = highspy.kHighsInf


@dataclass
class WarmStart:
    """The HiGHS instance of the last solve and the structure it holds."""

    highs: highspy.Highs | None = None
    signature: tuple | None = None
    solves: int = 0
    warm_solves: int = 0


class LinearProgram:
    """Columns in named blocks, rows from sparse triplets, minimised by HiGHS."""

    def __init__(self) -> None:
        self.n_cols = 0
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.cost: list[np.ndarray] = []
        self.starts: list[int] = []  # first column of each block of ``cost``
        self.rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.row_lower: list[np.ndarray] = []
        self.row_upper: list[np.ndarray] = []
        self.n_rows = 0
        self.basic: list[np.ndarray] = []
        self.at_upper: list[np.ndarray] = []
        self.tight: list[np.ndarray] = []

    def add_cols(self, n: int, lower=0.0, upper=INF, cost=0.0) -> np.ndarray:
        """``n`` new columns; returns their indices."""
        idx = np.arange(self.n_cols, self.n_cols + n)
        self.starts.append(self.n_cols)
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

    def cost_of(self, cols: np.ndarray) -> np.ndarray:
        """Costs of columns ``cols`` as added (read from their blocks, nothing joined)."""
        cols = np.asarray(cols, int)
        starts = np.asarray(self.starts)
        block = np.searchsorted(starts, cols, side="right") - 1
        out = np.empty(len(cols))
        for b in np.unique(block):
            at = block == b
            out[at] = self.cost[b][cols[at] - starts[b]]
        return out

    def hint_basis(self, basic: np.ndarray, tight_rows: np.ndarray,
                   at_upper: np.ndarray | None = None) -> None:
        """Hint a starting basis for the next fresh solve.

        ``basic`` columns, one per row of ``tight_rows`` held at its bound; every other
        row's activity basic, every other column at its lower bound (``at_upper``: at its
        upper). Used when HiGHS starts afresh (no warm instance);
        a good guess saves the dual simplex most of its iterations, a poor one only time.
        """
        self.basic.append(np.asarray(basic, int))
        self.tight.append(np.asarray(tight_rows, int))
        if at_upper is not None:
            self.at_upper.append(np.asarray(at_upper, int))

    def _basis(self, keep_col: np.ndarray, keep_row: np.ndarray,
               upper: np.ndarray) -> highspy.HighsBasis | None:
        """The hinted basis on the kept columns and rows (HiGHS completes it if short)."""
        if not self.basic:
            return None
        status = highspy.HighsBasisStatus
        col = np.zeros(self.n_cols, np.int8)  # 0 kLower, 1 kBasic, 2 kUpper
        for idx in self.at_upper:
            col[idx] = 2
        for idx in self.basic:
            col[idx] = 1
        row = np.ones(self.n_rows, np.int8)
        for idx in self.tight:
            row[idx] = 0
        col = col[keep_col]
        col[(col == 2) & ~np.isfinite(upper)] = 0
        codes = np.array([status.kLower, status.kBasic, status.kUpper], dtype=object)
        basis = highspy.HighsBasis()
        basis.col_status = codes[col].tolist()
        basis.row_status = codes[row[keep_row]].tolist()
        basis.valid = True
        basis.alien = True  # HiGHS repairs a count or rank that does not fit
        return basis

    def _reduced(self):
        """Costs, bounds and matrix without zero-fixed columns and the rows left empty.

        Also says whether an emptied row is one that 0 does not satisfy (then the
        programme is infeasible whatever HiGHS would do).
        """
        cost = np.concatenate(self.cost)
        lower = np.concatenate(self.lower)
        upper = np.concatenate(self.upper)
        row_lower = np.concatenate(self.row_lower)
        row_upper = np.concatenate(self.row_upper)
        rows = np.concatenate([r for r, _, _ in self.rows])
        cols = np.concatenate([c for _, c, _ in self.rows])
        vals = np.concatenate([v for _, _, v in self.rows])
        keep_col = ~((lower == 0.0) & (upper == 0.0))
        entry = keep_col[cols] & (vals != 0.0)
        keep_row = np.zeros(self.n_rows, bool)
        keep_row[rows[entry]] = True
        broken = bool(((~keep_row) & ((row_lower > 0.0) | (row_upper < 0.0))).any())
        new_col = np.cumsum(keep_col) - 1
        new_row = np.cumsum(keep_row) - 1
        matrix = sp.csc_matrix((vals[entry], (new_row[rows[entry]], new_col[cols[entry]])),
                               shape=(int(keep_row.sum()), int(keep_col.sum())))
        matrix.sum_duplicates()
        return (broken, keep_col, keep_row, cost[keep_col], lower[keep_col], upper[keep_col],
                row_lower[keep_row], row_upper[keep_row], matrix)

    def solve(self, threads: int = 1, time_limit_s: float | None = None,
              options: dict | None = None, warm: WarmStart | None = None
              ) -> tuple[str, np.ndarray]:
        """Minimise; returns (status text, column values). ``options``: more HiGHS options.

        ``warm``: reuse its HiGHS instance and basis when the matrix is the same as last
        time (see the module docstring); it then holds this solve for the next one.
        """
        (broken, keep_col, keep_row, cost, lower, upper, row_lower, row_upper,
         matrix) = self._reduced()
        if broken:  # a row of zero-fixed columns that 0 does not satisfy
            return "Infeasible", np.zeros(self.n_cols)
        signature = (keep_col.tobytes(), matrix.indptr.tobytes(),
                     matrix.indices.tobytes(), matrix.data.tobytes())
        n_row, n_col = matrix.shape
        if warm is not None and warm.highs is not None and warm.signature == signature:
            h = warm.highs
            cols = np.arange(n_col, dtype=np.int32)
            h.changeColsCost(n_col, cols, cost)
            h.changeColsBounds(n_col, cols, lower, upper)
            if n_row:
                h.changeRowsBounds(n_row, np.arange(n_row, dtype=np.int32), row_lower, row_upper)
            warm.warm_solves += 1
        else:
            lp = highspy.HighsLp()
            lp.num_col_, lp.num_row_ = n_col, n_row
            lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
            lp.row_lower_, lp.row_upper_ = row_lower, row_upper
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            lp.a_matrix_.start_ = matrix.indptr
            lp.a_matrix_.index_ = matrix.indices
            lp.a_matrix_.value_ = matrix.data
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            watch_highs(h)  # a stop asked for interrupts the replay too
            h.passModel(lp)
            basis = self._basis(keep_col, keep_row, upper)
            if basis is not None:
                h.setBasis(basis)
        # HiGHS keeps one thread scheduler per process and refuses another thread count
        # once it runs (as highs_bridge.solve does, reset it first)
        highspy.Highs.resetGlobalScheduler(True)
        h.setOptionValue("threads", threads)
        # HiGHS' run clock adds up over the runs of one instance and its time limit is
        # measured on that clock: a warm re-solve gets its limit on top of the time spent
        spent_s = float(h.getRunTime())
        h.setOptionValue("time_limit", INF if time_limit_s is None
                         else spent_s + float(time_limit_s))
        for key, value in (options or {}).items():
            h.setOptionValue(key, value)
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        values = np.zeros(self.n_cols)
        values[keep_col] = np.asarray(h.getSolution().col_value)
        if warm is not None:
            warm.highs, warm.signature = h, signature
            warm.solves += 1
        return status, values
