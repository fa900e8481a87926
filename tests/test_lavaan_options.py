"""lavaan's fitting options against lavaan 0.6-14 (tests/reference/make_reference_options.R): orthogonal,
std_ov, group_partial, growth(), lavaan() with its auto.* switches, and lavaan-check's hsbmis2 case. Every row
of parameterEstimates() (est, se, std.lv, std.all, std.nox) and of fitMeasures() is matched, and the number of
analysed rows of each group."""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, compare_group_params, compare_params, compare_series, read_kv, read_ref
from egovsem import EgovsemError
from egovsem._errors import MissingDataWarning

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
GROWTH = "i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4\ns =~ 0*t1 + 1*t2 + 2*t3 + 3*t4"
GROWTH_X = GROWTH + "\ni ~ x1 + x2\ns ~ x1 + x2"
LAV_FULL = """
visual  =~ 1*x1 + x2 + x3
textual =~ 1*x4 + x5 + x6
speed   =~ 1*x7 + x8 + x9
x1 ~~ x1
x2 ~~ x2
x3 ~~ x3
x4 ~~ x4
x5 ~~ x5
x6 ~~ x6
x7 ~~ x7
x8 ~~ x8
x9 ~~ x9
visual ~~ visual
textual ~~ textual
speed ~~ speed
visual ~~ textual + speed
textual ~~ speed
"""
HSB = "write ~ female + read + math"
PARTIAL = dict(group="school", group_equal=["loadings", "intercepts"], group_partial=["visual =~ x2", "x3 ~ 1"])

# case: (function, data file stem, model, options), as in make_reference_options.R
CASES = {
    "orthogonal": (egovsem.cfa, "HolzingerSwineford1939", HS, dict(orthogonal=True)),
    "std_ov": (egovsem.cfa, "HolzingerSwineford1939", HS, dict(std_ov=True)),
    "std_ov_std_lv": (egovsem.cfa, "HolzingerSwineford1939", HS, dict(std_ov=True, std_lv=True, orthogonal=True)),
    "partial": (egovsem.cfa, "HolzingerSwineford1939", HS, PARTIAL),
    "growth": (egovsem.growth, "Demo.growth", GROWTH, {}),
    "growth_x": (egovsem.growth, "Demo.growth", GROWTH_X, {}),
    "lavaan_full": (egovsem.lavaan, "HolzingerSwineford1939", LAV_FULL, {}),
    "lavaan_auto": (egovsem.lavaan, "HolzingerSwineford1939", HS, dict(auto_var=True, auto_fix_first=True)),
    "lavaan_means": (egovsem.lavaan, "HolzingerSwineford1939", HS,
                     dict(auto_var=True, auto_fix_first=True, auto_cov_lv_x=True, meanstructure=True,
                          int_ov_free=True)),
    "hsbmis2": (egovsem.sem, "hsbmis2", HSB, dict(missing="ml")),
    "hsbmis2_orthogonal": (egovsem.sem, "hsbmis2", HSB, dict(missing="ml", orthogonal=True)),
}


@pytest.fixture(scope="module")
def fits():
    out = {}
    for case, (fun, data, model, opts) in CASES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[case] = fun(model, pd.read_csv(DATA / f"{data}.csv"), **opts)
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_params_match_lavaan(fits, case):
    ref = read_ref(case, "params", "options")
    fit = fits[case]
    if ref["group"].nunique() > 1:
        problems = compare_group_params(fit.params, ref)
    else:
        problems = compare_params(fit.params, ref)
    assert not problems, "\n".join(problems)


# Hoelter's critical N at df = 0 (lavaan's lav_fit_cn): NA when the statistic is below machine epsilon, else 1.
# At df = 0 the statistic is the optimiser's rounding noise (hsbmis2: lavaan 0, egovsem 7.7e-11, both
# matching 0 to the tolerance of the chisq row), so these rows are checked against that rule applied to each
# side's chisq, as in tests/test_sem_df0.py (tests/reference/df0/NOTES.md).
CN_ROWS = ["cn_05", "cn_01"]


def _cn_rule(chisq: float) -> float:
    return np.nan if chisq < np.finfo(float).eps else 1.0


@pytest.mark.parametrize("case", list(CASES))
def test_fit_measures_match_lavaan(fits, case):
    ref = read_kv(case, "fit", "options")
    ours = fits[case].fit_measures
    df0 = float(ref["df"]) == 0
    problems = compare_series(ours, ref.drop(CN_ROWS) if df0 else ref)
    assert not problems, "\n".join(problems)
    if df0:
        assert float(ours["df"]) == 0
        for k in CN_ROWS:
            assert np.array_equal(ref[k], _cn_rule(ref["chisq"]), equal_nan=True), (k, ref[k], ref["chisq"])
            assert np.array_equal(ours[k], _cn_rule(ours["chisq"]), equal_nan=True), (k, ours[k], ours["chisq"])


@pytest.mark.parametrize("case", list(CASES))
def test_nobs_match_lavaan(fits, case):
    ref = read_ref(case, "nobs", "options")
    fit = fits[case]
    stats = fit.group_stats if ref.shape[0] > 1 else [fit.stats]
    assert [int(s.nobs) for s in stats] == ref["nobs"].astype(int).tolist()


def test_hsbmis2_drops_rows_with_a_missing_covariate():
    """lavaan 0.6-14 with missing = "ml" and fixed.x = TRUE deletes the 124 rows with a missing x (76 remain)."""
    data = pd.read_csv(DATA / "hsbmis2.csv")
    with pytest.warns(MissingDataWarning, match="124 rows"):
        egovsem.sem(HSB, data, missing="ml")


def test_std_ov_uses_n_minus_1():
    """std_ov standardises with R's scale(): the sample covariance (divisor N) of x1 is (N - 1) / N."""
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    fit = egovsem.cfa(HS, hs, std_ov=True)
    assert fit.stats.cov[0, 0] == pytest.approx(300 / 301, rel=1e-12)


def test_group_partial_frees_the_listed_parameters(fits):
    pt = fits["partial"].params
    x2 = pt[(pt["lhs"] == "visual") & (pt["op"] == "=~") & (pt["rhs"] == "x2")]["est"].to_numpy()
    x3 = pt[(pt["lhs"] == "x3") & (pt["op"] == "~1")]["est"].to_numpy()
    x5 = pt[(pt["lhs"] == "textual") & (pt["op"] == "=~") & (pt["rhs"] == "x5")]["est"].to_numpy()
    assert x2[0] != pytest.approx(x2[1], abs=1e-3) and x3[0] != pytest.approx(x3[1], abs=1e-3)
    assert x5[0] == pytest.approx(x5[1], abs=1e-12)


@pytest.mark.parametrize("value, shown", [
    (["visual =~ x99"], "'visual =~ x99'"),
    (["visual =~ x2", "vsual =~ x2"], "'vsual =~ x2'"),
    (["visual x2"], "'visual x2'"),
    (["x3 ~ "], "'x3 ~ '"),
    (["x33 ~ 1"], "'x33 ~ 1'"),
    ([3], "3"),
])
def test_group_partial_typo_names_the_argument_and_value(value, shown):
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    with pytest.raises(EgovsemError, match="group_partial") as err:
        egovsem.cfa(HS, hs, group="school", group_equal=["loadings", "intercepts"], group_partial=value)
    assert shown in str(err.value)


def test_group_partial_needs_group_and_group_equal():
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    with pytest.raises(EgovsemError, match="group_partial.*group="):
        egovsem.cfa(HS, hs, group_partial=["visual =~ x2"])
    with pytest.raises(EgovsemError, match="group_partial.*group_equal"):
        egovsem.cfa(HS, hs, group="school", group_partial=["visual =~ x2"])


def test_lavaan_adds_nothing_and_sem_is_lavaan_with_the_switches_on():
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    switches = dict(auto_var=True, auto_fix_first=True, auto_fix_single=True, auto_cov_lv_x=True, auto_cov_y=True,
                    int_ov_free=True)
    a = egovsem.lavaan(HS, hs, **switches)
    b = egovsem.cfa(HS, hs)
    assert a.fit_measures["chisq"] == pytest.approx(b.fit_measures["chisq"], rel=1e-10)
    # without auto_var the residual variances are fixed to 0, as lavaan's parTable shows them
    spec = egovsem.Model("f =~ x1 + x2 + x3", **{k: False for k in switches}).spec
    var = spec.partable[(spec.partable["op"] == "~~")]
    assert (var["free"] == 0).all() and (var["ustart"] == 0).all()
    assert (spec.partable.loc[spec.partable["op"] == "=~", "free"] > 0).all()


def test_orthogonal_keeps_written_covariances_free():
    """lavaan's orthogonal fixes only the covariances among latent variables it adds itself."""
    spec = egovsem.Model("f1 =~ x1 + x2 + x3; f2 =~ x4 + x5 + x6; f3 =~ x7 + x8 + x9; f1 ~~ f2",
                         orthogonal=True).spec
    pt = spec.partable
    cov = pt[(pt["op"] == "~~") & (pt["lhs"] != pt["rhs"])].set_index(["lhs", "rhs"])
    assert cov.loc[("f1", "f2"), "free"] > 0
    assert cov.loc[("f1", "f3"), "free"] == 0 and cov.loc[("f2", "f3"), "free"] == 0


@pytest.mark.parametrize("name", ["orthogonal", "std_ov", "auto_var", "int_ov_free"])
def test_switches_must_be_bool(name):
    with pytest.raises(EgovsemError, match=name):
        egovsem.Model(HS, **{name: "yes"})


# ------------------------------------------------------------------------------------------------ CLI --
@pytest.fixture()
def hs_file(tmp_path):
    p = tmp_path / "hs.lav"
    p.write_text(HS + "\n")
    return p


def _cli_fit(args, tmp_path, capsys):
    from egovsem.cli import main

    out = tmp_path / "out.json"
    code = main(["fit", *map(str, args), "--json", str(out)])
    captured = capsys.readouterr()
    return code, captured, out


def test_cli_group_partial_and_orthogonal(hs_file, tmp_path, capsys):
    import json

    code, _, out = _cli_fit([hs_file, DATA / "HolzingerSwineford1939.csv", "--group", "school", "--group-equal",
                             "loadings,intercepts", "--group-partial", "visual =~ x2, x3 ~ 1"], tmp_path, capsys)
    assert code == 0
    ref = read_kv("partial", "fit", "options")
    assert json.loads(out.read_text())["fit"]["chisq"] == pytest.approx(float(ref["chisq"]), rel=1e-6)
    code, _, out = _cli_fit([hs_file, DATA / "HolzingerSwineford1939.csv", "--orthogonal", "--std-ov", "--std-lv"],
                            tmp_path, capsys)
    assert code == 0
    ref = read_kv("std_ov_std_lv", "fit", "options")
    assert json.loads(out.read_text())["fit"]["chisq"] == pytest.approx(float(ref["chisq"]), rel=1e-6)


def test_cli_function_growth_and_lavaan(tmp_path, hs_file, capsys):
    import json

    g = tmp_path / "growth.lav"
    g.write_text(GROWTH + "\n")
    code, _, out = _cli_fit([g, DATA / "Demo.growth.csv", "--function", "growth"], tmp_path, capsys)
    assert code == 0
    assert json.loads(out.read_text())["fit"]["chisq"] == pytest.approx(float(read_kv("growth", "fit", "options")["chisq"]),
                                                                        rel=1e-6)
    code, _, out = _cli_fit([hs_file, DATA / "HolzingerSwineford1939.csv", "--function", "lavaan", "--auto-var",
                             "--auto-fix-first"], tmp_path, capsys)
    assert code == 0
    ref = read_kv("lavaan_auto", "fit", "options")
    assert json.loads(out.read_text())["fit"]["df"] == float(ref["df"])
    assert json.loads(out.read_text())["fit"]["chisq"] == pytest.approx(float(ref["chisq"]), rel=1e-6)


def test_cli_group_partial_typo_is_a_message(hs_file, tmp_path, capsys):
    code, captured, _ = _cli_fit([hs_file, DATA / "HolzingerSwineford1939.csv", "--group", "school",
                                  "--group-equal", "loadings", "--group-partial", "visual =~ x99"], tmp_path, capsys)
    assert code != 0
    assert "group_partial" in captured.err and "'visual =~ x99'" in captured.err
    assert "Traceback" not in captured.err


def test_cli_pls_refuses_cbsem_options(hs_file, tmp_path, capsys):
    code, captured, _ = _cli_fit([hs_file, DATA / "HolzingerSwineford1939.csv", "--method", "pls", "--orthogonal"],
                                 tmp_path, capsys)
    assert code != 0 and "--orthogonal" in captured.err
