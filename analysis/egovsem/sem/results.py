"""The results of a fit: parameter estimates, standardised solution, fit measures, and their displays."""
from __future__ import annotations

import json
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from .._errors import ModelSyntaxError
from .defined import compile_expression, expression_names

__all__ = ["Results"]

PARAM_COLUMNS = ["lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci.lower", "ci.upper",
                 "std.lv", "std.all", "std.nox"]


class Results:
    """What :func:`egovsem.sem` returns. Read-only; every table is a fresh DataFrame.

    Attributes
    ----------
    params : DataFrame
        lavaan's ``parameterEstimates(fit, standardized = TRUE)``: ``lhs op rhs group label est se z
        pvalue ci.lower ci.upper std.lv std.all std.nox``, loadings written ``f =~ x``, ``:=`` rows last.
    fit_measures : Series
        lavaan's ``fitMeasures(fit)`` names.
    converged : bool
    r2 : Series
        R-squared of each endogenous variable (``inspect(fit, "r2")``).
    nobs : int
        Rows analysed (after listwise deletion); ``n_dropped`` rows were removed.
    """

    def __init__(self, *, model, spec, partable, ram, stats, theta, vcov, fmin, converged, iterations, ndat, df,
                 message="", extra=None):
        self._model = model
        self.spec = spec
        self.partable = partable
        self.ram = ram
        self.stats = stats
        self.theta = np.asarray(theta)
        self.vcov = vcov
        self.fmin = float(fmin)
        self.converged = bool(converged)
        self.iterations = int(iterations)
        self.ndat = int(ndat)
        self.df = int(df)
        self.message = message
        Sigma, mu, *_ = ram.implied(self.theta)
        self.implied_cov = Sigma
        self.implied_mean = mu
        self.opts = model.opts
        self.estimator = model.opts.estimator
        self.missing = model.opts.missing
        self.options = model.opts.as_dict()
        self.extra = dict(extra or {})

    # -- basic quantities -----------------------------------------------------------------------------
    @property
    def nobs(self) -> int:
        return self.stats.nobs

    @property
    def n_dropped(self) -> int:
        return self.stats.n_dropped

    @property
    def npar(self) -> int:
        return int(self.ram.q)

    @cached_property
    def _row_est_se(self) -> tuple[np.ndarray, np.ndarray]:
        pt = self.partable
        est = np.where(pt["free"] > 0, self.theta[np.maximum(pt["free"].to_numpy() - 1, 0)], pt["ustart"])
        est = np.asarray(est, dtype=float)
        est[np.isnan(est)] = 0.0
        se_free = np.sqrt(np.clip(np.diag(self.vcov), 0, None)) if self.vcov.size else np.zeros(0)
        se = np.where(pt["free"] > 0, se_free[np.maximum(pt["free"].to_numpy() - 1, 0)] if se_free.size else 0, 0.0)
        return est, np.asarray(se, dtype=float)

    @cached_property
    def params(self) -> pd.DataFrame:

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
        df["pvalue"] = np.where(z_ok, 2 * special.ndtr(-np.abs(df["z"])), np.nan)
        crit = special.ndtri(0.975)
        df["ci.lower"] = df["est"] - crit * df["se"]
        df["ci.upper"] = df["est"] + crit * df["se"]
        return df[PARAM_COLUMNS]

    @cached_property
    def _label_rows(self) -> dict[str, int]:
        """Label (and plabel without dots) -> first parameter-table row carrying it."""
        out: dict[str, int] = {}
        for i, lab in enumerate(self.partable["label"]):
            if lab and lab not in out:
                out[lab] = i
        for i, pl in enumerate(self.partable["plabel"]):
            out.setdefault(pl.strip("."), i)
        return out

    def _std_columns(self, est: np.ndarray) -> dict[str, np.ndarray]:
        from .standardize import standardized_columns

        return standardized_columns(self.partable, est, self.ram, self.theta, self.spec)

    def _label_env(self, est_rows: np.ndarray) -> dict[str, Any]:
        return {lab: est_rows[i] for lab, i in self._label_rows.items()}

    def _defined_rows(self, est: np.ndarray, std: dict[str, np.ndarray]) -> pd.DataFrame:
        pt = self.partable
        free = pt["free"].to_numpy()
        known = set(self._label_env(est))
        funcs = []
        for name, expr, line in self.spec.defined:
            missing = [n for n in expression_names(expr, line) if n not in known]
            if missing:
                raise ModelSyntaxError(
                    f"model syntax, line {line}: the defined parameter {name!r} uses {missing}, which "
                    "is not a label of the model (write the label before the variable, e.g. a*x)"
                )
            funcs.append((name, compile_expression(expr, line)))
            known.add(name)

        def evaluate(row_values):
            env = self._label_env(row_values)
            vals = []
            for name, f in funcs:
                v = f(env)
                env[name] = v
                vals.append(v)
            return np.array(vals)

        values = np.real(evaluate(est))
        # delta method: Jacobian by complex step
        q = self.theta.size
        J = np.zeros((len(funcs), q))
        h = 1e-20
        for k in range(q):
            th = self.theta.astype(complex)
            th[k] += 1j * h
            rv = np.where(free > 0, th[np.maximum(free - 1, 0)], est.astype(complex))
            J[:, k] = np.imag(evaluate(rv)) / h
        V = J @ self.vcov @ J.T if q else np.zeros((len(funcs), len(funcs)))
        se = np.sqrt(np.clip(np.diag(V), 0, None))
        out = pd.DataFrame({
            "lhs": [n for n, _ in funcs], "op": ":=", "rhs": [e for _, e, _ in self.spec.defined],
            "group": 0, "label": [n for n, _ in funcs], "est": values, "se": se,
        })
        for col, vals in std.items():
            out[col] = np.real(evaluate(vals))
        return out

    @cached_property
    def fit_measures(self) -> pd.Series:
        from .fitmeasures import fit_measures

        return fit_measures(self)

    @cached_property
    def r2(self) -> pd.Series:
        from .standardize import r_squared

        return r_squared(self.ram, self.theta, self.spec)

    def missing_report(self):
        """Percent missing, patterns, covariance coverage and Little's MCAR test of the analysed rows."""
        from .missing_report import missing_report

        return missing_report(self.stats.X, self.spec.ov, self.stats.cov, self.stats.mean)

    def modindices(self, *, sort: bool = False, minimum_value: float = 0.0) -> pd.DataFrame:
        """Modification indices with EPC (lavaan's ``modindices(fit)``)."""
        from .._errors import NotAvailableError
        from .modindices import modification_indices

        if self.opts.discrepancy not in ("ML", "FIML"):
            raise NotAvailableError(
                f"modification indices are available for ML and MLR fits only (this fit: estimator="
                f"{self.estimator!r})."
            )
        # MLR: lavaan's modindices() uses the expected information and the ML score, so MLR fits get the
        # same indices as the ML fit of the same data (checked against lavaan)
        mi = modification_indices(self)
        mi = mi[mi["mi"] >= minimum_value]
        if sort:
            mi = mi.sort_values("mi", ascending=False)
        return mi.reset_index(drop=True)

    # -- output -----------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        from .. import __version__

        def clean(v):
            if isinstance(v, (np.floating, float)):
                return None if not np.isfinite(v) else float(v)
            if isinstance(v, np.integer):
                return int(v)
            return v

        params = [{k: clean(v) for k, v in row.items()} for row in self.params.to_dict(orient="records")]
        fit = {k: clean(v) for k, v in self.fit_measures.items()}
        import scipy
        versions = {"egovsem": __version__, "numpy": np.__version__, "scipy": scipy.__version__,
                    "pandas": pd.__version__}
        return {
            "converged": self.converged, "estimator": self.estimator, "missing": self.missing,
            "nobs": self.nobs, "ntotal": self.stats.ntotal, "n_dropped": self.n_dropped,
            "iterations": self.iterations, "params": params, "fit": fit,
            "r2": {("/".join(map(str, k)) if isinstance(k, tuple) else k): clean(v) for k, v in self.r2.items()},
            "versions": versions,
            **({"missing_report": self.missing_report().to_dict()} if self.missing == "fiml" else {}),
        }

    def to_json(self, path=None, *, indent: int = 2) -> str:
        """The results as JSON (``converged, estimator, missing, nobs, params, fit, versions``)."""
        text = json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
        if path is not None:
            from ..safe_write import atomic_write_text

            atomic_write_text(path, text + "\n")
        return text

    def summary(self) -> str:
        from .report import summary_text

        return summary_text(self)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        fm = self.fit_measures
        return (f"<egovsem Results: {self.estimator}, N = {self.nobs}, converged = {self.converged}, "
                f"chisq = {fm['chisq']:.3f}, df = {int(fm['df'])}, CFI = {fm['cfi']:.3f}, RMSEA = {fm['rmsea']:.3f}>")

    def _repr_html_(self) -> str:
        from .report import summary_html

        return summary_html(self)
