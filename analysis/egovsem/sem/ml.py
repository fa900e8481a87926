"""Normal-theory maximum likelihood for complete data: objective, gradient, expected information, optimiser.

The discrepancy is lavaan's (times two): ``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p
+ (xbar - mu)' Sigma^-1 (xbar - mu)``, with ``S`` the sample covariance with divisor N
(lavaan's ``likelihood = "normal"``). ``chisq = N * F_min``. The expected information per observation is
``I = 1/2 tr(W dSigma_k W dSigma_l) + dmu_k' W dmu_l`` with ``W = Sigma^-1`` evaluated at the model-implied
moments (lavaan's ``information = "expected"``, ``h1.information = "structured"``).
The optimiser is Fisher scoring with step halving, which converges quadratically near the optimum.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ram import RAM

__all__ = ["objective", "gradient", "information", "fisher_scoring", "FitState"]


def _chol_logdet_inv(Sigma: np.ndarray):
    try:
        L = np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        return None, None
    logdet = 2.0 * np.log(np.diag(L)).sum()
    Linv = np.linalg.inv(L)
    return logdet, Linv.T @ Linv


def objective(ram: RAM, theta, S, xbar, logdetS, meanstructure: bool) -> float:
    Sigma, mu, *_ = ram.implied(theta)
    logdet, W = _chol_logdet_inv(Sigma)
    if logdet is None:
        return np.inf
    f = logdet + np.sum(S * W) - logdetS - S.shape[0]
    if meanstructure:
        d = xbar - mu
        f += d @ W @ d
    return float(f)


def gradient_and_info(ram: RAM, theta, S, xbar, meanstructure: bool, *, info: bool = True):
    """Gradient of F, and the expected information per observation (q x q)."""
    Sigma, mu, *_ = ram.implied(theta)
    W = np.linalg.inv(Sigma)
    dS, dmu = ram.jacobian(theta)
    WF = W - W @ S @ W
    q, p = dS.shape[0], W.shape[0]
    dSf = dS.reshape(q, p * p)
    if meanstructure:
        d = xbar - mu
        Wd = W @ d
        WF = WF - np.outer(Wd, Wd)
    g = dSf @ WF.reshape(p * p)
    if meanstructure:
        g -= 2.0 * dmu @ Wd
    if not info:
        return g, None
    I = information_from(W, dS, dmu, meanstructure)
    return g, I


def information_from(W, dS, dmu, meanstructure: bool):
    q, p = dS.shape[0], W.shape[0]
    M = np.matmul(np.matmul(W, dS), W)  # W dS_k W
    # tr(M_k dS_l) = sum(M_k * dS_l) as dS_l is symmetric: one matrix product
    I = 0.5 * (M.reshape(q, p * p) @ dS.reshape(q, p * p).T)
    if meanstructure:
        I += dmu @ W @ dmu.T
    return 0.5 * (I + I.T)


def gradient(ram, theta, S, xbar, meanstructure):
    return gradient_and_info(ram, theta, S, xbar, meanstructure, info=False)[0]


def information(ram, theta, meanstructure):
    Sigma, mu, *_ = ram.implied(theta)
    W = np.linalg.inv(Sigma)
    dS, dmu = ram.jacobian(theta)
    return information_from(W, dS, dmu, meanstructure)


@dataclass
class FitState:
    theta: np.ndarray
    fmin: float
    converged: bool
    iterations: int
    message: str


def scoring(f_of, gH_of, theta0: np.ndarray, *, iter_max: int = 10000, tol: float = 1e-10) -> FitState:
    """Minimise a discrepancy by Fisher scoring with step halving (and Levenberg damping if a step fails).

    ``f_of(theta)`` is the discrepancy (inf where the model is not positive definite) and
    ``gH_of(theta)`` returns its gradient and a positive definite metric (twice the expected
    information). Converged when the largest gradient element is below 1e-5, the relative change of F
    below ``tol`` (lavaan's nlminb uses rel.tol = 1e-10), and the gradient at the new point below 1e-7
    (estimates then sit within about 1e-7 of the optimum).
    """
    theta = np.asarray(theta0, dtype=float).copy()
    f = f_of(theta)
    if not np.isfinite(f):
        return FitState(theta, f, False, 0, "the starting values imply a covariance matrix that is not positive definite")
    lam = 0.0
    for it in range(1, iter_max + 1):
        g, H = gH_of(theta)
        if lam > 0:
            H = H + lam * np.diag(np.maximum(np.diag(H), 1e-8))
        try:
            step = -np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(H, g, rcond=None)[0]
        alpha, f_new = 1.0, np.inf
        for _ in range(30):
            cand = theta + alpha * step
            f_new = f_of(cand)
            if np.isfinite(f_new) and f_new <= f + 1e-4 * alpha * (g @ step):
                break
            alpha *= 0.5
        else:
            if np.max(np.abs(g)) < 1e-6:
                return FitState(theta, f, True, it, "converged (no further decrease possible)")
            lam = max(lam * 10, 1e-3)
            if lam > 1e8:
                return FitState(theta, f, False, it, "the line search failed")
            continue
        lam = lam / 10 if lam > 1e-6 else 0.0
        df = f - f_new
        theta, f = cand, f_new
        if np.max(np.abs(g)) < 1e-5 and (abs(df) <= tol * (abs(f) + 1.0) or np.max(np.abs(alpha * step)) < 1e-10):
            if np.max(np.abs(gH_of(theta, metric=False)[0])) < 1e-7:
                return FitState(theta, f, True, it, "converged")
    return FitState(theta, f, False, iter_max, f"the iteration limit ({iter_max}) was reached")


def fisher_scoring(
    ram: RAM,
    theta0: np.ndarray,
    S: np.ndarray,
    xbar: np.ndarray,
    *,
    meanstructure: bool,
    iter_max: int = 10000,
    tol: float = 1e-10,
) -> FitState:
    """Complete-data ML by :func:`scoring`."""
    logdetS = np.linalg.slogdet(S)[1]

    def gH(theta, metric=True):
        g, I = gradient_and_info(ram, theta, S, xbar, meanstructure, info=metric)
        return g, (2.0 * I if metric else None)

    return scoring(lambda th: objective(ram, th, S, xbar, logdetS, meanstructure), gH, theta0,
                   iter_max=iter_max, tol=tol)
