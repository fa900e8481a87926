"""Careless-responding indices, per respondent, as defined in the R package careless (Yentes & Wilhelm).

Each function takes a respondents x items matrix (NaN = missing) and follows the R function of the same
name (careless 1.2.x, read from its source and manual; the tests check hand-computed cases):

- :func:`longstring` (Johnson 2005): longest run of identical consecutive answers, and the mean run
  length; a missing answer breaks a run and is a run of length 1 (as R's ``rle`` treats ``NA``).
- :func:`irv` (Dunn et al. 2018): the standard deviation (n - 1) of a respondent's answers, missing
  answers left out; NaN with fewer than two answers.
- :func:`mahad` (Meade & Craig 2012, via ``psych::outlier``): D^2 = x_c' S^-1 x_c with S the pairwise-
  complete covariance matrix (n - 1), x_c the respondent's answers minus the column means; terms with a
  missing answer are left out of the sum. Respondents with no answer get NaN and do not enter S or the
  means. ``p`` is the upper chi-square tail with as many degrees of freedom as items (careless flags
  D^2 > qchisq(confidence, ncol)). Where S is singular (R stops), the pseudo-inverse is used.
- :func:`evenodd` (Johnson 2005): per factor, the mean of the even-numbered and of the odd-numbered items
  (missing left out); the correlation across factors of even and odd means (pairwise complete), Spearman-
  Brown corrected 2r / (1 + r), values below -1 set to -1, and the sign turned so that higher means more
  careless (careless >= 1.2.0). NaN where fewer than two factors have both means or a variance is zero.
- :func:`psychsyn` (Meade & Craig 2012): item pairs whose sample correlation (pairwise complete) exceeds
  ``critval`` (antonyms: is below ``-critval``); per respondent, the correlation between the pairs' first
  and second answers over the pairs answered on both sides, if there are more than two such pairs; the
  first member of a pair is the later item (as R's lower triangle). careless re-draws a NaN result by
  random swaps (``resample_na=TRUE``); here a NaN stays NaN (``resample_na=FALSE``), so results are
  reproducible. No qualifying pair gives NaN for everyone (R stops).

The other flags of :func:`indices` (attention checks, speed, duplicates, straight-lining) are defined there.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .recode import reverse_code
from .spec import InstrumentView
from .validate import cell_text


def _matrix(x) -> np.ndarray:
    return np.asarray(pd.DataFrame(x).astype(float), dtype=float)


def longstring(x, avg: bool = False):
    """Longest run of identical consecutive answers per row (and the mean run length if ``avg``)."""
    m = _matrix(x)
    n, k = m.shape
    longest = np.ones(n) if k else np.zeros(n)
    runs = np.ones(n) if k else np.zeros(n)
    cur = np.ones(n)
    for j in range(1, k):
        same = m[:, j] == m[:, j - 1]  # NaN == NaN is False: a missing answer breaks the run
        cur = np.where(same, cur + 1, 1)
        longest = np.maximum(longest, cur)
        runs += ~same
    if not avg:
        return longest
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame({"longstr": longest, "avgstr": k / runs})


def irv(x) -> np.ndarray:
    """Intra-individual response variability: the row standard deviation (n - 1), NaN left out."""
    m = _matrix(x)
    ok = (~np.isnan(m)).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.where(ok >= 2, np.nanstd(m, axis=1, ddof=1), np.nan)


def mahad(x) -> pd.DataFrame:
    """Mahalanobis D^2 per row (columns ``d_sq``, ``p``)."""
    frame = pd.DataFrame(x).astype(float).reset_index(drop=True)
    m = frame.to_numpy()
    n, k = m.shape
    some = ~np.isnan(m).all(axis=1)
    d2 = np.full(n, np.nan)
    if some.sum() > 1 and k > 0:
        sub = frame[some]
        cov = sub.cov().to_numpy()  # pairwise complete, n - 1, as R's cov(use = "pairwise")
        cov = np.where(np.isnan(cov), 0.0, cov)
        try:
            inv = np.linalg.inv(cov)
            if not np.all(np.isfinite(inv)) or np.linalg.cond(cov) > 1e12:
                raise np.linalg.LinAlgError
        except np.linalg.LinAlgError:
            inv = np.linalg.pinv(cov)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an item nobody answered: its terms drop out
            xc = sub.to_numpy() - np.nanmean(sub.to_numpy(), axis=0)
        xc = np.where(np.isnan(xc), 0.0, xc)  # a missing term is left out of the sum
        d2[some] = np.einsum("ij,jk,ik->i", xc, inv, xc)
    p = stats.chi2.sf(d2, df=k) if k else np.full(n, np.nan)
    return pd.DataFrame({"d_sq": d2, "p": p})


def evenodd(x, factors) -> pd.DataFrame:
    """Even-odd consistency (columns ``eo`` and ``pairs``); ``factors`` are consecutive block lengths."""
    m = _matrix(x)
    factors = [int(f) for f in factors]
    if sum(factors) > m.shape[1]:
        raise ValueError(f"The factors {factors} name {sum(factors)} items; x has {m.shape[1]} columns.")
    even, odd = [], []
    start = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for f in factors:
            block = m[:, start:start + f]
            odd.append(np.nanmean(block[:, 0::2], axis=1) if block[:, 0::2].shape[1] else np.full(len(m), np.nan))
            even.append(np.nanmean(block[:, 1::2], axis=1) if block[:, 1::2].shape[1] else np.full(len(m), np.nan))
            start += f
    e, o = np.column_stack(even), np.column_stack(odd)
    ok = ~np.isnan(e) & ~np.isnan(o)
    r = _rowcor(e, o, ok)
    with np.errstate(divide="ignore", invalid="ignore"):
        sb = 2 * r / (1 + r)
    sb = np.where(np.isnan(sb), np.nan, np.maximum(sb, -1.0))
    return pd.DataFrame({"eo": -sb, "pairs": ok.sum(axis=1)})


def _rowcor(a: np.ndarray, b: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Per row, the Pearson correlation of a and b over the columns where ``ok``; NaN if undefined."""
    n = ok.sum(axis=1)
    a = np.where(ok, a, 0.0)
    b = np.where(ok, b, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ma = a.sum(axis=1) / n
        mb = b.sum(axis=1) / n
        da = np.where(ok, a - ma[:, None], 0.0)
        db = np.where(ok, b - mb[:, None], 0.0)
        sab = (da * db).sum(axis=1)
        saa = (da * da).sum(axis=1)
        sbb = (db * db).sum(axis=1)
        r = sab / np.sqrt(saa * sbb)
    bad = (n < 2) | (saa <= 1e-12) | (sbb <= 1e-12)
    return np.where(bad, np.nan, np.clip(r, -1.0, 1.0))


def psychsyn(x, critval: float = 0.60, anto: bool = False) -> pd.DataFrame:
    """Psychometric synonyms (or antonyms with ``anto=True``): columns ``cor`` and ``pairs``."""
    frame = pd.DataFrame(x).astype(float)
    m = frame.to_numpy()
    crit = abs(critval)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        corr = frame.corr(min_periods=2).to_numpy()
    k = m.shape[1]
    pairs = [(i, j) for j in range(k) for i in range(j + 1, k)
             if (corr[i, j] < -crit if anto else corr[i, j] > crit)]
    if not pairs:
        return pd.DataFrame({"cor": np.full(len(m), np.nan), "pairs": np.zeros(len(m), dtype=int)})
    a = m[:, [i for i, _ in pairs]]
    b = m[:, [j for _, j in pairs]]
    ok = ~np.isnan(a) & ~np.isnan(b)
    n = ok.sum(axis=1)
    r = np.where(n > 2, _rowcor(a, b, ok), np.nan)
    return pd.DataFrame({"cor": r, "pairs": n})


def psychant(x, critval: float = -0.60) -> pd.DataFrame:
    """Psychometric antonyms: :func:`psychsyn` with ``anto=True``."""
    return psychsyn(x, critval, anto=True)


FLAG_COLUMNS = [
    "row", "id", "answered", "longstring", "longstring_avg", "irv", "mahad_d2", "mahad_p", "evenodd",
    "evenodd_pairs", "psychsyn", "psychsyn_pairs", "psychant", "psychant_pairs", "attention_failed",
    "seconds_per_item", "duplicate_id", "duplicate_answers", "duplicate", "straightline",
]


def indices(data: pd.DataFrame, v: InstrumentView, *, id: str, duration: str | None = None,
            identifiers: pd.DataFrame | None = None, critval: float = 0.60) -> pd.DataFrame:
    """Every index for every respondent of validated ``data`` (raw answers: not yet reverse coded).

    Besides the careless-package indices (see the module docstring):

    ``answered``
        scale items answered (attention checks not counted).
    ``longstring``, ``longstring_avg``, ``irv``
        on the raw answers to all scale items in questionnaire order, attention checks included, as the
        respondent saw them (before reverse coding).
    ``mahad_d2``, ``mahad_p``, ``evenodd``, ``psychsyn``
        on the construct items after reverse coding (all scale items but attention checks if the
        instrument names no constructs); even-odd factors are the constructs (NaN with fewer than two).
    ``psychant``
        on the construct items before reverse coding (reverse-keyed items are the antonyms).
    ``attention_failed``
        number of attention checks whose answer is not the expected one (no answer counts as failed).
    ``seconds_per_item``
        duration divided by the number of questions with a data column (identifiers included).
    ``duplicate_id``
        the id occurred in an earlier row; ``duplicate_answers``: an earlier row has the same answers to
        every item (identifiers included) and the same duration; ``duplicate``: either. The first
        occurrence is kept.
    ``straightline``
        every answered scale item (attention checks left out) has the same answer, with at least two
        answered.
    """
    n = len(data)
    scale = data[list(v.scale_items)].astype(float)
    content = data[list(v.content_items)].astype(float)
    # construct items; an instrument without constructs (an XLSForm without a construct column) uses
    # all its scale items but the attention checks
    items = [i for items in v.constructs.values() for i in items] or list(v.content_items)
    rev = reverse_code(data[items], v).astype(float) if items else pd.DataFrame(index=data.index)
    out = pd.DataFrame({"row": np.arange(1, n + 1), "id": data[id].to_numpy()})
    out["answered"] = content.notna().sum(axis=1).to_numpy().astype(int)
    ls = longstring(scale, avg=True)
    out["longstring"] = ls["longstr"].to_numpy().astype(int)
    out["longstring_avg"] = ls["avgstr"].to_numpy()
    out["irv"] = irv(scale)
    md = mahad(rev)
    out["mahad_d2"], out["mahad_p"] = md["d_sq"].to_numpy(), md["p"].to_numpy()
    factors = [len(ii) for ii in v.constructs.values()]
    eo = evenodd(rev, factors) if len(factors) > 1 else pd.DataFrame({"eo": np.nan, "pairs": 0}, index=range(n))
    out["evenodd"], out["evenodd_pairs"] = eo["eo"].to_numpy(), eo["pairs"].to_numpy()
    ps = psychsyn(rev, critval)
    out["psychsyn"], out["psychsyn_pairs"] = ps["cor"].to_numpy(), ps["pairs"].to_numpy()
    pa = psychant(data[items], -critval)
    out["psychant"], out["psychant_pairs"] = pa["cor"].to_numpy(), pa["pairs"].to_numpy()
    failed = np.zeros(n, dtype=int)
    for item, expected in v.attention.items():
        failed += ~(data[item].map(cell_text) == cell_text(expected)).to_numpy()
    out["attention_failed"] = failed
    if duration is not None:
        n_items = len(v.items) + len(v.identifiers)
        out["seconds_per_item"] = data[duration].astype(float).to_numpy() / max(n_items, 1)
    else:
        out["seconds_per_item"] = np.nan
    out["duplicate_id"] = data[id].duplicated(keep="first").to_numpy()
    key = data[[c for c in v.items if c in data.columns] + ([duration] if duration else [])].astype(object)
    if identifiers is not None and identifiers.shape[1]:
        key = pd.concat([key, identifiers.reset_index(drop=True).astype(object)], axis=1)
    key = key.astype(str)  # NaN and <NA> compare equal as text
    out["duplicate_answers"] = key.duplicated(keep="first").to_numpy() if key.shape[1] else False
    out["duplicate"] = out["duplicate_id"] | out["duplicate_answers"]
    distinct = content.nunique(axis=1)
    out["straightline"] = ((distinct == 1) & (out["answered"].to_numpy() >= 2)).to_numpy()
    return out[FLAG_COLUMNS]
