"""Engine properties checked against closed forms, simulations' known truth and semopy (where it is right)."""
from __future__ import annotations

import egovsem
import numpy as np
import pandas as pd
import pytest
from egovsem.datasets import load
from egovsem.sem.syntax import parse_syntax

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def test_syntax_features():
    st = parse_syntax("""
    # comment
    f =~ x1 + start(0.5)*x2 +
         NA*x3 ! another comment
    y ~ b1*f + 0*x4; y ~ 1
    ind := b1 ^ 2
    """)
    got = [(s.lhs, s.op, s.rhs, s.mod.label, s.mod.fixed, s.mod.free, s.mod.start) for s in st]
    assert got == [
        ("f", "=~", "x1", None, None, False, None),
        ("f", "=~", "x2", None, None, False, 0.5),
        ("f", "=~", "x3", None, None, True, None),
        ("y", "~", "f", "b1", None, False, None),
        ("y", "~", "x4", None, 0.0, False, None),
        ("y", "~1", "", None, None, False, None),
        ("ind", ":=", "b1 ^ 2", None, None, False, None),
    ]


def test_regression_equals_ols_closed_form():
    """A saturated observed-variable regression: ML slopes are the OLS slopes, residual variance SSE/N."""
    hs = load("HolzingerSwineford1939")
    fit = egovsem.sem("x4 ~ x1 + x2 + x3", hs)
    X = np.column_stack([np.ones(len(hs)), hs[["x1", "x2", "x3"]].to_numpy()])
    y = hs["x4"].to_numpy()
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    p = fit.params.set_index(["lhs", "op", "rhs"])
    for i, x in enumerate(["x1", "x2", "x3"], start=1):
        assert p.loc[("x4", "~", x), "est"] == pytest.approx(beta[i], abs=1e-8)
    sse = np.sum((y - X @ beta) ** 2)
    assert p.loc[("x4", "~~", "x4"), "est"] == pytest.approx(sse / len(y), rel=1e-8)
    assert fit.fit_measures["df"] == 0 and fit.fit_measures["chisq"] == pytest.approx(0, abs=1e-8)
    assert fit.r2["x4"] == pytest.approx(1 - sse / np.sum((y - y.mean()) ** 2), abs=1e-10)


def test_recovers_simulated_truth_and_chisq_is_calibrated():
    """Known truth: at N = 20000 the estimates are within .02 of the population values."""
    pop = "f =~ 0.8*y1 + 0.7*y2 + 0.6*y3 + 0.5*y4\ng =~ 0.7*y5 + 0.6*y6 + 0.8*y7\ng ~ 0.4*f"
    df = egovsem.simulate_data(pop, 20000, seed=7)
    fit = egovsem.sem("f =~ y1 + y2 + y3 + y4\ng =~ y5 + y6 + y7\ng ~ f", df)
    p = fit.params.set_index(["lhs", "op", "rhs"])
    truth = {("f", "=~", "y1"): .8, ("f", "=~", "y4"): .5, ("g", "=~", "y7"): .8, ("g", "~", "f"): .4}
    for k, v in truth.items():
        # sampling SE of a standardised loading or path at N = 20000 is about .005: .02 is 4 SEs
        assert abs(p.loc[k, "std.all"] - v) < 0.02, k
    assert fit.fit_measures["pvalue"] > 0.001


def test_simulate_same_seed_same_numbers():
    pop = "f =~ 0.8*y1 + 0.7*y2 + 0.6*y3"
    a = egovsem.simulate_data(pop, 100, seed=3)
    b = egovsem.simulate_data(pop, 100, seed=3)
    c = egovsem.simulate_data(pop, 100, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_semopy_agrees_on_complete_data_ml_estimates():
    """semopy's ML estimates agree with ours (and so with lavaan) once its tolerance is tight; its fit
    statistics are not used (see architecture.md)."""
    semopy = pytest.importorskip("semopy")
    hs = load("HolzingerSwineford1939")
    ours = egovsem.cfa(HS, hs).params
    m = semopy.Model(HS)
    m.fit(hs[[f"x{i}" for i in range(1, 10)]], obj="MLW", solver="SLSQP", options={"ftol": 1e-12, "maxiter": 10000})
    ins = m.inspect()
    for _, r in ins.iterrows():
        if r["op"] == "~" and r["rval"] in ("visual", "textual", "speed"):
            mine = ours[(ours.lhs == r["rval"]) & (ours.op == "=~") & (ours.rhs == r["lval"])]["est"].iloc[0]
            assert abs(float(r["Estimate"]) - mine) < 1e-3


def test_results_displays():
    fit = egovsem.cfa(HS, load("HolzingerSwineford1939"))
    text = fit.summary()
    assert "Latent Variables:" in text and "visual =~" in text and "85.306" in text
    html = fit._repr_html_()
    assert "<table" in html and "0.931" in html
    assert "chisq = 85.306" in repr(fit)
