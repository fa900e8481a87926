"""Modification indices after multi-group and theta-parameterised WLSMV fits, with and without explicit
constraints (and missing="pairwise" on bfi), against lavaan 0.6-14's modindices()
(tests/reference/make_reference_modindices_wlsmv_mg.R): every
row lavaan lists (mi, epc, sepc.lv, sepc.all, sepc.nox) and no row it drops. Before issue 11 these fits had no
modindices() at all (an AttributeError)."""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, REF, compare_modindices_case
from egovsem._errors import EgovsemError

OUT = REF / "modindices_wlsmv_mg"
HS5 = pd.read_csv(REF / "wlsmv_mg" / "hs5_school.csv")
HSO = pd.read_csv(DATA / "hs_ordinal.csv")
CASES = {"mg": ("delta", "school", None), "mg_ge": ("delta", "school", ["thresholds", "loadings"]),
         "mg_eq": ("delta", "school", None), "theta_mg": ("theta", "school", None),
         "theta_mg_eq": ("theta", "school", None), "theta": ("theta", None, None), "theta_eq": ("theta", None, None),
         "pw_mg_eq": ("delta", "gender", None)}


def _fit(case: str):
    par, group, ge = CASES[case]
    pw = case.startswith("pw_")  # psych's bfi with its missing values, missing="pairwise"
    data = pd.read_csv(DATA / "bfi.csv") if pw else HSO if group is None else HS5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return egovsem.cfa((OUT / f"{case}.lav").read_text(), data, ordered=True, estimator="WLSMV", group=group,
                           parameterization=par, group_equal=ge, missing="pairwise" if pw else "listwise")


@pytest.mark.parametrize("case", list(CASES))
def test_modindices_match_lavaan(case):
    problems = compare_modindices_case(_fit(case), OUT, case)
    assert not problems, "\n".join(problems)


def test_sorted_filtered_and_bad_arguments():
    fit = _fit("mg_eq")
    ref = pd.read_csv(OUT / "mg_eq_mi.csv").sort_values("mi", ascending=False)
    top = fit.modindices(sort=True, minimum_value=3.0)
    assert len(top) == int((ref["mi"] >= 3.0).sum())
    assert (top.iloc[0]["lhs"], top.iloc[0]["rhs"], top.iloc[0]["group"]) == tuple(
        ref.iloc[0][["lhs", "rhs", "group"]])
    with pytest.raises(EgovsemError, match=r"'minimum_value' parameter must be a number. Got 'x'"):
        fit.modindices(minimum_value="x")
    with pytest.raises(EgovsemError, match=r"'sort' parameter must be True or False. Got 1"):
        fit.modindices(sort=1)
