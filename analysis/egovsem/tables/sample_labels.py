"""Names and category labels of the sample-characteristics table: from the user's instrument, else from the
data file's own labels (SPSS/Stata value labels), else the codes (said in the table's note).

The bundled study questionnaire is used only when it is passed as the instrument: its categories (for
instance its education levels) would mislabel another study's codes.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["sample_labels"]


def sample_labels(columns: Sequence[str], *, instrument: Any = None,
                  file_labels: Mapping[str, Mapping] | None = None) -> tuple[dict, dict, dict[str, str]]:
    """``(names, levels, sources)`` for :func:`egovsem.tables.sample_table`.

    Parameters
    ----------
    columns : sequence of str
        The sample columns, in order.
    instrument : egovsem.instruments.Instrument, optional
        The study's questionnaire: an item's question text names its row and its choices name the categories.
    file_labels : mapping, optional
        :func:`egovsem.io.read_labels` of the data file: ``{"columns": {...}, "values": {...}}``.

    Returns
    -------
    names : dict
        column -> name (en, zh); the column itself when nothing names it.
    levels : dict
        column -> {code: (en, zh)} for the columns with labels.
    sources : dict
        column -> "instrument", "data file" or "codes".

    Examples
    --------
    >>> names, levels, src = sample_labels(["gender", "age"],
    ...     file_labels={"columns": {"gender": "Gender"}, "values": {"gender": {1: "Male", 2: "Female"}}})
    >>> names["gender"], levels["gender"][2], src
    (('Gender', 'Gender'), ('Female', 'Female'), {'gender': 'data file', 'age': 'codes'})
    """
    file_labels = file_labels or {}
    fcols, fvals = dict(file_labels.get("columns") or {}), dict(file_labels.get("values") or {})
    names: dict[str, tuple[str, str]] = {}
    levels: dict[str, dict] = {}
    sources: dict[str, str] = {}
    for col in columns:
        item = None
        if instrument is not None:
            try:
                item = instrument.item(col)
            except Exception:  # not an item of this instrument
                item = None
        if item is not None:
            names[col] = (item.text_en or col, item.text_zh or item.text_en or col)
            if item.choices:
                levels[col] = {code: (en, zh) for code, zh, en in item.choices}
                sources[col] = "instrument"
                continue
        elif col in fcols:
            names[col] = (fcols[col], fcols[col])
        else:
            names[col] = (col, col)
        if col in fvals:
            levels[col] = {code: (str(lab), str(lab)) for code, lab in fvals[col].items()}
            sources[col] = "data file"
        else:
            sources[col] = "codes"
    return names, levels, sources
