"""lavTestLRT(free, restricted, A.method = "exact") after WLSMV for models that differ by more than their
``==`` lines, against lavaan 0.6-14 (tests/reference/make_reference_difftest_exact.R): group_equal
(configural vs loadings vs thresholds + loadings), labels shared across groups or within one group, a value
fixed in the restricted model, an explicit ``==`` in the free model, delta and theta, by school and in one group
(data/hs_ordinal.csv). Every column of every reference row: the scaled difference, its df, p-value, lavaan's
scaling a and shift b, and the two models' chisq and df. Before issue 11 these pairs were refused (a shared
label with a nonlinear equality: tests/test_score_wlsmv_nonlinear.py, hs5_shared_nl.csv)."""
from __future__ import annotations

import warnings
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, close
from egovsem._errors import EgovsemError, EgovsemWarning, NotAvailableError
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
