"""Read lavaan model syntax into a list of statements.

Supported: ``=~`` (measured by), ``~`` (regressed on), ``~~`` (variance/covariance), ``~ 1`` (intercept),
``:=`` (defined parameter), ``==``, ``<``, ``>`` (constraints, read but estimated only where the engine
supports them), modifiers ``a*x`` (label), ``1*x`` / ``0*x`` (fixed value), ``NA*x`` (free),
``start(0.5)*x``, ``label("a")*x``, ``equal("a")*x``, ``c(a, b)*x`` (one per group), comments after ``#`` or
``!``, several statements on a line separated by ``;``, and statements over several lines (a line that ends
with ``+`` or ``*``, or a line that starts with ``+``, continues the one before). ``f <~ x1 + x2`` (a
composite formed by its indicators) is read when ``formative=True``; ``y ~ x1 + x2 + x1:x2`` names the
product of two observed variables ``x1:x2`` (lavaan's observed interaction), allowed on the right of ``~``
only, as in lavaan.

>>> stmts = parse_syntax('''
... visual  =~ x1 + a*x2 + 0.5*x3   # a comment
... visual ~~ NA*visual
... ''')
>>> [(s.lhs, s.op, s.rhs, s.mod.label, s.mod.fixed) for s in stmts]
[('visual', '=~', 'x1', None, None), ('visual', '=~', 'x2', 'a', None), ('visual', '=~', 'x3', None, 0.5), ('visual', '~~', 'visual', None, None)]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .._errors import ModelSyntaxError

__all__ = ["Modifier", "Statement", "parse_syntax"]

# longest first, so that "=~" is not read as "=" and "~~" not as "~"
_OPERATORS = ("=~", "~~", ":=", "==", "<~", "~", "<", ">", "|")
_OP_RE = re.compile(r"(=~|~~|:=|==|<~|~|<|>|\|)")
_NAME_RE = re.compile(r"^[A-Za-z_.\u4e00-\u9fff][A-Za-z0-9_.\u4e00-\u9fff]*$")
_PRODUCT_RE = re.compile(r"^([^:\s]+)(:[^:\s]+)+$")
_NUM_RE = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Modifier:
    """What stands before ``*`` in a term: a fixed value, ``NA`` (free), a label, a start value."""

    fixed: float | None = None
    free: bool = False
    label: str | None = None
    start: float | None = None
    # per-group values from c(...): each entry a Modifier for one group
    groups: tuple[Modifier, ...] = ()


@dataclass(frozen=True)
class Statement:
    """One ``lhs op rhs`` element of the model with its modifier and the source line it came from."""

    lhs: str
    op: str
    rhs: str
    mod: Modifier = field(default_factory=Modifier)
    line: int = 0
    text: str = ""


def _err(line: int, text: str, why: str) -> ModelSyntaxError:
    return ModelSyntaxError(f"model syntax, line {line}: {why}: {text.strip()!r}")


def _strip_comment(line: str) -> str:
    out = []
    quote = None
    for ch in line:
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "#!":
            break
        out.append(ch)
    return "".join(out)


def _logical_statements(text: str) -> list[tuple[int, str]]:
    """Join continued lines and split on ';'; return (first line number, statement text)."""
    if not isinstance(text, str):
        raise ModelSyntaxError(f"The 'model' parameter must be a string of lavaan syntax. Got {type(text).__name__}.")
    pieces: list[tuple[int, str]] = []
    for i, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw)
        for part in line.split(";"):
            if part.strip():
                pieces.append((i, part.strip()))
    out: list[tuple[int, str]] = []
    for lineno, part in pieces:
        continues = bool(out) and (
            out[-1][1].rstrip().endswith(("+", "*", "=~", "~", "~~", ":=", "(", ",", "-", "/", "^"))
            or part.startswith(("+", "*", ")", "-", "/", "^"))
        )
        if continues:
            out[-1] = (out[-1][0], out[-1][1] + " " + part)
        else:
            out.append((lineno, part))
    return out


def _split_top(s: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _parse_value(tok: str, line: int, text: str) -> Modifier:
    tok = tok.strip()
    if tok == "NA":
        return Modifier(free=True)
    if _NUM_RE.match(tok):
        return Modifier(fixed=float(tok))
    m = re.match(r"^(start|label|equal)\((.*)\)$", tok)
    if m:
        kind, arg = m.group(1), m.group(2).strip().strip("\"'")
        if kind == "start":
            if not _NUM_RE.match(arg):
                raise _err(line, text, f"start() needs a number, got {arg!r}")
            return Modifier(start=float(arg))
        if not _NAME_RE.match(arg):
            raise _err(line, text, f"{kind}() needs a name, got {arg!r}")
        return Modifier(label=arg)
    tok = tok.strip("\"'")
    if _NAME_RE.match(tok):
        return Modifier(label=tok)
    raise _err(line, text, f"cannot read the modifier {tok!r}")


def _merge(a: Modifier, b: Modifier) -> Modifier:
    return Modifier(
        fixed=b.fixed if b.fixed is not None else a.fixed,
        free=a.free or b.free,
        label=b.label or a.label,
        start=b.start if b.start is not None else a.start,
        groups=b.groups or a.groups,
    )


def _parse_term(term: str, line: int, text: str) -> tuple[Modifier, str]:
    parts = [p.strip() for p in _split_top(term, "*")]
    if any(p == "" for p in parts):
        raise _err(line, text, f"empty factor in the term {term.strip()!r}")
    var = parts[-1]
    mod = Modifier()
    for p in parts[:-1]:
        if p.startswith("c(") and p.endswith(")"):
            vals = tuple(_parse_value(v, line, text) for v in _split_top(p[2:-1], ","))
            mod = _merge(mod, Modifier(groups=vals))
        else:
            mod = _merge(mod, _parse_value(p, line, text))
    return mod, var


def _check_product(var: str, op: str, line: int, text: str) -> None:
    """Accept ``a:b`` (two valid names) on the right of ``~``; otherwise say what is wrong with ``var``."""
    if not _PRODUCT_RE.match(var):
        raise _err(line, text, f"{var!r} is not a valid variable name")
    parts = var.split(":")
    for p in parts:
        if not _NAME_RE.match(p):
            raise _err(line, text, f"{p!r} (in the product {var!r}) is not a valid variable name")
    if op != "~":
        raise _err(line, text, f"the product {var!r} can only stand on the right of '~' (as in lavaan); "
                               "compute it as a column of the data to use it elsewhere")
    if len(parts) > 2:
        raise _err(line, text, f"the product {var!r} has more than two variables; as lavaan, egovsem builds "
                               "two-way products only (compute a three-way product as a column of the data)")


def parse_syntax(text: str, *, formative: bool = False) -> list[Statement]:
    """Parse lavaan model syntax.

    Parameters
    ----------
    text : str
        The model in lavaan syntax.
    formative : bool
        Accept ``<~`` (a composite formed by its indicators, read as ``lhs <~ rhs`` statements). The PLS
        engine (:mod:`egovsem.pls`) and the CB-SEM parameter table (:func:`egovsem.sem.partable.specify`)
        pass True.

    Returns
    -------
    list of Statement
        One per ``lhs op rhs`` element, in the order written; ``x ~ 1`` has op ``"~1"`` and rhs ``""``.

    Raises
    ------
    ModelSyntaxError
        Naming the line and its text, for a statement without an operator, an empty side, a bad
        variable name or an operator egovsem does not support (``|``, and ``<~`` unless ``formative``), and
        for a product ``a:b`` anywhere but on the right of ``~`` or of more than two variables.
    """
    out: list[Statement] = []
    for line, stmt in _logical_statements(text):
        m = _OP_RE.search(stmt)
        if m is None:
            raise _err(line, stmt, "no operator (=~, ~, ~~, :=, ==, <, >) in the statement")
        op = m.group(1)
        lhs_txt, rhs_txt = stmt[: m.start()].strip(), stmt[m.end():].strip()
        if not lhs_txt or not rhs_txt:
            raise _err(line, stmt, f"the operator {op!r} needs something on both sides")
        if op == "|" or (op == "<~" and not formative):
            raise _err(line, stmt, f"the operator {op!r} (formative indicators / thresholds) is not supported yet")
        if op in (":=", "==", "<", ">"):
            if op == ":=" and not _NAME_RE.match(lhs_txt):
                raise _err(line, stmt, f"the defined parameter name {lhs_txt!r} is not a valid name")
            out.append(Statement(lhs_txt, op, rhs_txt, Modifier(), line, stmt))
            continue
        if _OP_RE.search(rhs_txt):
            raise _err(line, stmt, "two operators in one statement (a missing line break or ';'?)")
        lhs_names = [x.strip() for x in lhs_txt.split("+")]
        for name in lhs_names:
            if not _NAME_RE.match(name):
                if _PRODUCT_RE.match(name):
                    raise _err(line, stmt, f"the product {name!r} can only stand on the right of '~' (as in "
                                           "lavaan); compute it as a column of the data to use it elsewhere")
                raise _err(line, stmt, f"{name!r} is not a valid variable name")
        terms = _split_top(rhs_txt, "+")
        for term in terms:
            if not term.strip():
                raise _err(line, stmt, "an empty term (two '+' in a row, or a '+' at the end)")
            mod, var = _parse_term(term, line, stmt)
            if op == "~" and _NUM_RE.match(var):
                if float(var) != 1.0:
                    raise _err(line, stmt, f"an intercept is written '~ 1', not '~ {var}'")
                for lhs in lhs_names:
                    out.append(Statement(lhs, "~1", "", mod, line, stmt))
                continue
            if not _NAME_RE.match(var):
                _check_product(var, op, line, stmt)
            for lhs in lhs_names:
                out.append(Statement(lhs, op, var, mod, line, stmt))
    if not out:
        raise ModelSyntaxError("model syntax: the model is empty (no statements after removing comments).")
    return out
