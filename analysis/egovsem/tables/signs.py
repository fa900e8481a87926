"""Expected signs of the hypotheses and the decision "supported / not supported / opposite sign".

The expected sign of a hypothesised (labelled) path is stated in the model file itself, by a comment on the
path's line::

    PV ~ h1*SG + h2*IF
    TG ~ h3*PR          # sign: -      (h3 expects a negative coefficient)

``# sign: -`` (or ``# sign: +``) applies to every labelled term of that line; a path without it expects a
positive coefficient. A study config may add or override signs by label (``signs: {h3: "-"}``). The
decision (:func:`decision`): a hypothesis is *supported* when its coefficient is significant and has the
expected sign; a significant coefficient of the other sign is *not supported (opposite sign)*.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from .._errors import EgovsemError

__all__ = ["expected_signs", "decision", "DECISIONS", "parse_sign"]

#: the decision texts (en, zh)
DECISIONS = {
    "supported": ("Yes", "是"),
    "not supported": ("No", "否"),
    "opposite sign": ("No (opposite sign)", "否（方向相反）"),
}

_SIGN_COMMENT = re.compile(r"#.*?\bsign\s*[:=]\s*([^\s,;)]+)", re.I)
_LABELLED = re.compile(r"([A-Za-z_.][\w.]*)\s*\*\s*[A-Za-z_.][\w.]*")


def parse_sign(value, where: str) -> str:
    """``"+"`` or ``"-"`` from ``+``, ``-``, ``−``, ``positive``, ``negative``; else an error naming ``where``.

    >>> parse_sign("negative", "h3"), parse_sign("\u2212", "h3")
    ('-', '-')
    """
    s = str(value).strip().lower()
    if s in ("+", "positive"):
        return "+"
    if s in ("-", "\u2212", "negative"):
        return "-"
    raise EgovsemError(f"The expected sign of {where} must be '+' or '-' (or positive, negative). Got {value!r}.")


def expected_signs(model: str, *, overrides: Mapping[str, str] | None = None, default: str = "+") -> dict[str, str]:
    """The expected sign of every labelled regression of ``model`` (lavaan syntax): ``{label: "+" or "-"}``.

    A ``# sign: -`` comment on a line gives its labelled terms a negative sign; ``overrides`` (label -> sign,
    e.g. the config's ``signs``) come last. An override naming no labelled path is an error.

    Examples
    --------
    >>> expected_signs("PV ~ h1*SG + h2*IF\\nTG ~ h3*PR  # sign: -\\nPI ~ h4*PV")
    {'h1': '+', 'h2': '+', 'h3': '-', 'h4': '+'}
    >>> expected_signs("PV ~ h1*SG", overrides={"h1": "negative"})
    {'h1': '-'}
    """
    out: dict[str, str] = {}
    for line in model.splitlines():
        code, _, comment = line.partition("#")
        if "~" not in code or "=~" in code or "~~" in code:
            continue
        m = _SIGN_COMMENT.search("#" + comment) if comment else None
        sign = parse_sign(m.group(1), f"the line {line.strip()!r}") if m else default
        rhs = code.split("~", 1)[1]
        for lab in _LABELLED.findall(rhs):
            if _is_number(lab):
                continue
            out[lab] = sign
    for lab, s in (overrides or {}).items():
        if str(lab) not in out:
            raise EgovsemError(f"The 'signs' key names the label {lab!r}, which labels no regression path of the "
                               f"model; labelled paths are {sorted(out)!r}.")
        out[str(lab)] = parse_sign(s, f"the label {lab!r}")
    return out


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def decision(est: float, p: float, sign: str, alpha: float = 0.05) -> str:
    """``"supported"``, ``"not supported"`` or ``"opposite sign"`` (significant, but not of the expected sign).

    >>> decision(0.3, 0.001, "+"), decision(-0.3, 0.001, "+"), decision(-0.3, 0.001, "-"), decision(0.3, 0.2, "+")
    ('supported', 'opposite sign', 'supported', 'not supported')
    """
    if not (p == p) or p >= alpha:
        return "not supported"
    ok = est > 0 if sign == "+" else est < 0
    return "supported" if ok else ("opposite sign" if est != 0 else "not supported")
