"""The ordinal first stage of WLSMV (egovsem.sem.ordinal) against lavaan 0.6-14.

Reference values: tests/reference/ordinal/, written by tests/reference/make_reference_ordinal.R from the
same CSV files (data/hs_ordinal*.csv) read here. Every entry is compared; none is skipped.
Tolerances: thresholds, correlations and WLS.obs 1e-4 absolute; Gamma (NACOV) and the DWLS weights 1e-3
relative for every entry with |x| > 1e-6 and 1e-9 absolute for the smaller ones (lavaan's nlminb stops
~1e-8 from the optimum of each correlation, which moves Gamma by ~1e-8 absolute; the relative differences
observed are below 6e-5).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF
from egovsem._errors import DataError, EgovsemWarning
from egovsem.sem._bivnorm import bvn_cdf, bvn_pdf
from egovsem.sem.ordinal import ordinal_stats
from scipy.stats import multivariate_normal

ORD = REF / "ordinal"
CASES = ["hs_ord4", "hs_varcat", "hs_mixed", "hs_binary", "hs_degenerate"]


def _load(case: str):
    if case == "hs_ord4":
        d = pd.read_csv(DATA / "hs_ordinal.csv")
        return d, list(d.columns)
    if case == "hs_varcat":
        d = pd.read_csv(DATA / "hs_ordinal_varcat.csv")
        return d, list(d.columns)
    if case == "hs_binary":
        d = pd.read_csv(DATA / "hs_ordinal_binary.csv")
        return d, list(d.columns)
    if case == "hs_degenerate":  # a and b agree on every row: two empty cells, correlation 1
        d = pd.read_csv(DATA / "hs_ordinal_degenerate.csv")
        return d, list(d.columns)
    if case == "hs_mixed":  # x1..x6 ordered (4 categories), x7..x9 continuous
        o = pd.read_csv(DATA / "hs_ordinal.csv")
        h = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
        d = pd.concat([o[[f"x{i}" for i in range(1, 7)]], h[["x7", "x8", "x9"]]], axis=1)
        return d, [f"x{i}" for i in range(1, 7)]
    raise KeyError(case)


_CACHE: dict = {}


def _stats(case: str):
    if case not in _CACHE:
        d, ordered = _load(case)
        with warnings.catch_warnings():
            # hs_binary has a correlation of 0.999, hs_degenerate one of 1 (lavaan warns too)
            warnings.simplefilter("ignore", EgovsemWarning)
            _CACHE[case] = ordinal_stats(d.to_numpy(), list(d.columns), ordered)
    return _CACHE[case]


def _vec(case: str, what: str) -> pd.Series:
    t = pd.read_csv(ORD / f"{case}_{what}.csv")
    return pd.Series(t.iloc[:, 1].to_numpy(float), index=t.iloc[:, 0].astype(str))


def _mat(case: str, what: str) -> pd.DataFrame:
    return pd.read_csv(ORD / f"{case}_{what}.csv", index_col=0)


# ------------------------------------------------------------------------------ bivariate normal ---

def test_bvn_cdf_matches_scipy():
    rng = np.random.default_rng(20261125)
    n = 300
    h = rng.normal(0, 1.5, n)
    k = rng.normal(0, 1.5, n)
    r = rng.uniform(-0.999, 0.999, n)
    # every branch of Genz's algorithm: |r| < 0.925 and above, r of both signs, h >= k and h < k
    r[:44] = np.repeat([0.0, 0.29, -0.31, 0.74, -0.76, 0.924, -0.926, 0.95, -0.95, 0.9999, -0.9999], 4)
    h[:4], k[:4] = [-3.0, 2.5, 0.1, -0.1], [2.0, -3.5, 0.1, 0.3]
    ours = bvn_cdf(h, k, r)
    ref = np.array([
        multivariate_normal(mean=[0, 0], cov=[[1, rr], [rr, 1]], abseps=1e-14, releps=1e-14).cdf([hh, kk])
        for hh, kk, rr in zip(h, k, r)
    ])
    assert np.max(np.abs(ours - ref)) < 1e-10


def test_bvn_cdf_limits_and_shape():
    # infinite bounds reduce to univariate probabilities; output keeps the broadcast shape
    from scipy.special import ndtr

    assert bvn_cdf(np.inf, 0.3, 0.5) == pytest.approx(ndtr(0.3), abs=1e-15)
    assert bvn_cdf(-0.2, np.inf, -0.5) == pytest.approx(ndtr(-0.2), abs=1e-15)
    assert bvn_cdf(-np.inf, 0.3, 0.5) == 0.0
    assert bvn_cdf(np.inf, np.inf, 0.2) == 1.0
    assert bvn_cdf(0.0, 0.0, 0.0) == pytest.approx(0.25, abs=1e-15)
    assert bvn_cdf(np.zeros((3, 1)), np.zeros((1, 4)), 0.5).shape == (3, 4)
    # the density integrates back: d/dr F(h, k, r) = phi2(h, k, r)
    h, k, r, e = 0.3, -0.8, 0.4, 1e-6
    assert (bvn_cdf(h, k, r + e) - bvn_cdf(h, k, r - e)) / (2 * e) == pytest.approx(bvn_pdf(h, k, r), rel=1e-7)


# -------------------------------------------------------------------------------------- lavaan ---

@pytest.mark.parametrize("case", CASES)
def test_thresholds_match_lavaan(case):
    st = _stats(case)
    ref = _vec(case, "th")  # lavCor(d, ordered=..., output = "th")
    ours = {f"{v}|t{k + 1}": t for v in st.ordered for k, t in enumerate(st.thresholds[v])}
    assert sorted(ours) == sorted(ref.index)
    bad = {k: (ours[k], ref[k]) for k in ref.index if abs(ours[k] - ref[k]) > 1e-4}
    assert not bad


@pytest.mark.parametrize("case", CASES)
def test_correlations_match_lavaan(case):
    st = _stats(case)
    ref = _mat(case, "cor")  # lavCor(d, ordered=..., output = "cor")
    assert list(ref.index) == list(st.names) and list(ref.columns) == list(st.names)
    assert np.max(np.abs(st.corr - ref.to_numpy())) < 1e-4


@pytest.mark.parametrize("case", CASES)
def test_wls_obs_matches_lavaan(case):
    st = _stats(case)
    ref = _vec(case, "wls_obs")  # lavInspect(fit, "wls.obs")
    assert list(st.wls_names) == list(ref.index)
    assert np.max(np.abs(st.wls_obs - ref.to_numpy())) < 1e-4


@pytest.mark.parametrize("case", CASES)
def test_gamma_matches_lavaan(case):
    st = _stats(case)
    ref = _mat(case, "gamma")  # lavInspect(fit, "gamma")
    assert list(ref.index) == list(st.wls_names)
    R = ref.to_numpy()
    big = np.abs(R) > 1e-6
    rel = np.abs(st.gamma - R)[big] / np.abs(R[big])
    assert rel.max() < 1e-3
    assert np.max(np.abs(st.gamma - R)[~big], initial=0.0) < 1e-9
    assert np.allclose(st.gamma, st.gamma.T, rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_dwls_weight_matches_lavaan(case):
    st = _stats(case)
    ref = _vec(case, "wls_v_diag")  # diag(lavInspect(fit, "wls.v")), estimator = "WLSMV"
    assert list(ref.index) == list(st.wls_names)
    assert np.max(np.abs(st.wls_v_diag - ref.to_numpy()) / np.abs(ref.to_numpy())) < 1e-3
    assert np.allclose(st.wls_v_diag, 1 / np.diag(st.gamma))


def test_two_empty_cells_give_correlation_one_with_a_warning():
    d = pd.read_csv(DATA / "hs_ordinal_degenerate.csv")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        st = ordinal_stats(d.to_numpy(), list(d.columns))
    msgs = [str(w.message) for w in caught if issubclass(w.category, EgovsemWarning)]
    assert any("Two empty cells in the 2 x 2 table of b x a" in m for m in msgs)
    assert any("correlation between b and a is (nearly) 1.0" in m for m in msgs)
    assert st.corr[0, 1] == 1.0 and np.all(np.isfinite(st.gamma))


def test_unused_codes_are_not_categories():
    # hs_ordinal_varcat.csv codes x5 as 1, 2, 3, 5: four categories, three thresholds (as lavaan)
    st = _stats("hs_varcat")
    assert list(st.levels["x5"]) == [1, 2, 3, 5]
    assert st.thresholds["x5"].size == 3


def test_codes_only_matter_through_their_order():
    d = pd.read_csv(DATA / "hs_ordinal.csv")
    X = d.to_numpy()
    a = _stats("hs_ord4")
    b = ordinal_stats(10 * X - 7, list(d.columns))
    assert np.allclose(a.corr, b.corr, atol=1e-10)
    assert np.allclose(a.gamma, b.gamma, rtol=1e-8, atol=1e-12)


# ------------------------------------------------------------------------------------ bad input ---

def test_one_category_is_an_error():
    X = np.array([[1, 3], [2, 3], [1, 3], [2, 3]])
    with pytest.raises(DataError, match=r"'b' is declared ordered but has only one category \(every row is 3\)"):
        ordinal_stats(X, ["a", "b"])


def test_non_integer_is_an_error():
    X = np.array([[1, 1], [2, 2], [1, 2.5], [2, 1]])
    with pytest.raises(DataError, match=r"'b' is declared ordered but holds the non-integer value 2.5 at row index 2"):
        ordinal_stats(X, ["a", "b"])


def test_non_integer_in_a_continuous_column_is_fine():
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.integers(1, 4, 200), rng.normal(size=200)])
    st = ordinal_stats(X, ["a", "b"], ordered=["a"])
    assert st.ordered == ("a",) and st.wls_names == ("a|t1", "a|t2", "b~1", "b~~b", "a~~b")


def test_more_than_ten_categories_warns():
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.integers(1, 13, 500), rng.integers(1, 4, 500)])
    with pytest.warns(EgovsemWarning, match=r"'a' is declared ordered and has 12 categories \(more than 10\)"):
        st = ordinal_stats(X, ["a", "b"])
    assert st.thresholds["a"].size == 11


def test_missing_values_are_an_error():
    X = np.array([[1, 1], [2, np.nan], [1, 2], [2, 1]])
    with pytest.raises(DataError, match=r"Column 'b' holds the value nan at row index 1"):
        ordinal_stats(X, ["a", "b"])


def test_names_and_ordered_are_checked():
    X = np.array([[1, 1], [2, 2], [1, 2], [2, 1]])
    with pytest.raises(DataError, match="must name every column"):
        ordinal_stats(X, ["a"])
    with pytest.raises(DataError, match=r"'ordered' parameter names variable\(s\) \['c'\]"):
        ordinal_stats(X, ["a", "b"], ordered=["c"])
