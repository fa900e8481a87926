"""Bilingual construct names given to the builders (a mapping or an instrument) and label look-up helpers."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["construct_labels", "resolve_labels", "hypothesis_name", "abbreviations"]


def construct_labels(instrument) -> dict[str, tuple[str, str]]:
    """``{code: (name_en, name_zh)}`` of an instrument's constructs (the builders never load one themselves;
    :func:`egovsem.instruments.study_labels` gives the bundled study questionnaire's names).

    >>> from egovsem.instruments import load_instrument
    >>> construct_labels(load_instrument())["PV"]
    ('Perceived value', '感知价值')
    """
    return {code: (c.name_en, c.name_zh) for code, c in instrument.constructs.items()}


def resolve_labels(labels: Any) -> dict[str, tuple[str, str]]:
    """Normalise the ``labels`` argument of the builders.

    ``None``, ``False`` or ``{}`` use no names (codes only; the builders do not load the bundled questionnaire,
    pass ``labels=egovsem.instruments.study_labels()`` for its names); a mapping gives ``code -> "name"`` (both
    languages) or ``code -> (name_en, name_zh)``; an Instrument gives its constructs.

    >>> resolve_labels({"A": "Alpha", "B": ("Beta", "乙")})
    {'A': ('Alpha', 'Alpha'), 'B': ('Beta', '乙')}
    """
    if labels is None or labels is False:
        return {}
    if hasattr(labels, "constructs"):
        return construct_labels(labels)
    if not isinstance(labels, Mapping):
        raise TypeError(f"The 'labels' parameter must be a mapping code -> name or (name_en, name_zh). "
                        f"Got {type(labels).__name__} instead.")
    out = {}
    for k, v in labels.items():
        if isinstance(v, str):
            out[str(k)] = (v, v)
        elif isinstance(v, (tuple, list)) and len(v) == 2:
            out[str(k)] = (str(v[0]), str(v[1]))
        else:
            raise TypeError(f"The 'labels' parameter gives {k!r} the value {v!r}; use a str or (name_en, name_zh).")
    return out


_HYP = re.compile(r"^h(\d+[a-z]?)$", re.I)


def hypothesis_name(label: str) -> str:
    """``h9a`` -> ``H9a``; other labels unchanged.

    >>> hypothesis_name("h9a"), hypothesis_name("ind_puv"), hypothesis_name("")
    ('H9a', 'ind_puv', '')
    """
    m = _HYP.match(label or "")
    return f"H{m.group(1)}" if m else (label or "")


def abbreviations(codes, labels: Mapping[str, tuple[str, str]]) -> tuple[str, str]:
    """The abbreviation sentence of a table note, ``("SG = service guide; ...", "SG = 服务先导；...")``.

    >>> abbreviations(["PV", "X"], {"PV": ("Perceived value", "感知价值")})
    ('PV = perceived value.', 'PV = 感知价值。')
    """
    known = [c for c in dict.fromkeys(codes) if c in labels]
    if not known:
        return ("", "")
    en = "; ".join(f"{c} = {_lower_first(labels[c][0])}" for c in known) + "."
    zh = "；".join(f"{c} = {labels[c][1]}" for c in known) + "。"
    return en, zh


def _lower_first(s: str) -> str:
    # "Trust in government" -> "trust in government"; keep acronyms such as "HTMT" or "E-government"
    if len(s) > 1 and s[0].isupper() and not s[1].isupper():
        return s[0].lower() + s[1:]
    return s
