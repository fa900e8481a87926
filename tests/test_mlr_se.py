"""estimator="MLR" with se="standard" and se="robust.sem" against lavaan 0.6-14
(tests/reference/make_reference_mlr_se.R): every row of parameterEstimates() (est, se, std.all) and of
fitMeasures().

Both were refused until issue 11 ("not available yet"). lavaan keeps MLR's test, "yuan.bentler.mplus"; the
information of the SEs (and of the test's h0 trace) is the expected one with complete data (MLR's observed
default belongs to robust.huber.white) and the observed one under missing="ml" with se="standard"; with
se="robust.sem" lavaan sets missing to "listwise", with a warning, as for ML with se="robust.sem" (egovsem
warns with a MissingDataWarning). A CFA and the MIMIC model of HolzingerSwineford1939, two schools, and
hs_missing.csv under FIML.
"""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, compare_fit_measures_case, compare_group_params, fit_case_problems, read_kv, read_ref
from egovsem._errors import MissingDataWarning

CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
MIMIC = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr + sex"
SUB = "mlr_se"
HS, HSM = "HolzingerSwineford1939", "hs_missing"
CASES = {
    "cfa_std": (HS, CFA, dict(estimator="MLR", se="standard")),
    "cfa_rsem": (HS, CFA, dict(estimator="MLR", se="robust.sem")),
    "mimic_std": (HS, MIMIC, dict(estimator="MLR", se="standard")),
    "mimic_rsem": (HS, MIMIC, dict(estimator="MLR", se="robust.sem")),
    "mg_std": (HS, CFA, dict(estimator="MLR", se="standard", group="school")),
    "mg_rsem": (HS, CFA, dict(estimator="MLR", se="robust.sem", group="school")),
    "fiml_std": (HSM, CFA, dict(estimator="MLR", se="standard", missing="fiml")),
    "fiml_rsem": (HSM, CFA, dict(estimator="MLR", se="robust.sem", missing="fiml")),
    "fiml_ml_rsem": (HSM, CFA, dict(se="robust.sem", missing="fiml")),
}
_FITS: dict = {}


def _fit(case: str):
    if case not in _FITS:
        data, model, opts = CASES[case]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _FITS[case] = egovsem.sem(model, pd.read_csv(DATA / f"{data}.csv"), **opts)
    return _FITS[case]


@pytest.mark.parametrize("case", list(CASES))
def test_every_row_matches_lavaan(case):
    problems = fit_case_problems(_fit(case), case, SUB)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("est", ["MLR", "ML"])
def test_robust_sem_under_fiml_deletes_listwise_and_says_so(est):
    hs = pd.read_csv(DATA / f"{HSM}.csv")
    with pytest.warns(MissingDataWarning, match="missing will be set to listwise for se = robust.sem"):
        fit = egovsem.sem(CFA, hs, estimator=est, se="robust.sem", missing="fiml")
    assert fit.opts.missing == "listwise" and fit.nobs == int(read_kv("fiml_rsem", "info", SUB)["ntotal"])


@pytest.mark.parametrize("case,sub,extra", [
    ("mimic_std", SUB, ["--estimator", "MLR", "--se", "standard"]),
    ("mimic_rsem", SUB, ["--estimator", "mlr", "--se", "robust.sem"]),
    ("mlm", "mlm_fixed_x", ["--estimator", "MLM"]),
    ("ml_rob_ss", "mlm_fixed_x", ["--se", "robust", "--test", "scaled.shifted"])])
def test_the_command_line_passes_them_through(tmp_path, case, sub, extra):
    # egovsem fit --estimator / --se / --test: every fit measure and every SE of lavaan's tables
    import json

    from egovsem.cli import main

    model = tmp_path / "mimic.lav"
    model.write_text(MIMIC)
    out = tmp_path / "o.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["fit", str(model), str(DATA / f"{HS}.csv"), *extra, "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    problems = compare_fit_measures_case(pd.Series({k: np.nan if v is None else v for k, v in d["fit"].items()}), case, sub)
    params = pd.DataFrame(d["params"]).assign(group=1)
    problems += compare_group_params(params[params["op"] != "r2"], read_ref(case, "params", sub)
                                     .query("op != 'r2'"), columns=("est",))
    assert not problems, "\n".join(problems)
