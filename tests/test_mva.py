"""lavaan's mean-and-variance adjusted (Satterthwaite) test, ``test = "mean.var.adjusted"``, and the estimators
MLMV, WLSMVS and ULSMV (issue 11) against lavaan 0.6-14 (tests/reference/make_reference_mva.R): every row of
parameterEstimates() and of fitMeasures(), in lavaan's order (the scaled df is tr(UG)^2 / tr(UG^2), the scaled
incremental indices use it, lavaan reports no .robust indices after this test)."""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, compare_group_params, compare_params, compare_series, read_kv, read_ref
from egovsem import EgovsemError
from egovsem.sem.options import resolve_options

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
HS_CSV, ORD_CSV = DATA / "HolzingerSwineford1939.csv", DATA / "hs_ordinal.csv"
SUB = "mva"
CASES = {
    "hs_ml_mva": (HS_CSV, dict(test="mean.var.adjusted")),
    "hs_ml_mva_mg": (HS_CSV, dict(test="mean.var.adjusted", group="school")),
    "hs_mlmv": (HS_CSV, dict(estimator="MLMV")),
    "hs_wlsmvs": (ORD_CSV, dict(estimator="WLSMVS", ordered=True)),
    "hs_ulsmv": (ORD_CSV, dict(estimator="ULSMV", ordered=True)),
    "hs_ulsm": (HS_CSV, dict(estimator="ULSM")),
    "hs_ulsmv_cont": (HS_CSV, dict(estimator="ULSMV")),
    "hs_ulsmvs": (HS_CSV, dict(estimator="ULSMVS")),
    "hs_uls_serobust": (HS_CSV, dict(estimator="ULS", se="robust")),
}
_FITS: dict = {}


def _fit(case):
    if case not in _FITS:
        path, opts = CASES[case]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _FITS[case] = egovsem.sem(HS, pd.read_csv(path), **opts)
    return _FITS[case]


@pytest.mark.parametrize("case", list(CASES))
def test_params_match_lavaan(case):
    compare = compare_group_params if "group" in CASES[case][1] else compare_params
    problems = compare(_fit(case).params, read_ref(case, "params", SUB))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES))
def test_fit_measures_match_lavaan(case):
    fm = _fit(case).fit_measures
    ref = read_kv(case, "fit", SUB)
    problems = compare_series(fm, ref)
    assert not problems, "\n".join(problems)
    assert list(fm.index) == list(ref.index)


@pytest.mark.parametrize("case", list(CASES))
def test_options_resolve_as_lavaan(case):
    info = read_kv(case, "info", SUB)
    opts = _fit(case).opts
    assert opts.se == info["se"]
    assert opts.test == str(info["test"]).split("/")[-1]


def test_wlsmv_with_mean_var_adjusted_is_wlsmvs():
    o = resolve_options(estimator="WLSMV", ordered=True, test="mean.var.adjusted")
    assert (o.discrepancy, o.se, o.test) == ("DWLS", "robust.sem", "mean.var.adjusted")


def test_bad_inputs_named():
    with pytest.raises(EgovsemError, match=r"'test' parameter must be one of .* Got 'mean.var'"):
        resolve_options(test="mean.var")
    with pytest.raises(EgovsemError, match=r"estimator='MLMV'"):
        resolve_options(estimator="MLMV", missing="fiml")  # lavaan: missing="ml" is not allowed for MLMV
    with pytest.raises(EgovsemError, match=r"estimator='WLSMVS' needs the ordinal items"):
        resolve_options(estimator="WLSMVS")



def test_summary_names_the_correction():
    text = _fit("hs_ml_mva").summary()
    assert "mean and variance adjusted correction" in text
    # lavaan reports no robust indices after this test
    assert "Robust Comparative Fit Index" not in text and "Robust RMSEA" not in text
