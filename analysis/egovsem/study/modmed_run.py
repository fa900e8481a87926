"""The moderated mediation of ``egovsem run`` (config key ``moderated_mediation``): one of the study's
mediations (H9a SG -> PV -> PI by default) with its first or second stage moderated by a construct (trust in
the platform, TI, by default), fitted with a latent product factor measured by double-mean-centred product
indicators (:func:`egovsem.sem.products.ind_prod`, as ``semTools::indProd(doubleMC = TRUE)``; matched pairs
when both constructs have as many items, else all pairs), under the run's estimator and missing-data setting.

The conditional indirect effects at the moderator's mean and -+ 1 SD and the index of moderated mediation
(:func:`egovsem.sem.modmed.moderated_mediation`) have delta-method SEs and, with the run's ``bootstrap``
draws, percentile bootstrap CIs (the run's seed; under FIML every resample refitted by FIML, as the
indirect effects of the hypothesis models).

Models (Hayes 2015): ``second`` stage (Hayes model 14) ``m ~ a1*x``; ``y ~ b1*m + b2*w + b3*MxW + c1*x``;
``first`` stage (Hayes model 7) ``m ~ a1*x + a2*w + a3*XxW``; ``y ~ b1*m + c1*x``.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .._errors import DataError, EgovsemError

__all__ = ["MODMED_DEFAULT", "check_modmed_settings", "check_modmed_constructs", "check_modmed_values", "modmed_syntax",
           "product_data", "product_name", "product_items", "run_moderated_mediation", "modmed_record",
           "modmed_table", "modmed_text"]

#: the example's moderated mediation: H9a SG -> PV -> PI, TI moderating the second stage PV -> PI
MODMED_DEFAULT = {"x": "SG", "m": "PV", "y": "PI", "w": "TI", "stage": "second", "values": [-1.0, 0.0, 1.0]}
_KEYS = ("x", "m", "y", "w", "stage", "values")
STAGES = ("first", "second")


def _bad(source: str, what: str, value: Any) -> EgovsemError:
    return EgovsemError(f"The 'moderated_mediation' key of {source} {what}. Got {value!r} instead.")


def check_modmed_settings(value: Any, *, source: str) -> dict | None:
    """The checked ``moderated_mediation`` of a config (None: no moderated mediation).

    ``{x, m, y, w}`` are constructs of the models (checked against them by :func:`check_modmed_constructs`),
    ``stage`` is ``first`` or ``second``, ``values`` the moderator values in SDs of ``w`` (default -1, 0, 1).
    """
    if value is None or value is False:
        return None
    if value is True:
        return dict(MODMED_DEFAULT)
    if not isinstance(value, dict):
        raise _bad(source, "must be a mapping {x, m, y, w, stage} (or null)", value)
    unknown = [k for k in value if k not in _KEYS]
    if unknown:
        raise _bad(source, f"has the unknown entry {unknown[0]!r}; the entries are {', '.join(_KEYS)}", value)
    d = {k: value.get(k) for k in ("x", "m", "y", "w")}
    for k, v in d.items():
        if not isinstance(v, str) or not v.strip():
            raise _bad(source, f"needs '{k}': a construct of the models (for instance {MODMED_DEFAULT[k]!r})", v)
    if d["w"] == d["x"] or d["w"] == d["m"]:
        role = "x" if d["w"] == d["x"] else "m"
        raise EgovsemError(f"The 'moderated_mediation' key of {source} names the moderator w = {d['w']!r}, which is "
                           f"also {role} = {d[role]!r}: a variable cannot moderate its own effect (an interaction "
                           "of a variable with itself). Choose another moderator.")
    if d["w"] == d["y"] or len({d["x"], d["m"], d["y"]}) < 3:
        raise _bad(source, "needs four different constructs x, m, y and w", {k: d[k] for k in ("x", "m", "y", "w")})
    stage = value.get("stage", "second")
    if not isinstance(stage, str) or stage.lower() not in STAGES:
        raise _bad(source, "needs 'stage': 'first' (w moderates x -> m) or 'second' (w moderates m -> y)", stage)
    d["stage"] = stage.lower()
    vals = value.get("values", MODMED_DEFAULT["values"])
    if not isinstance(vals, (list, tuple)) or not vals or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) for v in vals):
        raise _bad(source, "needs 'values': a list of moderator values in SDs of w (for instance [-1, 0, 1])", vals)
    d["values"] = [float(v) for v in vals]
    return d


def check_modmed_constructs(spec: dict, blocks: dict[str, list[str]], *, source: str) -> None:
    """Each of x, m, y, w must be a construct (``=~``) of the run's models."""
    for k in ("x", "m", "y", "w"):
        if spec[k] not in blocks:
            raise EgovsemError(f"The 'moderated_mediation' key of {source} names {k} = {spec[k]!r}, which is not a "
                               f"construct of the models (constructs: {', '.join(blocks)}).")


def _pair(spec: dict) -> tuple[str, str]:
    """The two constructs whose product is the moderation: (x, w) first stage, (m, w) second stage."""
    return (spec["x"] if spec["stage"] == "first" else spec["m"]), spec["w"]


def product_name(spec: dict) -> str:
    """The product factor's name (``PVxTI``)."""
    a, w = _pair(spec)
    return f"{a}x{w}"


def product_items(spec: dict, blocks: dict[str, list[str]]) -> tuple[list[str], list[str], bool]:
    """The indicators of the two multiplied constructs and whether they are matched (equal counts)."""
    a, w = _pair(spec)
    ia, iw = list(blocks[a]), list(blocks[w])
    return ia, iw, len(ia) == len(iw)


def product_data(data: pd.DataFrame, spec: dict, blocks: dict[str, list[str]]) -> pd.DataFrame:
    """``data`` with the double-mean-centred product indicators appended (semTools indProd names)."""
    from ..sem.products import ind_prod

    ia, iw, match = product_items(spec, blocks)
    return ind_prod(data, ia, iw, match=match, mean_c=True, residual_c=False, double_mc=True)


def modmed_syntax(spec: dict, blocks: dict[str, list[str]]) -> str:
    """The lavaan syntax of the moderated mediation model (labels a1, a2, a3, b1, b2, b3, c1)."""
    x, m, y, w = (spec[k] for k in ("x", "m", "y", "w"))
    ia, iw, match = product_items(spec, blocks)
    prods = [f"{p}.{q}" for p, q in zip(ia, iw)] if match else [f"{p}.{q}" for p in ia for q in iw]
    lines = [f"{f} =~ " + " + ".join(blocks[f]) for f in (x, m, y, w)]
    xw = product_name(spec)
    lines.append(f"{xw} =~ " + " + ".join(prods))
    if spec["stage"] == "second":
        lines += [f"{m} ~ a1*{x}", f"{y} ~ b1*{m} + b2*{w} + b3*{xw} + c1*{x}"]
    else:
        lines += [f"{m} ~ a1*{x} + a2*{w} + a3*{xw}", f"{y} ~ b1*{m} + c1*{x}"]
    return "\n".join(lines) + "\n"


def _composite_range(data: pd.DataFrame, items: list[str]) -> tuple[float, float]:
    """The range of the moderator's standardised item mean (its observed scale) in SD units."""
    c = data[items].apply(pd.to_numeric, errors="coerce").mean(axis=1, skipna=True).dropna()
    z = (c - c.mean()) / c.std(ddof=1)
    return float(z.min()), float(z.max())


def check_modmed_values(spec: dict, data: pd.DataFrame, blocks: dict[str, list[str]], *, source: str) -> None:
    """The moderator values (SDs of w) must lie inside the data's range of w: the range of the standardised
    mean of w's items in the cleaned data."""
    w = spec["w"]
    missing = [i for i in blocks[w] if i not in data.columns]
    if missing:
        raise DataError(f"The 'moderated_mediation' key of {source} names w = {w!r}, whose items {missing!r} are not "
                        "columns of the cleaned data.")
    lo, hi = _composite_range(data, list(blocks[w]))
    out = [v for v in spec["values"] if v < lo or v > hi]
    if out:
        raise DataError(f"The 'moderated_mediation' key of {source} gives values {spec['values']!r} (in SDs of "
                        f"{w}); {out!r} lie(s) outside the data's range of {w} (the standardised mean of its items "
                        f"{', '.join(blocks[w])} runs from {lo:.2f} to {hi:.2f} SD). Choose values inside it.")


def fit_modmed_model(res, spec: dict, blocks: dict[str, list[str]], opts: dict) -> tuple:
    """The moderated mediation's model fitted to the data with its product indicators: ``(fit, warnings,
    data, syntax, seconds)`` (:func:`run_moderated_mediation`; the run fits it early so that its bootstrap
    runs in the background with the hypothesis models')."""
    from .fitting import fit_collecting

    t0 = time.perf_counter()
    data = product_data(res.data, spec, blocks)
    syntax = modmed_syntax(spec, blocks)
    check_modmed_values(spec, res.data, blocks, source=res.config.source)
    title = f"moderated mediation ({spec['x']} -> {spec['m']} -> {spec['y']}, moderator {spec['w']})"
    fit, caught = fit_collecting(syntax, data, title=title, **opts)
    return fit, caught, data, syntax, time.perf_counter() - t0


def run_moderated_mediation(res, spec: dict, blocks: dict[str, list[str]], opts: dict, pr, *,
                            fitted: tuple | None = None, boot: Callable[[], tuple] | None = None) -> None:
    """Fit the moderated mediation of the run (``res.modmed``: a JSON-ready record), its bootstrap when the
    run bootstraps (``res.config.bootstrap`` draws, the run's seed), and time it (``seconds``).

    ``fitted`` is :func:`fit_modmed_model`'s result where the run fitted the model already; ``boot`` returns
    ``(bootstrapped fit, warnings)`` where the run bootstrapped it already (else :func:`bootstrap_collecting`).
    """
    from ..sem.modmed import moderated_mediation
    from .fitting import bootstrap_collecting

    cfg = res.config
    t0 = time.perf_counter()
    fit, caught, data, syntax, t_fit = fitted if fitted is not None else fit_modmed_model(res, spec, blocks, opts)
    t0 -= t_fit if fitted is not None else 0.0
    wname = spec["w"]
    var = float(fit.params.query("lhs == @wname and op == '~~' and rhs == @wname")["est"].iloc[0])
    wv = [v * float(np.sqrt(var)) for v in spec["values"]]
    prod = product_name(spec)
    kw = dict(x=spec["x"], m=spec["m"], y=spec["y"], w=wname, values=wv,
              **({"xw": prod} if spec["stage"] == "first" else {"mw": prod}))
    try:
        mm = moderated_mediation(fit, **kw)
    except DataError as exc:
        raise DataError(f"The 'moderated_mediation' key of {cfg.source} gives values {spec['values']!r}: {exc}") from None
    t_fit = time.perf_counter() - t0
    boot_rec: dict[str, Any] = {"draws": 0}
    eff, index = mm.effects.copy(), mm.index.copy()
    # the same bootstrap as the indirect effects of the hypothesis models (pipeline._bootstrap): not with a
    # survey design or ordinal items (the run's notes say so)
    if cfg.bootstrap > 0 and not cfg.design and not cfg.ordered:
        tb = time.perf_counter()
        fb, boot_caught = (boot() if boot is not None  # (the fit's own resamples)
                           else bootstrap_collecting(fit, cfg.bootstrap, cfg.seed))
        caught = caught + boot_caught
        mb = moderated_mediation(fb, **kw)
        for c in ("boot.lower", "boot.upper"):
            eff[c] = mb.effects[c].to_numpy()
            index[c] = mb.index[c].to_numpy()
        info = fb.bootstrap_info
        boot_rec = {"draws": cfg.bootstrap, "seed": cfg.seed, "ci": "percentile",
                    "refit": "FIML" if cfg.missing == "fiml" else "ML (complete cases)",
                    **{k: int(info[k]) for k in ("B", "successful", "failed", "inadmissible")},
                    "seconds": round(time.perf_counter() - tb, 2)}
    eff.insert(0, "sd", spec["values"])
    fm = fit.fit_measures
    res.modmed = {
        "x": spec["x"], "m": spec["m"], "y": spec["y"], "w": wname, "stage": spec["stage"],
        "product": prod, "product_indicators": list(data.columns[len(res.data.columns):]),
        "matched": product_items(spec, blocks)[2], "double_mean_centred": True,
        "estimator": cfg.estimator, "missing": cfg.missing, "nobs": int(fit.nobs), "syntax": syntax,
        "w_variance": var, "effects": eff, "index": index, "bootstrap": boot_rec,
        "fit": {k: float(fm[k]) for k in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr") if k in fm},
        "paths": fit.params[fit.params["op"] == "~"][["lhs", "op", "rhs", "label", "est", "se", "pvalue",
                                                       "std.all"]].reset_index(drop=True),
        "warnings": sorted(set(caught)),
        "seconds": round(time.perf_counter() - t0, 2), "seconds_fit": round(t_fit, 2),
    }
    i = index.iloc[0]
    ci = (f", bootstrap 95% CI [{i['boot.lower']:.3f}, {i['boot.upper']:.3f}]" if "boot.lower" in index else "")
    pr.info(f"moderated mediation {spec['x']} -> {spec['m']} -> {spec['y']} by {wname} ({spec['stage']} stage): "
            f"index = {i['est']:.3f}{ci} ({res.modmed['seconds']:.1f} s)")


def modmed_record(rec: dict) -> dict:
    """results.json's ``moderated_mediation``: the record with its frames as lists of rows and without its
    timings (results.json is the same for the same data and seed)."""
    from .pipeline import json_clean

    out = {k: v for k, v in rec.items() if not k.startswith("seconds")}  # timings: RunResult.timings
    out["bootstrap"] = {k: v for k, v in rec["bootstrap"].items() if k != "seconds"}
    for k in ("effects", "index", "paths"):
        df = rec[k]
        out[k] = json_clean(df.astype(object).where(df.notna(), None).to_dict("records"))
    return json_clean(out)


def _sd_label(v: float) -> tuple[str, str]:
    if v == 0:
        return "its mean (0)", "均值（0）"
    s = f"{v:+g} SD".replace("-", "\u2212")
    return s, s


def _how(rec: dict) -> tuple[str, str]:
    b = rec["bootstrap"]
    if b.get("draws"):
        refit = ", each resample refitted by FIML" if b["refit"] == "FIML" else ""
        zrefit = "，每个重抽样均以全信息极大似然重新估计" if b["refit"] == "FIML" else ""
        return (f"percentile bootstrap, {b['draws']} resamples, seed {b['seed']}{refit}",
                f"百分位bootstrap，{b['draws']}次重抽样，种子{b['seed']}{zrefit}")
    return "Wald (delta-method)", "Wald（delta法）"


def _ci(row, rec) -> tuple[float, float]:
    if rec["bootstrap"].get("draws"):
        return float(row["boot.lower"]), float(row["boot.upper"])
    return float(row["ci.lower"]), float(row["ci.upper"])


def modmed_table(rec: dict, *, note: Any = None):
    """The APA table of the run's moderated mediation: the conditional indirect effects of x on y through m
    at w = -1 SD, mean, +1 SD (or the config's values) and the index of moderated mediation."""
    from ..tables import apa_ci, apa_number, apa_p
    from ..tables.table import build

    x, m, y, w = (rec[k] for k in ("x", "m", "y", "w"))
    arrow = " \u2192 "
    cols = [("effect", "Effect", "效应"), ("w", f"{w} (latent)", f"{w}（潜变量）"), ("b", "<i>b</i>", "<i>b</i>"),
            ("se", "<i>SE</i>", "<i>SE</i>"), ("p", "<i>p</i>", "<i>p</i>"), ("ci", "95% CI", "95% CI")]
    cells, values = [], []
    for r in rec["effects"].to_dict("records"):
        lab = _sd_label(float(r["sd"]))
        lo, hi = _ci(r, rec)
        cells.append([(f"Conditional indirect effect, {w} at {lab[0]}", f"{w}为{lab[1]}时的条件间接效应"),
                      apa_number(r["value"], 3), apa_number(r["est"], 3), apa_number(r["se"], 3), apa_p(r["pvalue"]),
                      apa_ci(lo, hi, 3, show_zero=False)])
        values.append([f"ind_{r['sd']:+g}", float(r["value"]), float(r["est"]), float(r["se"]), float(r["pvalue"]),
                       (lo, hi)])
    i = rec["index"].iloc[0].to_dict()
    lo, hi = _ci(i, rec)
    cells.append([("Index of moderated mediation", "有调节的中介指数"), "\u2014", apa_number(i["est"], 3),
                  apa_number(i["se"], 3), apa_p(i["pvalue"]), apa_ci(lo, hi, 3, show_zero=False)])
    values.append(["index", float("nan"), float(i["est"]), float(i["se"]), float(i["pvalue"]), (lo, hi)])
    how = _how(rec)
    stage = rec["stage"]
    mod_path = f"{x}{arrow}{m}" if stage == "first" else f"{m}{arrow}{y}"
    idx = "<i>a</i>3<i>b</i>1" if stage == "first" else "<i>a</i>1<i>b</i>3"
    nm = "matched pairs" if rec["matched"] else "all pairs"
    nm_zh = "配对" if rec["matched"] else "全部组合"
    k = len(rec["product_indicators"])
    est = "maximum likelihood" + (" with full-information maximum likelihood for missing responses"
                                  if rec["missing"] == "fiml" else ", complete cases")
    est_zh = "极大似然估计" + ("，缺失以全信息极大似然处理" if rec["missing"] == "fiml" else "，完整个案")
    if rec["estimator"] == "MLR":
        est, est_zh = "robust " + est, "稳健" + est_zh
    sent = [
        (f"<i>Note.</i> Indirect effect of {x} on {y} through {m}, with {w} moderating the {stage} stage "
         f"({mod_path}); the moderation is the latent product {rec['product']}, measured by {k} double-mean-centred "
         f"product indicators ({nm}; Lin et al., 2010); {est}, <i>N</i> = {rec['nobs']}.",
         f"<i>注。</i>{x}经{m}对{y}的间接效应，{w}调节{'第一' if stage == 'first' else '第二'}阶段（{mod_path}）；"
         f"调节项为潜变量乘积{rec['product']}，以{k}个双重均值中心化的乘积指标测量（{nm_zh}；Lin et al., 2010）；"
         f"{est_zh}，<i>N</i> = {rec['nobs']}。"),
        (f"{w} (latent) = the moderator's value (latent mean 0, SD = {apa_number(np.sqrt(rec['w_variance']), 3)}); "
         f"<i>b</i> = unstandardised effect, <i>SE</i> by the delta method; index of moderated mediation = {idx} "
         f"(Hayes, 2015); 95% CI: {how[0]}.",
         f"{w}（潜变量）= 调节变量取值（潜均值0，SD = {apa_number(np.sqrt(rec['w_variance']), 3)}）；<i>b</i> = 非标准化效应，"
         f"<i>SE</i>为delta法标准误；有调节的中介指数 = {idx}（Hayes, 2015）；95% CI：{how[1]}。"),
    ]
    return build("moderated_mediation", ("Moderated Mediation: Conditional Indirect Effects", "有调节的中介：条件间接效应"),
                 cols, cells, values, sent, align=("l",) + ("r",) * 5, note=note)


def modmed_text(rec: dict | None, en: bool, *, simulated: bool = False) -> str | None:
    """The methods paragraph's sentences on the moderated mediation (None when the run has none);
    ``simulated`` (the bundled example) says that the data are simulated."""
    if not rec:
        return None
    from ..tables import apa_ci, apa_number

    x, m, y, w, stage = (rec[k] for k in ("x", "m", "y", "w", "stage"))
    i = rec["index"].iloc[0].to_dict()
    lo, hi = _ci(i, rec)
    excl = lo > 0 or hi < 0
    effs = rec["effects"].to_dict("records")
    how = _how(rec)
    b = rec["bootstrap"]
    sd = apa_number(np.sqrt(rec["w_variance"]), 3)

    def cie(r, lang):
        lo_, hi_ = _ci(r, rec)
        lab = _sd_label(float(r["sd"]))[0 if lang == "en" else 1]
        name = lab.removeprefix("its ") if lang == "en" else lab
        return f"{name}: *b* = {apa_number(r['est'], 3)}, 95% CI {apa_ci(lo_, hi_, 3, show_zero=False)}"

    nm = "matched pairs" if rec["matched"] else "all pairs"
    k = len(rec["product_indicators"])
    if en:
        s = (f"**Moderated mediation.** To test whether {w} moderates the mediation {x} → {m} → {y}, {w} moderated "
             f"its {stage} stage ({x} → {m}" if stage == "first" else
             f"**Moderated mediation.** To test whether {w} moderates the mediation {x} → {m} → {y}, {w} moderated "
             f"its {stage} stage ({m} → {y}")
        s += (f") through a latent product factor measured by {k} double-mean-centred product indicators ({nm}; "
              f"Lin et al., 2010), estimated as the other models. Conditional indirect effects at {w} = −1 SD, its "
              f"mean and +1 SD (latent SD {sd}; " + "; ".join(cie(r, "en") for r in effs) + f") give an index of "
              f"moderated mediation of {apa_number(i['est'], 3)}, 95% CI {apa_ci(lo, hi, 3, show_zero=False)} "
              f"({how[0]}"
              + (f"; {b['successful']} of {b['B']} resamples converged" if b.get("draws") else "") + "): "
              + (f"the indirect effect depends on {w}." if excl else f"no evidence that {w} moderates the indirect "
                 "effect.") + " The moderated-mediation table gives the numbers."
              + (" (The example data are simulated: the population model has no such moderation.)" if simulated
                 else ""))
        return s
    st = "第一" if stage == "first" else "第二"
    path = f"{x} → {m}" if stage == "first" else f"{m} → {y}"
    pairs = "配对" if rec["matched"] else "全部组合"
    s = (f"**有调节的中介。**为检验{w}是否调节中介路径{x} → {m} → {y}，以{w}调节其{st}阶段（{path}），"
         f"调节项为潜变量乘积因子，以{k}个双重均值中心化的乘积指标测量（{pairs}；Lin et al., 2010），估计方法同其他模型。"
         f"{w}取−1 SD、均值与+1 SD时（潜变量SD为{sd}；" + "；".join(cie(r, "zh") for r in effs)
         + f"），有调节的中介指数为{apa_number(i['est'], 3)}，95% CI {apa_ci(lo, hi, 3, show_zero=False)}（{how[1]}"
         + (f"；{b['B']}次重抽样中{b['successful']}次收敛" if b.get("draws") else "") + "）："
         + (f"间接效应随{w}变化。" if excl else f"未发现{w}调节间接效应的证据。") + "数值见有调节的中介表。"
         + ("（示例数据为模拟数据：总体模型中不含此调节效应。）" if simulated else ""))
    return s
