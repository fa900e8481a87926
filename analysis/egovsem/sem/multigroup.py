"""Multi-group models (ML and FIML): one parameter vector, one RAM per group.

``F = sum_g (N_g / N) F_g`` and ``chisq = sum_g N_g F_g``; the expected information is
``sum_g N_g I_g``. The estimation is the one path of :mod:`egovsem.sem.estimate` (a single group is
``G = 1`` of it). Fit measures follow lavaan's multi-group definitions: the baseline is the sum of the
groups' independence models; RMSEA is multiplied by sqrt(G) (and its close-fit non-centrality divided
by G); SRMR, RMR and GFI are the groups' values weighted by N_g / N.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special

from .._errors import DataError, MissingDataWarning, NotAvailableError
from .estimate import estimate
from .fitmeasures import _incremental, _residual_measures, _rmsea, _rmsea_block, critical_n, gfi_complete
from .partable import specify
from .results import Results

__all__ = ["fit_multigroup", "multigroup_fit_measures"]


def _groups(data: pd.DataFrame, group: str):
    if group not in data.columns:
        raise DataError(f"The 'group' column {group!r} is not a column of 'data'.")
    col = data[group]
    miss = col.isna()
    if miss.any():
        warnings.warn(f"group={group!r}: {int(miss.sum())} rows with a missing group value were removed.",
                      MissingDataWarning, stacklevel=4)
    labels = list(pd.unique(col[~miss]))
    if len(labels) < 2:
        raise DataError(f"The 'group' column {group!r} has {len(labels)} distinct value(s); a multi-group model needs 2.")
    return labels, [data[col == lab] for lab in labels]


def fit_multigroup(model, data: pd.DataFrame) -> Results:
    opts = model.opts
    if opts.discrepancy not in ("ML", "FIML"):
        raise NotAvailableError("multi-group models are available with estimator='ML' or 'MLR' for now.")
    labels, parts = _groups(data, opts.group)
    G = len(labels)
    spec = specify(model.model, std_lv=opts.std_lv, meanstructure=True, fixed_x=opts.fixed_x,
                   ngroups=G, group_equal=opts.group_equal)
    est = estimate(model, spec, parts, stacklevel=4)
    state = est.state
    extra: dict = {"information": est.information}
    if est.information == "observed":
        extra.update(A=est.A, rows_g=est.rows)
        if est.B0 is not None:
            extra["B0"] = est.B0
    if est.logl is not None:
        extra["logl_h1_g"] = est.logl_h1_g
        extra["logl"] = est.logl
        extra["logl_h1"] = sum(est.logl_h1_g)
    return Results.from_fit(
        model=model, spec=spec, partable=est.partable, ram=est.rams[0], stats=est.stats[0], theta=state.theta,
        vcov=est.vcov, fmin=est.fmin, converged=state.converged, iterations=state.iterations, ndat=est.ndat,
        df=est.df, message=state.message, extra=extra, start=est.start, rams=est.rams, group_stats=est.stats,
        group_labels=labels, weights=est.weights,
    )


def multigroup_fit_measures(res: Results) -> pd.Series:
    """lavaan's ``fitMeasures(fit)`` of a multi-group fit (what ``Results.fit_measures`` gives for G > 1)."""
    return _mg_fit_measures(res)


def _mg_fit_measures(res: Results) -> pd.Series:
    spec = res.spec
    G = len(res.rams)
    N = res.nobs
    p = len(spec.ov)
    xi = [spec.ov.index(v) for v in spec.ov_x]
    yi = [i for i in range(p) if i not in xi]
    nx = len(xi)
    X2 = max(N * res.fmin, 0.0)  # lavaan clips the statistic at 0 (df = 0 under FIML gives -1e-13)
    df = res.df
    npar = res.npar
    X2b = 0.0
    logl = logl_h1 = 0.0
    resid: dict = {}
    gfi = 0.0
    fiml = res.missing == "fiml"
    for gi, (ram, st, wg) in enumerate(zip(res.rams, res.group_stats, res.weights)):
        S, xbar, n = st.cov, st.mean, st.nobs
        Sigma, mu, *_ = ram.implied(res.theta)
        Fb = np.sum(np.log(np.diag(S)[yi])) - np.linalg.slogdet(S)[1]
        if xi:
            Fb += np.linalg.slogdet(S[np.ix_(xi, xi)])[1]
        if fiml:
            from .fiml import independence_fiml

            X2b += 2.0 * (res.extra["logl_h1_g"][gi] - independence_fiml(res.extra["rows_g"][gi], xi=xi)[2])
        else:
            X2b += n * Fb
        W = np.linalg.inv(Sigma)
        d = xbar - mu
        c = p * np.log(2 * np.pi)
        ll = -n / 2 * (c + np.linalg.slogdet(Sigma)[1] + np.sum(S * W) + d @ W @ d)
        ll1 = -n / 2 * (c + np.linalg.slogdet(S)[1] + p)
        if xi:
            lx = -n / 2 * (nx * np.log(2 * np.pi) + np.linalg.slogdet(S[np.ix_(xi, xi)])[1] + nx)
            ll, ll1 = ll - lx, ll1 - lx
        if fiml:
            ll1 = res.extra["logl_h1_g"][gi] - (lx if xi else 0.0)
            ll = 0.0
        logl += ll
        logl_h1 += ll1
        for k, v in _residual_measures(S, xbar, Sigma, mu, True).items():
            resid[k] = resid.get(k, 0.0) + wg * v
        if fiml:
            from .fitmeasures import gfi_fiml_rows

            gfi += wg * gfi_fiml_rows(res.extra["rows_g"][gi], Sigma, mu, xi)
        else:
            gfi += wg * gfi_complete(S, xbar, Sigma, mu, xi, True)
    if fiml:
        logl = res.extra["logl"] - sum(
            -st.nobs / 2 * (nx * np.log(2 * np.pi) + np.linalg.slogdet(st.cov[np.ix_(xi, xi)])[1] + nx)
            for st in res.group_stats) if xi else res.extra["logl"]
    dfb = G * (p * (p - 1) // 2 - nx * (nx - 1) // 2)
    out = {"npar": npar, "fmin": res.fmin / 2, "chisq": X2, "df": df,
           "pvalue": special.chdtrc(df, X2) if df > 0 else np.nan,
           "baseline.chisq": X2b, "baseline.df": dfb, "baseline.pvalue": special.chdtrc(dfb, X2b)}
    out.update(_incremental(X2, df, X2b, dfb))
    out.update({"logl": logl, "unrestricted.logl": logl_h1, "aic": -2 * logl + 2 * npar,
                "bic": -2 * logl + npar * np.log(N), "ntotal": N, "bic2": -2 * logl + npar * np.log((N + 2) / 24)})
    rb = _rmsea_block(X2, df, N / G)  # sqrt(G) scaling and ncp / G, as lavaan's multi-group RMSEA
    out.update(rb)
    out.update({"rmsea.ci.level": 0.90, "rmsea.close.h0": 0.05, "rmsea.notclose.h0": 0.08})
    nel = G * (p * (p + 1) / 2 + p)
    out.update(resid)
    out.update({"gfi": gfi,
                "agfi": 1.0 - (nel / df) * (1.0 - gfi) if df > 0 else 1.0,  # lav_fit_agfi: 1 when df = 0
                "pgfi": (df / nel) * gfi,
                "cn_05": critical_n(X2, df, N, 0.05), "cn_01": critical_n(X2, df, N, 0.01),
                "mfi": np.exp(-0.5 * (X2 - df) / N), "ecvi": X2 / N + 2 * npar / N})
    if res.opts.test == "yuan.bentler.mplus":
        out.update(_mg_robust(res, X2, df, X2b, dfb, N, G))
    if fiml:
        out.update(_mg_fimlc(res, df, dfb, N, G))
    return pd.Series(out, dtype=float, name="fit")


def _mg_baseline_moments(res, gi, xi):
    """The independence model's estimates in group ``gi`` (FIML: per-variable ML on the observed values)."""
    st = res.group_stats[gi]
    if res.missing == "fiml":
        from .fiml import independence_fiml

        var, mean, _ = independence_fiml(res.extra["rows_g"][gi], xi=xi)
    else:
        var, mean = np.diag(st.cov).copy(), st.mean
    Sb = np.diag(var)
    if xi:
        Sb[np.ix_(xi, xi)] = st.cov[np.ix_(xi, xi)]
    return Sb, mean


def _mg_fimlc(res, df, dfb, N, G) -> dict:
    """FIML-C robust CFI/TLI/RMSEA over groups (lavaan 0.6-14's lav_fit_fiml_corrected with fg = N_g / N
    weights on block-diagonal h1 matrices)."""
    from scipy.linalg import block_diag

    from .casewise import casewise, saturated_hessian, saturated_scores, vech_indices
    from .fiml import delta_phi
    from .fitmeasures import _cfi, _rni, _tli
    from .robust import _coords, complete_information_phi, ml_discrepancy

    spec = res.spec
    p = len(spec.ov)
    xi = [spec.ov.index(v) for v in spec.ov_x]
    yi = [i for i in range(p) if i not in xi]
    cx = _coords(p, True, xi)
    vi, vj = vech_indices(p)
    Wc, Wm, Wmi, Gam, D, Db = [], [], [], [], [], []
    XX3 = XX3b = 0.0
    for gi, (ram, st, rw) in enumerate(zip(res.rams, res.group_stats, res.extra["rows_g"])):
        n, fg = st.nobs, st.nobs / N
        Sigma, mu, *_ = ram.implied(res.theta)
        XX3 += n * ml_discrepancy(st.cov, st.mean, Sigma, mu, True)
        Sb, mb = _mg_baseline_moments(res, gi, xi)
        XX3b += n * ml_discrepancy(st.cov, st.mean, Sb, mb, True)
        wc = complete_information_phi(st.cov)[np.ix_(cx, cx)]
        cw = casewise(rw.X0, rw.M, st.cov, st.mean)
        wm = -saturated_hessian(cw)[np.ix_(cx, cx)] / n
        sc = saturated_scores(cw)[:, cx]
        jm = sc.T @ sc / n
        wmi = np.linalg.inv(wm)
        Wc.append(fg * wc)
        Wm.append(fg * wm)
        Wmi.append(wmi / fg)
        Gam.append(wmi @ jm @ wmi / fg)
        D.append(delta_phi(ram, res.theta)[:, cx])
        dcoord = p + np.array([k for k, (a, b) in enumerate(zip(vi, vj)) if a == b and a in yi], dtype=int)
        idx = np.concatenate([np.array(yi, dtype=int), dcoord])
        dg = np.zeros((idx.size, p + vi.size))
        dg[np.arange(idx.size), idx] = 1.0
        Db.append(dg[:, cx])
    Wc, Wm, Wmi, Gam = block_diag(*Wc), block_diag(*Wm), block_diag(*Wmi), block_diag(*Gam)
    D = np.hstack(D)
    Db = block_diag(*Db)
    v3 = res.opts.test == "yuan.bentler.mplus"

    def k_of(Dm):
        E = Dm @ Wm @ Dm.T
        WD = Wm @ Dm.T
        U = Wm - WD @ np.linalg.solve(E, WD.T)
        if v3:
            return float(np.trace(U @ Wmi @ Wc @ Wmi @ U @ Gam))
        return float(np.trace(Wc @ Wmi @ U @ Wmi))

    c3b = k_of(Db) / dfb
    # df = 0: lavaan's c.hat3 = k / 0 is infinite, so the df = 0 branches apply (CFI 1, RMSEA 0 in [0, 0]);
    # c3 = 1 gives the same values (see fitmeasures._robust_measures)
    c3 = k_of(D) / df if df > 0 else 1.0
    out = {"cfi.robust": _cfi(XX3, df, XX3b, dfb, c3, c3b), "tli.robust": _tli(XX3, df, XX3b, dfb, c3, c3b),
           "nnfi.robust": _tli(XX3, df, XX3b, dfb, c3, c3b), "rni.robust": _rni(XX3, df, XX3b, dfb, c3, c3b)}
    rb = _rmsea_block(XX3 / c3 if df > 0 else 0.0, df, N / G, c=c3, suffix=".robust")
    rb["rmsea.robust"] = _rmsea(XX3, df, N / G, c3)
    out.update(rb)
    return out


def _mg_robust(res, X2, df, X2b, dfb, N, G) -> dict:
    """Yuan-Bentler (Mplus) scaling summed over groups, scaled and robust indices (lavaan's multi-group
    conventions: RMSEA times sqrt(G))."""
    from .casewise import casewise, saturated_hessian, saturated_scores, vech_indices
    from .fitmeasures import _cfi, _rni, _tli
    from .robust import unrestricted_info

    spec = res.spec
    p = len(spec.ov)
    xi = [spec.ov.index(v) for v in spec.ov_x]
    yi = [i for i in range(p) if i not in xi]
    t1 = 0.0
    nh1 = 0
    Ab = Bb = None
    blocks_A, blocks_B = [], []
    for rw, st in zip(res.extra["rows_g"], res.group_stats):
        h1 = unrestricted_info(rw, st.cov, st.mean, True, xi)
        t1 += float(np.sum(h1.B1 * np.linalg.inv(h1.A1).T))
        nh1 += h1.A1.shape[0]
        # baseline (independence) model of this group: free means and variances of the non-covariates
        Sb, mb = _mg_baseline_moments(res, len(blocks_A), xi)
        cw = casewise(rw.X0, rw.M, Sb, mb)
        vi, vj = vech_indices(p)
        dcoord = p + np.array([k for k, (a, b) in enumerate(zip(vi, vj)) if a == b and a in yi], dtype=int)
        idx = np.concatenate([np.array(yi, dtype=int), dcoord])
        Db = np.zeros((idx.size, p + vi.size))
        Db[np.arange(idx.size), idx] = 1.0
        blocks_A.append(-(Db @ saturated_hessian(cw) @ Db.T))
        sc = saturated_scores(cw) @ Db.T
        blocks_B.append(sc.T @ sc)
    from scipy.linalg import block_diag

    Ab, Bb = block_diag(*blocks_A), block_diag(*blocks_B)
    t0 = float(np.sum(res.extra["B0"] * np.linalg.inv(res.extra["A"]).T))
    t0b = float(np.sum(Bb * np.linalg.inv(Ab).T))
    c = (t1 - t0) / df if df > 0 else np.nan
    cb = (t1 - t0b) / dfb
    # lavaan with df = 0: no scaling factor (NA), the scaled statistic is the unscaled one
    X2s, X2bs = (X2 / c if df > 0 else X2), X2b / cb
    out = {"chisq.scaled": X2s, "df.scaled": df, "pvalue.scaled": special.chdtrc(df, X2s) if df > 0 else np.nan,
           "chisq.scaling.factor": c, "baseline.chisq.scaled": X2bs, "baseline.df.scaled": dfb,
           "baseline.pvalue.scaled": special.chdtrc(dfb, X2bs), "baseline.chisq.scaling.factor": cb,
           "scaling.factor.h1": t1 / nh1, "scaling.factor.h0": t0 / int((res.partable["free"] > 0).sum())}
    out.update({f"{k}.scaled": v for k, v in _incremental(X2s, df, X2bs, dfb).items()})
    if df > 0:
        out.update(_rmsea_block(X2, c * df, N / G, suffix=".scaled"))
    else:  # df2 = c * df is NA with df = 0, and so is every scaled RMSEA row in lavaan
        out.update({k: np.nan for k in _rmsea_block(X2, 1, N / G, suffix=".scaled")})
    out.update({"cfi.robust": _cfi(X2, df, X2b, dfb, c, cb), "tli.robust": _tli(X2, df, X2b, dfb, c, cb),
                "nnfi.robust": _tli(X2, df, X2b, dfb, c, cb), "rni.robust": _rni(X2, df, X2b, dfb, c, cb)})
    rb = _rmsea_block(X2s, df, N / G, c=c, suffix=".robust")
    rb["rmsea.robust"] = _rmsea(X2, df, N / G, c)
    out.update(rb)
    return out
