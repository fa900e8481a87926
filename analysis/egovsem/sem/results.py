"""The results of a fit: one frozen :class:`Results` made of typed parts.

=====================  ==============================================================================
part                   holds
=====================  ==============================================================================
:class:`SampleStatsPart`  per-group sample statistics (G = 1 for a single group), group labels and weights
                       ``N_g / N``, the casewise rows (FIML, MLR) and the ordinal first stage (WLSMV)
:class:`Estimates`     theta, the parameter table, the specification, one RAM per group, start values,
                       iterations, convergence, ``fmin``, ``ndat``, ``df``
:class:`OrdinalPart`   the delta parameterisation of a WLSMV fit (ordered items, their residual
                       variances, Delta, the DWLS discrepancy)
:class:`Vcov`          the covariance matrix of the estimates and its type ("standard",
                       "robust.huber.white", "robust.sem", "bootstrap"), the information kind and matrix
                       and the sandwich meat
:class:`TestPart`      the test (lavaan's ``test``: "standard", "yuan.bentler.mplus", "scaled.shifted")
                       with the log-likelihoods it needs; :attr:`Results.test_statistics` has the
                       standard and scaled statistics
:class:`BootstrapPart` the bootstrap draws and their summary (``bootstrap_info``)
:class:`~egovsem.sem.options.Options`  the resolved options
=====================  ==============================================================================

Behaviour that differs by estimator is chosen by the parts, never by a subclass: thresholds in ``params``
and ``summary`` when there is an ordinal part, bootstrap SEs and intervals when there is a bootstrap part
(which replaces the vcov part, as statsmodels' ``cov_type``), standardised columns, R-squared and fit
measures per group when G > 1. :meth:`Results.inspect` reads any part by lavaan's ``lavInspect`` names.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .._errors import EgovsemError, NotAvailableError
from .defined import defined_rows
from .distributions import normal_quantile, normal_two_sided_p
from .options import Options

__all__ = ["Results", "SampleStatsPart", "Estimates", "OrdinalPart", "Vcov", "TestPart", "BootstrapPart",
           "PARAM_COLUMNS", "fit_dict", "fit_to_dict", "dump_json"]


def _clean(v: Any) -> Any:
    if isinstance(v, (np.floating, float)):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def fit_dict(params: pd.DataFrame, fit_measures: pd.Series, r2: pd.Series, *, converged: bool, estimator: str,
             missing: str, nobs: int, ntotal: int, n_dropped: int, iterations: int) -> dict[str, Any]:
    """The JSON document of a CB-SEM fit (:meth:`Results.to_dict`; also multi-group WLSMV's): ``converged,
    estimator, method, missing, nobs, ntotal, n_dropped, iterations, params, fit, r2, versions``; NaN as null,
    R-squared keyed ``variable`` or ``group/variable``."""
    import scipy

    from .. import __version__

    versions = {"egovsem": __version__, "numpy": np.__version__, "scipy": scipy.__version__, "pandas": pd.__version__}
    return {
        "converged": bool(converged), "estimator": estimator, "method": "cbsem", "missing": missing,
        "nobs": int(nobs), "ntotal": int(ntotal), "n_dropped": int(n_dropped), "iterations": int(iterations),
        "params": [{k: _clean(v) for k, v in row.items()} for row in params.to_dict(orient="records")],
        "fit": {k: _clean(v) for k, v in fit_measures.items()},
        "r2": {("/".join(map(str, k)) if isinstance(k, tuple) else k): _clean(v) for k, v in r2.items()},
        "versions": versions,
    }


PARAM_COLUMNS = ["lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci.lower", "ci.upper",
                 "std.lv", "std.all", "std.nox"]



# --------------------------------------------------------------------------------------------- parts --
@dataclasses.dataclass(frozen=True, eq=False)
class SampleStatsPart:
    """Per-group sample statistics.

    Attributes
    ----------
    groups : tuple
        One :class:`~egovsem.sem.data.SampleStats` per group (``cov`` with divisor N, ``mean``, ``X``, ``nobs``,
        ``ntotal``, ``n_dropped``; under FIML ``cov``/``mean`` are the saturated-model estimates).
    labels : tuple
        The group labels (empty for a single group, as lavaan's ``group.label``).
    weights : ndarray
        ``N_g / N``.
    rows : tuple or None
        The casewise data of each group (FIML, robust SEs), else None.
    ordinal : object or None
        The first stage of WLSMV (:class:`~egovsem.sem.ordinal.OrdinalStats`: thresholds, polychorics, Gamma).
    """

    groups: tuple[Any, ...]
    labels: tuple[Any, ...] = ()
    weights: np.ndarray = dataclasses.field(default_factory=lambda: np.ones(1))
    rows: tuple[Any, ...] | None = None
    ordinal: Any = None

    @property
    def ngroups(self) -> int:
        return len(self.groups)

    @property
    def nobs(self) -> int:
        return int(sum(st.nobs for st in self.groups))

    @property
    def ntotal(self) -> int:
        return int(sum(getattr(st, "ntotal", st.nobs) for st in self.groups))

    @property
    def n_dropped(self) -> int:
        return int(sum(getattr(st, "n_dropped", 0) for st in self.groups))


@dataclasses.dataclass(frozen=True, eq=False)
class Estimates:
    """The estimates and the optimiser's account of them.

    ``rams`` has one RAM per group (sharing one parameter vector); ``start`` the start values of the free
    parameters (None when unknown); ``fmin`` the discrepancy the fit measures read (ML: relative to the
    saturated model; WLSMV: the DWLS F).
    """

    theta: np.ndarray
    partable: pd.DataFrame
    spec: Any
    rams: tuple[Any, ...]
    iterations: int
    converged: bool
    fmin: float
    ndat: int
    df: int
    start: np.ndarray | None = None
    message: str = ""
    npar: int | None = None  # free parameters less the rank of explicit equality constraints (None: theta.size)


@dataclasses.dataclass(frozen=True, eq=False)
class OrdinalPart:
    """The delta parameterisation of a WLSMV fit (lavaan's ``parameterization = "delta"``)."""

    ordered: tuple[str, ...]
    resid_var: np.ndarray  # the fixed residual variances of the ordered items (1 - explained variance)
    delta_model: Any  # :class:`~egovsem.sem.wls.DeltaModel`
    delta: np.ndarray  # Delta = d sigma / d theta at the estimates
    wls_est: np.ndarray  # the model's thresholds and correlations in wls.obs order
    A_inv: np.ndarray  # (Delta' W Delta)^-1
    F: float  # the DWLS discrepancy


@dataclasses.dataclass(frozen=True, eq=False)
class Vcov:
    """The covariance matrix of the free parameters and how it was obtained.

    ``type``: "standard", "robust.huber.white", "robust.sem" or "bootstrap" (lavaan's ``se``);
    ``information``: "expected" or "observed"; ``info_matrix`` the information matrix used (a total over the
    N observations for ML/FIML; ``Delta' W Delta`` for DWLS); ``meat`` the cross-product of the casewise scores
    of a Huber-White sandwich.
    """

    matrix: np.ndarray
    type: str = "standard"
    information: str = "expected"
    info_matrix: np.ndarray | None = None
    meat: np.ndarray | None = None
    test_info_matrix: np.ndarray | None = None  # the information of the Yuan-Bentler trace, when not info_matrix
    #: basis of the null space of the explicit constraints (equalities, active bounds) at the estimates
    constraint_basis: np.ndarray | None = None


@dataclasses.dataclass(frozen=True, eq=False)
class TestPart:
    """The model test (lavaan's ``test``) and the log-likelihoods its statistics need (FIML)."""

    test: str = "standard"
    logl: float | None = None
    logl_h1: float | None = None
    logl_h1_groups: tuple[float, ...] | None = None
    #: U Gamma of the Satorra-Bentler family (test satorra.bentler, scaled.shifted, ...), of the model and of
    #: the baseline (complete data; :mod:`egovsem.sem.robust_sem`)
    ugamma: np.ndarray | None = None
    ugamma_baseline: np.ndarray | None = None


@dataclasses.dataclass(frozen=True, eq=False)
class BootstrapPart:
    """Bootstrap draws (``theta``, ``rows``, ``std``, ``def``, ``def_std``, ``ok`` ...), their summary ``info``
    (:attr:`Results.bootstrap_info`) and what a refit needs (``payload``: jackknife, ``norm`` bias)."""

    draws: Mapping[str, np.ndarray]
    info: Mapping[str, Any]
    payload: Any

    @cached_property
    def jackknife(self) -> dict[str, np.ndarray]:
        """The leave-one-out refits (for the BCa acceleration), computed once on first use."""
        from .bootstrap import jackknife_draws

        return jackknife_draws(self.payload, n_jobs=self.info.get("n_jobs"))


# ------------------------------------------------------------------------------------------- results --
@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Results:
    """What :func:`egovsem.sem` returns: read-only, made of typed parts; every table is a fresh DataFrame.

    Attributes
    ----------
    params : DataFrame
        lavaan's ``parameterEstimates(fit, standardized = TRUE)``: ``lhs op rhs group label est se z
        pvalue ci.lower ci.upper std.lv std.all std.nox``, loadings written ``f =~ x``, ``:=`` rows last.
    fit_measures : Series
        lavaan's ``fitMeasures(fit)`` names.
    converged : bool
    r2 : Series
        R-squared of each endogenous variable (``inspect(fit, "r2")``), indexed by (group, variable) for
        several groups.
    nobs : int
        Rows analysed (after listwise deletion); ``n_dropped`` rows were removed.

    The parts: :attr:`model`, :attr:`estimates`, :attr:`sample`, :attr:`vcov_part`, :attr:`test`,
    :attr:`opts`, :attr:`ordinal` and :attr:`bootstrap_part` (None when absent).
    """

    model: Any
    estimates: Estimates
    sample: SampleStatsPart
    vcov_part: Vcov
    test: TestPart
    opts: Options
    ordinal: OrdinalPart | None = None
    bootstrap_part: BootstrapPart | None = None

    # -- construction -------------------------------------------------------------------------------------
    @classmethod
    def from_fit(cls, *, model: Any, spec: Any, partable: pd.DataFrame, ram: Any, stats: Any, theta: Any,
                 vcov: np.ndarray, fmin: float, converged: bool, iterations: int, ndat: int, df: int,
                 message: str = "", extra: Mapping[str, Any] | None = None, start: Any = None,
                 rams: Any = None, group_stats: Any = None, group_labels: Any = None,
                 weights: Any = None, npar: int | None = None) -> Results:
        """Assemble the parts from what an estimation path computed.

        ``extra`` holds the by-products of the fit under their historical names (``information``, ``A``,
        ``B0``, ``rows``/``rows_g``, ``logl``, ``logl_h1``, ``logl_h1_g``; WLSMV: ``ordinal``, ``delta``,
        ``A_inv``, ``wls_est``, ``F``, ``ordered``, ``resid_var``, ``delta_model``); each goes to its part, and
        an unknown name is an error (a new by-product needs a place in a part).
        """
        ex = dict(extra or {})
        opts: Options = model.opts
        rams_t = tuple(rams) if rams is not None else (ram,)
        groups = tuple(group_stats) if group_stats is not None else (stats,)
        G = len(groups)
        if weights is None:
            n = np.array([st.nobs for st in groups], dtype=float)
            weights = n / n.sum()
        rows: tuple[Any, ...] | None = None
        if "rows_g" in ex:
            rows = tuple(ex.pop("rows_g"))
        elif "rows" in ex:
            r = ex.pop("rows")
            rows = None if r is None else (r,)
        ordinal = None
        ost = ex.pop("ordinal", None)
        if "delta_model" in ex:
            ordinal = OrdinalPart(ordered=tuple(ex.pop("ordered")), resid_var=np.asarray(ex.pop("resid_var")),
                                  delta_model=ex.pop("delta_model"), delta=np.asarray(ex.pop("delta")),
                                  wls_est=np.asarray(ex.pop("wls_est")), A_inv=np.asarray(ex.pop("A_inv")),
                                  F=float(ex.pop("F")))
        vc = Vcov(matrix=np.asarray(vcov, dtype=float), type=opts.se, information=str(ex.pop("information",
                  opts.information)), info_matrix=ex.pop("A", None), meat=ex.pop("B0", None),
                  test_info_matrix=ex.pop("A_test", None), constraint_basis=ex.pop("constraint_basis", None))
        lh1g = ex.pop("logl_h1_g", None)
        test = TestPart(test=opts.test, logl=ex.pop("logl", None), logl_h1=ex.pop("logl_h1", None),
                        logl_h1_groups=None if lh1g is None else tuple(float(v) for v in lh1g),
                        ugamma=ex.pop("UG", None), ugamma_baseline=ex.pop("UGb", None))
        if ex:
            raise ValueError(f"Results.from_fit: by-products without a part: {sorted(ex)}")
        est = Estimates(theta=np.asarray(theta, dtype=float), partable=partable, spec=spec, rams=rams_t,
                        iterations=int(iterations), converged=bool(converged), fmin=float(fmin), ndat=int(ndat),
                        df=int(df), start=None if start is None else np.asarray(start, dtype=float),
                        message=str(message), npar=None if npar is None else int(npar))
        sample = SampleStatsPart(groups=groups, labels=tuple(group_labels) if (group_labels is not None and G > 1)
                                 else (), weights=np.asarray(weights, dtype=float), rows=rows, ordinal=ost)
        return cls(model=model, estimates=est, sample=sample, vcov_part=vc, test=test, opts=opts,
                   ordinal=ordinal)

    def with_bootstrap(self, draws: Mapping[str, np.ndarray], info: Mapping[str, Any], payload: Any) -> Results:
        """The same fit with bootstrap standard errors: the vcov part replaced by the covariance of the
        draws (divisor B, as lavaan), and a bootstrap part with the draws."""
        ok = np.asarray(draws["ok"])
        th = np.asarray(draws["theta"])[ok]
        q = self.theta.size
        cov = np.cov(th, rowvar=False, bias=True).reshape(q, q) if th.shape[0] > 1 else np.full((q, q), np.nan)
        vc = dataclasses.replace(self.vcov_part, matrix=cov, type="bootstrap")
        opts = self.opts.replace(se="bootstrap", bootstrap=int(info["B"]), seed=info["seed"])
        return dataclasses.replace(self, vcov_part=vc, opts=opts,
                                   bootstrap_part=BootstrapPart(draws=dict(draws), info=dict(info), payload=payload))

    # -- the parts as read-only attributes (the names the package and the tests use) ----------------------
    @property
    def spec(self) -> Any:
        return self.estimates.spec

    @property
    def partable(self) -> pd.DataFrame:
        return self.estimates.partable

    @property
    def theta(self) -> np.ndarray:
        return self.estimates.theta

    @property
    def vcov(self) -> np.ndarray:
        """The covariance matrix of the free parameters (of the vcov part: information-based, robust or
        bootstrap)."""
        return self.vcov_part.matrix

    @property
    def fmin(self) -> float:
        return self.estimates.fmin

    @property
    def converged(self) -> bool:
        return self.estimates.converged

    @property
    def iterations(self) -> int:
        return self.estimates.iterations

    @property
    def ndat(self) -> int:
        return self.estimates.ndat

    @property
    def df(self) -> int:
        return self.estimates.df

    @property
    def message(self) -> str:
        return self.estimates.message

    @property
    def start(self) -> np.ndarray | None:
        return self.estimates.start

    @property
    def ram(self) -> Any:
        """The RAM of the first group (WLSMV: with the residual variances of the ordered items filled in)."""
        return self.estimates.rams[0]

    @property
    def rams(self) -> list[Any]:
        """One RAM per group."""
        return list(self.estimates.rams)

    @property
    def stats(self) -> Any:
        """The sample statistics of the first group."""
        return self.sample.groups[0]

    @property
    def group_stats(self) -> list[Any]:
        return list(self.sample.groups)

    @property
    def group_labels(self) -> list[Any]:
        """The group labels (empty for one group, as lavaan's ``lavInspect(fit, "group.label")``)."""
        return list(self.sample.labels)

    @property
    def weights(self) -> np.ndarray:
        return self.sample.weights

    @property
    def ngroups(self) -> int:
        return self.sample.ngroups

    @property
    def estimator(self) -> str:
        return self.opts.estimator

    @property
    def missing(self) -> str:
        return self.opts.missing

    @property
    def options(self) -> dict[str, Any]:
        """The resolved options as a plain dict (with the bootstrap's interval type after a bootstrap)."""
        d = self.opts.as_dict()
        if self.bootstrap_part is not None:
            d["boot_ci_type"] = self.bootstrap_part.info["ci"]
        return d

    @property
    def extra(self) -> Mapping[str, Any]:
        """The by-products of the fit under their historical names, read-only (a view of the parts)."""
        vc, t, s = self.vcov_part, self.test, self.sample
        out: dict[str, Any] = {"information": vc.information}
        if vc.info_matrix is not None:
            out["A"] = vc.info_matrix
        if vc.meat is not None:
            out["B0"] = vc.meat
        if s.ngroups == 1:
            out["rows"] = None if s.rows is None else s.rows[0]
        elif s.rows is not None:
            out["rows_g"] = list(s.rows)
        for k, v in (("logl", t.logl), ("logl_h1", t.logl_h1)):
            if v is not None:
                out[k] = v
        if t.logl_h1_groups is not None:
            out["logl_h1_g"] = list(t.logl_h1_groups)
        if s.ordinal is not None:
            out["ordinal"] = s.ordinal
        o = self.ordinal
        if o is not None:
            out.update(ordered=o.ordered, resid_var=o.resid_var, delta_model=o.delta_model, delta=o.delta,
                       wls_est=o.wls_est, A_inv=o.A_inv, F=o.F)
        return MappingProxyType(out)

    @cached_property
    def _implied(self) -> tuple[np.ndarray, np.ndarray]:
        Sigma, mu, *_ = self.ram.implied(self.theta)
        return Sigma, mu

    @property
    def implied_cov(self) -> np.ndarray:
        """The model-implied covariance matrix of the observed variables (first group)."""
        return self._implied[0]

    @property
    def implied_mean(self) -> np.ndarray:
        return self._implied[1]

    # -- basic quantities ---------------------------------------------------------------------------------
    @property
    def nobs(self) -> int:
        return self.sample.nobs

    @property
    def n_dropped(self) -> int:
        return self.sample.n_dropped

    @property
    def npar(self) -> int:
        return int(self.ram.q) if self.estimates.npar is None else int(self.estimates.npar)

    @cached_property
    def _row_est_se(self) -> tuple[np.ndarray, np.ndarray]:
        pt = self.partable
        free = pt["free"].to_numpy()
        est = np.where(free > 0, self.theta[np.maximum(free - 1, 0)], pt["ustart"])
        est = np.asarray(est, dtype=float)
        est[np.isnan(est)] = 0.0
        se_free = np.sqrt(np.clip(np.diag(self.vcov), 0, None)) if self.vcov.size else np.zeros(0)
        se = np.where(free > 0, se_free[np.maximum(free - 1, 0)] if se_free.size else 0, 0.0)
        if self.ordinal is not None:
            # the fixed residual variances of ordered items are 1 - explained variance (delta parameterisation)
            for k, v in enumerate(self.ordinal.ordered):
                i = np.flatnonzero(((pt["op"] == "~~") & (pt["lhs"] == v) & (pt["rhs"] == v)).to_numpy())
                est[i] = self.ordinal.resid_var[k]
        return est, np.asarray(se, dtype=float)

    @cached_property
    def wald_params(self) -> pd.DataFrame:
        """:attr:`params` with the standard errors of the vcov part, their z tests and normal-theory intervals
        (what :attr:`params` is unless a bootstrap part gives its own SEs for ``:=`` rows and intervals)."""
        pt = self.partable
        est, se = self._row_est_se
        std = self._std_columns(est)
        df = pd.DataFrame({
            "lhs": pt["lhs"].to_numpy(), "op": pt["op"].to_numpy(), "rhs": pt["rhs"].to_numpy(),
            "group": pt["group"].to_numpy(), "label": pt["label"].to_numpy(), "est": est, "se": se,
        })
        for k, v in std.items():
            df[k] = v
        df = pd.concat([df, self._defined_rows(est, std)], ignore_index=True) if self.spec.defined else df
        z_ok = df["se"] > 0
        df["z"] = np.where(z_ok, df["est"] / df["se"].where(z_ok, 1.0), np.nan)
        df["pvalue"] = np.where(z_ok, normal_two_sided_p(df["z"].to_numpy()), np.nan)
        crit = normal_quantile(0.975)
        df["ci.lower"] = df["est"] - crit * df["se"]
        df["ci.upper"] = df["est"] + crit * df["se"]
        df = df[PARAM_COLUMNS]
        if self.ordinal is not None:
            df = self._ordinal_std(df)
        return df

    def _ordinal_std(self, df: pd.DataFrame) -> pd.DataFrame:
        """Thresholds standardised by the latent-response SDs; the scale rows ``~*~`` as lavaan
        (:func:`egovsem.sem.standardize.ordinal_standardized`)."""
        from .standardize import ordinal_standardized

        df = df.copy()
        pt = self.partable
        sd = np.sqrt(np.clip(np.diag(self.implied_cov), 0, None))
        cols = {c: df[c].to_numpy().copy() for c in ("std.lv", "std.all", "std.nox")}
        ordinal_standardized(pt, df["est"].to_numpy(), dict(zip(self.spec.ov, sd)), cols)
        for c, v in cols.items():
            df[c] = v
        return df

    @cached_property
    def params(self) -> pd.DataFrame:
        if self.bootstrap_part is not None:
            from .bootstrap import bootstrap_params

            return bootstrap_params(self)
        return self.wald_params

    def _std_columns(self, est: np.ndarray) -> dict[str, np.ndarray]:
        from .standardize import standardized_columns

        if self.ngroups == 1:
            return standardized_columns(self.partable, est, self.ram, self.theta, self.spec)
        out = {k: np.full(len(self.partable), np.nan) for k in ("std.all", "std.lv", "std.nox")}
        for g, ram in enumerate(self.estimates.rams, start=1):
            mask = (self.partable["group"] == g).to_numpy()
            cols = standardized_columns(self.partable[mask], est[mask], ram, self.theta, self.spec)
            for k, v in cols.items():
                out[k][mask] = v
        return out

    def _defined_rows(self, est: np.ndarray, std: dict[str, np.ndarray]) -> pd.DataFrame:
        return defined_rows(self.spec.defined, self.partable, est, self.theta, self.vcov, std)

    @cached_property
    def fit_measures(self) -> pd.Series:
        from .fitmeasures import fit_measures

        return fit_measures(self)

    @property
    def test_statistics(self) -> pd.Series:
        """The standard and (after MLR, WLSMV) scaled test statistics, with lavaan's ``fitMeasures`` names."""
        keys = ["chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
                "chisq.shift.parameters"]
        fm = self.fit_measures
        return fm.reindex([k for k in keys if k in fm.index])

    @cached_property
    def r2(self) -> pd.Series:
        from .standardize import r_squared

        if self.ngroups == 1:
            return r_squared(self.ram, self.theta, self.spec)
        parts = []
        for lab, ram in zip(self.sample.labels, self.estimates.rams):
            r = r_squared(ram, self.theta, self.spec)
            r.index = pd.MultiIndex.from_product([[lab], r.index])
            parts.append(r)
        return pd.concat(parts)

    def inspect(self, what: str = "free") -> Any:
        """lavaan's ``lavInspect(fit, what)``; see :func:`egovsem.sem.inspect.inspect` for the names."""
        from .inspect import inspect

        return inspect(self, what)

    def missing_report(self) -> Any:
        """Percent missing, patterns, covariance coverage and Little's MCAR test of the analysed rows."""
        if self.ordinal is not None:
            raise NotAvailableError("the missing-data report belongs to missing='fiml'; WLSMV deletes rows "
                                    "listwise.")
        from .missing_report import missing_report

        return missing_report(self.stats.X, self.spec.ov, self.stats.cov, self.stats.mean)

    def modindices(self, *, sort: bool = False, minimum_value: float = 0.0) -> pd.DataFrame:
        """Modification indices with EPC (lavaan's ``modindices(fit)``)."""
        from .modindices import modification_indices

        # explicit constraints: lavaan's augmented inverse of the information (egovsem.sem.modindices)
        if self.opts.discrepancy not in ("ML", "FIML", "DWLS"):
            raise NotAvailableError(
                f"modification indices are available for ML, MLR and WLSMV fits only (this fit: estimator="
                f"{self.estimator!r})."
            )
        # MLR: lavaan's modindices() uses the expected information and the ML score, so MLR fits get the
        # same indices as the ML fit of the same data (checked against lavaan)
        if isinstance(minimum_value, bool) or not isinstance(minimum_value, (int, float, np.integer, np.floating)):
            raise EgovsemError(f"The 'minimum_value' parameter must be a number. Got {minimum_value!r} instead.")
        if not isinstance(sort, (bool, np.bool_)):
            raise EgovsemError(f"The 'sort' parameter must be True or False. Got {sort!r} instead.")
        mi = modification_indices(self)
        mi = mi[mi["mi"] >= minimum_value]
        if sort:
            mi = mi.sort_values("mi", ascending=False)
        return mi.reset_index(drop=True)

    # -- bootstrap ----------------------------------------------------------------------------------------
    def _need_bootstrap(self) -> BootstrapPart:
        if self.bootstrap_part is None:
            raise NotAvailableError("this fit has no bootstrap draws; use se='bootstrap' or "
                                    "egovsem.sem.bootstrap.bootstrap(fit).")
        return self.bootstrap_part

    @property
    def bootstrap_info(self) -> dict[str, Any] | None:
        """``B`` (requested), ``successful``, ``failed`` (dropped), ``inadmissible`` (kept, as lavaan), ``seed``,
        ``ci``, ``level``, ``bollen_stine`` (or None); None without a bootstrap."""
        return None if self.bootstrap_part is None else dict(self.bootstrap_part.info)

    @property
    def boot(self) -> pd.DataFrame:
        """The free-parameter draws of the successful resamples (lavaan's ``lavInspect(fit, "boot")``)."""
        from .bootstrap import boot_draws

        self._need_bootstrap()
        return boot_draws(self)

    @property
    def _boot(self) -> Mapping[str, np.ndarray]:
        return self._need_bootstrap().draws

    @property
    def _payload(self) -> Any:
        return self._need_bootstrap().payload

    def _draw_matrix(self, which: str) -> np.ndarray:
        from .bootstrap import draw_matrix

        self._need_bootstrap()
        return draw_matrix(self, which)

    def intervals(self, ci: str | None = None, *, level: float | None = None, which: str = "est") -> np.ndarray:
        """Bootstrap intervals (rows of :attr:`params`, 2 columns) of type ``ci`` for ``"est"`` or ``"std.all"``."""
        from .bootstrap import bootstrap_intervals

        self._need_bootstrap()
        return bootstrap_intervals(self, ci, level=level, which=which)

    @cached_property
    def standardized(self) -> pd.DataFrame:
        """``std.all`` with bootstrap standard errors and intervals (lavaan's ``standardizedSolution`` columns
        ``lhs op rhs est.std se z pvalue ci.lower ci.upper``), each resample standardised on its own."""
        from .bootstrap import bootstrap_standardized

        self._need_bootstrap()
        return bootstrap_standardized(self)

    # -- output -------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out = fit_to_dict(self, ntotal=self.sample.ntotal)
        if self.missing == "fiml":
            out["missing_report"] = self.missing_report().to_dict()
        if self.bootstrap_part is not None:
            out["bootstrap"] = {k: v for k, v in self.bootstrap_part.info.items() if k != "n_jobs"}
        return out

    def to_json(self, path: Any = None, *, indent: int = 2) -> str:
        """The results as JSON (``converged, estimator, method, missing, nobs, params, fit, versions``; a PLS fit's
        JSON, :meth:`egovsem.pls.PLSResults.to_json`, has the same keys and parameter columns)."""
        return dump_json(self.to_dict(), path, indent=indent)

    def summary(self) -> str:
        """lavaan-like text (``summary(fit, fit.measures = TRUE)``): thresholds after WLSMV, the bootstrap's
        account after a bootstrap."""
        if self.ordinal is not None:
            from .wls import wlsmv_summary_text

            text = wlsmv_summary_text(self)
        else:
            from .report import summary_text

            text = summary_text(self)
        if self.bootstrap_part is not None:
            from .bootstrap import bootstrap_summary_text

            text = bootstrap_summary_text(self, text)
        return text

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        fm = self.fit_measures
        return (f"<egovsem Results: {self.estimator}, N = {self.nobs}, converged = {self.converged}, "
                f"chisq = {fm['chisq']:.3f}, df = {int(fm['df'])}, CFI = {fm['cfi']:.3f}, RMSEA = {fm['rmsea']:.3f}>")

    def _repr_html_(self) -> str:
        if self.ordinal is not None:
            from .wls import wlsmv_summary_html

            return wlsmv_summary_html(self)
        from .report import summary_html

        return summary_html(self)


def fit_to_dict(res: Any, *, ntotal: int) -> dict[str, Any]:
    """:func:`fit_dict` of any fit object with ``params, fit_measures, r2, converged, estimator, missing,
    nobs, n_dropped, iterations`` (:class:`Results`, :class:`~egovsem.sem.wls_conditional.ConditionalFit`)."""
    return fit_dict(res.params, res.fit_measures, res.r2, converged=res.converged, estimator=res.estimator,
                    missing=res.missing, nobs=res.nobs, ntotal=ntotal, n_dropped=res.n_dropped,
                    iterations=res.iterations)


def dump_json(d: Mapping[str, Any], path: Any = None, *, indent: int = 2) -> str:
    """``d`` as JSON text, also written (atomically) to ``path`` when given."""
    text = json.dumps(d, indent=indent, ensure_ascii=False)
    if path is not None:
        from ..safe_write import atomic_write_text

        atomic_write_text(path, text + "\n")
    return text
