"""Column widths of Word tables from their content, measured in the table's font.

A column is at least as wide as its longest unbreakable token (a word, a number, a confidence interval such
as ``[.009, .020]``; Chinese text breaks between any two characters) plus the cell's margins, so Word and
LibreOffice never break a word inside a cell ("Measure|ment", "[.009, .02|0]"). When the content fits on one
line per cell the columns get their full width; otherwise the text width left after the minima is shared in
proportion to what each column would need on one line.

Widths are measured with the font's own metrics (matplotlib's FreeType binding), using a metric-compatible
substitute where the named font is not installed (Liberation Serif for Times New Roman, Carlito or Liberation
Sans for Calibri), else DejaVu (wider, so the widths err on the safe side).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from .table import plain

__all__ = ["text_width", "min_width", "column_widths", "CELL_PADDING_PT"]

#: left plus right cell margin of Word's default table style (0.08 in each), and 3 pt for rounding and rules
CELL_PADDING_PT = 2 * 5.76 + 3.0

_SUBSTITUTES = {
    "Times New Roman": ("Times New Roman", "Liberation Serif", "Tinos", "DejaVu Serif"),
    "Calibri": ("Calibri", "Carlito", "Liberation Sans", "Arimo", "DejaVu Sans"),
}
_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)")


@lru_cache(maxsize=16)
def _font_file(family: str, bold: bool, italic: bool) -> str | None:
    from matplotlib import font_manager

    for name in _SUBSTITUTES.get(family, (family, "DejaVu Serif")):
        prop = font_manager.FontProperties(family=name, weight="bold" if bold else "normal",
                                           style="italic" if italic else "normal")
        try:
            return font_manager.findfont(prop, fallback_to_default=False)
        except ValueError:
            continue
    return None


@lru_cache(maxsize=8)
def _ft2font(path: str):
    """The font file opened once (opening it reads and parses the file: most of a measurement's time)."""
    from matplotlib.ft2font import FT2Font

    return FT2Font(path)


@lru_cache(maxsize=4096)
def _latin_width(text: str, size_pt: float, family: str, bold: bool, italic: bool) -> float:
    path = _font_file(family, bold, italic)
    if path is None:  # no font at all: a conservative average glyph width
        return 0.6 * size_pt * len(text)
    font = _ft2font(path)
    font.set_size(size_pt, 72)  # 72 dpi: one pixel is one point
    font.set_text(text, 0.0)
    return font.get_width_height()[0] / 64.0


def text_width(text: str, size_pt: float, *, family: str = "Times New Roman", bold: bool = False,
               italic: bool = False) -> float:
    """Width of ``text`` (marks such as ``<i>`` removed) on one line, in points; CJK characters are one em.

    >>> text_width("测量", 10), text_width("<i>ab</i>", 11) > text_width("a", 11) > 0
    (20.0, True)
    """
    s = plain(text)
    cjk = len(_CJK.findall(s))
    latin = _CJK.sub("", s)
    return cjk * size_pt + (_latin_width(latin, float(size_pt), family, bold, italic) if latin else 0.0)


def _tokens(text: str) -> list[str]:
    """The unbreakable pieces of a cell: words, bracketed intervals kept whole, CJK characters one by one."""
    s = plain(text)
    keep = {}
    for k, m in enumerate(_BRACKETED.finditer(s)):  # "[.009, .020]" and "(n = 12)" are not split
        key = f"\x00{k}\x00"
        keep[key] = m.group(0)
    for key, val in keep.items():
        s = s.replace(val, key, 1)
    out = []
    for w in s.split():
        for key, val in keep.items():
            w = w.replace(key, val)
        out += [p for p in re.split(r"([\u2e80-\u9fff\u3000-\u303f\uff00-\uffef])", w) if p]
    return out


def min_width(text: str, size_pt: float, **font) -> float:
    """Width of the widest unbreakable token of ``text``, in points (0 for an empty text).

    >>> min_width("[.009, .020]", 11) == text_width("[.009, .020]", 11)
    True
    """
    return max((text_width(t, size_pt, **font) for t in _tokens(text)), default=0.0)


def column_widths(header: Sequence[str], rows: Sequence[Sequence[str]], total_pt: float, size_pt: float, *,
                  family: str = "Times New Roman", padding_pt: float = CELL_PADDING_PT,
                  header_bold: bool = False) -> list[float]:
    """Widths (points) of the columns of a table: each at least its widest unbreakable token (header words
    included) plus ``padding_pt``; the body's one-line widths when they fit in ``total_pt``; otherwise the
    room left after the minima shared by what each column lacks. A table whose minima exceed ``total_pt``
    keeps the minima (it runs into the margin rather than breaking a word).
    """
    ncol = len(header)
    lo, want = [], []
    for j in range(ncol):
        cells = [r[j] for r in rows if j < len(r)]
        m = max([min_width(c, size_pt, family=family) for c in cells]
                + [min_width(header[j], size_pt, family=family, bold=header_bold)], default=0.0)
        w = max([text_width(c, size_pt, family=family) for c in cells] + [m], default=0.0)
        lo.append(m + padding_pt)
        want.append(w + padding_pt)
    if sum(want) <= total_pt:
        return want
    if sum(lo) >= total_pt:
        return lo
    room = total_pt - sum(lo)
    lack = [w - m for w, m in zip(want, lo)]
    return [m + room * d / sum(lack) for m, d in zip(lo, lack)]
