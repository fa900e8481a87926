"""Consistency checks of an Instrument: hard errors (validate_instrument) and softer advice.

Every message names the file (or ``<instrument>`` for one built in memory), the item and the problem.
"""
from __future__ import annotations

from .._errors import InstrumentError
from .model import Instrument


def join_errors(errors: list[str]) -> str:
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
            isc = inst.scales.get(it.scale or "")
            allowed = isc.values if isc else tuple(c[0] for c in it.choices)
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
        raise InstrumentError(join_errors(errs))
    return inst


#: zh characters that negate; two in one item suggest a double negative
_ZH_NEG = ("不", "没", "无", "非", "未")


def instrument_advice(inst: Instrument) -> list[str]:
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
