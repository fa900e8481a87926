"""The draft methods-and-results paragraph (Markdown from :mod:`egovsem.study.draft_text`) as Word and HTML.

The Markdown is the small subset the draft uses: ``## heading``, ``> quote`` (the SIMULATED notice), and
paragraphs with ``**bold**`` and ``*italic*`` (the statistical symbols *p*, *n*, *N* and the draft notice).
Minus signs of negative numbers are typeset as U+2212.
"""
from __future__ import annotations

import html as _html
import io
import re
from pathlib import Path

from ..tables import typeset_minus

__all__ = ["methods_docx", "methods_html", "markdown_runs"]

_INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*|`(.+?)`")


def markdown_runs(text: str) -> list[tuple[str, bool, bool]]:
    """``(text, bold, italic)`` runs of one Markdown paragraph.

    >>> markdown_runs("**Data.** *N* = 5, `egovsem`")
    [('Data.', True, False), (' ', False, False), ('N', False, True), (' = 5, ', False, False), ('egovsem', False, False)]
    """
    out, pos = [], 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], False, False))
        if m.group(1) is not None:
            out.append((m.group(1), True, False))
        elif m.group(2) is not None:
            out.append((m.group(2), False, True))
        else:
            out.append((m.group(3), False, False))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False, False))
    return out


def _blocks(md: str) -> list[tuple[str, str]]:
    """(kind, text) blocks: 'h' heading, 'q' quote, 'p' paragraph."""
    out = []
    for block in re.split(r"\n\s*\n", md.strip()):
        b = " ".join(line.strip() for line in block.strip().splitlines())
        if not b:
            continue
        if b.startswith("#"):
            out.append(("h", b.lstrip("#").strip()))
        elif b.startswith(">"):
            out.append(("q", b.lstrip(">").strip()))
        else:
            out.append(("p", b))
    return out


def methods_docx(md: str, path: str | Path | None = None, *, lang: str = "en") -> bytes:
    """The paragraph as a Word document (Times New Roman 12 pt, SimSun for Chinese); its bytes, written to
    ``path`` when given. The document's dates are fixed, so the same text gives the same bytes."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from ..tables.render import FIXED_DATE, docx_reproducible

    doc = Document()
    cp = doc.core_properties
    cp.author = cp.last_modified_by = "egovsem"
    cp.created = cp.modified = cp.last_printed = FIXED_DATE
    cp.revision = 1
    cp.title = "Methods and results (draft)" if lang == "en" else "研究方法与结果（草稿）"
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    for kind, text in _blocks(md):
        if kind == "h":
            par = doc.add_paragraph()
            r = par.add_run(text)
            r.bold = True
            r.font.size = Pt(14)
            continue
        par = doc.add_paragraph()
        par.paragraph_format.space_after = Pt(8)
        for s, bold, italic in markdown_runs(typeset_minus(text)):
            r = par.add_run(s)
            r.bold = bold or None
            r.italic = True if (italic or kind == "q") else None
    buf = io.BytesIO()
    doc.save(buf)
    data = docx_reproducible(buf.getvalue())
    if path is not None:
        from ..safe_write import atomic_write_bytes

        atomic_write_bytes(Path(path), data)
    return data


def methods_html(md: str, path: str | Path | None = None, *, lang: str = "en") -> str:
    """The paragraph as a standalone HTML page (``<i>`` for the statistical symbols); written to ``path``
    when given."""
    parts = []
    for kind, text in _blocks(md):
        body = "".join(
            (f"<b>{_html.escape(s)}</b>" if b else f"<i>{_html.escape(s)}</i>" if i else _html.escape(s))
            for s, b, i in markdown_runs(typeset_minus(text)))
        parts.append({"h": f"<h2>{body}</h2>", "q": f"<blockquote><i>{body}</i></blockquote>"}.get(kind, f"<p>{body}</p>"))
    title = "Methods and results (draft)" if lang == "en" else "研究方法与结果（草稿）"
    page = ("<!DOCTYPE html>\n<html lang=\"" + ("en" if lang == "en" else "zh-CN") + "\">\n<head><meta charset=\"utf-8\">"
            f"<title>{title}</title>\n<style>body{{font-family:'Times New Roman',SimSun,serif;max-width:42em;"
            "margin:2em auto;line-height:1.5}}</style></head>\n<body>\n" + "\n".join(parts) + "\n</body>\n</html>\n")
    if path is not None:
        from ..safe_write import atomic_write_text

        atomic_write_text(Path(path), page)
    return page
