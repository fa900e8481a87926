"""Defined parameters (``name := expression``): safe evaluation and delta-method standard errors.

Expressions use labels of free or fixed parameters, earlier defined parameters, numbers, ``+ - * / ^ **``
and the functions ``sqrt exp log abs``. They are evaluated with Python's ``ast`` (never ``eval`` on text),
and their Jacobian is taken by complex-step differentiation, exact to rounding for these functions.

>>> f = compile_expression("a*b + c^2", line=3)
>>> float(f({"a": 2.0, "b": 3.0, "c": 1.5}))
8.25

Numbers are floats, as in R (``2^64`` is 1.8e19, ``2^-1`` is 0.5):

>>> float(compile_expression("a*2^64")({"a": 1.0})), float(compile_expression("a^-1")({"a": 4.0}))
(1.8446744073709552e+19, 0.25)
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

import numpy as np

from .._errors import ModelSyntaxError

__all__ = ["compile_expression", "expression_names", "label_rows", "defined_rows"]

def _abs(x):
    # sign-preserving form keeps complex-step derivatives right (np.abs of a complex is its modulus)
    return np.where(np.real(x) < 0, -x, x)


_FUNCS: dict[str, Callable] = {"sqrt": np.sqrt, "exp": np.exp, "log": np.log, "abs": _abs}
_BINOPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide, ast.Pow: np.power}


def _parse(expr: str, line: int) -> ast.AST:
    text = expr.replace("^", "**")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ModelSyntaxError(f"model syntax, line {line}: cannot read the expression {expr!r} ({exc.msg})") from None
    for node in ast.walk(tree):
        ok = isinstance(
            node,
            (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Call, ast.Load,
             ast.USub, ast.UAdd, *_BINOPS.keys()),
        )
        if not ok:
            raise ModelSyntaxError(
                f"model syntax, line {line}: {type(node).__name__} is not allowed in the expression {expr!r}"
            )
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id in _FUNCS):
            raise ModelSyntaxError(
                f"model syntax, line {line}: only the functions {sorted(_FUNCS)} are allowed in {expr!r}"
            )
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise ModelSyntaxError(f"model syntax, line {line}: only numbers are allowed as constants in {expr!r}")
    return tree


def expression_names(expr: str, line: int = 0) -> list[str]:
    """Names an expression refers to (functions excluded)."""
    tree = _parse(expr, line)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in _FUNCS and node.id not in names:
            names.append(node.id)
    return names


def compile_expression(expr: str, line: int = 0) -> Callable[[Mapping[str, complex]], complex]:
    """Return a function of a mapping name -> value that evaluates ``expr``."""
    tree = _parse(expr, line)

    def ev(node, env):
        if isinstance(node, ast.Expression):
            return ev(node.body, env)
        if isinstance(node, ast.Constant):
            # as floats, as in R: integer arithmetic would wrap (2^64 -> 0) or refuse 2^-1
            return float(node.value)
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.UnaryOp):
            v = ev(node.operand, env)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            return _BINOPS[type(node.op)](ev(node.left, env), ev(node.right, env))
        if isinstance(node, ast.Call):
            return _FUNCS[node.func.id](*[ev(a, env) for a in node.args])
        raise ModelSyntaxError(f"model syntax, line {line}: cannot evaluate {expr!r}")  # pragma: no cover

    return lambda env: ev(tree, env)


def label_rows(partable) -> dict[str, int]:
    """Label (and plabel without dots) -> the first parameter-table row carrying it (lavaan's names for
    ``:=`` expressions)."""
    out: dict[str, int] = {}
    for i, lab in enumerate(partable["label"]):
        if lab and lab not in out:
            out[lab] = i
    for i, pl in enumerate(partable["plabel"]):
        out.setdefault(str(pl).strip("."), i)
    return out


def defined_rows(defined, partable, est: np.ndarray, theta: np.ndarray, vcov: np.ndarray,
                 std: Mapping[str, np.ndarray]):
    """lavaan's ``:=`` rows of ``parameterEstimates``: values, delta-method standard errors and the
    standardised columns (each expression evaluated on that column's row values).

    Parameters
    ----------
    defined : sequence of (name, expression, line)
        The model's defined parameters (``ModelSpec.defined``).
    partable : DataFrame
        The parameter table (``free``, ``label``, ``plabel``).
    est : ndarray
        The value of every row of ``partable``.
    theta, vcov : ndarray
        The free parameters and their covariance matrix.
    std : mapping of str to ndarray
        Standardised columns (``std.lv``, ``std.all``, ``std.nox``) aligned with ``partable``.

    Returns
    -------
    DataFrame
        Columns ``lhs, op, rhs, group (0), label, est, se`` and the keys of ``std``.
    """
    import pandas as pd

    free = partable["free"].to_numpy()
    rows = label_rows(partable)
    known = set(rows)
    funcs = []
    for name, expr, line in defined:
        missing = [n for n in expression_names(expr, line) if n not in known]
        if missing:
            raise ModelSyntaxError(
                f"model syntax, line {line}: the defined parameter {name!r} uses {missing}, which "
                "is not a label of the model (write the label before the variable, e.g. a*x)"
            )
        funcs.append((name, compile_expression(expr, line)))
        known.add(name)

    def evaluate(row_values: np.ndarray) -> np.ndarray:
        env = {lab: row_values[i] for lab, i in rows.items()}
        vals = []
        for name, f in funcs:
            v = f(env)
            env[name] = v
            vals.append(v)
        return np.array(vals)

    values = np.real(evaluate(est))
    # delta method: Jacobian by complex step
    q = theta.size
    J = np.zeros((len(funcs), q))
    h = 1e-20
    for k in range(q):
        th = theta.astype(complex)
        th[k] += 1j * h
        rv = np.where(free > 0, th[np.maximum(free - 1, 0)], est.astype(complex))
        J[:, k] = np.imag(evaluate(rv)) / h
    V = J @ vcov @ J.T if q else np.zeros((len(funcs), len(funcs)))
    se = np.sqrt(np.clip(np.diag(V), 0, None))
    out = pd.DataFrame({
        "lhs": [n for n, _ in funcs], "op": ":=", "rhs": [e for _, e, _ in defined],
        "group": 0, "label": [n for n, _ in funcs], "est": values, "se": se,
    })
    for col, vals in std.items():
        out[col] = np.real(evaluate(vals))
    return out
