"""Fit measures after WLSMV with lavaan 0.6-14's names and definitions (``fitMeasures(fit)``).

With ``s`` = wls.obs (thresholds, then correlations), ``sigma`` the fitted values, ``w`` the DWLS weights,
``Gamma`` the NACOV and ``Delta`` the Jacobian at the estimates, ``A = Delta' W Delta``:

* ``chisq = (N - 1) F`` with ``F = sum w (s - sigma)^2`` and ``fmin = (N - 1) / N * F / 2``: lavaan's DWLS
  objective is ``0.5 (N - 1) / N F`` and its statistic ``2 N fmin`` (``lav_model_objective``, ``lav_test``);
  the sample size in RMSEA, CN and MFI is ``N - 1`` as well (``lav_utils_get_ntotal``: N - ngroups for
  every estimator but ML/PML/FML), while the ML statistic of the robust measures below uses N;
* scaled-shifted test (``lav_test_satorra_bentler``): ``U = W - W Delta A^-1 Delta' W``,
  ``a = sqrt(df / tr((U Gamma)^2))``, shift ``b = df - a tr(U Gamma)``, ``chisq.scaled = a chisq + b``,
  ``chisq.scaling.factor = 1 / a``;
* baseline: the independence model (thresholds free, correlations 0) fitted by DWLS: its thresholds fit
  exactly, so ``baseline.chisq = (N - 1) sum_corr w r^2`` and its ``U`` is ``W`` on the correlation block;
* CFI/TLI/NNFI/RFI/NFI/PNFI/IFI/RNI and their ``.scaled`` versions from the (scaled) statistics
  (``lav_fit_cfi``), RMSEA and its interval and p-values from ``lav_fit_rmsea`` (``.scaled`` uses
  ``chisq.scaled`` on ``df``);
* ``.robust`` CFI/TLI/NNFI/RNI/RMSEA (Savalei 2021, lavaan's ``lav_fit_catml_dwls``): the ML discrepancy of
  the polychoric matrix ``R`` at the DWLS solution, ``XX3 = N (log|Sigma| - log|R| + tr(R Sigma^-1) - p)``, its
  scaling ``c = tr(M' V M Gamma_c) / df`` with ``M = I - Delta_c A^-1 Delta_c' W_c`` (correlation rows
  only) and ``V`` the normal-theory ML weight of a correlation structure at ``Sigma``
  (``V[(ij),(kl)] = P_ik P_jl + P_il P_jk``, ``P = Sigma^-1``); baseline ``-N log|R|`` with
  ``c0 = tr(Gamma_c) / df0``. lavaan gives NA for all of these when ``R`` is not positive definite
  (smallest eigenvalue below sqrt(machine epsilon)) or when some indicators are continuous; so does egovsem;
* RMR/SRMR/CRMR from the off-diagonal residuals (raw; divided by the sample SDs; of cov2cor of both
  matrices) and, in the ``total`` versions (``rmr``, ``srmr_bentler``, ``crmr``), the threshold residuals,
  divided by ``p(p-1)/2 + p`` (+ number of thresholds) or, for CRMR, ``p(p-1)/2`` (+ thresholds), as
  ``lav_residuals_summary``; ``srmr`` = ``srmr_bentler_nomean``;
  ``srmr_mplus``/``srmr_mplus_nomean`` are NA in lavaan for ordered data and NaN here;
* GFI with the DWLS weights on all of wls.obs (``lav_fit_gfi``), AGFI/PGFI with ``nel = len(wls.obs)``;
  Hoelter's CN, MFI and ``wrmr = sqrt(chisq / nel)``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from .fitmeasures import _cfi, _incremental, _rmsea, _rmsea_block, _rni, _tli

__all__ = ["wlsmv_fit_measures", "scaled_shifted"]


def scaled_shifted(UG: np.ndarray, X2: float, df: int) -> dict:
    """lavaan's scaled-shifted statistic from ``U Gamma``: a, shift, scaled statistic and its p-value."""
    tr1 = float(np.trace(UG))
    tr2 = float(np.sum(UG * UG.T))
    if df <= 0 or tr2 <= 0:
        return dict(stat=X2 if df == 0 else np.nan, a=np.nan, shift=np.nan, scaling=np.nan, pvalue=np.nan,
                    tr1=tr1, tr2=tr2)
    a = np.sqrt(df / tr2)
    shift = df - a * tr1
    stat = a * X2 + shift
    return dict(stat=stat, a=a, shift=shift, scaling=1.0 / a, pvalue=float(special.chdtrc(df, stat)),
                tr1=tr1, tr2=tr2)


def _catml_robust(res, n1: int, df: int) -> dict:
    """XX3, c.hat3 and their baseline counterparts of lavaan's ``lav_fit_catml_dwls`` (NaN if R is not PD)."""
    ost = res.extra["ordinal"]
    N = ost.nobs
    R = ost.corr
    p = R.shape[0]
    nan = dict(XX3=np.nan, df3=np.nan, c3=np.nan, XX3s=np.nan, XX3b=np.nan, df3b=np.nan, c3b=np.nan)
    if len(ost.ordered) < len(ost.names) or np.linalg.eigvalsh(R).min() < np.sqrt(np.finfo(float).eps):
        return nan  # lavaan: only for ordered items alone, and a positive definite R
    Sigma = res.implied_cov
    if np.linalg.eigvalsh(Sigma).min() <= 0:
        # lavaan's ML objective is infinite for a non-positive-definite implied matrix and its robust measures
        # then follow no definition we could check against it: not reported (NaN)
        return nan
    P = np.linalg.inv(Sigma)
    XX3 = N * (np.linalg.slogdet(Sigma)[1] - np.linalg.slogdet(R)[1] + np.sum(R * P) - p)
    cj, ci = np.triu_indices(p, 1)
    V = P[np.ix_(ci, ci)] * P[np.ix_(cj, cj)] + P[np.ix_(ci, cj)] * P[np.ix_(cj, ci)]
    D = res.extra["delta"]
    Dc = D[n1:]
    wc = ost.wls_v_diag[n1:]
    Gc = ost.gamma[n1:, n1:]
    npc = ci.size
    M = np.eye(npc) - (Dc @ res.extra["A_inv"] @ Dc.T) * wc[None, :]
    ks = float(np.sum((M.T @ V @ M) * Gc.T))
    th_free = set(res.partable.loc[res.partable["op"] == "|", "free"])
    nfree_nonth = len(set(res.partable.loc[(res.partable["free"] > 0), "free"]) - th_free)
    df3 = npc - nfree_nonth
    c3 = ks / df3 if df3 > 0 else np.inf
    XX3b = -N * np.linalg.slogdet(R)[1]
    df3b = npc
    c3b = float(np.trace(Gc)) / df3b
    return dict(XX3=XX3, df3=df3, c3=c3, XX3s=XX3 / c3, XX3b=XX3b, df3b=df3b, c3b=c3b)


def wlsmv_fit_measures(res) -> pd.Series:
    """All of lavaan's ``fitMeasures()`` for a single-group WLSMV fit of ordered items (see the module doc)."""
    ost = res.extra["ordinal"]
    N = ost.nobs
    s, w, Gamma = ost.wls_obs, ost.wls_v_diag, ost.gamma
    sigma = res.extra["wls_est"]
    D, Ainv = res.extra["delta"], res.extra["A_inv"]
    dm = res.extra["delta_model"]
    nslot, nnum = dm.nslots, dm.num_idx.size
    n1 = nslot + nnum  # first row of the correlations / covariances
    p = len(ost.names)
    npc = p * (p - 1) // 2
    df, npar = res.df, res.npar
    F = res.fmin
    X2 = (N - 1) * F  # lavaan: fmin = 0.5 (N - 1) / N F for DWLS, chisq = 2 N fmin
    Nf = N - 1  # lavaan's lav_utils_get_ntotal for DWLS
    pval = float(special.chdtrc(df, X2)) if df > 0 else np.nan

    WD = D * w[:, None]
    U = np.diag(w) - WD @ Ainv @ WD.T
    ss = scaled_shifted(U @ Gamma, X2, df)

    # baseline: thresholds (means, variances) exact, correlations 0
    rc = s[n1:]
    X2b = (N - 1) * float(np.sum(w[n1:] * rc * rc))
    dfb = npc
    UGb = w[n1:, None] * Gamma[n1:, n1:]
    ssb = scaled_shifted(UGb, X2b, dfb)

    out: dict = {"npar": npar, "fmin": 0.5 * (N - 1) / N * F, "chisq": X2, "df": df, "pvalue": pval,
                 "chisq.scaled": ss["stat"], "df.scaled": df, "pvalue.scaled": ss["pvalue"],
                 "chisq.scaling.factor": ss["scaling"],
                 "baseline.chisq": X2b, "baseline.df": dfb, "baseline.pvalue": float(special.chdtrc(dfb, X2b)),
                 "baseline.chisq.scaled": ssb["stat"], "baseline.df.scaled": dfb,
                 "baseline.pvalue.scaled": ssb["pvalue"], "baseline.chisq.scaling.factor": ssb["scaling"]}
    inc = _incremental(X2, df, X2b, dfb)
    inc_s = _incremental(ss["stat"], df, ssb["stat"], dfb, suffix=".scaled")
    rob = _catml_robust(res, n1, df)
    c3, c3b = rob["c3"], rob["c3b"]
    if df == 0:  # lavaan's c.hat = k / 0 is infinite and its formulas fall back to the unscaled ones
        c3 = c3b = 1.0
    robust = {"cfi.robust": _cfi(rob["XX3"], df, rob["XX3b"], dfb, c3, c3b),
              "tli.robust": _tli(rob["XX3"], df, rob["XX3b"], dfb, c3, c3b)}
    out.update({k: inc[k] for k in ("cfi", "tli")})
    out.update({k: inc_s[k] for k in ("cfi.scaled", "tli.scaled")})
    out.update(robust)
    out.update({k: inc[k] for k in ("nnfi", "rfi", "nfi", "pnfi", "ifi", "rni")})
    out.update({k + ".scaled": inc_s[k + ".scaled"] for k in ("nnfi", "rfi", "nfi", "pnfi", "ifi", "rni")})
    out["nnfi.robust"] = robust["tli.robust"]
    out["rni.robust"] = _rni(rob["XX3"], df, rob["XX3b"], dfb, c3, c3b)

    rm = _rmsea_block(X2, df, Nf)
    out.update({"rmsea": rm["rmsea"], "rmsea.ci.lower": rm["rmsea.ci.lower"], "rmsea.ci.upper": rm["rmsea.ci.upper"],
                "rmsea.ci.level": 0.90, "rmsea.pvalue": rm["rmsea.pvalue"], "rmsea.close.h0": 0.05,
                "rmsea.notclose.pvalue": rm["rmsea.notclose.pvalue"], "rmsea.notclose.h0": 0.08})
    out.update(_rmsea_block(ss["stat"], df, Nf, suffix=".scaled"))
    if np.isfinite(rob["XX3"]):
        rb = _rmsea_block(rob["XX3s"], rob["df3"], Nf, c=c3, suffix=".robust")
        rb["rmsea.robust"] = _rmsea(rob["XX3"], rob["df3"], Nf, c3)
    else:
        rb = {k: np.nan for k in ("rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust",
                                  "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust")}
    out.update(rb)

    # residual-based (lav_residuals_summary for categorical data)
    ci, cj = dm.ci, dm.cj
    var_s = np.ones(p)
    var_s[dm.num_idx] = s[nslot:n1]
    var_m = np.diag(res.implied_cov)
    e_raw = s[n1:] - sigma[n1:]
    e_bentler = e_raw / np.sqrt(var_s[ci] * var_s[cj])
    e_bollen = s[n1:] / np.sqrt(var_s[ci] * var_s[cj]) - sigma[n1:] / np.sqrt(var_m[ci] * var_m[cj])
    e_th = s[dm.th_rows] - sigma[dm.th_rows]
    ss_th, nth = float(e_th @ e_th), dm.th_rows.size

    def rms(e, extra):
        return np.sqrt(float(e @ e) / (e.size + extra)), np.sqrt((float(e @ e) + ss_th) / (e.size + nth + extra))

    rmr_nomean, rmr = rms(e_raw, p)
    srmr_nomean, srmr = rms(e_bentler, p)
    crmr_nomean, crmr = rms(e_bollen, 0) if npc else (np.nan, np.nan)
    out.update({"rmr": rmr, "rmr_nomean": rmr_nomean, "srmr": srmr_nomean, "srmr_bentler": srmr,
                "srmr_bentler_nomean": srmr_nomean, "crmr": crmr, "crmr_nomean": crmr_nomean,
                "srmr_mplus": np.nan, "srmr_mplus_nomean": np.nan})

    nel = s.size
    # Hoelter's CN; with df = 0 lavaan's qchisq(., 0) = 0 gives 1 (its X2 is never exactly 0 after nlminb)
    cn = lambda alpha: (special.chdtri(df, alpha) / (X2 / Nf) + 1) if df > 0 else 1.0  # noqa: E731
    gfi = 1.0 - float(np.sum(w * (s - sigma) ** 2)) / float(np.sum(w * s * s))
    out.update({"cn_05": cn(0.05), "cn_01": cn(0.01), "gfi": gfi,
                "agfi": (1.0 - nel / df * (1.0 - gfi)) if df > 0 else 1.0,
                "pgfi": df / nel * gfi if nel else np.nan,
                "mfi": np.exp(-0.5 * (X2 - df) / Nf), "wrmr": np.sqrt(X2 / nel) if nel else np.nan})
    return pd.Series(out, dtype=float, name="fit")
