"""Moderated mediation (egovsem.sem.modmed) against lavaan 0.6-14 ':=' definitions
(tests/reference/make_reference_modmed.R): estimates 1e-3 (relative where |x| > 1), delta-method SEs 1e-2
relative; bootstrap percentile limits against lavaan's within Monte Carlo error: 0.4 bootstrap SEs (lavaan's
bootstrap SE, the spread of the bootstrap distribution) for two independent runs of B = 1000; the MC sd of
a 2.5% limit is about 0.085 SE per run for a normal bootstrap distribution, more for the heavy-tailed
index (seeds 1-6 spread its lower limit over -0.0236..-0.0190)."""
from __future__ import annotations

from pathlib import Path

import egovsem
import numpy as np
import pandas as pd
import pytest
from egovsem._errors import DataError, EgovsemError
from egovsem.datasets import load
from egovsem.sem.modmed import moderated_mediation
from egovsem.sem.products import ind_prod

REF = Path(__file__).parent / "reference" / "modmed"
FIRST = "x4 ~ x1 + x2 + x1:x2\n x7 ~ x4 + x1"
SECOND = "x4 ~ x1\n x7 ~ x4 + x2 + x4:x2 + x1"
LATENT = """visual =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  VT =~ x1.x4 + x2.x5 + x3.x6
  speed =~ x7 + x8 + x9
  VT ~~ 0*visual + 0*textual
  speed ~ visual + textual + VT
  ageyr ~ speed + visual"""


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return load("HolzingerSwineford1939")


def _check(res, case: str, values: str | None = None) -> None:
    ref = pd.read_csv(REF / f"{case}_defined.csv").set_index("lhs")
    vals = pd.read_csv(REF / f"{values or case}_values.csv")["w"].to_numpy()
    np.testing.assert_allclose(res.effects["value"], vals, rtol=1e-6, atol=1e-6)
    for i, name in enumerate(("ind_lo", "ind_mid", "ind_hi")):
        est, se = ref.loc[name, "est"], ref.loc[name, "se"]
        assert abs(res.effects["est"].iloc[i] - est) <= 1e-3 * max(1.0, abs(est))
        assert abs(res.effects["se"].iloc[i] / se - 1) <= 1e-2
    assert abs(res.index["est"].iloc[0] - ref.loc["imm", "est"]) <= 1e-3
    assert abs(res.index["se"].iloc[0] / ref.loc["imm", "se"] - 1) <= 1e-2


def test_first_stage_observed(hs):
    res = moderated_mediation(egovsem.sem(FIRST, hs), x="x1", m="x4", y="x7", w="x2", data=hs)
    assert res.stage == "first stage"
    _check(res, "observed")


def test_second_stage_observed(hs):
    res = moderated_mediation(egovsem.sem(SECOND, hs), x="x1", m="x4", y="x7", w="x2", data=hs)
    assert res.stage == "second stage"
    _check(res, "second", "observed")


def test_latent_product_indicators(hs):
    d = ind_prod(hs, ["x1", "x2", "x3"], ["x4", "x5", "x6"])
    res = moderated_mediation(egovsem.sem(LATENT, d), x="visual", m="speed", y="ageyr", w="textual", xw="VT")
    _check(res, "latent")


def test_bootstrap_percentile_within_mc_error(hs):
    fit = egovsem.sem(FIRST, hs, se="bootstrap", bootstrap=1000, seed=11)
    res = moderated_mediation(fit, x="x1", m="x4", y="x7", w="x2", data=hs)
    ref = pd.read_csv(REF / "observed_boot.csv").set_index("lhs")
    for i, name in enumerate(("ind_lo", "ind_mid", "ind_hi")):
        tol = 0.4 * ref.loc[name, "se"]
        assert abs(res.effects["boot.lower"].iloc[i] - ref.loc[name, "ci.lower"]) <= tol, name
        assert abs(res.effects["boot.upper"].iloc[i] - ref.loc[name, "ci.upper"]) <= tol, name
    tol = 0.4 * ref.loc["imm", "se"]
    assert abs(res.index["boot.lower"].iloc[0] - ref.loc["imm", "ci.lower"]) <= tol
    assert abs(res.index["boot.upper"].iloc[0] - ref.loc["imm", "ci.upper"]) <= tol


def test_bad_input(hs):
    fit = egovsem.sem(FIRST, hs)
    with pytest.raises(EgovsemError, match="with itself"):
        moderated_mediation(fit, x="x1", m="x4", y="x7", w="x1", data=hs)
    with pytest.raises(DataError, match=r"outside the range of 'x2' in the data"):
        moderated_mediation(fit, x="x1", m="x4", y="x7", w="x2", data=hs, values=[6.0, 20.0])
    with pytest.raises(DataError, match="pass the fit's data"):
        moderated_mediation(fit, x="x1", m="x4", y="x7", w="x2")
    with pytest.raises(EgovsemError, match="no moderation by 'x3'"):
        moderated_mediation(fit, x="x1", m="x4", y="x7", w="x3", data=hs)
    with pytest.raises(EgovsemError, match="no regression x5 ~ x1"):
        moderated_mediation(fit, x="x1", m="x5", y="x7", w="x2", data=hs)
