"""PLS-SEM in ``egovsem run``: config ``method: pls`` or ``method: [cbsem, pls]``.

The hypothesis models of the run are estimated by :func:`egovsem.pls` (their ``=~`` blocks in mode A, ``<~`` in
mode B, the ``~`` paths; labels, ``:=``, ``~~`` and other CB-SEM statements are left out) with a bootstrap and
PLSpredict, and reported as Hair, Risher, Sarstedt & Ringle (2019, *European Business Review*, "When to use and
how to report the results of PLS-SEM") list it:

* measurement model: loadings (bootstrap CI), Cronbach's alpha, rho_A, rho_C, AVE; HTMT with its bootstrap
  percentile interval;
* structural model: path coefficients with bootstrap percentile CIs, the hypothesis decision, f-squared and the
  VIF of the predictors; R-squared (adjusted); PLSpredict (Q-squared-predict, RMSE and MAE against the linear-model
  benchmark; Shmueli et al. 2019);
* with ``[cbsem, pls]``: the two solutions side by side per hypothesis, and a paragraph on where they differ and
  why (composite versus common-factor model), written from the numbers.

The settings are the config's ``pls`` mapping (:data:`PLS_KEYS`); the seed is the run's ``seed``.
:func:`run_pls_only` is the whole run for ``method: pls`` (instrument, cleaning, then PLS only); with both methods
:mod:`egovsem.study.pipeline` calls :func:`fit_pls_models`, :func:`pls_tables`, :func:`pls_paragraph` and
:func:`pls_results` beside its CB-SEM steps.
"""
from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import EgovsemError, NotAvailableError
from ..tables import apa_ci, apa_number, apa_p
from .titles import model_title

__all__ = ["PLS_KEYS", "PLS_DEFAULTS", "check_pls_settings", "pls_syntax", "PLSRun", "fit_pls_models",
           "pls_tables", "pls_paragraph", "comparison_rows", "pls_results", "run_pls_only"]

#: the keys of the config's ``pls`` mapping
PLS_KEYS = {
    "models": "the models estimated by PLS-SEM (default: the primary model)",
    "bootstrap": "bootstrap resamples (default 5000, Hair et al. 2017; at least 10)",
    "weighting": "inner weighting scheme: path (default), factorial or centroid",
    "consistent": "true for PLSc (Dijkstra & Henseler 2015): the =~ constructs as common factors",
    "missing": "mean (mean replacement, seminr's default) or listwise",
    "ci": "bootstrap interval: perc (percentile, default) or bca",
    "folds": "folds of PLSpredict (default 10)",
    "reps": "repetitions of PLSpredict (default 1)",
    "omission_distance": "omission distance D of the blindfolding Q-squared (default 7)",
    "higher_order": "a higher-order construct (H =~ A + B) by repeated_indicators (default: one model) or "
                    "two_stage (bootstrapped too; PLSpredict, not available for it, is skipped with a note)",
    "n_jobs": "processes for the bootstrap (default 1; the numbers do not depend on it)",
}
PLS_DEFAULTS: dict[str, Any] = {"models": None, "bootstrap": 5000, "weighting": "path", "consistent": False,
                                "missing": "mean", "ci": "perc", "folds": 10, "reps": 1, "n_jobs": 1,
                                "omission_distance": 7, "higher_order": "repeated_indicators"}
_ALPHA = 0.05


def _bad(source: str, key: str, what: str, value: Any) -> EgovsemError:
    return EgovsemError(f"The 'pls: {key}' key of {source} must be {what}. Got {value!r} instead.")


def _count(d: dict, key: str, source: str, minimum: int) -> int:
    v = d[key]
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise _bad(source, key, f"an integer of at least {minimum}", v)
    return int(v)


def check_pls_settings(value: Any, *, source: str, models, paths=(), methods=("cbsem",)) -> dict[str, Any]:
    """The config's ``pls`` mapping, checked and completed with :data:`PLS_DEFAULTS`.

    ``models`` are the run's model names (``paths`` the same models as written, .lav files included);
    ``methods`` the config's ``method``. A ``pls`` mapping without ``method: pls`` is an error (it would not be
    used).
    """
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise EgovsemError(f"The 'pls' key of {source} must be a mapping of PLS settings ({', '.join(PLS_KEYS)}). "
                           f"Got {value!r} instead.")
    if value and "pls" not in methods:
        raise EgovsemError(f"The 'pls' key of {source} gives PLS settings, but 'method' is "
                           f"{'/'.join(methods)}: add 'method: [cbsem, pls]' (or 'method: pls'), or leave 'pls' out.")
    unknown = [k for k in value if k not in PLS_KEYS]
    if unknown:
        raise EgovsemError(f"The 'pls' key of {source} has the unknown setting {unknown[0]!r} (value "
                           f"{value[unknown[0]]!r}); the settings are: {', '.join(PLS_KEYS)}.")
    d = dict(PLS_DEFAULTS, **value)
    out: dict[str, Any] = {}
    ms = d["models"]
    if ms is not None:
        if isinstance(ms, str):
            ms = [s.strip() for s in ms.split(",") if s.strip()]
        if not isinstance(ms, (list, tuple)) or not ms or not all(isinstance(m, str) for m in ms):
            raise _bad(source, "models", "a non-empty list of the run's models", d["models"])
        names = list(models)
        stems = {p: n for p, n in zip(paths, names)}
        bad = [m for m in ms if m not in names and m not in stems]
        if bad:
            raise _bad(source, "models", "a list of the run's models " + ", ".join(repr(n) for n in names), bad[0])
        ms = tuple(dict.fromkeys(stems.get(m, m) for m in ms))
    out["models"] = ms
    out["bootstrap"] = _count(d, "bootstrap", source, 10)
    for key, options in (("weighting", ("path", "factorial", "centroid")), ("missing", ("mean", "listwise")),
                         ("ci", ("perc", "bca")), ("higher_order", ("repeated_indicators", "two_stage"))):
        v = d[key]
        if not isinstance(v, str) or v.lower() not in options:
            raise _bad(source, key, "one of " + ", ".join(repr(o) for o in options), v)
        out[key] = v.lower()
    if not isinstance(d["consistent"], bool):
        raise _bad(source, "consistent", "true or false", d["consistent"])
    out["consistent"] = d["consistent"]
    out["folds"] = _count(d, "folds", source, 2)
    out["reps"] = _count(d, "reps", source, 1)
    out["n_jobs"] = _count(d, "n_jobs", source, 1)
    out["omission_distance"] = _count(d, "omission_distance", source, 2)
    return out


def pls_syntax(model: str) -> tuple[str, dict[tuple[str, str], str], list[str]]:
    """The PLS path model of a CB-SEM model in lavaan syntax.

    Returns the PLS syntax (``=~``, ``<~`` and ``~`` statements, without modifiers but fixed ``<~`` weights),
    the hypothesis label of each path ``(lhs, rhs)`` and the statements left out (``:=``, ``~~``, ...), as
    written.

    >>> s, lab, left = pls_syntax("F =~ a + b\\nG =~ c + d\\nG ~ h1*F\\nab := h1*2\\na ~~ b")
    >>> print(s), lab, left
    F =~ a
    F =~ b
    G =~ c
    G =~ d
    G ~ F
    (None, {('G', 'F'): 'h1'}, ['ab := h1*2', 'a ~~ b'])
    """
    from ..pls.interactions import read_model

    stmts, _ = read_model(model)
    lines, labels, left = [], {}, []
    for s in stmts:
        if s.op == "<~" and s.mod.fixed is not None:
            lines.append(f"{s.lhs} <~ {s.mod.fixed:g}*{s.rhs}")
        elif s.op in ("=~", "<~", "~"):
            lines.append(f"{s.lhs} {s.op} {s.rhs}")
            if s.op == "~" and s.mod.label:
                labels[(s.lhs, s.rhs)] = s.mod.label
        else:
            shown = f"{s.lhs} {'~ 1' if s.op == '~1' else s.op} {s.rhs}".strip()
            if shown not in left:
                left.append(shown)
    return "\n".join(lines), labels, left


@dataclass
class PLSRun:
    """The PLS results of one model of the run."""

    fit: Any
    predict: Any  # None: PLSpredict not available for the model (``skipped`` says why)
    syntax: str
    labels: dict
    left_out: list
    signs: dict
    f2: pd.Series
    vif: pd.Series
    seconds: float
    warnings: list = field(default_factory=list)
    q2: pd.DataFrame | None = None  # blindfolding Q-squared (SSO, SSE, q2 by construct)
    skipped: list = field(default_factory=list)  # the steps egovsem refuses for this model: dicts step, en, zh


#: the optional PLS steps of the run: step -> (name in en, in zh)
_STEPS = {"predict": ("PLSpredict (Q²predict, RMSE and MAE against the linear-model benchmark)",
                      "PLSpredict（Q²predict、RMSE与MAE及线性模型基准比较）"),
          "blindfolding": ("the blindfolding Q²", "blindfolding Q²")}


def skip_note(m: str, step: str, fit, err: Exception) -> dict:
    """The note (en, zh) of a PLS step that egovsem refuses for model ``m`` (``err``, a NotAvailableError):
    a dict ``step``, ``en``, ``zh``. The run goes on without the step."""
    what = _STEPS[step]
    if fit.first_stage is not None:
        hoc = ", ".join(f"{h} ({' + '.join(ds)})" for h, ds in fit.higher_order.items())
        why_zh = f"模型含以两阶段法估计的高阶构念{hoc}，egovsem对此类模型不提供这一步"
    elif fit.interactions:
        why_zh = f"模型含交互项{'、'.join(fit.interactions)}，egovsem对此类模型不提供这一步"
    else:
        why_zh = "egovsem不提供该模型的这一步"
    return {"step": step,
            "en": f"{what[0][0].upper()}{what[0][1:]} was skipped for the PLS model {m!r} (the run went on without "
                  f"it): {err}",
            "zh": f"PLS模型{m!r}跳过了{what[1]}（其余分析照常进行）：{why_zh}（英文说明：{err}）。"}


def _signs(res, text: str) -> dict:
    from ..tables.signs import expected_signs

    cfg = res.config
    known = expected_signs(text)
    return expected_signs(text, overrides={k: v for k, v in cfg.signs if k in known})


def fit_pls_models(res, texts: dict, say=None) -> None:
    """Estimate the config's PLS models (``cfg.pls_models``) into ``res.pls``: the fit with its bootstrap,
    PLSpredict, f-squared and the VIF of the predictors."""
    from ..pls import pls

    cfg = res.config
    s = cfg.pls
    say = say or (lambda msg: None)
    for m in cfg.pls_models:
        syntax, labels, left = pls_syntax(texts[m])
        t = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = pls(syntax, res.data, weighting=s["weighting"], consistent=s["consistent"], missing=s["missing"],
                      bootstrap=s["bootstrap"], seed=cfg.seed, ci=s["ci"], n_jobs=s["n_jobs"], progress=False,
                      higher_order=s["higher_order"])
            skipped = []
            try:
                pred = fit.predict(folds=s["folds"], reps=s["reps"], seed=cfg.seed)
            except NotAvailableError as err:  # a higher-order construct of the two-stage approach
                pred = None
                skipped.append(skip_note(m, "predict", fit, err))
            f2, vif = fit.f2(), fit.vif("antecedents")
            try:
                q2 = fit.blindfolding(s["omission_distance"])
            except NotAvailableError as err:  # an endogenous higher-order construct of the two-stage approach
                q2 = None
                skipped.append(skip_note(m, "blindfolding", fit, err))
        if not fit.converged:
            raise EgovsemError(f"egovsem run: the PLS estimation of {m!r} did not converge after {fit.iterations} "
                               "iterations; check the model's blocks (egovsem fit MODEL DATA --method pls).")
        run = PLSRun(fit=fit, predict=pred, syntax=syntax, labels=labels, left_out=left, signs=_signs(res, texts[m]),
                     f2=f2, vif=vif, q2=q2, seconds=time.perf_counter() - t, skipped=skipped,
                     warnings=list(dict.fromkeys(str(w.message) for w in caught)))
        res.pls[m] = run
        r2 = ", ".join(f"{c} {v:.2f}" for c, v in fit.r2.items())
        say(f"PLS {m}: {fit.estimator}, {s['weighting']} weighting, N = {fit.nobs}, {s['bootstrap']} bootstrap "
            f"resamples, R2 {r2} ({run.seconds:.1f} s)")
        for note in skipped:  # the run log (en, zh) and results.json's notes
            res.notes.append((f"pls_{m}_{note['step']}", (note["en"], note["zh"])))
            say(note["en"])
            say(note["zh"])


# -- tables --------------------------------------------------------------------------------------------
def _labels(res) -> dict:
    from ..tables._labels import resolve_labels

    return resolve_labels(res.instrument)


def _abbrev(codes, lab) -> tuple[str, str]:
    from ..tables._labels import abbreviations

    return abbreviations(codes, lab)


def _ci_text(s: dict) -> tuple[str, str]:
    if s["ci"] == "perc":
        return ("95% percentile bootstrap CI", "95%百分位bootstrap置信区间")
    return ("95% bias-corrected and accelerated (BCa) bootstrap CI", "95%偏差校正加速（BCa）bootstrap置信区间")


def _settings_text(res, r: PLSRun) -> tuple[str, str]:
    s, fit = res.config.pls, r.fit
    w = {"path": ("path", "路径"), "factorial": ("factorial", "因子"), "centroid": ("centroid", "中心")}[s["weighting"]]
    est = (("consistent PLS (PLSc)", "一致性PLS（PLSc）") if s["consistent"] else ("PLS", "PLS"))
    miss = (("missing answers replaced by the item mean", "缺失值以题项均值替换") if s["missing"] == "mean"
            else ("complete cases", "完整个案"))
    B = s["bootstrap"]
    design = getattr(res.config, "design", None)
    d = (("; unweighted and without the cluster column (the survey design is used by the CB-SEM fits only)",
          "；未加权，未考虑整群（抽样设计仅用于CB-SEM拟合）") if design else ("", ""))
    return (f"{est[0]} with the {w[0]} weighting scheme, N = {fit.nobs} ({miss[0]}); {B} bootstrap resamples "
            f"(seed {res.config.seed}){d[0]}.",
            f"{est[1]}，{w[1]}加权方案，N = {fit.nobs}（{miss[1]}）；{B}次bootstrap重抽样（随机种子{res.config.seed}）{d[1]}。")


def _decision(est: float, lo: float, hi: float, sign: str | None):
    """supported / not supported / opposite sign by the bootstrap interval (excludes zero, expected sign)."""
    if sign is None:
        return None
    if not (lo == lo and hi == hi):
        return "not supported"
    if lo > 0 or hi < 0:
        ok = est > 0 if sign == "+" else est < 0
        return "supported" if ok else "opposite sign"
    return "not supported"


def _sign_of(r: PLSRun, lhs: str, rhs: str) -> str | None:
    lab = r.labels.get((lhs, rhs))
    if not r.labels:  # a model without hypothesis labels: every path expects a positive coefficient
        return "+"
    return None if lab is None else r.signs.get(lab, "+")


def _measurement_table(res, m: str, r: PLSRun, note):
    from ..tables.table import build

    fit, lab = r.fit, _labels(res)
    p = fit.params
    load = p[p["op"] == "=~"]
    w = p[p["op"] == "<~"]
    rel = fit.reliability()
    cols = [("construct", "Construct", "构念"), ("item", "Indicator", "题项"), ("loading", "Loading", "载荷"),
            ("ci", "95% CI", "95% CI"), ("alpha", "\u03b1", "\u03b1"), ("rho_a", "\u03c1<sub>A</sub>",
                                                                        "\u03c1<sub>A</sub>"),
            ("rho_c", "\u03c1<sub>C</sub>", "\u03c1<sub>C</sub>"), ("ave", "AVE", "AVE")]
    cols = [(k, e.replace("<sub>", "").replace("</sub>", ""), z.replace("<sub>", "").replace("</sub>", ""))
            for k, e, z in cols]
    cells, values = [], []
    n_low = 0
    for c in fit.spec.constructs:
        mode_b = fit.spec.modes[c] == "B"
        rows = (w if mode_b else load)
        rows = rows[rows["lhs"] == c]
        rr = rel.loc[c]
        for i, d in enumerate(rows.to_dict("records")):
            first = i == 0
            name = (f"{c} ({lab[c][0]})", f"{c}（{lab[c][1]}）") if (first and c in lab) else (c if first else "")
            item = d["rhs"] + (" (weight)" if mode_b else "")
            n_low += (not mode_b) and d["est"] < 0.708
            rl = [rr["alpha"], rr["rhoA"], rr["rhoC"], rr["AVE"]] if first else [math.nan] * 4
            cells.append([name, (item, d["rhs"] + ("（权重）" if mode_b else "")), apa_number(d["est"], 2, bounded=True),
                          apa_ci(d["ci.lower"], d["ci.upper"], 2, bounded=True)]
                         + [apa_number(x, 2, bounded=True) if first else "" for x in rl])
            values.append([c if first else "", d["rhs"], float(d["est"]), (float(d["ci.lower"]), float(d["ci.upper"]))]
                          + [float(x) for x in rl])
    ci = _ci_text(res.config.pls)
    st = _settings_text(res, r)
    notes = [(f"<i>Note.</i> PLS-SEM measurement model. {st[0]} Loadings (weights of mode B constructs) with "
              f"their {ci[0]}s; \u03b1 = Cronbach's alpha; \u03c1A = Dijkstra-Henseler's rho_A; "
              f"\u03c1C = composite reliability; AVE = average variance extracted. Criteria (Hair et al., 2019): "
              f"loadings \u2265 .708 ({n_low} below), reliability .70-.95, AVE \u2265 .50.",
              f"<i>注。</i>PLS-SEM测量模型。{st[1]}载荷（B模式构念为权重）及其{ci[1]}；\u03b1 = Cronbach's α；"
              f"\u03c1A = Dijkstra-Henseler rho_A；\u03c1C = 组合信度；AVE = 平均方差抽取量。判断标准（Hair et al., "
              f"2019）：载荷 \u2265 .708（{n_low}个低于此值），信度.70-.95，AVE \u2265 .50。"),
             _abbrev(fit.spec.constructs, lab)]
    return build(f"pls_measurement_{m}", ("PLS-SEM Measurement Model: Loadings, Reliability and Convergent Validity",
                                          "PLS-SEM测量模型：载荷、信度与收敛效度"),
                 cols, cells, values, notes, align=("l", "l", "r", "c", "r", "r", "r", "r"), note=note)


def _htmt_table(res, m: str, r: PLSRun, note):
    from ..tables.table import build

    fit, lab = r.fit, _labels(res)
    h = fit.htmt(inference=True)
    cols = [("pair", "Constructs", "构念"), ("htmt", "HTMT", "HTMT"), ("ci", "95% CI", "95% CI"),
            ("below_90", "Upper bound < .90", "上限 < .90")]
    cells, values = [], []
    n_over = 0
    for d in h.to_dict("records"):
        ok = bool(d["ci.upper"] < 0.90)
        n_over += not ok
        est = apa_number(d["est"], 2, bounded=True)
        cells.append([f"{d['lhs']} \u2013 {d['rhs']}", f"<b>{est}</b>" if d["est"] >= 0.85 else est,
                      apa_ci(d["ci.lower"], d["ci.upper"], 2, bounded=True), ("yes", "是") if ok else ("no", "否")])
        values.append([f"{d['lhs']}~~{d['rhs']}", float(d["est"]), (float(d["ci.lower"]), float(d["ci.upper"])), ok])
    ci = _ci_text(res.config.pls)
    notes = [(f"<i>Note.</i> Heterotrait-monotrait ratio of the correlations of the items (Henseler et al., 2015) "
              f"of each pair of constructs, with its {ci[0]}; values \u2265 .85 in bold. Discriminant validity is "
              f"supported when the upper bound is below .90 (Hair et al., 2019): {len(h) - n_over} of {len(h)} pairs.",
              f"<i>注。</i>各构念对题项相关的异质-单质比（HTMT；Henseler et al., 2015）及其{ci[1]}；"
              f"\u2265 .85者加粗。上限低于.90时支持区分效度（Hair et al., 2019）：{len(h)}对中有{len(h) - n_over}对。"),
             _abbrev(fit.spec.constructs, lab)]
    return build(f"pls_htmt_{m}", ("PLS-SEM Discriminant Validity: HTMT with Bootstrap Confidence Intervals",
                                   "PLS-SEM区分效度：HTMT及其bootstrap置信区间"),
                 cols, cells, values, notes, align=("l", "r", "c", "c"), note=note)


def _structural_rows(r: PLSRun) -> list[dict]:
    from ..tables._labels import hypothesis_name

    p = r.fit.params
    out = []
    for d in p[p["op"] == "~"].to_dict("records"):
        lhs, rhs = d["lhs"], d["rhs"]
        sign = _sign_of(r, lhs, rhs)
        lab = r.labels.get((lhs, rhs), "")
        out.append(dict(label=lab, hypothesis=hypothesis_name(lab), lhs=lhs, rhs=rhs, est=float(d["est"]),
                        se=float(d["se"]), t=float(d["z"]), p=float(d["pvalue"]), lo=float(d["ci.lower"]),
                        hi=float(d["ci.upper"]), f2=float(r.f2.get((lhs, rhs), math.nan)),
                        vif=float(r.vif.get((lhs, rhs), math.nan)), sign=sign,
                        decision=_decision(float(d["est"]), float(d["ci.lower"]), float(d["ci.upper"]), sign)))
    return out


def _structural_table(res, m: str, r: PLSRun, note):
    from ..tables.signs import DECISIONS
    from ..tables.table import build

    fit, lab = r.fit, _labels(res)
    cols = [("hypothesis", "Hypothesis", "假设"), ("path", "Path", "路径"), ("beta", "\u03b2", "\u03b2"),
            ("se", "<i>SE</i>", "<i>SE</i>"), ("t", "<i>t</i>", "<i>t</i>"), ("p", "<i>p</i>", "<i>p</i>"),
            ("ci", "95% CI", "95% CI"), ("f2", "<i>f</i>\u00b2", "<i>f</i>\u00b2"), ("vif", "VIF", "VIF"),
            ("supported", "Supported", "是否支持")]
    cells, values = [], []
    rows = _structural_rows(r)
    for d in rows:
        hyp = d["hypothesis"] + (" (\u2212)" if d["sign"] == "-" and d["hypothesis"] else "")
        path = f"{d['rhs']} \u2192 {d['lhs']}"
        sup = "\u2014" if d["decision"] is None else DECISIONS[d["decision"]]
        cells.append([hyp, path, apa_number(d["est"], 2, bounded=True), apa_number(d["se"], 2), apa_number(d["t"], 2),
                      apa_p(d["p"]), apa_ci(d["lo"], d["hi"], 2, bounded=True), apa_number(d["f2"], 2),
                      apa_number(d["vif"], 2), sup])
        values.append([d["label"], path, d["est"], d["se"], d["t"], d["p"], (d["lo"], d["hi"]), d["f2"], d["vif"],
                       None if d["decision"] is None else d["decision"] == "supported"])
    ci = _ci_text(res.config.pls)
    n_sup = sum(d["decision"] == "supported" for d in rows)
    n_hyp = sum(d["decision"] is not None for d in rows)
    r2 = "; ".join(f"{c} = {apa_number(v, 2, bounded=True)} ({apa_number(fit.r2_adj[c], 2, bounded=True)})"
                   for c, v in fit.r2.items())
    r2_zh = "；".join(f"{c} = {apa_number(v, 2, bounded=True)}（{apa_number(fit.r2_adj[c], 2, bounded=True)}）"
                      for c, v in fit.r2.items())
    q2_note = ("", "")
    if r.q2 is not None:
        D = r.q2.attrs["omission_distance"]
        q2_note = (f" <i>Q</i>² (blindfolding, cross-validated redundancy, omission distance {D}): "
                   + "; ".join(f"{c} = {apa_number(v, 2, bounded=True)}" for c, v in r.q2["q2"].items()) + ".",
                   f"<i>Q</i>²（blindfolding，交叉验证冗余度，省略距离{D}）："
                   + "；".join(f"{c} = {apa_number(v, 2, bounded=True)}" for c, v in r.q2["q2"].items()) + "。")
    vmax = float(np.nanmax(r.vif.to_numpy())) if r.vif.notna().any() else math.nan
    notes = [(f"<i>Note.</i> PLS-SEM structural model. {_settings_text(res, r)[0]} \u03b2 = path coefficient; "
              f"<i>SE</i> = standard deviation of the bootstrap estimates; <i>t</i> = \u03b2 / <i>SE</i> with its "
              f"two-sided normal <i>p</i>; CI = {ci[0]}; <i>f</i>\u00b2 = effect size (.02 small, .15 medium, .35 "
              f"large); VIF of the predictors of the same construct (largest {apa_number(vmax, 2)}; below 3 "
              f"expected). A hypothesis is supported when the CI excludes zero and \u03b2 has the expected sign: "
              f"{n_sup} of {n_hyp}.",
              f"<i>注。</i>PLS-SEM结构模型。{_settings_text(res, r)[1]}\u03b2 = 路径系数；<i>SE</i> = bootstrap估计值的标准差；"
              f"<i>t</i> = \u03b2 / <i>SE</i>及其双侧正态<i>p</i>值；CI = {ci[1]}；<i>f</i>\u00b2 = 效应量（.02小，.15中，"
              f".35大）；VIF为同一构念各预测变量的方差膨胀因子（最大{apa_number(vmax, 2)}；应低于3）。"
              f"置信区间不含零且\u03b2符合预期方向时假设得到支持：{n_hyp}条中{n_sup}条。"),
             (f"<i>R</i>\u00b2 (adjusted): {r2}.{q2_note[0]}", f"<i>R</i>\u00b2（调整后）：{r2_zh}。{q2_note[1]}"),
             *[(d["en"], d["zh"]) for d in r.skipped],
             _abbrev(fit.spec.constructs, lab)]
    return build(f"pls_structural_{m}", ("PLS-SEM Structural Model: Path Coefficients, Effect Sizes and Collinearity",
                                         "PLS-SEM结构模型：路径系数、效应量与共线性"),
                 cols, cells, values, notes, align=("l", "l", "r", "r", "r", "r", "c", "r", "r", "c"), note=note)


def _predict_text(r: PLSRun) -> str:
    """PLSpredict's summary for summary.txt, or why it was skipped."""
    if r.predict is not None:
        return r.predict.summary()
    return "\n".join(d["en"] for d in r.skipped if d["step"] == "predict")


def _predict_summary(r: PLSRun) -> dict:
    it = r.predict.items
    k = len(it)
    lower = int((it["rmse"] < it["lm.rmse"]).sum())
    if lower == k:
        power = ("high", "高")
    elif lower > k / 2:
        power = ("medium", "中等")
    elif lower > 0:
        power = ("low", "低")
    else:
        power = ("no", "无")
    return {"k": k, "lower": lower, "power": power, "q2_positive": int((it["q2_predict"] > 0).sum())}


def _predict_table(res, m: str, r: PLSRun, note):
    from ..tables.table import build

    it, lab = r.predict.items, _labels(res)
    cols = [("construct", "Construct", "构念"), ("item", "Indicator", "题项"),
            ("q2_predict", "<i>Q</i>\u00b2<sub>predict</sub>", "<i>Q</i>\u00b2<sub>predict</sub>"),
            ("rmse", "RMSE (PLS)", "RMSE（PLS）"), ("lm_rmse", "RMSE (LM)", "RMSE（LM）"),
            ("mae", "MAE (PLS)", "MAE（PLS）"), ("lm_mae", "MAE (LM)", "MAE（LM）")]
    cols = [(k, e.replace("<sub>", "").replace("</sub>", ""), z.replace("<sub>", "").replace("</sub>", ""))
            for k, e, z in cols]
    cells, values = [], []
    prev = None
    for item, d in it.iterrows():
        c = d["construct"]
        first = c != prev
        prev = c
        cells.append([c if first else "", str(item), apa_number(d["q2_predict"], 2, bounded=True),
                      apa_number(d["rmse"], 3), apa_number(d["lm.rmse"], 3), apa_number(d["mae"], 3),
                      apa_number(d["lm.mae"], 3)])
        values.append([c, str(item), float(d["q2_predict"]), float(d["rmse"]), float(d["lm.rmse"]), float(d["mae"]),
                       float(d["lm.mae"])])
    s = _predict_summary(r)
    f, reps = r.predict.n_folds, r.predict.reps
    notes = [(f"<i>Note.</i> PLSpredict (Shmueli et al., 2019): out-of-sample predictions of the indicators of the "
              f"endogenous constructs by {f}-fold cross-validation ({reps} repetition{'s' if reps > 1 else ''}, seed "
              f"{res.config.seed}; direct-antecedent predictions); LM = linear regression of each indicator on the "
              f"indicators of the exogenous constructs. <i>Q</i>\u00b2predict > 0 for {s['q2_positive']} of "
              f"{s['k']} indicators; the PLS RMSE is below the LM RMSE for {s['lower']} of {s['k']}: "
              f"{s['power'][0]} predictive power (Shmueli et al., 2019).",
              f"<i>注。</i>PLSpredict（Shmueli et al., 2019）：以{f}折交叉验证（重复{reps}次，随机种子{res.config.seed}；"
              f"直接前因预测）对内生构念各题项的样本外预测；LM = 各题项对外生构念全部题项的线性回归。"
              f"{s['k']}个题项中{s['q2_positive']}个<i>Q</i>\u00b2predict > 0；{s['k']}个题项中{s['lower']}个的PLS "
              f"RMSE低于LM：预测力{s['power'][1]}（Shmueli et al., 2019）。"),
             _abbrev(list(it["construct"]), lab)]
    return build(f"pls_predict_{m}", ("PLS-SEM Predictive Power: PLSpredict against the Linear-Model Benchmark",
                                      "PLS-SEM预测力：PLSpredict与线性模型基准比较"),
                 cols, cells, values, notes, align=("l", "l", "r", "r", "r", "r", "r"), note=note)


def comparison_rows(res, m: str) -> list[dict]:
    """Per path of model ``m``: the CB-SEM standardised estimate (``std.all``), its p and decision, beside the
    PLS path, its bootstrap interval and decision (the side-by-side table and the paragraph use these)."""
    from ..tables.signs import decision

    r = res.pls[m]
    cb = res.fits[m].params
    cb = cb[cb["op"] == "~"]
    out = []
    for d in _structural_rows(r):
        row = cb[(cb["lhs"] == d["lhs"]) & (cb["rhs"] == d["rhs"])]
        if row.empty:
            continue
        c = row.iloc[0]
        cb_dec = None if d["sign"] is None else decision(float(c["est"]), float(c["pvalue"]), d["sign"], _ALPHA)
        out.append(dict(d, cb_beta=float(c["std.all"]), cb_p=float(c["pvalue"]), cb_decision=cb_dec,
                        diff=d["est"] - float(c["std.all"])))
    return out


def _comparison_table(res, m: str, note):
    from ..tables.signs import DECISIONS
    from ..tables.table import build

    rows = comparison_rows(res, m)
    r = res.pls[m]
    cols = [("hypothesis", "Hypothesis", "假设"), ("path", "Path", "路径"),
            ("cb_beta", "CB-SEM \u03b2", "CB-SEM \u03b2"), ("cb_p", "CB-SEM <i>p</i>", "CB-SEM <i>p</i>"),
            ("cb_supported", "CB-SEM supported", "CB-SEM支持"), ("pls_beta", "PLS \u03b2", "PLS \u03b2"),
            ("pls_ci", "PLS 95% CI", "PLS 95% CI"), ("pls_supported", "PLS supported", "PLS支持"),
            ("diff", "Difference", "差值")]
    dash = "\u2014"
    cells, values = [], []
    for d in rows:
        path = f"{d['rhs']} \u2192 {d['lhs']}"
        cells.append([d["hypothesis"], path, apa_number(d["cb_beta"], 2, bounded=True), apa_p(d["cb_p"]),
                      dash if d["cb_decision"] is None else DECISIONS[d["cb_decision"]],
                      apa_number(d["est"], 2, bounded=True), apa_ci(d["lo"], d["hi"], 2, bounded=True),
                      dash if d["decision"] is None else DECISIONS[d["decision"]], apa_number(d["diff"], 2)])
        values.append([d["label"], path, d["cb_beta"], d["cb_p"],
                       None if d["cb_decision"] is None else d["cb_decision"] == "supported", d["est"], (d["lo"], d["hi"]),
                       None if d["decision"] is None else d["decision"] == "supported", d["diff"]])
    cfg = res.config
    est = {"ML": ("maximum likelihood", "极大似然"), "MLR": ("robust maximum likelihood (MLR)", "稳健极大似然（MLR）")}
    miss = ((" with full-information maximum likelihood for missing answers", "，缺失以全信息极大似然处理")
            if cfg.missing == "fiml" else (", complete cases", "，完整个案"))
    e = est.get(cfg.estimator, (cfg.estimator, cfg.estimator))
    ci = _ci_text(cfg.pls)
    notes = [(f"<i>Note.</i> The same hypotheses estimated as a common-factor model (CB-SEM, {e[0]}{miss[0]}; "
              f"\u03b2 = completely standardised coefficient, supported when <i>p</i> < .05 with the expected sign) "
              f"and as a composite model (PLS-SEM, {_settings_text(res, r)[0][:-1]}; supported when the {ci[0]} "
              f"excludes zero with the expected sign). Difference = PLS \u03b2 \u2212 CB-SEM \u03b2.",
              f"<i>注。</i>同一组假设分别以共同因子模型（CB-SEM，{e[1]}{miss[1]}；\u03b2 = 完全标准化系数，"
              f"<i>p</i> < .05且方向符合预期时支持）与合成模型（PLS-SEM，{_settings_text(res, r)[1][:-1]}；"
              f"{ci[1]}不含零且方向符合预期时支持）估计。差值 = PLS \u03b2 \u2212 CB-SEM \u03b2。"),
             _abbrev(r.fit.spec.constructs, _labels(res))]
    return build(f"pls_vs_cbsem_{m}", ("CB-SEM and PLS-SEM Estimates of the Hypotheses Side by Side",
                                       "CB-SEM与PLS-SEM假设检验结果对照"),
                 cols, cells, values, notes, align=("l", "l", "r", "r", "c", "r", "c", "c", "r"), note=note)


def _retitle(t, m: str):
    import dataclasses

    suffix = model_title(m)
    return dataclasses.replace(t, title_en=f"{t.title_en}: {suffix[0]}", title_zh=f"{t.title_zh}：{suffix[1]}")


def pls_tables(res, note=None) -> list:
    """The PLS tables of every PLS model (measurement, HTMT, structural, PLSpredict) and, with CB-SEM fits
    of the same model, the side-by-side table; unnumbered (the caller numbers them after its own)."""
    out = []
    for m, r in res.pls.items():
        steps = (_measurement_table, _htmt_table, _structural_table) + ((_predict_table,) if r.predict else ())
        out += [_retitle(f(res, m, r, note), m) for f in steps]
        if m in res.fits:
            out.append(_retitle(_comparison_table(res, m, note), m))
    return out


# -- text ----------------------------------------------------------------------------------------------
def _range(values, digits=2) -> str:
    v = [float(x) for x in values if x == x]
    return f"{apa_number(min(v), digits, bounded=True)}\u2013{apa_number(max(v), digits, bounded=True)}"


def _join(items, en: bool) -> str:
    items = list(items)
    if not en:
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def _pls_model_text(res, m: str, r: PLSRun, en: bool) -> str:
    fit = r.fit
    rel = fit.reliability()
    p = fit.params
    lam = p[p["op"] == "=~"]["est"]
    h = fit.htmt(inference=True)
    rows = _structural_rows(r)
    sup = [d["hypothesis"] or f"{d['rhs']}\u2192{d['lhs']}" for d in rows if d["decision"] == "supported"]
    nsup = [d["hypothesis"] or f"{d['rhs']}\u2192{d['lhs']}" for d in rows if d["decision"] in ("not supported",
                                                                                             "opposite sign")]
    s = None if r.predict is None else _predict_summary(r)
    title = model_title(m)
    r2 = _join([f"{c} {apa_number(v, 2, bounded=True)}" for c, v in fit.r2.items()], en)
    over = int((h["ci.upper"] >= 0.90).sum())
    if en:
        txt = (f"In the PLS-SEM estimation of the {title[0].lower()}, the loadings ranged {_range(lam)} "
               f"({int((lam < 0.708).sum())} below .708); Cronbach's alpha {_range(rel['alpha'])}, rho_A "
               f"{_range(rel['rhoA'])}, composite reliability rho_C {_range(rel['rhoC'])} and AVE "
               f"{_range(rel['AVE'])}. The upper bound of the HTMT's bootstrap interval was below .90 for "
               f"{len(h) - over} of {len(h)} construct pairs. ")
        txt += (f"{len(sup)} of {len(sup) + len(nsup)} hypotheses were supported by the bootstrap intervals"
                + (f" ({_join(sup, en)})" if sup else "") + (f"; not supported: {_join(nsup, en)}" if nsup else "")
                + f". R² was {r2}"
                + ("" if r.q2 is None else f" and the blindfolding Q² {_range(r.q2['q2'])} (above 0 for "
                   f"{int((r.q2['q2'] > 0).sum())} of {len(r.q2)} constructs)")
                + ("." if s is None else "; the PLS predictions had lower RMSE than the linear-model benchmark for "
                   f"{s['lower']} of {s['k']} indicators ({s['power'][0]} predictive power)."))
    else:
        txt = (f"{title[1]}的PLS-SEM估计中，载荷为{_range(lam)}（{int((lam < 0.708).sum())}个低于.708）；"
               f"Cronbach's α为{_range(rel['alpha'])}，rho_A为{_range(rel['rhoA'])}，组合信度rho_C为{_range(rel['rhoC'])}，"
               f"AVE为{_range(rel['AVE'])}。{len(h)}对构念中有{len(h) - over}对HTMT的bootstrap置信区间上限低于.90。")
        txt += (f"按bootstrap置信区间，{len(sup) + len(nsup)}条假设中{len(sup)}条得到支持"
                + (f"（{_join(sup, en)}）" if sup else "") + (f"；未支持：{_join(nsup, en)}" if nsup else "")
                + f"。R²：{r2}"
                + ("" if r.q2 is None else f"；blindfolding Q²为{_range(r.q2['q2'])}（{len(r.q2)}个构念中"
                   f"{int((r.q2['q2'] > 0).sum())}个大于0）")
                + ("。" if s is None else f"；{s['k']}个题项中{s['lower']}个的PLS预测RMSE低于线性模型基准"
                   f"（预测力{s['power'][1]}）。"))
    for d in r.skipped:  # the steps egovsem refuses for this model
        txt += (" " + d["en"]) if en else d["zh"]
    return txt


def _comparison_text(res, m: str, en: bool) -> str:
    rows = comparison_rows(res, m)
    if not rows:
        return ""
    r = res.pls[m]
    rel = r.fit.reliability()
    rho = rel["rhoA"]
    k = len(rows)
    smaller = [d for d in rows if abs(d["est"]) < abs(d["cb_beta"])]
    ratio = float(np.median([d["est"] / d["cb_beta"] for d in rows if abs(d["cb_beta"]) > 1e-8]))
    att = [math.sqrt(rho[d["lhs"]] * rho[d["rhs"]]) for d in rows]
    hyp = [d for d in rows if d["decision"] is not None and d["cb_decision"] is not None]
    differ = [d for d in hyp if (d["decision"] == "supported") != (d["cb_decision"] == "supported")]
    big = max(rows, key=lambda d: abs(d["diff"]))
    name = lambda d: d["hypothesis"] or f"{d['rhs']}\u2192{d['lhs']}"  # noqa: E731
    title = model_title(m)
    num = next((t.number for t in res.tables if t.name == f"pls_vs_cbsem_{m}"), None)
    ref = ("" if num is None else f" (Table {num})", "" if num is None else f"（表{num}）")
    if en:
        txt = (f"CB-SEM and PLS-SEM estimates of the {title[0].lower()}{ref[0]}: the PLS path was "
               f"smaller in absolute value than the completely standardised CB-SEM coefficient for {len(smaller)} of "
               f"{k} paths (median ratio PLS/CB-SEM {apa_number(ratio, 2)}); the largest difference was "
               f"{name(big)} (PLS {apa_number(big['est'], 2, bounded=True)} vs CB-SEM "
               f"{apa_number(big['cb_beta'], 2, bounded=True)}). ")
        close = [name(d) for d in differ if abs(d["diff"]) < 0.05]
        if differ:
            txt += ("The decisions differ for " + _join(
                [f"{name(d)} ({'supported' if d['cb_decision'] == 'supported' else 'not supported'} by CB-SEM, "
                 f"{'supported' if d['decision'] == 'supported' else 'not supported'} by PLS)" for d in differ], en)
                + "; ")
        else:
            txt += f"The two methods reach the same decision on all {len(hyp)} hypotheses; "
        if close:
            txt += (f"for {_join(close, en)} the two estimates are close, and the decision differs by the inference "
                    "(the bootstrap interval of the composite path against the standard error of the standardised "
                    "common-factor path, which carries the uncertainty of the measurement model); ")
        txt += ("the differences in the estimates follow from the models: CB-SEM estimates the relations of common "
                "factors, free of measurement error, whereas PLS-SEM estimates the relations of weighted composites of the "
                "items, which keep part of the error. The composites' reliabilities (rho_A "
                f"{_range(rho)}) attenuate the correlation of two composites to about "
                f"\u221a(\u03c1A\u00b7\u03c1A) = {_range(att)} times that of the common factors, so PLS paths tend "
                "to be smaller; in a construct with several correlated predictors the attenuation of the predictors' "
                "correlations can instead make a PLS path larger than its CB-SEM counterpart. PLSc (pls: {consistent: "
                "true}) corrects the =~ constructs for this attenuation.")
    else:
        txt = (f"{title[1]}的CB-SEM与PLS-SEM估计对照{ref[1]}：{k}条路径中{len(smaller)}条的PLS路径系数绝对值"
               "小于CB-SEM完全标准化系数"
               f"（PLS/CB-SEM比值中位数{apa_number(ratio, 2)}）；差异最大的是{name(big)}（PLS "
               f"{apa_number(big['est'], 2, bounded=True)}，CB-SEM {apa_number(big['cb_beta'], 2, bounded=True)}）。")
        close = [name(d) for d in differ if abs(d["diff"]) < 0.05]
        if differ:
            txt += ("两种方法结论不同的假设：" + _join(
                [f"{name(d)}（CB-SEM{'支持' if d['cb_decision'] == 'supported' else '不支持'}，"
                 f"PLS{'支持' if d['decision'] == 'supported' else '不支持'}）" for d in differ], en) + "；")
        else:
            txt += f"两种方法对全部{len(hyp)}条假设的结论一致；"
        if close:
            txt += (f"其中{_join(close, en)}的两个估计值接近，结论不同源于推断方式（合成路径的bootstrap置信区间"
                    "与共同因子标准化路径的标准误不同，后者包含测量模型的不确定性）；")
        txt += ("估计值的差异源于模型本身：CB-SEM估计不含测量误差的共同因子之间的关系，PLS-SEM估计题项加权合成分数之间的关系，"
                f"合成分数保留了部分测量误差。合成分数的信度（rho_A为{_range(rho)}）使两个合成分数之间的相关约衰减为共同因子相关的"
                f"\u221a(\u03c1A\u00b7\u03c1A) = {_range(att)}倍，因此PLS路径系数往往较小；但当一个构念有多个相关的预测变量时，"
                "预测变量间相关的衰减也可能使PLS路径系数大于CB-SEM。PLSc（pls: {consistent: true}）可对=~构念校正这一衰减。")
    return txt


def pls_paragraph(res, lang: str = "en") -> str:
    """The PLS part of the draft methods-and-results text (settings, measurement, structural model and, with
    both methods, the comparison), Markdown; empty without PLS models."""
    if not res.pls:
        return ""
    en = lang == "en"
    s = res.config.pls
    out = ["\n### PLS-SEM" if en else "\n### PLS-SEM（偏最小二乘结构方程模型）"]
    first = next(iter(res.pls.values()))
    w = {"path": "path", "factorial": "factorial", "centroid": "centroid"}[s["weighting"]]
    w_zh = {"path": "路径", "factorial": "因子", "centroid": "中心"}[s["weighting"]]
    miss_en = "missing answers replaced by the item mean" if s["missing"] == "mean" else "complete cases only"
    miss_zh = "缺失值以题项均值替换" if s["missing"] == "mean" else "仅用完整个案"
    ci = _ci_text(s)
    ci = (f"{ci[0]}s, {s['bootstrap']} resamples", f"{ci[1]}，{s['bootstrap']}次重抽样")
    est_en = "consistent PLS (PLSc; Dijkstra & Henseler, 2015)" if s["consistent"] else "PLS"
    est_zh = "一致性PLS（PLSc；Dijkstra & Henseler, 2015）" if s["consistent"] else "PLS"
    from .. import __version__

    predicted = any(r.predict is not None for r in res.pls.values())
    if en:
        out.append(f"The hypothesis model{'s' if len(res.pls) > 1 else ''} "
                   f"({_join([model_title(m)[0].lower() for m in res.pls], True)}) "
                   f"{'were' if len(res.pls) > 1 else 'was'} also estimated by "
                   f"{est_en}-SEM in egovsem {__version__} (=~ blocks as mode A, <~ blocks as mode B composites): "
                   f"{w} weighting scheme, "
                   f"stop criterion 10^\u2212{first.fit.settings['stop_criterion']:g}, at most "
                   f"{first.fit.settings['max_iter']} iterations, N = {first.fit.nobs} ({miss_en}); inference by "
                   f"the bootstrap ({ci[0]}, seed {res.config.seed})"
                   + (f"; PLSpredict with {s['folds']}-fold cross-validation ({s['reps']} "
                      f"repetition{'s' if s['reps'] > 1 else ''})" if predicted else "")
                   + ". The reporting follows Hair et al. (2019).")
    else:
        out.append(f"假设模型（{_join([model_title(m)[1] for m in res.pls], False)}）另以{est_zh}-SEM估计（egovsem "
                   f"{__version__}；=~区块按A模式、<~区块按B模式合成）：{w_zh}加权方案，收敛标准10^\u2212{first.fit.settings['stop_criterion']:g}，"
                   f"最多{first.fit.settings['max_iter']}次迭代，N = {first.fit.nobs}（{miss_zh}）；以bootstrap推断"
                   f"（{ci[1]}，随机种子{res.config.seed}）"
                   + (f"；PLSpredict采用{s['folds']}折交叉验证（重复{s['reps']}次）" if predicted else "")
                   + "。报告方式依照Hair et al.（2019）。")
    for m, r in res.pls.items():
        out.append(_pls_model_text(res, m, r, en))
        if m in res.fits:
            out.append(_comparison_text(res, m, en))
    return "\n\n".join(out) + "\n"


def pls_results(res) -> dict:
    """The PLS part of results.json: per model the fit (:meth:`PLSResults.to_dict`, the JSON layout of CB-SEM
    fits), PLSpredict, f-squared, VIF, the syntax and, with CB-SEM, the side-by-side rows."""
    def recs(df: pd.DataFrame) -> list[dict]:
        return df.astype(object).where(df.notna(), None).to_dict("records")

    out: dict[str, Any] = {"settings": dict(res.config.pls, seed=res.config.seed), "models": {}}
    for m, r in res.pls.items():
        d = r.fit.to_dict()
        d.pop("versions", None)
        d["syntax"] = r.syntax
        d["left_out"] = r.left_out
        d["f2"] = [{"lhs": a, "op": "~", "rhs": b, "f2": float(v)} for (a, b), v in r.f2.items()]
        d["vif"] = [{"lhs": a, "op": "~", "rhs": b, "vif": None if v != v else float(v)} for (a, b), v in r.vif.items()]
        d["htmt_inference"] = recs(r.fit.htmt(inference=True))
        d["predict"] = None if r.predict is None else {
            "folds": r.predict.n_folds, "reps": r.predict.reps, "seed": r.predict.seed,
            "technique": r.predict.technique,
            "items": recs(r.predict.items.reset_index().rename(columns={"index": "item"}))}
        d["skipped"] = list(r.skipped)
        d["blindfolding"] = None if r.q2 is None else {
            "omission_distance": r.q2.attrs["omission_distance"],
            "constructs": recs(r.q2.reset_index())}
        d["warnings"] = r.warnings
        if m in res.fits:
            d["comparison"] = [{k: v for k, v in row.items() if k != "sign"} for row in comparison_rows(res, m)]
        out["models"][m] = d
    return out


# -- method: pls alone ---------------------------------------------------------------------------------
def run_pls_only(res, texts: dict, pr, table_note) -> None:
    """The rest of ``egovsem run`` after the cleaning for ``method: pls``: the PLS fits, the sample and PLS
    tables, the draft text, results.json, summary.txt, README.md and manifest.json."""
    from ..safe_write import atomic_write_text
    from ..tables import sample_table, write_tables
    from .pipeline import default_sample_columns, json_clean, json_dumps, write_manifest

    cfg = res.config
    out = Path(cfg.out)
    pr.step(f"PLS-SEM: {', '.join(cfg.pls_models)} ({cfg.pls['bootstrap']} bootstrap resamples, seed {cfg.seed})")
    fit_pls_models(res, texts, pr.info)
    pr.done("pls")
    pr.step("tables (" + ", ".join(cfg.formats) + "; " + cfg.lang + ")")
    tabs = []
    drafted = "instrument" in dict(res.notes)
    cols = list(cfg.sample) if cfg.sample else ([] if drafted else default_sample_columns(res.instrument, res.data))
    if cols:
        tabs.append(sample_table(res.data, cols, instrument=res.instrument, note=table_note))
    tabs += pls_tables(res, table_note)
    res.tables = [t.with_number(i) for i, t in enumerate(tabs, start=1)]
    langs = ("en", "zh") if cfg.lang == "both" else (cfg.lang,)
    for lang in langs:
        for p in write_tables(res.tables, out / "tables" / lang, formats=cfg.formats, lang=lang):
            res.files[f"tables/{lang}/{p.name}"] = p
    pr.done("tables")
    pr.step("draft methods-and-results paragraph (en, zh)")
    from .example import SIMULATED_NOTE
    from .methods_doc import methods_docx, methods_html

    flow = res.clean.flow
    received, analysed = int(flow["n"].iloc[0]), int(flow["n"].iloc[-1])
    for lang in ("en", "zh"):
        head = [f"> {SIMULATED_NOTE}\n"] if cfg.example else []
        if lang == "en":
            head += ["## Methods and results (draft)\n",
                     "*Draft written by `egovsem run` from the results; every number is filled in from the fitted "
                     "models and the tables. Edit the wording, keep the numbers.*\n",
                     f"Of {received} responses received, {analysed} were analysed after the screening (the cleaning "
                     "report lists the exclusions)."]
        else:
            head += ["## 研究方法与结果（草稿）\n",
                     "*本草稿由`egovsem run`根据结果自动生成，所有数字均取自拟合模型与表格。可修改措辞，请勿手改数字。*\n",
                     f"共回收问卷{received}份，经筛查后分析{analysed}份（剔除原因见数据清理报告）。"]
        res.text[lang] = "\n".join(head) + "\n" + pls_paragraph(res, lang)
        p = out / f"methods_{lang}.md"
        atomic_write_text(p, res.text[lang])
        res.files[f"methods_{lang}"] = p
        methods_docx(res.text[lang], out / f"methods_{lang}.docx", lang=lang)
        methods_html(res.text[lang], out / f"methods_{lang}.html", lang=lang)
        res.files[f"methods_{lang}.docx"] = out / f"methods_{lang}.docx"
        res.files[f"methods_{lang}.html"] = out / f"methods_{lang}.html"
    pr.done("text")
    pr.step("results.json, summary.txt, README.md")
    d: dict[str, Any] = {"method": "pls", "model": cfg.pls_models[-1]}
    if cfg.example:
        d["note"] = SIMULATED_NOTE
    d["seed"] = cfg.seed
    d["clean"] = {"flow": json_clean(flow.astype(object).where(flow.notna(), None).to_dict("records")),
                  "n_analysed": int(len(res.data))}
    d["pls"] = pls_results(res)
    d["tables"] = [{"number": t.number, "name": t.name, "title": t.title_en} for t in res.tables]
    d["notes"] = [n[1][0] for n in res.notes]
    atomic_write_text(out / "results.json", json_dumps(json_clean(d)) + "\n")
    res.files["json"] = out / "results.json"
    head_s = (SIMULATED_NOTE + "\n\n") if cfg.example else ""
    atomic_write_text(out / "summary.txt", head_s + "".join(f"=== {m} (PLS-SEM) ===\n\n{r.fit.summary()}\n\n"
                                                           f"PLSpredict:\n{_predict_text(r)}\n\n"
                                                           for m, r in res.pls.items()))
    res.files["summary"] = out / "summary.txt"
    lines = ["# Study outputs (`egovsem run`, method: pls)", ""]
    if cfg.example:
        lines += [f"> {SIMULATED_NOTE}", ""]
    lines += ["| file | what |", "|---|---|",
              "| `methods_<lang>.md`, `.docx`, `.html` | draft methods-and-results paragraph (en, zh) |",
              "| `tables/<lang>/NN_<name>.<ext>` | one table per file |",
              "| `results.json` | the PLS-SEM results of every model (`pls`), the cleaning flow |",
              "| `summary.txt` | the PLS summaries and PLSpredict |",
              "| `clean/report.md`, `clean/flow.csv` | the cleaning report and the respondent flow |",
              "| `manifest.json` | every file this run wrote |", "", "Tables:", ""]
    lines += [f"{t.number}. {t.title_en}" for t in res.tables] + [""]
    atomic_write_text(out / "README.md", "\n".join(lines))
    res.files["readme"] = out / "README.md"
    stale = write_manifest(res)
    if stale:
        pr.info(f"{len(stale)} file(s) in {out} were not written by this run: " + ", ".join(stale[:8]))
    pr.done("results")
