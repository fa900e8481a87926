"""Blindfolding Q-squared (``fit.blindfolding``) against its closed form on small models.

seminr has no blindfolding, so the reference is the definition (Hair et al. 2017, ch. 6; module docstring of
egovsem.pls.blindfold) computed by hand here with numpy on models whose PLS solution has a closed form: constructs
measured by one indicator (weight 1, the score is the standardised item) and a composite of fixed unit weights
(the score is the standardised sum of the standardised items); the paths are then the regressions of the
standardised scores, the loadings the item-score correlations.

Interaction terms and higher-order constructs (two-stage approach, repeated indicators): each round re-estimates
the whole procedure on the round's data (egovsem.pls.blindfold). The references are the closed form on
single-item interactions, and otherwise the procedure written out by hand through the public API: per round, the
points omitted (an item and its repeated copy together), stage 1 fitted, its scores (or their product) put in
data columns, the stage-2 model written out with those columns as indicators, and the omitted values predicted
by the definition from that fit's scores, paths and loadings.
"""
from __future__ import annotations

import egovsem
import numpy as np
import pytest
from _pls_models import MOBI_HOC, mobi
from egovsem._errors import EgovsemError, EgovsemWarning, NotAvailableError


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


# -- interaction terms and higher-order constructs ---------------------------------------------------------------
def _by_hand(frame, blocks, fit_round, D=7):
    """Q2 by the definition: ``blocks`` {construct: [(indicator in the written-out model, its data column)]};
    ``fit_round(Xd)`` fits the procedure by hand on the round's data and returns the last stage's fit and data."""
    n = len(frame)
    out = {}
    for c, items in blocks.items():
        num = np.arange(n)[:, None] * len(items) + np.arange(len(items))[None, :]
        sse = sso = 0.0
        for d in range(D):
            om = num % D == d
            Xd = frame.copy()
            for j, (_, col) in enumerate(items):
                Xd.loc[om[:, j], col] = frame.loc[~om[:, j], col].mean()
            r, data = fit_round(Xd)
            p = r.params
            eta = sum(row.est * r.scores[row.rhs].to_numpy() for row in p[(p.op == "~") & (p.lhs == c)].itertuples())
            for j, (x, col) in enumerate(items):
                rows = om[:, j]
                v = data[x].to_numpy()
                mu, sd = v.mean(), v.std(ddof=1)
                pred = mu + sd * r.loadings.at[x, c] * eta[rows]
                y = frame[col].to_numpy()[rows]
                sse += np.sum((y - pred) ** 2)
                sso += np.sum((y - mu) ** 2)
        out[c] = (sso, sse, 1 - sse / sso)
    return out


def _assert_same(got, exp, tol=1e-9):
    assert list(got.index) == list(exp)
    for c, (sso, sse, q2) in exp.items():
        assert got.at[c, "SSO"] == pytest.approx(sso, rel=tol)
        assert got.at[c, "SSE"] == pytest.approx(sse, rel=tol)
        assert got.at[c, "q2"] == pytest.approx(q2, abs=tol)


def _items(*names):
    return [(x, x) for x in names]


@pytest.mark.parametrize("method", ["two_stage", "product_indicator", "orthogonal"])
def test_single_item_interaction_closed_form(data, method):
    """X and M of one item each: the interaction's indicator is the product of the standardised items (two-stage:
    of the stage-1 scores, the same), or its residual on the items (orthogonal); a single indicator's score is
    its standardised column, so the closed form of the unit-weight target applies with the product as a third
    predecessor."""
    fit = egovsem.pls("X =~ IMAG1\nM =~ CUEX1\nY <~ 1*CUSA1 + 1*CUSA2 + 1*CUSA3\nY ~ X + M + X:M", data,
                      interaction=method)
    a, m = data["IMAG1"].to_numpy(float), data["CUEX1"].to_numpy(float)
    prod = _z(a) * _z(m)
    if method == "orthogonal":
        A = np.column_stack([np.ones_like(a), a, m])
        prod = prod - A @ np.linalg.lstsq(A, prod, rcond=None)[0]
    got = fit.blindfolding(7)
    _assert_same(got, {"Y": _hand_q2(np.column_stack([a, m, prod]), data[["CUSA1", "CUSA2", "CUSA3"]].to_numpy(float),
                                     7)})


TSI_BASE = """
Image =~ IMAG1 + IMAG2 + IMAG3
Expectation =~ CUEX1 + CUEX2 + CUEX3
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Satisfaction ~ Image + Expectation
"""
TSI_STAGE2 = TSI_BASE.replace("Satisfaction ~ Image + Expectation", "IE =~ ie\nSatisfaction ~ Image + Expectation + IE")


def _tsi_round(Xd):
    s1 = egovsem.pls(TSI_BASE, Xd)
    d2 = Xd.assign(ie=s1.scores["Image"].to_numpy() * s1.scores["Expectation"].to_numpy())
    return egovsem.pls(TSI_STAGE2, d2), d2


def test_two_stage_interaction_by_hand(data):
    """Estimated weights (path weighting): stage 1 uses Satisfaction's items, so each round's product term comes
    from a stage 1 run on the round's data; blindfolding the stage-2 model with a fixed product column (made
    from all the data) gives another Q2."""
    frame = data.astype(float)
    fit = egovsem.pls(TSI_BASE.rstrip() + " + Image:Expectation\n", data)
    got = fit.blindfolding(7)
    exp = _by_hand(frame, {"Satisfaction": _items("CUSA1", "CUSA2", "CUSA3")}, _tsi_round)
    _assert_same(got, exp)
    fixed = egovsem.pls(TSI_STAGE2, _tsi_round(frame)[1]).blindfolding(7)
    assert abs(fixed.at["Satisfaction", "q2"] - got.at["Satisfaction", "q2"]) > 1e-5


HOC_MODEL = """
Image =~ IMAG1 + IMAG2 + IMAG3
Value =~ PERV1 + PERV2
H =~ Image + Value
Expectation =~ CUEX1 + CUEX2 + CUEX3
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Expectation ~ H
Loyalty ~ H + Expectation
"""
HOC_MEASURES = """
Expectation =~ CUEX1 + CUEX2 + CUEX3
Loyalty =~ CUSL1 + CUSL2 + CUSL3
"""
HOC_STAGE1 = """
Image =~ IMAG1 + IMAG2 + IMAG3
Value =~ PERV1 + PERV2
""" + HOC_MEASURES + "Expectation ~ Image + Value\nLoyalty ~ Image + Value + Expectation\n"
HOC_STAGE2 = "H =~ img + val\n" + HOC_MEASURES + "Expectation ~ H\nLoyalty ~ H + Expectation\n"


def _hoc_round(Xd):
    s1 = egovsem.pls(HOC_STAGE1, Xd)
    d2 = Xd.assign(img=s1.scores["Image"].to_numpy(), val=s1.scores["Value"].to_numpy())
    return egovsem.pls(HOC_STAGE2, d2), d2


def test_two_stage_higher_order_by_hand(data):
    """An exogenous higher-order construct: both stages re-run on each round's data; Q2 of the stage-2 model's
    endogenous constructs."""
    fit = egovsem.pls(HOC_MODEL, data)
    got = fit.blindfolding(7)
    exp = _by_hand(data.astype(float), {"Expectation": _items("CUEX1", "CUEX2", "CUEX3"),
                                        "Loyalty": _items("CUSL1", "CUSL2", "CUSL3")}, _hoc_round)
    _assert_same(got, exp)


RI_MODEL = """
Image =~ IMAG1 + IMAG2 + IMAG3
Value =~ PERV1 + PERV2
Satisfaction =~ Image + Value
Expectation =~ CUEX1 + CUEX2 + CUEX3
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Satisfaction ~ Expectation
Loyalty ~ Satisfaction
"""
RI_ITEMS = ["IMAG1", "IMAG2", "IMAG3", "PERV1", "PERV2"]
RI_WRITTEN = (RI_MODEL.replace("Satisfaction =~ Image + Value", "Satisfaction =~ " + " + ".join(f"{x}_rep" for x in RI_ITEMS))
              + "Image ~ Satisfaction\nValue ~ Satisfaction\n")


def _ri_round(Xd):
    d2 = Xd.assign(**{f"{x}_rep": Xd[x] for x in RI_ITEMS})
    return egovsem.pls(RI_WRITTEN, d2), d2


def test_repeated_indicators_by_hand(data):
    """Repeated indicators: an item and its copy under the higher-order construct are one data point, omitted
    together (for the dimensions and for the endogenous higher-order construct)."""
    fit = egovsem.pls(RI_MODEL, data, higher_order="repeated_indicators")
    got = fit.blindfolding(7)
    blocks = {"Image": _items("IMAG1", "IMAG2", "IMAG3"), "Value": _items("PERV1", "PERV2"),
              "Satisfaction": [(f"{x}_rep", x) for x in RI_ITEMS], "Loyalty": _items("CUSL1", "CUSL2", "CUSL3")}
    exp = _by_hand(data.astype(float), blocks, _ri_round)
    _assert_same(got.loc[list(blocks)], exp)
    assert sorted(got.index) == sorted(blocks)


def test_endogenous_two_stage_higher_order_refused(data):
    fit = egovsem.pls(MOBI_HOC, data)
    with pytest.raises(NotAvailableError, match="endogenous higher-order construct 'Satisfaction' \\(two-stage "
                                                "approach\\) is not available: its indicators are the stage-1 scores "
                                                "of Image, Value"):
        fit.blindfolding(7)
    # the same model by repeated indicators has data points to omit (D = 8: Satisfaction has 7 indicators)
    assert "Satisfaction" in egovsem.pls(MOBI_HOC, data, higher_order="repeated_indicators").blindfolding(8).index
