"""lavaan's model matrices after WLSMV with exogenous observed covariates (``conditional.x``):
``lavInspect(fit, "est" | "free" | "se")`` of a :class:`~egovsem.sem.conditional_results.ConditionalFit` (one
group) or a :class:`~egovsem.sem.wls_mg_conditional.ConditionalMultiGroupResults` (several groups, or continuous
items mixed with ordered ones).

As lavaan 0.6-14's LISREL representation with covariates: the observed variables are the items only (the
covariates are not in ``lambda``, ``theta`` or ``nu``); an item that is the outcome of a ``~`` row (e.g.
``A3 ~ age``) is a phantom latent variable (a unit loading in ``lambda``, its residual variance in ``psi``, its
loadings in ``beta``); the regressions on the covariates fill ``gamma`` (latent variables x covariates), those
among latent variables ``beta``; the covariates' sample covariances and means (fixed.x) are ``cov.x`` and
``mean.x``. The matrices come in lavaan's order: lambda, theta, psi, beta (when there is one), nu, alpha, tau,
delta, gamma, cov.x, mean.x; ``delta`` is 1 for a continuous item (0 in ``"free"`` and ``"se"``). ``"free"``
numbers the free rows of the parameter table in order, as lavaan (rows constrained equal keep their own
numbers). Checked against lavaan in tests/test_inspect_conditional.py
(tests/reference/make_reference_inspect_conditional.R).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._errors import NotAvailableError
from .inspect import block_lisrel_names, block_matrices

__all__ = ["conditional_model_matrices", "MATRIX_WHATS"]

#: lavaan's names (and aliases) of the model matrices
MATRIX_WHATS = {"est": "est", "estimates": "est", "free": "free", "se": "se", "std.err": "se"}


def _lavaan_free(free: np.ndarray) -> np.ndarray:
    """lavaan's ``free`` column: the free rows numbered 1, 2, ... in table order (0: fixed)."""
    is_free = free > 0
    return np.where(is_free, np.cumsum(is_free), 0).astype(float)


def _group_matrices(rows: pd.DataFrame, values: np.ndarray, items: list[str], xs: list[str], lv: list[str],
                    unit: float) -> dict[str, pd.DataFrame]:
    names = block_lisrel_names(rows, lv, items + [x for x in xs if x not in items], xs)
    th = rows[rows["op"] == "|"]
    th_names = [f"{a}|{b}" for a, b in zip(th["lhs"], th["rhs"])]
    return block_matrices(rows, values, names, unit=unit, th_names=th_names, means=True, ordinal=True,
                          xs=xs, delta_default=unit)


def conditional_model_matrices(fit: Any, what: str) -> Any:
    """lavaan's ``lavInspect(fit, what)`` for ``what`` in ``"est"``, ``"free"``, ``"se"`` (and the aliases
    ``"estimates"``, ``"std.err"``) after WLSMV with exogenous covariates.

    Parameters
    ----------
    fit : ConditionalFit or ConditionalMultiGroupResults
        The fit.
    what : str
        The matrices' values: estimates, free-parameter numbers or standard errors.

    Returns
    -------
    dict of DataFrame, or dict of such dicts
        One group: ``{name: matrix}``; several groups: keyed by group label, as lavaan's list.
    """
    kind = MATRIX_WHATS.get(what)
    if kind is None:
        raise NotAvailableError(f"inspect({what!r}): the model matrices are 'est', 'free' and 'se'.")
    unit = 0.0 if kind in ("free", "se") else 1.0
    if hasattr(fit, "free_rows"):  # one group (ConditionalFit): params is the table
        p = fit.params
        free = np.asarray(fit.free_rows) + 1
        vals = _lavaan_free(free) if kind == "free" else p[kind].to_numpy(dtype=float)
        st = fit.stats
        return _group_matrices(p, vals, list(st.names), list(st.xnames), list(fit.spec.lv), unit)
    pt = fit.partable
    n = len(pt)
    vals = (_lavaan_free(pt["free"].to_numpy().astype(int)) if kind == "free"
            else fit.params[kind].to_numpy(dtype=float)[:n])
    lv = list(fit.latent_names)
    out = {}
    for g, lab in enumerate(fit.group_labels):
        mask = (pt["group"] == g + 1).to_numpy()
        st = fit.ordinal[g]
        out[lab] = _group_matrices(pt.loc[mask], vals[mask], list(st.names), list(st.xnames), lv, unit)
    return out if len(out) > 1 else next(iter(out.values()))
