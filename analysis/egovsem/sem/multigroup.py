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

from .._errors import ConvergenceWarning, DataError, MissingDataWarning, NotAvailableError
from . import ml
from .data import prepare_data
from .optimize import minimize
from .partable import specify
from .ram import RAM
from .results import Results
from .start import start_theta_groups

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


def fit_multigroup(model, data: pd.DataFrame) -> MultiGroupResults:
    opts = model.opts
    if opts.discrepancy not in ("ML", "FIML"):
        raise NotAvailableError("multi-group models are available with estimator='ML' or 'MLR' for now.")
    fiml = opts.discrepancy == "FIML"
    robust = opts.se == "robust.huber.white"
    labels, parts = _groups(data, opts.group)
    G = len(labels)
    spec = specify(model.model, std_lv=opts.std_lv, meanstructure=True, fixed_x=opts.fixed_x,
                   ngroups=G, group_equal=opts.group_equal)
    if fiml and spec.ov_x:
        from .model import _drop_missing_covariates

        parts = [_drop_missing_covariates(part, spec.ov_x) for part in parts]
    stats = [prepare_data(part, spec.ov, missing=opts.missing) for part in parts]
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
    from .model import _invert_information

    theta0, _ = start_theta_groups(spec, pt, stats, q)
    N = sum(st.nobs for st in stats)
    w = np.array([st.nobs / N for st in stats])
    from .fiml import RowData, model_scores, observed_information

    rows = [RowData.from_array(st.X) for st in stats] if opts.casewise else None
    if fiml:
        state = _scoring_fiml(rams, rows, w, theta0, iter_max=opts.iter_max)
    else:
        state = _scoring(rams, stats, w, theta0, iter_max=opts.iter_max)
    if not state.converged:
        from .checks import NONCONVERGENCE_ADVICE

        warnings.warn(f"the model did not converge after {state.iterations} iterations ({state.message}); "
                      f"{NONCONVERGENCE_ADVICE}.", ConvergenceWarning, stacklevel=3)
    extra: dict = {"information": "expected"}
    fmin = state.fmin
    if opts.information == "observed":
        # observed information (and, for MLR, score cross-products) summed over groups
        info = sum(observed_information(r, state.theta, rw) for r, rw in zip(rams, rows))
        vcov = _invert_information(info, 1, pt, strict=state.converged)
        extra.update(information="observed", A=info, rows_g=rows)
        if robust:
            B0 = sum((lambda sc: sc.T @ sc)(model_scores(r, state.theta, rw)) for r, rw in zip(rams, rows))
            if np.isfinite(vcov).all():
                vcov = vcov @ B0 @ vcov
            extra["B0"] = B0
    else:
        info = sum(st.nobs * ml.information(r, state.theta, True) for r, st in zip(rams, stats))
        vcov = _invert_information(info, 1, pt, strict=state.converged)
    if fiml:
        from .casewise import casewise

        lh1 = [float(casewise(rw.X0, rw.M, st.cov, st.mean).logl.sum()) for rw, st in zip(rows, stats)]
        extra["logl_h1_g"] = lh1
        extra["logl"] = -N / 2 * state.fmin
        extra["logl_h1"] = sum(lh1)
        fmin = state.fmin + 2.0 / N * sum(lh1)
    res = MultiGroupResults(
        model=model, spec=spec, partable=pt, ram=rams[0], stats=stats[0], theta=state.theta, vcov=vcov,
        fmin=fmin, converged=state.converged, iterations=state.iterations, ndat=ndat, df=df,
        message=state.message, extra=extra,
    )
    res.group_labels, res.rams, res.group_stats, res.weights = labels, rams, stats, w
    return res


def _scoring(rams, stats, w, theta0, *, iter_max=10000, tol=1e-10):
    """F = sum_g w_g F_g by :func:`egovsem.sem.optimize.minimize`."""
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

    return minimize(F, gH, theta0, iter_max=iter_max, tol=tol)


def _scoring_fiml(rams, rows, w, theta0, *, iter_max=10000, tol=1e-10):
    """F = sum_g w_g F_g with the groups' FIML discrepancies, by :func:`egovsem.sem.optimize.minimize`."""
    from .casewise import casewise, expected_information_phi
    from .fiml import _phi_gradient, delta_phi, fiml_objective

    def F(th):
        return sum(wg * fiml_objective(r, th, rw) for wg, r, rw in zip(w, rams, rows))

    def gH(th, metric=True):
        g = np.zeros_like(th)
        H = np.zeros((th.size, th.size)) if metric else None
        for wg, r, rw in zip(w, rams, rows):
            Sigma, mu, *_ = r.implied(th)
            cw = casewise(rw.X0, rw.M, Sigma, mu)
            D = delta_phi(r, th)
            g += wg * (-2.0 / rw.n) * (D @ _phi_gradient(cw))
            if metric:
                H += wg * 2.0 / rw.n * (D @ expected_information_phi(cw) @ D.T)
        return g, H

    return minimize(F, gH, theta0, iter_max=iter_max, tol=tol)


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
        from .fitmeasures import fit_measures

        return fit_measures(self)
