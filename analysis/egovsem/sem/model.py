"""The model object: options checked up front, the parameter table, and estimation (statsmodels' split:
``Model(...).fit(data)`` returns a frozen :class:`~egovsem.sem.results.Results`)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from .._errors import EgovsemError
from ..parallel import blas_one_thread
from .checks import warn_heywood
from .data import SampleStats
from .estimate import estimate, fill_fixed_x
from .options import Options, resolve_options
from .partable import ModelSpec, add_product_columns, check_data_names, specify
from .start import start_values  # noqa: F401  (re-exported from its former home)

__all__ = ["Model", "sem", "cfa", "lavaan", "growth", "spec_options"]


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
    fixed_x : bool or None, default None
        Treat exogenous observed covariates as fixed; None is lavaan 0.6-14's default: True for the ML family
        (ML, MLM, MLMV, MLR) and WLSMV (conditional.x), False for GLS and the ULS family.
    estimator, missing, se, test, information, group, group_equal, ordered, bootstrap, seed
        See :func:`sem`.
    sampling_weights, sampling_weights_normalization, cluster
        Survey design columns, see :func:`sem` and :mod:`egovsem.sem.design`.
    iter_max : int
        Iteration limit of the optimiser.
    orthogonal, std_ov, group_partial
        See :func:`sem`.
    parameterization : {"delta", "theta"}
        With ordered indicators (WLSMV): lavaan's ``parameterization`` of the latent responses; "theta" and
        multi-group WLSMV fits are :mod:`egovsem.sem.wls_mg`'s.
    auto_var, auto_fix_first, auto_fix_single, auto_cov_lv_x, int_ov_free, int_lv_free
        lavaan's ``auto.*`` switches, see :func:`lavaan`; the defaults are those of ``sem()``/``cfa()``.
    """

    def __init__(
        self,
        model: str,
        *,
        std_lv: bool = False,
        meanstructure: bool | None = None,
        fixed_x: bool | None = None,
        estimator: str = "ML",
        missing: str = "listwise",
        se: str | None = None,
        test: str | None = None,
        information: str | None = None,
        group: str | None = None,
        group_equal: list[str] | str | None = None,
        ordered: list[str] | str | bool | None = None,
        bootstrap: int = 1000,
        seed: int | None = None,
        iter_max: int = 10000,
        auto_cov_y: bool = True,
        sampling_weights: str | None = None,
        sampling_weights_normalization: str = "total",
        cluster: str | None = None,
        constraints: str | None = None,
        orthogonal: bool = False,
        std_ov: bool = False,
        group_partial: list[str] | str | None = None,
        auto_var: bool = True,
        auto_fix_first: bool | None = None,
        auto_fix_single: bool = True,
        auto_cov_lv_x: bool = True,
        int_ov_free: bool = True,
        int_lv_free: bool = False,
        parameterization: str = "delta",
    ) -> None:
        self._args: dict[str, Any] = dict(
            parameterization=parameterization, orthogonal=orthogonal, std_ov=std_ov, group_partial=group_partial,
            auto_var=auto_var,
            auto_fix_first=auto_fix_first, auto_fix_single=auto_fix_single, auto_cov_lv_x=auto_cov_lv_x,
            int_ov_free=int_ov_free, int_lv_free=int_lv_free,
            estimator=estimator, missing=missing, se=se, test=test, information=information, group=group,
            group_equal=group_equal, ordered=ordered, bootstrap=bootstrap, seed=seed, std_lv=std_lv,
            meanstructure=meanstructure, fixed_x=fixed_x, auto_cov_y=auto_cov_y, iter_max=iter_max,
            sampling_weights=sampling_weights,
            sampling_weights_normalization=sampling_weights_normalization, cluster=cluster,
        )
        self.opts: Options = resolve_options(**self._args)
        self.model = model
        self.constraints = constraints  # lavaan's constraints = (more '==', '<', '>' statements)
        self.spec: ModelSpec = specify(model, meanstructure=self.opts.meanstructure, constraints=constraints,
                                       per_group_ok=self.opts.group is not None, **spec_options(self.opts))
        if self.opts.group_partial and not self.opts.group_equal:
            raise EgovsemError(f"group_partial={list(self.opts.group_partial)!r} frees parameters from the "
                               "group_equal constraints, but group_equal is not given.")

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
        return Model(self.model, **{**self._args, "constraints": self.constraints, **changes})

    # ------------------------------------------------------------------------------------------------
    def fit(self, data: pd.DataFrame):
        """Estimate the model on ``data`` and return a :class:`Results`."""
        # BLAS on one thread while the model is fitted (egovsem.parallel.single_blas_thread); a context here,
        # not a decorator, so that warnings keep pointing at the caller's line
        with blas_one_thread():
            from .results import Results

            if isinstance(data, pd.DataFrame):
                check_data_names(self.spec, data.columns)
                data = add_product_columns(self.spec, data)  # y ~ x1:x2: lavaan's product columns
            opts = self.opts
            if (opts.sampling_weights is not None or opts.cluster is not None) and isinstance(data, pd.DataFrame):
                from .design import check_design

                check_design(data, sampling_weights=opts.sampling_weights, cluster=opts.cluster,
                             model_vars=self.spec.ov, group=opts.group)
            if opts.discrepancy == "DWLS" and opts.std_ov:
                from .wls import standardize_continuous

                data = standardize_continuous(self.spec, data, opts.ordered, missing=opts.missing, group=opts.group)
            if opts.discrepancy == "DWLS" and (opts.group is not None or opts.parameterization == "theta"):
                from .wls_mg import fit_wlsmv_multigroup

                return fit_wlsmv_multigroup(self, data, opts.ordered, group=opts.group,
                                            group_equal=opts.group_equal, group_partial=opts.group_partial,
                                            parameterization=opts.parameterization,
                                            iter_max=min(opts.iter_max, 500))
            if opts.discrepancy == "DWLS":
                from .wls import fit_wlsmv

                return fit_wlsmv(self, data, opts.ordered)
            if opts.group is not None:
                from .multigroup import fit_multigroup

                mg = fit_multigroup(self, data)
                warn_heywood(mg)
                if opts.se == "bootstrap":
                    from .bootstrap import bootstrap_results

                    mg = bootstrap_results(mg, opts.bootstrap, seed=opts.seed, ci="perc")
                return mg
            spec = self.spec
            est = estimate(self, spec, [data])
            extra: dict[str, Any] = {"information": est.information, "A": est.A, "rows": est.rows[0] if est.rows else None}
            if est.B0 is not None:
                extra["B0"] = est.B0
            extra.update(est.extra())
            if est.logl is not None:
                extra["logl"] = est.logl
                extra["logl_h1"] = est.logl_h1_g[0]
            state = est.state
            res = Results.from_fit(
                model=self, spec=spec, partable=est.partable, ram=est.rams[0], stats=est.stats[0], theta=state.theta,
                vcov=est.vcov, fmin=est.fmin, converged=state.converged, iterations=state.iterations, ndat=est.ndat,
                df=est.df, message=state.message, extra=extra, start=est.start, npar=est.npar,
            )
            warn_heywood(res)
            if opts.se == "bootstrap":
                from .bootstrap import bootstrap_results

                res = bootstrap_results(res, opts.bootstrap, seed=opts.seed, ci="perc")
            return res


def spec_options(opts: Options) -> dict[str, Any]:
    """The keyword arguments of :func:`~egovsem.sem.partable.specify` that come from the options (all but
    ``meanstructure``, ``ngroups`` and ``group_equal``... which multi-group fits set themselves)."""
    return dict(std_lv=opts.std_lv, fixed_x=opts.fixed_x, auto_cov_y=opts.auto_cov_y,
                auto_fix_first=opts.auto_fix_first,
                # WLSMV: thresholds may be named ('x2 | t1'); egovsem.sem.wls_mg checks them on its own table
                group_partial=opts.group_partial if opts.discrepancy != "DWLS" else (), orthogonal=opts.orthogonal,
                auto_var=opts.auto_var, auto_fix_single=opts.auto_fix_single, auto_cov_lv_x=opts.auto_cov_lv_x,
                int_ov_free=opts.int_ov_free, int_lv_free=opts.int_lv_free)


def _fill_fixed_x(spec: ModelSpec, stats: SampleStats) -> pd.DataFrame:
    """Set the fixed.x rows of a single-group table to the sample (co)variances and means
    (:func:`egovsem.sem.estimate.fill_fixed_x` with G = 1)."""
    return fill_fixed_x(spec, [stats])


def sem(
    model: str,
    data: pd.DataFrame,
    *,
    estimator: str = "ML",
    missing: str = "listwise",
    se: str | None = None,
    test: str | None = None,
    information: str | None = None,
    group: str | None = None,
    group_equal: list[str] | str | None = None,
    ordered: list[str] | str | bool | None = None,
    bootstrap: int = 1000,
    seed: int | None = None,
    std_lv: bool = False,
    meanstructure: bool | None = None,
    fixed_x: bool | None = None,
    iter_max: int = 10000,
    sampling_weights: str | None = None,
    sampling_weights_normalization: str = "total",
    cluster: str | None = None,
    constraints: str | None = None,
    orthogonal: bool = False,
    std_ov: bool = False,
    group_partial: list[str] | str | None = None,
    method: str | None = None,
    **auto: Any,
):
    """Fit a structural equation model with lavaan's ``sem()`` defaults.

    Parameters
    ----------
    model : str
        lavaan syntax (``=~ ~ ~~ ~1 :=``, labels, fixed values).
    data : pandas.DataFrame
        One row per respondent; the model's observed variables are columns.
    estimator : {'ML', 'MLM', 'MLR', 'GLS', 'ULS', 'WLSMV'}
        'ML' (maximum likelihood), 'MLM' (ML with robust.sem standard errors and the Satorra-Bentler scaled
        test; complete data), 'MLR' (ML with Huber-White robust standard errors and the Yuan-Bentler
        scaled test), 'GLS' and 'ULS' (generalised and unweighted least squares, lavaan's standard SEs and
        test) or 'WLSMV' (DWLS on polychoric correlations, robust.sem SEs and the scaled-shifted
        test; needs ``ordered``). See :mod:`egovsem.sem.options` for the supported combinations.
    missing : {'listwise', 'fiml'}
        Listwise deletion (lavaan's default) reports the number of dropped rows; 'fiml' (or 'ml') uses every
        row's observed values (full-information ML).
    se : {None, 'standard', 'robust', 'robust.sem', 'robust.huber.white', 'bootstrap'}
        None (default): the estimator's own standard errors (ML: expected information, or observed under
        FIML; MLM: robust.sem; MLR: robust.huber.white; WLSMV: robust.sem). 'robust' with ML is lavaan's
        robust.sem (complete data) or robust.huber.white (FIML). 'bootstrap' resamples rows (ML/FIML;
        within each group, as lavaan).
    test : {None, 'standard', 'satorra.bentler', 'yuan.bentler', 'yuan.bentler.mplus', 'scaled.shifted'}
        The model test (lavaan's ``test``); None: the estimator's own. With ML and complete data any of
        them; the Satorra-Bentler family needs complete data.
    information : {None, 'expected', 'observed', 'first.order'}
        The information matrix of the standard errors (and of robust.sem's sandwich and traces), lavaan's
        ``information``; None: lavaan's default (observed under FIML and for MLR, expected otherwise).
    group, group_equal
        A grouping column for a multi-group model, and the parameters held equal across groups
        (lavaan's ``group.equal``: 'loadings', 'intercepts', 'residuals', ...).
    ordered : True, 'all' or list of str
        Ordinal indicators (lavaan's ``ordered``); makes WLSMV the estimator.
    bootstrap, seed
        Number of resamples and the seed for ``se='bootstrap'``.
    std_lv : bool
        Identify latent variables by unit variance instead of a unit first loading.
    sampling_weights : str, optional
        A column of sampling (design) weights (lavaan's ``sampling.weights``): weighted sample statistics
        and likelihood; as in lavaan, ML then reports robust (Huber-White) standard errors and the
        Yuan-Bentler (Mplus) scaled test, i.e. becomes MLR. A weight may be 0, never negative or missing.
    sampling_weights_normalization : {'total', 'group', 'none'}
        lavaan's ``sampling.weights.normalization``: weights rescaled to sum to the number of analysed rows
        (all groups together), to each group's rows, or left as they are.
    cluster : str, optional
        A column of cluster (primary sampling unit) identifiers: cluster-robust standard errors and test
        for a single-level model (lavaan's ``se = "robust.cluster"``; the scores are summed within clusters);
        with ``level: 1`` / ``level: 2`` blocks in the model, two-level ML (:mod:`egovsem.sem.twolevel`).
    constraints : str, optional
        lavaan's ``constraints =``: explicit constraints (``b1 == b2``, ``b1 < b3``; lines or ``;``) on the
        labels of the model, added to those written in ``model`` (:mod:`egovsem.sem.constraints`).
    orthogonal : bool
        Fix the covariances among latent variables that the model does not write (exogenous factors, and
        residuals of latent outcomes) to 0 (lavaan's ``orthogonal``).
    std_ov : bool
        Standardise the observed variables before fitting (lavaan's ``std.ov``: within each group, on the
        analysed rows, centred and divided by the standard deviation with denominator N - 1; with ordered
        indicators only the continuous variables, as lavaan).
    group_partial : list of str
        Parameters freed from the ``group_equal`` constraints (lavaan's ``group.partial``), written
        ``"f =~ x2"``, ``"x3 ~ 1"`` (an intercept), ``"x1 ~~ x2"``, ``"y ~ x"``; a comma-separated string
        also works.
    method : {None, 'lms'}
        ``'lms'`` (modsem's ``method = "lms"``): a model with latent interactions ``f3 ~ f1 + f2 + f1:f2``
        fitted by LMS (Klein & Moosbrugger 2000), maximum likelihood with Gauss-Hermite quadrature over the
        latent product and observed-information SEs (:func:`egovsem.sem.lms.fit_lms`, returns an
        :class:`~egovsem.sem.lms.LMSResult`); only ``iter_max`` of the other options applies.
    **auto
        lavaan's ``auto.*`` switches (``auto_var``, ``auto_fix_first``, ``auto_fix_single``,
        ``auto_cov_lv_x``, ``auto_cov_y``, ``int_ov_free``, ``int_lv_free``), on as in lavaan's ``sem()``;
        see :func:`lavaan`.

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
    if method is not None:
        if str(method).lower() != "lms":
            from .._errors import EgovsemError

            raise EgovsemError(f"The 'method' parameter must be None or 'lms'. Got {method!r} instead.")
        given = {"estimator": (estimator, "ML"), "missing": (missing, "listwise"), "se": (se, None),
                 "test": (test, None), "information": (information, None), "group": (group, None),
                 "group_equal": (group_equal, None), "ordered": (ordered, None), "std_lv": (std_lv, False),
                 "sampling_weights": (sampling_weights, None), "cluster": (cluster, None),
                 "constraints": (constraints, None), "orthogonal": (orthogonal, False), "std_ov": (std_ov, False),
                 "group_partial": (group_partial, None)}
        changed = [f"{k}={v!r}" for k, (v, default) in given.items() if v != default] + [f"{k}={v!r}" for k, v in
                                                                                         auto.items()]
        if changed:  # never a silent default: LMS here is plain ML on complete rows, one group
            from .._errors import NotAvailableError

            raise NotAvailableError("method='lms' fits ML on complete rows in one group with lavaan's sem() defaults; "
                               f"it does not take {', '.join(changed)}.")
        from .lms import fit_lms

        return fit_lms(model, data, iter_max=iter_max)
    # level: 1 / level: 2 blocks: two-level ML (egovsem.sem.twolevel); the module (and scipy.stats with it) is
    # imported only for a text that can have them, which keeps a small `egovsem fit` fast to start
    if isinstance(model, str) and "level" in model.lower() and _has_levels(model):
        from .twolevel import fit_from_sem

        return fit_from_sem(model, data, cluster=cluster, std_lv=std_lv, fixed_x=fixed_x is not False,
                            iter_max=iter_max,
                            estimator=estimator, missing=missing, se=se, test=test, information=information,
                            group=group, group_equal=group_equal, ordered=ordered, sampling_weights=sampling_weights,
                            constraints=constraints, meanstructure=meanstructure, orthogonal=orthogonal,
                            std_ov=std_ov, group_partial=group_partial, **auto)
    return Model(
        model, estimator=estimator, missing=missing, se=se, test=test, information=information, group=group,
        group_equal=group_equal,
        ordered=ordered, bootstrap=bootstrap, seed=seed, std_lv=std_lv, meanstructure=meanstructure,
        fixed_x=fixed_x, iter_max=iter_max, sampling_weights=sampling_weights,
        sampling_weights_normalization=sampling_weights_normalization, cluster=cluster, constraints=constraints,
        orthogonal=orthogonal, std_ov=std_ov, group_partial=group_partial, **auto,
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


#: the switches lavaan's ``lavaan()`` leaves off and ``sem()``/``cfa()`` turn on (lavaan 0.6-14)
_AUTO_OFF: dict[str, Any] = dict(auto_var=False, auto_fix_first=False, auto_fix_single=False, auto_cov_lv_x=False,
                                 auto_cov_y=False, int_ov_free=False, int_lv_free=False)


def lavaan(model: str, data: pd.DataFrame, **kwargs: Any):
    """Fit a model with lavaan's ``lavaan()`` defaults: nothing is added to what the syntax writes.

    :func:`sem` and :func:`cfa` are this function with lavaan's ``auto.*`` switches on. Here they are off
    unless given (lavaan's names with underscores):

    auto_var : bool, default False
        Free the (residual) variances the syntax does not write; off, they are fixed to 0.
    auto_fix_first : bool, default False
        Fix the first loading of each factor to 1.
    auto_fix_single : bool, default False
        Fix the residual variance of a single indicator to 0.
    auto_cov_lv_x : bool, default False
        Free covariances among exogenous latent variables.
    auto_cov_y : bool, default False
        Free covariances among the residuals of pure dependent variables.
    int_ov_free, int_lv_free : bool, default False
        With a mean structure (``meanstructure=True``, a ``~ 1`` in the syntax, or ``missing='fiml'``), free
        the intercepts of observed variables / the means of latent variables; off, they are fixed to 0.

    The variances, covariances and means of exogenous observed covariates follow ``fixed_x`` (default
    lavaan's: True for the ML family, False for GLS and ULS). Every other keyword is that of :func:`sem`.

    Examples
    --------
    Free residual variances and unit first loadings, but no factor covariances (lavaan:
    ``lavaan(HS.model, HolzingerSwineford1939, auto.var = TRUE, auto.fix.first = TRUE)``, chisq 153.527)

    >>> import egovsem
    >>> from egovsem.datasets import load
    >>> fit = egovsem.lavaan("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9",
    ...                      load("HolzingerSwineford1939"), auto_var=True, auto_fix_first=True)
    >>> round(float(fit.fit_measures["chisq"]), 3), int(fit.fit_measures["df"])
    (153.527, 27)
    """
    return Model(model, **{**_AUTO_OFF, **kwargs}).fit(data)


def growth(model: str, data: pd.DataFrame, **kwargs: Any):
    """Fit a latent growth curve model with lavaan's ``growth()`` defaults.

    As lavaan: :func:`lavaan` with the ``auto.*`` switches of :func:`sem` on, a mean structure, the
    intercepts of the observed variables fixed to 0 (``int_ov_free=False``) and the latent means free
    (``int_lv_free=True``). Keywords are those of :func:`sem`.

    Examples
    --------
    The linear growth model of lavaan's tutorial on ``Demo.growth`` (lavaan: chisq = 8.069 on 5 df)

    >>> import egovsem
    >>> from egovsem.datasets import load
    >>> fit = egovsem.growth("i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4; s =~ 0*t1 + 1*t2 + 2*t3 + 3*t4", load("Demo.growth"))
    >>> round(float(fit.fit_measures["chisq"]), 3), int(fit.fit_measures["df"])
    (8.069, 5)
    """
    kwargs = {"int_ov_free": False, "int_lv_free": True, **kwargs}
    if kwargs.get("meanstructure") is None:
        kwargs["meanstructure"] = True  # lavaan's model.type = "growth"
    return Model(model, **kwargs).fit(data)


def _has_levels(model: str) -> bool:
    from .twolevel import has_levels

    return has_levels(model)

