"""Two-level ML (egovsem.sem.twolevel) against lavaan 0.6-14 (tests/reference/make_reference_twolevel.R)."""
from __future__ import annotations

import json
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd
import pytest
from _twolevel_models import CFA, TUTORIAL
from egovsem._errors import DataError, DataWarning, EgovsemError, MissingDataWarning, ModelSyntaxError
from egovsem.sem.twolevel import split_levels

REF = Path(__file__).parent / "reference" / "twolevel"

FIT = ["chisq", "df", "cfi", "tli", "rmsea", "srmr_within", "srmr_between", "logl", "aic", "bic", "npar",
       "pvalue", "baseline.chisq", "baseline.df", "unrestricted.logl", "fmin"]


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(b))


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{name}.csv")


def _check(fit, case: str) -> None:
    ref = pd.read_csv(REF / f"{case}_params.csv", keep_default_na=False, na_values=[""])
    ref["rhs"] = ref["rhs"].fillna("")
    pe = fit.parameter_estimates()
    pe["rhs"] = pe["rhs"].fillna("")
    got = {(r.lhs, r.op, r.rhs, int(r.level)): (r.est, r.se) for r in pe.itertuples()}
    assert len(got) == len(ref)
    for r in ref.itertuples():
        key = (r.lhs, r.op, r.rhs, int(r.level))
        assert key in got, key
        est, se = got[key]
        assert _close(est, r.est, 1e-3), (key, est, r.est)
        if r.se > 0:
            assert abs(se - r.se) <= 1e-2 * r.se, (key, se, r.se)
        else:
            assert se == 0, key
    fm = pd.read_csv(REF / f"{case}_fit.csv").set_index("measure")["value"]
    for k in FIT:
        assert _close(float(fit.fit_measures[k]), float(fm[k]), 1e-3), (k, fit.fit_measures[k], fm[k])
    icc = pd.read_csv(REF / f"{case}_icc.csv")
    mine = fit.inspect("icc")
    assert list(mine.index) == list(icc["variable"])
    np.testing.assert_allclose(mine.to_numpy(), icc["icc"].to_numpy(), atol=1e-3)


@pytest.mark.parametrize("case, model, data", [("tutorial", TUTORIAL, "demo_twolevel"),
                                               ("cfa", CFA, "demo_twolevel"),
                                               ("small", TUTORIAL, "demo_small")])
def test_twolevel_matches_lavaan(case: str, model: str, data: str) -> None:
    fit = egovsem.sem(model, _data(data), cluster="cluster")
    assert fit.converged
    _check(fit, case)


def test_singleton_cluster_is_used_like_lavaan() -> None:
    d = _data("demo_twolevel")
    d = d[~((d["cluster"] == 1) & d["cluster"].duplicated())]  # cluster 1 keeps one member
    with pytest.warns(DataWarning, match=r"cluster = 'cluster': 1 of 200 clusters have a single member "
                                         r"\(clusters \[1\], data rows \[1\]\)"):
        fit = egovsem.sem(TUTORIAL, d, cluster="cluster")
    assert fit.nclusters == 200 and fit.nobs == 2496
    _check_no_icc(fit, "singleton")


def _check_no_icc(fit, case: str) -> None:
    ref = pd.read_csv(REF / f"{case}_params.csv", keep_default_na=False, na_values=[""])
    pe = fit.parameter_estimates()
    got = {(r.lhs, r.op, r.rhs if isinstance(r.rhs, str) else "", int(r.level)): (r.est, r.se)
           for r in pe.itertuples()}
    for r in ref.itertuples():
        rhs = r.rhs if isinstance(r.rhs, str) else ""
        est, se = got[(r.lhs, r.op, rhs, int(r.level))]
        assert _close(est, r.est, 1e-3)
        assert abs(se - r.se) <= 1e-2 * max(r.se, 1e-12) or r.se == se == 0
    fm = pd.read_csv(REF / f"{case}_fit.csv").set_index("measure")["value"]
    for k in FIT:
        assert _close(float(fit.fit_measures[k]), float(fm[k]), 1e-3), k


def test_partable_has_block_and_level_columns() -> None:
    fit = egovsem.sem(TUTORIAL, _data("demo_small"), cluster="cluster")
    pt = fit.partable
    assert set(pt["level"]) == {1, 2} and (pt["block"] == pt["level"]).all()
    # the level-1 intercepts of split variables are fixed to 0, their level-2 intercepts are free
    ints = pt[(pt["op"] == "~1") & pt["lhs"].isin(["y1", "y2", "y3"])]
    assert (ints.loc[ints["level"] == 1, "free"] == 0).all()
    assert (ints.loc[ints["level"] == 2, "free"] > 0).all()
    from egovsem.sem.inspect import inspect

    pd.testing.assert_series_equal(inspect(fit, "icc"), fit.inspect("icc"))
    assert inspect(fit, "nclusters") == 200


def test_bad_input_messages() -> None:
    d = _data("demo_twolevel")
    one = d.assign(cluster=1)
    with pytest.raises(DataError, match=r"cluster = 'cluster' has 1 cluster"):
        egovsem.sem(TUTORIAL, one, cluster="cluster")
    bad = d.copy()
    bad.loc[3, "w1"] = 5.0  # row 4 of cluster 1
    with pytest.raises(DataError, match=r"level-2 variable 'w1' varies within cluster 1 .*data rows \[1, 2, 3, 4, 5\]"):
        egovsem.sem(TUTORIAL, bad, cluster="cluster")
    with pytest.raises(EgovsemError, match="needs cluster ="):
        egovsem.sem(TUTORIAL, d)
    with pytest.raises(EgovsemError, match="estimator = 'MLR'"):
        egovsem.sem(TUTORIAL, d, cluster="cluster", estimator="MLR")
    with pytest.raises(DataError, match="no such column"):
        egovsem.sem(TUTORIAL, d, cluster="school")
    miss = d.copy()
    miss.loc[[2, 7], "y1"] = np.nan  # listwise deletion (lavaan's default) is now done, with a warning
    with pytest.warns(MissingDataWarning, match=r"2 of 2500 rows have a missing value .*\(data rows \[3, 8\]\)"):
        assert egovsem.sem(TUTORIAL, miss, cluster="cluster").nobs == 2498


def test_level_syntax_errors() -> None:
    assert split_levels("level: 1\n f =~ a + b + c\nlevel: 2\n g =~ a + b + c")[1].strip() == "g =~ a + b + c"
    assert split_levels("level: within\n a ~~ a\nlevel: between\n a ~~ a")[0].strip() == "a ~~ a"
    with pytest.raises(ModelSyntaxError, match="needs both"):
        split_levels("level: 1\n a ~~ a")
    with pytest.raises(ModelSyntaxError, match="line 1: statement before the first 'level:'"):
        split_levels("a ~~ a\nlevel: 1\n a ~~ a\nlevel: 2\n a ~~ a")
    with pytest.raises(ModelSyntaxError, match="level '3' is not supported"):
        split_levels("level: 1\n a ~~ a\nlevel: 3\n a ~~ a")


def test_cli_fit_with_cluster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from egovsem.cli import main

    mfile = tmp_path / "m.lav"
    mfile.write_text(TUTORIAL, encoding="utf-8")
    rc = main(["fit", str(mfile), str(REF / "demo_small.csv"), "--cluster", "cluster",
               "--json", str(tmp_path / "fit.json")])
    assert rc == 0
    assert "chisq = 6.701, df = 10" in capsys.readouterr().out
    js = json.loads((tmp_path / "fit.json").read_text(encoding="utf-8"))
    assert abs(js["fit_measures"]["logl"] - (-3438.56767)) < 1e-2


def test_fiml_estimates_match_lavaan() -> None:
    """missing = 'ml' with 10% of the y1-y3 cells missing: every parameterEstimates() row (est, se) and the
    fit measures. (In the default run since the batched casewise likelihood, egovsem.sem.twolevel_fiml.)"""
    fit = egovsem.sem(TUTORIAL, _data("demo_missing10"), cluster="cluster", missing="ml")
    assert fit.converged
    ref = pd.read_csv(REF / "fiml_params.csv", keep_default_na=False, na_values=[""])
    pe = fit.parameter_estimates()
    got = {(r.lhs, r.op, r.rhs if isinstance(r.rhs, str) else "", int(r.level)): (r.est, r.se)
           for r in pe.itertuples()}
    assert len(got) == len(ref)
    for r in ref.itertuples():
        rhs = r.rhs if isinstance(r.rhs, str) else ""
        est, se = got[(r.lhs, r.op, rhs, int(r.level))]
        assert _close(est, r.est, 1e-3), (r.lhs, r.op, rhs, est, r.est)
        assert abs(se - r.se) <= 1e-2 * r.se or r.se == se == 0, (r.lhs, r.op, rhs, se, r.se)
    fm = pd.read_csv(REF / "fiml_fit.csv").set_index("measure")["value"]
    for k in FIT:
        assert _close(float(fit.fit_measures[k]), float(fm[k]), 1e-3), (k, fit.fit_measures[k], fm[k])


def _dense_m2ll(d: pd.DataFrame, S1, m1, S2, m2) -> float:
    """The casewise -2 logL of each cluster's observed cells from its full covariance matrix (no Woodbury),
    for ov1 = y1-y3, x1-x3 and ov2 = y1-y3, w1, w2."""
    from scipy.stats import multivariate_normal

    total = 0.0
    for _, g in d.groupby("cluster"):
        Y = g[["y1", "y2", "y3", "x1", "x2", "x3"]].to_numpy(float)
        n = len(Y)
        B = np.zeros((6, 6))
        B[:3, :3] = S2[:3, :3]
        V = np.kron(np.ones((n, n)), B) + np.kron(np.eye(n), S1)
        czy = np.zeros((2, 6))
        czy[:, :3] = S2[3:, :3]
        V = np.block([[S2[3:, 3:], np.tile(czy, (1, n))], [np.tile(czy, (1, n)).T, V]])
        mu_y = m1.copy()
        mu_y[:3] += m2[:3]
        x = np.concatenate([g[["w1", "w2"]].to_numpy(float)[0], Y.ravel()])
        mu = np.concatenate([m2[3:], np.tile(mu_y, n)])
        o = ~np.isnan(x)
        total += -2 * multivariate_normal(mu[o], V[np.ix_(o, o)]).logpdf(x[o]) - o.sum() * np.log(2 * np.pi)
    return float(total)


def test_batched_fiml_likelihood_equals_dense_casewise() -> None:
    """The Woodbury / missing-pattern batched likelihood equals the dense per-cluster likelihood, and its
    gradient (Fisher's identity) equals central differences of the value."""
    from egovsem.sem.twolevel import Layout, cluster_stats, objective

    d = _data("demo_missing10")
    d = d[d["cluster"] <= 12]
    ov1, ov2 = ("y1", "y2", "y3", "x1", "x2", "x3"), ("y1", "y2", "y3", "w1", "w2")
    L = Layout(ov1, ov2, ("w1", "w2"), ("y1", "y2", "y3"), ("x1", "x2", "x3"))
    cs = cluster_stats(d, ov1, ("w1", "w2"), "cluster", fiml=True, x=("x1", "x2", "x3"))
    rng = np.random.default_rng(13)
    A, B = rng.normal(size=(6, 6)), rng.normal(size=(5, 5))
    S1, S2 = A @ A.T / 6 + np.eye(6), B @ B.T / 5 + 0.5 * np.eye(5)
    m1, m2 = rng.normal(size=6), rng.normal(size=5)
    f, gW, gm1, g2, gm2 = objective(L, cs, S1, m1, S2, m2, grad=True)
    assert abs(f - _dense_m2ll(d, S1, m1, S2, m2)) < 1e-8 * abs(f)
    h = 1e-6
    for i, j in ((0, 0), (1, 0), (4, 2), (5, 5)):
        E = np.zeros((6, 6))
        E[i, j] = E[j, i] = h
        num = (objective(L, cs, S1 + E, m1, S2, m2) - objective(L, cs, S1 - E, m1, S2, m2)) / (2 * h)
        assert abs(num - gW[i, j] * (1 if i == j else 2)) < 1e-5 * max(1.0, abs(num))
    for i, j in ((0, 0), (3, 1), (4, 3), (2, 1)):
        E = np.zeros((5, 5))
        E[i, j] = E[j, i] = h
        num = (objective(L, cs, S1, m1, S2 + E, m2) - objective(L, cs, S1, m1, S2 - E, m2)) / (2 * h)
        assert abs(num - g2[i, j] * (1 if i == j else 2)) < 1e-5 * max(1.0, abs(num))
    for k in range(6):
        e = np.zeros(6)
        e[k] = h
        num = (objective(L, cs, S1, m1 + e, S2, m2) - objective(L, cs, S1, m1 - e, S2, m2)) / (2 * h)
        assert abs(num - gm1[k]) < 1e-5 * max(1.0, abs(num))
    for k in range(5):
        e = np.zeros(5)
        e[k] = h
        num = (objective(L, cs, S1, m1, S2, m2 + e) - objective(L, cs, S1, m1, S2, m2 - e)) / (2 * h)
        assert abs(num - gm2[k]) < 1e-5 * max(1.0, abs(num))
