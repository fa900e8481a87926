"""se= with a survey design against lavaan 0.6-14 (tests/reference/make_reference_design_se.R): every row of
parameterEstimates() (est, se, std.all) and of fitMeasures(), and lavaan's refusals with its reasons.

``se="standard"`` with ``sampling_weights=`` (ML and MLR) was refused as "not available: lavaan reports robust
standard errors" until issue 11; lavaan takes it (the expected information of the weighted fit, the Yuan-Bentler
(Mplus) test kept), and so does ``se="robust.sem"`` (MLR too). MLR with ``cluster=`` and ``se="standard"``:
lavaan keeps robust.cluster (egovsem warns). lavaan refuses ``se="standard"`` or ``"bootstrap"`` with
``cluster=`` and ``se="bootstrap"`` with weights: refused here with its reason (EgovsemError).
"""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import REF, fit_case_problems, hs_weights
from egovsem._errors import EgovsemError, EgovsemWarning, NotAvailableError

CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
SUB = "design_se"
W, C = dict(sampling_weights="w"), dict(cluster="clu")
CASES = {
    "ml_w_std": dict(se="standard", **W),
    "mlr_w_std": dict(estimator="MLR", se="standard", **W),
    "mlr_w_rsem": dict(estimator="MLR", se="robust.sem", **W),
    "ml_w_rsem": dict(se="robust.sem", **W),
    "mlr_c_std": dict(estimator="MLR", se="standard", **C),
    "mlr_c_rsem": dict(estimator="MLR", se="robust.sem", **C),
    "ml_c_rob": dict(se="robust", **C),
    "mlm_c_rsem": dict(estimator="MLM", se="robust.sem", **C),
}
_FITS: dict = {}



def _fit(case: str):
    fit = _FITS.get(case)
    if fit is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = _FITS[case] = egovsem.cfa(CFA, hs_weights(), **CASES[case])
    return fit


@pytest.mark.parametrize("case", list(CASES))
def test_every_row_matches_lavaan(case):
    fit = _fit(case)
    problems = fit_case_problems(fit, case, SUB)
    if case.startswith(("mlr_c", "ml_c")):
        # lavaan's "robust.cluster" is egovsem's robust.huber.white with cluster= (scores summed in clusters)
        expected = ("options (se, test, information, missing): egovsem ('robust.huber.white', 'yuan.bentler.mplus', "
                    "'observed', 'listwise'), lavaan ('robust.cluster', 'yuan.bentler.mplus', 'observed', 'listwise')")
        assert expected in problems
        problems.remove(expected)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("se", ["standard", "robust.sem"])
def test_mlr_with_cluster_and_another_se_says_they_stay_cluster_robust(se):
    with pytest.warns(EgovsemWarning, match=r"the standard errors are the cluster-robust ones \(se=.robust.cluster.\)"):
        egovsem.cfa(CFA, hs_weights(), estimator="MLR", se=se, cluster="clu")


@pytest.mark.parametrize("case,opts", [("ml_c_std", dict(se="standard", **C)), ("ml_c_boot", dict(se="bootstrap", **C)),
                                       ("ml_c_rsem", dict(se="robust.sem", **C)),
                                       ("ml_c_rhw", dict(se="robust.huber.white", **C)),
                                       ("ml_w_boot", dict(se="bootstrap", **W))])
def test_lavaans_refusals_carry_its_reason(case, opts):
    lavaan = pd.read_csv(REF / SUB / "refusals.csv").set_index("case")["message"][case]
    with pytest.raises(EgovsemError, match=f"se='{opts['se']}' with") as err:
        egovsem.cfa(CFA, hs_weights(), **opts)
    assert not isinstance(err.value, NotAvailableError)
    assert lavaan.replace("lavaan ERROR: ", "") in str(err.value)
