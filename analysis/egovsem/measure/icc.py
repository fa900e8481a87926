"""Intraclass correlations of items: ICC(1) of a univariate two-level random-intercept model, by ML.

For an item ``y`` observed in clusters ``j`` (cities, service halls, schools) the one-way random-effects
model is ``y_ij = mu + u_j + e_ij`` with ``u_j ~ N(0, tau2)`` and ``e_ij ~ N(0, sigma2)``; the ICC(1) is
``tau2 / (tau2 + sigma2)``, the share of the item's variance that lies between clusters. The three
parameters are estimated by maximum likelihood over the clusters' (unbalanced) sizes, as lavaan does for

.. code-block:: text

    level: 1
      y ~~ y
    level: 2
      y ~~ y
      y ~ 1

with ``cluster=`` (``lavInspect(fit, "icc")``). Rows with the item missing are left out for that item
(FIML of a single variable is the same). The log-likelihood of cluster ``j`` with ``n_j`` rows, mean
``ybar_j`` and within sum of squares ``W_j`` is (up to a constant)
``-1/2 [(n_j - 1) log sigma2 + log(sigma2 + n_j tau2) + W_j / sigma2 + n_j (ybar_j - mu)^2 / (sigma2 + n_j tau2)]``.
``tau2`` is kept at or above zero (a negative between-cluster variance is reported as 0 with
``boundary=True``).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._errors import DataError, EgovsemError

__all__ = ["icc", "icc_item"]


def _cluster_stats(y: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = np.bincount(codes).astype(float)
    keep = n > 0
    s = np.bincount(codes, weights=y)[keep]
    n = n[keep]
    ybar = s / n
    ss = np.bincount(codes, weights=y * y)[keep]
    w = np.maximum(ss - n * ybar ** 2, 0.0)
    return n, ybar, w


def _objective(theta: np.ndarray, n: np.ndarray, ybar: np.ndarray, w: np.ndarray,
               hessian: bool = False):
    """Minus the log-likelihood (up to a constant), its gradient and (``hessian``) its Hessian in
    ``(mu, sigma2, tau2)``."""
    mu, s, t = theta
    v = s + n * t
    d = ybar - mu
    val = 0.5 * float(((n - 1) * np.log(s) + np.log(v) + w / s + n * d ** 2 / v).sum())
    g = np.array([-float((n * d / v).sum()),
                  0.5 * float(((n - 1) / s + 1 / v - w / s ** 2 - n * d ** 2 / v ** 2).sum()),
                  0.5 * float((n / v - n ** 2 * d ** 2 / v ** 2).sum())])
    if not hessian:
        return val, g
    v2, v3 = v ** 2, v ** 3
    H = np.empty((3, 3))
    H[0, 0] = float((n / v).sum())
    H[0, 1] = H[1, 0] = float((n * d / v2).sum())
    H[0, 2] = H[2, 0] = float((n ** 2 * d / v2).sum())
    H[1, 1] = 0.5 * float((-(n - 1) / s ** 2 - 1 / v2 + 2 * w / s ** 3 + 2 * n * d ** 2 / v3).sum())
    H[1, 2] = H[2, 1] = 0.5 * float((-n / v2 + 2 * n ** 2 * d ** 2 / v3).sum())
    H[2, 2] = 0.5 * float((-n ** 2 / v2 + 2 * n ** 3 * d ** 2 / v3).sum())
    return val, g, H


def _newton(n, ybar, w, theta, scale, max_iter: int = 200):
    """Newton's method with step halving, ``tau2`` kept at or above 0: at the boundary ``tau2 = 0`` the
    other two have their closed forms (the mean and the total sum of squares over N), and the boundary is the
    optimum when the gradient in ``tau2`` is not negative there (Kuhn-Tucker). Returns (theta, converged) or
    None when the iteration does not settle."""
    N = float(n.sum())

    def boundary():
        mu = float((n * ybar).sum() / N)
        return np.array([mu, max(float((w + n * (ybar - mu) ** 2).sum() / N), 1e-10 * scale), 0.0])

    f, g, H = _objective(theta, n, ybar, w, True)
    for _ in range(max_iter):
        try:
            step = -np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            return None
        if float(g @ step) >= 0:  # not a descent direction (H not positive definite): the gradient's
            step = -g / max(float(np.abs(np.diag(H)).max()), 1e-300)
        if theta[2] + step[2] < 0:  # the step leaves tau2 >= 0: is the boundary the optimum?
            b = boundary()
            if _objective(b, n, ybar, w)[1][2] >= 0:
                return b, True
        alpha = 1.0
        while alpha > 1e-12:
            cand = theta + alpha * step
            if cand[1] > 0 and cand[2] >= 0:
                fc = _objective(cand, n, ybar, w)[0]
                if np.isfinite(fc) and fc <= f + 1e-4 * alpha * float(g @ step):
                    break
            alpha *= 0.5
        else:
            cand = None
        if cand is None:
            return None
        theta_new = cand
        f_new, g, H = _objective(theta_new, n, ybar, w, True)
        small = np.max(np.abs(theta_new - theta) / np.maximum(np.abs(theta_new), 1e-8 * scale)) < 1e-12
        theta, f = theta_new, f_new
        if small or np.max(np.abs(g) * np.maximum(np.abs(theta), 1.0)) < 1e-10 * max(1.0, abs(f)):
            return theta, True
    return None


def _lbfgsb(n, ybar, w, theta0, scale):
    from scipy.optimize import minimize

    res = minimize(lambda th: _objective(th, n, ybar, w), theta0, jac=True, method="L-BFGS-B",
                   bounds=[(None, None), (1e-10 * scale, None), (0.0, None)],
                   options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000})
    return res.x, bool(res.success)


def icc_item(y: Sequence[float] | np.ndarray, cluster: Sequence | np.ndarray) -> dict:
    """ML estimates of the random-intercept model of one variable: ``mu sigma2_within tau2_between icc``
    with ``n`` (rows used), ``clusters`` and ``boundary`` (tau2 at 0).

    >>> r = icc_item([1., 2, 2, 3, 4, 4, 5, 5], ["a", "a", "a", "b", "b", "b", "c", "c"])
    >>> round(r["icc"], 4), r["clusters"]
    (0.8685, 3)
    """
    ya = np.asarray(y, dtype=float)
    lab = np.asarray(cluster, dtype=object)
    if ya.shape != lab.shape:
        raise EgovsemError(f"icc_item: y and cluster differ in length ({ya.size} and {lab.size}).")
    ok = ~np.isnan(ya) & ~pd.isna(lab)
    ya, lab = ya[ok], lab[ok]
    _u, codes = np.unique(lab.astype(str), return_inverse=True)
    n, ybar, w = _cluster_stats(ya, codes.reshape(-1))
    if n.size < 2:
        raise DataError(f"The ICC needs at least 2 clusters with an answer; got {n.size}.")
    N, J = float(n.sum()), n.size
    mu0 = float(ya.mean())
    s0 = float(w.sum() / max(N - J, 1.0)) or 1e-4
    msb = float((n * (ybar - mu0) ** 2).sum() / max(J - 1, 1))
    n0 = (N - (n ** 2).sum() / N) / max(J - 1, 1)
    t0 = max((msb - s0) / n0, 1e-3 * s0)

    scale = float(ya.var()) or 1.0
    got = _newton(n, ybar, w, np.array([mu0, s0, t0]), scale)
    if got is None:  # (not expected: the likelihood is smooth and the start moment-based) the quasi-Newton search
        got = _lbfgsb(n, ybar, w, np.array([mu0, s0, t0]), scale)
    theta, converged = got
    mu, s, t = (float(x) for x in theta)
    return {"n": int(N), "clusters": int(J), "mu": mu, "sigma2_within": s, "tau2_between": t,
            "icc": t / (s + t), "boundary": bool(t <= 1e-10 * scale), "converged": bool(converged)}


def icc(data: pd.DataFrame, items: Sequence[str], cluster: str) -> pd.DataFrame:
    """ICC(1) of every item in ``items`` by ``cluster`` (:func:`icc_item`), one row per item:
    ``item n clusters mu sigma2_within tau2_between icc boundary converged``.

    lavaan: ``lavInspect(sem("level: 1\\n y ~~ y\\n level: 2\\n y ~~ y", data, cluster = "c"), "icc")``.
    """
    if not isinstance(cluster, str) or cluster not in data.columns:
        raise DataError(f"The 'cluster' argument {cluster!r} is not a column of the data.")
    missing = [i for i in items if i not in data.columns]
    if missing:
        raise DataError(f"The 'items' argument names columns the data lack: {missing}.")
    if data[cluster].isna().any():
        rows = list(data.index[data[cluster].isna()][:5])
        raise DataError(f"The cluster column {cluster!r} is missing at row(s) {rows}; every row needs its cluster.")
    rows = []
    for it in items:
        r = icc_item(pd.to_numeric(data[it], errors="coerce").to_numpy(dtype=float), data[cluster].to_numpy())
        rows.append({"item": it, **r})
    return pd.DataFrame(rows)
