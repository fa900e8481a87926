"""The one fit-measures implementation (issue 10, item 1) on multi-group fits it was not tuned on, against
lavaan 0.6-14 (tests/reference/make_reference_fit_measures.R): every row of fitMeasures() and of
parameterEstimates(). Two groups by FIML with MLR and fixed.x covariates (with and without fixed.x), by FIML
with MLR under scalar invariance, complete-data ML without fixed.x, three groups by FIML (ML, MLR), and one
group by FIML without fixed.x with df > 0 (ML and MLR: lavaan's FIML-C drops the covariates' moments from
the complete-data information Wc whatever fixed.x; see egovsem.sem.fit_tests.fiml_corrected)."""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, close, compare_series, read_kv, read_ref, se_close

MIMIC = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr + sex\ntextual ~ ageyr"
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"

CASES = {
    "mg_fiml_mlr_mimic": ("hs_missing10", MIMIC, {"group": "school", "missing": "fiml", "estimator": "MLR"}),
    "mg_fiml_mlr_mimic_fxf": ("hs_missing10", MIMIC, {"group": "school", "missing": "fiml", "estimator": "MLR",
                                                      "fixed_x": False}),
    "mg_fiml_mlr_scalar": ("hs_missing10", HS, {"group": "school", "missing": "fiml", "estimator": "MLR",
                                                "group_equal": ["loadings", "intercepts"]}),
    "fiml_mimic_fxf": ("hs_missing10", MIMIC, {"missing": "fiml", "fixed_x": False}),
    "fiml_mlr_mimic_fxf": ("hs_missing10", MIMIC, {"missing": "fiml", "estimator": "MLR", "fixed_x": False}),
    "mg_ml_mimic_fxf": ("HolzingerSwineford1939", MIMIC, {"group": "school", "fixed_x": False}),
    "g3_fiml_metric": ("hs_missing10", HS, {"group": "agegrp", "missing": "fiml", "group_equal": ["loadings"]}),
    "g3_fiml_mlr_metric": ("hs_missing10", HS, {"group": "agegrp", "missing": "fiml", "estimator": "MLR",
                                                "group_equal": ["loadings"]}),
}


def _data(stem: str) -> pd.DataFrame:
    d = pd.read_csv(DATA / f"{stem}.csv")
    # three age groups, in order of appearance, as the R script derives them
    d["agegrp"] = np.where(d["ageyr"] <= 12, "young", np.where(d["ageyr"] == 13, "mid", "old"))
    return d


@pytest.fixture(scope="module")
def fits():
    out = {}
    for case, (stem, model, opts) in CASES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[case] = egovsem.sem(model, _data(stem), **opts)
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_fit_measure_matches_lavaan(fits, case):
    fit = fits[case]
    ref = read_kv(case, "fit", "fitm")
    fm = fit.fit_measures
    assert fit.converged
    assert list(fm.index) == list(ref.index)  # the same rows, in lavaan's order
    problems = compare_series(fm, ref)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", sorted(CASES))
def test_params_match_lavaan(fits, case):
    fit = fits[case]
    ref = read_ref(case, "params", "fitm")
    key = lambda r: (r["lhs"], r["op"], r["rhs"] if isinstance(r["rhs"], str) else "", int(r["group"]))
    mine = {key(r): r for _, r in fit.params.iterrows()}
    problems = []
    for _, r in ref.iterrows():
        m = mine[key(r)]
        for c in ("est", "std.all"):
            if not close(float(m[c]), float(r[c]), 1e-3):
                problems.append(f"{key(r)} {c}: {m[c]} vs {r[c]}")
        if not se_close(float(m["se"]), float(r["se"])):
            problems.append(f"{key(r)} se: {m['se']} vs {r['se']}")
    assert not problems, "\n".join(problems)
