"""``estimator="MLMV"`` with another ``test=`` (issue 11; was refused "not available yet"): lavaan 0.6-14 keeps
MLMV's scaled-shifted test first (``test = c("scaled.shifted", <test>)``) and reports plain MLMV's
parameterEstimates() and fitMeasures(); egovsem does the same and says so in a warning.

Reference: tests/reference/make_reference_mlmv_test.R (lavaan's HolzingerSwineford1939, the three-factor CFA;
the script checks that each fit equals plain MLMV in lavaan too).
"""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, REF, compare_params, compare_series
from egovsem._errors import EgovsemWarning

SUB = REF / "mlmv_test"
HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
TESTS = ["standard", "satorra.bentler", "yuan.bentler", "yuan.bentler.mplus", "mean.var.adjusted"]


def _fit(test: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return egovsem.cfa(MODEL, HS, estimator="MLMV", test=test)


@pytest.mark.parametrize("test", TESTS)
def test_mlmv_with_another_test_matches_lavaan(test):
    fit = _fit(test)
    ref = pd.read_csv(SUB / f"{test}_params.csv")
    problems = compare_params(fit.params, ref, columns=("est", "std.all"))
    fm_ref = pd.read_csv(SUB / f"{test}_fit.csv").set_index("measure")["value"]
    problems += compare_series(fit.fit_measures, fm_ref)
    assert not problems, "\n".join(problems)
    opts = pd.read_csv(SUB / f"{test}_options.csv").set_index("key")["value"]
    assert opts["test"].split("/")[0] == fit.opts.test == "scaled.shifted"
    assert opts["se"] == fit.opts.se == "robust.sem"


@pytest.mark.parametrize("test", [t for t in TESTS if t != "standard"])
def test_mlmv_with_another_test_says_which_test_is_reported(test):
    with pytest.warns(EgovsemWarning, match=f"test='{test}' with estimator='MLMV': MLMV's scaled-shifted test is "
                                            "reported"):
        egovsem.cfa(MODEL, HS, estimator="MLMV", test=test)
