"""Residual-based fit measures of one group: RMR, SRMR (Bentler, Mplus), CRMR (lavaan's ``lav_fit_srmr``,
``lav_residuals_summary``) and GFI (``lav_fit_gfi``), for continuous data (complete or FIML) and for
DWLS on ordered items. Several groups are combined by the caller with the weights N_g / N."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["vech_weight", "residual_measures", "residual_measures_dwls", "gfi_complete", "gfi_fiml_rows",
           "gfi_dwls", "RESIDUAL_NAMES"]

#: the residual rows, in lavaan's order
RESIDUAL_NAMES = ("rmr", "rmr_nomean", "srmr", "srmr_bentler", "srmr_bentler_nomean", "crmr", "crmr_nomean",
                  "srmr_mplus", "srmr_mplus_nomean")


def _vech(M: np.ndarray, diag: bool = True) -> np.ndarray:
    i, j = np.tril_indices(M.shape[0], 0 if diag else -1)
    return M[i, j]


def vech_weight(W: np.ndarray, ki: np.ndarray, kj: np.ndarray) -> np.ndarray:
    """The ML weight 1/2 D'(W kron W)D restricted to the vech elements (ki, kj)."""
    base = W[np.ix_(ki, ki)] * W[np.ix_(kj, kj)] + W[np.ix_(ki, kj)] * W[np.ix_(kj, ki)]
    # D'(W kron W)D sums the copies of off-diagonal elements: base * m_a * m_b / 2 (m = 1 diagonal, 2 not)
    m = np.where(ki == kj, 1.0, 2.0)
    return 0.25 * base * np.outer(m, m)


def residual_measures(S: np.ndarray, xbar: np.ndarray, Sigma: np.ndarray, mu: np.ndarray,
                      ms: bool) -> dict[str, float]:
    """RMR, SRMR (Bentler, Mplus), CRMR of one group, as lavaan's lav_fit_srmr."""
    p = S.shape[0]
    sd = np.sqrt(np.diag(S))
    R_obs = S / np.outer(sd, sd)
    sd_s = np.sqrt(np.diag(Sigma))
    R_imp = Sigma / np.outer(sd_s, sd_s)
    e_cov = _vech(S - Sigma)
    e_std = _vech((S - Sigma) / np.outer(sd, sd))
    e_mean = (xbar - mu) if ms else np.zeros(0)
    e_mean_std = e_mean / sd if ms else np.zeros(0)
    rmr = np.sqrt(np.mean(np.concatenate([e_cov, e_mean]) ** 2))
    rmr_nomean = np.sqrt(np.mean(e_cov**2))
    srmr_b = np.sqrt(np.mean(np.concatenate([e_std, e_mean_std]) ** 2))
    srmr_b_nomean = np.sqrt(np.mean(e_std**2))
    e_corr = _vech(R_obs - R_imp, diag=False)
    e_mean_corr = (xbar / sd - mu / sd_s) if ms else np.zeros(0)
    # lavaan's CRMR takes the mean residuals on the observed-SD scale (as Bentler's SRMR)
    crmr = np.sqrt(np.mean(np.concatenate([e_corr, e_mean_std]) ** 2)) if p > 1 else np.nan
    crmr_nomean = np.sqrt(np.mean(e_corr**2)) if p > 1 else np.nan
    e_diag = (np.diag(S) - np.diag(Sigma)) / np.diag(S)
    mplus = np.concatenate([e_corr, e_diag])
    srmr_mplus_nomean = np.sqrt(np.sum(mplus**2) / (p * (p + 1) / 2))
    srmr_mplus = (
        np.sqrt((np.sum(mplus**2) + np.sum(e_mean_corr**2)) / (p * (p + 1) / 2 + p)) if ms else srmr_mplus_nomean
    )
    vals = (rmr, rmr_nomean, srmr_b, srmr_b, srmr_b_nomean, crmr, crmr_nomean, srmr_mplus, srmr_mplus_nomean)
    return {k: float(v) for k, v in zip(RESIDUAL_NAMES, vals)}


def residual_measures_dwls(s: np.ndarray, sigma: np.ndarray, Sigma: np.ndarray, dm: Any) -> dict[str, float]:
    """RMR, SRMR, CRMR after DWLS (lavaan's lav_residuals_summary for categorical data): off-diagonal
    residuals raw, divided by the sample SDs (Bentler), or of cov2cor of both matrices (CRMR); the ``total``
    versions add the threshold residuals. ``dm`` describes wls.obs (thresholds, variances, correlations);
    the Mplus SRMR is NA for ordered data."""
    nslot, nnum = dm.nslots, dm.num_idx.size
    n1 = nslot + nnum
    p = Sigma.shape[0]
    npc = p * (p - 1) // 2
    ci, cj = dm.ci, dm.cj
    var_s = np.ones(p)
    var_s[dm.num_idx] = s[nslot:n1]
    var_m = np.diag(Sigma)
    e_raw = s[n1:] - sigma[n1:]
    e_bentler = e_raw / np.sqrt(var_s[ci] * var_s[cj])
    e_bollen = s[n1:] / np.sqrt(var_s[ci] * var_s[cj]) - sigma[n1:] / np.sqrt(var_m[ci] * var_m[cj])
    e_th = s[dm.th_rows] - sigma[dm.th_rows]
    ss_th, nth = float(e_th @ e_th), dm.th_rows.size

    def rms(e: np.ndarray, extra: int) -> tuple[float, float]:
        return (float(np.sqrt(float(e @ e) / (e.size + extra))),
                float(np.sqrt((float(e @ e) + ss_th) / (e.size + nth + extra))))

    rmr_nomean, rmr = rms(e_raw, p)
    srmr_nomean, srmr = rms(e_bentler, p)
    crmr_nomean, crmr = rms(e_bollen, 0) if npc else (np.nan, np.nan)
    vals = (rmr, rmr_nomean, srmr_nomean, srmr, srmr_nomean, crmr, crmr_nomean, np.nan, np.nan)
    return dict(zip(RESIDUAL_NAMES, vals))


def gfi_fiml_rows(rows: Any, Sigma: np.ndarray, mu: np.ndarray, xi: list[int]) -> float:
    """GFI under FIML as lavaan 0.6-14: the "observed" moments are the available-case (pairwise) means and
    covariances (divisor N_pair - 1, rescaled by (N - 1) / N), weighted by the expected information under MAR
    at the model-implied moments; under fixed.x the covariates' own moments leave the weight."""
    from .casewise import casewise, expected_information_phi, vech_indices
    from .robust import saturated_coords

    X = np.where(rows.M > 0, rows.X0, np.nan)
    df = pd.DataFrame(X)
    N = X.shape[0]
    mean = df.mean().to_numpy()
    cov = df.cov().to_numpy() * (N - 1) / N
    vi, vj = vech_indices(Sigma.shape[0])
    o = np.concatenate([mean, cov[vi, vj]])
    e = o - np.concatenate([mu, Sigma[vi, vj]])
    cw = casewise(rows.X0, rows.M, Sigma, mu, rows.w)
    if cw is None:
        raise ValueError("the implied covariance matrix is not positive definite on some rows' observed "
                         "variables: GFI is not defined")
    V = expected_information_phi(cw)
    idx = saturated_coords(Sigma.shape[0], True, xi)
    o, e, V = o[idx], e[idx], V[np.ix_(idx, idx)]
    return float(1.0 - (e @ V @ e) / (o @ V @ o))


def gfi_complete(S: np.ndarray, xbar: np.ndarray, Sigma: np.ndarray, mu: np.ndarray, xi: list[int],
                 ms: bool) -> float:
    """GFI of one group, lavaan's lav_fit_gfi: 1 - e'Ve / o'Vo with o the sample moments (means first when
    there is a mean structure), e = o - model, V the ML weight (Sigma^-1 for means, 1/2 D'(W x W)D for vech);
    with fixed.x the moments of the covariates alone (x-x variances, covariances and means) are left out."""
    p = S.shape[0]
    W = np.linalg.inv(Sigma)
    keep = [(i, j) for j in range(p) for i in range(j, p) if not (i in xi and j in xi)]
    ki = np.array([k[0] for k in keep], dtype=int)
    kj = np.array([k[1] for k in keep], dtype=int)
    o = S[ki, kj]
    e = (S - Sigma)[ki, kj]
    V = vech_weight(W, ki, kj)
    num = e @ V @ e
    den = o @ V @ o
    if ms:
        yi = np.array([i for i in range(p) if i not in set(xi)], dtype=int)
        d = xbar - mu
        Wy = W[np.ix_(yi, yi)]
        num += d[yi] @ Wy @ d[yi]
        den += xbar[yi] @ Wy @ xbar[yi]
    return float(1.0 - num / den)


def gfi_dwls(s: np.ndarray, sigma: np.ndarray, w: np.ndarray) -> float:
    """GFI with the DWLS weights ``w`` on all of wls.obs ``s`` (fitted values ``sigma``)."""
    return 1.0 - float(np.sum(w * (s - sigma) ** 2)) / float(np.sum(w * s * s))
