"""Modification indices of models with explicit constraints (``a == b``, ``d == c^2``, ``a > 0.8``) against
lavaan 0.6-14's modindices() (tests/reference/make_reference_modindices_constrained.R): ML, MLR and FIML in one
group, ML in two groups, WLSMV in one group; every row lavaan lists (mi, epc, sepc.lv, sepc.all, sepc.nox) and
no row lavaan drops. They were refused ("not available yet") before issue 11: lavaan takes the model's inverse
information from the augmented (bordered) matrix, ``Z (Z' I Z)^-1 Z'`` on the null space of the equalities and
the active inequalities (egovsem.sem.modindices)."""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, REF, compare_modindices_case
from egovsem._errors import EgovsemError

OUT = REF / "modindices_constrained"
DATASETS = {"HS": "HolzingerSwineford1939", "HSM": "hs_missing10", "HSO": "hs_ordinal", "PD": "PoliticalDemocracy"}
CASES = {
    "ml_eq": ("HS", {}), "ml_two": ("HS", {}), "ml_nonlinear": ("HS", {}), "ml_ineq": ("HS", {}),
    "ml_eq_ineq": ("HS", {}), "mlr_eq": ("HS", {"estimator": "MLR"}), "fiml_eq": ("HSM", {"missing": "fiml"}),
    "pd_eq": ("PD", {}), "mg_eq": ("HS", {"group": "school"}),
    "mg_fiml_eq": ("HSM", {"group": "school", "missing": "fiml"}), "mg_ineq": ("HS", {"group": "school"}),
    "wlsmv_eq": ("HSO", {"ordered": True}), "wlsmv_ineq": ("HSO", {"ordered": True}),
}


def _fit(case: str):
    data, opts = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "ordered= is given: the estimator is WLSMV"
        return egovsem.sem((OUT / f"{case}.lav").read_text(), pd.read_csv(DATA / f"{DATASETS[data]}.csv"), **opts)


@pytest.mark.parametrize("case", sorted(CASES))
def test_modindices_under_constraints_match_lavaan(case):
    problems = compare_modindices_case(_fit(case), OUT, case)
    assert not problems, "\n".join(problems)


def test_wlsmv_scale_factors_enter_once_a_loading_is_constrained():
    """lavaan lists the items' scale factors (x2 ~*~ x2) after WLSMV when the loading they trade off against is
    constrained (a == b); without constraints their V is 0 and they are dropped, as before."""
    ours = _fit("wlsmv_eq").modindices()
    scales = ours[ours["op"] == "~*~"]
    assert list(scales["lhs"]) == ["x2", "x3"]
    assert (scales["sepc.all"].abs() == 1.0).all()


def test_sorted_and_filtered_as_lavaan():
    fit = _fit("ml_eq")
    ref = pd.read_csv(OUT / "ml_eq_mi.csv").sort_values("mi", ascending=False)
    top = fit.modindices(sort=True, minimum_value=10.0)
    assert (top["mi"] >= 10.0).all() and len(top) == int((ref["mi"] >= 10.0).sum())
    assert (top.iloc[0]["lhs"], top.iloc[0]["op"], top.iloc[0]["rhs"]) == tuple(ref.iloc[0][["lhs", "op", "rhs"]])


def test_bad_arguments_are_named():
    fit = _fit("ml_eq")
    with pytest.raises(EgovsemError, match=r"'minimum_value' parameter must be a number. Got 'a'"):
        fit.modindices(minimum_value="a")
    with pytest.raises(EgovsemError, match=r"'sort' parameter must be True or False. Got 'yes'"):
        fit.modindices(sort="yes")


@pytest.mark.parametrize("case", ["eq", "ineq"])
def test_modindices_with_covariates_under_constraints_match_lavaan(case):
    """WLSMV with exogenous covariates (conditional.x, one group) and a == / < constraint
    (make_reference_modindices_constrained_conditional.R, psych's bfi): every row lavaan lists."""
    items = ["A1", "A2", "A3", "A4", "A5"]
    d = pd.read_csv(DATA / "bfi.csv")[[*items, "age", "education"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.sem((OUT / f"cx_{case}.lav").read_text(), d, ordered=items)
    problems = compare_modindices_case(fit, OUT, f"cx_{case}", covariates=("age", "education"))
    assert not problems, "\n".join(problems)
