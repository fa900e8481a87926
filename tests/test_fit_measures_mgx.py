"""Fit measures on combinations they were not tuned on, against lavaan 0.6-14
(tests/reference/make_reference_mgx.R): two groups with observed covariates and df > 0, by ML, MLR, FIML
and FIML + MLR, fixed.x TRUE and FALSE, and the single-group FIML and FIML + MLR fits with fixed.x = FALSE. Every
row of fitMeasures() and parameterEstimates() is compared (lavaan's NA rows must be NaN here)."""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, compare_params, compare_series, read_kv, read_ref

CFAX = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr + sex\ntextual ~ sex"

CASES = {
    "mgx_ml": ("HolzingerSwineford1939", {"group": "school"}),
    "mgx_mlr": ("HolzingerSwineford1939", {"group": "school", "estimator": "MLR"}),
    "mgx_ml_fxf": ("HolzingerSwineford1939", {"group": "school", "fixed_x": False}),
    "mgx_mlr_fxf": ("HolzingerSwineford1939", {"group": "school", "estimator": "MLR", "fixed_x": False}),
    "mgx_fiml": ("hs_missing10", {"group": "school", "missing": "fiml"}),
    "mgx_fiml_mlr": ("hs_missing10", {"group": "school", "missing": "fiml", "estimator": "MLR"}),
    "mgx_fiml_mlr_fxf": ("hs_missing10", {"group": "school", "missing": "fiml", "estimator": "MLR",
                                          "fixed_x": False}),
    "mgx_fiml_fxf": ("hs_missing10", {"group": "school", "missing": "fiml", "fixed_x": False}),
    "x_fiml_fxf": ("hs_missing10", {"missing": "fiml", "fixed_x": False}),
    "x_fiml_mlr_fxf": ("hs_missing10", {"missing": "fiml", "estimator": "MLR", "fixed_x": False}),
}


@pytest.fixture(scope="module")
def fits():
    out = {}
    for case, (data, opts) in CASES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[case] = egovsem.sem(CFAX, pd.read_csv(DATA / f"{data}.csv"), **opts)
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_fit_measures_match_lavaan(fits, case):
    ref = read_kv(case, "fit", "mgx")
    ours = fits[case].fit_measures
    problems = compare_series(ours, ref)
    assert not problems, "\n".join(problems)
    for k in ref.index[ref.isna()]:
        assert np.isnan(ours[k]), k
    assert list(ours.index) == list(ref.index), "the rows and their order are lavaan's"


@pytest.mark.parametrize("case", list(CASES))
def test_params_match_lavaan(fits, case):
    fit = fits[case]
    assert fit.converged and fit.df == int(read_kv(case, "info", "mgx")["fit_df"])
    ref = read_ref(case, "params", "mgx")
    problems = []
    for g in sorted(set(ref["group"])):
        problems += [f"group {g}: {m}" for m in compare_params(fit.params[fit.params["group"] == g],
                                                               ref[ref["group"] == g])]
    assert not problems, "\n".join(problems)
