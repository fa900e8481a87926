"""One table and one JSON-ready report of measurement quality, as `egovsem measure` writes them."""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._errors import EgovsemError, EgovsemWarning
from ._common import check_constructs, fit_parts
from .descriptives import corrected_item_total, item_descriptives
from .reliability import ave, composite_reliability, cronbach_alpha
from .validity import fornell_larcker, full_collinearity_vif, harman_single_factor, htmt

__all__ = ["reliability_table", "measure_report", "method_bias_report"]

DEFINITIONS = {
    "alpha": "Cronbach's alpha on pairwise-complete covariances, as psych::alpha raw_alpha; "
             "CI: Feldt (psych::alpha.ci)",
    "omega": "composite reliability, semTools::compRelSEM defaults (tau.eq = FALSE, obs.var = TRUE): "
             "(sum of loadings)^2 var(f) / sum of the sample covariances of the indicators",
    "ave": "average variance extracted, semTools::AVE (obs.var = TRUE)",
    "msv": "maximum squared latent correlation with another construct",
    "htmt": "semTools::htmt defaults (htmt2 = TRUE: geometric means of absolute correlations, listwise rows)",
    "fornell_larcker": "sqrt(AVE) on the diagonal, model-implied latent correlations off it",
    "harman": "unrotated PCA of all items, share of variance of the first component",
    "full_collinearity_vif": "Kock (2015): mean-of-items construct scores, each regressed on all others",
    "marker_cfa": "CFA marker technique (Williams, Hartman & Cavazotte 2010): CFA, Baseline, Method-C, Method-U, "
                  "Method-R with chi-square difference tests; reliability decomposition from std.all estimates",
    "lindell_whitney": "Lindell & Whitney (2001): r_adj = (r - r_M) / (1 - r_M) of the construct scores, t on N - 3 "
                       "df; r_M the smallest positive correlation of the marker score with a construct score",
    "ulmc": "unmeasured latent method construct: a method factor on every item, orthogonal to the constructs, "
            "equal and free loadings, compared with the CFA without it",
}


def _constructs_of(fit, data, constructs, what: str):
    parts = fit_parts(fit, what)
    model = {f: parts.indicators(f) for f in parts.factors()}
    if constructs is None:
        single = [f for f in parts.loadings.columns if f not in model]
        for f in single:
            ind = parts.indicators(f)
            warnings.warn(
                f"The construct {f!r} has a single indicator ({', '.join(map(repr, ind)) or 'none'}); it is left out "
                "of reliability (alpha, omega, AVE), HTMT and Fornell-Larcker, which need two or more items "
                "(semTools' dropSingle).", EgovsemWarning, stacklevel=3)
        if not model:
            raise EgovsemError("No construct of the fitted model has two or more observed indicators; reliability "
                               f"and validity need at least two items per construct (model factors: "
                               f"{list(parts.loadings.columns)!r}).")
        return check_constructs(data, model)
    cons = check_constructs(data, constructs)
    for c, items in cons.items():
        if c not in model:
            raise EgovsemError(f"The 'constructs' parameter names {c!r}, which is not a factor of the fitted "
                               f"model; the model has {list(model)!r}.")
        if sorted(items) != sorted(model[c]):
            raise EgovsemError(f"The 'constructs' parameter gives {c!r} the items {items!r}, but in the fitted "
                               f"model {c!r} is measured by {model[c]!r}.")
    return cons


def reliability_table(fit, data: pd.DataFrame, constructs=None) -> pd.DataFrame:
    """Reliability and convergent/discriminant validity of each construct, one row per construct.

    Parameters
    ----------
    fit : egovsem.Results
        The CFA (or SEM) of the constructs, fitted to ``data``.
    data : DataFrame
        The data the model was fitted to (for alpha and HTMT).
    constructs : dict of name -> list of str, optional
        Default: the factors of ``fit`` and their observed indicators. When given, each must be a factor
        of ``fit`` with the same items.

    Returns
    -------
    DataFrame
        ``construct n_items alpha alpha_ci_lower alpha_ci_upper omega ave sqrt_ave msv max_r max_htmt``:
        alpha as :func:`cronbach_alpha`, omega as :func:`composite_reliability`, AVE as :func:`ave`,
        ``msv`` the largest squared and ``max_r`` the largest absolute latent correlation with another
        construct, ``max_htmt`` the largest HTMT (:func:`htmt`) with another construct.

    Examples
    --------
    >>> import egovsem, egovsem.datasets as ds
    >>> from egovsem.measure import reliability_table
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> fit = egovsem.cfa("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9", hs)
    >>> # In R: psych::alpha(...)$total$raw_alpha; semTools::compRelSEM(fit); semTools::AVE(fit)
    >>> reliability_table(fit, hs)[["construct", "alpha", "omega", "ave", "max_htmt"]].round(3)
      construct  alpha  omega    ave  max_htmt
    0    visual  0.626  0.612  0.371     0.387
    1   textual  0.883  0.885  0.721     0.384
    2     speed  0.688  0.686  0.424     0.387
    """
    cons = _constructs_of(fit, data, constructs, "reliability_table")
    names = list(cons)
    al = cronbach_alpha(data, cons).set_index("construct")
    om = composite_reliability(fit, constructs=names).set_index("construct")
    av = ave(fit, constructs=names).set_index("construct")
    fl = fornell_larcker(fit).loc[names, names]
    ht = htmt(data, cons) if len(names) > 1 else None
    rows = []
    for c in names:
        others = [o for o in names if o != c]
        r = fl.loc[c, others].abs() if others else pd.Series(dtype=float)
        rows.append({
            "construct": c, "n_items": len(cons[c]), "alpha": al.loc[c, "alpha"],
            "alpha_ci_lower": al.loc[c, "ci_lower"], "alpha_ci_upper": al.loc[c, "ci_upper"],
            "omega": om.loc[c, "omega"], "ave": av.loc[c, "ave"], "sqrt_ave": av.loc[c, "sqrt_ave"],
            "msv": float((r**2).max()) if others else np.nan, "max_r": float(r.max()) if others else np.nan,
            "max_htmt": float(ht.loc[c, others].max()) if (others and ht is not None) else np.nan,
        })
    return pd.DataFrame(rows)


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if not math.isfinite(v) else float(v)
    return v


def _records(df: pd.DataFrame) -> list[dict]:
    return _clean(df.to_dict(orient="records"))


def _matrix(df: pd.DataFrame) -> dict:
    return _clean({r: {c: df.loc[r, c] for c in df.columns} for r in df.index})


def method_bias_report(fit, data: pd.DataFrame, constructs, *, marker=None, ulmc: bool = False) -> dict:
    """The common-method-bias checks beyond Harman and VIF, JSON-ready: ``{"marker_cfa": ...,
    "lindell_whitney": ..., "ulmc": ...}`` (each present when it was asked for). The models use the fit's
    missing-data treatment; ``marker`` is the marker scale (a list of items or ``{name: [items]}``)."""
    from .method_bias import check_marker, lindell_whitney, marker_cfa
    from .method_bias import ulmc as fit_ulmc

    out: dict[str, Any] = {}
    opts: dict[str, Any] = {"missing": getattr(fit, "missing", None) or "listwise"}
    if marker is not None:
        cons, mname, mitems = check_marker(data, constructs, marker)
        out["marker_cfa"] = marker_cfa(data, cons, {mname: mitems}, missing=opts["missing"]).to_dict()
        lw = lindell_whitney(data, cons, mitems)
        out["lindell_whitney"] = {"r_m": lw.attrs["r_m"], "r_m_rule": lw.attrs["r_m_rule"], "n": lw.attrs["n"],
                                  "marker_r": lw.attrs["marker_r"], "pairs": _records(lw)}
    if ulmc:
        out["ulmc"] = fit_ulmc(data, constructs, **opts).to_dict()
    return _clean(out)


def measure_report(fit, data: pd.DataFrame, constructs=None, *, marker=None, ulmc: bool = False) -> dict:
    """Everything :func:`reliability_table` and the validity checks give, as JSON-ready plain types.

    Returns
    -------
    dict
        ``{"n": rows analysed by the CFA, "reliability": [{"construct", "n_items", "alpha", ..., "omega",
        "ave", ...}], "htmt": {construct: {construct: value}}, "fornell_larcker": {construct: {construct:
        value}}, "loadings": [{"construct", "item", "est", "se", "pvalue", "std_all"}], "items": [{"construct",
        "item", "n", "pct_missing", "mean", "sd", "skew", "kurtosis", "r_drop", "alpha_if_deleted"}],
        "harman": {...}, "full_collinearity_vif": [{"construct", "r2", "vif"}], "definitions": {...}}``.
        Missing or undefined numbers are ``None`` (JSON ``null``). With ``marker`` (the marker scale's items,
        or ``{name: [items]}``) or ``ulmc=True`` also ``"method_bias"``: :func:`method_bias_report`
        (:func:`egovsem.measure.marker_cfa`, :func:`egovsem.measure.lindell_whitney`,
        :func:`egovsem.measure.ulmc`).

    Examples
    --------
    >>> import json, egovsem, egovsem.datasets as ds
    >>> from egovsem.measure import measure_report
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> fit = egovsem.cfa("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9", hs)
    >>> rep = measure_report(fit, hs)
    >>> # In R: semTools::htmt(model, HS)["speed", "visual"]  -> 0.387
    >>> round(rep["htmt"]["speed"]["visual"], 3), round(rep["reliability"][0]["omega"], 3)
    (0.387, 0.612)
    >>> sorted(json.loads(json.dumps(rep)))[:4]
    ['definitions', 'fornell_larcker', 'full_collinearity_vif', 'harman']
    """
    cons = _constructs_of(fit, data, constructs, "measure_report")
    rel = reliability_table(fit, data, cons)
    pe = fit.params
    pe = pe[(pe["op"] == "=~") & pe["lhs"].isin(list(cons))]
    loadings = pd.DataFrame({"construct": pe["lhs"], "item": pe["rhs"], "est": pe["est"], "se": pe["se"],
                             "pvalue": pe["pvalue"], "std_all": pe["std.all"]})
    items = []
    for c, its in cons.items():
        d = item_descriptives(data, its)
        t = corrected_item_total(data, its)[["item", "r_drop", "alpha_if_deleted"]]
        items.append(d.merge(t, on="item").assign(construct=c))
    items = pd.concat(items, ignore_index=True)[["construct", "item", "n", "pct_missing", "mean", "sd", "skew",
                                                 "kurtosis", "r_drop", "alpha_if_deleted"]]
    all_items = list(dict.fromkeys(i for v in cons.values() for i in v))
    report = {
        "n": int(fit.nobs),
        "reliability": _records(rel),
        # a FIML fit: the EM correlations of every row (semTools::htmt(missing = "ml"))
        "htmt": _matrix(htmt(data, cons, missing="ml" if getattr(fit, "missing", "") == "fiml" else "listwise"))
        if len(cons) > 1 else {},
        "fornell_larcker": _matrix(fornell_larcker(fit).loc[list(cons), list(cons)]),
        "loadings": _records(loadings),
        "items": _records(items),
        "harman": _records(harman_single_factor(data, all_items))[0],
        "full_collinearity_vif": _records(full_collinearity_vif(data, cons)) if len(cons) > 1 else [],
        "definitions": dict(DEFINITIONS),
    }
    if marker is not None or ulmc:
        report["method_bias"] = method_bias_report(fit, data, cons, marker=marker, ulmc=ulmc)
    return report


clean_value = _clean  # public name for other modules
records = _records  # public name for other modules
