"""The indicator data of a PLS model: column checks, missing values (listwise or seminr's mean replacement),
constant indicators, and the correlation matrix the algorithm runs on."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._errors import DataError, EgovsemError, check_option
from .specify import PLSSpec

__all__ = ["MISSING", "PLSData", "check_missing_value", "prepare_data", "replace_missing", "correlations", "check_constant"]

MISSING = ["listwise", "mean"]


@dataclass(frozen=True)
class PLSData:
    """The indicator columns as analysed.

    Attributes
    ----------
    raw : ndarray (ntotal, p)
        The indicator columns (``spec.indicators`` order) with missing values as NaN (``missing_value``
        codes included); under ``missing="listwise"`` only the complete rows.
    X : ndarray (nobs, p)
        The rows analysed: complete rows (listwise) or all rows with each NaN replaced by its column mean.
    """

    raw: np.ndarray
    X: np.ndarray
    missing: str
    ntotal: int
    n_dropped: int
    n_replaced: int
    index: pd.Index
    rows: np.ndarray | None = None  # positions (0-based) of the analysed rows in the data


def _is_code(v: Any) -> bool:
    return isinstance(v, (str, int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def check_missing_value(missing_value: Any) -> Any:
    """Validate ``missing_value``: None, one code (a number or a string), or a list/tuple of codes.

    Returns the code, or a list of the codes (an empty list is refused: it would mark nothing).

    >>> check_missing_value(-99), check_missing_value((-99, "n/a"))
    (-99, [-99, 'n/a'])
    >>> check_missing_value({"IMAG1": -99})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    egovsem._errors.EgovsemError: The 'missing_value' parameter must be a number, ... Got {'IMAG1': -99} instead.
    """
    if missing_value is None or _is_code(missing_value):
        return missing_value
    msg = ("The 'missing_value' parameter must be a number, a string or a list of them (codes that mark a missing "
           f"answer in every indicator column). Got {missing_value!r} instead.")
    if isinstance(missing_value, (list, tuple)):
        bad = [v for v in missing_value if not _is_code(v)]
        if not missing_value or bad:
            raise EgovsemError(msg)
        return list(missing_value)
    raise EgovsemError(msg)


def _codes(missing_value: Any) -> list[Any]:
    """Every spelling of the codes (the value, its text and its number) that ``isin`` should match."""
    out: list[Any] = []
    for v in (missing_value if isinstance(missing_value, list) else [missing_value]):
        out.extend([v, str(v)])
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            pass
    return out


def replace_missing(X: np.ndarray) -> np.ndarray:
    """Each NaN replaced by the mean of the non-missing values of its column (seminr's mean_replacement)."""
    if not np.isnan(X).any():
        return X
    out = X.copy()
    with warnings.catch_warnings():  # a column with no observed value stays NaN (refused by check_constant)
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(out, axis=0)
    r, c = np.nonzero(np.isnan(out))
    out[r, c] = means[c]
    return out


def check_constant(X: np.ndarray, spec: PLSSpec) -> None:
    """Refuse an indicator without variance (it cannot be standardised)."""
    sd = X.std(axis=0) if X.shape[0] else np.zeros(X.shape[1])
    owner = {x: c for c in spec.constructs for x in spec.blocks[c]}
    for j, x in enumerate(spec.indicators):
        if not np.isfinite(sd[j]) or sd[j] <= 1e-12 * max(1.0, float(np.nanmax(np.abs(X[:, j])) if X.shape[0] else 1)):
            value = X[0, j] if X.shape[0] and np.isfinite(X[0, j]) else float("nan")
            raise DataError(f"The indicator {x!r} of the construct {owner[x]!r} is constant (every analysed row "
                            f"is {value:g}); a constant column cannot be standardised. Remove it from the model.")


def correlations(X: np.ndarray) -> np.ndarray:
    """Correlation matrix (divisor N - 1) of the columns of ``X``."""
    Z = X - X.mean(axis=0)
    S = Z.T @ Z
    d = np.sqrt(np.diag(S))
    return S / np.outer(d, d)


def prepare_data(spec: PLSSpec, data: Any, *, missing: str = "listwise", missing_value: Any = None) -> PLSData:
    """Select, check and complete the indicator columns of ``data``.

    Parameters
    ----------
    spec : PLSSpec
    data : DataFrame
    missing : {'listwise', 'mean'}
        ``listwise`` drops rows with a missing indicator; ``mean`` replaces each missing value by the mean of
        its column (seminr's ``mean_replacement``).
    missing_value : number, str or list of them, optional
        Code(s) that mark a missing answer (e.g. -99), read as missing in the indicator columns.
    """
    missing = check_option("missing", missing, MISSING, casefold=True)
    missing_value = check_missing_value(missing_value)
    if not isinstance(data, pd.DataFrame):
        raise EgovsemError(f"The 'data' parameter must be a pandas DataFrame. Got {type(data).__name__} instead.")
    items = list(spec.indicators)
    absent = [x for x in items if x not in data.columns]
    if absent:
        owner = {x: c for c in spec.constructs for x in spec.blocks[c]}
        listed = ", ".join(f"{x!r} (construct {owner[x]!r})" for x in absent)
        raise DataError(f"The 'data' parameter has no column {listed}; the data have {len(data.columns)} "
                        f"columns: {list(map(str, data.columns))[:30]}.")
    dup = sorted({str(c) for c in data.columns[data.columns.duplicated()] if c in set(items)})
    if dup:
        raise DataError(f"The 'data' parameter has more than one column named {dup}; each indicator must be one "
                        "column (rename the duplicates).")
    frame = data[items]
    if missing_value is not None:
        frame = frame.mask(frame.isin(_codes(missing_value)))
    bad = []
    for x in items:
        col = frame[x]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            conv = pd.to_numeric(col, errors="coerce")
            if (conv.isna() & col.notna()).any():
                bad.append((x, col[conv.isna() & col.notna()].iloc[0]))
            frame = frame.assign(**{x: conv})
    if bad:
        x, v = bad[0]
        raise DataError(f"The indicator column {x!r} is not numeric (it holds {v!r}); PLS needs numeric "
                        "indicators (pass missing_value= for a missing-answer code).")
    raw = frame.to_numpy(dtype=float)
    inf = np.isinf(raw)
    if inf.any():
        r, j = (int(k[0]) for k in np.nonzero(inf))
        raise DataError(f"The indicator column {items[j]!r} holds an infinite value ({raw[r, j]:g}, row "
                        f"{frame.index[r]!r}); PLS needs finite numbers.")
    ntotal = raw.shape[0]
    if missing == "listwise":
        keep = ~np.isnan(raw).any(axis=1)
        raw, index, rows = raw[keep], frame.index[keep], np.flatnonzero(keep)
        X = raw
        dropped, replaced = int((~keep).sum()), 0
    else:
        allna = [x for j, x in enumerate(items) if np.isnan(raw[:, j]).all()]
        if allna:
            raise DataError(f"The indicator column(s) {allna} have no observed value to replace missing ones with.")
        X = replace_missing(raw)
        index, rows = frame.index, np.arange(ntotal)
        dropped, replaced = 0, int(np.isnan(raw).sum())
    if X.shape[0] < 3:
        raise DataError(f"PLS needs at least 3 complete rows; {X.shape[0]} of {ntotal} are left "
                        f"(missing={missing!r}).")
    check_constant(X, spec)
    return PLSData(raw, X, missing, ntotal, dropped, replaced, index, rows)
