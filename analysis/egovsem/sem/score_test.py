"""Score (Lagrange multiplier) tests for releasing equality constraints (lavaan's ``lavTestScore()``).

An equality constraint that egovsem writes by sharing one free parameter between rows (``group_equal``, or a
label given to several rows) is, in lavaan's notation, ``.p2. == .p38.``: the first row that carries the
parameter equals each later one. Releasing one such constraint adds a free difference to the later row's
cell, so its univariate score test is the modification index of that cell in its group (with the expected
information, as lavaan's default), and the total test releases all of them at once:
``X2 = s' V^-1 s`` with the scores ``s`` of the added differences and
``V = I_ee - I_em I_mm^-1 I_me`` their conditional information (totals over groups, ``N_g`` times the
per-observation pieces). Ranking the univariate statistics is the usual way to choose which parameter to
free for partial invariance (semTools' and lavaan's advice; Byrne, Shavelson & Muthén 1989).

With the model's own ``==`` constraints (``a == b``, ``d == c^2``; lavaan lists them first, as written) the
parameters are ``theta`` and the added differences, the score has the Lagrangian part ``g_theta`` (not 0 at
the constrained estimates), and each constraint kept enters as a row of ``R`` (its Jacobian at the estimates,
lavaan's ``con.jac``; a shared parameter's row selects its difference): the total test is ``g' I^+ g`` with all
released, a univariate test ``g' [ginv([[I, R1'], [R1, 0]])]_11 g`` with ``R1`` the constraints kept (as
:mod:`egovsem.sem.score_test_wlsmv_constrained`). With an inequality lavaan refuses, and so does egovsem.

>>> import egovsem
>>> from egovsem.datasets import load
>>> fit = egovsem.cfa("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9",
...                   load("HolzingerSwineford1939"), group="school", group_equal=["loadings", "intercepts"])
>>> total, uni = score_tests(fit)   # R: lavTestScore(fit): total X2 46.956 on 15 df; x3 ~1 19.193
>>> round(float(total["X2"].iloc[0]), 3), int(total["df"].iloc[0])
(46.956, 15)
>>> top = uni.sort_values("X2", ascending=False).iloc[0]
>>> top["parameter"], round(float(top["X2"]), 3)
('x3 ~1', 19.193)
"""
from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from .._errors import EgovsemError, NotAvailableError
from .distributions import chi2_sf

__all__ = ["score_tests"]


def _constraints(res) -> list[tuple[int, int]]:
    """(first row, later row) positions in the parameter table for every shared free parameter."""
    pt = res.partable.reset_index(drop=True)
    free = pt["free"].to_numpy()
    first: dict[int, int] = {}
    out = []
    for i, f in enumerate(free):
        if f <= 0:
            continue
        if f in first:
            out.append((first[f], i))
        else:
            first[f] = i
    return sorted(out)  # lavaan's order: by parameter (its first row), then by group


def score_tests(fit, *, release: list[int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score tests for the equality constraints of a fit (lavaan's ``lavTestScore(fit)``).

    Parameters
    ----------
    fit : egovsem.Results
        An ML, MLR or FIML fit (MLR fits get the ML statistics, as lavaan's default ``lavTestScore`` without
        ``test=``), a WLSMV fit in one group (also with exogenous covariates) or several, or theta-parameterised
        (:func:`egovsem.sem.wls_mg.score_tests_wlsmv`; lavaan's ordinary score test), with equality constraints
        from ``group_equal``, shared labels or the model's own ``==`` (linear or nonlinear; listed first, as
        lavaan lists them). Inequalities are refused, as lavaan refuses them.
    release : list of int, optional
        Positions (1-based, in the order of the univariate table) of the constraints the total test releases;
        default all (lavaan's ``release``).

    Returns
    -------
    (total, uni) : tuple of DataFrame
        ``total``: one row ``test X2 df p.value`` (lavaan's ``$test``). ``uni``: one row per constraint,
        ``lhs op rhs X2 df p.value`` with lavaan's plabels (``.p2. == .p38.``) plus ``parameter`` (the row,
        e.g. ``visual =~ x2``) and ``group`` (the group of the later row, whose copy is released).
    """
    from .modindices import group_blocks, group_views
    from .score_test_wlsmv_constrained import refuse_score_inequalities
    from .wls_mg import WLSMVMultiGroupResults, score_tests_wlsmv

    if isinstance(fit, WLSMVMultiGroupResults):  # multi-group WLSMV: lavaan's ordinary score tests
        return score_tests_wlsmv(fit, release=release)
    from .conditional_results import ConditionalFit

    if isinstance(fit, ConditionalFit):  # one-group WLSMV with covariates: read as a multi-group fit of one group
        from .modindices_conditional import score_view

        return score_tests_wlsmv(cast(Any, score_view(fit)), release=release)
    if not all(hasattr(fit, a) for a in ("partable", "theta", "rams")):
        raise EgovsemError(f"The 'fit' parameter must be the result of egovsem.cfa() or egovsem.sem(). "
                           f"Got {type(fit).__name__}.")
    if fit.opts.discrepancy not in ("ML", "FIML", "DWLS"):
        raise NotAvailableError(f"score_tests: available for ML, MLR, FIML and WLSMV fits (this fit: estimator="
                                f"{fit.estimator!r}).")
    cons = _constraints(fit)
    own = list(fit.spec.constraints)
    refuse_score_inequalities(own)
    if not cons and not own:
        raise EgovsemError("score_tests: the fit has no equality constraints to release (no group_equal, no "
                           "label shared by several rows and no '==' constraint).")
    n_all = len(own) + len(cons)
    if release is not None:
        bad = [r for r in release if not isinstance(r, (int, np.integer)) or not 1 <= r <= n_all]
        if bad:
            raise EgovsemError(f"The 'release' parameter must list constraint numbers between 1 and {n_all}. "
                               f"Got {bad!r}.")
    if fit.ordinal is not None:  # one-group WLSMV (delta): lavaan's ordinary score test from the DWLS pieces
        return _dwls_score_tests(fit, cons, own, release)
    pt = fit.partable.reset_index(drop=True)
    grp = pt["group"].to_numpy() if "group" in pt else np.ones(len(pt), dtype=int)
    theta = fit.theta
    views = group_views(fit)
    # the released cells of each group, in constraint order
    by_group: dict[int, list[int]] = {}
    for c, (_i, j) in enumerate(cons):
        by_group.setdefault(int(grp[j]), []).append(c)
    I11_tot = np.zeros((fit.theta.size, fit.theta.size))
    blocks = {}
    for g, view, ram, Ng in views:
        cs = by_group.get(g, [])
        rws = [(pt.at[cons[c][1], "lhs"], pt.at[cons[c][1], "op"], pt.at[cons[c][1], "rhs"]) for c in cs]
        I11, I12, I22, score, _C = group_blocks(fit, view, ram, theta, rws, full=True)
        I11_tot = I11_tot + Ng * I11
        blocks[g] = (cs, Ng, I12, I22, score)
    k = len(cons)
    q = I11_tot.shape[0]
    Iem = np.zeros((k, q))
    Iee = np.zeros((k, k))
    s = np.zeros(k)
    for cs, Ng, I12, I22, score in blocks.values():
        if not cs:
            continue
        idx = np.asarray(cs)
        Iem[idx] = Ng * I12.T
        Iee[np.ix_(idx, idx)] = Ng * np.atleast_2d(I22)
        s[idx] = Ng * score
    if own:
        return _with_own_constraints(fit, views, cons, own, I11_tot, Iem, Iee, s, release)
    V = Iee - Iem @ np.linalg.solve(I11_tot, Iem.T)
    with np.errstate(divide="ignore", invalid="ignore"):
        x2_uni = s**2 / np.diag(V)
    rel = np.arange(k) if release is None else np.asarray(release, dtype=int) - 1
    # released together, the differences may leave the model unidentified (every intercept and the latent
    # means of a group): lavaan then takes the Moore-Penrose inverse of the singular information; the score
    # lies in the range of the information, so s' I^+ s does not depend on the parameterisation
    Ifull = np.block([[I11_tot, Iem[rel].T], [Iem[rel], Iee[np.ix_(rel, rel)]]])
    sfull = np.concatenate([np.zeros(q), s[rel]])
    x2 = float(sfull @ np.linalg.pinv(Ifull, rcond=1e-12, hermitian=True) @ sfull)
    total = pd.DataFrame([{"test": "score", "X2": x2, "df": int(rel.size),
                           "p.value": float(chi2_sf(rel.size, x2))}])
    rows = []
    for c, (i, j) in enumerate(cons):
        r = pt.loc[j]
        par = f"{r['lhs']} {r['op']}" + (f" {r['rhs']}" if r["op"] != "~1" else "")
        rows.append({"lhs": pt.at[i, "plabel"], "op": "==", "rhs": pt.at[j, "plabel"], "X2": float(x2_uni[c]),
                     "df": 1, "p.value": float(chi2_sf(1, x2_uni[c])), "parameter": par,
                     "group": int(grp[j])})
    return total, pd.DataFrame(rows)


def _with_own_constraints(fit, views, cons, own, I11, Iem, Iee, s, release) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The score tests of a fit whose model has its own ``==`` constraints (module docstring): in the space of
    ``theta`` and the shared parameters' differences, with lavaan's constraint rows (its own first)."""
    from .constraints import ConstraintSet
    from .modindices import group_blocks
    from .score_test_wlsmv_constrained import bordered_tests

    theta, q = fit.theta, fit.theta.size
    # the gradient of the log-likelihood in theta (each free row's cell score, summed over the rows of a parameter)
    g_theta = np.zeros(q)
    for _g, view, ram, Ng in views:
        rows = view.partable[view.partable["free"] > 0]
        rws = [(r.lhs, r.op, r.rhs) for r in rows.itertuples()]
        score = group_blocks(fit, view, ram, theta, rws)[3]
        np.add.at(g_theta, rows["free"].to_numpy(dtype=int) - 1, Ng * score)
    info = np.block([[I11, Iem.T], [Iem, Iee]])
    grad = np.concatenate([g_theta, s])
    R = _constraint_rows(fit, ConstraintSet.from_spec(fit.spec), cons, own, q)
    return bordered_tests(fit, cons, own, info, grad, R, release)


def _constraint_rows(fit, cs, cons, own, q: int) -> np.ndarray:
    """lavaan's constraint rows in the space of ``theta`` and the shared parameters' differences: the model's own
    ``==`` (their Jacobian ``cs.eq_jacobian`` at the estimates) first, then one row per difference."""
    k = len(cons)
    R = np.zeros((len(own) + k, q + k))
    if own:
        R[:len(own), :q] = cs.eq_jacobian(fit.theta)
    R[len(own) + np.arange(k), q + np.arange(k)] = 1.0
    return R


def _dwls_score_tests(fit, cons, own, release) -> tuple[pd.DataFrame, pd.DataFrame]:
    """lavTestScore after a one-group WLSMV fit: with ``Delta`` the model's columns and those of the later rows'
    cells (:func:`egovsem.sem.modindices.dwls_cell_columns`), the unit information ``Delta' W Delta``, the
    gradient ``-(N - 1) / N Delta' W (s - sigma)`` of lavaan's DWLS objective and ``N`` times the bordered forms
    (as after several groups, :func:`egovsem.sem.wls_mg.score_tests_wlsmv`)."""
    from .constraints import Constraint, ConstraintSet
    from .modindices import dwls_cell_columns
    from .score_test_wlsmv_constrained import bordered_tests

    pt = fit.partable.reset_index(drop=True)
    ex = fit.extra
    ost = ex["ordinal"]
    w, N = ost.wls_v_diag, float(fit.nobs)
    rows = [(pt.at[j, "lhs"], pt.at[j, "op"], pt.at[j, "rhs"]) for _i, j in cons]
    D = np.hstack([ex["delta"], dwls_cell_columns(fit, rows)]) if rows else ex["delta"]
    info = D.T @ (D * w[:, None])
    grad = -(N - 1.0) / N * D.T @ (w * (ost.wls_obs - ex["wls_est"]))
    cs = ConstraintSet([Constraint(*c) for c in own], fit.partable, fit.spec.defined) if own else None
    R = _constraint_rows(fit, cs, cons, own, fit.theta.size)
    return bordered_tests(fit, cons, own, info, grad, R, release, scale=N)
