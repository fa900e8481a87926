"""Ordinal invariance (Wu & Estabrook 2016) with continuous indicators mixed with ordered ones, against
semTools::measEq.syntax + lavaan 0.6-14: every row of parameterEstimates() (est, se) and every fitMeasures()
value of each step, and the lavTestLRT scaled difference tests between consecutive steps; delta and theta on
HS (x1..x6 ordered, x7..x9 continuous, by school), a partial model freeing an ordered and a continuous
intercept, and the sequence with missing="pairwise" on psych's bfi by gender (delta and theta).

References: tests/reference/make_reference_invariance_ordinal_mixed.R.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, compare_group_params, compare_series, read_kv, read_ref
from egovsem._errors import EgovsemError
from egovsem.measure import invariance

SUB = "invariance_ordinal_mixed"
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
MB = "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"
STEPS = ("configural", "thresholds", "loadings", "intercepts")
ORD = [f"x{i}" for i in range(1, 7)]
PARTIAL = ["x3 ~ 1", "x7 ~ 1"]
_TABS: dict = {}


def _hs() -> pd.DataFrame:
    return pd.read_csv(REF / "wlsmv_mg_std" / "hs5mix_school.csv")


def _tab(case, partial=False):
    key = (case, partial)
    if key not in _TABS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if case.startswith("bfi_pairwise"):
                _TABS[key] = invariance(MB, pd.read_csv(DATA / "bfi.csv"), "gender",
                                        ordered=[f"A{i}" for i in range(1, 6)], missing="pairwise",
                                        parameterization="theta" if case.endswith("theta") else "delta")
            else:
                _TABS[key] = invariance(MODEL, _hs(), "school", ordered=ORD, parameterization=case,
                                        group_partial=PARTIAL if partial else None,
                                        steps=("loadings", "intercepts") if partial else STEPS)
    return _TABS[key]


CASES = ["delta", "theta", "bfi_pairwise", "bfi_pairwise_theta"]


@pytest.mark.parametrize("case", CASES)
def test_each_step_matches_measEq_syntax_fit(case):
    tab = _tab(case)
    assert list(tab["step"]) == list(STEPS)
    for step in STEPS:
        fit = tab.attrs["fits"][step]
        ref = read_ref(f"{case}_{step}", "params", SUB)
        assert compare_group_params(fit.params, ref, columns=("est",)) == [], step
        fm = read_kv(f"{case}_{step}", "fit", SUB).astype(float)
        for k in ("chisq", "chisq.scaled", "df", "cfi.scaled", "rmsea.scaled"):
            assert np.isfinite(fm[k])
        assert compare_series(fit.fit_measures, fm) == [], step


@pytest.mark.parametrize("case", CASES)
def test_scaled_difference_tests_match_lavTestLRT(case):
    tab = _tab(case).set_index("step")
    lrt = read_ref(case, "lrt", SUB)
    for r in lrt.itertuples():
        if r.restricted == "partial":
            continue
        assert r.free == STEPS[STEPS.index(r.restricted) - 1]
        assert abs(tab.loc[r.restricted, "chisq_diff"] - r.chisq_diff) <= 1e-3 * max(1.0, r.chisq_diff)
        assert tab.loc[r.restricted, "df_diff"] == r.df_diff
        assert abs(tab.loc[r.restricted, "p_diff"] - r.pvalue) <= 1e-3
    for a, b in zip(STEPS[1:], STEPS[:-1]):
        fa = read_kv(f"{case}_{a}", "fit", SUB).astype(float)
        fb = read_kv(f"{case}_{b}", "fit", SUB).astype(float)
        assert abs(tab.loc[a, "delta_cfi"] - (fa["cfi.scaled"] - fb["cfi.scaled"])) <= 1e-3
        assert abs(tab.loc[a, "delta_rmsea"] - (fa["rmsea.scaled"] - fb["rmsea.scaled"])) <= 1e-3


@pytest.mark.parametrize("par", ["delta", "theta"])
def test_partial_frees_an_ordered_and_a_continuous_intercept(par):
    tab = _tab(par, partial=True).set_index("step")
    fit = tab.attrs["fits"]["intercepts"]
    assert compare_group_params(fit.params, read_ref(f"{par}_partial", "params", SUB), columns=("est",)) == []
    assert compare_series(fit.fit_measures, read_kv(f"{par}_partial", "fit", SUB).astype(float)) == []
    lrt = read_ref(par, "lrt", SUB).set_index("restricted")
    ref = float(lrt.loc["partial", "chisq_diff"])
    assert abs(tab.loc["intercepts", "chisq_diff"] - ref) <= 1e-3 * max(1.0, ref)
    assert tab.loc["intercepts", "df_diff"] == lrt.loc["partial", "df_diff"] == 4


def test_bad_missing_is_named():
    with pytest.raises(EgovsemError, match="categorical setting"):
        invariance(MODEL, _hs(), "school", ordered=ORD, missing="fiml")
    with pytest.raises(EgovsemError, match=r"'missing' parameter.*'pairwse'"):
        invariance(MODEL, _hs(), "school", ordered=ORD, missing="pairwse")
