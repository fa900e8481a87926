"""Check a raw export against the instrument, cell by cell.

Each cell of an item column is read as text or number and then:

1. blank text (spaces only) becomes missing;
2. an instrument missing-value code (e.g. -99), a user-missing code declared in an SPSS file, or a
   platform's marker for a skipped question (:data:`PLATFORM_MISSING`, e.g. ``(跳过)``) becomes missing;
3. a scale or single-choice answer must be one of the allowed codes; an answer written as the code's
   label (zh or en, e.g. ``同意`` or ``Agree``) becomes the code; full-width digits count as digits;
4. an integer item needs a whole number, a decimal item a number, a multiple-choice item allowed codes
   separated by spaces; text (and date, ...) items are not checked;
5. anything else is invalid.

Every change of a value (steps 1-3, commas between multiple-choice codes, and invalid cells set missing)
is one audit row. Invalid cells stop
the run with ``invalid="error"`` (the error lists every cell: respondent id, column, value, what is
allowed) or become missing with ``invalid="missing"``.

What the audit and the messages show of a value (:func:`safe_value`): values the instrument defines (its
missing codes, labels, allowed codes, platform markers, blanks) and short numbers (at most 4 characters,
such as ``6`` or ``45.5``) as they were typed; anything else only as a description, never the value
itself: ``e-mail address (18 chars)``, ``phone-number-like (11 digits)``, ``number (7 chars)``,
``non-numeric text (12 chars)``. A phone number or e-mail address typed into a Likert cell therefore
never reaches audit.csv, the report or an error message.

The duration column is read as seconds: a number, or text such as ``125秒``, ``2分5秒``, ``00:02:05``
(Wenjuanxing and other platforms write these); anything else becomes missing with an audit row.

Every checked item (scale, choice, number) needs a column: a missing one is an error naming it. An
unchecked item (text, date, ...) may have no column (exports often leave out empty free-text
questions); it is listed in ``Validated.absent`` and in the report. Identifier items never need one.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._errors import DataError, check_option
from .audit import AUDIT_COLUMNS
from .spec import InstrumentView

INVALID_OPTIONS = ("error", "missing")
#: text survey platforms write for a question not shown or not answered (Wenjuanxing: "(跳过)", "(空)")
PLATFORM_MISSING = frozenset({"(跳过)", "(空)", "跳过"})


class InvalidDataError(DataError):
    """Cells of the raw export are not allowed by the instrument; ``cells`` lists every one."""

    def __init__(self, message: str, cells: pd.DataFrame):
        super().__init__(message)
        self.cells = cells


@dataclass(frozen=True)
class Validated:
    data: pd.DataFrame        # id, item columns (typed), duration; other columns left out
    audit: pd.DataFrame       # one row per changed cell
    invalid: pd.DataFrame     # row, id, column, value (as safe_value shows it), allowed
    renamed: dict             # raw column -> item name matched ignoring case and spaces
    dropped: tuple            # raw columns that are neither id, duration nor instrument items
    absent: tuple = ()        # unchecked items (text, date, ...) without a column


def _number(v):
    """``v`` as a float if it is a number or text of a number; else None."""
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


_DURATION = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)\s*(?:小时|时|h|hours?)\s*)?(?:(?P<m>\d+(?:\.\d+)?)\s*(?:分钟|分|min|minutes?|m)\s*)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:秒钟|秒|s|sec|seconds?)?)?$", re.IGNORECASE)


def seconds(v) -> float | None:
    """A completion time in seconds: a number, ``125秒``, ``2分5秒``, ``1h 2min``, ``00:02:05`` or ``2:05``.

    >>> [seconds(x) for x in (125, "125秒", "2分5秒", "00:02:05", "2:05", "1 min 5 s", "abc")]
    [125.0, 125.0, 125.0, 125.0, 125.0, 65.0, None]
    """
    if not isinstance(v, str):
        return _number(v)
    t = unicodedata.normalize("NFKC", v).strip()
    if t == "":
        return None
    if _number(t) is not None:
        return _number(t)
    if re.fullmatch(r"\d+(?::\d{1,2}){1,2}(?:\.\d+)?", t):
        total = 0.0
        for part in t.split(":"):
            total = total * 60 + float(part)
        return total
    m = _DURATION.match(t)
    if m and any(m.group(g) for g in ("h", "m", "s")):
        return sum(float(m.group(g) or 0) * k for g, k in (("h", 3600), ("m", 60), ("s", 1)))
    return None


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE_CHARS = re.compile(r"[\s\-().+/]")


def describe_value(v) -> str:
    """What a value is, without the value: ``e-mail address (18 chars)``, ``phone-number-like (11 digits)``,
    ``number (7 chars)`` or ``non-numeric text (12 chars)``.

    >>> [describe_value(x) for x in ("ann@example.org", "+86 138-1234-5678", 12345.5, "很同意")]
    ['e-mail address (15 chars)', 'phone-number-like (13 digits)', 'number (7 chars)', 'non-numeric text (3 chars)']
    """
    t = unicodedata.normalize("NFKC", cell_text(v)).strip()
    if _EMAIL.search(t):
        return f"e-mail address ({len(t)} chars)"
    digits = _PHONE_CHARS.sub("", t)
    if digits.isdigit() and len(digits) >= 7:
        return f"phone-number-like ({len(digits)} digits)"
    if _number(t) is not None:
        return f"number ({len(t)} chars)"
    return f"non-numeric text ({len(t)} chars)"


def safe_value(v) -> str:
    """A cell as the audit and messages may show it: a short number (at most 4 characters without the
    sign, e.g. ``6``, ``-98``, ``45.5``) as typed, anything else described (:func:`describe_value`)."""
    t = cell_text(v)
    core = unicodedata.normalize("NFKC", t).strip().lstrip("+-")
    if core == "":
        return t
    if _number(core) is not None and len(core) <= 4 and core.replace(".", "", 1).isdigit():
        return t
    return describe_value(v)


_DESCRIPTION = re.compile(r"^(?:e-mail address|phone-number-like|number|non-numeric text) \(\d+ (?:chars|digits)\)$")

#: audit reasons whose old value is defined by the instrument (or blank) and so is shown as typed
_INSTRUMENT_VALUE_REASONS = frozenset({"blank", "missing-value code", "platform missing marker", "label to code",
                                       "codes separated by spaces"})


def cell_text(v) -> str:
    """How a value is shown in the audit and in messages (numbers without a trailing .0)."""
    if _isna(v):
        return ""
    f = _number(v) if not isinstance(v, str) else None
    if f is not None and f.is_integer():
        return str(int(f))
    return str(v)


def respondent_ids(frame: pd.DataFrame, id: str) -> pd.Series:
    """The id column as text (``7.0`` read from SPSS becomes ``'7'``); DataError if absent or empty."""
    if not isinstance(id, str) or not id:
        raise DataError(f"The 'id' argument must name the respondent id column. Got {id!r} instead.")
    if id not in frame.columns:
        raise DataError(
            f"No id column: the argument id={id!r} names no column of the data; "
            f"the columns are {list(frame.columns)}."
        )
    ids = frame[id].map(lambda v: cell_text(v).strip() if not isinstance(v, str) else v.strip())
    blank = [i + 1 for i, v in enumerate(ids) if v == ""]
    if blank:
        raise DataError(
            f"The id column {id!r} is empty in data row(s) {blank[:50]}"
            f"{' ...' if len(blank) > 50 else ''}; every respondent needs an id."
        )
    return ids.astype(object)


def match_columns(frame: pd.DataFrame, v: InstrumentView, *, id: str,
                  duration: str | None) -> tuple[pd.DataFrame, dict]:
    """Rename columns that differ from an item name only in case, surrounding spaces, or a group path
    (ODK/KoboToolbox write ``group/item``), where exactly one column matches."""
    cols = list(frame.columns)
    names = set(v.items) | set(v.identifiers)
    renamed = {}
    for item in names:
        if item in cols:
            continue
        cands = [c for c in cols if c not in names and c not in (id, duration) and c not in renamed
                 and str(c).strip().rsplit("/", 1)[-1].casefold() == item.casefold()]
        if len(cands) == 1:
            renamed[cands[0]] = item
    return frame.rename(columns=renamed), renamed


def validate(frame: pd.DataFrame, v: InstrumentView, *, id: str, duration: str | None = None,
             invalid: str = "error", user_missing: dict | None = None) -> Validated:
    """Validate ``frame`` (as read by :func:`egovsem.io.read_raw`) against the instrument view ``v``."""
    invalid = check_option("invalid", invalid, INVALID_OPTIONS)
    frame, renamed = match_columns(frame, v, id=id, duration=duration)
    ids = respondent_ids(frame, id)
    required = [i for i in v.items if i not in frame.columns and v.rules[i].kind != "free"]
    if required:
        raise DataError(
            f"The data have no column for item(s) {required} of the instrument; the data's columns are "
            f"{list(frame.columns)}. Rename raw columns with a mapping file (argument 'mapping')."
        )
    if duration is not None and duration not in frame.columns:
        raise DataError(
            f"The argument duration={duration!r} names no column of the data; "
            f"the columns are {list(frame.columns)}."
        )
    user_missing = user_missing or {}
    audit, bad = [], []
    out = {id: ids}
    missing = [float(c) for c in v.missing_codes if _number(c) is not None]
    missing_text = {str(c) for c in v.missing_codes}
    for item in (i for i in v.items if i in frame.columns):
        rule = v.rules[item]
        values: list[Any] = []
        seen: dict[tuple[type, Any], tuple[Any, str]] = {}
        for r, (rid, raw) in enumerate(zip(ids, frame[item].tolist())):
            key = (type(raw), raw) if isinstance(raw, (str, int, float)) else None
            if key is not None and key in seen:
                new, reason = seen[key]
            else:
                new, reason = _cell(raw, rule, missing, missing_text, user_missing.get(item, ()))
                if key is not None:
                    seen[key] = (new, reason)
            if reason == "invalid":
                bad.append((r + 1, rid, item, safe_value(raw), rule.describe))
                new = np.nan
                if invalid == "missing":
                    audit.append((rid, item, safe_value(raw), "", f"invalid: not {rule.describe}"))
            elif reason:
                old = cell_text(raw) if reason in _INSTRUMENT_VALUE_REASONS else safe_value(raw)
                audit.append((rid, item, old, cell_text(new), reason))
            values.append(new)
        out[item] = _typed(values, rule)
    if duration is not None:
        secs = []
        for rid, raw in zip(ids, frame[duration].tolist()):
            f = seconds(raw)
            if f is None and not _isna(raw):
                audit.append((rid, duration, safe_value(raw), "", "duration is not a number"))
            secs.append(np.nan if f is None else f)
        out[duration] = pd.Series(secs, dtype=float)
    cells = pd.DataFrame(bad, columns=["row", "id", "column", "value", "allowed"])
    if bad and invalid == "error":
        raise InvalidDataError(_invalid_message(cells), cells)
    data = pd.DataFrame(out)
    dropped = tuple(c for c in frame.columns if c not in data.columns and c not in v.identifiers)
    absent = tuple(i for i in v.items if i not in frame.columns)
    return Validated(data, pd.DataFrame(audit, columns=AUDIT_COLUMNS), cells, renamed, dropped, absent)


def _isna(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT


def _cell(raw, rule, missing: list, missing_text: set, user_missing: tuple):
    """(new value, reason): reason '' if the value is kept as it is, 'invalid' if it is not allowed."""
    if _isna(raw):
        return np.nan, ""
    val = raw
    if isinstance(raw, str):
        val = unicodedata.normalize("NFKC", raw).strip()
        if val == "":
            return np.nan, "blank"
        if val in missing_text:
            return np.nan, "missing-value code"
        if val in PLATFORM_MISSING:
            return np.nan, "platform missing marker"
    num = _number(val)
    if num is not None and num in missing:
        return np.nan, "missing-value code"
    if num is not None and _user_missing(num, user_missing):
        return np.nan, "user-missing code (SPSS)"
    if rule.kind == "codes":
        for code in rule.allowed:
            cn = _number(code)
            if (num is not None and cn is not None and num == cn) or (isinstance(val, str) and val == str(code)):
                return code, ""
        if isinstance(val, str) and val in rule.labels:
            return rule.labels[val], "label to code"
        return None, "invalid"
    if rule.kind == "integer":
        return (int(num), "") if num is not None and num.is_integer() else (None, "invalid")
    if rule.kind == "decimal":
        return (num, "") if num is not None else (None, "invalid")
    if rule.kind == "multiple":
        allowed = {cell_text(c) for c in rule.allowed}
        tokens = re.split(r"[\s,;|┋]+", cell_text(val).strip())
        tokens = [t for t in tokens if t]
        if not tokens or not set(tokens) <= allowed:
            return None, "invalid"
        joined = " ".join(tokens)
        return joined, "" if joined == cell_text(val) else "codes separated by spaces"
    return raw, ""


def _user_missing(num: float, codes: tuple) -> bool:
    for c in codes:
        if isinstance(c, tuple):
            if c[0] <= num <= c[1]:
                return True
        elif _number(c) == num:
            return True
    return False


def _typed(values: list, rule) -> pd.Series:
    if rule.kind in ("codes", "integer") and all(
        _isna(x) or (isinstance(x, (int, np.integer)) and not isinstance(x, bool)) for x in values
    ):
        return pd.Series(values, dtype="Int64") if values else pd.Series([], dtype="Int64")
    if rule.kind == "decimal" or (rule.kind == "codes" and all(_isna(x) or _number(x) is not None for x in values)):
        return pd.Series([np.nan if _isna(x) else float(x) for x in values], dtype=float)
    return pd.Series(values, dtype=object)


def _invalid_message(cells: pd.DataFrame) -> str:
    n = len(cells)
    lines = [
        f"{n} cell(s) of the data are not allowed by the instrument (invalid='error'); correct them, "
        f"or pass invalid='missing' to set them missing with an audit row each:"
    ]
    for row in cells.itertuples(index=False):
        shown = row.value if _DESCRIPTION.match(str(row.value)) else repr(row.value)
        lines.append(f"  row {row.row}, id {row.id!r}, column {row.column!r}: value {shown}; "
                     f"allowed: {row.allowed}")
    return "\n".join(lines)
