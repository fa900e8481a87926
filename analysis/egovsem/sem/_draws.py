"""Per-problem quantities shared by the bootstrap and the power analysis: parameter-table row values,
standardised values (``std.all``) and ``:=`` parameters for a stack of estimates, without a Python loop over
problems."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .batch import BatchModel
from .defined import compile_expression

__all__ = ["RowMaps"]


@lru_cache(maxsize=64)
def _compiled(expr: str, line: int):
    return compile_expression(expr, line)


class RowMaps:
    """Gathers from the batched matrices to the rows of a parameter table (picklable)."""

    def __init__(self, partable: pd.DataFrame, names: tuple[str, ...], defined: tuple[tuple[str, str, int], ...]):
        pos = {v: i for i, v in enumerate(names)}
        ops = partable["op"].to_numpy()
        lhs = [pos[v] for v in partable["lhs"]]
        rhs = [pos.get(v, 0) if v else 0 for v in partable["rhs"]]
        self.nrows = len(partable)
        self.mat = np.zeros(self.nrows, dtype=int)  # 0 A, 1 S, 2 m
        self.i = np.zeros(self.nrows, dtype=int)
        self.j = np.zeros(self.nrows, dtype=int)
        for k, (op, l_, r_) in enumerate(zip(ops, lhs, rhs)):
            if op == "=~":
                self.mat[k], self.i[k], self.j[k] = 0, r_, l_
            elif op in ("~", "<~"):
                self.mat[k], self.i[k], self.j[k] = 0, l_, r_
            elif op == "~~":
                self.mat[k], self.i[k], self.j[k] = 1, l_, r_
            else:  # ~1
                self.mat[k], self.i[k], self.j[k] = 2, l_, 0
        self.ops = ops
        self.free = partable["free"].to_numpy()
        self.defined = tuple(defined)
        # label environment as Results._label_env: labels (first row), then plabels without dots
        env: dict[str, int] = {}
        for k, lab in enumerate(partable["label"]):
            if lab and lab not in env:
                env[lab] = k
        for k, pl in enumerate(partable["plabel"]):
            env.setdefault(pl.strip("."), k)
        self.env = env

    def rows(self, A: np.ndarray, Sm: np.ndarray, m: np.ndarray) -> np.ndarray:
        """Row values (B, nrows) from the batched matrices."""
        out = np.empty((A.shape[0], self.nrows))
        for code, M in ((0, A), (1, Sm)):
            sel = self.mat == code
            out[:, sel] = M[:, self.i[sel], self.j[sel]]
        sel = self.mat == 2
        out[:, sel] = m[:, self.i[sel]]
        return out

    def std_all(self, rows: np.ndarray, C: np.ndarray, Sm: np.ndarray) -> np.ndarray:
        """lavaan's ``std.all`` of every row (see :mod:`egovsem.sem.standardize`)."""
        sd = np.sqrt(np.clip(np.diagonal(C, axis1=1, axis2=2), 0, None))
        rsd = np.sqrt(np.diagonal(Sm, axis1=1, axis2=2).astype(complex))
        out = np.full(rows.shape, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            for k, op in enumerate(self.ops):
                i, j = self.i[k], self.j[k]
                if op == "=~":  # A[x, f]: est * sd(f) / sd(x)
                    out[:, k] = rows[:, k] * sd[:, j] / sd[:, i]
                elif op in ("~", "<~"):  # A[y, x]: est * sd(x) / sd(y)
                    out[:, k] = rows[:, k] * sd[:, j] / sd[:, i]
                elif op == "~~" and i == j:
                    out[:, k] = rows[:, k] / sd[:, i] ** 2
                elif op == "~~":
                    v = rows[:, k] / (rsd[:, i] * rsd[:, j])
                    out[:, k] = np.where(np.abs(v.imag) > 0, np.nan, v.real)
                else:
                    out[:, k] = rows[:, k] / sd[:, i]
        return out

    def defined_values(self, rows: np.ndarray) -> np.ndarray:
        """The ``:=`` parameters (B, ndef) evaluated on row values (B, nrows)."""
        B = rows.shape[0]
        if not self.defined:
            return np.zeros((B, 0))
        env = {name: rows[:, k] for name, k in self.env.items()}
        out = np.empty((B, len(self.defined)))
        with np.errstate(all="ignore"):
            for c, (name, expr, line) in enumerate(self.defined):
                v = np.broadcast_to(np.asarray(_compiled(expr, line)(env), dtype=float), (B,))
                env[name] = v
                out[:, c] = v
        return out


def all_quantities(bm: BatchModel, maps: RowMaps, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray) -> dict:
    """Row values, ``std.all``, ``:=`` values and their ``std.all`` for a stack of estimates."""
    A, Sm, m = bm.matrices(theta, S, xbar)
    E = bm.inverse_I_minus(A)
    C = E @ Sm @ np.swapaxes(E, 1, 2)
    rows = maps.rows(A, Sm, m)
    std = maps.std_all(rows, C, Sm)
    return {"rows": rows, "std": std, "def": maps.defined_values(rows), "def_std": maps.defined_values(std)}
