"""JSON schema (draft 2020-12) of the instrument YAML format, checked with the jsonschema library.

The schema checks shape (keys, types, name patterns); what needs the whole file (duplicate names,
references to scales and constructs, translations) is checked by ``egovsem.instruments``.
"""
from __future__ import annotations

_TEXT = {
    "type": "object",
    "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
    "additionalProperties": False,
}
# names may be Chinese, as lavaan syntax and the data's columns allow (CJK Unified Ideographs)
_NAME = {"type": "string", "pattern": "^[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_.\u4e00-\u9fff-]*$"}
_CHOICE = {
    "type": "object",
    "required": ["value"],
    "properties": {"value": {"type": "integer"}, "zh": {"type": "string"}, "en": {"type": "string"}},
    "additionalProperties": False,
}

ITEM_TYPES = (
    "scale", "select_one", "select_multiple", "integer", "decimal", "text", "date", "note",
)

SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "egovsem instrument",
    "type": "object",
    "required": ["title", "version", "scales", "items"],
    "additionalProperties": False,
    "properties": {
        "title": _TEXT,
        "version": {"type": ["string", "number"]},
        "citation": {"type": "string"},
        "languages": {
            "type": "array", "items": {"enum": ["zh", "en"]}, "minItems": 1, "uniqueItems": True,
        },
        "intro": _TEXT,
        "missing_values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code"],
                "properties": {
                    "code": {"type": "integer"}, "zh": {"type": "string"}, "en": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
        "metadata": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": _NAME, "zh": {"type": "string"}, "en": {"type": "string"}},
                "additionalProperties": False,
            },
        },
        "scales": {
            "type": "object",
            "propertyNames": _NAME,
            "additionalProperties": {
                "type": "object",
                "required": ["choices"],
                "properties": {"choices": {"type": "array", "items": _CHOICE, "minItems": 2}},
                "additionalProperties": False,
            },
        },
        "constructs": {
            "type": "object",
            "propertyNames": _NAME,
            "additionalProperties": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": _TEXT, "definition": _TEXT, "seed_section": {"type": "string"},
                    # a marker scale: theoretically unrelated to the substantive constructs, measured only for
                    # common-method-bias checks (egovsem.measure.marker_cfa, lindell_whitney)
                    "marker": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
        },
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "text"],
                "additionalProperties": False,
                "properties": {
                    "name": _NAME,
                    "type": {"enum": list(ITEM_TYPES)},
                    "construct": {"type": ["string", "null"]},
                    "scale": {"type": ["string", "null"]},
                    "text": _TEXT,
                    "choices": {"type": "array", "items": _CHOICE, "minItems": 1},
                    "reverse": {"type": "boolean"},
                    "source": {"type": "string"},
                    "expected": {"type": ["integer", "null"]},
                    "identifier": {"type": "boolean"},
                },
            },
        },
    },
}
