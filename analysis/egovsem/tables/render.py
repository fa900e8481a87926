"""Renderers of :class:`~egovsem.tables.Table`: Word (.docx, real tables), LaTeX (booktabs), Markdown, HTML, CSV.

Each takes one table or a sequence of tables, ``lang="en"`` or ``"zh"``, and an optional ``path``; it returns
the rendered text (``bytes`` for Word) and writes it when ``path`` is given. The output depends only on the
tables: the same tables give byte-identical files (the Word file's dates and zip timestamps are fixed).

APA 7 layout: a bold "Table N" line, the title in italic title case, horizontal rules only (above and below
the header, at the bottom), then the notes, the first starting with *Note.*
"""
from __future__ import annotations

import csv
import datetime as _dt
import html as _html
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Union

from .._errors import check_option
from ._format import typeset_minus
from .table import LANGS, Table, plain, segments

__all__ = ["to_docx", "to_latex", "to_markdown", "to_html", "to_csv", "write_tables", "FORMATS"]

Tables = Union[Table, Sequence[Table]]  # noqa: UP007 (a runtime alias on Python 3.10)
#: format name -> file suffix
FORMATS = {"docx": ".docx", "tex": ".tex", "md": ".md", "html": ".html", "csv": ".csv"}
#: the fixed date written into every Word file (core properties), so files are reproducible
FIXED_DATE = _dt.datetime(2000, 1, 1, 0, 0, 0)


def _as_list(tables: Tables) -> list[Table]:
    if isinstance(tables, Table):
        return [tables]
    out = list(tables)
    for t in out:
        if not isinstance(t, Table):
            raise TypeError(f"Expected egovsem.tables.Table objects. Got {type(t).__name__} instead.")
    if not out:
        raise ValueError("No tables to render.")
    return out


def _lang(lang: str) -> str:
    return check_option("lang", lang, LANGS)


def _write(path, data: str | bytes, encoding: str = "utf-8") -> None:
    if path is None:
        return
    from ..safe_write import atomic_write_bytes, atomic_write_text

    p = Path(path)
    if isinstance(data, bytes):
        atomic_write_bytes(p, data)
    else:
        atomic_write_text(p, data, encoding=encoding, newline="\n")


def _head_lines(t: Table, lang: str) -> tuple[str, str]:
    return t.label(lang), t.title(lang)


# -- Markdown --------------------------------------------------------------------------------------------
def _md_text(text: str) -> str:
    text = typeset_minus(text)
    out = []
    for s, it, bd in segments(text):
        s = s.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")
        if s and (it or bd):
            lead = len(s) - len(s.lstrip())
            trail = len(s) - len(s.rstrip())
            core = s.strip()
            mark = "**" if bd else "*"
            s = s[:lead] + f"{mark}{core}{mark}" + (s[len(s) - trail:] if trail else "")
        out.append(s)
    return "".join(out)


def to_markdown(tables: Tables, path=None, *, lang: str = "en") -> str:
    """GitHub-flavoured Markdown (pipe tables), title above, notes below.

    >>> from egovsem.tables import fit_table
    >>> import pandas as pd
    >>> t = fit_table({"M1": pd.Series({"chisq": 10.0, "df": 5, "pvalue": .075, "cfi": .99, "tli": .98,
    ...                                  "rmsea": .041, "rmsea.ci.lower": 0, "rmsea.ci.upper": .08, "srmr": .03})})
    >>> print(to_markdown(t.with_number(2)).splitlines()[0:5])
    ['**Table 2**', '', '*Fit of the Compared Models*', '', '| Model | χ² | *df* | *p* | χ²/*df* | CFI | TLI | RMSEA [90% CI] | SRMR | AIC | BIC |']
    """
    lang = _lang(lang)
    parts = []
    for t in _as_list(tables):
        label, title = _head_lines(t, lang)
        lines = []
        if label:
            lines += [f"**{label}**", ""]
        lines += [f"*{_md_text(title)}*" if lang == "en" else f"**{_md_text(title)}**", ""]
        lines.append("| " + " | ".join(_md_text(c) for c in t.columns(lang)) + " |")
        rule = {"l": ":---", "c": ":---:", "r": "---:"}
        lines.append("| " + " | ".join(rule.get(a, "---") for a in t.align) + " |")
        for r in t.rows(lang):
            lines.append("| " + " | ".join(_md_text(c) for c in r) + " |")
        for n in t.notes(lang):
            lines += ["", _md_text(n)]
        parts.append("\n".join(lines) + "\n")
    text = "\n".join(parts)
    _write(path, text)
    return text


# -- HTML ------------------------------------------------------------------------------------------------
_CSS = ("table.apa{border-collapse:collapse;margin:0.5em 0;font-family:'Times New Roman',SimSun,serif}"
        "table.apa caption{text-align:left;caption-side:top;padding-bottom:0.4em}"
        "table.apa th,table.apa td{padding:0.15em 0.6em;border:none}"
        "table.apa thead tr:first-child th{border-top:1.5px solid #000}"
        "table.apa thead tr:last-child th{border-bottom:1px solid #000}"
        "table.apa tbody tr:last-child td{border-bottom:1.5px solid #000}"
        "p.apa-note{max-width:60em;font-size:0.95em}")


def _html_text(text: str) -> str:
    text = typeset_minus(text)
    out = []
    for s, it, bd in segments(text):
        s = _html.escape(s, quote=False)
        if it:
            s = f"<i>{s}</i>"
        if bd:
            s = f"<b>{s}</b>"
        out.append(s)
    return "".join(out)


def _html_table(t: Table, lang: str) -> str:
    label, title = _head_lines(t, lang)
    align = {"l": "left", "c": "center", "r": "right"}
    cap = (f"<b>{_html.escape(label)}</b><br>" if label else "")
    cap += f"<i>{_html_text(title)}</i>" if lang == "en" else f"<b>{_html_text(title)}</b>"
    h = [f'<table class="apa" id="table-{_html.escape(t.name)}">', f"<caption>{cap}</caption>", "<thead><tr>"]
    h += [f'<th style="text-align:{align.get(a, "left")}">{_html_text(c)}</th>' for c, a in zip(t.columns(lang), t.align)]
    h.append("</tr></thead>")
    h.append("<tbody>")
    for r in t.rows(lang):
        h.append("<tr>" + "".join(f'<td style="text-align:{align.get(a, "left")}">{_html_text(c)}</td>'
                                  for c, a in zip(r, t.align)) + "</tr>")
    h.append("</tbody></table>")
    h += [f'<p class="apa-note">{_html_text(n)}</p>' for n in t.notes(lang)]
    return "\n".join(h)


def to_html(tables: Tables, path=None, *, lang: str = "en", standalone: bool | None = None) -> str:
    """An HTML fragment (``standalone=False``) or a whole UTF-8 page (default when writing a file).

    >>> from egovsem.tables import htmt_table
    >>> import pandas as pd
    >>> h = pd.DataFrame([[1, .5], [.5, 1]], index=["A", "B"], columns=["A", "B"])
    >>> "<td style=\\"text-align:right\\">.50</td>" in to_html(htmt_table(h, labels=False))
    True
    """
    lang = _lang(lang)
    body = "\n".join(_html_table(t, lang) for t in _as_list(tables))
    if standalone is None:
        standalone = path is not None
    if standalone:
        html_lang = "en" if lang == "en" else "zh-CN"
        body = (f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
                f"<title>{_html.escape(plain(_as_list(tables)[0].title(lang)))}</title>\n"
                f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")
    else:
        body = f"<style>{_CSS}</style>\n{body}\n"
    _write(path, body)
    return body


# -- LaTeX -----------------------------------------------------------------------------------------------
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                "<": r"$<$", ">": r"$>$"}
_TEX_UNICODE = {"\u03c7\u00b2": r"$\chi^2$", "\u03c7": r"$\chi$", "\u00b2": r"$^2$", "\u0394": r"$\Delta$",
                "\u03b1": r"$\alpha$", "\u03b2": r"$\beta$", "\u03bb": r"$\lambda$", "\u03c9": r"$\omega$",
                "\u221a": r"$\surd$", "\u2192": r"$\rightarrow$", "\u21d2": r"$\Rightarrow$", "\u2265": r"$\geq$",
                "\u2264": r"$\leq$", "\u2212": r"$-$", "\u2014": "---", "\u2013": "--", "\u221e": r"$\infty$"}


def _tex_escape(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        two = s[i:i + 2]
        if two in _TEX_UNICODE:
            out.append(_TEX_UNICODE[two])
            i += 2
            continue
        ch = s[i]
        out.append(_TEX_UNICODE.get(ch) or _TEX_SPECIAL.get(ch) or ch)
        i += 1
    return "".join(out)


def _tex_text(text: str) -> str:
    text = typeset_minus(text)
    out = []
    for s, it, bd in segments(text):
        s = _tex_escape(s)
        if it:
            s = rf"\textit{{{s}}}"
        if bd:
            s = rf"\textbf{{{s}}}"
        out.append(s)
    return "".join(out)


def to_latex(tables: Tables, path=None, *, lang: str = "en") -> str:
    r"""LaTeX ``table`` environments with booktabs rules (``\toprule``, ``\midrule``, ``\bottomrule``).

    Needs ``\usepackage{booktabs}``; Chinese text needs XeLaTeX with ``\usepackage{xeCJK}``.

    >>> from egovsem.tables import htmt_table
    >>> import pandas as pd
    >>> h = pd.DataFrame([[1, .5], [.5, 1]], index=["A", "B"], columns=["A", "B"])
    >>> tex = to_latex(htmt_table(h, labels=False))
    >>> r"\toprule" in tex and "2. B & .50 &  \\\\" in tex
    True
    """
    lang = _lang(lang)
    parts = ["% egovsem table(s): needs \\usepackage{booktabs}" +
             ("; Chinese text needs XeLaTeX with \\usepackage{xeCJK}" if lang == "zh" else "")]
    for t in _as_list(tables):
        label, title = _head_lines(t, lang)
        cap = _tex_text(title)
        lines = [r"\begin{table}[htbp]", r"\centering"]
        # APA: "Table N" in bold, the title in italic below it, both flush left (no \caption, so LaTeX does
        # not number the table a second time)
        head = rf"\textbf{{{_tex_escape(label)}}}\par " if label else ""
        head += rf"\textit{{{cap}}}" if lang == "en" else rf"\textbf{{{cap}}}"
        lines.append(r"{\raggedright " + head + r"\par}\smallskip")
        lines.append(r"\begin{tabular}{" + "".join(a if a in "lcr" else "l" for a in t.align) + "}")
        lines.append(r"\toprule")
        lines.append(" & ".join(_tex_text(c) for c in t.columns(lang)) + r" \\")
        lines.append(r"\midrule")
        for r in t.rows(lang):
            lines.append(" & ".join(_tex_text(c) for c in r) + r" \\")
        lines.append(r"\bottomrule")
        lines.append(r"\end{tabular}")
        for n in t.notes(lang):
            lines.append(r"\par\smallskip\parbox{\linewidth}{\footnotesize " + _tex_text(n) + "}")
        lines.append(r"\end{table}")
        parts.append("\n".join(lines))
    text = "\n\n".join(parts) + "\n"
    _write(path, text)
    return text


# -- CSV -------------------------------------------------------------------------------------------------
def to_csv(tables: Tables, path=None, *, lang: str = "en", comments: bool = True) -> str:
    """The formatted cells as CSV; title and notes as leading ``#`` lines (``comments=False`` leaves them out).

    Files are written as UTF-8 with a byte-order mark, which Excel needs to show Chinese text. The raw
    numbers are in :meth:`Table.to_frame` (``raw=True``).

    >>> from egovsem.tables import htmt_table
    >>> import pandas as pd
    >>> h = pd.DataFrame([[1, .5], [.5, 1]], index=["A", "B"], columns=["A", "B"])
    >>> print(to_csv(htmt_table(h, labels=False), comments=False))
    Construct,1,2
    1. A,,
    2. B,.50,
    <BLANKLINE>
    """
    lang = _lang(lang)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for k, t in enumerate(_as_list(tables)):
        if k:
            buf.write("\n")
        label, title = _head_lines(t, lang)
        if comments:
            buf.write("# " + (f"{label}. " if label else "") + plain(title) + "\n")
        w.writerow([plain(c) for c in t.columns(lang)])
        for r in t.rows(lang):
            w.writerow([plain(c) for c in r])
        if comments:
            for n in t.notes(lang):
                buf.write("# " + plain(n) + "\n")
    text = buf.getvalue()
    _write(path, text, encoding="utf-8-sig")
    return text


# -- Word ------------------------------------------------------------------------------------------------
def _docx_fonts(run, size_pt: float | None = None, *, east_asia: str = "SimSun", latin: str = "Times New Roman"):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = latin
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    if size_pt:
        run.font.size = Pt(size_pt)


def _docx_run_template(par, key: tuple) -> Any:
    """A run built once through python-docx for ``key`` = (italic, bold, size, preserve), kept detached."""
    from copy import deepcopy

    it, bd, size, keep = key
    run = par.add_run(" x " if keep else "x")
    run.italic = True if it else None
    run.bold = True if bd else None
    _docx_fonts(run, size)
    el = run._element
    par._p.remove(el)
    return deepcopy(el)


#: runs built once per (italic, bold, size, xml:space preserve) and copied: python-docx's per-run property
#: setters walk the schema on every call (issue 17); the copies are the same XML
_RUN_TEMPLATES: dict[tuple, Any] = {}


def _docx_runs(par, text: str, *, size: float, italic: bool = False, bold: bool = False):
    from copy import deepcopy

    p = par._p
    for s, it, bd in segments(typeset_minus(text)):
        if not s or any(c in s for c in "\t\n\r"):  # (python-docx turns these into w:tab / w:br)
            run = par.add_run(s)
            run.italic = True if (it or italic) else None
            run.bold = True if (bd or bold) else None
            _docx_fonts(run, size)
            continue
        key = (bool(it or italic), bool(bd or bold), size, len(s.strip()) < len(s))
        tpl = _RUN_TEMPLATES.get(key)
        if tpl is None:
            tpl = _RUN_TEMPLATES[key] = _docx_run_template(par, key)
        r = deepcopy(tpl)
        r[-1].text = s
        p.append(r)


def _cell_border(cell, **edges):
    """edges: top/bottom -> size in eighths of a point (0 removes)."""
    from docx.oxml.ns import qn

    tcpr = cell._element.get_or_add_tcPr()
    borders = tcpr.find(qn("w:tcBorders"))
    if borders is None:
        borders = tcpr.makeelement(qn("w:tcBorders"), {})
        tcpr.append(borders)
    for edge in ("top", "left", "bottom", "right"):
        el = borders.find(qn(f"w:{edge}"))
        if el is None:
            el = borders.makeelement(qn(f"w:{edge}"), {})
            borders.append(el)
        sz = edges.get(edge, 0)
        if sz:
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), str(sz))
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        else:
            el.set(qn("w:val"), "nil")


def _column_widths(cols, rows, total_emu: int, size_pt: float) -> list[int]:
    """Column widths (EMU) from the content in the table's font (:func:`egovsem.tables.widths.column_widths`):
    no column narrower than its longest word, number or interval."""
    from .widths import column_widths

    pts = column_widths(cols, rows, total_emu / 12700, size_pt, family="Times New Roman")
    return [int(round(w * 12700)) for w in pts]


def _docx_table(doc, t: Table, lang: str, body_pt: float, text_width_emu: int):
    from copy import deepcopy

    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    align = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}
    label, title = _head_lines(t, lang)
    if label:
        p = doc.add_paragraph()
        _docx_runs(p, label, size=12, bold=True)
        p.paragraph_format.space_after = Pt(6)
        p.paragraph_format.keep_with_next = True
    p = doc.add_paragraph()
    _docx_runs(p, title, size=12, italic=(lang == "en"), bold=(lang == "zh"))
    p.paragraph_format.space_after = Pt(6)
    p.paragraph_format.keep_with_next = True

    cols = t.columns(lang)
    rows = t.rows(lang)
    table = doc.add_table(rows=1 + len(rows), cols=len(cols))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = _column_widths(cols, rows, text_width_emu, body_pt)
    for j, col in enumerate(table.columns):  # the grid (LibreOffice reads it) and each cell (Word)
        col.width = widths[j]
    last = len(rows)
    # python-docx rebuilds a row's cell list on every ``row.cells`` (walking the grid): take it once per row
    trows = list(table.rows)
    done: dict[tuple, tuple[Any, Any]] = {}
    for i, texts in enumerate([cols] + list(rows)):
        row = trows[i]
        if i == 0:  # repeat the header row on each page
            trpr = row._tr.get_or_add_trPr()
            trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))
        cells = row.cells
        for j, text in enumerate(texts):
            cell = cells[j]
            par = cell.paragraphs[0]
            jc = align.get(t.align[j], WD_ALIGN_PARAGRAPH.LEFT) if i else (
                WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER)
            edges = {}
            if i == 0:
                edges = {"top": 12, "bottom": 8}
            if i == last:
                edges["bottom"] = 12
            # a cell's properties (width, rules) and its paragraph's (alignment, spacing) are set through
            # python-docx once per distinct kind and copied to the other cells of that kind (issue 17)
            key = (widths[j], jc, tuple(sorted(edges.items())))
            tpl = done.get(key)
            tc = cell._tc
            if tpl is None:
                cell.width = widths[j]
                par.alignment = jc
                par.paragraph_format.space_after = Pt(0)
                par.paragraph_format.space_before = Pt(0)
                _cell_border(cell, **edges)
                done[key] = (deepcopy(tc.tcPr), deepcopy(par._p.pPr))
            else:
                tc.remove(tc.tcPr)
                tc.insert(0, deepcopy(tpl[0]))
                par._p.insert(0, deepcopy(tpl[1]))
            _docx_runs(par, text, size=body_pt)
    for n in t.notes(lang):
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(6)
        _docx_runs(p, n, size=body_pt)
    return table


def docx_reproducible(raw: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps and a fixed member order, so equal documents are equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def to_docx(tables: Tables, path=None, *, lang: str = "en", title: str | None = None,
            _cache: dict | None = None) -> bytes:
    """A Word document with each table as a real Word table (APA: horizontal rules only), one per page.

    Tables with more than eight columns get a landscape page. Fonts: Times New Roman, SimSun for Chinese.
    The document's dates are fixed (:data:`FIXED_DATE`) and its zip timestamps too, so the same tables
    give the same bytes. Returns the file's bytes (and writes them to ``path`` when given).
    ``_cache`` (internal, :func:`write_tables`): tables already built, reused for the combined file.
    """
    from copy import deepcopy

    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Inches

    lang = _lang(lang)
    tabs = _as_list(tables)
    doc = Document()
    cp = doc.core_properties
    cp.author = "egovsem"
    cp.last_modified_by = "egovsem"
    cp.created = FIXED_DATE
    cp.modified = FIXED_DATE
    cp.last_printed = FIXED_DATE
    cp.revision = 1
    cp.title = title or plain(tabs[0].title(lang))
    cp.comments = "Made by egovsem.tables"
    for k, t in enumerate(tabs):
        wide = len(t.columns_en) > 8
        section = doc.sections[0] if k == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
        w, h = Inches(8.27), Inches(11.69)  # A4
        section.orientation = WD_ORIENT.LANDSCAPE if wide else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (h, w) if wide else (w, h)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Inches(1))
        text_width = int(section.page_width or 0) - int(section.left_margin or 0) - int(section.right_margin or 0)
        body_pt = 10 if wide or len(t.rows_en) > 30 else 11
        key = (id(t), lang, body_pt, text_width)
        body = doc.element.body
        if _cache is not None and key in _cache:  # the same table already built: its body elements copied
            sect = body[-1]
            for el in _cache[key][1]:
                sect.addprevious(deepcopy(el))
            continue
        n0 = len(body) - 1  # (the body ends with the document's w:sectPr; content goes before it)
        _docx_table(doc, t, lang, body_pt=body_pt, text_width_emu=text_width)
        if _cache is not None:  # (the table is kept alongside so that its id is not reused)
            _cache[key] = (t, [deepcopy(el) for el in body[n0:len(body) - 1]])
    buf = io.BytesIO()
    doc.save(buf)
    data = docx_reproducible(buf.getvalue())
    _write(path, data)
    return data


# -- all formats at once ---------------------------------------------------------------------------------
_RENDER: dict[str, Callable[..., Any]] = {"docx": to_docx, "tex": to_latex, "md": to_markdown, "html": to_html, "csv": to_csv}


def write_tables(tables: Iterable[Table], out_dir, *, formats: Sequence[str] = ("docx", "tex", "md", "html", "csv"),
                 lang: str = "en", combined: str | None = "tables") -> list[Path]:
    """Write each table to ``out_dir/<NN>_<name>.<ext>`` in each format, and (``combined``) all tables in one
    file per format (``tables.docx``, ...). Returns the paths written, in order.
    """
    lang = _lang(lang)
    tabs = _as_list(list(tables))
    fmts = [check_option("format", f.strip().lower().lstrip("."), list(FORMATS)) for f in formats]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for f in fmts:
        # Word: each table is built once, the combined file copies the tables' XML (issue 17)
        kw: dict[str, Any] = {"_cache": {}} if f == "docx" else {}
        for i, t in enumerate(tabs, start=1):
            p = out / f"{i:02d}_{t.name}{FORMATS[f]}"
            _RENDER[f](t, p, lang=lang, **kw)
            written.append(p)
        if combined and len(tabs) > 1:
            p = out / f"{combined}{FORMATS[f]}"
            _RENDER[f](tabs, p, lang=lang, **kw)
            written.append(p)
    return written
