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
from scipy import special

__all__ = ["critical_n", "fit_measures", "rmsea_ci"]


def _vech(M: np.ndarray, diag: bool = True) -> np.ndarray:
    i, j = np.tril_indices(M.shape[0], 0 if diag else -1)
    return M[i, j]


def _vech_weight(W: np.ndarray, ki: np.ndarray, kj: np.ndarray) -> np.ndarray:
    """The ML weight 1/2 D'(W kron W)D restricted to the vech elements (ki, kj)."""
    base = W[np.ix_(ki, ki)] * W[np.ix_(kj, kj)] + W[np.ix_(ki, kj)] * W[np.ix_(kj, ki)]
    # D'(W kron W)D sums the copies of off-diagonal elements: base * m_a * m_b / 2 (m = 1 diagonal, 2 not)
    m = np.where(ki == kj, 1.0, 2.0)
    return 0.25 * base * np.outer(m, m)


def _bisect(f, lo: float, hi: float, tol: float = 1e-12) -> float:
    """Root of a decreasing function on [lo, hi] by bisection (avoids importing scipy.optimize)."""
    flo = f(lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
        if hi - lo <= tol * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


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
        return _bisect(f, 0.0, hi)

    lam_lo, lam_hi = root(lo_p), root(hi_p)
    return float(np.sqrt(lam_lo / (N * df))), float(np.sqrt(lam_hi / (N * df)))


def _cfi(x2, df, x2b, dfb, c=1.0, cb=1.0):
    if not np.all(np.isfinite([x2, df, x2b, dfb, c, cb])):
        return np.nan
    if df > 0 and c != 1 and cb != 1:
        t1 = max(x2 - c * df, 0.0)
        t2 = max(x2 - c * df, x2b - cb * dfb, 0.0)
    else:
        t1 = max(x2 - df, 0.0)
        t2 = max(x2 - df, x2b - dfb, 0.0)
    if np.isclose(t1, 0, atol=1.5e-8) and np.isclose(t2, 0, atol=1.5e-8):
        return 1.0
    return 1.0 - t1 / t2


def _rni(x2, df, x2b, dfb, c=1.0, cb=1.0):
    if not np.all(np.isfinite([x2, df, x2b, dfb, c, cb])):
        return np.nan
    if df > 0 and c != 1 and cb != 1:
        t1, t2 = x2 - c * df, x2b - cb * dfb
    else:
        t1, t2 = x2 - df, x2b - dfb
    return np.nan if np.isclose(t2, 0) else 1.0 - t1 / t2


def _tli(x2, df, x2b, dfb, c=1.0, cb=1.0):
    if not np.all(np.isfinite([x2, df, x2b, dfb, c, cb])):
        return np.nan
    if df > 0 and c != 1 and cb != 1:
        t1, t2 = (x2 - c * df) * dfb, (x2b - cb * dfb) * df
    else:
        t1, t2 = (x2 - df) * dfb, (x2b - dfb) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def _rfi(x2, df, x2b, dfb):
    if df > dfb:
        return np.nan
    if df > 0 and dfb > 0:
        t1, t2 = x2b / dfb - x2 / df, x2b / dfb
        return 1.0 if (t1 < 0 or t2 < 0) else t1 / t2
    return 1.0


def _nfi(x2, df, x2b, dfb):
    if df > dfb or np.isclose(x2b, 0):
        return np.nan
    if df > 0:
        return (x2b - x2) / x2b
    return 1.0


def _ifi(x2, df, x2b, dfb):
    if df > dfb:
        return np.nan
    t1, t2 = x2b - x2, x2b - df
    if t2 < 0:
        return 1.0
    return t1 / t2


def _incremental(x2, df, x2b, dfb, suffix=""):
    nfi = _nfi(x2, df, x2b, dfb)
    return {
        f"cfi{suffix}": _cfi(x2, df, x2b, dfb), f"tli{suffix}": _tli(x2, df, x2b, dfb),
        f"nnfi{suffix}": _tli(x2, df, x2b, dfb), f"rfi{suffix}": _rfi(x2, df, x2b, dfb), f"nfi{suffix}": nfi,
        f"pnfi{suffix}": (df / dfb) * nfi if dfb > 0 else np.nan, f"ifi{suffix}": _ifi(x2, df, x2b, dfb),
        f"rni{suffix}": _rni(x2, df, x2b, dfb),
    }


def _rmsea(x2, df, n, c=1.0):
    return float(np.sqrt(max(x2 / n / df - c / n, 0.0))) if df > 0 else 0.0


def _rmsea_block(x2, df, n, c=1.0, x2_ci=None, suffix=""):
    """RMSEA, its interval and the close / not-close p-values (lavaan's lav_fit_rmsea_*)."""
    x2_ci = x2 if x2_ci is None else x2_ci
    if df > 0:
        lo, hi = rmsea_ci(x2_ci, df, n)
        lo, hi = lo * np.sqrt(c), hi * np.sqrt(c)
        rp = 1.0 - special.chndtr(x2_ci, df, n * df * 0.05**2 / c)
        rnp = special.chndtr(x2_ci, df, n * df * 0.08**2 / c)
    else:
        lo = hi = 0.0
        rp = rnp = np.nan
    names = ("rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "rmsea.notclose.pvalue")
    vals = (_rmsea(x2, df, n, c), lo, hi, rp, rnp)
    if not suffix:
        return dict(zip(names, vals))
    return {("rmsea" + suffix if k == "rmsea" else k + suffix): v for k, v in zip(names, vals)}


def fit_measures(res) -> pd.Series:
    """All of lavaan's ``fitMeasures()`` that are defined for single-group complete-data ML."""
    spec, st = res.spec, res.stats
    N, p = st.nobs, len(spec.ov)
    S, xbar = st.cov, st.mean
    Sigma, mu = res.implied_cov, res.implied_mean
    ms = spec.meanstructure
    npar = res.npar
    df = res.df
    # lavaan clips the statistic at 0 (a saturated FIML model gives -2 (logl - logl_h1) = -1e-13)
    X2 = max(N * res.fmin, 0.0)
    pval = special.chdtrc(df, X2) if df > 0 else np.nan

    # baseline (independence) model; the covariates (lavaan's ov.x) keep their covariances, fixed at the
    # sample values under fixed.x, free without it
    xi = [spec.ov.index(v) for v in spec.ov_x]
    xb = [spec.ov.index(v) for v in spec.exo_x]
    yi = [i for i in range(p) if i not in xb]
    logdetS = np.linalg.slogdet(S)[1]
    Fb = np.sum(np.log(np.diag(S)[yi]))
    if xb:
        Fb += np.linalg.slogdet(S[np.ix_(xb, xb)])[1]
    Fb -= logdetS
    X2b = N * Fb
    fiml = res.missing == "fiml"
    if fiml:
        from .fiml import independence_fiml

        _vb, _mb, logl_b = independence_fiml(res.extra["rows"], xi=xb)
        X2b = 2.0 * (res.extra["logl_h1"] - logl_b)
    nx = len(xb)
    dfb = p * (p - 1) // 2 - nx * (nx - 1) // 2
    pb = special.chdtrc(dfb, X2b) if dfb > 0 else np.nan

    # information criteria
    W = np.linalg.inv(Sigma)
    logdet = np.linalg.slogdet(Sigma)[1]
    c = p * np.log(2 * np.pi)
    d = xbar - mu
    logl = -N / 2 * (c + logdet + np.sum(S * W) + (d @ W @ d if ms else 0.0))
    logl_h1 = -N / 2 * (c + logdetS + p)
    if fiml:
        logl, logl_h1 = res.extra["logl"], res.extra["logl_h1"]
    if xi:
        # lavaan (fixed.x): the log-likelihood of the fixed covariates, saturated at their sample moments,
        # is not part of the model's logl (nor of the unrestricted logl)
        logl_x = -N / 2 * (nx * np.log(2 * np.pi) + np.linalg.slogdet(S[np.ix_(xi, xi)])[1] + nx)
        logl -= logl_x
        logl_h1 -= logl_x
    aic = -2 * logl + 2 * npar
    bic = -2 * logl + npar * np.log(N)
    bic2 = -2 * logl + npar * np.log((N + 2) / 24)

    resid = _residual_measures(S, xbar, Sigma, mu, ms)

    gfi = gfi_complete(S, xbar, Sigma, mu, xi, ms)
    # lavaan counts every sample moment here, the fixed covariates' ones included
    nel = p * (p + 1) / 2 + (p if ms else 0)
    agfi = _agfi(gfi, nel, df)
    pgfi = (df / nel) * gfi if nel > 0 else np.nan

    cn05, cn01 = critical_n(X2, df, N, 0.05), critical_n(X2, df, N, 0.01)
    mfi = np.exp(-0.5 * (X2 - df) / N)
    ecvi = X2 / N + 2 * npar / N

    out = {"npar": npar, "fmin": res.fmin / 2, "chisq": X2, "df": df, "pvalue": pval,
           "baseline.chisq": X2b, "baseline.df": dfb, "baseline.pvalue": pb}
    out.update(_incremental(X2, df, X2b, dfb))
    out.update({"logl": logl, "unrestricted.logl": logl_h1, "aic": aic, "bic": bic, "ntotal": N, "bic2": bic2})
    out.update(_rmsea_block(X2, df, N))
    out.update({"rmsea.ci.level": 0.90, "rmsea.close.h0": 0.05, "rmsea.notclose.h0": 0.08})
    if res.opts.test == "yuan.bentler.mplus" or fiml:
        out.update(_robust_measures(res, X2, df, X2b, dfb, N))
    out.update(resid)
    out.update({
        "cn_05": cn05, "cn_01": cn01, "gfi": gfi, "agfi": agfi, "pgfi": pgfi, "mfi": mfi, "ecvi": ecvi,
    })
    if fiml:
        g = _gfi_fiml(res)
        out.update(gfi=g, agfi=_agfi(g, nel, df), pgfi=(df / nel) * g if nel > 0 else np.nan)
    return pd.Series(out, dtype=float, name="fit")


def _agfi(gfi: float, nel: float, df: int) -> float:
    """lavaan's lav_fit_agfi: 1 for a saturated model (df = 0)."""
    if not np.isfinite(gfi):
        return np.nan
    return 1.0 - (nel / df) * (1.0 - gfi) if df > 0 else 1.0


def critical_n(X2: float, df: int, N: int, alpha: float) -> float:
    """Hoelter's critical N, lavaan's lav_fit_cn: NA when df = 0 and the statistic is 0 (below machine
    epsilon); with df = 0 otherwise the 0 quantile of chi-square(0) gives 1."""
    if df == 0:
        return np.nan if X2 < np.finfo(float).eps else 1.0
    if X2 <= 0:
        return np.nan
    return float(special.chdtri(df, alpha) / (X2 / N) + 1)


def _gfi_fiml(res) -> float:
    """GFI under FIML as lavaan 0.6-14 (see :func:`gfi_fiml_rows`)."""
    return gfi_fiml_rows(res.extra["rows"], res.implied_cov, res.implied_mean,
                         [res.spec.ov.index(v) for v in res.spec.ov_x])


def gfi_fiml_rows(rows, Sigma, mu, xi) -> float:
    """GFI under FIML as lavaan 0.6-14: the "observed" moments are the available-case (pairwise) means and
    covariances (divisor N_pair - 1, rescaled by (N - 1) / N), weighted by the expected information under MAR
    at the model-implied moments; under fixed.x the covariates' own moments leave the weight."""
    from .casewise import casewise, expected_information_phi, vech_indices
    from .robust import _coords

    X = np.where(rows.M > 0, rows.X0, np.nan)
    df = pd.DataFrame(X)
    N = X.shape[0]
    mean = df.mean().to_numpy()
    cov = df.cov().to_numpy() * (N - 1) / N
    vi, vj = vech_indices(Sigma.shape[0])
    o = np.concatenate([mean, cov[vi, vj]])
    e = o - np.concatenate([mu, Sigma[vi, vj]])
    V = expected_information_phi(casewise(rows.X0, rows.M, Sigma, mu))
    idx = _coords(Sigma.shape[0], True, xi)
    o, e, V = o[idx], e[idx], V[np.ix_(idx, idx)]
    return float(1.0 - (e @ V @ e) / (o @ V @ o))


def gfi_complete(S, xbar, Sigma, mu, xi, ms: bool) -> float:
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
    V = _vech_weight(W, ki, kj)
    num = e @ V @ e
    den = o @ V @ o
    if ms:
        yi = np.array([i for i in range(p) if i not in set(xi)], dtype=int)
        d = xbar - mu
        Wy = W[np.ix_(yi, yi)]
        num += d[yi] @ Wy @ d[yi]
        den += xbar[yi] @ Wy @ xbar[yi]
    return float(1.0 - num / den)


def _residual_measures(S, xbar, Sigma, mu, ms: bool) -> dict:
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

    return {"rmr": rmr, "rmr_nomean": rmr_nomean, "srmr": srmr_b, "srmr_bentler": srmr_b,
            "srmr_bentler_nomean": srmr_b_nomean, "crmr": crmr, "crmr_nomean": crmr_nomean,
            "srmr_mplus": srmr_mplus, "srmr_mplus_nomean": srmr_mplus_nomean}


def _baseline_info(res, rows, mu_fixed):
    """Observed information and score cross-product of the independence model at its estimates."""
    from .casewise import casewise, saturated_hessian, saturated_scores, vech_indices
    from .fiml import independence_fiml_moments

    p = len(res.spec.ov)
    ms = res.spec.meanstructure
    # the baseline frees the variances (and means) of the non-covariates; the covariates (lavaan's ov.x)
    # keep their sample moments under fixed.x and have free means, variances and covariances without it
    xi = [res.spec.ov.index(v) for v in res.spec.ov_x]
    xb = [res.spec.ov.index(v) for v in res.spec.exo_x]
    if res.missing == "fiml":
        Sb, mean, _ = independence_fiml_moments(rows, xi=xb)
        if xi:
            Sb[np.ix_(xi, xi)] = res.stats.cov[np.ix_(xi, xi)]
    else:
        Sb, mean = np.diag(np.diag(res.stats.cov)), res.stats.mean
        if xb:
            Sb[np.ix_(xb, xb)] = res.stats.cov[np.ix_(xb, xb)]
    cw = casewise(rows.X0, rows.M, Sb, mean if mu_fixed is None else mu_fixed)
    vi, vj = vech_indices(p)
    yi = [i for i in range(p) if i not in xi]
    xfree = set(xb) - set(xi)
    free_cov = [k for k, (a, b) in enumerate(zip(vi, vj)) if (a == b and a in yi) or (a != b and a in xfree and b in xfree)]
    cov_coord = p + np.array(free_cov, dtype=int)
    idx = np.concatenate([np.array(yi, dtype=int), cov_coord]) if ms else cov_coord
    Db = np.zeros((idx.size, p + vi.size))
    Db[np.arange(idx.size), idx] = 1.0
    H = saturated_hessian(cw)
    sc = saturated_scores(cw) @ Db.T
    return -(Db @ H @ Db.T), sc.T @ sc, Db, Sb, mean


def _robust_measures(res, X2, df, X2b, dfb, N) -> dict:
    """MLR (Yuan-Bentler Mplus) scaled measures and the robust CFI/TLI/RMSEA; FIML-C for FIML."""
    from .fiml import delta_phi
    from .robust import complete_information_phi, fiml_corrected_k, ml_discrepancy, unrestricted_info, yb_traces

    ms = res.spec.meanstructure
    rows = res.extra["rows"]
    st = res.stats
    mu_fixed = None if ms else st.mean
    out: dict = {}
    xi = [res.spec.ov.index(v) for v in res.spec.ov_x]
    h1 = unrestricted_info(rows, st.cov, st.mean, ms, xi)
    A = res.extra["A"]
    mlr = res.opts.test == "yuan.bentler.mplus"
    Ab, Bb, Db, Sb, mb = _baseline_info(res, rows, mu_fixed)
    if mlr:
        t1, t0 = yb_traces(h1, A, res.extra["B0"])
        c = (t1 - t0) / df if df > 0 else np.nan
        _t1b, t0b = yb_traces(h1, Ab, Bb)
        cb = (t1 - t0b) / dfb
        # lavaan with df = 0: no scaling factor (NA), the scaled statistic is the unscaled one
        X2s, X2bs = (X2 / c if df > 0 else X2), X2b / cb
        out.update({"chisq.scaled": X2s, "df.scaled": df,
                    "pvalue.scaled": special.chdtrc(df, X2s) if df > 0 else np.nan,
                    "chisq.scaling.factor": c, "baseline.chisq.scaled": X2bs, "baseline.df.scaled": dfb,
                    "baseline.pvalue.scaled": special.chdtrc(dfb, X2bs), "baseline.chisq.scaling.factor": cb,
                    # lavaan divides by the free rows of the parameter table (equality-constrained ones counted apart)
                    "scaling.factor.h1": t1 / h1.A1.shape[0],
                    "scaling.factor.h0": t0 / int((res.partable["free"] > 0).sum())})
        out.update({f"{k}.scaled": v for k, v in _incremental(X2s, df, X2bs, dfb).items()})
        # lavaan 0.6-14: the scaled RMSEA family uses the unscaled statistic on df2 = trace(UGamma) = c * df
        if df > 0:
            out.update(_rmsea_block(X2, c * df, N, suffix=".scaled"))
        else:  # df2 = c * df is NA with df = 0, and so is every scaled RMSEA row in lavaan
            out.update({k: np.nan for k in _rmsea_block(X2, 1, N, suffix=".scaled")})
    if res.missing == "fiml":
        # FIML-C: the complete-data statistics of the FIML estimates against the EM moments
        from .casewise import casewise, saturated_hessian, saturated_scores
        from .robust import _coords

        # the covariates' own moments (fixed.x) leave every matrix, as lavaan zeroes and drops them
        cx = _coords(len(res.spec.ov), True, xi)
        D = delta_phi(res.ram, res.theta)[:, cx]
        Db = Db[:, cx]
        XX3 = N * ml_discrepancy(st.cov, st.mean, res.implied_cov, res.implied_mean, True)
        XX3b = N * ml_discrepancy(st.cov, st.mean, Sb, mb, True)
        Wc = complete_information_phi(st.cov)[np.ix_(cx, cx)]
        cw = casewise(rows.X0, rows.M, st.cov, st.mean)
        Wm = -saturated_hessian(cw)[np.ix_(cx, cx)] / N
        sc = saturated_scores(cw)[:, cx]
        Jm = sc.T @ sc / N
        version = "V3" if mlr else "V6"
        k = fiml_corrected_k(Wc=Wc, Wm=Wm, Jm=Jm, D=D, version=version)
        kb = fiml_corrected_k(Wc=Wc, Wm=Wm, Jm=Jm, D=Db, version=version)
        c3b = kb / dfb
        if df > 0:
            c3 = k / df
            x2r, x2br, x2r_s = XX3, XX3b, XX3 / c3
        else:
            # lavaan: c.hat3 = k / 0 is infinite (k is rounding noise), not NA, so its robust CFI, TLI, RNI take
            # the branch they take whenever df = 0 (the unscaled formula, giving 1) and RMSEA is 0 with the
            # interval [0, 0]; the same values follow from c3 = 1 here
            c3 = 1.0
            x2r, x2br, x2r_s = XX3, XX3b, 0.0
    else:
        c3, c3b = c, cb
        # complete-data MLR with df = 0: c is NA, so are the robust CFI/TLI/RNI; the robust RMSEA uses the
        # scaled statistic (the unscaled one, finite) and is 0 with the interval [0, 0]
        x2r, x2br, x2r_s = X2, X2b, (X2 / c if df > 0 else X2)
    out.update({"cfi.robust": _cfi(x2r, df, x2br, dfb, c3, c3b), "tli.robust": _tli(x2r, df, x2br, dfb, c3, c3b),
                "nnfi.robust": _tli(x2r, df, x2br, dfb, c3, c3b), "rni.robust": _rni(x2r, df, x2br, dfb, c3, c3b)})
    rb = _rmsea_block(x2r_s, df, N, c=c3, suffix=".robust")
    rb["rmsea.robust"] = _rmsea(x2r, df, N, c3)
    out.update(rb)
    return out
