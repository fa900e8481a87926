"""Fit measures with lavaan's names and definitions (single group, complete-data ML).

``chisq = N * F_min`` (N, not N - 1: lavaan's normal likelihood); the baseline is the independence model
(with ``fixed.x`` the covariates keep their sample covariances); CFI and TLI follow lavaan's
``lav_fit_cfi`` / ``lav_fit_tli``; RMSEA, its 90% interval (non-central chi-square) and the p-values of
close and not-close fit follow ``lav_fit_rmsea``; SRMR is Bentler's (residuals of the observed
correlation scale; with a mean structure the standardised mean residuals are included).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special

__all__ = ["fit_measures", "rmsea_ci"]


def _vech(M: np.ndarray, diag: bool = True) -> np.ndarray:
    i, j = np.tril_indices(M.shape[0], 0 if diag else -1)
    return M[i, j]


def _vech_weight(W: np.ndarray, ki: np.ndarray, kj: np.ndarray) -> np.ndarray:
    """The ML weight 1/2 D'(W kron W)D restricted to the vech elements (ki, kj)."""
    base = W[np.ix_(ki, ki)] * W[np.ix_(kj, kj)] + W[np.ix_(ki, kj)] * W[np.ix_(kj, ki)]
    # D'(W kron W)D sums the copies of off-diagonal elements: base * m_a * m_b / 2 (m = 1 diagonal, 2 not)
    m = np.where(ki == kj, 1.0, 2.0)
    return 0.25 * base * np.outer(m, m)


def rmsea_ci(X2: float, df: int, N: int, level: float = 0.90) -> tuple[float, float]:
    """Confidence interval of RMSEA from the non-central chi-square distribution (lavaan's search)."""
    if df < 1 or not np.isfinite(X2):
        return np.nan, np.nan
    lo_p, hi_p = (1 + level) / 2, (1 - level) / 2

    def root(prob):
        f = lambda lam: (special.chndtr(X2, df, lam) if lam > 0 else special.chdtr(df, X2)) - prob  # noqa: E731
        if f(0.0) < 0:
            return 0.0
        hi = max(X2, 1.0)
        while f(hi) > 0:
            hi *= 2
            if hi > 1e8:
                return np.nan
        return optimize.brentq(f, 0.0, hi, xtol=1e-12, rtol=1e-12)

    lam_lo, lam_hi = root(lo_p), root(hi_p)
    return float(np.sqrt(lam_lo / (N * df))), float(np.sqrt(lam_hi / (N * df)))


def fit_measures(res) -> pd.Series:
    """All of lavaan's ``fitMeasures()`` that are defined for single-group complete-data ML."""
    spec, st = res.spec, res.stats
    N, p = st.nobs, len(spec.ov)
    S, xbar = st.cov, st.mean
    Sigma, mu = res.implied_cov, res.implied_mean
    ms = spec.meanstructure
    npar = res.npar
    df = res.df
    X2 = N * res.fmin
    pval = special.chdtrc(df, X2) if df > 0 else np.nan

    # baseline (independence) model
    xi = [spec.ov.index(v) for v in spec.ov_x]
    yi = [i for i in range(p) if i not in xi]
    logdetS = np.linalg.slogdet(S)[1]
    Fb = np.sum(np.log(np.diag(S)[yi]))
    if xi:
        Fb += np.linalg.slogdet(S[np.ix_(xi, xi)])[1]
    Fb -= logdetS
    X2b = N * Fb
    nx, ny = len(xi), len(yi)
    dfb = p * (p - 1) // 2 - nx * (nx - 1) // 2
    pb = special.chdtrc(dfb, X2b) if dfb > 0 else np.nan

    # incremental indices, lavaan's definitions and bounds
    t1 = max(X2 - df, 0.0)
    t2 = max(X2 - df, X2b - dfb, 0.0)
    cfi = 1.0 if (t1 == 0 and t2 == 0) else 1.0 - t1 / t2
    rni = 1.0 - (X2 - df) / (X2b - dfb) if (X2b - dfb) != 0 else np.nan
    if df > 0 and dfb > 0:
        tli = ((X2b / dfb) - (X2 / df)) / ((X2b / dfb) - 1.0)
        nfi = (X2b - X2) / X2b
        rfi = ((X2b / dfb) - (X2 / df)) / (X2b / dfb)
        rfi = min(max(rfi, 0.0), 1.0)
        ifi = (X2b - X2) / (X2b - df)
        pnfi = (df / dfb) * nfi
    else:
        tli = nfi = rfi = ifi = pnfi = np.nan
        if df == 0:
            tli = 1.0

    # information criteria
    W = np.linalg.inv(Sigma)
    logdet = np.linalg.slogdet(Sigma)[1]
    c = p * np.log(2 * np.pi)
    d = xbar - mu
    logl = -N / 2 * (c + logdet + np.sum(S * W) + (d @ W @ d if ms else 0.0))
    logl_h1 = -N / 2 * (c + logdetS + p)
    if xi:
        # lavaan (fixed.x): the log-likelihood of the fixed covariates, saturated at their sample moments,
        # is not part of the model's logl (nor of the unrestricted logl)
        logl_x = -N / 2 * (nx * np.log(2 * np.pi) + np.linalg.slogdet(S[np.ix_(xi, xi)])[1] + nx)
        logl -= logl_x
        logl_h1 -= logl_x
    aic = -2 * logl + 2 * npar
    bic = -2 * logl + npar * np.log(N)
    bic2 = -2 * logl + npar * np.log((N + 2) / 24)

    # RMSEA
    if df > 0:
        rmsea = np.sqrt(max(X2 - df, 0.0) / (N * df))
        lo, hi = rmsea_ci(X2, df, N)
        rp = 1.0 - special.chndtr(X2, df, N * df * 0.05**2)
        rnp = special.chndtr(X2, df, N * df * 0.08**2)
    else:
        rmsea, lo, hi, rp, rnp = 0.0, 0.0, 0.0, np.nan, np.nan

    # residual-based
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
    crmr = np.sqrt(np.mean(np.concatenate([e_corr, e_mean_corr]) ** 2)) if p > 1 else np.nan
    crmr_nomean = np.sqrt(np.mean(e_corr**2)) if p > 1 else np.nan
    e_diag = (np.diag(S) - np.diag(Sigma)) / np.diag(S)
    mplus = np.concatenate([e_corr, e_diag])
    srmr_mplus_nomean = np.sqrt(np.sum(mplus**2) / (p * (p + 1) / 2))
    srmr_mplus = (
        np.sqrt((np.sum(mplus**2) + np.sum(e_mean_corr**2)) / (p * (p + 1) / 2 + p)) if ms else srmr_mplus_nomean
    )

    # GFI family, lavaan's lav_fit_gfi: 1 - e'Ve / o'Vo with o the sample moments (means first when there
    # is a mean structure), e = o - model, V the ML weight (Sigma^-1 for means, 1/2 D'(W x W)D for vech)
    # with fixed.x the moments of the covariates alone (x-x variances, covariances and means) are left out
    keep = [(i, j) for j in range(p) for i in range(j, p) if not (i in xi and j in xi)]
    ki = np.array([k[0] for k in keep], dtype=int)
    kj = np.array([k[1] for k in keep], dtype=int)
    o = S[ki, kj]
    e = (S - Sigma)[ki, kj]
    V = _vech_weight(W, ki, kj)
    num = e @ V @ e
    den = o @ V @ o
    if ms:
        yi_m = np.array(yi, dtype=int)
        Wy = W[np.ix_(yi_m, yi_m)]
        num += d[yi_m] @ Wy @ d[yi_m]
        den += xbar[yi_m] @ Wy @ xbar[yi_m]
    gfi = 1.0 - num / den
    # lavaan counts every sample moment here, the fixed covariates' ones included
    nel = p * (p + 1) / 2 + (p if ms else 0)
    agfi = 1.0 - (nel / df) * (1.0 - gfi) if df > 0 else np.nan
    pgfi = (df / nel) * gfi if nel > 0 else np.nan

    cn05 = special.chdtri(df, 0.05) / (X2 / N) + 1 if df > 0 and X2 > 0 else np.nan
    cn01 = special.chdtri(df, 0.01) / (X2 / N) + 1 if df > 0 and X2 > 0 else np.nan
    mfi = np.exp(-0.5 * (X2 - df) / N)
    ecvi = X2 / N + 2 * npar / N

    out = {
        "npar": npar, "fmin": res.fmin / 2, "chisq": X2, "df": df, "pvalue": pval,
        "baseline.chisq": X2b, "baseline.df": dfb, "baseline.pvalue": pb,
        "cfi": cfi, "tli": tli, "nnfi": tli, "rfi": rfi, "nfi": nfi, "pnfi": pnfi, "ifi": ifi, "rni": rni,
        "logl": logl, "unrestricted.logl": logl_h1, "aic": aic, "bic": bic, "ntotal": N, "bic2": bic2,
        "rmsea": rmsea, "rmsea.ci.lower": lo, "rmsea.ci.upper": hi, "rmsea.ci.level": 0.90,
        "rmsea.pvalue": rp, "rmsea.close.h0": 0.05, "rmsea.notclose.pvalue": rnp, "rmsea.notclose.h0": 0.08,
        "rmr": rmr, "rmr_nomean": rmr_nomean, "srmr": srmr_b, "srmr_bentler": srmr_b,
        "srmr_bentler_nomean": srmr_b_nomean, "crmr": crmr, "crmr_nomean": crmr_nomean,
        "srmr_mplus": srmr_mplus, "srmr_mplus_nomean": srmr_mplus_nomean,
        "cn_05": cn05, "cn_01": cn01, "gfi": gfi, "agfi": agfi, "pgfi": pgfi, "mfi": mfi, "ecvi": ecvi,
    }
    return pd.Series(out, dtype=float, name="fit")
