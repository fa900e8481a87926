"""Exclusion rules: a flag column, a comparison and a threshold, applied to the per-respondent flags.

The default rules (in the order a CONSORT flow counts them):

=============  ==============================  =============================================
name           condition                       meaning
=============  ==============================  =============================================
duplicate      ``duplicate == 1``              same id, or same answers and duration, as an
                                               earlier row (the first is kept)
attention      ``attention_failed >= 1``       an attention check not answered as instructed
speeder        ``seconds_per_item < 2``        under 2 seconds per question
straightline   ``straightline == 1``           the same answer to every scale item
=============  ==============================  =============================================

A rule never applies where its flag is missing (e.g. no duration column: nobody is a speeder).
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import EgovsemError

OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
       "==": operator.eq, "!=": operator.ne}


@dataclass(frozen=True)
class Rule:
    """Exclude a respondent when ``flags[column] <op> value``; ``name`` is the reason written."""

    name: str
    column: str
    op: str
    value: float

    def __post_init__(self):
        if self.op not in OPS:
            raise EgovsemError(
                f"The rule {self.name!r} has operator {self.op!r}; it must be one of {', '.join(OPS)}."
            )

    def applies(self, flags: pd.DataFrame) -> np.ndarray:
        if self.column not in flags.columns:
            raise EgovsemError(
                f"The exclusion rule {self.name!r} uses column {self.column!r}, which is not an index; "
                f"the indices are {[c for c in flags.columns if c not in ('row', 'id')]}."
            )
        x = pd.to_numeric(flags[self.column], errors="coerce").astype(float).to_numpy()
        with np.errstate(invalid="ignore"):
            return np.where(np.isnan(x), False, OPS[self.op](x, float(self.value)))

    def __str__(self) -> str:
        return f"{self.name}: {self.column} {self.op} {self.value:g}"


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("duplicate", "duplicate", "==", 1),
    Rule("attention", "attention_failed", ">=", 1),
    Rule("speeder", "seconds_per_item", "<", 2),
    Rule("straightline", "straightline", "==", 1),
)
_BY_NAME = {r.name: r for r in DEFAULT_RULES}
_EXPR = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|==|!=|<|>)\s*([-+0-9.eE]+)\s*$")


def parse_rules(spec: str) -> tuple[Rule, ...]:
    """Rules from text, comma separated, read left to right.

    ``default`` adds the default rules; ``none`` starts empty; a default rule's name adds it; ``-name``
    removes a rule; ``name<op>number`` changes a default rule's threshold (``speeder<3``) or, for any
    other index column, adds a rule named by the expression (``mahad_p<0.001``, ``longstring>=20``).

    >>> [str(r) for r in parse_rules("default,-straightline,speeder<3")]
    ['duplicate: duplicate == 1', 'attention: attention_failed >= 1', 'speeder: seconds_per_item < 3']
    """
    if not isinstance(spec, str):
        raise EgovsemError(f"The 'exclude' rules must be text like 'default,-speeder'. Got {spec!r} instead.")
    rules: list[Rule] = []
    for token in (t.strip() for t in spec.split(",")):
        if token in ("", "none"):
            if token == "none":
                rules = []
            continue
        if token == "default":
            rules += [r for r in DEFAULT_RULES if r not in rules]
        elif token.startswith("-"):
            name = token[1:].strip()
            if name not in {r.name for r in rules}:
                raise EgovsemError(f"The exclusion rule {name!r} in {spec!r} cannot be removed: it was not added.")
            rules = [r for r in rules if r.name != name]
        elif token in _BY_NAME:
            rules = [r for r in rules if r.name != token] + [_BY_NAME[token]]
        elif (m := _EXPR.match(token)):
            col, op, num = m.groups()
            try:
                value = float(num)
            except ValueError:
                raise EgovsemError(f"The exclusion rule {token!r}: {num!r} is not a number.") from None
            if col in _BY_NAME:
                base = _BY_NAME[col]
                new = Rule(base.name, base.column, op, value)
            else:
                new = Rule(token.replace(" ", ""), col, op, value)
            rules = [r if r.name != new.name else new for r in rules]
            if new not in rules:
                rules.append(new)
        else:
            raise EgovsemError(
                f"The exclusion rule {token!r} in {spec!r} is not understood; use a rule name "
                f"({', '.join(_BY_NAME)}), 'default', 'none', '-name' or 'column<op>number'."
            )
    return tuple(rules)


def as_rules(exclude) -> tuple[Rule, ...]:
    """Rules from ``exclude``: a sequence of :class:`Rule`, text for :func:`parse_rules`, or None (none)."""
    if exclude is None:
        return ()
    if isinstance(exclude, str):
        return parse_rules(exclude)
    if isinstance(exclude, Rule):
        return (exclude,)
    rules = tuple(exclude)
    bad = [r for r in rules if not isinstance(r, Rule)]
    if bad:
        raise EgovsemError(f"The 'exclude' parameter must hold Rule objects or be text. Got {bad[0]!r} instead.")
    return rules


def apply_rules(flags: pd.DataFrame, rules: tuple[Rule, ...]) -> tuple[np.ndarray, pd.Series, pd.DataFrame]:
    """(excluded mask, reasons text per respondent, flow table) for ``rules`` applied to ``flags``.

    The flow counts each excluded respondent once, under the first rule (in order) that applies;
    ``n_flagged`` counts everyone the rule applies to.
    """
    n = len(flags)
    hits = {r.name: r.applies(flags) for r in rules}
    excluded = np.zeros(n, dtype=bool)
    rows = [("received", "", n, n)]
    for r in rules:
        new = hits[r.name] & ~excluded
        rows.append(("excluded", str(r), int(new.sum()), int(hits[r.name].sum())))
        excluded |= hits[r.name]
    rows.append(("analysed", "", int((~excluded).sum()), int((~excluded).sum())))
    reasons = pd.Series(
        ["; ".join(r.name for r in rules if hits[r.name][i]) for i in range(n)], dtype=object
    )
    flow = pd.DataFrame(rows, columns=["step", "reason", "n", "n_flagged"])
    return excluded, reasons, flow
