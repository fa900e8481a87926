"""Modification indices after WLSMV against lavaan 0.6-14's modindices() on cfa(..., ordered = TRUE) fits
(tests/reference/make_reference_modindices_wlsmv.R): every row lavaan lists, mi, epc and the standardised EPCs,
and no row lavaan drops."""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, REF, compare_modindices
from egovsem.datasets import load

OUT = REF / "modindices_wlsmv"
BFI_ITEMS = [f"A{i}" for i in range(1, 6)] + [f"C{i}" for i in range(1, 6)]


def _data(case: str) -> pd.DataFrame:
    if case == "hs3":
        return pd.read_csv(DATA / "hs_ordinal.csv")
    return load("bfi")[BFI_ITEMS].dropna()


@pytest.fixture(scope="module", params=["hs3", "bfi2"])
def case(request):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "ordered= is given: the estimator is WLSMV"
        fit = egovsem.cfa((OUT / f"{request.param}.lav").read_text(), _data(request.param), ordered=True)
    return request.param, fit


def test_modindices_after_wlsmv_match_lavaan(case):
    name, fit = case
    ref = pd.read_csv(OUT / f"{name}_mi.csv")
    ours = fit.modindices()
    assert len(ours) == len(ref)
    problems = compare_modindices(ours, ref)
    assert not problems, "\n".join(problems)


def test_largest_modindex_is_lavaans(case):
    name, fit = case
    ref = pd.read_csv(OUT / f"{name}_mi.csv").sort_values("mi", ascending=False).iloc[0]
    top = fit.modindices(sort=True).iloc[0]
    assert (top["lhs"], top["op"], top["rhs"]) == (ref["lhs"], ref["op"], ref["rhs"])
