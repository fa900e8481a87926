"""The bootstrap of PLS models estimated in stages (egovsem.pls.staged_bootstrap): interaction terms and
higher-order constructs (two-stage approach); every resample re-runs the whole procedure (stage 1, the products or
the dimensions' scores, seminr's rescaling).

External reference: seminr-py 0.2.1's bootstrap SDs of the paths of test-pls.r's interaction model (mobi4 with
Image x Expectation and Image x Value, factorial weighting; two-stage, product-indicator and orthogonal), B = 1000,
written by tests/reference/pls/make_reference_interaction_boot.py (run with a separate venv's python; seminr-py is
GPL and never a dependency) into interaction_boot_sd.csv. The two bootstraps draw different resamples, so the SDs
are compared within Monte Carlo error as in tests/test_pls_bootstrap.py (4 standard errors of the difference of
two SDs, sigma and the kurtosis from egovsem's draws). The product-indicator and orthogonal interaction paths have
long-tailed, partly bimodal bootstrap distributions (the sign of a many-indicator product construct is weakly
determined in a resample; seminr-py's SDs, 0.12, show the same), which the kurtosis term of the bound covers.
The same script wrote hoc_boot_sd.csv: seminr-py's SDs of the paths and of every loading (the higher-order
construct's on its dimensions, the dimensions' stage-1 loadings) of test-hoc.R's model (``MOBI_HOC``, path
weighting).
"""
from __future__ import annotations

import egovsem
import numpy as np
import pandas as pd
import pytest
from _pls_models import MOBI_HOC, MOBI_INTERACTIONS, REF, mobi
from egovsem.pls.bootstrap import resample_indices
from scipy import stats

B_E = 300


@pytest.fixture(scope="module")
def data():
    return mobi()


def _path(fit, rhs):
    p = fit.params
    return float(p[(p["op"] == "~") & (p["lhs"] == "Satisfaction") & (p["rhs"] == rhs)]["est"].iloc[0])


def _within(x, sd_s, b_s):
    kappa = stats.kurtosis(x, fisher=False)
    bound = 4.0 * x.std(ddof=1) * np.sqrt((kappa - 1.0) / 4.0 * (1.0 / b_s + 1.0 / x.size))
    return abs(x.std(ddof=1) - sd_s) <= bound, bound


@pytest.mark.parametrize("method", ["two_stage", "product_indicator", "orthogonal"])
def test_path_sds_within_monte_carlo_error_of_seminr_py(data, method):
    ref = pd.read_csv(REF / "interaction_boot_sd.csv")
    ref = ref[ref["method"] == method]
    assert len(ref) == 5
    fit = egovsem.pls(MOBI_INTERACTIONS, data, weighting="factorial", interaction=method, bootstrap=B_E, seed=1)
    assert fit.bootstrap_info["failed"] == 0
    for r in ref.itertuples():
        assert _path(fit, r.rhs) == pytest.approx(r.est, abs=1e-5)  # the same estimates first
        x = fit.boot[f"Satisfaction~{r.rhs}"].to_numpy()
        ok, bound = _within(x, r.boot_sd, r.B)
        assert ok, (method, r.rhs, x.std(ddof=1), r.boot_sd, bound)
    row = fit.params.query("op == '~' and rhs == 'Image:Expectation'").iloc[0]
    assert row["se"] == pytest.approx(fit.boot["Satisfaction~Image:Expectation"].std(ddof=1), rel=1e-12)


def test_a_resample_is_the_procedure_on_the_resampled_rows(data):
    """Resample b of the bootstrap is egovsem.pls() on rows resample_indices(n, b, seed), products and stage 1
    made again from those rows (not the full sample's product column resampled)."""
    fit = egovsem.pls(MOBI_INTERACTIONS, data, bootstrap=4, seed=11)
    for b in (0, 3):
        sub = data.iloc[resample_indices(len(data), b, 11)].reset_index(drop=True)
        hand = egovsem.pls(MOBI_INTERACTIONS, sub)
        for rhs in ("Image", "Image:Expectation", "Image:Value"):
            assert fit.boot[f"Satisfaction~{rhs}"].iloc[b] == pytest.approx(_path(hand, rhs), rel=1e-12, abs=1e-14)
        w = hand.weights.loc["IMAG1", "Image"]
        assert fit.boot["Image<~IMAG1"].iloc[b] == pytest.approx(w, rel=1e-12)


def test_same_seed_bit_identical_whatever_n_jobs(data):
    a = egovsem.pls(MOBI_INTERACTIONS, data, interaction="orthogonal", bootstrap=12, seed=5, n_jobs=1)
    b = egovsem.pls(MOBI_INTERACTIONS, data, interaction="orthogonal", bootstrap=12, seed=5, n_jobs=2)
    assert np.array_equal(a.boot.to_numpy(), b.boot.to_numpy())


def test_bca_jackknife_reruns_the_procedure(data):
    fit = egovsem.pls(MOBI_INTERACTIONS, data, bootstrap=30, seed=2)
    jk = fit._jackknife
    assert jk.shape[0] == len(data)
    hand = egovsem.pls(MOBI_INTERACTIONS, data.drop(index=7).reset_index(drop=True))
    k = [i for i, key in enumerate(fit._lay.keys) if key == ("path", "Satisfaction", "~", "Image:Expectation")][0]
    assert jk[7, k] == pytest.approx(_path(hand, "Image:Expectation"), rel=1e-12)
    pe = fit.parameter_estimates(ci="bca")
    row = pe.query("op == '~' and rhs == 'Image:Expectation'").iloc[0]
    assert np.isfinite(row["ci.lower"]) and row["ci.lower"] < row["ci.upper"]


def test_higher_order_sds_within_monte_carlo_error_of_seminr_py(data):
    ref = pd.read_csv(REF / "hoc_boot_sd.csv")
    assert len(ref) == 4 + 22
    fit = egovsem.pls(MOBI_HOC, data, bootstrap=B_E, seed=1)
    s1 = fit.first_stage
    assert fit.bootstrap_info == s1.bootstrap_info and fit.bootstrap_info["failed"] == 0
    est = fit.params.set_index(["lhs", "op", "rhs"])["est"]
    for r in ref.itertuples():
        assert est[(r.lhs, r.op, r.rhs)] == pytest.approx(r.est, abs=1e-5)
        col = f"{r.lhs}{r.op}{r.rhs}"
        x = (fit.boot if col in fit.boot.columns else s1.boot)[col].to_numpy()
        ok, bound = _within(x, r.boot_sd, r.B)
        assert ok, (col, x.std(ddof=1), r.boot_sd, bound)
    # the dimensions' rows carry the stage-1 draws of the same resamples; a resample is the procedure on its rows
    p = fit.params
    row = p[(p["lhs"] == "Image") & (p["op"] == "=~") & (p["rhs"] == "IMAG1")].iloc[0]
    assert row["se"] == pytest.approx(s1.boot["Image=~IMAG1"].std(ddof=1), rel=1e-12)
    hand = egovsem.pls(MOBI_HOC, data.iloc[resample_indices(len(data), 2, 1)].reset_index(drop=True))
    assert fit.boot["Loyalty~Satisfaction"].iloc[2] == pytest.approx(
        float(hand.params.query("lhs == 'Loyalty' and op == '~'")["est"].iloc[0]), rel=1e-12)
    assert s1.boot["Image=~IMAG1"].iloc[2] == pytest.approx(hand.first_stage.loadings.at["IMAG1", "Image"], rel=1e-12)
    bca = fit.parameter_estimates(ci="bca")
    assert np.isfinite(bca["ci.lower"]).all() and np.isfinite(bca["ci.upper"]).all()


def test_mean_replacement_within_each_resample():
    """missing="mean": the raw rows (codes -99 as missing) are resampled and mean-replaced within the resample,
    then the products are made, as seminr's bootstrap re-runs estimate_pls on the resampled raw data."""
    from _pls_models import CORP_REP_SIMPLE, corp_rep

    raw = corp_rep()
    model = CORP_REP_SIMPLE.replace("CUSL ~ CUSA", "CUSL ~ CUSA + COMP:LIKE")
    fit = egovsem.pls(model, raw, missing="mean", missing_value=-99, bootstrap=3, seed=4)
    assert fit.resample_frame.shape[0] == len(raw) and fit.resample_frame.isna().to_numpy().any()
    for b in range(3):
        sub = raw.iloc[resample_indices(len(raw), b, 4)].reset_index(drop=True)
        hand = egovsem.pls(model, sub, missing="mean", missing_value=-99)
        got = fit.boot[["CUSL~COMP:LIKE", "CUSL~CUSA", "COMP<~comp_1"]].iloc[b].to_numpy()
        p = hand.params.set_index(["lhs", "op", "rhs"])["est"]
        exp = [p[("CUSL", "~", "COMP:LIKE")], p[("CUSL", "~", "CUSA")], p[("COMP", "<~", "comp_1")]]
        assert got == pytest.approx(exp, rel=1e-12)
