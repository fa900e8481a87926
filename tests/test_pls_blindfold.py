"""Blindfolding Q-squared (``fit.blindfolding``) against its closed form on small models.

seminr has no blindfolding, so the reference is the definition (Hair et al. 2017, ch. 6; module docstring of
egovsem.pls.blindfold) computed by hand here with numpy on models whose PLS solution has a closed form: constructs
measured by one indicator (weight 1, the score is the standardised item) and a composite of fixed unit weights
(the score is the standardised sum of the standardised items); the paths are then the regressions of the
standardised scores, the loadings the item-score correlations.
"""
from __future__ import annotations

import egovsem
import numpy as np
import pytest
from _pls_models import mobi
from egovsem._errors import EgovsemError, EgovsemWarning


def _z(v):
    return (v - v.mean()) / v.std(ddof=1)


def _hand_q2(X, y_items, D):
    """Q2 of the target measured by the columns ``y_items`` (unit weights) predicted by the single-item
    predecessors ``X`` (n x m), by the definition."""
    n, k = y_items.shape
    num = np.arange(n)[:, None] * k + np.arange(k)[None, :]
    Zx = np.column_stack([_z(X[:, i]) for i in range(X.shape[1])])
    sse = sso = 0.0
    for d in range(D):
        om = num % D == d
        Y = y_items.astype(float).copy()
        for j in range(k):
            Y[om[:, j], j] = y_items[~om[:, j], j].mean()
        s = _z(sum(_z(Y[:, j]) for j in range(k)))
        Rxx = np.corrcoef(Zx, rowvar=False).reshape(X.shape[1], X.shape[1])
        rxy = np.array([np.corrcoef(Zx[:, i], s)[0, 1] for i in range(X.shape[1])])
        b = np.linalg.solve(Rxx, rxy)
        eta = Zx @ b
        for j in range(k):
            lam = np.corrcoef(Y[:, j], s)[0, 1]
            rows = om[:, j]
            pred = Y[:, j].mean() + Y[:, j].std(ddof=1) * lam * eta[rows]
            sse += np.sum((y_items[rows, j] - pred) ** 2)
            sso += np.sum((y_items[rows, j] - Y[:, j].mean()) ** 2)
    return sso, sse, 1 - sse / sso


@pytest.fixture(scope="module")
def data():
    return mobi()


def test_single_indicators(data):
    fit = egovsem.pls("X =~ IMAG1\nY =~ CUSA1\nY ~ X", data)
    got = fit.blindfolding(7)
    sso, sse, q2 = _hand_q2(data[["IMAG1"]].to_numpy(float), data[["CUSA1"]].to_numpy(float), 7)
    assert list(got.index) == ["Y"]
    assert got.at["Y", "SSO"] == pytest.approx(sso, rel=1e-10)
    assert got.at["Y", "SSE"] == pytest.approx(sse, rel=1e-10)
    assert got.at["Y", "q2"] == pytest.approx(q2, abs=1e-10)


@pytest.mark.parametrize("D", [6, 7, 9])
def test_unit_weight_composite_two_predecessors(data, D):
    fit = egovsem.pls("X1 =~ IMAG1\nX2 =~ PERV1\nY <~ 1*CUSA1 + 1*CUSA2 + 1*CUSA3\nY ~ X1 + X2", data)
    got = fit.blindfolding(D)
    sso, sse, q2 = _hand_q2(data[["IMAG1", "PERV1"]].to_numpy(float), data[["CUSA1", "CUSA2", "CUSA3"]].to_numpy(float),
                            D)
    assert got.at["Y", "SSO"] == pytest.approx(sso, rel=1e-9)
    assert got.at["Y", "SSE"] == pytest.approx(sse, rel=1e-9)
    assert got.at["Y", "q2"] == pytest.approx(q2, abs=1e-9)


def test_bad_distance_and_warning(data):
    fit = egovsem.pls("X =~ IMAG1\nY =~ CUSA1\nY ~ X", data)
    with pytest.raises(EgovsemError, match="'omission_distance' parameter must be an integer from 2 to N - 1 = 249"):
        fit.blindfolding(1)
    with pytest.warns(EgovsemWarning, match="divides the number of observations"):
        fit.blindfolding(5)  # N = 250
