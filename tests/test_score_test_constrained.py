"""Score tests (lavTestScore) after fits whose model has its own ``==`` constraints (``a == b``, ``d == c^2``,
``d == 0.8*c``), alone or with shared labels and group_equal, against lavaan 0.6-14: ML, MLR and FIML in one
group and ML in two (tests/reference/make_reference_score_test_constrained.R), and one-group WLSMV, delta
(same script, tests/reference/score_test_wlsmv_one; lavaan's ordinary score test), and one-group WLSMV with
exogenous covariates on psych's bfi (cx_*; refused as "not the result of egovsem.sem()" before). The total test, every
univariate row and release = 1. Before issue 11 an ML model with only its own constraints was told it had none,
with shared labels as well the tests ignored them, and one-group WLSMV fits were refused. With an inequality
lavaan refuses, and so does egovsem, with lavaan's reason."""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, REF, close, compare_score_tests
from egovsem._errors import EgovsemError, NotAvailableError
from egovsem.sem.score_test import score_tests

ML, WL = REF / "score_test_constrained", REF / "score_test_wlsmv_one"
HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
HSO = pd.read_csv(DATA / "hs_ordinal.csv")
CASES = {
    "own": (ML, {}), "own_two": (ML, {}), "nonlinear": (ML, {}), "mixed": (ML, {}),
    "mlr_own": (ML, {"estimator": "MLR"}), "fiml_own": (ML, {"missing": "fiml"}),
    "mg_own": (ML, {"group": "school", "group_equal": ["intercepts"]}),
    "wlsmv/label": (WL, {}), "wlsmv/own": (WL, {}), "wlsmv/own_two": (WL, {}), "wlsmv/nonlinear": (WL, {}),
    "wlsmv/mixed": (WL, {}),
    "cx_label": (ML, {}), "cx_own": (ML, {}), "cx_mixed": (ML, {}),  # WLSMV with covariates (conditional.x), bfi
}


def _fit(case: str):
    folder, opts = CASES[case]
    name = case.split("/")[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "ordered= is given: the estimator is WLSMV"
        if folder == WL:
            return egovsem.cfa((WL / f"{name}.lav").read_text(), HSO, ordered=True)
        if name.startswith("cx_"):
            items = ["A1", "A2", "A3", "A4", "A5"]
            return egovsem.sem((ML / f"{name}.lav").read_text(), pd.read_csv(DATA / "bfi.csv"), ordered=items)
        data = pd.read_csv(DATA / "hs_missing10.csv") if case == "fiml_own" else HS
        return egovsem.cfa((ML / f"{name}.lav").read_text(), data, **opts)


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    folder = CASES[request.param][0]
    return folder / request.param.split("/")[-1], _fit(request.param)


def test_score_tests_match_lavTestScore(case):
    stem, fit = case
    total, uni = score_tests(fit)
    problems = compare_score_tests(total, uni, pd.read_csv(f"{stem}_total.csv"), pd.read_csv(f"{stem}_uni.csv"))
    assert not problems, "\n".join(problems)


def test_release_first_constraint(case):
    stem, fit = case
    total, uni = score_tests(fit, release=[1])
    rt = pd.read_csv(f"{stem}_release1.csv")
    assert close(float(total["X2"].iloc[0]), float(rt["X2"].iloc[0]), 1e-3)
    assert int(total["df"].iloc[0]) == int(rt["df"].iloc[0]) == 1
    assert len(uni) == 1


def test_inequality_is_refused_with_lavaans_reason():
    ref = pd.read_csv(ML / "refusal.csv")["message"].iloc[0]
    assert "does not handle inequality constraints" in ref
    fit = egovsem.cfa((ML / "ineq.lav").read_text(), HS)
    with pytest.raises(EgovsemError, match=r"inequality constraints \(model syntax, line 5: 'd < 0.8'\).*"
                                          r"does not handle inequality constraints \(yet\)") as e:
        score_tests(fit)
    assert not isinstance(e.value, NotAvailableError)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.cfa("visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\na > 1", HSO, ordered=True)
    with pytest.raises(EgovsemError, match=r"inequality constraints \(model syntax, line 3: 'a > 1'\).*does not "
                                          r"handle inequality constraints"):
        score_tests(fit)


def test_bad_release_and_no_constraints_are_named():
    with pytest.raises(EgovsemError, match=r"'release' parameter must list constraint numbers between 1 and 2\. "
                                           r"Got \[3\]"):
        score_tests(_fit("own_two"), release=[3])
    with pytest.raises(EgovsemError, match=r"between 1 and 2\. Got \[0, 'a'\]"):
        score_tests(_fit("wlsmv/own_two"), release=[0, "a"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", HSO, ordered=True)
    with pytest.raises(EgovsemError, match=r"no equality constraints to release"):
        score_tests(fit)
