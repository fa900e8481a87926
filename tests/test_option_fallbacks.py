"""Two combinations lavaan 0.6-14 accepts by changing another option, against lavaan
(tests/reference/make_reference_option_fallbacks.R): every row of parameterEstimates() and fitMeasures().

* ``estimator="MLM"`` with another ``test=``: lavaan keeps the Satorra-Bentler test first
  (``test = c("satorra.bentler", <test>)``), so its parameterEstimates() and fitMeasures() are plain MLM's;
  egovsem reports them and says (an ``EgovsemWarning``) that the other test is not reported. With
  ``test="standard"`` lavaan's scaled rows stay too (egovsem had dropped them: a silent change, now fixed).
* ``missing="fiml"`` with a Satorra-Bentler style test: lavaan sets missing to "listwise" with a warning;
  egovsem does the same with a ``MissingDataWarning`` (194 of the 301 rows of hs_missing.csv are complete).
"""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, compare_fit_measures_case, compare_params, compare_series, read_kv, read_ref
from egovsem._errors import EgovsemWarning, MissingDataWarning

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
SUB = "option_fallbacks"
CASES = {
    "mlm_ss": (DATA / "HolzingerSwineford1939.csv", dict(estimator="MLM", test="scaled.shifted"), EgovsemWarning),
    "mlm_mva": (DATA / "HolzingerSwineford1939.csv", dict(estimator="MLM", test="mean.var.adjusted"), EgovsemWarning),
    "fiml_sb": (DATA / "hs_missing.csv", dict(missing="fiml", test="satorra.bentler"), MissingDataWarning),
    "fiml_ss": (DATA / "hs_missing.csv", dict(missing="ml", test="scaled.shifted"), MissingDataWarning),
}
_FITS: dict = {}


def _fit(case):
    if case not in _FITS:
        path, opts, warning = CASES[case]
        with pytest.warns(warning) as rec:
            _FITS[case] = (egovsem.cfa(HS, pd.read_csv(path), **opts), [str(w.message) for w in rec])
    return _FITS[case]


@pytest.mark.parametrize("case", list(CASES))
def test_params_match_lavaan(case):
    fit, _ = _fit(case)
    assert fit.converged
    problems = compare_params(fit.params, read_ref(case, "params", SUB), columns=("est", "se", "std.lv", "std.all"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES))
def test_fit_measures_match_lavaan(case):
    fit, _ = _fit(case)
    problems = compare_fit_measures_case(fit.fit_measures, case, SUB)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES))
def test_options_and_rows_as_lavaan(case):
    fit, msgs = _fit(case)
    info = read_kv(case, "info", SUB)
    assert fit.nobs == int(info["ntotal"])
    assert fit.opts.missing == info["missing"] == "listwise"
    assert fit.opts.test == str(info["test"]).split("/")[-1 if case.startswith("fiml") else 0]
    what = CASES[case][1]["test"]
    assert any(what in m for m in msgs), msgs


def test_mlm_with_the_standard_test_keeps_the_scaled_rows():
    """lavaan: estimator = "MLM", test = "standard" reports the Satorra-Bentler rows (test = c("satorra.bentler",
    "standard")), as plain MLM: the same numbers as the mlm_ss reference, and no warning (the standard test is
    the unscaled chisq, reported anyway)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = egovsem.cfa(HS, pd.read_csv(DATA / "HolzingerSwineford1939.csv"), estimator="MLM", test="standard")
    problems = compare_series(fit.fit_measures, read_kv("mlm_ss", "fit", SUB))
    assert not problems, "\n".join(problems)


def test_the_wlsmv_bootstrap_is_refused_with_lavaans_reason():
    """lavaan 0.6-14 refuses se = "bootstrap" with WLSMV ("use (D)WLS estimator for bootstrap", refusals.csv);
    egovsem refuses it with that reason (an EgovsemError, not 'not available yet')."""
    from egovsem import EgovsemError, NotAvailableError
    from egovsem.sem.options import resolve_options

    ref = pd.read_csv(DATA.parent / "tests" / "reference" / SUB / "refusals.csv").set_index("case")["message"]
    lavaan = str(ref["wlsmv_bootstrap"]).replace("lavaan ERROR: ", "")
    with pytest.raises(EgovsemError) as err:
        resolve_options(estimator="WLSMV", se="bootstrap", ordered=True)
    assert not isinstance(err.value, NotAvailableError)
    assert lavaan in str(err.value) and "se='bootstrap'" in str(err.value)
