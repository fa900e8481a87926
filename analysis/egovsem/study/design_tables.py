"""The survey-design tables of ``egovsem run``: item ICCs by the cluster column, and the hypothesis paths with
plain and design-based (cluster-robust, weighted) standard errors side by side."""
from __future__ import annotations

import pandas as pd

from ..tables import apa_number, apa_p
from ..tables.table import Table, build

__all__ = ["icc_table", "design_comparison_table"]


def _hyp(label) -> str:
    h = str(label or "")
    return f"H{h[1:]}" if h.startswith("h") and h[1:2].isdigit() else h


def icc_table(icc: pd.DataFrame, *, labels=None, note=None) -> Table:
    """One row per item: construct, answers, ICC(1) and the design effect ``1 + (m - 1) ICC`` (``m`` the
    item's mean cluster size)."""
    cons: dict[str, str] = {}
    if labels is not None and hasattr(labels, "items"):
        cons = {it.name: it.construct for it in labels.items if getattr(it, "construct", None)}
    cols = [("item", "Item", "题项"), ("construct", "Construct", "构念"), ("n", "<i>n</i>", "<i>n</i>"),
            ("icc", "ICC(1)", "ICC(1)"), ("deff", "Design effect", "设计效应")]
    cells, values = [], []
    for r in icc.to_dict("records"):
        m = r["n"] / r["clusters"]
        deff = 1 + (m - 1) * r["icc"]
        c = cons.get(r["item"], "")
        cells.append([r["item"], c, str(r["n"]), apa_number(r["icc"], 3, bounded=True), apa_number(deff, 2)])
        values.append([r["item"], c, int(r["n"]), float(r["icc"]), float(deff)])
    k = icc.attrs.get("clusters", int(icc["clusters"].max()))
    col = icc.attrs.get("cluster", "cluster")
    lo, med, hi = (apa_number(x, 3, bounded=True) for x in (icc["icc"].min(), icc["icc"].median(), icc["icc"].max()))
    sent = (f"<i>Note.</i> Intraclass correlations of the items by {col} ({k} clusters): ICC(1) = between-cluster "
            "variance / total variance of a two-level random-intercept model of each item, estimated by maximum "
            f"likelihood. Median {med}, range {lo} to "
            f"{hi}. Design effect = 1 + (m \u2212 1) ICC, m the mean number of answers per cluster: the factor by "
            "which clustering inflates the variance of a mean.",
            f"<i>注。</i>各题项按{col}（{k}个群）计算的组内相关系数：ICC(1) = 各题项两水平随机截距模型的群间方差 / 总方差，"
            f"以极大似然估计。中位数{med}，范围{lo}至{hi}。"
            "设计效应 = 1 + (m \u2212 1) ICC，m为每群平均作答数：整群抽样使均值方差膨胀的倍数。")
    return build("icc", ("Intraclass Correlations of the Items", "题项的组内相关系数"), cols, cells, values,
                 [sent], align=("l", "l", "r", "r", "r"), note=note)


def design_comparison_table(comp: pd.DataFrame, *, fitted_design: dict | None = None, note=None) -> Table:
    """The primary model's regression paths: plain ML estimate and SE, the cluster-robust SE (same estimate)
    and their ratio, and (with weights) the weighted estimate with its cluster-robust SE."""
    from .titles import model_title

    weighted = "est_weighted" in comp.columns
    cols = [("path", "Path", "路径"), ("hypothesis", "Hypothesis", "假设"), ("b", "<i>b</i>", "<i>b</i>"),
            ("se_plain", "<i>SE</i> (plain)", "<i>SE</i>（未校正）"), ("p_plain", "<i>p</i> (plain)", "<i>p</i>（未校正）"),
            ("se_cluster", "<i>SE</i> (cluster-robust)", "<i>SE</i>（整群稳健）"),
            ("p_cluster", "<i>p</i> (cluster-robust)", "<i>p</i>（整群稳健）"), ("se_ratio", "SE ratio", "SE比")]
    if weighted:
        cols += [("b_weighted", "<i>b</i> (weighted)", "<i>b</i>（加权）"),
                 ("se_weighted", "<i>SE</i> (weighted, cluster-robust)", "<i>SE</i>（加权、整群稳健）"),
                 ("p_weighted", "<i>p</i> (weighted)", "<i>p</i>（加权）")]
    cells, values = [], []
    for r in comp.to_dict("records"):
        path = f"{r['rhs']} \u2192 {r['lhs']}"
        row = [path, _hyp(r["label"]), apa_number(r["est_plain"], 3), apa_number(r["se_plain"], 3), apa_p(r["p_plain"]),
               apa_number(r["se_cluster"], 3), apa_p(r["p_cluster"]), apa_number(r["se_ratio"], 2)]
        val = [path, _hyp(r["label"]), r["est_plain"], r["se_plain"], r["p_plain"], r["se_cluster"], r["p_cluster"],
               r["se_ratio"]]
        if weighted:
            row += [apa_number(r["est_weighted"], 3), apa_number(r["se_weighted"], 3), apa_p(r["p_weighted"])]
            val += [r["est_weighted"], r["se_weighted"], r["p_weighted"]]
        cells.append(row)
        values.append([x if isinstance(x, str) else float(x) for x in val])
    a = comp.attrs
    title = model_title(a["model"])
    flips = int(((comp["p_plain"] < .05) != (comp["p_cluster"] < .05)).sum())
    wflips = int(((comp["p_plain"] < .05) != (comp["p_weighted"] < .05)).sum()) if weighted else 0
    used = fitted_design or {}
    which_en = ("The study's results use the design-based fits (the config's weights/cluster); the plain columns "
                "show what ignoring the design gives." if used else
                "The study's other tables use the plain fits, which ignore the design; the other columns show "
                "what taking it into account changes.")
    which_zh = ("本研究其他结果采用考虑抽样设计的拟合（配置中的weights/cluster）；未校正列为忽略设计时的结果。" if used else
                "本研究其他表格采用忽略抽样设计的未校正拟合；其余各列显示考虑设计后的变化。")
    w_en = (f" Weighted: estimates weighted by {a['weights']} (normalised to the sample size), standard errors "
            f"robust to clustering in {a['cluster']}; significance at .05 differs from the plain fit for {wflips} "
            f"path(s).") if weighted else ""
    w_zh = (f"加权：估计值以{a['weights']}加权（归一化至样本量），标准误对{a['cluster']}整群稳健；"
            f"{wflips}条路径的.05显著性与未校正拟合不同。") if weighted else ""
    sent = (f"<i>Note.</i> Regression paths of the {title[0].lower()}, unstandardised. Plain: maximum likelihood "
            f"standard errors that treat the respondents as independent. Cluster-robust: the same estimates with "
            f"standard errors robust to clustering in {a['cluster']} ({a['clusters']} clusters); "
            f"SE ratio = cluster-robust / plain; significance at .05 differs for {flips} path(s).{w_en} "
            + which_en,
            f"<i>注。</i>{title[1]}的回归路径（非标准化）。未校正：视受访者相互独立的极大似然标准误。整群稳健："
            f"相同估计值，标准误对{a['cluster']}（{a['clusters']}个群）整群稳健；"
            f"SE比 = 整群稳健 / 未校正；{flips}条路径的.05显著性不同。{w_zh}" + which_zh)
    return build("design_comparison", ("Hypothesis Paths With and Without the Survey Design",
                                       "考虑与忽略抽样设计的假设路径"),
                 cols, cells, values, [sent], align=("l", "l") + ("r",) * (len(cols) - 2), note=note)
