"""APA tables of the common-method-bias checks: the CFA marker technique and ULMC model sequence
(:func:`method_bias_table`) and the reliability decomposition of the marker technique
(:func:`marker_reliability_table`); inputs are the results of :mod:`egovsem.measure.method_bias`."""
from __future__ import annotations

from typing import Any

import pandas as pd

from .._errors import EgovsemError
from ._format import DASH, apa_int, apa_number, apa_p, is_missing
from ._labels import resolve_labels
from .builders import construct_cell as _construct_cell
from .builders import note_pair as _note
from .table import Table, build

__all__ = ["method_bias_table", "marker_reliability_table"]

_MODEL_NAMES = {
    "cfa": ("CFA (marker correlated)", "CFA（标记因子与各因子相关）"),
    "baseline": ("Baseline", "基线模型"),
    "method_c": ("Method-C (equal method loadings)", "Method-C（方法载荷相等）"),
    "method_u": ("Method-U (free method loadings)", "Method-U（方法载荷自由估计）"),
    "method_r": ("Method-R (factor correlations fixed)", "Method-R（因子相关固定为基线值）"),
    "none": ("CFA without a method factor", "无方法因子的CFA"),
    "equal": ("ULMC, equal loadings", "ULMC（载荷相等）"),
    "free": ("ULMC, free loadings", "ULMC（载荷自由估计）"),
}
_VS = {"method_c": "baseline", "method_u": "method_c"}


def _fit_cells(f: pd.Series) -> list[str]:
    return [apa_number(f["chisq"], 2), apa_int(f["df"]), apa_number(f["cfi"], 3, bounded=True),
            apa_number(f["rmsea"], 3, bounded=True)]


def method_bias_table(marker=None, ulmc=None, *, harman=None, vif=None, lindell_whitney=None,
                      note: Any = None) -> Table:
    """Common-method bias: the model sequence of the CFA marker technique and of the ULMC, with the
    chi-square difference tests, and (in the note) Harman's test, the full-collinearity VIF and the
    Lindell-Whitney correction.

    Parameters
    ----------
    marker : egovsem.measure.MarkerResult, optional
    ulmc : egovsem.measure.ULMCResult, optional
    harman : DataFrame or dict, optional
        :func:`egovsem.measure.harman_single_factor` (its ``variance_share``).
    vif : DataFrame, optional
        :func:`egovsem.measure.full_collinearity_vif` (its largest ``vif``).
    lindell_whitney : DataFrame, optional
        :func:`egovsem.measure.lindell_whitney` (``r_M`` and how many correlations stay significant).
    note : str or (en, zh), optional

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import marker_cfa
    >>> res = marker_cfa(ds.load("HolzingerSwineford1939"), {"visual": ["x1", "x2", "x3"],
    ...                  "textual": ["x4", "x5", "x6"]}, {"M": ["x7", "x8", "x9"]})
    >>> t = method_bias_table(res)
    >>> t.rows_en[3]  # In R: Method-C chisq 92.060 on 31 df, vs Baseline 31.634 on 1 df
    ('Method-C (equal method loadings)', '92.06', '31', '.931', '.081', '31.63', '1', '< .001', '.035')
    """
    if marker is None and ulmc is None:
        raise EgovsemError("method_bias_table needs a 'marker' (egovsem.measure.marker_cfa) or 'ulmc' "
                           "(egovsem.measure.ulmc) result.")
    cols = [("model", "Model", "模型"), ("chisq", "\u03c7\u00b2", "\u03c7\u00b2"), ("df", "<i>df</i>", "<i>df</i>"),
            ("cfi", "CFI", "CFI"), ("rmsea", "RMSEA", "RMSEA"), ("delta_chisq", "\u0394\u03c7\u00b2", "\u0394\u03c7\u00b2"),
            ("delta_df", "\u0394<i>df</i>", "\u0394<i>df</i>"), ("p", "<i>p</i>", "<i>p</i>"),
            ("delta_cfi", "\u0394CFI", "\u0394CFI")]
    cells: list[list[Any]] = []
    values: list[list[Any]] = []
    sent: list[tuple[str, str]] = []

    def add(section_en: str, section_zh: str, fits: pd.DataFrame, tests: dict[str, pd.Series]) -> None:
        cells.append([(section_en, section_zh)] + [""] * 8)
        values.append([section_en] + [None] * 8)
        for _, f in fits.iterrows():
            t = tests.get(f["model"])
            d = ([apa_number(t["chisq_diff"], 2), apa_int(t["df_diff"]), apa_p(t["pvalue"]),
                  apa_number(t["cfi_diff"], 3, bounded=True)] if t is not None else [DASH] * 4)
            cells.append([_MODEL_NAMES.get(f["model"], (f["model"], f["model"]))] + _fit_cells(f) + d)
            values.append([f["model"], f["chisq"], f["df"], f["cfi"], f["rmsea"]]
                          + ([t["chisq_diff"], t["df_diff"], t["pvalue"], t["cfi_diff"]] if t is not None
                             else [None] * 4))

    if marker is not None:
        tests = {}
        for _, t in marker.tests.iterrows():
            more_free = t["comparison"].split("_vs_")[1]
            restricted = t["comparison"].split("_vs_")[0]
            # each row is compared with the model it restricts or extends, as Williams et al. (2010) order them
            tests[restricted if restricted == "method_r" else more_free] = t
        add(f"CFA marker technique (marker: {marker.marker})", f"CFA标记变量法（标记变量：{marker.marker}）",
            marker.fits, tests)
        ret = _MODEL_NAMES[marker.retained]
        sent.append(("Marker technique after Williams, Hartman & Cavazotte (2010): Method-C is compared with "
                     "Baseline, Method-U with Method-C, Method-R with " + ret[0].split(" (")[0] + ".",
                     "标记变量法依Williams, Hartman & Cavazotte (2010)：Method-C与基线模型比较，Method-U与Method-C"
                     "比较，Method-R与" + ret[1].split("（")[0] + "比较。"))
    if ulmc is not None:
        tests = {t["comparison"].split("_vs_")[1]: t for _, t in ulmc.tests.iterrows()}
        add("Unmeasured latent method construct", "不可测量潜在方法因子（ULMC）", ulmc.fits, tests)
        ve = ulmc.variance.set_index("model")["method_variance"]
        sent.append(("ULMC models are compared with the CFA without a method factor; the method factor extracts "
                     + ", ".join(f"{apa_number(100 * v, 1)}% ({_MODEL_NAMES[k][0].split(', ')[1]})"
                                 for k, v in ve.items()) + " of the item variance on average.",
                     "ULMC模型与无方法因子的CFA比较；方法因子平均解释题项方差的"
                     + "、".join(f"{apa_number(100 * v, 1)}%（{_MODEL_NAMES[k][1][5:-1]}）" for k, v in ve.items())
                     + "。"))
    if harman is not None:
        share = float(harman["variance_share"].iloc[0] if isinstance(harman, pd.DataFrame)
                      else harman["variance_share"])
        sent.append((f"Harman's single-factor test: the first unrotated component explains "
                     f"{apa_number(100 * share, 1)}% of the variance.",
                     f"Harman单因子检验：第一个未旋转主成分解释{apa_number(100 * share, 1)}%的方差。"))
    if vif is not None and len(vif):
        sent.append((f"Largest full-collinearity VIF: {apa_number(vif['vif'].max(), 2)} (Kock, 2015: above 3.3 "
                     "suggests common-method bias).",
                     f"最大完全共线性VIF为{apa_number(vif['vif'].max(), 2)}（Kock, 2015：大于3.3提示共同方法偏差）。"))
    if lindell_whitney is not None and len(lindell_whitney):
        lw = lindell_whitney
        r_m = lw.attrs.get("r_m", lw["r_m"].iloc[0])
        sig_raw = len(lw)
        sig = int(lw["significant"].sum())
        sent.append((f"Lindell & Whitney (2001) correction with the marker correlation <i>r</i> = "
                     f"{apa_number(r_m, 3, bounded=True)}: "
                     f"{sig} of {sig_raw} correlations remain significant.",
                     f"Lindell & Whitney (2001)校正（标记变量相关<i>r</i> = {apa_number(r_m, 3, bounded=True)}）："
                     f"{sig_raw}个相关中"
                     f"{sig}个校正后仍显著。"))
    return build("method_bias", ("Common-Method Bias Checks", "共同方法偏差检验"), cols, cells, values,
                 [_note(sent)], align=("l",) + ("r",) * 8, note=note)


def marker_reliability_table(marker, *, model: str | None = None, labels=None, note: Any = None) -> Table:
    """Reliability decomposition of the CFA marker technique (Williams et al. 2010, Table 5): per latent,
    total reliability, its substantive and method parts and the share due to the method.

    Parameters
    ----------
    marker : egovsem.measure.MarkerResult
    model : {"method_c", "method_u"}, optional
        Default: the model the marker technique retained.
    labels : mapping or instrument, optional

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import marker_cfa
    >>> res = marker_cfa(ds.load("HolzingerSwineford1939"), {"visual": ["x1", "x2", "x3"],
    ...                  "textual": ["x4", "x5", "x6"]}, {"M": ["x7", "x8", "x9"]})
    >>> marker_reliability_table(res).rows_en[0]  # In R: Method-C visual .622 = .507 + .115
    ('visual', '.622', '.507', '.115', '18.5')
    """
    model = model or marker.retained
    rel = marker.reliability[marker.reliability["model"] == model]
    if rel.empty:
        raise EgovsemError(f"The 'model' parameter must be 'method_c' or 'method_u'. Got {model!r}.")
    lab = resolve_labels(labels)
    cols = [("latent", "Latent variable", "潜变量"), ("total", "Total reliability", "总信度"),
            ("substantive", "Substantive", "实质部分"), ("method", "Method", "方法部分"),
            ("method_share", "% method", "方法占比（%）")]
    cells, values = [], []
    for _, r in rel.iterrows():
        cells.append([_construct_cell(r["latent"], lab), apa_number(r["total"], 3, bounded=True),
                      apa_number(r["substantive"], 3, bounded=True), apa_number(r["method"], 3, bounded=True),
                      apa_number(100 * r["method_share"], 1)])
        values.append([r["latent"], r["total"], r["substantive"], r["method"], r["method_share"]])
    name = _MODEL_NAMES[model]
    sent = [(f"From the standardized estimates of {name[0]}: reliability = ((\u03a3\u03bb)\u00b2 + (\u03a3m)\u00b2) / "
             "((\u03a3\u03bb)\u00b2 + (\u03a3m)\u00b2 + \u03a3\u03b8), split into its substantive (\u03a3\u03bb)\u00b2 "
             "and method (\u03a3m)\u00b2 parts (Williams, Hartman & Cavazotte, 2010).",
             f"依{name[1]}的标准化估计：信度 = ((\u03a3\u03bb)\u00b2 + (\u03a3m)\u00b2) / ((\u03a3\u03bb)\u00b2 + "
             "(\u03a3m)\u00b2 + \u03a3\u03b8)，分解为实质部分(\u03a3\u03bb)\u00b2与方法部分(\u03a3m)\u00b2"
             "（Williams, Hartman & Cavazotte, 2010）。")]
    if any(is_missing(v) for r in values for v in r[1:]):
        sent.append(("Empty cells could not be computed.", "空格无法计算。"))
    return build("marker_reliability", ("Reliability Decomposition (CFA Marker Technique)", "信度分解（CFA标记变量法）"),
                 cols, cells, values, [_note(sent)], align=("l", "r", "r", "r", "r"), note=note)
