"""Normal-theory maximum likelihood for complete data: the ML discrepancy of one group.

The discrepancy is lavaan's (times two): ``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p
+ (xbar - mu)' Sigma^-1 (xbar - mu)``, with ``S`` the sample covariance with divisor N
(lavaan's ``likelihood = "normal"``). ``chisq = N * F_min``. Its derivatives with respect to the implied
moments are ``dF/dSigma = M = W - W S W - W d d' W`` and ``dF/dmu = -2 W d`` (``W = Sigma^-1``,
``d = xbar - mu``), and the expected information per observation is
``I = 1/2 tr(W dSigma_k W dSigma_l) + dmu_k' W dmu_l`` at the model-implied moments (lavaan's
``information = "expected"``, ``h1.information = "structured"``).

Every function of the moments (:func:`objective_from_moments`, :func:`moment_derivatives`,
:func:`information_from`, :func:`information_from_factors`) takes one problem or a stack of problems
with a leading batch axis (``Sigma`` of shape ``(B, p, p)``): the single fit (:class:`MLDiscrepancy`) and
the batched fits of bootstrap and power analysis (:mod:`egovsem.sem.batch`) evaluate the same formulas.
The model enters through the Jacobian of ``(Sigma, mu)``: dense (``dSigma`` (q, p, p), from
:meth:`egovsem.sem.ram.RAM.jacobian`) or in the rank-two form of the RAM cells, ``dSigma_c = u_c v_c' +
v_c u_c'`` (stacked as ``U``, ``V`` (B, p, c), used by the batch).
The optimiser is :func:`egovsem.sem.discrepancy.minimize_groups` (Fisher scoring in a trust region).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .discrepancy import Discrepancy, minimize_groups
from .fiml import RowData, model_scores, observed_information
from .optimize import FitState, minimize
from .ram import RAM

__all__ = ["MLDiscrepancy", "objective", "gradient", "gradient_and_info", "information", "information_from",
           "information_from_factors", "objective_from_moments", "moment_derivatives", "chol_inverse",
           "fisher_scoring", "FitState", "scoring"]


# ------------------------------------------------------------------ functions of the moments --

def chol_inverse(Sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``ok, log|Sigma|, Sigma^-1`` by Cholesky, for one matrix (p, p) or a stack (B, p, p); ``ok`` is
    False (and the inverse that of the identity) where a matrix is not positive definite."""
    if Sigma.ndim == 2:
        try:
            L = np.linalg.cholesky(Sigma)
        except np.linalg.LinAlgError:
            p = Sigma.shape[0]
            return np.asarray(False), np.asarray(0.0), np.eye(p)
        Linv = np.linalg.inv(L)
        return np.asarray(True), np.asarray(2.0 * np.log(np.diag(L)).sum()), Linv.T @ Linv
    B, p = Sigma.shape[0], Sigma.shape[-1]
    ok = np.ones(B, dtype=bool)
    try:
        L = np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        L = np.zeros_like(Sigma)
        for b in range(B):
            try:
                L[b] = np.linalg.cholesky(Sigma[b])
            except np.linalg.LinAlgError:
                ok[b] = False
                L[b] = np.eye(p)
    logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
    Linv = np.linalg.inv(L)
    return ok, logdet, np.swapaxes(Linv, 1, 2) @ Linv


def objective_from_moments(
    Sigma: np.ndarray, mu: np.ndarray | None, S: np.ndarray, xbar: np.ndarray | None,
    logdetS: np.ndarray | float, meanstructure: bool, *, chol: tuple | None = None,
) -> np.ndarray:
    """``F`` at the implied moments (one problem: a 0-d array; a stack: (B,)); ``inf`` where ``Sigma`` is
    not positive definite. ``chol``: :func:`chol_inverse` of ``Sigma`` when the caller has it."""
    ok, logdet, W = chol_inverse(Sigma) if chol is None else chol
    p = S.shape[-1]
    if Sigma.ndim == 2:
        if not ok:
            return np.asarray(np.inf)
        f = logdet + np.sum(S * W) - logdetS - p
        if meanstructure and mu is not None and xbar is not None:
            d = xbar - mu
            f = f + d @ W @ d
        return np.asarray(f)
    fv = logdet + np.einsum("bij,bij->b", S, W) - logdetS - p
    if meanstructure and mu is not None and xbar is not None:
        d = xbar - mu
        fv = fv + np.einsum("bi,bi->b", d, (W @ d[..., None])[..., 0])
    return np.where(ok, fv, np.inf)


def moment_derivatives(
    W: np.ndarray, S: np.ndarray, xbar: np.ndarray | None, mu: np.ndarray | None, meanstructure: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """``M = dF/dSigma = W - W S W - W d d' W`` and ``W d`` (``dF/dmu = -2 W d``; None without a mean
    structure), for one problem or a stack."""
    M = W - W @ S @ W
    if not meanstructure or xbar is None or mu is None:
        return M, None
    d = xbar - mu
    Wd = W @ d if W.ndim == 2 else (W @ d[..., None])[..., 0]
    return M - Wd[..., :, None] * Wd[..., None, :], Wd


def information_from(W: np.ndarray, dS: np.ndarray, dmu: np.ndarray, meanstructure: bool) -> np.ndarray:
    """Expected information per observation from the dense Jacobian ``dS`` (q, p, p), ``dmu`` (q, p)."""
    q, p = dS.shape[0], W.shape[0]
    M = np.matmul(np.matmul(W, dS), W)  # W dS_k W
    # tr(M_k dS_l) = sum(M_k * dS_l) as dS_l is symmetric: one matrix product
    info = 0.5 * (M.reshape(q, p * p) @ dS.reshape(q, p * p).T)
    if meanstructure:
        info += dmu @ W @ dmu.T
    return 0.5 * (info + info.T)


def information_from_factors(W: np.ndarray, U: np.ndarray, V: np.ndarray, D: np.ndarray | None) -> np.ndarray:
    """Expected information per observation (B, c, c) for a Jacobian in rank-two form.

    With ``dSigma_c = u_c v_c' + v_c u_c'`` (``U``, ``V`` of shape (B, p, c)) and ``dmu_c = D[:, :, c]``,
    ``1/2 tr(W dSigma_k W dSigma_l) = (U'WV)_kl (U'WV)_lk + (U'WU)_kl (V'WV)_kl``: the formula of
    :func:`information_from` in ``O(c^2 p)`` instead of ``O(c^2 p^2)``.
    """
    WU, WV = W @ U, W @ V
    Ut, Vt = np.swapaxes(U, 1, 2), np.swapaxes(V, 1, 2)
    UWV = Ut @ WV
    info = UWV * np.swapaxes(UWV, 1, 2) + (Ut @ WU) * (Vt @ WV)
    if D is not None:
        info = info + np.swapaxes(D, 1, 2) @ (W @ D)
    return info


# ----------------------------------------------------------------------- one model, one group --

def objective(ram: RAM, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray, logdetS: float,
              meanstructure: bool) -> float:
    """``F`` at ``theta``."""
    Sigma, mu, *_ = ram.implied(theta)
    return float(objective_from_moments(Sigma, mu, S, xbar, logdetS, meanstructure))


def gradient_and_info(ram: RAM, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray, meanstructure: bool, *,
                      info: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Gradient of F, and the expected information per observation (q x q)."""
    Sigma, mu, *_ = ram.implied(theta)
    W = np.linalg.inv(Sigma)
    dS, dmu = ram.jacobian(theta)
    M, Wd = moment_derivatives(W, S, xbar, mu, meanstructure)
    q, p = dS.shape[0], W.shape[0]
    g = dS.reshape(q, p * p) @ M.reshape(p * p)
    if Wd is not None:
        g -= 2.0 * dmu @ Wd
    if not info:
        return g, None
    return g, information_from(W, dS, dmu, meanstructure)


def gradient(ram: RAM, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray, meanstructure: bool) -> np.ndarray:
    """Gradient of F at ``theta``."""
    return gradient_and_info(ram, theta, S, xbar, meanstructure, info=False)[0]


def information(ram: RAM, theta: np.ndarray, meanstructure: bool) -> np.ndarray:
    """Expected information per observation at ``theta``."""
    Sigma, mu, *_ = ram.implied(theta)
    W = np.linalg.inv(Sigma)
    dS, dmu = ram.jacobian(theta)
    return information_from(W, dS, dmu, meanstructure)


@dataclass
class MLDiscrepancy(Discrepancy):
    """The ML discrepancy of one group: its RAM and sample moments (``S`` with divisor N, ``xbar``).

    ``rows`` (the raw rows, :class:`egovsem.sem.fiml.RowData`) are needed only for the casewise scores
    and the observed information (MLR).
    """

    ram: RAM
    S: np.ndarray
    xbar: np.ndarray
    meanstructure: bool
    nobs: float = 0
    rows: RowData | None = None
    logdetS: float = field(init=False)

    def __post_init__(self) -> None:
        self.logdetS = float(np.linalg.slogdet(self.S)[1])

    @property
    def mu_fixed(self) -> np.ndarray | None:
        """Without a mean structure the means are the sample means (casewise quantities)."""
        return None if self.meanstructure else self.xbar

    def objective(self, theta: np.ndarray) -> float:
        return objective(self.ram, theta, self.S, self.xbar, self.logdetS, self.meanstructure)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return gradient(self.ram, theta, self.S, self.xbar, self.meanstructure)

    def information(self, theta: np.ndarray) -> np.ndarray:
        return information(self.ram, theta, self.meanstructure)

    def gradient_information(self, theta: np.ndarray, *, info: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        return gradient_and_info(self.ram, theta, self.S, self.xbar, self.meanstructure, info=info)

    def _rows(self) -> RowData:
        if self.rows is None:
            raise NotImplementedError("the ML discrepancy was built without its rows: no casewise quantities.")
        return self.rows

    def scores(self, theta: np.ndarray) -> np.ndarray:
        return model_scores(self.ram, theta, self._rows(), mu_fixed=self.mu_fixed)

    def observed_information(self, theta: np.ndarray) -> np.ndarray:
        """Total observed information (minus the Hessian of the log-likelihood of the rows)."""
        return observed_information(self.ram, theta, self._rows(), mu_fixed=self.mu_fixed)


# the optimiser lives in :mod:`egovsem.sem.optimize`; these names stay importable from here
scoring = minimize


def fisher_scoring(
    ram: RAM,
    theta0: np.ndarray,
    S: np.ndarray,
    xbar: np.ndarray,
    *,
    meanstructure: bool,
    iter_max: int = 10000,
    tol: float = 1e-10,
    variances: np.ndarray | None = None,
) -> FitState:
    """Complete-data ML of one group by :func:`egovsem.sem.discrepancy.minimize_groups` (``variances``: the
    free variances' positions, for the optimiser's guard; give them when starting from start values)."""
    return minimize_groups([MLDiscrepancy(ram, S, xbar, meanstructure)], theta0, iter_max=iter_max, tol=tol,
                           variances=variances)
