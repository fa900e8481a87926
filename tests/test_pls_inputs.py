"""Bad input to egovsem.pls and ``egovsem fit --method pls``: every message names the argument, the value and
the construct or column; CB-SEM fits ``<~`` composites as lavaan (no longer refused); the CLI and JSON contract."""
from __future__ import annotations

import json

import egovsem
import numpy as np
import pandas as pd
import pytest
from _pls_models import DATA, MOBI2, MOBI4, mobi
from _refcompare import REF
from egovsem import DataError, EgovsemError, ModelSyntaxError
from egovsem.cli import main


@pytest.fixture(scope="module")
def data():
    return mobi()


def test_construct_without_indicators(data):
    with pytest.raises(ModelSyntaxError, match=r"line 3: the construct 'Quality' has no indicators \(not defined\)"):
        egovsem.pls("Image =~ IMAG1 + IMAG2\nSatisfaction =~ CUSA1 + CUSA2\nSatisfaction ~ Image + Quality", data)
    with pytest.raises(ModelSyntaxError, match="line 3: the operator '=~' needs something on both sides"):
        egovsem.pls("Satisfaction =~ CUSA1\nSatisfaction ~ Image\nImage =~", data)
    # an indicator used as a construct in the inner model
    with pytest.raises(ModelSyntaxError, match=r"'IMAG1' has no indicators \(an indicator of 'Image'\)"):
        egovsem.pls("Image =~ IMAG1 + IMAG2\nSatisfaction =~ CUSA1\nSatisfaction ~ IMAG1", data)


def test_indicator_in_two_constructs(data):
    model = "Image =~ IMAG1 + IMAG2\nOther <~ IMAG2 + IMAG3\nOther ~ Image"
    with pytest.raises(ModelSyntaxError, match=r"line 2: the indicator 'IMAG2' is in two constructs, 'Image' "
                                               r"\(line 1\) and 'Other'"):
        egovsem.pls(model, data)
    with pytest.raises(ModelSyntaxError, match="'IMAG2' is listed twice for the construct 'Image'"):
        egovsem.pls("Image =~ IMAG1 + IMAG2 + IMAG2\nS =~ CUSA1\nS ~ Image", data)


def test_mode_b_block_with_collinear_items(data):
    d = data.copy()
    d["SUM"] = d["CUSA1"] + d["CUSA2"]
    model = "Image =~ IMAG1 + IMAG2\nSatisfaction <~ CUSA1 + CUSA2 + SUM + CUSA3\nSatisfaction ~ Image"
    with pytest.raises(DataError, match=r"mode-B \(<~\) block of the construct 'Satisfaction' has collinear "
                                        r"indicators \['CUSA1', 'CUSA2', 'SUM'\]"):
        egovsem.pls(model, d)
    # the same items in mode A are fine (correlation weights need no inverse)
    egovsem.pls(model.replace("<~", "=~"), d)


def test_constant_indicator(data):
    d = data.copy()
    d["CUEX2"] = 7
    with pytest.raises(DataError, match=r"The indicator 'CUEX2' of the construct 'Expectation' is constant "
                                        r"\(every analysed row is 7\)"):
        egovsem.pls(MOBI4, d)


def test_column_not_in_data(data):
    d = data.drop(columns=["PERV2", "CUSA3"])
    with pytest.raises(DataError, match=r"The 'data' parameter has no column 'PERV2' \(construct 'Value'\), "
                                        r"'CUSA3' \(construct 'Satisfaction'\)"):
        egovsem.pls(MOBI4, d)


def test_non_numeric_column_and_not_a_frame(data):
    d = data.copy().astype({"IMAG1": object})
    d.loc[4, "IMAG1"] = "n/a"
    with pytest.raises(DataError, match=r"The indicator column 'IMAG1' is not numeric \(it holds 'n/a'\)"):
        egovsem.pls(MOBI2, d)
    egovsem.pls(MOBI2, d, missing_value="n/a")  # the code names it missing
    with pytest.raises(EgovsemError, match="The 'data' parameter must be a pandas DataFrame. Got ndarray"):
        egovsem.pls(MOBI2, data.to_numpy())


@pytest.mark.parametrize("kwargs, message", [
    ({"weighting": "pathweighting"}, "The 'weighting' parameter must be one of 'path', 'factorial', 'centroid'. "
                                     "Got 'pathweighting' instead."),
    ({"missing": "fiml"}, "The 'missing' parameter must be one of 'listwise', 'mean'. Got 'fiml' instead."),
    ({"consistent": "yes"}, "The 'consistent' parameter must be True or False. Got 'yes' instead."),
    ({"bootstrap": 1}, "The 'bootstrap' parameter must be 0 (no bootstrap) or at least 2. Got 1 instead."),
    ({"bootstrap": -5}, "The 'bootstrap' parameter must be an integer of at least 0. Got -5 instead."),
    ({"seed": -1}, "The 'seed' parameter must be a non-negative integer or None. Got -1 instead."),
    ({"n_jobs": 0}, "The 'n_jobs' parameter must be a positive integer or None. Got 0 instead."),
    ({"ci": "norm"}, "The 'ci' parameter must be one of 'perc', 'bca'. Got 'norm' instead."),
    ({"level": 1.5}, "The 'level' parameter must be a number between 0 and 1. Got 1.5 instead."),
    ({"stop_criterion": 0}, "The 'stop_criterion' parameter must be a positive number"),
])
def test_bad_options(data, kwargs, message):
    with pytest.raises(EgovsemError) as exc:
        egovsem.pls(MOBI2, data, **kwargs)
    assert message in str(exc.value)


@pytest.mark.parametrize("model, message", [
    ("Image =~ IMAG1\nS =~ CUSA1\nS ~ Image\nImage ~~ S", "line 4: the operator '~~' has no meaning in a PLS"),
    ("Image =~ IMAG1\nS =~ CUSA1\nS ~ Image\nS ~ 1", "line 4: the operator '~ 1' has no meaning in a PLS"),
    ("Image =~ a*IMAG1 + IMAG2\nS =~ CUSA1\nS ~ Image", "modifiers (labels, start values"),
    ("Image =~ IMAG1\nS <~ 1*CUSA1 + CUSA2\nS ~ Image", "the composite 'S' fixes the weights of some indicators "
                                                       "but not of ['CUSA2']"),
    ("Image =~ IMAG1\nS =~ CUSA1\nImage <~ IMAG2\nS ~ Image", "'Image' is defined with both =~ (mode A) and <~"),
    ("Image =~ IMAG1\nS =~ CUSA1", "the PLS model has no inner model"),
    ("Image =~ IMAG1\nS =~ CUSA1\nV =~ PERV1\nS ~ Image", "the construct(s) ['V'] are in no path"),
    ("Image =~ IMAG1\nS =~ CUSA1\nS ~ S", "the construct 'S' cannot predict itself"),
    ("Image =~ IMAG1\nS =~ CUSA1\nS ~ Image\nS ~ Image", "the path Image -> S is written twice"),
    ("Image =~ IMAG1\nS =~ Image\nS ~ Image", "'Image' is both a construct and an indicator of 'S'"),
])
def test_bad_models(data, model, message):
    with pytest.raises(ModelSyntaxError) as exc:
        egovsem.pls(model, data)
    assert message in str(exc.value)


def test_cbsem_fits_a_composite_as_lavaan(data):
    """CB-SEM used to refuse '<~'; it now fits a composite with lavaan 0.6-14's defaults (free weights unless
    fixed, composite residual variance 0, indicators fixed.x), and PLS keeps its own reading of '<~'.
    Reference: tests/reference/make_reference_forms.R (case mobi_comp); all rows in tests/test_model_forms.py."""
    fit = egovsem.sem("F <~ 1*IMAG1 + IMAG2\nS =~ CUSA1 + CUSA2 + CUSA3\nS ~ F", data)
    ref = pd.read_csv(REF / "forms" / "mobi_comp_params.csv", keep_default_na=False, na_values=[""])
    ours = fit.params.set_index(["lhs", "op", "rhs"])
    for r in ref.itertuples():
        key = (r.lhs, r.op, r.rhs) if (r.lhs, r.op, r.rhs) in ours.index else (r.rhs, r.op, r.lhs)
        assert abs(ours.loc[key, "est"] - r.est) <= 1e-3 * max(1.0, abs(r.est)), key
        assert abs(ours.loc[key, "se"] - r.se) <= 1e-2 * max(abs(r.se), 1e-8), key
    assert len(ours) == len(ref)
    fm = pd.read_csv(REF / "forms" / "mobi_comp_fit.csv").set_index("measure")["value"]
    assert abs(fit.fit_measures["chisq"] - fm["chisq"]) <= 1e-3 * fm["chisq"] and fit.fit_measures["df"] == fm["df"]
    assert egovsem.pls("F <~ IMAG1 + IMAG2\nS =~ CUSA1 + CUSA2 + CUSA3\nS ~ F", data).converged


def test_non_convergence_warns(data):
    with pytest.warns(egovsem.ConvergenceWarning, match="did not converge in 2 iterations"):
        fit = egovsem.pls(MOBI4, data, max_iter=1)
    assert not fit.converged and fit.iterations == 2


def test_mean_replacement_and_missing_value(data):
    d = data.astype(float)
    d.loc[[1, 2], "IMAG1"] = -99
    lw = egovsem.pls(MOBI2, d, missing_value=-99)
    assert lw.nobs == 248 and lw.n_dropped == 2
    mean = egovsem.pls(MOBI2, d, missing="mean", missing_value=-99)
    assert mean.nobs == 250 and mean.n_dropped == 0
    d2 = d.copy()
    d2.loc[[1, 2], "IMAG1"] = d.loc[~d.index.isin([1, 2]), "IMAG1"].mean()
    by_hand = egovsem.pls(MOBI2, d2)
    assert np.allclose(mean.params["est"], by_hand.params["est"], atol=1e-13)


def test_results_displays_and_json(data, tmp_path):
    fit = egovsem.pls(MOBI4, data, bootstrap=50, seed=2)
    text = fit.summary()
    assert "egovsem PLS path model" in text and "Satisfaction ~  Image" in text and "Bootstrap: 50" in text
    assert "<table" in fit._repr_html_() and "PLSResults" in repr(fit)
    d = json.loads(fit.to_json(tmp_path / "pls.json"))
    assert json.loads((tmp_path / "pls.json").read_text()) == d
    for key in ("converged", "estimator", "missing", "nobs", "ntotal", "n_dropped", "iterations", "params", "fit",
                "r2", "versions", "reliability", "htmt", "effects", "bootstrap", "settings"):
        assert key in d, key
    assert d["estimator"] == "PLS" and d["method"] == "pls" and d["bootstrap"]["B"] == 50
    # the layout of a CB-SEM fit's JSON: its top-level keys (but the fiml missing report) and its parameter
    # columns, in order; one group, no labels, the standardised columns are the (standardised) PLS estimates
    cb = egovsem.sem(MOBI4, data).to_dict()
    assert set(cb) <= set(d) and d["method"] == "pls" and cb["method"] == "cbsem"
    assert all(list(row) == list(cb["params"][0]) for row in d["params"])
    assert all(row["group"] == 1 and row["label"] == "" and row["std.all"] == row["est"] == row["std.lv"]
               for row in d["params"])
    ops = {p["op"] for p in d["params"]}
    assert ops == {"~", "=~", "<~"}
    assert d["r2"]["Satisfaction"] == pytest.approx(fit.r2["Satisfaction"])


def test_cli_fit_method_pls(tmp_path, capsys):
    model = tmp_path / "mobi.lav"
    model.write_text(MOBI4)
    out = tmp_path / "out.json"
    assert main(["fit", "--method", "pls", str(model), str(DATA / "mobi.csv"), "--json", str(out),
                 "--weighting", "factorial", "--consistent"]) == 0
    printed = capsys.readouterr().out
    assert "PLSc" in printed and "0.538" in printed  # PLSc Image -> Satisfaction, seminr path_coef1.csv
    d = json.loads(out.read_text())
    assert d["estimator"] == "PLSc" and d["settings"]["weighting"] == "factorial"
    path = next(p for p in d["params"] if p["op"] == "~" and p["rhs"] == "Image")
    assert abs(path["est"] - 0.537704707482867) < 1e-5


def test_cli_pls_refuses_cbsem_options(tmp_path, capsys):
    model = tmp_path / "mobi.lav"
    model.write_text(MOBI2)
    assert main(["fit", "--method", "pls", str(model), str(DATA / "mobi.csv"), "--std-lv", "--se", "robust"]) == 2
    err = capsys.readouterr().err
    assert "--se, --std-lv are not used by --method pls" in err
    assert main(["fit", str(model), str(DATA / "mobi.csv"), "--consistent"]) == 2
    assert "--weighting, --consistent and --interaction are PLS options: add --method pls" in capsys.readouterr().err


def test_cli_pls_bootstrap_and_missing_codes(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text("COMP =~ comp_1 + comp_2 + comp_3\nCUSA =~ cusa\nCUSA ~ COMP\n")
    assert main(["fit", "--method", "pls", str(model), str(DATA / "corp_rep_data.csv"), "--na", "-99",
                 "--missing", "mean", "--bootstrap", "30", "--seed", "4"]) == 0
    printed = capsys.readouterr().out
    assert "Bootstrap: 30 resamples (seed 4)" in printed and "values mean-replaced" in printed


def test_a_feedback_loop_is_refused(data):
    m = ("Image =~ IMAG1 + IMAG2 + IMAG3\nSat =~ CUSA1 + CUSA2 + CUSA3\nVal =~ PERV1 + PERV2\n"
         "Sat ~ Image + Val\nImage ~ Sat")
    with pytest.raises(ModelSyntaxError, match=r"feedback loop \(Image -> Sat -> Image\)"):
        egovsem.pls(m, data)


def test_duplicated_and_infinite_columns_are_named(data):
    import pandas as pd

    m = "Image =~ IMAG1 + IMAG2 + IMAG3\nSat =~ CUSA1 + CUSA2 + CUSA3\nSat ~ Image"
    with pytest.raises(DataError, match=r"more than one column named \['IMAG1'\]"):
        egovsem.pls(m, pd.concat([data, data[["IMAG1"]]], axis=1))
    bad = data.astype({"IMAG1": float})
    bad.loc[bad.index[4], "IMAG1"] = np.inf
    with pytest.raises(DataError, match=r"'IMAG1' holds an infinite value \(inf, row 4\)"):
        egovsem.pls(m, bad)


# --- options that would be ignored, command-line names, missing-value codes (issue 15, second slice) ---

@pytest.mark.parametrize("flags, message", [
    (["--bootstrap", "1"], "--bootstrap must be 0 (no bootstrap) or at least 2. Got 1 instead."),
    (["--bootstrap", "-3"], "--bootstrap must be an integer of at least 0. Got -3 instead."),
    (["--bootstrap", "5", "--n-jobs", "0"], "--n-jobs must be a positive integer. Got 0 instead."),
    (["--bootstrap", "5", "--seed", "-2"], "--seed must be a non-negative integer. Got -2 instead."),
    (["--missing", "fiml"], "--missing must be one of 'listwise', 'mean'. Got 'fiml' instead."),
    (["--weighting", "pathx"], "--weighting must be one of 'path', 'factorial', 'centroid'. Got 'pathx'"),
    (["--interaction", "pi"], "--interaction must be one of 'two_stage', 'product_indicator', 'orthogonal'."),
    (["--seed", "3"], "--seed is given without --bootstrap B: a PLS fit has no random part"),
    (["--bootstrap", "0", "--seed", "3"], "--seed is given without --bootstrap B"),
    (["--seed", "3", "--n-jobs", "2"], "--seed and --n-jobs are given without --bootstrap B"),
])
def test_cli_pls_messages_name_the_flags(tmp_path, capsys, flags, message):
    model = tmp_path / "m.lav"
    model.write_text(MOBI2)
    assert main(["fit", "--method", "pls", str(model), str(DATA / "mobi.csv"), *flags]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "parameter" not in err and "n_jobs" not in err


def test_cli_n_jobs_without_pls_is_refused(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text("Image =~ IMAG1 + IMAG2 + IMAG3\n")
    assert main(["fit", str(model), str(DATA / "mobi.csv"), "--n-jobs", "2"]) == 2
    assert "--n-jobs 2 is an option of the PLS bootstrap (--method pls --bootstrap B)" in capsys.readouterr().err


def test_seed_without_bootstrap_warns(data):
    with pytest.warns(egovsem.EgovsemWarning, match=r"seed=3 is given without a bootstrap \(bootstrap=0\)"):
        egovsem.pls(MOBI2, data, seed=3)
    with pytest.warns(egovsem.EgovsemWarning, match=r"n_jobs=2, ci='bca', level=0.9 are given without a "
                                                     r"bootstrap"):
        egovsem.pls(MOBI2, data, n_jobs=2, ci="bca", level=0.9)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        egovsem.pls(MOBI2, data)  # the defaults warn of nothing


def test_missing_value_list_and_bad_types(data):
    d = data.astype(float)
    d.loc[[1, 2], "IMAG1"] = -99
    d.loc[[5], "CUSA2"] = -98
    fit = egovsem.pls(MOBI2, d, missing_value=[-99, -98])
    assert fit.nobs == 247 and fit.n_dropped == 3
    assert egovsem.pls(MOBI2, d, missing_value=(-99, "-98")).nobs == 247
    for bad in ([], {"IMAG1": -99}, [-99, [-98]], True):
        with pytest.raises(EgovsemError, match=r"The 'missing_value' parameter must be a number, a string or a "
                                               r"list of them"):
            egovsem.pls(MOBI2, d, missing_value=bad)


def test_bca_acceleration_is_one_function():
    from egovsem import _bca
    from egovsem.pls import bootstrap as pls_boot
    from egovsem.sem import bootstrap as sem_boot

    assert pls_boot.acceleration is _bca.acceleration is sem_boot.acceleration
    jack = np.array([[0.0, 1.0], [0.0, np.nan], [3.0, 1.0], [np.nan, 1.0]])
    # closed form: column 0 over its 3 finite rows, L = (1, 1, -2): -6 / (6 * 6 ** 1.5); column 1 has no spread
    assert np.allclose(_bca.acceleration(jack), [-6 / (6 * 6 ** 1.5), 0.0], atol=1e-15)


def test_cli_interaction_method(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text(MOBI4.replace("Satisfaction ~ Image + Expectation + Value",
                                   "Satisfaction ~ Image + Expectation + Value + Image:Expectation + Image:Value"))
    out = tmp_path / "o.json"
    assert main(["fit", "--method", "pls", str(model), str(DATA / "mobi.csv"), "--weighting", "factorial",
                 "--interaction", "orthogonal", "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    assert d["interactions"] == {"Image:Expectation": "orthogonal", "Image:Value": "orthogonal"}
    path = next(p for p in d["params"] if p["op"] == "~" and p["rhs"] == "Image:Expectation")
    assert abs(path["est"] - -0.142491512) < 1e-5  # seminr coefficients.csv (test-pls.r)
