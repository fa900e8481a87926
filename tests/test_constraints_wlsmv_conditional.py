"""Explicit constraints (``==``, ``<``, ``>``, nonlinear ``==``) with WLSMV and exogenous observed covariates
(lavaan's conditional.x) in several groups and with ``parameterization="theta"`` against lavaan 0.6-14
(issue 11 of 12; egovsem.sem.wls_mg_conditional).

Reference: tests/reference/make_reference_constraints_wlsmv_conditional.R: data/hs_ordinal.csv with the
covariates ageyr and sex of data/HolzingerSwineford1939.csv by school, and psych's bfi (A1..A5 on age and
education) by gender and in one group (theta). Cases: equalities across groups and a proportion
(``a1 == a2``, ``b2 == 1.1*b1``), a nonlinear equality (``a2 == a1^2``, delta and theta), an active and an
inactive inequality in two groups and in one group (theta), an equality with group_equal. Every row of
parameterEstimates(remove.eq = FALSE, remove.ineq = FALSE) (est, se, std.lv, std.all, std.nox) and of
fitMeasures is matched, and npar / df. As without covariates (tests/test_constraints_wlsmv_mg.py) lavaan's
sandwich and the U of its scaled-shifted test use the augmented inverse of Delta' W Delta, and an active
bound gets no standard error (lavaan's 0 in the se column of parameterEstimates).
"""
from __future__ import annotations

import warnings
from pathlib import Path
from types import SimpleNamespace

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, close, compare_group_params, compare_series
from egovsem._errors import ModelSyntaxError
from egovsem.sem.constraints import constraint_rows

REF = Path(__file__).parent / "reference" / "constraints_wlsmv_conditional"
CASES = pd.read_csv(REF / "cases.csv", keep_default_na=False).set_index("case")
_HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
FRAMES = {"hs": pd.concat([pd.read_csv(DATA / "hs_ordinal.csv"), _HS[["ageyr", "sex", "school"]]], axis=1),
          "bfi": pd.read_csv(DATA / "bfi.csv")[["A1", "A2", "A3", "A4", "A5", "age", "education", "gender"]]}
ORDERED = {"hs": [f"x{i}" for i in range(1, 10)], "bfi": ["A1", "A2", "A3", "A4", "A5"]}
_FITS: dict[str, object] = {}


def _model(case: str) -> str:
    return (REF / f"{case}_model.lav").read_text(encoding="utf-8")


def _fit(case: str):
    if case not in _FITS:
        row = CASES.loc[case]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bfi: listwise deletion of the rows missing education
            _FITS[case] = egovsem.cfa(_model(case), FRAMES[row["data"]], ordered=ORDERED[row["data"]],
                                      estimator="WLSMV", group=row["group"] or None,
                                      parameterization=row["parameterization"],
                                      group_equal=[g for g in row["group_equal"].split(",") if g] or None)
    return _FITS[case]


def _rows(case: str) -> pd.DataFrame:
    """The parameter rows and lavaan's constraint rows (``lhs - rhs`` in est, group 0) of a fit."""
    fit = _fit(case)
    spec = egovsem.Model(_model(case), group=CASES.loc[case, "group"] or None).spec
    view = SimpleNamespace(spec=SimpleNamespace(constraints=spec.constraints, partable=fit.partable,
                                                defined=spec.defined), theta=fit.theta, params=fit.params)
    return pd.concat([fit.params, constraint_rows(view)], ignore_index=True)


@pytest.mark.parametrize("case", list(CASES.index))
def test_parameter_rows_match_lavaan(case):
    assert _fit(case).converged
    ours = _rows(case)
    ref = pd.read_csv(REF / f"{case}_params.csv")
    assert len(ours) == len(ref)
    problems = compare_group_params(ours, ref, columns=("est", "std.lv", "std.all", "std.nox"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES.index))
def test_fit_measures_npar_and_df_match_lavaan(case):
    fm = _fit(case).fit_measures
    bad = compare_series(fm, pd.read_csv(REF / f"{case}_fit.csv").set_index("measure")["value"])
    info = pd.read_csv(REF / f"{case}_info.csv").set_index("key")["value"]
    # npar: the free parameters less the rank of the equalities; an inequality changes neither npar nor df
    bad += [f"{k}: egovsem {fm[k]} lavaan {info['fit_' + k]}" for k in ("npar", "df")
            if int(fm[k]) != int(info["fit_" + k])]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("kw", [dict(group="school"), dict(parameterization="theta")])
def test_unknown_label_in_a_constraint_with_covariates_is_named(kw):
    model = "visual =~ x1 + a1*x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr\na1 == a3"
    if "group" in kw:
        model = model.replace("a1*x2", "c(a1, a2)*x2")
    with pytest.raises(ModelSyntaxError, match=r"line 4: the constraint 'a1 == a3' uses 'a3', which is not a label"):
        egovsem.cfa(model, FRAMES["hs"], ordered=ORDERED["hs"], estimator="WLSMV", **kw)


SCORED = ["hs_mg_eq", "hs_theta_mg_eq"]


@pytest.mark.parametrize("case", SCORED)
def test_score_tests_releasing_the_equalities_match_lavaan(case):
    from egovsem.sem.wls_mg import score_tests_wlsmv

    total, uni = score_tests_wlsmv(_fit(case))
    ref_t = pd.read_csv(REF / f"{case}_score_total.csv")
    assert int(total["df"].iloc[0]) == int(ref_t["df"].iloc[0])
    assert not compare_series(pd.Series({"X2": float(total["X2"].iloc[0])}), pd.Series({"X2": ref_t["X2"].iloc[0]}))
    ref_u = pd.read_csv(REF / f"{case}_score_uni.csv")
    assert list(zip(uni.lhs, uni.op, uni.rhs)) == list(zip(ref_u.lhs, ref_u.op, ref_u.rhs))
    bad = compare_series(pd.Series(uni["X2"].to_numpy(float)), pd.Series(ref_u["X2"].to_numpy(float)))
    assert not bad, bad


@pytest.mark.parametrize("case", ["hs_mg_nonlinear"])
def test_score_test_releasing_a_nonlinear_equality_matches_lavaan(case):
    """lavTestScore after the nonlinear equality a2 == a1^2 with covariates, by school (its Jacobian at the
    estimates; tests/reference/make_reference_constraints_wlsmv_conditional_mi.R)."""
    test_score_tests_releasing_the_equalities_match_lavaan(case)


MI_CASES = ["hs_mg_eq", "hs_mg_ineq", "hs_theta_ineq", "hs_theta_mg_eq"]
# The two inequality fits: lavaan's constrained optimiser (nlminb.constr) stops at a higher objective than
# egovsem's (fmin 0.05421337269 against 0.05421336982 for hs_mg_ineq, 0.108672035 against 0.1086720252 for
# hs_theta_ineq; the parameter rows agree within 1e-3, tests above), and the indices move at the 1e-3 level with
# the last digits of the estimates, the theta scale rows (~*~) most (x5 ~*~ x5 epc 6.6e-3 relative). Evaluating
# at lavaan's estimates does not help there: its a1 = 0.900000018 lies just off the bound a1 > 0.9, so the set of
# active inequalities differs. Hence 3e-3 (1e-2 for the scale rows) for these two cases; 1e-3 for the others.
MI_TOL = {"hs_mg_ineq": (3e-3, 1e-2), "hs_theta_ineq": (3e-3, 1e-2)}


@pytest.mark.parametrize("case", MI_CASES)
def test_modification_indices_after_constraints_with_covariates_match_lavaan(case):
    """modindices() on the null space of the equalities and the active inequalities, as lavaan: every row of
    lavaan's table (mi, epc, sepc.lv, sepc.all, sepc.nox) and no other row
    (tests/reference/make_reference_constraints_wlsmv_conditional_mi.R)."""
    ours = _fit(case).modindices()
    ref = pd.read_csv(REF / f"{case}_modindices.csv")
    if "group" not in ours:
        ours = ours.assign(group=1)
    key = ["lhs", "op", "rhs", "group"]
    assert sorted(map(tuple, ours[key].astype(str).to_numpy())) == sorted(map(tuple, ref[key].astype(str).to_numpy()))
    merged = ref.merge(ours, on=key, suffixes=("_lav", ""))
    tol, tol_scale = MI_TOL.get(case, (1e-3, 1e-3))
    bad = [(r.lhs, r.op, r.rhs, r.group, c, r[c], r[c + "_lav"]) for _, r in merged.iterrows()
           for c in ("mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")
           if not close(float(r[c]), float(r[c + "_lav"]), tol_scale if r.op == "~*~" else tol)]
    assert not bad, bad
