"""The bootstrap of multi-group fits (ML and FIML, ``group_equal``), of FIML fits with explicit constraints,
Bollen-Stine with constraints, and ML ``se="bootstrap"`` with the Yuan-Bentler tests
(egovsem.sem.bootstrap_groups), against full refits and against lavaan 0.6-14.

lavaan's runs were written by tests/reference/make_reference_bootstrap_groups.R (committed beside its output
in tests/reference/bootstrap_groups/). lavaan resamples within each group, keeping the group sizes, and so does
egovsem; lavaan draws with R's generator and egovsem with numpy's, so the two are independent bootstraps of
the same data and their SEs are compared within Monte Carlo error, computed, not guessed: the SD of B draws
with kurtosis k has Monte Carlo SE ``se * sqrt((k - 1) / (4 B))``; the difference of lavaan's (B_lav) and
egovsem's (B) has SE ``se * sqrt((k - 1) / 4) * sqrt(1 / B_lav + 1 / B)`` (k from egovsem's draws). Every
compared SE must lie within 4 of those (with about 60 SEs compared per case, the chance that one of them
falls outside by chance alone is below 0.5%).
"""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, compare_bootstrap_with_lavaan
from egovsem._errors import EgovsemError, NotAvailableError
from egovsem.sem.bootstrap import FIML_CHUNK, bollen_stine, bootstrap
from egovsem.sem.bootstrap_groups import group_resample

SUB = REF / "bootstrap_groups"
HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
HSM = pd.read_csv(DATA / "hs_missing10.csv")
HS3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
EQ = (REF / "constraints_bootstrap" / "eq_model.lav").read_text(encoding="utf-8")
MC_SES = 4.0


def _quiet(f, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*a, **kw)


def _mg(data, **kw):
    return _quiet(egovsem.cfa, HS3, data, group="school", group_equal="loadings", **kw)


def _resample(data: pd.DataFrame, fit, b: int, seed: int) -> pd.DataFrame:
    """The rows of resample b: each school's rows drawn within the school (egovsem's documented draw)."""
    parts = [data[data["school"] == lab] for lab in fit.group_labels] if fit.ngroups > 1 else [data]
    idx = group_resample(seed, b, tuple(len(p) for p in parts))
    return pd.concat([p.iloc[i] for p, i in zip(parts, idx)]).reset_index(drop=True)


def _compare_with_lavaan(fit, case: str) -> int:
    """Every non-constraint row of lavaan's table (tests/_refcompare.compare_bootstrap_with_lavaan)."""
    return compare_bootstrap_with_lavaan(fit, SUB, case, mc_ses=MC_SES)


# -- exact properties ------------------------------------------------------------------------------------
@pytest.mark.parametrize("missing,data", [("listwise", HS), ("fiml", HSM), ("pairwise", HSM)],
                         ids=["ml", "fiml", "pairwise"])
def test_each_multigroup_resample_equals_a_full_refit(missing, data):
    fit = _mg(data, missing=missing)
    bt = _quiet(bootstrap, fit, 12, seed=7, n_jobs=1)
    for b in (0, 5, 11):
        d = _resample(data, fit, b, 7)
        assert [int((d["school"] == lab).sum()) for lab in fit.group_labels] == [
            int((data["school"] == lab).sum()) for lab in fit.group_labels]  # the group sizes are kept
        ref = _mg(d, missing=missing)
        assert np.abs(bt._boot["theta"][b] - ref.theta).max() < 1e-5
    # loadings equal across the schools in every draw
    p = fit.partable
    for lhs, rhs in (("visual", "x2"), ("speed", "x9")):
        cols = p.loc[(p["lhs"] == lhs) & (p["op"] == "=~") & (p["rhs"] == rhs), "free"].to_numpy() - 1
        assert len(set(cols)) == 1
    assert bt.bootstrap_info["successful"] == 12


@pytest.mark.parametrize("missing,data", [("listwise", HS), ("fiml", HSM), ("pairwise", HSM)],
                         ids=["ml", "fiml", "pairwise"])
def test_leave_one_out_fits_of_the_bca_acceleration_equal_full_refits(missing, data):
    """The jackknife deletes one row of one group: that group's weight N_g / N changes with it."""
    from egovsem.sem.bootstrap_groups import group_refit_chunk

    fit = _mg(data, missing=missing)
    pl = _quiet(bootstrap, fit, 4, seed=1, n_jobs=1)._payload
    n1 = pl.sizes[0]
    parts = [data[data["school"] == lab] for lab in fit.group_labels]
    for i in (5, n1 + 3):
        out = group_refit_chunk(pl, "jackknife", i, i + 1)
        g, j = (0, i) if i < n1 else (1, i - n1)
        kept = [p.drop(p.index[j]) if k == g else p for k, p in enumerate(parts)]
        ref = _mg(pd.concat(kept), missing=missing)
        assert np.abs(out["theta"][0] - ref.theta).max() < 1e-5, i


def test_multigroup_pairwise_with_a_fixed_x_covariate_equals_full_refits():
    """Each school's resample refitted to its own pairwise moments, its fixed.x rows at the resample's
    covariate moments: the draw equals egovsem's pairwise fit of the resampled rows."""
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr\ntextual ~ ageyr"
    fit = _quiet(egovsem.sem, model, HSM, group="school", group_equal="loadings", missing="pairwise")
    bt = _quiet(bootstrap, fit, 6, seed=8, n_jobs=1)
    for b in (0, 5):
        d = _resample(HSM, fit, b, 8)
        ref = _quiet(egovsem.sem, model, d, group="school", group_equal="loadings", missing="pairwise")
        assert np.abs(bt._boot["theta"][b] - ref.theta).max() < 1e-5, b


def test_multigroup_fiml_with_fixed_x_covariates_is_batched_and_equals_full_refits():
    """Each school's fixed.x rows take its resample's covariate moments (egovsem.sem.fiml_batch, issue 14)."""
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr + sex\ntextual ~ ageyr"
    fit = _quiet(egovsem.sem, model, HSM, group="school", group_equal=["loadings", "regressions"], missing="fiml")
    bt = _quiet(bootstrap, fit, 8, seed=5, n_jobs=1)
    assert bt._payload.batched
    for b in (2, 6):
        ref = _quiet(egovsem.sem, model, _resample(HSM, fit, b, 5), group="school",
                     group_equal=["loadings", "regressions"], missing="fiml")
        assert np.abs(bt._boot["theta"][b] - ref.theta).max() < 1e-5
        n = len(ref.partable)
        np.testing.assert_allclose(bt._boot["rows"][b], ref.params["est"].to_numpy(float)[:n], atol=1e-5)
        np.testing.assert_allclose(bt._boot["std"][b], ref.params["std.all"].to_numpy(float)[:n], atol=1e-5)


@pytest.mark.parametrize("case", ["eq", "ineq"])
def test_fiml_constraints_resample_equals_a_full_refit(case):
    """Linear equalities are eliminated and the resamples batched; inequalities are refitted one by one."""
    model = (REF / "constraints_bootstrap" / f"{case}_model.lav").read_text(encoding="utf-8")
    fit = _quiet(egovsem.cfa, model, HSM, missing="fiml")
    bt = _quiet(bootstrap, fit, 6, seed=3, n_jobs=1)
    assert bt._payload.batched == (case == "eq")
    for b in (1, 4):
        ref = _quiet(egovsem.cfa, model, _resample(HSM, fit, b, 3), missing="fiml")
        assert np.abs(bt._boot["theta"][b] - ref.theta).max() < 1e-5
    th = bt._boot["theta"]
    p = fit.partable

    def col(lhs, rhs):
        return int(p.loc[(p["lhs"] == lhs) & (p["op"] == "=~") & (p["rhs"] == rhs), "free"].iloc[0]) - 1

    if case == "eq":
        assert np.allclose(th[:, col("visual", "x2")], th[:, col("visual", "x3")], atol=1e-10)
        assert np.allclose(th[:, col("textual", "x6")], 1.1 * th[:, col("textual", "x5")], atol=1e-10)
    else:
        assert (th[:, col("visual", "x2")] >= 0.7 - 1e-7).all()
        assert (th[:, col("textual", "x6")] <= th[:, col("textual", "x5")] + 1e-7).all()


@pytest.mark.parametrize("missing,data", [("listwise", HS), ("fiml", HSM), ("pairwise", HSM)],
                         ids=["ml", "fiml", "pairwise"])
def test_same_seed_bit_identical_whatever_the_processes(missing, data):
    fit = _mg(data, missing=missing)
    assert 120 > 2 * FIML_CHUNK  # the two processes share more than one task
    one = _quiet(bootstrap, fit, 120, seed=3, n_jobs=1)
    two = _quiet(bootstrap, fit, 120, seed=3, n_jobs=2)
    for key in ("theta", "rows", "std", "converged"):
        assert np.array_equal(one._boot[key], two._boot[key], equal_nan=True), key
    assert np.array_equal(one.params["se"].to_numpy(float), two.params["se"].to_numpy(float), equal_nan=True)
    other = _quiet(bootstrap, fit, 120, seed=4, n_jobs=1)
    assert np.abs(other._boot["theta"] - one._boot["theta"]).max() > 1e-3


def test_se_bootstrap_hook_with_groups_and_every_interval_type():
    fit = _mg(HS, se="bootstrap", bootstrap=60, seed=5)
    plain = _mg(HS)
    np.testing.assert_allclose(fit.params["est"], plain.params["est"])
    np.testing.assert_allclose(fit.fit_measures["chisq"], plain.fit_measures["chisq"])
    assert fit.opts.se == "bootstrap" and fit.bootstrap_info["B"] == 60
    assert "Bootstrap: 60 resamples" in fit.summary()
    row = fit.params[(fit.params["lhs"] == "visual") & (fit.params["rhs"] == "x2")]
    assert list(row["group"]) == [1, 2] and row["se"].iloc[0] == row["se"].iloc[1]  # equal loadings
    for kind in ("perc", "bca", "norm"):
        ci = fit.intervals(kind)
        free = (fit.partable["free"] > 0).to_numpy()
        est = fit.params["est"].to_numpy(float)[: len(free)]
        assert (ci[: len(free)][free, 0] < ci[: len(free)][free, 1]).all(), kind
        assert np.isfinite(ci[: len(free)][free]).all() and np.abs(ci[: len(free), 0] - est).max() < 5, kind
    std = fit.standardized
    assert (std["se"][(fit.partable["free"] > 0).to_numpy()] > 0).all()
    boot = fit.boot  # lavaan's lavInspect(fit, "boot"): coef() names, ".g2" for the second group's own
    assert boot.shape == (60, fit.theta.size) and boot.columns.is_unique
    assert "visual=~x2" in boot.columns and "visual=~x2.g2" not in boot.columns and "x1~~x1.g2" in boot.columns


def test_yuan_bentler_test_with_bootstrap_ses_as_lavaan():
    """lavaan refuses estimator="MLR" with se="bootstrap" ("use ML estimator for bootstrap") and accepts ML
    with se="bootstrap" and test="yuan.bentler(.mplus)" or a Satorra-Bentler style test: bootstrap SEs with the
    robust test, whose traces then use observed information. Its fit measures do not depend on the resamples;
    every one of lavaan's matches at 1e-3."""
    for case, data, missing, test, kw in (("yb_fiml", HSM, "fiml", "yuan.bentler.mplus", {}),
                                          ("yb_ml", HS, "listwise", "yuan.bentler", {}),
                                          ("yb_mg_fiml", HSM, "fiml", "yuan.bentler.mplus",
                                           {"group": "school", "group_equal": "loadings"}),
                                          # the Satorra-Bentler style tests (complete data): observed information
                                          *((f"sb_{t}", HS, "listwise", t, {})
                                            for t in ("satorra.bentler", "scaled.shifted", "mean.var.adjusted"))):
        fit = _quiet(egovsem.cfa, HS3, data, missing=missing, se="bootstrap", test=test, bootstrap=20, seed=1,
                     **kw)
        ref = pd.read_csv(SUB / f"{case}_fit.csv").set_index("key")["value"]
        assert fit.opts.se == "bootstrap" and fit.opts.test == test
        for key, val in ref.items():
            assert fit.fit_measures[key] == pytest.approx(val, abs=1e-3), (case, key)
    with pytest.raises(NotAvailableError, match="use ML estimator for bootstrap'; for bootstrap SEs with the "
                                                "Yuan-Bentler test pass estimator='ML', test='yuan.bentler.mplus'"):
        egovsem.cfa(HS3, HS, estimator="MLR", se="bootstrap", bootstrap=10)


def test_bootstrap_of_an_mlr_fit_keeps_its_robust_test():
    """bootstrap(fit) of an MLR fit (lavaan's bootstrapLavaan): the ML draws of se="bootstrap", the MLR fit's
    own test (observed Hessian information) unchanged; ML with se="bootstrap" and test="yuan.bentler.mplus"
    takes lavaan's h1 information for the test instead (checked against lavaan above), a different statistic."""
    mlr = _quiet(egovsem.cfa, HS3, HSM, missing="fiml", estimator="MLR")
    bt = _quiet(bootstrap, mlr, 20, seed=2, n_jobs=1)
    ml = _quiet(egovsem.cfa, HS3, HSM, missing="fiml", se="bootstrap", test="yuan.bentler.mplus", bootstrap=20,
                seed=2)
    np.testing.assert_array_equal(bt._boot["theta"], ml._boot["theta"])  # ML estimates in both
    np.testing.assert_array_equal(bt.params["se"].to_numpy(float), ml.params["se"].to_numpy(float))
    for key in ("chisq.scaled", "cfi.robust", "rmsea.robust"):
        assert bt.fit_measures[key] == pytest.approx(mlr.fit_measures[key], abs=1e-12)
    assert bt.fit_measures["chisq.scaled"] == pytest.approx(80.674, abs=1e-3)  # lavaan's MLR value
    assert ml.fit_measures["chisq.scaled"] == pytest.approx(76.504, abs=1e-3)  # lavaan's ML + bootstrap value


def test_bad_input_is_named():
    with pytest.raises(EgovsemError, match="The 'group' column 'schol' is not a column of 'data'"):
        egovsem.cfa(HS3, HS, group="schol", se="bootstrap", bootstrap=10)
    with pytest.raises(EgovsemError, match="The 'bootstrap' parameter must be an integer of at least 2 "
                                           "\\(the number of resamples\\). Got 1.5 instead"):
        egovsem.cfa(HS3, HSM, group="school", missing="pairwise", se="bootstrap", bootstrap=1.5)
    with pytest.raises(EgovsemError, match="The 'bootstrap' parameter must be an integer of at least 2 "
                                           "\\(the number of resamples\\). Got 1 instead"):
        bootstrap(_mg(HS), 1)
    with pytest.raises(NotAvailableError, match="Bollen-Stine bootstrap with missing='fiml'"):
        bollen_stine(_mg(HSM, missing="fiml"), 10, seed=1)


# -- lavaan within Monte Carlo error ---------------------------------------------------------------------
def test_multigroup_ml_b2000_within_monte_carlo_error_of_lavaan():
    """HolzingerSwineford1939 by school, loadings equal, B = 2000 on both sides (one batched fit)."""
    fit = _mg(HS, se="bootstrap", bootstrap=2000, seed=2026)
    assert _compare_with_lavaan(fit, "mg_ml") == 60


def test_multigroup_pairwise_b1000_within_monte_carlo_error_of_lavaan():
    """missing="pairwise" by school, loadings equal, B = 1000 on both sides: each school resampled within itself
    and each resample refitted to its own pairwise moments (tests/reference/make_reference_bootstrap_pairwise_
    groups.R; lavaan's 9 inadmissible resamples are kept, as egovsem keeps its own)."""
    fit = _mg(pd.read_csv(DATA / "hs_missing.csv"), missing="pairwise", se="bootstrap", bootstrap=1000, seed=2026)
    assert compare_bootstrap_with_lavaan(fit, REF / "bootstrap_pairwise_groups", "mg_pairwise", mc_ses=MC_SES) == 60


@pytest.mark.slow
def test_multigroup_fiml_b1000_within_monte_carlo_error_of_lavaan():
    """10% missing, by school, loadings equal, B = 1000 on both sides."""
    fit = _mg(HSM, missing="fiml", se="bootstrap", bootstrap=1000, seed=2026)
    assert _compare_with_lavaan(fit, "mg_fiml") == 60


@pytest.mark.slow
def test_fiml_constraints_b1000_within_monte_carlo_error_of_lavaan():
    fit = _quiet(egovsem.cfa, EQ, HSM, missing="fiml", se="bootstrap", bootstrap=1000, seed=2026)
    assert _compare_with_lavaan(fit, "eq_fiml") == 30


TS = "textual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.mark.slow
@pytest.mark.parametrize("case", ["eq", "tsc", "mg", "mg_ts"])
def test_bollen_stine_within_monte_carlo_error_of_lavaan(case):
    """Bollen-Stine p-values (B = 1000 on both sides) within 3 binomial SEs of a difference of two
    independent bootstraps: with explicit constraints ("eq", whose p is 0, and "tsc", p about 0.07) and in
    several groups, each school's rows transformed by its own S^-1/2 Sigma^1/2 and resampled within the
    school ("mg", p 0, and "mg_ts", p about 0.02)."""
    fits = {"eq": lambda: egovsem.cfa(EQ, HS),
            "tsc": lambda: egovsem.cfa((SUB / "tsc_model.lav").read_text(encoding="utf-8"), HS),
            "mg": lambda: _mg(HS),
            "mg_ts": lambda: _quiet(egovsem.cfa, TS, HS, group="school", group_equal="loadings")}
    ref = pd.read_csv(SUB / f"{case}_bollen_stine.csv").set_index("key")["value"]
    out = _quiet(bollen_stine, fits[case](), 1000, seed=9)
    assert out["chisq"] == pytest.approx(float(ref["chisq"]), abs=1e-3)
    assert out["successful"] == int(ref["successful"]) == 1000
    p_lav = float(ref["pvalue"])
    assert abs(out["pvalue"] - p_lav) <= 3 * np.sqrt(2 * p_lav * (1 - p_lav) / 1000), (out, p_lav)


def test_bootstrap_of_a_weighted_fit_is_refused_by_name():
    # one group: bootstrapped as lavaan's bootstrapLavaan since issue 11 (each row carries its weight; against
    # lavaan's draws in tests/test_bootstrap_weighted.py); several groups stay refused, by name
    d = HS.assign(w=np.linspace(0.5, 1.5, len(HS)))
    fit = _quiet(egovsem.cfa, HS3, d, estimator="MLR", sampling_weights="w")
    assert _quiet(bootstrap, fit, 10, seed=1).bootstrap_info["successful"] == 10
    mg = _quiet(egovsem.cfa, HS3, d, estimator="MLR", sampling_weights="w", group="school")
    with pytest.raises(NotAvailableError, match="the bootstrap of a multi-group fit with sampling_weights='w' is "
                                                "not available"):
        bootstrap(mg, 10, seed=1)


def test_effects_of_a_multigroup_fit_are_refused_with_the_way_to_get_them():
    from egovsem.sem.mediation import effects

    fit = _quiet(egovsem.sem, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual", HS,
                 group="school", se="bootstrap", bootstrap=10, seed=1)
    with pytest.raises(NotAvailableError, match="effects\\(\\) of a multi-group fit is not available yet; label"):
        effects(fit, "visual", "textual")


def test_same_multigroup_draws_on_a_dask_cluster():
    """The batched two-group FIML bootstrap on a dask LocalCluster of two worker processes gives this process's
    draws bit for bit (the payload, with its groups' batched problems, is pickled to the workers)."""
    distributed = pytest.importorskip("distributed")
    fit = _mg(HSM, missing="fiml")
    one = _quiet(bootstrap, fit, 120, seed=4, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            dask = bootstrap(fit, 120, seed=4, scheduler=client)
    for key in ("theta", "rows", "std", "converged", "admissible"):
        assert np.array_equal(dask._boot[key], one._boot[key], equal_nan=True), key
