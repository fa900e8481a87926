"""FIML (casewise ML with missing values) and the observed-information / first-order matrices that
FIML and MLR need, all in terms of the saturated coordinates of :mod:`egovsem.sem.casewise`.

* FIML discrepancy ``F(theta) = -2/N sum_i l_i(theta)`` (:class:`FIMLDiscrepancy`, the protocol of
  :mod:`egovsem.sem.discrepancy`); minimised with the expected information under MAR as the metric.
* Observed information (lavaan's default for FIML and for MLR, ``observed.information = "hessian"``):
  ``-[Delta' H_phi Delta + sum_a g_a d2 phi_a / dtheta dtheta']``, the second term by central differences
  of the model Jacobian (no data involved).
* First-order information ``B = sum_i s_i s_i'`` of the casewise scores (MLR's sandwich, Yuan-Bentler).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .casewise import (
    Casewise,
    casewise,
    expected_information_phi,
    saturated_gradient,
    saturated_hessian,
    saturated_scores,
    score_blocks,
    vech_indices,
)
from .discrepancy import Discrepancy, minimize_groups
from .optimize import FitState
from .ram import RAM

__all__ = ["RowData", "FIMLDiscrepancy", "delta_phi", "fiml_objective", "fiml_scoring", "observed_information",
           "h1_logl", "h1_observed_information",
           "model_scores", "independence_fiml", "independence_fiml_moments"]


@dataclass(frozen=True)
class RowData:
    """Rows with missing cells: ``X0`` (missing set to 0) and ``M`` (1.0 where observed); ``w``: the rows'
    (normalised) sampling weights, ``cluster``: their cluster codes 0..C-1 (the casewise scores are summed
    within clusters for the Huber-White meat), or None."""

    X0: np.ndarray
    M: np.ndarray
    w: np.ndarray | None = None
    cluster: np.ndarray | None = None

    @classmethod
    def from_array(cls, X: np.ndarray, w: np.ndarray | None = None, cluster: np.ndarray | None = None) -> RowData:
        M = (~np.isnan(X)).astype(float)
        return cls(np.where(M > 0, X, 0.0), M, w, cluster)

    @property
    def n(self) -> int:
        return self.X0.shape[0]

    @property
    def total(self) -> float:
        """The number of rows, or the sum of their weights (lavaan's ``nobs`` with sampling weights)."""
        return float(self.n if self.w is None else self.w.sum())


def delta_phi(ram: RAM, theta: np.ndarray) -> np.ndarray:
    """Jacobian of the saturated coordinates [mu, vech(Sigma)] with respect to theta, shape (q, nphi)."""
    dS, dmu = ram.jacobian(theta)
    vi, vj = vech_indices(ram.p)
    return np.concatenate([dmu, dS[:, vi, vj]], axis=1)


def _phi_gradient(cw: Casewise) -> np.ndarray:
    """The summed casewise scores in phi coordinates (without forming the n x nphi score matrix)."""
    g_mu, G = saturated_gradient(cw)
    vi, vj = vech_indices(g_mu.size)
    return np.concatenate([g_mu, G[vi, vj] * np.where(vi == vj, 1.0, 2.0)])


def fiml_objective(ram: RAM, theta: np.ndarray, rows: RowData) -> float:
    """The FIML discrepancy ``-2/N sum_i l_i(theta)``; ``inf`` where some row's block is not PD."""
    Sigma, mu, *_ = ram.implied(theta)
    cw = casewise(rows.X0, rows.M, Sigma, mu, rows.w)
    if cw is None:
        return np.inf
    return float(-2.0 / rows.total * cw.logl.sum())


def h1_logl(rows: RowData, Sigma: np.ndarray, mu: np.ndarray) -> float:
    """The log-likelihood of the rows at ``(Sigma, mu)`` (the unrestricted model's at its EM estimates)."""
    cw = casewise(rows.X0, rows.M, Sigma, mu, rows.w)
    if cw is None:
        return -np.inf
    return float(cw.logl.sum())


@dataclass
class FIMLDiscrepancy(Discrepancy):
    """The FIML discrepancy of one group: its RAM and rows (missing cells masked).

    The scoring metric is the expected information under MAR (casewise over the rows' observed
    blocks); ``mu_fixed``: without a mean structure the means are the saturated estimates.
    """

    ram: RAM
    rows: RowData
    mu_fixed: np.ndarray | None = None

    @property
    def nobs(self) -> float:
        return self.rows.total

    def _casewise(self, theta: np.ndarray) -> Casewise:
        Sigma, mu, *_ = self.ram.implied(theta)
        return _casewise_at(self.rows, Sigma, mu)

    def objective(self, theta: np.ndarray) -> float:
        return fiml_objective(self.ram, theta, self.rows)

    def gradient_information(self, theta: np.ndarray, *, info: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        cw = self._casewise(theta)
        D = delta_phi(self.ram, theta)
        n = self.rows.total
        g = -2.0 / n * (D @ _phi_gradient(cw))
        return g, ((1.0 / n) * (D @ expected_information_phi(cw) @ D.T) if info else None)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.gradient_information(theta, info=False)[0]

    def information(self, theta: np.ndarray) -> np.ndarray:
        info = self.gradient_information(theta)[1]
        assert info is not None
        return info

    def scores(self, theta: np.ndarray) -> np.ndarray:
        return model_scores(self.ram, theta, self.rows, mu_fixed=self.mu_fixed)

    def observed_information(self, theta: np.ndarray) -> np.ndarray:
        """Total observed information (minus the Hessian of the log-likelihood)."""
        return observed_information(self.ram, theta, self.rows, mu_fixed=self.mu_fixed)


def fiml_scoring(ram: RAM, theta0: np.ndarray, rows: RowData, *, iter_max: int = 10000,
                 tol: float = 1e-10) -> FitState:
    """Minimise the FIML discrepancy of one group by :func:`egovsem.sem.discrepancy.minimize_groups`."""
    return minimize_groups([FIMLDiscrepancy(ram, rows)], theta0, iter_max=iter_max, tol=tol)


def _casewise_at(rows: RowData, Sigma: np.ndarray, mu: np.ndarray) -> Casewise:
    cw = casewise(rows.X0, rows.M, Sigma, mu, rows.w)
    if cw is None:
        raise np.linalg.LinAlgError("the implied covariance matrix is not positive definite")
    return cw


def observed_information(ram: RAM, theta: np.ndarray, rows: RowData, *,
                         mu_fixed: np.ndarray | None = None) -> np.ndarray:
    """Total observed information (minus the Hessian of the log-likelihood) at theta.

    ``mu_fixed``: without a mean structure the means are the (saturated) sample means.
    """
    Sigma, mu, *_ = ram.implied(theta)
    if mu_fixed is not None:
        mu = mu_fixed
    cw = _casewise_at(rows, Sigma, mu)
    D = delta_phi(ram, theta)
    Hphi = saturated_hessian(cw)
    g_mu, G = saturated_gradient(cw)
    G = 0.5 * (G + G.T)
    q = theta.size
    T = np.zeros((q, q))
    for j in range(q):
        # central difference of Delta(theta) @ g (the model Jacobian times the fixed saturated gradient; no data
        # involved), each side a vector-Jacobian product (RAM.vjp) instead of the (q, p, p) Jacobian; error
        # O(h^2) ~ 1e-10
        h = 1e-5 * max(1.0, abs(theta[j]))
        th = theta.copy()
        th[j] += h
        up = ram.vjp(th, G, g_mu)
        th[j] -= 2 * h
        T[:, j] = (up - ram.vjp(th, G, g_mu)) / (2 * h)
    T = 0.5 * (T + T.T)
    A = -(D @ Hphi @ D.T + T)
    return 0.5 * (A + A.T)


def h1_observed_information(ram: RAM, theta: np.ndarray, rows: RowData, *,
                            mu_fixed: np.ndarray | None = None) -> np.ndarray:
    """``-Delta' H_phi Delta``: the observed information without the second-order term of the model
    (lavaan's ``observed.information = "h1"``), total over the rows."""
    Sigma, mu, *_ = ram.implied(theta)
    if mu_fixed is not None:
        mu = mu_fixed
    cw = _casewise_at(rows, Sigma, mu)
    D = delta_phi(ram, theta)
    A = -(D @ saturated_hessian(cw) @ D.T)
    return 0.5 * (A + A.T)


def model_scores(ram: RAM, theta: np.ndarray, rows: RowData, *, mu_fixed: np.ndarray | None = None) -> np.ndarray:
    """Casewise scores with respect to theta, (n, q)."""
    Sigma, mu, *_ = ram.implied(theta)
    if mu_fixed is not None:
        mu = mu_fixed
    cw = _casewise_at(rows, Sigma, mu)
    Dt = delta_phi(ram, theta).T
    out = np.empty((cw.u.shape[0], Dt.shape[1]))
    for lo, hi in score_blocks(cw):  # the n x nphi saturated scores a block of rows at a time
        out[lo:hi] = saturated_scores(cw, lo, hi) @ Dt
    return out


def independence_fiml(rows: RowData, xi=()) -> tuple[np.ndarray, np.ndarray, float]:
    """The independence (baseline) model under FIML: per-variable ML mean and variance of the observed
    values, which maximise the likelihood because it factorises; the covariates ``xi`` (lavaan's ov.x)
    keep their joint distribution. Returns (var, mean, logl); see :func:`independence_fiml_moments`."""
    Sb, mean, logl = independence_fiml_moments(rows, xi)
    return np.diag(Sb).copy(), mean, logl


def independence_fiml_moments(rows: RowData, xi=()) -> tuple[np.ndarray, np.ndarray, float]:
    """The baseline model's (Sigma, mu, logl) under FIML: diagonal but for the block of the covariates
    ``xi``, which is their saturated ML estimate (the sample moments when they are complete, as under
    fixed.x; EM on the covariates alone when they have missing values, as lavaan's baseline with
    fixed.x = FALSE, where their covariances are free)."""
    X0, M = rows.X0, rows.M
    wr = np.ones(X0.shape[0]) if rows.w is None else rows.w
    Mw = M * wr[:, None]  # the weighted observed mask (lavaan: weighted moments of the observed values)
    cnt = Mw.sum(axis=0)
    mean = (X0 * Mw).sum(axis=0) / cnt
    var = (((X0 - mean) * M) ** 2 * wr[:, None]).sum(axis=0) / cnt
    yi = [j for j in range(X0.shape[1]) if j not in set(xi)]
    logl = float(-0.5 * np.sum(cnt[yi] * (np.log(2 * np.pi) + np.log(var[yi]) + 1.0)))
    Sb = np.diag(var)
    if len(xi):
        xs = list(xi)
        Mx = M[:, xs]
        if (Mx > 0).all():
            n = float(wr.sum())
            D = X0[:, xs] - mean[xs]
            Sxx = (D * wr[:, None]).T @ D / n
            logl += float(-0.5 * n * (len(xs) * np.log(2 * np.pi) + np.linalg.slogdet(Sxx)[1] + len(xs)))
        else:
            from .casewise import em_saturated

            seen = Mx.sum(axis=1) > 0
            Sxx, mx, ll_x, _it = em_saturated(X0[np.ix_(seen, xs)], Mx[seen],
                                              w=None if rows.w is None else rows.w[seen])
            mean = mean.copy()
            mean[xs] = mx
            logl += ll_x
        Sb[np.ix_(xs, xs)] = Sxx
    return Sb, mean, logl
