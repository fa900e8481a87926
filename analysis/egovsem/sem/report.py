"""Text and HTML displays of a fit, laid out like lavaan's ``summary(fit, fit.measures = TRUE)``."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .checks import NONCONVERGENCE_ADVICE, nonconvergence_headline

__all__ = ["summary_text", "summary_html"]

_SECTIONS = [("=~", "Latent Variables"), ("~", "Regressions"), ("~~", "Covariances"), ("~1", "Intercepts"),
             ("var", "Variances"), (":=", "Defined Parameters")]


def _section_rows(params: pd.DataFrame, key: str) -> pd.DataFrame:
    if key == "~~":
        return params[(params["op"] == "~~") & (params["lhs"] != params["rhs"])]
    if key == "var":
        return params[(params["op"] == "~~") & (params["lhs"] == params["rhs"])]
    return params[params["op"] == key]


def _fmt(x, w=9, d=3):
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return " " * w
    return f"{x:{w}.{d}f}"


def summary_text(res) -> str:
    fm = res.fit_measures
    lines = []
    from .. import __version__

    if not res.converged:  # said first, before any number (issue 10, item 3)
        lines.append(nonconvergence_headline(res))
        lines.append(f"   {NONCONVERGENCE_ADVICE[0].upper()}{NONCONVERGENCE_ADVICE[1:]}.")
    lines.append(f"egovsem {__version__}: {res.estimator} estimation "
                 f"{'converged' if res.converged else 'DID NOT CONVERGE'} after {res.iterations} iterations")
    lines.append("")
    lines.append(f"  Number of model parameters {res.npar:>30d}")
    lines.append(f"  Number of observations {res.nobs:>34d}")
    if res.n_dropped:
        lines.append(f"  Rows removed by listwise deletion {res.n_dropped:>23d}")
    lines.append("")
    lines.append("Model Test User Model:")
    lines.append(f"  Test statistic {fm['chisq']:>42.3f}")
    lines.append(f"  Degrees of freedom {int(fm['df']):>38d}")
    lines.append(f"  P-value (Chi-square) {fm['pvalue']:>36.3f}" if np.isfinite(fm["pvalue"]) else "")
    lines.append("")
    lines.append("Fit indices:")
    for k, lab in [("cfi", "Comparative Fit Index (CFI)"), ("tli", "Tucker-Lewis Index (TLI)"),
                   ("logl", "Loglikelihood user model (H0)"), ("unrestricted.logl", "Loglikelihood unrestricted model (H1)"),
                   ("aic", "Akaike (AIC)"), ("bic", "Bayesian (BIC)"), ("rmsea", "RMSEA"),
                   ("rmsea.ci.lower", "90 Percent confidence interval - lower"),
                   ("rmsea.ci.upper", "90 Percent confidence interval - upper"),
                   ("rmsea.pvalue", "P-value H_0: RMSEA <= 0.050"), ("srmr", "SRMR")]:
        lines.append(f"  {lab:<44}{_fmt(fm[k], 14)}")
    lines.append("")
    lines.append("Parameter Estimates:")
    info = res.extra.get("information", "expected")
    kind = "robust (Huber-White sandwich)" if res.estimator == "MLR" else "standard"
    lines.append(f"  Standard errors: {kind}, {info} information")
    params = res.params
    head = f"{'':<22}{'Estimate':>9}{'Std.Err':>9}{'z-value':>9}{'P(>|z|)':>9}{'Std.lv':>9}{'Std.all':>9}"
    groups = sorted(g for g in params["group"].unique() if g > 0)
    labels = getattr(res, "group_labels", None)
    for g in groups:
        block = params[params["group"] == g]
        if len(groups) > 1:
            lines.append("")
            lines.append(f"Group {g} [{labels[g - 1] if labels else g}]:")
        _param_sections(lines, block, head, params.columns.get_loc("std.all"))
    _param_sections(lines, params[params["group"] == 0], head, params.columns.get_loc("std.all"))
    r2 = res.r2
    if len(r2):
        lines.append("")
        lines.append("R-Square:")
        for k, v in r2.items():
            name = " / ".join(map(str, k)) if isinstance(k, tuple) else str(k)
            lines.append(f"    {name:<18}{_fmt(v)}")
    return "\n".join(lines)


def _param_sections(lines, params, head, std_all_col):
    for key, title in _SECTIONS:
        rows = _section_rows(params, key)
        if rows.empty:
            continue
        lines.append("")
        lines.append(f"{title}:")
        lines.append(head)
        last = None
        for r in rows.itertuples(index=False):
            if key in ("=~", "~", "~~") and r.lhs != last:
                lines.append(f"  {r.lhs} {r.op}")
                last = r.lhs
            name = r.lhs if key in (":=", "~1", "var") else r.rhs
            lab = f" ({r.label})" if r.label and key != ":=" else ""
            se = r.se if r.se > 0 else np.nan
            lines.append(
                f"    {(name + lab)[:18]:<18}{_fmt(r.est)}{_fmt(se)}{_fmt(r.z)}{_fmt(r.pvalue)}"
                f"{_fmt(r[std_all_col - 1])}{_fmt(r[std_all_col])}"
            )


def summary_html(res) -> str:
    fm = res.fit_measures
    keys = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr",
            "aic", "bic"]
    fit_html = "".join(f"<tr><th>{k}</th><td>{fm[k]:.3f}</td></tr>" for k in keys)
    p = res.params.copy()
    for c in ["est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox"]:
        p[c] = p[c].map(lambda v: "" if not np.isfinite(v) else f"{v:.3f}")
    status = "converged" if res.converged else "<b style='color:#b00'>did not converge</b>"
    head = "" if res.converged else (f"<p><b style='color:#b00'>{html.escape(nonconvergence_headline(res))}</b><br>"
                                     f"{html.escape(NONCONVERGENCE_ADVICE[0].upper() + NONCONVERGENCE_ADVICE[1:])}.</p>")
    return (
        f"<div class='egovsem-results'>{head}<p><b>egovsem SEM</b> ({html.escape(res.estimator)}), N = {res.nobs}"
        f"{f' ({res.n_dropped} rows removed listwise)' if res.n_dropped else ''}, {status}</p>"
        f"<table><caption>Fit measures</caption>{fit_html}</table>"
        f"{p.to_html(index=False, classes='egovsem-params', border=0)}</div>"
    )
