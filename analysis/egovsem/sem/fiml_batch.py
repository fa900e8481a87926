"""Batched FIML: one model, many resamples of the same rows with missing values, fitted at once.

A bootstrap resample of a FIML fit is the original rows with integer counts ``k_i`` (how often row ``i`` was
drawn). Its FIML discrepancy is a sum over the missing-data patterns ``j`` present in the resample of the
pattern's casewise likelihood, which depends on the data only through the pattern's count ``n_j = sum k_i``,
sum ``s_j = sum k_i x_i`` and cross-products ``Q_j = sum k_i x_i x_i'`` (observed cells; missing cells are 0):
with ``K_j`` the inverse of the observed block of ``Sigma`` padded with zeros (:mod:`egovsem.sem.casewise`)
and ``N`` the resample size,

* ``F = 1/N sum_j [n_j (p_j log 2 pi + log|Sigma_oo|) + tr(K_j Q_j) - 2 s_j' K_j mu + n_j mu' K_j mu]``
  (``-2/N`` times the log-likelihood, :func:`egovsem.sem.fiml.fiml_objective`);
* ``dF/dSigma = M = 1/N sum_j [n_j K_j - K_j T_j K_j]`` with ``T_j = Q_j - s_j mu' - mu s_j' + n_j mu mu'``;
* ``dF/dmu = -2 Wd`` with ``Wd = 1/N sum_j K_j (s_j - n_j mu)``,

the same form as complete-data ML (:func:`egovsem.sem.ml.moment_derivatives`), so the chain rule through
the RAM cells is :meth:`egovsem.sem.batch.BatchModel.pullback`. The pattern moments of all resamples are
formed once; every evaluation is one batched Cholesky of the (resample, pattern) blocks. The optimiser is
the batch's quasi-Newton iteration (:func:`egovsem.sem.batch.quasi_newton`), warm-started at the
full-sample estimate with the inverse of the full-sample FIML Hessian (central differences of the batched
gradient); restarts use the complete-data expected information as the metric (an approximation: only the
search direction depends on it, the convergence test is on the FIML gradient).

Scope: one group, a mean structure (lavaan's ``missing = "ml"`` always has one), no sampling weights, no
fixed.x covariates (their cells would need each resample's own moments); :func:`supports` says whether a
fit qualifies. Resamples the batch does not converge on are refitted one by one by the engine's FIML
(:func:`egovsem.sem.fiml.fiml_scoring`) from the full-sample estimate.
"""
from __future__ import annotations

import numpy as np

from . import ml
from .batch import BatchFit, BatchModel, difference_inverse_hessian, quasi_newton, safe_inverse
from .casewise import LOG2PI

__all__ = ["FimlBatch", "PatternMoments", "supports"]

#: entries of one (problem, pattern, p, p) temporary per evaluation step (about 16 MB of doubles)
_BUDGET = 2_000_000
#: entries of the cross-products ``Q`` of one group of resamples fitted together (about 160 MB at most)
_GROUP_BUDGET = 20_000_000


def supports(res) -> bool:
    """Whether a fit can be bootstrapped by :class:`FimlBatch` (see the module docstring)."""
    bm = BatchModel.from_results(res)
    return bool(res.spec.meanstructure and not bm.exo_cov[0].size and not bm.exo_mean.size
                and getattr(res.opts, "sampling_weights", None) is None and bm.q > 0)


class PatternMoments:
    """The pattern moments of a stack of resamples, compacted to the patterns each resample contains.

    Attributes
    ----------
    pidx : ndarray of int, shape (B, J)
        Pattern of each slot (padding slots repeat a present pattern with ``n = 0``).
    n, s, Q : ndarray, shapes (B, J), (B, J, p), (B, J, p, p)
        Counts, sums and cross-products of the observed cells.
    total : ndarray, shape (B,)
        Resample sizes ``N``.
    """

    def __init__(self, pidx: np.ndarray, n: np.ndarray, s: np.ndarray, Q: np.ndarray, total: np.ndarray):
        self.pidx, self.n, self.s, self.Q, self.total = pidx, n, s, Q, total

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The per-resample arrays, in the order :meth:`FimlBatch.evaluate` takes them."""
        return self.pidx, self.n, self.s, self.Q, self.total


class FimlBatch:
    """One FIML model and its rows, prepared for batched fits of reweighted rows.

    Parameters
    ----------
    bm : BatchModel
        The model (:meth:`BatchModel.from_results` of the FIML fit).
    X : ndarray, shape (N, p)
        The rows, NaN where missing (the fit's ``stats.X``).
    """

    def __init__(self, bm: BatchModel, X: np.ndarray) -> None:
        self.bm = bm
        X = np.asarray(X, dtype=float)
        obs = ~np.isnan(X)
        pats, row_pat = np.unique(obs, axis=0, return_inverse=True)
        row_pat = np.asarray(row_pat).reshape(-1)
        self.order = np.argsort(row_pat, kind="stable")  # rows grouped by pattern
        self.row_pat = row_pat[self.order]
        X0 = np.where(obs, X, 0.0)[self.order]
        self.X0 = X0
        self.outer = X0[:, :, None] * X0[:, None, :]
        self.mask = pats.astype(float)  # (npat, p)
        self.nobs = self.mask.sum(axis=1)
        self.N, self.p = X.shape

    # -- data -------------------------------------------------------------------------------------
    def pattern_moments(self, counts: np.ndarray) -> PatternMoments:
        """Pattern moments of resamples given by row counts ``counts`` (B, N), rows in the original order."""
        counts = np.asarray(counts, dtype=float)[:, self.order]
        B, p = counts.shape[0], self.p
        per = []
        for b in range(B):
            r = np.flatnonzero(counts[b])
            pr = self.row_pat[r]
            starts = np.flatnonzero(np.r_[True, pr[1:] != pr[:-1]])
            w = counts[b, r]
            per.append((pr[starts], np.add.reduceat(w, starts), np.add.reduceat(w[:, None] * self.X0[r], starts),
                        np.add.reduceat(w[:, None, None] * self.outer[r], starts)))
        J = max(len(x[0]) for x in per)
        pidx = np.empty((B, J), dtype=int)
        n = np.zeros((B, J))
        s = np.zeros((B, J, p))
        Q = np.zeros((B, J, p, p))
        for b, (pi, nb, sb, Qb) in enumerate(per):
            k = pi.size
            pidx[b, :k], pidx[b, k:] = pi, pi[0]
            n[b, :k], s[b, :k], Q[b, :k] = nb, sb, Qb
        return PatternMoments(pidx, n, s, Q, counts.sum(axis=1))

    # -- objective and gradient -------------------------------------------------------------------
    def evaluate(self, theta: np.ndarray, pidx: np.ndarray, n: np.ndarray, s: np.ndarray, Q: np.ndarray,
                 total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``F`` (B,) and ``dF/dtheta`` (B, q) of every resample; ``F = inf`` (gradient NaN) where some
        observed block of ``Sigma`` is not positive definite."""
        B, J = pidx.shape
        step = max(1, _BUDGET // max(J * self.p * self.p, 1))
        if B <= step:
            return self._evaluate(theta, pidx, n, s, Q, total)
        parts = [self._evaluate(theta[lo:lo + step], pidx[lo:lo + step], n[lo:lo + step], s[lo:lo + step],
                                Q[lo:lo + step], total[lo:lo + step]) for lo in range(0, B, step)]
        return np.concatenate([f for f, _ in parts]), np.concatenate([g for _, g in parts])

    def _evaluate(self, theta, pidx, n, s, Q, total):
        bm, p = self.bm, self.p
        B, J = pidx.shape
        E, G, H, Sigma, Em, mu, _ = bm.moments(theta, None, None)
        mm = self.mask[pidx]  # (B, J, p)
        outer_m = mm[..., :, None] * mm[..., None, :]
        Sig = Sigma[:, None] * outer_m
        idx = np.arange(p)
        Sig[..., idx, idx] += 1.0 - mm
        ok, logdet, W = ml.chol_inverse(Sig.reshape(B * J, p, p))
        K = W.reshape(B, J, p, p) * outer_m
        good = ok.reshape(B, J).all(axis=1)
        logdet = logdet.reshape(B, J)
        Kmu = (K @ mu[:, None, :, None])[..., 0]  # (B, J, p)
        Ks = (K @ s[..., None])[..., 0]
        KQ = K @ Q
        trKQ = np.trace(KQ, axis1=2, axis2=3)
        f = (np.einsum("bj,bj->b", n, self.nobs[pidx] * LOG2PI + logdet) + trKQ.sum(axis=1)
             - 2.0 * np.einsum("bjp,bp->b", Ks, mu) + np.einsum("bj,bjp,bp->b", n, Kmu, mu)) / total
        KTK = (KQ @ K - Ks[..., :, None] * Kmu[..., None, :] - Kmu[..., :, None] * Ks[..., None, :]
               + n[..., None, None] * Kmu[..., :, None] * Kmu[..., None, :])
        M = (np.einsum("bj,bjpq->bpq", n, K) - KTK.sum(axis=1)) / total[:, None, None]
        Wd = (Ks - n[..., None] * Kmu).sum(axis=1) / total[:, None]
        g = bm.pullback(M, Wd, G, H, Em)
        f = np.where(good, f, np.inf)
        g[~good] = np.nan
        return f, g

    def information(self, theta: np.ndarray, *_data) -> np.ndarray:
        """The complete-data expected information per observation (the restart metric of the optimiser)."""
        B, p = theta.shape[0], self.p
        return self.bm.information(theta, np.zeros((B, p, p)), np.zeros((B, p)))

    def initial_inverse_hessian(self, theta: np.ndarray) -> np.ndarray:
        """Inverse of the full-sample FIML Hessian at ``theta`` (central differences of the batched
        gradient); the inverse of twice the expected information where it is not positive definite."""
        q = theta.size
        data = [np.repeat(a, 2 * q, axis=0) for a in self.pattern_moments(np.ones((1, self.N))).arrays()]
        return difference_inverse_hessian(lambda T: self.evaluate(T, *data), theta,
                                          lambda: safe_inverse(2.0 * self.information(theta[None])[0]))

    # -- optimiser --------------------------------------------------------------------------------
    def fit(self, counts: np.ndarray, theta0: np.ndarray, h0inv: np.ndarray, *, max_iter: int = 300,
            xtol: float = 1e-9) -> BatchFit:
        """FIML estimates of the resamples with row counts ``counts`` (B, N), from ``theta0`` (q,).

        Converged as :meth:`egovsem.sem.batch.BatchModel.fit` (quasi-Newton step below ``xtol`` relative and
        gradient below 1e-6). Resamples it does not converge on are left ``converged = False`` for the
        caller to refit one by one.
        """
        B = counts.shape[0]
        out = BatchFit(np.broadcast_to(np.asarray(theta0, dtype=float), (B, theta0.size)).copy(),
                       np.full(B, np.inf), np.zeros(B, dtype=bool), np.zeros(B, dtype=int))
        # groups of resamples whose pattern moments fit the memory budget: a function of the data alone
        step = max(1, _GROUP_BUDGET // (self.mask.shape[0] * self.p * self.p))
        for lo in range(0, B, step):
            sl = slice(lo, min(B, lo + step))
            pm = self.pattern_moments(counts[sl])
            r = quasi_newton(self.evaluate, self.information, pm.arrays(), out.theta[sl].copy(), h0inv,
                             max_iter=max_iter, xtol=xtol)
            out.theta[sl], out.fmin[sl], out.converged[sl], out.iterations[sl] = r
        return out
