"""The casewise (per cluster) two-level likelihood for incomplete level-1 data, batched over clusters.

Cluster j has the between-only values z_j (complete) and its members' observed level-1 cells y_ij[o_i].
With the between part b_j of the split variables (mean 0) and ``g_j = (z_j, b_j) ~ N((mu_z, 0), Gamma)``,
``y_ij = mu_y + P b_j + e_ij``, ``e_ij ~ N(0, Sigma_W)``. The density factors as ``p(z_j) p(y_j | z_j)``;
given z_j, b_j has mean ``beta (z_j - mu_z)`` and covariance ``B_c = B - S_bz S_zz^-1 S_zb``, and the Woodbury
identity turns the ``(sum_i |o_i|)``-square covariance of y_j into pb x pb pieces (pb = number of split
variables):

    -2 log p(y_j | z_j) = sum_i [log|W_oi| + r_i' W_oi^-1 r_i] + log|B_c| + log|K_j| - s_j' K_j^-1 s_j,

with ``K_j = B_c^-1 + sum_i P_i' W_oi^-1 P_i`` and ``s_j = sum_i P_i' W_oi^-1 r_i``. Members share the
inverse of their missing pattern's block of Sigma_W, so every per-row step is one matrix product per pattern
and every per-cluster step one batched (J x pb x pb) operation. The gradient is Fisher's identity: the
expected complete-data gradient under the posterior of b_j (mean ``beta (z_j - mu_z) + K_j^-1 s_j``,
covariance ``K_j^-1``). The value equals the dense casewise likelihood of each cluster's observed cells.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FimlData", "fiml_data", "objective_fiml"]


@dataclass
class FimlData:
    """The incomplete level-1 data arranged for :func:`objective_fiml`."""

    Y0: np.ndarray  # N x p1 level-1 values, missing cells set to 0
    codes: np.ndarray  # cluster index (0..J-1) of every row
    pattern: np.ndarray  # missing-pattern index of every row
    masks: np.ndarray  # npat x p1 observed masks
    counts: np.ndarray  # J x npat number of members with each pattern
    Z: np.ndarray  # J x pz between-only values
    J: int


def fiml_data(Y: np.ndarray, codes: np.ndarray, Z: np.ndarray) -> FimlData:
    """Arrange the level-1 values ``Y`` (NaN = missing; no all-missing row), the cluster index of each row and
    the clusters' between-only values ``Z``."""
    obs = ~np.isnan(Y)
    masks, pattern = np.unique(obs, axis=0, return_inverse=True)
    pattern = np.asarray(pattern).ravel()
    J = Z.shape[0]
    counts = np.zeros((J, masks.shape[0]))
    np.add.at(counts, (codes, pattern), 1.0)
    return FimlData(np.where(obs, Y, 0.0), np.asarray(codes), pattern, masks, counts, Z, J)


def _pattern_inverses(S1: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pattern: the inverse of Sigma_W's observed block embedded in p1 x p1 (zeros elsewhere) and its
    log-determinant."""
    p1 = S1.shape[0]
    Winv = np.zeros((masks.shape[0], p1, p1))
    ld = np.zeros(masks.shape[0])
    for k, m in enumerate(masks):
        ix = np.flatnonzero(m)
        C = np.linalg.cholesky(S1[np.ix_(ix, ix)])  # LinAlgError unless positive definite
        Ci = np.linalg.inv(C)
        Winv[k][np.ix_(ix, ix)] = Ci.T @ Ci
        ld[k] = 2.0 * np.sum(np.log(np.diag(C)))
    return Winv, ld


def objective_fiml(i2_z: np.ndarray, i2_b: np.ndarray, i1_b: np.ndarray, fd: FimlData, S1: np.ndarray,
                   m1: np.ndarray, S2: np.ndarray, m2: np.ndarray, grad: bool):
    """-2 log-likelihood (without the 2 pi constants) of all clusters; with ``grad`` also the derivatives in
    S1, m1, S2, m2 (symmetric matrices, as ``twolevel.objective``). ``i2_z``, ``i2_b`` are the positions in
    the level-2 variables of the between-only and split variables, ``i1_b`` those of the split variables at
    level 1."""
    pz, pb, J = len(i2_z), len(i2_b), fd.J
    gi = np.concatenate([i2_z, i2_b]).astype(int)
    Gam = S2[np.ix_(gi, gi)]
    Szz, Szb, Bbb = Gam[:pz, :pz], Gam[:pz, pz:], Gam[pz:, pz:]
    mu_z = m2[i2_z]
    mu_y = m1.copy()
    mu_y[i1_b] += m2[i2_b]
    dz = fd.Z - mu_z  # J x pz
    f = 0.0
    if pz:
        Czz = np.linalg.cholesky(Szz)
        Szz_inv = np.linalg.inv(Czz).T @ np.linalg.inv(Czz)
        beta = Szb.T @ Szz_inv  # pb x pz
        Bc = Bbb - beta @ Szb
        f += J * 2.0 * float(np.sum(np.log(np.diag(Czz)))) + float(np.sum((dz @ Szz_inv) * dz))
    else:
        beta = np.zeros((pb, 0))
        Bc = Bbb
    Cb = np.linalg.cholesky(Bc)
    Bc_inv = np.linalg.inv(Cb).T @ np.linalg.inv(Cb)
    Winv, ldW = _pattern_inverses(S1, fd.masks)
    shift = np.tile(mu_y, (J, 1))
    shift[:, i1_b] += dz @ beta.T  # prior mean of y_ij given z_j
    R = np.where(fd.masks[fd.pattern], fd.Y0 - shift[fd.codes], 0.0)  # N x p1 residuals, 0 where missing
    A = np.empty_like(R)
    for k in range(len(fd.masks)):
        sel = fd.pattern == k
        A[sel] = R[sel] @ Winv[k]
    Q = float(np.sum(R * A))
    s = np.zeros((J, pb))
    np.add.at(s, fd.codes, A[:, i1_b])
    Wbb = Winv[:, i1_b][:, :, i1_b]  # npat x pb x pb
    K = Bc_inv + np.einsum("jk,kab->jab", fd.counts, Wbb)
    CK = np.linalg.cholesky(K)
    CKi = np.linalg.inv(CK)
    Kinv = np.einsum("jca,jcb->jab", CKi, CKi)
    Ks = np.einsum("jab,jb->ja", Kinv, s)
    f += (float(fd.counts.sum(axis=0) @ ldW) + Q + J * 2.0 * float(np.sum(np.log(np.diag(Cb))))
          + 2.0 * float(np.sum(np.log(np.einsum("jaa->ja", CK)))) - float(np.sum(s * Ks)))
    if not grad:
        return f
    # posterior of b_j and of the level-1 residuals e_ij
    bhat = dz @ beta.T + Ks  # J x pb
    Ehat = fd.Y0 - np.tile(mu_y, (len(R), 1))
    Ehat[:, i1_b] -= bhat[fd.codes]
    Ehat = np.where(fd.masks[fd.pattern], Ehat, 0.0)
    F = np.empty_like(Ehat)
    for k in range(len(fd.masks)):
        sel = fd.pattern == k
        F[sel] = Ehat[sel] @ Winv[k]
    Csum = np.einsum("jk,jab->kab", fd.counts, Kinv)  # per pattern: sum of the clusters' posterior covariances
    gW = np.einsum("k,kab->ab", fd.counts.sum(axis=0), Winv) - F.T @ F
    for k in range(len(fd.masks)):
        Wk = Winv[k][:, i1_b]
        gW -= Wk @ Csum[k] @ Wk.T
    gmy = -2.0 * F.sum(axis=0)
    D = np.hstack([dz, bhat])  # J x (pz + pb)
    T = D.T @ D
    T[pz:, pz:] += Kinv.sum(axis=0)
    Cg = np.linalg.cholesky(Gam)
    Gi = np.linalg.inv(Cg).T @ np.linalg.inv(Cg)
    gG = J * Gi - Gi @ T @ Gi
    gmz = -2.0 * (Gi @ D.sum(axis=0))[:pz]
    g2 = np.zeros_like(S2)
    g2[np.ix_(gi, gi)] = gG
    gm2 = np.zeros_like(m2)
    gm2[i2_z] = gmz
    gm2[i2_b] += gmy[i1_b]
    return f, gW, gmy, g2, gm2
