"""Modification indices of multi-group fits (complete-data ML and FIML) against lavaan 0.6-14, every row
(tests/reference/make_reference_modindices_mg.R). FIML multi-group modindices() raised KeyError before the
results' casewise rows were read per group."""
from __future__ import annotations

import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, close, read_ref, row_key

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
    mine = {row_key(r["lhs"], r["op"], r["rhs"]) + (int(r["group"]),): r for _, r in ours.iterrows()}
    problems = []
    for _, r in ref.iterrows():
        k = row_key(r["lhs"], r["op"], r["rhs"]) + (int(r["group"]),)
        if k not in mine:
            problems.append(f"lavaan row {k} missing")
            continue
        for c in ("mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"):
            if not close(float(mine[k][c]), float(r[c]), 1e-3):
                problems.append(f"{k} {c}: egovsem {mine[k][c]} lavaan {r[c]}")
    if len(mine) != len(ref):
        problems.append(f"egovsem has {len(mine)} rows, lavaan {len(ref)}")
    assert not problems, "\n".join(problems)
