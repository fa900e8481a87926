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

__all__ = ["compile_expression", "expression_names"]

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
