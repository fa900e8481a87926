"""Importance-performance map analysis (IPMA; Ringle & Sarstedt 2016, Industrial Management & Data Systems
116(9); Hair, Sarstedt, Ringle & Gudergan 2018, ch. 4).

For a target construct ``T``:

1. every indicator is rescaled to 0-100, ``100 (x - min) / (max - min)``, with the scale's minimum and maximum
   (``scale_min`` / ``scale_max``; by default the observed ones);
2. the unstandardised outer weights of the rescaled indicators, ``w_i / sd(x~_i)``, are normalised to sum
   to 1 in each block, and the rescaled construct score is that weighted sum of the rescaled indicators ``x~``
   (so it is on 0-100 too);
3. **performance** of a construct: the mean of its rescaled score; of an indicator: the mean of the rescaled
   indicator;
4. **importance** of a construct: its unstandardised total effect on ``T``, from the paths re-estimated by
   OLS on the rescaled scores; of an indicator: its normalised weight times the importance of its construct.

The rescaled scores are linear transforms of the standardised PLS scores, so the unstandardised paths are the
standardised ones times ``sd(Y) / sd(X)`` of the rescaled scores. No seminr fixture exists (seminr 2.3.1 has no
IPMA); tests/test_pls_ipma.py computes each step independently.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._errors import DataError, EgovsemError, EgovsemWarning, NotAvailableError, caller_stacklevel, check_option
from .estimates import total_effects

__all__ = ["ipma"]


def _bounds(value: Any, name: str, items: tuple[str, ...], observed: np.ndarray) -> np.ndarray:
    if value is None:
        return observed.copy()
    if isinstance(value, dict):
        unknown = [k for k in value if k not in items]
        if unknown:
            raise EgovsemError(f"The '{name}' parameter names {unknown}, which are not indicators of the model.")
        out = observed.copy()
        for k, v in value.items():
            out[items.index(k)] = float(v)
        return out
    if isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_)):
        return np.full(len(items), float(value))
    raise EgovsemError(f"The '{name}' parameter must be a number, a dict indicator -> number, or None (the "
                       f"observed values). Got {value!r} instead.")


def ipma(fit, target: str, *, level: str = "constructs", scale_min: Any = None,
         scale_max: Any = None) -> pd.DataFrame:
    """Importance-performance map of the predecessors of ``target``.

    Parameters
    ----------
    fit : PLSResults
    target : str
        The endogenous construct of the map.
    level : {'constructs', 'indicators'}
        One row per construct with a total effect on ``target``, or per indicator of those constructs.
    scale_min, scale_max : number, dict or None
        The answer scale's minimum and maximum (one number for all indicators, or a dict by indicator; None:
        the observed minimum / maximum of each indicator).

    Returns
    -------
    DataFrame
        ``lhs op rhs`` (``target ~ construct``, or ``construct <~ indicator`` for indicators), ``importance``,
        ``performance``; the target's own performance is in ``DataFrame.attrs["target_performance"]``.

    Examples
    --------
    >>> import egovsem
    >>> from egovsem.datasets import load
    >>> fit = egovsem.pls('''
    ... Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
    ... Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    ... Satisfaction ~ Image
    ... ''', load("mobi"))
    >>> m = fit.ipma("Satisfaction", scale_min=1, scale_max=10)
    >>> list(m.columns), m["rhs"].tolist()
    (['lhs', 'op', 'rhs', 'importance', 'performance'], ['Image'])
    """
    level = check_option("level", level, ["constructs", "indicators"], casefold=True)
    spec = fit.spec
    if target not in spec.constructs:
        raise EgovsemError(f"The 'target' parameter must be a construct of the model {list(spec.constructs)}. Got "
                           f"{target!r} instead.")
    if target not in spec.endogenous:
        raise EgovsemError(f"The 'target' construct {target!r} has no predecessors; an IPMA needs an endogenous "
                           f"target, one of {list(spec.endogenous)}.")
    if fit.consistent or fit.first_stage is not None or fit.interactions:
        raise NotAvailableError("IPMA is available for PLS fits without PLSc, higher-order constructs or "
                                "interaction terms.")
    X = fit._data.X
    items = spec.indicators
    lo = _bounds(scale_min, "scale_min", items, X.min(axis=0))
    hi = _bounds(scale_max, "scale_max", items, X.max(axis=0))
    bad = [(x, a, b) for x, a, b in zip(items, lo, hi) if not b > a]
    if bad:
        x, a, b = bad[0]
        raise DataError(f"IPMA: the scale of {x!r} runs from {a:g} to {b:g}; the maximum must exceed the minimum.")
    outside = [x for j, x in enumerate(items) if X[:, j].min() < lo[j] or X[:, j].max() > hi[j]]
    if outside:
        raise DataError(f"IPMA: the indicator(s) {outside} have values outside scale_min / scale_max.")
    Xr = 100.0 * (X - lo) / (hi - lo)
    W = fit.estimates.W
    wu = W / Xr.std(axis=0, ddof=1)[:, None]  # unstandardised weights of the rescaled indicators
    wn = wu / wu.sum(axis=0)
    negative = [(c, x) for k, c in enumerate(spec.constructs) for j, x in enumerate(items) if wn[j, k] < 0]
    if negative:
        warnings.warn(f"IPMA: the rescaled weights of {negative} are negative (an indicator coded against its "
                      "construct, or collinearity); the performance of these constructs can leave 0-100.",
                      EgovsemWarning, stacklevel=caller_stacklevel())
    scores = Xr @ wn
    sd = scores.std(axis=0, ddof=1)
    B = fit.estimates.B * sd[None, :] / sd[:, None]  # unstandardised paths, B[i, j] for i -> j
    T = total_effects(B)
    t = spec.constructs.index(target)
    perf = scores.mean(axis=0)
    rows = [k for k in range(len(spec.constructs)) if k != t and abs(T[k, t]) > 0]
    if level == "constructs":
        out = pd.DataFrame({"lhs": target, "op": "~", "rhs": [spec.constructs[k] for k in rows],
                            "importance": [T[k, t] for k in rows], "performance": [perf[k] for k in rows]})
    else:
        pos = {x: j for j, x in enumerate(items)}
        recs = [(spec.constructs[k], "<~", x, wn[pos[x], k] * T[k, t], Xr[:, pos[x]].mean())
                for k in rows for x in spec.blocks[spec.constructs[k]]]
        out = pd.DataFrame(recs, columns=["lhs", "op", "rhs", "importance", "performance"])
    out.attrs["target_performance"] = float(perf[t])
    return out
