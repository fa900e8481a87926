"""The model object: options checked up front, the parameter table, and estimation (statsmodels' split:
``Model(...).fit(data)`` returns a frozen :class:`~egovsem.sem.results.Results`)."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._errors import (
    ConvergenceWarning,
    EgovsemError,
    EgovsemWarning,
    HeywoodWarning,
    IdentificationError,
    MissingDataWarning,
    NotAvailableError,
    check_option,
)
from . import ml
from .checks import NONCONVERGENCE_ADVICE
from .data import SampleStats, prepare_data
from .fiml import RowData, fiml_scoring, model_scores, observed_information
from .partable import ModelSpec, specify
from .ram import RAM

__all__ = ["Model", "sem", "cfa"]

ESTIMATORS = ["ML", "MLR", "WLSMV", "ULS", "GLS", "DWLS"]
MISSING = ["listwise", "fiml", "ml"]
SE = ["standard", "robust", "bootstrap"]


class Model:
    """A structural equation model in lavaan syntax, with its options.

    Parameters
    ----------
    model : str
        lavaan syntax.
    std_lv : bool, default False
        Fix latent (residual) variances to 1 and free all loadings, instead of fixing the first loading.
    meanstructure : bool or None
        Estimate intercepts; None (default) means only if the syntax has ``~ 1``.
    fixed_x : bool, default True
        Treat exogenous observed covariates as fixed (lavaan's default for ``sem()``).
    estimator, missing, se, group, group_equal, ordered, bootstrap, seed
        See :func:`sem`.
    iter_max : int
        Iteration limit of the optimiser.
    """

    def __init__(
        self,
        model: str,
        *,
        std_lv: bool = False,
        meanstructure: bool | None = None,
        fixed_x: bool = True,
        estimator: str = "ML",
        missing: str = "listwise",
        se: str = "standard",
        group: str | None = None,
        group_equal: list[str] | str | None = None,
        ordered: list[str] | str | bool | None = None,
        bootstrap: int = 1000,
        seed: int | None = None,
        iter_max: int = 10000,
        auto_cov_y: bool = True,
        _kind: str = "sem",
    ) -> None:
        self.estimator = check_option("estimator", estimator, ESTIMATORS, casefold=True)
        self.missing = check_option("missing", missing, MISSING, casefold=True)
        if self.missing == "ml":
            self.missing = "fiml"
        self.se = check_option("se", se, SE, casefold=True)
        if not isinstance(iter_max, (int, np.integer)) or iter_max < 1:
            raise EgovsemError(f"The 'iter_max' parameter must be a positive integer. Got {iter_max!r} instead.")
        for name, val in (("std_lv", std_lv), ("fixed_x", fixed_x)):
            if not isinstance(val, (bool, np.bool_)):
                raise EgovsemError(f"The '{name}' parameter must be True or False. Got {val!r} instead.")
        # options implemented in later releases stop here, never silently ignored
        if ordered is not None and ordered is not False:
            if isinstance(ordered, str):
                ordered = True if ordered.lower() == "all" else [c.strip() for c in ordered.split(",") if c.strip()]
            if self.estimator == "ML":
                # lavaan: ordered indicators make WLSMV the default estimator
                warnings.warn("ordered= is given: the estimator is WLSMV (lavaan's default for ordered data).",
                              EgovsemWarning, stacklevel=3)
                self.estimator = "WLSMV"
            elif self.estimator != "WLSMV":
                raise EgovsemError(f"estimator={self.estimator!r} cannot be used with ordered indicators; use 'WLSMV'.")
        elif self.estimator == "WLSMV":
            raise EgovsemError("estimator='WLSMV' needs the ordinal items: pass ordered=True (all) or a list of "
                               "column names.")
        if self.estimator not in ("ML", "MLR", "WLSMV"):
            raise NotAvailableError(
                f"estimator={self.estimator!r} is not available yet; 'ML', 'MLR' and 'WLSMV' are implemented."
            )
        if self.se == "robust" and self.estimator == "ML":
            # lavaan: se = "robust" with ML is the MLR sandwich without the scaled test; say what it is
            raise NotAvailableError("se='robust' with estimator='ML' is not available yet; use estimator='MLR' "
                                    "(robust Huber-White standard errors and the Yuan-Bentler scaled test).")
        if self.se == "bootstrap":
            from .bootstrap import check_bootstrap_options

            check_bootstrap_options(bootstrap, seed, estimator=self.estimator, missing=self.missing, group=group)
        if self.missing == "fiml" and meanstructure is False:
            raise EgovsemError("missing='fiml' needs a mean structure; do not set meanstructure=False.")
        if self.missing == "fiml":
            meanstructure = True
        if isinstance(group_equal, str):
            group_equal = [g.strip() for g in group_equal.split(",") if g.strip()]
        if group_equal and group is None:
            raise EgovsemError(f"group_equal={group_equal!r} needs a grouping column: pass group=.")
        from .partable import GROUP_EQUAL

        for ge in group_equal or ():
            check_option("group_equal", ge, GROUP_EQUAL)
        self.model = model
        self.options: dict[str, Any] = dict(
            std_lv=bool(std_lv), meanstructure=meanstructure, fixed_x=bool(fixed_x), estimator=self.estimator,
            missing=self.missing, se=self.se, group=group, group_equal=list(group_equal or ()),
            bootstrap=bootstrap, seed=seed, iter_max=int(iter_max),
            kind=_kind, ordered=ordered,
        )
        self.spec: ModelSpec = specify(
            model, std_lv=bool(std_lv), meanstructure=meanstructure, fixed_x=bool(fixed_x), auto_cov_y=auto_cov_y
        )

    # ------------------------------------------------------------------------------------------------
    def fit(self, data: pd.DataFrame):
        """Estimate the model on ``data`` and return a :class:`Results`."""
        from .results import Results

        if self.estimator == "WLSMV":
            from .wls import fit_wlsmv

            return fit_wlsmv(self, data, self.options["ordered"])
        if self.options["group"] is not None:
            from .multigroup import fit_multigroup

            res = fit_multigroup(self, data)
            _warn_heywood(res)
            return res
        spec = self.spec
        if self.missing == "fiml" and spec.ov_x:
            data = _drop_missing_covariates(data, spec.ov_x)
        stats = prepare_data(data, spec.ov, missing=self.missing)
        pt = _fill_fixed_x(spec, stats)
        ram = RAM.from_partable(pt, spec.ov, spec.lv)
        p = len(spec.ov)
        ndat = p * (p + 1) // 2 + (p if spec.meanstructure else 0)
        nx = len(spec.ov_x)
        ndat -= nx * (nx + 1) // 2 + (nx if spec.meanstructure else 0)
        npar = spec.npar
        df = ndat - npar
        if df < 0:
            raise IdentificationError(
                f"The model is not identified: it has {npar} free parameters but the data give only {ndat} "
                f"sample moments (df = {df}). Fix or constrain {-df} parameter(s)."
            )
        theta0 = start_values(spec, pt, ram, stats)
        fiml = self.missing == "fiml"
        robust = self.estimator == "MLR"
        rows = RowData.from_array(stats.X) if (fiml or robust) else None
        N = stats.nobs
        if fiml:
            state = fiml_scoring(ram, theta0, rows, iter_max=self.options["iter_max"])
        else:
            state = ml.fisher_scoring(
                ram, theta0, stats.cov, stats.mean, meanstructure=spec.meanstructure,
                iter_max=self.options["iter_max"],
            )
        if not state.converged:
            warnings.warn(
                f"the model did not converge after {state.iterations} iterations ({state.message}); "
                f"estimates, standard errors and fit measures are not trustworthy; {NONCONVERGENCE_ADVICE}.",
                ConvergenceWarning,
                stacklevel=2,
            )
        extra: dict[str, Any] = {}
        mu_fixed = None if spec.meanstructure else stats.mean
        if fiml or robust:
            # lavaan's default for FIML and for MLR: observed information (Hessian)
            A = observed_information(ram, state.theta, rows, mu_fixed=mu_fixed)
            extra["information"] = "observed"
        else:
            A = N * ml.information(ram, state.theta, spec.meanstructure)
            extra["information"] = "expected"
        vcov = _invert_information(A, 1, pt, strict=state.converged)
        if robust and np.isfinite(vcov).all():
            sc = model_scores(ram, state.theta, rows, mu_fixed=mu_fixed)
            B0 = sc.T @ sc
            vcov = vcov @ B0 @ vcov
            extra["B0"] = B0
        extra["A"] = A
        extra["rows"] = rows
        fmin = state.fmin
        if fiml:
            # FIML discrepancy relative to the unrestricted model: chisq = N * fmin = 2 (logl_h1 - logl)
            from .casewise import casewise

            Sh, mh = stats.cov, stats.mean
            logl_h1 = float(casewise(rows.X0, rows.M, Sh, mh).logl.sum())
            extra["logl"] = -N / 2 * state.fmin
            extra["logl_h1"] = logl_h1
            fmin = state.fmin + 2.0 / N * logl_h1
        res = Results(
            model=self, spec=spec, partable=pt, ram=ram, stats=stats, theta=state.theta, vcov=vcov,
            fmin=fmin, converged=state.converged, iterations=state.iterations, ndat=ndat, df=df,
            message=state.message, extra=extra,
        )
        _warn_heywood(res)
        if self.se == "bootstrap":
            from .bootstrap import bootstrap_results

            res = bootstrap_results(res, self.options["bootstrap"], seed=self.options["seed"], ci="perc")
        return res


def _drop_missing_covariates(data: pd.DataFrame, ov_x) -> pd.DataFrame:
    """FIML with fixed.x covariates: rows missing a covariate are removed (lavaan's missing = "ml"), reported."""
    cols = [c for c in ov_x if c in data.columns]
    if not cols:
        return data
    bad = data[cols].isna().any(axis=1)
    if bad.any():
        warnings.warn(
            f"missing='fiml' with fixed.x: {int(bad.sum())} rows with a missing value on the covariate(s) {cols} "
            "were removed (as lavaan does; pass fixed_x=False to keep them and model the covariates).",
            MissingDataWarning, stacklevel=4,
        )
        return data.loc[~bad]
    return data


def _fill_fixed_x(spec: ModelSpec, stats: SampleStats) -> pd.DataFrame:
    """Set the fixed.x rows to the sample (co)variances and means."""
    pt = spec.partable.copy()
    pos = {v: i for i, v in enumerate(spec.ov)}
    for i in pt.index[pt["exo"] == 1]:
        r = pt.loc[i]
        if r["op"] == "~~":
            pt.at[i, "ustart"] = stats.cov[pos[r["lhs"]], pos[r["rhs"]]]
        elif r["op"] == "~1":
            pt.at[i, "ustart"] = stats.mean[pos[r["lhs"]]]
    return pt


def start_values(spec: ModelSpec, pt: pd.DataFrame, ram: RAM, stats: SampleStats) -> np.ndarray:
    """Starting values in the spirit of lavaan's "simple" start plus one-factor loadings from sum scores.

    Loadings: ``cov(x_j, T) / cov(x_marker, T)`` with ``T`` the factor's sum score (or, with a fixed
    latent variance, ``cov(x_j, T) / sd(T)``); latent variances ``cov(x_marker, T)^2 / var(T)``;
    residual variances half the observed variance; regressions and covariances 0; intercepts the
    sample means; user ``start()`` values win.
    """
    S, xbar = stats.cov, stats.mean
    opos = {v: i for i, v in enumerate(spec.ov)}
    indicators: dict[str, list[str]] = {}
    for r in pt.itertuples():
        if r.op == "=~" and r.rhs in opos:
            indicators.setdefault(r.lhs, []).append(r.rhs)
    lam: dict[tuple[str, str], float] = {}
    psi: dict[str, float] = {}
    for f, inds in indicators.items():
        idx = [opos[x] for x in inds]
        w = np.ones(len(idx))
        covT = S[np.ix_(idx, idx)] @ w
        varT = float(w @ S[np.ix_(idx, idx)] @ w)
        marker_fixed = any(r.lhs == f and r.op == "=~" and r.free == 0 for r in pt.itertuples())
        if marker_fixed:
            mrow = next(r for r in pt.itertuples() if r.lhs == f and r.op == "=~" and r.free == 0)
            if mrow.rhs in opos:
                m = inds.index(mrow.rhs)
                denom = covT[m] if abs(covT[m]) > 1e-12 else 1.0
                for x, c in zip(inds, covT):
                    lam[(f, x)] = c / denom * (mrow.ustart if np.isfinite(mrow.ustart) else 1.0)
                psi[f] = max(covT[m] ** 2 / varT, 0.05) if varT > 0 else 0.05
        else:
            sdT = np.sqrt(varT) if varT > 0 else 1.0
            for x, c in zip(inds, covT):
                lam[(f, x)] = c / sdT
            psi[f] = 1.0
    theta = np.zeros(ram.q)
    done = np.zeros(ram.q, dtype=bool)
    for r in pt.itertuples():
        k = int(r.free) - 1
        if k < 0 or done[k]:
            continue
        if np.isfinite(r.start):
            val = r.start
        elif np.isfinite(r.ustart):
            val = r.ustart
        elif r.op == "=~":
            val = lam.get((r.lhs, r.rhs), 1.0)
        elif r.op == "~~" and r.lhs == r.rhs:
            if r.lhs in opos:
                val = 0.5 * S[opos[r.lhs], opos[r.lhs]]
            else:
                exo = r.lhs in spec.lv_x
                val = psi.get(r.lhs, 0.05) * (1.0 if exo else 0.5)
        elif r.op == "~1":
            val = xbar[opos[r.lhs]] if r.lhs in opos else 0.0
        else:
            val = 0.0
        theta[k] = val
        done[k] = True
    return theta


def _invert_information(info: np.ndarray, nobs: int, pt: pd.DataFrame, *, strict: bool) -> np.ndarray:
    q = info.shape[0]
    if q == 0:
        return np.zeros((0, 0))
    d = np.sqrt(np.clip(np.diag(info), 1e-300, None))
    R = info / np.outer(d, d)
    ev, evec = np.linalg.eigh(R)
    if ev[0] < 1e-10 * max(ev[-1], 1.0):
        v = evec[:, 0]
        worst = np.argsort(-np.abs(v))[:3]
        names = []
        for k in worst:
            if abs(v[k]) < 0.1:
                continue
            rows = pt[pt["free"] == k + 1]
            r = rows.iloc[0]
            names.append(f"{r['lhs']} {r['op']} {r['rhs']}".strip())
        if strict:
            raise IdentificationError(
                "The model is not identified: the information matrix is singular (smallest eigenvalue "
                f"{ev[0]:.3g}), so standard errors cannot be computed. The parameters involved: {', '.join(names)}. "
                "Fix a loading or a variance to set each latent variable's scale, or remove a redundant parameter."
            )
        # not converged: a singular information matrix away from the optimum says nothing about identification
        warnings.warn(
            "the model did not converge and the information matrix is singular at the point where the optimiser "
            f"stopped (smallest eigenvalue {ev[0]:.3g}; parameters involved: {', '.join(names)}), so standard "
            f"errors cannot be computed; {NONCONVERGENCE_ADVICE}.",
            ConvergenceWarning, stacklevel=3,
        )
        return np.full((q, q), np.nan)
    Rinv = (evec / ev) @ evec.T
    return Rinv / np.outer(d, d) / nobs  # nobs = 1 when ``info`` is already a total


def _warn_heywood(res) -> None:
    pt = res.params
    bad = pt[(pt["op"] == "~~") & (pt["lhs"] == pt["rhs"]) & (pt["est"] < 0)]
    for r in bad.itertuples():
        warnings.warn(
            f"Heywood case: the variance {r.lhs} ~~ {r.rhs} is estimated negative ({r.est:.4g}); "
            "the solution is improper (check the model, the indicators of this variable, or the sample size).",
            HeywoodWarning,
            stacklevel=3,
        )
    if len(bad) == 0:
        corr = pt[(pt["op"] == "~~") & (pt["lhs"] != pt["rhs"]) & (pt["std.all"].abs() > 1)]
        for r in corr.itertuples():
            warnings.warn(
                f"Heywood case: the standardised covariance {r.lhs} ~~ {r.rhs} is {r._12:.4g} (beyond +-1).",
                HeywoodWarning,
                stacklevel=3,
            )


def sem(
    model: str,
    data: pd.DataFrame,
    *,
    estimator: str = "ML",
    missing: str = "listwise",
    se: str = "standard",
    group: str | None = None,
    group_equal: list[str] | str | None = None,
    ordered: list[str] | str | bool | None = None,
    bootstrap: int = 1000,
    seed: int | None = None,
    std_lv: bool = False,
    meanstructure: bool | None = None,
    fixed_x: bool = True,
    iter_max: int = 10000,
):
    """Fit a structural equation model with lavaan's ``sem()`` defaults.

    Parameters
    ----------
    model : str
        lavaan syntax (``=~ ~ ~~ ~1 :=``, labels, fixed values).
    data : pandas.DataFrame
        One row per respondent; the model's observed variables are columns.
    estimator : {'ML'}
        'MLR' and 'WLSMV' arrive in a later release and are refused until then.
    missing : {'listwise', 'fiml'}
        Listwise deletion (lavaan's default) reports the number of dropped rows.
    se : {'standard'}
        Standard errors from the expected information (lavaan's default for complete-data ML).
    std_lv : bool
        Identify latent variables by unit variance instead of a unit first loading.

    Returns
    -------
    Results

    Examples
    --------
    The 3-factor CFA of Holzinger & Swineford (1939); lavaan gives chisq = 85.306 on 24 df
    (``cfa(HS.model, data = HolzingerSwineford1939)``).

    >>> import egovsem
    >>> from egovsem.datasets import load
    >>> hs = load("HolzingerSwineford1939")
    >>> fit = egovsem.cfa("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9", hs)
    >>> round(float(fit.fit_measures["chisq"]), 3), int(fit.fit_measures["df"])
    (85.306, 24)
    """
    return Model(
        model, estimator=estimator, missing=missing, se=se, group=group, group_equal=group_equal,
        ordered=ordered, bootstrap=bootstrap, seed=seed, std_lv=std_lv, meanstructure=meanstructure,
        fixed_x=fixed_x, iter_max=iter_max,
    ).fit(data)


def cfa(model: str, data: pd.DataFrame, **kwargs):
    """Fit a confirmatory factor analysis: :func:`sem` with the same defaults as lavaan's ``cfa()``.

    >>> import egovsem
    >>> from egovsem.datasets import load
    >>> fit = egovsem.cfa("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9",
    ...                   load("HolzingerSwineford1939"), std_lv=True)
    >>> round(float(fit.fit_measures["cfi"]), 3)  # lavaan: 0.931
    0.931
    """
    return sem(model, data, **kwargs)
