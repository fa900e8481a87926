"""PLS and PLSc estimates against seminr's published test fixtures (tests/reference/pls/README.md).

Every cell of a fixture that egovsem estimates is compared, within 1e-5 (absolute): paths, loadings, weights,
R-squared, rho_A, and the quality criteria seminr's fixtures hold (alpha, rho_C, AVE, HTMT, VIF, f-squared,
the Fornell-Larcker table). A fixture cell that egovsem does not produce is a failure, never a skip.
"""
from __future__ import annotations

import egovsem
import numpy as np
import pandas as pd
import pytest
from _pls_models import (
    CORP_REP_EXT,
    CORP_REP_SIMPLE,
    MOBI2,
    MOBI4,
    MOBI4_VALUE,
    MOBI_MEASURE,
    REF,
    corp_rep,
    matrix_cells,
    matrix_paths,
    mobi,
    ref,
    report_rows,
)

TOL = 1e-5


def _params(fit, op):
    p = fit.params[fit.params["op"] == op]
    return {(r.lhs, r.rhs): float(r.est) for r in p.itertuples()}


def _assert_cells(ours: dict, expected: dict, what: str):
    assert set(expected) <= set(ours), f"{what}: egovsem has no {sorted(set(expected) - set(ours))}"
    for key, val in expected.items():
        assert abs(ours[key] - val) <= TOL, f"{what} {key}: egovsem {ours[key]!r}, seminr {val!r}"


def _assert_loadings_zero_elsewhere(fit, fixture):
    """seminr's matrices are zero outside each block; egovsem's loadings/weights tables too."""
    for col in fixture.columns:
        for row in fixture.index:
            if fixture.at[row, col] == 0:
                assert fit.loadings.at[row, col] == 0 and fit.weights.at[row, col] == 0


@pytest.fixture(scope="module")
def mobi_data():
    return mobi()


@pytest.fixture(scope="module")
def fit_path(mobi_data):
    return egovsem.pls(MOBI4, mobi_data, weighting="path")


@pytest.fixture(scope="module")
def fit_factorial(mobi_data):
    return egovsem.pls(MOBI4, mobi_data, weighting="factorial")


# -- mode A: path and factorial weighting ---------------------------------------------------------------
def test_mode_a_path_weighting(fit_path):
    _assert_cells(_params(fit_path, "~"), matrix_paths(ref("inner_weights_coefficients.csv")), "path")
    w = ref("inner_weights_weights.csv")
    _assert_cells(_params(fit_path, "<~"), matrix_cells(w), "weight")
    _assert_loadings_zero_elsewhere(fit_path, w)
    loadings = {k: float(r["Original Est."]) for k, r in report_rows(ref("boot_report_loadings.csv")).items()}
    _assert_cells(_params(fit_path, "=~"), {(c, x): v for (x, c), v in loadings.items()}, "loading")
    assert fit_path.converged


def test_mode_a_factorial_weighting(fit_factorial):
    _assert_cells(_params(fit_factorial, "~"), matrix_paths(ref("factorial_coefficients.csv")), "path")
    _assert_cells(_params(fit_factorial, "<~"), matrix_cells(ref("factorial_weights.csv")), "weight")
    boot = ref("boot_weights.csv")  # its 'PLS Est.' columns are the same factorial fit
    est = boot[[c for c in boot.columns if c.endswith("PLS Est.")]]
    est.columns = [c.replace(" PLS Est.", "") for c in est.columns]
    _assert_cells(_params(fit_factorial, "<~"), matrix_cells(est), "weight (boot_weights.csv)")
    paths = ref("boostrapmatrix1.csv")["Satisfaction PLS Est."]
    _assert_cells(_params(fit_factorial, "~"), {("Satisfaction", k): float(v) for k, v in paths.items()}, "path")


def test_r2_and_adjusted_r2(fit_path):
    r2 = ref("rsquared1.csv")["Satisfaction"]
    assert abs(fit_path.r2["Satisfaction"] - r2["Rsq"]) <= TOL
    assert abs(fit_path.r2_adj["Satisfaction"] - r2["AdjRsq"]) <= TOL
    assert list(fit_path.r2.index) == ["Satisfaction"]


def test_reliability(fit_path):
    exp = ref("reliability.csv")
    ours = fit_path.reliability()
    assert list(ours.columns) == ["alpha", "rhoC", "AVE", "rhoA"]
    for c in exp.index:
        for col in exp.columns:
            assert abs(ours.at[c, col] - exp.at[c, col]) <= TOL, (c, col)


def test_rho_a_factorial(fit_factorial):
    exp = ref("rho1.csv")["rhoA"]
    ours = fit_factorial.reliability()["rhoA"]
    for c, v in exp.items():
        assert abs(ours[c] - v) <= TOL, c


def test_htmt_and_fornell_larcker(fit_path):
    exp = ref("htmt.csv")  # upper triangle (row < column) in seminr; egovsem fills below the diagonal
    ours = fit_path.htmt()
    n = 0
    for r in exp.index:
        for c in exp.columns:
            if np.isfinite(exp.at[r, c]):
                assert abs(ours.at[c, r] - exp.at[r, c]) <= TOL, (r, c)
                n += 1
    assert n == 6
    fl = pd.read_csv(REF / "fl_table.csv")  # written without row names: rows in column order
    ours_fl = fit_path.fornell_larcker()
    names = list(fl.columns)
    n = 0
    for i, r in enumerate(names):
        for j, c in enumerate(names):
            v = fl.iat[i, j]
            assert np.isfinite(v) == np.isfinite(ours_fl.at[r, c]), (r, c)
            if np.isfinite(v):
                assert abs(ours_fl.at[r, c] - v) <= TOL, (r, c)
                n += 1
    assert n == 10


def test_vifs(mobi_data, fit_path):
    items = ref("vifs_flat_item_vifs1.csv").iloc[0]
    ours = fit_path.vif("indicators")
    for key, v in items.items():
        c, x = key.split("*")
        assert abs(ours[(c, x)] - v) <= TOL, key
    ante = ref("vifs_flat_vif_antecedents1.csv").iloc[0]
    ours = fit_path.vif("antecedents")
    for key, v in ante.items():
        y, x = key.split("*")
        assert abs(ours[(y, x)] - v) <= TOL, key
    fit2 = egovsem.pls(MOBI4_VALUE, mobi_data)
    ante2 = ref("vifs_flat_vif_antecedents2.csv").iloc[0]
    ours2 = fit2.vif("antecedents")
    for key, v in ante2.items():
        y, x = key.split("*")
        assert abs(ours2[(y, x)] - v) <= TOL, key


def test_f_squared(mobi_data, fit_path):
    assert abs(fit_path.f2()[("Satisfaction", "Image")] - ref("fsquared1.csv")["x"].iloc[0]) <= TOL
    two = egovsem.pls(MOBI2, mobi_data)
    assert abs(two.f2()[("Satisfaction", "Image")] - ref("fsquared2.csv")["x"].iloc[0]) <= TOL


# -- PLSc -----------------------------------------------------------------------------------------------
def test_plsc_factorial(mobi_data):
    fit = egovsem.pls(MOBI4, mobi_data, weighting="factorial", consistent=True)
    assert fit.estimator == "PLSc"
    _assert_cells(_params(fit, "~"), matrix_paths(ref("path_coef1.csv")), "PLSc path")
    _assert_cells(_params(fit, "=~"), matrix_cells(ref("loadings1.csv")), "PLSc loading")
    r2 = ref("rsquaredplsc.csv")["Satisfaction"]
    assert abs(fit.r2["Satisfaction"] - r2["Rsq"]) <= TOL
    assert abs(fit.r2_adj["Satisfaction"] - r2["AdjRsq"]) <= TOL
    rho = ref("rho1.csv")["rhoA"]
    for c, v in rho.items():
        assert abs(fit.reliability().at[c, "rhoA"] - v) <= TOL
    # the weights are the PLS weights (PLSc corrects loadings, paths and R2 only)
    _assert_cells(_params(fit, "<~"), matrix_cells(ref("factorial_weights.csv")), "PLSc weight")


def test_plsc_path_weighting(mobi_data):
    fit = egovsem.pls(MOBI4, mobi_data, weighting="path", consistent=True)
    boot = ref("boot_loadings.csv")
    est = boot[[c for c in boot.columns if c.endswith("PLS Est.")]]
    est.columns = [c.replace(" PLS Est.", "") for c in est.columns]
    _assert_cells(_params(fit, "=~"), matrix_cells(est), "PLSc loading (path)")
    fr = ref("factor_reliability.csv")  # Image and Expectation are common factors in that model
    rel = fit.reliability()
    for c in fr.index:
        assert abs(rel.at[c, "AVE"] - fr.at[c, "AVE"]) <= TOL, c
        assert abs(rel.at[c, "rhoA"] - fr.at[c, "rhoA"]) <= TOL, c
    htmt = ref("boot_HTMT.csv")
    for r in htmt.index:
        for c in htmt.index:
            v = htmt.at[r, f"{c} PLS Est."]
            if np.isfinite(v):
                assert abs(fit.htmt().at[c, r] - v) <= TOL


# -- mode B, fixed weights, single items, mean replacement ----------------------------------------------
def test_mode_b_unit_weights_and_single_items(mobi_data):
    fit = egovsem.pls(MOBI_MEASURE, mobi_data, consistent=True)
    w, lo = ref("weights3.csv"), ref("loadings3.csv")
    _assert_cells(_params(fit, "<~"), matrix_cells(w), "weight")
    _assert_cells(_params(fit, "=~"), matrix_cells(lo), "loading")
    _assert_loadings_zero_elsewhere(fit, w)
    assert fit.spec.modes["Satisfaction"] == "B" and fit.spec.fixed == {"Value": (1.0, 1.0)}


def test_mode_b_corp_rep_mean_replacement_stop_criterion_1():
    fit = egovsem.pls(CORP_REP_EXT, corp_rep(), weighting="factorial", missing="mean", missing_value=-99,
                      stop_criterion=1)
    exp = {(b, a): float(r["Original Est."]) for (a, b), r in report_rows(ref("missing_cases_paths.csv")).items()}
    assert len(exp) == 13
    _assert_cells(_params(fit, "~"), exp, "mode-B path")
    assert fit.nobs == 344 and fit.n_dropped == 0


def test_mean_replacement_path_weighting():
    fit = egovsem.pls(CORP_REP_SIMPLE, corp_rep(), missing="mean", missing_value=-99)
    _assert_cells(_params(fit, "~"), matrix_paths(ref("corp_rep_simple_paths.csv")), "path")
    # the code may also be given as text (seminr: missing_value = "-99")
    fit2 = egovsem.pls(CORP_REP_SIMPLE, corp_rep(), missing="mean", missing_value="-99")
    assert np.allclose(fit2.params["est"], fit.params["est"], atol=0, rtol=0)
    # the fixture does test the replacement: the model's columns hold -99 codes, and every one was replaced
    cols = list(fit.spec.indicators)
    n_codes = int((corp_rep()[cols] == -99).to_numpy().sum())
    assert n_codes > 0 and fit.n_replaced == n_codes and fit.nobs == 344
    # and the codes read as numbers would give other paths (so a missed replacement would fail the test above)
    raw = egovsem.pls(CORP_REP_SIMPLE, corp_rep())
    assert np.abs(raw.params["est"].to_numpy() - fit.params["est"].to_numpy()).max() > 1e-3


# -- properties without a seminr fixture ----------------------------------------------------------------
def test_centroid_equals_factorial_with_one_neighbour(mobi_data):
    """With a single path every construct has one neighbour: the inner proxy is +-(its score), whatever
    the scheme, so centroid, factorial and path weighting give the same solution."""
    fits = [egovsem.pls(MOBI2, mobi_data, weighting=w) for w in ("path", "factorial", "centroid")]
    for f in fits[1:]:
        assert np.allclose(f.params["est"], fits[0].params["est"], atol=1e-9)


def test_centroid_runs_and_differs(mobi_data):
    cen = egovsem.pls(MOBI4, mobi_data, weighting="centroid")
    fac = egovsem.pls(MOBI4, mobi_data, weighting="factorial")
    assert cen.converged and not np.allclose(cen.params["est"], fac.params["est"], atol=1e-6)
    assert cen.settings["weighting"] == "centroid"


def test_scores_are_standardised_and_give_the_paths(fit_path):
    s = fit_path.scores
    assert np.allclose(s.mean(), 0, atol=1e-12) and np.allclose(s.std(ddof=1), 1, atol=1e-12)
    X = s[["Image", "Expectation", "Value"]].to_numpy()
    b = np.linalg.lstsq(X, s["Satisfaction"].to_numpy(), rcond=None)[0]
    assert np.allclose(b, [fit_path.params.query("op == '~'")["est"]], atol=1e-10)


def test_listwise_deletion_counts(mobi_data):
    d = mobi_data.copy()
    d.loc[[0, 5, 9], "IMAG1"] = np.nan
    fit = egovsem.pls(MOBI4, d)
    assert fit.nobs == 247 and fit.n_dropped == 3 and fit.ntotal == 250
    assert len(fit.scores) == 247
