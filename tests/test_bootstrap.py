"""The bootstrap (se="bootstrap", egovsem.sem.bootstrap) against full refits and against lavaan 0.6-14.

lavaan's reference runs were written by tests/reference/make_reference_bootstrap.R (committed beside its
output in tests/reference/bootstrap/). lavaan draws its resamples with R's generator and egovsem with
numpy's, so the two are independent bootstraps of the same data: SEs and interval ends are compared within
Monte Carlo error, and the Monte Carlo error is computed, not guessed (see ``_quantile_se``).
"""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, row_key
from egovsem._errors import EgovsemError, NotAvailableError
from egovsem.sem import ml
from egovsem.sem.bootstrap import bollen_stine, bootstrap, resample_indices
from egovsem.sem.data import prepare_data
from egovsem.sem.model import _fill_fixed_x, start_values
from egovsem.sem.ram import RAM
from egovsem.sem.standardize import standardized_columns
from test_sem_reference import CASES, PD_SEM

BOOTREF = REF / "bootstrap"
PATH_FX = "x4 ~ a*x1 + x2\nx5 ~ b*x4 + x3\nind := a*b"


def _fit(case_or_model, data_name=None, **opts):
    if data_name is None:
        data_name, model, opts0 = CASES[case_or_model]
        opts = {**opts0, **opts}
    else:
        model = case_or_model
    df = pd.read_csv(DATA / f"{data_name}.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return egovsem.sem(model, df, **opts), model, df


def _boot(fit, B, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bootstrap(fit, B, **kw)


def _read_ref(name):
    ref = pd.read_csv(BOOTREF / f"{name}_params.csv", keep_default_na=False, na_values=[""])
    info = pd.read_csv(BOOTREF / f"{name}_info.csv").set_index("key")["value"]
    return ref, info


def _row_map(params: pd.DataFrame) -> dict:
    return {row_key(r.lhs, r.op, r.rhs): i for i, r in enumerate(params.itertuples())}


def _full_refit(fit, X: np.ndarray):
    """An independent fit of the rows X: the engine's own start values and Fisher scoring, run to a tight
    tolerance (the default tolerance stops ~1e-5 from the optimum, as lavaan's does)."""
    spec = fit.spec
    stats = prepare_data(pd.DataFrame(X, columns=spec.ov), spec.ov)
    pt = _fill_fixed_x(spec, stats)
    ram = RAM.from_partable(pt, spec.ov, spec.lv)
    theta0 = start_values(spec, pt, ram, stats)
    st = ml.fisher_scoring(ram, theta0, stats.cov, stats.mean, meanstructure=spec.meanstructure,
                           tol=1e-20, iter_max=20000)
    return st, pt, ram


@pytest.mark.parametrize("case", ["pd_indirect", "path_fixedx", "hs_cfa_means"])
def test_each_resample_equals_a_full_refit(case):
    """Every resample's estimates, std.all and := values equal a full refit of that resample's rows."""
    fit, model, _ = _fit(case)
    B, seed = 8, 11
    bt = _boot(fit, B, seed=seed, n_jobs=1)
    draws = bt._boot
    X = fit.stats.X
    for b in range(B):
        idx = resample_indices(X.shape[0], b, seed)
        st, pt, ram = _full_refit(fit, X[idx])
        assert draws["converged"][b]
        np.testing.assert_allclose(draws["theta"][b], st.theta, atol=1e-6, rtol=0)
        est = np.where(pt["free"] > 0, st.theta[np.maximum(pt["free"].to_numpy() - 1, 0)], pt["ustart"])
        std = standardized_columns(pt, est, ram, st.theta, fit.spec)["std.all"]
        np.testing.assert_allclose(draws["rows"][b], est, atol=1e-6, rtol=0)
        np.testing.assert_allclose(draws["std"][b], std, atol=1e-6, rtol=0)
    if fit.spec.defined:
        # := on the draws: the same function of the row values as Results evaluates on the estimates
        names = [d[0] for d in fit.spec.defined]
        env_check = fit.params.set_index("lhs").loc[names, "est"].to_numpy()
        full = bt._payload.maps.defined_values(np.asarray(fit.params["est"].to_numpy()[: len(pt)])[None])[0]
        np.testing.assert_allclose(full, env_check, atol=1e-10)


def test_same_seed_same_draws_whatever_the_processes():
    fit, _, _ = _fit("pd_indirect")
    # 300 resamples: chunks of 250 and 50 (bootstrap.CHUNK), so two processes really split the work
    one = _boot(fit, 300, seed=5, n_jobs=1)
    two = _boot(fit, 300, seed=5, n_jobs=2)
    # bit-identical: fixed chunks (a function of B alone), per-resample seeds, BLAS on one thread per chunk
    assert np.array_equal(one._boot["theta"], two._boot["theta"])
    assert np.array_equal(one.params["ci.lower"].to_numpy(float), two.params["ci.lower"].to_numpy(float),
                          equal_nan=True)
    other = _boot(fit, 300, seed=6, n_jobs=1)
    assert np.abs(other._boot["theta"] - one._boot["theta"]).max() > 1e-3


def _quantile_se(draws: np.ndarray, prob: float) -> float:
    """Monte Carlo SE of the ``prob`` quantile of B draws: the spread of the order statistics within one
    binomial SD of rank ``B * prob`` (no density estimate needed)."""
    t = np.sort(draws[np.isfinite(draws)])
    B = t.size
    d = np.sqrt(B * prob * (1 - prob))
    lo = int(np.clip(np.floor(B * prob - d), 0, B - 1))
    hi = int(np.clip(np.ceil(B * prob + d), 0, B - 1))
    return (t[hi] - t[lo]) / 2


def test_pd_indirect_intervals_within_monte_carlo_error_of_lavaan():
    """PoliticalDemocracy a*b (est 1.242), B = 500: percentile and BCa ends within 3 Monte Carlo SEs of a
    difference of two independent bootstraps (sqrt(2) x the SE of one end) of lavaan's."""
    fit, _, _ = _fit("pd_indirect")
    bt = _boot(fit, 500, seed=1234)
    ref, info = _read_ref("pd_indirect_b500")
    r = ref[ref["lhs"] == "ab"].iloc[0]
    i = int(np.flatnonzero(bt.params["lhs"] == "ab")[0])
    assert bt.params["est"].iloc[i] == pytest.approx(1.2418, abs=1e-3)
    draws = bt._draw_matrix("est")[:, i]
    for kind in ("perc", "bca"):
        ours = bt.intervals(kind)[i]
        assert ours[0] < bt.params["est"].iloc[i] < ours[1]
        for end, prob, col in ((0, 0.025, "lower"), (1, 0.975, "upper")):
            mc = np.sqrt(2) * _quantile_se(draws, prob)
            theirs = float(r[f"{kind}.{col}"])
            assert abs(ours[end] - theirs) <= 3 * mc, (kind, col, ours[end], theirs, mc)
    np.testing.assert_allclose(bt.params.loc[i, ["ci.lower", "ci.upper"]].to_numpy(float), bt.intervals("perc")[i])
    # inadmissible (dem65's residual variance below zero) share within 3 binomial SEs of lavaan's
    p_lav = float(info["nonadmissible"]) / 500
    p_ours = bt.bootstrap_info["inadmissible"] / 500
    assert abs(p_ours - p_lav) <= 3 * np.sqrt(2 * p_lav * (1 - p_lav) / 500)
    assert bt.bootstrap_info["failed"] == int(info["failed"]) == 0


@pytest.mark.parametrize("name,case", [("pd_indirect_b1000", "pd_indirect"), ("path_fixedx_b1000", PATH_FX)])
def test_bootstrap_se_within_10_percent_of_lavaan(name, case):
    """B = 1000: SEs of the := parameters within 10% of lavaan's se="bootstrap" (the Monte Carlo SE of a
    bootstrap SE at B = 1000 is about 2.2%, of the difference of two about 3.2%: 10% is 3 of those);
    every other free parameter within 15% (smaller, skewed variances have larger Monte Carlo error)."""
    fit, _, _ = _fit(case) if case in CASES else _fit(case, "HolzingerSwineford1939")
    bt = _boot(fit, 1000, seed=2026)
    ref, _ = _read_ref(name)
    ours = _row_map(bt.params)
    checked = 0
    for r in ref.itertuples():
        key = row_key(r.lhs, r.op, r.rhs)
        assert key in ours, f"lavaan row {key} missing"
        row = bt.params.iloc[ours[key]]
        assert row["est"] == pytest.approx(r.est, abs=1e-3 * max(1, abs(r.est)))
        if not np.isfinite(r.se) or r.se == 0:
            assert row["se"] == 0 or not np.isfinite(row["se"])
            continue
        tol = 0.10 if r.op == ":=" else 0.15
        assert abs(row["se"] - r.se) <= tol * r.se, (key, row["se"], r.se)
        checked += r.op == ":="
    assert checked == len(fit.spec.defined)


def test_sem_se_bootstrap_hook():
    fit, model, df = _fit("pd_indirect", se="bootstrap", bootstrap=50, seed=3)
    assert fit.options["se"] == "bootstrap" and fit.options["boot_ci_type"] == "perc"
    d = fit.to_dict()
    assert {"params", "fit", "bootstrap"} <= set(d)
    info = d["bootstrap"]
    assert info["B"] == 50 and info["successful"] + info["failed"] == 50 and info["seed"] == 3
    assert "inadmissible" in info and "Bootstrap: 50 resamples" in fit.summary()
    plain, _, _ = _fit("pd_indirect")
    np.testing.assert_allclose(fit.params["est"], plain.params["est"])
    np.testing.assert_allclose(fit.fit_measures["chisq"], plain.fit_measures["chisq"])
    # standardised solution with bootstrap intervals
    std = fit.standardized
    assert list(std.columns[:6]) == ["lhs", "op", "rhs", "group", "label", "est.std"]
    ab = std[std["lhs"] == "ab"].iloc[0]
    assert ab["ci.lower"] < ab["est.std"] < ab["ci.upper"]


def test_bollen_stine_pvalue_within_monte_carlo_error_of_lavaan():
    fit, _, _ = _fit(PD_SEM, "PoliticalDemocracy")
    ref = pd.read_csv(BOOTREF / "bollen_stine.csv").set_index("key")["value"]
    out = bollen_stine(fit, 1000, seed=9)
    assert out["chisq"] == pytest.approx(float(ref["chisq"]), rel=1e-3)
    p_lav = float(ref["pvalue"])
    assert abs(out["pvalue"] - p_lav) <= 3 * np.sqrt(2 * p_lav * (1 - p_lav) / 1000), (out, p_lav)


@pytest.mark.parametrize("kwargs,match", [
    ({"bootstrap": 0}, "The 'bootstrap' parameter must be an integer of at least 2"),
    ({"bootstrap": 10, "seed": -1}, "The 'seed' parameter must be a non-negative integer"),
    ({"bootstrap": 10, "estimator": "MLR"}, "available for ML with missing="),
    # multi-group bootstrap is a feature since issue 11 (tests/test_bootstrap_groups.py); a typo in the group
    # column is named
    ({"bootstrap": 10, "group": "school"}, "The 'group' column 'school' is not a column of 'data'"),
])
def test_bad_bootstrap_options(kwargs, match):
    df = pd.read_csv(DATA / "PoliticalDemocracy.csv")
    with pytest.raises(EgovsemError, match=match):
        egovsem.sem("ind60 =~ x1 + x2 + x3", df, se="bootstrap", **kwargs)


def test_bad_ci_type():
    fit, _, _ = _fit("path_fixedx")
    with pytest.raises(EgovsemError, match="The 'ci' parameter must be one of 'perc', 'bca', 'norm'. Got 'basic'"):
        bootstrap(fit, 10, ci="basic")
    with pytest.raises(NotAvailableError):
        egovsem.sem("ind60 =~ x1 + x2 + x3", pd.read_csv(DATA / "PoliticalDemocracy.csv"), se="bootstrap",
                    estimator="MLR")


# -- mediation helper --------------------------------------------------------------------------------
CHAIN = """
x4 ~ a1*x1
x5 ~ a2*x4 + a3*x1
x6 ~ b1*x5 + b2*x4 + c*x1
i1 := a1*a2*b1
i2 := a1*b2
i3 := a3*b1
tot := c + a1*a2*b1 + a1*b2 + a3*b1
"""


@pytest.mark.parametrize("ci", ["perc", "bca", "norm"])
def test_effects_equal_the_hand_written_defined_parameters(ci):
    """Every chain x1 -> ... -> x6 found from the model, with the numbers of the := parameters one writes
    by hand (same resamples)."""
    from egovsem.sem.mediation import effects

    fit, _, _ = _fit(CHAIN, "HolzingerSwineford1939")
    bt = _boot(fit, 300, seed=4, n_jobs=1, ci=ci)
    tab = effects(bt, "x1", "x6", ci=ci)
    assert tab["effect"].tolist() == ["indirect"] * 3 + ["total indirect", "direct", "total"]
    assert set(tab["path"][:3]) == {"x1 -> x4 -> x5 -> x6", "x1 -> x4 -> x6", "x1 -> x5 -> x6"}
    pe = bt.params.set_index("lhs")
    by_path = {"x1 -> x4 -> x5 -> x6": "i1", "x1 -> x4 -> x6": "i2", "x1 -> x5 -> x6": "i3", "x1 => x6": "tot"}
    for r in tab.itertuples():
        if r.path not in by_path:
            continue
        d = pe.loc[by_path[r.path]]
        assert r.est == pytest.approx(d["est"], abs=1e-12)
        assert r.se == pytest.approx(d["se"], rel=1e-10)
        if ci != "norm":  # lavaan's norm bias for := is taken at the mean free-parameter draw
            assert r._7 == pytest.approx(d["ci.lower"], abs=1e-10)
            assert r._8 == pytest.approx(d["ci.upper"], abs=1e-10)
        assert r._9 == pytest.approx(d["std.all"], abs=1e-10)
    direct = tab[tab["effect"] == "direct"].iloc[0]
    assert direct["est"] == pytest.approx(pe.loc["x6"].query("rhs == 'x1'")["est"].iloc[0])
    assert tab.attrs["bootstrap"]["B"] == 300


def test_effects_draw_a_bootstrap_for_a_plain_fit_and_check_names():
    from egovsem.sem.mediation import effects

    fit, _, _ = _fit("pd_indirect")
    tab = effects(fit, "ind60", "dem65", bootstrap_draws=100, seed=2, n_jobs=1)
    assert tab["est"].iloc[0] == pytest.approx(1.2418, abs=1e-3)
    assert tab["ci.lower"].iloc[0] < tab["est"].iloc[0] < tab["ci.upper"].iloc[0]
    with pytest.raises(EgovsemError, match="The 'x' parameter must be a variable of the model"):
        effects(fit, "ind6O", "dem65")
    with pytest.raises(EgovsemError, match="no directed path"):
        effects(fit, "dem65", "ind60")
