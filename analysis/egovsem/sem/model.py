"""The model object: options checked up front, the parameter table, and estimation (statsmodels' split:
``Model(...).fit(data)`` returns a frozen :class:`~egovsem.sem.results.Results`)."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._errors import (
    ConvergenceWarning,
    HeywoodWarning,
    IdentificationError,
    MissingDataWarning,
)
from ..parallel import single_blas_thread
from . import ml
from .checks import NONCONVERGENCE_ADVICE
from .data import SampleStats, prepare_data
from .fiml import RowData, fiml_scoring, model_scores, observed_information
from .options import Options, resolve_options
from .partable import ModelSpec, check_data_names, specify
from .ram import RAM
from .start import start_theta

__all__ = ["Model", "sem", "cfa"]



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
        se: str | None = None,
        group: str | None = None,
        group_equal: list[str] | str | None = None,
        ordered: list[str] | str | bool | None = None,
        bootstrap: int = 1000,
        seed: int | None = None,
        iter_max: int = 10000,
        auto_cov_y: bool = True,
    ) -> None:
        self._args: dict[str, Any] = dict(
            estimator=estimator, missing=missing, se=se, group=group, group_equal=group_equal, ordered=ordered,
            bootstrap=bootstrap, seed=seed, std_lv=std_lv, meanstructure=meanstructure, fixed_x=fixed_x,
            auto_cov_y=auto_cov_y, iter_max=iter_max,
        )
        self.opts: Options = resolve_options(**self._args)
        self.model = model
        self.spec: ModelSpec = specify(
            model, std_lv=self.opts.std_lv, meanstructure=self.opts.meanstructure, fixed_x=self.opts.fixed_x,
            auto_cov_y=self.opts.auto_cov_y,
        )

    @property
    def estimator(self) -> str:
        return self.opts.estimator

    @property
    def missing(self) -> str:
        return self.opts.missing

    @property
    def se(self) -> str:
        return self.opts.se

    @property
    def options(self) -> dict[str, Any]:
        """The resolved options as a plain dict (see :class:`~egovsem.sem.options.Options`)."""
        return self.opts.as_dict()

    def with_options(self, **changes: Any) -> Model:
        """The same model with some arguments changed (checked and resolved again)."""
        return Model(self.model, **{**self._args, **changes})

    # ------------------------------------------------------------------------------------------------
    @single_blas_thread
    def fit(self, data: pd.DataFrame):
        """Estimate the model on ``data`` and return a :class:`Results`."""
        from .results import Results

        if isinstance(data, pd.DataFrame):
            check_data_names(self.spec, data.columns)
        opts = self.opts
        if opts.discrepancy == "DWLS":
            from .wls import fit_wlsmv

            return fit_wlsmv(self, data, opts.ordered)
        if opts.group is not None:
            from .multigroup import fit_multigroup

            res = fit_multigroup(self, data)
            _warn_heywood(res)
            return res
        spec = self.spec
        fiml = opts.discrepancy == "FIML"
        if fiml and spec.ov_x:
            data = _drop_missing_covariates(data, spec.ov_x)
        stats = prepare_data(data, spec.ov, missing=opts.missing)
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
        robust = opts.se == "robust.huber.white"
        rows = RowData.from_array(stats.X) if opts.casewise else None
        N = stats.nobs
        if fiml:
            state = fiml_scoring(ram, theta0, rows, iter_max=opts.iter_max)
        else:
            state = ml.fisher_scoring(
                ram, theta0, stats.cov, stats.mean, meanstructure=spec.meanstructure,
                iter_max=opts.iter_max,
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
        if opts.information == "observed":
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
        res = Results.from_fit(
            model=self, spec=spec, partable=pt, ram=ram, stats=stats, theta=state.theta, vcov=vcov,
            fmin=fmin, converged=state.converged, iterations=state.iterations, ndat=ndat, df=df,
            message=state.message, extra=extra, start=theta0,
        )
        _warn_heywood(res)
        if opts.se == "bootstrap":
            from .bootstrap import bootstrap_results

            res = bootstrap_results(res, opts.bootstrap, seed=opts.seed, ci="perc")
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
    """Starting values of the free parameters: lavaan's defaults (FABIN3 loadings and its rules for the
    rest), see :mod:`egovsem.sem.start`; user ``start()`` values win."""
    return start_theta(spec, pt, ram.q, stats)


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
    se: str | None = None,
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
    estimator : {'ML', 'MLR', 'WLSMV'}
        'ML' (maximum likelihood), 'MLR' (ML with Huber-White robust standard errors and the Yuan-Bentler
        scaled test) or 'WLSMV' (DWLS on polychoric correlations, robust.sem SEs and the scaled-shifted
        test; needs ``ordered``). See :mod:`egovsem.sem.options` for the supported combinations.
    missing : {'listwise', 'fiml'}
        Listwise deletion (lavaan's default) reports the number of dropped rows; 'fiml' (or 'ml') uses every
        row's observed values (full-information ML).
    se : {None, 'standard', 'robust', 'bootstrap'}
        None (default): the estimator's own standard errors (ML: expected information, or observed under
        FIML; MLR: robust.huber.white; WLSMV: robust.sem). 'bootstrap' resamples rows (ML/FIML, one group).
    group, group_equal
        A grouping column for a multi-group model, and the parameters held equal across groups
        (lavaan's ``group.equal``: 'loadings', 'intercepts', 'residuals', ...).
    ordered : True, 'all' or list of str
        Ordinal indicators (lavaan's ``ordered``); makes WLSMV the estimator.
    bootstrap, seed
        Number of resamples and the seed for ``se='bootstrap'``.
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
