"""APA-7 number formatting: no leading zero for statistics that cannot exceed 1, ``p < .001``, stars.

Every builder of :mod:`egovsem.tables` formats through these helpers, so one rule holds everywhere:

* ``apa_number(x, digits, bounded)``: fixed decimals; ``bounded=True`` drops the leading zero (correlations,
  standardised loadings and paths, proportions, CFI/TLI, RMSEA, SRMR, reliability coefficients);
* ``apa_p(p)``: three decimals without the leading zero, ``< .001`` below .001 (APA 7, section 6.36); more
  decimals only when rounding would carry p across .05 or .01;
* ``apa_ci(lo, hi)``: ``[lo, hi]`` in the same number style (more decimals when a bound would print as zero,
  so a reader sees whether zero is in the interval);
* ``stars(p)``: ``***`` p < .001, ``**`` p < .01, ``*`` p < .05.

Missing values (None, NaN) format as the empty string; builders put an em dash where "not applicable"
must be said.
"""
from __future__ import annotations

import math
import re
from numbers import Real
from typing import Any

__all__ = ["apa_number", "apa_p", "apa_ci", "apa_int", "stars", "is_missing", "typeset_minus", "DASH", "MINUS",
           "TYPESET_MINUS"]

#: what a cell shows when a statistic does not apply (fixed parameter, diagonal of a difference test)
DASH = "\u2014"
#: negative numbers are written with the ASCII hyphen-minus, which every format and spreadsheet reads back
MINUS = "-"
#: the minus sign of typeset output (Word, HTML, Markdown, LaTeX): APA's U+2212, in cells and notes alike
TYPESET_MINUS = "\u2212"
_NEG_NUMBER = re.compile(r"(?<![\w.\-\u2212])-(?=[.\d\u221e])")


def typeset_minus(text: str) -> str:
    """The minus sign (U+2212) for the hyphen of every negative number in ``text``; hyphens in words and
    ranges stay. CSV output keeps the hyphen so that spreadsheets read the numbers back.

    >>> typeset_minus("b = -0.12, [-.30, .05], Fornell-Larcker, items 1-5, (-3)")
    'b = \u22120.12, [\u2212.30, .05], Fornell-Larcker, items 1-5, (\u22123)'
    """
    return _NEG_NUMBER.sub(TYPESET_MINUS, text)


def is_missing(x: Any) -> bool:
    """True for None, NaN and pandas' missing markers.

    >>> is_missing(None), is_missing(float("nan")), is_missing(0.0)
    (True, True, False)
    """
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN, pd.NA-safe enough for scalars
    except (TypeError, ValueError):
        return False


def _as_float(x: Any, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (Real, str)) and not hasattr(x, "__float__"):
        raise TypeError(f"The '{name}' parameter must be a number. Got {x!r} instead.")
    return float(x)


def apa_number(x: Any, digits: int = 2, bounded: bool = False) -> str:
    """Format ``x`` with ``digits`` decimals in APA style.

    Parameters
    ----------
    x : float
        The number; None or NaN give ``""``.
    digits : int
        Decimals (APA: 2 for most statistics, 3 for p values and fit indices).
    bounded : bool
        The statistic cannot exceed 1 in absolute value (correlation, standardised coefficient, proportion,
        reliability, CFI, RMSEA): the leading zero is dropped.

    Examples
    --------
    >>> apa_number(0.456, bounded=True)
    '.46'
    >>> apa_number(-0.05, bounded=True)
    '-.05'
    >>> apa_number(1.0, bounded=True)
    '1.00'
    >>> apa_number(12.3456)
    '12.35'
    >>> apa_number(0.456)
    '0.46'
    >>> apa_number(-0.001, 2, bounded=True)   # no negative zero
    '.00'
    >>> apa_number(1032.5364, 2)
    '1032.54'
    >>> apa_number(float("nan"))
    ''
    """
    if is_missing(x):
        return ""
    if not isinstance(digits, int) or isinstance(digits, bool) or digits < 0:
        raise ValueError(f"The 'digits' parameter must be a non-negative integer. Got {digits!r} instead.")
    v = _as_float(x, "x")
    if math.isinf(v):
        return "\u221e" if v > 0 else MINUS + "\u221e"
    s = f"{v:.{digits}f}"
    neg = s.startswith("-")
    if neg:
        s = s[1:]
        if float(s) == 0.0:
            neg = False
    if bounded and s.startswith("0.") and digits > 0:
        s = s[1:]
    return (MINUS if neg else "") + s


def apa_int(x: Any) -> str:
    """An integer count (degrees of freedom, n) without decimals.

    >>> apa_int(1045.0), apa_int(None)
    ('1045', '')
    """
    if is_missing(x):
        return ""
    return str(int(round(_as_float(x, "x"))))


def apa_p(p: Any, digits: int = 3) -> str:
    """Format a p value in APA style: no leading zero, ``< .001`` below .001.

    Examples
    --------
    >>> apa_p(0.0004)
    '< .001'
    >>> apa_p(1e-12)
    '< .001'
    >>> apa_p(0.001)
    '.001'
    >>> apa_p(0.0234)
    '.023'
    >>> apa_p(0.0496)   # a p just under .05 never prints as ".050": more decimals instead
    '.0496'
    >>> apa_p(0.0504)
    '.050'
    >>> apa_p(0.9999)
    '> .999'
    >>> apa_p(float("nan"))
    ''
    """
    if is_missing(p):
        return ""
    v = _as_float(p, "p")
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"The 'p' parameter must lie in [0, 1]. Got {v!r} instead.")
    floor = 10.0 ** -digits
    if v < floor:
        return "< " + apa_number(floor, digits, bounded=True)
    if v > 1.0 - floor / 2:
        return "> " + apa_number(1.0 - floor, digits, bounded=True)
    # rounding must not move p across a significance threshold (.049 6 -> ".050" would contradict its stars)
    d = digits
    while d < digits + 4 and any((v < c) != (round(v, d) < c) for c in (0.05, 0.01)):
        d += 1
    return apa_number(v, d, bounded=True)


def apa_ci(lower: Any, upper: Any, digits: int = 2, bounded: bool = False, *, show_zero: bool = True) -> str:
    """A confidence interval ``[lower, upper]`` in APA style.

    With ``show_zero`` (default) a non-zero bound that would print as zero gets up to three more decimals,
    so the reader sees whether the interval contains zero; ``show_zero=False`` keeps ``digits`` (RMSEA).

    >>> apa_ci(0.1234, 0.5678, bounded=True)
    '[.12, .57]'
    >>> apa_ci(-1.5, 2.25)
    '[-1.50, 2.25]'
    >>> apa_ci(None, 1.0)
    ''
    >>> apa_ci(0.0042, 0.2431)   # a bound that would print as 0.00 gets more decimals: zero is not in it
    '[0.004, 0.243]'
    """
    if is_missing(lower) or is_missing(upper):
        return ""
    lo, hi = float(lower), float(upper)
    d = digits
    while show_zero and d < digits + 3 and any(v != 0 and round(v, d) == 0 for v in (lo, hi)):
        d += 1
    return f"[{apa_number(lo, d, bounded)}, {apa_number(hi, d, bounded)}]"


def stars(p: Any) -> str:
    """Significance marks: ``***`` p < .001, ``**`` p < .01, ``*`` p < .05, else ``""``.

    >>> stars(0.0004), stars(0.004), stars(0.04), stars(0.05), stars(None)
    ('***', '**', '*', '', '')
    """
    if is_missing(p):
        return ""
    v = float(p)
    return "***" if v < 0.001 else "**" if v < 0.01 else "*" if v < 0.05 else ""
