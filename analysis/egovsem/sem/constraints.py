"""Explicit constraints (``lhs == rhs``, ``lhs < rhs``, ``lhs > rhs``) on the free parameters, as lavaan 0.6-14.

A constraint is written in the model syntax (or passed as lavaan's ``constraints =`` string) with the
labels of parameters (and earlier ``:=`` names), numbers, ``+ - * / ^`` and ``sqrt exp log abs``. With
``theta`` the free parameters (rows sharing a label are one parameter):

* equalities linear in ``theta`` (``a == b``, ``b1 == 2*b3``, ``a1 + a2 + a3 == 3``) are removed by a
  reparameterisation ``theta = theta_p + K x`` (``K`` an orthonormal basis of the null space of the
  constraint matrix), and the model is fitted in ``x`` by the usual Fisher scoring;
* nonlinear equalities and inequalities are handled by a constrained optimiser (scipy's SLSQP) in ``x``,
  started from the fit without them (an inequality that holds there is inactive and nothing changes);
* the covariance matrix of the estimates is that of lavaan's augmented (bordered) information matrix,
  ``Z (Z' A Z)^-1 Z'`` with ``Z`` a basis of the null space of the Jacobian of the equalities and the active
  inequalities at the solution (the upper-left block of the inverse of ``[[A, H'], [H, 0]]``);
* ``npar`` is the number of free parameters less the rank of the equality Jacobian, ``df = ndat - npar``;
  inequalities never change ``npar`` or ``df`` (lavaan reports the same values whether a bound is active
  or not).

>>> from egovsem.sem.partable import specify
>>> spec = specify("f =~ x1 + a*x2 + b*x3\\na == 2*b")
>>> cs = ConstraintSet.from_spec(spec)
>>> cs.n_linear_eq, cs.n_nonlinear_eq, cs.n_ineq
(1, 0, 0)
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import ConvergenceWarning, IdentificationError, ModelSyntaxError
from .defined import compile_expression, expression_names

__all__ = ["ConstraintSet", "Constraint", "CONSTRAINT_OPS", "constraint_statements", "constraint_rows",
           "minimize_constrained", "constrained_vcov"]

CONSTRAINT_OPS = ("==", "<", ">")


@dataclass(frozen=True)
class Constraint:
    """One explicit constraint as written: ``lhs op rhs`` from source line ``line``."""

    lhs: str
    op: str
    rhs: str
    line: int
    text: str


def constraint_statements(text: str):
    """Parse lavaan's ``constraints =`` argument (lines or ``;``-separated statements of ``==``, ``<``,
    ``>``); any other operator is refused with its line."""
    from .syntax import parse_syntax

    stmts = parse_syntax(text)
    for s in stmts:
        if s.op not in CONSTRAINT_OPS:
            raise ModelSyntaxError(
                f"constraints, line {s.line}: only '==', '<' and '>' statements belong in 'constraints', "
                f"got the operator {s.op!r}: {s.text!r}"
            )
    return stmts


def _null_space(M: np.ndarray, q: int) -> tuple[np.ndarray, int]:
    """An orthonormal basis of the null space of ``M`` (r, q) and the rank of ``M``."""
    if M.shape[0] == 0:
        return np.eye(q), 0
    _, s, vt = np.linalg.svd(M)
    tol = max(M.shape) * np.finfo(float).eps * (s[0] if s.size else 0.0) * 1e3
    rank = int(np.sum(s > tol))
    return vt[rank:].T.copy(), rank


class ConstraintSet:
    """The explicit constraints of a model as functions of the free parameter vector ``theta``.

    ``eq(theta)``: the equalities' ``lhs - rhs`` (0 when they hold); ``ineq(theta)``: each inequality's slack
    (``lhs - rhs`` for ``>``, ``rhs - lhs`` for ``<``; >= 0 when it holds), the value lavaan shows in the
    ``est`` column of a constraint row.
    """

    def __init__(self, constraints: list[Constraint], partable: pd.DataFrame,
                 defined: tuple[tuple[str, str, int], ...] = ()) -> None:
        self.constraints = list(constraints)
        pt = partable
        self.q = int(pt["free"].max()) if (pt["free"] > 0).any() else 0
        # label -> ("free", index) or ("fixed", value); the first row carrying the label decides
        env0: dict[str, tuple[str, float]] = {}
        for lab, fr, us in zip(pt["label"], pt["free"], pt["ustart"]):
            if lab and lab not in env0:
                env0[lab] = ("free", int(fr) - 1) if fr > 0 else ("fixed", float(us) if pd.notna(us) else 0.0)
        self._env0 = env0
        self._defined = [(n, compile_expression(e, ln)) for n, e, ln in defined]
        known = set(env0)
        defined_names = [n for n, _, _ in defined]
        for c in self.constraints:
            for side in (c.lhs, c.rhs):
                for name in expression_names(side, c.line):
                    if name not in known and name not in defined_names:
                        raise ModelSyntaxError(
                            f"model syntax, line {c.line}: the constraint {c.text!r} uses {name!r}, which is not "
                            "a label of the model (write the label before the variable, e.g. b1*x, or define "
                            "it with ':=')"
                        )
        self._funcs: list[tuple[Constraint, Callable, Callable]] = [
            (c, compile_expression(c.lhs, c.line), compile_expression(c.rhs, c.line)) for c in self.constraints
        ]
        eqs = [k for k, c in enumerate(self.constraints) if c.op == "=="]
        self._ineq_idx = [k for k, c in enumerate(self.constraints) if c.op != "=="]
        # linear equalities: the residual is affine in theta (checked at random points)
        lin: list[int] = []
        nonlin: list[int] = []
        rng = np.random.default_rng(20240611)
        pts = [rng.normal(size=self.q) * (1.0 + k) for k in range(3)]
        for k in eqs:
            J = [self._jac_one(k, t) for t in pts]
            r = [self._value(k, t) for t in pts]
            affine = all(np.allclose(J[0], Jk, rtol=1e-10, atol=1e-12) for Jk in J[1:]) and all(
                abs(r[i] - (r[0] + J[0] @ (pts[i] - pts[0]))) <= 1e-9 * (1 + abs(r[i])) for i in (1, 2))
            (lin if affine else nonlin).append(k)
        self._lin_idx, self._nl_idx = lin, nonlin
        if lin:
            Aeq = np.array([self._jac_one(k, np.zeros(self.q)) for k in lin])
            b = -np.array([self._value(k, np.zeros(self.q)) for k in lin])
            theta_p = np.linalg.lstsq(Aeq, b, rcond=None)[0]
            if np.max(np.abs(Aeq @ theta_p - b)) > 1e-8 * (1 + np.max(np.abs(b))):
                lines = ", ".join(f"{self.constraints[k].line} ({self.constraints[k].text.strip()!r})" for k in lin)
                raise ModelSyntaxError(
                    "model syntax: the equality constraints contradict one another (no parameter values satisfy "
                    f"them all); lines {lines}"
                )
            self.K, self.rank_linear = _null_space(Aeq, self.q)
            self.theta_p = theta_p
        else:
            self.K, self.rank_linear, self.theta_p = np.eye(self.q), 0, np.zeros(self.q)

    # -- construction ---------------------------------------------------------------------------------
    @classmethod
    def from_spec(cls, spec) -> ConstraintSet:
        cons = [Constraint(lhs, op, rhs, line, text) for lhs, op, rhs, line, text in spec.constraints]
        return cls(cons, spec.partable, spec.defined)

    @property
    def n_linear_eq(self) -> int:
        return len(self._lin_idx)

    @property
    def n_nonlinear_eq(self) -> int:
        return len(self._nl_idx)

    @property
    def n_ineq(self) -> int:
        return len(self._ineq_idx)

    @property
    def needs_optimiser(self) -> bool:
        """Nonlinear equalities or inequalities: the constrained optimiser is needed."""
        return bool(self._nl_idx or self._ineq_idx)

    # -- evaluation -------------------------------------------------------------------------------------
    def _env(self, theta: np.ndarray) -> dict:
        env: dict = {}
        for lab, (kind, v) in self._env0.items():
            env[lab] = theta[int(v)] if kind == "free" else v
        for name, f in self._defined:
            try:
                env[name] = f(env)
            except KeyError:
                continue
        return env

    def _value(self, k: int, theta: np.ndarray):
        c, fl, fr = self._funcs[k]
        env = self._env(theta)
        d = fl(env) - fr(env)
        return d if c.op in ("==", ">") else -d

    def _jac_one(self, k: int, theta: np.ndarray) -> np.ndarray:
        h = 1e-20
        out = np.zeros(self.q)
        for j in range(self.q):
            th = np.asarray(theta, dtype=complex).copy()
            th[j] += 1j * h
            out[j] = float(np.imag(self._value(k, th))) / h
        return out

    def values(self, theta: np.ndarray) -> np.ndarray:
        """Every constraint's value (equalities ``lhs - rhs``, inequalities their slack), in order."""
        return np.array([float(np.real(self._value(k, theta))) for k in range(len(self.constraints))])

    def eq_nonlinear(self, theta: np.ndarray) -> np.ndarray:
        return np.array([float(np.real(self._value(k, theta))) for k in self._nl_idx])

    def ineq(self, theta: np.ndarray) -> np.ndarray:
        return np.array([float(np.real(self._value(k, theta))) for k in self._ineq_idx])

    def jac(self, idx: list[int], theta: np.ndarray) -> np.ndarray:
        return np.array([self._jac_one(k, theta) for k in idx]).reshape(len(idx), self.q)

    # -- feasibility of the linear parts ----------------------------------------------------------------
    def check_feasible(self) -> None:
        """Refuse constraints that cannot hold together where they are linear (``a > 1`` with ``a < 0``)."""
        lin_ineq = []
        for k in self._ineq_idx:
            J = [self._jac_one(k, t) for t in (np.zeros(self.q), np.ones(self.q), np.arange(self.q) * 0.37)]
            if all(np.allclose(J[0], Jk, rtol=1e-10, atol=1e-12) for Jk in J[1:]):
                lin_ineq.append(k)
        if not lin_ineq:
            return
        from scipy.optimize import linprog

        z = np.zeros(self.q)
        A_ub = -np.array([self._jac_one(k, z) for k in lin_ineq])  # slack = J theta + s0 >= 0
        b_ub = np.array([float(np.real(self._value(k, z))) for k in lin_ineq])
        kw = {}
        if self._lin_idx:
            kw = dict(A_eq=np.array([self._jac_one(k, z) for k in self._lin_idx]),
                      b_eq=-np.array([float(np.real(self._value(k, z))) for k in self._lin_idx]))
        res = linprog(np.zeros(self.q), A_ub=A_ub, b_ub=b_ub, bounds=[(None, None)] * self.q, method="highs", **kw)
        if res.status == 2:
            lines = ", ".join(f"{self.constraints[k].line} ({self.constraints[k].text.strip()!r})"
                              for k in self._lin_idx + lin_ineq)
            raise ModelSyntaxError(
                f"model syntax: the constraints cannot all hold at once (no parameter values satisfy them); "
                f"lines {lines}"
            )

    # -- the covariance matrix ----------------------------------------------------------------------------
    def active(self, theta: np.ndarray, tol: float = 1e-6) -> list[int]:
        """Indices (into the inequalities) of those at their bound at ``theta``."""
        s = self.ineq(theta)
        return [k for k, v in zip(self._ineq_idx, s) if abs(v) <= tol * (1.0 + np.max(np.abs(theta), initial=0))]

    def eq_rank(self, theta: np.ndarray, columns: np.ndarray | None = None) -> int:
        """Rank of the Jacobian of the equalities at ``theta`` (what lavaan subtracts from ``npar``); with
        ``columns``, of its columns at those positions of theta only."""
        idx = self._lin_idx + self._nl_idx
        if not idx:
            return 0
        J = self.jac(idx, theta)
        if columns is not None:
            J = J[:, np.asarray(columns, dtype=int)]
        return _null_space(J, J.shape[1])[1]

    def eq_jacobian(self, theta: np.ndarray) -> np.ndarray:
        """Jacobian of the equalities at ``theta``, one row per ``==`` in the order written (lavaan's
        ``con.jac`` rows of the model's own constraints)."""
        return self.jac(sorted(self._lin_idx + self._nl_idx), theta)

    def eq_null_basis(self, theta: np.ndarray) -> np.ndarray:
        """Orthonormal basis of the null space of the equalities' Jacobian at ``theta`` (no inequalities)."""
        return _null_space(self.eq_jacobian(theta), self.q)[0]

    def null_basis(self, theta: np.ndarray) -> np.ndarray:
        """Basis of the null space of the equalities' and active inequalities' Jacobian at ``theta``."""
        idx = self._lin_idx + self._nl_idx + self.active(theta)
        return _null_space(self.jac(idx, theta), self.q)[0]


def constrained_vcov(A: np.ndarray, Z: np.ndarray, *, strict: bool) -> np.ndarray:
    """``Z (Z' A Z)^-1 Z'``: the upper-left block of the inverse of the bordered information matrix."""
    import warnings

    from .vcov import scaled_inverse

    q = A.shape[0]
    if Z.shape[1] == 0:
        return np.zeros((q, q))
    inv, (ev0, _) = scaled_inverse(Z.T @ A @ Z)
    if inv is None:
        if strict:
            raise IdentificationError(
                "The model is not identified under its constraints: the information matrix projected on the "
                f"constraints is singular (smallest eigenvalue {ev0:.3g}), so standard errors cannot be computed."
            )
        warnings.warn("the information matrix projected on the constraints is singular at the point where the "
                      "optimiser stopped; standard errors are not available.", ConvergenceWarning, stacklevel=3)
        return np.full((q, q), np.nan)
    V = Z @ inv @ Z.T
    return (V + V.T) / 2.0


def minimize_constrained(discs, weights: np.ndarray, theta0: np.ndarray, cs: ConstraintSet, *,
                         iter_max: int = 10000, variances: np.ndarray | None = None):
    """Minimise ``sum_g w_g F_g`` under the constraints ``cs``; returns a
    :class:`~egovsem.sem.optimize.FitState` in ``theta``.

    The linear equalities are eliminated (``theta = theta_p + K x``) and the rest fitted by Fisher scoring in
    ``x``; with nonlinear equalities or an inequality that the solution violates, SLSQP then minimises
    in ``x`` under them (gradients analytic, constraint Jacobians by complex step).
    """
    from scipy.optimize import minimize as sp_minimize

    from .discrepancy import gradient_metric_groups, objective_groups
    from .optimize import FitState, minimize

    cs.check_feasible()
    K, tp = cs.K, cs.theta_p

    def to_theta(x: np.ndarray) -> np.ndarray:
        return tp + K @ x

    def f(x: np.ndarray) -> float:
        return objective_groups(discs, weights, to_theta(x))

    def grad_metric(x: np.ndarray, metric: bool = True):
        g, H = gradient_metric_groups(discs, weights, to_theta(x), metric=metric)
        return K.T @ g, (K.T @ H @ K if H is not None else None)

    x0 = K.T @ (np.asarray(theta0, dtype=float) - tp)
    # variances that are coordinates of x of their own (a column of K with one non-zero entry)
    var_x = None
    if variances is not None and len(variances):
        nz = np.abs(K) > 1e-12
        cols = [j for j in range(K.shape[1]) if nz[:, j].sum() == 1 and int(np.flatnonzero(nz[:, j])[0]) in set(variances)
                and K[nz[:, j], j][0] > 0]
        var_x = np.asarray(cols, dtype=int)
    st = minimize(f, grad_metric, x0, iter_max=iter_max, variances=var_x)
    theta = to_theta(st.theta)
    if not cs.needs_optimiser or (not cs._nl_idx and np.all(cs.ineq(theta) >= 0)):
        return FitState(theta, st.fmin, st.converged, st.iterations, st.message)
    # SLSQP from the fit without the nonlinear / inequality constraints (or from the start if that failed)
    xs = st.theta if np.isfinite(st.fmin) else x0
    scale = 1.0

    def fs(x):
        v = f(x)
        return v * scale if np.isfinite(v) else 1e10

    def gs(x):
        return grad_metric(x, metric=False)[0] * scale

    cons = []
    if cs._nl_idx:
        cons.append({"type": "eq", "fun": lambda x: cs.eq_nonlinear(to_theta(x)),
                     "jac": lambda x: cs.jac(cs._nl_idx, to_theta(x)) @ K})
    if cs._ineq_idx:
        cons.append({"type": "ineq", "fun": lambda x: cs.ineq(to_theta(x)),
                     "jac": lambda x: cs.jac(cs._ineq_idx, to_theta(x)) @ K})
    best = None
    for _attempt in range(3):
        try:
            r = sp_minimize(fs, xs, jac=gs, method="SLSQP", constraints=cons,
                            options={"maxiter": max(iter_max, 1000), "ftol": 1e-16})
        except (np.linalg.LinAlgError, ValueError):
            # SLSQP's subproblem breaks down when the linearised constraints cannot hold together
            best = (None, np.inf)
            break
        viol = 0.0
        th = to_theta(r.x)
        if cs._nl_idx:
            viol = max(viol, float(np.max(np.abs(cs.eq_nonlinear(th)))))
        if cs._ineq_idx:
            viol = max(viol, float(np.max(-cs.ineq(th), initial=0.0)))
        best = (r, viol)
        if viol < 1e-7 and np.isfinite(f(r.x)):
            break
        xs = r.x
    assert best is not None
    r, viol = best
    if r is None or viol > 1e-6:
        lines = ", ".join(f"{c.line} ({c.text.strip()!r})" for c in cs.constraints if c.op != "==" or
                          cs.constraints.index(c) in cs._nl_idx)
        raise ModelSyntaxError(
            "model syntax: the constraints cannot all hold at once (the constrained optimiser found no admissible "
            f"point{'' if r is None else f'; largest violation {viol:.3g}'}); lines {lines}"
        )
    th = to_theta(r.x)
    # SLSQP's own exit states ("Positive directional derivative in linesearch") are reached at a solution
    # when the accuracy asked for is below rounding; judge convergence by the projected gradient
    Z = cs.null_basis(th)
    g = gradient_metric_groups(discs, weights, th, metric=False)[0]
    pg = float(np.max(np.abs(Z.T @ g), initial=0.0))
    ok = pg < 1e-5 and np.isfinite(f(r.x))
    msg = "converged" if ok else f"the constrained optimiser stopped: {r.message} (projected gradient {pg:.3g})"
    return FitState(th, float(f(r.x)), bool(ok), st.iterations + int(r.nit), msg)


def constraint_rows(res) -> pd.DataFrame:
    """The explicit constraints of a fit as lavaan's ``parameterEstimates(remove.eq = FALSE, remove.ineq =
    FALSE)`` shows them: ``lhs op rhs`` and in ``est`` the value of ``lhs - rhs`` (``==`` and ``>``) or
    ``rhs - lhs`` (``<``), 0 (an equality, or an active bound) or positive (an inactive bound); ``se`` 0; the
    standardised columns evaluate the same expression on the labels' standardised values."""
    spec = res.spec
    cols = ["lhs", "op", "rhs", "group", "label", "est", "se"]  # then std.lv, std.all, std.nox
    if not spec.constraints:
        return pd.DataFrame(columns=cols)
    cs = ConstraintSet.from_spec(spec)
    vals = cs.values(np.asarray(res.theta, dtype=float))
    out = pd.DataFrame({
        "lhs": [c.lhs for c in cs.constraints], "op": [c.op for c in cs.constraints],
        "rhs": [c.rhs for c in cs.constraints], "group": 0, "label": "", "est": vals, "se": 0.0,
    })[cols]
    # the standardised columns: the same expressions of the labels' standardised values (as lavaan shows them)
    params = res.params
    for col in ("std.lv", "std.all", "std.nox"):
        if col not in params:
            continue
        env: dict[str, float] = {}
        for lab, v in zip(params["label"], params[col]):
            if lab and lab not in env:
                env[str(lab)] = float(v)
        std = []
        for c, fl, fr in cs._funcs:
            try:
                d = float(np.real(fl(env) - fr(env)))
            except KeyError:
                d = np.nan
            std.append(d if c.op in ("==", ">") else -d)
        out[col] = std
    return out
