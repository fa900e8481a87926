"""Reverse coding and scale scores, on validated data (codes checked, missing codes already missing)."""
from __future__ import annotations

import math

import pandas as pd

from .._errors import DataError
from .spec import InstrumentView

SCORE_SUFFIX = "_mean"


def reverse_code(data: pd.DataFrame, v: InstrumentView) -> pd.DataFrame:
    """A copy of ``data`` with every reverse-keyed item recoded as ``min + max - x`` of its scale.

    >>> import pandas as pd
    >>> from types import SimpleNamespace as NS
    >>> v = NS(reverse={"PV4": (1, 5)})
    >>> reverse_code(pd.DataFrame({"PV4": [1, 2, 5, None]}), v)["PV4"].tolist()
    [5.0, 4.0, 1.0, nan]
    """
    out = data.copy()
    for item, (lo, hi) in v.reverse.items():
        if item in out.columns:
            out[item] = lo + hi - out[item]
    return out


def scale_scores(data: pd.DataFrame, v: InstrumentView, *, min_answered: int | None = None) -> pd.DataFrame:
    """Per construct, the mean of its items (``data`` already reverse coded), named ``<code>_mean``.

    A respondent gets a score only with at least ``min_answered`` items answered; the default is half
    the construct's items, rounded up (2 of 3, 2 of 4). Otherwise the score is missing.
    """
    if min_answered is not None and (not isinstance(min_answered, int) or min_answered < 1):
        raise DataError(f"The 'min_answered' parameter must be a whole number >= 1. Got {min_answered!r} instead.")
    scores = {}
    for code, items in v.constructs.items():
        block = data[list(items)].astype(float)
        need = min_answered if min_answered is not None else math.ceil(len(items) / 2)
        mean = block.mean(axis=1, skipna=True)
        scores[f"{code}{SCORE_SUFFIX}"] = mean.where(block.notna().sum(axis=1) >= min(need, len(items)))
    return pd.DataFrame(scores, index=data.index)
