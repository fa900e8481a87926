"""The instrument YAML format: read (schema-checked, duplicate keys refused) and write.

Public through :mod:`egovsem.instruments` (``load_instrument``, ``write_yaml``, ``instrument_from_dict``,
``instrument_to_dict``); the JSON schema is in ``egovsem.instruments.schema``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .._errors import EgovsemError, InstrumentError
from .checks import join_errors, validate_instrument
from .model import INLINE_SOURCE, STUDY_FILE, Construct, Instrument, Item, MetaColumn, Scale


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate mapping keys (PyYAML keeps the last one silently)."""

    egov_path: str = ""  # the file being read, for messages


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise InstrumentError(
                f"{getattr(loader, 'egov_path', INLINE_SOURCE)}: line {key_node.start_mark.line + 1}: "
                f"the key {key!r} appears twice."
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path | None) -> tuple[dict, str]:
    if path is None:
        ref = resources.files("egovsem.study_instruments").joinpath(STUDY_FILE)
        text, where = ref.read_text(encoding="utf-8"), f"instruments/{STUDY_FILE}"
    else:
        p = Path(path)
        where = str(p)
        if p.is_dir():
            raise InstrumentError(f"{where}: the instrument path is a folder, not a file.")
        if not p.is_file():
            raise InstrumentError(f"{where}: the instrument file does not exist.")
        from ..io import read_text

        try:
            text = read_text(p, what="instrument file")
        except EgovsemError as exc:
            raise InstrumentError(str(exc)) from None
    loader = _UniqueKeyLoader(text)
    loader.egov_path = where
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{where}: not valid YAML: {' '.join(str(exc).split())}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise InstrumentError(f"{where}: an instrument file must be a YAML mapping (title, scales, items).")
    return data, where


def _schema_errors(data: dict, where: str) -> list[str]:
    import jsonschema

    from .schema import SCHEMA

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
    where = source_path or INLINE_SOURCE
    errors = _schema_errors(dict(data), where)
    if errors:
        raise InstrumentError(join_errors(errors))
    scales = {}
    for name, sc in data["scales"].items():
        ch = _choices(sc["choices"])
        scales[name] = Scale(name, tuple(c[0] for c in ch), tuple(c[1] for c in ch), tuple(c[2] for c in ch))
    constructs = {
        code: Construct(
            code, c["name"].get("zh", ""), c["name"].get("en", ""),
            definition_en=c.get("definition", {}).get("en", ""),
            definition_zh=c.get("definition", {}).get("zh", ""),
            seed_section=c.get("seed_section", ""), marker=bool(c.get("marker", False)),
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
        if c.marker:
            cd["marker"] = True
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
            values, zh, en = zip(*it.choices)
            row["choices"] = _choice_dicts(values, zh, en, L)
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
