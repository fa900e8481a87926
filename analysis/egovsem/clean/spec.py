"""What the cleaning step needs to know about an instrument, read once from its public attributes.

Only these attributes of an instrument are used (duck-typed, so an instrument imported from any XLSForm
works): ``missing_values``, ``scales`` (name -> object with ``values``, ``labels_zh``, ``labels_en``),
``items`` (questionnaire order; each with ``name, type, construct, scale, choices, reverse, expected,
identifier``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: item types that never have a data column (XLSForm structure and notes)
NO_DATA_TYPES = frozenset(
    {"note", "calculate", "begin_group", "end_group", "begin group", "end group", "begin_repeat",
     "end_repeat", "begin repeat", "end repeat", "start", "end", "today", "deviceid", "audit"}
)
NUMERIC_TYPES = frozenset({"integer", "decimal", "range"})


@dataclass(frozen=True)
class ItemRule:
    """How one item's cells are checked: ``kind`` is 'codes' (allowed values), 'integer', 'decimal',
    'multiple' (space-separated codes) or 'free' (not checked)."""

    name: str
    kind: str
    allowed: tuple = ()
    labels: dict = field(default_factory=dict)  # label text (zh or en) -> code
    describe: str = ""


@dataclass(frozen=True)
class InstrumentView:
    """The instrument as the cleaning step sees it (every list in questionnaire order)."""

    items: tuple[str, ...]            # items that have a data column
    rules: dict[str, ItemRule]
    scale_items: tuple[str, ...]      # items on a response scale, attention checks included
    attention: dict[str, Any]         # item -> expected answer
    identifiers: tuple[str, ...]
    reverse: dict[str, tuple[float, float]]  # item -> (scale min, scale max)
    constructs: dict[str, tuple[str, ...]]   # construct code -> its scale items
    missing_codes: tuple
    inferred_scale: tuple[str, ...] = ()  # single-choice items treated as scale items (see view())

    @property
    def content_items(self) -> tuple[str, ...]:
        """Scale items that are not attention checks."""
        return tuple(i for i in self.scale_items if i not in self.attention)


def _labels(pairs) -> dict:
    out = {}
    for code, *labels in pairs:
        for lab in labels:
            if isinstance(lab, str) and lab.strip():
                out[lab.strip()] = code
    return out


def _rating_lists(instrument) -> set[str]:
    """Single-choice items that look like rating items: where no item has a scale (an XLSForm's
    ``select_one agree`` items), those sharing one list of at least 4 consecutive integer codes with at
    least 2 other items. They get the careless-responding indices of scale items."""
    if any(getattr(it, "scale", None) for it in instrument.items):
        return set()
    groups: dict = {}
    for it in instrument.items:
        codes = tuple(c[0] for c in (getattr(it, "choices", None) or ()))
        if (getattr(it, "type", "") == "select_one" and len(codes) >= 4
                and all(isinstance(c, int) and not isinstance(c, bool) for c in codes)
                and sorted(codes) == list(range(min(codes), min(codes) + len(codes)))
                and not getattr(it, "identifier", False)):
            groups.setdefault(codes, []).append(it.name)
    return {name for names in groups.values() if len(names) >= 3 for name in names}


def view(instrument) -> InstrumentView:
    """Read an instrument (see the module docstring for the attributes used) into an InstrumentView."""
    scales = dict(getattr(instrument, "scales", {}) or {})
    rating = _rating_lists(instrument)
    items, rules, scale_items, attention, identifiers = [], {}, [], {}, []
    reverse: dict[str, Any] = {}
    constructs: dict[str, Any] = {}
    for it in instrument.items:
        itype = str(getattr(it, "type", "") or "").strip()
        if getattr(it, "identifier", False):
            identifiers.append(it.name)
            continue
        if itype in NO_DATA_TYPES:
            continue
        items.append(it.name)
        expected = getattr(it, "expected", None)
        if expected is not None:
            attention[it.name] = expected
        sname = getattr(it, "scale", None)
        if sname:
            sc = scales[sname]
            values = tuple(sc.values)
            lab = _labels(zip(values, getattr(sc, "labels_zh", ()) or (), getattr(sc, "labels_en", ()) or ()))
            rules[it.name] = ItemRule(it.name, "codes", values, lab,
                                      f"{_range(values)} (scale {sname})")
            scale_items.append(it.name)
            if getattr(it, "reverse", False):
                reverse[it.name] = (min(values), max(values))
            if getattr(it, "construct", None) and expected is None:
                constructs.setdefault(it.construct, []).append(it.name)
        elif itype in ("select_one", "select_multiple") and getattr(it, "choices", None):
            values = tuple(c[0] for c in it.choices)
            kind = "codes" if itype == "select_one" else "multiple"
            if it.name in rating:
                scale_items.append(it.name)
                if getattr(it, "construct", None) and expected is None:
                    constructs.setdefault(it.construct, []).append(it.name)
            rules[it.name] = ItemRule(it.name, kind, values, _labels(it.choices),
                                      f"one of {', '.join(map(str, values))}"
                                      if kind == "codes" else
                                      f"codes {', '.join(map(str, values))} separated by spaces")
        elif itype == "integer":
            rules[it.name] = ItemRule(it.name, "integer", describe="a whole number")
        elif itype in NUMERIC_TYPES:
            rules[it.name] = ItemRule(it.name, "decimal", describe="a number")
        else:
            rules[it.name] = ItemRule(it.name, "free")
    return InstrumentView(
        items=tuple(items), rules=rules, scale_items=tuple(scale_items), attention=attention,
        identifiers=tuple(identifiers), reverse=reverse,
        constructs={k: tuple(v) for k, v in constructs.items()},
        missing_codes=tuple(getattr(instrument, "missing_values", ()) or ()),
        inferred_scale=tuple(i for i in scale_items if i in rating),
    )


def _range(values) -> str:
    vals = list(values)
    if len(vals) > 2 and all(isinstance(v, int) for v in vals) and vals == list(range(vals[0], vals[-1] + 1)):
        return f"one of {vals[0]}..{vals[-1]}"
    return f"one of {', '.join(map(str, vals))}"
