"""Models with df = 0 (issue 10, item 4) against lavaan 0.6-14: regressions, a saturated path model and a
just-identified factor model with covariates, by FIML (ML and MLR, fixed.x TRUE and FALSE) and complete-data
ML/MLR. Every row of parameterEstimates() and fitMeasures() written by tests/reference/make_reference_df0.R
is compared (lavaan's NA rows must be NaN here)."""
from __future__ import annotations

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, compare_params, compare_series, fit_cases, read_kv, read_ref

REG = "x1 ~ x2 + x3"
PATH = "x3 ~ ageyr + sex\nx6 ~ x3 + ageyr + sex"
JID = "visual =~ x1 + x2 + x3\nvisual ~ ageyr + sex\nx1 ~ ageyr + sex\nx2 ~ ageyr + sex"
BFI_REG = "A3 ~ A1 + A2"

CASES = {
    "fiml_reg": ("hs_missing10", REG, {"missing": "fiml"}),
    "fiml_reg_fxf": ("hs_missing10", REG, {"missing": "fiml", "fixed_x": False}),
    "fiml_reg_mlr": ("hs_missing10", REG, {"missing": "fiml", "estimator": "MLR"}),
    "fiml_reg_fxf_mlr": ("hs_missing10", REG, {"missing": "fiml", "fixed_x": False, "estimator": "MLR"}),
    "fiml_path": ("hs_missing10", PATH, {"missing": "fiml"}),
    "fiml_path_mlr": ("hs_missing10", PATH, {"missing": "fiml", "estimator": "MLR"}),
    "fiml_jid_x": ("hs_missing10", JID, {"missing": "fiml"}),
    "fiml_jid_x_fxf": ("hs_missing10", JID, {"missing": "fiml", "fixed_x": False}),
    "fiml_bfi_fxf": ("bfi", BFI_REG, {"missing": "fiml", "fixed_x": False}),
    "fiml_bfi_fxf_mlr": ("bfi", BFI_REG, {"missing": "fiml", "fixed_x": False, "estimator": "MLR"}),
    "ml_reg": ("HolzingerSwineford1939", REG, {}),
    "ml_reg_mlr": ("HolzingerSwineford1939", REG, {"estimator": "MLR"}),
    "ml_reg_fxf": ("HolzingerSwineford1939", REG, {"fixed_x": False}),
    "ml_jid_x": ("HolzingerSwineford1939", JID, {}),
    "mg_fiml_reg": ("hs_missing10", "x1 ~ ageyr + sex", {"missing": "fiml", "group": "school"}),
    "mg_fiml_reg_mlr": ("hs_missing10", "x1 ~ ageyr + sex", {"missing": "fiml", "group": "school", "estimator": "MLR"}),
    "mg_ml_reg_mlr": ("HolzingerSwineford1939", "x1 ~ ageyr + sex", {"group": "school", "estimator": "MLR"}),
}


@pytest.fixture(scope="module")
def fits():
    return fit_cases(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_params_match_lavaan(fits, case):
    fit = fits[case]
    info = read_kv(case, "info", "df0")
    assert fit.converged
    assert fit.df == 0 == int(info["fit_df"])
    assert fit.nobs == int(info["ntotal"])
    ref = read_ref(case, "params", "df0")
    # rows are matched by lhs, op, rhs within each group (lavaan's group numbers, in order of appearance)
    assert sorted(set(fit.params["group"])) == sorted(set(ref["group"]))
    problems = []
    for g in sorted(set(ref["group"])):
        problems += [f"group {g}: {m}" for m in compare_params(fit.params[fit.params["group"] == g], ref[ref["group"] == g])]
    assert not problems, "\n".join(problems)


# Hoelter's critical N at df = 0 (lavaan's lav_fit_cn): NA when the statistic is below machine epsilon,
# else qchisq(1 - alpha, 0) / (chisq / N) + 1 = 1. At df = 0 the statistic is rounding noise of the
# optimiser (lavaan: 0 after FIML on HS, 2.5e-12 on bfi, 1.3e-13 with complete data; egovsem: 0), so these
# two rows are checked against that rule, applied to lavaan's chisq for lavaan's row and to egovsem's
# chisq for egovsem's; tests/reference/df0/NOTES.md.
CN_ROWS = ("cn_05", "cn_01")


def _cn_rule(chisq: float) -> float:
    return np.nan if chisq < np.finfo(float).eps else 1.0


@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_measures_match_lavaan(fits, case):
    ref = read_kv(case, "fit", "df0")
    ours = fits[case].fit_measures
    problems = compare_series(ours, ref.drop(list(CN_ROWS)))
    assert not problems, "\n".join(problems)
    # lavaan's NA rows (p-values of a test with df = 0, scaling factors, scaled RMSEA ...) are NaN here
    for k in ref.index[ref.isna()].difference(CN_ROWS):
        assert np.isnan(ours[k]), k
    for k in CN_ROWS:
        assert np.array_equal(ref[k], _cn_rule(ref["chisq"]), equal_nan=True), (k, ref[k], ref["chisq"])
        assert np.array_equal(ours[k], _cn_rule(ours["chisq"]), equal_nan=True), (k, ours[k], ours["chisq"])


def test_hoelter_cn_follows_lavaan_when_the_statistic_is_not_zero():
    """lav_fit_cn at df = 0 with a statistic above epsilon gives 1; at df > 0 the usual formula."""
    from egovsem.sem.fitmeasures import critical_n

    assert critical_n(2.486899575e-12, 0, 2800, 0.05) == 1.0 and np.isnan(critical_n(0.0, 0, 2800, 0.05))
    hs = read_kv("hs_fiml", "fit", "fiml")
    assert abs(critical_n(hs["chisq"], int(hs["df"]), int(hs["ntotal"]), 0.05) - hs["cn_05"]) < 1e-6 * hs["cn_05"]


def test_fixed_x_false_frees_the_covariance_of_the_covariates():
    """With fixed_x=False the covariates' variances, covariance and means are free parameters (lavaan)."""
    fit = egovsem.sem(REG, pd.read_csv(DATA / "HolzingerSwineford1939.csv"), fixed_x=False)
    rows = fit.params[(fit.params["op"] == "~~") & (fit.params["lhs"] != fit.params["rhs"])]
    assert [(r.lhs, r.rhs) for r in rows.itertuples()] == [("x2", "x3")]
