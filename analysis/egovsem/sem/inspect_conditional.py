"""lavaan's model matrices after WLSMV with exogenous observed covariates (``conditional.x``):
``lavInspect(fit, "est" | "free" | "se" | "start")`` of a :class:`~egovsem.sem.conditional_results.ConditionalFit` (one
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
numbers). ``"start"`` holds lavaan's start values (its rules applied to the first stage: FABIN3 loadings from
the residual polychorics, 0.05 latent variances, zero regressions, the first-stage thresholds; see
:func:`_start_rows`); egovsem's optimiser starts from its own values (the total covariance of the latent
responses and covariates, :func:`egovsem.sem.wls_conditional.fit_wlsmv_conditional`) and reaches lavaan's
estimates. Checked against lavaan in tests/test_inspect_conditional.py
(tests/reference/make_reference_inspect_conditional.R).
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from .._errors import NotAvailableError
from .inspect import block_lisrel_names, block_matrices
from .start import partable_start

__all__ = ["conditional_model_matrices", "MATRIX_WHATS"]

#: lavaan's names (and aliases) of the model matrices
MATRIX_WHATS = {"est": "est", "estimates": "est", "free": "free", "se": "se", "std.err": "se", "start": "start",
                "starting.values": "start"}


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


def _start_rows(rows: pd.DataFrame, free: np.ndarray, st: Any, lv: list[str]) -> np.ndarray:
    """lavaan's start value of each of one group's parameter rows with covariates: its rules (FABIN3 loadings,
    0.05 latent variances, zero regressions, half the residual variance of a continuous item) applied to the
    first stage's residual covariances of the items given the covariates, the first-stage thresholds and
    continuous items' intercepts, 1 for the ordered items' residual variances and the scales, the covariates'
    sample moments; fixed rows keep their values (``rows["est"]``)."""
    items, xs = list(st.names), list(st.xnames)
    lhs, op, rhs = rows["lhs"].to_numpy(), rows["op"].to_numpy(), rows["rhs"].to_numpy()
    est = rows["est"].to_numpy(dtype=float)
    xi = {v: i for i, v in enumerate(xs)}
    Sxx, mx = np.zeros((len(xs), len(xs))), np.zeros(len(xs))
    for a, o, b, v in zip(lhs, op, rhs, est):
        if o == "~~" and a in xi and b in xi:
            Sxx[xi[a], xi[b]] = Sxx[xi[b], xi[a]] = v
        elif o == "~1" and a in xi:
            mx[xi[a]] = v
    sd = np.sqrt([float(st.variances.get(v, 1.0)) for v in items])
    cov = np.zeros((len(items) + len(xs),) * 2)
    cov[: len(items), : len(items)] = np.asarray(st.corr, dtype=float) * np.outer(sd, sd)
    cov[len(items):, len(items):] = Sxx
    mean = np.concatenate([[float(st.intercepts.get(v, 0.0)) for v in items], mx])
    spec = SimpleNamespace(ov=items + xs, lv=lv, lv_x=[], ov_x=xs)
    pts = pd.DataFrame({"lhs": lhs, "op": op, "rhs": rhs, "free": free,
                        "ustart": np.where(free > 0, np.nan, est)})
    start = partable_start(spec, pts, SimpleNamespace(cov=cov, mean=mean), categorical=True)
    ordered = set(st.ordered)
    k = {v: 0 for v in ordered}
    for i, (a, o, b) in enumerate(zip(lhs, op, rhs)):
        if o == "|":
            start[i] = float(np.asarray(st.thresholds[a])[k[a]])
            k[a] += 1
        elif o == "~*~" or (o == "~~" and a == b and a in ordered):
            start[i] = 1.0
    return start


def conditional_model_matrices(fit: Any, what: str) -> Any:
    """lavaan's ``lavInspect(fit, what)`` for ``what`` in ``"est"``, ``"free"``, ``"se"``, ``"start"`` (and the
    aliases ``"estimates"``, ``"std.err"``, ``"starting.values"``) after WLSMV with exogenous covariates.

    Parameters
    ----------
    fit : ConditionalFit or ConditionalMultiGroupResults
        The fit.
    what : str
        The matrices' values: estimates, free-parameter numbers, standard errors or lavaan's start values.

    Returns
    -------
    dict of DataFrame, or dict of such dicts
        One group: ``{name: matrix}``; several groups: keyed by group label, as lavaan's list.
    """
    kind = MATRIX_WHATS.get(what)
    if kind is None:
        raise NotAvailableError(f"inspect({what!r}): the model matrices are 'est', 'free', 'se' and 'start'.")
    unit = 0.0 if kind in ("free", "se") else 1.0
    if hasattr(fit, "free_rows"):  # one group (ConditionalFit): params is the table
        p = fit.params
        free = np.asarray(fit.free_rows) + 1
        st = fit.stats
        vals = (_lavaan_free(free) if kind == "free" else _start_rows(p, free, st, list(fit.spec.lv))
                if kind == "start" else p[kind].to_numpy(dtype=float))
        return _group_matrices(p, vals, list(st.names), list(st.xnames), list(fit.spec.lv), unit)
    pt = fit.partable
    n = len(pt)
    free = pt["free"].to_numpy().astype(int)
    vals = _lavaan_free(free) if kind == "free" else fit.params[kind if kind != "start" else "est"].to_numpy(
        dtype=float)[:n]
    lv = list(fit.latent_names)
    out = {}
    for g, lab in enumerate(fit.group_labels):
        mask = (pt["group"] == g + 1).to_numpy()
        st = fit.ordinal[g]
        rows = pt.loc[mask, ["lhs", "op", "rhs"]].assign(est=vals[mask])
        gvals = _start_rows(rows, free[mask], st, lv) if kind == "start" else vals[mask]
        out[lab] = _group_matrices(rows, gvals, list(st.names), list(st.xnames), lv, unit)
    return out if len(out) > 1 else next(iter(out.values()))
