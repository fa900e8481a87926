"""IPMA (issue 15; Ringle & Sarstedt 2016). seminr 2.3.1 has no IPMA and so no fixture: every step is
recomputed here independently from the data, the published PLS weights and the definitions (0-100 rescaled
indicators, normalised unstandardised weights, OLS paths on the rescaled scores, total effects)."""
from __future__ import annotations

import egovsem
import numpy as np
import pandas as pd
import pytest
from _pls_models import MOBI4, mobi

MEDIATION = MOBI4 + "Value ~ Image + Expectation\n"


@pytest.fixture(scope="module")
def data():
    return mobi()


@pytest.fixture(scope="module")
def fit(data):
    return egovsem.pls(MEDIATION, data)


def _by_hand(fit, data, lo, hi):
    spec = fit.spec
    scores = {}
    wn = {}
    for c in spec.constructs:
        xs = list(spec.blocks[c])
        a, b = (v[xs] if isinstance(v, pd.Series) else v for v in (lo, hi))
        rescaled = 100 * (data[xs] - a) / (b - a)
        w = fit.weights.loc[xs, c] / rescaled.std(ddof=1)  # unstandardised weights of the rescaled data
        w = w / w.sum()
        wn[c] = w
        scores[c] = rescaled @ w
    S = pd.DataFrame(scores)
    # OLS with intercept on the rescaled scores
    b = {}
    for y, preds in (("Value", ["Image", "Expectation"]), ("Satisfaction", ["Image", "Expectation", "Value"])):
        A = np.column_stack([np.ones(len(S)), S[preds]])
        b[y] = dict(zip(preds, np.linalg.lstsq(A, S[y], rcond=None)[0][1:]))
    total = {"Value": b["Satisfaction"]["Value"],
             "Image": b["Satisfaction"]["Image"] + b["Value"]["Image"] * b["Satisfaction"]["Value"],
             "Expectation": b["Satisfaction"]["Expectation"]
             + b["Value"]["Expectation"] * b["Satisfaction"]["Value"]}
    return S, total, wn


def test_constructs_against_the_definitions(fit, data):
    m = fit.ipma("Satisfaction", scale_min=1, scale_max=10)
    S, total, _ = _by_hand(fit, data, 1, 10)
    assert m["rhs"].tolist() == ["Image", "Expectation", "Value"] and set(m["lhs"]) == {"Satisfaction"}
    for r in m.itertuples():
        assert r.importance == pytest.approx(total[r.rhs], abs=1e-10)
        assert r.performance == pytest.approx(S[r.rhs].mean(), abs=1e-10)
    assert m.attrs["target_performance"] == pytest.approx(S["Satisfaction"].mean(), abs=1e-10)
    assert ((m["performance"] > 0) & (m["performance"] < 100)).all()


def test_indicators_and_observed_bounds(fit, data):
    m = fit.ipma("Satisfaction", level="indicators")
    xs = list(fit.spec.indicators)
    lo, hi = data[xs].min(), data[xs].max()
    S, total, wn = _by_hand(fit, data, lo, hi)
    assert len(m) == 5 + 3 + 2 and set(m["op"]) == {"<~"}
    for r in m.itertuples():
        assert r.importance == pytest.approx(wn[r.lhs][r.rhs] * total[r.lhs], abs=1e-10)
        assert r.performance == pytest.approx((100 * (data[r.rhs] - lo[r.rhs]) / (hi[r.rhs] - lo[r.rhs])).mean(),
                                              abs=1e-10)
    # the indicator importances of a construct add up to its importance (the weights sum to 1)
    c = fit.ipma("Satisfaction")
    assert m.groupby("lhs")["importance"].sum()["Image"] == pytest.approx(
        c.set_index("rhs").loc["Image", "importance"], abs=1e-12)


def test_bounds_by_indicator_and_a_nearer_target(fit, data):
    m = fit.ipma("Value", scale_min={"IMAG1": 0}, scale_max=10)
    assert m["rhs"].tolist() == ["Image", "Expectation"]


@pytest.mark.parametrize("kwargs, err, message", [
    ({"target": "Image"}, egovsem.EgovsemError, "has no predecessors"),
    ({"target": "Loyalty"}, egovsem.EgovsemError, "The 'target' parameter must be a construct of the model"),
    ({"target": "Value", "level": "items"}, egovsem.EgovsemError, "The 'level' parameter must be one of"),
    ({"target": "Value", "scale_min": 5}, egovsem.DataError, "have values outside scale_min / scale_max"),
    ({"target": "Value", "scale_min": 10, "scale_max": 10}, egovsem.DataError, "the maximum must exceed"),
    ({"target": "Value", "scale_min": {"X9": 1}}, egovsem.EgovsemError, "names ['X9'], which are not indicators"),
    ({"target": "Value", "scale_max": "10"}, egovsem.EgovsemError, "The 'scale_max' parameter must be a number"),
])
def test_bad_input(fit, kwargs, err, message):
    with pytest.raises(err) as exc:
        fit.ipma(**kwargs)
    assert message in str(exc.value)


def test_plsc_is_refused(data):
    with pytest.raises(egovsem.NotAvailableError, match="IPMA is available for PLS fits without PLSc"):
        egovsem.pls(MOBI4, data, consistent=True).ipma("Satisfaction")
