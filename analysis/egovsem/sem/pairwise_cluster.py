"""ML with ``missing="pairwise"`` and ``cluster=``, as lavaan 0.6-14 computes it (issue 11).

lavaan fits ML to the pairwise moments (as without clusters) and reports robust.cluster standard errors and
the Yuan-Bentler (Mplus) test with the "h1" observed information. Its casewise scores of a row with a missing
value are missing (``Sigma^-1 (y - mu)`` mixes every variable), and its cluster sums drop them
(``rowsum(..., na.rm = TRUE)`` in ``lav_mvnorm_information_firstorder``): so

* the meat is that of the complete rows, summed within clusters, times ``C / (C - 1)`` over all clusters;
* the observed information of the bread is the Hessian of the pairwise objective (as without clusters);
* the "h1" observed information of the test is the complete-data formula at the pairwise moments of all N
  rows: computed here on rows that have exactly those moments (:func:`moment_rows`);
* the unrestricted trace of the Yuan-Bentler (Mplus) test is ``tr(A1 Gamma)`` with lavaan's clustered Gamma
  of the rows with holes (:func:`cluster_gamma`).
"""
from __future__ import annotations

import numpy as np

from .casewise import casewise_pd, saturated_hessian, saturated_scores, vech_indices
from .fiml import RowData, h1_observed_information, model_scores
from .ram import RAM
from .robust import complete_information_phi
from .vcov import crossproduct

__all__ = ["moment_rows", "pairwise_cluster_meat", "pairwise_cluster_test_information",
           "pairwise_cluster_h1_trace", "pairwise_cluster_baseline_info", "cluster_gamma"]


def moment_rows(S: np.ndarray, xbar: np.ndarray, n: int) -> RowData:
    """``n`` complete rows whose mean is ``xbar`` and covariance (divisor n) is ``S``."""
    p = S.shape[0]
    Z = np.cos(np.outer(np.arange(1, n + 1), np.arange(1, p + 1)) * 0.7)  # any full-rank deterministic start
    Z -= Z.mean(axis=0)
    Q, _ = np.linalg.qr(Z)
    Y = xbar + np.sqrt(n) * Q @ np.linalg.cholesky(S).T
    return RowData.from_array(Y)


def _zeroed(X: np.ndarray, cluster: np.ndarray, scores) -> np.ndarray:
    """The cluster cross-product of scores (n, k) computed on the complete rows, 0 for the others."""
    comp = ~np.isnan(X).any(axis=1)
    sc_c = scores(RowData.from_array(X[comp]))
    sc = np.zeros((X.shape[0], sc_c.shape[1]))
    sc[comp] = sc_c
    return crossproduct(sc, cluster)


def pairwise_cluster_meat(ram: RAM, theta: np.ndarray, X: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    """lavaan's robust.cluster meat ``B0`` (total) of one group."""
    return _zeroed(X, cluster, lambda r: model_scores(ram, theta, r))


def pairwise_cluster_test_information(ram: RAM, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray,
                                      n: int) -> np.ndarray:
    """``Delta' H1 Delta`` (total): lavaan's "h1" observed information at the pairwise moments."""
    return h1_observed_information(ram, theta, moment_rows(S, xbar, n))


def _saturated_parts(X: np.ndarray, cluster: np.ndarray, S: np.ndarray, xbar: np.ndarray, Sigma: np.ndarray,
                     mu: np.ndarray, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``A = -H`` (moment rows) and the zeroed cluster cross-product ``B`` of the saturated scores at (Sigma,
    mu), both in the coordinates ``sel`` (k, nphi) selects."""
    mr = moment_rows(S, xbar, X.shape[0])
    H = saturated_hessian(casewise_pd(mr.X0, mr.M, Sigma, mu))
    B = _zeroed(X, cluster, lambda r: saturated_scores(casewise_pd(r.X0, r.M, Sigma, mu)) @ sel.T)
    return -(sel @ H @ sel.T), B


def cluster_gamma(X: np.ndarray, cluster: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """lavaan's clustered ``lav_samplestats_Gamma`` of rows with holes, in the coordinates ``idx`` of ``[mu,
    vech Sigma]``: the centred ``[y, (y_i - ybar_i)(y_j - ybar_j)]`` summed within clusters (a cluster with a
    missing value in a column is missing there), their cross-product over the clusters both observe, divided
    by N and multiplied by ``C / (C - 1)``."""
    n, p = X.shape
    vi, vj = vech_indices(p)
    Yc = X - np.nanmean(X, axis=0)
    Z = np.hstack([X, Yc[:, vi] * Yc[:, vj]])[:, idx]
    Z = Z - np.nanmean(Z, axis=0)
    C = int(cluster.max()) + 1
    T = np.zeros((C, Z.shape[1]))
    hole = np.zeros(T.shape, dtype=bool)
    np.add.at(T, cluster, np.nan_to_num(Z))
    np.logical_or.at(hole, cluster, np.isnan(Z))
    T[hole] = 0.0
    nC = int(np.unique(cluster).size)
    return (T.T @ T) / n * (nC / (nC - 1.0))


def pairwise_cluster_h1_trace(X: np.ndarray, cluster: np.ndarray, S: np.ndarray, xbar: np.ndarray,
                              idx: np.ndarray) -> tuple[float, int]:
    """``tr(B1 A1^-1)`` of the unrestricted model and the size of ``A1``: lavaan's "unstructured" h1
    information of the Mplus trace, ``B1 = A1 Gamma A1`` with ``A1`` the expected information at the pairwise
    moments, so the trace is ``tr(A1 Gamma)``."""
    A1 = complete_information_phi(S)[np.ix_(idx, idx)]
    return float(np.sum(A1 * cluster_gamma(X, cluster, idx).T)), int(idx.size)


def pairwise_cluster_baseline_info(X: np.ndarray, cluster: np.ndarray, S: np.ndarray, xbar: np.ndarray,
                                   xi: list[int], xb: list[int], ms: bool):
    """The baseline model's ``(Ab, Bb, Db, Sb, mb)`` as :func:`egovsem.sem.fit_baseline.baseline_info` returns
    them, with lavaan's pairwise-cluster information."""
    from .fit_baseline import baseline_free_coords, baseline_moments

    p = S.shape[0]
    Sb, mb = baseline_moments(S, xbar, None, xi, xb, False)
    idx = baseline_free_coords(p, xi, xb, ms)
    Db = np.zeros((idx.size, p + p * (p + 1) // 2))
    Db[np.arange(idx.size), idx] = 1.0
    Ab, Bb = _saturated_parts(X, cluster, S, xbar, Sb, mb, Db)
    return Ab, Bb, Db, Sb, mb

