"""information= / se= / test= combinations that lavaan 0.6-14 accepts (issue 11), against lavaan
(tests/reference/make_reference_information.R): every row of parameterEstimates() (est, se, std.lv, std.all)
and every fitMeasures() row, on the two-factor CFA of HolzingerSwineford1939 (complete, data/hs_missing.csv
with FIML, and two schools).

* MLR with ``information="expected"``: the Huber-White sandwich with the expected information as its bread;
  the Yuan-Bentler (Mplus) traces with it (under FIML: lavaan's expected h1 information at the EM moments in
  ``tr(B1 A1^-1)``, the baseline's expected information);
* FIML (ML) with ``information="expected"`` / ``"first.order"``: the SEs from that information, and FIML-C's
  ``E`` (the robust RMSEA / CFI) of that kind at the EM moments (lavaan's h1.information "unstructured");
* GLS with ``information="observed"``: the Hessian of GLS's objective; ULS: lavaan keeps the expected
  information with a warning, egovsem too;
* ``se="robust.huber.white"`` with ML: MLR's SEs with the standard test;
* MLR with another ``test=``: lavaan keeps "yuan.bentler.mplus" first and sets observed.information to
  ``c("hessian", "h1")``: the reported test is the Yuan-Bentler (Mplus) one with ``Delta' H1 Delta`` in its
  trace (a scaling factor of 1.060 instead of MLR's 1.000 on complete data); Satorra-Bentler style tests
  under FIML delete listwise, as lavaan;
* FIML with ``se="robust.sem"``: lavaan deletes listwise (warning), egovsem too.

The combinations lavaan refuses (MLR or robust.huber.white with ``information="first.order"``, GLS with it)
are refused with lavaan's reason (refusals.csv).
"""
from __future__ import annotations

import json
import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, REF, compare_fit_measures_case, compare_group_params, compare_params, read_kv, read_ref
from egovsem import EgovsemError, NotAvailableError
from egovsem._errors import EgovsemWarning, MissingDataWarning
from egovsem.sem.options import resolve_options

CFA2 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
SUB = "information"
HS_CSV, HSM_CSV = DATA / "HolzingerSwineford1939.csv", DATA / "hs_missing.csv"
#: case -> (data, options, the warnings egovsem gives, as lavaan does)
CASES: dict[str, tuple] = {
    "mlr_exp": (HS_CSV, dict(estimator="MLR", information="expected"), ()),
    "mlr_exp_fiml": (HSM_CSV, dict(estimator="MLR", missing="fiml", information="expected"), ()),
    "mlr_exp_group": (HS_CSV, dict(estimator="MLR", group="school", information="expected"), ()),
    "mlr_exp_fiml_group": (HSM_CSV, dict(estimator="MLR", missing="fiml", group="school", information="expected"),
                           ()),
    "fiml_exp": (HSM_CSV, dict(missing="fiml", information="expected"), ()),
    "fiml_fo_group": (HSM_CSV, dict(missing="fiml", group="school", information="first.order"), ()),
    "fiml_fo": (HSM_CSV, dict(missing="fiml", information="first.order"), ()),
    "gls_obs": (HS_CSV, dict(estimator="GLS", information="observed"), ()),
    "gls_obs_group": (HS_CSV, dict(estimator="GLS", group="school", information="observed"), ()),
    "uls_obs": (HS_CSV, dict(estimator="ULS", information="observed"), (EgovsemWarning,)),
    "ml_rhw": (HS_CSV, dict(se="robust.huber.white"), ()),
    "mlr_standard": (HS_CSV, dict(estimator="MLR", test="standard"), (EgovsemWarning,)),
    "mlr_sb": (HS_CSV, dict(estimator="MLR", test="satorra.bentler"), (EgovsemWarning,)),
    "mlr_yb": (HS_CSV, dict(estimator="MLR", test="yuan.bentler"), (EgovsemWarning,)),
    "mlr_ss": (HS_CSV, dict(estimator="MLR", test="scaled.shifted"), (EgovsemWarning,)),
    "mlr_mva": (HS_CSV, dict(estimator="MLR", test="mean.var.adjusted"), (EgovsemWarning,)),
    "mlr_fiml_standard": (HSM_CSV, dict(estimator="MLR", missing="fiml", test="standard"), (EgovsemWarning,)),
    "mlr_fiml_yb": (HSM_CSV, dict(estimator="MLR", missing="fiml", test="yuan.bentler"), (EgovsemWarning,)),
    "mlr_fiml_sb": (HSM_CSV, dict(estimator="MLR", missing="fiml", test="satorra.bentler"),
                    (EgovsemWarning, MissingDataWarning)),
    "fiml_rsem": (HSM_CSV, dict(missing="fiml", se="robust.sem"), (MissingDataWarning,)),
    "ml_ybm_obs": (HS_CSV, dict(test="yuan.bentler.mplus", information="observed"), (EgovsemWarning,)),
    **{f"ml_rhw_{t.replace('.', '_')}": (HS_CSV, dict(se="robust.huber.white", test=t),
                                         (EgovsemWarning,) if t == "yuan.bentler.mplus" else ())
       for t in ("yuan.bentler.mplus", "satorra.bentler", "yuan.bentler", "scaled.shifted", "mean.var.adjusted")},
    "fiml_rhw_ybm": (HSM_CSV, dict(missing="fiml", se="robust.huber.white", test="yuan.bentler.mplus"),
                     (EgovsemWarning,)),
    "fiml_ybm": (HSM_CSV, dict(missing="fiml", test="yuan.bentler.mplus"), (EgovsemWarning,)),
}
_FITS: dict = {}


def _fit(case):
    if case not in _FITS:
        path, opts, expected = CASES[case]
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            fit = egovsem.cfa(CFA2, pd.read_csv(path), **opts)
        _FITS[case] = (fit, rec)
    return _FITS[case]


@pytest.mark.parametrize("case", list(CASES))
def test_params_and_fit_measures_match_lavaan(case):
    fit, _ = _fit(case)
    assert fit.converged
    ref = read_ref(case, "params", SUB)
    if "group" in CASES[case][1]:
        # (the r2 rows are compared by neither helper: egovsem reports R² apart, fit.r2)
        problems = compare_group_params(fit.params, ref[ref["op"] != "r2"], columns=("est", "std.lv", "std.all"))
    else:
        problems = compare_params(fit.params, ref, columns=("est", "std.lv", "std.all"))
    # every fitMeasures() row (chisq.scaled, the scaling factors, cfi.robust, rmsea.robust, ...), in its order
    problems += compare_fit_measures_case(fit.fit_measures, case, SUB)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES))
def test_options_and_warnings_as_lavaan(case):
    """The information, SE type, first test and missing-data handling lavaan used (lavInspect(fit,
    "options")), the number of rows, and a warning wherever lavaan changes an option."""
    fit, rec = _fit(case)
    info = read_kv(case, "info", SUB)
    assert fit.nobs == int(info["ntotal"])
    assert fit.opts.information == str(info["information"]).split("/")[0]
    assert fit.opts.se == info["se"]
    # (lavaan lists "standard" first when test= names another test with se="standard")
    assert fit.opts.test == next((t for t in str(info["test"]).split("/") if t != "standard"), "standard")
    assert fit.opts.missing == {"ml": "fiml"}.get(info["missing"], info["missing"])
    # lavaan's observed.information of the Yuan-Bentler (Mplus) trace: "h1" when it says "set to h1" (the
    # Satorra-Bentler style traces read it in egovsem.sem.robust_sem)
    if fit.opts.test == "yuan.bentler.mplus" and fit.opts.information == "observed":
        assert fit.opts.test_information == ("h1" if str(info["observed_information"]).endswith("/h1")
                                             else "hessian")
    categories = {type(w.message) for w in rec if issubclass(w.category, EgovsemWarning)}
    for cat in CASES[case][2]:
        assert cat in categories, (case, [str(w.message) for w in rec])
    if not CASES[case][2]:
        assert not categories, [str(w.message) for w in rec]
        assert not str(info["warnings"]) or str(info["warnings"]) == "nan"


@pytest.mark.parametrize("case", list(CASES))
def test_reported_test_is_lavaans_first(case):
    """fitMeasures() report lavaan's first scaled test (fit@test, <case>_tests.csv): its statistic and
    scaling factor are egovsem's chisq.scaled and chisq.scaling.factor."""
    fit, _ = _fit(case)
    tests = pd.read_csv(REF / SUB / f"{case}_tests.csv")
    fm = fit.fit_measures
    assert abs(fm["chisq"] - tests["stat"].iloc[0]) <= 1e-3 * max(1.0, tests["stat"].iloc[0])
    if len(tests) > 1:
        first = tests.iloc[1]
        assert abs(fm["chisq.scaled"] - first["stat"]) <= 1e-3 * max(1.0, first["stat"])
        assert abs(fm["chisq.scaling.factor"] - first["scaling.factor"]) <= 1e-3


def test_mlr_test_changes_the_trace_information():
    """MLR with test="standard" is not plain MLR: lavaan's trace uses the h1 information (scaling factor 1.060
    against plain MLR's 1.000 here), as the reference shows; egovsem matches both."""
    assert abs(read_kv("mlr_standard", "fit", SUB)["chisq.scaling.factor"] - 1.0598) < 1e-3
    plain = egovsem.cfa(CFA2, pd.read_csv(HS_CSV), estimator="MLR").fit_measures["chisq.scaling.factor"]
    assert abs(plain - 1.0) < 1e-3


_REFUSED = {
    "mlr_fo": dict(estimator="MLR", information="first.order"),
    "mlr_fo_fiml": dict(estimator="MLR", missing="fiml", information="first.order"),
    "mlr_fo_group": dict(estimator="MLR", group="school", information="first.order"),
    "ml_rhw_fo": dict(se="robust.huber.white", information="first.order"),
    "gls_fo": dict(estimator="GLS", information="first.order"),
    "mlm_fo": dict(estimator="MLM", information="first.order"),
}


@pytest.mark.parametrize("case", list(_REFUSED))
def test_refused_with_lavaans_reason(case):
    ref = pd.read_csv(REF / SUB / "refusals.csv").set_index("case")["message"]
    lavaan = str(ref[case]).replace("lavaan ERROR: ", "").rstrip(".").replace("\u2018", "").replace("\u2019", "")
    with pytest.raises(EgovsemError) as err:
        resolve_options(**_REFUSED[case])
    assert not isinstance(err.value, NotAvailableError)
    msg = str(err.value)
    assert "information='first.order'" in msg
    assert lavaan in msg, (lavaan, msg)


def test_fit_information_from_the_command_line(tmp_path):
    """``egovsem fit --estimator MLR --information expected`` reaches the fit: lavaan's numbers."""
    from egovsem.cli import main

    model = tmp_path / "cfa2.lav"
    model.write_text(CFA2 + "\n")
    out = tmp_path / "e.json"
    assert main(["fit", str(model), str(HSM_CSV), "--estimator", "MLR", "--missing", "fiml",
                 "--information", "expected", "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    ref = read_kv("mlr_exp_fiml", "fit", SUB)
    for k in ("chisq", "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "rmsea.robust"):
        assert abs(d["fit"][k] - float(ref[k])) <= 1e-3 * max(1.0, abs(float(ref[k]))), k
    pe = read_ref("mlr_exp_fiml", "params", SUB)
    for _, r in pe[pe["op"] == "=~"].iterrows():
        mine = next(p for p in d["params"] if (p["lhs"], p["op"], p["rhs"]) == (r["lhs"], "=~", r["rhs"]))
        assert abs(mine["est"] - r["est"]) < 1e-3 and abs(mine["se"] - r["se"]) <= 1e-2 * r["se"]
