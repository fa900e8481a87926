"""FIML (missing = "ml") and MLR against lavaan 0.6-14: every row of parameterEstimates(),
fitMeasures() and modindices(), written by tests/reference/make_reference_fiml.R."""
from __future__ import annotations

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, compare_params, compare_series, fit_cases, read_kv, read_ref

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
PD_RESID = "y1 ~~ y5\ny2 ~~ y4 + y6\ny3 ~~ y7\ny4 ~~ y8\ny6 ~~ y8\n"
PD_SEM = ("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + a*y2 + b*y3 + c*y4\ndem65 =~ y5 + a*y6 + b*y7 + c*y8\n"
          "dem60 ~ ind60\ndem65 ~ ind60 + dem60\n" + PD_RESID)
PD_IND = ("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem65 =~ y5 + y6 + y7 + y8\n"
          "dem60 ~ a*ind60\ndem65 ~ c*ind60 + b*dem60\n" + PD_RESID + "ab := a*b\n")

HS_X = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr\ntextual ~ ageyr + visual"

CASES = {
    "hs_fiml_x": ("hs_missing10", HS_X, {"missing": "fiml"}),
    "hs_fiml_x_mlr": ("hs_missing10", HS_X, {"missing": "fiml", "estimator": "MLR"}),
    "hs_fiml": ("hs_missing10", HS, {"missing": "fiml"}),
    "hs_fiml_std": ("hs_missing10", HS, {"missing": "fiml", "std_lv": True}),
    "hs_fiml_mlr": ("hs_missing10", HS, {"missing": "fiml", "estimator": "MLR"}),
    "hs_mlr": ("HolzingerSwineford1939", HS, {"estimator": "MLR"}),
    "pd_mlr": ("PoliticalDemocracy", PD_SEM, {"estimator": "MLR"}),
    "pd_ind_mlr": ("PoliticalDemocracy", PD_IND, {"estimator": "MLR"}),
}


@pytest.fixture(scope="module")
def fits():
    return fit_cases(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_params_match_lavaan(fits, case):
    fit = fits[case]
    assert fit.converged
    problems = compare_params(fit.params, read_ref(case, "params", "fiml"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_measures_match_lavaan(fits, case):
    fit = fits[case]
    ref = read_kv(case, "fit", "fiml")
    problems = compare_series(fit.fit_measures, ref)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", sorted(CASES))
def test_r2_and_nobs_match_lavaan(fits, case):
    fit = fits[case]
    problems = compare_series(fit.r2, read_kv(case, "r2", "fiml"))
    assert not problems, "\n".join(problems)
    assert fit.nobs == int(read_kv(case, "info", "fiml")["nobs"])


def test_em_saturated_moments_match_lavaan(fits):
    fit = fits["hs_fiml"]
    h1 = pd.read_csv(DATA.parent / "tests" / "reference" / "fiml" / "hs_fiml_h1_cov.csv").iloc[:, 1:].to_numpy()
    assert np.abs(fit.stats.cov - h1).max() < 1e-6


def test_rows_missing_everywhere_are_dropped_and_reported():
    df = pd.read_csv(DATA / "hs_missing10.csv")
    df.loc[[3, 7], [f"x{i}" for i in range(1, 10)]] = np.nan
    with pytest.warns(egovsem._errors.MissingDataWarning, match=r"2 of 301 rows are missing on every model variable"):
        fit = egovsem.sem(HS, df, missing="fiml")
    assert fit.nobs == 299 and fit.n_dropped == 2


def test_column_missing_everywhere_is_an_error():
    df = pd.read_csv(DATA / "hs_missing10.csv")
    df["x5"] = np.nan
    with pytest.raises(egovsem.DataError, match=r"\['x5'\] of 'data' are missing on every row"):
        egovsem.sem(HS, df, missing="fiml")


def test_missing_report_matches_lavaan_coverage_patterns_and_little(fits):
    rep = fits["hs_fiml"].missing_report()
    base = DATA.parent / "tests" / "reference" / "fiml"
    cov = pd.read_csv(base / "hs_fiml_coverage.csv").set_index("row")
    assert np.abs(rep.coverage.loc[cov.index, cov.columns].to_numpy() - cov.to_numpy()).max() < 1e-10
    pats = pd.read_csv(base / "hs_fiml_patterns.csv")
    ours = {tuple(r) for r in rep.patterns.drop(columns="n").to_numpy()}
    assert ours == {tuple(r) for r in pats.to_numpy()} and rep.patterns["n"].sum() == 301
    little = pd.read_csv(base / "hs_fiml_little_mcar.csv").iloc[0]
    assert rep.mcar["df"] == int(little["df"]) and rep.mcar["n_patterns"] == int(little["n_patterns"])
    assert abs(rep.mcar["statistic"] - little["statistic"]) < 1e-3 * little["statistic"]
    df = pd.read_csv(DATA / "hs_missing10.csv")
    x = df[[f"x{i}" for i in range(1, 10)]]
    assert np.allclose(rep.percent_missing.to_numpy(), 100 * x.isna().mean().to_numpy())


def test_little_mcar_rejects_missing_not_at_random():
    """Known truth: deleting the highest values of x1 (MNAR) is detected; complete data give d2 = 0."""
    from egovsem.sem.missing_report import little_mcar

    pop = "f =~ 0.8*y1 + 0.7*y2 + 0.6*y3 + 0.7*y4"
    X = egovsem.simulate_data(pop, 2000, seed=11).to_numpy().copy()
    assert little_mcar(X, np.cov(X.T, bias=True), X.mean(0))["statistic"] < 1e-10
    X[X[:, 1] > 0.8, 0] = np.nan
    fit = egovsem.sem("f =~ y1 + y2 + y3 + y4", pd.DataFrame(X, columns=["y1", "y2", "y3", "y4"]), missing="fiml")
    assert fit.missing_report().mcar["pvalue"] < 1e-6


@pytest.mark.parametrize("case", ["hs_fiml", "hs_mlr", "hs_fiml_mlr"])
def test_modindices_after_fiml_and_mlr_match_lavaan(fits, case):
    from _refcompare import compare_modindices

    problems = compare_modindices(fits[case].modindices(), read_ref(case, "modindices", "fiml"))
    assert not problems, "\n".join(problems)


def test_fiml_rows_missing_a_fixed_covariate_are_removed_and_reported():
    df = pd.read_csv(DATA / "hs_missing10.csv")
    df.loc[[0, 1, 2], "ageyr"] = np.nan
    with pytest.warns(egovsem._errors.MissingDataWarning, match=r"3 rows with a missing value on the covariate"):
        fit = egovsem.sem(HS_X, df, missing="fiml")
    assert fit.nobs == 298
