"""The :class:`Table` every builder returns: bilingual titles, headers and cells, raw numbers, notes.

Text in a table (title, headers, cells, notes) may carry two inline marks, which each renderer translates:
``<i>...</i>`` (italic: statistical symbols such as <i>p</i>, <i>SE</i>, the word *Note.*) and ``<b>...</b>``
(bold: for instance HTMT values above the threshold). Everything else is plain Unicode text.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .._errors import check_option

__all__ = ["Table", "LANGS", "plain", "segments", "bi"]

LANGS = ("en", "zh")
_MARK = re.compile(r"<(i|b)>(.*?)</\1>", re.S)


def segments(text: str) -> list[tuple[str, bool, bool]]:
    """Split marked-up text into ``(text, italic, bold)`` runs (marks do not nest).

    >>> segments("<i>p</i> < .05, <b>.91</b>")
    [('p', True, False), (' < .05, ', False, False), ('.91', False, True)]
    """
    out, pos = [], 0
    for m in _MARK.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], False, False))
        out.append((m.group(2), m.group(1) == "i", m.group(1) == "b"))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False, False))
    return out


def plain(text: str) -> str:
    """Text without its marks.

    >>> plain("<i>SE</i> of <b>b</b>")
    'SE of b'
    """
    return _MARK.sub(lambda m: m.group(2), text)


def bi(cell: Any, lang: str) -> str:
    """One language of a cell given as ``str`` (both languages) or ``(en, zh)``.

    >>> bi(("Yes", "是"), "zh"), bi(".42", "zh")
    ('是', '.42')
    """
    if isinstance(cell, tuple):
        return cell[0] if lang == "en" else cell[1]
    return "" if cell is None else str(cell)


@dataclass(frozen=True)
class Table:
    """One APA table, in English and Chinese.

    Attributes
    ----------
    name : str
        Short identifier, used as the file stem (``fit``, ``hypotheses``, ...).
    title_en, title_zh : str
        Titles (APA: italic title case, under a bold "Table N" line).
    columns_en, columns_zh : tuple of str
        Column headers.
    rows_en, rows_zh : tuple of tuple of str
        The cells, already formatted in APA style (numbers are the same in both languages; labels differ).
    values : tuple of tuple
        The raw values behind every cell, same shape as ``rows_en``: floats for numbers (NaN where nothing
        applies), bools for decisions, str for labels. :meth:`to_frame` with ``raw=True`` returns them.
    notes_en, notes_zh : tuple of str
        Paragraphs under the table; the first starts with ``<i>Note.</i>``.
    align : tuple of str
        ``"l"``, ``"c"`` or ``"r"`` for each column.
    number : int or None
        The table number in the paper; renderers print "Table N" / "表N" when it is set.
    keys : tuple of str
        Machine names of the columns (``beta``, ``se``, ``p``, ...), for :meth:`to_frame`.
    """

    name: str
    title_en: str
    title_zh: str
    columns_en: tuple[str, ...]
    columns_zh: tuple[str, ...]
    rows_en: tuple[tuple[str, ...], ...]
    rows_zh: tuple[tuple[str, ...], ...]
    values: tuple[tuple[Any, ...], ...]
    notes_en: tuple[str, ...] = ()
    notes_zh: tuple[str, ...] = ()
    align: tuple[str, ...] = ()
    number: int | None = None
    keys: tuple[str, ...] = field(default=())

    def __post_init__(self):
        k = len(self.columns_en)
        if len(self.columns_zh) != k:
            raise ValueError(f"Table {self.name!r}: {len(self.columns_zh)} Chinese headers for {k} columns.")
        for what, rows in (("rows_en", self.rows_en), ("rows_zh", self.rows_zh), ("values", self.values)):
            if len(rows) != len(self.rows_en):
                raise ValueError(f"Table {self.name!r}: {what} has {len(rows)} rows, rows_en {len(self.rows_en)}.")
            for i, r in enumerate(rows):
                if len(r) != k:
                    raise ValueError(f"Table {self.name!r}: row {i} of {what} has {len(r)} cells for {k} columns.")
        if not self.align:
            object.__setattr__(self, "align", ("l",) + ("c",) * (k - 1))
        if not self.keys:
            object.__setattr__(self, "keys", tuple(plain(c) for c in self.columns_en))

    # -- one language -------------------------------------------------------------------------------
    def title(self, lang: str = "en") -> str:
        return self.title_en if check_option("lang", lang, LANGS) == "en" else self.title_zh

    def label(self, lang: str = "en") -> str:
        """The "Table N" line ("表N" in Chinese), empty when no number is set."""
        if self.number is None:
            return ""
        return f"Table {self.number}" if check_option("lang", lang, LANGS) == "en" else f"表{self.number}"

    def columns(self, lang: str = "en") -> tuple[str, ...]:
        return self.columns_en if check_option("lang", lang, LANGS) == "en" else self.columns_zh

    def rows(self, lang: str = "en") -> tuple[tuple[str, ...], ...]:
        return self.rows_en if check_option("lang", lang, LANGS) == "en" else self.rows_zh

    def notes(self, lang: str = "en") -> tuple[str, ...]:
        return self.notes_en if check_option("lang", lang, LANGS) == "en" else self.notes_zh

    # -- conveniences -------------------------------------------------------------------------------
    def with_number(self, number: int | None) -> Table:
        """A copy numbered ``number`` (Table objects are frozen)."""
        return dataclasses.replace(self, number=number)

    def with_note(self, note: str | tuple[str, str] | None) -> Table:
        """A copy with one more note paragraph (``(en, zh)`` or one text for both)."""
        if not note:
            return self
        en, zh = (note, note) if isinstance(note, str) else note
        return dataclasses.replace(self, notes_en=self.notes_en + (en,), notes_zh=self.notes_zh + (zh,))

    def to_frame(self, *, raw: bool = False, lang: str = "en") -> pd.DataFrame:
        """The body as a DataFrame: formatted strings without marks (headers in ``lang``) or, with
        ``raw=True``, the raw values under the machine column names :attr:`keys`."""
        if raw:
            return pd.DataFrame([list(r) for r in self.values], columns=list(self.keys))
        return pd.DataFrame([[plain(c) for c in r] for r in self.rows(lang)],
                            columns=[plain(c) for c in self.columns(lang)])

    def column(self, key: str, *, raw: bool = True) -> list:
        """One column's raw values (or formatted cells with ``raw=False``) by machine name."""
        if key not in self.keys:
            raise KeyError(f"Table {self.name!r} has no column {key!r}; it has {list(self.keys)!r}.")
        j = self.keys.index(key)
        return [r[j] for r in (self.values if raw else self.rows_en)]

    # -- rendering (the functions of egovsem.tables.render, as methods) ------------------------------
    def to_docx(self, path=None, *, lang: str = "en") -> bytes:
        """Word document with this table (see :func:`egovsem.tables.to_docx`)."""
        from .render import to_docx

        return to_docx(self, path, lang=lang)

    def to_latex(self, path=None, *, lang: str = "en") -> str:
        """booktabs LaTeX (see :func:`egovsem.tables.to_latex`)."""
        from .render import to_latex

        return to_latex(self, path, lang=lang)

    def to_markdown(self, path=None, *, lang: str = "en") -> str:
        """Markdown pipe table (see :func:`egovsem.tables.to_markdown`)."""
        from .render import to_markdown

        return to_markdown(self, path, lang=lang)

    def to_html(self, path=None, *, lang: str = "en") -> str:
        """HTML (see :func:`egovsem.tables.to_html`)."""
        from .render import to_html

        return to_html(self, path, lang=lang)

    def to_csv(self, path=None, *, lang: str = "en") -> str:
        """CSV of the formatted cells (see :func:`egovsem.tables.to_csv`)."""
        from .render import to_csv

        return to_csv(self, path, lang=lang)

    def __str__(self) -> str:
        from .render import to_markdown

        return to_markdown(self)

    def __repr__(self) -> str:
        return f"Table({self.name!r}: {len(self.rows_en)} rows x {len(self.columns_en)} columns)"

    def _repr_html_(self) -> str:
        from .render import to_html

        return to_html(self)


def build(name: str, title: tuple[str, str], columns: Sequence[tuple[str, str, str]], cells: Sequence[Sequence[Any]],
          values: Sequence[Sequence[Any]], notes: Sequence[tuple[str, str]], *, align: Sequence[str] = (),
          note: Any = None) -> Table:
    """Assemble a :class:`Table` from builder parts.

    ``columns`` are ``(key, header_en, header_zh)``; a cell is a ``str`` (same in both languages) or an
    ``(en, zh)`` tuple; notes are ``(en, zh)`` pairs; ``note`` (an extra paragraph such as
    :data:`egovsem.study.example.SIMULATED_NOTE`) is appended last.
    """
    t = Table(
        name=name, title_en=title[0], title_zh=title[1],
        columns_en=tuple(c[1] for c in columns), columns_zh=tuple(c[2] for c in columns),
        rows_en=tuple(tuple(bi(c, "en") for c in r) for r in cells),
        rows_zh=tuple(tuple(bi(c, "zh") for c in r) for r in cells),
        values=tuple(tuple(r) for r in values),
        notes_en=tuple(n[0] for n in notes if n and n[0]), notes_zh=tuple(n[1] for n in notes if n and n[1]),
        align=tuple(align), keys=tuple(c[0] for c in columns),
    )
    return t.with_note(note)
