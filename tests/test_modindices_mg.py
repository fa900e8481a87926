"""Modification indices of multi-group fits (complete-data ML and FIML) against lavaan 0.6-14, every row
(tests/reference/make_reference_modindices_mg.R). FIML multi-group modindices() raised KeyError before the
results' casewise rows were read per group."""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, compare_modindices_groups, read_ref

M = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
CASES = {"mg_ml": ("HolzingerSwineford1939", {}), "mg_fiml": ("hs_missing10", {"missing": "fiml"})}


@pytest.mark.parametrize("case", sorted(CASES))
def test_modindices_match_lavaan(case):
    data, opts = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.cfa(M, pd.read_csv(DATA / f"{data}.csv"), group="school", **opts)
    ours = fit.modindices()
    ref = read_ref(case, "modindices", "modindices_mg")
    problems = compare_modindices_groups(ours, ref)
    assert not problems, "\n".join(problems)
