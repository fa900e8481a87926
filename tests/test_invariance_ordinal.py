"""Ordinal measurement invariance (Wu & Estabrook 2016) against semTools::measEq.syntax + lavaan 0.6-14.

References: tests/reference/make_reference_invariance_ordinal.R.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _refcompare import REF, compare_group_params, compare_series, read_kv, read_ref
from egovsem.measure import invariance

SUB = "invariance_ordinal"
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
STEPS = ("configural", "thresholds", "loadings", "intercepts")


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "wlsmv_mg" / "hs5_school.csv")


_TABS: dict = {}


def _tab(par, data, partial=False):
    key = (par, partial)
    if key not in _TABS:
        _TABS[key] = invariance(MODEL, data, "school", ordered=True, parameterization=par,
                                group_partial=["x3 ~ 1"] if partial else None,
                                steps=("loadings", "intercepts") if partial else STEPS)
    return _TABS[key]


@pytest.mark.parametrize("par", ["delta", "theta"])
def test_each_step_matches_measEq_syntax_fit(par, data):
    tab = _tab(par, data)
    assert list(tab["step"]) == list(STEPS)
    for step in STEPS:
        fit = tab.attrs["fits"][step]
        assert compare_group_params(fit.params, read_ref(f"{par}_{step}", "params", SUB), columns=("est",)) == []
        assert compare_series(fit.fit_measures, read_kv(f"{par}_{step}", "fit", SUB).astype(float)) == []


@pytest.mark.parametrize("par", ["delta", "theta"])
def test_scaled_difference_tests_match_lavTestLRT(par, data):
    tab = _tab(par, data).set_index("step")
    lrt = read_ref(par, "lrt", SUB)
    for r in lrt.itertuples():
        if r.restricted == "partial":
            continue
        assert r.free == STEPS[STEPS.index(r.restricted) - 1]
        assert abs(tab.loc[r.restricted, "chisq_diff"] - r.chisq_diff) <= 1e-3 * max(1.0, r.chisq_diff)
        assert tab.loc[r.restricted, "df_diff"] == r.df_diff
        assert abs(tab.loc[r.restricted, "p_diff"] - r.pvalue) <= 1e-3
    # delta CFI / RMSEA from the scaled indices of the lavaan fits
    for a, b in zip(STEPS[1:], STEPS[:-1]):
        fa, fb = read_kv(f"{par}_{a}", "fit", SUB).astype(float), read_kv(f"{par}_{b}", "fit", SUB).astype(float)
        assert abs(tab.loc[a, "delta_cfi"] - (fa["cfi.scaled"] - fb["cfi.scaled"])) <= 1e-3
        assert abs(tab.loc[a, "delta_rmsea"] - (fa["rmsea.scaled"] - fb["rmsea.scaled"])) <= 1e-3
    assert np.isnan(tab.loc["configural", "chisq_diff"])


def test_partial_invariance_frees_a_named_intercept(data):
    tab = _tab("delta", data, partial=True).set_index("step")
    fit = tab.attrs["fits"]["intercepts"]
    assert compare_group_params(fit.params, read_ref("delta_partial", "params", SUB), columns=("est",)) == []
    assert compare_series(fit.fit_measures, read_kv("delta_partial", "fit", SUB).astype(float)) == []
    lrt = read_ref("delta", "lrt", SUB).set_index("restricted")
    assert abs(tab.loc["intercepts", "chisq_diff"] - lrt.loc["partial", "chisq_diff"]) <= 1e-3 * 5.6
    assert tab.loc["intercepts", "df_diff"] == lrt.loc["partial", "df_diff"] == 3


def test_ordinal_steps_are_checked(data):
    from egovsem._errors import EgovsemError

    with pytest.raises(EgovsemError, match="steps"):
        invariance(MODEL, data, "school", ordered=True, steps=("configural", "metric"))


def test_equal_df_steps_as_lavTestLRT():
    """3-category items: the thresholds step has the configural model's df (a reparameterisation). lavaan
    0.6-14's lavTestLRT then reports Df diff 0, the plain difference of the two statistics (~0) and no p-value,
    with a warning (tests/reference/make_reference_invariance_ordinal_equal_df.R); egovsem does the same
    instead of refusing the pair as not nested."""
    from egovsem._errors import EgovsemWarning

    d = pd.read_csv(REF / SUB / "hs3_school.csv")
    model = MODEL + "\nspeed =~ x7 + x8 + x9"
    with pytest.warns(EgovsemWarning, match="same degrees of freedom"):
        tab = invariance(model, d, "school", ordered=True, steps=("configural", "thresholds"))
    tab = tab.set_index("step")
    for step in ("configural", "thresholds"):
        ref = read_kv(f"hs3_{step}", "fit", SUB).astype(float)
        fm = tab.attrs["fits"][step].fit_measures
        assert compare_series(fm, ref) == [], step
    lrt = read_ref("hs3", "lrt", SUB).iloc[0]
    assert (lrt.restricted, lrt.free) == ("thresholds", "configural")
    assert "same degrees of freedom" in lrt.warning
    row = tab.loc["thresholds"]
    assert row["df_diff"] == lrt.df_diff == 0
    assert abs(row["chisq_diff"] - lrt.chisq_diff) <= 1e-3 * max(1.0, abs(lrt.chisq_diff))
    assert np.isnan(row["p_diff"]) and np.isnan(lrt.pvalue)
    from egovsem.tables import invariance_table

    cells = invariance_table(tab.reset_index()).to_frame().values.tolist()[1]
    assert cells[:3] == ["Thresholds", "93.22", "48"] and cells[5:8] == ["0.00", "0", "\u2014"]  # no p on 0 df
