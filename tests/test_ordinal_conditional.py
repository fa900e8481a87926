"""The first stage of WLSMV with exogenous covariates (lavaan's conditional.x; egovsem.sem.ordinal_conditional)
against lavaan 0.6-14 (tests/reference/make_reference_ordinal_conditional.R): lavInspect(fit, "wls.obs") (the
thresholds and slopes of each item's probit regression on age and gender, the residual polychorics) and every
entry of lavInspect(fit, "gamma"), on psych's bfi (five agreeableness items, complete rows)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF
from egovsem._errors import DataError
from egovsem.sem.ordinal_conditional import conditional_ordinal_stats

ITEMS = [f"A{i}" for i in range(1, 6)]
COVS = ["age", "gender"]


@pytest.fixture(scope="module")
def stats():
    d = pd.read_csv(DATA / "bfi.csv").dropna(subset=ITEMS + COVS)
    return conditional_ordinal_stats(d[ITEMS].to_numpy(), d[COVS].to_numpy(), ITEMS, COVS)


def test_wls_obs_matches_lavaan(stats):
    ref = pd.read_csv(REF / "ordinal_conditional" / "bfi_mimic_wlsobs.csv")
    assert list(stats.wls_names) == ref["name"].tolist()
    np.testing.assert_allclose(stats.wls_obs, ref["value"].to_numpy(float), atol=1e-6)


def test_gamma_matches_lavaan(stats):
    g = pd.read_csv(REF / "ordinal_conditional" / "bfi_mimic_gamma.csv").to_numpy(float)
    np.testing.assert_allclose(stats.gamma, g, rtol=1e-4, atol=1e-6 * np.abs(g).max())


def test_bad_inputs_are_named():
    Y = np.array([[1, 2], [2, 1], [1, 1], [2, 2]])
    with pytest.raises(DataError, match=r"'age'.*row index 1"):
        conditional_ordinal_stats(Y, np.array([[1.0], [np.nan], [2.0], [3.0]]), ["a", "b"], ["age"])
    with pytest.raises(DataError, match="same rows"):
        conditional_ordinal_stats(Y, np.ones((3, 1)), ["a", "b"], ["age"])
    with pytest.raises(DataError, match="only one category"):
        conditional_ordinal_stats(np.array([[1, 2], [1, 1], [1, 1], [1, 2]]), np.arange(4.0)[:, None], ["a", "b"],
                                  ["age"])
