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


def exact_A(restricted, free) -> tuple[np.ndarray, np.ndarray]:
    """lavaan's ``A.method = "exact"`` for ``lavTestLRT(restricted, free)``: the Jacobian ``A`` (one row per
    constraint of the restricted model that the free one lacks) at the free model's estimates, and ``K`` an
    orthonormal basis of the null space of the free model's own equalities there (its augmented inverse).

    The two fits must have the same parameters (the same rows, the same shared parameters) and differ by their
    ``==`` lines only. As lavaan, ``A`` holds equalities only, and ``K`` is the null space of the free model's
    equalities and active inequalities (its augmented inverse).
    """
    for fit in (restricted, free):
        if getattr(fit, "constraint_set", None) is None and fit.constraints:
            raise NotAvailableError(f"A_method='exact' after a {type(fit).__name__} with explicit constraints is "
                                    "not available.")
    cols = ["lhs", "op", "rhs", "group", "free"]
    p0, p1 = restricted.partable[cols].reset_index(drop=True), free.partable[cols].reset_index(drop=True)
    same = len(p0) == len(p1) and (p0.astype(str).to_numpy() == p1.astype(str).to_numpy()).all()
    if not same or restricted.theta.size != free.theta.size:
        raise NotAvailableError("A_method='exact' needs two models with the same parameters that differ by their "
                                "'==' lines only (the restricted model's group_equal or shared labels as well are "
                                "not available yet).")
    key = [(c[0].replace(" ", ""), c[2].replace(" ", "")) for c in free.constraints if c[1] == "=="]
    extra = [k for k, c in enumerate(restricted.constraints) if c[1] == "=="
             and (c[0].replace(" ", ""), c[2].replace(" ", "")) not in key]
    if not extra:
        raise EgovsemError("The models are not nested by their constraints: the restricted model adds no '==' line "
                           "to the free one's.")
    A = restricted.constraint_set.jac(extra, free.theta)  # its constraints in the order written
    K = free.constraint_set.null_basis(free.theta) if free.constraints else np.eye(free.theta.size)
    return A, K

