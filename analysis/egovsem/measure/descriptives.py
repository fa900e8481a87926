"""Item descriptives and corrected item-total correlations, as psych::describe and psych::alpha give them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import check_items, pairwise_cov
from .reliability import alpha_from_cov

__all__ = ["item_descriptives", "corrected_item_total"]


def item_descriptives(data: pd.DataFrame, items) -> pd.DataFrame:
    """Mean, SD, skewness, kurtosis and missingness of each item (``psych::describe``).

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    items : list of str
        Columns to describe (numeric; missing values are allowed).

    Returns
    -------
    DataFrame
        One row per item: ``item n pct_missing mean sd median min max skew kurtosis se``.
        ``sd`` has divisor N-1. ``skew`` and ``kurtosis`` are psych::describe's default ``type = 3``
        (Joanes & Gill's b1 and b2 - 3): ``skew = m3 / sd^3`` and ``kurtosis = m4 / sd^4 - 3`` with ``m_k``
        the k-th central moment (divisor N) and ``sd`` the N-1 standard deviation; ``se = sd / sqrt(n)``.
        ``pct_missing`` is the percentage of rows of ``data`` where the item is missing.

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import item_descriptives
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> d = item_descriptives(hs, ["x1", "x2", "x3"])
    >>> # In R: psych::describe(HS[, c("x1", "x2", "x3")])  -> skew -0.25 0.47 0.38, kurtosis 0.31 0.33 -0.91
    >>> d[["item", "n", "mean", "sd", "skew", "kurtosis"]].round(3)
      item    n   mean     sd   skew  kurtosis
    0   x1  301  4.936  1.167 -0.254     0.308
    1   x2  301  6.088  1.177  0.470     0.332
    2   x3  301  2.250  1.131  0.383    -0.908
    """
    X = check_items(data, items, min_items=1, allow_constant=True)
    rows = []
    for item in X.columns:
        x = X[item].to_numpy()
        ok = x[~np.isnan(x)]
        n = ok.size
        d = ok - ok.mean()
        m2, m3, m4 = (d**2).mean(), (d**3).mean(), (d**4).mean()
        sd = ok.std(ddof=1)
        # type 3: b1 = g1 ((n-1)/n)^(3/2), b2 = g2 ((n-1)/n)^2 (psych::skew / psych::kurtosi);
        # undefined (NaN) for a constant item, as in psych
        with np.errstate(invalid="ignore", divide="ignore"):
            skew = m3 / m2**1.5 * ((n - 1) / n) ** 1.5
            kurt = m4 / m2**2 * ((n - 1) / n) ** 2 - 3.0
        rows.append({
            "item": item, "n": int(n), "pct_missing": 100.0 * (len(x) - n) / len(x), "mean": ok.mean(), "sd": sd,
            "median": float(np.median(ok)), "min": ok.min(), "max": ok.max(), "skew": skew, "kurtosis": kurt,
            "se": sd / np.sqrt(n),
        })
    return pd.DataFrame(rows)


def corrected_item_total(data: pd.DataFrame, items) -> pd.DataFrame:
    """Item-total statistics of one scale (``psych::alpha(...)$item.stats`` and ``$alpha.drop``).

    Parameters
    ----------
    data : DataFrame
    items : list of str
        The items of one scale (at least 2), already recoded so that all are keyed the same way.

    Returns
    -------
    DataFrame
        One row per item: ``item n mean sd r_total r_drop alpha_if_deleted``.

        * ``r_drop``: corrected item-total correlation, the item against the sum of the *other* items,
          ``(sum_j C[i, j] - C[i, i]) / sqrt(C[i, i] * sum(C[-i, -i]))`` from the covariance matrix ``C``
          on pairwise-complete rows (psych's ``r.drop``; with complete data it is the Pearson correlation of
          the item with the sum of the other items);
        * ``r_total``: uncorrected correlation of the item with the mean of the answered items (``raw.r``);
        * ``alpha_if_deleted``: raw alpha of the scale without the item (psych's ``alpha.drop``; undefined,
          so NaN, for a two-item scale).

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import corrected_item_total
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> # In R: psych::alpha(HS[, c("x1", "x2", "x3")])$item.stats$r.drop  -> 0.449 0.375 0.484
    >>> corrected_item_total(hs, ["x1", "x2", "x3"])[["item", "r_drop", "alpha_if_deleted"]].round(3)
      item  r_drop  alpha_if_deleted
    0   x1   0.449             0.507
    1   x2   0.375             0.612
    2   x3   0.484             0.458
    """
    X = check_items(data, items, min_items=2)
    C = pairwise_cov(X).to_numpy()
    k = C.shape[0]
    total = X.mean(axis=1, skipna=True)
    rows = []
    for i, item in enumerate(X.columns):
        rest = np.delete(np.arange(k), i)
        c_drop = C[i].sum() - C[i, i]
        v_drop = C[np.ix_(rest, rest)].sum()
        both = X[item].notna() & total.notna()
        r_total = np.corrcoef(X.loc[both, item], total[both])[0, 1]
        rows.append({
            "item": item, "n": int(X[item].notna().sum()), "mean": X[item].mean(), "sd": X[item].std(ddof=1),
            "r_total": r_total, "r_drop": c_drop / np.sqrt(C[i, i] * v_drop),
            "alpha_if_deleted": alpha_from_cov(C[np.ix_(rest, rest)]) if k > 2 else np.nan,
        })
    return pd.DataFrame(rows)

