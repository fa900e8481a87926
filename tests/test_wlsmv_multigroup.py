"""Multi-group WLSMV (delta and theta parameterisations) against lavaan 0.6-14.

References: tests/reference/make_reference_wlsmv_multigroup.R (HolzingerSwineford1939 x1..x6 cut into 5
categories, two schools).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _refcompare import REF, compare_group_params, compare_series, read_kv, read_ref
from egovsem.sem.wls_mg import fit_wlsmv_multigroup, mg_ordinal_partable

SUB = "wlsmv_mg"
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
EQ = {"configural": [], "thresholds": ["thresholds"], "loadings": ["thresholds", "loadings"],
      "scalar": ["thresholds", "loadings", "intercepts"],
      "strict": ["thresholds", "loadings", "intercepts", "residuals", "means", "lv.variances", "lv.covariances"],
      "partial": ["thresholds", "loadings", "intercepts"], "loadingsonly": ["loadings"],
      "lvvariancesonly": ["lv.variances"], "single": [], "stdlvloadings": ["thresholds", "loadings"]}
CASES = [f"{p}_{n}" for p in ("delta", "theta") for n in ("configural", "thresholds", "loadings", "scalar",
                                                           "strict", "partial")]
CASES += ["delta_loadingsonly", "delta_lvvariancesonly", "theta_single", "delta_stdlvloadings", "theta_stdlvloadings"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / SUB / "hs5_school.csv")


_FITS: dict = {}


def _fit(case: str, data: pd.DataFrame):
    if case not in _FITS:
        par, nm = case.split("_")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from egovsem.sem.model import Model

            _FITS[case] = fit_wlsmv_multigroup(
                Model(MODEL, std_lv=nm == "stdlvloadings"), data, True, group=None if nm == "single" else "school",
                group_equal=EQ[nm],
                parameterization=par, group_partial=["visual =~ x3", "x2 | t2"] if nm == "partial" else ())
    return _FITS[case]


@pytest.mark.parametrize("case", CASES)
def test_params_match_lavaan(case, data):
    fit = _fit(case, data)
    ref = read_ref(case, "params", SUB)
    assert compare_group_params(fit.params, ref, columns=("est",)) == []


@pytest.mark.parametrize("case", CASES)
def test_fit_measures_match_lavaan(case, data):
    fit = _fit(case, data)
    ref = read_kv(case, "fit", SUB)
    assert compare_series(fit.fit_measures, ref.astype(float)) == []


@pytest.mark.parametrize("case", CASES)
def test_partable_free_pattern_matches_lavaan(case, data):
    """Which rows are free, and which share a parameter (lavaan: an == row between their plabels)."""
    fit = _fit(case, data)
    ref = read_ref(case, "partable", SUB)
    ref = ref[ref["op"] != "=="].reset_index(drop=True)
    ours = fit.partable.reset_index(drop=True)
    assert len(ours) == len(ref)
    assert list(zip(ours["lhs"], ours["op"], ours["group"])) == list(zip(ref["lhs"], ref["op"], ref["group"]))
    assert ((ours["free"] > 0).to_numpy() == (ref["free"] > 0).to_numpy()).all()
    # lavaan's equality rows: plabel == plabel; ours: a shared free number
    eq = read_ref(case, "partable", SUB)
    eq = eq[eq["op"] == "=="]
    pl = dict(zip(ref["plabel"], ours["free"]))
    for r in eq.itertuples():
        assert pl[r.lhs] == pl[r.rhs] > 0
    assert int(ours["free"].max()) == int((ref["free"] > 0).sum()) - len(eq)


def test_partable_without_data_matches_lavaan():
    from egovsem.sem.model import Model

    spec = Model(MODEL).spec
    pt = mg_ordinal_partable(spec, [f"x{i}" for i in range(1, 7)], {f"x{i}": 4 for i in range(1, 7)}, 2,
                             ["thresholds", "loadings"], (), "theta")
    ref = read_ref("theta_loadings", "partable", SUB)
    ref = ref[ref["op"] != "=="]
    assert ((pt["free"] > 0).to_numpy() == (ref["free"] > 0).to_numpy()).all()


def test_converged_and_se_positive(data):
    fit = _fit("delta_scalar", data)
    assert fit.converged
    free = fit.params["free"] > 0
    assert np.all(fit.params.loc[free, "se"] > 0)


# ------------------------------------------------------------------------------------ bad input --

def test_category_empty_in_one_group_is_refused_as_lavaan(data):
    from egovsem._errors import DataError

    d = data.copy()
    d.loc[(d["school"] == "Pasteur") & (d["x1"] == 5), "x1"] = 4
    with pytest.raises(DataError, match=r"'x1'.*\[5\] are empty in group 1 \(school='Pasteur'\); frequencies "
                                        r"are \[28, 36, 39, 53, 0\]"):
        fit_wlsmv_multigroup(MODEL, d, True, group="school")


def test_single_category_item_is_refused(data):
    from egovsem._errors import DataError

    d = data.copy()
    d["x1"] = 3
    with pytest.raises(DataError, match=r"'x1' has a single observed category"):
        fit_wlsmv_multigroup(MODEL, d, True, group="school")


def test_thresholds_without_ordered_items_is_refused(data):
    import egovsem
    from egovsem._errors import EgovsemError

    with pytest.raises(EgovsemError, match=r"group_equal=\['thresholds'\] needs ordered items"):
        egovsem.cfa(MODEL, data, group="school", group_equal=["thresholds"])


def test_bad_parameterization_and_group_equal(data):
    from egovsem._errors import EgovsemError

    with pytest.raises(EgovsemError, match="'parameterization' parameter must be 'delta' or 'theta'. Got 'Theta'"):
        fit_wlsmv_multigroup(MODEL, data, True, group="school", parameterization="Theta")
    with pytest.raises(EgovsemError, match="'group_equal' parameter: 'treshold'"):
        fit_wlsmv_multigroup(MODEL, data, True, group="school", group_equal=["treshold"])
    with pytest.raises(EgovsemError, match="'group_partial' parameter: 'x2 | '"):
        fit_wlsmv_multigroup(MODEL, data, True, group="school", group_equal=["thresholds"], group_partial=["x2 | "])


# ----------------------------------------------------------------------------- front ends --

def test_cfa_with_ordered_and_group_is_multigroup_wlsmv(data):
    import egovsem

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.cfa(MODEL, data, ordered=True, group="school", group_equal=["thresholds", "loadings"],
                          group_partial=["visual =~ x3", "x2 | t2"])
    ref = read_kv("delta_partial", "fit", SUB)  # the partial case adds "intercepts", which changes nothing here
    assert abs(fit.fit_measures["chisq"] - float(ref["chisq"])) < 1e-3 * float(ref["chisq"])
    assert compare_group_params(fit.params, read_ref("delta_partial", "params", SUB), columns=("est",)) == []


def test_cli_fit_ordered_group_equal(tmp_path, capsys):
    from egovsem.cli import main

    lav = tmp_path / "m.lav"
    lav.write_text(MODEL + "\n")
    js = tmp_path / "out.json"
    rc = main(["fit", str(lav), str(REF / SUB / "hs5_school.csv"), "--ordered", "all", "--group", "school",
               "--group-equal", "thresholds,loadings", "--json", str(js)])
    out = capsys.readouterr().out
    ref = read_kv("delta_loadings", "fit", SUB)
    assert rc == 0
    import re

    m = re.search(r"chisq = ([0-9.]+), df = (\d+), chisq.scaled = ([0-9.]+)", out)
    assert m is not None
    assert abs(float(m.group(1)) - float(ref["chisq"])) <= 1e-3 * float(ref["chisq"])
    assert int(m.group(2)) == int(ref["df"])
    assert abs(float(m.group(3)) - float(ref["chisq.scaled"])) <= 1e-3 * float(ref["chisq.scaled"])
    import json

    doc = json.loads(js.read_text())
    assert doc["groups"] == ["Pasteur", "Grant-White"]
    assert abs(doc["fit_measures"]["cfi.scaled"] - float(ref["cfi.scaled"])) < 1e-3


def test_cfa_theta_single_group_matches_lavaan(data):
    import egovsem

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.cfa(MODEL, data, ordered=True, parameterization="theta")
    assert fit.parameterization == "theta"
    assert compare_group_params(fit.params, read_ref("theta_single", "params", SUB), columns=("est",)) == []
    assert compare_series(fit.fit_measures, read_kv("theta_single", "fit", SUB).astype(float)) == []


def test_theta_without_ordered_items_is_refused(data):
    import egovsem
    from egovsem._errors import EgovsemError

    with pytest.raises(EgovsemError, match="parameterization='theta' applies to ordered indicators"):
        egovsem.cfa(MODEL, data, parameterization="theta")
    with pytest.raises(EgovsemError, match="'parameterization' parameter must be 'delta' or 'theta'. Got 'gamma'"):
        egovsem.cfa(MODEL, data, ordered=True, parameterization="gamma")


def test_cli_fit_theta(tmp_path, capsys):
    import re

    from egovsem.cli import main

    lav = tmp_path / "m.lav"
    lav.write_text(MODEL + "\n")
    rc = main(["fit", str(lav), str(REF / SUB / "hs5_school.csv"), "--ordered", "all", "--group", "school",
               "--group-equal", "thresholds", "--parameterization", "theta"])
    out = capsys.readouterr().out
    ref = read_kv("theta_thresholds", "fit", SUB)
    m = re.search(r"chisq = ([0-9.]+), df = (\d+), chisq.scaled = ([0-9.]+)", out)
    assert rc == 0 and m is not None and "theta parameterization" in out
    assert abs(float(m.group(3)) - float(ref["chisq.scaled"])) <= 1e-3 * float(ref["chisq.scaled"])
