"""The second batch of information= / se= / test= combinations of issue 11, against lavaan 0.6-14
(tests/reference/make_reference_information2.R): every parameterEstimates() row (est, se, std.lv, std.all) and
every fitMeasures() row.

* ML with ``information="observed"`` and ``test="yuan.bentler"`` (complete data, one group and two): lavaan's
  Yuan-Bentler trace with the h1 observed information (``observed.information = c("hessian", "h1")``);
* ``missing="fiml"`` with ``test="yuan.bentler"`` (observed or expected information, one group and two, standard
  or robust.huber.white SEs; with a Satorra-Bentler style test lavaan deletes listwise, egovsem too):
  lavaan's ``tr(U Omega)`` with the h1 information of the missing-data likelihood at the model's moments and
  ``Omega`` from the EM moments (egovsem.sem.fit_robust.fiml_yb_traces); the robust CFI/TLI/RMSEA are FIML-C's
  V3, as after any scaled test under FIML;
* ``se="bootstrap"`` with ``information="expected"`` / ``"first.order"``: lavaan sets the information to
  "observed" (the traces of a scaled test use it; the bootstrap SEs do not), egovsem too, with a warning;
* MLR (or ML, which sampling weights turn into MLR) with sampling weights and another ``test=``: as without
  weights, lavaan reports MLR's Yuan-Bentler (Mplus) test with the h1 information in its trace; with
  ``cluster=`` lavaan drops the test= given (clustered MLR keeps "yuan.bentler.mplus"), egovsem too, with a
  warning; ML with ``cluster=`` takes ``test="standard"`` (the unscaled test only), ``"satorra.bentler"`` and
  ``"yuan.bentler"`` (the Gamma of the cluster sums, with fixed.x covariates, and the h1 information);
* ``se="standard"`` with sampling weights and no clusters: the SEs of the weighted fit from the expected
  information, the Yuan-Bentler (Mplus) test with the expected information in its traces.

lavaan refuses ``information="first.order"`` with any robust test, and scaled.shifted / mean.var.adjusted
with ``cluster=``; egovsem quotes its reason (refusals.csv).
"""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, REF, close, compare_fit_measures_case, compare_group_params, compare_params, read_kv, read_ref
from egovsem import EgovsemError, NotAvailableError
from egovsem._errors import EgovsemWarning
from egovsem.sem.options import resolve_options

SUB = "information2"
CFA2 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
CFA3 = CFA2 + "\nspeed =~ x7 + x8 + x9"
D_SEM = "f =~ y1 + y2 + y3\nf ~ x1 + x2"
HS, HSM = DATA / "HolzingerSwineford1939.csv", DATA / "hs_missing.csv"
HSW, D2 = REF / "weights" / "hs_weights.csv", REF / "weights" / "demo_twolevel.csv"
HSWM = REF / "weights" / "hs_weights_missing.csv"
_W = (EgovsemWarning,)
#: case -> (model, data, options, whether egovsem warns (where lavaan changes an option))
CASES: dict[str, tuple] = {
    "ml_obs_yb": (CFA2, HS, dict(information="observed", test="yuan.bentler"), False),
    "ml_obs_yb_group": (CFA2, HS, dict(information="observed", test="yuan.bentler", group="school"), False),
    "fiml_yb": (CFA2, HSM, dict(missing="fiml", test="yuan.bentler"), False),
    "fiml_exp_yb": (CFA2, HSM, dict(missing="fiml", test="yuan.bentler", information="expected"), False),
    "fiml_yb_group": (CFA2, HSM, dict(missing="fiml", test="yuan.bentler", group="school"), False),
    "fiml_rhw_yb": (CFA2, HSM, dict(missing="fiml", se="robust.huber.white", test="yuan.bentler"), False),
    "fiml_rhw_sb": (CFA2, HSM, dict(missing="fiml", se="robust.huber.white", test="satorra.bentler"), True),
    **{f"mlr_w_{t.replace('.', '_')}": (CFA3, HSW, dict(estimator="MLR", sampling_weights="w", test=t), True)
       for t in ("standard", "satorra.bentler", "yuan.bentler", "scaled.shifted", "mean.var.adjusted")},
    "ml_w_sb": (CFA3, HSW, dict(sampling_weights="w", test="satorra.bentler"), True),
    "mlr_w_sb_group": (CFA3, HSW, dict(estimator="MLR", sampling_weights="w", group="school",
                                       test="satorra.bentler"), True),
    "mlr_cl_sb": (D_SEM, D2, dict(estimator="MLR", cluster="cluster", test="satorra.bentler"), True),
    "mlr_cl_standard": (D_SEM, D2, dict(estimator="MLR", cluster="cluster", test="standard"), True),
    "mlr_cl_ss": (D_SEM, D2, dict(estimator="MLR", cluster="cluster", test="scaled.shifted"), True),
    "mlr_clw_yb": (D_SEM, D2, dict(estimator="MLR", cluster="cluster", sampling_weights="wc", test="yuan.bentler"),
                   True),
    "ml_cl_standard": (D_SEM, D2, dict(cluster="cluster", test="standard"), False),
    "ml_cl_sb": (D_SEM, D2, dict(cluster="cluster", test="satorra.bentler"), False),
    "ml_cl_yb": (D_SEM, D2, dict(cluster="cluster", test="yuan.bentler"), False),
    "w_se_std": (CFA3, HSW, dict(sampling_weights="w", se="standard"), False),
    "w_se_std_mlr": (CFA3, HSW, dict(estimator="MLR", sampling_weights="w", se="standard"), False),
    "w_se_std_d2": (D_SEM, D2, dict(sampling_weights="wc", se="standard"), False),
    "w_se_std_fiml": (CFA3, HSWM, dict(sampling_weights="w", missing="fiml", se="standard"), False),
    "mlr_w_fiml_sb": (CFA3, HSWM, dict(estimator="MLR", sampling_weights="w", missing="fiml", test="satorra.bentler"),
                      True),
    "w_se_std_group": (CFA3, HSW, dict(sampling_weights="w", se="standard", group="school"), False),
}
#: se="bootstrap" cases: the SEs are resamples (lavaan's are not egovsem's), the rest is compared
BOOT: dict[str, tuple] = {
    f"boot_{tag}{i.replace('.', '_')}": (CFA2, HSM if tag == "fiml_" else HS,
                                         dict(se="bootstrap", bootstrap=20, seed=1, information=i, **kw))
    for i in ("expected", "first.order")
    for tag, kw in (("", {}), ("sb_", dict(test="satorra.bentler")), ("ybm_", dict(test="yuan.bentler.mplus")))
}
BOOT["bootfiml_exp"] = (CFA2, HSM, dict(se="bootstrap", bootstrap=20, seed=1, missing="fiml",
                                        information="expected"))
_FITS: dict = {}


def _fit(case: str):
    if case not in _FITS:
        model, path, opts, *_ = CASES.get(case) or BOOT[case]
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            fit = egovsem.sem(model, pd.read_csv(path), **opts)
        _FITS[case] = (fit, rec)
    return _FITS[case]


def _params(case: str, fit, columns=("est", "std.lv", "std.all")) -> list[str]:
    ref = read_ref(case, "params", SUB)
    if "group" in (CASES.get(case) or BOOT[case])[2]:
        return compare_group_params(fit.params, ref[ref["op"] != "r2"], columns=columns)
    return compare_params(fit.params, ref, columns=columns)


@pytest.mark.parametrize("case", list(CASES))
def test_params_and_fit_measures_match_lavaan(case):
    fit, _ = _fit(case)
    assert fit.converged
    problems = _params(case, fit) + compare_fit_measures_case(fit.fit_measures, case, SUB)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES) + list(BOOT))
def test_options_and_tests_as_lavaan(case):
    """lavaan's information and SE type (lavInspect(fit, "options")), its first scaled test (fit@test: statistic
    and scaling factor), and a warning wherever lavaan changes an option."""
    fit, rec = _fit(case)
    info = read_kv(case, "info", SUB)
    assert fit.opts.information == str(info["information"]).split("/")[0]
    assert fit.opts.se == {"robust.cluster": "robust.huber.white"}.get(info["se"], info["se"])
    tests = pd.read_csv(REF / SUB / f"{case}_tests.csv")
    fm = fit.fit_measures
    assert close(fm["chisq"], tests["stat"].iloc[0], 1e-3)
    scaled = tests[tests["test"] != "standard"]
    if len(scaled):
        assert close(fm["chisq.scaled"], scaled["stat"].iloc[0], 1e-3)
        assert close(fm["chisq.scaling.factor"], scaled["scaling.factor"].iloc[0], 1e-3)
    ours = [str(w.message) for w in rec if issubclass(w.category, EgovsemWarning)]
    warns = CASES[case][3] if case in CASES else BOOT[case][2]["information"] != "observed"
    assert bool(ours) == bool(warns), ours


@pytest.mark.parametrize("case", list(BOOT))
def test_bootstrap_with_information_as_lavaan(case):
    """The estimates and every fitMeasures() row (the scaled tests' traces with lavaan's observed information);
    the bootstrap SEs are those of the same fit without information= (the information does not enter them)."""
    fit, _ = _fit(case)
    problems = [p for p in _params(case, fit, columns=("est",)) if " se:" not in p]
    problems += compare_fit_measures_case(fit.fit_measures, case, SUB)
    assert not problems, "\n".join(problems)
    model, path, opts = BOOT[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = egovsem.sem(model, pd.read_csv(path), **{k: v for k, v in opts.items() if k != "information"})
    pd.testing.assert_frame_equal(fit.params, plain.params)


_REFUSED = {
    "ml_fo_sb": dict(information="first.order", test="satorra.bentler"),
    "ml_fo_ss": dict(information="first.order", test="scaled.shifted"),
    "ml_fo_mva": dict(information="first.order", test="mean.var.adjusted"),
    "ml_fo_yb": dict(information="first.order", test="yuan.bentler"),
    "ml_fo_ybm": dict(information="first.order", test="yuan.bentler.mplus"),
    "fiml_fo_yb": dict(missing="fiml", information="first.order", test="yuan.bentler"),
    "ml_cl_ss": dict(cluster="cluster", test="scaled.shifted"),
    "ml_cl_mva": dict(cluster="cluster", test="mean.var.adjusted"),
}


@pytest.mark.parametrize("case", list(_REFUSED))
def test_refused_with_lavaans_reason(case):
    ref = pd.read_csv(REF / SUB / "refusals.csv").set_index("case")["message"]
    lavaan = str(ref[case]).replace("lavaan ERROR: ", "").rstrip(".")
    with pytest.raises(EgovsemError) as err:
        resolve_options(**_REFUSED[case])
    assert not isinstance(err.value, NotAvailableError)
    assert lavaan in str(err.value), (lavaan, str(err.value))
    assert repr(_REFUSED[case]["test"]) in str(err.value)
