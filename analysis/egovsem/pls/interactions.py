"""Interaction terms (moderation) in a PLS path model, as seminr's ``interaction_term(iv, moderator, method)``.

In the inner model an interaction is written lavaan's way, ``Y ~ X + M + X:M``; the interaction construct is
named ``"X:M"`` in the results. ``pls(..., interaction=...)`` chooses how it is measured (mode A):

* ``"two_stage"`` (Chin, Marcolin & Newsted 2003; Henseler & Chin 2010; the default, as Hair et al. 2022
  recommend): the model without the interaction paths is estimated first, and the product of the stage-1
  scores of ``X`` and ``M`` is the single indicator ``"X:M_intxn"`` of the interaction construct;
* ``"product_indicator"``: every product of a standardised (divisor N - 1) indicator of ``X`` with one of
  ``M`` (``"x1:m1"``, ``"x1:m2"``, ...) is an indicator;
* ``"orthogonal"`` (Little, Bovaird & Widaman 2006): each of those products replaced by its residual from the
  OLS regression (with intercept) on all the indicators of ``X`` and ``M``.

The indicator columns are computed from the analysed rows (after the listwise deletion or the mean replacement
of the main effects' indicators), as seminr computes them from its processed data.
"""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from .._errors import ModelSyntaxError
from ..sem.syntax import Statement, parse_syntax

__all__ = ["INTERACTIONS", "read_model", "interaction_columns", "SEP"]

INTERACTIONS = ["two_stage", "product_indicator", "orthogonal"]
SEP = "__egovsem_x__"
_NAME = r"[A-Za-z_.][\w.]*"
_THREE = re.compile(rf"(?<![\w.]){_NAME}\s*:\s*{_NAME}\s*:\s*{_NAME}(?![\w.])")
_PRODUCT = re.compile(rf"(?<![\w.])({_NAME})\s*:\s*({_NAME})(?![\w.])")


def read_model(model: str) -> tuple[list[Statement], dict[str, tuple[str, str]]]:
    """Parse a PLS model with ``X:M`` interaction terms.

    Returns
    -------
    statements : list of Statement
        With each interaction named ``"X:M"``.
    interactions : dict
        ``"X:M"`` -> ``("X", "M")``, in the order written.

    Examples
    --------
    >>> stmts, inter = read_model("X =~ x1 + x2; M =~ m1; Y =~ y1; Y ~ X + M + X:M")
    >>> inter, stmts[-1].rhs
    ({'X:M': ('X', 'M')}, 'X:M')
    """
    for n, line in enumerate(model.splitlines(), 1):
        three = _THREE.search(line.split("#", 1)[0])
        if three:
            raise ModelSyntaxError(f"model syntax, line {n}: {three.group(0)!r}: only two-way interactions are "
                                   f"available: {line.strip()!r}")
    try:
        stmts = parse_syntax(_PRODUCT.sub(lambda m: f"{m.group(1)}{SEP}{m.group(2)}", model), formative=True)
    except ModelSyntaxError as err:
        raise ModelSyntaxError(str(err).replace(SEP, ":")) from None
    defined = {s.lhs for s in stmts if s.op in ("=~", "<~")}
    inter: dict[str, tuple[str, str]] = {}
    out = []
    for s in stmts:
        text = s.text.replace(SEP, ":")
        s = replace(s, lhs=s.lhs.replace(SEP, ":"), rhs=s.rhs.replace(SEP, ":"), text=text)
        if ":" in s.lhs:
            what = "an outcome (left of ~)" if s.op == "~" else "defined with its own indicators"
            raise ModelSyntaxError(f"model syntax, line {s.line}: the interaction term {s.lhs!r} cannot be {what}; "
                                   f"write it among the predictors, e.g. 'Y ~ X + M + X:M': {text.strip()!r}")
        if ":" in s.rhs:
            if s.op != "~":
                raise ModelSyntaxError(f"model syntax, line {s.line}: the interaction term {s.rhs!r} cannot be an "
                                       f"indicator; write it in the inner model (Y ~ X + M + X:M): {text.strip()!r}")
            a, b = s.rhs.split(":", 1)
            if ":" in b:
                raise ModelSyntaxError(f"model syntax, line {s.line}: {s.rhs!r}: only two-way interactions are "
                                       f"available: {text.strip()!r}")
            if a == b:
                raise ModelSyntaxError(f"model syntax, line {s.line}: the interaction {s.rhs!r} is of the construct "
                                       f"{a!r} with itself; a quadratic term is not available: {text.strip()!r}")
            for c in (a, b):
                if c not in defined:
                    raise ModelSyntaxError(f"model syntax, line {s.line}: the interaction {s.rhs!r} needs the "
                                           f"construct {c!r}, which no =~ / <~ defines: {text.strip()!r}")
            if f"{b}:{a}" in inter:
                raise ModelSyntaxError(f"model syntax, line {s.line}: {s.rhs!r} and {b}:{a} are the same "
                                       f"interaction; write one of them: {text.strip()!r}")
            inter.setdefault(s.rhs, (a, b))
        out.append(s)
    return out, inter


def _standardise(A: np.ndarray) -> np.ndarray:
    return (A - A.mean(axis=0)) / A.std(axis=0, ddof=1)


def interaction_columns(method: str, frame: pd.DataFrame, x_items: tuple[str, ...], m_items: tuple[str, ...],
                        name: str, scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """The indicator columns of the interaction ``name`` (``"X:M"``) measured by ``method``.

    ``frame`` holds the analysed rows of the indicators; ``scores`` the stage-1 construct scores (two-stage).
    """
    if method == "two_stage":
        assert scores is not None
        a, b = name.split(":", 1)
        return pd.DataFrame({f"{name}_intxn": scores[a].to_numpy() * scores[b].to_numpy()}, index=frame.index)
    X, M = frame[list(x_items)].to_numpy(float), frame[list(m_items)].to_numpy(float)
    Zx, Zm = _standardise(X), _standardise(M)
    P = (Zx[:, :, None] * Zm[:, None, :]).reshape(X.shape[0], -1)  # x outer, m inner (seminr's order)
    cols = [f"{x}:{m}" for x in x_items for m in m_items]
    if method == "orthogonal":
        A = np.column_stack([np.ones(X.shape[0]), X, M])
        coef, *_ = np.linalg.lstsq(A, P, rcond=None)
        P = P - A @ coef
    return pd.DataFrame(P, columns=cols, index=frame.index)
