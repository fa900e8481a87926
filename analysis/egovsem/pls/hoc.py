"""Higher-order constructs by the (embedded) two-stage approach (Becker, Klein & Wetzels 2012; Sarstedt et al.
2019), as seminr's ``higher_composite(name, dimensions, method = two_stage, weights = mode_A / mode_B)``.

In lavaan syntax a higher-order construct is a block whose indicators are all constructs:
``Satisfaction =~ Image + Value`` (its dimensions' scores as mode-A indicators; ``<~``: mode B).

* stage 1: the model without the higher-order construct, its paths moved to the dimensions (every antecedent
  of the higher-order construct predicts every dimension; every dimension predicts every outcome of it), is
  estimated; the scores of the dimensions are kept;
* stage 2: the original inner model, the higher-order construct measured by the stage-1 scores of its
  dimensions, every other construct by its own indicators.

The results are those of stage 2 (paths, R-squared, the higher-order construct's loadings ``HOC =~ dim`` and
weights) plus the loadings and weights of the dimensions from stage 1 (seminr combines the two stages' outer
loadings and weights the same way); ``fit.first_stage`` is the stage-1 fit.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace

from .._errors import ModelSyntaxError
from ..sem.syntax import Statement, parse_syntax

__all__ = ["HigherOrder", "split_higher_order", "repeated_indicators", "HOC_METHODS", "COPY_MARK"]

#: the approaches to a higher-order construct (``egovsem.pls(..., higher_order=...)``)
HOC_METHODS = ("two_stage", "repeated_indicators")
#: the repeated indicators' columns are named ``item@construct``
COPY_MARK = "@"


@dataclass(frozen=True)
class HigherOrder:
    """The two stages of a model with higher-order constructs."""

    stage1: list[Statement]
    stage2: list[Statement]
    dimensions: dict[str, tuple[str, ...]]   # higher-order construct -> its dimensions
    statements: list[Statement] = field(default_factory=list)  # the model as written


def _err(s: Statement, why: str) -> ModelSyntaxError:
    return ModelSyntaxError(f"model syntax, line {s.line}: {why}: {s.text.strip()!r}")


def split_higher_order(model: str | list[Statement], interactions: Collection[str] = ()) -> HigherOrder | None:
    """The two stages of ``model`` (text, or parsed statements), or None when it has no higher-order construct.

    ``interactions`` names the interaction terms (``"X:M"``, :mod:`.interactions`): their paths are left out of
    stage 1 (as seminr's first stage) and kept in stage 2.

    Raises
    ------
    ModelSyntaxError
        A block that mixes constructs and observed indicators, a dimension of two higher-order constructs, a
        higher-order construct of higher-order constructs, or a dimension that is also in the inner model.

    Examples
    --------
    >>> h = split_higher_order("A =~ a1 + a2; B =~ b1 + b2; H =~ A + B; Y =~ y1 + y2; Y ~ H")
    >>> h.dimensions
    {'H': ('A', 'B')}
    >>> [(s.lhs, s.op, s.rhs) for s in h.stage1 if s.op == "~"]
    [('Y', '~', 'A'), ('Y', '~', 'B')]
    """
    stmts = parse_syntax(model, formative=True) if isinstance(model, str) else list(model)
    measured = [s for s in stmts if s.op in ("=~", "<~")]
    defined = {s.lhs for s in measured}
    blocks: dict[str, list[Statement]] = {}
    for s in measured:
        blocks.setdefault(s.lhs, []).append(s)
    dims: dict[str, tuple[str, ...]] = {}
    for c, items in blocks.items():
        inner = [s.rhs in defined for s in items]
        if not any(inner):
            continue
        if not all(inner):
            s = next(s for s, i in zip(items, inner) if not i)
            constructs = [t.rhs for t, i in zip(items, inner) if i]
            raise _err(s, f"the block of {c!r} mixes constructs {constructs} and the observed indicator "
                          f"{s.rhs!r}; a higher-order construct has only constructs (its dimensions) as indicators")
        for s in items:
            if s.mod.fixed is not None:
                raise _err(s, f"fixed weights are not available for the higher-order construct {c!r}")
        dims[c] = tuple(s.rhs for s in items)
    if not dims:
        return None
    seen: dict[str, str] = {}
    for h, ds in dims.items():
        for d in ds:
            if d in dims:
                raise ModelSyntaxError(f"model syntax: {d!r} is a higher-order construct and a dimension of {h!r}; "
                                       "only second-order constructs (of first-order dimensions) are available.")
            if d in seen:
                raise ModelSyntaxError(f"model syntax: the construct {d!r} is a dimension of two higher-order "
                                       f"constructs, {seen[d]!r} and {h!r}; a dimension belongs to one.")
            seen[d] = h
    paths = [s for s in stmts if s.op == "~"]
    for s in paths:
        if s.rhs in interactions:
            for part in s.rhs.split(":"):
                if part in seen:
                    raise _err(s, f"the interaction {s.rhs!r} uses {part!r}, a dimension of the higher-order "
                                  f"construct {seen[part]!r}; interactions of dimensions are not available")
            continue
        for name, other in ((s.lhs, s.rhs), (s.rhs, s.lhs)):
            if name in seen:
                raise _err(s, f"{name!r} is both a construct and an indicator of {seen[name]!r} (a dimension of "
                              f"that higher-order construct) and is in the inner model with {other!r}; in the "
                              "two-stage approach a dimension enters the inner model only through its "
                              "higher-order construct")
    stage1 = [s for s in stmts if s.op != "~" and s.lhs not in dims]
    done: set[tuple[str, str]] = set()
    for s in paths:
        if s.rhs in interactions:
            continue
        for lhs in dims.get(s.lhs, (s.lhs,)):
            for rhs in dims.get(s.rhs, (s.rhs,)):
                if (lhs, rhs) not in done:
                    done.add((lhs, rhs))
                    stage1.append(replace(s, lhs=lhs, rhs=rhs))
    stage2 = [s for s in stmts if s.op == "~" or s.lhs not in seen]
    return HigherOrder(stage1, stage2, dims, list(stmts))


def repeated_indicators(hoc: HigherOrder) -> tuple[list[Statement], dict[str, tuple[str, str]]]:
    """The model of the repeated-indicators approach (Lohmöller 1989; Becker, Klein & Wetzels 2012).

    Each higher-order construct ``H =~ A + B`` (or ``<~``) is measured by every indicator of its dimensions again
    (copies named ``item@H``, in the mode of its block), and the inner model gains the paths between ``H`` and its
    dimensions: ``H -> A`` for a reflective (``=~``) higher-order construct, ``A -> H`` for a formative (``<~``)
    one (whose R-squared is then about 1, so that paths into it are not interpretable: Becker et al. 2012).

    Returns the statements and, for each copy column, ``(item, H)``.

    >>> h = split_higher_order("A =~ a1 + a2; B =~ b1 + b2; H =~ A + B; Y =~ y1 + y2; Y ~ H")
    >>> stmts, copies = repeated_indicators(h)
    >>> [(s.lhs, s.op, s.rhs) for s in stmts if s.lhs == "H" or s.rhs == "H"][:3]
    [('H', '=~', 'a1@H'), ('H', '=~', 'a2@H'), ('H', '=~', 'b1@H')]
    >>> [(s.lhs, s.op, s.rhs) for s in stmts if s.op == "~"]
    [('Y', '~', 'H'), ('A', '~', 'H'), ('B', '~', 'H')]
    """
    items: dict[str, list[str]] = {}
    for s in hoc.statements:
        if s.op in ("=~", "<~") and s.lhs not in hoc.dimensions:
            items.setdefault(s.lhs, []).append(s.rhs)
    out: list[Statement] = []
    copies: dict[str, tuple[str, str]] = {}
    added: list[Statement] = []
    for s in hoc.statements:
        if s.op in ("=~", "<~") and s.lhs in hoc.dimensions:
            for x in items[s.rhs]:
                name = f"{x}{COPY_MARK}{s.lhs}"
                copies[name] = (x, s.lhs)
                out.append(replace(s, rhs=name, mod=replace(s.mod, fixed=None)))
            path = (s.rhs, s.lhs) if s.op == "=~" else (s.lhs, s.rhs)
            added.append(replace(s, lhs=path[0], op="~", rhs=path[1]))
        else:
            out.append(s)
    return out + added, copies
