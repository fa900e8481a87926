"""The discrepancy protocol (egovsem.sem.discrepancy): ML, FIML and DWLS give consistent objective, gradient,
information and scores; one optimiser for one or several groups; the batch evaluates the same ML formulas."""
from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest
from egovsem.datasets import load
from egovsem.sem.model import Model

disc_mod = importlib.import_module("egovsem.sem.discrepancy")
ml = importlib.import_module("egovsem.sem.ml")
fiml = importlib.import_module("egovsem.sem.fiml")
wls = importlib.import_module("egovsem.sem.wls")
batch = importlib.import_module("egovsem.sem.batch")

HS = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def hs():
    return load("HolzingerSwineford1939")


def _numeric_gradient(f, theta, h=1e-6):
    g = np.zeros_like(theta)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = h
        g[k] = (f(theta + e) - f(theta - e)) / (2 * h)
    return g


def _check(d, theta):
    g = d.gradient(theta)
    np.testing.assert_allclose(g, _numeric_gradient(d.objective, theta), atol=1e-6)
    g2, info = d.gradient_information(theta)
    np.testing.assert_allclose(g2, g, rtol=0, atol=1e-14)
    np.testing.assert_allclose(info, d.information(theta), rtol=0, atol=1e-14)
    np.testing.assert_allclose(info, info.T, atol=1e-14)
    assert np.linalg.eigvalsh(info)[0] > 0


def test_ml_discrepancy_is_consistent(hs):
    fit = Model(HS, meanstructure=True, estimator="MLR").fit(hs)
    rows = fiml.RowData.from_array(fit.stats.X)
    d = ml.MLDiscrepancy(fit.ram, fit.stats.cov, fit.stats.mean, True, fit.stats.nobs, rows)
    theta = fit.theta + 0.02
    _check(d, theta)
    # casewise scores sum to the gradient of the log-likelihood: sum_i s_i = -N/2 dF/dtheta
    np.testing.assert_allclose(d.scores(theta).sum(axis=0), -fit.stats.nobs / 2 * d.gradient(theta), atol=1e-8)
    assert abs(d.objective(fit.theta) - fit.fmin) < 1e-12


def test_fiml_discrepancy_is_consistent_and_equals_ml_on_complete_rows(hs):
    fit = Model(HS, meanstructure=True).fit(hs)
    rows = fiml.RowData.from_array(fit.stats.X)
    d = fiml.FIMLDiscrepancy(fit.ram, rows)
    theta = fit.theta + 0.02
    _check(d, theta)
    m = ml.MLDiscrepancy(fit.ram, fit.stats.cov, fit.stats.mean, True)
    # complete rows: FIML's F differs from ML's by a constant, and has the same gradient and information
    c = d.objective(fit.theta) - m.objective(fit.theta)
    assert abs((d.objective(theta) - m.objective(theta)) - c) < 1e-10
    np.testing.assert_allclose(d.gradient(theta), m.gradient(theta), atol=1e-10)
    np.testing.assert_allclose(d.information(theta), m.information(theta), atol=1e-10)


def test_dwls_discrepancy_is_consistent():
    d_ord = load("hs_ordinal")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = wls.fit_wlsmv(Model(HS), d_ord, ordered=True)
    ost = fit.extra["ordinal"]
    d = wls.DWLSDiscrepancy(fit.extra["delta_model"], ost.wls_obs, ost.wls_v_diag)
    _check(d, fit.theta + 0.01)
    np.testing.assert_allclose(d.information(fit.theta), fit.extra["A"], atol=1e-12)
    assert np.max(np.abs(d.gradient(fit.theta))) < 1e-7


def test_one_group_is_g_equal_one(hs):
    """Model.fit and minimize_groups over one ML discrepancy: the same path, the same numbers."""
    fit = Model(HS).fit(hs)
    d = ml.MLDiscrepancy(fit.ram, fit.stats.cov, fit.stats.mean, False)
    start = importlib.import_module("egovsem.sem.start")
    theta0 = start.start_theta(fit.spec, fit.partable, fit.ram.q, fit.stats)
    st = disc_mod.minimize_groups([d], theta0)
    assert st.converged
    np.testing.assert_array_equal(st.theta, fit.theta)
    assert st.iterations == fit.iterations and st.fmin == fit.fmin


def test_multigroup_objective_is_the_weighted_sum(hs):
    fit = Model(HS, group="school").fit(hs)
    discs = [ml.MLDiscrepancy(r, st.cov, st.mean, True) for r, st in zip(fit.rams, fit.group_stats)]
    w = disc_mod.group_weights([st.nobs for st in fit.group_stats])
    np.testing.assert_allclose(w, fit.weights, rtol=0, atol=0)
    assert abs(disc_mod.objective_groups(discs, w, fit.theta) - fit.fmin) < 1e-12
    g, H = disc_mod.gradient_metric_groups(discs, w, fit.theta)
    assert np.max(np.abs(g)) < 1e-6
    N = sum(st.nobs for st in fit.group_stats)
    # the expected information of the fit is sum_g N_g I_g = N * H / 2
    np.testing.assert_allclose(np.linalg.inv(N * H / 2), fit.vcov, rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize("model, kw", [
    (HS, {"meanstructure": True}),  # RAM path with means
    ("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; textual ~ visual + ageyr", {}),  # fixed.x covariate
    (HS, {}),  # LISREL fast path
])
def test_batch_evaluates_the_ml_discrepancy(hs, model, kw):
    fit = Model(model, **kw).fit(hs)
    bm = batch.BatchModel.from_results(fit)
    S, xbar = fit.stats.cov, fit.stats.mean
    d = ml.MLDiscrepancy(fit.ram, S, xbar, fit.spec.meanstructure)
    thetas = np.stack([fit.theta, fit.theta + 0.01, fit.theta - 0.02])
    B = thetas.shape[0]
    f, g = bm.evaluate(thetas, np.broadcast_to(S, (B,) + S.shape), np.broadcast_to(xbar, (B, xbar.size)),
                       np.full(B, d.logdetS))
    info = bm.information(thetas, np.broadcast_to(S, (B,) + S.shape), np.broadcast_to(xbar, (B, xbar.size)))
    for b in range(B):
        assert abs(f[b] - d.objective(thetas[b])) < 1e-12
        np.testing.assert_allclose(g[b], d.gradient(thetas[b]), rtol=0, atol=1e-12)
        np.testing.assert_allclose(info[b], d.information(thetas[b]), rtol=0, atol=1e-12)


def test_batched_moment_functions_match_one_problem(hs):
    fit = Model(HS, meanstructure=True).fit(hs)
    Sigma, mu = fit.ram.implied(fit.theta + 0.01)[:2]
    S, xbar = fit.stats.cov, fit.stats.mean
    ld = np.linalg.slogdet(S)[1]
    one = ml.objective_from_moments(Sigma, mu, S, xbar, ld, True)
    many = ml.objective_from_moments(Sigma[None].repeat(2, 0), mu[None].repeat(2, 0), S[None].repeat(2, 0),
                                     xbar[None].repeat(2, 0), np.full(2, ld), True)
    np.testing.assert_allclose(many, float(one), rtol=1e-14)
    W = np.linalg.inv(Sigma)
    M1, Wd1 = ml.moment_derivatives(W, S, xbar, mu, True)
    M2, Wd2 = ml.moment_derivatives(W[None], S[None], xbar[None], mu[None], True)
    np.testing.assert_allclose(M2[0], M1, atol=1e-14)
    np.testing.assert_allclose(Wd2[0], Wd1, atol=1e-14)
    # not positive definite: inf, one problem or a stack
    bad = -np.eye(S.shape[0])
    assert ml.objective_from_moments(bad, mu, S, xbar, ld, True) == np.inf
    assert np.isinf(ml.objective_from_moments(np.stack([Sigma, bad]), np.stack([mu, mu]), np.stack([S, S]),
                                              np.stack([xbar, xbar]), np.full(2, ld), True)[1])
