"""Multi-group WLSMV with exogenous covariates (lavaan's conditional.x with group=; egovsem.sem.wls_mg_conditional)
against lavaan 0.6-14 (tests/reference/make_reference_wlsmv_mg_conditional.R): every row of
parameterEstimates(fit, standardized = TRUE) (est, se, std.lv, std.all, std.nox), every fitMeasures(fit) row
and the free numbers of parTable(fit) of the MIMIC A =~ A1 + ... + A5; A ~ age + education on psych's bfi in
the two gender groups: configural, group_equal = thresholds + loadings, and the same with group_partial, in
the delta and theta parameterisations; scalar (+ intercepts) and + regressions, lv.variances, means (delta);
and a two-factor model (A ~ age; C ~ age + education) with equal thresholds and
loadings; every modindices() row of each. education is missing on 223 rows: lavaan deletes them (and the rows
with a missing item) listwise in each group (817 and 1676 rows analysed)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, close, se_close
from egovsem._errors import EmptyCategoryError, MissingDataWarning
from egovsem.sem.model import Model
from egovsem.sem.wls_mg import WLSMVMultiGroupResults, fit_wlsmv_multigroup

OUT = REF / "wlsmv_mg_conditional"
MIMIC = "A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + education"
EQUAL = {"configural": [], "equal": ["thresholds", "loadings"], "partial": ["thresholds", "loadings"],
         "scalar": ["thresholds", "loadings", "intercepts"],
         "regressions": ["thresholds", "loadings", "regressions", "lv.variances", "means"]}
PARTIAL = {"partial": ["A =~ A3", "A2 | t3"]}
CASES = [f"{p}_{e}" for p in ("delta", "theta") for e in ("configural", "equal", "partial")] + [
    "delta_scalar", "delta_regressions", "two_factor_equal"]
# two factors, each regressed on covariates (lv ~~ lv and regression candidates in modindices)
TWO = "A =~ A1 + A2 + A3 + A4 + A5\n C =~ C1 + C2 + C3 + C4 + C5\n A ~ age\n C ~ age + education"
COLS = ("est", "std.lv", "std.all", "std.nox")


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(DATA / "bfi.csv")


def _fit(bfi, case):
    if case == "two_factor_equal":
        with pytest.warns(MissingDataWarning, match="missing covariate"):
            return Model(TWO, estimator="WLSMV", ordered=True, group="gender",
                         group_equal=["thresholds", "loadings"]).fit(bfi)
    par, eq = case.split("_")
    with pytest.warns(MissingDataWarning, match=r"group gender=1: 102 of 919 rows \(rows 0, 4, 6, 11"):
        return Model(MIMIC, estimator="WLSMV", ordered=True, group="gender", group_equal=EQUAL[eq],
                     group_partial=PARTIAL.get(eq, []), parameterization=par).fit(bfi)


@pytest.fixture(scope="module", params=CASES)
def case(request, bfi):
    return request.param, _fit(bfi, request.param)


def test_fit_route_and_nobs(case):
    name, fit = case
    assert isinstance(fit, WLSMVMultiGroupResults) and fit.converged
    ref = pd.read_csv(OUT / f"{name}_nobs.csv")
    assert fit.nobs == ref["nobs"].tolist() and [str(g) for g in fit.group_labels] == ref["group"].astype(str).tolist()
    assert fit.n_dropped == 2800 - sum(fit.nobs)
    if name != "two_factor_equal":
        assert fit.nobs == [817, 1676]


def _assert_rows_match(got: pd.DataFrame, ref: pd.DataFrame) -> None:
    """lavaan's rows in lavaan's order, every one within the tolerances (est and std 1e-3, SEs 1e-2)."""
    assert list(zip(got.lhs, got.op, got.rhs, got.group)) == list(zip(ref.lhs, ref.op, ref.rhs, ref.group))
    bad = []
    for (_, g), (_, r) in zip(got.iterrows(), ref.iterrows()):
        key = (r["lhs"], r["op"], r["rhs"], r["group"])
        bad += [(key, c, g[c], r[c]) for c in COLS if not close(float(g[c]), float(r[c]), 1e-3)]
        if not se_close(float(g["se"]), float(r["se"])):
            bad.append((key, "se", g["se"], r["se"]))
    assert not bad, bad


def test_every_parameter_row_matches_lavaan(case):
    name, fit = case
    ref = pd.read_csv(OUT / f"{name}_params.csv").fillna({"rhs": ""})
    got = fit.params.assign(rhs=fit.params["rhs"].fillna(""))
    _assert_rows_match(got, ref)


def test_every_fit_measure_matches_lavaan(case):
    name, fit = case
    ref = pd.read_csv(OUT / f"{name}_fit.csv").set_index("measure")["value"]
    fm = fit.fit_measures
    assert not [k for k in ref.index if k not in fm.index]
    bad = [(k, float(fm[k]), w) for k, w in ref.items() if not close(float(fm[k]), float(w), 1e-3)]
    assert not bad, bad
    for k in ("chisq", "chisq.scaled", "df", "cfi.scaled", "rmsea.scaled", "srmr"):  # the brief's measures
        assert k in ref.index and not np.isnan(ref[k])


def test_free_parameters_as_lavaan_numbers_them(case):
    name, fit = case
    ref = pd.read_csv(OUT / f"{name}_partable.csv")
    ref = ref[ref["op"] != "=="]
    pt = fit.partable
    assert list(zip(pt.lhs, pt.op, pt.group)) == list(zip(ref.lhs, ref.op, ref.group))
    # rows lavaan constrains equal (.pX. == .pY.) share one parameter here; the free/fixed pattern is lavaan's
    assert ((pt["free"].to_numpy() > 0) == (ref["free"].to_numpy() > 0)).all()
    assert int(pt["free"].max()) == int(fit.fit_measures["npar"])


def test_summary_and_json(case):
    name, fit = case
    text = fit.summary()
    assert "Number of observations per group" in text and "Thresholds:" in text
    assert "Exogenous covariates (conditional.x): age, education" in text
    assert '"group_nobs"' in fit.to_json()


def test_direct_entry_point_and_group_none_dispatch(bfi):
    with pytest.warns(MissingDataWarning):
        fit = fit_wlsmv_multigroup(Model(MIMIC, group="gender"), bfi, True, group="gender")
    ref = pd.read_csv(OUT / "delta_configural_fit.csv").set_index("measure")["value"]
    assert close(float(fit.fit_measures["chisq.scaled"]), float(ref["chisq.scaled"]), 1e-3)


def test_a_category_one_group_never_uses(bfi):
    d = bfi.copy()
    # group 2 (gender = 2) never answers 6 on A1: lavaan 0.6-14 stops ("some categories ... are empty")
    d.loc[(d["gender"] == 2) & (d["A1"] == 6), "A1"] = 5
    empty = r"'A1'.*\[6(\.0)?\] are empty in group 2 \(gender=2\)"
    with pytest.warns(MissingDataWarning), pytest.raises(EmptyCategoryError, match=empty):
        Model(MIMIC, estimator="WLSMV", ordered=True, group="gender").fit(d)


def test_missing_covariate_in_one_group_only(bfi):
    d = bfi.dropna(subset=["A1", "A2", "A3", "A4", "A5", "education"]).reset_index(drop=True)
    rows = d.index[d["gender"] == 2][:3]
    d.loc[rows, "age"] = np.nan
    with pytest.warns(MissingDataWarning, match=rf"gender=2: 3 of \d+ rows \(rows {rows[0]}, {rows[1]}, "
                                                rf"{rows[2]}\); missing covariate\(s\) 'age' \(3\)") as rec:
        fit = Model(MIMIC, estimator="WLSMV", ordered=True, group="gender").fit(d)
    msgs = [str(w.message) for w in rec if issubclass(w.category, MissingDataWarning)]
    assert len(msgs) == 1 and "gender=1" not in msgs[0], [str(w.message) for w in rec]
    want = {1: int((d["gender"] == 1).sum()), 2: int((d["gender"] == 2).sum()) - 3}
    assert fit.nobs == [want[int(g)] for g in fit.group_labels]


def test_pairwise_with_covariates_in_groups_is_fitted_pairwise(bfi):
    # refused before; now lavaan's pairwise first stage in each group (lavaan reference in
    # tests/test_wlsmv_conditional_pairwise.py): only the rows with a missing covariate are deleted
    from egovsem.sem.wls_mg_conditional import fit_wlsmv_multigroup_conditional

    m = Model(MIMIC, group="gender").with_options(missing="pairwise")
    with pytest.warns(MissingDataWarning, match="group gender=1: 81 of 919 rows"):
        fit = fit_wlsmv_multigroup_conditional(m, bfi, True, group="gender")
    assert fit.nobs == [838, 1739]


MI_COLS = ("mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")
# theta configural, A2 ~*~ A2 in group 1: mi 0.63429 here, 0.63286 in lavaan (0.0014 apart; epc and the sepc
# match). The index of this scale row moves at the 1e-3 level with the last digits of the estimates: lavaan's
# optimiser stops at a gradient of 3.0e-7 (lavInspect(fit, "optim.gradient")), egovsem's at 1.6e-8, and at
# lavaan's own estimates egovsem gives 0.63241 (within 1e-3 of lavaan). test_modindices_at_lavaans_estimates
# checks every row of that case at lavaan's estimates at the full tolerance.
LESS_CONVERGED = {("theta_configural", "A2", "~*~", "A2", 1, "mi"): 2e-3}


def _mi_problems(mi: pd.DataFrame, ref: pd.DataFrame, name: str) -> list:
    mi = mi.assign(rhs=mi["rhs"].fillna(""))
    ref = ref.fillna({"rhs": ""})
    assert list(zip(mi.lhs, mi.op, mi.rhs, mi.group)) == list(zip(ref.lhs, ref.op, ref.rhs, ref.group))
    bad = []
    for (_, m), (_, r) in zip(mi.iterrows(), ref.iterrows()):
        for c in MI_COLS:
            tol = LESS_CONVERGED.get((name, r["lhs"], r["op"], r["rhs"], r["group"], c), 1e-3)
            if not close(float(m[c]), float(r[c]), tol):
                bad.append((r["lhs"], r["op"], r["rhs"], r["group"], c, float(m[c]), float(r[c])))
    return bad


def test_modindices_every_row_matches_lavaan(case):
    name, fit = case
    mi = fit.modindices()
    assert list(mi.columns) == ["lhs", "op", "rhs", "group", *MI_COLS]
    ref = pd.read_csv(OUT / f"{name}_mi.csv")
    bad = _mi_problems(mi, ref, name)
    assert not bad, bad
    top = fit.modindices(sort=True, minimum_value=5.0)
    assert (top["mi"] >= 5.0).all() and top["mi"].is_monotonic_decreasing


def test_modindices_at_lavaans_estimates(bfi):
    from egovsem.sem.modindices_conditional import conditional_modindices

    fit = _fit(bfi, "theta_configural")
    ref = pd.read_csv(OUT / "theta_configural_params.csv")
    theta = fit.theta.copy()
    free = fit.partable["free"].to_numpy()
    theta[free[free > 0] - 1] = ref["est"].to_numpy()[free > 0]
    st = fit.ordinal
    mi = conditional_modindices(fit.partable, theta, fit.params, st, items=list(st[0].names),
                                xs=list(st[0].xnames), lv=["A"], parameterization="theta", multi=True,
                                info_model=fit.info)
    bad = _mi_problems(mi, pd.read_csv(OUT / "theta_configural_mi.csv"), "")
    assert not bad, bad


def test_modindices_bad_arguments(case):
    _name, fit = case
    from egovsem._errors import EgovsemError

    with pytest.raises(EgovsemError, match="'minimum_value' parameter must be a number. Got 'x'"):
        fit.modindices(minimum_value="x")


def test_cli_fit_ordered_group_with_a_covariate(tmp_path, capsys):
    import json

    from egovsem.cli import main

    model = tmp_path / "mimic.lav"
    model.write_text(MIMIC + "\n")
    out = tmp_path / "out.json"
    rc = main(["fit", str(model), str(DATA / "bfi.csv"), "--ordered", "A1,A2,A3,A4,A5", "--group", "gender",
               "--group-equal", "thresholds,loadings", "--group-partial", "A =~ A3,A2 | t3", "--json", str(out)])
    assert rc == 0
    cap = capsys.readouterr()
    printed = cap.out
    assert "missing covariate(s) 'education' (81)" in cap.err  # the CLI prints the listwise warning
    assert "2 groups" in printed and "Number of observations per group" in printed
    ref = pd.read_csv(OUT / "delta_partial_fit.csv").set_index("measure")["value"]
    d = json.loads(out.read_text())
    assert d["group_nobs"] == [817, 1676] and d["estimator"] == "WLSMV"
    for k in ("chisq", "chisq.scaled", "df", "cfi.scaled", "rmsea.scaled", "srmr"):
        assert close(float(d["fit"][k]), float(ref[k]), 1e-3), k
    pref = pd.read_csv(OUT / "delta_partial_params.csv").fillna({"rhs": ""})
    got = {(p["lhs"], p["op"], p["rhs"] or "", p["group"]): p for p in d["params"]}
    assert len(got) == len(pref)
    for r in pref.itertuples():
        g = got[(r.lhs, r.op, r.rhs, r.group)]
        assert close(g["est"], r.est, 1e-3) and se_close(g["se"], r.se), (r.lhs, r.op, r.rhs, r.group)


def test_single_group_theta_parameterization(bfi):
    # one group, parameterization='theta' (Model.fit hands it to the multi-group code with G = 1): every row
    # of lavaan's parameterEstimates, fitMeasures and modindices (the same R script, case single_theta)
    d = bfi.dropna(subset=["A1", "A2", "A3", "A4", "A5", "age", "gender"])
    fit = Model("A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + gender", estimator="WLSMV", ordered=True,
                parameterization="theta").fit(d)
    assert fit.nobs == [2709] and fit.n_dropped == 0
    ref = pd.read_csv(OUT / "single_theta_params.csv").fillna({"rhs": ""})
    got = fit.params.assign(rhs=fit.params["rhs"].fillna(""))
    assert list(zip(got.lhs, got.op, got.rhs)) == list(zip(ref.lhs, ref.op, ref.rhs))
    bad = [(r["lhs"], r["op"], r["rhs"], c) for (_, g), (_, r) in zip(got.iterrows(), ref.iterrows())
           for c in COLS if not close(float(g[c]), float(r[c]), 1e-3)]
    bad += [(r["lhs"], r["op"], r["rhs"], "se") for (_, g), (_, r) in zip(got.iterrows(), ref.iterrows())
            if not se_close(float(g["se"]), float(r["se"]))]
    assert not bad, bad
    fref = pd.read_csv(OUT / "single_theta_fit.csv").set_index("measure")["value"]
    bad = [(k, float(fit.fit_measures[k]), w) for k, w in fref.items()
           if not close(float(fit.fit_measures[k]), float(w), 1e-3)]
    assert not bad, bad
    mi = fit.modindices()
    assert "group" not in mi.columns  # one group: lavaan's columns
    bad = _mi_problems(mi.assign(group=1), pd.read_csv(OUT / "single_theta_mi.csv"), "single_theta")
    assert not bad, bad


def test_wu_estabrook_identification_with_covariates_matches_lavaan(bfi):
    """Refused before: the thresholds step of the Wu-Estabrook sequence with the covariates, as
    semTools::measEq.syntax + lavaan (make_reference_invariance_ordinal_conditional.R; the whole sequence in
    tests/test_invariance_ordinal_conditional.py)."""
    from _refcompare import compare_group_params, compare_series

    sub = REF / "invariance_ordinal_conditional"
    with pytest.warns(MissingDataWarning):
        fit = fit_wlsmv_multigroup(Model(MIMIC, group="gender", std_lv=True), bfi, True, group="gender",
                                   group_equal=["thresholds"], identification="wu.estabrook.2016")
    problems = compare_group_params(fit.params, pd.read_csv(sub / "delta_thresholds_params.csv"), columns=("est",))
    ref = pd.read_csv(sub / "delta_thresholds_fit.csv").set_index("measure")["value"]
    problems += compare_series(fit.fit_measures, ref)
    assert not problems, problems


def test_scaled_difference_and_score_tests_match_lavaan(bfi):
    # lavTestLRT(configural, equal) and lavTestScore(equal) (ordinary score tests, as lavaan falls back to
    # after WLSMV with a warning), tests/reference/make_reference_wlsmv_mg_conditional.R
    from egovsem.sem.wls_mg import scaled_difference_test, score_tests_wlsmv

    f_eq, f_cfg = _fit(bfi, "delta_equal"), _fit(bfi, "delta_configural")
    lrt = pd.read_csv(OUT / "delta_lrt.csv").iloc[0]
    got = scaled_difference_test(f_eq, f_cfg)
    assert got["df_diff"] == lrt["df_diff"] and close(got["chisq_diff"], lrt["chisq_diff"], 1e-3)
    assert close(got["pvalue"], lrt["pvalue"], 1e-3)
    total, uni = score_tests_wlsmv(f_eq)
    ref_t = pd.read_csv(OUT / "delta_equal_score_total.csv").iloc[0]
    assert int(total["df"].iloc[0]) == ref_t["df"] and close(float(total["X2"].iloc[0]), ref_t["X2"], 1e-3)
    ref_u = pd.read_csv(OUT / "delta_equal_score_uni.csv")
    assert list(zip(uni.lhs, uni.rhs)) == list(zip(ref_u.lhs, ref_u.rhs))
    bad = [(r.lhs, r.rhs, g, r.X2) for g, r in zip(uni["X2"], ref_u.itertuples()) if not close(float(g), r.X2, 1e-3)]
    assert not bad, bad


def test_bad_group_arguments_with_covariates(bfi):
    from egovsem._errors import EgovsemError

    with pytest.raises(EgovsemError, match=r"group_equal=\['loadings'\] needs a grouping column"):
        fit_wlsmv_multigroup(Model(MIMIC), bfi, True, group_equal=["loadings"], parameterization="theta")
    with pytest.raises(EgovsemError, match="'group_equal' parameter: 'loading' is not one of"):
        fit_wlsmv_multigroup(Model(MIMIC, group="gender"), bfi, True, group="gender", group_equal=["loading"])
    with pytest.raises(EgovsemError, match=r"'group_partial' parameter: \['A=~A9'\]"):
        with pytest.warns(MissingDataWarning):
            fit_wlsmv_multigroup(Model(MIMIC, group="gender"), bfi, True, group="gender",
                                 group_equal=["loadings"], group_partial=["A =~ A9"])
    with pytest.raises(EgovsemError, match="group = 'sex': no such column|'sex'"):
        fit_wlsmv_multigroup(Model(MIMIC, group="sex"), bfi, True, group="sex")


@pytest.mark.parametrize("kw,model,ref", [
    (dict(group="gender"), "A =~ A1 + c(a1,a2)*A2 + A3 + A4 + A5\nA ~ age + education\na1 == a2",
     OUT / "explicit_eq"),
    (dict(parameterization="theta"), "A =~ A1 + a1*A2 + a2*A3 + A4 + A5\nA ~ age + education\na1 == a2",
     REF / "constraints_wlsmv_conditional" / "bfi_theta_eq"),
])
def test_explicit_constraints_with_covariates_in_groups_or_theta_match_lavaan(kw, model, ref):
    """Explicit constraints with covariates in several groups or theta (once refused; before that ignored
    silently: df 26, chisq 150.30 where lavaan's constrained model has df 27, chisq 150.694) are fitted by
    the constrained optimiser: every parameter row (the '==' rows left out, as in the reference) and every
    fit measure as lavaan's (make_reference_wlsmv_mg_conditional_labels.R, explicit_eq_*.csv;
    make_reference_constraints_wlsmv_conditional.R, bfi_theta_eq_*.csv, where the '==' row is dropped)."""
    import egovsem
    from egovsem.datasets import load

    d = load("bfi")[["A1", "A2", "A3", "A4", "A5", "age", "education", "gender"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.sem(model, d, ordered=["A1", "A2", "A3", "A4", "A5"], estimator="WLSMV", **kw)
    rp = pd.read_csv(f"{ref}_params.csv").fillna({"rhs": ""})
    rp = rp[rp["op"] != "=="].reset_index(drop=True)
    got = fit.params.assign(rhs=fit.params["rhs"].fillna(""))
    _assert_rows_match(got, rp)
    fref = pd.read_csv(f"{ref}_fit.csv").set_index("measure")["value"]
    bad = [(k, float(fit.fit_measures[k]), w) for k, w in fref.items()
           if not close(float(fit.fit_measures[k]), float(w), 1e-3)]
    assert not bad, bad
    assert int(fit.fit_measures["df"]) == int(fref["df"]) == (27 if "group" in kw else 14)


def test_the_same_equality_by_a_shared_label_matches_lavaan(bfi):
    """The constrained model written with a shared label (c(a, a)*A2): every parameter row and fit measure as
    lavaan's, which equal lavaan's explicit-constraint fit (make_reference_wlsmv_mg_conditional_labels.R)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = Model("A =~ A1 + c(a,a)*A2 + A3 + A4 + A5\nA ~ age + education", estimator="WLSMV",
                    ordered=["A1", "A2", "A3", "A4", "A5"], group="gender").fit(bfi)
    ref = pd.read_csv(OUT / "shared_label_params.csv").fillna({"rhs": ""})
    got = fit.params.assign(rhs=fit.params["rhs"].fillna(""))
    _assert_rows_match(got, ref)
    fm = fit.fit_measures
    for name in ("shared_label", "explicit_eq"):
        fref = pd.read_csv(OUT / f"{name}_fit.csv").set_index("measure")["value"]
        bad = [(k, float(fm[k]), w) for k, w in fref.items() if not close(float(fm[k]), float(w), 1e-3)]
        assert not bad, (name, bad)
