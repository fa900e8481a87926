"""The Satorra-Bentler family for complete data: Gamma, robust.sem standard errors and the U Gamma traces.

As lavaan 0.6-14 computes them for ML (``estimator = "MLM"``, ``se = "robust.sem"``, ``test =
"satorra.bentler" | "scaled.shifted"``), per group ``g`` in the saturated coordinates ``phi = [mu, vech
Sigma]`` (without a mean structure only ``vech Sigma``):

* ``Gamma_g``: the asymptotic covariance of the sample statistics, the ADF estimate from the fourth
  moments about the sample means, divisor ``N_g`` (lavaan's ``NACOV``);
* ``V_g``: the unrestricted ("h1") information per observation at the model-implied moments: expected
  (``Sigma^-1`` for the means, ``1/2 D' (W x W) D`` for vech), or observed (minus the Hessian of the rows'
  log-likelihood per row) when ``information = "observed"``;
* ``Delta_g``: the model Jacobian ``d phi / d theta``;
* robust.sem: ``vcov = A^-1 (sum_g N_g Delta_g' V_g Gamma_g V_g Delta_g) A^-1`` with ``A`` the total
  information of the standard errors;
* ``U = V - V Delta E^-1 Delta' V`` with ``V = blockdiag(f_g V_g)``, ``E = A / N`` and ``Gamma =
  blockdiag(Gamma_g / f_g)``, ``f_g = N_g / N``: the Satorra-Bentler scaling ``c = tr(U Gamma) / df`` and the
  scaled-shifted ``a = sqrt(df / tr((U Gamma)^2))``, ``b = df - a tr(U Gamma)``;
* the baseline's ``U_b Gamma`` from the independence model (free variances, and free means with a mean
  structure) at ``diag(S_g)``, the same way.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._errors import EgovsemError
from .casewise import vech_indices
from .robust import complete_information_phi, saturated_coords

__all__ = ["nacov", "nacov_fixed_x", "h1_information", "robust_sem_meat", "ugamma", "baseline_ugamma", "check_gamma_model"]


def check_gamma_model(spec: Any, stats: Sequence[Any]) -> None:
    """Refuse fixed.x covariates with the Gamma-based options when a group's rows have holes
    (``missing="pairwise"``): the conditional Gamma regresses each row's outcomes on its covariates, which
    needs complete rows; lavaan 0.6-14 stops there too."""
    if spec.ov_x and any(np.isnan(np.asarray(st.X, dtype=float)).any() for st in stats):
        raise EgovsemError(
            f"missing='pairwise' with the fixed.x covariates {list(spec.ov_x)} is not possible with se='robust.sem' "
            "or a Satorra-Bentler style test (MLM, MLMV, ULSM, ...) when the data have missing values: lavaan's Gamma "
            "conditional on the covariates regresses each row's outcomes on them, which needs complete rows "
            "(lavaan 0.6-14 stops with \"NA/NaN/Inf in foreign function call (arg 5)\"); pass fixed_x=False, or "
            "missing='listwise'.")


def nacov(X: np.ndarray, idx: np.ndarray, cluster: Any = None) -> np.ndarray:
    """The ADF covariance of ``[xbar, vech S]`` (divisor N) of the rows ``X`` (n, p), in the coordinates
    ``idx`` of the full ``phi``. Rows with holes (``missing="pairwise"``) as lavaan's
    ``lav_samplestats_Gamma``: columns centred at their available-case means, each product centred at its
    own available mean, the crossproduct summed over the rows where both are observed, divided by N. With
    ``cluster`` codes the rows' contributions are summed within clusters (:func:`_crossprod`)."""
    p = X.shape[1]
    Y = X - np.nanmean(X, axis=0)
    vi, vj = vech_indices(p)
    Z = np.hstack([Y, Y[:, vi] * Y[:, vj]])[:, idx]
    if np.isnan(Z).any():
        Z = np.nan_to_num(Z - np.nanmean(Z, axis=0), nan=0.0)
    else:
        Z = Z - Z.mean(axis=0)
    return _crossprod(Z, cluster)


def _crossprod(Z: np.ndarray, cluster: Any = None) -> np.ndarray:
    """``Z' Z / N`` of the centred rows ``Z``; with cluster codes the rows summed within clusters first and
    the result multiplied by ``C / (C - 1)`` (lavaan's clustered Gamma, ``C`` clusters)."""
    n = Z.shape[0]
    if cluster is None:
        return (Z.T @ Z) / n
    codes, inv = np.unique(np.asarray(cluster), return_inverse=True)
    Zc = np.zeros((codes.size, Z.shape[1]))
    np.add.at(Zc, inv.ravel(), Z)
    return (Zc.T @ Zc) / n * codes.size / (codes.size - 1.0)


def nacov_fixed_x(X: np.ndarray, idx: np.ndarray, xi: Sequence[int], cluster: Any = None) -> np.ndarray:
    """The ADF covariance of ``[xbar, vech S]`` (divisor N) conditional on the fixed.x covariates ``xi``, in
    the coordinates ``idx`` (lavaan 0.6-14's ``lav_samplestats_Gamma`` with ``fixed.x = TRUE``).

    Each row's outcomes are split into their least-squares prediction from the covariates (with an intercept)
    and the residual; a row's contribution is its moment vector ``[y, vech (y - ybar)(y - ybar)']`` less that
    of the row with the outcomes replaced by their predictions (the covariates kept). The covariates' own
    moments then contribute nothing, the mean of an outcome contributes its residual, the covariance of an
    outcome and a covariate the residual times the centred covariate. Complete rows only."""
    n, p = X.shape
    xs = list(xi)
    ys = [j for j in range(p) if j not in set(xs)]
    D = np.hstack([np.ones((n, 1)), X[:, xs]])
    coef, *_ = np.linalg.lstsq(D, X[:, ys], rcond=None)
    Xhat = X.copy()
    Xhat[:, ys] = D @ coef
    vi, vj = vech_indices(p)

    def moments(Y: np.ndarray) -> np.ndarray:
        Yc = Y - Y.mean(axis=0)
        return np.hstack([Y, Yc[:, vi] * Yc[:, vj]])

    Z = (moments(X) - moments(Xhat))[:, idx]
    return _crossprod(Z - Z.mean(axis=0), cluster)


def h1_information(Sigma: np.ndarray, mu: np.ndarray, idx: np.ndarray, kind: str, rows: Any = None) -> np.ndarray:
    """The unrestricted information per observation at the moments (``Sigma``, ``mu``): expected, or
    observed (rows needed), in the coordinates ``idx``."""
    if kind == "expected":
        return complete_information_phi(Sigma)[np.ix_(idx, idx)]
    from .casewise import casewise_pd, saturated_hessian

    cw = casewise_pd(rows.X0, rows.M, Sigma, mu, rows.w)
    return -saturated_hessian(cw)[np.ix_(idx, idx)] / rows.total


def group_parts(discs: Sequence[Any], theta: np.ndarray, stats: Sequence[Any], meanstructure: bool,
                information: str, xi: Sequence[int] = ()) -> list[dict[str, Any]]:
    """Per group: ``D`` (q, k), ``V`` (k, k), ``Gamma`` (k, k) and ``n`` (the group's size: with sampling
    weights the sum of its normalised weights, while Gamma is that of the rows unweighted, as lavaan 0.6-14
    computes it for MLM with sampling.weights). With fixed.x covariates ``xi``
    (positions in the observed variables) the coordinates of their own moments are left out of all three, as
    lavaan zeroes those rows and columns of the h1 information, and Gamma is :func:`nacov_fixed_x`."""
    from .fiml import delta_phi

    out = []
    for d, st in zip(discs, stats):
        ram = d.ram
        idx = saturated_coords(ram.p, meanstructure, xi)
        Sigma, mu, *_ = ram.implied(theta)
        if not meanstructure:
            mu = st.mean
        kind = "observed" if information == "observed" else "expected"
        gamma = nacov_fixed_x(st.X, idx, xi, st.cluster) if len(xi) else nacov(st.X, idx, st.cluster)
        out.append({"D": delta_phi(ram, theta)[:, idx], "V": h1_information(Sigma, mu, idx, kind, d.rows),
                    "Gamma": gamma, "n": float(st.nobs_w), "idx": idx})
    return out


def robust_sem_meat(parts: Sequence[dict[str, Any]]) -> np.ndarray:
    """``sum_g N_g Delta_g' V_g Gamma_g V_g Delta_g`` (q, q)."""
    terms = [g["n"] * (g["D"] @ g["V"] @ g["Gamma"] @ g["V"] @ g["D"].T) for g in parts]
    return sum(terms[1:], terms[0])


def _block_diag(blocks: Sequence[np.ndarray]) -> np.ndarray:
    from .fit_robust import block_diag

    return block_diag(*blocks)


def ugamma(parts: Sequence[dict[str, Any]]) -> np.ndarray:
    """``U Gamma`` over all groups, with ``E = Delta' V Delta`` (per observation; the observed information
    of the "h1" kind when ``V`` is observed, as lavaan's traces)."""
    N = sum(g["n"] for g in parts)
    f = [g["n"] / N for g in parts]
    V = _block_diag([fg * g["V"] for fg, g in zip(f, parts)])
    G = _block_diag([g["Gamma"] / fg for fg, g in zip(f, parts)])
    D = np.hstack([g["D"] for g in parts])  # (q, sum k)
    VD = V @ D.T
    U = V - VD @ np.linalg.pinv(D @ VD) @ VD.T
    return U @ G


def baseline_ugamma(parts: Sequence[dict[str, Any]], stats: Sequence[Any], meanstructure: bool,
                    information: str = "expected", rows: Sequence[Any] | None = None, *,
                    unit_weights: bool = False, xi: Sequence[int] = ()) -> np.ndarray:
    """``U_b Gamma`` of the independence model (variances, and means with a mean structure, free in each
    group) at ``diag(S_g)`` and the sample means, with the expected or the observed h1 information (or, for
    ULS, ``unit_weights``: W = I). With fixed.x covariates ``xi`` the baseline keeps their sample
    (co)variances (fixed), and their own moments are not among the coordinates (``parts[g]["idx"]``)."""
    N = sum(g["n"] for g in parts)
    Vs, Ds = [], []
    kind = "observed" if information == "observed" else "expected"
    for k, (g, st) in enumerate(zip(parts, stats)):
        p = st.cov.shape[0]
        idx = g["idx"]
        Sb = np.diag(np.diag(st.cov))
        if len(xi):
            Sb[np.ix_(xi, xi)] = st.cov[np.ix_(xi, xi)]
        Vk = np.eye(idx.size) if unit_weights else h1_information(Sb, st.mean, idx, kind,
                                                                   None if rows is None else rows[k])
        Vs.append(g["n"] / N * Vk)
        vi, vj = vech_indices(p)
        full = p + vi.size
        xs = set(xi)
        cols = []
        if meanstructure:
            cols += [i for i in range(p) if i not in xs]
        cols += [p + k for k in range(vi.size) if vi[k] == vj[k] and vi[k] not in xs]
        Db = np.zeros((len(cols), full))
        Db[np.arange(len(cols)), cols] = 1.0
        Ds.append(Db[:, idx])
    V = _block_diag(Vs)
    D = _block_diag(Ds)
    E = D @ V @ D.T
    VD = V @ D.T
    U = V - VD @ np.linalg.solve(E, VD.T)
    f = [g["n"] / N for g in parts]
    G = _block_diag([g["Gamma"] / fg for fg, g in zip(f, parts)])
    return U @ G
