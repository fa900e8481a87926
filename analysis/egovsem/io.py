"""Read a data file into a DataFrame: .csv, .tsv, .xlsx/.xls, .sav (SPSS), .dta (Stata), .parquet.

The file is only read, never written. Errors name the path and what is wrong with it.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._errors import DataError

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".sav", ".zsav", ".dta", ".parquet")


def read_data(path: str | Path, *, sheet: str | int = 0) -> pd.DataFrame:
    """Read ``path`` by its suffix and return a DataFrame (user-missing codes of .sav become NaN).

    Raises
    ------
    DataError
        If the file does not exist, is empty, has an unknown suffix, or has duplicate column names.
    """
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
            df = _read_csv(p, sep=",")
        elif suffix == ".tsv":
            df = _read_csv(p, sep="\t")
        elif suffix in (".xlsx", ".xls"):
            df = pd.read_excel(p, sheet_name=sheet)
        elif suffix in (".sav", ".zsav"):
            import pyreadstat

            df, _meta = pyreadstat.read_sav(str(p), user_missing=False)
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


def _read_csv(p: Path, sep: str) -> pd.DataFrame:
    raw = p.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            raw.decode(enc)
        except UnicodeDecodeError:
            continue
        # duplicate headers are checked on the raw header: pandas would rename them x, x.1
        names = list(pd.read_csv(p, sep=sep, encoding=enc, header=None, nrows=1).iloc[0])
        seen = {str(n) for n in names if names.count(n) > 1}
        df = pd.read_csv(p, sep=sep, encoding=enc)
        if seen:
            raise DataError(f"The data file {str(p)!r} has duplicate column names: {sorted(seen)}.")
        return df
    raise DataError(
        f"The data file {str(p)!r} is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 CSV."
    )
