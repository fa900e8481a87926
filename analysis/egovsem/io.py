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

from pathlib import Path

import pandas as pd

from ._errors import DataError

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".sav", ".zsav", ".dta", ".parquet")

#: encodings tried in order for text files; GB18030 is a superset of GBK and GB2312 (Wenjuanxing exports)
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


def read_data(path: str | Path, *, sheet: str | int = 0) -> pd.DataFrame:
    """Read ``path`` by its suffix and return a DataFrame (user-missing codes of .sav become NaN).

    Raises
    ------
    DataError
        If the file does not exist, is empty, has an unknown suffix, or has duplicate column names.
    """
    return _read(path, sheet=sheet, raw=False)


def read_raw(path: str | Path, *, sheet: str | int = 0) -> pd.DataFrame:
    """Read ``path`` keeping every cell as it is in the file, for validation and audit.

    CSV/TSV cells are strings (an empty cell is NaN; ``NA`` stays the text ``'NA'``); spreadsheet
    cells keep the spreadsheet's value (number or text); SPSS user-missing codes are kept as values.

    Raises
    ------
    DataError
        As :func:`read_data`.
    """
    return _read(path, sheet=sheet, raw=True)


def _read(path: str | Path, *, sheet: str | int, raw: bool) -> pd.DataFrame:
    p = Path(path)
    if not p.exists():
        raise DataError(f"The data file {str(p)!r} does not exist.")
    if p.is_dir():
        raise DataError(f"The data path {str(p)!r} is a directory, not a file.")
    if p.stat().st_size == 0:
        raise DataError(f"The data file {str(p)!r} is empty.")
    suffix = p.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            df = _read_csv(p, sep=",", raw=raw)
        elif suffix == ".tsv":
            df = _read_csv(p, sep="\t", raw=raw)
        elif suffix in (".xlsx", ".xls"):
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
    except Exception as exc:  # pragma: no cover - message translation
        raise DataError(f"Could not read the data file {str(p)!r}: {exc}") from exc
    dup = df.columns[df.columns.duplicated()].tolist()
    if dup:
        raise DataError(f"The data file {str(p)!r} has duplicate column names: {dup}.")
    if df.shape[0] == 0:
        raise DataError(f"The data file {str(p)!r} has a header but no rows.")
    return df


def _read_csv(p: Path, sep: str, raw: bool = False) -> pd.DataFrame:
    data = p.read_bytes()
    enc = _encoding(p, data)
    if raw:
        if sep == ",":
            sep = _sniff_separator(data.decode(enc))
        table = pd.read_csv(
            p, sep=sep, encoding=enc, header=None, dtype=str, keep_default_na=False, na_values=[""]
        )
        return _with_header(p, table)
    # duplicate headers are checked on the raw header: pandas would rename them x, x.1
    names = list(pd.read_csv(p, sep=sep, encoding=enc, header=None, nrows=1).iloc[0])
    seen = {str(n) for n in names if names.count(n) > 1}
    df = pd.read_csv(p, sep=sep, encoding=enc)
    if seen:
        raise DataError(f"The data file {str(p)!r} has duplicate column names: {sorted(seen)}.")
    return df


def _sniff_separator(text: str) -> str:
    """',' unless the header line has more ';' or tabs (KoboToolbox and European Excel write ';')."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {s: header.count(s) for s in (",", ";", "\t")}
    return max(counts, key=lambda s: (counts[s], s == ","))


def _encoding(p: Path, data: bytes) -> str:
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
    raise DataError(
        f"The data file {str(p)!r} is neither UTF-8 nor GBK/GB18030 text: byte "
        f"0x{data[pos]:02x} at offset {pos} (line {line}) cannot be decoded; save it as UTF-8 CSV."
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
