"""The Gamma-based options with fixed.x covariates against lavaan 0.6-14
(tests/reference/make_reference_mlm_fixed_x.R): every row of parameterEstimates() (est, se, std.all) and of
fitMeasures() (chisq.scaled, the scaling factors, cfi.robust, tli.robust, rmsea.robust, ...).

MLM, MLMV, ULSM, ML with se="robust.sem" and test="satorra.bentler" / "scaled.shifted" /
"mean.var.adjusted", information="observed", a mean structure, a path model, and two groups (free and with
equal loadings and intercepts) of HolzingerSwineford1939 with the covariates ``ageyr`` and ``sex`` (and
``grade``). They were refused until issue 11 ("not available yet; pass fixed_x=False"): lavaan computes
Gamma conditional on the covariates (:func:`egovsem.sem.robust_sem.nacov_fixed_x`) and leaves their own moments
out of the h1 information.
"""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, REF, compare_fit_measures_case, fit_case_problems
from egovsem._errors import EgovsemError, NotAvailableError

MIMIC = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr + sex"
PATH = "x1 ~ ageyr + sex\nx4 ~ x1 + ageyr + grade\nx1 ~~ x4"
SUB = "mlm_fixed_x"
CASES = {
    "mlm": (MIMIC, dict(estimator="MLM")),
    "mlm_ms": (MIMIC, dict(estimator="MLM", meanstructure=True)),
    "mlm_obs": (MIMIC, dict(estimator="MLM", information="observed")),
    "mlmv": (MIMIC, dict(estimator="MLMV")),
    "ulsm": (MIMIC, dict(estimator="ULSM", fixed_x=True)),  # lavaan's ULS default is fixed.x = FALSE
    "ml_rsem_sb": (MIMIC, dict(se="robust.sem", test="satorra.bentler")),
    "ml_rob_ss": (MIMIC, dict(se="robust", test="scaled.shifted")),
    "ml_mva": (MIMIC, dict(test="mean.var.adjusted")),
    "ml_rsem": (MIMIC, dict(se="robust.sem")),
    "path_mlm": (PATH, dict(estimator="MLM")),
    "mg_mlm": (MIMIC, dict(estimator="MLM", group="school")),
    "mg_mlm_eq": (MIMIC, dict(estimator="MLM", group="school", group_equal=["loadings", "intercepts"])),
    "mg_mlmv": (MIMIC, dict(estimator="MLMV", group="school")),
    # GLS and ULS: lavaan's fixed.x default is FALSE; with fixed.x the covariates' moments have divisor N - 1
    "uls_default": (MIMIC, dict(estimator="ULS")),
    "gls_default": (MIMIC, dict(estimator="GLS")),
    "uls_fx": (MIMIC, dict(estimator="ULS", fixed_x=True)),
    "gls_fx": (MIMIC, dict(estimator="GLS", fixed_x=True)),
}
_FITS: dict = {}


def _fit(case: str):
    if case not in _FITS:
        model, opts = CASES[case]
        hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
        if case == "path_mlm":
            hs = hs[hs["grade"].notna()]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _FITS[case] = egovsem.sem(model, hs, **opts)
    return _FITS[case]


@pytest.mark.parametrize("case", list(CASES))
def test_every_row_matches_lavaan(case):
    problems = fit_case_problems(_fit(case), case, SUB)
    assert not problems, "\n".join(problems)


def test_pairwise_with_fixed_x_and_holes_is_refused_with_lavaans_reason():
    hs = pd.read_csv(DATA / "hs_missing.csv")
    lavaan = pd.read_csv(REF / SUB / "refusals.csv").set_index("case")["message"]["mlm_pairwise_fixed_x"]
    with pytest.raises(EgovsemError, match=r"missing='pairwise' with the fixed.x covariates \['ageyr', 'sex'\]") as err:
        egovsem.sem(MIMIC, hs, estimator="MLM", missing="pairwise")
    assert not isinstance(err.value, NotAvailableError) and lavaan in str(err.value)


def test_pairwise_with_fixed_x_and_complete_rows_is_mlm():
    # without holes pairwise is the complete-data fit, which lavaan computes (its fitMeasures() and SEs equal those
    # of the listwise fit, checked in R)
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.sem(MIMIC, hs, estimator="MLM", missing="pairwise")
    problems = compare_fit_measures_case(fit.fit_measures, "mlm", SUB)
    assert not problems, "\n".join(problems)
