"""The seminr fixture models in lavaan syntax and readers of the fixture files (tests/reference/pls/README.md)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

REF = Path(__file__).parent / "reference" / "pls"
DATA = Path(__file__).resolve().parents[1] / "data"

MOBI4 = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Value =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Satisfaction ~ Image + Expectation + Value
"""

MOBI4_VALUE = MOBI4 + "Value ~ Image + Expectation\n"

MOBI2 = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Satisfaction ~ Image
"""

# test-measure.r: Image, Quality reflective; Satisfaction mode B; Complaints mode A; Value unit weights
MOBI_MEASURE = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Quality =~ PERQ1
Satisfaction <~ CUSA1 + CUSA2 + CUSA3
Complaints =~ CUSCO
Value <~ 1*PERV1 + 1*PERV2
Satisfaction ~ Image + Quality + Complaints + Value
"""

CORP_REP_EXT = """
QUAL <~ qual_1 + qual_2 + qual_3 + qual_4 + qual_5 + qual_6 + qual_7 + qual_8
PERF <~ perf_1 + perf_2 + perf_3 + perf_4 + perf_5
CSOR <~ csor_1 + csor_2 + csor_3 + csor_4 + csor_5
ATTR <~ attr_1 + attr_2 + attr_3
COMP =~ comp_1 + comp_2 + comp_3
LIKE =~ like_1 + like_2 + like_3
CUSA =~ cusa
CUSL =~ cusl_1 + cusl_2 + cusl_3
COMP + LIKE ~ QUAL + PERF + CSOR + ATTR
CUSA + CUSL ~ COMP + LIKE
CUSL ~ CUSA
"""

CORP_REP_SIMPLE = """
COMP =~ comp_1 + comp_2 + comp_3
LIKE =~ like_1 + like_2 + like_3
CUSA =~ cusa
CUSL =~ cusl_1 + cusl_2 + cusl_3
CUSA + CUSL ~ COMP + LIKE
CUSL ~ CUSA
"""


def mobi() -> pd.DataFrame:
    return pd.read_csv(DATA / "mobi.csv")


def corp_rep() -> pd.DataFrame:
    return pd.read_csv(DATA / "corp_rep_data.csv")


def ref(name: str) -> pd.DataFrame:
    """A fixture with its first column as the index (R's ``write.csv`` row names)."""
    return pd.read_csv(REF / name, index_col=0)


def matrix_paths(df: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Nonzero cells of seminr's ``path_coef`` matrix (rows: from, columns: to) as ``{(to, from): value}``."""
    return {(c, r): float(df.at[r, c]) for r in df.index for c in df.columns if df.at[r, c] != 0}


def matrix_cells(df: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Nonzero cells of seminr's indicator x construct matrices as ``{(construct, indicator): value}``."""
    return {(c, r): float(df.at[r, c]) for r in df.index for c in df.columns if df.at[r, c] != 0}


def report_rows(df: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    """Rows of seminr's bootstrap reports ``"A  ->  B"`` as ``{(A, B): row}``."""
    out = {}
    for name, row in df.iterrows():
        a, b = (s.strip() for s in str(name).split("->"))
        out[(a, b)] = row
    return out


# test-hoc.R: Satisfaction a higher-order composite (two-stage, mode A) of Image and Value
MOBI_HOC = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
Value =~ PERV1 + PERV2
Satisfaction =~ Image + Value
Complaints =~ CUSCO
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Satisfaction ~ Expectation + Quality
Complaints + Loyalty ~ Satisfaction
"""

# test-pls.r: two interactions of Image (orthogonal / product indicator), factorial weighting
MOBI_INTERACTIONS = MOBI4.replace("Satisfaction ~ Image + Expectation + Value",
                                  "Satisfaction ~ Image + Expectation + Value + Image:Expectation + Image:Value")

# test-hoc.R, second model: higher-order Nick (Quality PERQ1-5, Loyalty) and a two-stage Image x Expectation
MOBI_HOC_2SI = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Value =~ PERV1 + PERV2
Nick =~ Quality + Loyalty
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Satisfaction ~ Image + Expectation + Value + Nick + Image:Expectation
"""
