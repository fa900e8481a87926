"""lavTestScore() and lavTestLRT() after multi-group WLSMV fits with explicit equality constraints, delta and
theta, and after a one-group theta fit (theta_eq), against lavaan 0.6-14 (issues 11 and 12).

Reference: tests/reference/make_reference_score_lrt_wlsmv_mg.R on tests/reference/wlsmv_mg/hs5_school.csv by
school, with the constrained models of tests/reference/constraints_wlsmv_mg. Score tests: lavaan's constraints
are its "==" rows in parTable order (the model's own first, then ``.pN. == .pM.`` for group_equal and shared
labels); every row of ``$test``, ``$uni`` and ``$test`` with ``release = 1`` is compared. lavaan gives the
ordinary (not robust) score test after WLSMV. LRT: lavaan's default ``satorra.2000`` (A from Delta,
scaled-shifted) of each constrained model against the model without its ``==`` lines, and of mg_eq against mg_eq
with only ``a1 == a2`` (a less restricted model with an explicit constraint of its own).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import egovsem
import pandas as pd
import pytest
from _refcompare import close, compare_score_tests
from egovsem._errors import NotAvailableError
from egovsem.sem.score_test import score_tests
from egovsem.sem.wls_mg import scaled_difference_test

HERE = Path(__file__).parent / "reference"
MODELS = HERE / "constraints_wlsmv_mg"
REF = HERE / "score_lrt_wlsmv_mg"
DATA = pd.read_csv(HERE / "wlsmv_mg" / "hs5_school.csv")
DATA_1 = pd.read_csv(Path(__file__).parent.parent / "data" / "hs_ordinal.csv")
CASES = {"mg_eq": ("delta", None), "theta_mg_eq": ("theta", None), "mg_shared": ("delta", None),
         "mg_ge": ("delta", ["thresholds", "loadings"]), "theta_eq": ("theta", None)}
ONE_GROUP = {"theta_eq"}  # one group, data/hs_ordinal.csv
_FITS: dict[tuple, object] = {}


def _fit(model: str, par: str = "delta", group_equal=None, one_group: bool = False):
    key = (model, par, tuple(group_equal or ()), one_group)
    if key not in _FITS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lavaan's too: a label shared by the groups
            _FITS[key] = egovsem.cfa(model, DATA_1 if one_group else DATA, ordered=True, estimator="WLSMV",
                                     group=None if one_group else "school", parameterization=par,
                                     group_equal=group_equal)
    return _FITS[key]


def _model(case: str) -> str:
    return (MODELS / f"{case}_model.lav").read_text(encoding="utf-8")


def _without(model: str, marker: str) -> str:
    return "\n".join(line for line in model.split("\n") if marker not in line)


@pytest.mark.parametrize("case", list(CASES))
def test_score_tests_match_lavTestScore(case):
    par, ge = CASES[case]
    fit = _fit(_model(case), par, ge, case in ONE_GROUP)
    total, uni = score_tests(fit)
    rt = pd.read_csv(REF / f"{case}_test.csv")
    ru = pd.read_csv(REF / f"{case}_uni.csv")
    problems = compare_score_tests(total, uni, rt, ru)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES))
def test_score_test_release_first_constraint(case):
    par, ge = CASES[case]
    total, uni = score_tests(_fit(_model(case), par, ge, case in ONE_GROUP), release=[1])
    rt = pd.read_csv(REF / f"{case}_release1.csv")
    assert close(float(total["X2"].iloc[0]), float(rt["X2"].iloc[0]), 1e-3)
    assert int(total["df"].iloc[0]) == int(rt["df"].iloc[0]) == 1
    assert close(float(total["p.value"].iloc[0]), float(rt["p.value"].iloc[0]), 1e-3)
    assert len(uni) == 1  # as lavaan: only the released constraints


def _lrt_pair(case: str):
    if case.endswith("mg_eq_vs_a"):
        par = "theta" if case.startswith("theta") else "delta"
        m = _model("mg_eq")
        return _fit(m, par), _fit(_without(m, "b2 =="), par)
    par, ge = CASES[case]
    m = _model(case)
    one = case in ONE_GROUP
    return _fit(m, par, ge, one), _fit(_without(m, "=="), par, ge, one)


@pytest.mark.parametrize("case", list(pd.read_csv(REF / "lrt.csv")["case"]))
def test_scaled_difference_test_matches_lavTestLRT(case):
    ref = pd.read_csv(REF / "lrt.csv").set_index("case").loc[case]
    restricted, free = _lrt_pair(case)
    t = scaled_difference_test(restricted, free)
    assert t["df_diff"] == int(ref["df_diff"])
    assert close(t["chisq_diff"], float(ref["chisq_diff"]), 1e-3), (t, ref)
    assert close(t["pvalue"], float(ref["pvalue"]), 1e-3), (t, ref)


def test_inequality_constraints_are_refused_as_lavaan():
    """lavaan refuses lavTestScore with inequalities, and its lavTestLRT (satorra.2000, A from Delta) stops with
    "a dimension is zero" (tests/reference/score_wlsmv_nonlinear/refusals.csv): refused with lavaan's reason."""
    from egovsem._errors import EgovsemError

    fit = _fit(_model("mg_ineq"))
    with pytest.raises(EgovsemError, match=r"score tests .* inequality constraints \(model syntax, line 3.*does not "
                                          r"handle inequality constraints \(yet\)") as e:
        score_tests(fit)
    assert not isinstance(e.value, NotAvailableError)
    # (with inequalities only, the two models have the same df: lavaan's 0-df difference, no refusal needed)
    restricted = _fit(_model("mg_ineq") + "\na2 == 1")
    with pytest.raises(EgovsemError, match=r"scaled difference tests .* inequality constraints .*a dimension is "
                                          r"zero") as e:
        scaled_difference_test(restricted, fit)
    assert not isinstance(e.value, NotAvailableError)


def test_release_out_of_range_is_named():
    from egovsem._errors import EgovsemError

    with pytest.raises(EgovsemError, match=r"'release' .* between 1 and 2\. Got \[3\]"):
        score_tests(_fit(_model("mg_eq")), release=[3])


def test_constraints_argument_gives_the_same_tests():
    # lavaan's constraints= appends its statements to the model syntax: the same fit as mg_eq, so mg_eq's reference
    model = _without(_model("mg_eq"), "==")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.cfa(model, DATA, ordered=True, group="school", constraints="a1 == a2\nb2 == 1.1*b1")
    total, uni = score_tests(fit)
    assert close(float(total["X2"].iloc[0]), float(pd.read_csv(REF / "mg_eq_test.csv")["X2"].iloc[0]), 1e-3)
    ru = pd.read_csv(REF / "mg_eq_uni.csv")
    assert all(close(a, b, 1e-3) for a, b in zip(uni["X2"], ru["X2"])) and len(uni) == len(ru)


def test_nonlinear_equalities_score_test_and_lrt_as_lavaan():
    """Score tests with a nonlinear equality (b2 == b1^2) were refused before issue 11: they now match lavaan
    (tests/test_score_wlsmv_nonlinear.py has every case); the scaled difference test stays refused, with the
    reason lavaan 0.6-14 fails ("a dimension is zero": its A from Delta ignores nonlinear equalities)."""
    from egovsem._errors import EgovsemError

    m = _without(_model("mg_eq"), "==")
    fit = _fit(m + "\nb2 == b1^2")
    total, _uni = score_tests(fit)
    ref = pd.read_csv(HERE / "score_wlsmv_nonlinear" / "mg_nl_test.csv")
    assert close(float(total["X2"].iloc[0]), float(ref["X2"].iloc[0]), 1e-3)
    with pytest.raises(EgovsemError, match=r"scaled difference tests .* nonlinear equality constraints \(model "
                                          r"syntax, line 4: 'b2 == b1\^2'\).*a dimension is zero") as e:
        scaled_difference_test(fit, _fit(m))
    assert not isinstance(e.value, NotAvailableError)
