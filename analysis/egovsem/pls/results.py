"""The results of a PLS (or PLSc) fit: parameter table in lavaan's row names, R-squared, scores, quality
criteria, bootstrap inference, and their displays (text, HTML, JSON in the layout of CB-SEM fits)."""
from __future__ import annotations

import html
import json
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from .._errors import EgovsemError, check_option
from .bootstrap import CI_TYPES, Layout, acceleration, bca_intervals, percentile_intervals, run_jackknife
from .data import PLSData
from .estimates import Estimates
from .reliability import (
    antecedent_vifs,
    f_squared,
    htmt_matrix,
    item_vifs,
    reliability_table,
)
from .specify import PLSSpec
from .weights import Structure

__all__ = ["PLSResults", "PARAM_COLUMNS"]

PARAM_COLUMNS = ["lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci.lower", "ci.upper"]
_KIND_OF_OP = {"~": "path", "=~": "loading", "<~": "weight"}


class PLSResults:
    """What :func:`egovsem.pls` returns.

    Attributes
    ----------
    params : DataFrame
        ``lhs op rhs est se z pvalue ci.lower ci.upper``: paths ``Y ~ X``, loadings ``F =~ x`` and weights
        ``F <~ x`` of every indicator (both are estimated for every block, whatever its mode). ``se`` (the SD of
        the bootstrap draws), ``z = est / se`` with its normal p-value and the intervals are NaN without a
        bootstrap.
    r2 : Series
        R-squared of each endogenous construct (``r2_adj``: adjusted).
    scores : DataFrame
        Construct scores (standardised, one row per analysed row, indexed as the data).
    effects : DataFrame
        Direct, indirect and total effects ``lhs ~ rhs`` (``effect`` column), with bootstrap inference.
    boot : DataFrame or None
        The successful bootstrap draws (columns ``"Y~X"``, ``"F=~x"``, ``"F<~x"``, ``"ind:Y~X"``,
        ``"tot:Y~X"``, ``"htmt:F1~~F2"``).
    converged, iterations, nobs, ntotal, n_dropped
    call : dict or None
        The model and the estimation settings :func:`egovsem.pls` was called with (lavaan's ``@call``); the
        blindfolding and the bootstrap of models estimated in stages re-run the model with them.
    """

    def __init__(self, *, spec: PLSSpec, st: Structure, data: PLSData, R: np.ndarray, est: Estimates,
                 settings: dict[str, Any], lay: Layout, draws: np.ndarray | None = None,
                 bootstrap_info: dict[str, Any] | None = None, n_jobs: int | None = 1):
        self.spec = spec
        self._st = st
        self._data = data
        self.R = R
        self.estimates = est
        self.settings = dict(settings)
        self._lay = lay
        self._draws = draws
        self.bootstrap_info = bootstrap_info
        self._n_jobs = n_jobs
        self.converged = est.weights.converged
        self.iterations = est.weights.iterations
        self.nobs = int(data.X.shape[0])
        self.ntotal = int(data.ntotal)
        self.n_dropped = int(data.n_dropped)
        self.n_replaced = int(data.n_replaced)  # missing values mean-replaced (missing="mean")
        self.missing = data.missing
        self.consistent = est.consistent
        self.estimator = "PLSc" if est.consistent else "PLS"
        # a higher-order model (two-stage approach, egovsem.pls.hoc): the stage-1 fit and the dimensions
        self.first_stage: PLSResults | None = None
        self.higher_order: dict[str, tuple[str, ...]] = {}
        self.higher_order_method = "two_stage"
        # the repeated indicators of a higher-order construct (higher_order="repeated_indicators"): the column
        # "item@H" -> "item"; params show the item's own name
        self.item_names: dict[str, str] = {}
        # interaction terms (egovsem.pls.interactions): name -> method; the two-stage method's stage-1 fit
        self.interactions: dict[str, str] = {}
        self.interaction_first_stage: PLSResults | None = None
        # factor of each construct's score (1, but for interaction terms: seminr's rescaling, see fit.py)
        self.score_scale: pd.Series | None = None
        # the model and the estimation settings egovsem.pls() was called with (lavaan's @call), to re-estimate
        # the model on other data (blindfolding); None for fits not made by egovsem.pls()
        self.call: dict[str, Any] | None = None
        # models estimated in stages (interaction terms, two-stage higher-order constructs): the rows of the
        # model's own items that a bootstrap resamples (each resample re-runs the procedure; staged_bootstrap)
        self.resample_frame: pd.DataFrame | None = None

    # -- estimates ----------------------------------------------------------------------------------
    @cached_property
    def _point(self) -> np.ndarray:
        from .bootstrap import statistics

        return statistics(self.estimates, self.R, self._st, self._lay)

    @cached_property
    def _ok_draws(self) -> np.ndarray | None:
        if self._draws is None:
            return None
        return self._draws[np.all(np.isfinite(self._draws), axis=1)]

    @cached_property
    def _jackknife(self) -> np.ndarray:
        if self.resample_frame is not None:  # estimated in stages: each jackknife sample re-runs the procedure
            from .staged_bootstrap import run_staged

            jack = run_staged(self, "jack", self.resample_frame.shape[0], n_jobs=self._n_jobs)
            return jack[:, :len(self._lay.keys)]
        d = self._data
        raw = d.raw if d.missing == "mean" else d.X
        return run_jackknife(raw, d.missing, self.spec, self._estimate_settings, self._lay, n_jobs=self._n_jobs)

    @property
    def _estimate_settings(self) -> dict[str, Any]:
        return {k: self.settings[k] for k in ("weighting", "consistent", "max_iter", "stop_criterion")}

    def _inference(self, ci: str | None = None, level: float | None = None) -> pd.DataFrame:
        """est, se, z, pvalue, ci.lower, ci.upper of every statistic in layout order."""
        est = self._point
        n = est.size
        out = pd.DataFrame({"est": est, "se": np.nan, "z": np.nan, "pvalue": np.nan, "ci.lower": np.nan,
                            "ci.upper": np.nan})
        draws = self._ok_draws
        if draws is None or draws.shape[0] < 2:
            return out
        info = self.bootstrap_info or {}
        ci = check_option("ci", ci or info.get("ci", "perc"), CI_TYPES, casefold=True)
        level = float(info.get("level", 0.95) if level is None else level)
        if not 0 < level < 1:
            raise EgovsemError(f"The 'level' parameter must be a number between 0 and 1. Got {level!r} instead.")
        se = draws.std(axis=0, ddof=1)
        ok = se > np.sqrt(np.finfo(float).eps)
        z = np.where(ok, est / np.where(ok, se, 1.0), np.nan)
        if ci == "perc":
            lim = percentile_intervals(draws, level)
        else:
            lim = bca_intervals(draws, est, acceleration(self._jackknife), level)
        out["se"], out["z"] = se, z
        out["pvalue"] = np.where(ok, 2 * special.ndtr(-np.abs(z)), np.nan)
        out["ci.lower"], out["ci.upper"] = lim[:, 0], lim[:, 1]
        assert len(out) == n
        return out

    def _table(self, kinds: tuple[str, ...], ci: str | None = None, level: float | None = None) -> pd.DataFrame:
        inf = self._inference(ci, level)
        keys = self._lay.keys
        rows = [i for i, k in enumerate(keys) if k[0] in kinds]
        df = pd.DataFrame({"lhs": [keys[i][1] for i in rows], "op": [keys[i][2] for i in rows],
                           "rhs": [keys[i][3] for i in rows], "kind": [keys[i][0] for i in rows]})
        return pd.concat([df, inf.iloc[rows].reset_index(drop=True)], axis=1)

    @cached_property
    def params(self) -> pd.DataFrame:
        return self.parameter_estimates()

    def parameter_estimates(self, *, ci: str | None = None, level: float | None = None) -> pd.DataFrame:
        """:attr:`params` with another interval type (``"perc"``, ``"bca"``) or level.

        With higher-order constructs (two-stage approach) the loadings and weights of their dimensions come from
        the first stage (``dim =~ item``, ``dim <~ item`` rows after the second stage's rows)."""
        out = self._table(("path", "loading", "weight"), ci, level)[PARAM_COLUMNS]
        if self.item_names:
            out["rhs"] = out["rhs"].replace(self.item_names)
        if self.first_stage is not None:
            dims = {d for ds in self.higher_order.values() for d in ds}
            first = self.first_stage.parameter_estimates(ci=ci, level=level)
            first = first[first["op"].isin(["=~", "<~"]) & first["lhs"].isin(dims)]
            out = pd.concat([out, first], ignore_index=True)
        return out

    @cached_property
    def effects(self) -> pd.DataFrame:
        """Direct (paths), indirect and total effects: ``lhs op rhs effect est se z pvalue ci.lower ci.upper``."""
        df = self._table(("path", "indirect", "total"))
        df = df.rename(columns={"kind": "effect"})
        df["effect"] = df["effect"].replace({"path": "direct"})
        return df[["lhs", "op", "rhs", "effect"] + PARAM_COLUMNS[3:]]

    def _series(self, values: np.ndarray, name: str) -> pd.Series:
        endo = [k for k, c in enumerate(self.spec.constructs) if c in self.spec.endogenous]
        return pd.Series(values[endo], index=[self.spec.constructs[k] for k in endo], name=name)

    @cached_property
    def r2(self) -> pd.Series:
        return self._series(self.estimates.r2, "r2")

    @cached_property
    def r2_adj(self) -> pd.Series:
        return self._series(self.estimates.r2_adj, "r2_adj")

    @cached_property
    def scores(self) -> pd.DataFrame:
        X = self._data.X
        Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
        S = Z @ self.estimates.W
        if self.score_scale is not None:
            S = S * self.score_scale.to_numpy()
        return pd.DataFrame(S, index=self._data.index, columns=list(self.spec.constructs))

    @property
    def weights(self) -> pd.DataFrame:
        """Outer weights, indicator x construct (zero outside each block)."""
        return pd.DataFrame(self.estimates.W, index=list(self.spec.indicators), columns=list(self.spec.constructs))

    @property
    def loadings(self) -> pd.DataFrame:
        """Loadings, indicator x construct (zero outside each block)."""
        return pd.DataFrame(self.estimates.L, index=list(self.spec.indicators), columns=list(self.spec.constructs))

    @property
    def construct_correlations(self) -> pd.DataFrame:
        """Correlations of the construct scores (under PLSc: corrected for attenuation)."""
        names = list(self.spec.constructs)
        return pd.DataFrame(self.estimates.Cm, index=names, columns=names)

    # -- quality criteria ---------------------------------------------------------------------------
    def reliability(self) -> pd.DataFrame:
        """alpha, rhoC, AVE, rhoA by construct (see :mod:`egovsem.pls.reliability`)."""
        return reliability_table(self.R, self.estimates, self._st)

    def htmt(self, *, inference: bool = False, ci: str | None = None, level: float | None = None) -> pd.DataFrame:
        """HTMT, construct x construct below the diagonal; ``inference=True``: one row per pair
        (``lhs ~~ rhs``) with the bootstrap ``se`` and interval."""
        if not inference:
            return htmt_matrix(self.R, self._st)
        if self._draws is None:
            raise EgovsemError("htmt(inference=True) needs a bootstrap: fit with bootstrap=B (e.g. 5000).")
        return self._table(("htmt",), ci, level)[PARAM_COLUMNS]

    def vif(self, which: str = "indicators") -> pd.Series:
        """VIF of the indicators within each block (``"indicators"``) or of each endogenous construct's
        predictors (``"antecedents"``)."""
        which = check_option("which", which, ["indicators", "antecedents"], casefold=True)
        return item_vifs(self.R, self._st) if which == "indicators" else antecedent_vifs(self.estimates, self._st)

    def f2(self) -> pd.Series:
        """Cohen's f-squared of every path (the model re-estimated without it)."""
        return f_squared(self.R, self.spec, self.estimates, self.nobs, **self._estimate_settings)

    def predict(self, *, technique: str = "DA", folds: int | None = 10, reps: int = 1, seed: int | None = None,
                lm_predictors: str = "all"):
        """PLSpredict: cross-validated predictions of the endogenous indicators against the LM benchmark
        (:func:`egovsem.pls.predict.predict_pls`; seminr's ``predict_pls``)."""
        from .predict import predict_pls

        return predict_pls(self, technique=technique, folds=folds, reps=reps, seed=seed, lm_predictors=lm_predictors)

    def blindfolding(self, omission_distance: int = 7) -> pd.DataFrame:
        """Stone-Geisser's Q-squared of the endogenous constructs by blindfolding (cross-validated redundancy;
        :func:`egovsem.pls.blindfold.blindfolding`): ``SSO``, ``SSE``, ``q2`` by construct."""
        from .blindfold import blindfolding

        return blindfolding(self, omission_distance)

    def ipma(self, target: str, *, level: str = "constructs", scale_min: Any = None,
             scale_max: Any = None) -> pd.DataFrame:
        """Importance-performance map of ``target``'s predecessors (:func:`egovsem.pls.ipma.ipma`)."""
        from .ipma import ipma

        return ipma(self, target, level=level, scale_min=scale_min, scale_max=scale_max)

    def mga(self, group: Any, *, permutations: int = 1000, bootstrap: int = 0, seed: int | None = None):
        """Two-group analysis: permutation test, Henseler's PLS-MGA, MICOM steps 1-3
        (:func:`egovsem.pls.mga.mga`)."""
        from .mga import mga

        return mga(self, group, permutations=permutations, bootstrap=bootstrap, seed=seed)

    def fornell_larcker(self) -> pd.DataFrame:
        """Construct correlations below the diagonal, the square root of the AVE on it."""
        M = np.array(self.construct_correlations.to_numpy(), dtype=float)
        K = M.shape[0]
        M[np.triu_indices(K, 1)] = np.nan
        np.fill_diagonal(M, np.sqrt(self.reliability()["AVE"].to_numpy()))
        names = list(self.spec.constructs)
        return pd.DataFrame(M, index=names, columns=names)

    @property
    def boot(self) -> pd.DataFrame | None:
        if self._ok_draws is None:
            return None
        prefix = {"path": "", "loading": "", "weight": "", "indirect": "ind:", "total": "tot:", "htmt": "htmt:"}
        cols = [f"{prefix[k]}{lhs}{op}{rhs}" for k, lhs, op, rhs in self._lay.keys]
        return pd.DataFrame(self._ok_draws, columns=cols)

    # -- output -------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The results in the JSON layout of CB-SEM fits (``converged, estimator, method, missing, nobs, ntotal,
        n_dropped, iterations, params, fit, r2, versions``; ``params`` rows with the CB-SEM columns, ``group`` 1,
        ``label`` empty and ``std.lv``, ``std.all``, ``std.nox`` equal to the standardised PLS estimate; ``fit``
        empty) plus ``r2_adj``, ``settings``, ``reliability``, ``htmt``, ``effects``, ``bootstrap``,
        ``higher_order`` and ``interactions``."""
        import scipy

        from .. import __version__

        def clean(v):
            if isinstance(v, (np.floating, float)):
                return None if not np.isfinite(v) else float(v)
            if isinstance(v, (np.integer,)):
                return int(v)
            if isinstance(v, np.bool_):
                return bool(v)
            return v

        def records(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]

        def param_records(df: pd.DataFrame) -> list[dict[str, Any]]:
            # the columns of a CB-SEM fit's params (lhs op rhs group label est se z pvalue ci.lower ci.upper
            # std.lv std.all std.nox): one group, no labels; PLS estimates are standardised, so the three
            # standardised columns are the estimate
            out = []
            for row in records(df):
                r = {k: row[k] for k in ("lhs", "op", "rhs")}
                r.update(group=1, label="")
                r.update({k: row[k] for k in PARAM_COLUMNS[3:]})
                r.update({k: row["est"] for k in ("std.lv", "std.all", "std.nox")})
                out.append(r)
            return out

        rel = self.reliability()
        ht = htmt_matrix(self.R, self._st)
        pairs = [{"lhs": ht.columns[i], "rhs": ht.index[j], "est": clean(ht.iat[j, i])}
                 for i in range(ht.shape[0]) for j in range(i + 1, ht.shape[0])]
        info = None
        if self.bootstrap_info is not None:
            info = {k: clean(v) for k, v in self.bootstrap_info.items()}
        return {
            "converged": bool(self.converged), "estimator": self.estimator, "method": "pls",
            "missing": self.missing, "nobs": self.nobs, "ntotal": self.ntotal, "n_dropped": self.n_dropped,
            "iterations": int(self.iterations), "params": param_records(self.params), "fit": {},
            "r2": {k: clean(v) for k, v in self.r2.items()},
            "r2_adj": {k: clean(v) for k, v in self.r2_adj.items()},
            "settings": {k: clean(v) for k, v in self.settings.items()},
            "reliability": {c: {k: clean(v) for k, v in row.items()} for c, row in rel.iterrows()},
            "htmt": pairs, "effects": records(self.effects), "bootstrap": info,
            "higher_order": {h: list(ds) for h, ds in self.higher_order.items()},
            "interactions": dict(self.interactions),
            "versions": {"egovsem": __version__, "numpy": np.__version__, "scipy": scipy.__version__,
                         "pandas": pd.__version__},
        }

    def to_json(self, path=None, *, indent: int = 2) -> str:
        """The results as JSON (:meth:`to_dict`); written atomically to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
        if path is not None:
            from ..safe_write import atomic_write_text

            atomic_write_text(path, text + "\n")
        return text

    def _header(self) -> list[str]:
        s = self.settings
        method = "PLSc (consistent PLS, Dijkstra & Henseler 2015)" if self.consistent else "PLS"
        lines = [f"egovsem {method} path model",
                 f"  Inner weighting: {s['weighting']}; converged: {self.converged} after {self.iterations} "
                 f"iterations (stop criterion 1e-{s['stop_criterion']:g})",
                 f"  Observations: {self.nobs} used of {self.ntotal} (missing = {self.missing!r}"
                 + (f", {self.n_dropped} dropped" if self.n_dropped else "")
                 + (f", {self._data.n_replaced} values mean-replaced" if self._data.n_replaced else "") + ")"]
        if self.bootstrap_info:
            b = self.bootstrap_info
            names = {"perc": "percentile", "bca": "BCa"}
            lines.append(f"  Bootstrap: {b['B']} resamples (seed {b['seed']}), {b['successful']} successful, "
                         f"{b['failed']} failed; SE = SD of the draws; {names[b['ci']]} {b['level']:.0%} intervals")
        return lines

    def summary(self) -> str:
        """A plain-text report: paths with R-squared, loadings and weights, reliability, HTMT."""
        fmt = lambda v: "" if not np.isfinite(v) else f"{v:.3f}"  # noqa: E731
        out = self._header()
        p = self.params
        has_se = p["se"].notna().any()
        for title, op in (("Inner model (paths)", "~"), ("Loadings", "=~"), ("Weights", "<~")):
            out += ["", title + ":"]
            sub = p[p["op"] == op]
            for _, r in sub.iterrows():
                line = f"  {r['lhs']:>14} {op:<2} {r['rhs']:<14} {fmt(r['est']):>8}"
                if has_se:
                    line += (f"  se {fmt(r['se']):>6}  z {fmt(r['z']):>7}  p {fmt(r['pvalue']):>6}  "
                             f"[{fmt(r['ci.lower'])}, {fmt(r['ci.upper'])}]")
                out.append(line)
        out += ["", "R-squared:"] + [f"  {c:>14} {v:.3f} (adjusted {self.r2_adj[c]:.3f})" for c, v in self.r2.items()]
        out += ["", "Reliability:", self.reliability().round(3).to_string()]
        out += ["", "HTMT:", self.htmt().round(3).to_string(na_rep="")]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        r2 = ", ".join(f"{c} {v:.3f}" for c, v in self.r2.items())
        return (f"<egovsem PLSResults: {self.estimator}, {self.settings['weighting']} weighting, N = {self.nobs}, "
                f"converged = {self.converged}, R2: {r2}>")

    def _repr_html_(self) -> str:
        head = "".join(f"<p>{html.escape(line.strip())}</p>" for line in self._header())
        params = self.params.copy()
        parts = [head, "<h4>Parameters</h4>", params.to_html(index=False, float_format=lambda v: f"{v:.3f}",
                                                               na_rep=""),
                 "<h4>R-squared</h4>", self.r2.to_frame().to_html(float_format=lambda v: f"{v:.3f}"),
                 "<h4>Reliability</h4>", self.reliability().to_html(float_format=lambda v: f"{v:.3f}", na_rep=""),
                 "<h4>HTMT</h4>", self.htmt().to_html(float_format=lambda v: f"{v:.3f}", na_rep="")]
        return "<div class='egovsem-pls'>" + "".join(parts) + "</div>"
