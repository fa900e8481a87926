"""Ordinal invariance (Wu & Estabrook 2016) with exogenous observed covariates (lavaan's conditional.x; issue 11
of 12), against semTools::measEq.syntax + lavaan 0.6-14: every row of parameterEstimates() (est, se) and every
fitMeasures() value of each step (configural, thresholds, loadings, intercepts) and the lavTestLRT scaled
difference tests between consecutive steps, delta and theta, of the MIMIC A =~ A1 + ... + A5; A ~ age +
education on psych's bfi by gender (measEq.syntax's latent variance and mean rows become the residual variance
and intercept of A).

References: tests/reference/make_reference_invariance_ordinal_conditional.R.
"""
from __future__ import annotations

import warnings

import pandas as pd
import pytest
from _refcompare import DATA, compare_fit_case, read_ref
from egovsem._errors import EgovsemError
from egovsem.measure import invariance

SUB = "invariance_ordinal_conditional"
MODEL = "A =~ A1 + A2 + A3 + A4 + A5\nA ~ age + education"
STEPS = ("configural", "thresholds", "loadings", "intercepts")
_TABS: dict = {}
# theta refits the four steps (about 10 s): kept out of the default run
PARS = ["delta", pytest.param("theta", marks=pytest.mark.slow)]


def _tab(par: str):
    if par not in _TABS:
        d = pd.read_csv(DATA / "bfi.csv")[["A1", "A2", "A3", "A4", "A5", "age", "education", "gender"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # listwise deletion of the rows missing education or an item
            _TABS[par] = invariance(MODEL, d, "gender", ordered=[f"A{i}" for i in range(1, 6)],
                                    parameterization=par)
    return _TABS[par]


@pytest.mark.parametrize("par", PARS)
def test_each_step_matches_measEq_syntax_fit(par):
    tab = _tab(par)
    assert list(tab["step"]) == list(STEPS)
    problems = {s: compare_fit_case(tab.attrs["fits"][s], f"{par}_{s}", SUB) for s in STEPS}
    assert not any(problems.values()), problems


@pytest.mark.parametrize("par", PARS)
def test_scaled_difference_tests_match_lavTestLRT(par):
    tab = _tab(par).set_index("step")
    for r in read_ref(par, "lrt", SUB).itertuples():
        assert abs(tab.loc[r.step, "chisq_diff"] - r.chisq_diff) <= 1e-3 * max(1.0, r.chisq_diff)
        assert tab.loc[r.step, "df_diff"] == r.df_diff
        assert abs(tab.loc[r.step, "p_diff"] - r.pvalue) <= 1e-3


def test_bad_identification_is_named():
    from egovsem.sem.model import Model
    from egovsem.sem.wls_mg import fit_wlsmv_multigroup

    d = pd.read_csv(DATA / "bfi.csv")
    with pytest.raises(EgovsemError, match="'identification' parameter.*'wu.estabrook'"):
        fit_wlsmv_multigroup(Model(MODEL, group="gender"), d, True, group="gender", identification="wu.estabrook")
