"""Score tests for releasing equality constraints against lavaan 0.6-14's lavTestScore()
(tests/reference/make_reference_score_test.R): the total test and every univariate row (lavaan's plabels)."""
from __future__ import annotations

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, close
from egovsem._errors import EgovsemError
from egovsem.datasets import load
from egovsem.sem.score_test import score_tests

OUT = REF / "score_test"
HS3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


def _bfi_age3() -> pd.DataFrame:
    items = [f"A{i}" for i in range(1, 6)]
    bfi = load("bfi")
    d = bfi.loc[bfi[items].notna().all(axis=1), items + ["age"]].copy()
    d["agegrp"] = pd.cut(d["age"], [0, 25, 35, 100], labels=["a", "b", "c"]).astype(str)
    return d


def _case(name: str):
    hs = load("HolzingerSwineford1939")
    scalar = dict(group="school", group_equal=["loadings", "intercepts"])
    if name in ("hs_scalar", "hs_release"):
        return egovsem.cfa(HS3, hs, **scalar), ([7, 8, 9] if name == "hs_release" else None)
    if name == "hs_metric":
        return egovsem.cfa(HS3, hs, group="school", group_equal=["loadings"]), None
    if name == "hs_fiml":
        return egovsem.cfa(HS3, pd.read_csv(DATA / "hs_missing10.csv"), missing="fiml", **scalar), None
    if name == "hs_label":
        return egovsem.cfa((OUT / "hs_label.lav").read_text(), hs), None
    return egovsem.cfa("A =~ A1 + A2 + A3 + A4 + A5", _bfi_age3(), group="agegrp",
                       group_equal=["loadings", "intercepts"]), None


CASES = ["hs_scalar", "hs_metric", "hs_release", "hs_fiml", "hs_label", "bfi_age3"]


@pytest.mark.parametrize("name", CASES)
def test_score_tests_match_lavtestscore(name):
    fit, release = _case(name)
    total, uni = score_tests(fit, release=release)
    ref_t = pd.read_csv(OUT / f"{name}_total.csv").iloc[0]
    assert int(total["df"].iloc[0]) == int(ref_t["df"])
    assert close(float(total["X2"].iloc[0]), float(ref_t["X2"]), 1e-3), (total, ref_t)
    ref_u = pd.read_csv(OUT / f"{name}_uni.csv")
    if release is not None:  # lavaan lists the released constraints only
        uni = uni.iloc[[r - 1 for r in release]]
    assert list(zip(uni["lhs"], uni["rhs"])) == list(zip(ref_u["lhs"], ref_u["rhs"]))
    for ours, ref in zip(uni["X2"], ref_u["X2"]):
        assert close(float(ours), float(ref), 1e-3), (name, list(uni["X2"]), list(ref_u["X2"]))
    np.testing.assert_allclose(uni["p.value"], ref_u["p.value"], atol=1e-3)


def test_ranking_names_the_parameter_to_free():
    fit, _ = _case("hs_scalar")
    _, uni = score_tests(fit)
    top = uni.sort_values("X2", ascending=False).iloc[0]
    assert (top["parameter"], top["group"]) == ("x3 ~1", 2)  # lavaan: .p27. == .p63., X2 19.193


def test_bad_input():
    hs = load("HolzingerSwineford1939")
    with pytest.raises(EgovsemError, match="no equality constraints"):
        score_tests(egovsem.cfa(HS3, hs))
    fit, _ = _case("hs_metric")
    with pytest.raises(EgovsemError, match="'release'.*between 1 and 6"):
        score_tests(fit, release=[7])
    with pytest.raises(EgovsemError, match="'fit'"):
        score_tests("not a fit")
