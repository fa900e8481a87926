"""Explicit constraints (``==``, ``<``, ``>``) with WLSMV in one group against lavaan 0.6-14.

Reference: tests/reference/make_reference_constraints_wlsmv.R on data/hs_ordinal.csv (ordered = TRUE,
estimator = "WLSMV"): linear equalities, a nonlinear equality, inequalities (one active). Every row of
parameterEstimates(remove.eq = FALSE, remove.ineq = FALSE) (est, se, std.lv, std.all) and of fitMeasures must
be matched. lavaan's sandwich and the U of its scaled-shifted test use the augmented (constrained) inverse
of Delta' W Delta; its robust CFI/TLI/RMSEA come from a catML model that keeps the equalities (its df rises
by their rank) and drops the thresholds.
"""
from __future__ import annotations

from pathlib import Path

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, compare_params, compare_series
from egovsem._errors import ModelSyntaxError
from egovsem.sem.constraints import constraint_rows

REF = Path(__file__).parent / "reference" / "constraints_wlsmv"
CASES = ("eq", "nonlinear", "ineq")
HSO = pd.read_csv(DATA / "hs_ordinal.csv")
_FITS: dict[str, object] = {}


def _fit(case: str):
    if case not in _FITS:
        _FITS[case] = egovsem.cfa((REF / f"{case}_model.lav").read_text(encoding="utf-8"), HSO, ordered=True,
                                  estimator="WLSMV")
    return _FITS[case]


@pytest.mark.parametrize("case", CASES)
def test_parameter_rows_match_lavaan(case):
    fit = _fit(case)
    assert fit.converged
    ours = pd.concat([fit.params, constraint_rows(fit)], ignore_index=True)
    ref = pd.read_csv(REF / f"{case}_params.csv")
    assert len(ours) == len(ref)
    problems = compare_params(ours, ref, columns=("est", "std.lv", "std.all"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", CASES)
def test_fit_measures_match_lavaan(case):
    fm = _fit(case).fit_measures
    ref = pd.read_csv(REF / f"{case}_fit.csv").set_index("measure")["value"]
    bad = compare_series(fm, ref)
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("case", CASES)
def test_npar_and_df_as_lavaan(case):
    info = pd.read_csv(REF / f"{case}_info.csv").set_index("key")["value"]
    fm = _fit(case).fit_measures
    ref = pd.read_csv(REF / f"{case}_fit.csv").set_index("measure")["value"]
    assert int(fm["npar"]) == int(ref["npar"]) and int(fm["df"]) == int(info["fit_df"])
    assert "Thresholds:" in _fit(case).summary()


def test_bad_constraints_are_refused_with_the_line():
    model = "visual =~ x1 + a*x2 + b*x3\n"
    with pytest.raises(ModelSyntaxError, match=r"line 2: the constraint 'a == zz' uses 'zz'"):
        egovsem.cfa(model + "a == zz", HSO, ordered=True, estimator="WLSMV")
    with pytest.raises(ModelSyntaxError, match="cannot all hold at once"):
        egovsem.cfa(model + "a > 1\na < 0", HSO, ordered=True, estimator="WLSMV")


# explicit constraints with WLSMV in several groups (and with parameterization="theta") were refused here until
# issue 11 implemented them (tests/test_constraints_wlsmv_mg.py)
