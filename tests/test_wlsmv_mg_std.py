"""Standardized solution, defined parameters and R-squared of multi-group WLSMV fits against lavaan 0.6-14.

References: tests/reference/make_reference_wlsmv_mg_std.R (HolzingerSwineford1939 x1..x6 cut into 5
categories, two schools; a label shared by the groups, per-group labels ``c(b1, b2)`` on a regression and
three ``:=`` parameters), delta and theta parameterisations, configural and scalar (thresholds, loadings,
intercepts) models. Every row of ``parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)`` and of
``lavInspect(fit, "r2")`` is compared.
"""
from __future__ import annotations

import warnings

import pandas as pd
import pytest
from _refcompare import REF, close, compare_group_params, read_ref
from egovsem.sem.wls_mg import fit_wlsmv_multigroup

SUB = "wlsmv_mg_std"
MODEL = """visual =~ x1 + l2*x2 + x3
textual =~ x4 + x5 + x6
textual ~ c(b1, b2)*visual
bdiff := b1 - b2
l2b := l2*b1
b2sq := b2^2"""
EQ = {"configural": [], "scalar": ["thresholds", "loadings", "intercepts"]}
CASES = [f"{p}_{n}" for p in ("delta", "theta") for n in EQ]
_FITS: dict = {}


def _fit(case: str):
    if case not in _FITS:
        par, nm = case.split("_")
        data = pd.read_csv(REF / "wlsmv_mg" / "hs5_school.csv")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _FITS[case] = fit_wlsmv_multigroup(MODEL, data, True, group="school", group_equal=EQ[nm],
                                               parameterization=par)
    return _FITS[case]


@pytest.mark.parametrize("case", CASES)
def test_params_standardized_and_defined_match_lavaan(case):
    fit = _fit(case)
    ref = read_ref(case, "params", SUB)
    ref = ref[ref["op"] != "r2"]
    assert (ref["op"] == ":=").sum() == 3
    assert compare_group_params(fit.params, ref) == []


@pytest.mark.parametrize("case", CASES)
def test_labels_per_group_as_lavaan(case):
    """``c(b1, b2)``: each group's own label; ``l2``: one label in both groups (an equality)."""
    fit = _fit(case)
    ref = read_ref(case, "params", SUB)
    ref = ref[ref["op"].isin(["=~", "~"])]
    ours = fit.params.set_index(["lhs", "op", "rhs", "group"])["label"]
    for r in ref.itertuples():
        if isinstance(r.label, str) and not r.label.startswith("."):
            assert ours[(r.lhs, r.op, r.rhs, r.group)] == r.label


@pytest.mark.parametrize("case", CASES)
def test_r2_matches_lavaan(case):
    fit = _fit(case)
    labels = fit.group_labels
    for what in ("r2", "params"):
        ref = read_ref(case, what, SUB)
        if what == "params":
            ref = ref[ref["op"] == "r2"].rename(columns={"lhs": "variable", "est": "r2"})
        assert len(ref) == len(fit.r2)
        for r in ref.itertuples():
            ours = float(fit.r2[(labels[int(r.group) - 1], r.variable)])
            assert close(ours, float(r.r2), 1e-3), (r.group, r.variable, ours, r.r2)
