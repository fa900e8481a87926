"""Casewise normal likelihood with missing values, batched over all rows at once.

Each row keeps the full p x p problem with its missing entries masked out: the row's covariance is
``Sigma*`` = Sigma on the observed block and the identity on the missing one, so one batched Cholesky
gives every row's log-determinant and inverse ``K_i`` (Sigma_oo^-1 padded with zeros). With
``r_i`` the padded residual and ``u_i = K_i r_i``:

* ``l_i = -1/2 (p_i log 2 pi + log|Sigma_oo| + r_i' u_i)``
* ``dl_i/dmu = u_i``, ``dl_i/dSigma = 1/2 (u_i u_i' - K_i)``
* second derivatives (directions dS_a, dS_b of Sigma and e_j of mu):
  ``d2l/dmu dmu' = -K``, ``d2l/dmu dS_b = -K dS_b u``,
  ``d2l/dS_a dS_b = 1/2 tr(K dS_b K dS_a) - 1/2 u' dS_b K dS_a u - 1/2 u' dS_a K dS_b u``.

Coordinates of the saturated model are ``phi = [mu (p), vech(Sigma) (p(p+1)/2)]`` (lower triangle, row
by row); an off-diagonal coordinate moves both symmetric entries. These are the building blocks of FIML
estimation, its observed information, the EM algorithm for the saturated model, and the first-order
(score cross-product) matrices of MLR.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["Casewise", "casewise", "pattern_inverses", "array_digest", "DigestCache", "vech_indices",
           "saturated_gradient", "saturated_hessian", "saturated_scores", "score_blocks", "saturated_crossproduct",
           "em_saturated", "expected_information_phi"]

LOG2PI = np.log(2 * np.pi)


@lru_cache(maxsize=64)
def vech_indices(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each vech coordinate (lower triangle, column by column, as lavaan)."""
    rows, cols = [], []
    for j in range(p):
        for i in range(j, p):
            rows.append(i)
            cols.append(j)
    return np.array(rows), np.array(cols)


#: rows per block where a row's p x p inverse is needed (bounds the memory at about 64 MB whatever n is)
_BLOCK_ENTRIES = 8_000_000


def _blocks(n: int, p: int):
    step = max(1, _BLOCK_ENTRIES // max(p * p, 1))
    for lo in range(0, n, step):
        yield lo, min(n, lo + step)


@dataclass
class Casewise:
    # (n, p, p) padded inverses: a broadcast view of one matrix for complete data, None with missing data,
    # where the inverses are kept once per missing-data pattern (memory grows with patterns x p^2, not
    # rows x p^2) and a row's is ``K_pattern[pattern_index[i]]``
    K: np.ndarray | None
    u: np.ndarray  # (n, p)
    logl: np.ndarray  # (n,)
    complete: bool = False  # every row fully observed: K is the same Sigma^-1 on every row
    K_pattern: np.ndarray | None = None  # (npat, p, p): one padded inverse per missing-data pattern
    pattern_count: np.ndarray | None = None  # (npat,) rows per pattern (the sum of their weights)
    w: np.ndarray | None = None  # sampling weights of the rows (``logl`` is already weighted), or None
    pattern_index: np.ndarray | None = None  # (n,) each row's pattern (with ``K_pattern``)

    def K_rows(self, lo: int, hi: int) -> np.ndarray:
        """The padded inverses of rows ``lo:hi``, (hi - lo, p, p)."""
        if self.K is not None:
            return self.K[lo:hi]
        assert self.K_pattern is not None and self.pattern_index is not None
        return self.K_pattern[self.pattern_index[lo:hi]]

    @property
    def wu(self) -> np.ndarray:
        """``w_i u_i`` (``u`` without weights)."""
        return self.u if self.w is None else self.u * self.w[:, None]

    @property
    def total(self) -> float:
        """The number of rows, or the sum of their weights."""
        return float(self.u.shape[0] if self.w is None else self.w.sum())


def casewise(X0: np.ndarray, M: np.ndarray, Sigma: np.ndarray, mu: np.ndarray,
             w: np.ndarray | None = None) -> Casewise | None:
    """Row terms at (Sigma, mu). ``X0``: data with missing cells set to 0; ``M``: observed mask (float);
    ``w``: sampling weights of the rows (lavaan's ``wt``: every sum over rows is weighted, ``logl`` is
    ``w_i l_i`` and the scores ``w_i s_i``).

    Returns None where Sigma is not positive definite on some row's observed block.
    """
    n, p = X0.shape
    if M.all():
        # complete rows: one inverse serves every row
        try:
            L = np.linalg.cholesky(Sigma)
        except np.linalg.LinAlgError:
            return None
        Linv = np.linalg.inv(L)
        W = Linv.T @ Linv
        r = X0 - mu
        u = r @ W
        logdet = 2.0 * np.log(np.diag(L)).sum()
        logl = -0.5 * (p * LOG2PI + logdet + np.einsum("ni,ni->n", r, u))
        if w is not None:
            logl = logl * w
        return Casewise(np.broadcast_to(W, (n, p, p)), u, logl, True, w=w)
    # one inverse per missing-data pattern, shared by the pattern's rows
    pats, inv, cnt = _patterns(M)
    got = pattern_inverses(Sigma, pats)
    if got is None:
        return None
    Kp, logdet = got
    r = (X0 - mu) * M
    u = np.empty_like(r)
    for lo, hi in _blocks(n, p):
        u[lo:hi] = np.einsum("nij,nj->ni", Kp[inv[lo:hi]], r[lo:hi])
    quad = np.einsum("ni,ni->n", r, u)
    logl = -0.5 * (M.sum(axis=1) * LOG2PI + logdet[inv] + quad)
    if w is not None:
        logl = logl * w
        cnt = np.bincount(inv, weights=w, minlength=Kp.shape[0])
    return Casewise(None, u, logl, False, Kp, cnt.astype(float), w=w, pattern_index=inv)


#: the Schur-complement inverses of :func:`pattern_inverses` are used where the Cholesky factor of Sigma has
#: (max diag / min diag)^2 below this (a cheap lower bound of Sigma's condition number): the subtraction
#: ``W - W_om W_mm^-1 W_mo`` then loses at most about 5 of the 16 digits
_SCHUR_COND = 1e5


def _direct_inverses(Sigma: np.ndarray, pats: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Padded inverses and log-determinants of the observed blocks, one Cholesky factor per pattern."""
    p = Sigma.shape[0]
    mm = pats[:, :, None] * pats[:, None, :]
    Sig = Sigma[None, :, :] * mm
    idx = np.arange(p)
    Sig[:, idx, idx] += 1.0 - pats
    try:
        L = np.linalg.cholesky(Sig)
    except np.linalg.LinAlgError:
        return None
    logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
    Linv = np.linalg.inv(L)
    return np.matmul(np.swapaxes(Linv, 1, 2), Linv) * mm, logdet


def pattern_inverses(Sigma: np.ndarray, pats: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``Sigma_oo^-1`` padded with zeros (npat, p, p) and ``log |Sigma_oo|`` (npat,) of each pattern of
    observed cells ``pats`` (npat, p; 1 observed); None where some observed block is not positive definite.

    With ``W = Sigma^-1``, a block's inverse is the Schur complement ``W_oo - W_om W_mm^-1 W_mo`` and
    ``log |Sigma_oo| = log |Sigma| + log |W_mm|``: for a pattern with m missing cells this costs p^2 m
    instead of a p^3 factorisation. Patterns with more than half the cells missing, and a Sigma that is
    not positive definite or badly conditioned (:data:`_SCHUR_COND`), are factorised block by block.
    """
    p = Sigma.shape[0]
    try:
        L = np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        return _direct_inverses(Sigma, pats)
    d = np.diag(L)
    if (d.max() / d.min()) ** 2 > _SCHUR_COND:
        return _direct_inverses(Sigma, pats)
    Linv = np.linalg.inv(L)
    W = Linv.T @ Linv
    logdet_S = 2.0 * np.log(d).sum()
    miss = pats == 0
    width = miss.sum(axis=1)
    Kp = np.empty((pats.shape[0], p, p))
    logdet = np.empty(pats.shape[0])
    for m in np.unique(width):
        sel = np.flatnonzero(width == m)
        if m == 0:
            Kp[sel], logdet[sel] = W, logdet_S
            continue
        if 2 * m > p:
            got = _direct_inverses(Sigma, pats[sel])
            if got is None:
                return None
            Kp[sel], logdet[sel] = got
            continue
        mi = np.nonzero(miss[sel])[1].reshape(sel.size, m)  # each pattern's missing columns
        Wm = np.swapaxes(W[:, mi], 0, 1)  # (ns, p, m): W_.m
        Wmm = Wm[np.arange(sel.size)[:, None], mi, :]  # (ns, m, m)
        Lm = np.linalg.cholesky(Wmm)
        logdet[sel] = logdet_S + 2.0 * np.log(np.diagonal(Lm, axis1=1, axis2=2)).sum(axis=1)
        T = Wm @ np.swapaxes(np.linalg.inv(Lm), 1, 2)  # W_.m Lm^-T, so that W_.m W_mm^-1 W_m. = T T'
        obs = pats[sel]
        Kp[sel] = (W[None] - T @ np.swapaxes(T, 1, 2)) * (obs[:, :, None] * obs[:, None, :])
    return Kp, logdet


def _patterns(M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct rows of the observed mask, each row's pattern and the rows per pattern."""
    p = M.shape[1]
    if p <= 62:
        key = (M > 0).astype(np.int64) @ (np.int64(1) << np.arange(p, dtype=np.int64))
        _, first, inv, cnt = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
        return M[first], inv.reshape(-1), cnt
    pats, inv, cnt = np.unique(M, axis=0, return_inverse=True, return_counts=True)
    return pats, inv.reshape(-1), cnt


def casewise_pd(X0: np.ndarray, M: np.ndarray, Sigma: np.ndarray, mu: np.ndarray,
                w: np.ndarray | None = None) -> Casewise:
    """:func:`casewise` at moments known to be positive definite (EM iterates, a converged saturated model)."""
    cw = casewise(X0, M, Sigma, mu, w)
    if cw is None:
        raise FloatingPointError("the covariance matrix of the saturated model is not positive definite")
    return cw


def saturated_gradient(cw: Casewise) -> tuple[np.ndarray, np.ndarray]:
    """Total gradient: (d logl / d mu, d logl / d Sigma as a symmetric matrix of entry derivatives)."""
    wu = cw.wu
    g_mu = wu.sum(axis=0)
    G = 0.5 * (wu.T @ cw.u - _ksum(cw))
    return g_mu, G


def _ksum(cw: Casewise) -> np.ndarray:
    if cw.complete and cw.K is not None:
        return cw.total * cw.K[0]
    if cw.K_pattern is not None and cw.pattern_count is not None:
        return np.tensordot(cw.pattern_count, cw.K_pattern, axes=1)
    assert cw.K is not None
    return cw.K.sum(axis=0) if cw.w is None else np.tensordot(cw.w, cw.K, axes=1)


@lru_cache(maxsize=64)
def _vech_position(p: int) -> np.ndarray:
    """``pos[i, j]``: the vech coordinate of entry (i, j) of a symmetric p x p matrix (either triangle)."""
    vi, vj = vech_indices(p)
    pos = np.empty((p, p), dtype=np.intp)
    pos[vi, vj] = np.arange(vi.size)
    pos[vj, vi] = np.arange(vi.size)
    return pos


@lru_cache(maxsize=16)
def _vech_pair_index(p: int) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]:
    """Flat indices into (nv, nv) arrays (nv = p(p+1)/2, rows and columns vech coordinates) for every pair of
    vech coordinates a = (j, k), b = (l, m).

    The Hessian's terms are sums of products ``K_kl K_mj`` and ``u_l u_k K_mj`` of symmetric matrices, so a
    term indexed ``[k,l,m,j]`` is the entry (vech(k,l), vech(m,j)) of an nv x nv array (:func:`_kk`,
    :func:`_uuk`). Entry ``s`` of the result is for the direction pair ``(j,k,l,m)`` (s = 0) or
    ``(k,j,l,m)`` (s = 1) and holds the flat positions of ``[k,l,m,j]``, ``[l,k,m,j]`` and ``[j,m,k,l]``, each
    (nv, nv); the other two terms of a symmetric direction, ``(j,k,m,l)`` and ``(k,j,m,l)``, repeat these (see
    :func:`saturated_hessian`).
    """
    vi, vj = vech_indices(p)
    pos = _vech_position(p)
    nv = vi.size
    J, K = vi[:, None], vj[:, None]
    L, M = vi[None, :], vj[None, :]

    def flat(a, b, c, d):
        return pos[a, b] * nv + pos[c, d]

    out = []
    for j, k, l, m in ((J, K, L, M), (K, J, L, M)):
        out.append((flat(k, l, m, j), flat(l, k, m, j), flat(j, m, k, l)))
    return tuple(out)


def _kk(cw: Casewise) -> np.ndarray:
    """``sum_i K_i[k,l] K_i[m,j]`` as an (nv, nv) array indexed [vech(k,l), vech(m,j)] (each ``K_i`` is
    symmetric, so its vech holds every entry: a quarter of the work of the (p^2, p^2) product)."""
    n, p = cw.u.shape
    vi, vj = vech_indices(p)
    if cw.complete and cw.K is not None:
        Wv = cw.K[0][vi, vj]
        return cw.total * np.outer(Wv, Wv)
    if cw.K_pattern is not None and cw.pattern_count is not None:
        Y = cw.K_pattern[:, vi, vj] * np.sqrt(cw.pattern_count)[:, None]
    else:
        assert cw.K is not None
        Y = cw.K[:, vi, vj] if cw.w is None else cw.K[:, vi, vj] * np.sqrt(cw.w)[:, None]
    return Y.T @ Y  # (one operand transposed: a symmetric rank-k update, exactly symmetric)


def _uuk(cw: Casewise) -> np.ndarray:
    """``sum_i w_i u_i[a] u_i[b] K_i[c,d]`` as an (nv, nv) array indexed [vech(a,b), vech(c,d)], accumulated
    over blocks of rows."""
    u = cw.u
    n, p = u.shape
    vi, vj = vech_indices(p)
    wu = cw.wu
    if cw.complete:
        assert cw.K is not None
        return np.outer((wu.T @ u)[vi, vj], cw.K[0][vi, vj])
    step = max(1, _BLOCK_ENTRIES // max(vi.size, 1))
    if cw.K_pattern is not None and cw.pattern_index is not None:
        # sum the rows' u_a u_b within each pattern first (rows sorted by pattern), then one product
        order = np.argsort(cw.pattern_index, kind="stable")
        pat = cw.pattern_index[order]
        S = np.zeros((cw.K_pattern.shape[0], vi.size))
        for lo in range(0, n, step):
            rows, pb = order[lo:lo + step], pat[lo:lo + step]
            starts = np.flatnonzero(np.r_[True, pb[1:] != pb[:-1]])
            S[pb[starts]] += np.add.reduceat(wu[rows][:, vi] * u[rows][:, vj], starts, axis=0)
        return S.T @ cw.K_pattern[:, vi, vj]
    assert cw.K is not None
    out = np.zeros((vi.size, vi.size))
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        out += (wu[lo:hi, vi] * u[lo:hi, vj]).T @ cw.K[lo:hi, vi, vj]
    return out


def saturated_scores(cw: Casewise, lo: int = 0, hi: int | None = None) -> np.ndarray:
    """Casewise scores in phi coordinates of rows ``lo:hi`` (default all), (hi - lo, p + p(p+1)/2).

    The whole matrix has rows x p^2 / 2 entries (350 MB at 10^5 rows and 28 variables, a few times that
    while it is built): callers that only need products of it take it in :func:`score_blocks`."""
    n, p = cw.u.shape
    hi = n if hi is None else hi
    vi, vj = vech_indices(p)
    u = cw.u[lo:hi]
    if cw.K is not None:
        Kv = cw.K[lo:hi, vi, vj]
    else:
        assert cw.K_pattern is not None and cw.pattern_index is not None
        Kv = cw.K_pattern[:, vi, vj][cw.pattern_index[lo:hi]]
    G = 0.5 * (u[:, vi] * u[:, vj] - Kv)
    G = G * np.where(vi == vj, 1.0, 2.0)
    sc = np.concatenate([u, G], axis=1)
    return sc if cw.w is None else sc * cw.w[lo:hi, None]


def score_blocks(cw: Casewise):
    """``(lo, hi)`` blocks of rows for :func:`saturated_scores`, each about 8 million entries (one block
    up to about 18,000 rows at 28 variables), so that products of the scores need memory bounded in n."""
    n, p = cw.u.shape
    nphi = p + p * (p + 1) // 2
    step = max(1, _BLOCK_ENTRIES // nphi)
    for lo in range(0, n, step):
        yield lo, min(n, lo + step)


def saturated_crossproduct(cw: Casewise, idx: np.ndarray, cluster: np.ndarray | None = None) -> np.ndarray:
    """``sum_i s_i s_i'`` of the saturated scores' coordinates ``idx``, a block of rows at a time
    (:func:`score_blocks`); with ``cluster`` (codes 0..C-1) the scores are summed within clusters first
    and the cross-product multiplied by ``C / (C - 1)``, as :func:`egovsem.sem.vcov.crossproduct`."""
    C = 0 if cluster is None else int(cluster.max()) + 1
    acc = np.zeros((idx.size, idx.size)) if cluster is None else np.zeros((C, idx.size))
    for lo, hi in score_blocks(cw):
        sc = saturated_scores(cw, lo, hi)[:, idx]
        if cluster is None:
            acc += sc.T @ sc
        else:
            np.add.at(acc, cluster[lo:hi], sc)
    return acc if cluster is None else (acc.T @ acc) * (C / (C - 1.0))


def saturated_hessian(cw: Casewise) -> np.ndarray:
    """Total Hessian of the log-likelihood in phi coordinates (observed information = minus this)."""
    u = cw.u
    n, p = u.shape
    vi, vj = vech_indices(p)
    Pf = _kk(cw).reshape(-1)  # [vech(k,l), vech(m,j)] = sum K_kl K_mj
    Qf4 = _uuk(cw).reshape(-1)  # [vech(a,b), vech(c,d)] = sum w u_a u_b K_cd
    wu = cw.wu
    # H[j,k,l,m] for directions E_jk (first) and E_lm (second), entry-wise:
    # 0.5 K_kl K_mj - 0.5 u_l u_k K_mj - 0.5 u_j u_m K_kl = 0.5 P[k,l,m,j] - 0.5 Q[l,k,m,j] - 0.5 Q[j,m,k,l];
    # symmetric directions (an off-diagonal vech coordinate moves (j,k) and (k,j)):
    # Hs = (H[j,k,l,m] + H[k,j,l,m]) + (H[j,k,m,l] + H[k,j,m,l]), gathered at the vech pairs only
    ix = _vech_pair_index(p)

    def h(s: int) -> np.ndarray:
        kl_mj, lk_mj, jm_kl = ix[s]
        return 0.5 * Pf[kl_mj] - 0.5 * Qf4[lk_mj] - 0.5 * Qf4[jm_kl]

    # the terms of the direction pairs s = 3 and s = 2 are those of s = 0 and s = 1 (K and u u' are
    # symmetric: u_k u_l K_jm = u_l u_k K_mj), so each is taken twice
    A = 2.0 * (h(0) + h(1))
    wa = np.where(vi == vj, 0.5, 1.0)
    A = A * np.outer(wa, wa)
    # mu-Sigma block: d2l/dmu_a dE_lm = -sum K_al u_m
    if cw.complete:
        assert cw.K is not None
        R = cw.K[0][:, :, None] * wu.sum(axis=0)[None, None, :]
    elif cw.K_pattern is not None and cw.pattern_index is not None:
        Z = np.zeros((cw.K_pattern.shape[0], p))
        np.add.at(Z, cw.pattern_index, wu)  # the weighted u summed within each pattern
        R = np.einsum("kal,km->alm", cw.K_pattern, Z)
    else:
        assert cw.K is not None
        R = np.einsum("nal,nm->alm", cw.K, wu)
    Rs = -(R + np.transpose(R, (0, 2, 1)))
    B = Rs[:, vi, vj] * wa[None, :]
    C = -_ksum(cw)
    top = np.concatenate([C, B], axis=1)
    bottom = np.concatenate([B.T, A], axis=1)
    Hphi = np.concatenate([top, bottom], axis=0)
    return 0.5 * (Hphi + Hphi.T)


def expected_information_phi(cw: Casewise) -> np.ndarray:
    """Expected (total) information in phi coordinates under MAR: sum over rows of the complete-data
    information of each row's observed block (positive definite; used as the Fisher-scoring metric)."""
    n, p = cw.u.shape
    vi, vj = vech_indices(p)
    Pf = _kk(cw).reshape(-1)
    ix = _vech_pair_index(p)
    # H[j,k,l,m] = 0.5 P[k,l,m,j], symmetrised as in saturated_hessian and gathered at the vech pairs
    A = Pf[ix[0][0]] + Pf[ix[1][0]]  # (the pairs s = 2, 3 repeat s = 1, 0: see saturated_hessian)
    wa = np.where(vi == vj, 0.5, 1.0)
    A = A * np.outer(wa, wa)
    C = _ksum(cw)
    q = p + vi.size
    out = np.zeros((q, q))
    out[:p, :p] = C
    out[p:, p:] = A
    return out


def array_digest(*arrays: np.ndarray | None, extra: object = ()) -> bytes:
    """A digest of ``arrays`` (values, shape, dtype and memory layout; ``None`` counts) and ``repr(extra)``:
    the key of the caches of results that depend on their arguments only (:func:`em_saturated`,
    :func:`egovsem.sem.fit_robust.fiml_corrected`'s and :func:`egovsem.sem.fit_baseline.baseline_info`'s
    saturated blocks), so that several fits of the same rows compute them once."""
    import hashlib

    h = hashlib.blake2b(digest_size=20)
    for a in arrays:
        if a is None:
            h.update(b"none")
            continue
        a = np.asarray(a)
        # the memory layout is part of the key: the same values in another layout can round differently
        h.update(repr((a.shape, a.strides, a.dtype.str, a.flags.c_contiguous, a.flags.f_contiguous)).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(repr(extra).encode())
    return h.digest()


class DigestCache:
    """The last ``size`` results of a function of arrays, keyed by :func:`array_digest`; a hit returns deep
    copies (arrays copied), so a caller that changes its result does not change the cache."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self.store: dict[bytes, object] = {}

    def get(self, key: bytes, compute):
        hit = self.store.get(key)
        if hit is None:
            hit = compute()
            if len(self.store) >= self.size:
                self.store.pop(next(iter(self.store)))
            self.store[key] = hit
        return _copied(hit)


def _copied(x):
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, tuple):
        return tuple(_copied(v) for v in x)
    return x


#: EM results of recent calls, keyed by a digest of their arguments (see :func:`em_saturated`)
EM_CACHE = DigestCache(32)


def _em_key(X0: np.ndarray, M: np.ndarray, tol: float, iter_max: int, w: np.ndarray | None) -> bytes:
    arrays = (X0, M) if w is None else (X0, M, np.asarray(w))
    return array_digest(*arrays, extra=(float(tol), int(iter_max), w is None))


def em_saturated(X0: np.ndarray, M: np.ndarray, *, tol: float = 1e-10, iter_max: int = 5000,
                 w: np.ndarray | None = None):
    """Maximum likelihood mean and covariance under MAR by EM (the unrestricted model H1).

    Returns (Sigma, mu, logl, iterations). E-step: ``xhat_i = mu + Sigma u_i``,
    ``C_i = Sigma - Sigma K_i Sigma``; M-step: moments of the completed data (weighted by the sampling
    weights ``w``, lavaan's ``lav_mvnorm_missing_h1_estimate_moments(wt =)``; logl is then weighted).

    The result depends on the arguments only, so the last few are kept (keyed by a digest of the data,
    mask, weights and settings) and returned as copies: the steps of an invariance test, the models of one
    run and a fit's fit measures share the saturated moments of the same rows instead of iterating again.
    """
    return EM_CACHE.get(_em_key(X0, M, tol, iter_max, w),
                        lambda: _em_saturated(X0, M, tol=tol, iter_max=iter_max, w=w))


def _em_saturated(X0: np.ndarray, M: np.ndarray, *, tol: float, iter_max: int, w: np.ndarray | None):
    n, p = X0.shape
    wr = np.ones(n) if w is None else np.asarray(w, dtype=float)
    wt = float(wr.sum())
    cnt = (M * wr[:, None]).sum(axis=0)
    mu = (X0 * M * wr[:, None]).sum(axis=0) / cnt
    D = (X0 - mu) * M
    var = (D**2 * wr[:, None]).sum(axis=0) / cnt
    Sigma = np.diag(var)
    prev = -np.inf
    for it in range(1, iter_max + 1):  # noqa: B007 (the count is returned after the loop)
        cw = casewise_pd(X0, M, Sigma, mu, w)
        ll = cw.logl.sum()
        xhat = mu + cw.u @ Sigma
        # sum_i w_i C_i = wt Sigma - Sigma (sum_i w_i K_i) Sigma
        Csum = wt * Sigma - Sigma @ _ksum(cw) @ Sigma
        mu_new = wr @ xhat / wt
        Dc = xhat - mu_new
        Sigma = ((Dc * wr[:, None]).T @ Dc + Csum) / wt
        Sigma = 0.5 * (Sigma + Sigma.T)
        mu = mu_new
        if abs(ll - prev) <= tol * (abs(ll) + 1.0):
            break
        prev = ll
    cw = casewise_pd(X0, M, Sigma, mu, w)
    return Sigma, mu, float(cw.logl.sum()), it
