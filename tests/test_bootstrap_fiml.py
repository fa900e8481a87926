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
    """120 resamples in chunks of 50 (bootstrap.FIML_CHUNK, each chunk one batched FIML fit): one process and
    two give bit-identical draws."""
    from egovsem.sem.bootstrap import FIML_CHUNK

    assert 120 > 2 * FIML_CHUNK  # the two processes share more than one task
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = bootstrap(fit, 120, seed=3, n_jobs=1)
        two = bootstrap(fit, 120, seed=3, n_jobs=2)
    for key in ("theta", "rows", "converged"):
        assert np.array_equal(one._boot[key], two._boot[key], equal_nan=True), key


# -- the batched FIML problem (egovsem.sem.fiml_batch) ---------------------------------------------------
def _batch(fit):
    from egovsem.sem.batch import BatchModel
    from egovsem.sem.fiml_batch import FimlBatch

    return FimlBatch(BatchModel.from_results(fit), fit.stats.X)


def _counts(n, bs, seed):
    return np.array([np.bincount(resample_indices(n, b, seed), minlength=n) for b in bs], dtype=float)


def test_batched_objective_and_gradient_equal_the_engines(fit):
    """Pattern moments of a resample give the engine's FIML discrepancy and gradient of the resampled rows."""
    from egovsem.sem.fiml import FIMLDiscrepancy, RowData

    fb = _batch(fit)
    X = fit.stats.X
    n = X.shape[0]
    theta = np.asarray(fit.theta) + 0.01 * np.random.default_rng(0).standard_normal(fit.theta.size)
    counts = _counts(n, (0, 1, 2), 11)
    f, g = fb.evaluate(np.tile(theta, (3, 1)), *fb.pattern_moments(counts).arrays())
    for r, b in enumerate((0, 1, 2)):
        disc = FIMLDiscrepancy(fit.ram, RowData.from_array(X[resample_indices(n, b, 11)]))
        assert abs(f[r] - disc.objective(theta)) < 1e-12 * abs(f[r])
        assert np.abs(g[r] - disc.gradient(theta)).max() < 1e-10


def test_batched_estimates_equal_single_unbatched_fiml_fits(fit):
    """Four resamples fitted as one batched problem equal four separate FIML fits of the same rows (the
    engine's own iteration, egovsem.sem.fiml.fiml_scoring at tol 1e-10) within the optimisers' tolerances:
    the batch stops when the gradient is below 1e-6, i.e. |theta - theta*| <~ |H^-1| 1e-6 ~ 1e-6 here."""
    from egovsem.sem.fiml import RowData, fiml_scoring

    fb = _batch(fit)
    X, theta0 = fit.stats.X, np.asarray(fit.theta)
    n = X.shape[0]
    bs = (3, 8, 21, 40)
    out = fb.fit(_counts(n, bs, 5), theta0, fb.initial_inverse_hessian(theta0))
    assert out.converged.all()
    for r, b in enumerate(bs):
        st = fiml_scoring(fit.ram, theta0, RowData.from_array(X[resample_indices(n, b, 5)]))
        assert st.converged
        assert np.abs(out.theta[r] - st.theta).max() < 1e-5, b


def test_the_bootstrap_of_this_fit_is_batched(fit):
    from egovsem.sem.fiml_batch import supports

    assert supports(fit)


def test_fixed_x_covariates_are_batched_with_each_resamples_moments():
    """A fixed.x covariate's cells take each resample's own moments: batched since issue 14 (until then
    fiml_batch.supports was False and the resamples were refitted one by one); every draw equals a full refit,
    its fixed.x rows included."""
    from egovsem.sem.fiml_batch import supports

    d = pd.read_csv(DATA / "hs_missing10.csv")
    model = "visual =~ x1 + x2 + x3\nvisual ~ ageyr + sex\nx4 ~ ageyr"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = egovsem.sem(model, d, missing="fiml")
        assert supports(f)
        bt = bootstrap(f, 4, seed=2, n_jobs=1)
        for b in (1, 3):
            ref = egovsem.sem(model, d.iloc[resample_indices(len(d), b, 2)].reset_index(drop=True),
                              missing="fiml")
            assert np.abs(bt._boot["theta"][b] - ref.theta).max() < 1e-5
            np.testing.assert_allclose(bt._boot["rows"][b], ref.params["est"].to_numpy(float)[:len(ref.partable)],
                                       atol=1e-5)
            np.testing.assert_allclose(bt._boot["std"][b], ref.params["std.all"].to_numpy(float)[:len(ref.partable)],
                                       atol=1e-5)


@pytest.mark.slow
def test_every_bootstrap_se_within_monte_carlo_error_of_lavaans(fit):
    """Every free parameter and ``ab``: egovsem's and lavaan's bootstrap SEs (B = 1000 each, independent
    resamples) estimate the same ideal bootstrap SE. The SD of a SE estimated from B draws of kurtosis k is
    se * sqrt((k - 1) / (4 B)) (delta method), so log(se_egovsem / se_lavaan) has SD sqrt(2 (k - 1) / (4 B))
    (k from egovsem's draws of that parameter): at B = 1000 and normal draws (k = 3) that is 3.2%; the test
    allows 4 SDs (12.6% for k = 3, more for heavy-tailed draws)."""
    from egovsem.sem.bootstrap import draw_matrix
    from scipy import stats

    ref = pd.read_csv(REF / "bootstrap_fiml" / "hs_fiml_boot.csv", keep_default_na=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = bootstrap(fit, 1000, seed=2026)
    p, draws = bt.params, draw_matrix(bt, "est")
    B = bt.bootstrap_info["successful"]
    compared = 0
    for _, r in ref.iterrows():
        if float(r["se"]) <= 0:
            continue
        if r["op"] == ":=":
            j = np.flatnonzero((p["op"] == ":=") & (p["lhs"] == r["lhs"]))[0]
        else:
            j = np.flatnonzero((p["lhs"] == r["lhs"]) & (p["op"] == r["op"]) & (p["rhs"].fillna("") == r["rhs"]))[0]
        k = stats.kurtosis(draws[:, j], fisher=False)
        bound = 4.0 * np.sqrt(2.0 * (k - 1.0) / (4.0 * B))
        assert abs(np.log(p["se"].iloc[j] / float(r["se"]))) <= bound, (r["lhs"], r["op"], r["rhs"])
        compared += 1
    assert compared == 30  # 29 free parameters and ab


def test_same_fiml_draws_on_a_dask_cluster(fit):
    """The batched FIML bootstrap on a dask LocalCluster of two worker processes gives the draws of this
    process bit for bit (the payload, with its batched FIML problem, is pickled to the workers)."""
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = bootstrap(fit, 120, seed=4, n_jobs=1)
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            dask = bootstrap(fit, 120, seed=4, scheduler=client)
    for key in ("theta", "rows", "std", "converged", "admissible"):
        assert np.array_equal(dask._boot[key], one._boot[key], equal_nan=True), key


def test_normal_intervals_of_a_fiml_bootstrap(fit):
    """ci="norm" under FIML (was an AttributeError: the bias is evaluated at the full-sample moments):
    est - bias +- z se, bias at the mean of the free-parameter draws (lavaan's boot.ci.type = "norm")."""
    from scipy import special

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = bootstrap(fit, 30, seed=1, n_jobs=1)
    ci = bt.intervals("norm")
    p = bt.params
    k = int(np.flatnonzero((p["lhs"] == "visual") & (p["op"] == "=~") & (p["rhs"] == "x2"))[0])
    col = int(fit.partable["free"].iloc[k]) - 1
    th = bt._boot["theta"][bt._boot["ok"]][:, col]
    mid = 2 * p["est"].iloc[k] - th.mean()
    half = special.ndtri(0.975) * th.std()
    np.testing.assert_allclose(ci[k], [mid - half, mid + half], rtol=1e-10)
