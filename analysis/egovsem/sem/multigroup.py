"""Multi-group models (complete-data ML): one parameter vector, one RAM per group.

``F = sum_g (N_g / N) F_g`` and ``chisq = sum_g N_g F_g``; the expected information is
``sum_g N_g I_g``. Fit measures follow lavaan's multi-group definitions: the baseline is the sum of the
groups' independence models; RMSEA is multiplied by sqrt(G) (and its close-fit non-centrality divided
by G); SRMR, RMR and GFI are the groups' values weighted by N_g / N.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special

from .._errors import ConvergenceWarning, DataError, MissingDataWarning, NotAvailableError
from . import ml
from .data import prepare_data
from .fitmeasures import _incremental, _residual_measures, _rmsea, _rmsea_block, _vech_weight
from .partable import specify
from .ram import RAM
from .results import Results

__all__ = ["fit_multigroup", "MultiGroupResults"]


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


def fit_multigroup(model, data: pd.DataFrame) -> "MultiGroupResults":
    opts = model.options
    if model.estimator not in ("ML", "MLR") or model.missing != "listwise":
        raise NotAvailableError("multi-group models are available with estimator='ML' or 'MLR' and "
                                "missing='listwise' for now.")
    labels, parts = _groups(data, opts["group"])
    G = len(labels)
    spec = specify(model.model, std_lv=opts["std_lv"], meanstructure=True, fixed_x=opts["fixed_x"],
                   ngroups=G, group_equal=opts.get("group_equal") or ())
    stats = [prepare_data(part, spec.ov, missing=model.missing) for part in parts]
    pt = spec.partable.copy()
    pos = {v: i for i, v in enumerate(spec.ov)}
    for i in pt.index[pt["exo"] == 1]:
        st = stats[int(pt.at[i, "group"]) - 1]
        lhs, op, rhs = pt.at[i, "lhs"], pt.at[i, "op"], pt.at[i, "rhs"]
        pt.at[i, "ustart"] = st.cov[pos[lhs], pos[rhs]] if op == "~~" else st.mean[pos[lhs]]
    q = spec.npar
    rams = [RAM.from_partable(pt[pt["group"] == g], spec.ov, spec.lv, q=q) for g in range(1, G + 1)]
    p, nx = len(spec.ov), len(spec.ov_x)
    ndat = G * (p * (p + 1) // 2 + p - nx * (nx + 1) // 2 - nx)
    df = ndat - q
    if df < 0:
        from .._errors import IdentificationError

        raise IdentificationError(f"The model is not identified: {q} free parameters but only {ndat} sample moments.")
    from .model import _invert_information, start_values

    theta0 = np.zeros(q)
    seen = np.zeros(q, dtype=bool)
    for g in range(G):
        ptg = pt[pt["group"] == g + 1]
        th = start_values(spec, ptg, rams[g], stats[g])
        idx = np.unique(ptg["free"][ptg["free"] > 0].to_numpy() - 1)
        new = idx[~seen[idx]]
        theta0[new] = th[new]
        seen[idx] = True
    N = sum(st.nobs for st in stats)
    w = np.array([st.nobs / N for st in stats])
    state = _scoring(rams, stats, w, theta0, iter_max=opts["iter_max"])
    if not state.converged:
        warnings.warn(f"the model did not converge after {state.iterations} iterations ({state.message}).",
                      ConvergenceWarning, stacklevel=3)
    extra: dict = {"information": "expected"}
    if model.estimator == "MLR":
        # MLR: observed information and score cross-products summed over groups; sandwich
        from .fiml import RowData, model_scores, observed_information

        rows = [RowData.from_array(st.X) for st in stats]
        info = sum(observed_information(r, state.theta, rw) for r, rw in zip(rams, rows))
        B0 = sum((lambda sc: sc.T @ sc)(model_scores(r, state.theta, rw)) for r, rw in zip(rams, rows))
        vcov = _invert_information(info, 1, pt, strict=state.converged)
        if np.isfinite(vcov).all():
            vcov = vcov @ B0 @ vcov
        extra.update(information="observed", A=info, B0=B0, rows_g=rows)
    else:
        info = sum(st.nobs * ml.information(r, state.theta, True) for r, st in zip(rams, stats))
        vcov = _invert_information(info, 1, pt, strict=state.converged)
    res = MultiGroupResults(
        model=model, spec=spec, partable=pt, ram=rams[0], stats=stats[0], theta=state.theta, vcov=vcov,
        fmin=state.fmin, converged=state.converged, iterations=state.iterations, ndat=ndat, df=df,
        message=state.message, extra=extra,
    )
    res.group_labels, res.rams, res.group_stats, res.weights = labels, rams, stats, w
    return res


def _scoring(rams, stats, w, theta0, *, iter_max=10000, tol=1e-10):
    """F = sum_g w_g F_g by :func:`egovsem.sem.ml.scoring`."""
    logdets = [np.linalg.slogdet(st.cov)[1] for st in stats]

    def F(th):
        return sum(wg * ml.objective(r, th, st.cov, st.mean, ld, True) for wg, r, st, ld in zip(w, rams, stats, logdets))

    def gH(th, metric=True):
        g = np.zeros_like(th)
        H = np.zeros((th.size, th.size)) if metric else None
        for wg, r, st in zip(w, rams, stats):
            gg, I = ml.gradient_and_info(r, th, st.cov, st.mean, True, info=metric)
            g += wg * gg
            if metric:
                H += wg * 2.0 * I
        return g, H

    return ml.scoring(F, gH, theta0, iter_max=iter_max, tol=tol)


class MultiGroupResults(Results):
    """Results of a multi-group model: ``params`` has a ``group`` column (1..G, labels in
    ``group_labels``), ``r2`` is indexed by (group label, variable)."""

    group_labels: list
    rams: list
    group_stats: list
    weights: np.ndarray

    @property
    def nobs(self) -> int:
        return int(sum(st.nobs for st in self.group_stats))

    @property
    def n_dropped(self) -> int:
        return int(sum(st.n_dropped for st in self.group_stats))

    def _std_columns(self, est):
        from .standardize import standardized_columns

        out = {k: np.full(len(self.partable), np.nan) for k in ("std.all", "std.lv", "std.nox")}
        for g, ram in enumerate(self.rams, start=1):
            mask = (self.partable["group"] == g).to_numpy()
            cols = standardized_columns(self.partable[mask], est[mask], ram, self.theta, self.spec)
            for k, v in cols.items():
                out[k][mask] = v
        return out

    @property
    def r2(self) -> pd.Series:
        from .standardize import r_squared

        parts = []
        for lab, ram in zip(self.group_labels, self.rams):
            r = r_squared(ram, self.theta, self.spec)
            r.index = pd.MultiIndex.from_product([[lab], r.index])
            parts.append(r)
        return pd.concat(parts)

    @property
    def fit_measures(self) -> pd.Series:
        return _mg_fit_measures(self)


def _mg_fit_measures(res: MultiGroupResults) -> pd.Series:
    spec = res.spec
    G = len(res.rams)
    N = res.nobs
    p = len(spec.ov)
    xi = [spec.ov.index(v) for v in spec.ov_x]
    yi = [i for i in range(p) if i not in xi]
    nx = len(xi)
    X2 = N * res.fmin
    df = res.df
    npar = res.npar
    X2b = 0.0
    logl = logl_h1 = 0.0
    resid: dict = {}
    gfi = 0.0
    for ram, st, wg in zip(res.rams, res.group_stats, res.weights):
        S, xbar, n = st.cov, st.mean, st.nobs
        Sigma, mu, *_ = ram.implied(res.theta)
        Fb = np.sum(np.log(np.diag(S)[yi])) - np.linalg.slogdet(S)[1]
        if xi:
            Fb += np.linalg.slogdet(S[np.ix_(xi, xi)])[1]
        X2b += n * Fb
        W = np.linalg.inv(Sigma)
        d = xbar - mu
        c = p * np.log(2 * np.pi)
        ll = -n / 2 * (c + np.linalg.slogdet(Sigma)[1] + np.sum(S * W) + d @ W @ d)
        ll1 = -n / 2 * (c + np.linalg.slogdet(S)[1] + p)
        if xi:
            lx = -n / 2 * (nx * np.log(2 * np.pi) + np.linalg.slogdet(S[np.ix_(xi, xi)])[1] + nx)
            ll, ll1 = ll - lx, ll1 - lx
        logl += ll
        logl_h1 += ll1
        for k, v in _residual_measures(S, xbar, Sigma, mu, True).items():
            resid[k] = resid.get(k, 0.0) + wg * v
        keep = [(i, j) for j in range(p) for i in range(j, p) if not (i in xi and j in xi)]
        ki = np.array([k[0] for k in keep], dtype=int)
        kj = np.array([k[1] for k in keep], dtype=int)
        V = _vech_weight(W, ki, kj)
        o, e = S[ki, kj], (S - Sigma)[ki, kj]
        yim = np.array(yi, dtype=int)
        Wy = W[np.ix_(yim, yim)]
        num = e @ V @ e + d[yim] @ Wy @ d[yim]
        den = o @ V @ o + xbar[yim] @ Wy @ xbar[yim]
        gfi += wg * (1.0 - num / den)
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
                "agfi": 1.0 - (nel / df) * (1.0 - gfi) if df > 0 else np.nan,
                "pgfi": (df / nel) * gfi,
                "cn_05": special.chdtri(df, 0.05) / (X2 / N) + 1, "cn_01": special.chdtri(df, 0.01) / (X2 / N) + 1,
                "mfi": np.exp(-0.5 * (X2 - df) / N), "ecvi": X2 / N + 2 * npar / N})
    if res.estimator == "MLR":
        out.update(_mg_robust(res, X2, df, X2b, dfb, N, G))
    return pd.Series(out, dtype=float, name="fit")


def _mg_robust(res, X2, df, X2b, dfb, N, G) -> dict:
    """Yuan-Bentler (Mplus) scaling summed over groups, scaled and robust indices (lavaan's multi-group
    conventions: RMSEA times sqrt(G))."""
    from .casewise import casewise, saturated_hessian, saturated_scores, vech_indices
    from .fitmeasures import _cfi, _rni, _tli
    from .robust import unrestricted_info, yb_traces

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
        Sb = np.diag(np.diag(st.cov))
        if xi:
            Sb[np.ix_(xi, xi)] = st.cov[np.ix_(xi, xi)]
        cw = casewise(rw.X0, rw.M, Sb, st.mean)
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
    X2s, X2bs = X2 / c, X2b / cb
    out = {"chisq.scaled": X2s, "df.scaled": df, "pvalue.scaled": special.chdtrc(df, X2s),
           "chisq.scaling.factor": c, "baseline.chisq.scaled": X2bs, "baseline.df.scaled": dfb,
           "baseline.pvalue.scaled": special.chdtrc(dfb, X2bs), "baseline.chisq.scaling.factor": cb,
           "scaling.factor.h1": t1 / nh1, "scaling.factor.h0": t0 / int((res.partable["free"] > 0).sum())}
    out.update({f"{k}.scaled": v for k, v in _incremental(X2s, df, X2bs, dfb).items()})
    out.update(_rmsea_block(X2, c * df, N / G, suffix=".scaled"))
    out.update({"cfi.robust": _cfi(X2, df, X2b, dfb, c, cb), "tli.robust": _tli(X2, df, X2b, dfb, c, cb),
                "nnfi.robust": _tli(X2, df, X2b, dfb, c, cb), "rni.robust": _rni(X2, df, X2b, dfb, c, cb)})
    rb = _rmsea_block(X2s, df, N / G, c=c, suffix=".robust")
    rb["rmsea.robust"] = _rmsea(X2, df, N / G, c)
    out.update(rb)
    return out
