"""Monte Carlo power (egovsem.sem.power, ``egovsem power``) against a plain loop, the known truth and lavaan.

lavaan's reference is a loop of simulateData() + sem() written by tests/reference/make_reference_power.R
(committed beside its output tests/reference/power/three_factor.csv). Different random numbers: rates are
compared within binomial Monte Carlo error of the difference of two independent simulations.
"""
from __future__ import annotations

import json
import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import REF
from egovsem._errors import EgovsemError
from egovsem.cli import main
from egovsem.parallel import seed_sequence
from egovsem.sem import ml
from egovsem.sem.power import power_analysis
from egovsem.sem.simulate import population_moments

# every population value written: lavaan's simulateData and egovsem read the same population
POP = """
f1 =~ 0.7*y1 + 0.7*y2 + 0.7*y3
f2 =~ 0.7*y4 + 0.7*y5 + 0.7*y6
f3 =~ 0.7*y7 + 0.7*y8 + 0.7*y9
f2 ~ 0.3*f1
f3 ~ 0.2*f2 + 0*f1
""" + "\n".join(f"y{i} ~~ 0.51*y{i}" for i in range(1, 10)) + "\nf1 ~~ 1*f1\nf2 ~~ 0.91*f2\nf3 ~~ 0.96*f3\n"
MODEL = """
f1 =~ y1 + y2 + y3
f2 =~ y4 + y5 + y6
f3 =~ y7 + y8 + y9
f2 ~ a*f1
f3 ~ b*f2 + c*f1
ab := a*b
"""
LABELS = {"a": ("f2", "~", "f1"), "b": ("f3", "~", "f2"), "c": ("f3", "~", "f1"), "ab": ("ab", ":=", "a*b")}


def _row(tab, key, n):
    lhs, op, rhs = key
    r = tab[(tab["lhs"] == lhs) & (tab["op"] == op) & (tab["n"] == n)]
    if op != ":=":
        r = r[r["rhs"] == rhs]
    assert len(r) == 1
    return r.iloc[0]


def test_each_replication_equals_a_plain_loop():
    """Replication r at the i-th N is simulate_data(POP, n, seed=SeedSequence(seed, spawn_key=(i, r)))
    fitted by egovsem.sem: same estimates and SEs (the loop's fit stops ~1e-5 from the optimum)."""
    res = power_analysis(POP, MODEL, [120, 200], reps=4, seed=17, n_jobs=1, keep_draws=True)
    for i, n in enumerate([120, 200]):
        d = res.draws[n]
        for r in range(4):
            data = egovsem.simulate_data(POP, n, seed=seed_sequence(17, i, r))
            fit = egovsem.sem(MODEL, data)
            pe = fit.params
            for k, (lhs, op, rhs) in enumerate(d["labels"]):
                row = pe[(pe["lhs"] == lhs) & (pe["op"] == op) & ((pe["rhs"] == rhs) | (op == ":="))].iloc[0]
                assert d["est"][r, k] == pytest.approx(row["est"], abs=2e-4)
                assert d["se"][r, k] == pytest.approx(row["se"], rel=2e-3)


def test_true_zero_path_rejection_rate():
    """2000 replications at N = 150 (about 1.5 s, so in the default suite): the rejection rate of the
    true-zero path f3 ~ f1 within [.03, .07] (.05 +- 4 binomial SDs of .0049); coverage of its 95% CI
    within 3.29 binomial SDs of .95; bias within 3.29 Monte Carlo SEs of zero."""
    res = power_analysis(POP, MODEL, [150], reps=2000, seed=2026)
    r = _row(res.table, LABELS["c"], 150)
    assert 0.03 <= r["power"] <= 0.07
    assert r["converged"] == 1.0
    assert abs(r["coverage"] - 0.95) <= 3.29 * np.sqrt(0.05 * 0.95 / 2000)
    assert abs(r["bias"]) < 3.29 * r["sd_est"] / np.sqrt(2000)
    # the known truth is 0 (the population's f3 ~ f1). What the optimiser guarantees: its convergence
    # criterion stops at max |gradient of F| < 1e-6 (batch quasi-Newton; Fisher scoring stops below 1e-7), and
    # near the optimum gradient = H (theta - theta*), so |theta_k - theta*_k| <= 1e-6 * sum_j |H^-1_kj|
    # (H = twice the expected information, the Hessian of F at an exact fit). Roundoff decides where inside
    # that bound a run ends (7e-17 on one machine, -3.9e-9 on another); the bound itself is the assertion.
    theta, fit, Sp, mp = _true_theta(res)
    ms = fit.spec.meanstructure
    assert np.max(np.abs(ml.gradient(fit.ram, theta, Sp, mp, ms))) < 1e-6
    bound = 1e-6 * np.abs(np.linalg.inv(2.0 * ml.information(fit.ram, theta, ms))).sum(axis=1)
    pt = fit.partable
    k = int(pt[(pt["lhs"] == "f3") & (pt["op"] == "~") & (pt["rhs"] == "f1")]["free"].iloc[0]) - 1
    assert theta[k] == r["true"]
    assert abs(r["true"] - 0.0) <= bound[k]
    assert bound[k] < 1e-5  # a real constraint: a ten-thousandth of the path's SE (about .1) at N = 150


def _true_theta(res):
    """The free-parameter vector of the table's ``true`` column, a fit of MODEL (for its RAM form and
    parameter table) and the population moments of its observed variables."""
    Sigma, mu, names = population_moments(POP)
    fit = egovsem.sem(MODEL, egovsem.simulate_data(POP, 200, seed=1))
    cols = [names.index(v) for v in fit.ram.names[:fit.ram.p]]
    pt = fit.partable
    theta = np.full(fit.theta.size, np.nan)
    n0 = res.table["n"].iloc[0]
    for r in pt[pt["free"] > 0].itertuples():
        theta[r.free - 1] = _row(res.table, (r.lhs, r.op, r.rhs), n0)["true"]
    assert np.isfinite(theta).all()
    return theta, fit, Sigma[np.ix_(cols, cols)], mu[cols]


def test_true_zero_path_rejection_rate_other_seeds():
    """The same at N = 100, 150, 300 with another seed (2000 replications each; about 2 s)."""
    res = power_analysis(POP, MODEL, [100, 150, 300], reps=2000, seed=99)
    for n in (100, 150, 300):
        assert 0.03 <= _row(res.table, LABELS["c"], n)["power"] <= 0.07


def test_power_within_monte_carlo_error_of_lavaan():
    ref = pd.read_csv(REF / "power" / "three_factor.csv")
    ns = sorted(ref["n"].unique().tolist())
    res = power_analysis(POP, MODEL, ns, reps=1000, seed=4)
    for r in ref.itertuples():
        ours = _row(res.table, LABELS[r.label], r.n)
        se = np.sqrt(ours["power"] * (1 - ours["power"]) / 1000 + r.power * (1 - r.power) / r.reps)
        assert abs(ours["power"] - r.power) <= 3 * max(se, 0.005), (r.label, r.n, ours["power"], r.power)
        assert abs(ours["coverage"] - r.coverage) <= 3 * np.sqrt(2 * 0.05 * 0.95 / 1000) + 0.01
        # mean of 1000 (ours) and r.reps (lavaan) estimates whose SD is about .1 at these N: Monte Carlo SE of
        # the difference is below .006, so .02 is over 3 SEs
        assert ours["mean_est"] == pytest.approx(r.mean_est, abs=0.02)


def test_same_seed_same_numbers_on_a_dask_cluster():
    """The same seed gives bit-identical numbers in this process (n_jobs=1), on two local processes and on a
    dask LocalCluster of two worker processes, for power (every replication's estimates and SEs, and the
    table) and for the bootstrap (every draw): the chunks are a function of B alone, every resample draws from
    its own seed and BLAS runs on one thread inside every chunk, so nothing depends on where a chunk runs."""
    distributed = pytest.importorskip("distributed")
    from _refcompare import DATA
    from egovsem.parallel import blas_threads, run_chunks
    from egovsem.sem.bootstrap import bootstrap

    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    fit = egovsem.sem("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr", hs)
    # 300 reps / resamples: two chunks of 250 and 50, so the workers really split the work
    kw = {"reps": 300, "seed": 8, "keep_draws": True}
    runs = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, opt in (("one", {"n_jobs": 1}), ("two", {"n_jobs": 2})):
            runs[name] = (power_analysis(POP, MODEL, [150, 250], **kw, **opt), bootstrap(fit, 300, seed=8, **opt),
                          run_chunks(blas_threads, None, [(), ()], **opt))
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            runs["dask"] = (power_analysis(POP, MODEL, [150, 250], **kw, scheduler=client),
                            bootstrap(fit, 300, seed=8, scheduler=client),
                            run_chunks(blas_threads, None, [(), ()], scheduler=client))
    num = ["power", "mean_est", "bias", "coverage", "converged", "se_mean", "sd_est"]
    one_pw, one_bt, _ = runs["one"]
    for name in ("two", "dask"):
        pw, bt, threads = runs[name]
        assert threads == [1, 1], name
        assert np.array_equal(pw.table[num].to_numpy(float), one_pw.table[num].to_numpy(float), equal_nan=True)
        for n in (150, 250):
            for key in ("est", "se", "converged"):
                assert np.array_equal(pw.draws[n][key], one_pw.draws[n][key]), (name, n, key)
        for key in ("theta", "rows", "std", "converged", "admissible"):
            assert np.array_equal(bt._boot[key], one_bt._boot[key], equal_nan=True), (name, key)
        assert np.array_equal(bt.params["se"].to_numpy(float), one_bt.params["se"].to_numpy(float), equal_nan=True)
    assert runs["one"][2] == [1, 1]  # pinned in this process too while a chunk runs ...
    assert blas_threads() >= 1  # ... and restored afterwards (no lasting side effect on the caller)


def test_cli_power_writes_json_and_figure(tmp_path, capsys):
    pop, mod = tmp_path / "pop.lav", tmp_path / "model.lav"
    pop.write_text(POP)
    mod.write_text(MODEL)
    out = tmp_path / "out" / "power.json"
    code = main(["power", "--population", str(pop), "--model", str(mod), "--n", "100,200", "--reps", "100",
                 "--seed", "1", "--jobs", "1", "--json", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "Smallest N with power >= 0.80" in text and "f2 ~ f1" in text
    data = json.loads(out.read_text())
    # issue 16: the file alone reproduces the run (settings), besides the power table
    assert set(data) == {"settings", "power"}
    st = data["settings"]
    assert (st["seed"], st["reps"], st["alpha"], st["target"], st["n"]) == (1, 100, 0.05, 0.8, [100, 200])
    assert st["population"] == POP and st["model"] == MODEL and st["std_lv"] is False
    import hashlib

    assert st["population_sha256"] == hashlib.sha256(POP.encode()).hexdigest()
    assert st["model_sha256"] == hashlib.sha256(MODEL.encode()).hexdigest()
    assert st["population_file"] == str(pop) and "--seed 1" in st["command"] and "--reps 100" in st["command"]
    assert all(list(r) == ["lhs", "op", "rhs", "n", "power", "mean_est", "bias", "coverage", "converged"]
               for r in data["power"])
    assert {r["n"] for r in data["power"]} == {100, 200}
    png = out.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("args,match", [
    (["--n", "100,abc"], "The '--n' option must be comma-separated integers"),
    (["--n", "1"], "The 'n' parameter must be a list of integers of at least 2"),
    (["--n", "100", "--reps", "0"], "The 'reps' parameter must be a positive integer. Got 0 instead."),
    (["--n", "100", "--alpha", "5"], "The 'alpha' parameter must be a number between 0 and 1. Got 5.0 instead."),
    (["--n", "100", "--scheduler", "localhost:1"], "The 'scheduler' parameter must be a dask scheduler address"),
])
def test_cli_power_bad_input(tmp_path, capsys, args, match):
    pop, mod = tmp_path / "pop.lav", tmp_path / "model.lav"
    pop.write_text(POP)
    mod.write_text(MODEL)
    code = main(["power", "--population", str(pop), "--model", str(mod), "--jobs", "1", *args])
    assert code == 2
    assert match in capsys.readouterr().err


def test_model_variable_missing_from_population():
    with pytest.raises(EgovsemError, match=r"uses variable\(s\) \['z1'\]"):
        power_analysis(POP, MODEL + "\nz1 ~ f1", [100], reps=10, n_jobs=1)


def test_a_replication_near_the_boundary_is_rescued():
    """Replication 31 at N = 100 (seed 1) has f3's residual variance near zero: the warm-started batch
    iteration stalls there, the engine's own fit from its start values converges (as lavaan does), and the
    batch polishes that solution."""
    res = power_analysis(POP, MODEL, [100], reps=32, seed=1, n_jobs=1, keep_draws=True)
    d = res.draws[100]
    assert d["converged"].all()
    fit = egovsem.sem(MODEL, egovsem.simulate_data(POP, 100, seed=seed_sequence(1, 0, 31)))
    pe = fit.params
    for k, (lhs, op, rhs) in enumerate(d["labels"]):
        row = pe[(pe["lhs"] == lhs) & (pe["op"] == op) & ((pe["rhs"] == rhs) | (op == ":="))].iloc[0]
        assert d["est"][31, k] == pytest.approx(row["est"], abs=1e-3)
