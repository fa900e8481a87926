"""Printable questionnaires (Word .docx, HTML) and the Markdown codebook of an Instrument.

Both questionnaire formats are built from the same block list: notes become headings or instructions,
consecutive items on one scale become one grid (statements down, scale points across), other questions
are numbered with their options. ``lang`` is "zh", "en" or "both" (Chinese first, English below it).
The variable name of each question is printed small, for data entry from paper.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._errors import check_option
from .checks import validate_instrument
from .model import Instrument, Item

BOX = "\u25a1"  # □, a tick box on paper
_WORDS = {  # fixed words of the printed questionnaire
    "version": ("版本", "Version"),
    "multi": ("（可多选）", "(select all that apply)"),
    "statement": ("题项", "Statement"),
    "end": ("问卷到此结束，感谢您的参与！", "This is the end of the questionnaire. Thank you for taking part!"),
}


@dataclass
class _Block:
    kind: str  # "note", "grid" (statements down, answer options across) or "question"
    items: list[Item] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    options: tuple[tuple[int, str, str], ...] = ()


def _blocks(inst: Instrument) -> list[_Block]:
    """Notes, grids (consecutive items on one scale, or two or more select_one items with the same
    choices, such as the yes/no channel questions) and single questions, numbered over data items."""
    out: list[_Block] = []
    n = 0
    for it in inst.items:
        if it.type == "note":
            out.append(_Block("note", [it]))
            continue
        n += 1
        if it.type == "scale":
            sc = inst.scales[it.scale or ""]
            options = tuple(zip(sc.values, sc.labels_zh, sc.labels_en))
        elif it.type == "select_one":
            options = it.choices
        else:
            out.append(_Block("question", [it], [n]))
            continue
        last = out[-1] if out else None
        if last is not None and last.kind == "grid" and last.options == options:
            last.items.append(it)
            last.numbers.append(n)
        else:
            out.append(_Block("grid", [it], [n], options))
    for b in out:  # a select_one on its own is a question with its options listed
        if b.kind == "grid" and len(b.items) == 1 and b.items[0].type != "scale":
            b.kind = "question"
    return out


def _pair(zh: str, en: str, lang: str) -> list[tuple[str, str]]:
    """The texts to print, as (language, text) pairs."""
    return [(k, t) for k, t in (("zh", zh), ("en", en)) if lang in (k, "both") and t]


def _word(key: str, lang: str) -> list[tuple[str, str]]:
    return _pair(*_WORDS[key], lang)


# ---------------------------------------------------------------------------------------------------
# Word


def write_docx(inst: Instrument, path: str | Path, *, lang: str = "both") -> Path:
    """Write the questionnaire as a Word document (title, instructions, numbered questions, scale grids)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    from ..tables.widths import CELL_PADDING_PT, min_width

    lang = check_option("lang", lang, ["zh", "en", "both"])
    validate_instrument(inst)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")  # Chinese text in a Chinese font
    grey = RGBColor(0x59, 0x59, 0x59)
    sec = doc.sections[0]  # A4 with 2 cm margins, as questionnaires are printed in China
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = Cm(2)

    def runs(par, pairs, *, bold=False, small_en=True):
        for k, (code, text) in enumerate(pairs):
            if k:
                par.add_run().add_break()
            r = par.add_run(text)
            r.bold = bold
            if code == "en" and lang == "both" and small_en:
                r.italic, r.font.color.rgb = True, grey
        return par

    def tag(par, name):
        r = par.add_run(f"  [{name}]")
        r.font.size, r.font.color.rgb = Pt(7.5), grey

    title = doc.add_heading(level=0)
    runs(title, _pair(inst.title_zh, inst.title_en, lang), small_en=False)
    meta = doc.add_paragraph()
    meta.add_run(" / ".join(t for _, t in _word("version", lang)) + f" {inst.version}").font.size = Pt(8)
    if inst.intro_zh or inst.intro_en:
        runs(doc.add_paragraph(), _pair(inst.intro_zh, inst.intro_en, lang))
    for b in _blocks(inst):
        if b.kind == "note":
            it = b.items[0]
            runs(doc.add_heading(level=2), _pair(it.text_zh, it.text_en, lang), small_en=False)
        elif b.kind == "grid":
            table = doc.add_table(rows=1, cols=2 + len(b.options))
            table.style = "Table Grid"
            table.autofit = False
            # each answer column is at least as wide as its longest header word (no "Strongl|y"), in the
            # header's font (Calibri bold, 10.5 pt), else 1.7 cm or a share of 9 cm
            need = max(min_width(" ".join(t for _, t in _pair(z, e, lang)) + f" {v}", 10.5, family="Calibri",
                                 bold=True) for v, z, e in b.options)
            point = max(min(Cm(1.7), Cm(9) // len(b.options)), int((need + CELL_PADDING_PT) * 12700))
            widths = [Cm(1), Cm(17) - Cm(1) - point * len(b.options)] + [point] * len(b.options)
            head = table.rows[0].cells
            if b.items[0].type == "scale":
                runs(head[1].paragraphs[0], _word("statement", lang), bold=True)
            for j, (v, z, e) in enumerate(b.options):
                p = head[2 + j].paragraphs[0]
                runs(p, _pair(z, e, lang) + [("", str(v))], bold=True, small_en=False)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for num, it in zip(b.numbers, b.items):
                cells = table.add_row().cells
                cells[0].text = str(num)
                p = runs(cells[1].paragraphs[0], _pair(it.text_zh, it.text_en, lang))
                tag(p, it.name)
                for j in range(len(b.options)):
                    cells[2 + j].text = BOX
                    cells[2 + j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            for col, width in zip(table.columns, widths):  # the grid (LibreOffice) and each cell (Word)
                col.width = width
                for cell in col.cells:
                    cell.width = width
            doc.add_paragraph()
        else:
            it, num = b.items[0], b.numbers[0]
            p = doc.add_paragraph()
            p.add_run(f"{num}. ").bold = True
            extra = _word("multi", lang) if it.type == "select_multiple" else []
            runs(p, _pair(it.text_zh, it.text_en, lang) + extra, bold=True, small_en=False)
            tag(p, it.name)
            if it.choices:
                for v, z, e in it.choices:
                    opt = doc.add_paragraph(style="List Paragraph")
                    opt.add_run(f"{BOX} {v}  ")
                    opt.add_run(" / ".join(t for _, t in _pair(z, e, lang)))
            else:
                doc.add_paragraph("_" * 40)
    end = doc.add_paragraph()
    runs(end, _word("end", lang), small_en=False)
    end.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.core_properties.title = inst.title_en or inst.title_zh
    doc.core_properties.subject = f"version {inst.version}"
    from ..safe_write import atomic_path

    p = Path(path)
    with atomic_path(p) as tmp:
        doc.save(str(tmp))
    return p


# ---------------------------------------------------------------------------------------------------
# HTML

_CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "SimSun", Arial, sans-serif;
       max-width: 52em; margin: 2em auto; line-height: 1.5; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
.en { color: #555; font-style: italic; display: block; }
h1 .en, h2 .en, .q > .en { font-style: normal; }
.name { font-size: 0.7em; color: #777; margin-left: 0.5em; }
table.grid { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; }
table.grid th, table.grid td { border: 1px solid #999; padding: 0.3em 0.4em; vertical-align: top; }
table.grid td.box, table.grid th.pt { text-align: center; white-space: nowrap; }
ul.opts { list-style: none; padding-left: 1.5em; margin: 0.2em 0 0.8em; }
.line { border-bottom: 1px solid #333; width: 20em; height: 1.5em; margin-left: 1.5em; }
.meta, .end { font-size: 0.85em; color: #555; } .end { text-align: center; margin-top: 2em; }
@media print { body { margin: 0; max-width: none; } table.grid tr { break-inside: avoid; } }
"""


def _h(pairs: list[tuple[str, str]]) -> str:
    return "".join(f'<span class="{k}" lang="{"zh-CN" if k == "zh" else "en"}">{html.escape(t)}</span>'
                   if k else html.escape(t) for k, t in pairs)


def write_html(inst: Instrument, path: str | Path, *, lang: str = "both") -> Path:
    """Write the questionnaire as one self-contained, printable HTML page."""
    lang = check_option("lang", lang, ["zh", "en", "both"])
    validate_instrument(inst)
    out = [f'<!DOCTYPE html>\n<html lang="{"en" if lang == "en" else "zh-CN"}">\n<head>\n<meta charset="utf-8">',
           f"<title>{html.escape(inst.title_en if lang == 'en' else inst.title_zh)}</title>",
           f"<style>{_CSS}</style>\n</head>\n<body>",
           f"<h1>{_h(_pair(inst.title_zh, inst.title_en, lang))}</h1>",
           f'<p class="meta">{" / ".join(t for _, t in _word("version", lang))} {html.escape(inst.version)}</p>']
    if inst.intro_zh or inst.intro_en:
        out.append(f'<p class="intro">{_h(_pair(inst.intro_zh, inst.intro_en, lang))}</p>')
    name = '<span class="name">[{}]</span>'
    for b in _blocks(inst):
        if b.kind == "note":
            it = b.items[0]
            out.append(f'<h2 id="{it.name}">{_h(_pair(it.text_zh, it.text_en, lang))}</h2>')
        elif b.kind == "grid":
            head = "".join(f'<th class="pt">{_h(_pair(z, e, lang))}<br>{v}</th>' for v, z, e in b.options)
            first = _h(_word("statement", lang)) if b.items[0].type == "scale" else ""
            out.append(f'<table class="grid"><thead><tr><th></th><th>{first}</th>{head}</tr></thead><tbody>')
            for num, it in zip(b.numbers, b.items):
                boxes = "".join(f'<td class="box">{BOX}</td>' for _ in b.options)
                out.append(f'<tr id="{it.name}"><td>{num}</td><td>{_h(_pair(it.text_zh, it.text_en, lang))}'
                           f"{name.format(it.name)}</td>{boxes}</tr>")
            out.append("</tbody></table>")
        else:
            it, num = b.items[0], b.numbers[0]
            extra = _word("multi", lang) if it.type == "select_multiple" else []
            out.append(f'<div class="q" id="{it.name}"><b>{num}.</b> '
                       f"{_h(_pair(it.text_zh, it.text_en, lang) + extra)}{name.format(it.name)}")
            if it.choices:
                opts = "".join(f"<li>{BOX} {v} {html.escape(' / '.join(t for _, t in _pair(z, e, lang)))}</li>"
                               for v, z, e in it.choices)
                out.append(f'<ul class="opts">{opts}</ul></div>')
            else:
                out.append('<div class="line"></div></div>')
    out.append(f'<p class="end">{_h(_word("end", lang))}</p>\n</body>\n</html>\n')
    from ..safe_write import atomic_write_text

    p = Path(path)
    atomic_write_text(p, "\n".join(out))
    return p


# ---------------------------------------------------------------------------------------------------
# Markdown codebook


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def codebook_markdown(inst: Instrument, table: pd.DataFrame, lang: str) -> str:
    """The codebook as Markdown: header (title, version, missing codes), variables, constructs."""
    pick = (lambda z, e: z) if lang == "zh" else (lambda z, e: e) if lang == "en" else \
        (lambda z, e: " / ".join(x for x in (z, e) if x))
    lines = [f"# {_md(pick(inst.title_zh, inst.title_en))}: {pick('编码手册', 'codebook')}", "",
             f"- {pick('版本', 'version')}: {_md(inst.version)}"]
    if inst.citation:
        lines.append(f"- {pick('引用', 'citation')}: {_md(inst.citation)}")
    if inst.missing_values:
        codes = "; ".join(f"{c} = {_md(pick(*inst.missing_labels.get(c, ('', ''))))}".rstrip(" =")
                          for c in inst.missing_values)
        lines.append(f"- {pick('缺失值编码（所有变量）', 'missing-value codes (all variables)')}: {codes}")
    rev = [it.name for it in inst.reverse_items()]
    if rev:
        what = pick("反向计分题（计分前按 最小值 + 最大值 - x 重新编码）",
                    "reverse-keyed (recode as min + max - x before scoring)")
        lines.append(f"- {what}: {', '.join(rev)}")
    lines += ["", f"## {pick('变量', 'Variables')}", "", "| " + " | ".join(table.columns) + " |",
              "|" + "---|" * len(table.columns)]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(_md("yes" if v is True else "" if v is False else v) for v in row) + " |")
    if inst.constructs:
        lines += ["", f"## {pick('构念', 'Constructs')}", "", "| code | name | items | seed section | definition |",
                  "|---|---|---|---|---|"]
        for c in inst.constructs.values():
            items = ", ".join(inst.construct_items(c.code))
            lines.append(f"| {c.code} | {_md(pick(c.name_zh, c.name_en))} | {items} | {_md(c.seed_section)} | "
                         f"{_md(pick(c.definition_zh, c.definition_en))} |")
    return "\n".join(lines) + "\n"
