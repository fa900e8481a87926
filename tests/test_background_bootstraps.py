"""The run's bootstraps in a background process (egovsem.study.fitting.BackgroundBootstraps): the same numbers
as the bootstrap in the run's process, bit for bit; an error is raised where the result is collected; a
background process that dies is replaced by the bootstrap in the run's process."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from egovsem import NotAvailableError, sem
from egovsem.study.fitting import BackgroundBootstraps, bootstrap_collecting

DATA = Path(__file__).resolve().parents[1] / "data"
MED = """visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
textual ~ a*visual
x7 ~ b*textual + visual
ab := a*b
"""


@pytest.fixture(scope="module")
def fits():
    hs = pd.read_csv(DATA / "hs_missing.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {"fiml": sem(MED, hs, missing="fiml"), "listwise": sem(MED, hs)}


def _same(a, b):
    cols = ["est", "se", "ci.lower", "ci.upper"]
    np.testing.assert_array_equal(a.params[cols].to_numpy(), b.params[cols].to_numpy())
    assert a.bootstrap_info == b.bootstrap_info


def test_background_equals_in_process(fits):
    bg = BackgroundBootstraps(fits, 30, 20261206)
    try:
        got = {m: bg.result(m) for m in ("listwise", "fiml")}  # (collected in another order than started)
    finally:
        bg.close()
    for m, (boot, msgs, secs) in got.items():
        ref, ref_msgs = bootstrap_collecting(fits[m], 30, 20261206)
        _same(boot, ref)
        assert msgs == ref_msgs and secs > 0


def test_dead_background_process_is_replaced(fits):
    bg = BackgroundBootstraps(fits, 20, 7)
    if bg._proc is not None:  # (a platform without fork has none: result() computes here anyway)
        bg._proc.terminate()
        bg._proc.join()
    try:
        boot, _, _ = bg.result("fiml")
    finally:
        bg.close()
    _same(boot, bootstrap_collecting(fits["fiml"], 20, 7)[0])


def test_error_is_raised_where_collected(fits):
    hso = pd.read_csv(DATA / "hs_ordinal.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wlsmv = sem("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", hso, ordered=True)
    bg = BackgroundBootstraps({"wlsmv": wlsmv, "fiml": fits["fiml"]}, 20, 7)
    try:
        with pytest.raises(NotAvailableError, match="estimator='WLSMV'"):
            bg.result("wlsmv")
        boot, _, _ = bg.result("fiml")  # the later fit still arrives
    finally:
        bg.close()
    _same(boot, bootstrap_collecting(fits["fiml"], 20, 7)[0])
