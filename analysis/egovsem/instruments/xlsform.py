"""XLSForm (ODK / KoboToolbox) export and import of an :class:`~egovsem.instruments.Instrument`.

Export writes the sheets ``survey`` (``type, name, label::Chinese (zh), label::English (en)`` and the
custom columns ``construct, reverse, expected, source, identifier``), ``choices`` and ``settings``
(with ``missing_values``), plus three sheets pyxform ignores and egovsem reads back (``constructs``,
``missing_values``, ``metadata``), so that import(export(x)) == x.

Import reads any XLSForm: only ``type``, ``name`` and a label column are required. A choice list is read
as a response *scale* when an item that uses it names a construct or an expected answer; the other lists
stay the choices of their select_one items.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .._errors import InstrumentError
from .checks import validate_instrument
from .model import LANGUAGES, Construct, Instrument, Item, MetaColumn, Scale

SURVEY_FLAGS = ("construct", "reverse", "expected", "source", "identifier")
#: XLSForm metadata types: no question, no item (start/end give the completion time)
_META_TYPES = {"start", "end", "today", "deviceid", "username", "phonenumber", "simserial",
               "subscriberid", "audit", "calculate", "hidden", "start-geopoint"}
_PLAIN_TYPES = {"integer", "decimal", "text", "note", "date", "datetime", "time"}
_GROUP = re.compile(r"^(begin|end)[ _](group|repeat)$")
_SELECT = re.compile(r"^select[ _](one|multiple)\s+(\S+)$")
_TRUE, _FALSE = {"1", "yes", "true", "y", "x", "ja", "是"}, {"", "0", "no", "false", "n", "否"}
_LANG_CODES = {"zh": "zh", "zh-cn": "zh", "zh-hans": "zh", "chinese": "zh", "中文": "zh",
               "en": "en", "en-gb": "en", "en-us": "en", "english": "en"}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _col(kind: str, lang: str) -> str:
    return f"{kind}::{LANGUAGES[lang]}"


# ---------------------------------------------------------------------------------------------------
# export


def _sheet(wb, title: str, header: list[str], rows: list[list[Any]]):
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    ws.append(header)
    for r in rows:
        ws.append(["" if v is None else v for v in r])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for k, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[k - 1] or "")) for r in rows]) + 2
        ws.column_dimensions[ws.cell(1, k).column_letter].width = min(width, 60)
    ws.freeze_panes = "A2"
    return ws


def _list_name(inst: Instrument, it: Item) -> str:
    name = it.name
    while name in inst.scales:
        name += "_choices"
    return name


def write_xlsform(inst: Instrument, path: str | Path) -> Path:
    """Write ``inst`` as an XLSForm ``.xlsx``; see the module docstring for the sheets and columns."""
    from openpyxl import Workbook

    validate_instrument(inst)
    langs = [lang for lang in ("zh", "en") if lang in inst.languages]
    labels = [_col("label", lang) for lang in langs]
    pick = {"zh": 0, "en": 1}

    def texts(zh: str, en: str) -> list[str]:
        return [(zh, en)[pick[lang]] for lang in langs]

    survey: list[list[Any]] = [["start", "start", *[""] * len(langs), *[""] * 5],
                               ["end", "end", *[""] * len(langs), *[""] * 5]]
    if inst.intro_zh or inst.intro_en:
        survey.append(["note", "intro", *texts(inst.intro_zh, inst.intro_en), *[""] * 5])
    choices: list[list[Any]] = []
    for sc in inst.scales.values():
        for v, z, e in zip(sc.values, sc.labels_zh, sc.labels_en):
            choices.append([sc.name, str(v), *texts(z, e)])
    for it in inst.items:
        if it.type == "scale":
            kind = f"select_one {it.scale}"
        elif it.type in ("select_one", "select_multiple"):
            lst = _list_name(inst, it)
            kind = f"{it.type} {lst}"
            choices.extend([lst, str(v), *texts(z, e)] for v, z, e in it.choices)
        else:
            kind = it.type
        survey.append([kind, it.name, *texts(it.text_zh, it.text_en), it.construct or "",
                       "yes" if it.reverse else "", "" if it.expected is None else int(it.expected),
                       it.source, "yes" if it.identifier else ""])
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "survey", ["type", "name", *labels, *SURVEY_FLAGS], survey)
    _sheet(wb, "choices", ["list_name", "name", *labels], choices)
    default = inst.title(langs[0])
    _sheet(wb, "settings",
           ["form_title", "form_id", "version", "default_language", "missing_values",
            "title_zh", "title_en", "citation", "intro_zh", "intro_en"],
           [[default, _form_id(inst), inst.version, LANGUAGES[langs[0]],
             " ".join(str(c) for c in inst.missing_values), inst.title_zh, inst.title_en,
             inst.citation, inst.intro_zh, inst.intro_en]])
    _sheet(wb, "constructs",
           ["code", *[_col("name", lang) for lang in langs], *[_col("definition", lang) for lang in langs],
            "seed_section", "marker"],
           [[c.code, *texts(c.name_zh, c.name_en), *texts(c.definition_zh, c.definition_en), c.seed_section,
             "yes" if c.marker else ""]
            for c in inst.constructs.values()])
    _sheet(wb, "missing_values", ["code", *labels],
           [[c, *texts(*inst.missing_labels.get(c, ("", "")))] for c in inst.missing_values])
    _sheet(wb, "metadata", ["name", *labels], [[m.name, *texts(m.label_zh, m.label_en)] for m in inst.metadata])
    from ..safe_write import atomic_path

    p = Path(path)
    with atomic_path(p) as tmp:
        wb.save(tmp)
    return p


def _form_id(inst: Instrument) -> str:
    """A form id from the English title (so that export(import(x)) writes the same id)."""
    words = re.findall(r"[A-Za-z0-9]+", inst.title_en.lower())[:6]
    return "_".join(words) or "instrument"


# ---------------------------------------------------------------------------------------------------
# import


class _Reader:
    """Reads the sheets of one workbook; every error names the file, the sheet and the row."""

    def __init__(self, path: Path):
        from openpyxl import load_workbook

        self.where = str(path)
        if not path.is_file():
            raise InstrumentError(f"{self.where}: the XLSForm file does not exist.")
        try:
            self.wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a file that is not xlsx
            msg = " ".join(str(exc).split())
            raise InstrumentError(f"{self.where}: not a readable .xlsx workbook ({msg}).") from None
        self.sheets = {ws.title.strip().lower(): ws for ws in self.wb.worksheets}

    def rows(self, sheet: str, *, required: bool = False) -> list[tuple[int, dict[str, str]]]:
        ws = self.sheets.get(sheet)
        if ws is None:
            if required:
                raise InstrumentError(f"{self.where}: there is no '{sheet}' sheet; an XLSForm needs one.")
            return []
        raw = [["" if v is None else str(v).strip() for v in r] for r in ws.iter_rows(values_only=True)]
        start = next((k for k, r in enumerate(raw) if any(r)), None)
        if start is None:
            return []
        header = [h.strip() for h in raw[start]]
        out = []
        for k, r in enumerate(raw[start + 1:], start=start + 2):
            row = {h: (r[j] if j < len(r) else "") for j, h in enumerate(header) if h}
            if any(row.values()):
                out.append((k, row))
        return out

    def fail(self, sheet: str, row: int, what: str, problem: str) -> InstrumentError:
        return InstrumentError(f"{self.where}: sheet '{sheet}' row {row}: {what}: {problem}")


def _lang_of(column: str, kind: str) -> str | None:
    """'label::Chinese (zh)' -> 'zh'; 'label' -> '' (language from the text); other languages -> None."""
    if column == kind:
        return ""
    if not column.startswith(kind + "::"):
        return None
    spec = column.split("::", 1)[1].strip()
    m = re.search(r"\(([^)]+)\)\s*$", spec)
    for key in ((m.group(1),) if m else ()) + (spec,):
        lang = _LANG_CODES.get(key.strip().lower())
        if lang:
            return lang
    return None


def _texts(row: dict[str, str], kind: str, plain: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for col, val in row.items():
        lang = _lang_of(col, kind)
        if lang == "":
            lang = plain
        if lang:
            out[lang] = val
    return out


def _flag(rd: _Reader, row: int, name: str, col: str, value: str) -> bool:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise rd.fail("survey", row, f"item {name!r}", f"column '{col}' must be yes/no (or 1/0); got {value!r}.")


def _int(rd: _Reader, sheet: str, row: int, what: str, value: str) -> int:
    try:
        f = float(value)
    except ValueError:
        f = float("nan")
    if f != f or f != int(f):
        raise rd.fail(sheet, row, what, f"{value!r} is not an integer code; egovsem instruments use numeric codes.")
    return int(f)


def read_xlsform(path: str | Path) -> Instrument:
    """Read an XLSForm into an Instrument (only type/name/label are required; see the module docstring)."""
    p = Path(path)
    rd = _Reader(p)
    survey = rd.rows("survey", required=True)
    header = _header(rd, "survey")
    for need in ("type", "name"):
        if need not in header:
            raise InstrumentError(f"{rd.where}: sheet 'survey' has no '{need}' column.")
    label_cols = [c for c in header if _lang_of(c, "label") is not None]
    if not label_cols:
        raise InstrumentError(f"{rd.where}: sheet 'survey' has no label column "
                              f"('label', 'label::Chinese (zh)' or 'label::English (en)').")
    plain = "zh" if any(_CJK.search(r.get("label", "")) for _, r in survey) else "en"
    found = {_lang_of(c, "label") or plain for c in label_cols}
    langs = tuple(lang for lang in ("zh", "en") if lang in found)
    settings = dict(rd.rows("settings")[0][1]) if rd.rows("settings") else {}

    lists: dict[str, list[tuple[int, str, str]]] = {}
    for k, row in rd.rows("choices"):
        cl = row.get("list_name") or row.get("list name", "")
        if not cl:
            continue
        t = _texts(row, "label", plain)
        lists.setdefault(cl, []).append(
            (_int(rd, "choices", k, f"list {cl!r}", row.get("name", "")), t.get("zh", ""), t.get("en", "")))

    parsed: list[dict[str, Any]] = []
    for k, row in survey:
        kind = re.sub(r"\s+", " ", row.get("type", "").strip())
        name = row.get("name", "")
        if not kind or _GROUP.match(kind) or kind in _META_TYPES:
            continue
        if kind == "note" and name == "intro" and (settings.get("intro_zh") or settings.get("intro_en")):
            continue
        if not name:
            raise rd.fail("survey", k, f"type {kind!r}", "the row has no name.")
        lst: str | None
        m = _SELECT.match(kind)
        if m:
            kind, lst = f"select_{m.group(1)}", m.group(2)
            if lst not in lists:
                raise rd.fail("survey", k, f"item {name!r}", f"choice list {lst!r} is not on the choices sheet.")
        elif kind in _PLAIN_TYPES:
            lst = None
        else:
            raise rd.fail("survey", k, f"item {name!r}", f"question type {kind!r} is not supported by egovsem "
                          f"instruments (supported: select_one, select_multiple, {', '.join(sorted(_PLAIN_TYPES))}).")
        construct = row.get("construct", "") or None
        expected = row.get("expected", "")
        parsed.append(dict(
            row=k, name=name, kind=kind, lst=lst, text=_texts(row, "label", plain), construct=construct,
            reverse=_flag(rd, k, name, "reverse", row.get("reverse", "")),
            identifier=_flag(rd, k, name, "identifier", row.get("identifier", "")),
            expected=_int(rd, "survey", k, f"item {name!r} column 'expected'", expected) if expected else None,
            source=row.get("source", ""),
        ))
    scale_lists = {q["lst"] for q in parsed
                   if q["lst"] and q["kind"] == "select_one" and (q["construct"] or q["expected"] is not None)}
    scales = {n: Scale(n, tuple(c[0] for c in lists[n]), tuple(c[1] for c in lists[n]),
                       tuple(c[2] for c in lists[n])) for n in lists if n in scale_lists}
    items = []
    for q in parsed:
        is_scale = q["lst"] in scale_lists and q["kind"] == "select_one"
        items.append(Item(
            name=q["name"], type="scale" if is_scale else q["kind"], text_zh=q["text"].get("zh", ""),
            text_en=q["text"].get("en", ""), construct=q["construct"], scale=q["lst"] if is_scale else None,
            choices=() if is_scale or not q["lst"] else tuple(lists[q["lst"]]), reverse=q["reverse"],
            source=q["source"], expected=q["expected"], identifier=q["identifier"],
        ))
    title = settings.get("form_title") or settings.get("form_id") or p.stem
    inst = Instrument(
        title_zh=settings.get("title_zh") or (title if "zh" in langs else ""),
        title_en=settings.get("title_en") or (title if "en" in langs else ""),
        version=settings.get("version", ""), citation=settings.get("citation", ""),
        scales=scales, constructs=_constructs(rd, items, plain), items=tuple(items),
        missing_values=_missing_codes(rd, settings), missing_labels=_missing_labels(rd, plain),
        languages=langs, intro_zh=settings.get("intro_zh", ""), intro_en=settings.get("intro_en", ""),
        metadata=tuple(MetaColumn(r["name"], t.get("zh", ""), t.get("en", ""))
                       for _, r in rd.rows("metadata") for t in [_texts(r, "label", plain)]),
        source_path=rd.where,
    )
    return validate_instrument(inst)


def _header(rd: _Reader, sheet: str) -> list[str]:
    ws = rd.sheets[sheet]
    for r in ws.iter_rows(values_only=True):
        if any(v not in (None, "") for v in r):
            return ["" if v is None else str(v).strip() for v in r]
    return []


def _constructs(rd: _Reader, items: list[Item], plain: str) -> dict[str, Construct]:
    out: dict[str, Construct] = {}
    for _, r in rd.rows("constructs"):
        n, d = _texts(r, "name", plain), _texts(r, "definition", plain)
        out[r["code"]] = Construct(r["code"], n.get("zh", ""), n.get("en", ""), d.get("en", ""),
                                   d.get("zh", ""), r.get("seed_section", ""),
                                   marker=str(r.get("marker", "")).strip().lower() in ("yes", "true", "1"))
    for it in items:
        if it.construct and it.construct not in out and not rd.rows("constructs"):
            # a plain XLSForm names constructs by code only; the code serves as the name in both languages
            out[it.construct] = Construct(it.construct, it.construct, it.construct)
    return out


def _missing_codes(rd: _Reader, settings: dict[str, str]) -> tuple[int, ...]:
    raw = settings.get("missing_values", "")
    return tuple(_int(rd, "settings", 2, "missing_values", v) for v in re.split(r"[\s,;]+", raw) if v)


def _missing_labels(rd: _Reader, plain: str) -> dict[int, tuple[str, str]]:
    out = {}
    for k, r in rd.rows("missing_values"):
        t = _texts(r, "label", plain)
        out[_int(rd, "missing_values", k, "code", r.get("code", ""))] = (t.get("zh", ""), t.get("en", ""))
    return out
