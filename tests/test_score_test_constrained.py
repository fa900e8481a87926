"""Score tests (lavTestScore) after ML, MLR and FIML fits whose model has its own ``==`` constraints (``a == b``,
``d == c^2``, ``d == 0.9*c``), alone or with shared labels and group_equal, one group and two, against lavaan
0.6-14 (tests/reference/make_reference_score_test_constrained.R): the total test, every univariate row and
release = 1. Before issue 11 such a constraint was not seen: a model with only its own constraints was told it
had none, and with shared labels as well the tests ignored it. With an inequality lavaan refuses, and so does
egovsem, with lavaan's reason."""
from __future__ import annotations

import pandas as pd
import pytest
from _refcompare import DATA, REF, close, compare_score_tests
from egovsem import cfa
from egovsem._errors import EgovsemError, NotAvailableError
from egovsem.sem.score_test import score_tests

OUT = REF / "score_test_constrained"
HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
CASES = {"own": {}, "own_two": {}, "nonlinear": {}, "mixed": {}, "mlr_own": {"estimator": "MLR"},
         "fiml_own": {"missing": "fiml"}, "mg_own": {"group": "school", "group_equal": ["intercepts"]}}


def _fit(case: str):
    data = pd.read_csv(DATA / "hs_missing10.csv") if case == "fiml_own" else HS
    return cfa((OUT / f"{case}.lav").read_text(), data, **CASES[case])


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    return request.param, _fit(request.param)


def test_score_tests_match_lavTestScore(case):
    name, fit = case
    total, uni = score_tests(fit)
    problems = compare_score_tests(total, uni, pd.read_csv(OUT / f"{name}_total.csv"),
                                   pd.read_csv(OUT / f"{name}_uni.csv"))
    assert not problems, "\n".join(problems)


def test_release_first_constraint(case):
    name, fit = case
    total, uni = score_tests(fit, release=[1])
    rt = pd.read_csv(OUT / f"{name}_release1.csv")
    assert close(float(total["X2"].iloc[0]), float(rt["X2"].iloc[0]), 1e-3)
    assert int(total["df"].iloc[0]) == int(rt["df"].iloc[0]) == 1
    assert len(uni) == 1


def test_inequality_is_refused_with_lavaans_reason():
    ref = pd.read_csv(OUT / "refusal.csv")["message"].iloc[0]
    assert "does not handle inequality constraints" in ref
    fit = cfa((OUT / "ineq.lav").read_text(), HS)
    with pytest.raises(EgovsemError, match=r"inequality constraints \(model syntax, line 5: 'd < 0.8'\).*"
                                          r"does not handle inequality constraints \(yet\)") as e:
        score_tests(fit)
    assert not isinstance(e.value, NotAvailableError)


def test_bad_release_is_named():
    with pytest.raises(EgovsemError, match=r"'release' parameter must list constraint numbers between 1 and 2\. "
                                           r"Got \[3\]"):
        score_tests(_fit("own_two"), release=[3])
