"""WLSMV with ``missing="pairwise"`` (issue 11) against lavaan 0.6-14 on psych's bfi, whose items have missing
values: every row of parameterEstimates(fit, standardized = TRUE), every fitMeasures() value, wls.obs (the
pairwise thresholds and polychorics) and Gamma (lavaan's NACOV over the available cases).

References: tests/reference/wlsmv_pairwise/<case>_{params,fit,wlsobs,gamma,info}.csv, written by
tests/reference/make_reference_wlsmv_pairwise.R from data/bfi.csv. Tolerances of architecture.md.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, compare_params, compare_series, read_kv, read_ref
from egovsem._errors import DataError, EgovsemError, EgovsemWarning
from egovsem.sem.model import Model
from egovsem.sem.ordinal import ordinal_stats

M3 = "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5\nN =~ N1 + N2 + N3 + N4 + N5"
M2 = "E =~ E1 + E2 + E3 + E4 + E5\nO =~ O1 + O2 + O3 + O4 + O5\nO ~ E"
CASES = {"bfi3": (M3, {}, None), "bfi2_sem": (M2, {"std_lv": True}, 600)}
_FITS: dict = {}


def _bfi(nrows=None) -> pd.DataFrame:
    d = pd.read_csv(DATA / "bfi.csv")
    return d if nrows is None else d.iloc[:nrows]


def _fit(case):
    if case not in _FITS:
        model, opts, nrows = CASES[case]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EgovsemWarning)
            _FITS[case] = Model(model, ordered=True, estimator="WLSMV", missing="pairwise", **opts).fit(_bfi(nrows))
    return _FITS[case]


@pytest.mark.parametrize("case", list(CASES))
def test_params_match_lavaan(case):
    ref = read_ref(case, "params", sub="wlsmv_pairwise")
    assert compare_params(_fit(case).params, ref) == []
    assert len(_fit(case).params) == len(ref)


@pytest.mark.parametrize("case", list(CASES))
def test_fit_measures_match_lavaan(case):
    ref = read_kv(case, "fit", sub="wlsmv_pairwise")
    fm = _fit(case).fit_measures
    assert compare_series(fm, ref) == []
    assert set(fm.index) == set(ref.index)


@pytest.mark.parametrize("case", list(CASES))
def test_first_stage_matches_lavaan(case):
    """wls.obs (labels and values) and every entry of Gamma; N is every row (lavaan's nobs)."""
    ost = _fit(case).extra["ordinal"]
    wo = read_ref(case, "wlsobs", sub="wlsmv_pairwise")
    assert list(ost.wls_names) == wo["name"].tolist()
    np.testing.assert_allclose(ost.wls_obs, wo["value"].to_numpy(float), atol=1e-6)
    gam = pd.read_csv(REF / "wlsmv_pairwise" / f"{case}_gamma.csv").to_numpy(float)
    np.testing.assert_allclose(ost.gamma, gam, rtol=1e-4, atol=1e-6 * np.abs(gam).max())
    info = read_kv(case, "info", sub="wlsmv_pairwise")
    assert ost.nobs == int(info["nobs"]) == _fit(case).nobs


def test_pairwise_equals_listwise_on_complete_rows():
    d = _bfi().dropna(subset=[f"A{i}" for i in range(1, 6)])
    X = d[[f"A{i}" for i in range(1, 6)]].to_numpy()
    a, b = ordinal_stats(X, [f"A{i}" for i in range(1, 6)]), ordinal_stats(X, [f"A{i}" for i in range(1, 6)],
                                                                          missing="pairwise")
    np.testing.assert_array_equal(a.wls_obs, b.wls_obs)
    np.testing.assert_allclose(a.gamma, b.gamma, rtol=1e-12)


def test_bad_missing_value_is_named():
    with pytest.raises(EgovsemError, match="missing.*'pairwse'"):
        ordinal_stats(np.array([[1, 2], [2, 1], [1, 1]]), ["a", "b"], missing="pairwse")
    with pytest.raises(EgovsemError, match="missing.*pairwse"):
        Model(M3, ordered=True, missing="pairwse")


def test_listwise_first_stage_still_refuses_nan():
    with pytest.raises(DataError, match="'a'.*nan.*missing='pairwise'"):
        ordinal_stats(np.array([[1, 2], [np.nan, 1], [1, 1], [2, 2]]), ["a", "b"])


def test_pairwise_refusals():
    # a continuous variable with missing values was refused here until issues 11/12 implemented lavaan's
    # pairwise polyserial and Pearson stages (tests/test_wlsmv_pairwise_mg.py matches them against lavaan)
    X = np.array([[1, 0.3], [2, np.nan], [1, 1.5], [2, 2.2], [1, 0.1], [2, 1.0]])
    st = ordinal_stats(X, ["a", "b"], ordered=["a"], missing="pairwise")
    assert st.means["b"] == pytest.approx(np.nanmean(X[:, 1]))
    # missing="pairwise" with ML (lavaan fits the pairwise covariance matrix) was refused here until issue 11
    # implemented it (tests/test_pairwise_ml.py); with GLS it was refused here until issue 11 implemented it as
    # lavaan does (listwise, with a warning: tests/test_pairwise_ml.py, tests/test_ls_tests.py)
    # lavaan: 'missing = "ml" not available in the categorical setting'
    with pytest.raises(EgovsemError, match="categorical setting"):
        Model(M3, ordered=True, missing="fiml")


def test_pairwise_with_groups_is_accepted():
    # refused until issues 11/12 implemented multi-group WLSMV with pairwise deletion
    # (tests/test_wlsmv_pairwise_mg.py matches it against lavaan)
    m = Model(M3, ordered=True, missing="pairwise", group="gender")
    assert m.opts.missing == "pairwise"
