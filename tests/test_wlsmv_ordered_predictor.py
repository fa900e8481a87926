"""WLSMV with an ordered variable as a predictor and no exogenous covariate (``x6 ~ x1`` with x1 ordered), against
lavaan 0.6-14 (issue 11 of 12: egovsem refused it; tests/reference/make_reference_wlsmv_ordered_predictor.R).

lavaan makes such a variable a "dummy" latent of its LISREL form; in the delta parameterisation its residual
variance, as every ordered item's, is set by the delta rule (1 less the explained variance with every ordered
residual variance 0), and lavaan's Delta (``computeDelta``) holds these derived variances fixed. Its estimates
therefore solve ``Delta' W (s - sigma) = 0`` with that Delta, not the minimum of the DWLS function (there
chisq 51.0525, the theta fit's, against lavaan's 51.0536 in hs_x6x1), and its SEs and scaled test use the same
Delta. egovsem does both (egovsem.sem.wls.solve_lavaan_delta). The theta parameterisation has no derived
variances (the model is the minimum; hs_x6x1_theta: chisq 51.0525).

Cases: data/hs_ordinal.csv's three-factor model with x6 ~ x1 (also with an explicit ==) or visual ~ x4, one group
and by school; psych's bfi A1-A3 and C1-C3 with A1 predicting C1 or the factor consc (also by gender), A1-A5 with
A5 ~ A1 or a factor on A2; delta and theta. lavaan 0.6-14 does not converge in
the delta parameterisation for a factor regressed on an ordered indicator and for hs_x6x1 by school
(nonconverged.csv): no reference there, and egovsem's fit of those cases is only checked to run.

Every parameterEstimates row (est, se, std.lv, std.all, std.nox), every fitMeasures row and every modindices() row
are matched (tests/_refcompare.py tolerances), and lavTestScore() of an explicit equality, delta and theta.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, close, compare_modindices_case, compare_params_fit_case, compare_score_tests
from egovsem.sem.score_test import score_tests

REF = Path(__file__).parent / "reference" / "wlsmv_ordered_predictor"
CASES = pd.read_csv(REF / "cases.csv", keep_default_na=False).set_index("case")
NONCONV = pd.read_csv(REF / "nonconverged.csv", keep_default_na=False).set_index("case")
_HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
_BFI = pd.read_csv(DATA / "bfi.csv")[["A1", "A2", "A3", "C1", "C2", "C3", "gender"]].dropna()
FRAMES = {"hs": pd.read_csv(DATA / "hs_ordinal.csv").assign(school=_HS.school), "bfi": _BFI,
          "bfi5": pd.read_csv(DATA / "bfi.csv")[["A1", "A2", "A3", "A4", "A5"]].dropna()}
_FITS: dict[str, object] = {}


def _fit(case: str):
    if case not in _FITS:
        row = CASES.loc[case]
        _FITS[case] = egovsem.sem(row["model"].replace("; ", "\n"), FRAMES[row["data"]],
                                  ordered=row["ordered"].split(","), estimator="WLSMV", group=row["group"] or None,
                                  parameterization=row["parameterization"])
    return _FITS[case]


@pytest.mark.parametrize("case", list(CASES.index))
def test_every_parameter_row_and_fit_measure_matches_lavaan(case):
    problems = compare_params_fit_case(_fit(case), REF, case)
    assert not problems, "\n".join(problems)


# hs_school_visx4_theta, group 1 (Pasteur): the mi of x4 ~~ x5, x4 ~~ x6 and x5 ~~ x6 (the ordered predictor x4's
# residual covariances with the other textual items) are 0.34233, 1.23634, 2.69047 against lavaan's 0.34092,
# 1.23444, 2.68561 (4.1e-3, 1.5e-3, 1.8e-3 relative; their epc and every other row at 1e-3). lavaan's nlminb stops
# there up to 3.2e-4 from egovsem's estimates (textual ~~ textual 2.13042 vs 2.13010; chisq equal to 1e-7) and
# these scores follow the stopping point: lavaan restarted from its estimates with rel.tol = 1e-14 gives 0.342,
# 1.236, 2.688, with start = fit and rel.tol = 1e-13 0.342, 1.238, 2.658 (make_reference_wlsmv_ordered_predictor.R
# writes the default fit). Checked at 5e-3
MI_LOOSE = {"hs_school_visx4_theta": ({("~~", "x4", "x5", 1), ("~~", "x4", "x6", 1), ("~~", "x5", "x6", 1)}, 5e-3)}


@pytest.mark.parametrize("case", list(CASES.index))
def test_every_modindices_row_matches_lavaan(case):
    fit = _fit(case)
    problems = compare_modindices_case(fit, REF, case)
    if case in MI_LOOSE:
        rows, tol = MI_LOOSE[case]
        ref = pd.read_csv(REF / f"{case}_mi.csv")
        ours = fit.modindices()
        for op, lhs, rhs, g in rows:
            sel = (ref["lhs"] == lhs) & (ref["op"] == op) & (ref["rhs"] == rhs) & (ref["group"] == g)
            mine = (ours["lhs"] == lhs) & (ours["op"] == op) & (ours["rhs"] == rhs) & (ours["group"] == g)
            assert close(float(ours.loc[mine, "mi"].iloc[0]), float(ref.loc[sel, "mi"].iloc[0]), tol)
        problems = [p for p in problems if not any(p.startswith(f"{r} mi:") for r in rows)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(NONCONV.index))
def test_a_case_lavaan_does_not_converge_in_is_fitted(case):
    """Not refused: lavaan accepts the model (and stops without convergence, so there is nothing to compare)."""
    row = NONCONV.loc[case]
    data = case.split("_")[0]  # hs, bfi, bfi5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.sem(row["model"].replace("; ", "\n"), FRAMES[data], ordered=True, estimator="WLSMV",
                          group="school" if "school" in case else None, parameterization=row["parameterization"])
    assert fit.fit_measures["df"] > 0


@pytest.mark.parametrize("par", ["delta", "theta"])
def test_score_test_of_an_equality_matches_lavTestScore(par):
    """lavTestScore() of hs_x6x1_eq's l5 == l6 (delta: X2 0.10721 with lavaan's Delta at its estimates; theta
    0.01861)."""
    fit = egovsem.sem(CASES.loc["hs_x6x1_eq", "model"].replace("; ", "\n"), FRAMES["hs"], ordered=True,
                      estimator="WLSMV", parameterization=par)
    total, uni = score_tests(fit)
    problems = compare_score_tests(total, uni, pd.read_csv(REF / f"score_eq_{par}_test.csv"),
                                   pd.read_csv(REF / f"score_eq_{par}_uni.csv"))
    assert not problems, "\n".join(problems)
