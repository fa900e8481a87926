"""lavTestScore() after multi-group WLSMV (tests/reference/make_reference_score_test_wlsmv.R)."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest
from _refcompare import REF, close
from egovsem.sem.score_test import score_tests
from egovsem.sem.wls_mg import fit_wlsmv_multigroup

SUB = REF / "score_test_wlsmv"
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
CASES = {"delta_loadings": (["thresholds", "loadings"], "delta"),
         "theta_loadings": (["thresholds", "loadings"], "theta"),
         "delta_loadingsonly": (["loadings"], "delta")}


@pytest.mark.parametrize("case", list(CASES))
def test_score_tests_match_lavTestScore(case):
    d = pd.read_csv(REF / "wlsmv_mg" / "hs5_school.csv")
    ge, par = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_wlsmv_multigroup(MODEL, d, True, group="school", group_equal=ge, parameterization=par)
    total, uni = score_tests(fit)
    rt = pd.read_csv(SUB / f"{case}_test.csv")
    ru = pd.read_csv(SUB / f"{case}_uni.csv")
    assert close(float(total["X2"].iloc[0]), float(rt["X2"].iloc[0]), 1e-3)
    assert int(total["df"].iloc[0]) == int(rt["df"].iloc[0])
    assert len(uni) == len(ru)
    for ours, ref in zip(uni.itertuples(), ru.itertuples()):
        assert (ours.lhs, ours.rhs) == (ref.lhs, ref.rhs)
        assert close(ours.X2, ref.X2, 1e-3), (ours.lhs, ours.rhs, ours.X2, ref.X2)
        assert close(ours._6, ref._6, 1e-3)  # p.value
