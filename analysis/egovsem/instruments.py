"""Questionnaires as data: a frozen, bilingual (zh-CN / en) :class:`Instrument` read from YAML.

An instrument file (``instruments/*.yaml``) holds the title, version and citation, the response scales,
the constructs, and the items in questionnaire order, each with its text in Chinese and English, the
construct it measures, whether it is reverse-keyed, and the scale it adapts. The file is checked against a
JSON schema and then as a whole (duplicate names, undefined constructs or scales, missing translations,
reverse flags on non-scale items); every error names the file, the item and the problem.

From an Instrument: an XLSForm for ODK/KoboToolbox (:func:`to_xlsform`), a printable questionnaire
(:func:`to_docx`, :func:`to_html`), a codebook (:func:`codebook`, :func:`write_codebook`) and YAML
(:func:`write_yaml`). :func:`read_xlsform` reads any XLSForm back into an Instrument.

Examples
--------
>>> inst = load_instrument()
>>> inst.construct_items("TG")
['TG1', 'TG2', 'TG3', 'TG4']
>>> inst.item("TG4").reverse, inst.scales["agree5"].max
(True, 5)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd
import yaml

from ._errors import InstrumentError

__all__ = [
    "Scale", "Construct", "Item", "MetaColumn", "Instrument", "load_instrument", "instrument_from_dict",
    "instrument_to_dict", "validate_instrument", "check_instrument", "write_yaml", "read_xlsform",
    "to_xlsform", "to_docx", "to_html", "codebook", "write_codebook", "InstrumentError",
]

#: languages an instrument can carry, with the names used in XLSForm column headers
LANGUAGES = {"zh": "Chinese (zh)", "en": "English (en)"}
#: the bundled study questionnaire (package egovsem.study_instruments, directory instruments/)
STUDY_FILE = "egov_study.yaml"
_INLINE = "<instrument>"


@dataclass(frozen=True)
class Scale:
    """A response scale: integer values with a Chinese and an English label each.

    Examples
    --------
    >>> s = Scale("yesno", (0, 1), ("否", "是"), ("No", "Yes"))
    >>> s.min, s.max, s.label(1, "zh")
    (0, 1, '是')
    """

    name: str
    values: tuple[int, ...]
    labels_zh: tuple[str, ...]
    labels_en: tuple[str, ...]

    @property
    def min(self) -> int:
        return min(self.values)

    @property
    def max(self) -> int:
        return max(self.values)

    def label(self, value: int, lang: str = "en") -> str:
        """The label of ``value`` in ``lang`` ("zh" or "en")."""
        labels = self.labels_zh if lang == "zh" else self.labels_en
        return labels[self.values.index(value)]


@dataclass(frozen=True)
class Construct:
    """A latent construct measured by several items (``seed_section`` says where its idea comes from)."""

    code: str
    name_zh: str
    name_en: str
    definition_en: str = ""
    definition_zh: str = ""
    seed_section: str = ""


@dataclass(frozen=True)
class Item:
    """One question of the questionnaire.

    ``type`` is "scale" (answered on ``scale``), "select_one" / "select_multiple" (own ``choices``, tuples
    of (value, label_zh, label_en)), "integer", "decimal", "text", "date", or "note" (text only, no answer).
    ``expected`` is the instructed answer of an attention check; ``identifier`` marks personal data.
    """

    name: str
    type: str
    text_zh: str = ""
    text_en: str = ""
    construct: str | None = None
    scale: str | None = None
    choices: tuple[tuple[int, str, str], ...] = ()
    reverse: bool = False
    source: str = ""
    expected: int | None = None
    identifier: bool = False

    def text(self, lang: str = "en") -> str:
        """The item text in ``lang`` ("zh" or "en")."""
        return self.text_zh if lang == "zh" else self.text_en


@dataclass(frozen=True)
class MetaColumn:
    """A column the survey platform adds to the data (respondent id, duration, time stamp); not an item."""

    name: str
    label_zh: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class Instrument:
    """A questionnaire: metadata, scales, constructs and items in questionnaire order.

    The ``scales`` and ``constructs`` dicts are read-only by convention; build a new Instrument
    (``dataclasses.replace``) to change one.

    Examples
    --------
    >>> inst = load_instrument()
    >>> [i.name for i in inst.attention_checks()], inst.item("ATT1").expected
    (['ATT1'], 4)
    >>> [i.name for i in inst.identifiers()]
    ['phone']
    >>> inst.missing_values
    (-99, -98)
    """

    title_zh: str
    title_en: str
    version: str
    scales: dict[str, Scale]
    constructs: dict[str, Construct]
    items: tuple[Item, ...]
    citation: str = ""
    missing_values: tuple[int, ...] = ()
    missing_labels: dict[int, tuple[str, str]] = field(default_factory=dict)
    languages: tuple[str, ...] = ("zh", "en")
    intro_zh: str = ""
    intro_en: str = ""
    metadata: tuple[MetaColumn, ...] = ()
    source_path: str | None = field(default=None, compare=False)

    def title(self, lang: str = "en") -> str:
        """The title in ``lang`` ("zh" or "en")."""
        return self.title_zh if lang == "zh" else self.title_en

    def item(self, name: str) -> Item:
        """The item called ``name``; raises InstrumentError naming the file if there is none."""
        for it in self.items:
            if it.name == name:
                return it
        raise InstrumentError(f"{self._where()}: there is no item {name!r}.")

    def scale_items(self) -> tuple[Item, ...]:
        """Items answered on a scale, in questionnaire order (attention checks included)."""
        return tuple(it for it in self.items if it.scale is not None)

    def construct_items(self, code: str) -> list[str]:
        """Names of the items measuring construct ``code``, in questionnaire order."""
        if code not in self.constructs:
            raise InstrumentError(
                f"{self._where()}: there is no construct {code!r}; "
                f"constructs are {', '.join(self.constructs)}."
            )
        return [it.name for it in self.items if it.construct == code]

    def attention_checks(self) -> tuple[Item, ...]:
        """Items with an instructed (``expected``) answer."""
        return tuple(it for it in self.items if it.expected is not None)

    def identifiers(self) -> tuple[Item, ...]:
        """Items holding personal data (``identifier: true``), to drop before sharing data."""
        return tuple(it for it in self.items if it.identifier)

    def data_items(self) -> tuple[Item, ...]:
        """Items that make a data column (every item but notes)."""
        return tuple(it for it in self.items if it.type != "note")

    def reverse_items(self) -> tuple[Item, ...]:
        """Reverse-keyed items (recode as ``min + max - x`` of their scale)."""
        return tuple(it for it in self.items if it.reverse)

    def _where(self) -> str:
        return self.source_path or _INLINE


# ---------------------------------------------------------------------------------------------------
# reading and writing YAML


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate mapping keys (PyYAML keeps the last one silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise InstrumentError(
                f"{getattr(loader, 'egov_path', _INLINE)}: line {key_node.start_mark.line + 1}: "
                f"the key {key!r} appears twice."
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path | None) -> tuple[dict, str]:
    if path is None:
        ref = resources.files("egovsem.study_instruments").joinpath(STUDY_FILE)
        text, where = ref.read_text(encoding="utf-8"), f"instruments/{STUDY_FILE}"
    else:
        p = Path(path)
        where = str(p)
        if not p.is_file():
            raise InstrumentError(f"{where}: the instrument file does not exist.")
        text = p.read_text(encoding="utf-8")
    loader = _UniqueKeyLoader(text)
    loader.egov_path = where
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{where}: not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise InstrumentError(f"{where}: an instrument file must be a YAML mapping (title, scales, items).")
    return data, where


def load_instrument(path: str | Path | None = None) -> Instrument:
    """Read and check an instrument YAML file (``None``: the bundled study questionnaire).

    Parameters
    ----------
    path : str or Path, optional
        A YAML file in the format of ``instruments/egov_study.yaml``; an ``.xlsx`` is read as XLSForm.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError
        Listing every problem found, each naming the file and the item.

    Examples
    --------
    >>> inst = load_instrument()
    >>> len(inst.constructs), len(inst.scale_items())
    (13, 53)
    >>> inst.item("PV4").text_en
    'Using online government services is not worth the effort it takes.'
    """
    if path is not None and Path(path).suffix.lower() in (".xlsx", ".xls"):
        return read_xlsform(path)
    data, where = _read_yaml(None if path is None else Path(path))
    return instrument_from_dict(data, source_path=where)


def _schema_errors(data: dict, where: str) -> list[str]:
    import jsonschema

    from ._instrument_schema import SCHEMA

    validator = jsonschema.Draft202012Validator(SCHEMA)
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        loc = list(err.absolute_path)
        what = "/".join(map(str, loc)) or "top level"
        if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
            raw = data["items"][loc[1]]
            name = raw.get("name") if isinstance(raw, dict) else None
            what = f"item {name!r} (items[{loc[1]}]" + "".join(f"/{x}" for x in loc[2:]) + ")"
        out.append(f"{where}: {what}: {err.message}")
    return out


def _choices(raw: Iterable[Mapping]) -> tuple[tuple[int, str, str], ...]:
    return tuple((int(c["value"]), c.get("zh", ""), c.get("en", "")) for c in raw)


def instrument_from_dict(data: Mapping[str, Any], *, source_path: str | None = None) -> Instrument:
    """Build and check an Instrument from the parsed YAML structure (see :func:`load_instrument`)."""
    where = source_path or _INLINE
    errors = _schema_errors(dict(data), where)
    if errors:
        raise InstrumentError(_join(errors))
    scales = {}
    for name, sc in data["scales"].items():
        ch = _choices(sc["choices"])
        scales[name] = Scale(name, tuple(c[0] for c in ch), tuple(c[1] for c in ch), tuple(c[2] for c in ch))
    constructs = {
        code: Construct(
            code, c["name"].get("zh", ""), c["name"].get("en", ""),
            definition_en=c.get("definition", {}).get("en", ""),
            definition_zh=c.get("definition", {}).get("zh", ""),
            seed_section=c.get("seed_section", ""),
        )
        for code, c in (data.get("constructs") or {}).items()
    }
    items = []
    for raw in data["items"]:
        kind = raw.get("type") or ("scale" if raw.get("scale") else "")
        items.append(Item(
            name=raw["name"], type=kind, text_zh=raw["text"].get("zh", ""), text_en=raw["text"].get("en", ""),
            construct=raw.get("construct"), scale=raw.get("scale"), choices=_choices(raw.get("choices", ())),
            reverse=bool(raw.get("reverse", False)), source=raw.get("source", ""),
            expected=raw.get("expected"), identifier=bool(raw.get("identifier", False)),
        ))
    missing = data.get("missing_values") or []
    inst = Instrument(
        title_zh=data["title"].get("zh", ""), title_en=data["title"].get("en", ""),
        version=str(data["version"]), citation=data.get("citation", ""),
        scales=scales, constructs=constructs, items=tuple(items),
        missing_values=tuple(int(m["code"]) for m in missing),
        missing_labels={int(m["code"]): (m.get("zh", ""), m.get("en", "")) for m in missing},
        languages=tuple(data.get("languages") or ("zh", "en")),
        intro_zh=data.get("intro", {}).get("zh", ""), intro_en=data.get("intro", {}).get("en", ""),
        metadata=tuple(MetaColumn(m["name"], m.get("zh", ""), m.get("en", "")) for m in data.get("metadata", ())),
        source_path=source_path,
    )
    validate_instrument(inst)
    return inst


def _join(errors: list[str]) -> str:
    if len(errors) == 1:
        return errors[0]
    return f"{len(errors)} problems:\n" + "\n".join(f"  - {e}" for e in errors)


def _instrument_errors(inst: Instrument) -> list[str]:
    """Hard errors: what makes the instrument unusable or ambiguous."""
    where = inst._where()
    errs: list[str] = []
    langs = inst.languages

    def need(text: str, lang: str, what: str) -> None:
        if lang in langs and not (text or "").strip():
            errs.append(f"{where}: {what}: missing translation ({lang}).")

    for lang in langs:
        need(inst.title(lang), lang, "title")
    for code, lab in inst.missing_labels.items():
        for k, lang in enumerate(("zh", "en")):
            need(lab[k], lang, f"missing-value code {code}")
    for sc in inst.scales.values():
        if len(set(sc.values)) != len(sc.values):
            errs.append(f"{where}: scale {sc.name!r}: duplicate values {list(sc.values)}.")
        for v, z, e in zip(sc.values, sc.labels_zh, sc.labels_en):
            need(z, "zh", f"scale {sc.name!r} value {v}")
            need(e, "en", f"scale {sc.name!r} value {v}")
    for c in inst.constructs.values():
        need(c.name_zh, "zh", f"construct {c.code!r}")
        need(c.name_en, "en", f"construct {c.code!r}")
    seen: set[str] = set()
    for it in inst.items:
        at = f"{where}: item {it.name!r}"
        if it.name in seen:
            errs.append(f"{at}: duplicate item name (each name is a data column and must be unique).")
        seen.add(it.name)
        need(it.text_zh, "zh", f"item {it.name!r}")
        need(it.text_en, "en", f"item {it.name!r}")
        if it.construct is not None and it.construct not in inst.constructs:
            errs.append(f"{at}: construct {it.construct!r} is not defined "
                        f"(constructs: {', '.join(inst.constructs) or 'none'}).")
        if it.type == "scale":
            if it.scale is None:
                errs.append(f"{at}: a scale item needs a scale.")
            elif it.scale not in inst.scales:
                errs.append(f"{at}: scale {it.scale!r} is not defined (scales: {', '.join(inst.scales) or 'none'}).")
        elif it.scale is not None:
            errs.append(f"{at}: only scale items take a scale; this item is {it.type!r}.")
        if it.reverse and it.type != "scale":
            errs.append(f"{at}: reverse flag on a non-scale item (type {it.type!r}); only scale items can be reverse-keyed.")
        if it.construct is not None and it.type != "scale":
            errs.append(f"{at}: only scale items measure a construct; this item is {it.type!r}.")
        if it.type in ("select_one", "select_multiple"):
            if not it.choices:
                errs.append(f"{at}: a {it.type} item needs choices.")
            for v, z, e in it.choices:
                need(z, "zh", f"item {it.name!r} choice {v}")
                need(e, "en", f"item {it.name!r} choice {v}")
        elif it.choices:
            errs.append(f"{at}: only select_one / select_multiple items take choices.")
        if it.expected is not None:
            sc = inst.scales.get(it.scale or "")
            allowed = sc.values if sc else tuple(c[0] for c in it.choices)
            if it.expected not in allowed:
                errs.append(f"{at}: expected answer {it.expected} is not one of the values {list(allowed)}.")
    for m in inst.metadata:
        if m.name in seen:
            errs.append(f"{where}: metadata column {m.name!r} has the name of an item.")
        need(m.label_zh, "zh", f"metadata column {m.name!r}")
        need(m.label_en, "en", f"metadata column {m.name!r}")
    return errs


def validate_instrument(inst: Instrument) -> Instrument:
    """Return ``inst`` if it is consistent; else raise InstrumentError listing every problem."""
    errs = _instrument_errors(inst)
    if errs:
        raise InstrumentError(_join(errs))
    return inst


#: zh characters that negate; two in one item suggest a double negative
_ZH_NEG = ("不", "没", "无", "非", "未")


def _advice(inst: Instrument) -> list[str]:
    """Soft problems: the instrument is usable, but a reviewer would ask about these."""
    where = inst._where()
    out = []
    for code in inst.constructs:
        names = [it for it in inst.items if it.construct == code]
        if len(names) < 3:
            out.append(f"{where}: construct {code!r}: only {len(names)} item(s); 3 or more are needed.")
    if inst.scale_items() and not inst.attention_checks():
        out.append(f"{where}: no attention check (an item with 'expected').")
    if inst.constructs and not inst.reverse_items():
        out.append(f"{where}: no reverse-keyed item; careless responding will not show.")
    for it in inst.scale_items():
        at = f"{where}: item {it.name!r}"
        if not it.source.strip():
            out.append(f"{at}: no source (cite the scale it adapts, or 'new, after ...').")
        if "zh" in inst.languages and len(it.text_zh) > 40:
            out.append(f"{at}: the Chinese text has {len(it.text_zh)} characters; keep items short (<= 40).")
        if "en" in inst.languages and len(it.text_en.split()) > 25:
            out.append(f"{at}: the English text has {len(it.text_en.split())} words; keep items short (<= 25).")
        if "zh" in inst.languages and sum(it.text_zh.replace("非常", "").count(ch) for ch in _ZH_NEG) >= 2:
            out.append(f"{at}: the Chinese text has two negations; check for a double negative.")
    return out


def check_instrument(path: str | Path | None) -> list[str]:
    """Check an instrument file (YAML or XLSForm): raise on errors, return a list of softer problems.

    Raises
    ------
    InstrumentError
        If the file cannot be used (schema, duplicates, undefined references, missing translations).

    Examples
    --------
    >>> check_instrument(None)
    []
    """
    return _advice(load_instrument(path))


def _text(zh: str, en: str, langs: tuple[str, ...]) -> dict:
    return {k: v for k, v in (("zh", zh), ("en", en)) if k in langs}


def _choice_dicts(values, zh, en, langs) -> list[dict]:
    return [{"value": int(v), **_text(z, e, langs)} for v, z, e in zip(values, zh, en)]


def instrument_to_dict(inst: Instrument) -> dict:
    """The YAML structure of ``inst`` (the inverse of :func:`instrument_from_dict`)."""
    L = inst.languages
    d: dict[str, Any] = {
        "title": _text(inst.title_zh, inst.title_en, L), "version": inst.version, "languages": list(L),
    }
    if inst.citation:
        d["citation"] = inst.citation
    if inst.intro_zh or inst.intro_en:
        d["intro"] = _text(inst.intro_zh, inst.intro_en, L)
    if inst.missing_values:
        d["missing_values"] = [
            {"code": c, **_text(*inst.missing_labels.get(c, ("", "")), L)} for c in inst.missing_values
        ]
        for m in d["missing_values"]:
            for k in [k for k in ("zh", "en") if k in m and not m[k]]:
                del m[k]
    if inst.metadata:
        d["metadata"] = [{"name": m.name, **_text(m.label_zh, m.label_en, L)} for m in inst.metadata]
    d["scales"] = {
        s.name: {"choices": _choice_dicts(s.values, s.labels_zh, s.labels_en, L)} for s in inst.scales.values()
    }
    cons = {}
    for c in inst.constructs.values():
        cd: dict[str, Any] = {"name": _text(c.name_zh, c.name_en, L)}
        if c.definition_zh or c.definition_en:
            cd["definition"] = _text(c.definition_zh, c.definition_en, L)
        if c.seed_section:
            cd["seed_section"] = c.seed_section
        cons[c.code] = cd
    if cons:
        d["constructs"] = cons
    items = []
    for it in inst.items:
        row: dict[str, Any] = {"name": it.name, "type": it.type}
        if it.construct:
            row["construct"] = it.construct
        if it.scale:
            row["scale"] = it.scale
        row["text"] = _text(it.text_zh, it.text_en, L)
        if it.choices:
            row["choices"] = _choice_dicts(*zip(*it.choices), L)
        if it.reverse:
            row["reverse"] = True
        if it.expected is not None:
            row["expected"] = int(it.expected)
        if it.identifier:
            row["identifier"] = True
        if it.source:
            row["source"] = it.source
        items.append(row)
    d["items"] = items
    return d


def write_yaml(inst: Instrument, path: str | Path) -> Path:
    """Write ``inst`` as an instrument YAML file (UTF-8, Chinese kept readable); return the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "copy.yaml"
    >>> load_instrument(write_yaml(load_instrument(), out)) == load_instrument()
    True
    """
    validate_instrument(inst)
    p = Path(path)
    text = yaml.safe_dump(instrument_to_dict(inst), allow_unicode=True, sort_keys=False, width=110)
    p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------------------------------------------
# codebook


def _label(zh: str, en: str, lang: str) -> str:
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return " / ".join(x for x in (zh, en) if x)


def _values_text(pairs: Iterable[tuple[int, str, str]], lang: str) -> str:
    return "; ".join(f"{v} = {_label(z, e, lang)}" for v, z, e in pairs)


def codebook(inst: Instrument, *, lang: str = "en") -> pd.DataFrame:
    """One row per data column: variable, label, values, reverse, construct (then type, source, identifier).

    Notes are left out; the platform's metadata columns (id, duration, submitted) come last.

    Examples
    --------
    >>> cb = codebook(load_instrument())
    >>> cb.loc[cb.variable == "TG4", ["reverse", "construct"]].values.tolist()
    [[True, 'TG']]
    >>> cb.loc[cb.variable == "resp_type", "values"].item()
    '1 = Citizen; 2 = Firm; 3 = Other organisation'
    """
    from ._errors import check_option

    lang = check_option("lang", lang, ["zh", "en", "both"])
    rows = []
    for it in inst.data_items():
        if it.scale is not None:
            sc = inst.scales[it.scale]
            values = _values_text(zip(sc.values, sc.labels_zh, sc.labels_en), lang)
        else:
            values = _values_text(it.choices, lang) if it.choices else ""
        rows.append({
            "variable": it.name, "label": _label(it.text_zh, it.text_en, lang), "values": values,
            "reverse": it.reverse, "construct": it.construct or "", "type": it.type,
            "source": it.source, "identifier": it.identifier,
        })
    for m in inst.metadata:
        rows.append({
            "variable": m.name, "label": _label(m.label_zh, m.label_en, lang), "values": "",
            "reverse": False, "construct": "", "type": "metadata", "source": "", "identifier": False,
        })
    return pd.DataFrame(rows, columns=["variable", "label", "values", "reverse", "construct", "type",
                                       "source", "identifier"])


def write_codebook(inst: Instrument, path: str | Path, *, lang: str = "en") -> Path:
    """Write the codebook to ``path``: ``.csv`` (UTF-8 with BOM, opens in Excel) or ``.md``."""
    from ._questionnaire_doc import codebook_markdown

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        codebook(inst, lang=lang).to_csv(p, index=False, encoding="utf-8-sig")
    elif suffix == ".md":
        p.write_text(codebook_markdown(inst, codebook(inst, lang=lang), lang), encoding="utf-8")
    else:
        raise InstrumentError(f"{p}: a codebook is written as .csv or .md, not {suffix or 'no suffix'!r}.")
    return p


# ---------------------------------------------------------------------------------------------------
# XLSForm and printable questionnaires (in helper modules, imported on use)


def read_xlsform(path: str | Path) -> Instrument:
    """Read an XLSForm (only type/name/label are required) into an Instrument; see ``egovsem._xlsform``."""
    from ._xlsform import read_xlsform as _read

    return _read(path)


def to_xlsform(inst: Instrument, path: str | Path) -> Path:
    """Write ``inst`` as an XLSForm ``.xlsx`` that pyxform's xls2xform converts; see ``egovsem._xlsform``."""
    from ._xlsform import write_xlsform

    return write_xlsform(inst, path)


def to_docx(inst: Instrument, path: str | Path, lang: str = "both") -> Path:
    """Write a printable Word questionnaire ("zh", "en" or "both" languages)."""
    from ._questionnaire_doc import write_docx

    return write_docx(inst, path, lang=lang)


def to_html(inst: Instrument, path: str | Path, lang: str = "both") -> Path:
    """Write a printable HTML questionnaire ("zh", "en" or "both" languages)."""
    from ._questionnaire_doc import write_html

    return write_html(inst, path, lang=lang)
