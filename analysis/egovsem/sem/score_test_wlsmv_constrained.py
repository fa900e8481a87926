"""Score tests and scaled difference tests after a multi-group (or theta-parameterised) WLSMV fit with
explicit equality constraints (``a1 == a2``, ``b2 == 1.1*b1``), as lavaan 0.6-14's ``lavTestScore()`` and
``lavTestLRT()``.

Score tests: in lavaan's parameter space ``x`` (every later row of a shared parameter with its own parameter,
:func:`egovsem.sem.wls_mg.xspace_score_information`) the constraints are the rows ``R`` of lavaan's
``con.jac``: the model's own ``==`` first, in the order written, then ``.pN. == .pM.`` for each shared
parameter (``group_equal`` and labels). The total test is ``N s' I^+ s`` (every constraint released); with
``release`` and for the univariate test of constraint ``r``, ``I^+`` is the upper-left block of the
Moore-Penrose inverse of the information bordered by the constraints kept, ``[[I, R1'], [R1, 0]]``
(``MASS::ginv`` in lavaan). A nonlinear equality (``b2 == b1^2``) enters through its Jacobian at the
estimates (lavaan's ``con.jac``), as a linear one. lavaan refuses these tests with inequality constraints
("does not handle inequality constraints (yet)"); so does egovsem, with lavaan's reason.

Scaled difference tests: lavaan's ``satorra.2000`` with the A matrix from Delta works in the space left by
each model's equalities, ``Delta K`` with ``K`` an orthonormal basis of the null space of the equalities'
Jacobian; :func:`reduce_to_equalities` gives the less restricted model's Delta, information and meat in that
space and the restricted model's Delta, and :func:`egovsem.sem.wls_mg.scaled_difference_test` proceeds as
without explicit constraints. lavaan forms that basis for linear equalities only: with a nonlinear equality or
an inequality in a model its default test stops ("a dimension is zero"), and egovsem refuses the combination
with that reason.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from .._errors import EgovsemError, NotAvailableError

__all__ = ["bordered_tests", "exact_A", "kept_inverse", "reduce_to_equalities", "refuse_score_inequalities",
           "score_tests_constrained"]

_GINV_TOL = float(np.sqrt(np.finfo(float).eps))  # MASS::ginv's tolerance


def _refuse_inequalities(fit, what: str) -> None:
    """Refuse inequalities as lavaan 0.6-14's ``lavTestScore()`` refuses them ("does not handle inequality
    constraints (yet)"); nonlinear equalities are tested with their Jacobian at the estimates, as lavaan."""
    if getattr(fit, "constraint_set", None) is None:  # a fit type that does not keep its constraints
        raise NotAvailableError(f"{what} after a {type(fit).__name__} with explicit constraints (model syntax, "
                                f"line {fit.constraints[0][3]}) are not available.")
    refuse_score_inequalities(fit.constraints, what)


def refuse_score_inequalities(constraints, what: str = "score tests (lavTestScore)") -> None:
    """Raise lavaan's refusal of ``lavTestScore()`` when ``constraints`` (``(lhs, op, rhs, line, text)``)
    hold an inequality."""
    ineq = [c for c in constraints if c[1] != "=="]
    if ineq:
        raise EgovsemError(f"{what} cannot be computed with inequality constraints (model syntax, line "
                           f"{ineq[0][3]}: {ineq[0][4].strip()!r}): lavaan 0.6-14 refuses them too (\"lavTestScore() "
                           "does not handle inequality constraints (yet)\").")


def _refuse_lrt(fit) -> None:
    """Refuse what lavaan 0.6-14's ``lavTestLRT()`` cannot compute after WLSMV: its default ``satorra.2000``
    with the A matrix from Delta reduces each model's Delta by ``eq.constraints.K``, which lavaan forms for
    linear equalities only; with a nonlinear equality or an inequality the reduction is skipped, A is empty
    and lavaan stops with "a dimension is zero" (make_reference_score_wlsmv_nonlinear.R, refusals.csv)."""
    if getattr(fit, "constraint_set", None) is None:
        raise NotAvailableError(f"scaled difference tests (lavTestLRT) after a {type(fit).__name__} with explicit "
                                f"constraints (model syntax, line {fit.constraints[0][3]}) are not available.")
    cs = fit.constraint_set
    odd = [cs.constraints[k] for k in cs._ineq_idx]
    kind = "inequality"
    if not odd and cs._nl_idx:
        odd, kind = [cs.constraints[k] for k in cs._nl_idx], "nonlinear equality"
    if odd:
        raise EgovsemError(f"scaled difference tests (lavTestLRT) cannot be computed with {kind} constraints (model "
                           f"syntax, line {odd[0].line}: {odd[0].text.strip()!r}): lavaan 0.6-14's default test after "
                           "WLSMV (method 'satorra.2000', A from Delta) reduces each model by its linear equalities only and "
                           "fails on such a model (\"a dimension is zero\"); use A_method='exact' (lavaan's "
                           "A.method = \"exact\"), or score tests (lavTestScore).")


def kept_inverse(info: np.ndarray, R1: np.ndarray) -> np.ndarray:
    """Upper-left block of ``ginv([[I, R1'], [R1, 0]])``."""
    n = info.shape[0]
    if R1.shape[0] == 0:
        return np.linalg.pinv(info, rcond=_GINV_TOL, hermitian=True)
    Z = np.block([[info, R1.T], [R1, np.zeros((R1.shape[0], R1.shape[0]))]])
    return np.linalg.pinv(Z, rcond=_GINV_TOL, hermitian=True)[:n, :n]


def score_tests_constrained(fit, *, release: list[int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """lavaan's ``lavTestScore(fit)`` after a multi-group WLSMV fit with explicit equality constraints.

    Parameters
    ----------
    fit : WLSMVMultiGroupResults
        A fit whose model has ``==`` constraints (and no ``<`` or ``>``).
    release : list of int, optional
        Positions (1-based, in lavaan's order: the model's own ``==`` first, then the shared parameters) of
        the constraints the total test releases; the univariate table then lists only these (as lavaan).

    Returns
    -------
    (total, uni) : tuple of DataFrame
        As :func:`egovsem.sem.score_test.score_tests`; the rows of the model's own constraints carry
        lavaan's ``lhs == rhs`` as written, ``parameter`` empty and ``group`` 0.
    """
    from .wls_mg import xspace_score_information

    _refuse_inequalities(fit, "score tests (lavTestScore)")
    pt = fit.partable.reset_index(drop=True)
    cons, T, s, info, N = xspace_score_information(fit)
    q, k = fit.theta.size, len(cons)
    own = [c for c in fit.constraints if c[1] == "=="]
    R_own = fit.constraint_set.eq_jacobian(fit.theta)
    R = np.zeros((len(own) + k, q + k))
    R[:len(own), :q] = R_own
    free = pt["free"].to_numpy()
    for c, (_i, j) in enumerate(cons):
        R[len(own) + c, int(free[j]) - 1] = 1.0
        R[len(own) + c, q + c] = -1.0
    n = R.shape[0]
    if release is not None:
        bad = [r for r in release if not isinstance(r, (int, np.integer)) or not 1 <= r <= n]
        if bad:
            raise EgovsemError(f"The 'release' parameter must list constraint numbers between 1 and {n}. "
                               f"Got {bad!r}.")
    return bordered_tests(fit, cons, own, info, s, R, release, scale=N)


def bordered_tests(fit, cons, own, info, grad, R, release, scale: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The total and univariate tables from the information ``info``, the score ``grad`` and the constraint
    rows ``R`` (``scale``: lavaan's N for a unit information): the total test releases ``release`` (1-based;
    default all), a univariate test keeps every constraint but its own. ``cons``: (first row, later row) of
    each shared parameter (rows of ``R`` after the model's own constraints ``own``)."""
    pt = fit.partable.reset_index(drop=True)
    grp = pt["group"].to_numpy() if "group" in pt else np.ones(len(pt), dtype=int)
    n = R.shape[0]
    rel = np.arange(n) if release is None else np.asarray(release, dtype=int) - 1
    keep = np.setdiff1d(np.arange(n), rel)
    x2 = float(scale * grad @ kept_inverse(info, R[keep]) @ grad)
    total = pd.DataFrame([{"test": "score", "X2": x2, "df": int(rel.size),
                           "p.value": float(special.chdtrc(rel.size, x2))}])
    out = []
    for r in rel:
        x2r = float(scale * grad @ kept_inverse(info, np.delete(R, r, axis=0)) @ grad)
        if r < len(own):
            lhs, rhs, par, gr = own[r][0], own[r][2], "", 0
        else:
            i, j = cons[r - len(own)]
            row = pt.loc[j]
            lhs, rhs, gr = pt.at[i, "plabel"], pt.at[j, "plabel"], int(grp[j])
            par = f"{row['lhs']} {row['op']}" + (f" {row['rhs']}" if row["op"] != "~1" else "")
        out.append({"lhs": lhs, "op": "==", "rhs": rhs, "X2": x2r, "df": 1, "p.value": float(special.chdtrc(1, x2r)),
                    "parameter": par, "group": gr})
    return total, pd.DataFrame(out)


def reduce_to_equalities(fit) -> np.ndarray:
    """An orthonormal basis ``K`` (q, q - rank) of the null space of the fit's explicit equalities at its
    estimates (the identity without them); lavaan's ``eq.constraints.K``."""
    q = fit.theta.size
    if not fit.constraints:
        return np.eye(q)
    _refuse_lrt(fit)
    return fit.constraint_set.eq_null_basis(fit.theta)


_KEY = ["lhs", "op", "rhs", "group"]


def _row_keys(pt: pd.DataFrame) -> list[tuple]:
    """(lhs, op, rhs, group) of each parameter row (no constraint or defined rows), as lavaan maps them."""
    grp = pt["group"] if "group" in pt else pd.Series(1, index=pt.index)
    return [(str(a), str(o), str(b), int(g)) for a, o, b, g in zip(pt["lhs"], pt["op"], pt["rhs"], grp)]


def exact_A(restricted, free) -> tuple[np.ndarray, np.ndarray]:
    """lavaan's ``A.method = "exact"`` for ``lavTestLRT(restricted, free)`` (``lav_test_diff_af_h1``): the
    Jacobian ``A``, at the free model's estimates and in its parameters ``theta1``, of the restricted model's
    constraints, and ``K`` an orthonormal basis of the null space of the free model's own equalities and active
    inequalities there (its augmented inverse).

    The parameter rows of the two models are matched by lhs/op/rhs/group (lavaan stops when the two sets of rows
    differ: "unconstrained parameter set is not the same in m0 and m1"). The restricted model's constraints, in
    lavaan's parameter space where every row has its own parameter, are

    * each parameter it shares between rows (``group_equal``, a label written twice): ``x_i - x_j``;
    * its own ``==`` lines, with each of its parameters read from the free model's value of its first row;
    * ``x_i - value`` for each row it fixes and the free model frees.

    A row the free model fixes and the restricted one frees is passed over, as lavaan does (it takes that row's
    parameter from the free model, a constant). With ``x = T theta1`` (the free model's sharing), a constraint
    the free model has too is a zero row of ``A K`` and drops out of the test, as lavaan removes it. As lavaan,
    ``A`` holds equalities only (the restricted model's inequalities are not part of the test).
    """
    for fit in (restricted, free):
        if getattr(fit, "constraint_set", None) is None and fit.constraints:
            raise NotAvailableError(f"A_method='exact' after a {type(fit).__name__} with explicit constraints is "
                                    "not available.")
    p0, p1 = restricted.partable.reset_index(drop=True), free.partable.reset_index(drop=True)
    k0, k1 = _row_keys(p0), _row_keys(p1)
    if len(k0) != len(k1) or set(k0) != set(k1):
        only = sorted(set(k0) ^ set(k1))
        where = f" (e.g. {' '.join(map(str, only[0][:3]))}, group {only[0][3]})" if only else ""
        raise EgovsemError("A_method='exact' needs the two models to have the same parameter rows"
                           f"{where}: lavaan 0.6-14 stops with \"unconstrained parameter set is not the same in m0 "
                           "and m1\".")
    row1 = {k: i for i, k in enumerate(k1)}
    f1 = p1["free"].to_numpy().astype(int)
    f0 = p0["free"].to_numpy().astype(int)
    q1 = free.theta.size
    at = [row1[k] for k in k0]  # restricted row -> free row
    rows: list[np.ndarray] = []

    def unit(r0: int) -> np.ndarray:
        e = np.zeros(q1)
        if f1[at[r0]] > 0:
            e[f1[at[r0]] - 1] = 1.0
        return e

    first: dict[int, int] = {}
    for r, fr in enumerate(f0):
        if fr <= 0:
            if f1[at[r]] > 0:  # fixed here, free in the free model: x - value
                rows.append(unit(r))
            continue
        if fr in first:  # a parameter shared with an earlier row
            if f1[at[r]] > 0 or f1[at[first[fr]]] > 0:
                rows.append(unit(first[fr]) - unit(r))
        else:
            first[fr] = r
    eqs = [k for k, c in enumerate(restricted.constraints) if c[1] == "=="]
    if eqs:
        # theta0 read from theta1 (each restricted parameter from its first row's free-model parameter)
        S = np.zeros((restricted.theta.size, q1))
        theta0 = np.zeros(restricted.theta.size)
        fixed1 = p1["ustart"].to_numpy(dtype=float)
        for fr, r in first.items():
            j = f1[at[r]]
            if j > 0:
                S[fr - 1, j - 1] = 1.0
                theta0[fr - 1] = free.theta[j - 1]
            else:
                theta0[fr - 1] = fixed1[at[r]] if np.isfinite(fixed1[at[r]]) else 0.0
        rows.extend(restricted.constraint_set.jac(eqs, theta0) @ S)
    A = np.array(rows).reshape(len(rows), q1)
    K = free.constraint_set.null_basis(free.theta) if free.constraints else np.eye(q1)
    return A, K
