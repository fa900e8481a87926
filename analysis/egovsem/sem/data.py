"""Check the data against the model and compute the sample statistics.

Every problem is reported with the column, the row and the value: a model variable that is not a
column, text in a numeric column, a constant column, fewer complete rows than variables, a singular
sample covariance matrix. Missing values are deleted listwise (lavaan's default) and the count of dropped
rows is reported with a warning; never pairwise.
"""
from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import DataError, MissingDataWarning, caller_stacklevel

__all__ = ["SampleStats", "prepare_data", "numeric_column"]


@dataclass(frozen=True)
class SampleStats:
    """Sample moments of the analysed rows (covariance with divisor N, as lavaan's normal likelihood)."""

    names: tuple[str, ...]
    X: np.ndarray  # analysed rows, n x p
    cov: np.ndarray
    mean: np.ndarray
    nobs: int
    ntotal: int
    n_dropped: int
    row_index: pd.Index  # labels of the analysed rows in the caller's DataFrame
    w: np.ndarray | None = None  # sampling weights of the analysed rows (normalised once estimate() has them)
    cluster: np.ndarray | None = None  # cluster labels (raw), then codes 0..C-1 of the analysed rows

    @property
    def nobs_w(self) -> float:
        """lavaan's sample size of the group: the rows, or the sum of their weights."""
        return float(self.nobs if self.w is None else self.w.sum())


def _numeric_column(df: pd.DataFrame, col: str) -> np.ndarray:
    s = df[col]
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float)
    if pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=float)
    conv = pd.to_numeric(s, errors="coerce")
    bad = conv.isna() & s.notna() & (s.astype(str).str.strip() != "")
    if bad.any():
        rows = s.index[bad]
        shown = ", ".join(f"row {r!r}: {s.loc[r]!r}" for r in rows[:5])
        more = f" (and {bad.sum() - 5} more)" if bad.sum() > 5 else ""
        raise DataError(
            f"Column {col!r} of 'data' must be numeric, but {int(bad.sum())} cell(s) hold text: {shown}{more}."
        )
    return conv.to_numpy(dtype=float)


def numeric_column(df: pd.DataFrame, col: str) -> np.ndarray:
    """Column ``col`` of ``df`` as floats; text cells are refused naming the column, rows and values."""
    return _numeric_column(df, col)


def prepare_data(data: pd.DataFrame, names: tuple[str, ...], *, missing: str = "listwise",
                 continuous: bool = True, sampling_weights: str | None = None,
                 cluster: str | None = None) -> SampleStats:
    """Select ``names`` from ``data``, check them and compute the sample statistics.

    ``continuous=False`` (ordered items, WLSMV): the checks that belong to a normal likelihood (constant
    columns, more rows than variables, a singular covariance matrix) are left to the first stage of the
    ordinal estimator, which checks the categories itself, and listwise deletion is the only choice.
    ``sampling_weights``, ``cluster``: design columns (checked by :func:`egovsem.sem.design.check_design`);
    their raw values on the analysed rows go to ``w`` and ``cluster`` (the moments stay unweighted here).
    """
    st = _prepare(data, names, missing=missing, continuous=continuous)
    if sampling_weights is None and cluster is None:
        return st
    from dataclasses import replace

    from .design import design_values

    w, cl = design_values(data, sampling_weights, cluster)
    pos = data.index.get_indexer(st.row_index) if data.index.is_unique else None
    if pos is None:
        raise DataError("The 'data' DataFrame has a duplicated row index; with sampling_weights= or cluster= "
                        "give it a unique index (data.reset_index(drop=True)).")
    return replace(st, w=None if w is None else w[pos], cluster=None if cl is None else cl[pos])


def _prepare(data: pd.DataFrame, names: tuple[str, ...], *, missing: str = "listwise",
             continuous: bool = True) -> SampleStats:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"The 'data' parameter must be a pandas DataFrame. Got {type(data).__name__} instead.")
    cols = [str(c) for c in data.columns]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise DataError(f"The 'data' DataFrame has duplicate column names: {dup}.")
    absent = [v for v in names if v not in data.columns]
    if absent:
        hints = []
        for v in absent:
            same_case = [c for c in cols if c.casefold() == v.casefold()]
            close = same_case or difflib.get_close_matches(v, cols, n=1)
            hints.append(f"{v!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise DataError(
            f"The model names variable(s) that are not columns of 'data': {', '.join(hints)}. "
            "A name that is meant to be latent must appear on the left of '=~'."
        )
    X = np.column_stack([_numeric_column(data, v) for v in names]) if names else np.zeros((len(data), 0))
    ntotal = X.shape[0]
    if ntotal == 0:
        raise DataError("The 'data' DataFrame has no rows.")
    inf = ~np.isfinite(X) & ~np.isnan(X)
    if inf.any():
        r, c = np.argwhere(inf)[0]
        raise DataError(f"Column {names[c]!r} of 'data' holds an infinite value at row {data.index[r]!r}.")
    allmiss = np.isnan(X).all(axis=0)
    if allmiss.any():
        raise DataError(
            f"Column(s) {[names[i] for i in np.flatnonzero(allmiss)]} of 'data' are missing on every row."
        )
    if missing == "fiml":
        return _fiml_stats(data, X, names, ntotal)
    if missing == "pairwise":
        return _pairwise_stats(data, X, names, ntotal)
    complete = ~np.isnan(X).any(axis=1)
    n_dropped = int((~complete).sum())
    if missing == "listwise" and n_dropped:
        advice = " (use missing='fiml' to keep them)" if continuous else ""
        warnings.warn(
            f"listwise deletion: {n_dropped} of {ntotal} rows have a missing value on a model variable and "
            f"were removed; {int(complete.sum())} rows are analysed{advice}.",
            MissingDataWarning,
            stacklevel=caller_stacklevel(),
        )
    Xc = X[complete]
    index = data.index[complete]
    n, p = Xc.shape
    if n < 2:
        raise DataError(f"Only {n} complete row(s) remain after listwise deletion; at least 2 are needed.")
    if not continuous:
        mean = Xc.mean(axis=0)
        cov = (Xc - mean).T @ (Xc - mean) / n
        return SampleStats(tuple(names), Xc, cov, mean, n, ntotal, n_dropped, index)
    _check_constant(Xc, names)
    if n <= p:
        raise DataError(
            f"The data have {n} complete rows but the model has {p} observed variables; "
            f"the sample covariance matrix is singular (need more rows than variables)."
        )
    mean = Xc.mean(axis=0)
    D = Xc - mean
    cov = D.T @ D / n
    _check_singular(cov, Xc, names)
    return SampleStats(tuple(names), Xc, cov, mean, n, ntotal, n_dropped, index)


def _pairwise_stats(data: pd.DataFrame, X: np.ndarray, names, ntotal: int) -> SampleStats:
    """lavaan's ``missing = "pairwise"`` (WLSMV's first stage; ML's moments): every row with at least one
    observed model variable is kept, with its missing values (NaN); ``mean`` holds the available-case means
    and ``cov`` lavaan's ``cov(X, use = "pairwise") * (N - 1) / N`` (each pair's complete rows, their own
    means, divisor n_pair - 1; then rescaled to the N rows). Rows missing every model variable are dropped
    (as lavaan)."""
    keep = ~np.isnan(X).all(axis=1)
    Xk = X[keep]
    n = Xk.shape[0]
    if n < 2:
        raise DataError(f"Only {n} row(s) observe any model variable; at least 2 are needed.")
    obs = (~np.isnan(Xk)).astype(float)
    pair = obs.T @ obs
    if (pair < 2).any():
        i, j = np.argwhere(pair < 2)[0]
        raise DataError(f"Columns {names[i]!r} and {names[j]!r} of 'data' are observed together on fewer than 2 "
                        "rows, so their pairwise covariance cannot be estimated.")
    _check_constant(Xk, names)
    cov = pd.DataFrame(Xk).cov(ddof=1).to_numpy() * (n - 1) / n
    return SampleStats(tuple(names), Xk, cov, np.nanmean(Xk, axis=0), n, ntotal, int(ntotal - n),
                       data.index[keep])


def _check_constant(X: np.ndarray, names) -> None:
    sd = np.nanstd(X, axis=0)
    const = np.flatnonzero(sd == 0)
    if const.size:
        vals = {names[i]: X[~np.isnan(X[:, i]), i][0] for i in const}
        raise DataError(
            "Column(s) of 'data' are constant over the analysed rows (zero variance): "
            + ", ".join(f"{k!r} (always {v:g})" for k, v in vals.items())
            + "."
        )


def _check_singular(cov: np.ndarray, X: np.ndarray, names) -> None:
    sd = np.sqrt(np.diag(cov))
    ev = np.linalg.eigvalsh(cov / np.outer(sd, sd))
    if ev.min() < 1e-10:
        corr = cov / np.outer(sd, sd)
        np.fill_diagonal(corr, 0)
        i, j = np.unravel_index(np.argmax(np.abs(corr)), corr.shape)
        raise DataError(
            "The sample covariance matrix is singular (a variable is a linear combination of others); "
            f"the most collinear pair is {names[i]!r} and {names[j]!r} (r = {corr[i, j]:.4f})."
        )


def _fiml_stats(data: pd.DataFrame, X: np.ndarray, names, ntotal: int) -> SampleStats:
    """FIML keeps every row with at least one observed value; the moments are the EM estimates (H1)."""
    from .casewise import em_saturated

    empty = np.isnan(X).all(axis=1)
    n_dropped = int(empty.sum())
    if n_dropped:
        rows = ", ".join(repr(r) for r in data.index[empty][:10])
        warnings.warn(
            f"missing='fiml': {n_dropped} of {ntotal} rows are missing on every model variable and were "
            f"removed (rows {rows}{', ...' if n_dropped > 10 else ''}).",
            MissingDataWarning,
            stacklevel=caller_stacklevel(),
        )
    Xk = X[~empty]
    index = data.index[~empty]
    n, p = Xk.shape
    if n < 2:
        raise DataError(f"Only {n} row(s) have any observed value; at least 2 are needed.")
    _check_constant(Xk, names)
    M = (~np.isnan(Xk)).astype(float)
    pair = M.T @ M
    if (pair == 0).any():
        i, j = np.argwhere(pair == 0)[0]
        raise DataError(
            f"Columns {names[i]!r} and {names[j]!r} of 'data' are never observed together, so their "
            "covariance cannot be estimated (covariance coverage 0)."
        )
    cov, mean, _logl, _it = em_saturated(np.where(M > 0, Xk, 0.0), M)
    _check_singular(cov, Xk, names)
    return SampleStats(tuple(names), Xk, cov, mean, n, ntotal, n_dropped, index)
