"""egovsem against lavaan 0.6-14: every row of parameterEstimates(), fitMeasures(), modindices(), r2.

The reference values were written by tests/reference/make_reference_ml.R (committed beside them).
"""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, compare_modindices, compare_params, compare_series, read_kv, read_ref

HS_CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
PD_MEAS = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + {a}y2 + {b}y3 + {c}y4
dem65 =~ y5 + {a}y6 + {b}y7 + {c}y8
"""
PD_RESID = """
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"""
PD_SEM = PD_MEAS.format(a="a*", b="b*", c="c*") + "dem60 ~ ind60\ndem65 ~ ind60 + dem60\n" + PD_RESID
PD_IND = "dem60 ~ a*ind60\ndem65 ~ c*ind60 + b*dem60\n" + PD_RESID + "ab := a*b\ntotal := c + a*b\n"

CASES = {
    "hs_cfa": ("HolzingerSwineford1939", HS_CFA, {}),
    "hs_cfa_stdlv": ("HolzingerSwineford1939", HS_CFA, {"std_lv": True}),
    "hs_cfa_means": ("HolzingerSwineford1939", HS_CFA, {"meanstructure": True}),
    "pd_sem": ("PoliticalDemocracy", PD_SEM, {}),
    "pd_indirect": ("PoliticalDemocracy", PD_MEAS.format(a="", b="", c="") + PD_IND, {}),
    "pd_indirect_eq": ("PoliticalDemocracy", PD_MEAS.format(a="d*", b="e*", c="f*") + PD_IND, {}),
    "path_fixedx": ("HolzingerSwineford1939", "x4 ~ x1 + x2\nx5 ~ x4 + x3\nx6 ~ x5", {}),
    "path_two_y": ("HolzingerSwineford1939", "x4 ~ x1 + x2\nx5 ~ x1 + x3", {}),
    "sem_two_endo_lv": ("HolzingerSwineford1939", HS_CFA + "\ntextual ~ visual\nspeed ~ visual", {}),
    "hs_heywood": ("HolzingerSwineford1939", "visual =~ x1 + x2 + x3\nspeed =~ x7 + x9", {}),
    "hs_ordered_exo": ("HolzingerSwineford1939",
                       "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr\ntextual ~ ageyr + visual", {}),
    "hs_missing_listwise": ("hs_missing", HS_CFA, {}),
}


def _fit(case):
    data, model, opts = CASES[case]
    df = pd.read_csv(DATA / f"{data}.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return egovsem.sem(model, df, **opts)


@pytest.fixture(scope="module")
def fits():
    return {}


def _get(fits, case):
    if case not in fits:
        fits[case] = _fit(case)
    return fits[case]


@pytest.mark.parametrize("case", sorted(CASES))
def test_params_match_lavaan(fits, case):
    fit = _get(fits, case)
    assert fit.converged
    problems = compare_params(fit.params, read_ref(case, "params"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_measures_match_lavaan(fits, case):
    fit = _get(fits, case)
    problems = compare_series(fit.fit_measures, read_kv(case, "fit"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", sorted(CASES))
def test_r2_match_lavaan(fits, case):
    fit = _get(fits, case)
    problems = compare_series(fit.r2, read_kv(case, "r2"))
    assert not problems, "\n".join(problems)
    assert len(fit.r2) == len(read_kv(case, "r2"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_modindices_match_lavaan(fits, case):
    fit = _get(fits, case)
    problems = compare_modindices(fit.modindices(), read_ref(case, "modindices"), covariates=fit.spec.ov_x)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", sorted(CASES))
def test_nobs_npar_match_lavaan(fits, case):
    fit = _get(fits, case)
    info = read_kv(case, "info")
    assert fit.nobs == int(info["nobs"])
    assert fit.fit_measures["npar"] == float(info["fit_npar"])
    assert fit.fit_measures["df"] == float(info["fit_df"])


def test_known_values_hs():
    """The values the foundation issue quotes from lavaan's output for the HS CFA."""
    fit = _fit("hs_cfa")
    fm = fit.fit_measures
    assert round(fm["chisq"], 3) == 85.306 and fm["df"] == 24
    assert round(fm["cfi"], 3) == 0.931 and round(fm["tli"], 3) == 0.896
    assert [round(fm[k], 3) for k in ("rmsea", "rmsea.ci.lower", "rmsea.ci.upper")] == [0.092, 0.071, 0.114]
    assert round(fm["srmr"], 3) == 0.065
    assert round(fm["logl"], 3) == -3737.745
    assert round(fm["aic"], 2) == 7517.49 and round(fm["bic"], 2) == 7595.34
    mi = fit.modindices(sort=True).iloc[0]
    assert (mi["lhs"], mi["op"], mi["rhs"]) == ("visual", "=~", "x9")
    assert round(mi["mi"], 2) == 36.41 and round(mi["epc"], 3) == 0.577


def test_known_values_pd():
    fit = _fit("pd_indirect")
    assert round(fit.fit_measures["chisq"], 3) == 38.125 and fit.fit_measures["df"] == 35
