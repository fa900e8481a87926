"""The invariance steps fitted in worker processes (issue 17): the same table as in one process.

The reference numbers are lavaan's (``cfa(HS.model, data, group = "school", group.equal = ...)``: chisq
115.85 on 48, 124.04 on 54, 164.10 on 60, 181.51 on 69), as in the docstring of
:func:`egovsem.measure.invariance`; the point here is that ``n_jobs`` does not change a single bit.
"""
from __future__ import annotations

import warnings

import egovsem.sem
import numpy as np
import pandas as pd
import pytest
from egovsem._errors import EgovsemError
from egovsem.datasets import load
from egovsem.measure import invariance

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return load("HolzingerSwineford1939")


def test_two_processes_give_the_same_table(hs):
    one = invariance(HS, hs, "school", n_jobs=1)
    two = invariance(HS, hs, "school", n_jobs=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    np.testing.assert_allclose(two["chisq"], [115.85, 124.04, 164.10, 181.51], atol=0.005)
    assert list(two["df"]) == [48, 54, 60, 69]
    for step in one.attrs["fits"]:
        a, b = one.attrs["fits"][step].params, two.attrs["fits"][step].params
        assert np.array_equal(a["est"].to_numpy(), b["est"].to_numpy())
        assert np.array_equal(a["se"].to_numpy(), b["se"].to_numpy(), equal_nan=True)


def test_warnings_of_a_worker_reach_the_caller(hs, monkeypatch):
    original = egovsem.sem.sem

    def warning_sem(*args, **kwargs):
        warnings.warn(f"step {kwargs.get('group_equal')}", UserWarning, stacklevel=2)
        return original(*args, **kwargs)

    monkeypatch.setattr(egovsem.sem, "sem", warning_sem)
    with pytest.warns(UserWarning) as caught:
        invariance(HS, hs, "school", steps=("configural", "metric"), n_jobs=2)
    assert [str(w.message) for w in caught if str(w.message).startswith("step")] == [
        "step []", "step ['loadings']"]


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_bad_n_jobs_is_named(hs, bad):
    with pytest.raises(EgovsemError, match="'n_jobs'"):
        invariance(HS, hs, "school", n_jobs=bad)
