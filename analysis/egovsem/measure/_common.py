"""Shared input checks and small numerical helpers of :mod:`egovsem.measure`.

Every message names the argument and the offending value (architecture.md, "Names"); checks raise
:class:`~egovsem._errors.DataError` / :class:`~egovsem._errors.EgovsemError`, never ``assert``.
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._errors import DataError, EgovsemError, NotAvailableError
from ..sem.checks import require_converged

__all__ = ["check_data", "check_items", "check_constructs", "check_positive_definite", "pairwise_cov", "cov2cor",
           "FitParts", "OrdinalParts", "fit_parts"]


def check_data(data, name: str = "data") -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"The '{name}' parameter must be a pandas DataFrame. Got {type(data).__name__} instead.")
    if len(data) < 2:
        raise DataError(f"The '{name}' DataFrame has {len(data)} row(s); at least 2 are needed.")
    return data


def _numeric(data: pd.DataFrame, col: str, arg: str) -> pd.Series:
    s = data[col]
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.astype(float)
    conv = pd.to_numeric(s, errors="coerce")
    bad = conv.isna() & s.notna() & (s.astype(str).str.strip() != "")
    if bad.any():
        rows = s.index[bad]
        shown = ", ".join(f"row {r!r}: {s.loc[r]!r}" for r in rows[:3])
        raise DataError(
            f"Column {col!r} (named in '{arg}') must be numeric, but {int(bad.sum())} cell(s) hold text: {shown}."
        )
    return conv.astype(float)


def check_items(data, items, *, arg: str = "items", min_items: int = 2, allow_constant: bool = False) -> pd.DataFrame:
    """Return ``data[items]`` as floats after checking names, types and count."""
    data = check_data(data)
    if isinstance(items, str) or not isinstance(items, Sequence) and not isinstance(items, pd.Index):
        raise EgovsemError(f"The '{arg}' parameter must be a list of column names. Got {items!r} instead.")
    items = list(items)
    if len(items) < min_items:
        raise EgovsemError(
            f"The '{arg}' parameter must name at least {min_items} items. Got {len(items)}: {items!r}."
        )
    dup = sorted({i for i in items if items.count(i) > 1})
    if dup:
        raise EgovsemError(f"The '{arg}' parameter names an item more than once: {dup!r}.")
    cols = [str(c) for c in data.columns]
    absent = [i for i in items if i not in data.columns]
    if absent:
        hints = []
        for v in absent:
            close = difflib.get_close_matches(str(v), cols, n=1)
            hints.append(repr(v) + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise DataError(f"The '{arg}' parameter names item(s) that are not columns of 'data': {', '.join(hints)}.")
    out = pd.DataFrame({i: _numeric(data, i, arg) for i in items}, index=data.index)
    inf = np.isinf(out.to_numpy())
    if inf.any():
        r, c = np.argwhere(inf)[0]
        raise DataError(f"Column {items[c]!r} of 'data' holds an infinite value at row {data.index[r]!r}.")
    empty = [i for i in items if out[i].notna().sum() < 2]
    if empty:
        raise DataError(f"Item(s) {empty!r} of '{arg}' have fewer than 2 answered rows.")
    const = [i for i in items if out[i].std(skipna=True) == 0]
    if const and not allow_constant:
        raise DataError(f"Item(s) {const!r} of '{arg}' are constant (zero variance).")
    return out


def check_constructs(data, constructs, *, arg: str = "constructs", min_items: int = 2) -> dict[str, list[str]]:
    """Check a mapping ``construct name -> list of items``; return it as a plain dict of lists."""
    if not isinstance(constructs, Mapping) or not constructs:
        raise EgovsemError(
            f"The '{arg}' parameter must be a non-empty dict mapping construct names to lists of items, "
            f"e.g. {{'TG': ['TG1', 'TG2', 'TG3']}}. Got {constructs!r} instead."
        )
    out = {}
    for name, items in constructs.items():
        check_items(data, items, arg=f"{arg}[{name!r}]", min_items=min_items)
        out[str(name)] = list(items)
    return out


def check_positive_definite(R: np.ndarray, names, what: str) -> None:
    """Raise a DataError naming the most collinear pair when ``R`` is singular or not positive definite."""
    if np.linalg.eigvalsh(R).min() > 1e-10:
        return
    off = np.abs(R - np.diag(np.diag(R)))
    i, j = np.unravel_index(np.argmax(off), off.shape)
    raise DataError(
        f"The {what} is singular or not positive definite (an item is a linear combination of others, or "
        f"pairwise deletion of many missing values); the most collinear pair is {names[i]!r} and {names[j]!r} "
        f"(r = {R[i, j]:.4f})."
    )


def pairwise_cov(X: pd.DataFrame) -> pd.DataFrame:
    """Covariances on pairwise-complete rows, divisor N-1 (R's ``cov(x, use = "pairwise")``)."""
    return X.cov()


def cov2cor(C: pd.DataFrame) -> pd.DataFrame:
    """R's ``cov2cor``: ``C[i, j] / sqrt(C[i, i] C[j, j])``."""
    sd = np.sqrt(np.diag(C.to_numpy()))
    return C / np.outer(sd, sd)


class OrdinalParts:
    """What categorical omega needs from a WLSMV fit (semTools' ``getThreshold`` and ``getScales``).

    ``ordered`` the ordinal indicators; ``thresholds`` item -> the model's thresholds (``lavInspect(fit,
    "est")$tau``); ``scales`` item -> the scale factor (``$delta``: the ``~*~`` rows, 1 in the delta
    parameterisation of a single group); ``raw_cov`` the covariance (divisor N-1) of the analysed item codes,
    ``cov(lavInspect(fit, "data"))``, or None when the rows are not kept.
    """

    def __init__(self, ordered: list[str], thresholds: dict[str, np.ndarray], scales: pd.Series,
                 raw_cov: pd.DataFrame | None):
        self.ordered = ordered
        self.thresholds = thresholds
        self.scales = scales
        self.raw_cov = raw_cov


class FitParts:
    """What the reliability and validity measures need from a fitted CFA (lavaan's LISREL pieces).

    ``loadings`` (observed indicators x factors, zero where an item does not load: lavaan's
    ``lavInspect(fit, "est")$lambda``), ``cov_lv`` (model-implied latent covariances,
    ``lavInspect(fit, "cov.lv")``) and ``sample_cov`` (the analysed sample covariance with divisor N,
    ``lavInspect(fit, "sampstat")$cov``).
    """

    def __init__(self, loadings: pd.DataFrame, cov_lv: pd.DataFrame, sample_cov: pd.DataFrame,
                 implied_cov: pd.DataFrame, ordinal: OrdinalParts | None = None):
        self.loadings = loadings
        self.cov_lv = cov_lv
        self.sample_cov = sample_cov
        self.implied_cov = implied_cov  # lavaan's fitted(fit)$cov (semTools' obs.var = FALSE)
        self.ordinal = ordinal  # WLSMV fits: thresholds, scale factors, the item codes' covariance

    def factors(self) -> list[str]:
        """Factors with two or more observed indicators (semTools' ``dropSingle = TRUE``)."""
        return [f for f in self.loadings.columns if int((self.loadings[f] != 0).sum()) > 1]

    def indicators(self, factor: str) -> list[str]:
        col = self.loadings[factor]
        return list(col.index[col != 0])


def fit_parts(fit, what: str = "egovsem.measure", *, ordinal: bool = False) -> FitParts:
    """Extract :class:`FitParts` from an :class:`egovsem.Results` (single-group fit); a fit that did not
    converge is refused (``what`` names the caller in the message). A WLSMV fit with ordered indicators is
    accepted only when ``ordinal`` is True (the caller knows the latent-response scale), and then carries
    :class:`OrdinalParts`."""
    if not all(hasattr(fit, a) for a in ("params", "inspect")):
        raise EgovsemError(
            f"The 'fit' parameter must be the result of egovsem.cfa() or egovsem.sem(). Got {type(fit).__name__}."
        )
    require_converged(fit, what)
    opts = getattr(fit, "options", {}) or {}
    if fit.inspect("ngroups") > 1 or opts.get("group"):
        raise NotAvailableError("Reliability and validity measures of multi-group fits are not implemented yet.")
    if opts.get("ordered") and not ordinal:
        raise NotAvailableError(f"{what} for ordinal indicators is not implemented yet; composite_reliability() "
                                "gives categorical omega and ordinal alpha of a WLSMV fit, or fit the items as "
                                "continuous.")
    # the "sample" covariance: under FIML semTools uses the saturated-model (EM) estimate, which is what the
    # engine reports as lavInspect(fit, "sampstat") for missing='fiml' (tests/reference/measure_fiml/hs_fiml_reliability.csv)
    ov = list(fit.inspect("ov.names"))
    lv = list(fit.inspect("lv.names"))
    pe = fit.params
    lam = pd.DataFrame(0.0, index=ov, columns=lv)
    for r in pe[pe["op"] == "=~"].itertuples():
        if r.rhs in lam.index:  # a second-order loading (factor =~ factor) is not an observed indicator
            lam.loc[r.rhs, r.lhs] = float(r.est)
    cov_lv = fit.inspect("cov.lv").loc[lv, lv]
    sample_cov = fit.inspect("sampstat")["cov"]
    implied = fit.inspect("implied")["cov"].loc[ov, ov]
    ordp = _ordinal_parts(fit, pe, ov) if opts.get("ordered") else None
    return FitParts(lam, cov_lv, sample_cov, implied, ordp)


def _ordinal_parts(fit, pe: pd.DataFrame, ov: list[str]) -> OrdinalParts:
    extra = getattr(fit, "extra", {}) or {}
    ordered = [v for v in ov if v in set(extra.get("ordered", ()))]
    th = pe[pe["op"] == "|"]
    thresholds = {v: th.loc[th["lhs"] == v, "est"].to_numpy(dtype=float) for v in ordered}
    sc = pe[pe["op"] == "~*~"].set_index("lhs")["est"]
    scales = pd.Series([float(sc.get(v, 1.0)) for v in ov], index=ov)
    st = getattr(fit, "stats", None)
    X, names = getattr(st, "X", None), list(getattr(st, "names", []) or [])
    raw_cov = None
    if X is not None and set(ov) <= set(names):
        Xa = np.asarray(X, dtype=float)
        if Xa.ndim == 2 and Xa.shape[1] == len(names) and not np.isnan(Xa).any():
            raw_cov = pd.DataFrame(np.cov(Xa, rowvar=False), index=names, columns=names).loc[ov, ov]
    return OrdinalParts(ordered, thresholds, scales, raw_cov)
