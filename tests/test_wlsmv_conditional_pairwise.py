"""WLSMV with exogenous covariates (lavaan's conditional.x) and missing = "pairwise" against lavaan 0.6-14
(tests/reference/make_reference_ordinal_conditional_pairwise.R; several groups and theta:
make_reference_wlsmv_mg_conditional_pairwise.R): the MIMIC model A =~ A1 + ... + A5;
A ~ age + education on psych's bfi, every row. lavaan deletes the 223 rows with a missing education (fixed.x =
TRUE, with a warning) and fits the first stage pairwise on the other 2577 (the items keep their own missing
values): each probit regression on the rows where the item is observed, each residual polychoric on the rows
where both items are, the casewise scores of a missing value 0 in Gamma (muthen1984's na.rm = TRUE sums)."""
from __future__ import annotations

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, close, compare_group_params, compare_params, compare_series
from egovsem._errors import MissingDataWarning
from egovsem.sem.ordinal_conditional import conditional_ordinal_stats
from egovsem.sem.wls_conditional import ConditionalFit

MODEL = "A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + education"
ITEMS = [f"A{i}" for i in range(1, 6)]
XS = ["age", "education"]
PRE = REF / "ordinal_conditional" / "bfi_mimic_pairwise"


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(DATA / "bfi.csv")


@pytest.fixture(scope="module")
def fit(bfi):
    with pytest.warns(MissingDataWarning, match=r"223 of 2800 rows .*'education' \(223 rows\).* 2577 rows"):
        return egovsem.cfa(MODEL, bfi, ordered=ITEMS, missing="pairwise")


def test_the_items_have_missing_values_that_are_kept(bfi):
    d = bfi.dropna(subset=XS)
    assert d[ITEMS].isna().any(axis=1).sum() == 84  # rows a listwise fit would delete and this one keeps


def test_first_stage_matches_lavaan(bfi):
    # lavInspect(fit, "wls.obs") and lavInspect(fit, "gamma"), every entry
    d = bfi.dropna(subset=XS)
    st = conditional_ordinal_stats(d[ITEMS].to_numpy(float), d[XS].to_numpy(float), ITEMS, XS, missing="pairwise")
    wo = pd.read_csv(f"{PRE}_wlsobs.csv")
    assert list(st.wls_names) == list(wo["name"])
    np.testing.assert_allclose(st.wls_obs, wo["value"].to_numpy(), rtol=0, atol=1e-6)
    g = pd.read_csv(f"{PRE}_gamma.csv").to_numpy(float)
    np.testing.assert_allclose(st.gamma, g, rtol=1e-4, atol=1e-6 * np.abs(g).max())
    assert st.nobs == 2577


def test_every_parameter_row_matches_lavaan(fit):
    assert isinstance(fit, ConditionalFit) and fit.converged
    ref = pd.read_csv(f"{PRE}_params.csv").fillna({"rhs": ""})
    assert len(fit.params) == len(ref)
    assert not compare_params(fit.params, ref)  # est, se, std.lv, std.all, std.nox of every row
    assert list(zip(fit.params["lhs"], fit.params["op"], fit.params["rhs"])) == list(zip(ref.lhs, ref.op, ref.rhs))


def test_every_fit_measure_matches_lavaan(fit):
    ref = pd.read_csv(f"{PRE}_fit.csv").set_index("measure")["value"]
    assert not compare_series(fit.fit_measures, ref)
    for k in ("chisq", "chisq.scaled", "df", "cfi.scaled", "rmsea.scaled", "srmr"):
        assert k in ref.index


def test_nobs_is_lavaans(fit):
    ref = pd.read_csv(f"{PRE}_nobs.csv").set_index("what")["value"]
    assert fit.nobs == ref["nobs"] and fit.ntotal == ref["norig"] and fit.n_dropped == 223


MI_COLS = ("mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")


def _mi_problems(fit, ref_file) -> list:
    """Every modindices() row against lavaan's modindices(fit, sort. = FALSE, minimum.value = 0)."""
    mi = fit.modindices()
    ref = pd.read_csv(ref_file).fillna({"rhs": ""})
    if list(zip(mi.lhs, mi.op, mi.rhs)) != list(zip(ref.lhs, ref.op, ref.rhs)):
        return ["rows differ"]
    return [(r["lhs"], r["op"], r["rhs"], c, float(m[c]), float(r[c])) for (_, m), (_, r) in
            zip(mi.iterrows(), ref.iterrows()) for c in MI_COLS if not close(float(m[c]), float(r[c]), 1e-3)]


def test_modindices_match_lavaan(fit):
    assert not _mi_problems(fit, f"{PRE}_mi.csv")


MG_CASES = {"delta_configural": {"group": "gender"},
            "delta_equal": {"group": "gender", "group_equal": ["thresholds", "loadings"]},
            "single_theta": {"parameterization": "theta"}}


@pytest.mark.parametrize("case", sorted(MG_CASES))
def test_several_groups_and_theta_match_lavaan(case, bfi):
    # tests/reference/make_reference_wlsmv_mg_conditional_pairwise.R: lavaan deletes, per group, the rows with a
    # missing covariate (81 and 142 for gender 1 and 2) and fits each group's first stage pairwise
    kw = MG_CASES[case]
    with pytest.warns(MissingDataWarning, match="missing values on the exogenous covariate"):
        fit = egovsem.cfa(MODEL, bfi, ordered=ITEMS, missing="pairwise", **kw)
    pre = REF / "wlsmv_mg_conditional" / f"pairwise_{case}"
    ref = pd.read_csv(f"{pre}_params.csv").fillna({"rhs": ""})
    assert not compare_group_params(fit.params, ref)  # est, se, std.lv, std.all, std.nox of every row
    fm = pd.read_csv(f"{pre}_fit.csv").set_index("measure")["value"]
    assert not compare_series(fit.fit_measures, fm)
    nobs = pd.read_csv(f"{pre}_nobs.csv")["nobs"].tolist()
    assert (fit.nobs if isinstance(fit.nobs, list) else [fit.nobs]) == nobs
    assert not _mi_problems(fit, f"{pre}_mi.csv")


def test_summary_and_inspect_after_a_pairwise_fit(fit):
    assert fit.missing == "pairwise"
    assert "Thresholds:" in fit.summary()
    assert fit.inspect("nobs") == 2577


def test_a_row_missing_every_item_is_ignored_as_lavaan_ignores_it(bfi):
    # A1-A5 set missing on rows 5, 17, 300 of bfi (rows 5 and 17 also miss education): lavaan 0.6-14 warns "some
    # cases are empty and will be ignored: 300" (nobs 2576); every parameter row and fit measure compared
    d = bfi.copy()
    d.loc[d.index[[4, 16, 299]], ITEMS] = np.nan
    with pytest.warns(MissingDataWarning, match=r"1 row\(s\) have every item missing .*rows 299"):
        fit = egovsem.cfa(MODEL, d, ordered=ITEMS, missing="pairwise")
    pre = f"{PRE}_empty"
    ref = pd.read_csv(f"{pre}_nobs.csv").set_index("what")["value"]
    assert fit.nobs == ref["nobs"] == 2576 and fit.ntotal == ref["norig"]
    pe = pd.read_csv(f"{pre}_params.csv").fillna({"rhs": ""})
    assert len(fit.params) == len(pe) and not compare_params(fit.params, pe)
    assert not compare_series(fit.fit_measures, pd.read_csv(f"{pre}_fit.csv").set_index("measure")["value"])
