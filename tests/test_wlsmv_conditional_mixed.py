"""WLSMV with exogenous covariates (lavaan's conditional.x) and continuous indicators mixed with ordered ones
against lavaan 0.6-14 (issue 11 of 12; egovsem.sem.ordinal_conditional, egovsem.sem.wls_mg_conditional).

Reference: tests/reference/make_reference_wlsmv_conditional_mixed.R: psych's bfi (A1, A2 continuous, A3..A5
ordered on age and education: one group delta and theta, and by gender; A1..A3 ordered, A4, A5 continuous on
age and gender) and HolzingerSwineford1939 (x1, x2, x4 continuous, x3, x5, x6 of data/hs_ordinal.csv ordered,
on sex and age in years less 13; one group and by school; data/hs_ordinal.csv with x1, x2 ordered, x3..x9
continuous and speed on ageyr). The first stage (lavInspect "wls.obs" and "gamma":
OLS intercepts, slopes and residual variances of the continuous indicators, probit thresholds and slopes of
the ordered ones, residual Pearson / polyserial / polychoric (co)variances), every parameterEstimates row
(est, se, std.lv, std.all, std.nox), every fitMeasures row and every modindices() row are matched.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, close, compare_fit_group_params, compare_series
from egovsem.sem.ordinal_conditional import conditional_ordinal_stats

REF = Path(__file__).parent / "reference" / "wlsmv_conditional_mixed"
CASES = pd.read_csv(REF / "cases.csv", keep_default_na=False).set_index("case")
_HS, _HSO = pd.read_csv(DATA / "HolzingerSwineford1939.csv"), pd.read_csv(DATA / "hs_ordinal.csv")
FRAMES = {"bfi": pd.read_csv(DATA / "bfi.csv")[["A1", "A2", "A3", "A4", "A5", "age", "education", "gender"]],
          "hs": pd.DataFrame({"x1": _HS.x1, "x2": _HS.x2, "x3": _HSO.x3, "x4": _HS.x4, "x5": _HSO.x5,
                              "x6": _HSO.x6, "sex": _HS.sex, "ageyr": _HS.ageyr, "agec": _HS.ageyr - 13,
                              "school": _HS.school}),
          "hso": _HSO.assign(ageyr=_HS.ageyr)}
_FITS: dict[str, object] = {}


def _fit(case: str):
    if case not in _FITS:
        row = CASES.loc[case]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bfi: listwise deletion of the rows missing education or an item
            _FITS[case] = egovsem.cfa(row["model"].replace("; ", "\n"), FRAMES[row["data"]],
                                      ordered=row["ordered"].split(","), estimator="WLSMV", group=row["group"] or None,
                                      parameterization=row["parameterization"], missing=row["missing"])
    return _FITS[case]


@pytest.mark.parametrize("case", list(CASES.index))
def test_first_stage_matches_lavaan(case):
    st = _fit(case).ordinal
    obs = pd.read_csv(REF / f"{case}_wls_obs.csv")
    gam = pd.read_csv(REF / f"{case}_gamma.csv")
    for g, o in enumerate(st):
        ref = obs[obs["group"] == g + 1]
        assert list(o.wls_names) == ref["name"].tolist()
        bad = [(n, a, b) for n, a, b in zip(o.wls_names, o.wls_obs, ref["value"]) if not close(a, b, 1e-3)]
        assert not bad, bad
        rg = gam[gam["group"] == g + 1]
        G = np.zeros_like(o.gamma)
        G[rg["row"] - 1, rg["col"] - 1] = rg["value"]
        # Gamma's elements as lavaan's, to 1e-3 relative (of its largest element where an element is ~0)
        assert np.allclose(o.gamma, G, rtol=1e-3, atol=1e-3 * np.abs(G).max())


@pytest.mark.parametrize("case", list(CASES.index))
def test_every_parameter_row_matches_lavaan(case):
    problems = compare_fit_group_params(_fit(case), REF / f"{case}_params.csv")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES.index))
def test_every_fit_measure_matches_lavaan(case):
    bad = compare_series(_fit(case).fit_measures, pd.read_csv(REF / f"{case}_fit.csv").set_index("measure")["value"])
    assert not bad, "\n".join(bad)


def test_polyserial_at_the_maximum_where_lavaans_start_misleads_it():
    """Age in years uncentred: lavaan's polyserial start lands where its likelihood drops rows and it reports
    rho = 0.994 (make_reference_wlsmv_conditional_mixed.R). egovsem's residual polyserial covariances are the
    maximum of the full likelihood (R's optimize() in the script), and it warns about none near 1."""
    d = FRAMES["hs"]
    items, xs = ["x1", "x2", "x3", "x4", "x5", "x6"], ["sex", "ageyr"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        st = conditional_ordinal_stats(d[items].to_numpy(float), d[xs].to_numpy(float), items, xs,
                                       ordered=["x3", "x5", "x6"])
    ref = pd.read_csv(REF / "hs_age_polyserial.csv")
    got = dict(zip(st.wls_names, st.wls_obs))
    for r in ref.itertuples():
        assert close(got[r.name], r.cov_ml, 1e-3), (r.name, got[r.name], r.cov_ml)
    assert (ref["rho_lavaan"].iloc[:3] > 0.99).all() and close(ref["rho_lavaan"].iloc[3], ref["rho_ml"].iloc[3], 1e-6)


@pytest.mark.parametrize("case", list(CASES.index))
def test_every_modindices_row_matches_lavaan(case):
    fit = _fit(case)
    assert "Exogenous covariates (conditional.x): " in fit.summary()
    mi = fit.modindices()
    mi = mi.assign(rhs=mi["rhs"].fillna("")) if "group" in mi else mi.assign(rhs=mi["rhs"].fillna(""), group=1)
    ref = pd.read_csv(REF / f"{case}_mi.csv").fillna({"rhs": ""})
    assert list(zip(mi.lhs, mi.op, mi.rhs, mi.group)) == list(zip(ref.lhs, ref.op, ref.rhs, ref.group))
    bad = [(r.lhs, r.op, r.rhs, r.group, c, float(m[c]), getattr(r, c.replace(".", "_")))
           for (_, m), r in zip(mi.iterrows(), ref.rename(columns=lambda c: c.replace(".", "_")).itertuples())
           for c in ("mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")
           if not close(float(m[c]), float(getattr(r, c.replace(".", "_"))), 1e-3)]
    assert not bad, bad
