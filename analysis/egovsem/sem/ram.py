"""The parameter table as matrices (RAM form), the implied moments and their derivatives.

All variables, observed first then latent, are stacked in one vector v (length n = p + m):
``v = A v + u`` with ``Cov(u) = S`` and ``E(u) = m``. ``A`` holds loadings (``A[x, f]``) and regression
coefficients (``A[y, x]``), ``S`` variances and covariances, ``m`` intercepts. With ``E = (I - A)^-1`` and
the selection ``F = [I_p 0]`` the model implies ``Sigma = F E S E' F'`` and ``mu = F E m``.
This covers lavaan's LISREL matrices (Lambda, Theta, Psi, Beta, nu, alpha) and regressions among
observed variables without phantom latent variables.

The derivatives are closed form (``G = F E``, ``H = E S E' F'``):
``dSigma/dA[i,j] = G[:,i] H[j,:] + (.)'``, ``dSigma/dS[i,j] = G[:,i] G[:,j]' + (.)'`` and
``dmu/dA[i,j] = G[:,i] (E m)[j]``, ``dmu/dm[i] = G[:,i]``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["RAM"]


def _add_rows(out: np.ndarray, k: np.ndarray, rows: np.ndarray) -> None:
    """``out[k[r]] += rows[r]`` for every r (rows sharing a parameter are summed; plain assignment-add where
    every ``k`` is distinct, which is exact)."""
    if np.unique(k).size == k.size:
        out[k] += rows
    else:
        np.add.at(out, k, rows)


@dataclass
class RAM:
    """Matrices of one model; build with :meth:`from_partable`."""

    names: tuple[str, ...]  # observed variables, then latent variables
    p: int
    A0: np.ndarray
    S0: np.ndarray
    m0: np.ndarray
    a_idx: tuple[np.ndarray, np.ndarray, np.ndarray]  # rows, cols, theta index (0-based)
    s_idx: tuple[np.ndarray, np.ndarray, np.ndarray]
    m_idx: tuple[np.ndarray, np.ndarray]
    q: int  # number of free parameters

    @classmethod
    def from_partable(cls, pt: pd.DataFrame, ov: tuple[str, ...], lv: tuple[str, ...], q: int | None = None) -> RAM:
        """Matrices of the rows ``pt`` (one group); ``q`` is the length of theta (all groups)."""
        names = tuple(ov) + tuple(lv)
        pos = {v: i for i, v in enumerate(names)}
        n = len(names)
        A0, S0, m0 = np.zeros((n, n)), np.zeros((n, n)), np.zeros(n)
        a: tuple[list[int], list[int], list[int]] = ([], [], [])
        s: tuple[list[int], list[int], list[int]] = ([], [], [])
        mm: tuple[list[int], list[int]] = ([], [])
        for r in pt.itertuples():
            k = int(r.free) - 1
            val = 0.0 if (r.free or np.isnan(r.ustart)) else float(r.ustart)
            if r.op == "=~":
                i, j = pos[r.rhs], pos[r.lhs]
                target, store = (a, (i, j)), A0
            elif r.op in ("~", "<~"):  # a composite's weights: A[f, x], as a regression of f on x
                i, j = pos[r.lhs], pos[r.rhs]
                target, store = (a, (i, j)), A0
            elif r.op == "~~":
                i, j = pos[r.lhs], pos[r.rhs]
                target, store = (s, (i, j)), S0
            elif r.op == "~1":
                i = pos[r.lhs]
                if k >= 0:
                    mm[0].append(i)
                    mm[1].append(k)
                else:
                    m0[i] = val
                continue
            else:  # pragma: no cover - := rows are not in the table
                continue
            lst, (i, j) = target
            if k >= 0:
                lst[0].append(i)
                lst[1].append(j)
                lst[2].append(k)
            else:
                store[i, j] = val
                if store is S0:
                    store[j, i] = val
        if q is None:
            q = int(pt["free"].max()) if len(pt) and (pt["free"] > 0).any() else 0
        a3 = (np.asarray(a[0], dtype=int), np.asarray(a[1], dtype=int), np.asarray(a[2], dtype=int))
        s3 = (np.asarray(s[0], dtype=int), np.asarray(s[1], dtype=int), np.asarray(s[2], dtype=int))
        m2 = (np.asarray(mm[0], dtype=int), np.asarray(mm[1], dtype=int))
        return cls(names, len(ov), A0, S0, m0, a3, s3, m2, q)

    # -- matrices ---------------------------------------------------------------------------------
    def matrices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A, S, m at ``theta`` (shape (q,) or batched (B, q))."""
        theta = np.asarray(theta, dtype=float)
        batch = theta.shape[:-1]
        A = np.broadcast_to(self.A0, batch + self.A0.shape).copy()
        S = np.broadcast_to(self.S0, batch + self.S0.shape).copy()
        m = np.broadcast_to(self.m0, batch + self.m0.shape).copy()
        ai, aj, ak = self.a_idx
        A[..., ai, aj] = theta[..., ak]
        si, sj, sk = self.s_idx
        S[..., si, sj] = theta[..., sk]
        S[..., sj, si] = theta[..., sk]
        mi, mk = self.m_idx
        m[..., mi] = theta[..., mk]
        return A, S, m

    def implied(self, theta: np.ndarray):
        """Return ``Sigma, mu, E, C`` where ``C = E S E'`` is the covariance of all variables."""
        A, S, m = self.matrices(theta)
        n = A.shape[-1]
        E = np.linalg.inv(np.eye(n) - A)
        C = E @ S @ np.swapaxes(E, -1, -2)
        Em = (E @ m[..., None])[..., 0]
        p = self.p
        return C[..., :p, :p], Em[..., :p], E, C, Em

    def jacobian(self, theta: np.ndarray):
        """Derivatives of Sigma (q, p, p) and mu (q, p) with respect to theta (single, not batched)."""
        A, S, m = self.matrices(theta)
        n, p, q = A.shape[0], self.p, self.q
        E = np.linalg.inv(np.eye(n) - A)
        G = E[:p, :]  # p x n
        H = E @ S @ E[:p, :].T  # n x p
        Em = E @ m
        dS = np.zeros((q, p * p))
        dmu = np.zeros((q, p))
        ai, aj, ak = self.a_idx
        if ai.size:
            t = G[:, ai].T[:, :, None] * H[aj, :][:, None, :]  # (nA, p, p)
            t = t + np.swapaxes(t, 1, 2)
            # rows sharing a parameter (equality constraints) are summed into theta
            _add_rows(dS, ak, t.reshape(ai.size, p * p))
            _add_rows(dmu, ak, G[:, ai].T * Em[aj][:, None])
        si, sj, sk = self.s_idx
        if si.size:
            t = G[:, si].T[:, :, None] * G[:, sj].T[:, None, :]
            off = si != sj
            t[off] = t[off] + np.swapaxes(t[off], 1, 2)
            _add_rows(dS, sk, t.reshape(si.size, p * p))
        mi, mk = self.m_idx
        if mi.size:
            _add_rows(dmu, mk, G[:, mi].T)
        return dS.reshape(q, p, p), dmu

    def vjp(self, theta: np.ndarray, g_sigma: np.ndarray, g_mu: np.ndarray) -> np.ndarray:
        """The gradient in theta of ``tr(g_sigma Sigma) + g_mu' mu`` (``g_sigma`` symmetric): the product of
        :meth:`jacobian` with the derivatives in Sigma and mu, without forming the (q, p, p) array. With
        ``M = F' g_sigma F``, ``C = E S E'``: ``d/dA = 2 E' M C + E' F' g_mu (E m)'``, ``d/dS = E' M E``,
        ``d/dm = E' F' g_mu``."""
        A, S, m = self.matrices(theta)
        n, p = A.shape[0], self.p
        E = np.linalg.inv(np.eye(n) - A)
        G = E[:p, :]  # F E
        GM = G.T @ g_sigma  # E' F' g_sigma (n x p)
        EtME = GM @ G  # E' M E
        out = np.zeros(self.q)
        ai, aj, ak = self.a_idx
        if ai.size:
            gA = 2.0 * EtME @ S @ E.T + np.outer(G.T @ g_mu, E @ m)
            out += np.bincount(ak, weights=gA[ai, aj], minlength=self.q)
        si, sj, sk = self.s_idx
        if si.size:
            w = np.where(si == sj, 1.0, 2.0) * EtME[si, sj]
            out += np.bincount(sk, weights=w, minlength=self.q)
        mi, mk = self.m_idx
        if mi.size:
            out += np.bincount(mk, weights=(G.T @ g_mu)[mi], minlength=self.q)
        return out

    def row_position(self, lhs: str, op: str, rhs: str) -> tuple[str, int, int]:
        """Matrix name and (row, col) of a parameter-table row (for modification indices)."""
        pos = {v: i for i, v in enumerate(self.names)}
        if op == "=~":
            return "A", pos[rhs], pos[lhs]
        if op in ("~", "<~"):
            return "A", pos[lhs], pos[rhs]
        if op == "~~":
            return "S", pos[lhs], pos[rhs]
        return "m", pos[lhs], 0

    def extra_jacobian(self, theta: np.ndarray, cells: list[tuple[str, int, int]]):
        """Derivatives of Sigma and mu for matrix cells that are not free parameters (for MIs)."""
        A, S, m = self.matrices(theta)
        n, p = A.shape[0], self.p
        E = np.linalg.inv(np.eye(n) - A)
        G = E[:p, :]
        H = E @ S @ E[:p, :].T
        Em = E @ m
        k = len(cells)
        dS = np.zeros((k, p, p))
        dmu = np.zeros((k, p))
        for c, (mat, i, j) in enumerate(cells):
            if mat == "A":
                t = np.outer(G[:, i], H[j, :])
                dS[c] = t + t.T
                dmu[c] = G[:, i] * Em[j]
            elif mat == "S":
                t = np.outer(G[:, i], G[:, j])
                dS[c] = t + t.T if i != j else t
            else:
                dmu[c] = G[:, i]
        return dS, dmu
