"""Batched normal-theory ML: one model, many sample covariance matrices, fitted at once.

Bootstrap resamples and Monte Carlo replications are many fits of one model to different sample moments
``(S_b, xbar_b)``: the batch axis of the ML discrepancy of :mod:`egovsem.sem.ml`. The discrepancy's own
formulas are not written here: ``F``, ``dF/dSigma = M`` and ``dF/dmu`` come from
:func:`~egovsem.sem.ml.objective_from_moments` and :func:`~egovsem.sem.ml.moment_derivatives`, the
expected information from :func:`~egovsem.sem.ml.information_from_factors`, all evaluated on stacks
``(B, p, p)`` for a stack of parameter vectors ``theta`` (shape ``(B, q)``), with no Python loop over
problems. What this module adds is the model side, batched: the RAM matrices with each problem's fixed.x
cells, and the chain rule through the RAM cells (RAM notation of :mod:`egovsem.sem.ram`; ``G = F E``,
``H = E S E' F'``, ``W = Sigma^-1``, ``d = xbar - mu``): the gradient with respect to a matrix cell is

* ``A[i, j]``: ``2 (H M G)[j, i] - 2 (E m)[j] (G' W d)[i]``;
* ``S[i, j]``: ``(G' M G)[j, i]``, twice that off the diagonal;
* ``m[i]``: ``-2 (G' W d)[i]``;

and cells that share a parameter (equality labels) add up. Each ``dSigma/dcell`` has the rank-two form
``u v' + v u'`` (``A[i,j]``: ``u = G[:, i], v = H[j, :]``; ``S[i,j]``: ``u = G[:, i], v = G[:, j]``, halved
on the diagonal): :meth:`BatchModel.jacobian_factors`, from which the information is ``O(c^2 p)`` instead of
``O(q^2 p^2)`` for ``c`` free cells. Models in LISREL form (no mean structure, no observed predictor) take a
fast path with ``p x m`` products for the same chain rule.

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

from . import ml
from .partable import ModelSpec
from .ram import RAM

__all__ = ["BatchModel", "BatchFit", "difference_inverse_hessian", "quasi_newton", "safe_inverse"]


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
        self._setup_lisrel()

    #: the model's specification; when set, problems the batch does not converge on are refitted by the
    #: engine from its own start values (:meth:`_rescue`)
    spec: ModelSpec | None = None

    @classmethod
    def from_results(cls, res) -> BatchModel:
        """The batched form of a fitted model (:class:`~egovsem.sem.results.Results`)."""
        bm = cls(res.ram, res.partable, meanstructure=res.spec.meanstructure)
        bm.spec = res.spec
        return bm

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
        if self.exo_mean.size and xbar is not None:
            m[:, self.exo_mean] = xbar[:, self.exo_mean]
        ai, aj, ak = ram.a_idx
        A[:, ai, aj] = theta[:, ak]
        si, sj, sk = ram.s_idx
        Sm[:, si, sj] = theta[:, sk]
        Sm[:, sj, si] = theta[:, sk]
        mi, mk = ram.m_idx
        m[:, mi] = theta[:, mk]
        return A, Sm, m

    def moments(self, theta, S, xbar):
        """Batched RAM quantities ``E = (I - A)^-1``, ``G = F E``, ``H = E S E' F'``, ``Sigma``, ``E m``, ``mu``, ``S``."""
        A, Sm, m = self.matrices(theta, S, xbar)
        E = self.inverse_I_minus(A)
        p = self.p
        G = E[:, :p, :]  # (B, p, n)
        H = (E @ Sm) @ np.swapaxes(G, 1, 2)  # (B, n, p) = E S E' F'
        Sigma = H[:, :p, :]
        Em = (E @ m[..., None])[..., 0]
        mu = Em[:, :p]
        return E, G, H, Sigma, Em, mu, Sm

    def inverse_I_minus(self, A: np.ndarray) -> np.ndarray:
        k = self._nilpotent
        if not k:
            return np.linalg.inv(self._eye - A)
        E = self._eye + A
        for _ in range(k - 2):
            E = self._eye + A @ E
        return E

    def implied(self, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray):
        """Batched ``Sigma, mu`` and the covariance matrix ``C`` of all variables."""
        E, G, H, Sigma, Em, mu, Sm = self.moments(theta, S, xbar)
        C = E @ Sm @ np.swapaxes(E, 1, 2)
        return Sigma, mu, C, Sm

    # -- objective and gradient -------------------------------------------------------------------
    def _setup_lisrel(self) -> None:
        """Detect the LISREL form ``Sigma = Theta + L T Psi T' L'`` (``L`` loadings, ``T = (I - B)^-1``): no
        observed variable is a predictor, no observed-latent covariance, no mean structure. Such models
        (CFA, latent-variable SEM, residual covariances among indicators) are evaluated with ``p x m``
        instead of ``n x n`` matrix products."""
        ram, p = self.ram, self.p
        A_cols = np.r_[np.nonzero(ram.A0)[1], ram.a_idx[1]]
        S_r = np.r_[np.nonzero(ram.S0)[0], ram.s_idx[0]]
        S_c = np.r_[np.nonzero(ram.S0)[1], ram.s_idx[1]]
        mixed = ((S_r < p) & (S_c >= p)) | ((S_r >= p) & (S_c < p))
        self._lisrel = bool(
            not self.meanstructure and self.n > p and not (A_cols < p).any() and not mixed.any()
            and not self.exo_cov[0].size
        )
        if not self._lisrel:
            return
        k, r = self.kind, self.crow
        self._lam = (k == 0) & (r < p)  # loadings A[i obs, j lat]
        self._beta = (k == 0) & (r >= p)  # A[i lat, j lat]
        self._theta = (k == 1) & (r < p)
        self._psi = (k == 1) & (r >= p)
        Bpat = (ram.A0[p:, p:] != 0).astype(float)
        sel = ram.a_idx[0] >= p
        Bpat[ram.a_idx[0][sel] - p, ram.a_idx[1][sel] - p] = 1.0
        power, kk, m = Bpat.copy(), 1, self.n - p
        while power.any() and kk <= m:
            power = (power @ Bpat > 0).astype(float)
            kk += 1
        self._b_nilpotent = kk if not power.any() else 0
        self._eye_m = np.eye(m)

    def _evaluate_lisrel(self, theta, S, logdetS, gradient):
        p = self.p
        A, Sm, _ = self.matrices(theta, S, None)
        Lam = A[:, :p, p:]
        Bm = A[:, p:, p:]
        k = self._b_nilpotent
        if k == 1:
            T = None  # no latent regressions
        elif k:
            T = self._eye_m + Bm
            for _ in range(k - 2):
                T = self._eye_m + Bm @ T
        else:
            T = np.linalg.inv(self._eye_m - Bm)
        Ls = Lam if T is None else Lam @ T  # (B, p, m)
        Psi = Sm[:, p:, p:]
        PsiLt = Psi @ np.swapaxes(Ls, 1, 2)  # (B, m, p)
        Sigma = Sm[:, :p, :p] + Ls @ PsiLt
        B = theta.shape[0]
        chol = ml.chol_inverse(Sigma)
        ok, _, W = chol
        f = ml.objective_from_moments(Sigma, None, S, None, logdetS, False, chol=chol)
        if not gradient:
            return f, None
        # the chain rule through Lambda, Beta, Psi, Theta of M = dF/dSigma (ml.moment_derivatives), applied
        # without forming M: M Ls = W Ls - W S W Ls
        WS = W @ S
        WL = W @ Ls
        ML = WL - WS @ WL  # M Ls, M = W - W S W
        gc = np.empty((B, self.kind.size))
        r, c = self.crow, self.ccol
        if self._lam.any():
            K = ML @ (Psi if T is None else Psi @ np.swapaxes(T, 1, 2))  # M Ls Psi T'
            gc[:, self._lam] = 2.0 * K[:, r[self._lam], c[self._lam] - p]
        if self._beta.any() or self._psi.any():
            Q = np.swapaxes(Ls, 1, 2) @ ML  # Ls' M Ls
            if self._beta.any():
                TPQ = (Psi if T is None else T @ Psi) @ Q
                gc[:, self._beta] = 2.0 * TPQ[:, c[self._beta] - p, r[self._beta] - p]
            if self._psi.any():
                rr, cc = r[self._psi] - p, c[self._psi] - p
                gc[:, self._psi] = Q[:, cc, rr] * np.where(rr != cc, 2.0, 1.0)
        if self._theta.any():
            rr, cc = r[self._theta], c[self._theta]
            # M[i, j] = W[i, j] - (W S)[i, :] . W[:, j] only at the cells
            Mij = W[:, rr, cc] - np.einsum("bck,bkc->bc", WS[:, rr, :], W[:, :, cc])
            gc[:, self._theta] = Mij * np.where(rr != cc, 2.0, 1.0)
        g = gc[:, self._order] if self._order is not None else gc @ self.cmap
        g[~ok] = np.nan
        return f, g

    def evaluate(self, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray, logdetS: np.ndarray,
                 *, gradient: bool = True):
        """Return ``F`` (B,) and, with ``gradient``, ``dF/dtheta`` (B, q); ``F = inf`` where Sigma is not PD."""
        if self._lisrel:
            return self._evaluate_lisrel(theta, S, logdetS, gradient)
        return self._evaluate_ram(theta, S, xbar, logdetS, gradient=gradient)

    def _evaluate_ram(self, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray, logdetS: np.ndarray,
                      *, gradient: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        E, G, H, Sigma, Em, mu, _ = self.moments(theta, S, xbar)
        chol = ml.chol_inverse(Sigma)
        ok, _, W = chol
        f = ml.objective_from_moments(Sigma, mu, S, xbar, logdetS, self.meanstructure, chol=chol)
        if not gradient:
            return f, None
        M, Wd = ml.moment_derivatives(W, S, xbar, mu, self.meanstructure)
        g = self.pullback(M, Wd, G, H, Em)
        g[~ok] = np.nan
        return f, g

    def pullback(self, M: np.ndarray, Wd: np.ndarray | None, G: np.ndarray, H: np.ndarray,
                  Em: np.ndarray) -> np.ndarray:
        """The chain rule through the RAM cells: ``dF/dtheta`` (B, q) from ``dF/dSigma = M`` and
        ``dF/dmu = -2 Wd`` (the module docstring's closed forms; cells sharing a parameter add up)."""
        B = M.shape[0]
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
        if Wd is not None:
            GWd = (np.swapaxes(G, 1, 2) @ Wd[..., None])[..., 0]  # (B, n)
            if kA.any():
                gc[:, kA] -= 2.0 * Em[:, self.ccol[kA]] * GWd[:, self.crow[kA]]
            if km.any():
                gc[:, km] = -2.0 * GWd[:, self.crow[km]]
        return gc[:, self._order] if self._order is not None else gc @ self.cmap

    # -- expected information ---------------------------------------------------------------------
    def jacobian_factors(self, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """``Sigma`` and the Jacobian in rank-two form: ``dSigma/dcell_c = u_c v_c' + v_c u_c'`` and
        ``dmu/dcell_c = D[:, :, c]`` (``U``, ``V``, ``D`` of shape (B, p, c); ``D`` None without a mean
        structure), for :func:`egovsem.sem.ml.information_from_factors`."""
        E, G, H, Sigma, Em, mu, _ = self.moments(theta, S, xbar)
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
        D = None
        if self.meanstructure:
            D = np.zeros((B, p, ncell))
            if kA.any():
                D[:, :, kA] = G[:, :, r[kA]] * Em[:, None, c[kA]]
            if km.any():
                D[:, :, km] = G[:, :, r[km]]
        return Sigma, U, V, D

    def information(self, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray) -> np.ndarray:
        """Expected information per observation at ``theta`` (B, q, q): :func:`egovsem.sem.ml.information`
        evaluated on the batch (:func:`egovsem.sem.ml.information_from_factors`)."""
        Sigma, U, V, D = self.jacobian_factors(theta, S, xbar)
        info = ml.information_from_factors(np.linalg.inv(Sigma), U, V, D)
        if self._order is not None:
            o = self._order
            info = info[:, o][:, :, o]
        else:
            info = np.swapaxes(self.cmap, 0, 1) @ info @ self.cmap
        return 0.5 * (info + np.swapaxes(info, 1, 2))

    # -- admissibility ----------------------------------------------------------------------------
    def admissible(self, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray) -> np.ndarray:
        """lavaan's post-check: no negative variance, latent covariance matrix positive semi-definite,
        residual covariance matrix of the observed variables positive semi-definite."""
        _, Sm, _ = self.matrices(theta, S, xbar)
        diag = np.diagonal(Sm, axis1=1, axis2=2)
        ok: np.ndarray = np.asarray((diag >= 0).all(axis=1))
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
        h0inv: np.ndarray | None = None,
    ) -> BatchFit:
        """Minimise ``F`` for every problem ``(S[b], xbar[b])`` from ``theta0`` ((q,) or (B, q)).

        Quasi-Newton (BFGS) with per-problem step halving. Every problem starts from the inverse of the
        exact Hessian of ``F`` at ``theta0`` for the average moments of the batch (for a bootstrap: the
        full-sample Hessian at the full-sample estimate; computed once, by central differences of the
        analytic gradient) and updates it from its own gradients; a problem whose line search fails
        restarts from its own expected information (a Fisher-scoring step).

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
            and the gradient below 1e-6 (or the gradient below 1e-11).
        chunk_size : int
            Problems optimised together (memory: ``chunk_size * q^2`` doubles).
        h0inv : ndarray (q, q), optional
            The starting inverse Hessian, when the caller has it (:meth:`initial_inverse_hessian`).
        """
        S = np.asarray(S, dtype=float)
        xbar = np.asarray(xbar, dtype=float)
        B, q = S.shape[0], self.q
        theta = np.broadcast_to(np.asarray(theta0, dtype=float), (B, q)).copy()
        out = BatchFit(theta, np.full(B, np.inf), np.zeros(B, dtype=bool), np.zeros(B, dtype=int))
        if B == 0:
            return out
        H0inv = h0inv
        if H0inv is None and q:
            H0inv = self.initial_inverse_hessian(theta.mean(axis=0), S.mean(axis=0), xbar.mean(axis=0))
        for lo in range(0, B, chunk_size):
            sl = slice(lo, min(B, lo + chunk_size))
            r = self._fit_chunk(S[sl], xbar[sl], theta[sl], H0inv, max_iter=max_iter, xtol=xtol)
            out.theta[sl], out.fmin[sl], out.converged[sl], out.iterations[sl] = r
        if self.spec is not None:
            for b in np.flatnonzero(~out.converged & np.isfinite(out.fmin)):
                self._rescue(out, int(b), S[b], xbar[b], max_iter=max_iter, xtol=xtol)
        return out

    def _rescue(self, out: BatchFit, b: int, S: np.ndarray, xbar: np.ndarray, *, max_iter: int, xtol: float):
        """A problem the warm-started quasi-Newton iteration did not converge on (near a boundary, say):
        fit it as a single model would be fitted (the engine's start values and Fisher scoring), then
        polish that solution with the batch iteration to the batch's tolerance."""
        from .data import SampleStats
        from .estimate import fill_fixed_x, free_variances
        from .start import start_values

        spec = self.spec
        if spec is None:
            return
        stats = SampleStats(tuple(spec.ov), np.zeros((0, self.p)), S, xbar, 0, 0, 0, pd.RangeIndex(0))
        pt = fill_fixed_x(spec, [stats])
        ram = RAM.from_partable(pt, spec.ov, spec.lv)
        st = ml.fisher_scoring(ram, start_values(spec, pt, ram, stats), S, xbar,
                               meanstructure=spec.meanstructure, iter_max=2000, variances=free_variances(pt))
        if not (st.converged and np.isfinite(st.fmin)):
            return
        H0 = safe_inverse(2.0 * self.information(st.theta[None], S[None], xbar[None])[0])
        th, f, ok, it = self._fit_chunk(S[None], xbar[None], st.theta[None].copy(), H0, max_iter=max_iter,
                                        xtol=xtol)
        if ok[0]:
            out.theta[b], out.fmin[b], out.converged[b] = th[0], f[0], True
            out.iterations[b] += st.iterations + it[0]

    def initial_inverse_hessian(self, theta: np.ndarray, S: np.ndarray, xbar: np.ndarray) -> np.ndarray:
        """Inverse of the Hessian of F at ``theta`` (central differences of the gradient); the inverse of
        twice the expected information where that Hessian is not positive definite."""
        q = self.q
        Sr = np.broadcast_to(S, (2 * q,) + S.shape)
        xr = np.broadcast_to(xbar, (2 * q,) + xbar.shape)
        ld = np.full(2 * q, np.linalg.slogdet(S)[1])
        return difference_inverse_hessian(
            lambda T: self.evaluate(T, Sr, xr, ld), theta,
            lambda: safe_inverse(2.0 * self.information(theta[None], S[None], xbar[None])[0]))

    def _fit_chunk(self, S, xbar, theta, H0inv, *, max_iter, xtol):
        B = S.shape[0]
        fmin = np.full(B, np.inf)
        conv = np.zeros(B, dtype=bool)
        iters = np.zeros(B, dtype=int)
        sign, logdetS = np.linalg.slogdet(S)
        usable = (sign > 0) & np.isfinite(logdetS)
        if self.q == 0:
            f, _ = self.evaluate(theta, S, xbar, np.where(usable, logdetS, 0.0), gradient=False)
            return theta, np.where(usable, f, np.inf), usable, iters
        ids = np.flatnonzero(usable)
        if ids.size == 0:
            return theta, fmin, conv, iters
        th, fm, cv, it = quasi_newton(self.evaluate, lambda t, s, x, _ld: self.information(t, s, x),
                                      (S[ids], xbar[ids], logdetS[ids]), theta[ids], H0inv,
                                      max_iter=max_iter, xtol=xtol)
        theta[ids], fmin[ids], conv[ids], iters[ids] = th, fm, cv, it
        return theta, fmin, conv, iters


def quasi_newton(evaluate, information, D: tuple, theta: np.ndarray, H0inv: np.ndarray, *,
                 max_iter: int = 300, xtol: float = 1e-9):
    """Minimise a stack of problems by quasi-Newton (BFGS) with per-problem step halving (the optimiser of
    :meth:`BatchModel.fit`, shared with the batched FIML of :mod:`egovsem.sem.fiml_batch`).

    Parameters
    ----------
    evaluate : callable
        ``evaluate(theta, *D) -> (F, dF/dtheta)`` for a stack of problems (``F = inf`` where unusable).
    information : callable
        ``information(theta, *D) -> (k, q, q)``: a positive-definite metric per problem (half the Hessian of
        ``F`` or an approximation); restarts use the inverse of twice it.
    D : tuple of ndarray
        The problems' data, each array indexed by problem along its first axis.
    theta : ndarray, shape (B, q)
        Warm starts (overwritten with the estimates).
    H0inv : ndarray, shape (q, q)
        The starting inverse Hessian of every problem.

    Returns
    -------
    theta, fmin, converged, iterations : ndarray
    """
    B, q = theta.shape
    fmin = np.full(B, np.inf)
    conv = np.zeros(B, dtype=bool)
    iters = np.zeros(B, dtype=int)
    ids = np.arange(B)
    # the active set, compacted as problems finish
    th = theta
    f, g = evaluate(th, *D)
    ok0 = np.isfinite(f) & np.all(np.isfinite(g), axis=1)
    fmin[ids[~ok0]] = np.inf
    ids, th, f, g = (a[ok0] for a in (ids, th, f, g))
    D = tuple(a[ok0] for a in D)
    Hi = np.broadcast_to(H0inv, (ids.size, q, q)).copy()
    restarted = np.zeros(ids.size, dtype=bool)  # the last restart came from a failed line search

    def finish(mask, converged):
        nonlocal ids, th, D, f, g, Hi, restarted
        fid = ids[mask]
        theta[fid], fmin[fid], conv[fid] = th[mask], f[mask], converged
        keep = ~mask
        ids, th, f, g, Hi, restarted = (a[keep] for a in (ids, th, f, g, Hi, restarted))
        D = tuple(a[keep] for a in D)

    for it in range(1, max_iter + 1):
        if ids.size == 0:
            break
        iters[ids] = it
        step = -(Hi @ g[:, :, None])[:, :, 0]
        gmax = np.max(np.abs(g), axis=1)
        small = ((np.max(np.abs(step) / np.maximum(1.0, np.abs(th)), axis=1) < xtol) & (gmax < 1e-6)) \
            | (gmax < 1e-11)
        if small.any():
            finish(small, True)
            step = step[~small]
            if ids.size == 0:
                break
        gs = np.einsum("bi,bi->b", g, step)
        up = gs >= 0  # not a descent direction (roundoff in the update): restart from the information
        if up.any():
            Hi[up] = safe_inverse(2.0 * information(th[up], *(a[up] for a in D)))
            step[up] = -(Hi[up] @ g[up][:, :, None])[:, :, 0]
            gs[up] = np.einsum("bi,bi->b", g[up], step[up])
        alpha = np.ones(ids.size)
        pending = np.arange(ids.size)
        new_f = np.full(ids.size, np.inf)
        new_g = np.zeros((ids.size, q))
        for _ in range(40):
            if pending.size == ids.size:
                cand = th + alpha[:, None] * step
                fc, gc = evaluate(cand, *D)
            else:
                cand = th[pending] + alpha[pending, None] * step[pending]
                fc, gc = evaluate(cand, *(a[pending] for a in D))
            f_old = f[pending]
            ok = np.isfinite(fc) & np.all(np.isfinite(gc), axis=1) & (
                fc <= f_old + 1e-4 * alpha[pending] * gs[pending] + 1e-13 * np.maximum(1.0, np.abs(f_old))
            )
            acc = pending[ok]
            new_f[acc], new_g[acc] = fc[ok], gc[ok]
            pending = pending[~ok]
            if pending.size == 0:
                break
            alpha[pending] *= 0.5
        accepted = np.ones(ids.size, dtype=bool)
        accepted[pending] = False
        f_prev = f
        sstep = alpha[:, None] * step
        y = new_g - g
        sstep[~accepted] = 0.0
        th = th + sstep
        f = np.where(accepted, new_f, f)
        g = np.where(accepted[:, None], new_g, g)
        restarted[accepted] = False
        # BFGS: Hi += c s s' - rho (Hy s' + s Hy') as one rank-2 product, where the curvature condition holds
        sy = np.einsum("bi,bi->b", sstep, y)
        upd = accepted & (sy > 1e-12 * np.maximum(1.0, np.einsum("bi,bi->b", sstep, sstep)))
        if upd.any():
            if upd.all():
                Hs, s_, y_, rho = Hi, sstep, y, 1.0 / sy
            else:
                Hs, s_, y_, rho = Hi[upd], sstep[upd], y[upd], 1.0 / sy[upd]
            Hy = (Hs @ y_[:, :, None])[:, :, 0]
            c = rho * (1.0 + rho * np.einsum("bi,bi->b", y_, Hy))
            left = np.stack([s_, Hy], axis=2)  # (b, q, 2)
            right = np.stack([c[:, None] * s_ - rho[:, None] * Hy, -rho[:, None] * s_], axis=1)  # (b, 2, q)
            if upd.all():
                Hi += left @ right
            else:
                Hi[upd] = Hs + left @ right
        if pending.size:
            # no decrease along the direction: done if the gradient is already tiny; else restart from the
            # problem's own information, and give up on one whose restart also failed
            pm = np.zeros(ids.size, dtype=bool)
            pm[pending] = True
            tiny = pm & (np.max(np.abs(g), axis=1) < 1e-7)
            lost = pm & ~tiny & restarted
            retry = pm & ~tiny & ~restarted
            if retry.any():
                Hi[retry] = safe_inverse(2.0 * information(th[retry], *(a[retry] for a in D)))
                restarted[retry] = True
            if tiny.any() or lost.any():
                end = tiny | lost
                finish(end, tiny[end])
        # converged where F no longer changes (at roundoff level) and the gradient is small
        flat = accepted & (np.abs(f_prev - f) <= 1e-14 * (1.0 + np.abs(f))) & (np.max(np.abs(g), axis=1) < 1e-6)
        if flat.any():
            finish(flat, True)
        # periodic restart from each problem's own information keeps roundoff in the update from stalling
        if it % 20 == 0 and ids.size:
            Hi = safe_inverse(2.0 * information(th, *D))
    if ids.size:
        finish(np.ones(ids.size, dtype=bool), False)
    return theta, fmin, conv, iters


def difference_inverse_hessian(evaluate, theta: np.ndarray, fallback) -> np.ndarray:
    """Inverse of the Hessian of ``F`` at ``theta`` by central differences of the analytic gradient
    (``evaluate(T) -> (F, dF/dtheta)`` for the stack ``T`` of 2q shifted vectors); ``fallback()`` where the
    differenced Hessian is not positive definite or not finite."""
    q = theta.size
    h = 1e-5 * np.maximum(1.0, np.abs(theta))
    f, G = evaluate(np.concatenate([theta + np.diag(h), theta - np.diag(h)]))
    if np.all(np.isfinite(f)) and np.all(np.isfinite(G)):
        H = (G[:q] - G[q:]) / (2.0 * h[:, None])
        H = 0.5 * (H + H.T)
        ev = np.linalg.eigvalsh(H)
        if ev[0] > 1e-8 * max(ev[-1], 1e-300):
            return np.linalg.inv(H)
    return fallback()


def safe_inverse(H: np.ndarray) -> np.ndarray:
    """Inverse of symmetric matrices (stacked or not); a pseudo-inverse where one is singular."""
    try:
        return np.linalg.inv(H)
    except np.linalg.LinAlgError:
        if H.ndim == 2:
            return np.linalg.pinv(H)
        return np.stack([safe_inverse(h) for h in H])
