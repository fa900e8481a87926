"""The two-level models of the lavaan references (tests/reference/make_reference_twolevel*.R) and the
comparison rule the two-level tests share."""
from __future__ import annotations

TUTORIAL = """
level: 1
  fw =~ y1 + y2 + y3
  fw ~ x1 + x2 + x3
level: 2
  fb =~ y1 + y2 + y3
  fb ~ w1 + w2
"""
CFA = """
level: 1
  fw =~ y1 + y2 + y3 + y4 + y5 + y6
level: 2
  fb =~ y1 + y2 + y3 + y4 + y5 + y6
"""
# every fitMeasures() value egovsem computes for a two-level fit
FIT_ALL = ["fmin", "npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "logl",
           "unrestricted.logl", "aic", "bic", "ntotal", "bic2", "rmsea", "srmr", "srmr_within", "srmr_between"]


def close(a: float, b: float, tol: float) -> bool:
    """``a`` equals ``b`` within ``tol`` relative to ``max(1, |b|)``."""
    return abs(a - b) <= tol * max(1.0, abs(b))
