"""A draft instrument inferred from the hypothesis models and the data, for a study without an instrument YAML.

The models' latent variables become constructs (named by their codes), their indicators scale items on a
response scale read off the data (the smallest and largest whole value the construct's items take); the other
columns become metadata (the id and duration columns), single-choice questions (whole numbers with at most 12
values) or number / text questions; a column named like personal data (phone, e-mail, name, ...) is an
identifier. Values such as -99 far outside a column's range are declared missing-value
codes. What cannot be read from data is left for the researcher and said in
:data:`DRAFT_NOTE`: question wording, construct names, reverse-keyed items, attention checks, identifiers.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import EgovsemError
from .model import Instrument
from .yaml_io import instrument_from_dict

__all__ = ["draft_instrument", "draft_instrument_dict", "model_blocks", "DRAFT_NOTE", "DRAFT_NOTE_ZH"]

#: said wherever a draft instrument is used (output, report)
DRAFT_NOTE = ("The instrument is a DRAFT inferred from the models and the data (egovsem instrument init): item "
              "wording, construct names, reverse-keyed items, attention checks and identifiers are not known, so "
              "no item was reverse-coded and no attention check or identifier rule was applied. Write and check "
              "an instrument YAML (egovsem instrument init MODEL DATA --out instrument.yaml, then edit it) and "
              "name it in the config's 'instrument' key.")
#: the same in Chinese
DRAFT_NOTE_ZH = ("本问卷为根据模型与数据推断的草稿（egovsem instrument init）：题目原文、构念名称、反向题、注意力检测题与"
                 "个人信息字段均未知，因此未做反向计分，也未应用注意力检测与个人信息规则。请编写并检查问卷YAML"
                 "（egovsem instrument init MODEL DATA --out instrument.yaml，再加以修改），并在配置的instrument键中指定。")

_MAX_CHOICES = 12
#: column names that hold personal data: marked as identifiers (never copied to the cleaned data)
_IDENTIFIER = re.compile(r"phone|mobile|\btel|cell|contact|e-?mail|wechat|weixin|(?<![a-z])wx(?![a-z])|qq|name|address|"
                         r"id_?card|student_?id|手机|电话|邮箱|姓名|地址|身份证|联系|微信",
                         re.I)
#: a column is read as categories only with at least this many rows per distinct value
_ROWS_PER_CHOICE = 3


def _personal(x: pd.Series) -> bool:
    """True if the column's values look like personal data (phone numbers, e-mail addresses), whatever its
    name: whole numbers are tested as their digits (13812345678 read as a number is a phone number)."""
    from ..clean.pseudonym import personal_kind

    vals = []
    for v in x.dropna().tolist()[:1000]:
        if isinstance(v, (int, float, np.integer, np.floating)) and float(v).is_integer():
            vals.append(str(int(v)))
        else:
            vals.append(str(v))
    return personal_kind(vals) is not None


def model_blocks(models: Iterable[str]) -> dict[str, list[str]]:
    """The ``=~`` blocks (construct -> indicators) of lavaan model texts, first definition kept, in order."""
    from ..sem.partable import specify

    out: dict[str, list[str]] = {}
    for text in models:
        pt = specify(text).partable
        for r in pt[(pt["op"] == "=~") & (pt["user"] == 1)].itertuples():
            if r.lhs not in out or r.rhs not in out[r.lhs]:
                out.setdefault(r.lhs, []).append(r.rhs)
    return out


def _whole(x: pd.Series) -> np.ndarray | None:
    """The whole-number values of a numeric column (None if it holds fractions or is not numeric)."""
    v = pd.to_numeric(x, errors="coerce").dropna().to_numpy(dtype=float)
    if len(v) == 0 or len(v) < x.notna().sum() or not np.all(np.isclose(v, np.round(v))):
        return None
    return np.round(v).astype(int)


def draft_instrument_dict(models: Sequence[str], data: pd.DataFrame, *, id: str | None = None,
                          duration: str | None = None, title: str = "Draft instrument",
                          labels: dict | None = None) -> dict[str, Any]:
    """The YAML structure of a draft instrument (see the module docstring); :func:`draft_instrument` checks it.

    ``labels`` (:func:`egovsem.io.read_labels` of an SPSS or Stata file) gives the questions' text (variable
    labels) and the choices' names (value labels) where the file has them.

    Raises
    ------
    EgovsemError
        If the models have no latent variables, or an indicator is not a column of ``data`` or holds values
        other than whole numbers.

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 2, 3, 4, 5, 6], "a1": [1, 5, 3, 2, 4, 4], "a2": [2, 4, 4, 1, 5, 3],
    ...                    "sex": [1, 2, 2, 1, 1, 2]})
    >>> d = draft_instrument_dict(["A =~ a1 + a2"], df, id="id")
    >>> d["scales"]["scale1_5"]["choices"][0], [(i["name"], i["type"]) for i in d["items"]]
    ({'value': 1, 'zh': '1', 'en': '1'}, [('a1', 'scale'), ('a2', 'scale'), ('sex', 'select_one')])
    """
    from ..io import suspect_codes

    blocks = model_blocks(models)
    # missing-value codes (-99 in a 1-5 scale, ...) are declared as such, not read as scale points
    # A code is masked only in the columns where it lies far outside the other values, so that 99 in a 1-5
    # item does not stretch the scale while 99 among ages stays an age. An instrument's codes hold for every
    # column, so a code is declared only if no column uses it as an ordinary value; where one does, the
    # cleaning reports the code in the item as a value off the scale.
    found = {col: {int(c) for c, _ in suspect_codes(data[col]) if float(c).is_integer()} for col in data.columns}
    candidates = set().union(*found.values()) if found else set()
    ordinary = {c for c in candidates for col in data.columns
                if c not in found[col] and pd.api.types.is_numeric_dtype(data[col]) and (data[col] == c).any()}
    codes = sorted(candidates - ordinary)
    if candidates:
        data = data.copy()
        for col, cs in found.items():
            if cs:
                data[col] = data[col].mask(data[col].isin(sorted(cs)))
    if not blocks:
        raise EgovsemError("A draft instrument needs latent constructs ('=~' lines) in the models; they have none.")
    scales: dict[str, dict] = {}
    items: list[dict] = []
    used: set[str] = set()
    for construct, inds in blocks.items():
        missing = [i for i in inds if i not in data.columns]
        if missing:
            raise EgovsemError(f"The indicator {missing[0]!r} of {construct!r} is not a column of the data; "
                               f"columns are {list(data.columns)[:20]!r}.")
        vals = [_whole(data[i]) for i in inds]
        bad = [i for i, v in zip(inds, vals) if v is None]
        if bad:
            raise EgovsemError(f"The indicator {bad[0]!r} of {construct!r} holds values other than whole numbers, "
                               "so no response scale can be read from the data; write the instrument YAML by hand.")
        arrs = [v for v in vals if v is not None]
        lo = int(min(v.min() for v in arrs))
        hi = int(max(v.max() for v in arrs))
        if hi <= lo:
            raise EgovsemError(f"The items of {construct!r} take a single value ({lo}); no scale can be read.")
        name = f"scale{lo}_{hi}".replace("-", "m")
        scales.setdefault(name, {"choices": [{"value": k, "zh": str(k), "en": str(k)} for k in range(lo, hi + 1)]})
        for i in inds:
            if i in used:
                continue
            used.add(i)
            items.append({"name": i, "type": "scale", "construct": construct, "scale": name,
                          "text": {"zh": f"{i}（草稿：请填写题目原文）", "en": f"{i} (draft: write the item wording)"}})
    labels = labels or {}
    vlab = {str(k): v for k, v in (labels.get("values") or {}).items()}
    clab = {str(k): v for k, v in (labels.get("columns") or {}).items()}
    meta = [c for c in (id, duration) if c and c in data.columns]
    for col in data.columns:
        if col in used or col in meta:
            continue
        x = data[col]
        w = _whole(x) if pd.api.types.is_numeric_dtype(x) else None
        text = {"zh": f"{col}（草稿：请填写题目原文）", "en": f"{col} (draft: write the question wording)"}
        if str(col) in clab:  # the file's own variable label
            text = {"zh": f"{clab[str(col)]}（草稿）", "en": f"{clab[str(col)]} (draft)"}
        own = vlab.get(str(col), {})
        if _IDENTIFIER.search(str(col)) or _personal(x):
            items.append({"name": str(col), "type": "text", "text": text, "identifier": True})
        elif (w is not None and 1 <= len(np.unique(w)) <= _MAX_CHOICES
              and len(w) >= _ROWS_PER_CHOICE * len(np.unique(w))):
            items.append({"name": str(col), "type": "select_one", "text": text,
                          "choices": [{"value": int(k), "zh": str(own.get(int(k), int(k))),
                                       "en": str(own.get(int(k), int(k)))}
                                      for k in sorted(set(np.unique(w).tolist()) | {int(c) for c in own
                                                                                    if float(c).is_integer()})]})
        elif pd.api.types.is_numeric_dtype(x):
            items.append({"name": str(col), "type": "integer" if w is not None else "decimal", "text": text})
        else:
            items.append({"name": str(col), "type": "text", "text": text})
    return {
        "title": {"zh": "问卷草稿", "en": title}, "version": "0.1-draft", "languages": ["zh", "en"],
        "citation": DRAFT_NOTE,
        "missing_values": [{"code": c, "zh": "缺失（草稿）", "en": "Missing (draft)"} for c in codes],
        "metadata": [{"name": c, "zh": c, "en": c} for c in meta],
        "scales": scales,
        "constructs": {c: {"name": {"zh": c, "en": c}} for c in blocks},
        "items": items,
    }


def draft_instrument(models: Sequence[str], data: pd.DataFrame | str | Path, *, id: str | None = None,
                     duration: str | None = None, labels: dict | None = None) -> Instrument:
    """A checked draft :class:`Instrument` from the models (lavaan texts) and the data (a DataFrame or a file;
    a file's own variable and value labels are used, see :func:`draft_instrument_dict`)."""
    if not isinstance(data, pd.DataFrame):
        from ..io import read_data, read_labels

        labels = labels if labels is not None else read_labels(data)
        data = read_data(data)
    return instrument_from_dict(draft_instrument_dict(models, data, id=id, duration=duration, labels=labels),
                                source_path="<draft from the models and the data>")
