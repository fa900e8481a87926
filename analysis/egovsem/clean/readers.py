"""Read a raw survey export as it is, and match its columns to item names.

Formats (by suffix): CSV/TSV in UTF-8, UTF-8 with BOM or GBK/GB18030 (Wenjuanxing exports are often
GBK), XLSX, SPSS ``.sav`` (value labels and user-missing codes read from the file's dictionary), Stata
``.dta``, and Qualtrics CSV (three header rows: names, question texts, ``{"ImportId": ...}``; detected
from the third row). The file is only read (see :func:`egovsem.io.read_raw`).

A mapping file renames raw columns to item names: a CSV with two columns (raw name, item name, with a
header row) or a YAML mapping ``raw: item``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._errors import DataError
from ..io import read_raw


@dataclass(frozen=True)
class RawExport:
    """A raw export: the table as read, and what the file itself says about its columns."""

    frame: pd.DataFrame
    path: str | None = None
    format: str = "table"
    user_missing: dict = field(default_factory=dict)   # column -> tuple of codes declared missing (.sav)
    value_labels: dict = field(default_factory=dict)   # column -> {code: label} (.sav)
    renamed: dict = field(default_factory=dict)        # raw column -> item name


def read_export(path: str | Path, *, mapping: str | Path | dict | None = None,
                sheet: str | int | None = None) -> RawExport:
    """Read the raw export at ``path`` and rename columns through ``mapping`` (a file or a dict).

    ``sheet`` chooses the sheet of a workbook (default: the first, with a warning naming the others).
    """
    p = Path(path)
    frame = read_raw(p, sheet=sheet)
    fmt = p.suffix.lower().lstrip(".")
    user_missing: dict[str, Any] = {}
    labels: dict[str, Any] = {}
    if fmt in ("csv", "tsv", "txt") and _is_qualtrics(frame):
        frame, fmt = frame.iloc[2:].reset_index(drop=True), "qualtrics"
        if frame.shape[0] == 0:
            raise DataError(f"The Qualtrics export {str(p)!r} has its three header rows but no responses.")
    elif fmt in ("sav", "zsav"):
        user_missing, labels = _sav_dictionary(p)
    export = RawExport(frame, str(p), fmt, user_missing, labels)
    return apply_mapping(export, mapping) if mapping is not None else export


def _is_qualtrics(frame: pd.DataFrame) -> bool:
    """True if the second data row holds Qualtrics ImportId JSON (the export's third header row)."""
    if frame.shape[0] < 2:
        return False
    row = [v for v in frame.iloc[1].tolist() if isinstance(v, str)]
    hits = 0
    for v in row:
        if v.startswith("{") and "importid" in v.lower():
            try:
                hits += "ImportId" in json.loads(v)
            except ValueError:
                continue
    return hits > 0 and hits >= len(row) / 2


def _sav_dictionary(p: Path) -> tuple[dict, dict]:
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(p), metadataonly=True, user_missing=True)
    user_missing: dict[str, tuple] = {}
    for col, ranges in (meta.missing_ranges or {}).items():
        codes: list[Any] = []
        for r in ranges:
            rng: dict[str, Any] = dict(r) if isinstance(r, dict) else {"lo": r, "hi": r}
            lo, hi = rng.get("lo"), rng.get("hi")
            codes.append(lo if lo == hi else (lo, hi))
        user_missing[col] = tuple(codes)
    labels = {col: dict(meta.value_labels.get(name, {}))
              for col, name in (meta.variable_to_label or {}).items()}
    return user_missing, labels


def read_mapping(mapping: str | Path | dict) -> dict[str, str]:
    """A mapping raw column -> item name from a dict, a two-column CSV (with header) or a YAML file."""
    if isinstance(mapping, dict):
        return {str(k): str(v) for k, v in mapping.items()}
    p = Path(mapping)
    if not p.exists():
        raise DataError(f"The mapping file {str(p)!r} (argument 'mapping') does not exist.")
    if p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        from ..io import read_text

        text = read_text(p, what="mapping file", argument="mapping")
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise DataError(f"The mapping file {str(p)!r} is not valid YAML: {' '.join(str(exc).split())}") from None
        if not isinstance(loaded, dict):
            raise DataError(f"The mapping file {str(p)!r} must be a YAML mapping 'raw column: item name'.")
        return {str(k): str(v) for k, v in loaded.items()}
    table = read_raw(p)
    if table.shape[1] != 2:
        raise DataError(
            f"The mapping file {str(p)!r} must have two columns (raw column, item name); "
            f"it has {table.shape[1]}: {list(table.columns)}."
        )
    out = {}
    for i, (raw, item) in enumerate(table.itertuples(index=False), start=2):
        if pd.isna(raw) or pd.isna(item):
            raise DataError(f"The mapping file {str(p)!r} has an empty cell on line {i}.")
        if str(raw).strip() in out:
            raise DataError(f"The mapping file {str(p)!r} names raw column {raw!r} twice (line {i}).")
        out[str(raw).strip()] = str(item).strip()
    return out


def apply_mapping(export: RawExport, mapping: str | Path | dict) -> RawExport:
    """Rename the columns of ``export`` through ``mapping``; every mapped raw column must exist."""
    m = read_mapping(mapping)
    cols = list(export.frame.columns)
    absent = [k for k in m if k not in cols]
    if absent:
        raise DataError(
            f"The mapping names raw columns that are not in the data file: {absent}; "
            f"the file's columns are {cols}."
        )
    new = [m.get(c, c) for c in cols]
    dup = sorted({n for n in new if new.count(n) > 1})
    if dup:
        raise DataError(f"After the mapping, these column names occur twice: {dup}.")
    frame = export.frame.set_axis(new, axis=1)
    return RawExport(frame, export.path, export.format,
                     {m.get(k, k): v for k, v in export.user_missing.items()},
                     {m.get(k, k): v for k, v in export.value_labels.items()}, m)
