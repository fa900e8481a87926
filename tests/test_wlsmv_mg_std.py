"""Standardized solution, defined parameters and R-squared of multi-group WLSMV fits against lavaan 0.6-14.

References: tests/reference/make_reference_wlsmv_mg_std.R (HolzingerSwineford1939 x1..x6 cut into 5
categories, two schools; a label shared by the groups, per-group labels ``c(b1, b2)`` on a regression and
three ``:=`` parameters), delta and theta parameterisations, configural and scalar (thresholds, loadings,
intercepts) models. Every row of ``parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)`` and of
``lavInspect(fit, "r2")`` is compared.
"""
from __future__ import annotations

import json
import re
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


NUM = re.compile(r"-?\d+\.\d+|(?<![\w.])-?\d+(?![\w.])")


def _lavaan_summary(case: str) -> list[str]:
    text = (REF / SUB / f"{case}_summary.txt").read_text(encoding="utf-8").splitlines()
    assert text[0].startswith("# lavaan 0.6.14")
    return text[1:]


@pytest.mark.parametrize("case", ["delta_scalar", "theta_scalar"])
def test_summary_fit_part_is_what_lavaan_prints(case):
    """The lines from "Model Test User Model:" to "Parameter Estimates:" of lavaan's summary (the test
    statistic of each group included, the robust rows NA): same labels, numbers ending in the same columns,
    each within one unit of the third decimal (rounding of values that agree to 1e-3)."""
    text = _fit(case).summary().splitlines()
    ref = _lavaan_summary(case)

    def part(lines):
        a = lines.index("Model Test User Model:")
        b = lines.index("Parameter Estimates:")
        out = lines[a:b]
        while out and not out[-1].strip():
            out.pop()
        return out

    ours, theirs = part(text), part(ref)
    assert len(ours) == len(theirs), "\n".join(ours)
    for a, b in zip(ours, theirs):
        na = [(m.end(), m.group()) for m in NUM.finditer(a) if m.start() >= 43]
        nb = [(m.end(), m.group()) for m in NUM.finditer(b) if m.start() >= 43]
        assert NUM.sub("#", a[:45]).rstrip() == NUM.sub("#", b[:45]).rstrip(), (a, b)
        assert [c for c, _ in na] == [c for c, _ in nb], (a, b)
        assert a.rstrip().endswith("NA") == b.rstrip().endswith("NA"), (a, b)
        for (_, x), (_, y) in zip(na, nb):
            assert abs(float(x) - float(y)) <= 1.0000001e-3, (a, b)


@pytest.mark.parametrize("case", ["delta_scalar", "theta_scalar"])
def test_summary_parameter_part_has_lavaan_sections(case):
    """Each group's block with lavaan's section titles in lavaan's order (Scales y* and R-Square per group),
    the printed estimates and standardised values those of the lavaan rows (checked in full above)."""
    text = _fit(case).summary()
    ref = "\n".join(_lavaan_summary(case))
    titles = ("Group 1 [Pasteur]:", "Latent Variables:", "Regressions:", "Intercepts:", "Thresholds:",
              "Variances:", "Scales y*:", "R-Square:", "Group 2 [Grant-White]:", "Defined Parameters:")
    pos_ours = [text.find(t) for t in titles]
    pos_ref = [ref.find(t) for t in titles]
    assert all(p >= 0 for p in pos_ours) and pos_ours == sorted(pos_ours)
    assert pos_ref == sorted(pos_ref)
    assert text.count("R-Square:") == ref.count("R-Square:") == 2
    assert text.count("Scales y*:") == ref.count("Scales y*:") == 2
    for line in ("    x2|t4", "    x6|t1", "    bdiff", "    l2b"):
        ours = [ln for ln in text.splitlines() if ln.startswith(line + " ")]
        theirs = [ln for ln in ref.splitlines() if ln.startswith(line + " ")]
        assert [NUM.findall(x)[-2:] for x in ours] == [NUM.findall(x)[-2:] for x in theirs], (ours, theirs)


def test_to_json_has_the_single_group_keys(tmp_path):
    fit = _fit("delta_scalar")
    path = tmp_path / "fit.json"
    doc = json.loads(fit.to_json(path))
    assert json.loads(path.read_text(encoding="utf-8")) == doc
    for key in ("converged", "estimator", "method", "missing", "nobs", "ntotal", "n_dropped", "iterations",
                "params", "fit", "r2", "versions", "parameterization", "groups", "group_nobs"):
        assert key in doc, key
    assert doc["nobs"] == 301 and doc["group_nobs"] == [156, 145] and doc["estimator"] == "WLSMV"
    ref = read_ref("delta_scalar", "r2", SUB)
    assert abs(doc["r2"]["Grant-White/textual"] - float(ref["r2"].iloc[-1])) < 1e-3
    rows = {(r["lhs"], r["op"], r["rhs"], r["group"]): r for r in doc["params"]}
    assert abs(rows[("x1", "|", "t1", 2)]["std.all"] - (-0.9199391102)) < 1e-3
    assert rows[("bdiff", ":=", "b1 - b2", 0)]["se"] > 0


@pytest.mark.parametrize("ge", [[], ["thresholds", "loadings"]])
def test_empty_category_in_one_group_as_lavaan(ge):
    """lavaan stops ("some categories of variable `x1' are empty in group 2; frequencies are [27 34 33 51 0]",
    tests/reference/wlsmv_mg_std/empty_category_lavaan.txt); egovsem raises EmptyCategoryError (a DataError)
    naming the same item, group and frequencies, and the group's value."""
    from egovsem._errors import DataError, EmptyCategoryError

    lines = (REF / SUB / "empty_category_lavaan.txt").read_text(encoding="utf-8").splitlines()
    lav = dict(line.split("\t") for line in lines)["+".join(ge)]
    m = re.search(r"variable `(\w+)' are empty in group (\d+); frequencies are \[([\d ]+)\]", lav)
    assert m is not None, lav
    data = pd.read_csv(REF / "wlsmv_mg" / "hs5_school.csv")
    data.loc[(data["school"] == "Grant-White") & (data["x1"] == 5), "x1"] = 4
    with pytest.raises(EmptyCategoryError) as info:
        fit_wlsmv_multigroup("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", data, True, group="school",
                             group_equal=ge)
    e = info.value
    assert isinstance(e, DataError)
    assert e.item == m.group(1) and e.group_index == int(m.group(2))
    assert e.frequencies == [int(x) for x in m.group(3).split()]
    assert e.group == "school" and e.group_label == "Grant-White" and e.empty == [5]
    assert "empty in group 2 (school='Grant-White')" in str(e) and "[27, 34, 33, 51, 0]" in str(e)
    import pickle

    e2 = pickle.loads(pickle.dumps(e))
    assert str(e2) == str(e) and e2.frequencies == e.frequencies


@pytest.mark.parametrize("par", ["delta", "theta"])
def test_analytic_jacobian_equals_central_differences(par):
    """The analytic Delta of multi-group WLSMV (scale factors, derived residual variances, a residual
    covariance, a regression, equal thresholds) against central differences at the estimates."""
    import numpy as np
    from egovsem.sem.wls_mg import _GroupModel

    data = pd.read_csv(REF / "wlsmv_mg" / "hs5_school.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_wlsmv_multigroup(MODEL + "\nx1 ~~ x4", data, True, group="school",
                                   group_equal=["thresholds", "loadings"], parameterization=par)
    pt, q = fit.partable, fit.theta.size
    for g in (1, 2):
        gm = _GroupModel.build(pt[pt["group"] == g].reset_index(drop=True), tuple(fit.ordinal[0].names),
                               ("visual", "textual"), q, par)
        a, b = gm.jacobian(fit.theta), gm.jacobian_numeric(fit.theta)
        assert a.shape == b.shape and np.abs(a - b).max() < 1e-7


MIXED = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
MIXED_CASES = [f"mixed_{p}_{n}" for p in ("delta", "theta") for n in EQ]


def _fit_mixed(case: str):
    if case not in _FITS:
        _, par, nm = case.split("_")
        data = pd.read_csv(REF / SUB / "hs5mix_school.csv")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _FITS[case] = fit_wlsmv_multigroup(MIXED, data, [f"x{i}" for i in range(1, 7)], group="school",
                                               group_equal=EQ[nm], parameterization=par)
    return _FITS[case]


@pytest.mark.parametrize("case", MIXED_CASES)
def test_mixed_continuous_and_ordered_params_match_lavaan(case):
    """x1..x6 ordered, x7..x9 continuous, two schools (make_reference_wlsmv_mg_mixed.R): every
    parameterEstimates(standardized = TRUE) row (est, se, std.lv, std.all, std.nox)."""
    ref = read_ref(case, "params", SUB)
    assert compare_group_params(_fit_mixed(case).params, ref) == []


@pytest.mark.parametrize("case", MIXED_CASES)
def test_mixed_continuous_and_ordered_fit_measures_match_lavaan(case):
    from _refcompare import compare_series, read_kv

    ref = read_kv(case, "fit", SUB).astype(float)
    assert compare_series(_fit_mixed(case).fit_measures, ref) == []


@pytest.mark.parametrize("case", MIXED_CASES)
def test_mixed_analytic_jacobian_equals_central_differences(case):
    import numpy as np
    from egovsem.sem.wls_mg import _GroupModel

    fit = _fit_mixed(case)
    pt, q = fit.partable, fit.theta.size
    for g in (1, 2):
        gm = _GroupModel.build(pt[pt["group"] == g].reset_index(drop=True), tuple(fit.ordinal[0].names),
                               ("visual", "textual", "speed"), q, fit.parameterization, fit.ordinal[0].ordered)
        a, b = gm.jacobian(fit.theta), gm.jacobian_numeric(fit.theta)
        assert a.shape == b.shape and np.abs(a - b).max() < 1e-6


def test_per_group_fixed_value_and_label_as_lavaan():
    """``c(NA, 0.9)*x5``: free in group 1, fixed to 0.9 in group 2; ``c(a1, a2)*x6`` and ``d6 := a1 - a2``
    (lavaan's per-group modifiers); every parameterEstimates(standardized = TRUE) row and fit measure matched."""
    from _refcompare import compare_series, read_kv

    data = pd.read_csv(REF / "wlsmv_mg" / "hs5_school.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_wlsmv_multigroup("visual =~ x1 + x2 + x3\ntextual =~ x4 + c(NA, 0.9)*x5 + c(a1, a2)*x6\n"
                                   "d6 := a1 - a2", data, True, group="school")
    assert compare_group_params(fit.params, read_ref("pergroup_fixed", "params", SUB)) == []
    assert compare_series(fit.fit_measures, read_kv("pergroup_fixed", "fit", SUB).astype(float)) == []
    x5 = fit.params[(fit.params["op"] == "=~") & (fit.params["rhs"] == "x5")]
    assert float(x5["est"].iloc[1]) == 0.9 and float(x5["se"].iloc[1]) == 0 and float(x5["se"].iloc[0]) > 0
    x6 = fit.params[(fit.params["op"] == "=~") & (fit.params["rhs"] == "x6")]
    assert list(x6["label"]) == ["a1", "a2"]
