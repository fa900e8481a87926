"""egovsem.measure against psych 2.2.9 and semTools 0.5-6 (lavaan 0.6-14).

The reference values were written by tests/reference/make_reference_measure.R on two data sets:
HolzingerSwineford1939 (3-factor CFA, complete data) and tests/reference/measure/sim_survey.csv
(written by tests/reference/simulate_measure_data.py: 4 constructs x 4 five-point items, N = 400,
about 2% missing cells). Every reference row must be matched: a missing row fails. Tolerance 1e-3
(relative where |x| > 1), as architecture.md.
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import warnings
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, close
from egovsem import measure
from egovsem._errors import DataError, EgovsemError

MREF = REF / "measure"
CASES = {
    "hs": {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]},
    "sim": {c: [f"{c}{j}" for j in range(1, 5)] for c in ("TG", "TI", "PV", "PI")},
}


def _data(case):
    if case == "hs":
        return pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    return pd.read_csv(MREF / "sim_survey.csv")


def _model(cons):
    return "\n".join(f"{c} =~ {' + '.join(v)}" for c, v in cons.items())


@pytest.fixture(scope="module")
def fits():
    out = {}
    for case, cons in CASES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the listwise-deletion note of the sim data
            out[case] = egovsem.cfa(_model(cons), _data(case))
    return out


def _ref(case, what):
    return pd.read_csv(MREF / f"{case}_{what}.csv", keep_default_na=False, na_values=[""])


def _key(row, keys):
    # iterrows() turns integers into floats in mixed frames: 1.0 and 1 are the same key
    return tuple(str(int(row[k])) if isinstance(row[k], (float, np.floating)) and float(row[k]).is_integer()
                 else str(row[k]) for k in keys)


def _compare(ours: pd.DataFrame, ref: pd.DataFrame, keys, columns, tol=1e-3):
    """Every reference row must have an egovsem row with the same keys and values within ``tol``."""
    problems = []
    mine = {_key(r, keys): r for _, r in ours.iterrows()}
    for _, r in ref.iterrows():
        key = _key(r, keys)
        if key not in mine:
            problems.append(f"reference row {key} is missing")
            continue
        for c_ref, c_ours in columns.items():
            if not close(float(mine[key][c_ours]), float(r[c_ref]), tol):
                problems.append(f"{key} {c_ours}: egovsem {mine[key][c_ours]!r} R {r[c_ref]!r}")
    assert not problems, "\n".join(problems)
    assert len(ref) > 0


def _long(square: pd.DataFrame, name: str) -> pd.DataFrame:
    s = square.stack()
    s.index.names = ["row", "col"]
    return s.rename(name).reset_index()


@pytest.mark.parametrize("case", sorted(CASES))
def test_item_descriptives_match_psych_describe(case):
    items = [i for v in CASES[case].values() for i in v]
    ours = measure.item_descriptives(_data(case), items)
    cols = ["n", "mean", "sd", "median", "min", "max", "skew", "kurtosis", "se", "pct_missing"]
    _compare(ours, _ref(case, "describe"), ["item"], {c: c for c in cols})


@pytest.mark.parametrize("case", sorted(CASES))
def test_cronbach_alpha_matches_psych_alpha(case):
    ours = measure.cronbach_alpha(_data(case), CASES[case])
    cols = {"raw_alpha": "alpha", "std_alpha": "std_alpha", "ase": "ase", "ci_lower": "ci_lower",
            "ci_upper": "ci_upper", "n_items": "n_items"}
    _compare(ours, _ref(case, "alpha"), ["construct"], cols)


@pytest.mark.parametrize("case", sorted(CASES))
def test_corrected_item_total_matches_psych_item_stats(case):
    d = _data(case)
    ours = pd.concat([measure.corrected_item_total(d, v).assign(construct=c) for c, v in CASES[case].items()])
    cols = {"n": "n", "raw_r": "r_total", "r_drop": "r_drop", "mean": "mean", "sd": "sd",
            "alpha_if_deleted": "alpha_if_deleted"}
    _compare(ours, _ref(case, "item_stats"), ["construct", "item"], cols)


def test_alpha_agrees_with_pingouin():
    """pingouin.cronbach_alpha gives the same alpha (pairwise) and Feldt interval, rounded to 3 decimals.

    egovsem does not call pingouin for alpha: pingouin rounds the interval to 3 decimals (the 1e-3 tolerance
    would then be half spent on rounding) and checks its input with assert (gone under python -O).
    """
    pg = pytest.importorskip("pingouin")
    for case in CASES:
        d = _data(case)
        for _c, items in CASES[case].items():
            a_pg, ci_pg = pg.cronbach_alpha(d[items])
            ours = measure.cronbach_alpha(d, items).iloc[0]
            assert abs(ours["alpha"] - a_pg) < 1e-12
            assert abs(ours["ci_lower"] - ci_pg[0]) <= 5e-4 + 1e-12
            assert abs(ours["ci_upper"] - ci_pg[1]) <= 5e-4 + 1e-12


@pytest.mark.parametrize("case", sorted(CASES))
def test_composite_reliability_and_ave_match_semtools(fits, case):
    fit = fits[case]
    ref = _ref(case, "reliability")
    _compare(measure.composite_reliability(fit), ref, ["construct"], {"omega": "omega"})
    _compare(measure.composite_reliability(fit, tau_eq=True), ref, ["construct"], {"alpha_tau_eq": "omega"})
    _compare(measure.ave(fit), ref, ["construct"], {"ave": "ave"})
    _compare(measure.composite_reliability(fit, obs_var=False), ref, ["construct"], {"omega_fitted": "omega"})
    _compare(measure.ave(fit, obs_var=False), ref, ["construct"], {"ave_fitted": "ave"})


@pytest.mark.parametrize("case", sorted(CASES))
def test_fornell_larcker_matches_lavaan_cor_lv(fits, case):
    fl = measure.fornell_larcker(fits[case])
    ref = _ref(case, "cor_lv")
    rel = _ref(case, "reliability").set_index("construct")
    diag = ref["row"] == ref["col"]
    ref.loc[diag, "value"] = np.sqrt(rel.loc[ref.loc[diag, "row"], "ave"]).to_numpy()
    _compare(_long(fl, "value"), ref, ["row", "col"], {"value": "value"})


@pytest.mark.parametrize("case", sorted(CASES))
def test_htmt_matches_semtools(case):
    d = _data(case)
    h2 = _long(measure.htmt(d, CASES[case]), "htmt2")
    h1 = _long(measure.htmt(d, CASES[case], htmt2=False), "htmt")
    _compare(h2.merge(h1, on=["row", "col"]), _ref(case, "htmt"), ["row", "col"], {"htmt2": "htmt2", "htmt": "htmt"})


@pytest.mark.parametrize("case", sorted(CASES))
def test_harman_matches_psych_principal(case):
    items = [i for v in CASES[case].values() for i in v]
    ref = _ref(case, "harman")
    ours = measure.harman_single_factor(_data(case), CASES[case]).iloc[0]
    assert close(ours["variance_share"], ref["first_share"].iloc[0], 1e-3)
    assert close(ours["first_eigenvalue"], ref["eigenvalue"].iloc[0], 1e-3)
    pa = measure.parallel_analysis(_data(case), items)
    _compare(pa, ref, ["component"], {"eigenvalue": "eigenvalue"})


@pytest.mark.parametrize("case", sorted(CASES))
def test_full_collinearity_vif_matches_lm(case):
    ours = measure.full_collinearity_vif(_data(case), CASES[case])
    _compare(ours, _ref(case, "vif"), ["construct"], {"r2": "r2", "vif": "vif"})


def _long_loadings(loadings: pd.DataFrame) -> pd.DataFrame:
    long = loadings.stack().rename("loading").reset_index()
    long.columns = ["item", "factor", "loading"]
    long["factor"] = long["factor"].str[1:]  # F1 -> 1, psych's MR1 column
    return long


@pytest.mark.parametrize("case", sorted(CASES))
def test_efa_matches_psych_fa(case):
    """Factor order and signs as psych::fa; minres and oblimin agree with psych/GPArotation to 1e-5."""
    k = len(CASES[case])
    d = _data(case)
    res = measure.efa(d, CASES[case], n_factors=k)
    _compare(_long_loadings(res.loadings), _ref(case, "efa_loadings"), ["item", "factor"], {"loading": "loading"})
    phi = _long(res.phi, "value")
    phi["row"], phi["col"] = phi["row"].str[1:], phi["col"].str[1:]
    _compare(phi, _ref(case, "efa_phi"), ["row", "col"], {"value": "value"})
    comm = res.communalities.rename_axis("item").reset_index()
    _compare(comm, _ref(case, "efa_communalities"), ["item"], {"communality": "communality"})
    kmo = res.kmo.rename_axis("item").reset_index()
    _compare(kmo, _ref(case, "kmo"), ["item"], {"msa": "msa"})
    bt = _ref(case, "bartlett").iloc[0]
    assert close(res.bartlett["chisq"], bt["chisq"], 1e-3) and res.bartlett["df"] == bt["df"]
    un = measure.efa(d, CASES[case], n_factors=k, rotation="none").loadings
    _compare(_long_loadings(un), _ref(case, "efa_unrotated"), ["item", "factor"], {"loading": "loading"})


def test_efa_parallel_analysis_picks_the_number_of_factors():
    # psych::fa.parallel says 3 components for HS and 4 for the simulated survey (4 true factors)
    assert measure.efa(_data("hs"), CASES["hs"]).n_factors == 3
    res = measure.efa(_data("sim"), CASES["sim"])
    assert res.n_factors == res.n_factors_suggested == 4
    again = measure.efa(_data("sim"), CASES["sim"])
    pd.testing.assert_frame_equal(res.eigenvalues, again.eigenvalues)  # seeded
    assert "parallel analysis suggests 4" in str(res)


@pytest.mark.parametrize("case", sorted(CASES))
def test_reliability_table_carries_the_reference_values(fits, case):
    tab = measure.reliability_table(fits[case], _data(case), CASES[case])
    assert list(tab.columns[:8]) == ["construct", "n_items", "alpha", "alpha_ci_lower", "alpha_ci_upper", "omega",
                                     "ave", "sqrt_ave"]
    rel = _ref(case, "reliability").merge(_ref(case, "alpha"), on="construct")
    _compare(tab, rel, ["construct"], {"raw_alpha": "alpha", "ci_lower": "alpha_ci_lower",
                                       "ci_upper": "alpha_ci_upper", "omega": "omega", "ave": "ave"})
    h = _ref(case, "htmt")
    h = h[h["row"] != h["col"]].groupby("row")["htmt2"].max().rename_axis("construct").reset_index()
    _compare(tab, h, ["construct"], {"htmt2": "max_htmt"})
    r = _ref(case, "cor_lv")
    r = r[r["row"] != r["col"]].assign(sq=lambda x: x["value"] ** 2).groupby("row")["sq"].max()
    _compare(tab, r.rename_axis("construct").reset_index(), ["construct"], {"sq": "msv"})


def test_measure_report_shape_and_json(fits):
    fit, d = fits["sim"], _data("sim")
    rep = measure.measure_report(fit, d, CASES["sim"])
    text = json.dumps(rep, allow_nan=False)  # no NaN leaks into the JSON
    back = json.loads(text)
    assert [r["construct"] for r in back["reliability"]] == list(CASES["sim"])
    assert {"construct", "alpha", "omega", "ave"} <= set(back["reliability"][0])
    assert set(back["htmt"]) == set(CASES["sim"]) and back["htmt"]["TG"]["TG"] == 1.0
    ref = _ref("sim", "htmt").set_index(["row", "col"])["htmt2"]
    assert close(back["htmt"]["TI"]["PV"], ref[("TI", "PV")], 1e-3)
    assert len(back["items"]) == 16 and len(back["loadings"]) == 16
    assert back["n"] == fit.nobs
    # default constructs: the factors of the fit
    assert measure.measure_report(fit, d)["reliability"] == rep["reliability"]


@pytest.mark.parametrize("case", ["pd_sem", "hs_stdlv", "hs_xload", "hs_covariate"])
def test_omega_and_ave_on_other_fits_match_semtools(case):
    """Structural paths and correlated residuals, std.lv, a cross-loading (AVE NaN), an observed covariate."""
    from test_sem_reference import PD_MEAS, PD_RESID

    hs = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    models = {
        "pd_sem": ("PoliticalDemocracy", PD_MEAS.format(a="", b="", c="") + "dem60 ~ ind60\n"
                   "dem65 ~ ind60 + dem60\n" + PD_RESID, {}),
        "hs_stdlv": ("HolzingerSwineford1939", hs, {"std_lv": True}),
        "hs_xload": ("HolzingerSwineford1939", hs + "\nvisual =~ x9", {}),
        "hs_covariate": ("HolzingerSwineford1939", "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n"
                         "visual ~ ageyr\ntextual ~ ageyr + visual", {}),
    }
    name, model, opts = models[case]
    fit = egovsem.sem(model, pd.read_csv(DATA / f"{name}.csv"), **opts)
    ref = _ref("extra", "reliability")
    ref = ref[ref["case"] == case]
    _compare(measure.composite_reliability(fit), ref, ["construct"], {"omega": "omega"})
    _compare(measure.ave(fit), ref, ["construct"], {"ave": "ave"})


def test_unrecoded_reverse_item_warns():
    d = _data("sim").copy()
    d["TI3"] = 6 - d["TI3"]  # undo the recoding
    with pytest.warns(egovsem.EgovsemWarning, match=r"In 'TI', item\(s\) 'TI3' \(r = -0\.\d\d\) correlate negatively"):
        measure.cronbach_alpha(d, {"TI": CASES["sim"]["TI"]})


def test_descriptives_of_a_constant_item_and_integer_column_names():
    d = pd.DataFrame({1: [1.0, 2, 3, 4, np.nan], 2: [3.0, 3, 3, 3, 3]})
    out = measure.item_descriptives(d, [1, 2])
    assert out["n"].tolist() == [4, 5] and out["pct_missing"].tolist() == [20.0, 0.0]
    assert out.loc[1, "sd"] == 0 and np.isnan(out.loc[1, "skew"])
    with pytest.raises(DataError, match=r"\[2\].*constant"):
        measure.cronbach_alpha(d, [1, 2])


# -- bad input ---------------------------------------------------------------------------------------------
def test_item_not_in_data_is_named():
    with pytest.raises(DataError, match=r"'x10'.*did you mean 'x1'"):
        measure.cronbach_alpha(_data("hs"), ["x1", "x2", "x10"])
    with pytest.raises(DataError, match=r"constructs\['speed'\].*'x99'"):
        measure.htmt(_data("hs"), {"visual": ["x1", "x2"], "speed": ["x7", "x99"]})


def test_construct_with_one_item_is_refused():
    with pytest.raises(EgovsemError, match=r"constructs\['speed'\].*at least 2 items.*\['x7'\]"):
        measure.htmt(_data("hs"), {"visual": ["x1", "x2", "x3"], "speed": ["x7"]})
    with pytest.raises(EgovsemError, match=r"'items' parameter must name at least 2"):
        measure.corrected_item_total(_data("hs"), ["x1"])
    with pytest.raises(EgovsemError, match="list of column names"):
        measure.cronbach_alpha(_data("hs"), "x1")


def test_non_numeric_column_is_named():
    d = _data("hs").copy()
    d["x2"] = d["x2"].astype(object)
    d.loc[5, "x2"] = "agree"
    with pytest.raises(DataError, match=r"Column 'x2'.*numeric.*row 5: 'agree'"):
        measure.item_descriptives(d, ["x1", "x2"])
    # numbers stored as text are read as numbers
    d2 = _data("hs").copy()
    d2["x2"] = d2["x2"].astype(str)
    assert close(measure.cronbach_alpha(d2, ["x1", "x2", "x3"])["alpha"].iloc[0], 0.6261171, 1e-6)


def test_singular_correlation_matrix_names_the_pair():
    d = _data("hs").assign(x1copy=lambda x: 2 * x["x1"] + 1)
    with pytest.raises(DataError, match=r"singular.*'x1' and 'x1copy'"):
        measure.efa(d, ["x1", "x2", "x3", "x1copy"], n_factors=1)
    with pytest.raises(DataError, match=r"construct scores.*'a' and 'b'"):
        measure.full_collinearity_vif(d, {"a": ["x1", "x2"], "b": ["x1", "x2"], "c": ["x4", "x5"]})


def test_efa_result_displays():
    res = measure.efa(_data("hs"), CASES["hs"])
    assert "<table" in res._repr_html_() and "KMO = 0.752" in str(res)


def test_other_bad_arguments():
    hs = _data("hs")
    with pytest.raises(EgovsemError, match=r"'ci' parameter.*Got 1.5"):
        measure.cronbach_alpha(hs, ["x1", "x2"], ci=1.5)
    with pytest.raises(EgovsemError, match=r"'rotation' parameter must be one of.*Got 'spin'"):
        measure.efa(hs, ["x1", "x2", "x3", "x4"], rotation="spin")
    with pytest.raises(EgovsemError, match=r"'n_factors'.*smaller than the number of items"):
        measure.efa(hs, ["x1", "x2", "x3"], n_factors=3)
    with pytest.raises(DataError, match="must be a pandas DataFrame"):
        measure.item_descriptives(hs.to_numpy(), ["x1"])
    with pytest.raises(DataError, match=r"\['c'\].*constant"):
        measure.cronbach_alpha(hs.assign(c=1.0), ["x1", "c"])
    with pytest.raises(EgovsemError, match="result of egovsem.cfa"):
        measure.ave(hs)
    with pytest.raises(EgovsemError, match="at least 2 constructs"):
        measure.full_collinearity_vif(hs, {"visual": ["x1", "x2"]})


def test_constructs_must_agree_with_the_fit(fits):
    hs = _data("hs")
    with pytest.raises(EgovsemError, match=r"'speed' the items \['x7', 'x8'\].*\['x7', 'x8', 'x9'\]"):
        measure.reliability_table(fits["hs"], hs, {"speed": ["x7", "x8"]})
    with pytest.raises(EgovsemError, match=r"'memory', which is not a factor"):
        measure.reliability_table(fits["hs"], hs, {"memory": ["x1", "x2"]})
    with pytest.raises(EgovsemError, match=r"\['memory'\], which are not factors"):
        measure.ave(fits["hs"], constructs=["memory"])


# -- reproducibility of the reference --------------------------------------------------------------------
def test_simulated_reference_data_is_reproduced_by_its_script(tmp_path):
    spec = importlib.util.spec_from_file_location("simulate_measure_data", REF / "simulate_measure_data.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.OUT = tmp_path / "sim_survey.csv"
    mod.main()
    assert mod.OUT.read_bytes() == (MREF / "sim_survey.csv").read_bytes()


@pytest.mark.needs_r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed: the committed reference "
                    "CSVs are used, but they cannot be regenerated here")
def test_reference_csvs_are_what_the_r_script_writes(tmp_path):
    """Re-run make_reference_measure.R into a temporary folder and compare with the committed CSVs."""
    shutil.copy(MREF / "sim_survey.csv", tmp_path / "sim_survey.csv")
    root = REF.parent.parent
    proc = subprocess.run(["Rscript", str(REF / "make_reference_measure.R"), str(tmp_path)], cwd=root,
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and "there is no package" in proc.stderr:
        pytest.skip(f"R lacks a package the reference needs: {proc.stderr.strip()[-200:]}")
    assert proc.returncode == 0, proc.stderr
    for f in sorted(MREF.glob("*_*.csv")):
        if f.name == "sim_survey.csv":
            continue
        a = pd.read_csv(f)
        b = pd.read_csv(tmp_path / f.name)
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("module", ["descriptives", "reliability", "validity", "efa", "report"])
def test_docstring_examples_run(module):
    """The numpydoc Examples (each naming the R call that gives the same number) run as doctests."""
    import doctest
    import importlib

    mod = importlib.import_module(f"egovsem.measure.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_omega_and_ave_after_fiml_match_semtools():
    """semTools::compRelSEM / AVE on lavaan's missing = "ml" fit use the EM covariance (R script committed)."""
    import egovsem
    from egovsem.measure import ave, composite_reliability

    d = pd.read_csv(Path(__file__).parent.parent / "data" / "hs_missing10.csv")
    fit = egovsem.cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", d, missing="fiml")
    ref = pd.read_csv(Path(__file__).parent / "reference" / "measure_fiml" / "hs_fiml_reliability.csv").set_index("construct")
    om = composite_reliability(fit).set_index("construct")["omega"]
    av = ave(fit).set_index("construct")["ave"]
    assert list(om.index) == list(ref.index)
    for c in ref.index:
        assert abs(float(om[c]) - ref.loc[c, "omega"]) < 1e-3
        assert abs(float(av[c]) - ref.loc[c, "ave"]) < 1e-3
