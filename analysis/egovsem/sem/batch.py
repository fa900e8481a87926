"""Batched normal-theory ML: one model, many sample covariance matrices, fitted at once.

Bootstrap resamples and Monte Carlo replications are many fits of one model to different sample moments
``(S_b, xbar_b)``. This module evaluates the ML discrepancy of :mod:`egovsem.sem.ml`,

    F_b = log|Sigma_b| + tr(S_b Sigma_b^-1) - log|S_b| - p [+ (xbar_b - mu_b)' Sigma_b^-1 (xbar_b - mu_b)],

its gradient and the expected information for a whole stack of parameter vectors ``theta`` (shape
``(B, q)``) with stacked matrix products (no Python loop over problems), and minimises all ``B`` problems
together.

Closed forms (RAM notation of :mod:`egovsem.sem.ram`; ``G = F E``, ``H = E S E' F'``, ``M = W - W S W
- W d d' W`` with ``W = Sigma^-1`` and ``d = xbar - mu``): the gradient with respect to a matrix cell is

* ``A[i, j]``: ``2 (H M G)[j, i] - 2 (E m)[j] (G' W d)[i]``;
* ``S[i, j]``: ``(G' M G)[j, i]``, twice that off the diagonal;
* ``m[i]``: ``-2 (G' W d)[i]``;

and cells that share a parameter (equality labels) add up. Each ``dSigma/dcell`` has the rank-two form
``u v' + v u'`` (``A[i,j]``: ``u = G[:, i], v = H[j, :]``; ``S[i,j]``: ``u = G[:, i], v = G[:, j]``, halved
on the diagonal), so the expected information per observation is, with ``U``, ``V`` the stacked ``u``, ``v``
and ``D`` the mean derivatives,

    I = (U'WV) o (U'WV)' + (U'WU) o (V'WV) [+ D' W D],

an ``O(c^2 p)`` computation instead of ``O(q^2 p^2)`` for ``c`` free cells.

The optimiser is quasi-Newton (BFGS) with per-problem step halving and convergence masks: every problem
starts from a warm start (the full-sample estimate) with the inverse of twice its own expected information
(so the first step is a Fisher-scoring step) and updates that matrix from its gradients. Bootstrap
resamples can lie far from the full-sample estimate (ratios of loadings), and where the model misfits
Fisher scoring converges only linearly; the quasi-Newton update keeps the iteration count near 10-20.
Fits converge to the same stationary point as :func:`egovsem.sem.ml.fisher_scoring` (checked in
tests/test_bootstrap.py against one full refit per resample).

Exogenous covariates under ``fixed.x`` have their (co)variances and means fixed at each problem's own
sample values, as lavaan does in every bootstrap draw.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .ram import RAM

__all__ = ["BatchModel", "BatchFit"]


@dataclass
class BatchFit:
    """Estimates of a stack of problems.

    Attributes
    ----------
    theta : ndarray, shape (B, q)
    fmin : ndarray, shape (B,)
        ML discrepancy at the estimate (``chisq = N * fmin``); ``inf`` where the sample moments were unusable.
    converged : ndarray of bool, shape (B,)
    iterations : ndarray of int, shape (B,)
    """

    theta: np.ndarray
    fmin: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray


def _sym_cells(ram: RAM):
    """Free cells of the model: kind (0 = A, 1 = S, 2 = m), row, column, parameter index."""
    ai, aj, ak = ram.a_idx
    si, sj, sk = ram.s_idx
    mi, mk = ram.m_idx
    kind = np.concatenate([np.zeros(ai.size, int), np.ones(si.size, int), np.full(mi.size, 2)])
    rows = np.concatenate([ai, si, mi]).astype(int)
    cols = np.concatenate([aj, sj, np.zeros(mi.size, int)]).astype(int)
    par = np.concatenate([ak, sk, mk]).astype(int)
    return kind, rows, cols, par


class BatchModel:
    """One model prepared for batched evaluation and fitting.

    Parameters
    ----------
    ram : RAM
        The model's matrices (:meth:`RAM.from_partable`).
    partable : DataFrame
        The parameter table (to find the ``fixed.x`` rows, ``exo == 1``).
    meanstructure : bool
        Whether the model has a mean structure.
    """

    def __init__(self, ram: RAM, partable: pd.DataFrame, *, meanstructure: bool) -> None:
        self.ram = ram
        self.meanstructure = bool(meanstructure)
        self.p = ram.p
        self.n = len(ram.names)
        self.q = ram.q
        pos = {v: i for i, v in enumerate(ram.names)}
        exo = partable[(partable["exo"] == 1) & (partable["free"] == 0)]
        cov_rows = exo[exo["op"] == "~~"]
        self.exo_cov = (
            np.array([pos[v] for v in cov_rows["lhs"]], dtype=int),
            np.array([pos[v] for v in cov_rows["rhs"]], dtype=int),
        )
        self.exo_mean = np.array([pos[v] for v in exo[exo["op"] == "~1"]["lhs"]], dtype=int)
        self.kind, self.crow, self.ccol, self.cpar = _sym_cells(ram)
        c = self.kind.size
        self.cmap = np.zeros((c, self.q))
        self.cmap[np.arange(c), self.cpar] = 1.0
        # one cell per parameter (no equality labels): the gradient is a permutation of the cell gradient
        self._simple = c == self.q and np.array_equal(np.sort(self.cpar), np.arange(self.q))
        self._order = np.argsort(self.cpar) if self._simple else None
        self._eye = np.eye(self.n)
        # recursive models: A is nilpotent and (I - A)^-1 = I + A + ... + A^(k-1) (a CFA: I + A)
        pattern = (ram.A0 != 0).astype(float)
        pattern[ram.a_idx[0], ram.a_idx[1]] = 1.0
        power, k = pattern.copy(), 1
        while power.any() and k <= self.n:
            power = (power @ pattern > 0).astype(float)
            k += 1
        self._nilpotent = k if not power.any() else 0

    @classmethod
    def from_results(cls, res) -> "BatchModel":
        """The batched form of a fitted model (:class:`~egovsem.sem.results.Results`)."""
        return cls(res.ram, res.partable, meanstructure=res.spec.meanstructure)

    # -- matrices ---------------------------------------------------------------------------------
    def matrices(self, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray):
        """Batched ``A, S, m`` with the fixed.x cells set to each problem's sample moments."""
        ram = self.ram
        B = theta.shape[0]
        A = np.broadcast_to(ram.A0, (B,) + ram.A0.shape).copy()
        Sm = np.broadcast_to(ram.S0, (B,) + ram.S0.shape).copy()
        m = np.broadcast_to(ram.m0, (B,) + ram.m0.shape).copy()
        ei, ej = self.exo_cov
        if ei.size:
            Sm[:, ei, ej] = S[:, ei, ej]
            Sm[:, ej, ei] = S[:, ei, ej]
        if self.exo_mean.size:
            m[:, self.exo_mean] = xbar[:, self.exo_mean]
        ai, aj, ak = ram.a_idx
        A[:, ai, aj] = theta[:, ak]
        si, sj, sk = ram.s_idx
        Sm[:, si, sj] = theta[:, sk]
        Sm[:, sj, si] = theta[:, sk]
        mi, mk = ram.m_idx
        m[:, mi] = theta[:, mk]
        return A, Sm, m

    def _moments(self, theta, S, xbar):
        A, Sm, m = self.matrices(theta, S, xbar)
        E = self._inverse_I_minus(A)
        p = self.p
        G = E[:, :p, :]  # (B, p, n)
        H = (E @ Sm) @ np.swapaxes(G, 1, 2)  # (B, n, p) = E S E' F'
        Sigma = H[:, :p, :]
        Em = (E @ m[..., None])[..., 0]
        mu = Em[:, :p]
        return E, G, H, Sigma, Em, mu, Sm

    def _inverse_I_minus(self, A: np.ndarray) -> np.ndarray:
        k = self._nilpotent
        if not k:
            return np.linalg.inv(self._eye - A)
        E = self._eye + A
        for _ in range(k - 2):
            E = self._eye + A @ E
        return E

    def implied(self, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray):
        """Batched ``Sigma, mu`` and the covariance matrix ``C`` of all variables."""
        E, G, H, Sigma, Em, mu, Sm = self._moments(theta, S, xbar)
        C = E @ Sm @ np.swapaxes(E, 1, 2)
        return Sigma, mu, C, Sm

    # -- objective and gradient -------------------------------------------------------------------
    def evaluate(self, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray, logdetS: np.ndarray,
                 *, gradient: bool = True):
        """Return ``F`` (B,) and, with ``gradient``, ``dF/dtheta`` (B, q); ``F = inf`` where Sigma is not PD."""
        B = theta.shape[0]
        E, G, H, Sigma, Em, mu, _ = self._moments(theta, S, xbar)
        f = np.full(B, np.inf)
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
                    L[b] = np.eye(self.p)
        logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
        Linv = np.linalg.inv(L)
        W = np.swapaxes(Linv, 1, 2) @ Linv
        fv = logdet + np.einsum("bij,bij->b", S, W) - logdetS - self.p
        d = None
        if self.meanstructure:
            d = xbar - mu
            Wd = (W @ d[..., None])[..., 0]
            fv = fv + np.einsum("bi,bi->b", d, Wd)
        f[ok] = fv[ok]
        if not gradient:
            return f, None
        WS = W @ S
        M = W - WS @ W
        if self.meanstructure:
            M = M - Wd[:, :, None] * Wd[:, None, :]
        MG = M @ G  # (B, p, n)
        gc = np.empty((B, self.kind.size))
        kA, kS, km = self.kind == 0, self.kind == 1, self.kind == 2
        if kA.any():
            HMG = H @ MG  # (B, n, n)
            gc[:, kA] = 2.0 * HMG[:, self.ccol[kA], self.crow[kA]]
        if kS.any():
            GMG = np.swapaxes(G, 1, 2) @ MG
            r, c = self.crow[kS], self.ccol[kS]
            gc[:, kS] = GMG[:, c, r] * np.where(r != c, 2.0, 1.0)
        if self.meanstructure:
            GWd = (np.swapaxes(G, 1, 2) @ Wd[..., None])[..., 0]  # (B, n)
            if kA.any():
                gc[:, kA] -= 2.0 * Em[:, self.ccol[kA]] * GWd[:, self.crow[kA]]
            if km.any():
                gc[:, km] = -2.0 * GWd[:, self.crow[km]]
        g = gc[:, self._order] if self._simple else gc @ self.cmap
        g[~ok] = np.nan
        return f, g

    # -- expected information ---------------------------------------------------------------------
    def information(self, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray) -> np.ndarray:
        """Expected information per observation at ``theta`` (B, q, q), as :func:`egovsem.sem.ml.information`."""
        E, G, H, Sigma, Em, mu, _ = self._moments(theta, S, xbar)
        W = np.linalg.inv(Sigma)
        B, p = theta.shape[0], self.p
        kind, r, c = self.kind, self.crow, self.ccol
        ncell = kind.size
        U = np.zeros((B, p, ncell))
        V = np.zeros((B, p, ncell))
        kA, kS, km = kind == 0, kind == 1, kind == 2
        if kA.any():
            U[:, :, kA] = G[:, :, r[kA]]
            V[:, :, kA] = np.swapaxes(H[:, c[kA], :], 1, 2)
        if kS.any():
            U[:, :, kS] = G[:, :, r[kS]]
            V[:, :, kS] = G[:, :, c[kS]] * np.where(r[kS] == c[kS], 0.5, 1.0)
        WU, WV = W @ U, W @ V
        Ut, Vt = np.swapaxes(U, 1, 2), np.swapaxes(V, 1, 2)
        UWV = Ut @ WV
        I = UWV * np.swapaxes(UWV, 1, 2) + (Ut @ WU) * (Vt @ WV)
        if self.meanstructure:
            D = np.zeros((B, p, ncell))
            if kA.any():
                D[:, :, kA] = G[:, :, r[kA]] * Em[:, None, c[kA]]
            if km.any():
                D[:, :, km] = G[:, :, r[km]]
            I = I + np.swapaxes(D, 1, 2) @ (W @ D)
        if self._simple:
            o = self._order
            I = I[:, o][:, :, o]
        else:
            I = np.swapaxes(self.cmap, 0, 1) @ I @ self.cmap
        return 0.5 * (I + np.swapaxes(I, 1, 2))

    # -- admissibility ----------------------------------------------------------------------------
    def admissible(self, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray) -> np.ndarray:
        """lavaan's post-check: no negative variance, latent covariance matrix positive semi-definite,
        residual covariance matrix of the observed variables positive semi-definite."""
        _, Sm, _ = self.matrices(theta, S, xbar)
        diag = np.diagonal(Sm, axis1=1, axis2=2)
        ok = (diag >= 0).all(axis=1)
        p = self.p
        for block in (Sm[:, p:, p:], Sm[:, :p, :p]):
            if block.shape[-1] == 0:
                continue
            ev = np.linalg.eigvalsh(block)
            scale = np.maximum(np.abs(ev).max(axis=1), 1.0)
            ok &= ev[:, 0] >= -1e-8 * scale
        return ok

    # -- optimiser --------------------------------------------------------------------------------
    def fit(
        self,
        S: np.ndarray,
        xbar: np.ndarray,
        theta0: np.ndarray,
        *,
        max_iter: int = 300,
        xtol: float = 1e-9,
        chunk_size: int = 512,
    ) -> BatchFit:
        """Minimise ``F`` for every problem ``(S[b], xbar[b])`` from ``theta0`` ((q,) or (B, q)).

        Quasi-Newton (BFGS) with per-problem step halving: each problem starts with the inverse of twice its
        own expected information at the warm start (Fisher scoring's first step) and updates it from its
        gradients, so that the iteration converges superlinearly even where the model misfits (where Fisher
        scoring alone converges only linearly).

        Parameters
        ----------
        S : ndarray, shape (B, p, p)
            Sample covariance matrices (divisor N).
        xbar : ndarray, shape (B, p)
            Sample means.
        theta0 : ndarray
            Warm start, one vector for all problems or one per problem.
        max_iter : int
            Iteration limit per problem.
        xtol : float
            Converged when the largest element of the quasi-Newton step is below ``xtol * max(1, |theta|)``
            (and the gradient below 1e-6).
        chunk_size : int
            Problems optimised together (memory: ``chunk_size * q^2`` doubles).
        """
        S = np.asarray(S, dtype=float)
        xbar = np.asarray(xbar, dtype=float)
        B, q = S.shape[0], self.q
        theta = np.broadcast_to(np.asarray(theta0, dtype=float), (B, q)).copy()
        out = BatchFit(theta, np.full(B, np.inf), np.zeros(B, dtype=bool), np.zeros(B, dtype=int))
        for lo in range(0, B, chunk_size):
            sl = slice(lo, min(B, lo + chunk_size))
            r = self._fit_chunk(S[sl], xbar[sl], theta[sl], max_iter=max_iter, xtol=xtol)
            out.theta[sl], out.fmin[sl], out.converged[sl], out.iterations[sl] = r
        return out

    def _fit_chunk(self, S, xbar, theta, *, max_iter, xtol):
        B, q = S.shape[0], self.q
        fmin = np.full(B, np.inf)
        conv = np.zeros(B, dtype=bool)
        iters = np.zeros(B, dtype=int)
        sign, logdetS = np.linalg.slogdet(S)
        usable = (sign > 0) & np.isfinite(logdetS)
        if q == 0:
            f, _ = self.evaluate(theta, S, xbar, np.where(usable, logdetS, 0.0), gradient=False)
            return theta, np.where(usable, f, np.inf), usable, iters
        idx = np.flatnonzero(usable)
        if idx.size == 0:
            return theta, fmin, conv, iters
        th, Sb, xb, ld = theta[idx], S[idx], xbar[idx], logdetS[idx]
        f, g = self.evaluate(th, Sb, xb, ld)
        live = np.isfinite(f) & np.all(np.isfinite(g), axis=1)
        Hi = np.zeros((idx.size, q, q))
        if live.any():
            Hi[live] = _safe_inverse(2.0 * self.information(th[live], Sb[live], xb[live]))
        done = np.zeros(idx.size, dtype=bool)
        it_count = np.zeros(idx.size, dtype=int)
        for it in range(1, max_iter + 1):
            act = np.flatnonzero(live & ~done)
            if act.size == 0:
                break
            it_count[act] = it
            # a quasi-Newton matrix that has stopped making progress (roundoff) is restarted from the
            # information every 15 iterations
            if it % 15 == 0:
                Hi[act] = _safe_inverse(2.0 * self.information(th[act], Sb[act], xb[act]))
            step = -np.einsum("bij,bj->bi", Hi[act], g[act])
            scale = np.maximum(1.0, np.abs(th[act]))
            gmax = np.max(np.abs(g[act]), axis=1)
            small = ((np.max(np.abs(step) / scale, axis=1) < xtol) & (gmax < 1e-6)) | (gmax < 1e-11)
            done[act[small]] = True
            act, step = act[~small], step[~small]
            if act.size == 0:
                break
            gs = np.einsum("bi,bi->b", g[act], step)
            # a direction that does not descend (roundoff in the update): restart from the information
            up = gs >= 0
            if up.any():
                Hi[act[up]] = _safe_inverse(2.0 * self.information(th[act[up]], Sb[act[up]], xb[act[up]]))
                step[up] = -np.einsum("bij,bj->bi", Hi[act[up]], g[act[up]])
                gs[up] = np.einsum("bi,bi->b", g[act[up]], step[up])
            alpha = np.ones(act.size)
            pending = np.arange(act.size)
            new_f = np.full(act.size, np.inf)
            new_g = np.zeros((act.size, q))
            for _ in range(40):
                rows = act[pending]
                cand = th[rows] + alpha[pending, None] * step[pending]
                fc, gc = self.evaluate(cand, Sb[rows], xb[rows], ld[rows])
                f_old = f[rows]
                ok = np.isfinite(fc) & np.all(np.isfinite(gc), axis=1) & (
                    fc <= f_old + 1e-4 * alpha[pending] * gs[pending] + 1e-13 * np.maximum(1.0, np.abs(f_old))
                )
                acc = pending[ok]
                new_f[acc], new_g[acc] = fc[ok], gc[ok]
                pending = pending[~ok]
                if pending.size == 0:
                    break
                alpha[pending] *= 0.5
            accepted = np.ones(act.size, dtype=bool)
            accepted[pending] = False
            a_idx = np.flatnonzero(accepted)
            rows = act[a_idx]
            s = alpha[a_idx, None] * step[a_idx]
            y = new_g[a_idx] - g[rows]
            th[rows] += s
            f[rows], g[rows] = new_f[a_idx], new_g[a_idx]
            # BFGS update of the inverse Hessian where the curvature condition holds
            sy = np.einsum("bi,bi->b", s, y)
            upd = sy > 1e-12 * np.maximum(1.0, np.einsum("bi,bi->b", s, s))
            if upd.any():
                r_, s_, y_ = rows[upd], s[upd], y[upd]
                rho = 1.0 / sy[upd]
                Hy = np.einsum("bij,bj->bi", Hi[r_], y_)
                yHy = np.einsum("bi,bi->b", y_, Hy)
                Hi[r_] += (
                    (rho * (1.0 + rho * yHy))[:, None, None] * (s_[:, :, None] * s_[:, None, :])
                    - rho[:, None, None] * (Hy[:, :, None] * s_[:, None, :] + s_[:, :, None] * Hy[:, None, :])
                )
            if pending.size:
                # no decrease along the direction: done if the gradient is already tiny, else restart from
                # the information matrix, and give up on a problem that fails twice in a row
                stuck = act[pending]
                tiny = np.max(np.abs(g[stuck]), axis=1) < 1e-7
                done[stuck[tiny]] = True
                retry = stuck[~tiny]
                if retry.size:
                    fresh = _safe_inverse(2.0 * self.information(th[retry], Sb[retry], xb[retry]))
                    same = np.all(np.abs(fresh - Hi[retry]) < 1e-12, axis=(1, 2))
                    live[retry[same]] = False
                    Hi[retry] = fresh
        gmax = np.max(np.abs(g), axis=1)
        ok = done & np.isfinite(f) & (gmax < 1e-6)
        theta[idx] = th
        fmin[idx] = f
        conv[idx] = ok
        iters[idx] = it_count
        return theta, fmin, conv, iters


def _safe_inverse(H: np.ndarray) -> np.ndarray:
    """Inverse of symmetric matrices (stacked or not); a pseudo-inverse where one is singular."""
    try:
        return np.linalg.inv(H)
    except np.linalg.LinAlgError:
        if H.ndim == 2:
            return np.linalg.pinv(H)
        return np.stack([_safe_inverse(h) for h in H])
