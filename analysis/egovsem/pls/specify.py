"""A PLS path model from lavaan syntax: constructs, their blocks of indicators, their modes, the inner model.

``F =~ x1 + x2`` is a construct measured in mode A (correlation weights; a common factor under PLSc),
``F <~ x1 + x2`` one in mode B (regression weights; a composite), ``Y ~ X1 + X2`` the inner (structural)
model. ``F <~ 1*x1 + 1*x2`` fixes the weights of a composite (seminr's ``unit_weights`` when they are all 1;
they are rescaled to give the score unit variance, as every PLS weight is): lavaan's fixed-value modifier,
which must then be on every indicator of the block. Other lavaan operators (``~~``, ``~ 1``, ``:=``,
constraints) and modifiers (labels, start values, fixed values elsewhere) have no meaning in PLS and are
refused with a message that names the line.

>>> spec = specify('''
... Image =~ IMAG1 + IMAG2
... Value <~ PERV1 + PERV2
... Value ~ Image
... ''')
>>> spec.constructs, spec.modes, spec.paths
(('Image', 'Value'), {'Image': 'A', 'Value': 'B'}, (('Image', 'Value'),))
>>> specify("Image =~ IMAG1 + IMAG2; Value <~ 1*PERV1 + 1*PERV2; Value ~ Image").fixed
{'Value': (1.0, 1.0)}
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .._errors import ModelSyntaxError
from ..sem.syntax import Statement, parse_syntax

__all__ = ["PLSSpec", "specify", "specify_statements"]

MODE_OPERATORS = {"=~": "A", "<~": "B"}


@dataclass(frozen=True)
class PLSSpec:
    """A PLS path model.

    Attributes
    ----------
    constructs : tuple of str
        In the order they are first defined (``=~`` or ``<~``).
    blocks : dict
        Construct -> its indicators, in the order written.
    modes : dict
        Construct -> ``"A"`` (``=~``) or ``"B"`` (``<~``).
    paths : tuple of (str, str)
        Inner-model paths ``(from, to)`` in the order written (``Y ~ X`` is ``("X", "Y")``).
    fixed : dict
        ``<~`` constructs with fixed weights (``F <~ 1*x1 + 1*x2``) -> the weights, in block order.
    """

    constructs: tuple[str, ...]
    blocks: dict[str, tuple[str, ...]]
    modes: dict[str, str]
    paths: tuple[tuple[str, str], ...]
    fixed: dict[str, tuple[float, ...]] = field(default_factory=dict)

    @property
    def indicators(self) -> tuple[str, ...]:
        """All indicators, block by block."""
        return tuple(x for c in self.constructs for x in self.blocks[c])

    @property
    def endogenous(self) -> tuple[str, ...]:
        """Constructs with at least one incoming path, in construct order."""
        targets = {t for _, t in self.paths}
        return tuple(c for c in self.constructs if c in targets)

    def predecessors(self, construct: str) -> tuple[str, ...]:
        """The constructs with a path into ``construct``, in construct order."""
        src = {s for s, t in self.paths if t == construct}
        return tuple(c for c in self.constructs if c in src)

    def without_path(self, source: str, target: str) -> PLSSpec:
        """The same model without the path ``source -> target``; constructs left with no path are dropped."""
        paths = tuple(p for p in self.paths if p != (source, target))
        used = {c for p in paths for c in p}
        keep = tuple(c for c in self.constructs if c in used)
        return PLSSpec(keep, {c: self.blocks[c] for c in keep}, {c: self.modes[c] for c in keep}, paths,
                       {c: w for c, w in self.fixed.items() if c in keep})


def _line_err(line: int, text: str, why: str) -> ModelSyntaxError:
    return ModelSyntaxError(f"model syntax, line {line}: {why}: {text.strip()!r}")


def specify(model: str) -> PLSSpec:
    """Read a PLS path model written in lavaan syntax.

    Parameters
    ----------
    model : str
        ``=~`` (mode A), ``<~`` (mode B) and ``~`` (inner model) statements.

    Returns
    -------
    PLSSpec

    Raises
    ------
    ModelSyntaxError
        For an operator or modifier PLS does not use, an indicator in two constructs (or twice in one), a
        construct defined twice with different operators, a construct with no indicators (a name in the
        inner model that no ``=~`` / ``<~`` defines), an indicator used as a construct, a construct that is
        in no path, and a model without an inner model.
    """
    return specify_statements(parse_syntax(model, formative=True))


def specify_statements(stmts: list[Statement]) -> PLSSpec:
    """:func:`specify` on parsed statements (the two stages of a higher-order model are built this way)."""
    blocks: dict[str, list[str]] = {}
    modes: dict[str, str] = {}
    owner: dict[str, tuple[str, int]] = {}
    paths: list[tuple[str, str]] = []
    fixed: dict[str, list[float | None]] = {}
    first_line: dict[str, tuple[int, str]] = {}
    path_lines: dict[tuple[str, str], tuple[int, str]] = {}
    for s in stmts:
        if s.op not in ("=~", "<~", "~"):
            shown = "~ 1" if s.op == "~1" else s.op
            raise _line_err(s.line, s.text, f"the operator {shown!r} has no meaning in a PLS path model "
                                            "(use =~ for mode A, <~ for mode B and ~ for the inner model)")
        m = s.mod
        fixed_weight = s.op == "<~" and m.fixed is not None and not (m.free or m.label or m.start is not None
                                                                    or m.groups)
        if not fixed_weight and (m.fixed is not None or m.free or m.label or m.start is not None or m.groups):
            raise _line_err(s.line, s.text, f"modifiers (labels, start values, fixed values other than fixed "
                                            f"weights of a <~ block) such as the one on {s.rhs!r} are not used by "
                                            "PLS; write the variable alone")
        if s.op == "~":
            if s.lhs == s.rhs:
                raise _line_err(s.line, s.text, f"the construct {s.lhs!r} cannot predict itself")
            if (s.rhs, s.lhs) in path_lines:
                raise _line_err(s.line, s.text, f"the path {s.rhs} -> {s.lhs} is written twice")
            paths.append((s.rhs, s.lhs))
            path_lines[(s.rhs, s.lhs)] = (s.line, s.text)
            continue
        mode = MODE_OPERATORS[s.op]
        if s.lhs in modes and modes[s.lhs] != mode:
            raise _line_err(s.line, s.text, f"the construct {s.lhs!r} is defined with both =~ (mode A) and "
                                            "<~ (mode B); choose one")
        modes[s.lhs] = mode
        items = blocks.setdefault(s.lhs, [])
        if s.rhs in owner:
            other, line = owner[s.rhs]
            if other == s.lhs:
                raise _line_err(s.line, s.text, f"the indicator {s.rhs!r} is listed twice for the construct "
                                                f"{s.lhs!r}")
            raise _line_err(s.line, s.text, f"the indicator {s.rhs!r} is in two constructs, {other!r} (line "
                                            f"{line}) and {s.lhs!r}; in PLS each indicator belongs to one block")
        owner[s.rhs] = (s.lhs, s.line)
        items.append(s.rhs)
        first_line.setdefault(s.lhs, (s.line, s.text))
        if s.op == "<~":
            fixed.setdefault(s.lhs, []).append(m.fixed)
    if not blocks:
        raise ModelSyntaxError("model syntax: no construct is defined (write F =~ x1 + x2 for mode A or "
                               "F <~ x1 + x2 for mode B).")
    for c in blocks:
        if c in owner:
            raise ModelSyntaxError(f"model syntax: {c!r} is both a construct and an indicator of {owner[c][0]!r}; "
                                   "a higher-order construct is estimated by egovsem.pls() in two stages (its "
                                   "indicators must all be constructs), not by specify().")
    if not paths:
        raise ModelSyntaxError("model syntax: the PLS model has no inner model; add paths such as 'Y ~ X' "
                               "between the constructs.")
    for (src, dst), (line, text) in path_lines.items():
        for name in (src, dst):
            if name not in blocks:
                what = (f"an indicator of {owner[name][0]!r}" if name in owner else "not defined")
                raise _line_err(line, text, f"the construct {name!r} has no indicators ({what}); define it "
                                            f"with {name} =~ item1 + ... (mode A) or {name} <~ item1 + ... "
                                            "(mode B); a single observed variable needs its own one-item "
                                            "construct")
    fixed_weights: dict[str, tuple[float, ...]] = {}
    for c, vals in fixed.items():
        given = [v is not None for v in vals]
        if any(given) and not all(given):
            line, text = first_line[c]
            free = [x for x, g in zip(blocks[c], given) if not g]
            raise _line_err(line, text, f"the composite {c!r} fixes the weights of some indicators but not of "
                                        f"{free}; fix all of them (e.g. 1*x for unit weights) or none (mode B)")
        if all(given):
            if all(v == 0 for v in vals):
                line, text = first_line[c]
                raise _line_err(line, text, f"the fixed weights of the composite {c!r} are all 0")
            fixed_weights[c] = tuple(float(v) for v in vals if v is not None)
    used = {c for p in paths for c in p}
    lonely = [c for c in blocks if c not in used]
    if lonely:
        raise ModelSyntaxError(f"model syntax: the construct(s) {lonely} are in no path of the inner model; "
                               "PLS estimates only constructs connected by '~' paths (remove them or add paths).")
    _check_recursive(paths)
    constructs = tuple(blocks)
    return PLSSpec(constructs, {c: tuple(v) for c, v in blocks.items()}, dict(modes), tuple(paths), fixed_weights)


def _check_recursive(paths) -> None:
    """Refuse an inner model with a feedback loop: PLS path estimates and the effects need a recursive model."""
    succ: dict[str, set[str]] = {}
    for p in paths:
        x, y = p[0], p[1]  # (predictor, outcome)
        succ.setdefault(x, set()).add(y)
    state: dict[str, int] = {}

    def visit(u: str, trail: list[str]) -> None:
        state[u] = 1
        for v in sorted(succ.get(u, ())):
            if state.get(v) == 1:
                loop = trail[trail.index(v):] + [v] if v in trail else [u, v]
                raise ModelSyntaxError("model syntax: the inner model has a feedback loop "
                                       f"({' -> '.join(loop)}); PLS-SEM needs a recursive inner model.")
            if v not in state:
                visit(v, trail + [v])
        state[u] = 2

    for u in sorted(succ):
        if u not in state:
            visit(u, [u])
