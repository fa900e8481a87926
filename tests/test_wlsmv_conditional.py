"""The second stage of WLSMV with exogenous covariates (lavaan's conditional.x; egovsem.sem.wls_conditional)
against lavaan 0.6-14 (tests/reference/make_reference_ordinal_conditional.R): every row of
parameterEstimates(fit, standardized = TRUE) (est, se, std.lv, std.all, std.nox) and of fitMeasures(fit) of
the MIMIC model A =~ A1 + ... + A5; A ~ age + gender on psych's bfi (ordered items, complete rows), and of
the MIMIC with a direct effect of a covariate on an item (A ~ age; A3 ~ gender)."""
from __future__ import annotations

import json

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, close, compare_params, compare_series
from egovsem._errors import DataError, MissingDataWarning, NotAvailableError
from egovsem.cli import main
from egovsem.sem.model import Model
from egovsem.sem.wls import fit_wlsmv
from egovsem.sem.wls_conditional import ConditionalFit, fit_wlsmv_conditional

MIMIC = "A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + gender"
CASES = {"bfi_mimic": MIMIC, "bfi_mimic_direct": "A =~ A1 + A2 + A3 + A4 + A5\n A ~ age\n A3 ~ gender",
         # education has 223 missing values: lavaan deletes those rows listwise (2493 of 2800 analysed;
         # tests/reference/make_reference_ordinal_conditional_missing.R)
         "bfi_mimic_educ": "A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + education"}
NOBS = {"bfi_mimic": 2709, "bfi_mimic_direct": 2709, "bfi_mimic_educ": 2493}
XS = {"bfi_mimic": ["age", "gender"], "bfi_mimic_direct": ["age", "gender"], "bfi_mimic_educ": ["age", "education"]}
ITEMS = [f"A{i}" for i in range(1, 6)]


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(DATA / "bfi.csv")


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, bfi):
    # through the WLSMV entry point (its dispatch to the conditional second stage)
    with pytest.warns(MissingDataWarning, match="listwise deletion"):
        return request.param, fit_wlsmv(Model(CASES[request.param]), bfi, True)


def _close(got, want, rtol):
    return abs(got - want) <= rtol * max(1.0, abs(want))


def test_dispatch_and_convergence(case):
    name, fit = case
    assert isinstance(fit, ConditionalFit) and fit.converged
    assert fit.stats.nobs == NOBS[name] and fit.ntotal == 2800 and fit.n_dropped == 2800 - NOBS[name]


def test_model_fit_route(bfi):
    fit = Model(MIMIC, estimator="WLSMV", ordered=True).fit(bfi)
    assert isinstance(fit, ConditionalFit)
    assert fit.fit_measures["chisq.scaled"] == pytest.approx(240.5338573, rel=1e-5)  # lavaan's value
    # summary() was refused before ConditionalFit became a full results object; an unknown attribute still is
    assert "Thresholds:" in fit.summary()
    with pytest.raises(NotAvailableError, match="'bootstrap_info' is not available for WLSMV with exogenous"):
        fit.bootstrap_info  # noqa: B018
    assert not hasattr(fit, "bootstrap_info")


@pytest.mark.parametrize("col,tol", [("est", 1e-3), ("se", 1e-2), ("std.lv", 1e-3), ("std.all", 1e-3),
                                     ("std.nox", 1e-3)])
def test_parameter_rows_match_lavaan(case, col, tol):
    name, fit = case
    ref = pd.read_csv(REF / "ordinal_conditional" / f"{name}_params.csv").fillna({"rhs": ""})
    got = fit.params.set_index(["lhs", "op", "rhs"])
    assert len(got) == len(ref) and not got.index.duplicated().any()
    bad = []
    for _, r in ref.iterrows():
        g = float(got.loc[(r["lhs"], r["op"], r["rhs"]), col])
        w = float(r[col])
        ok = abs(g - w) <= tol * abs(w) if col == "se" and w != 0 else _close(g, w, tol)
        if not ok:
            bad.append((r["lhs"], r["op"], r["rhs"], g, w))
    assert not bad, bad
    # lavaan's row order
    assert list(zip(fit.params["lhs"], fit.params["op"], fit.params["rhs"])) == list(zip(ref.lhs, ref.op, ref.rhs))


def test_fit_measures_match_lavaan(case):
    name, fit = case
    ref = pd.read_csv(REF / "ordinal_conditional" / f"{name}_fit.csv").set_index("measure")["value"]
    fm = fit.fit_measures
    missing = [k for k in ref.index if k not in fm.index]
    assert not missing
    bad = []
    for k, w in ref.items():
        g = float(fm[k])
        if np.isnan(w):
            if not np.isnan(g):
                bad.append((k, g, w))
        elif not _close(g, w, 1e-3):
            bad.append((k, g, w))
    assert not bad, bad
    assert fm["df"] == ref["df"]


def test_bad_inputs_are_refused(bfi):
    d = bfi.dropna(subset=ITEMS + ["gender"])
    with pytest.raises(DataError, match=r"covariate 'age' is missing on every row"):
        fit_wlsmv_conditional(Model(MIMIC), d.assign(age=np.nan), True)
    with pytest.raises(DataError, match=r"covariate 'age'.*non-numeric value \('abc'\)"):
        fit_wlsmv(Model(MIMIC), d.assign(age=d["age"].astype(str).where(d.index != d.index[5], "abc")), True)
    with pytest.raises(DataError, match=r"covariate 'gender' takes a single value"):
        fit_wlsmv(Model(MIMIC), d.assign(gender=1), True)
    with pytest.raises(NotAvailableError, match="fixed_x=False"):
        fit_wlsmv(Model(MIMIC, fixed_x=False), d, True)


def test_an_ordered_covariate_is_a_numeric_covariate_as_in_lavaan(bfi):
    """Refused before: gender declared ordered is conditioned on as a numeric covariate, with lavaan's warning
    ("exogenous variable(s) declared as ordered in data: gender"); every row as lavaan's bfi_mimic (more cases in
    tests/test_wlsmv_conditional_x2.py, make_reference_wlsmv_conditional_x2.R)."""
    from egovsem._errors import DataWarning

    d = bfi.dropna(subset=ITEMS + ["gender"])
    with pytest.warns(DataWarning, match=r"\['gender'\] ordered.*declared as ordered in data: gender"):
        fit = fit_wlsmv_conditional(Model(MIMIC), d, ITEMS + ["gender"])
    ref = REF / "ordinal_conditional"
    problems = compare_params(fit.params, pd.read_csv(ref / "bfi_mimic_params.csv").fillna({"rhs": ""}))
    problems += compare_series(fit.fit_measures, pd.read_csv(ref / "bfi_mimic_fit.csv").set_index("measure")["value"])
    assert not problems, "\n".join(problems)


def test_continuous_indicators_mixed_with_ordered_ones_match_lavaan(bfi):
    """Refused before: A4, A5 continuous, A1..A3 ordered (lavaan's OLS first stage for the continuous ones);
    every parameter row and fit measure as lavaan's (make_reference_wlsmv_conditional_mixed.R, bfi_gender;
    more cases in tests/test_wlsmv_conditional_mixed.py)."""
    from _refcompare import compare_group_params

    fit = fit_wlsmv(Model(MIMIC), bfi.dropna(subset=ITEMS + ["gender"]), ITEMS[:3])
    ref = REF / "wlsmv_conditional_mixed"
    params = fit.params if "group" in fit.params else fit.params.assign(group=1)
    problems = compare_group_params(params, pd.read_csv(ref / "bfi_gender_params.csv"))
    problems += compare_series(fit.fit_measures, pd.read_csv(ref / "bfi_gender_fit.csv").set_index("measure")["value"])
    assert not problems, "\n".join(problems)


def test_pairwise_with_covariates_is_fitted_pairwise_not_listwise(bfi):
    # refused before; now lavaan's pairwise first stage (one group; lavaan reference in
    # tests/test_wlsmv_conditional_pairwise.py): every row with its covariates observed is analysed
    d = bfi[["A1", "A2", "A3", "A4", "A5", "age", "gender"]].dropna(subset=["age", "gender"])
    assert d[["A1", "A2", "A3", "A4", "A5"]].isna().any().any()
    fit = egovsem.cfa("A =~ A1 + A2 + A3 + A4 + A5\nA ~ age", d, ordered=["A1", "A2", "A3", "A4", "A5"],
                      missing="pairwise")
    assert fit.nobs == len(d) > 2709 and fit.n_dropped == 0


def _ref_params(name):
    return pd.read_csv(REF / "ordinal_conditional" / f"{name}_params.csv").fillna({"rhs": ""})


def test_r2_is_lavaans(case):
    # lavaan's lavInspect(fit, "r2") is 1 - std.all of the residual variances of the endogenous variables
    # (printed by lavaan 0.6-14 for bfi_mimic: A1 0.183, A2 0.513, A3 0.660, A4 0.261, A5 0.453, A 0.086)
    name, fit = case
    ref = _ref_params(name)
    var = ref[(ref.op == "~~") & (ref.lhs == ref.rhs) & ref.lhs.isin(ITEMS + ["A"])]
    want = pd.Series(1.0 - var["std.all"].to_numpy(), index=list(var.lhs))
    got = fit.r2
    assert list(got.index) == list(want.index)
    assert np.allclose(got.to_numpy(), want.to_numpy(), rtol=1e-3, atol=1e-3)
    assert fit.inspect("rsquare").equals(got)


def test_summary_in_lavaans_layout(case):
    name, fit = case
    text = fit.summary()
    fm = pd.read_csv(REF / "ordinal_conditional" / f"{name}_fit.csv").set_index("measure")["value"]
    assert f"{fm['chisq.scaled']:.3f}" in text and f"{fm['chisq']:.3f}" in text
    assert f"Number of observations                               {NOBS[name]}" in text
    for title in ("Model Test User Model:", "Latent Variables:", "Regressions:", "Thresholds:", "Variances:",
                  "R-Square:"):
        assert title in text
    assert ", ".join(XS[name]) in text.split("Parameter Estimates:")[1].split("\n")[1]
    ref = _ref_params(name)
    for r in ref[ref.op == "=~"].itertuples():  # each loading's line: estimate, std.lv, std.all
        assert any(line.split()[:1] == [r.rhs] and f"{r.est:.3f}" in line and f"{r._8:.3f}" in line
                   for line in text.split("Latent Variables:")[1].split("Regressions:")[0].splitlines()), r
    # the covariates' fixed.x rows are not printed (lavaan's summary leaves them out)
    assert "age ~~" not in text and "\n    age                 28." not in text
    assert str(fit) == text and "Fit measures" in fit._repr_html_() and "<td>|</td>" in fit._repr_html_()
    assert f"N = {NOBS[name]}" in repr(fit)


def test_to_dict_has_the_layout_of_every_fit(case, bfi):
    name, fit = case
    d = fit.to_dict()
    plain = egovsem.cfa("A =~ A1 + A2 + A3 + A4 + A5", bfi.dropna(subset=ITEMS), ordered=True,
                        estimator="WLSMV").to_dict()
    assert list(d) == list(plain)
    assert list(d["params"][0]) == list(plain["params"][0])
    assert d["nobs"] == NOBS[name] and d["estimator"] == "WLSMV"
    ref = _ref_params(name)
    assert [(p["lhs"], p["op"], p["rhs"]) for p in d["params"]] == list(zip(ref.lhs, ref.op, ref.rhs))
    for p, w in zip(d["params"], ref.itertuples()):
        assert _close(p["est"], w.est, 1e-3)
    assert _close(d["fit"]["chisq.scaled"], float(pd.read_csv(REF / "ordinal_conditional" / f"{name}_fit.csv")
                                                  .set_index("measure").loc["chisq.scaled", "value"]), 1e-3)
    assert d["fit"]["cfi.robust"] is None  # NaN (lavaan's NA) as JSON null
    assert json.loads(fit.to_json()) == json.loads(json.dumps(d))


def test_inspect_and_nobs(case):
    name, fit = case
    assert fit.nobs == fit.inspect("nobs") == NOBS[name]
    assert fit.inspect("ov.names.x") == XS[name]
    coef = fit.inspect("coef")
    assert coef.size == fit.inspect("npar") == fit.fit_measures["npar"]
    assert coef.index[0] == "A=~A2" and "A1|t1" in coef.index
    v = fit.inspect("vcov")
    se = fit.params[fit.free_rows >= 0]["se"].to_numpy()
    assert np.allclose(np.sqrt(np.diag(v.to_numpy())), se)
    assert fit.inspect("df") == fit.fit_measures["df"]
    with pytest.raises(ValueError, match="'what' parameter must be one of .* Got 'implied'"):
        fit.inspect("implied")


def test_modindices_match_lavaan(case):
    # were refused before egovsem.sem.modindices_conditional; lavaan's modindices(fit) of the MIMIC
    # (tests/reference/make_reference_wlsmv_mg_conditional.R): every row, in lavaan's order, no other row
    name, fit = case
    mi = fit.modindices()
    assert list(mi.columns) == ["lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"]
    refname = {"bfi_mimic": "single_mimic", "bfi_mimic_direct": "single_direct"}.get(name)
    if refname is None:
        assert len(mi) and (mi["mi"] >= 0).all()
        return
    ref = pd.read_csv(REF / "wlsmv_mg_conditional" / f"{refname}_mi.csv")
    assert list(zip(mi.lhs, mi.op, mi.rhs)) == list(zip(ref.lhs, ref.op, ref.rhs))
    bad = [(r.lhs, r.rhs, c, float(m[c]), float(getattr(r, c.replace(".", "_"))))
           for (_, m), r in zip(mi.iterrows(), ref.rename(columns=lambda c: c.replace(".", "_")).itertuples())
           for c in ("mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")
           if not close(float(m[c]), float(getattr(r, c.replace(".", "_"))), 1e-3)]
    assert not bad, bad
    top = fit.modindices(sort=True, minimum_value=20)
    assert (top["mi"] >= 20).all() and top["mi"].is_monotonic_decreasing and len(top) == (ref["mi"] >= 20).sum()


def test_cli_fit_json(tmp_path, bfi, capsys):
    data = tmp_path / "bfi.csv"
    bfi.dropna(subset=ITEMS + ["age", "gender"])[ITEMS + ["age", "gender"]].to_csv(data, index=False)
    model = tmp_path / "mimic.lav"
    model.write_text(MIMIC + "\n")
    out = tmp_path / "out.json"
    assert main(["fit", str(model), str(data), "--estimator", "WLSMV", "--ordered", ",".join(ITEMS),
                 "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "240.534" in printed and "Thresholds:" in printed
    d = json.loads(out.read_text())
    assert d["nobs"] == 2709 and d["estimator"] == "WLSMV"
    assert d["fit"]["chisq.scaled"] == pytest.approx(240.5338573, rel=1e-5)
    ref = _ref_params("bfi_mimic")
    got = {(p["lhs"], p["op"], p["rhs"]): p["se"] for p in d["params"]}
    for r in ref.itertuples():
        assert abs(got[(r.lhs, r.op, r.rhs)] - r.se) <= 1e-2 * max(abs(r.se), 1e-12) or r.se == 0


def test_missing_covariate_rows_are_deleted_with_a_warning_naming_the_column(bfi):
    # a missing covariate value was refused before; lavaan deletes the row listwise (no message), egovsem too,
    # with a warning naming the covariate and its count
    d = bfi.dropna(subset=ITEMS + ["age", "gender"])
    d = d.assign(age=d["age"].where(~d.index.isin(d.index[[3, 10, 20]])))
    with pytest.warns(MissingDataWarning, match=r"3 of 2709 rows .* covariate\(s\) 'age' \(3 rows\).* 2706 rows"):
        fit = fit_wlsmv_conditional(Model(MIMIC), d, True)
    assert fit.nobs == 2706 and fit.n_dropped == 3
    same = fit_wlsmv_conditional(Model(MIMIC), d.dropna(subset=["age"]), True)
    assert np.array_equal(fit.theta, same.theta)


def test_nobs_reference_of_the_missing_covariate_case(bfi):
    ref = pd.read_csv(REF / "ordinal_conditional" / "bfi_mimic_educ_nobs.csv").set_index("what")["value"]
    with pytest.warns(MissingDataWarning, match=r"'education' \(223 rows\)"):
        fit = fit_wlsmv(Model(CASES["bfi_mimic_educ"]), bfi, True)
    assert fit.nobs == ref["nobs"] and fit.ntotal == ref["norig"]


@pytest.mark.parametrize("case,expr", [("bfi_mimic_eq", lambda v: v["l3"] - 1.1 * v["l2"]),
                                       ("bfi_mimic_ineq", lambda v: v["l2"] + 1.5)])
def test_explicit_constraints_with_covariates_match_lavaan(case, expr, bfi):
    # constraints with covariates were refused before; lavaan's augmented inverse as without covariates
    # (tests/reference/make_reference_ordinal_conditional_missing.R: an equality, an active bound)
    model = (REF / "ordinal_conditional" / f"{case}_model.lav").read_text(encoding="utf-8")
    with pytest.warns(MissingDataWarning):
        fit = egovsem.cfa(model, bfi, ordered=True, estimator="WLSMV")
    assert fit.converged
    ref = pd.read_csv(REF / "ordinal_conditional" / f"{case}_params.csv")
    con = ref["op"].isin(["==", "<", ">"])
    problems = compare_params(fit.params, ref[~con], columns=("est", "std.lv", "std.all", "std.nox"))
    problems += compare_series(fit.fit_measures,
                               pd.read_csv(REF / "ordinal_conditional" / f"{case}_fit.csv").set_index("measure")["value"])
    assert not problems, "\n".join(problems)
    # the constraint row: lhs - rhs at the estimates and at the standardised values, as lavaan shows it
    r = ref[con].iloc[0]
    lab = fit.params[fit.params["label"] != ""].drop_duplicates("label").set_index("label")
    for col in ("est", "std.all"):
        assert close(float(expr(lab[col])), float(r[col]), 1e-3), (col, expr(lab[col]), r[col])
    assert fit.npar == int(pd.read_csv(REF / "ordinal_conditional" / f"{case}_fit.csv")
                           .set_index("measure").loc["npar", "value"])
