"""The draft methods-and-results paragraph of ``egovsem run`` (Markdown, English and Chinese).

Every number comes from the run's results or from the tables it wrote (so text and tables agree); the
wording is a draft for the researcher to edit, and says so.
"""
from __future__ import annotations

import numpy as np

from ..tables import apa_ci, apa_number, apa_p, typeset_minus
from .titles import model_title

__all__ = ["methods_paragraph", "fit_verdict"]

_REASONS = {
    "duplicate": ("duplicate submissions", "重复提交"),
    "attention": ("failed the attention check", "未通过注意力检测题"),
    "speeder": ("answered too fast (speeders)", "作答过快"),
    "straightline": ("straight-lined", "直线作答"),
    "longstring": ("gave long strings of identical answers", "连续相同作答过长"),
    "mahad": ("were multivariate outliers", "多元离群值"),
    "consent": ("did not consent", "未同意参加"),
}


def _p(p: float, lang: str = "en") -> str:
    s = apa_p(p)
    return f"*p* {s}" if s.startswith("<") else f"*p* = {s}"


def _r(x: float, digits: int = 2) -> str:
    return apa_number(x, digits, bounded=True)


def fit_verdict(fm) -> tuple[str, str]:
    """A plain verdict on model fit by the usual cut-offs (Hu & Bentler, 1999: CFI >= .95, RMSEA <= .06,
    SRMR <= .08 good; CFI >= .90, RMSEA <= .08 acceptable)."""
    cfi, rmsea, srmr = float(fm["cfi"]), float(fm["rmsea"]), float(fm.get("srmr", float("nan")))
    if cfi >= 0.95 and rmsea <= 0.06 and not srmr > 0.08:
        return "good", "良好"
    if cfi >= 0.90 and rmsea <= 0.08:
        return "acceptable", "可接受"
    return "poor", "欠佳"


def _fit_text(fm) -> str:
    robust = "chisq.scaled" in fm and fm.get("chisq.scaled") == fm.get("chisq.scaled")
    chisq = fm["chisq.scaled"] if robust else fm["chisq"]
    df = fm["df.scaled"] if robust and "df.scaled" in fm else fm["df"]
    p = fm["pvalue.scaled"] if robust and "pvalue.scaled" in fm else fm["pvalue"]
    k = ".robust" if robust and "cfi.robust" in fm else ""
    cfi, tli, rmsea = fm[f"cfi{k}"], fm[f"tli{k}"], fm[f"rmsea{k}"]
    lo, hi = fm.get(f"rmsea.ci.lower{k}", float("nan")), fm.get(f"rmsea.ci.upper{k}", float("nan"))
    return (f"χ²({int(round(float(df)))}) = {apa_number(chisq, 2)}, {_p(p)}, CFI = {_r(cfi, 3)}, TLI = {_r(tli, 3)}, "
            f"RMSEA = {_r(rmsea, 3)} {apa_ci(lo, hi, 3, bounded=True)}, SRMR = {_r(fm['srmr'], 3)}")


def _table(res, name):
    for t in res.tables:
        if t.name == name:
            return t
    return None


def _hypotheses(res, model):
    t = _table(res, f"hypotheses_{model}")
    if t is None:
        return []
    rows = [dict(zip(t.keys, v)) for v in t.values]
    return [r for r in rows if r["hypothesis"]]


def _indirect(res, model):
    t = _table(res, f"indirect_{model}")
    return [] if t is None else [dict(zip(t.keys, v)) for v in t.values]


def _hname(label: str) -> str:
    return f"H{label[1:]}" if label[:1] == "h" and label[1:2].isdigit() else label


def _join(items, lang):
    items = list(items)
    if lang == "zh":
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def methods_paragraph(res, lang: str = "en") -> str:
    """The draft paragraph of a :class:`egovsem.study.pipeline.RunResult` in ``lang`` ('en' or 'zh')."""
    from .. import __version__
    from .example import SIMULATED_NOTE

    en = lang == "en"
    cfg = res.config
    flow = res.clean.flow
    received, analysed = int(flow["n"].iloc[0]), int(flow["n"].iloc[-1])
    excl = flow[flow["step"] == "excluded"]
    reasons = []
    for r in excl.itertuples():
        if int(r.n) == 0:
            continue
        key = str(r.reason).split(":")[0].strip()
        name = _REASONS.get(key, (str(r.reason), str(r.reason)))
        reasons.append(f"{int(r.n)} {name[0]}" if en else f"{name[1]}{int(r.n)}份")
    items = [i for its in _items(res.cfa) for i in its]
    miss = 100.0 * float(res.data[items].isna().to_numpy().mean())
    inv_tested = bool(cfg.invariance) and getattr(res, "invariance", None) is not None
    est = {"ML": ("maximum likelihood", "极大似然"),
           "MLR": ("maximum likelihood with robust (Huber-White) standard errors and the Yuan-Bentler scaled test "
                   "(MLR)", "稳健极大似然（MLR，Huber-White稳健标准误与Yuan-Bentler校正卡方）"),
           "WLSMV": ("WLSMV, the items being ordinal (diagonally weighted least squares on the thresholds and "
                     "polychoric correlations, robust standard errors and the mean- and variance-adjusted test"
                     + ("; measurement invariance by the Wu-Estabrook (2016) sequence of equal thresholds, loadings "
                        "and intercepts)" if inv_tested else ")"),
                     "WLSMV（题项按有序分类处理：基于阈值与多分格相关的对角加权最小二乘，稳健标准误与均值方差校正卡方"
                     + ("；测量不变性按Wu-Estabrook（2016）序列检验阈值、载荷与截距等同）" if inv_tested else "）"))
           }[cfg.estimator]
    fiml = cfg.missing == "fiml"
    cfa_fm = res.cfa.fit_measures
    v_cfa = fit_verdict(cfa_fm)
    lam = res.cfa.params
    lam = lam[lam["op"] == "=~"]["std.all"]
    rel = res.reliability
    k = len(rel)
    low_ave = int((rel["ave"] < 0.5).sum())
    fl_ok = int((rel["sqrt_ave"] > rel["max_r"]).sum())
    hmax = float("nan")
    if res.htmt is not None:
        H = res.htmt.to_numpy(dtype=float)
        hmax = float(np.nanmax(H[~np.eye(H.shape[0], dtype=bool)]))
    boot_note = dict(res.notes).get("bootstrap")
    has_ind = any(t.name.startswith("indirect_") for t in res.tables)
    out = []
    if cfg.example:
        out.append(f"> {SIMULATED_NOTE}\n")
    title = ("## Methods and results (draft)" if en else "## 研究方法与结果（草稿）")
    out.append(title + "\n")
    out.append(("*Draft written by `egovsem run` from the results; every number is filled in from the fitted "
                "models and the tables. Edit the wording, keep the numbers.*\n") if en else
               "*本草稿由`egovsem run`根据结果自动生成，所有数字均取自拟合模型与表格。可修改措辞，请勿手改数字。*\n")

    # -- methods -------------------------------------------------------------------------------------
    # reverse-coding is said only when the instrument has reverse-keyed items; a draft instrument says so
    inst = getattr(res, "instrument", None)
    reversed_ = bool(inst is not None and inst.reverse_items())
    draft = dict(res.notes).get("instrument")
    if en:
        s = (f"**Data.** {'The data are simulated: ' if cfg.example else ''}{received} questionnaires were received; "
             f"{received - analysed} were excluded before analysis"
             + (f" ({_join(reasons, 'en')}; each respondent counted under the first rule that applies)" if reasons else "")
             + f", leaving *N* = {analysed}. Of the {len(items)} scale items' responses, {apa_number(miss, 1)}% were "
             f"missing." + (" Reverse-keyed items were recoded before analysis." if reversed_ else "")
             + (f" {draft[0]}" if draft else ""))
        out.append(s + "\n")
        s = (f"**Analysis.** Models were estimated by {est[0]}"
             + (" with full-information maximum likelihood (FIML) for the missing responses" if fiml
                else " after listwise deletion of incomplete cases")
             + f" in egovsem {__version__}, whose estimates reproduce lavaan 0.6-14. We first fitted a confirmatory "
             f"factor analysis (CFA) of the {k} constructs, then the hypothesis model"
             + ("s" if len(res.fits) > 1 else "") + ": " + _join([model_title(m)[0].lower() for m in res.fits], "en")
             + ". "
             "Reliability was assessed by Cronbach's α and composite reliability (ω, semTools' compRelSEM), "
             "convergent validity by the average variance extracted (AVE ≥ .50), discriminant validity by the "
             "Fornell-Larcker criterion and the heterotrait-monotrait ratio (HTMT < .85). A hypothesis was "
             "supported when its path was significant (*p* < .05) in the expected direction (positive unless the "
             "model states a negative sign); a significant path of the other sign did not support it"
             + ("." if not has_ind else "; indirect effects "
                + ("were tested with percentile bootstrap confidence intervals "
                   f"({cfg.bootstrap} resamples)" + (", every resample refitted by FIML." if fiml else ".")
                   if res.bootstrap else
                   "were tested with delta-method confidence intervals" + (
                       " (bootstrap intervals were not available for these fits)."
                       if boot_note and cfg.bootstrap else "."))))
        out.append(s + "\n")
    else:
        s = (f"**数据。**{'本数据为模拟数据。' if cfg.example else ''}共回收问卷{received}份，分析前剔除{received - analysed}份"
             + (f"（{_join(reasons, 'zh')}；每位受访者只按首先适用的规则计一次）" if reasons else "")
             + f"，有效样本*N* = {analysed}。{len(items)}个量表题项的作答中缺失{apa_number(miss, 1)}%。"
             + ("反向题在分析前已反向计分。" if reversed_ else "") + (draft[1] if draft else ""))
        out.append(s + "\n")
        s = (f"**分析方法。**采用{est[1]}估计"
             + ("，缺失作答以全信息极大似然（FIML）处理" if fiml else "，不完整个案列删")
             + f"，软件为egovsem {__version__}（其估计结果与lavaan 0.6-14一致）。先对{k}个构念进行验证性因子分析（CFA），"
             "再拟合假设模型：" + _join([model_title(m)[1] for m in res.fits], "zh") + "。"
             "信度以Cronbach's α与组合信度（ω，semTools的compRelSEM）评估，收敛效度以平均方差萃取量（AVE ≥ .50）评估，"
             "区分效度以Fornell-Larcker准则与异质-单质比（HTMT < .85）评估。路径显著（*p* < .05）且方向符合预期（除模型注明为负者外均预期为正）"
             "时假设得到支持，显著但方向相反时不支持"
             + ("。" if not has_ind else "；"
                + (f"间接效应以百分位bootstrap置信区间检验（{cfg.bootstrap}次重抽样"
                   + ("，每个重抽样均以全信息极大似然重新估计）。" if fiml else "）。") if res.bootstrap else
                   "间接效应以delta法置信区间检验" + ("（这些拟合无法计算bootstrap置信区间）。"
                                                 if boot_note and cfg.bootstrap else "。"))))
        out.append(s + "\n")

    d = _design_text(res, en)
    if d:
        out.append(d + "\n")

    # -- measurement ----------------------------------------------------------------------------------
    rng = lambda col: (_r(rel[col].min()), _r(rel[col].max()))  # noqa: E731
    basis = res.reliability_fit
    basis_en = (f" (ω and AVE from the CFA of the {basis.nobs} complete cases)" if basis is not res.cfa else "")
    basis_zh = (f"（ω与AVE基于{basis.nobs}个完整个案的CFA）" if basis is not res.cfa else "")
    em = res.htmt is not None and res.htmt.attrs.get("missing") == "ml"
    h_en = " (from the FIML (EM) correlations of every respondent)" if em else ""
    h_zh = "（基于全部受访者的FIML（EM）相关矩阵）" if em else ""
    if res.htmt is not None and res.htmt.attrs.get("missing") == "pairwise":
        h_en, h_zh = " (from pairwise-complete correlations)", "（基于成对完整相关）"
    if en:
        s = (f"**Measurement model.** The CFA fit was {v_cfa[0]}: {_fit_text(cfa_fm)}. Standardised loadings ranged "
             f"from {_r(lam.min())} to {_r(lam.max())}; α from {rng('alpha')[0]} to {rng('alpha')[1]}, ω from "
             f"{rng('omega')[0]} to {rng('omega')[1]} and AVE from {rng('ave')[0]} to {rng('ave')[1]}{basis_en}"
             + (f"; {low_ave} of {k} constructs had an AVE below .50" if low_ave else "; every AVE exceeded .50")
             + f". The square root of the AVE exceeded the construct's correlations with the other constructs for "
             f"{fl_ok} of {k} constructs"
             + ("." if hmax != hmax else f", and the largest HTMT was {_r(hmax)}{h_en} "
                + ("(below .85)." if hmax < 0.85 else "(above .85 for at least one pair)."))
             + " The measurement table and the correlation and HTMT tables give every value.")
    else:
        s = (f"**测量模型。**CFA拟合{v_cfa[1]}：{_fit_text(cfa_fm)}。标准化载荷介于{_r(lam.min())}与{_r(lam.max())}之间；"
             f"α介于{rng('alpha')[0]}与{rng('alpha')[1]}之间，ω介于{rng('omega')[0]}与{rng('omega')[1]}之间，"
             f"AVE介于{rng('ave')[0]}与{rng('ave')[1]}之间{basis_zh}"
             + (f"；{k}个构念中有{low_ave}个AVE低于.50" if low_ave else "；所有AVE均高于.50")
             + f"。{k}个构念中有{fl_ok}个的AVE平方根大于其与其他构念的相关"
             + ("。" if hmax != hmax else f"，HTMT最大值为{_r(hmax)}{h_zh}"
                + ("（低于.85）。" if hmax < 0.85 else "（至少一对高于.85）。")) + "各项数值见测量模型表、相关表与HTMT表。")
    out.append(s + "\n")
    inv = getattr(res, "invariance", None)
    if inv is not None and len(inv) > 1:
        out.append(_invariance_text(res, inv, en) + "\n")
    elif inv is None and dict(getattr(res, "notes", [])).get("invariance"):  # skipped, and why
        out.append(dict(res.notes)["invariance"][0 if en else 1] + "\n")
    from .method_bias_run import method_bias_text

    cmb = method_bias_text(getattr(res, "method_bias", None), en)
    if cmb:
        out.append(cmb + "\n")

    # -- structural models ----------------------------------------------------------------------------
    for m, f in res.fits.items():
        fm = f.fit_measures
        v = fit_verdict(fm)
        hyp = _hypotheses(res, m)
        sup = [h for h in hyp if h["supported"]]
        nsup = [h for h in hyp if h["supported"] is False]

        def desc(h):
            opp = h["supported"] is False and h["p"] < 0.05  # significant, of the other sign
            return (f"{_hname(h['hypothesis'])} {h['path']}, β = {_r(h['beta'])}, {_p(h['p'])}"
                    + ((" (opposite sign)" if en else "（方向相反）") if opp else ""))

        name = model_title(m)
        endo = list(dict.fromkeys(f.params.loc[f.params["op"] == "~", "lhs"]))
        r2_txt = ", ".join(f"{k_} {_r(f.r2[k_])}" for k_ in endo if k_ in f.r2.index)
        if not hyp:  # no labelled (hypothesised) paths: report every path
            t = _table(res, f"hypotheses_{m}")
            rows = [dict(zip(t.keys, v)) for v in t.values] if t is not None else []
            paths_ = "; ".join(f"{r['path']}, β = {_r(r['beta'])}, {_p(r['p'])}" for r in rows)
            s = (f"**{name[0]}.** Fit was {v[0]}: {_fit_text(fm)}." + (f" Paths: {paths_}." if paths_ else "")
                 if en else f"**{name[1]}。**模型拟合{v[1]}：{_fit_text(fm)}。" + (f"路径：{paths_}。" if paths_ else ""))
            s += (f" R²: {r2_txt}." if en else f"R²：{r2_txt}。") if r2_txt else ""
        elif en:
            s = (f"**{name[0]}.** Fit was {v[0]}: {_fit_text(fm)}. "
                 f"{len(sup)} of {len(hyp)} hypothesised paths were supported"
                 + (f" ({'; '.join(desc(h) for h in sup)})" if sup else "")
                 + (f"; not supported: {'; '.join(desc(h) for h in nsup)}" if nsup else "") + "."
                 + (f" R²: {r2_txt}." if r2_txt else ""))
        else:
            s = (f"**{name[1]}。**模型拟合{v[1]}：{_fit_text(fm)}。{len(hyp)}条假设路径中{len(sup)}条得到支持"
                 + (f"（{'；'.join(desc(h) for h in sup)}）" if sup else "")
                 + (f"；未得到支持：{'；'.join(desc(h) for h in nsup)}" if nsup else "") + "。"
                 + (f"R²：{r2_txt}。" if r2_txt else ""))
        ind = _indirect(res, m)
        if any(_hname(str(r["effect"])) != str(r["effect"]) for r in ind):
            ind = [r for r in ind if _hname(str(r["effect"])) != str(r["effect"])]  # the hypothesised mediations
        if ind:
            how = ("bootstrap" if m in res.bootstrap else "delta-method") if en else (
                "bootstrap" if m in res.bootstrap else "delta法")
            parts = [f"{_effect_name(r, en)} ({r['path']}): *b* = {apa_number(r['b'], 3)}, 95% CI "
                     f"{apa_ci(r['ci'][0], r['ci'][1], 3, show_zero=False)}" + ("" if r["supported"] else
                                                            (" (not supported)" if en else "（未得到支持）"))
                     for r in ind]
            s += ((f" Mediation ({how} 95% CIs): " + "; ".join(parts) + ".") if en else
                  (f"中介效应（{how} 95%置信区间）：" + "；".join(parts) + "。"))
        out.append(s + "\n")

    # -- moderated mediation (config moderated_mediation) ----------------------------------------------
    from .modmed_run import modmed_text

    mm = modmed_text(getattr(res, "modmed", None), en, simulated=bool(cfg.example))
    if mm:
        out.append(mm + "\n")
    elif dict(getattr(res, "notes", [])).get("moderated_mediation"):
        out.append(dict(res.notes)["moderated_mediation"][0 if en else 1] + "\n")

    # -- recovery (simulated example) -----------------------------------------------------------------
    if res.recovery is not None:
        rec = res.recovery
        paths = rec[(rec["op"] == "~") & rec["true"].notna()]
        ncov = int((paths["covered"] == True).sum())  # noqa: E712
        zero = paths[paths["true"] == 0]
        ztxt = "; ".join(f"{_hname(str(r['label']))} {r['rhs']} → {r['lhs']}: β = {_r(r['std.all'])}, "
                         f"{_p(r['pvalue'])}" for r in zero.to_dict("records"))
        if en:
            s = (f"**Recovery (simulated data only).** Because the data were drawn from a known population model, "
                 f"the estimates of the {model_title(cfg.primary_name)[0].lower()} can be set beside the truth: "
                 f"the mean absolute bias of the standardised paths was {_r(paths['bias'].abs().mean(), 3)}, "
                 f"and the 95% CIs covered the true value for {ncov} of {len(paths)} paths"
                 + (f"; the true zero path was not significant ({ztxt})" if len(zero) and (zero["pvalue"] > .05).all()
                    else (f"; true zero path(s): {ztxt}" if len(zero) else "")) + ".")
        else:
            s = (f"**真值复原（仅限模拟数据）。**由于数据由已知总体模型生成，可将{model_title(cfg.primary_name)[1]}的估计值与真值对照："
                 f"标准化路径的平均绝对偏差为{_r(paths['bias'].abs().mean(), 3)}，{len(paths)}条路径中有{ncov}条的95%置信区间覆盖真值"
                 + (f"；真值为零的路径不显著（{ztxt}）" if len(zero) and (zero["pvalue"] > .05).all()
                    else (f"；真值为零的路径：{ztxt}" if len(zero) else "")) + "。")
        out.append(s + "\n")
    # the minus sign (U+2212) of negative numbers, as in the tables
    return typeset_minus("\n".join(out))


def _design_text(res, en: bool) -> str | None:
    """The survey-design paragraph: the weights and clusters the fits used, the item ICCs, and what the
    design-based standard errors change (the design comparison table)."""
    cfg = res.config
    icc = getattr(res, "icc", None)
    comp = getattr(res, "design_comparison", None)
    if not cfg.design and icc is None:
        return None
    parts = []
    w, c = cfg.weights, cfg.cluster
    k = int(res.data[c].nunique()) if c else None
    if cfg.design:
        if en:
            parts.append((f"Estimates were weighted by `{w}` (normalised to sum to the sample size)" if w else "")
                         + ("; " if w and c else "")
                         + (f"{'s' if w else 'S'}tandard errors and the test statistic were robust to clustering in "
                            f"`{c}` ({k} clusters)" if c else "; standard errors and the test statistic were robust "
                            "(Huber-White)") + ", as lavaan's sampling.weights and cluster arguments do.")
        else:
            parts.append((f"估计值以`{w}`加权（归一化至样本量）" if w else "") + ("；" if w and c else "")
                         + (f"标准误与检验统计量对`{c}`的整群抽样稳健（{k}个群）" if c else "，标准误与检验统计量为稳健（Huber-White）估计")
                         + "，与lavaan的sampling.weights和cluster参数一致。")
    if icc is not None:
        col, kk = icc.attrs["cluster"], icc.attrs["clusters"]
        med, lo, hi = (_r(x, 3) for x in (icc["icc"].median(), icc["icc"].min(), icc["icc"].max()))
        sim = cfg.example and not cfg.cluster
        if en:
            parts.append((f"Respondents were recruited in {kk} clusters (`{col}`{', simulated' if sim else ''}). "
                          if not cfg.design or not c else "")
                         + f"The items' intraclass correlations (ICC(1) of two-level random-intercept models estimated "
                         f"by maximum likelihood) had a median of {med} (range {lo} to {hi}).")
        else:
            parts.append((f"受访者来自{kk}个群（`{col}`{'，模拟' if sim else ''}）。" if not cfg.design or not c else "")
                         + f"各题项的组内相关系数（两水平随机截距模型的ICC(1)，极大似然估计）中位数为{med}（范围{lo}至{hi}）。")
    if comp is not None:
        a = comp.attrs
        r = comp["se_ratio"]
        flips = int(((comp["p_plain"] < .05) != (comp["p_cluster"] < .05)).sum())
        title = model_title(a["model"])
        wtxt_en = wtxt_zh = ""
        if "est_weighted" in comp.columns:
            wf = int(((comp["p_plain"] < .05) != (comp["p_weighted"] < .05)).sum())
            dmax = float((comp["beta_weighted"] - comp["beta_plain"]).abs().max())
            wtxt_en = (f"; weighting by `{a['weights']}` changed the standardised paths by at most {_r(dmax, 3)} and "
                       f"the significance of {wf} path(s)")
            wtxt_zh = f"；以`{a['weights']}`加权后标准化路径的最大变化为{_r(dmax, 3)}，{wf}条路径的显著性改变"
        if en:
            parts.append(f"{'Ignoring' if cfg.design else 'Taking'} the clustering {'would have changed' if cfg.design else 'changes'} "
                         f"the standard errors of the paths of the {title[0].lower()} by a factor of "
                         f"{apa_number(r.min(), 2)} to {apa_number(r.max(), 2)} (cluster-robust / plain, median "
                         f"{apa_number(r.median(), 2)}) and the significance at .05 of {flips} path(s){wtxt_en} "
                         "(design comparison table).")
        else:
            parts.append(f"{'若忽略' if cfg.design else '考虑'}整群抽样，{title[1]}各路径的标准误变为未校正值的{apa_number(r.min(), 2)}至"
                         f"{apa_number(r.max(), 2)}倍（整群稳健 / 未校正，中位数{apa_number(r.median(), 2)}），{flips}条路径在.05水平的显著性改变"
                         f"{wtxt_zh}（见抽样设计比较表）。")
    return ("**Survey design.** " if en else "**抽样设计。**") + (" " if en else "").join(parts)


def _effect_name(row: dict, en: bool) -> str:
    """A defined effect's name: its hypothesis (H9a), else its kind (an indirect or a total effect)."""
    name = str(row["effect"])
    if _hname(name) != name:
        return _hname(name)
    total = str(row["path"]).count("\u2192") == 1
    return ("total effect" if total else "indirect effect") if en else ("总效应" if total else "间接效应")


def _items(fit):
    from ..tables import model_constructs

    return list(model_constructs(fit).values())


#: the invariance steps in Chinese (the terms of the Chinese literature)
STEP_ZH = {"configural": "构形不变性", "metric": "度量不变性", "scalar": "标量不变性", "strict": "严格不变性",
           "thresholds": "阈值不变性", "loadings": "载荷不变性", "intercepts": "截距不变性"}  # + Wu-Estabrook (ordinal)
#: the ΔCFI rule (Cheung & Rensvold, 2002; Chen, 2007): a step holds when CFI drops by no more than .01
DELTA_CFI = -0.01


def invariance_held(inv) -> tuple[list[str], str | None]:
    """The invariance steps that held, in order, and the first that failed (``None`` if none failed).

    A step holds when its ΔCFI is at least -.01 (Cheung & Rensvold, 2002) *and* every earlier step held: once a
    step fails, the later, more constrained steps are not interpreted (they are tested against a model that
    itself did not hold).

    Examples
    --------
    >>> import pandas as pd
    >>> inv = pd.DataFrame({"step": ["configural", "metric", "scalar", "strict"],
    ...                     "delta_cfi": [float("nan"), -0.002, -0.011, 0.001]})
    >>> invariance_held(inv)
    (['metric'], 'scalar')
    """
    held: list[str] = []
    for r in list(inv.itertuples())[1:]:
        if not float(r.delta_cfi) >= DELTA_CFI:
            return held, str(r.step)
        held.append(str(r.step))
    return held, None


def _invariance_text(res, inv, en: bool) -> str:
    """One paragraph on measurement invariance: each step's chi-square difference and change in CFI; a step
    holds only if every earlier step held; a configural fit below the usual cut-offs is said."""
    cfg = res.config
    grp = cfg.invariance
    n = inv.attrs.get("n", {})
    parts_en, parts_zh = [], []
    for r in list(inv.itertuples())[1:]:
        p = apa_p(r.p_diff)
        p_txt = f"*p* {p}" if p.startswith(("<", ">")) else f"*p* = {p}"
        p_zh = p_txt
        if not p:  # a difference on 0 df (two steps with the same df, as lavaan's lavTestLRT): no p-value
            p_txt, p_zh = "no *p* value (equal df)", "无*p*值（自由度相同）"
        dchi = apa_number(r.chisq_diff, 2)
        dcfi = apa_number(r.delta_cfi, 3, bounded=True)
        parts_en.append(f"{r.step}: Δχ²({int(r.df_diff)}) = {dchi}, {p_txt}, ΔCFI = {dcfi}")
        parts_zh.append(f"{STEP_ZH.get(r.step, r.step)}：Δχ²({int(r.df_diff)}) = {dchi}，{p_zh}，ΔCFI = {dcfi}")
    held, failed = invariance_held(inv)
    labels = choice_labels(res, grp)
    # the groups' own names (the instrument's choices) stand for the column; the column only without them
    of_en, of_zh = ("", "") if labels else (f" of {grp}", f"按{grp}")
    sizes_en = ", ".join(f"{labels.get(k, (k, k))[0]}: *n* = {v}" for k, v in n.items())
    sizes_zh = "，".join(f"{labels.get(k, (k, k))[1]}：*n* = {v}" for k, v in n.items())
    cfi0 = float(inv["cfi"].iloc[0])
    rmsea0 = float(inv["rmsea"].iloc[0]) if "rmsea" in inv else float("nan")
    poor = cfi0 < 0.90 or rmsea0 > 0.08
    cfi_txt = apa_number(cfi0, 3, bounded=True)
    rmsea_txt = "" if rmsea0 != rmsea0 else f", RMSEA = {apa_number(rmsea0, 3, bounded=True)}"
    if en:
        s = (f"**Measurement invariance.** Across the groups{of_en} ({sizes_en}), the configural model fitted "
             f"with CFI = {cfi_txt}{rmsea_txt}")
        s += ((", below the conventional cut-offs (CFI ≥ .90, RMSEA ≤ .08), so the same factor structure does not "
               "describe every group well and the later steps are to be read with caution") if poor else "")
        s += "; then " + "; ".join(parts_en) + ". By the ΔCFI ≥ −.01 rule (Cheung & Rensvold, 2002), "
        if held:
            s += f"invariance held up to the {held[-1]} level"
        else:
            s += "invariance held at no level beyond the configural model"
        if failed:
            s += f"; the {failed} step failed, so the later steps are not interpreted"
        return s + "; see the invariance table."
    s = (f"**测量不变性。**{of_zh + '分组' if of_zh else '比较各组'}（{sizes_zh}），{STEP_ZH['configural']}模型拟合CFI = {cfi_txt}{rmsea_txt}")
    s += ("，低于常用临界值（CFI ≥ .90，RMSEA ≤ .08），说明同一因子结构未能很好地描述各组，后续步骤的结果需谨慎解读"
          if poor else "")
    s += "；" + "；".join(parts_zh) + "。按ΔCFI ≥ −.01准则（Cheung & Rensvold, 2002），"
    s += (f"不变性成立至{STEP_ZH.get(held[-1], held[-1])}" if held else f"除{STEP_ZH['configural']}外，各层次的不变性均不成立")
    if failed:
        s += f"；{STEP_ZH.get(failed, failed)}未成立，其后的步骤不予解释"
    return s + "；见不变性表。"


def choice_labels(res, column: str) -> dict:
    """Value -> (en, zh) labels of a select_one item of the instrument (empty if none)."""
    try:
        item = res.instrument.item(column)
        return {str(v): (en, zh) for v, zh, en in (item.choices or ())}
    except Exception:  # not an instrument item: show the raw values
        return {}
