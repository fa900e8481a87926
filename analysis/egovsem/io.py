"""Read a data file into a DataFrame: .csv, .tsv, .xlsx/.xls, .sav (SPSS), .dta (Stata), .parquet.

The file is only read, never written. Errors name the path and what is wrong with it.

Two entry points share the checks (missing, empty, directory, unknown suffix, duplicate column names,
undecodable bytes):

- :func:`read_data` for analysis: pandas' type inference, SPSS user-missing codes become NaN.
- :func:`read_raw` for the cleaning step: every cell as it stands in the file (CSV and spreadsheet
  cells as text or the spreadsheet's own value, so ``007``, ``-99 `` and ``五`` survive; SPSS
  user-missing codes kept as values), so that :mod:`egovsem.clean` can validate and audit each change.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ._errors import DataError, DataWarning, TextEncodingWarning

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".sav", ".zsav", ".dta", ".parquet")

#: encodings tried in order for text files; GB18030 is a superset of GBK and GB2312 (Wenjuanxing exports)
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


def read_text(path: str | Path, *, what: str = "file", argument: str | None = None) -> str:
    """Read a text input (model, configuration, mapping, instrument) as UTF-8, or GB18030 with a warning.

    A UTF-8 byte-order mark is dropped. A file that is not UTF-8 but decodes as GB18030 (a superset of
    GBK and GB2312, what Chinese Windows editors write) is read so, with a :class:`TextEncodingWarning`
    naming the file; otherwise, and for a missing, unreadable or folder path, a :class:`DataError` names
    the argument, the path and the first undecodable byte.

    Parameters
    ----------
    path : str or Path
    what : str
        What the file is, for messages ("model file", "configuration file").
    argument : str, optional
        The argument that named the file, for messages ("--model").
    """
    p = Path(path)
    named = f"The {what} {str(p)!r}" + (f" (argument {argument})" if argument else "")
    if p.is_dir():
        raise DataError(f"{named} is a folder, not a file.")
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{named} does not exist.") from None
    except OSError as exc:
        raise DataError(f"{named} cannot be read: {exc.strerror or exc}.") from None
    enc = _encoding(p, data, named=named)
    if enc != "utf-8-sig":
        warnings.warn(f"{named} is not UTF-8; it was read as {enc.upper()} (GBK). Save it as UTF-8 to "
                      "silence this warning.", TextEncodingWarning, stacklevel=2)
    return data.decode(enc)


def read_data(path: str | Path, *, sheet: str | int | None = None,
              na_values: Sequence[float] | None = None) -> pd.DataFrame:
    """Read ``path`` by its suffix and return a DataFrame (user-missing codes of .sav become NaN).

    Parameters
    ----------
    path : str or Path
    sheet : str or int, optional
        The sheet of a workbook (name or 0-based position). Default: the first, with a
        :class:`DataWarning` naming the sheets left out when the workbook has more than one.
    na_values : sequence of numbers, optional
        Missing-value codes (e.g. ``[-99, -999]``): these values become NaN in every column.

    A numeric column holding a value like -99, -999, -9, 99 or 999 far outside the range of its other
    values (by at least that range), not given in ``na_values`` and not declared missing in the file,
    gets a :class:`DataWarning` naming the column and the code: it is analysed as a number.

    Raises
    ------
    DataError
        If the file does not exist, is empty, has an unknown suffix, or has duplicate column names.
    """
    df = _read(path, sheet=sheet, raw=False)
    codes = _check_na_values(na_values)
    if codes:
        for c in df.columns:
            if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]):
                df[c] = df[c].mask(df[c].isin(codes))
    warn_missing_codes(df, source=f"The data file {str(Path(path))!r}")
    return df


def read_raw(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read ``path`` keeping every cell as it is in the file, for validation and audit.

    CSV/TSV cells are strings (an empty cell is NaN; ``NA`` stays the text ``'NA'``); spreadsheet
    cells keep the spreadsheet's value (number or text); SPSS user-missing codes are kept as values.

    Raises
    ------
    DataError
        As :func:`read_data`.
    """
    return _read(path, sheet=sheet, raw=True)


def read_labels(path: str | Path) -> dict[str, dict]:
    """The labels a data file carries itself: ``{"columns": {col: label}, "values": {col: {code: label}}}``.

    SPSS (.sav/.zsav) and Stata (.dta) files hold variable and value labels (read with pyreadstat, metadata
    only); other formats hold none and give two empty mappings. Codes are given as ``int`` when whole.

    Raises
    ------
    DataError
        If the file cannot be read.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".sav", ".zsav", ".dta"):
        return {"columns": {}, "values": {}}
    import pyreadstat

    try:
        reader = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
        _, meta = reader(str(p), metadataonly=True)
    except Exception as exc:  # pyreadstat's own error types
        msg = " ".join(str(exc).split())
        raise DataError(f"Could not read the labels of the data file {str(p)!r}: {msg}") from None

    def code(v):
        return int(v) if isinstance(v, float) and v.is_integer() else v

    columns = {str(k): str(v) for k, v in (meta.column_names_to_labels or {}).items() if v}
    values = {str(col): {code(k): str(v) for k, v in lab.items()}
              for col, lab in (meta.variable_value_labels or {}).items() if lab}
    return {"columns": columns, "values": values}


#: values that survey software and SPSS users write for "missing"; flagged when far outside a column's range
SUSPECT_CODES = (-9, -99, -999, -9999, 9, 99, 999, 9999, -8, -88, -888, 8, 88, 888, -7, -77, -777, 77, 777)


def parse_na_values(text: str | None, argument: str = "--na") -> list[float] | None:
    """``"-99,-999"`` -> ``[-99.0, -999.0]`` (None for None or an empty text); an error names the argument."""
    if text is None or not str(text).strip():
        return None
    out = []
    for tok in str(text).split(","):
        tok = tok.strip()
        if not tok:
            continue
        try:
            out.append(float(tok))
        except ValueError:
            raise DataError(f"The '{argument}' option must be comma-separated numbers such as -99,-999. "
                            f"Got {text!r} instead.") from None
    return out


def _check_na_values(na_values) -> list[float]:
    if na_values is None:
        return []
    if isinstance(na_values, (int, float)) and not isinstance(na_values, bool):
        na_values = [na_values]
    try:
        return [float(v) for v in na_values]
    except (TypeError, ValueError):
        raise DataError(f"The 'na_values' parameter must be a list of numbers such as [-99, -999]. "
                        f"Got {na_values!r} instead.") from None


def suspect_codes(x: pd.Series) -> list[tuple[float, int]]:
    """(code, count) of the values of :data:`SUSPECT_CODES` in ``x`` lying far outside its other values.

    "Far" means beyond the range of the other values by at least that range (at least 1): -99 in a 1-5
    scale (range 4) is far below 1 - 4; 99 among ages 18 to 85 is not flagged. The other values must take
    at least two distinct values, and a code must be rarer than they are together: in a column of 7s and
    8s (lavaan's HolzingerSwineford1939 ``grade``) the 8s are a category, not a missing code.

    >>> suspect_codes(pd.Series([1, 2, 5, -99, 3, 4, -99]))
    [(-99.0, 2)]
    >>> suspect_codes(pd.Series([18, 40, 85, 99]))
    []
    >>> suspect_codes(pd.Series([7, 7, 8, 8, 8, 7]))
    []
    >>> suspect_codes(pd.Series([0, 1, 1, 0, 9]))
    [(9.0, 1)]
    """
    if not pd.api.types.is_numeric_dtype(x) or pd.api.types.is_bool_dtype(x):
        return []
    if not _extreme_is_code(x):
        return []
    v = pd.to_numeric(x, errors="coerce").dropna()
    if v.empty:
        return []
    # a flagged code lies beyond all the other values, so it is the column's smallest or largest value: two
    # reductions settle most columns of a big file without a membership test per cell
    if float(v.min()) not in SUSPECT_CODES and float(v.max()) not in SUSPECT_CODES:
        return []
    hits = v.isin(SUSPECT_CODES)
    if not hits.any() or hits.all():
        return []
    rest = v[~hits]
    if rest.nunique() < 2:
        return []
    lo, hi = float(rest.min()), float(rest.max())
    width = max(hi - lo, 1.0)
    out = []
    for code, count in v[hits].value_counts().sort_index().items():
        if count < len(rest) and (code <= lo - width or code >= hi + width):
            out.append((float(code), int(count)))
    return out


def _extreme_is_code(x: pd.Series) -> bool:
    """Whether the smallest or the largest non-missing value of the numeric ``x`` is one of
    :data:`SUSPECT_CODES` (False for a column without values): the check :func:`suspect_codes` starts with,
    on the numpy array (a fraction of a millisecond per column instead of about one; issue 17); a column
    numpy cannot hold as floats (complex) answers True and gets the full check."""
    try:
        arr = x.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        return True
    arr = arr[~np.isnan(arr)]
    return arr.size > 0 and (float(arr.min()) in SUSPECT_CODES or float(arr.max()) in SUSPECT_CODES)


def warn_missing_codes(df: pd.DataFrame, *, source: str) -> None:
    """Warn (a :class:`DataWarning` per column) about values that look like undeclared missing codes."""
    for c in df.columns:
        found = suspect_codes(df[c])
        if not found:
            continue
        codes = ", ".join(f"{_fmt(code)} ({n} row{'s' if n > 1 else ''})" for code, n in found)
        rest = df[c][~df[c].isin([code for code, _ in found])]
        warnings.warn(
            f"{source}, column {str(c)!r}: the value(s) {codes} lie far outside the column's other values "
            f"({_fmt(rest.min())} to {_fmt(rest.max())}) and are not declared missing; they are analysed as "
            f"numbers. If they are missing-value codes, pass --na {','.join(_fmt(code) for code, _ in found)} "
            f"(na_values= in Python).", DataWarning, stacklevel=3)


def _fmt(v) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:g}"


def _read(path: str | Path, *, sheet: str | int | None, raw: bool) -> pd.DataFrame:
    p = Path(path)
    if not p.exists():
        raise DataError(f"The data file {str(p)!r} does not exist.")
    if p.is_dir():
        raise DataError(f"The data path {str(p)!r} is a directory, not a file.")
    try:
        size = p.stat().st_size
        with open(p, "rb"):
            pass
    except OSError as exc:
        raise DataError(f"The data file {str(p)!r} cannot be read: {exc.strerror or exc}.") from None
    if size == 0:
        raise DataError(f"The data file {str(p)!r} is empty.")
    suffix = p.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            df = _read_csv(p, sep=",", raw=raw)
        elif suffix == ".tsv":
            df = _read_csv(p, sep="\t", raw=raw)
        elif suffix in (".xlsx", ".xls"):
            sheet = _choose_sheet(p, sheet)
            if raw:
                df = _with_header(p, pd.read_excel(p, sheet_name=sheet, header=None, dtype=object))
            else:
                df = pd.read_excel(p, sheet_name=sheet)
        elif suffix in (".sav", ".zsav"):
            import pyreadstat

            df, _meta = pyreadstat.read_sav(str(p), user_missing=raw)
        elif suffix == ".dta":
            df = pd.read_stata(p, convert_categoricals=False)
        elif suffix == ".parquet":
            df = pd.read_parquet(p)
        else:
            raise DataError(
                f"The data file {str(p)!r} has suffix {suffix!r}; egovsem reads {', '.join(SUFFIXES)}."
            )
    except DataError:
        raise
    except pd.errors.ParserError as exc:
        raise DataError(_parser_message(p, exc)) from None
    except Exception as exc:  # pragma: no cover - message translation
        msg = " ".join(str(exc).split())
        raise DataError(f"Could not read the data file {str(p)!r}: {msg}") from exc
    if sheet is not None and suffix not in (".xlsx", ".xls"):
        raise DataError(f"The 'sheet' option ({sheet!r}) applies to .xlsx/.xls workbooks; {str(p)!r} is a "
                        f"{suffix} file.")
    dup = df.columns[df.columns.duplicated()].tolist()
    if dup:
        raise DataError(f"The data file {str(p)!r} has duplicate column names: {dup}.")
    if df.shape[0] == 0:
        raise DataError(f"The data file {str(p)!r} has a header but no rows.")
    return df


def _parser_message(p: Path, exc: Exception) -> str:
    """A one-line message for a ragged CSV (pandas' 'Expected 9 fields in line 5, saw 10')."""
    import re

    text = " ".join(str(exc).split())
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if m:
        return (f"The data file {str(p)!r} is ragged: line {m.group(2)} has {m.group(3)} fields but the header "
                f"has {m.group(1)} (an unquoted separator in a cell, or a missing header name?).")
    return f"The data file {str(p)!r} cannot be read as a table: {text}"


def _choose_sheet(p: Path, sheet: str | int | None) -> str | int:
    """The sheet to read: ``sheet`` checked against the workbook; by default the first, with a warning
    naming the other sheets when there are more."""
    try:
        with pd.ExcelFile(p) as book:
            names = [str(n) for n in book.sheet_names]
    except Exception as exc:  # the reader's own message, on one line, names what is wrong
        msg = " ".join(str(exc).split())
        raise DataError(f"Could not read the workbook {str(p)!r}: {msg}") from None
    if sheet is None:
        if len(names) > 1:
            warnings.warn(
                f"The workbook {str(p)!r} has {len(names)} sheets; read the first, {names[0]!r}, and ignored "
                f"{names[1:]}. Choose one with --sheet (sheet= in Python).", DataWarning, stacklevel=4)
        return 0
    if isinstance(sheet, str) and sheet not in names:
        if sheet.strip().lstrip("-").isdigit():
            sheet = int(sheet)
        else:
            raise DataError(f"The workbook {str(p)!r} has no sheet {sheet!r} (argument 'sheet'); its sheets are "
                            f"{names}.")
    if isinstance(sheet, int) and not 0 <= sheet < len(names):
        raise DataError(f"The workbook {str(p)!r} has {len(names)} sheet(s) {names}; sheet {sheet} (0-based, "
                        "argument 'sheet') is not one of them.")
    return sheet


def _read_csv(p: Path, sep: str, raw: bool = False) -> pd.DataFrame:
    data = p.read_bytes()
    enc = _encoding(p, data)
    if enc != "utf-8-sig":
        warnings.warn(f"The data file {str(p)!r} is not UTF-8; it was read as {enc.upper()} (GBK).",
                      TextEncodingWarning, stacklevel=4)
    if raw:
        if sep == ",":
            sep = _sniff_separator(data.decode(enc))
        table = pd.read_csv(
            p, sep=sep, encoding=enc, header=None, dtype=str, keep_default_na=False, na_values=[""]
        )
        return _with_header(p, table)
    df = pd.read_csv(p, sep=sep, encoding=enc)
    if not _maybe_renamed_duplicates(df.columns):
        return df
    # duplicate headers are checked on the raw header: pandas renames them x, x.1
    names = list(pd.read_csv(p, sep=sep, encoding=enc, header=None, nrows=1).iloc[0])
    seen = {str(n) for n in names if names.count(n) > 1}
    if seen:
        raise DataError(f"The data file {str(p)!r} has duplicate column names: {sorted(seen)}.")
    return df


def _maybe_renamed_duplicates(columns: pd.Index) -> bool:
    """Whether a column name has the form ``NAME.K`` (K digits) beside a column ``NAME``: pandas renames a
    repeated header so, and the raw header is then read to tell a duplicate from a column really named
    ``x.1``; without such a pair the header has no duplicates and is not read a second time (issue 17)."""
    names = {str(c) for c in columns}
    for n in names:
        base, dot, k = n.rpartition(".")
        if dot and k.isdigit() and base in names:
            return True
    return False


def _sniff_separator(text: str) -> str:
    """',' unless the header line has more ';' or tabs (KoboToolbox and European Excel write ';')."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {s: header.count(s) for s in (",", ";", "\t")}
    return max(counts, key=lambda s: (counts[s], s == ","))


def _encoding(p: Path, data: bytes, named: str | None = None) -> str:
    """The first of :data:`TEXT_ENCODINGS` that decodes ``data``; else a DataError naming the byte."""
    errors = []
    for enc in TEXT_ENCODINGS:
        try:
            data.decode(enc)
        except UnicodeDecodeError as exc:
            errors.append(exc)
            continue
        return enc
    first_error = errors[0]
    pos = first_error.start
    line = data.count(b"\n", 0, pos) + 1
    named = named or f"The data file {str(p)!r}"
    raise DataError(
        f"{named} is neither UTF-8 nor GBK/GB18030 text: byte "
        f"0x{data[pos]:02x} at offset {pos} (line {line}) cannot be decoded; save it as UTF-8"
        + (" CSV." if named.startswith("The data file") else ".")
    )


def _with_header(p: Path, table: pd.DataFrame) -> pd.DataFrame:
    """Use the first row of a header-less read as column names, checking them as they are in the file."""
    if table.shape[0] == 0:
        raise DataError(f"The data file {str(p)!r} is empty.")
    names = ["" if pd.isna(n) else str(n).strip() for n in table.iloc[0]]
    # a column without a name and without data (a trailing separator) is not a column
    empty = [i for i, n in enumerate(names) if n == "" and table.iloc[1:, i].isna().all()]
    table = table.drop(columns=table.columns[empty])
    names = [n for i, n in enumerate(names) if i not in empty]
    blank = [i + 1 for i, n in enumerate(names) if n == ""]
    if blank:
        raise DataError(
            f"The data file {str(p)!r} has columns without a name in its header (column {blank})."
        )
    seen = sorted({n for n in names if names.count(n) > 1})
    if seen:
        raise DataError(f"The data file {str(p)!r} has duplicate column names: {seen}.")
    body = table.iloc[1:].reset_index(drop=True)
    body.columns = names
    return body
