"""ULS with the scaled tests spelled out, the robust ULS estimators in several groups, and GLS/ULS (and ML's
Yuan-Bentler test) with ``missing="pairwise"`` (issue 11), against lavaan 0.6-14
(tests/reference/make_reference_ls_tests.R): every row of parameterEstimates() (est, se, std.lv, std.all,
std.nox) and of fitMeasures(), in lavaan's order.

lavaan's semantics reproduced here:

* ``estimator="ULS", test="satorra.bentler"`` (or "scaled.shifted", "mean.var.adjusted") keeps ULS's standard
  SEs and adds the scaled test beside the standard one (lavaan's ``test = c("standard", <test>)``); with
  ``se="robust"`` the SEs are robust.sem. The traces use ULS's own weight, W = I, as ULSM/ULSMV/ULSMVS do.
* ``missing="pairwise"`` with GLS or ULS fits them to the available-case moments (the pairwise covariance
  with divisor N - 1, as for complete data); the scaled ULS tests read lavaan's Gamma of the rows with holes.
* ML with ``test="yuan.bentler"`` and pairwise moments: lavaan's h1 first-order information is then
  ``V Gamma V`` (no casewise scores), so the statistic is the Satorra-Bentler one.
* What lavaan refuses is refused with lavaan's reason (refusals.csv): GLS with any scaled test or robust SEs,
  ULS with the Yuan-Bentler tests or Huber-White SEs, pairwise with ``test="yuan.bentler.mplus"`` or sampling
  weights.
"""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, compare_group_params, compare_params, compare_series, read_kv, read_ref
from egovsem import EgovsemError
from egovsem._errors import NotAvailableError
from egovsem.sem.options import SUPPORTED, resolve_options

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
HS_CSV, HSM_CSV = DATA / "HolzingerSwineford1939.csv", DATA / "hs_missing.csv"
SUB = "ls_tests"
PW = dict(missing="pairwise")
CASES = {
    "uls_sb": (HS_CSV, dict(estimator="ULS", test="satorra.bentler")),
    "uls_ss_serobust": (HS_CSV, dict(estimator="ULS", test="scaled.shifted", se="robust")),
    "uls_mva": (HS_CSV, dict(estimator="ULS", test="mean.var.adjusted")),
    "uls_sb_mg": (HS_CSV, dict(estimator="ULS", test="satorra.bentler", group="school")),
    "uls_mva_serobust_mg": (HS_CSV, dict(estimator="ULS", test="mean.var.adjusted", se="robust", group="school")),
    "ulsm_mg": (HS_CSV, dict(estimator="ULSM", group="school")),
    "ulsmv_mg": (HS_CSV, dict(estimator="ULSMV", group="school")),
    "ulsmvs_mg": (HS_CSV, dict(estimator="ULSMVS", group="school")),
    "uls_serobust_mg": (HS_CSV, dict(estimator="ULS", se="robust", group="school")),
    "pw_uls": (HSM_CSV, dict(estimator="ULS", **PW)),
    "pw_gls": (HSM_CSV, dict(estimator="GLS", **PW)),
    "pw_uls_mg": (HSM_CSV, dict(estimator="ULS", group="school", **PW)),
    "pw_gls_mg": (HSM_CSV, dict(estimator="GLS", group="school", **PW)),
    "pw_uls_sb": (HSM_CSV, dict(estimator="ULS", test="satorra.bentler", **PW)),
    "pw_ulsmv": (HSM_CSV, dict(estimator="ULSMV", **PW)),
    "pw_uls_serobust": (HSM_CSV, dict(estimator="ULS", se="robust", **PW)),
    "pw_ml_yb": (HSM_CSV, dict(test="yuan.bentler", **PW)),
    # lavaan's pairwise + cluster= (clusters of six consecutive ids): egovsem.sem.pairwise_cluster
    "pw_cluster_ml": (HSM_CSV, dict(cluster="cl", **PW)),
    "pw_cluster_mlr": (HSM_CSV, dict(cluster="cl", estimator="MLR", **PW)),
    "pw_cluster_mg": (HSM_CSV, dict(cluster="cl", group="school", **PW)),
}
_FITS: dict = {}


def _fit(case):
    if case not in _FITS:
        path, opts = CASES[case]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lavaan too warns of negative variances in pw_gls_mg
            data = pd.read_csv(path)
            _FITS[case] = egovsem.cfa(HS, data.assign(cl=data["id"] // 6), **opts)
    return _FITS[case]


@pytest.mark.parametrize("case", list(CASES))
def test_params_match_lavaan(case):
    fit = _fit(case)
    assert fit.converged
    compare = compare_group_params if "group" in CASES[case][1] else compare_params
    problems = compare(fit.params, read_ref(case, "params", SUB))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES))
def test_fit_measures_match_lavaan(case):
    fm = _fit(case).fit_measures
    ref = read_kv(case, "fit", SUB)
    problems = compare_series(fm, ref)
    assert not problems, "\n".join(problems)
    assert list(fm.index) == list(ref.index)


@pytest.mark.parametrize("case", list(CASES))
def test_options_resolve_as_lavaan(case):
    info = read_kv(case, "info", SUB)
    opts = _fit(case).opts
    # lavaan names the cluster-robust sandwich "robust.cluster", egovsem robust.huber.white with cluster=
    assert opts.se == {"robust.cluster": "robust.huber.white"}.get(info["se"], info["se"])
    assert opts.test == str(info["test"]).split("/")[-1]
    assert _fit(case).nobs == int(info["ntotal"])


def _refusal(case: str) -> str:
    ref = pd.read_csv(DATA.parent / "tests" / "reference" / SUB / "refusals.csv").set_index("case")["message"]
    return str(ref[case])


@pytest.mark.parametrize("case,kwargs,expect", [
    ("gls_sb", dict(estimator="GLS", test="satorra.bentler"),
     r"test='satorra.bentler' is not a valid test= for estimator='GLS'"),
    ("gls_se_robust", dict(estimator="GLS", se="robust"), r"se='robust' is not a valid se= for estimator='GLS'"),
    ("uls_yb", dict(estimator="ULS", test="yuan.bentler"), r"test='yuan.bentler' with estimator='ULS' is not "
                                                           r"possible"),
    ("uls_ybm", dict(estimator="ULS", test="yuan.bentler.mplus"), r"test='yuan.bentler.mplus' with "
                                                                  r"estimator='ULS' is not possible"),
    ("uls_se_rhw", dict(estimator="ULS", se="robust.huber.white"), r"se='robust.huber.white' is not a valid se= "
                                                                   r"for estimator='ULS'"),
    ("pw_ml_ybm", dict(missing="pairwise", test="yuan.bentler.mplus"), r"missing='pairwise' with "
                                                                       r"test='yuan.bentler.mplus' is not possible"),
    ("pw_ml_weights", dict(missing="pairwise", sampling_weights="w"), r"missing='pairwise' with "
                                                                      r"sampling_weights='w' is not possible"),
    ("pw_uls_weights", dict(missing="pairwise", estimator="ULS", sampling_weights="w"),
     r"missing='pairwise' with sampling_weights='w' is not possible"),
    ("uls_fiml", dict(missing="ml", estimator="ULS"), r"missing='fiml' is not possible with estimator='ULS'"),
    ("gls_fiml", dict(missing="ml", estimator="GLS"), r"missing='fiml' is not possible with estimator='GLS'"),
])
def test_what_lavaan_refuses_is_refused_with_its_reason(case, kwargs, expect):
    lavaan = _refusal(case)
    with pytest.raises(EgovsemError, match=expect) as err:
        resolve_options(**kwargs)
    assert not isinstance(err.value, NotAvailableError)
    # lavaan's own words are quoted in the message
    core = lavaan.replace("lavaan ERROR: ", "").split(":")[0].split(" for ")[0]
    for q in "\"'‘’":
        core = core.replace(q, "")
    assert core in str(err.value).replace('"', "").replace("'", ""), (lavaan, err.value)


def test_pairwise_with_cluster_and_other_estimators_not_available_yet():
    with pytest.raises(NotAvailableError, match=r"cluster= with estimator='MLM' is not available yet"):
        resolve_options(missing="pairwise", cluster="school", estimator="MLM")


@pytest.mark.parametrize("kwargs", [dict(estimator="ULS", test="satorra.bentler", group="g"),
                                    dict(estimator="ULSMV", group="g"), dict(estimator="ULS", se="robust.sem"),
                                    dict(estimator="GLS", missing="pairwise"),
                                    dict(test="yuan.bentler", missing="pairwise")])
def test_new_combinations_are_in_supported(kwargs):
    o = resolve_options(**kwargs)
    assert (o.discrepancy, o.se, o.test) in {c[:3] for c in SUPPORTED}


def test_cli_fit_uls_pairwise_scaled(tmp_path):
    import json

    from egovsem.cli import main

    model = tmp_path / "hs.lav"
    model.write_text(HS + "\n", encoding="utf-8")
    out = tmp_path / "fit.json"
    assert main(["fit", str(model), str(HSM_CSV), "--estimator", "ULS", "--missing", "pairwise", "--test",
                 "satorra.bentler", "--json", str(out)]) == 0
    fm = pd.Series(json.loads(out.read_text(encoding="utf-8"))["fit"], dtype=float)
    ref = read_kv("pw_uls_sb", "fit", SUB)
    assert not compare_series(fm, ref[["npar", "df", "chisq", "chisq.scaled", "cfi.robust", "rmsea.robust"]])
