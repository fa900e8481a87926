"""The common-method-bias checks of ``egovsem run`` (config key ``marker:``) as a table and a sentence of the
methods paragraph, from the JSON-ready record the pipeline keeps (``RunResult.method_bias``: Harman, the
full-collinearity VIF and, with a marker scale, the CFA marker technique and the Lindell-Whitney correction).
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pandas as pd

from ..tables._format import apa_number, apa_p

__all__ = ["method_bias_run_table", "method_bias_text"]


def _ptext(p: float) -> str:
    s = apa_p(p)
    return f"*p* {s}" if s.startswith("<") else f"*p* = {s}"


def _parts(mb: dict) -> dict[str, Any]:
    mc = mb["marker_cfa"]
    marker = SimpleNamespace(marker=mc["marker"], retained=mc["retained"], fits=pd.DataFrame(mc["fits"]),
                             tests=pd.DataFrame(mc["tests"]))
    out: dict[str, Any] = {"marker": marker, "harman": mb.get("harman")}
    vif = pd.DataFrame(mb.get("full_collinearity_vif") or [])
    out["vif"] = vif if len(vif) else None
    lw_rec = mb.get("lindell_whitney")
    if lw_rec:
        lw = pd.DataFrame(lw_rec["pairs"])
        lw.attrs["r_m"] = lw_rec["r_m"]
        out["lindell_whitney"] = lw
    return out


def method_bias_run_table(mb: dict, *, note: Any = None):
    """The table of :func:`egovsem.tables.method_bias_table` for a run with a marker scale."""
    from ..tables import method_bias_table

    return method_bias_table(**_parts(mb), note=note)


def method_bias_text(mb: dict | None, en: bool) -> str | None:
    """The methods paragraph's sentence on common-method bias (None without the marker checks)."""
    if not mb or "marker_cfa" not in mb:
        return None
    mc = mb["marker_cfa"]
    tests = {t["comparison"]: t for t in mc["tests"]}
    bc = tests.get("baseline_vs_method_c")
    share = float(mb["harman"]["variance_share"]) if mb.get("harman") else float("nan")
    vifs = [float(r["vif"]) for r in mb.get("full_collinearity_vif") or []]
    lw = mb.get("lindell_whitney") or {}
    pairs = lw.get("pairs") or []
    sig = sum(bool(p["significant"]) for p in pairs)
    method = bool(mc.get("conclusions", {}).get("method_variance"))
    m = mc["marker"]
    if en:
        s = (f"**Common-method bias.** Harman's first unrotated component explained {apa_number(100 * share, 1)}% of "
             f"the item variance" + (f" and the largest full-collinearity VIF was {apa_number(max(vifs), 2)}" if vifs
                                     else "") + ". Because Harman's test is weak (Podsakoff et al., 2003), the "
             f"questionnaire's theoretically unrelated marker scale ({m}) entered the CFA marker technique "
             f"(Williams, Hartman & Cavazotte, 2010)")
        if bc is not None:
            s += (f": adding equal method loadings to the baseline model changed χ² by "
                  f"{apa_number(bc['chisq_diff'], 2)} on {int(bc['df_diff'])} df ({_ptext(bc['pvalue'])}), "
                  + ("evidence of method variance" if method else "no evidence of method variance"))
        if pairs:
            s += (f"; after the Lindell-Whitney (2001) correction with the marker correlation *r* = "
                  f"{apa_number(lw['r_m'], 3, bounded=True)}, {sig} of {len(pairs)} correlations stayed significant")
        return s + ". The common-method-bias table gives the model sequence."
    s = (f"**共同方法偏差。**Harman单因子检验中第一个未旋转主成分解释了{apa_number(100 * share, 1)}%的题项方差"
         + (f"，最大完全共线性VIF为{apa_number(max(vifs), 2)}" if vifs else "")
         + f"。由于Harman检验效力较弱（Podsakoff et al., 2003），本研究以问卷中理论上无关的标记变量量表（{m}）进行CFA标记变量法"
         f"检验（Williams, Hartman & Cavazotte, 2010）")
    if bc is not None:
        s += (f"：在基线模型上加入等值方法载荷后χ²变化{apa_number(bc['chisq_diff'], 2)}（df = {int(bc['df_diff'])}，"
              f"{_ptext(bc['pvalue'])}），"
              + ("表明存在方法变异" if method else "未发现方法变异的证据"))
    if pairs:
        s += (f"；经Lindell-Whitney（2001）校正（标记变量相关*r* = {apa_number(lw['r_m'], 3, bounded=True)}）后，"
              f"{len(pairs)}个相关中{sig}个仍显著")
    return s + "。模型序列见共同方法偏差表。"
