"""Bootstrap of FIML fits (missing = "fiml"): every resample is refitted by FIML from the full-sample
estimates. Checked against independent full refits (default suite) and against lavaan's
se = "bootstrap" with missing = "ml" at B = 1000 (slow; tests/reference/make_reference_bootstrap_fiml.R)."""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF
from egovsem.sem.bootstrap import bootstrap, resample_indices

MODEL = """
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ a*visual
speed ~ b*textual
ab := a*b
"""


@pytest.fixture(scope="module")
def fit():
    return egovsem.sem(MODEL, pd.read_csv(DATA / "hs_missing10.csv"), missing="fiml")


def test_each_resample_equals_a_full_fiml_refit(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = bootstrap(fit, 12, seed=7, n_jobs=1)
    d = pd.read_csv(DATA / "hs_missing10.csv")
    for b in (0, 5, 11):
        idx = resample_indices(len(d), b, 7)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = egovsem.sem(MODEL, d.iloc[idx].reset_index(drop=True), missing="fiml")
        assert np.abs(bt._boot["theta"][b] - ref.theta).max() < 1e-5
    ab = bt.params.query("op == ':='").iloc[0]
    assert ab["se"] > 0 and ab["ci.lower"] < ab["est"] < ab["ci.upper"]
    assert bt.bootstrap_info["B"] == 12 and bt.bootstrap_info["successful"] + bt.bootstrap_info["failed"] == 12


def test_bollen_stine_with_fiml_is_refused(fit):
    with pytest.raises(egovsem.NotAvailableError, match="Bollen-Stine"):
        bootstrap(fit, 10, seed=1, bollen_stine=True)


@pytest.mark.slow
def test_bootstrap_ses_within_10_percent_of_lavaan(fit):
    ref = pd.read_csv(REF / "bootstrap_fiml" / "hs_fiml_boot.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = bootstrap(fit, 1000, seed=2026)
    p = bt.params
    for _, r in ref[ref["op"].isin(["~", ":="])].iterrows():
        if r["op"] == ":=":
            mine = p[(p["op"] == ":=") & (p["lhs"] == r["lhs"])].iloc[0]
        else:
            mine = p[(p["lhs"] == r["lhs"]) & (p["op"] == "~") & (p["rhs"] == r["rhs"])].iloc[0]
        assert abs(mine["se"] - r["se"]) <= 0.10 * r["se"], (r["lhs"], mine["se"], r["se"])


def test_same_seed_same_fiml_draws_whatever_the_processes(fit):
    """40 resamples in chunks of 25 (bootstrap.FIML_CHUNK): one process and two give bit-identical draws."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = bootstrap(fit, 40, seed=3, n_jobs=1)
        two = bootstrap(fit, 40, seed=3, n_jobs=2)
    for key in ("theta", "rows", "converged"):
        assert np.array_equal(one._boot[key], two._boot[key], equal_nan=True), key
