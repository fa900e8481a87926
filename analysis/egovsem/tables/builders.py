"""One builder per APA table of a survey-SEM paper. Each returns a frozen :class:`~egovsem.tables.Table`.

The builders read the numbers straight from a fitted model (:class:`egovsem.Results`) or from plain
DataFrames (reliability, HTMT, invariance steps), so the table shows exactly the numbers of the results.
Every builder takes ``note=`` (an extra note paragraph: one text, or ``(en, zh)``); pass
:data:`egovsem.study.example.SIMULATED_NOTE` for anything made from the simulated example.
"""
from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from .._errors import EgovsemError, EgovsemWarning, NotAvailableError, check_option
from ._format import DASH, apa_ci, apa_int, apa_number, apa_p, is_missing
from ._labels import abbreviations, hypothesis_name, resolve_labels
from .signs import DECISIONS, decision, parse_sign
from .table import Table, build

__all__ = [
    "sample_table", "correlation_table", "measurement_table", "htmt_table", "fit_table", "hypotheses_table",
    "indirect_table", "effects_table", "invariance_table", "model_constructs", "latent_correlations",
]

NAN = float("nan")
ARROW = "\u2192"
YES, NO = ("Yes", "是"), ("No", "否")
SQRT = "\u221a"


# -- helpers ---------------------------------------------------------------------------------------------
def check_fit(fit, name: str = "fit", *, what: str | None = None):
    """Check that ``fit`` is a fitted model; with ``what`` (the builder), refuse one that did not converge."""
    if not (hasattr(fit, "params") and hasattr(fit, "fit_measures")):
        raise EgovsemError(f"The '{name}' parameter must be the result of egovsem.sem() or egovsem.cfa(). "
                           f"Got {type(fit).__name__} instead.")
    if what is not None:
        # imported here: egovsem.sem.checks loads the egovsem.sem package, and the tables import no fitting code
        from ..sem.checks import require_converged

        require_converged(fit, what)
    return fit


def _groups(fit) -> list:
    pe = fit.params
    return list(pd.unique(pe["group"])) if "group" in pe.columns else [1]


def _single_group(fit, what: str) -> None:
    g = _groups(fit)
    if len(g) > 1:
        raise NotAvailableError(f"The {what} of a multi-group fit ({len(g)} groups) is not available; fit the model "
                                f"to each group's data and build one table per group.")


def model_constructs(fit) -> dict[str, list[str]]:
    """The constructs of a fitted model: its ``=~`` blocks, ``{factor: [indicators]}`` in model order.

    >>> import egovsem, egovsem.datasets as ds
    >>> fit = egovsem.cfa("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6", ds.load("HolzingerSwineford1939"))
    >>> model_constructs(fit)
    {'visual': ['x1', 'x2', 'x3'], 'textual': ['x4', 'x5', 'x6']}
    """
    pe = check_fit(fit).params
    if "group" in pe.columns:
        pe = pe[pe["group"] == pe["group"].iloc[0]]
    out: dict[str, list[str]] = {}
    for r in pe[pe["op"] == "=~"].itertuples():
        items = out.setdefault(r.lhs, [])
        if r.rhs not in items:
            items.append(r.rhs)
    return out


def latent_correlations(fit) -> pd.DataFrame:
    """Model-implied correlations of the latent variables (lavaan's ``lavInspect(fit, "cor.lv")``)."""
    check_fit(fit, what="latent_correlations")
    R = fit.inspect("cor.lv")
    # several groups: the first group's matrix (lavaan gives one per group)
    R = next(iter(R.values())) if isinstance(R, dict) else R
    # one latent variable: lavaan's "cor.lv" is its variance (no cov2cor); its correlation is 1
    return pd.DataFrame(1.0, index=R.index, columns=R.columns) if R.shape == (1, 1) else R


def _note(sentences: Iterable[tuple[str, str]]) -> tuple[str, str]:
    s = [x for x in sentences if x and x[0]]
    if not s:
        return ("", "")
    return ("<i>Note.</i> " + " ".join(x[0] for x in s), "注：" + "".join(x[1] for x in s))


def _construct_cell(code: str, labels) -> Any:
    if code in labels:
        en, zh = labels[code]
        return (f"{en} ({code})", f"{zh}（{code}）")
    return code


def _series(x, name: str, value_cols: Sequence[str]) -> pd.Series:
    """A construct -> value Series from a Series, a dict, or a DataFrame with a ``construct`` column."""
    if x is None:
        return pd.Series(dtype=float)
    if isinstance(x, pd.Series):
        return x.astype(float)
    if isinstance(x, Mapping):
        return pd.Series({str(k): float(v) for k, v in x.items()})
    if isinstance(x, pd.DataFrame):
        df = x.set_index("construct") if "construct" in x.columns else x
        for c in value_cols:
            if c in df.columns:
                return df[c].astype(float)
        raise EgovsemError(f"The '{name}' parameter has no column named one of {list(value_cols)!r}; "
                           f"it has {list(df.columns)!r}.")
    raise TypeError(f"The '{name}' parameter must be a Series, dict or DataFrame. Got {type(x).__name__} instead.")


def _regressions(fit) -> pd.DataFrame:
    pe = fit.params
    return pe[pe["op"] == "~"]


def _path_text(lhs: str, rhs: str) -> str:
    return f"{rhs} {ARROW} {lhs}"


def _expected_sign(expected, label: str, lhs: str, rhs: str, default: str | None) -> str | None:
    if expected is None:
        return default if label else None
    for key in (label, f"{lhs}~{rhs}", f"{lhs} ~ {rhs}", f"{rhs}->{lhs}"):
        if key and key in expected:
            s = expected[key]
            if s in ("+", "-", "positive", "negative"):
                return "+" if s in ("+", "positive") else "-"
            raise EgovsemError(f"The 'expected' parameter gives {key!r} the sign {s!r}; use '+' or '-'.")
    return None


# -- sample characteristics ------------------------------------------------------------------------------
def _item_text(instrument, col: str):
    """An item's question text ``(en, zh)`` as the row label, else the column name."""
    if instrument is None:
        return col
    try:
        it = instrument.item(col)
    except Exception:
        return col
    return (it.text_en or col, it.text_zh or it.text_en or col)


def sample_table(data: pd.DataFrame, columns, *, levels: Mapping | None = None, instrument=None,
                 max_levels: int = 12, note: Any = None) -> Table:
    """Sample characteristics: n and % of each category (M and SD for continuous columns).

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    columns : sequence of str, or mapping column -> name or (name_en, name_zh)
        The characteristics, in order. Named by the instrument's question text when ``instrument`` is given
        and ``columns`` is a sequence.
    levels : mapping column -> mapping code -> name or (name_en, name_zh), optional
        Category names; by default taken from ``instrument``'s choices for that item, else the codes.
    instrument : egovsem.instruments.Instrument, optional
        Gives category names (its choices) for columns that are items of the instrument.
    max_levels : int
        A numeric column with more distinct values than this is summarised as M (SD).

    Examples
    --------
    >>> df = pd.DataFrame({"type": ["citizen", "firm", "citizen", None], "age": [20, 30, 40, 50]})
    >>> t = sample_table(df, {"type": ("Respondent type", "受访者类型")}, max_levels=2)
    >>> t.to_frame()
        Characteristic Category  n      %
    0  Respondent type            
    1                   citizen  2  50.0
    2                      firm  1  25.0
    3                   Missing  1  25.0
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"The 'data' parameter must be a DataFrame. Got {type(data).__name__} instead.")
    if isinstance(columns, str):
        columns = [columns]
    if not isinstance(columns, Mapping):
        columns = {c: _item_text(instrument, c) for c in columns}
    spec = resolve_labels(columns)
    levels = dict(levels or {})
    n_total = len(data)
    cells, values = [], []
    coded: list[str] = []  # numeric categorical columns shown by their codes
    for col, name in spec.items():
        if col not in data.columns:
            raise EgovsemError(f"The 'columns' parameter names {col!r}, which is not a column of the data; "
                               f"columns are {list(data.columns)[:20]!r}.")
        x = data[col]
        lv = levels.get(col)
        if lv is None and instrument is not None:
            try:
                it = instrument.item(col)
                lv = {code: (en, zh) for code, zh, en in (it.choices or ())} or None
            except Exception:
                lv = None
        numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
        if instrument is not None and any(it.name == col for it in getattr(instrument, "identifiers", lambda: ())()):
            raise EgovsemError(f"The 'columns' parameter names {col!r}, an identifier of the instrument; personal "
                               "data are never tabulated.")
        if lv is None and not numeric and x.nunique(dropna=True) > max_levels:
            # free text (names, e-mail addresses, comments) would be copied row by row into the table
            raise EgovsemError(f"The 'columns' parameter names {col!r}, a text column with "
                               f"{x.nunique(dropna=True)} distinct values (more than max_levels = {max_levels}); "
                               "a sample table shows categories, not free text. Leave it out, or recode it.")
        if lv is None and numeric and x.nunique(dropna=True) > max_levels:
            m, sd = float(x.mean()), float(x.std(ddof=1))
            cells.append([name, "<i>M</i> (<i>SD</i>)", apa_int(x.notna().sum()),
                          f"{apa_number(m)} ({apa_number(sd)})"])
            values.append([col, "M (SD)", int(x.notna().sum()), (m, sd)])
            continue
        cells.append([name, "", "", ""])
        values.append([col, None, None, None])
        if not lv and numeric:
            coded.append(col)
        lvmap = resolve_labels(lv) if lv else {}
        counts = x.value_counts(dropna=True, sort=False)
        order = list(lv) if lv else sorted(counts.index, key=lambda v: (str(type(v)), v))
        order += [v for v in counts.index if v not in order]
        for code in order:
            n = int(counts.get(code, 0))  # categories of a defined list show even when empty
            pct = 100.0 * n / n_total if n_total else NAN
            code_n = int(code) if isinstance(code, float) and code.is_integer() else code  # 1.0 -> 1
            cat = lvmap.get(str(code_n), (str(code_n), str(code_n))) if lvmap else str(code_n)
            cells.append(["", cat, str(n), apa_number(pct, 1)])
            values.append([col, code, n, pct])
        n_miss = int(x.isna().sum())
        if n_miss:
            pct = 100.0 * n_miss / n_total
            cells.append(["", ("Missing", "缺失"), str(n_miss), apa_number(pct, 1)])
            values.append([col, None, n_miss, pct])
    sent = [(f"<i>N</i> = {n_total}. Percentages are of all respondents.",
             f"<i>N</i> = {n_total}。百分比以全部受访者为基数。")]
    if coded:
        sent.append((f"Categories of {', '.join(coded)} are shown by their codes (no labels in the instrument or "
                     "the data file).", f"{'、'.join(coded)}的类别以原始编码显示（问卷与数据文件均无标签）。"))
    notes = [_note(sent)]
    columns_ = [("characteristic", "Characteristic", "特征"), ("category", "Category", "类别"),
                ("n", "<i>n</i>", "<i>n</i>"), ("pct", "%", "%")]
    return build("sample", ("Sample Characteristics", "样本特征"), columns_, cells, values, notes,
                 align=("l", "l", "r", "r"), note=note)


# -- descriptives and latent correlations ----------------------------------------------------------------
def correlation_table(fit, *, data: pd.DataFrame | None = None, ave=None, constructs: Sequence[str] | None = None,
                      labels=None, digits: int = 2, note: Any = None) -> Table:
    """Descriptive statistics and latent correlations, with the square root of AVE on the diagonal.

    Parameters
    ----------
    fit : egovsem.Results
        The CFA (any fit with the constructs as latent variables); correlations are model-implied latent
        correlations (lavaan ``lavInspect(fit, "cor.lv")``).
    data : DataFrame, optional
        Gives M and SD of each construct's mean item score.
    ave : Series, dict or DataFrame, optional
        AVE per construct (a DataFrame with ``construct`` and ``ave`` columns, such as
        :func:`egovsem.measure.reliability_table`); its square root goes on the diagonal
        (Fornell & Larcker, 1981). Without it the diagonal shows an em dash.
    constructs : sequence of str, optional
        Which latent variables, in order (default: all of the model's).
    labels : mapping or None
        Construct names for the note, a mapping or an instrument (default: codes only).
    """
    check_fit(fit, what="correlation_table")
    _single_group(fit, "latent correlation table")
    labels = resolve_labels(labels)
    R = latent_correlations(fit)
    names = list(constructs) if constructs is not None else list(R.index)
    bad = [c for c in names if c not in R.index]
    if bad:
        raise EgovsemError(f"The 'constructs' parameter names {bad!r}, which are not latent variables of the model "
                           f"({list(R.index)!r}).")
    items = model_constructs(fit)
    a = _series(ave, "ave", ["ave", "AVE"])
    cols = [("construct", "Construct", "构念")]
    has_desc = data is not None
    if has_desc:
        cols += [("M", "<i>M</i>", "<i>M</i>"), ("SD", "<i>SD</i>", "<i>SD</i>")]
    cols += [(c, str(i + 1), str(i + 1)) for i, c in enumerate(names)]
    cells, values = [], []
    fl_ok = []
    for i, c in enumerate(names):
        row_c: list[Any] = [f"{i + 1}. {c}"]
        row_v: list[Any] = [c]
        if data is not None:
            its = [x for x in items.get(c, []) if x in data.columns]
            if its:
                score = data[its].apply(pd.to_numeric, errors="coerce").mean(axis=1, skipna=True)
                m, sd = float(score.mean()), float(score.std(ddof=1))
            else:
                m = sd = NAN
            row_c += [apa_number(m, digits), apa_number(sd, digits)]
            row_v += [m, sd]
        for j, d in enumerate(names):
            if j < i:
                r = float(R.loc[c, d])
                row_c.append(apa_number(r, digits, bounded=True))
                row_v.append(r)
            elif j == i:
                if c in a.index and not is_missing(a[c]):
                    s = math.sqrt(float(a[c]))
                    row_c.append(f"<b>{apa_number(s, digits, bounded=True)}</b>")
                    row_v.append(s)
                    others = [abs(float(R.loc[c, o])) for o in names if o != c]
                    fl_ok.append(not others or s > max(others))
                else:
                    row_c.append(DASH)
                    row_v.append(NAN)
            else:
                row_c.append("")
                row_v.append(NAN)
        cells.append(row_c)
        values.append(row_v)
    sent = [("Correlations below the diagonal are model-implied latent correlations from the confirmatory "
             "factor analysis.", "对角线下方为验证性因子分析的潜变量相关（模型隐含）。")]
    if has_desc:
        sent.append(("<i>M</i> and <i>SD</i> are of the mean item score of each construct.",
                     "<i>M</i>和<i>SD</i>为各构念题项均分的均值和标准差。"))
    if fl_ok:
        k = sum(fl_ok)
        sent.append((f"Values on the diagonal (bold) are the square root of the average variance extracted "
                     f"({SQRT}AVE); it exceeds every correlation of the construct for {k} of {len(fl_ok)} "
                     f"constructs (Fornell & Larcker, 1981).",
                     f"对角线（粗体）为平均方差萃取量的平方根（{SQRT}AVE）；{len(fl_ok)}个构念中有{k}个的"
                     f"{SQRT}AVE大于其与其他构念的相关（Fornell & Larcker, 1981）。"))
    sent.append(abbreviations(names, labels))
    align = ("l",) + ("r",) * (len(cols) - 1)
    return build("correlations", ("Descriptive Statistics and Latent Correlations", "描述性统计与潜变量相关"),
                 cols, cells, values, [_note(sent)], align=align, note=note)


# -- measurement model -----------------------------------------------------------------------------------
def _reliability_frame(fit, reliability, data):
    if reliability is None and data is not None:
        try:
            from ..measure import reliability_table
        except ImportError:  # pragma: no cover - egovsem.measure is part of the package
            reliability_table = None
        if reliability_table is not None:
            reliability = reliability_table(fit, data)
    if reliability is None:
        return None
    if isinstance(reliability, pd.DataFrame):
        df = reliability.set_index("construct") if "construct" in reliability.columns else reliability
        return df.rename(columns={"cr": "omega", "CR": "omega", "alpha_cronbach": "alpha", "AVE": "ave"})
    raise TypeError(f"The 'reliability' parameter must be a DataFrame with columns construct, alpha, omega (or cr), "
                    f"ave. Got {type(reliability).__name__} instead.")


def measurement_table(fit, reliability: pd.DataFrame | None = None, *, data: pd.DataFrame | None = None,
                      constructs: Sequence[str] | None = None, labels=None, item_labels: Mapping | None = None,
                      note: Any = None) -> Table:
    """The measurement model: standardised loadings, Cronbach's alpha, composite reliability (omega), AVE.

    Parameters
    ----------
    fit : egovsem.Results
        The CFA; loadings are its ``std.all`` of the ``=~`` rows.
    reliability : DataFrame, optional
        One row per construct with ``construct`` and any of ``alpha``, ``omega`` (or ``cr``), ``ave`` —
        the output of :func:`egovsem.measure.reliability_table`. Computed from ``data`` when omitted and
        ``data`` is given; without both, only the loadings are shown.
    data : DataFrame, optional
        The data of the fit, to compute ``reliability``.
    constructs : sequence of str, optional
        Factors to show, in order (default: every ``=~`` block).
    labels : mapping or None
        Construct names, a mapping or an instrument (default: codes only).
    item_labels : mapping item -> name or (en, zh), optional
        Shown instead of the item codes.
    """
    check_fit(fit, what="measurement_table")
    _single_group(fit, "measurement-model table")
    labels = resolve_labels(labels)
    item_labels = resolve_labels(item_labels or {})
    rel = _reliability_frame(fit, reliability, data)
    pe = fit.params
    lo = pe[pe["op"] == "=~"]
    blocks = model_constructs(fit)
    names = list(constructs) if constructs is not None else list(blocks)
    bad = [c for c in names if c not in blocks]
    if bad:
        raise EgovsemError(f"The 'constructs' parameter names {bad!r}, which have no '=~' block in the model "
                           f"({list(blocks)!r}).")
    rel_cols = []
    if rel is not None:
        for key, en, zh, hdr_en in (("alpha", "\u03b1", "\u03b1", "Cronbach's alpha"),
                                    ("omega", "CR", "CR", "composite reliability (\u03c9)"),
                                    ("ave", "AVE", "AVE", "average variance extracted")):
            if key in rel.columns:
                rel_cols.append((key, en, zh, hdr_en))
    cols = [("construct", "Construct", "构念"), ("item", "Item", "题项"), ("loading", "\u03bb", "\u03bb")]
    cols += [(k, en, zh) for k, en, zh, _ in rel_cols]
    cells, values = [], []
    free_p = []
    for c in names:
        rows = lo[lo["lhs"] == c]
        for k, r in enumerate(rows.to_dict("records")):
            lam = float(r["std.all"])
            if float(r["se"]) > 0:
                free_p.append(float(r["pvalue"]))
            first = k == 0
            item = item_labels.get(r["rhs"], r["rhs"]) if item_labels else r["rhs"]
            row_c = [_construct_cell(c, labels) if first else "", item, apa_number(lam, 2, bounded=True)]
            row_v = [c, r["rhs"], lam]
            for key, *_ in rel_cols:
                v = float(rel.loc[c, key]) if (first and c in rel.index and not is_missing(rel.loc[c, key])) else NAN
                row_c.append(apa_number(v, 2, bounded=True) if first else "")
                row_v.append(v)
            cells.append(row_c)
            values.append(row_v)
    sent = [("\u03bb = completely standardised factor loading.", "\u03bb 为完全标准化因子载荷。")]
    if free_p:
        if max(free_p) < 0.001:
            sent.append(("All freely estimated loadings are significant at <i>p</i> < .001; the first loading of "
                         "each factor was fixed to 1 for identification.",
                         "所有自由估计的载荷均在<i>p</i> < .001水平显著；每个因子的第一个载荷固定为1以识别模型。"))
        else:
            k = sum(p >= 0.05 for p in free_p)
            sent.append((f"{k} of {len(free_p)} freely estimated loadings are not significant at <i>p</i> < .05.",
                         f"{len(free_p)}个自由估计的载荷中有{k}个在<i>p</i> < .05水平不显著。"))
    if rel_cols:
        sent.append(("; ".join(f"{en} = {h}" for _, en, _, h in rel_cols) + ".",
                     "；".join({"alpha": "\u03b1 = Cronbach's \u03b1 系数", "omega": "CR = 组合信度（\u03c9）",
                               "ave": "AVE = 平均方差萃取量"}[k] for k, *_ in rel_cols) + "。"))
    align = ("l", "l") + ("r",) * (len(cols) - 2)
    return build("measurement", ("Measurement Model: Standardised Loadings, Reliability and Convergent Validity",
                                 "测量模型：标准化载荷、信度与收敛效度"),
                 cols, cells, values, [_note(sent)], align=align, note=note)


# -- HTMT -----------------------------------------------------------------------------------------------
def htmt_table(htmt: pd.DataFrame, *, threshold: float = 0.85, labels=None, note: Any = None) -> Table:
    """Heterotrait-monotrait ratios (lower triangle); values at or above ``threshold`` in bold.

    Parameters
    ----------
    htmt : DataFrame
        Square, construct by construct (:func:`egovsem.measure.htmt`, semTools::htmt).
    threshold : float
        .85 (Kline; Henseler, Ringle & Sarstedt, 2015) or .90 (Gold et al., 2001).

    Examples
    --------
    >>> h = pd.DataFrame([[1, .5, .9], [.5, 1, .3], [.9, .3, 1]], index=list("ABC"), columns=list("ABC"))
    >>> htmt_table(h, labels=False).to_frame()
      Construct    1    2 3
    0      1. A
    1      2. B  .50
    2      3. C  .90  .30
    """
    if not isinstance(htmt, pd.DataFrame) or list(htmt.index) != list(htmt.columns):
        raise EgovsemError("The 'htmt' parameter must be a square DataFrame with the same constructs as index and "
                           "columns (egovsem.measure.htmt).")
    labels = resolve_labels(labels)
    names = [str(c) for c in htmt.index]
    cols = [("construct", "Construct", "构念")] + [(c, str(i + 1), str(i + 1)) for i, c in enumerate(names)]
    cells, values, above = [], [], 0
    for i, c in enumerate(names):
        row_c: list[Any] = [f"{i + 1}. {c}"]
        row_v: list[Any] = [c]
        for j in range(len(names)):
            if j < i:
                v = float(htmt.iloc[i, j])
                s = apa_number(v, 2, bounded=True)
                if not is_missing(v) and v >= threshold:
                    s, above = f"<b>{s}</b>", above + 1
                row_c.append(s)
                row_v.append(v)
            else:
                row_c.append("")
                row_v.append(NAN)
        cells.append(row_c)
        values.append(row_v)
    thr = apa_number(threshold, 2, bounded=True)
    sent = [("HTMT = heterotrait-monotrait ratio of correlations (Henseler et al., 2015).",
             "HTMT = 异质-单质相关比（Henseler et al., 2015）。"),
            (f"Values below {thr} support discriminant validity; " + (
                f"no pair reaches {thr}." if above == 0 else
                f"{above} {'pair reaches' if above == 1 else 'pairs reach'} {thr} or more (bold)."),
             f"小于{thr}表示具有区分效度；" + (f"所有构念对均低于{thr}。" if above == 0 else
                                      f"{above}对构念的值不低于{thr}，以粗体标出。")),
            abbreviations(names, labels)]
    return build("htmt", ("Heterotrait-Monotrait Ratios (HTMT)", "异质-单质比（HTMT）"), cols, cells, values,
                 [_note(sent)], align=("l",) + ("r",) * len(names), note=note)


# -- model fit ------------------------------------------------------------------------------------------
_FIT_KEYS = {
    False: ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr"),
    True: ("chisq.scaled", "df.scaled", "pvalue.scaled", "cfi.robust", "tli.robust", "rmsea.robust",
           "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "srmr"),
}


def _first(m: pd.Series, key: str) -> float:
    """``m[key]``; for a robust index lavaan may leave NA (WLSMV), fall back to its ``.scaled`` version."""
    v = float(m.get(key, NAN))
    if is_missing(v) and key.endswith(".robust"):
        v = float(m.get(key[: -len(".robust")] + ".scaled", NAN))
        if is_missing(v) and key.startswith("rmsea.ci"):  # rmsea.ci.lower.robust -> rmsea.ci.lower.scaled
            v = float(m.get(key.replace(".robust", ".scaled"), NAN))
    return v


def _measures(x, name: str) -> pd.Series:
    if hasattr(x, "fit_measures"):
        from ..sem.checks import require_converged

        require_converged(x, "fit_table", title=name)
        return x.fit_measures
    if isinstance(x, pd.Series):
        return x
    if isinstance(x, Mapping):
        return pd.Series(dict(x), dtype=float)
    raise TypeError(f"The 'fits' parameter gives {name!r} a {type(x).__name__}; use a fitted model or its "
                    f"fit_measures Series.")


def fit_table(fits, *, robust: bool | None = None, note: Any = None) -> Table:
    """Fit of the compared models: chi-square, df, p, chi-square/df, CFI, TLI, RMSEA [90% CI], SRMR, AIC, BIC.

    Parameters
    ----------
    fits : mapping name -> Results (or fit_measures Series), or a sequence of Results
        The models, in order; a name may be ``(name_en, name_zh)``. A bare sequence is named "Model 1", ...
    robust : bool, optional
        Report the scaled chi-square and robust CFI/TLI/RMSEA (MLR). Default: when every fit has them.

    Examples
    --------
    >>> fm = pd.Series({"chisq": 85.306, "df": 24, "pvalue": 8.5e-9, "cfi": .931, "tli": .896, "rmsea": .092,
    ...                 "rmsea.ci.lower": .071, "rmsea.ci.upper": .114, "srmr": .065, "aic": 7517.49, "bic": 7595.34})
    >>> fit_table({"CFA": fm}).to_frame().iloc[0].tolist()
    ['CFA', '85.31', '24', '< .001', '3.55', '.931', '.896', '.092 [.071, .114]', '.065', '7517.49', '7595.34']
    """
    if isinstance(fits, Mapping):
        items = list(fits.items())
    elif isinstance(fits, (list, tuple)):
        items = [((f"Model {i + 1}", f"模型{i + 1}"), f) for i, f in enumerate(fits)]
    else:
        items = [(("Model", "模型"), fits)]
    if not items:
        raise EgovsemError("The 'fits' parameter is empty; give at least one fitted model.")
    ms = [(name, _measures(f, str(name))) for name, f in items]
    if robust is None:
        robust = all(not is_missing(m.get("chisq.scaled", NAN)) for _, m in ms)
    keys = _FIT_KEYS[bool(robust)]
    cols = [("model", "Model", "模型"), ("chisq", "\u03c7\u00b2", "\u03c7\u00b2"), ("df", "<i>df</i>", "<i>df</i>"),
            ("p", "<i>p</i>", "<i>p</i>"), ("chisq_df", "\u03c7\u00b2/<i>df</i>", "\u03c7\u00b2/<i>df</i>"),
            ("cfi", "CFI", "CFI"), ("tli", "TLI", "TLI"), ("rmsea", "RMSEA [90% CI]", "RMSEA [90% CI]"),
            ("srmr", "SRMR", "SRMR"), ("aic", "AIC", "AIC"), ("bic", "BIC", "BIC")]
    cells, values = [], []
    for name, m in ms:
        g = [_first(m, k) for k in keys]
        chisq, df, p, cfi, tli, rmsea, lo, hi, srmr = g
        aic, bic = float(m.get("aic", NAN)), float(m.get("bic", NAN))
        ratio = chisq / df if df and not is_missing(df) and df > 0 else NAN
        rm = apa_number(rmsea, 3, bounded=True)
        ci = apa_ci(lo, hi, 3, bounded=True, show_zero=False)
        cells.append([name, apa_number(chisq, 2), apa_int(df), apa_p(p), apa_number(ratio, 2),
                      apa_number(cfi, 3, bounded=True), apa_number(tli, 3, bounded=True),
                      f"{rm} {ci}".strip(), apa_number(srmr, 3, bounded=True), apa_number(aic, 2),
                      apa_number(bic, 2)])
        values.append([name[0] if isinstance(name, tuple) else name, chisq, df, p, ratio, cfi, tli, (rmsea, lo, hi),
                       srmr, aic, bic])
    sent = [("CFI = comparative fit index; TLI = Tucker-Lewis index; RMSEA = root mean square error of "
             "approximation; CI = confidence interval; SRMR = standardised root mean square residual; AIC = Akaike "
             "information criterion; BIC = Bayesian information criterion.",
             "CFI = 比较拟合指数；TLI = Tucker-Lewis指数；RMSEA = 近似误差均方根；CI = 置信区间；SRMR = 标准化残差均方根；"
             "AIC = 赤池信息准则；BIC = 贝叶斯信息准则。"),
            ("Common cut-offs: CFI and TLI \u2265 .95, RMSEA \u2264 .06, SRMR \u2264 .08 (Hu & Bentler, 1999).",
             "常用标准：CFI和TLI \u2265 .95，RMSEA \u2264 .06，SRMR \u2264 .08（Hu & Bentler, 1999）。")]
    if robust:
        sent.insert(0, ("Scaled chi-square and robust (or, where no robust version is defined, scaled) CFI, TLI and RMSEA.",
                        "报告校正卡方及稳健（无稳健值时为校正）CFI、TLI和RMSEA。"))
    return build("fit", ("Fit of the Compared Models", "模型拟合比较"), cols, cells, values, [_note(sent)],
                 align=("l",) + ("r",) * 10, note=note)


def _convergence(fit) -> tuple[str, str]:
    if getattr(fit, "converged", True):
        return ("", "")
    return ("Caution: the estimation did not converge; these estimates are not interpretable.",
            "注意：模型估计未收敛，以上估计值不可解释。")


# -- hypotheses ----------------------------------------------------------------------------------------
_BOOT_TYPES = {"perc": "percentile", "bca.simple": "bias-corrected", "bca": "BCa", "norm": "normal-theory",
               "basic": "basic"}


def boot_method(fit) -> str:
    """"percentile bootstrap, 1,000 resamples" from a fit made with se="bootstrap" (lavaan's default CI: perc)."""
    opts = getattr(fit, "options", {}) or {}
    info = getattr(fit, "bootstrap_info", None) or {}
    kind = opts.get("boot_ci_type") or info.get("ci") or "perc"
    b = info.get("successful", opts.get("bootstrap"))
    text = f"{_BOOT_TYPES.get(str(kind), str(kind))} bootstrap"
    return f"{text}, {int(b):,} resamples" if isinstance(b, (int, float)) and b == b else text


def _ci_level(fit) -> str:
    """"95%", or the level of a bootstrap fit's intervals."""
    info = getattr(fit, "bootstrap_info", None) or {}
    level = info.get("level", 0.95) if str((getattr(fit, "options", {}) or {}).get("se")) == "bootstrap" else 0.95
    return f"{100 * float(level):g}%"


def _ci_kind(fit) -> tuple[str, str]:
    """What the SEs and CIs of ``fit.params`` are, for the notes."""
    se = str((getattr(fit, "options", {}) or {}).get("se", "standard"))
    if se == "bootstrap":
        m = boot_method(fit)
        return m, m
    if se.startswith("robust"):
        return "Wald, robust standard errors", "Wald，稳健标准误"
    return "Wald", "Wald"


def _sign_ok(est: float, sign: str | None) -> bool:
    return sign is not None and ((est > 0) if sign == "+" else (est < 0))


def hypotheses_table(fit, *, expected: Mapping[str, str] | None = None, default_sign: str = "+",
                     alpha: float = 0.05, only_labelled: bool = False, labels=None, note: Any = None) -> Table:
    """Structural paths and the hypothesis decisions.

    Columns: hypothesis (the path's label, ``h1`` -> H1), path (``SG → PV``), *b* (unstandardised), *SE*,
    beta (``std.all``), *z*, *p*, 95% CI of *b*, supported. The rule, stated in the note: a hypothesis is
    supported when *p* < ``alpha`` and the estimate has the expected sign.

    Parameters
    ----------
    fit : egovsem.Results
    expected : mapping, optional
        Expected sign (``"+"`` or ``"-"``) per label (``"h3"``) or path (``"TG~IF"``). Default: every labelled
        path expects ``default_sign`` and unlabelled paths are shown without a decision; in a model without
        any labels every path expects ``default_sign``.
    alpha : float
        Significance level of the rule.
    only_labelled : bool
        Show only labelled paths (the hypotheses).
    """
    check_fit(fit, what="hypotheses_table")
    if not 0 < alpha < 1:
        raise EgovsemError(f"The 'alpha' parameter must lie in (0, 1). Got {alpha!r} instead.")
    check_option("default_sign", default_sign, ["+", "-"])
    labels = resolve_labels(labels)
    reg = _regressions(fit)
    groups = reg["group"].nunique() if "group" in reg.columns else 1
    if only_labelled:
        reg = reg[reg["label"].astype(str) != ""]
    cols = [("hypothesis", "Hypothesis", "假设"), ("path", "Path", "路径"), ("b", "<i>b</i>", "<i>b</i>"),
            ("se", "<i>SE</i>", "<i>SE</i>"), ("beta", "\u03b2", "\u03b2"), ("z", "<i>z</i>", "<i>z</i>"),
            ("p", "<i>p</i>", "<i>p</i>"), ("ci", f"{_ci_level(fit)} CI", f"{_ci_level(fit)} CI"),
            ("supported", "Supported", "是否支持")]
    cells, values, codes = [], [], []
    n_sup = n_hyp = n_opp = 0
    any_label = bool((reg["label"].astype(str) != "").any())
    for d in reg.to_dict("records"):
        lab = str(d["label"] or "")
        est, se, beta = float(d["est"]), float(d["se"]), float(d["std.all"])
        z, p, lo, hi = float(d["z"]), float(d["pvalue"]), float(d["ci.lower"]), float(d["ci.upper"])
        path = _path_text(d["lhs"], d["rhs"])
        if groups > 1:
            glabels = list(getattr(fit, "group_labels", []) or [])
            gi = int(d["group"]) - 1 if str(d["group"]).isdigit() else -1
            gname = glabels[gi] if 0 <= gi < len(glabels) else d["group"]
            path = f"{path} (group {gname})"
        codes += [d["rhs"], d["lhs"]]
        # no labels anywhere (a model written without hypothesis labels): every path is a hypothesis
        sign = default_sign if (expected is None and not any_label) else \
            _expected_sign(expected, lab, d["lhs"], d["rhs"], default_sign)
        if sign is None:
            sup_cell: Any = DASH
            sup_val: bool | None = None
        else:
            how = decision(est, NAN if is_missing(p) else p, sign, alpha)
            sup_val = how == "supported"
            sup_cell = DECISIONS[how]
            n_hyp += 1
            n_sup += sup_val
            n_opp += how == "opposite sign"
        hyp = hypothesis_name(lab)
        if sign == "-" and hyp:
            hyp = f"{hyp} (\u2212)"
        cells.append([hyp, path, apa_number(est, 2), apa_number(se, 2), apa_number(beta, 2, bounded=True),
                      apa_number(z, 2), apa_p(p), apa_ci(lo, hi, 2, show_zero=False), sup_cell])
        values.append([lab, path, est, se, beta, z, p, (lo, hi), sup_val])
    a = apa_number(alpha, 2, bounded=True) if round(alpha, 2) == alpha else apa_number(alpha, 3, bounded=True)
    sign_en = "positive" if default_sign == "+" else "negative"
    sign_zh = "正" if default_sign == "+" else "负"
    who = "hypothesis" if any_label else "path"
    marked = expected is None or (default_sign == "+" and all(
        parse_sign(v, k) in ("+", "-") for k, v in expected.items()))
    exp_en = (f"as expected ({sign_en} for every {who} unless marked \u2212)" if marked else "as expected")
    exp_zh = f"符合预期（除标注\u2212者外均预期为{sign_zh}）" if marked else "符合预期"
    kind_en, kind_zh = _ci_kind(fit)
    lvl = _ci_level(fit)
    sent = [(f"<i>b</i> = unstandardised coefficient; <i>SE</i> and {lvl} CI ({kind_en}) refer to <i>b</i>; "
             "\u03b2 = completely standardised coefficient.",
             f"<i>b</i> = 非标准化系数；<i>SE</i>和{lvl} CI（{kind_zh}）针对<i>b</i>；\u03b2 = 完全标准化系数。"),
            (f"Decision rule: a hypothesis is supported when <i>p</i> < {a} and the sign of the coefficient is "
             f"{exp_en}; a significant coefficient of the other sign does not support it (opposite sign); "
             f"{n_sup} of {n_hyp} hypotheses are supported"
             + (f", {n_opp} significant in the opposite direction." if n_opp else "."),
             f"判定规则：<i>p</i> < {a}且系数方向{exp_zh}时假设得到支持；系数显著但方向相反时不支持（方向相反）；"
             f"{n_hyp}个假设中{n_sup}个得到支持" + (f"，{n_opp}个显著但方向相反。" if n_opp else "。")),
            abbreviations(codes, labels), _convergence(fit)]
    return build("hypotheses", ("Structural Paths and Hypothesis Tests", "结构路径与假设检验"), cols, cells, values,
                 [_note(sent)], align=("l", "l") + ("r",) * 6 + ("c",), note=note)


# -- indirect effects -----------------------------------------------------------------------------------
_PRODUCT = re.compile(r"^\s*[A-Za-z_.][\w.]*(\s*\*\s*[A-Za-z_.][\w.]*)+\s*$")


def _indirect_path(expr: str, fit) -> str:
    """``h1*h7`` -> ``SG → PV → PI`` when the labels chain; else the expression."""
    if not _PRODUCT.match(expr):
        return expr
    reg = _regressions(fit)
    bylab = {str(r.label): (r.rhs, r.lhs) for r in reg.itertuples() if r.label}
    edges = []
    for tok in (t.strip() for t in expr.split("*")):
        if tok not in bylab:
            return expr
        edges.append(bylab[tok])
    # order the edges into one chain x -> m1 -> ... -> y
    heads = {a for a, _ in edges}
    tails = {b for _, b in edges}
    starts = [a for a, _ in edges if a not in tails]
    if len(starts) != 1 or len(set(heads)) != len(edges):
        return expr
    nxt = dict(edges)
    chain = [starts[0]]
    while chain[-1] in nxt and len(chain) <= len(edges):
        chain.append(nxt[chain[-1]])
    if len(chain) != len(edges) + 1:
        return expr
    return f" {ARROW} ".join(chain)


def _total_path(expr: str, fit) -> str | None:
    """``h10 + h12*h11`` -> ``OPC → PUV`` when every term is a chain of labelled paths from one cause to one
    outcome (a total effect); else None."""
    terms = [t.strip() for t in expr.split("+")]
    if len(terms) < 2:
        return None
    ends = set()
    for t in terms:
        chain = _indirect_path(t, fit)
        if ARROW not in chain:
            reg = _regressions(fit)
            hit = reg[reg["label"].astype(str) == t]
            if len(hit) != 1:
                return None
            chain = f"{hit['rhs'].iloc[0]} {ARROW} {hit['lhs'].iloc[0]}"
        parts = [c.strip() for c in chain.split(ARROW)]
        ends.add((parts[0], parts[-1]))
    if len(ends) != 1:
        return None
    a, b = ends.pop()
    return f"{a} {ARROW} {b}"


def _boot_frame(bootstrap) -> pd.DataFrame | None:
    if bootstrap is None:
        return None
    if not isinstance(bootstrap, pd.DataFrame):
        raise TypeError(f"The 'bootstrap' parameter must be a DataFrame. Got {type(bootstrap).__name__} instead.")
    df = bootstrap.copy()
    for k in ("lhs", "label", "name", "effect", "parameter"):
        if k in df.columns:
            df = df.set_index(k)
            break
    ren = {"ci_lower": "ci.lower", "ci_upper": "ci.upper", "lower": "ci.lower", "upper": "ci.upper",
           "boot_se": "se", "se.boot": "se"}
    df = df.rename(columns=ren)
    if not {"ci.lower", "ci.upper"} <= set(df.columns):
        raise EgovsemError(f"The 'bootstrap' parameter needs columns 'ci.lower' and 'ci.upper'; it has "
                           f"{list(df.columns)!r}.")
    return df


def indirect_table(fit, *, bootstrap: pd.DataFrame | None = None, ci_method: str | None = None,
                   expected: Mapping[str, str] | None = None, default_sign: str = "+", labels=None,
                   note: Any = None) -> Table:
    """Indirect (and other defined) effects from the ``:=`` rows, with their confidence intervals.

    Parameters
    ----------
    fit : egovsem.Results
        A fit whose model defines effects with ``:=`` (``h9a := h1*h7``).
    bootstrap : DataFrame, optional
        Bootstrap results, one row per defined effect: ``lhs`` (or ``label``), ``ci.lower``, ``ci.upper`` and
        optionally ``se``. When given they replace the delta-method SE and CI. A fit made with
        ``se="bootstrap"`` already carries bootstrap CIs in its ``params``.
    ci_method : str, optional
        How the CIs were made, for the note (for instance "percentile bootstrap, 5,000 resamples").
    expected : mapping label -> "+"/"-", optional
        Expected sign per effect (default ``default_sign`` for all).

    The decision (supported / not) follows the usual rule for indirect effects: the 95% CI excludes zero and
    the estimate has the expected sign.
    """
    check_fit(fit, what="indirect_table")
    check_option("default_sign", default_sign, ["+", "-"])
    labels = resolve_labels(labels)
    pe = fit.params
    de = pe[pe["op"] == ":="]
    if de.empty:
        raise EgovsemError("The model defines no effects with ':=' (for instance 'ind := a*b'); there is no "
                           "indirect effect to tabulate.")
    boot = _boot_frame(bootstrap)
    fit_boot = str(getattr(fit, "options", {}).get("se", "")) == "bootstrap"
    lvl = "95%" if boot is not None else _ci_level(fit)
    cols = [("effect", "Effect", "效应"), ("path", "Path", "路径"), ("b", "<i>b</i>", "<i>b</i>"),
            ("se", "<i>SE</i>", "<i>SE</i>"), ("beta", "\u03b2", "\u03b2"), ("ci", f"{lvl} CI", f"{lvl} CI"),
            ("supported", "Supported", "是否支持")]
    cells, values, codes = [], [], []
    n_sup = 0
    for d in de.to_dict("records"):
        name = str(d["lhs"])
        est, se, beta = float(d["est"]), float(d["se"]), float(d["std.all"])
        lo, hi = float(d["ci.lower"]), float(d["ci.upper"])
        if boot is not None and name in boot.index:
            b = boot.loc[name]
            lo, hi = float(b["ci.lower"]), float(b["ci.upper"])
            if "se" in boot.columns and not is_missing(b["se"]):
                se = float(b["se"])
        path = _indirect_path(str(d["rhs"]), fit)
        total = _total_path(str(d["rhs"]), fit) if ARROW not in path else None
        if total is not None:
            path = total
        codes += [c.strip() for c in path.split(ARROW)] if ARROW in path else []
        # a hypothesis label names the row (H9a); any other label (ind_opc_leg_puv) is named by its kind
        shown: Any = hypothesis_name(name)
        if shown == name and ARROW in path:
            shown = ("Total effect", "总效应") if total is not None else ("Indirect effect", "间接效应")
        sign = _expected_sign(expected, name, "", "", default_sign) if expected is not None else default_sign
        if sign is None:
            sup_val: bool | None = None
            sup_cell: Any = DASH
        else:
            excl = not (is_missing(lo) or is_missing(hi)) and (lo > 0 or hi < 0)
            sup_val = bool(excl and _sign_ok(est, sign))
            sup_cell = YES if sup_val else NO
            n_sup += sup_val
        cells.append([shown, path, apa_number(est, 3), apa_number(se, 3),
                      apa_number(beta, 3, bounded=True), apa_ci(lo, hi, 3, show_zero=False), sup_cell])
        values.append([name, path, est, se, beta, (lo, hi), sup_val])
    if boot is not None or fit_boot:
        how = ci_method or (boot_method(fit) if fit_boot and boot is None else "bootstrap")
        ci_en, ci_zh = (f"{lvl} CI = confidence interval of <i>b</i> ({how}).",
                        f"{lvl} CI为<i>b</i>的置信区间（{how}）。")
    else:
        ci_en = f"{lvl} CI = Wald (delta-method) confidence interval of <i>b</i>."
        ci_zh = f"{lvl} CI为<i>b</i>的Wald（delta法）置信区间。"
        warnings.warn("The indirect effects have Wald (delta-method) intervals; reviewers usually expect bootstrap "
                      "intervals (egovsem.sem(..., se='bootstrap') or 'egovsem tables --bootstrap B').",
                      EgovsemWarning, stacklevel=2)
    sent = [("<i>b</i> = unstandardised effect (product of the path coefficients); \u03b2 = completely standardised "
             "effect.", "<i>b</i> = 非标准化效应（路径系数之积）；\u03b2 = 完全标准化效应。"), (ci_en, ci_zh),
            (f"An indirect effect is supported when its {lvl} CI excludes zero and its sign is as expected; "
             f"{n_sup} of {len(cells)} are supported.",
             f"{lvl} CI不含0且方向符合预期时间接效应得到支持；{len(cells)}个中{n_sup}个得到支持。"),
            abbreviations(codes, labels), _convergence(fit)]
    return build("indirect", ("Indirect Effects", "间接效应"), cols, cells, values, [_note(sent)],
                 align=("l", "l") + ("r",) * 4 + ("c",), note=note)


# -- effect decomposition (egovsem.sem.mediation.effects) ----------------------------------------------------
_EFFECT_NAMES = {"indirect": ("Indirect", "间接效应"), "total indirect": ("Total indirect", "总间接效应"),
                 "direct": ("Direct", "直接效应"), "total": ("Total", "总效应")}


def effects_table(effects, *, labels=None, note: Any = None) -> Table:
    """Direct, indirect and total effects with bootstrap intervals, from :func:`egovsem.sem.mediation.effects`.

    Parameters
    ----------
    effects : DataFrame or sequence of DataFrames
        Output(s) of :func:`egovsem.sem.mediation.effects` (one per cause-outcome pair): ``effect path est se
        ci.lower ci.upper std.all`` with the bootstrap settings in ``attrs``.

    Examples
    --------
    >>> eff = pd.DataFrame({"effect": ["indirect", "direct", "total"],
    ...     "path": ["X -> M -> Y", "X -> Y", "X => Y"], "est": [.2, .1, .3], "se": [.05, .04, .06],
    ...     "ci.lower": [.11, .02, .19], "ci.upper": [.31, .18, .42], "std.all": [.15, .08, .23]})
    >>> effects_table(eff, labels=False).to_frame().values.tolist()[0]
    ['Indirect', 'X → M → Y', '0.200', '0.050', '.150', '[0.110, 0.310]']
    """
    frames = [effects] if isinstance(effects, pd.DataFrame) else list(effects)
    if not frames or not all(isinstance(f, pd.DataFrame) for f in frames):
        raise TypeError("The 'effects' parameter must be a DataFrame from egovsem.sem.mediation.effects (or a list).")
    need = {"effect", "path", "est", "se", "ci.lower", "ci.upper", "std.all"}
    for f in frames:
        if not need <= set(f.columns):
            raise EgovsemError(f"The 'effects' parameter needs the columns {sorted(need)}; it has {list(f.columns)!r}.")
    labels = resolve_labels(labels)
    attrs = frames[0].attrs or {}
    level = float(attrs.get("level", 0.95))
    lvl = f"{100 * level:g}%"
    cols = [("effect", "Effect", "效应"), ("path", "Path", "路径"), ("b", "<i>b</i>", "<i>b</i>"),
            ("se", "<i>SE</i>", "<i>SE</i>"), ("beta", "\u03b2", "\u03b2"), ("ci", f"{lvl} CI", f"{lvl} CI")]
    cells, values, codes = [], [], []
    for f in frames:
        for d in f.to_dict("records"):
            kind = str(d["effect"])
            path = str(d["path"]).replace("=>", "\u21d2").replace("->", ARROW)
            codes += [c.strip() for c in re.split("[\u2192\u21d2]", path) if c.strip() not in ("", "...")]
            est, se, beta = float(d["est"]), float(d["se"]), float(d["std.all"])
            lo, hi = float(d["ci.lower"]), float(d["ci.upper"])
            cells.append([_EFFECT_NAMES.get(kind, (kind, kind)), path, apa_number(est, 3), apa_number(se, 3),
                          apa_number(beta, 3, bounded=True), apa_ci(lo, hi, 3, show_zero=False)])
            values.append([kind, path, est, se, beta, (lo, hi)])
    boot = attrs.get("bootstrap") or {}
    kind = _BOOT_TYPES.get(str(attrs.get("ci", boot.get("ci", "perc"))), str(attrs.get("ci", "perc")))
    n_ok = boot.get("successful")
    how_en = f"{kind} bootstrap" + (f", {int(n_ok):,} resamples" if n_ok else "")
    sent = [("<i>b</i> = unstandardised effect; <i>SE</i> = standard deviation of the bootstrap estimates; "
             f"\u03b2 = completely standardised effect; {lvl} CI = confidence interval of <i>b</i> ({how_en}). "
             "Total = direct + indirect effects.",
             f"<i>b</i> = 非标准化效应；<i>SE</i> = bootstrap估计的标准差；\u03b2 = 完全标准化效应；{lvl} CI为<i>b</i>的"
             f"置信区间（{how_en}）。总效应 = 直接效应 + 间接效应。"),
            abbreviations(codes, labels)]
    return build("effects", ("Direct, Indirect and Total Effects", "直接效应、间接效应与总效应"), cols, cells, values,
                 [_note(sent)], align=("l", "l") + ("r",) * 4, note=note)


# -- measurement invariance -----------------------------------------------------------------------------
_INV_ALIASES = {
    "step": ("step", "model", "name", "level"),
    "chisq": ("chisq", "chi2", "Chisq"),
    "df": ("df", "Df"),
    "cfi": ("cfi", "CFI"),
    "rmsea": ("rmsea", "RMSEA"),
    "delta_chisq": ("delta_chisq", "delta.chisq", "chisq.diff", "chisq_diff", "Chisq diff"),
    "delta_df": ("delta_df", "delta.df", "df.diff", "df_diff", "Df diff"),
    # the p of the difference test; a column "pvalue" is the step's own chi-square test and is not used
    "p": ("p", "p_diff", "Pr(>Chisq)", "pvalue.diff", "p.diff"),
    "delta_cfi": ("delta_cfi", "delta.cfi", "cfi.diff", "cfi_diff"),
    "delta_rmsea": ("delta_rmsea", "delta.rmsea", "rmsea.diff", "rmsea_diff"),
}
_STEP_ZH = {"configural": "构形不变性", "metric": "度量不变性（载荷）", "scalar": "标量不变性（截距）",
            "strict": "严格不变性（残差）",
            # the ordinal sequence of Wu & Estabrook (2016), each step cumulative (the table's note says so)
            "thresholds": "阈值不变性", "loadings": "载荷不变性", "intercepts": "截距不变性"}


def invariance_table(steps: pd.DataFrame, *, group: str | None = None, note: Any = None) -> Table:
    """Measurement invariance: fit of each step and its difference from the step before.

    Parameters
    ----------
    steps : DataFrame
        One row per step (configural, metric, scalar, strict) with ``step`` (or the index), ``chisq``, ``df``,
        ``delta_chisq``, ``delta_df``, ``p`` (of the difference test), ``delta_cfi``, ``delta_rmsea`` and
        optionally ``cfi``, ``rmsea``. The output of :func:`egovsem.measure.invariance` (``chisq_diff``,
        ``df_diff``, ``p_diff``) and lavaan-style names (``chisq.diff``, ``Pr(>Chisq)``) are accepted.
    group : str, optional
        The grouping variable, named in the note.

    Examples
    --------
    >>> st = pd.DataFrame({"step": ["configural", "metric", "scalar"], "chisq": [115.851, 124.044, 164.103],
    ...     "df": [48, 54, 60], "delta_chisq": [None, 8.192, 40.059], "delta_df": [None, 6, 6],
    ...     "p": [None, .224, 4.4e-7], "delta_cfi": [None, -.001, -.027], "delta_rmsea": [None, -.005, .011]})
    >>> invariance_table(st).to_frame().values.tolist()[2]
    ['Scalar', '164.10', '60', '40.06', '6', '< .001', '-.027', '.011']
    """
    if not isinstance(steps, pd.DataFrame):
        raise TypeError(f"The 'steps' parameter must be a DataFrame. Got {type(steps).__name__} instead.")
    df = steps.copy()
    if not any(a in df.columns for a in _INV_ALIASES["step"]):
        df = df.reset_index().rename(columns={"index": "step"})
    cols_found = {}
    for key, aliases in _INV_ALIASES.items():
        for a in aliases:
            if a in df.columns:
                cols_found[key] = a
                break
    # robust fits (MLR, WLSMV, weights): the scaled chi-square of each step, as fit_table reports it (the
    # differences are then the scaled difference tests of egovsem.measure.invariance)
    scaled = "chisq.scaled" in df.columns and not any(is_missing(v) for v in df["chisq.scaled"])
    if scaled:
        cols_found["chisq"] = "chisq.scaled"
    missing = [k for k in ("step", "chisq", "df") if k not in cols_found]
    if missing:
        raise EgovsemError(f"The 'steps' parameter lacks the column(s) {missing!r}; it has {list(steps.columns)!r}.")
    get = lambda r, k: float(r[cols_found[k]]) if k in cols_found and not is_missing(r[cols_found[k]]) else NAN  # noqa: E731
    show = [k for k in ("chisq", "df", "cfi", "rmsea", "delta_chisq", "delta_df", "p", "delta_cfi", "delta_rmsea")
            if k in cols_found]
    head = {"chisq": ("\u03c7\u00b2", "\u03c7\u00b2"), "df": ("<i>df</i>", "<i>df</i>"), "cfi": ("CFI", "CFI"),
            "rmsea": ("RMSEA", "RMSEA"), "delta_chisq": ("\u0394\u03c7\u00b2", "\u0394\u03c7\u00b2"),
            "delta_df": ("\u0394<i>df</i>", "\u0394<i>df</i>"), "p": ("<i>p</i>", "<i>p</i>"),
            "delta_cfi": ("\u0394CFI", "\u0394CFI"), "delta_rmsea": ("\u0394RMSEA", "\u0394RMSEA")}
    fmt = {"chisq": lambda v: apa_number(v, 2), "df": apa_int, "cfi": lambda v: apa_number(v, 3, bounded=True),
           "rmsea": lambda v: apa_number(v, 3, bounded=True), "delta_chisq": lambda v: apa_number(v, 2),
           "delta_df": apa_int, "p": apa_p, "delta_cfi": lambda v: apa_number(v, 3, bounded=True),
           "delta_rmsea": lambda v: apa_number(v, 3, bounded=True)}
    cols = [("step", "Model", "模型")] + [(k, *head[k]) for k in show]
    cells, values = [], []
    for i, (_, r) in enumerate(df.iterrows()):
        name = str(r[cols_found["step"]])
        key = name.strip().lower()
        cell_name = (name[:1].upper() + name[1:], _STEP_ZH.get(key, name))
        row_c: list[Any] = [cell_name]
        row_v: list[Any] = [name]
        for k in show:
            v = get(r, k)
            s = fmt[k](v)
            if i == 0 and k.startswith("delta") or k == "p":  # p: none on the first row, none on 0 df
                s = s or DASH
            row_c.append(s)
            row_v.append(v)
        cells.append(row_c)
        values.append(row_v)
    sent = [("Each model is compared with the one in the row above (chi-square difference test).",
             "每个模型与上一行模型比较（卡方差异检验）。"),
            ("Invariance is commonly accepted when \u0394CFI \u2265 \u2212.010 and \u0394RMSEA \u2264 .015 (Chen, 2007).",
             "通常以\u0394CFI \u2265 \u2212.010且\u0394RMSEA \u2264 .015作为不变性成立的标准（Chen, 2007）。")]
    if scaled:
        sent[0] = ("Scaled chi-square; each model is compared with the one in the row above (scaled chi-square "
                   "difference test).", "校正卡方；每个模型与上一行模型比较（校正卡方差异检验）。")
    if group:
        sent.insert(0, (f"Groups: {group}.", f"分组变量：{group}。"))
    return build("invariance", ("Measurement Invariance", "测量不变性检验"), cols, cells, values, [_note(sent)],
                 align=("l",) + ("r",) * len(show), note=note)


construct_cell = _construct_cell  # public name for other modules
note_pair = _note  # public name for other modules
