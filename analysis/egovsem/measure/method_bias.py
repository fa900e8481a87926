"""Common-method bias beyond Harman's test: the CFA marker technique, the unmeasured latent method construct
(ULMC) and the Lindell & Whitney marker-variable correction.

* :func:`marker_cfa`: the CFA marker technique of Williams, Hartman & Cavazotte (2010, *Organizational
  Research Methods* 13(3), 477-514): CFA, Baseline, Method-C, Method-U and Method-R models, their
  chi-square difference tests and the reliability decomposition into substantive and method parts;
* :func:`ulmc`: a method factor on every item, orthogonal to the substantive factors (equal or free
  loadings), compared with the model without it (delta chi-square, delta CFI) and the variance it extracts;
* :func:`lindell_whitney`: the correlation correction of Lindell & Whitney (2001, *Journal of Applied
  Psychology* 86(1), 114-121), ``r_adj = (r - r_M) / (1 - r_M)`` with its t test on ``N - 3`` df.

Every model is ordinary lavaan syntax (``result.syntax``) fitted by :func:`egovsem.cfa` with ``std_lv=True``
(every latent variance fixed to 1, so latent covariances are correlations); the same syntax fitted by
``lavaan::cfa(..., std.lv = TRUE)`` gives the same estimates (tests/reference/make_reference_cmb.R).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._errors import EgovsemError, check_option
from ._common import check_constructs, check_items

__all__ = ["MarkerResult", "ULMCResult", "marker_cfa", "ulmc", "lindell_whitney", "check_marker"]

FIT_COLUMNS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")


def _fmt(x: float) -> str:
    """A fixed value in lavaan syntax, 10 significant digits (as the R reference writes them)."""
    return f"{x:.10g}"


def check_marker(data: pd.DataFrame, constructs, marker, *, marker_name: str | None = None
                 ) -> tuple[dict[str, list[str]], str, list[str]]:
    """Check the substantive constructs and the marker scale; return ``(constructs, marker_name, items)``.

    ``marker`` is a list of item names or a one-entry dict ``{name: [items]}``. A marker item that is also an
    item of a substantive construct, a marker item that is not a column of ``data``, and a marker name that is
    also a construct name are refused with a message naming them.
    """
    if isinstance(marker, dict):
        if len(marker) != 1:
            raise EgovsemError(f"The 'marker' parameter must hold one marker scale ({{name: [items]}}). Got "
                               f"{len(marker)} entries: {list(marker)!r}.")
        (name, items), = marker.items()
        name = str(name)
    else:
        name, items = (marker_name or "MARKER"), marker
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, (list, tuple, pd.Index)) or not len(items):
        raise EgovsemError(f"The 'marker' parameter must name the marker scale's items (a list of column names, "
                           f"or {{name: [items]}}). Got {marker!r}.")
    items = [str(i) for i in items]
    absent = [i for i in items if i not in data.columns]
    if absent:
        raise EgovsemError(f"The marker scale {name!r} names item(s) that are not columns of 'data': {absent!r}. "
                           "Is the marker scale in the questionnaire data?")
    cons = check_constructs(data, constructs)
    owner = {i: c for c, its in cons.items() for i in its}
    shared = [i for i in items if i in owner]
    if shared:
        raise EgovsemError(
            "A marker item must measure only the marker, but " + ", ".join(
                f"{i!r} is also an item of the substantive construct {owner[i]!r}" for i in shared)
            + f" (marker scale {name!r}). Remove it from the construct or from the marker.")
    if name in cons:
        raise EgovsemError(f"The marker name {name!r} is also a construct name; choose another marker name.")
    check_items(data, items, arg=f"marker[{name!r}]", min_items=1)
    return cons, name, items


def warm_start(partable: pd.DataFrame, previous) -> None:
    """Set the ``start`` column of the free rows of ``partable`` that ``previous`` (a fit of a nested or
    nesting model of the same items, or of some of them) also estimated to its estimates; the other rows
    keep lavaan's defaults, and a new free loading of a latent of ``previous`` (a method loading) starts at
    0. The optimum does not depend on the start (to the optimiser's tolerance, about 1e-8 in the fit
    measures); the warm start saves some iterations (33 instead of 40 over the example's marker sequence)."""
    pe = previous.params
    # std.lv: the estimates with every latent variance 1 (as these models fix them), whatever the
    # identification of ``previous`` (for a std_lv fit it is the estimate itself)
    col = "std.lv" if "std.lv" in pe else "est"
    est: dict[tuple[str, str, str], float] = {}
    for r in pe[pe["op"].isin(["=~", "~~", "~1"])].to_dict("records"):
        est[(r["lhs"], r["op"], r["rhs"])] = float(r[col])
        if r["op"] == "~~":
            est[(r["rhs"], r["op"], r["lhs"])] = float(r[col])
    known_lv = set(pe.loc[pe["op"] == "=~", "lhs"])
    if "start" not in partable:
        partable["start"] = np.nan
    start = partable["start"].to_numpy(dtype=float, copy=True)
    for k, r in enumerate(partable.itertuples()):
        if r.free > 0 and not np.isfinite(start[k]):
            v = est.get((r.lhs, r.op, r.rhs))
            # a new loading of a latent ``previous`` had (a method loading) starts at 0
            start[k] = 0.0 if v is None and r.op == "=~" and r.lhs in known_lv else (np.nan if v is None else v)
    partable["start"] = start


def _fit(syntax: str, data: pd.DataFrame, what: str, start_from=None, **options):
    from ..sem.model import Model

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = Model(syntax, std_lv=True, **options)  # egovsem.cfa(syntax, data, std_lv=True, **options)
        if start_from is not None:
            warm_start(model.spec.partable, start_from)
        fit = model.fit(data)
    if not fit.converged:
        raise EgovsemError(f"The {what} model did not converge ({fit.message}); its syntax was:\n{syntax}")
    for w in caught:  # pass on what the engine said (Heywood cases, non-positive-definite latent covariances)
        warnings.warn(f"{what} model: {w.message}", type(w.message) if isinstance(w.message, Warning)
                      else UserWarning, stacklevel=3)
    return fit


def _fit_row(name: str, fit) -> dict[str, Any]:
    fm = fit.fit_measures
    return {"model": name, **{k: float(fm[k]) if k in fm.index else np.nan for k in FIT_COLUMNS}}


def _diff(label: str, restricted, free) -> dict[str, Any]:
    a, b = restricted.fit_measures, free.fit_measures
    d, ddf = float(a["chisq"] - b["chisq"]), int(round(a["df"] - b["df"]))
    return {"comparison": label, "chisq_diff": d, "df_diff": ddf,
            "pvalue": float(stats.chi2.sf(d, ddf)) if ddf > 0 else np.nan,
            "cfi_diff": float(b["cfi"] - a["cfi"])}


def _std(fit, lhs: str, op: str, rhs: str) -> float:
    pe = fit.params
    row = pe[(pe["lhs"] == lhs) & (pe["op"] == op) & (pe["rhs"] == rhs)]
    if row.empty and op == "~~":
        row = pe[(pe["lhs"] == rhs) & (pe["op"] == op) & (pe["rhs"] == lhs)]
    return float(row["std.all"].iloc[0])


@dataclass
class MarkerResult:
    """The CFA marker technique (Williams, Hartman & Cavazotte 2010); see :func:`marker_cfa`.

    Attributes
    ----------
    models : dict of str -> egovsem.Results
        ``cfa``, ``baseline``, ``method_c``, ``method_u``, ``method_r`` (Method-R on the retained model).
    syntax : dict of str -> str
        The lavaan syntax of each model (fit with ``std.lv = TRUE``).
    fits : DataFrame
        ``model chisq df pvalue cfi tli rmsea srmr aic bic``.
    tests : DataFrame
        ``comparison chisq_diff df_diff pvalue cfi_diff`` (``cfi_diff``: CFI of the less restricted model
        minus that of the more restricted one).
    reliability : DataFrame
        ``model latent total substantive method method_share`` for Method-C and Method-U.
    retained : str
        "method_c" or "method_u": the model Method-R restricts.
    """

    constructs: dict[str, list[str]]
    marker: str
    marker_items: list[str]
    models: dict[str, Any]
    syntax: dict[str, str]
    fits: pd.DataFrame
    tests: pd.DataFrame
    reliability: pd.DataFrame
    method_loadings: pd.DataFrame
    retained: str
    alpha: float = 0.05
    conclusions: dict[str, bool] = field(default_factory=dict)

    def to_dict(self) -> dict:
        from .report import clean_value as _clean
        from .report import records as _records

        return _clean({
            "marker": self.marker, "marker_items": list(self.marker_items), "constructs": dict(self.constructs),
            "fits": _records(self.fits), "tests": _records(self.tests), "reliability": _records(self.reliability),
            "method_loadings": _records(self.method_loadings), "retained": self.retained, "alpha": self.alpha,
            "conclusions": dict(self.conclusions), "syntax": dict(self.syntax),
        })


def _reliability(fit, constructs, marker: str, model: str) -> list[dict]:
    rows = []
    for f, items in constructs.items():
        lam = np.array([_std(fit, f, "=~", i) for i in items])
        m = np.array([_std(fit, marker, "=~", i) for i in items])
        th = np.array([_std(fit, i, "~~", i) for i in items])
        s, sm = lam.sum() ** 2, m.sum() ** 2
        den = s + sm + th.sum()
        rows.append({"model": model, "latent": f, "total": (s + sm) / den, "substantive": s / den,
                     "method": sm / den, "method_share": sm / (s + sm)})
    return rows


def marker_cfa(data: pd.DataFrame, constructs, marker, *, marker_name: str | None = None,
               method_r_on: str = "auto", alpha: float = 0.05, **options) -> MarkerResult:
    """The CFA marker technique of Williams, Hartman & Cavazotte (2010).

    The sequence of models, each an ordinary CFA with every latent variance fixed to 1:

    1. **CFA**: the substantive factors and the marker latent (measured by its own items), all correlated;
       it gives the marker's measurement parameters.
    2. **Baseline**: the marker's loadings and its items' error variances fixed to their CFA values, the
       marker uncorrelated with the substantive factors.
    3. **Method-C**: Baseline plus one loading from the marker latent on every substantive item, all equal.
    4. **Method-U**: the same method loadings, free.
    5. **Method-R**: the retained method model (Method-U when it fits better than Method-C at ``alpha``,
       else Method-C) with the substantive factor correlations fixed to their Baseline values.

    Tests: Baseline vs Method-C (is there method variance?), Method-C vs Method-U (equal or unequal
    method effects?), Method-R vs the retained model (does method variance bias the factor
    correlations?). The reliability decomposition (Williams et al. 2010, Table 5) splits each latent's
    composite reliability, from the standardized (std.all) loadings ``l``, method loadings ``m`` and error
    variances ``theta`` of its items, into ``substantive = (sum l)^2 / D`` and ``method = (sum m)^2 / D`` with
    ``D = (sum l)^2 + (sum m)^2 + sum theta``; ``method_share = method / total``.

    Parameters
    ----------
    data : DataFrame
    constructs : dict of name -> list of str
        The substantive constructs and their items.
    marker : list of str, or dict {name: list of str}
        The marker scale's items (theoretically unrelated to the substantive constructs).
    marker_name : str, optional
        The marker latent's name when ``marker`` is a list (default "MARKER").
    method_r_on : {"auto", "method_c", "method_u"}, default "auto"
    alpha : float, default 0.05
    **options
        Passed to :func:`egovsem.cfa` (e.g. ``missing="fiml"``, ``estimator``); ``std_lv`` is always True.

    Returns
    -------
    MarkerResult

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import marker_cfa
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> res = marker_cfa(hs, {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"]},
    ...                  {"M": ["x7", "x8", "x9"]})
    >>> # In R (tests/reference/make_reference_cmb.R): Baseline vs Method-C, delta chi-square 31.634 on 1 df
    >>> res.tests[["comparison", "chisq_diff", "df_diff"]].round(3)
                 comparison  chisq_diff  df_diff
    0  baseline_vs_method_c      31.634        1
    1  method_c_vs_method_u       8.867        5
    2  method_r_vs_method_c       1.060        1
    """
    cons, mname, mitems = check_marker(data, constructs, marker, marker_name=marker_name)
    method_r_on = check_option("method_r_on", method_r_on, ["auto", "method_c", "method_u"])
    if not 0 < alpha < 1:
        raise EgovsemError(f"The 'alpha' parameter must be between 0 and 1. Got {alpha!r}.")
    if "std_lv" in options:
        raise EgovsemError("The 'std_lv' option cannot be set: the marker models fix every latent variance to 1.")
    sub_items = [i for v in cons.values() for i in v]
    used = sub_items + mitems
    factor_lines = [f"{f} =~ {' + '.join(its)}" for f, its in cons.items()]
    syn: dict[str, str] = {}
    models: dict[str, Any] = {}

    syn["cfa"] = "\n".join(factor_lines + [f"{mname} =~ {' + '.join(mitems)}"])
    models["cfa"] = _fit(syn["cfa"], data[used], "CFA (marker)", **options)
    pe = models["cfa"].params
    lam = {r.rhs: float(r.est) for r in pe[(pe["lhs"] == mname) & (pe["op"] == "=~")].itertuples()}
    th = {r.lhs: float(r.est) for r in pe[(pe["op"] == "~~") & (pe["lhs"] == pe["rhs"])
                                          & pe["lhs"].isin(mitems)].itertuples()}
    fixed = ([f"{mname} =~ " + " + ".join(f"{_fmt(lam[i])}*{i}" for i in mitems)]
             + [f"{i} ~~ {_fmt(th[i])}*{i}" for i in mitems] + [f"{mname} ~~ 0*{f}" for f in cons])
    syn["baseline"] = "\n".join(factor_lines + fixed)
    # each model starts from the estimates of the one before it (warm start; the same optimum)
    models["baseline"] = _fit(syn["baseline"], data[used], "Baseline", models["cfa"], **options)
    syn["method_c"] = syn["baseline"] + f"\n{mname} =~ " + " + ".join(f"lm*{i}" for i in sub_items)
    models["method_c"] = _fit(syn["method_c"], data[used], "Method-C", models["baseline"], **options)
    syn["method_u"] = syn["baseline"] + f"\n{mname} =~ " + " + ".join(sub_items)
    models["method_u"] = _fit(syn["method_u"], data[used], "Method-U", models["method_c"], **options)

    t_bc = _diff("baseline_vs_method_c", models["baseline"], models["method_c"])
    t_cu = _diff("method_c_vs_method_u", models["method_c"], models["method_u"])
    retained = method_r_on if method_r_on != "auto" else ("method_u" if t_cu["pvalue"] < alpha else "method_c")
    pb = models["baseline"].params
    names = list(cons)
    corr_lines = []
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            row = pb[(pb["op"] == "~~") & (((pb["lhs"] == names[a]) & (pb["rhs"] == names[b]))
                                           | ((pb["lhs"] == names[b]) & (pb["rhs"] == names[a])))]
            corr_lines.append(f"{names[a]} ~~ {_fmt(float(row['est'].iloc[0]))}*{names[b]}")
    tests = [t_bc, t_cu]
    if corr_lines:
        syn["method_r"] = syn[retained] + "\n" + "\n".join(corr_lines)
        models["method_r"] = _fit(syn["method_r"], data[used], "Method-R", models[retained], **options)
        tests.append(_diff(f"method_r_vs_{retained}", models["method_r"], models[retained]))
    fits = pd.DataFrame([_fit_row(k, v) for k, v in models.items()])
    rel = pd.DataFrame(_reliability(models["method_c"], cons, mname, "method_c")
                       + _reliability(models["method_u"], cons, mname, "method_u"))
    ml = []
    for model in ("method_c", "method_u"):
        p = models[model].params
        for i in sub_items:
            r = p[(p["lhs"] == mname) & (p["op"] == "=~") & (p["rhs"] == i)].iloc[0]
            ml.append({"model": model, "item": i, "est": float(r["est"]), "se": float(r["se"]),
                       "pvalue": float(r["pvalue"]), "std_all": float(r["std.all"])})
    tests_df = pd.DataFrame(tests)
    conclusions = {"method_variance": bool(t_bc["pvalue"] < alpha), "unequal_method_effects": bool(
        t_cu["pvalue"] < alpha)}
    if corr_lines:
        conclusions["correlations_biased"] = bool(tests[-1]["pvalue"] < alpha)
    return MarkerResult(cons, mname, mitems, models, syn, fits, tests_df, rel, pd.DataFrame(ml), retained, alpha,
                        conclusions)


@dataclass
class ULMCResult:
    """The unmeasured latent method construct; see :func:`ulmc`.

    Attributes
    ----------
    models : dict of str -> egovsem.Results
        ``none`` (the CFA without a method factor) and ``equal`` and/or ``free``.
    syntax : dict of str -> str
    fits : DataFrame
        ``model chisq df pvalue cfi tli rmsea srmr aic bic``.
    tests : DataFrame
        ``comparison chisq_diff df_diff pvalue cfi_diff`` (``none_vs_equal``, ``none_vs_free``).
    items : DataFrame
        ``model item method_loading method_variance``: the standardized (std.all) method loading and its
        square (the share of the item's variance due to the method factor).
    variance : DataFrame
        ``model method_variance``: the mean over items of the squared standardized method loadings (the
        variance extracted by the method factor).
    """

    constructs: dict[str, list[str]]
    method: str
    models: dict[str, Any]
    syntax: dict[str, str]
    fits: pd.DataFrame
    tests: pd.DataFrame
    items: pd.DataFrame
    variance: pd.DataFrame

    def to_dict(self) -> dict:
        from .report import clean_value as _clean
        from .report import records as _records

        return _clean({"method": self.method, "constructs": dict(self.constructs), "fits": _records(self.fits),
                       "tests": _records(self.tests), "items": _records(self.items),
                       "variance": _records(self.variance), "syntax": dict(self.syntax)})


def ulmc(data: pd.DataFrame, constructs, *, loadings: str = "both", method_name: str = "METHOD",
         **options) -> ULMCResult:
    """The unmeasured latent method construct (ULMC; Podsakoff et al. 2003; Williams et al. 1989).

    A method factor loads on every item of every construct, uncorrelated with the substantive factors;
    its loadings are all equal (``loadings="equal"``) or free (``"free"``). Each method model is compared
    with the CFA without it (delta chi-square, delta CFI); the variance extracted by the method factor is the
    mean squared standardized method loading. Every latent variance is fixed to 1 (``std_lv=True``). The
    free-loading ULMC is often weakly identified (it can end with negative error variances, which the engine
    reports as a warning); read it with care.

    Parameters
    ----------
    data : DataFrame
    constructs : dict of name -> list of str
    loadings : {"both", "equal", "free"}, default "both"
    method_name : str, default "METHOD"
    **options
        Passed to :func:`egovsem.cfa`.

    Returns
    -------
    ULMCResult

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import ulmc
    >>> bfi = ds.load("bfi")
    >>> res = ulmc(bfi, {"N": ["N1", "N2", "N3", "N4", "N5"], "O": ["O1", "O3", "O4"]})
    >>> # In R (tests/reference/make_reference_cmb.R): delta chi-square 82.252 (equal), 544.721 (free)
    >>> res.tests[["comparison", "chisq_diff", "df_diff"]].round(3)
          comparison  chisq_diff  df_diff
    0  none_vs_equal      82.252        1
    1   none_vs_free     544.721        8
    """
    cons = check_constructs(data, constructs)
    loadings = check_option("loadings", loadings, ["both", "equal", "free"])
    if method_name in cons:
        raise EgovsemError(f"The 'method_name' parameter {method_name!r} is also a construct name.")
    if "std_lv" in options:
        raise EgovsemError("The 'std_lv' option cannot be set: the ULMC models fix every latent variance to 1.")
    items = [i for v in cons.values() for i in v]
    dup = sorted({i for i in items if items.count(i) > 1})
    if dup:
        raise EgovsemError(f"The 'constructs' parameter gives item(s) {dup!r} to more than one construct; the "
                           "ULMC needs each item on one substantive construct.")
    base = [f"{f} =~ {' + '.join(its)}" for f, its in cons.items()]
    orth = [f"{method_name} ~~ 0*{f}" for f in cons]
    syn = {"none": "\n".join(base)}
    if loadings in ("both", "equal"):
        syn["equal"] = "\n".join(base + [f"{method_name} =~ " + " + ".join(f"lm*{i}" for i in items)] + orth)
    if loadings in ("both", "free"):
        syn["free"] = "\n".join(base + [f"{method_name} =~ " + " + ".join(items)] + orth)
    models = {k: _fit(s, data[items], f"ULMC ({k})" if k != "none" else "CFA (no method factor)", **options)
              for k, s in syn.items()}
    tests = pd.DataFrame([_diff(f"none_vs_{k}", models["none"], models[k]) for k in models if k != "none"])
    rows = []
    for k in models:
        if k == "none":
            continue
        for i in items:
            m = _std(models[k], method_name, "=~", i)
            rows.append({"model": k, "item": i, "method_loading": m, "method_variance": m * m})
    it = pd.DataFrame(rows)
    var = it.groupby("model", sort=False, as_index=False)["method_variance"].mean()
    fits = pd.DataFrame([_fit_row(k, v) for k, v in models.items()])
    return ULMCResult(cons, method_name, models, syn, fits, tests, it, var)


def _scores(data: pd.DataFrame, variables, arg: str) -> pd.DataFrame:
    if isinstance(variables, dict):
        cons = check_constructs(data, variables, arg=arg, min_items=1)
        return pd.DataFrame({c: check_items(data, v, arg=f"{arg}[{c!r}]", min_items=1).mean(axis=1)
                             for c, v in cons.items()})
    return check_items(data, variables, arg=arg, min_items=2)


def lindell_whitney(data: pd.DataFrame, variables, marker, *, r_m: str | float = "smallest",
                    alpha: float = 0.05) -> pd.DataFrame:
    """The marker-variable correction of Lindell & Whitney (2001).

    Each correlation between two substantive variables is adjusted for common-method variance estimated
    by ``r_M``, the correlation of a theoretically unrelated marker with the substantive variables:
    ``r_adj = (r - r_M) / (1 - r_M)``, tested by ``t = r_adj / sqrt((1 - r_adj^2) / (N - 3))`` on
    ``N - 3`` degrees of freedom (two-sided). Lindell & Whitney propose the smallest positive correlation of
    the marker with the substantive variables (``r_m="smallest"``) and, because that smallest value can be
    small by chance, the second smallest as a more conservative choice (``"second"``); a number gives
    ``r_M`` directly. Correlations are Pearson on the rows complete on every variable and the marker.

    Parameters
    ----------
    data : DataFrame
    variables : list of str, or dict of name -> list of str
        The substantive variables (columns), or constructs whose item means are the variables.
    marker : str, list of str
        The marker column, or the marker scale's items (their mean is the marker score).
    r_m : {"smallest", "second"} or float, default "smallest"
    alpha : float, default 0.05

    Returns
    -------
    DataFrame
        ``var1 var2 r r_m r_adj t df pvalue significant`` (one row per pair); ``attrs`` hold ``r_m``,
        ``r_m_rule``, ``n`` and ``marker_r`` (the marker's correlation with each variable).

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import lindell_whitney
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> lw = lindell_whitney(hs, [f"x{i}" for i in range(1, 7)], ["x7", "x8", "x9"])
    >>> # In R (tests/reference/make_reference_cmb.R): r_M = 0.0896 (speed score with x2), x1-x2: 0.2282
    >>> round(lw.attrs["r_m"], 4), round(float(lw.loc[0, "r_adj"]), 4)
    (0.0896, 0.2282)
    """
    X = _scores(data, variables, "variables")
    mk = [marker] if isinstance(marker, str) else marker
    M = check_items(data, mk, arg="marker", min_items=1).mean(axis=1).rename("__marker__")
    overlap = [c for c in mk if (isinstance(variables, dict) and any(c in v for v in variables.values()))
               or (not isinstance(variables, dict) and c in list(variables))]
    if overlap:
        raise EgovsemError(f"The marker item(s) {overlap!r} are also substantive variables; the marker must be "
                           "theoretically unrelated to them and measured by its own items.")
    if not 0 < alpha < 1:
        raise EgovsemError(f"The 'alpha' parameter must be between 0 and 1. Got {alpha!r}.")
    both = pd.concat([X, M], axis=1).dropna()
    n = len(both)
    if n < 4:
        raise EgovsemError(f"The Lindell-Whitney test needs at least 4 complete rows (df = N - 3); got {n}.")
    R = both.corr()
    rmk = R["__marker__"].drop("__marker__")
    pos = np.sort(rmk[rmk > 0].to_numpy())
    if isinstance(r_m, str):
        rule = check_option("r_m", r_m, ["smallest", "second"])
        need = 1 if rule == "smallest" else 2
        if len(pos) < need:
            raise EgovsemError(f"The marker has {len(pos)} positive correlation(s) with the substantive variables; "
                               f"r_m={rule!r} needs {need}. Its correlations: "
                               + ", ".join(f"{k} {v:.3f}" for k, v in rmk.items()) + ".")
        rM = float(pos[need - 1])
    else:
        rule, rM = "given", float(r_m)
        if not -1 < rM < 1:
            raise EgovsemError(f"The 'r_m' parameter must be between -1 and 1. Got {r_m!r}.")
    cols = list(X.columns)
    rows = []
    for a in range(len(cols)):
        for b in range(a + 1, len(cols)):
            r = float(R.loc[cols[a], cols[b]])
            ra = (r - rM) / (1 - rM)
            t = ra / math.sqrt((1 - ra * ra) / (n - 3)) if abs(ra) < 1 else math.copysign(math.inf, ra)
            p = float(2 * stats.t.sf(abs(t), n - 3))
            rows.append({"var1": cols[a], "var2": cols[b], "r": r, "r_m": rM, "r_adj": ra, "t": t, "df": n - 3,
                         "pvalue": p, "significant": bool(p < alpha)})
    out = pd.DataFrame(rows)
    out.attrs.update(r_m=rM, r_m_rule=rule, n=n, marker_r={k: float(v) for k, v in rmk.items()})
    return out
