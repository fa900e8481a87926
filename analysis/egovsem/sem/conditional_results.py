"""The results object of WLSMV with exogenous covariates (lavaan's ``conditional.x``):
:class:`ConditionalFit`, what :func:`egovsem.sem.wls_conditional.fit_wlsmv_conditional` returns.

It reads as the other fits read: ``params`` (lavaan's ``parameterEstimates(fit, standardized = TRUE)`` rows
and egovsem's columns), ``fit_measures``, ``r2`` (``lavInspect(fit, "r2")``: one minus the standardised
residual variance), ``nobs``, :meth:`~ConditionalFit.summary` (lavaan's layout, as after WLSMV without
covariates), :meth:`~ConditionalFit.to_dict` / :meth:`~ConditionalFit.to_json` (the JSON layout of every
CB-SEM fit), :meth:`~ConditionalFit.inspect`, :meth:`~ConditionalFit.modindices` (lavaan's, from the
conditional model) and ``_repr_html_``.
"""
from __future__ import annotations

import dataclasses
from functools import cached_property
from typing import Any, cast

import numpy as np
import pandas as pd

from .._errors import NotAvailableError
from .results import Vcov, dump_json, fit_to_dict

__all__ = ["ConditionalFit"]


class _NotAvailableAttribute(NotAvailableError, AttributeError):
    """A :class:`Results` attribute that :class:`ConditionalFit` does not have (``hasattr`` stays False)."""


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class ConditionalFit:
    """A WLSMV fit with exogenous covariates.

    Attributes
    ----------
    params : DataFrame
        lavaan's ``parameterEstimates(fit, standardized = TRUE)`` rows (thresholds after the user's rows, the
        covariates' fixed.x rows, ``~*~`` scales, intercepts) with the columns of every CB-SEM fit.
    fit_measures : Series
        lavaan's ``fitMeasures(fit)`` names.
    stats : ConditionalOrdinalStats
        The first stage (probit regressions, residual polychorics, Gamma).
    theta, vcov : ndarray
        The free parameters (the model's, then the thresholds) and their covariance matrix.
    free_rows : ndarray
        For each row of ``params`` the position of its parameter in ``theta`` (-1: fixed).
    model : Model
        The model and its options (``opts``).
    ntotal, n_dropped : int
        Rows of the data, and rows removed (listwise: a missing item or covariate; pairwise: a missing
        covariate).
    """

    params: pd.DataFrame
    fit_measures: pd.Series
    stats: Any
    theta: np.ndarray
    vcov: np.ndarray
    converged: bool
    iterations: int
    free_rows: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=int))
    model: Any = None
    ntotal: int = 0
    n_dropped: int = 0
    #: basis of the null space of the explicit constraints (equalities, active bounds) at ``theta`` (None: none)
    constraint_basis: np.ndarray | None = None

    def __getattr__(self, name: str):
        # a caller that expects a full Results gets a message, not a bare traceback
        if name.startswith("_"):
            raise AttributeError(name)
        raise _NotAvailableAttribute(
            f"{name!r} is not available for WLSMV with exogenous covariates (lavaan's conditional.x); the fit "
            "has params, fit_measures, r2, nobs, summary(), to_dict(), to_json() and inspect().")

    # -- what the shared report reads ---------------------------------------------------------------------
    @property
    def opts(self) -> Any:
        return self.model.opts

    @property
    def spec(self) -> Any:
        return self.model.spec

    @property
    def estimator(self) -> str:
        return "WLSMV"

    @property
    def missing(self) -> str:
        return "pairwise" if getattr(self.model.opts, "missing", None) == "pairwise" else "listwise"

    @property
    def nobs(self) -> int:
        return int(self.stats.nobs)

    @property
    def npar(self) -> int:
        """lavaan's npar: the free parameters less the rank of the explicit equalities."""
        return int(self.fit_measures["npar"])

    @property
    def ngroups(self) -> int:
        return 1

    @property
    def group_labels(self) -> tuple:
        return ()

    @property
    def df(self) -> int:
        return int(self.fit_measures["df"])

    @property
    def vcov_part(self) -> Vcov:
        return Vcov(matrix=self.vcov, type="robust.sem", information="expected")

    @cached_property
    def r2(self) -> pd.Series:
        """lavaan's ``lavInspect(fit, "r2")``: ``1 - std.all`` of the residual variance of each endogenous
        variable (the items, whose latent responses have unit variance, and the regressed latent variables)."""
        p = self.params
        endo = set(self.spec.endogenous)
        rows = p[(p["op"] == "~~") & (p["lhs"] == p["rhs"]) & p["lhs"].isin(endo)]
        return pd.Series(1.0 - rows["std.all"].to_numpy(float), index=list(rows["lhs"]), name="r2", dtype=float)

    @property
    def test_statistics(self) -> pd.Series:
        keys = ["chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor"]
        return self.fit_measures.reindex(keys)

    # -- lavInspect ---------------------------------------------------------------------------------------
    def coef(self) -> pd.Series:
        """lavaan's ``coef(fit)``: the free parameters in the order of the parameter table."""
        idx = np.flatnonzero(self.free_rows >= 0)
        p = self.params.iloc[idx]
        names = [f"{r.lhs}{r.op}{r.rhs}" for r in p.itertuples()]
        return pd.Series(self.theta[self.free_rows[idx]], index=names, dtype=float)

    def inspect(self, what: str = "coef") -> Any:
        """lavaan's ``lavInspect(fit, what)`` for ``"coef"``, ``"vcov"``, ``"r2"`` (``"rsquare"``), ``"nobs"``,
        ``"ntotal"``, ``"npar"``, ``"df"``, ``"fmin"``, ``"converged"``, ``"iterations"``, ``"ngroups"``,
        ``"ov.names"``, ``"ov.names.x"``, ``"lv.names"``, ``"wls.obs"``, ``"gamma"`` (the first stage) and the model
        matrices ``"est"``, ``"free"``, ``"se"``, ``"start"`` (:mod:`egovsem.sem.inspect_conditional`: lambda,
        theta, psi, beta, nu, alpha, tau, delta, gamma, cov.x, mean.x; ``"start"``: lavaan's start values)."""
        from .inspect_conditional import MATRIX_WHATS, conditional_model_matrices
        from .wls_conditional import exogenous_covariates

        key = what.strip().lower() if isinstance(what, str) else what
        key = {"rsquare": "r2", "r-square": "r2", "iter": "iterations", "x": "coef"}.get(key, key)
        if key in MATRIX_WHATS:
            return conditional_model_matrices(self, key)
        if key == "vcov":
            c = self.coef()
            order = self.free_rows[self.free_rows >= 0]
            return pd.DataFrame(self.vcov[np.ix_(order, order)], index=c.index, columns=c.index)
        values = {
            "coef": self.coef, "r2": lambda: self.r2.copy(), "nobs": lambda: self.nobs,
            "ntotal": lambda: int(self.ntotal), "npar": lambda: self.npar, "df": lambda: self.df,
            "fmin": lambda: float(self.fit_measures["fmin"]), "converged": lambda: bool(self.converged),
            "iterations": lambda: int(self.iterations), "ngroups": lambda: 1,
            "ov.names": lambda: list(self.spec.ov), "ov.names.x": lambda: exogenous_covariates(self.spec),
            "lv.names": lambda: list(self.spec.lv),
            "wls.obs": lambda: pd.Series(self.stats.wls_obs, dtype=float),
            "gamma": lambda: np.array(self.stats.gamma, dtype=float),
        }
        if key not in values:
            raise ValueError(f"The 'what' parameter must be one of {sorted(['vcov', *values, *MATRIX_WHATS])} "
                             "after WLSMV with "
                             f"exogenous covariates. Got {what!r} instead.")
        return values[key]()

    def modindices(self, *, sort: bool = False, minimum_value: float = 0.0) -> pd.DataFrame:
        """lavaan's ``modindices(fit)`` after WLSMV with covariates (:mod:`egovsem.sem.modindices_conditional`):
        ``lhs op rhs mi epc sepc.lv sepc.all sepc.nox``."""
        from .modindices_conditional import filter_modindices, modindices_single

        return filter_modindices(modindices_single(self), sort, minimum_value)

    # -- output -------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON layout of every CB-SEM fit (:meth:`egovsem.sem.results.Results.to_dict`)."""
        return fit_to_dict(self, ntotal=self.ntotal)

    def to_json(self, path: Any = None, *, indent: int = 2) -> str:
        """The results as JSON (written to ``path`` when given)."""
        return dump_json(self.to_dict(), path, indent=indent)

    def summary(self) -> str:
        """lavaan-like text (``summary(fit, fit.measures = TRUE)``): the WLSMV layout, the covariates named and
        their fixed.x rows left out as lavaan leaves them out."""
        from .wls import wlsmv_summary_text

        text = wlsmv_summary_text(cast(Any, _ReportView(self)))
        return text.replace("  Standard errors: robust.sem",
                            f"  Exogenous covariates (conditional.x): {', '.join(self.inspect('ov.names.x'))}\n"
                            "  Standard errors: robust.sem", 1)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        fm = self.fit_measures
        return (f"<egovsem ConditionalFit: WLSMV with covariates, N = {self.nobs}, converged = {self.converged}, "
                f"chisq.scaled = {fm['chisq.scaled']:.3f}, df = {int(fm['df'])}, CFI.scaled = "
                f"{fm['cfi.scaled']:.3f}, RMSEA.scaled = {fm['rmsea.scaled']:.3f}>")

    def _repr_html_(self) -> str:
        from .wls import wlsmv_summary_html

        return wlsmv_summary_html(cast(Any, _ReportView(self)))


class _ReportView:
    """The fit as the shared report reads it: the covariates' fixed.x rows left out (lavaan's summary does not
    print them) and the ``group``/``label``/CI columns present."""

    def __init__(self, fit: ConditionalFit):
        self._fit = fit
        from .wls_conditional import exogenous_covariates

        xs = set(exogenous_covariates(fit.spec))
        p = fit.params
        fixed_x = (p["lhs"].isin(xs) & ((p["op"] == "~1") | ((p["op"] == "~~") & p["rhs"].isin(xs)))) | (
            p["op"] == "~*~")
        self.params = p[~fixed_x].reset_index(drop=True)

    def __getattr__(self, name: str):
        return getattr(self._fit, name)
