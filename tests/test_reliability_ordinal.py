"""Ordinal reliability of a WLSMV fit against semTools 0.5-6's compRelSEM (lavaan 0.6-14): Green & Yang's (2009)
categorical omega, omega of the latent responses, ordinal alpha (the polychoric matrix) and alpha of the item
codes (tests/reference/make_reference_reliability_ordinal.R; psych's bfi, complete rows)."""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import REF
from egovsem._errors import EgovsemError
from egovsem.datasets import load
from egovsem.measure import ave, composite_reliability

OUT = REF / "reliability_ordinal"
COLUMNS = {"omega": {}, "omega_implied": {"obs_var": False}, "omega_latent": {"ord_scale": False},
           "alpha_ordinal": {"tau_eq": True, "ord_scale": False}, "alpha_raw": {"tau_eq": True}}


def _fit(case: str):
    model = (OUT / f"{case}.lav").read_text()
    bfi = load("bfi")
    items = [v for v in bfi.columns if v in model.replace("+", " ").split()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "ordered= is given: the estimator is WLSMV"
        return egovsem.cfa(model, bfi[items].dropna(), ordered=True)


@pytest.fixture(scope="module", params=["ac", "ac_pos"])
def case(request):
    return request.param, _fit(request.param), pd.read_csv(OUT / f"{request.param}.csv")


@pytest.mark.parametrize("column", list(COLUMNS))
def test_matches_comprelsem(case, column):
    name, fit, ref = case
    assert fit.nobs == int(ref["nobs"].iloc[0])
    out = composite_reliability(fit, **COLUMNS[column])
    assert list(out["construct"]) == list(ref["construct"])
    assert list(out["n_items"]) == list(ref["n_items"])
    np.testing.assert_allclose(out["omega"].to_numpy(), ref[column].to_numpy(), rtol=0, atol=1e-3,
                               err_msg=f"{name}: {column}")


def test_categorical_omega_differs_from_the_latent_response_omega(case):
    # Green & Yang's omega is about the sum of the codes, so it is below the latent-response omega here
    _, fit, _ = case
    cat = composite_reliability(fit)["omega"].to_numpy()
    lat = composite_reliability(fit, ord_scale=False)["omega"].to_numpy()
    assert np.all(cat < lat)


def test_ave_of_an_ordinal_fit_is_refused_with_a_pointer():
    fit = _fit("ac_pos")
    with pytest.raises(EgovsemError, match="composite_reliability"):
        ave(fit)
