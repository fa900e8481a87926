"""lavTestScore() after multi-group and theta WLSMV fits with nonlinear equality constraints (b2 == b1^2, alone
and with a linear one), against lavaan 0.6-14 (tests/reference/make_reference_score_wlsmv_nonlinear.R): the
total test, every univariate row and release = 1. lavaan's R is the Jacobian of the constraints at the
estimates (con.jac), and so is egovsem's. They were refused ("not available yet") before issue 11; what lavaan
refuses (lavTestScore with inequalities, lavTestLRT with nonlinear equalities) is refused with lavaan's
reason (refusals.csv)."""
from __future__ import annotations

import warnings
from pathlib import Path

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, close, compare_score_tests
from egovsem._errors import EgovsemError, NotAvailableError
from egovsem.sem.score_test import score_tests
from egovsem.sem.wls_mg import scaled_difference_test

REF = Path(__file__).parent / "reference" / "score_wlsmv_nonlinear"
HS5 = pd.read_csv(Path(__file__).parent / "reference" / "wlsmv_mg" / "hs5_school.csv")
HSO = pd.read_csv(DATA / "hs_ordinal.csv")
CASES = {"mg_nl": ("delta", False), "mg_nl_lin": ("delta", False), "theta_mg_nl": ("theta", False),
         "theta_nl": ("theta", True), "theta_nl_lin": ("theta", True)}


def _fit(model: str, par: str, one_group: bool):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return egovsem.cfa(model, HSO if one_group else HS5, ordered=True, estimator="WLSMV",
                           group=None if one_group else "school", parameterization=par)


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    par, one = CASES[request.param]
    return request.param, _fit((REF / f"{request.param}_model.lav").read_text(), par, one)


def test_the_constrained_fit_is_lavaans(case):
    name, fit = case
    fm = pd.read_csv(REF / f"{name}_fit.csv").set_index("measure")["value"]
    for k in ("chisq", "chisq.scaled"):
        assert close(float(fit.fit_measures[k]), float(fm[k]), 1e-3), k
    assert int(fit.fit_measures["df"]) == int(fm["df"])


def test_score_tests_match_lavTestScore(case):
    name, fit = case
    total, uni = score_tests(fit)
    rt, ru = pd.read_csv(REF / f"{name}_test.csv"), pd.read_csv(REF / f"{name}_uni.csv")
    problems = compare_score_tests(total, uni, rt, ru)
    assert not problems, "\n".join(problems)


def test_release_first_constraint(case):
    name, fit = case
    total, uni = score_tests(fit, release=[1])
    rt = pd.read_csv(REF / f"{name}_release1.csv")
    assert close(float(total["X2"].iloc[0]), float(rt["X2"].iloc[0]), 1e-3)
    assert int(total["df"].iloc[0]) == int(rt["df"].iloc[0]) == 1
    assert len(uni) == 1


def test_lrt_with_a_nonlinear_equality_is_refused_with_lavaans_reason():
    """lavaan's lavTestLRT stops here (refusals.csv: "a dimension is zero"), one group theta and two groups."""
    ref = pd.read_csv(REF / "refusals.csv").set_index("case")["message"]
    assert ref["lrt_theta_nl"].endswith("a dimension is zero") and ref["lrt_mg_nl"].endswith("a dimension is zero")
    one = "visual  =~ x1 + a*x2 + b*x3\ntextual =~ x4 + c*x5 + d*x6\nspeed   =~ x7 + x8 + x9\n"
    restricted, free = _fit(one + "d == c^2\n", "theta", True), _fit(one, "theta", True)
    with pytest.raises(EgovsemError, match=r"nonlinear equality constraints \(model syntax, line 4: 'd == c\^2'\): "
                                          r"lavaan 0\.6-14's default .*a dimension is zero") as e:
        scaled_difference_test(restricted, free)
    assert not isinstance(e.value, NotAvailableError)


def test_bad_release_is_named(case):
    _name, fit = case
    n = len(pd.read_csv(REF / f"{_name}_uni.csv"))
    with pytest.raises(EgovsemError, match=rf"'release' parameter must list constraint numbers between 1 and {n}\. "
                                           r"Got \[0\]"):
        score_tests(fit, release=[0])


MG = "visual  =~ x1 + c(a1, a2)*x2 + c(b1, b2)*x3\ntextual =~ x4 + x5 + x6\n"
ONE = "visual  =~ x1 + a*x2 + b*x3\ntextual =~ x4 + c*x5 + d*x6\nspeed   =~ x7 + x8 + x9\n"
MG_INEQ = "visual  =~ x1 + c(a1, a2)*x2 + x3\ntextual =~ x4 + c(t1, t2)*x5 + x6\na1 > 0.9\nt2 < t1\n"
LRT_EXACT = {  # case: (restricted model, free model, parameterization, one group)
    "mg_nl": (MG + "b2 == b1^2\n", MG, "delta", False),
    "mg_nl_lin_vs_lin": (MG + "a1 == a2\nb2 == b1^2\n", MG + "a1 == a2\n", "delta", False),
    "theta_mg_nl": (MG + "b2 == b1^2\n", MG, "theta", False),
    "theta_nl": (ONE + "d == c^2\n", ONE, "theta", True),
    "mg_eq_linear": (MG + "a1 == a2\nb2 == 1.1*b1\n", MG, "delta", False),
    # inequalities in both models (a1 > 0.9 active): the restricted one adds a2 == 1
    "mg_ineq_a2": (MG_INEQ + "a2 == 1\n", MG_INEQ, "delta", False),
}


@pytest.mark.parametrize("name", list(LRT_EXACT))
def test_lrt_with_A_method_exact_matches_lavaan(name):
    """lavTestLRT(restricted, free, A.method = "exact"): computed where the default stops (nonlinear equalities),
    and for linear ones its own value (mg_eq_linear 4.2232, where the default A from Delta gives 4.3208)."""
    restricted, free, par, one = LRT_EXACT[name]
    ref = pd.read_csv(REF / "lrt_exact.csv").set_index("case").loc[name]
    t = scaled_difference_test(_fit(restricted, par, one), _fit(free, par, one), A_method="exact")
    assert t["df_diff"] == int(ref["df_diff"])
    assert close(t["chisq_diff"], float(ref["chisq_diff"]), 1e-3), (t, ref)
    assert close(t["pvalue"], float(ref["pvalue"]), 1e-3), (t, ref)


def test_A_method_is_checked():
    restricted, free = _fit(MG + "b2 == b1^2\n", "delta", False), _fit(MG, "delta", False)
    with pytest.raises(EgovsemError, match=r"The 'A_method' parameter must be one of 'delta', 'exact'\. Got 'Exact'"):
        scaled_difference_test(restricted, free, A_method="Exact")


def test_A_method_exact_with_a_shared_label_matches_lavaan():
    """A shared label (c(a, a)*x2) with b2 == b1^2 against the free model: refused ("not available yet") before
    issue 11, now lavaan's lavTestLRT(free, shared, A.method = "exact") (make_reference_difftest_exact.R,
    hs5_shared_nl.csv: 6.3067 on 2 df)."""
    ref = pd.read_csv(Path(__file__).parent / "reference" / "difftest_exact" / "hs5_shared_nl.csv").iloc[0]
    shared = _fit("visual  =~ x1 + c(a, a)*x2 + c(b1, b2)*x3\ntextual =~ x4 + x5 + x6\nb2 == b1^2\n", "delta", False)
    t = scaled_difference_test(shared, _fit(MG, "delta", False), A_method="exact")
    assert t["df_diff"] == int(ref["df_diff"]) == 2
    for k in ("chisq_diff", "pvalue", "a", "b"):
        assert close(t[k], float(ref[k]), 1e-3), (k, t[k], float(ref[k]))
