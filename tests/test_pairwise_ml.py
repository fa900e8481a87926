"""ML with ``missing="pairwise"`` against lavaan 0.6-14 (tests/reference/make_reference_pairwise_ml.R).

lavaan fits ML to the available-case moments: ``cov(X, use = "pairwise") * (N - 1) / N`` and the column
means of the observed values, N the rows that observe a model variable (rows missing a fixed.x covariate are
deleted first). Every row of parameterEstimates (est, se, std.lv, std.all, r2) and of fitMeasures is
compared: a CFA of data/hs_missing.csv with expected and with observed information (lavaan's Hessian of its
objective at those moments), a regression on an observed covariate with holes (x7, fixed.x), MLM, MLMV,
``se="robust"`` and the scaled tests (lavaan's Gamma of the rows with holes), and two groups.
"""
from __future__ import annotations

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, close, compare_group_params, compare_params, compare_series
from egovsem._errors import EgovsemError, MissingDataWarning

SUB = REF / "pairwise_ml"
CASES = {"cfa": {}, "cfa_observed": {"information": "observed"}, "reg_fixedx": {},
         # the Satorra-Bentler family: Gamma of the rows with holes, as lavaan's lav_samplestats_Gamma
         "cfa_mlm": {"estimator": "MLM"}, "cfa_serobust": {"se": "robust"},
         "cfa_ss": {"se": "robust", "test": "scaled.shifted"}, "cfa_mva": {"test": "mean.var.adjusted"},
         "cfa_mlmv": {"estimator": "MLMV"}}
HSM = pd.read_csv(DATA / "hs_missing.csv")
_FITS: dict[str, object] = {}


def _fit(case: str):
    if case not in _FITS:
        model = (SUB / f"{case}_model.lav").read_text(encoding="utf-8")
        if case == "reg_fixedx":
            with pytest.warns(MissingDataWarning, match=r"missing='pairwise' with fixed.x: 14 rows .*\['x7'\]"):
                _FITS[case] = egovsem.sem(model, HSM, missing="pairwise", **CASES[case])
        else:
            _FITS[case] = egovsem.sem(model, HSM, missing="pairwise", **CASES[case])
    return _FITS[case]


@pytest.mark.parametrize("case", list(CASES))
def test_parameter_rows_match_lavaan(case):
    fit = _fit(case)
    assert fit.converged
    ref = pd.read_csv(SUB / f"{case}_params.csv").fillna({"rhs": ""})
    problems = compare_params(fit.params, ref, columns=("est", "std.lv", "std.all"))
    r2 = fit.r2
    for r in ref[ref["op"] == "r2"].to_dict("records"):
        if not close(float(r2[r["lhs"]]), float(r["est"]), 1e-3):
            problems.append(f"r2 {r['lhs']}: egovsem {r2[r['lhs']]!r} lavaan {r['est']!r}")
    assert len(fit.params) == int((ref["op"] != "r2").sum())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES))
def test_fit_measures_match_lavaan(case):
    fm = _fit(case).fit_measures
    ref = pd.read_csv(SUB / f"{case}_fit.csv").set_index("measure")["value"]
    bad = compare_series(fm, ref)
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("case", list(CASES))
def test_nobs_as_lavaan(case):
    info = pd.read_csv(SUB / f"{case}_info.csv").set_index("key")["value"]
    assert _fit(case).nobs == int(info["nobs"])


def test_moments_are_lavaans_pairwise_covariance():
    ov = [f"x{i}" for i in range(1, 10)]
    S = _fit("cfa").stats.cov
    n = len(HSM)
    assert np.allclose(S, HSM[ov].cov().to_numpy() * (n - 1) / n)  # pandas' pairwise cov is R's


def test_what_lavaan_refuses_is_refused_with_its_reason():
    model = (SUB / "cfa_model.lav").read_text(encoding="utf-8")
    ref = pd.read_csv(SUB / "refusals.csv")
    assert set(ref["lavaan_error"]) == {"infinite or missing values in 'x'"}
    with pytest.raises(EgovsemError, match=r"estimator='MLR' is not possible: the casewise scores.*infinite or "
                                           r"missing values in 'x'"):
        egovsem.sem(model, HSM, missing="pairwise", estimator="MLR")
    with pytest.raises(EgovsemError, match=r"se='robust.huber.white' is not possible"):
        egovsem.sem(model, HSM, missing="pairwise", se="robust.huber.white")
    with pytest.raises(EgovsemError, match=r"information='first.order' with missing='pairwise' is not possible"):
        egovsem.sem(model, HSM, missing="pairwise", information="first.order")


# test="yuan.bentler", GLS and ULS with pairwise were refused here as not available until issue 11 implemented
# them (tests/test_ls_tests.py); GLS deletes listwise as lavaan does, and says so
def test_gls_with_pairwise_deletes_listwise_as_lavaan():
    model = (SUB / "cfa_model.lav").read_text(encoding="utf-8")
    with pytest.warns(MissingDataWarning, match=r"missing='pairwise' with estimator='GLS'.*listwise, as lavaan"):
        fit = egovsem.sem(model, HSM, missing="pairwise", estimator="GLS")
    assert fit.opts.missing == "listwise"
    assert fit.nobs == len(HSM.dropna(subset=[f"x{i}" for i in range(1, 10)]))


def test_several_groups_match_lavaan():
    # each group's own pairwise moments (lavaan's sample statistics per group); r2 by group label
    fit = egovsem.cfa((SUB / "groups_model.lav").read_text(encoding="utf-8"), HSM, missing="pairwise",
                      group="school")
    ref = pd.read_csv(SUB / "groups_params.csv")
    problems = compare_group_params(fit.params, ref[ref["op"] != "r2"])
    for r in ref[ref["op"] == "r2"].to_dict("records"):
        got = float(fit.r2.loc[(fit.group_labels[int(r["group"]) - 1], r["lhs"])])
        if not close(got, float(r["est"]), 1e-3):
            problems.append(f"r2 {r['lhs']} group {r['group']}: egovsem {got!r} lavaan {r['est']!r}")
    problems += compare_series(fit.fit_measures, pd.read_csv(SUB / "groups_fit.csv").set_index("measure")["value"])
    assert not problems, "\n".join(problems)
    info = pd.read_csv(SUB / "groups_info.csv").set_index("key")["value"]
    assert fit.nobs == int(info["ntotal"])  # the info table's "nobs" holds the first group's count only
    assert fit.inspect("nobs")[0] == int(info["nobs"])
