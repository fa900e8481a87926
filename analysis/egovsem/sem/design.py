"""Survey designs in a single-level model: sampling weights and clusters (lavaan 0.6-14's semantics).

* ``sampling_weights="w"``: the rows' weights (lavaan's ``sampling.weights``), normalised as
  ``sampling.weights.normalization`` says: ``"total"`` (default; the weights of all groups sum to the
  number of analysed rows), ``"group"`` (to each group's rows) or ``"none"``. The sample statistics are
  weighted (``cov.wt(method = "ML")``; under FIML the EM estimates with weighted rows), the
  log-likelihood is ``sum_i w_i l_i``, a group's sample size is the sum of its weights (lavaan's
  ``nobs`` after weighting, so ``chisq = sum_g W_g F_g``), and the casewise scores are ``w_i s_i``.
  lavaan then reports robust standard errors and the Yuan-Bentler (Mplus) test: ML becomes MLR.
* ``cluster="psu"`` with a single-level model: the Huber-White meat sums the casewise scores within
  clusters and multiplies by ``C / (C - 1)`` (lavaan's ``se = "robust.cluster"``), in the standard
  errors and in the Yuan-Bentler traces.

* WLSMV (ordered indicators): the weights enter the first stage (weighted thresholds, polychorics and
  NACOV) and the clusters its NACOV (:func:`egovsem.sem.ordinal.ordinal_stats`, :func:`design_arrays`).

The weight and the cluster columns may also be model variables (as in lavaan). Bad input (a column not in the
data, a missing, negative or non-numeric weight, weights that are all zero, a missing cluster value, a single
cluster) is refused with the column and the first offending rows.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from .._errors import DataError, EgovsemError

__all__ = ["NORMALIZATIONS", "check_design", "design_arrays", "normalise_weights", "part_design", "weighted_stats"]

#: lavaan's sampling.weights.normalization values
NORMALIZATIONS = ("total", "group", "none")


def _rows(index: pd.Index, mask: np.ndarray, k: int = 5) -> str:
    rows = [repr(r) for r in index[mask][:k]]
    more = int(mask.sum()) - k
    return ", ".join(rows) + (f" (and {more} more)" if more > 0 else "")


def _column(data: pd.DataFrame, arg: str, col: str) -> pd.Series:
    if not isinstance(col, str):
        raise EgovsemError(f"The '{arg}' parameter must be a column name (str). Got {col!r} instead.")
    if col not in data.columns:
        raise DataError(f"{arg}={col!r} is not a column of 'data'; its columns are: "
                        f"{', '.join(map(str, data.columns[:20]))}{' ...' if data.shape[1] > 20 else ''}.")
    return data[col]


def check_design(data: pd.DataFrame, *, sampling_weights: str | None, cluster: str | None,
                 model_vars: Sequence[str], group: str | None = None) -> None:
    """Refuse a bad weight or cluster column (lavaan refuses a missing or a negative weight anywhere in the
    data; it warns about a missing cluster value, which egovsem refuses: the row's cluster is unknown). A design
    column may also be a model variable (``model_vars``), as lavaan 0.6-14 allows (e.g. ``cluster = "age"``
    with ``f ~ age``)."""
    for arg, col in (("sampling_weights", sampling_weights), ("cluster", cluster)):
        if col is not None and col == group:
            raise EgovsemError(f"{arg}={col!r} is also the 'group' column.")
    if sampling_weights is not None and cluster is not None and sampling_weights == cluster:
        raise EgovsemError(f"sampling_weights and cluster are the same column {cluster!r}.")
    if sampling_weights is not None:
        s = _column(data, "sampling_weights", sampling_weights)
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            conv = pd.to_numeric(s, errors="coerce")
            bad = (conv.isna() & s.notna()).to_numpy()
            if bad.any():
                raise DataError(f"The sampling_weights column {sampling_weights!r} must be numeric; text at row(s) "
                                f"{_rows(data.index, bad)}.")
            s = conv
        v = s.to_numpy(dtype=float)
        miss = np.isnan(v)
        if miss.any():
            raise DataError(f"The sampling_weights column {sampling_weights!r} has {int(miss.sum())} missing "
                            f"value(s), at row(s) {_rows(data.index, miss)} (lavaan: sampling.weights variable "
                            "contains missing values); give every row a weight or drop the rows.")
        bad = ~np.isfinite(v) | (v < 0)
        if bad.any():
            raise DataError(f"The sampling_weights column {sampling_weights!r} has {int(bad.sum())} negative or "
                            f"infinite weight(s), at row(s) {_rows(data.index, bad)}; weights must be >= 0.")
        if not (v > 0).any():
            raise DataError(f"The sampling_weights column {sampling_weights!r} is zero on every row.")
    if cluster is not None:
        c = _column(data, "cluster", cluster)
        miss = c.isna().to_numpy()
        if miss.any():
            raise DataError(f"The cluster column {cluster!r} has {int(miss.sum())} missing value(s), at row(s) "
                            f"{_rows(data.index, miss)}; every row needs its cluster.")
        if c.nunique() < 2:
            raise DataError(f"The cluster column {cluster!r} has a single cluster ({c.iloc[0]}); "
                            "cluster-robust standard errors need at least 2 clusters.")


def design_values(data: pd.DataFrame, sampling_weights: str | None,
                  cluster: str | None) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The raw weights (float) and cluster labels of the rows of ``data`` (None where not given)."""
    w = None if sampling_weights is None else pd.to_numeric(data[sampling_weights]).to_numpy(dtype=float)
    cl = None if cluster is None else data[cluster].to_numpy()
    return w, cl


def normalise_weights(raw: Sequence[np.ndarray], normalization: str) -> list[np.ndarray]:
    """lavaan's ``sampling.weights.normalization`` over the groups' analysed rows."""
    if normalization == "total":
        n = sum(w.size for w in raw)
        s = float(sum(w.sum() for w in raw))
        return [w * (n / s) for w in raw]
    if normalization == "group":
        return [w * (w.size / w.sum()) for w in raw]
    return [np.asarray(w, dtype=float) for w in raw]


def cluster_codes(labels: np.ndarray, column: str, group: int | None = None) -> np.ndarray:
    """Codes 0..C-1 of the clusters of a group's analysed rows; a single cluster is refused."""
    _u, codes = np.unique(labels.astype(str) if labels.dtype == object else labels, return_inverse=True)
    codes = codes.reshape(-1)
    if codes.max() < 1:
        where = f" in group {group}" if group is not None else ""
        raise DataError(f"The cluster column {column!r} has a single cluster{where} among the analysed rows; "
                        "cluster-robust standard errors need at least 2 clusters.")
    return codes


def weighted_stats(st, w: np.ndarray, cluster: np.ndarray | None, *, fiml: bool):
    """The group's sample statistics with the weights ``w`` (normalised): ``cov.wt(method = "ML")`` of the
    complete rows, or the weighted EM estimates under FIML."""
    X = np.asarray(st.X, dtype=float)
    if w.sum() <= 0:
        raise DataError("The sampling weights of a group's analysed rows are all zero.")
    if fiml:
        from .casewise import em_saturated

        M = (~np.isnan(X)).astype(float)
        cov, mean, _ll, _it = em_saturated(np.where(M > 0, X, 0.0), M, w=w)
    else:
        mean = w @ X / w.sum()
        D = X - mean
        cov = (D * w[:, None]).T @ D / w.sum()
    return replace(st, cov=cov, mean=mean, w=w, cluster=cluster)


def part_design(data: pd.DataFrame, parts: Sequence[pd.DataFrame], opts) -> tuple[list, list]:
    """:func:`design_arrays` of the groups' analysed rows ``parts`` (subsets of ``data`` by index, the design
    columns perhaps dropped): their weights and cluster labels are read from ``data``."""
    from types import SimpleNamespace

    if not data.index.is_unique:
        raise DataError("The 'data' DataFrame has a duplicated row index; with sampling_weights= or cluster= "
                        "give it a unique index (data.reset_index(drop=True)).")
    w, cl = design_values(data, opts.sampling_weights, opts.cluster)
    pos = [data.index.get_indexer(d.index) for d in parts]
    stats = [SimpleNamespace(w=None if w is None else w[p], cluster=None if cl is None else cl[p]) for p in pos]
    return design_arrays(stats, opts)


def design_arrays(stats, opts) -> tuple[list, list]:
    """The groups' sampling weights, normalised over the groups as ``sampling_weights_normalization`` says
    (lavaan's "total": all weights sum to the number of analysed rows; "group": each group's to its rows), and
    their cluster codes (None where not given)."""
    G = len(stats)
    wts: list = [None] * G
    if opts.sampling_weights is not None:
        wts = normalise_weights([np.asarray(st.w, dtype=float) for st in stats], opts.sampling_weights_normalization)
    codes = [None if st.cluster is None else
             cluster_codes(np.asarray(st.cluster), str(opts.cluster), g + 1 if G > 1 else None)
             for g, st in enumerate(stats)]
    return wts, codes
