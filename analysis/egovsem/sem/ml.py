"""Normal-theory maximum likelihood for complete data: objective, gradient, expected information, optimiser.

The discrepancy is lavaan's (times two): ``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p
+ (xbar - mu)' Sigma^-1 (xbar - mu)``, with ``S`` the sample covariance with divisor N
(lavaan's ``likelihood = "normal"``). ``chisq = N * F_min``. The expected information per observation is
``I = 1/2 tr(W dSigma_k W dSigma_l) + dmu_k' W dmu_l`` with ``W = Sigma^-1`` evaluated at the model-implied
moments (lavaan's ``information = "expected"``, ``h1.information = "structured"``).
The optimiser is :func:`egovsem.sem.optimize.minimize` (Fisher scoring in a trust region).
"""
from __future__ import annotations

import numpy as np

from .optimize import FitState, minimize
from .ram import RAM

__all__ = ["objective", "gradient", "information", "fisher_scoring", "FitState", "scoring"]


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
) -> FitState:
    """Complete-data ML by :func:`egovsem.sem.optimize.minimize`."""
    logdetS = np.linalg.slogdet(S)[1]

    def gH(theta, metric=True):
        g, I = gradient_and_info(ram, theta, S, xbar, meanstructure, info=metric)
        return g, (2.0 * I if metric else None)

    return minimize(lambda th: objective(ram, th, S, xbar, logdetS, meanstructure), gH, theta0,
                    iter_max=iter_max, tol=tol)
