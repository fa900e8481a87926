"""``std_ov=True`` with ordered indicators (WLSMV) against lavaan 0.6-14 (issue 11).

lavaan standardises only the continuous observed variables (continuous indicators, exogenous covariates), in
each group, on the analysed rows; the ordered items keep their categories, so with every indicator ordered and
no covariate ``std_ov`` changes nothing. lavaan's values were written by
tests/reference/make_reference_std_ov_wlsmv.R (committed beside its output in tests/reference/std_ov_wlsmv/).
"""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, compare_group_params, compare_series, read_kv, read_ref
from egovsem._errors import EgovsemError

SUB = "std_ov_wlsmv"
HSO = pd.read_csv(DATA / "hs_ordinal.csv")
BFI = pd.read_csv(DATA / "bfi.csv")
D = BFI.dropna(subset=[f"A{i}" for i in range(1, 6)] + ["age", "gender"])
HS3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
A5 = "A =~ A1 + A2 + A3 + A4 + A5"
MIXED = ["A1", "A2", "A3"]
CASES = {
    "hs_all_ordered": (HS3, HSO, dict(ordered=True)),
    "bfi_mimic": (A5 + "\nA ~ age + gender", D, dict(ordered=True)),
    "bfi_mixed": (A5, D, dict(ordered=MIXED)),
    "bfi_mixed_groups": (A5, D, dict(ordered=MIXED, group="gender")),
    "bfi_mixed_pairwise": (A5, BFI, dict(ordered=MIXED, missing="pairwise")),
}


def _fit(model, data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return egovsem.cfa(model, data, **kw)


@pytest.mark.parametrize("case", list(CASES))
def test_every_lavaan_row_and_fit_measure(case):
    model, data, kw = CASES[case]
    fit = _fit(model, data, std_ov=True, **kw)
    ref = read_ref(case, "params", SUB)
    ours = fit.params.copy()
    if "group" not in ours:
        ours["group"] = 1
    assert compare_group_params(ours, ref) == []
    fm = read_kv(case, "fit", SUB).astype(float)
    assert compare_series(fit.fit_measures, fm) == []


def test_all_ordered_without_covariates_is_a_no_op():
    a = _fit(HS3, HSO, ordered=True, std_ov=True)
    b = _fit(HS3, HSO, ordered=True)
    pd.testing.assert_frame_equal(a.params, b.params)


def test_only_the_continuous_columns_are_standardised():
    """The ordered items keep their categories; the continuous ones become z-scores (divisor N - 1)."""
    from egovsem.sem.model import Model
    from egovsem.sem.wls import standardize_continuous

    m = Model(A5 + "\nA ~ age", estimator="WLSMV", ordered=MIXED)
    out = standardize_continuous(m.spec, D, MIXED)
    pd.testing.assert_frame_equal(out[MIXED], D[MIXED])
    for c in ("A4", "A5", "age"):
        assert out[c].mean() == pytest.approx(0, abs=1e-12)
        assert out[c].std(ddof=1) == pytest.approx(1, abs=1e-12)
    pd.testing.assert_series_equal(out["gender"], D["gender"])  # not a model variable


def test_bad_input_is_named():
    with pytest.raises(EgovsemError, match="The 'std_ov' parameter must be True or False. Got 'yes' instead"):
        egovsem.cfa(A5, D, ordered=MIXED, std_ov="yes")
    with pytest.raises(EgovsemError, match="'ordered' parameter names column\\(s\\) \\['A9'\\]"):
        egovsem.cfa(A5, D, ordered=["A1", "A9"], std_ov=True)
    assert np.isfinite(_fit(A5, D, ordered=MIXED, std_ov=True).fit_measures["chisq"])
