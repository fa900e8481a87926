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
from .fitmeasures import _incremental, _residual_measures, _rmsea_block, _vech_weight
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
    if model.estimator != "ML" or model.missing != "listwise":
        raise NotAvailableError("multi-group models are available with estimator='ML' and missing='listwise' for now.")
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
    info = sum(st.nobs * ml.information(r, state.theta, True) for r, st in zip(rams, stats))
    vcov = _invert_information(info, 1, pt, strict=state.converged)
    res = MultiGroupResults(
        model=model, spec=spec, partable=pt, ram=rams[0], stats=stats[0], theta=state.theta, vcov=vcov,
        fmin=state.fmin, converged=state.converged, iterations=state.iterations, ndat=ndat, df=df,
        message=state.message, extra={"information": "expected"},
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

    def modindices(self, **kwargs):
        raise NotAvailableError("modification indices of multi-group models are not available yet.")

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
    return pd.Series(out, dtype=float, name="fit")
