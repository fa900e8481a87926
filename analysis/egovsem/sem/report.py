"""Text and HTML displays of a fit, laid out like lavaan's ``summary(fit, fit.measures = TRUE)``."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .checks import NONCONVERGENCE_ADVICE, nonconvergence_headline

__all__ = ["summary_text", "summary_html", "fit_section_rows", "fit_section_lines"]

_SECTIONS = [("=~", "Latent Variables"), ("<~", "Composites"), ("~", "Regressions"), ("~~", "Covariances"), ("~1", "Intercepts"),
             ("|", "Thresholds"), ("var", "Variances"), ("~*~", "Scales y*"), (":=", "Defined Parameters")]


def _section_rows(params: pd.DataFrame, key: str) -> pd.DataFrame:
    if key == "~~":
        return params[(params["op"] == "~~") & (params["lhs"] != params["rhs"])]
    if key == "var":
        return params[(params["op"] == "~~") & (params["lhs"] == params["rhs"])]
    return params[params["op"] == key]


def fmt_value(x, w=9, d=3):
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return " " * w
    return f"{x:{w}.{d}f}"


def _finite(fm: pd.Series, key: str) -> bool:
    return key in fm.index and fm[key] is not None and bool(np.isfinite(fm[key]))


def _robust(res) -> str | None:
    """``"MLR"`` (a Yuan-Bentler scaled test), ``"scaled.shifted"`` (WLSMV, or ML with that test),
    ``"satorra.bentler"`` (MLM) or None (one column)."""
    fm = res.fit_measures
    if not _finite(fm, "chisq.scaled"):
        return None
    test = getattr(res.opts, "test", "")
    if test == "mean.var.adjusted":
        return "mean.var.adjusted"
    if res.estimator == "WLSMV" or test == "scaled.shifted":
        return "scaled.shifted"
    return "satorra.bentler" if test == "satorra.bentler" else "MLR"


def _group_statistics(res) -> list[tuple[str, float]]:
    """``[(group label, N_g F_g)]``: each group's share of the chi-square of a complete-data multi-group ML
    fit (lavaan's "Test statistic for each group"; with fixed.x the exogenous block of Sigma is S's and adds
    nothing); empty for one group or FIML."""
    own = getattr(res, "group_chisq", None)
    if own is not None:  # a fit that computes its own (multi-group WLSMV)
        return [(str(lab), float(t)) for lab, t in own]
    if res.ngroups < 2 or res.missing == "fiml":
        return []
    rams, stats = res.rams, res.group_stats
    if not rams or not stats:
        return []
    out = []
    disc = getattr(res.opts, "discrepancy", "ML")
    for lab, ram, st in zip(res.group_labels, rams, stats):
        Sigma, mu, *_ = ram.implied(res.theta)
        if disc in ("GLS", "ULS"):
            from .ls import ls_discrepancy

            n = st.nobs
            out.append((str(lab), (n - 1.0) * ls_discrepancy(disc, st.cov * n / (n - 1.0), st.mean, Sigma, mu,
                                                              True)))
            continue
        S, d = st.cov, st.mean - mu
        W = np.linalg.inv(Sigma)
        F = np.linalg.slogdet(Sigma)[1] - np.linalg.slogdet(S)[1] + np.sum(S * W) - S.shape[0] + d @ W @ d
        out.append((str(lab), float(getattr(st, "nobs_w", st.nobs) * F)))
    return out


def _group_share(res, label: str) -> float:
    """``N_g / N`` of the group called ``label`` (lavaan's share ``fg`` of the shift parameter)."""
    labels = [str(g) for g in getattr(res, "group_labels", None) or []]
    nobs = getattr(res, "group_nobs", None) or [st.nobs for st in getattr(res, "group_stats", None) or []]
    return float(nobs[labels.index(label)]) / float(sum(nobs))


def fit_section_rows(res) -> list[tuple]:
    """The fit part of lavaan's ``summary(fit, fit.measures = TRUE)`` as rows.

    Each row is ``("title", text)``, ``("blank",)``, ``("note", text)`` (an indented footnote line),
    ``("head",)`` (the "Standard / Scaled" column header) or ``("row", label, standard, scaled, kind, keys)``
    with ``kind`` ``"f"`` (3 decimals) or ``"df"`` (an integer where integral), ``standard``/``scaled`` None
    leaving that column empty, and ``keys`` the names of the two values in :attr:`fit_measures` (None for a
    value derived here: the shift parameter, each group's statistic).

    After MLR and WLSMV there are two columns: the "Scaled" column holds the scaled statistic (Yuan-Bentler,
    or WLSMV's scaled-shifted) and the indices computed from it, and the "Robust" rows the robust
    CFI/TLI/RMSEA (Brosseau-Liard and Savalei), as lavaan prints them.
    """
    fm = res.fit_measures
    rob = _robust(res)

    def v(key):
        return float(fm[key]) if _finite(fm, key) else None

    def R(label, std_key, scaled_key, kind="f", *, robust_only=False):
        """A row of the two columns: the fit measure ``std_key`` and, after MLR/WLSMV, ``scaled_key``."""
        std = None if std_key is None else v(std_key)
        scaled = v(scaled_key) if rob else None
        if robust_only and rob and scaled is None and scaled_key in fm.index:
            scaled = "NA"  # lavaan prints NA where it has no robust value (multi-group WLSMV)
        return ("row", label, std, scaled, kind, (std_key, scaled_key if rob else None))

    shift = (fm["chisq.scaled"] - fm["chisq"] / fm["chisq.scaling.factor"]  # scaled = chisq / c + shift
             if rob == "scaled.shifted" and v("chisq.scaling.factor") is not None else 0.0)
    rows: list[tuple] = [("title", "Model Test User Model:"), ("head",) if rob else ("blank",)]
    rows += [R("Test Statistic" if rob else "Test statistic", "chisq", "chisq.scaled", "f"),
             R("Degrees of freedom", "df", "df.scaled", "df")]
    if v("df"):
        rows.append(R("P-value (Chi-square)", "pvalue", "pvalue.scaled", "f"))
    if rob and v("chisq.scaling.factor") is not None:
        rows.append(R("Scaling correction factor", None, "chisq.scaling.factor", "f", robust_only=True))
        if rob == "scaled.shifted":
            rows += [("row", "Shift parameter", None, float(shift), "f", (None, None)),
                     ("note", "  simple second-order correction")]
        else:
            note = {"satorra.bentler": "Satorra-Bentler correction", "yuan.bentler": "Yuan-Bentler correction",
                    "mean.var.adjusted": "mean and variance adjusted correction"}
            rows.append(("note", "  " + note.get(getattr(res.opts, "test", ""),
                                                 "Yuan-Bentler correction (Mplus variant)")))
    groups = _group_statistics(res)
    if groups:
        rows.append(("note", "Test statistic for each group:"))
        c = v("chisq.scaling.factor") if rob else None
        for lab, t in groups:
            scaled_g = t / c if c else None
            if c and rob == "scaled.shifted":  # lavaan shares the shift among the groups by their N_g / N
                scaled_g = t / c + float(shift) * _group_share(res, lab)
            rows.append(("row", "  " + lab, t, scaled_g, "f", (None, None)))
    if _finite(fm, "baseline.chisq"):
        rows += [("blank",), ("title", "Model Test Baseline Model:"), ("blank",),
                 R("Test statistic", "baseline.chisq", "baseline.chisq.scaled", "f"),
                 R("Degrees of freedom", "baseline.df", "baseline.df.scaled", "df"),
                 R("P-value", "baseline.pvalue", "baseline.pvalue.scaled", "f")]
        if rob and v("baseline.chisq.scaling.factor") is not None:
            rows.append(R("Scaling correction factor", None, "baseline.chisq.scaling.factor", "f", robust_only=True))
        rows += [("blank",), ("title", "User Model versus Baseline Model:"), ("blank",),
                 R("Comparative Fit Index (CFI)", "cfi", "cfi.scaled", "f"),
                 R("Tucker-Lewis Index (TLI)", "tli", "tli.scaled", "f")]
        if rob and rob != "mean.var.adjusted":  # lavaan has no robust indices after that test
            rows += [("blank",), R("Robust Comparative Fit Index (CFI)", None, "cfi.robust", "f", robust_only=True),
                     R("Robust Tucker-Lewis Index (TLI)", None, "tli.robust", "f", robust_only=True)]
    if _finite(fm, "logl"):
        mlr = rob == "MLR"
        rows += [("blank",), ("title", "Loglikelihood and Information Criteria:"), ("blank",),
                 R("Loglikelihood user model (H0)", "logl", "logl", "f")]
        if mlr and v("scaling.factor.h0") is not None:
            rows += [R("Scaling correction factor", None, "scaling.factor.h0", "f", robust_only=True),
                     ("note", "    for the MLR correction")]
        rows.append(R("Loglikelihood unrestricted model (H1)", "unrestricted.logl", "unrestricted.logl", "f"))
        if mlr and v("scaling.factor.h1") is not None:
            rows += [R("Scaling correction factor", None, "scaling.factor.h1", "f", robust_only=True),
                     ("note", "    for the MLR correction")]
        rows += [("blank",), R("Akaike (AIC)", "aic", "aic", "f"),
                 R("Bayesian (BIC)", "bic", "bic", "f"),
                 R("Sample-size adjusted Bayesian (SABIC)", "bic2", "bic2", "f")]
    if _finite(fm, "rmsea"):
        close, notclose = fm.get("rmsea.close.h0", 0.05), fm.get("rmsea.notclose.h0", 0.08)
        rows += [("blank",), ("title", "Root Mean Square Error of Approximation:"), ("blank",),
                 R("RMSEA", "rmsea", "rmsea.scaled", "f"),
                 R("90 Percent confidence interval - lower", "rmsea.ci.lower", "rmsea.ci.lower.scaled", "f"),
                 R("90 Percent confidence interval - upper", "rmsea.ci.upper", "rmsea.ci.upper.scaled", "f"),
                 R(f"P-value H_0: RMSEA <= {close:.3f}", "rmsea.pvalue", "rmsea.pvalue.scaled", "f"),
                 R(f"P-value H_0: RMSEA >= {notclose:.3f}", "rmsea.notclose.pvalue", "rmsea.notclose.pvalue.scaled",
                   "f")]
        if rob and rob != "mean.var.adjusted":
            rows += [("blank",), R("Robust RMSEA", None, "rmsea.robust", "f", robust_only=True),
                     R("90 Percent confidence interval - lower", None, "rmsea.ci.lower.robust", "f", robust_only=True),
                     R("90 Percent confidence interval - upper", None, "rmsea.ci.upper.robust", "f", robust_only=True),
                     R(f"P-value H_0: Robust RMSEA <= {close:.3f}", None, "rmsea.pvalue.robust", "f", robust_only=True),
                     R(f"P-value H_0: Robust RMSEA >= {notclose:.3f}", None, "rmsea.notclose.pvalue.robust", "f",
                       robust_only=True)]
    if _finite(fm, "srmr"):
        rows += [("blank",), ("title", "Standardized Root Mean Square Residual:"), ("blank",),
                 R("SRMR", "srmr", "srmr", "f")]
    return rows


def _num(x, kind: str) -> str:
    if x is None:
        return ""
    if isinstance(x, str):
        return x
    if kind == "df" and float(x).is_integer():
        return f"{int(x)}"
    return f"{x:.3f}"


def fit_section_lines(res) -> list[str]:
    """:func:`fit_section_rows` laid out as lavaan prints them: labels in 43 columns, the "Standard" column
    right-aligned in 11 and the "Scaled" column in 12."""
    out = []
    for r in fit_section_rows(res):
        if r[0] == "title":
            out.append(r[1])
        elif r[0] == "blank":
            out.append("")
        elif r[0] == "head":
            out.append(f"{'':<43}{'Standard':>11}{'Scaled':>12}")
        elif r[0] == "note":
            out.append(f"  {r[1]}")
        else:
            _, label, std, scaled, kind, _keys = r
            line = f"  {label:<41}{_num(std, kind):>11}"
            if scaled is not None:
                line += f"{_num(scaled, kind):>12}"
            out.append(line.rstrip())
    return out


def design_lines(res) -> list[str]:
    """lavaan's summary lines of a survey design: the weight variable and the number of clusters."""
    out = []
    w = getattr(res.opts, "sampling_weights", None)
    if w is not None:
        out.append(f"  Sampling weights variable {w:>31}")
        out.append(f"  Sampling weights normalization {res.opts.sampling_weights_normalization:>26}")
    cl = getattr(res.opts, "cluster", None)
    if cl is not None:
        stats = res.group_stats or ()
        nc = sum(int(np.max(st.cluster)) + 1 for st in stats if getattr(st, "cluster", None) is not None)
        out.append(f"  Number of clusters [{cl}] {nc:>{max(1, 35 - len(cl))}d}")
    return out


def summary_text(res) -> str:
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
    lines += design_lines(res)
    lines.append("")
    lines += fit_section_lines(res)
    lines.append("")
    lines.append("Parameter Estimates:")
    info = res.vcov_part.information
    kind = {"robust.huber.white": "robust (Huber-White sandwich)",
            "robust.sem": "robust.sem (sandwich with the sample's fourth moments, Gamma)"}.get(res.opts.se, "standard")
    if getattr(res.opts, "cluster", None) is not None:
        kind = "cluster-robust (Huber-White sandwich, scores summed within clusters)"
    lines.append(f"  Standard errors: {kind}, {info} information")
    params = res.params
    head = f"{'':<22}{'Estimate':>9}{'Std.Err':>9}{'z-value':>9}{'P(>|z|)':>9}{'Std.lv':>9}{'Std.all':>9}"
    groups = sorted(g for g in params["group"].unique() if g > 0)
    labels = getattr(res, "group_labels", None)
    r2 = res.r2
    per_group = len(groups) > 1 and isinstance(r2.index, pd.MultiIndex)
    for g in groups:
        block = params[params["group"] == g]
        if len(groups) > 1:
            lines.append("")
            lines.append(f"Group {g} [{labels[g - 1] if labels else g}]:")
        _param_sections(lines, block, head, params.columns.get_loc("std.all"))
        if per_group:
            _r2_lines(lines, r2[r2.index.get_level_values(0) == (labels[g - 1] if labels else g)])
    _param_sections(lines, params[params["group"] == 0], head, params.columns.get_loc("std.all"))
    if not per_group:
        _r2_lines(lines, r2)
    return "\n".join(lines)


def _r2_lines(lines: list[str], r2: pd.Series) -> None:
    if not len(r2):
        return
    lines += ["", "R-Square:", f"{'':<22}{'Estimate':>9}"]
    for k, v in r2.items():
        name = str(k[-1]) if isinstance(k, tuple) else str(k)
        lines.append(f"    {name:<18}{fmt_value(v)}")


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
            if key in ("=~", "<~", "~", "~~") and r.lhs != last:
                lines.append(f"  {r.lhs} {r.op}")
                last = r.lhs
            name = r.lhs if key in (":=", "~1", "var", "~*~") else (f"{r.lhs}|{r.rhs}" if key == "|" else r.rhs)
            lab = f" ({r.label})" if r.label and key != ":=" else ""
            se = r.se if r.se > 0 else np.nan
            lines.append(
                f"    {(name + lab)[:18]:<18}{fmt_value(r.est)}{fmt_value(se)}{fmt_value(r.z)}{fmt_value(r.pvalue)}"
                f"{fmt_value(r[std_all_col - 1])}{fmt_value(r[std_all_col])}"
            )


def _fit_html(res) -> str:
    """The fit part of the summary as an HTML table, with the "Standard" and "Scaled" columns after MLR and
    WLSMV (the rows of :func:`fit_section_rows`)."""
    rows = fit_section_rows(res)
    two = any(r[0] == "head" for r in rows)
    ncol = 3 if two else 2
    head = "<tr><th></th><th>Standard</th><th>Scaled</th></tr>" if two else ""
    body = []
    for r in rows:
        if r[0] == "title":
            body.append(f"<tr><th colspan='{ncol}' style='text-align:left'>{html.escape(r[1].rstrip(':'))}</th></tr>")
        elif r[0] == "note":
            body.append(f"<tr><td colspan='{ncol}' style='padding-left:2em'><i>{html.escape(r[1].strip())}</i></td></tr>")
        elif r[0] == "row":
            _, label, std, scaled, kind, _keys = r
            cells = f"<td>{html.escape(label.strip())}</td><td>{_num(std, kind)}</td>"
            if two:
                cells += f"<td>{_num(scaled, kind)}</td>"
            body.append(f"<tr>{cells}</tr>")
    return f"<table class='egovsem-fit'><caption>Fit measures</caption>{head}{''.join(body)}</table>"


def summary_html(res) -> str:
    p = res.params.copy()
    for c in ["est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox"]:
        p[c] = p[c].map(lambda v: "" if not np.isfinite(v) else f"{v:.3f}")
    status = "converged" if res.converged else "<b style='color:#b00'>did not converge</b>"
    head = "" if res.converged else (f"<p><b style='color:#b00'>{html.escape(nonconvergence_headline(res))}</b><br>"
                                     f"{html.escape(NONCONVERGENCE_ADVICE[0].upper() + NONCONVERGENCE_ADVICE[1:])}.</p>")
    return (
        f"<div class='egovsem-results'>{head}<p><b>egovsem SEM</b> ({html.escape(res.estimator)}), N = {res.nobs}"
        f"{f' ({res.n_dropped} rows removed listwise)' if res.n_dropped else ''}, {status}</p>"
        f"{_fit_html(res)}"
        f"{p.to_html(index=False, classes='egovsem-params', border=0)}</div>"
    )
