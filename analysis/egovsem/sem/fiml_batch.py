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
the RAM cells is :meth:`egovsem.sem.batch.BatchModel.pullback`. ``K_j`` is never inverted block by block: with
``W = Sigma^-1`` (one Cholesky factor per resample), ``E_j`` the columns of the identity at the pattern's
``m_j`` missing variables, ``V_j = W E_j`` and ``C_j = (E_j' W E_j)^-1`` (m_j x m_j), the Schur complement gives
``K_j = W - V_j C_j V_j'`` and ``log|Sigma_oo| = log|Sigma| + log|E_j' W E_j|``. The sums over patterns of
``n_j K_j`` and ``K_j T_j K_j`` then are ``W (...) W`` of a per-resample total (``T = sum_j T_j``, from the
totals of ``Q_j``, ``s_j`` and the pairwise counts, formed once) plus rank-``m_j`` corrections, so a pattern
costs ``O(p^2 m_j)`` instead of ``O(p^3)``: ``M = W - W (T + Z) W / N`` with
``Z = sum_j E_j (n_j C_j + C_j P_j C_j) E_j' - Z_2 - Z_2'``, ``Z_2 = sum_j R_j C_j E_j'``, ``R_j = T_j V_j``,
``P_j = V_j' R_j`` (``mu`` masked to the pattern's observed cells in ``T_j``). ``R_j`` and ``P_j`` are taken
from the pattern's rows (``T_j = sum_i k_i r_i r_i'``, ``r_i`` the row's residual on its observed cells), so the
corrections are (p x rows) (rows x p) products per resample and no per-pattern p x p cross-product is
stored. The totals of all resamples are formed once per group of resamples. The optimiser is
the batch's quasi-Newton iteration (:func:`egovsem.sem.batch.quasi_newton`), warm-started at the
full-sample estimate with the inverse of the full-sample FIML Hessian (central differences of the batched
gradient); restarts use the complete-data expected information as the metric (an approximation: only the
search direction depends on it, the convergence test is on the FIML gradient).

Exogenous covariates under ``fixed.x`` (complete: rows missing one were dropped before the fit, as lavaan
drops them) have their (co)variances and means fixed at each resample's own sample moments, as lavaan does in
every bootstrap draw: the pattern moments carry them (``Sx``, ``mx``) and the model's matrices take them.

Scope: one group per problem (:mod:`egovsem.sem.bootstrap_groups` sums the groups' problems), a mean
structure (lavaan's ``missing = "ml"`` always has one), no sampling weights; :func:`supports` says whether a
fit qualifies. Resamples the batch does not converge on are refitted one by one by the engine's FIML
(:func:`egovsem.sem.fiml.fiml_scoring`) from the full-sample estimate.
"""
from __future__ import annotations

from dataclasses import dataclass

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
    return bool(res.spec.meanstructure and getattr(res.opts, "sampling_weights", None) is None and bm.q > 0)


@dataclass(frozen=True)
class _WidthGroup:
    """The patterns of one padded width ``w`` and their rows (see :meth:`FimlBatch._corrections`)."""

    width: int
    mi: np.ndarray  # (J, w) missing columns, padded with p
    pad: np.ndarray  # (J, w) 1 at the padding
    rows: np.ndarray  # (n,) the group's rows (positions in the sorted rows)
    jrow: np.ndarray  # (n,) each row's pattern in the group
    starts: np.ndarray  # (J,) first row of each pattern
    mrow: np.ndarray  # (n, w) each row's pattern's missing columns
    X0: np.ndarray  # (n, p) the rows, missing cells 0
    mask: np.ndarray  # (n, p) observed cells
    zidx: np.ndarray  # (J w w,) flat targets of the (r, s) entries of C_j in the padded (p+1)^2 square


class PatternMoments:
    """The pattern moments of a stack of resamples: per-resample totals, and per group of patterns (by the
    padded number of missing variables) the slots each resample contains.

    Attributes
    ----------
    total : ndarray, shape (B,)
        Resample sizes ``N``.
    Qall, SM, NM : ndarray, shape (B, p, p)
        ``sum_j Q_j``, ``sum_j s_j mask_j'`` and the pairwise counts ``sum_j n_j mask_j mask_j'``.
    sall, cnt : ndarray, shape (B, p)
        ``sum_j s_j`` and the counts of observed values per variable.
    const : ndarray, shape (B,)
        ``sum_j n_j p_j log 2 pi``.
    Sx, mx : ndarray, shape (B, p, p) and (B, p)
        The covariance (divisor N) and means of the fixed.x covariates (zero elsewhere).
    groups : list of tuple
        Per width group of :attr:`FimlBatch.widths`: a 1-tuple of the counts (B, rows) of the group's rows.
    """

    def __init__(self, totals: tuple[np.ndarray, ...], groups: list[tuple[np.ndarray, ...]]) -> None:
        self.total, self.Qall, self.sall, self.SM, self.NM, self.cnt, self.const, self.Sx, self.mx = totals
        self.groups = groups

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The per-resample arrays, in the order :meth:`FimlBatch.evaluate` takes them."""
        return (self.total, self.Qall, self.sall, self.SM, self.NM, self.cnt, self.const, self.Sx, self.mx) + tuple(
            a for g in self.groups for a in g)


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
        self.row_mask = pats.astype(float)[self.row_pat]  # (N, p) each row's observed cells
        self.mask_outer = (self.row_mask[:, :, None] * self.row_mask[:, None, :]).reshape(X.shape[0], -1)
        self.mask = pats.astype(float)  # (npat, p)
        self.N, self.p = X.shape
        # the fixed.x covariates (complete columns)
        self.xi = np.unique(np.r_[bm.exo_cov[0], bm.exo_cov[1], bm.exo_mean]).astype(int)
        self.Xx = X[self.order][:, self.xi] if self.xi.size else np.zeros((self.N, 0))
        # E_j: the identity's columns at each pattern's missing variables, padded with zero columns to the
        # pattern's width (the next power of two, so that patterns of about the same number missing are batched
        # together); ``pad`` marks the padding (identity on the diagonal of E_j' W E_j there). The complete
        # pattern needs no correction and is in no group.
        miss = [np.flatnonzero(~row) for row in pats]
        nmiss = np.array([len(x) for x in miss])
        self.width = np.where(nmiss > 0, 2 ** np.ceil(np.log2(np.maximum(nmiss, 1))).astype(int), 0)
        self.widths = tuple(int(w) for w in np.unique(self.width[self.width > 0]))
        # per width group: its patterns' missing columns padded with the index p (a zero row and column appended
        # to W), the padding marks, and its rows (in the sorted order, grouped by pattern) with their data
        self.groups: list[_WidthGroup] = []
        for w in self.widths:
            pj = np.flatnonzero(self.width == w)
            mi = np.full((pj.size, w), self.p, dtype=np.intp)
            pad = np.ones((pj.size, w))
            for k, j in enumerate(pj):
                mi[k, :miss[j].size] = miss[j]
                pad[k, :miss[j].size] = 0.0
            rows = np.flatnonzero(np.isin(self.row_pat, pj))
            jrow = np.searchsorted(pj, self.row_pat[rows])
            starts = np.flatnonzero(np.r_[True, jrow[1:] != jrow[:-1]])
            pp = self.p + 1
            zidx = (mi[:, :, None] * pp + mi[:, None, :]).reshape(-1)  # targets of n_j C_j in the padded p+1 square
            self.groups.append(_WidthGroup(w, mi, pad, rows, jrow, starts, mi[jrow], X0[rows],
                                           self.mask[self.row_pat[rows]], zidx))

    # -- data -------------------------------------------------------------------------------------
    def pattern_moments(self, counts: np.ndarray) -> PatternMoments:
        """Pattern moments of resamples given by row counts ``counts`` (B, N), rows in the original order."""
        counts = np.ascontiguousarray(np.asarray(counts, dtype=float)[:, self.order])
        B, p = counts.shape[0], self.p
        total = counts.sum(axis=1)
        Qall = (counts @ self.outer.reshape(self.N, p * p)).reshape(B, p, p)
        sall = counts @ self.X0
        SM = np.swapaxes(counts[:, :, None] * self.X0[None], 1, 2) @ self.row_mask
        NM = (counts @ self.mask_outer).reshape(B, p, p)
        cnt = counts @ self.row_mask
        const = LOG2PI * (counts @ self.row_mask.sum(axis=1))
        groups = [np.ascontiguousarray(counts[:, g.rows]) for g in self.groups]  # the rows' counts per group
        Sx, mx = np.zeros((B, p, p)), np.zeros((B, p))
        if self.xi.size:
            wx = counts / total[:, None]
            m = wx @ self.Xx
            D = self.Xx[None, :, :] - m[:, None, :]
            Sx[np.ix_(np.arange(B), self.xi, self.xi)] = np.einsum("bn,bnk,bnl->bkl", wx, D, D)
            mx[:, self.xi] = m
        return PatternMoments((total, Qall, sall, SM, NM, cnt, const, Sx, mx), [(c,) for c in groups])

    # -- objective and gradient -------------------------------------------------------------------
    def evaluate(self, theta: np.ndarray, *data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``F`` (B,) and ``dF/dtheta`` (B, q) of every resample (``data``: :meth:`PatternMoments.arrays`);
        ``F = inf`` (gradient NaN) where ``Sigma`` is not positive definite."""
        B = theta.shape[0]
        rows = sum(data[9 + g].shape[1] for g in range(len(self.groups)))
        step = max(1, _BUDGET // max(rows * (self.p + 1), 1))
        if B <= step:
            return self._evaluate(theta, *(np.ascontiguousarray(a) for a in data))
        # contiguous pieces (a broadcast view, as initial_inverse_hessian passes, would keep matmul off BLAS)
        parts = [self._evaluate(theta[lo:lo + step], *(np.ascontiguousarray(a[lo:lo + step]) for a in data))
                 for lo in range(0, B, step)]
        return np.concatenate([f for f, _ in parts]), np.concatenate([g for _, g in parts])

    def _evaluate(self, theta, total, Qall, sall, SM, NM, cnt, const, Sx, mx, *groups):
        bm, p = self.bm, self.p
        B = theta.shape[0]
        _, G, H, Sigma, Em, mu, _ = bm.moments(theta, Sx, mx)
        good, logdetS, W = ml.chol_inverse(Sigma)
        mu_c = SM * mu[:, None, :]
        T = Qall - mu_c - np.swapaxes(mu_c, 1, 2) + NM * mu[:, :, None] * mu[:, None, :]
        f = const + total * logdetS + np.einsum("bpq,bqp->b", W, T)
        Z, z = np.zeros((B, p, p)), np.zeros((B, p))
        if self.groups:
            Wp = np.zeros((B, p + 1, p + 1))
            Wp[:, :p, :p] = W
            for grp, c in zip(self.groups, groups):
                fg, Zg, zg, ok = self._corrections(W, Wp, mu, grp, c)
                f, Z, z, good = f + fg, Z + Zg, z + zg, good & ok
        f = f / total
        M = W - W @ (T + Z) @ W / total[:, None, None]
        Wd = (W @ (sall - cnt * mu - z)[..., None])[..., 0] / total[:, None]
        g = bm.pullback(M, Wd, G, H, Em)
        f = np.where(good, f, np.inf)
        g[~good] = np.nan
        return f, g

    def _corrections(self, W, Wp, mu, grp: _WidthGroup, c: np.ndarray):
        """One width group's rank-m corrections: its terms of ``N F`` (the log-determinants and
        ``-tr(C_j P_j)``), of ``Z`` and of ``z = sum_j E_j C_j V_j' e_j``, and whether its blocks are PD.

        Computed from the group's rows (counts ``c``, (B, rows)) rather than per-pattern cross-products:
        with ``r_i`` row i's residual on its observed cells and ``a_i = V_j' r_i = (W r_i)`` at the pattern's
        missing cells, ``P_j = sum_i c_i a_i a_i'``, ``R_j C_j E_j' = sum_i c_i r_i b_i'`` and
        ``E_j C_j P_j C_j E_j' = sum_i c_i b_i b_i'`` with ``b_i = E_j C_j a_i`` (p-vectors), so the
        per-pattern p x p products become three (p x rows) (rows x p) products per resample.
        """
        B, p, w = W.shape[0], self.p, grp.width
        J = grp.mi.shape[0]
        A = Wp[:, grp.mi[:, :, None], grp.mi[:, None, :]]  # (B, J, w, w): E_j' W E_j (padding: 0)
        im = np.arange(w)
        A[..., im, im] += grp.pad
        okA, logdetA, C = ml.chol_inverse(A.reshape(B * J, w, w))
        C = C.reshape(B, J, w, w)
        n = np.add.reduceat(c, grp.starts, axis=1)  # (B, J) pattern counts
        f = np.einsum("bj,bj->b", n, logdetA.reshape(B, J))
        R = (grp.X0[None] - mu[:, None, :]) * grp.mask[None]  # (B, rows, p) residuals on the observed cells
        Y = np.zeros((B, R.shape[1], p + 1))
        np.matmul(R, W, out=Y[:, :, :p])  # r_i' W (W symmetric)
        a = np.take_along_axis(Y, np.broadcast_to(grp.mrow, (B,) + grp.mrow.shape), axis=2)  # (B, rows, w)
        b = np.einsum("bnrs,bns->bnr", C[:, grp.jrow], a)
        f = f - np.einsum("bn,bn->b", c, np.einsum("bnr,bnr->bn", a, b))
        Bemb = np.zeros((B, R.shape[1], p + 1))
        np.put_along_axis(Bemb, np.broadcast_to(grp.mrow, (B,) + grp.mrow.shape), b, axis=2)
        Bemb = Bemb[:, :, :p]  # b_i embedded at the pattern's missing columns (the padding column dropped)
        cB = c[:, :, None] * Bemb
        Z2 = np.swapaxes(c[:, :, None] * R, 1, 2) @ Bemb
        Zn = np.zeros(((p + 1) * (p + 1), B))
        np.add.at(Zn, grp.zidx, (n[:, :, None, None] * C).reshape(B, -1).T)  # sum_j n_j E_j C_j E_j'
        Zn = Zn.T.reshape(B, p + 1, p + 1)[:, :p, :p]
        Z = Zn + np.swapaxes(cB, 1, 2) @ Bemb - Z2 - np.swapaxes(Z2, 1, 2)
        z = np.einsum("bn,bnp->bp", c, Bemb)
        return f, Z, z, okA.reshape(B, J).all(axis=1)

    def information(self, theta: np.ndarray, *data) -> np.ndarray:
        """The complete-data expected information per observation (the restart metric of the optimiser;
        ``data``: :meth:`PatternMoments.arrays`, for the fixed.x cells)."""
        B, p = theta.shape[0], self.p
        if data:
            return self.bm.information(theta, data[7], data[8])
        return self.bm.information(theta, np.zeros((B, p, p)), np.zeros((B, p)))

    def initial_inverse_hessian(self, theta: np.ndarray) -> np.ndarray:
        """Inverse of the full-sample FIML Hessian at ``theta`` (central differences of the batched
        gradient); the inverse of twice the expected information where it is not positive definite."""
        q = theta.size
        full = self.pattern_moments(np.ones((1, self.N))).arrays()
        data = [np.broadcast_to(a, (2 * q,) + a.shape[1:]) for a in full]
        return difference_inverse_hessian(lambda T: self.evaluate(T, *data), theta,
                                          lambda: safe_inverse(2.0 * self.information(theta[None], *full)[0]))

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
        step = max(1, _GROUP_BUDGET // (self.N + 4 * self.p * self.p))
        for lo in range(0, B, step):
            sl = slice(lo, min(B, lo + step))
            pm = self.pattern_moments(counts[sl])
            r = quasi_newton(self.evaluate, self.information, pm.arrays(), out.theta[sl].copy(), h0inv,
                             max_iter=max_iter, xtol=xtol)
            out.theta[sl], out.fmin[sl], out.converged[sl], out.iterations[sl] = r
        return out
