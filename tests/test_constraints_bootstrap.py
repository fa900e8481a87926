"""Explicit constraints (``==``, ``<``, ``>``) and ``missing="pairwise"`` with ``se="bootstrap"``
(egovsem.sem.bootstrap_refit: each resample refitted from its own moments).

lavaan 0.6-14 refits every resample with the constraints, or from its pairwise moments
(tests/reference/make_reference_constraints_bootstrap.R, B = 1000). lavaan draws with R's generator and
egovsem with numpy's, so the SEs are compared within Monte Carlo error (the slow test; the Monte Carlo SE of a
bootstrap SE at B = 1000 is about 2.2%, of the difference of two about 3.2%: 15% as in tests/test_bootstrap.py
for free parameters). The fast tests check what holds exactly: every draw satisfies the constraints, the
estimates are the fit's, the same seed gives the same draws whatever n_jobs.
"""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, row_key
from egovsem._errors import NotAvailableError
from egovsem.sem.bootstrap import bootstrap

SUB = REF / "constraints_bootstrap"
HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
EQ = (SUB / "eq_model.lav").read_text(encoding="utf-8")
INEQ = (SUB / "ineq_model.lav").read_text(encoding="utf-8")


def _quiet(f, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*a, **kw)


def _col(fit, lhs, rhs):
    p = fit.partable
    return int(p.loc[(p["lhs"] == lhs) & (p["op"] == "=~") & (p["rhs"] == rhs), "free"].iloc[0]) - 1


def test_every_draw_satisfies_the_equalities():
    fit = _quiet(egovsem.cfa, EQ, HS, se="bootstrap", bootstrap=40, seed=7)
    plain = egovsem.cfa(EQ, HS)
    np.testing.assert_allclose(fit.params["est"], plain.params["est"])
    assert fit.bootstrap_info["B"] == 40 and fit.bootstrap_info["successful"] + fit.bootstrap_info["failed"] == 40
    th = fit._boot["theta"][fit._boot["ok"]]
    a, b, c, c2 = (_col(fit, "visual", "x2"), _col(fit, "visual", "x3"), _col(fit, "textual", "x5"),
                   _col(fit, "textual", "x6"))
    assert np.allclose(th[:, a], th[:, b], atol=1e-8) and np.allclose(th[:, c2], 1.1 * th[:, c], atol=1e-8)
    assert th[:, a].std() > 0.01  # the draws do vary
    row = fit.params[(fit.params["lhs"] == "visual") & (fit.params["rhs"] == "x2")].iloc[0]
    assert row["se"] == pytest.approx(th[:, a].std(), rel=1e-12)  # divisor B, as lavaan
    assert row["ci.lower"] < row["est"] < row["ci.upper"]
    assert "Bootstrap: 40 resamples" in fit.summary()


def test_inequalities_hold_in_every_draw_and_draws_do_not_depend_on_n_jobs():
    fit = egovsem.cfa(INEQ, HS)
    one = _quiet(bootstrap, fit, 30, seed=3, n_jobs=1)
    two = _quiet(bootstrap, fit, 30, seed=3, n_jobs=2)
    assert np.array_equal(one._boot["theta"], two._boot["theta"])
    th = one._boot["theta"][one._boot["ok"]]
    a1, b1, b2 = _col(fit, "visual", "x2"), _col(fit, "textual", "x5"), _col(fit, "textual", "x6")
    assert (th[:, a1] >= 0.7 - 1e-7).all() and (th[:, b2] <= th[:, b1] + 1e-7).all()


def test_fiml_and_bollen_stine_with_constraints():
    # both refused until the bootstrap of groups (egovsem.sem.bootstrap_groups; lavaan references in
    # tests/test_bootstrap_groups.py): FIML draws satisfy the equalities; Bollen-Stine under FIML stays refused
    hsm = pd.read_csv(DATA / "hs_missing.csv")
    fit = _quiet(egovsem.cfa, EQ, hsm, missing="fiml", se="bootstrap", bootstrap=10, seed=1)
    th = fit._boot["theta"][fit._boot["ok"]]
    a, b = _col(fit, "visual", "x2"), _col(fit, "visual", "x3")
    assert th.shape[0] == 10 and np.allclose(th[:, a], th[:, b], atol=1e-8)
    with pytest.raises(NotAvailableError, match="Bollen-Stine bootstrap with missing='fiml' is not available"):
        bootstrap(fit, 10, seed=1, bollen_stine=True)
    bs = _quiet(bootstrap, egovsem.cfa(EQ, HS), 10, seed=1, bollen_stine=True).bootstrap_info["bollen_stine"]
    assert bs["successful"] + bs["failed"] == 10 and 0 <= bs["pvalue"] <= 1


def test_pairwise_bootstrap_refits_each_resample_from_its_pairwise_moments():
    hsm = pd.read_csv(DATA / "hs_missing.csv")
    model = (SUB / "pairwise_model.lav").read_text(encoding="utf-8")
    fit = _quiet(egovsem.cfa, model, hsm, missing="pairwise", se="bootstrap", bootstrap=30, seed=11)
    plain = egovsem.cfa(model, hsm, missing="pairwise")
    np.testing.assert_allclose(fit.params["est"], plain.params["est"])
    np.testing.assert_allclose(fit.fit_measures["chisq"], plain.fit_measures["chisq"])
    assert fit.bootstrap_info["successful"] == 30 and fit.nobs == 301
    again = _quiet(bootstrap, plain, 30, seed=11, n_jobs=1)
    assert np.array_equal(again._boot["theta"], fit._boot["theta"])


@pytest.mark.slow
@pytest.mark.parametrize("case,model,data,missing", [("eq", EQ, HS, "listwise"), ("ineq", INEQ, HS, "listwise"),
                                                     ("pairwise", (SUB / "pairwise_model.lav").read_text(),
                                                      pd.read_csv(DATA / "hs_missing.csv"), "pairwise")],
                         ids=["eq", "ineq", "pairwise"])
def test_b1000_se_within_monte_carlo_error_of_lavaan(case, model, data, missing):
    ref = pd.read_csv(SUB / f"{case}_params.csv", keep_default_na=False, na_values=[""])
    info = pd.read_csv(SUB / f"{case}_info.csv").set_index("key")["value"]
    fit = _quiet(egovsem.cfa, model, data, se="bootstrap", bootstrap=1000, seed=2026, missing=missing)
    assert fit.bootstrap_info["failed"] == int(info["failed"]) == 0
    # info npar is lavInspect(fit, "npar"): the free parameters before the equalities are counted out
    assert fit.theta.size == int(info["npar"]) and int(fit.fit_measures["df"]) == int(info["df"])
    ours = {row_key(r["lhs"], r["op"], r["rhs"]): r for r in fit.params.to_dict("records")}
    for r in ref[~ref["op"].isin(["==", "<", ">"])].to_dict("records"):
        m = ours[row_key(r["lhs"], r["op"], r["rhs"])]
        assert m["est"] == pytest.approx(r["est"], abs=1e-3 * max(1, abs(r["est"])))
        if r["se"] == 0:
            assert m["se"] == 0
            continue
        assert abs(m["se"] - r["se"]) <= 0.15 * r["se"], (r["lhs"], r["op"], r["rhs"], m["se"], r["se"])
