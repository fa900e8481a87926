"""The second stage of WLSMV with exogenous covariates (lavaan's conditional.x; egovsem.sem.wls_conditional)
against lavaan 0.6-14 (tests/reference/make_reference_ordinal_conditional.R): every row of
parameterEstimates(fit, standardized = TRUE) (est, se, std.lv, std.all, std.nox) and of fitMeasures(fit) of
the MIMIC model A =~ A1 + ... + A5; A ~ age + gender on psych's bfi (ordered items, complete rows), and of
the MIMIC with a direct effect of a covariate on an item (A ~ age; A3 ~ gender)."""
from __future__ import annotations

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF
from egovsem._errors import DataError, NotAvailableError
from egovsem.sem.model import Model
from egovsem.sem.wls import fit_wlsmv
from egovsem.sem.wls_conditional import ConditionalFit, fit_wlsmv_conditional

MIMIC = "A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + gender"
CASES = {"bfi_mimic": MIMIC, "bfi_mimic_direct": "A =~ A1 + A2 + A3 + A4 + A5\n A ~ age\n A3 ~ gender"}
ITEMS = [f"A{i}" for i in range(1, 6)]


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(DATA / "bfi.csv")


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, bfi):
    # through the WLSMV entry point (its dispatch to the conditional second stage)
    return request.param, fit_wlsmv(Model(CASES[request.param]), bfi, True)


def _close(got, want, rtol):
    return abs(got - want) <= rtol * max(1.0, abs(want))


def test_dispatch_and_convergence(case):
    _name, fit = case
    assert isinstance(fit, ConditionalFit) and fit.converged
    assert fit.stats.nobs == 2709


def test_model_fit_route(bfi):
    fit = Model(MIMIC, estimator="WLSMV", ordered=True).fit(bfi)
    assert isinstance(fit, ConditionalFit)
    assert fit.fit_measures["chisq.scaled"] == pytest.approx(240.5338573, rel=1e-5)  # lavaan's value
    with pytest.raises(NotAvailableError, match="'summary' is not available yet for WLSMV with exogenous"):
        fit.summary()
    assert not hasattr(fit, "summary")


@pytest.mark.parametrize("col,tol", [("est", 1e-3), ("se", 1e-2), ("std.lv", 1e-3), ("std.all", 1e-3),
                                     ("std.nox", 1e-3)])
def test_parameter_rows_match_lavaan(case, col, tol):
    name, fit = case
    ref = pd.read_csv(REF / "ordinal_conditional" / f"{name}_params.csv").fillna({"rhs": ""})
    got = fit.params.set_index(["lhs", "op", "rhs"])
    assert len(got) == len(ref) and not got.index.duplicated().any()
    bad = []
    for _, r in ref.iterrows():
        g = float(got.loc[(r["lhs"], r["op"], r["rhs"]), col])
        w = float(r[col])
        ok = abs(g - w) <= tol * abs(w) if col == "se" and w != 0 else _close(g, w, tol)
        if not ok:
            bad.append((r["lhs"], r["op"], r["rhs"], g, w))
    assert not bad, bad
    # lavaan's row order
    assert list(zip(fit.params["lhs"], fit.params["op"], fit.params["rhs"])) == list(zip(ref.lhs, ref.op, ref.rhs))


def test_fit_measures_match_lavaan(case):
    name, fit = case
    ref = pd.read_csv(REF / "ordinal_conditional" / f"{name}_fit.csv").set_index("measure")["value"]
    fm = fit.fit_measures
    missing = [k for k in ref.index if k not in fm.index]
    assert not missing
    bad = []
    for k, w in ref.items():
        g = float(fm[k])
        if np.isnan(w):
            if not np.isnan(g):
                bad.append((k, g, w))
        elif not _close(g, w, 1e-3):
            bad.append((k, g, w))
    assert not bad, bad
    assert fm["df"] == ref["df"]


def test_bad_inputs_are_refused(bfi):
    d = bfi.dropna(subset=ITEMS + ["gender"])
    with pytest.raises(DataError, match=r"covariate 'age'.*missing.*row"):
        fit_wlsmv_conditional(Model(MIMIC), d.assign(age=d["age"].where(d.index != d.index[3])), True)
    with pytest.raises(DataError, match=r"covariate 'age'.*non-numeric value \('abc'\)"):
        fit_wlsmv(Model(MIMIC), d.assign(age=d["age"].astype(str).where(d.index != d.index[5], "abc")), True)
    with pytest.raises(DataError, match=r"covariate 'gender' takes a single value"):
        fit_wlsmv(Model(MIMIC), d.assign(gender=1), True)
    with pytest.raises(NotAvailableError, match=r"covariate\(s\) \['gender'\] ordered"):
        fit_wlsmv_conditional(Model(MIMIC), d, ITEMS + ["gender"])
    with pytest.raises(NotAvailableError, match="fixed_x=False"):
        fit_wlsmv(Model(MIMIC, fixed_x=False), d, True)
    with pytest.raises(NotAvailableError, match="continuous indicators"):
        fit_wlsmv(Model(MIMIC), d, ITEMS[:3])


def test_pairwise_with_covariates_is_refused_not_fitted_listwise(bfi):
    d = bfi[["A1", "A2", "A3", "A4", "A5", "age", "gender"]].dropna(subset=["age", "gender"])
    assert d[["A1", "A2", "A3", "A4", "A5"]].isna().any().any()
    with pytest.raises(NotAvailableError, match=r"missing='pairwise' with exogenous covariates"):
        egovsem.cfa("A =~ A1 + A2 + A3 + A4 + A5\nA ~ age", d, ordered=["A1", "A2", "A3", "A4", "A5"],
                    missing="pairwise")
