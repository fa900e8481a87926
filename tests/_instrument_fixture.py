"""A small instrument for the cleaning tests, built from egovsem.instruments' dataclasses.

Items in questionnaire order: consent (select_one 1/0), A1-A4 (A4 reverse-keyed), B1, B2, ATT1 (expected
4), B3, B4, C1-C3, resp_type (select_one 1-3), age (integer), remark (text), phone (identifier).
Scale ``agree5`` = 1..5; missing-value codes -99 and -98. 17 questions with a data column.
"""
from __future__ import annotations

from types import SimpleNamespace

try:  # the real dataclasses (issue 5)
    from egovsem.instruments import Construct, Instrument, Item, Scale
except ImportError:  # pragma: no cover - before egovsem.instruments existed
    Instrument = Item = Scale = Construct = None

AGREE5 = dict(name="agree5", values=(1, 2, 3, 4, 5),
              labels_zh=("非常不同意", "不同意", "一般", "同意", "非常同意"),
              labels_en=("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"))
ITEMS = (
    dict(name="consent", type="select_one", choices=((1, "同意", "I agree"), (0, "不同意", "I do not agree"))),
    *[dict(name=f"A{i}", type="scale", construct="A", scale="agree5", reverse=(i == 4)) for i in range(1, 5)],
    dict(name="B1", type="scale", construct="B", scale="agree5"),
    dict(name="B2", type="scale", construct="B", scale="agree5"),
    dict(name="ATT1", type="scale", scale="agree5", expected=4),
    dict(name="B3", type="scale", construct="B", scale="agree5"),
    dict(name="B4", type="scale", construct="B", scale="agree5"),
    *[dict(name=f"C{i}", type="scale", construct="C", scale="agree5") for i in range(1, 4)],
    dict(name="resp_type", type="select_one", choices=((1, "个人", "Citizen"), (2, "企业", "Firm"),
                                                       (3, "其他组织", "Other organisation"))),
    dict(name="age", type="integer"),
    dict(name="remark", type="text"),
    dict(name="phone", type="text", identifier=True),
)
ITEMS = tuple({"text_zh": f"题目 {d['name']}", "text_en": f"Question {d['name']}", **d} for d in ITEMS)
SCALE_ITEMS = ["A1", "A2", "A3", "A4", "B1", "B2", "ATT1", "B3", "B4", "C1", "C2", "C3"]
N_QUESTIONS = 17


def small_instrument():
    if Instrument is None:  # pragma: no cover
        defaults = dict(construct=None, scale=None, choices=(), reverse=False, expected=None,
                        identifier=False, text_zh="", text_en="", source="")
        items = tuple(SimpleNamespace(**{**defaults, **d}) for d in ITEMS)
        return SimpleNamespace(missing_values=(-99, -98), scales={"agree5": SimpleNamespace(**AGREE5)},
                               constructs={"A": None, "B": None, "C": None}, items=items)
    return Instrument(
        title_zh="测试", title_en="Test", version="0",
        scales={"agree5": Scale(**AGREE5)},
        constructs={c: Construct(c, c, c) for c in "ABC"},
        items=tuple(Item(**d) for d in ITEMS),
        missing_values=(-99, -98),
        missing_labels={-99: ("未作答", "No answer"), -98: ("不适用", "Not applicable")},
    )


def raw_frame(n: int = 40, seed: int = 1):
    """A tidy raw export (all cells text, as read from a CSV) for :func:`small_instrument`: ids r0..,
    answers 1..5 drawn at random (with the default seed no one straight-lines), ATT1 = 4, 200 s, fake phone numbers."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "consent": "1"})
    for item in SCALE_ITEMS:
        df[item] = rng.integers(1, 6, n).astype(str)
    df["ATT1"] = "4"
    df["resp_type"] = rng.integers(1, 4, n).astype(str)
    df["age"] = rng.integers(18, 80, n).astype(str)
    df["remark"] = "很好"
    df["phone"] = [f"139{i:08d}" for i in range(n)]
    df["dur"] = "200"
    df["ip"] = [f"10.0.0.{i}" for i in range(n)]
    return df
