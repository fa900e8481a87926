"""Least-squares discrepancies for complete data: GLS and ULS (lavaan 0.6-14's ``estimator = "GLS"`` and
``"ULS"``), one group each (a multi-group fit sums them with the weights ``N_g / N``).

With ``R = S - Sigma``, ``d = xbar - mu`` (``S`` with divisor N - 1: lavaan rescales the sample covariance
only for the likelihood estimators; with sampling weights ``S`` is lavaan's weighted ``cov.wt(method = "ML")``,
divisor the sum of the normalised weights, not rescaled: :func:`ls_cov_scale`), the discrepancies are
lavaan's (``chisq = (N - G) F``, lavaan's sample size of the non-likelihood estimators; lavaan reports
``fmin = (N - G) / N F / 2``):

* GLS: ``F = 1/2 tr((S^-1 R)^2) + d' S^-1 d`` (the weight ``S^-1`` of the unrestricted model);
* ULS: ``F = sum_{i <= j} R_ij^2 + d' d`` (identity weight on ``[mu, vech Sigma]``, lavaan's WLS.V).

Both are minimised by the engine's Fisher scoring with the Gauss-Newton metric ``2 I``: GLS
``I = 1/2 tr(S^-1 dSigma_k S^-1 dSigma_l) + dmu_k' S^-1 dmu_l``, ULS ``I = Delta' Delta``.

Standard errors (lavaan 0.6-14's ``se = "standard"`` for these estimators): ``vcov = ((N - G) sum_g f_g
I_g)^-1`` with ``I_g`` the metric above (GLS: the weight of S^-1; ULS: ``Delta' Delta``, which is valid as
a standard error only under lavaan's own convention; checked against lavaan). The baseline (independence) model is fitted with
the same discrepancy: ULS at ``diag(S)``; GLS at the variances ``d = (A o A)^-1 diag(A)``, ``A = S^-1``
(the discrepancy is quadratic in them). GFI: ``1 - e' W e / s' W s`` with the estimator's weight ``W``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .casewise import vech_indices
from .discrepancy import Discrepancy
from .ml import information_from
from .ram import RAM

__all__ = ["GLSDiscrepancy", "ULSDiscrepancy", "baseline_ls", "gfi_ls", "ls_cov_scale"]


def ls_cov_scale(nobs: float, weighted: bool) -> float:
    """The factor that turns a group's sample covariance (divisor N) into the one GLS and ULS are fitted to.

    lavaan 0.6-14 fits these estimators to the covariance with divisor N - 1 (``N / (N - 1)``), but with
    sampling weights to the weighted covariance ``cov.wt(method = "ML")`` as it is (divisor the sum of the
    normalised weights, ``1``), while its statistic stays ``(N - 1) F`` (lav_model_objective's
    ``0.5 (N - 1) / N F`` for every least-squares estimator). So lavaan's fit with unit weights is not its fit
    without weights (ULS's chisq differs by ``((N - 1) / N)^2``, GLS's variances by ``(N - 1) / N``); egovsem
    reproduces lavaan (tests/reference/make_reference_design_estimators.R checks both).

    >>> ls_cov_scale(301, False), ls_cov_scale(301, True)
    (1.0033333333333334, 1.0)
    """
    return 1.0 if weighted else nobs / (nobs - 1.0)


@dataclass
class _LSBase(Discrepancy):
    ram: RAM
    S: np.ndarray
    xbar: np.ndarray
    meanstructure: bool
    nobs: float = 0
    rows: object = None
    Sinv: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.Sinv = np.linalg.inv(self.S)

    def _moments(self, theta: np.ndarray):
        Sigma, mu, *_ = self.ram.implied(theta)
        return Sigma, mu

    def scores(self, theta: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} has no casewise scores.")


@dataclass
class GLSDiscrepancy(_LSBase):
    """lavaan's GLS discrepancy of one group (times two, as the ML one here)."""

    def objective(self, theta: np.ndarray) -> float:
        Sigma, mu = self._moments(theta)
        Z = self.Sinv @ (self.S - Sigma)
        f = 0.5 * float(np.sum(Z * Z.T))
        if self.meanstructure:
            d = self.xbar - mu
            f += float(d @ self.Sinv @ d)
        return f

    def gradient_information(self, theta: np.ndarray, *, info: bool = True):
        Sigma, mu = self._moments(theta)
        dS, dmu = self.ram.jacobian(theta)
        A = self.Sinv
        M = -A @ (self.S - Sigma) @ A
        q, p = dS.shape[0], A.shape[0]
        g = dS.reshape(q, p * p) @ M.reshape(p * p)
        if self.meanstructure:
            g -= 2.0 * dmu @ (A @ (self.xbar - mu))
        return g, (information_from(A, dS, dmu, self.meanstructure) if info else None)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.gradient_information(theta, info=False)[0]

    def information(self, theta: np.ndarray) -> np.ndarray:
        _g, info = self.gradient_information(theta)
        assert info is not None
        return info


@dataclass
class ULSDiscrepancy(_LSBase):
    """lavaan's ULS discrepancy of one group."""

    def _delta(self, theta: np.ndarray) -> np.ndarray:
        """``d [mu, vech Sigma] / d theta`` (q, k) in the coordinates in use."""
        dS, dmu = self.ram.jacobian(theta)
        vi, vj = vech_indices(self.ram.p)
        D = dS[:, vi, vj]
        return np.concatenate([dmu, D], axis=1) if self.meanstructure else D

    def _resid(self, theta: np.ndarray) -> np.ndarray:
        Sigma, mu = self._moments(theta)
        vi, vj = vech_indices(self.ram.p)
        r = (self.S - Sigma)[vi, vj]
        return np.concatenate([self.xbar - mu, r]) if self.meanstructure else r

    def objective(self, theta: np.ndarray) -> float:
        r = self._resid(theta)
        return float(r @ r)

    def gradient_information(self, theta: np.ndarray, *, info: bool = True):
        D = self._delta(theta)
        g = -2.0 * D @ self._resid(theta)
        return g, (D @ D.T if info else None)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.gradient_information(theta, info=False)[0]

    def information(self, theta: np.ndarray) -> np.ndarray:
        D = self._delta(theta)
        return D @ D.T


def baseline_ls(kind: str, S: np.ndarray, xb: Sequence[int] = (), *, fixed_x: bool = False) -> float:
    """The baseline discrepancy ``F_b`` (means saturated) of GLS or ULS.

    lavaan's baseline keeps the covariances among the exogenous covariates ``xb`` (positions): fixed at the
    sample ones under ``fixed_x``, free otherwise. ULS reproduces them exactly either way; GLS, whose weight
    ``S^-1`` couples every moment, is the least-squares problem ``min 0.5 tr(((S - Sigma_b) S^-1)^2)`` over the
    free variances (and the free covariate block), linear in them, solved by its normal equations."""
    p = S.shape[0]
    xs = sorted(set(xb))
    if kind == "ULS":
        vi, vj = vech_indices(p)
        off = np.array([a != b and not (a in xs and b in xs) for a, b in zip(vi, vj)], dtype=bool)
        return float(np.sum(S[vi[off], vj[off]] ** 2))
    A = np.linalg.inv(S)
    if not xs:
        d = np.linalg.solve(A * A, np.diag(A))
        return float(0.5 * (p - 2.0 * np.diag(A) @ d + d @ (A * A) @ d))
    fixed = np.zeros((p, p))
    basis = [np.outer(np.eye(p)[k], np.eye(p)[k]) for k in range(p) if k not in xs]
    if fixed_x:
        fixed[np.ix_(xs, xs)] = S[np.ix_(xs, xs)]
    else:
        basis += [_sym_unit(p, a, b) for i, a in enumerate(xs) for b in xs[i:]]
    AB = [A @ B for B in basis]
    G = np.array([[np.sum(u * v.T) for v in AB] for u in AB])
    R = S - fixed
    h = np.array([np.sum(u * (A @ R).T) for u in AB])
    E = R - np.tensordot(np.linalg.solve(G, h), np.array(basis), axes=1)
    Z = A @ E
    return float(0.5 * np.sum(Z * Z.T))


def _sym_unit(p: int, a: int, b: int) -> np.ndarray:
    """The symmetric p x p matrix with ones at (a, b) and (b, a)."""
    M = np.zeros((p, p))
    M[a, b] = M[b, a] = 1.0
    return M


def gfi_ls(kind: str, S: np.ndarray, xbar: np.ndarray, Sigma: np.ndarray, mu: np.ndarray,
           meanstructure: bool, xi: Sequence[int] = ()) -> float:
    """lavaan's GFI ``1 - e' W e / s' W s`` of one group with the estimator's weight (``s`` the sample
    statistics, ``e`` their residuals). GLS with fixed.x covariates ``xi``: lavaan's weight has the rows and
    columns of the covariates' own moments set to zero (their residuals are zero, their sample moments are
    left out of ``s' W s``)."""
    p = S.shape[0]
    vi, vj = vech_indices(p)
    if kind == "ULS":
        s = S[vi, vj]
        e = (S - Sigma)[vi, vj]
        num, den = float(e @ e), float(s @ s)
        if meanstructure:
            num += float((xbar - mu) @ (xbar - mu))
            den += float(xbar @ xbar)
        return 1.0 - num / den
    A = np.linalg.inv(S)
    Z = A @ (S - Sigma)
    xs = list(xi)
    S0 = S.copy()
    S0[np.ix_(xs, xs)] = 0.0
    Z0 = A @ S0
    num, den = 0.5 * float(np.sum(Z * Z.T)), 0.5 * float(np.sum(Z0 * Z0.T))
    if meanstructure:
        d = xbar - mu
        A0 = A.copy()
        A0[xs, :] = 0.0
        A0[:, xs] = 0.0
        num += float(d @ A0 @ d)
        den += float(xbar @ A0 @ xbar)
    return 1.0 - num / den


def ls_discrepancy(kind: str, S: np.ndarray, xbar: np.ndarray, Sigma: np.ndarray, mu: np.ndarray,
                   meanstructure: bool) -> float:
    """``F`` of GLS or ULS at the moments (``S`` with divisor N - 1)."""
    d = xbar - mu
    if kind == "ULS":
        vi, vj = vech_indices(S.shape[0])
        r = (S - Sigma)[vi, vj]
        return float(r @ r + (d @ d if meanstructure else 0.0))
    A = np.linalg.inv(S)
    Z = A @ (S - Sigma)
    return float(0.5 * np.sum(Z * Z.T) + (d @ A @ d if meanstructure else 0.0))
