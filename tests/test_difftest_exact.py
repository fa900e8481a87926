"""lavTestLRT(free, restricted, A.method = "exact") after WLSMV for models that differ by more than their
``==`` lines, against lavaan 0.6-14 (tests/reference/make_reference_difftest_exact.R): group_equal
(configural vs loadings vs thresholds + loadings), labels shared across groups or within one group, a value
fixed in the restricted model, an explicit ``==`` in the free model, delta and theta, by school and in one group
(data/hs_ordinal.csv). Every column of every reference row: the scaled difference, its df, p-value, lavaan's
scaling a and shift b, and the two models' chisq and df; and after MLM on HolzingerSwineford1939,
lavTestLRT(method = "satorra.2000") with A.method "exact" and "delta" (ml_satorra2000.csv). Before issue 11
these pairs were refused (a shared label with a nonlinear equality: tests/test_score_wlsmv_nonlinear.py,
hs5_shared_nl.csv)."""
from __future__ import annotations

import warnings
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, close
from egovsem._errors import EgovsemError, EgovsemWarning, NotAvailableError
from egovsem.sem.difftest_ml import satorra2000_difference_test
from egovsem.sem.wls_mg import fit_wlsmv_multigroup, scaled_difference_test

REF = Path(__file__).parent / "reference" / "difftest_exact"
HSO = pd.read_csv(DATA / "hs_ordinal.csv")
_HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
HSO_SCHOOL = HSO.assign(school=_HS["school"], sex=_HS["sex"])
M3 = "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\n"
M3_LAB = "visual  =~ x1 + c(a, a)*x2 + x3\ntextual =~ x4 + x5 + c(b, b)*x6\nspeed   =~ x7 + x8 + x9\n"
M3_FIX = "visual  =~ x1 + c(1, 1)*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\n"
M3_EQ = "visual  =~ x1 + x2 + x3\ntextual =~ x4 + c(t1, t2)*x5 + x6\nspeed   =~ x7 + x8 + x9\nt1 == t2\n"
ONE_LAB = "visual  =~ x1 + a*x2 + x3\ntextual =~ x4 + a*x5 + x6\nspeed   =~ x7 + x8 + x9\n"
ONE_FIX = M3 + "visual ~~ 0.3*speed\n"
M3_X = M3 + "visual + speed ~ sex\n"  # conditional.x: sex an exogenous covariate
TL = ["thresholds", "loadings"]
CASES = {  # case: restricted model, its group_equal, free model, its group_equal, parameterization, one group
    #       [, the restricted model's group_partial]
    "cfg_vs_loadings": (M3, ["loadings"], M3, [], "delta", False),
    "loadings_vs_thresholds": (M3, TL, M3, ["loadings"], "delta", False),
    "cfg_vs_thresholds": (M3, TL, M3, [], "delta", False),
    "cfg_vs_shared_labels": (M3_LAB, [], M3, [], "delta", False),
    "cfg_vs_fixed": (M3_FIX, [], M3, [], "delta", False),
    "eq_vs_loadings": (M3, ["loadings"], M3_EQ, [], "delta", False),
    "theta_cfg_vs_loadings": (M3, ["loadings"], M3, [], "theta", False),
    "theta_loadings_vs_thresholds": (M3, TL, M3, ["loadings"], "theta", False),
    "theta_cfg_vs_shared_labels": (M3_LAB, [], M3, [], "theta", False),
    "theta_one_label": (ONE_LAB, [], M3, [], "theta", True),
    "theta_one_fixed": (ONE_FIX, [], M3, [], "theta", True),
    "one_label": (ONE_LAB, [], M3, [], "delta", True),
    "cfg_vs_loadings_partial": (M3, ["loadings"], M3, [], "delta", False, ["visual =~ x2", "speed =~ x9"]),
    "cov_cfg_vs_loadings": (M3_X, ["loadings"], M3_X, [], "delta", False),
    "theta_cov_cfg_vs_loadings": (M3_X, ["loadings"], M3_X, [], "theta", False),
}


def _fit(model: str, group_equal: list[str], par: str, one_group: bool, group_partial: list[str] = ()):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if one_group:  # fit_wlsmv_multigroup with one group: the delta fit of cfa() keeps no Delta
            return fit_wlsmv_multigroup(model, HSO, True, parameterization=par)
        return egovsem.cfa(model, HSO_SCHOOL, ordered=True, estimator="WLSMV", group="school",
                           group_equal=group_equal, group_partial=list(group_partial), parameterization=par)


def test_every_case_is_tested():
    ref = pd.read_csv(REF / "difftest_exact.csv")
    assert sorted(ref["case"]) == sorted(CASES)
    assert ref["warnings"].isna().all()  # lavaan warned of nothing (a row the free model fixes passes silently)


@pytest.mark.parametrize("name", list(CASES))
def test_exact_difference_test_matches_lavTestLRT(name):
    restricted, ge0, free, ge1, par, one, *partial = CASES[name]
    ref = pd.read_csv(REF / "difftest_exact.csv").set_index("case").loc[name]
    f0, f1 = _fit(restricted, ge0, par, one, *partial), _fit(free, ge1, par, one)
    for f, k in ((f0, "0"), (f1, "1")):
        assert close(float(f.fit_measures["chisq"]), float(ref[f"chisq{k}"]), 1e-3), (k, f.fit_measures["chisq"])
        assert int(f.fit_measures["df"]) == int(ref[f"df{k}"])
    t = scaled_difference_test(f0, f1, A_method="exact")
    assert t["df_diff"] == int(ref["df_diff"])
    for k in ("chisq_diff", "pvalue", "a", "b"):  # fit measures: 1e-3 (relative above 1)
        assert close(t[k], float(ref[k]), 1e-3), (k, t[k], float(ref[k]))


def test_different_parameter_rows_are_refused_with_lavaans_reason():
    ref = pd.read_csv(REF / "refusals.csv").set_index("case")["message"]
    assert ref["extra_row"].endswith("unconstrained parameter set is not the same in m0 and m1")
    f0, f1 = _fit(M3, [], "delta", False), _fit(M3 + "x1 ~~ x4\n", [], "delta", False)  # lavaan: free has x1 ~~ x4
    with pytest.raises(EgovsemError, match=r"same parameter rows \(e\.g\. x1 ~~ x4, group 1\): lavaan 0\.6-14 stops "
                                           r"with \"unconstrained parameter set is not the same in m0 and m1\"") as e:
        scaled_difference_test(f0, f1, A_method="exact")
    assert not isinstance(e.value, NotAvailableError)


def test_a_one_group_delta_fit_of_cfa_is_named():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = egovsem.cfa(M3, HSO, ordered=True, estimator="WLSMV")
    g = _fit(M3, [], "delta", True)
    with pytest.raises(NotAvailableError, match=r"the 'restricted' fit is a Results .*fit_wlsmv_multigroup"):
        scaled_difference_test(f, g, A_method="exact")


def test_no_added_constraint_gives_the_unscaled_difference():
    """A restricted model whose extra df come from no constraint on the free model's parameters: lavaan's
    lav_test_diff_Satorra2000 returns the plain difference of the statistics; so does egovsem, with a warning."""
    f0, f1 = _fit(M3, TL, "delta", False), _fit(M3, TL, "delta", False)
    object.__setattr__(f0, "fit_measures", {**f0.fit_measures, "df": f0.fit_measures["df"] + 1,
                                            "chisq": f0.fit_measures["chisq"] + 1.5})
    with pytest.warns(EgovsemWarning, match="adds no constraint"):
        t = scaled_difference_test(f0, f1, A_method="exact")
    assert t["df_diff"] == 1 and np.isclose(t["chisq_diff"], 1.5)


ML_CASES = {  # case: restricted model, its group_equal, free model, its group_equal, grouped
    "ml_cfg_vs_loadings": (M3, ["loadings"], M3, [], True),
    "ml_loadings_vs_intercepts": (M3, ["loadings", "intercepts"], M3, ["loadings"], True),
    "ml_one_label": (ONE_LAB, [], M3, [], False),
    "ml_one_fixed": (ONE_FIX, [], M3, [], False),
}


def _ml(model: str, group_equal: list[str], grouped: bool):
    return egovsem.cfa(model, _HS, estimator="MLM", group="school" if grouped else None, group_equal=group_equal)


@pytest.mark.parametrize("name", list(ML_CASES))
def test_ml_satorra2000_matches_lavTestLRT(name):
    """MLM on HolzingerSwineford1939: lavTestLRT(free, restricted, method = "satorra.2000") with A.method "exact"
    (scaled and shifted, and mean-scaled) and "delta"; every column of ml_satorra2000.csv."""
    restricted, ge0, free, ge1, grouped = ML_CASES[name]
    ref = pd.read_csv(REF / "ml_satorra2000.csv").set_index("case").loc[name]
    f0, f1 = _ml(restricted, ge0, grouped), _ml(free, ge1, grouped)
    for f, k in ((f0, "0"), (f1, "1")):
        assert close(float(f.fit_measures["chisq"]), float(ref[f"chisq{k}"]), 1e-3), (k, f.fit_measures["chisq"])
        assert int(f.fit_measures["df"]) == int(ref[f"df{k}"])
    got = {}
    ss = satorra2000_difference_test(f0, f1)
    sc = satorra2000_difference_test(f0, f1, scaled_shifted=False)
    dl = satorra2000_difference_test(f0, f1, A_method="delta")
    got.update(chisq_diff=ss["chisq_diff"], pvalue=ss["pvalue"], a=ss["a"], b=ss["b"],
               chisq_diff_scaled=sc["chisq_diff"], pvalue_scaled=sc["pvalue"], scaling_factor=sc["scaling_factor"],
               chisq_diff_delta=dl["chisq_diff"], pvalue_delta=dl["pvalue"], a_delta=dl["a"], b_delta=dl["b"])
    assert ss["df_diff"] == sc["df_diff"] == dl["df_diff"] == int(ref["df_diff"])
    for k, v in got.items():  # fit measures: 1e-3 (relative above 1)
        assert close(v, float(ref[k]), 1e-3), (k, v, float(ref[k]))


def test_ml_satorra2000_refuses_what_it_does_not_compute():
    f1 = _ml(M3, [], False)
    mlr = egovsem.cfa(ONE_LAB, _HS, estimator="MLR")
    with pytest.raises(NotAvailableError, match=r"needs an ML fit with test='satorra.bentler' .*got 'MLR'"):
        satorra2000_difference_test(mlr, f1)
    eq = egovsem.cfa(M3.replace("x1 + x2 + x3", "x1 + a*x2 + b*x3") + "a == b\n", _HS, estimator="MLM")
    with pytest.raises(NotAvailableError, match=r"without explicit constraints .*the 'restricted' fit"):
        satorra2000_difference_test(eq, f1)
    with pytest.raises(EgovsemError, match=r"The 'A_method' parameter must be one of 'exact', 'delta'\. Got 'Delta'"):
        satorra2000_difference_test(_ml(ONE_LAB, [], False), f1, A_method="Delta")
