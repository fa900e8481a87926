"""Explicit constraints (``==``, ``<``, ``>``) with WLSMV in several groups and with
``parameterization="theta"`` (one group and several) against lavaan 0.6-14 (issue 11).

Reference: tests/reference/make_reference_constraints_wlsmv_mg.R: data/hs_ordinal.csv in one group,
tests/reference/wlsmv_mg/hs5_school.csv by school; ordered = TRUE, estimator = "WLSMV". Cases: equalities
across groups (``a1 == a2``) and a proportion (``b2 == 1.1*b1``), an active and an inactive inequality in two
groups, and the one-group equalities and inequalities in the theta parameterisation. Every row of
parameterEstimates(remove.eq = FALSE, remove.ineq = FALSE) (est, se, std.lv, std.all) and of fitMeasures is
matched. As in one group (tests/test_constraints_wlsmv.py), lavaan's sandwich and the U of its scaled-shifted
test use the augmented (constrained) inverse of Delta' W Delta, npar is the free parameters less the rank of the
equalities, and an active bound gets no standard error (lavaan's NA; 0 here).
"""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, compare_group_params, compare_series
from egovsem._errors import EgovsemError, ModelSyntaxError, NotAvailableError
from egovsem.sem.constraints import constraint_rows

REF = Path(__file__).parent / "reference" / "constraints_wlsmv_mg"
CASES = pd.read_csv(REF / "cases.csv", keep_default_na=False).set_index("case")
DATA_1 = pd.read_csv(DATA / "hs_ordinal.csv")
DATA_MG = pd.read_csv(Path(__file__).parent / "reference" / "wlsmv_mg" / "hs5_school.csv")
_FITS: dict[str, object] = {}


def _fit(case: str):
    if case not in _FITS:
        row = CASES.loc[case]
        group = row["group"] or None
        _FITS[case] = egovsem.cfa((REF / f"{case}_model.lav").read_text(encoding="utf-8"),
                                  DATA_MG if group else DATA_1, ordered=True, estimator="WLSMV", group=group,
                                  parameterization=row["parameterization"],
                                  group_equal=[g for g in row["group_equal"].split(",") if g] or None)
    return _FITS[case]


def _model_spec(case: str):
    return egovsem.Model((REF / f"{case}_model.lav").read_text(encoding="utf-8"),
                         group=CASES.loc[case, "group"] or None).spec


def _rows(case: str) -> pd.DataFrame:
    """The parameter rows and lavaan's constraint rows (``lhs - rhs`` in est, group 0) of a fit."""
    fit = _fit(case)
    spec = _model_spec(case)
    view = SimpleNamespace(spec=SimpleNamespace(constraints=spec.constraints, partable=fit.partable,
                                                defined=spec.defined), theta=fit.theta, params=fit.params)
    params = fit.params if "group" in fit.params else fit.params.assign(group=1)
    return pd.concat([params, constraint_rows(view)], ignore_index=True)


@pytest.mark.parametrize("case", list(CASES.index))
def test_parameter_rows_match_lavaan(case):
    fit = _fit(case)
    assert fit.converged
    ours = _rows(case)
    ref = pd.read_csv(REF / f"{case}_params.csv")
    assert len(ours) == len(ref)
    problems = compare_group_params(ours, ref, columns=("est", "std.lv", "std.all"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES.index))
def test_fit_measures_match_lavaan(case):
    fm = _fit(case).fit_measures
    ref = pd.read_csv(REF / f"{case}_fit.csv").set_index("measure")["value"]
    bad = compare_series(fm, ref)
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("case", list(CASES.index))
def test_npar_and_df_as_lavaan(case):
    info = pd.read_csv(REF / f"{case}_info.csv").set_index("key")["value"]
    fm = _fit(case).fit_measures
    assert int(fm["npar"]) == int(info["fit_npar"]) and int(fm["df"]) == int(info["fit_df"])


def test_unknown_label_in_a_multigroup_constraint_is_named():
    model = "visual =~ x1 + c(a1, a2)*x2 + x3\ntextual =~ x4 + x5 + x6\na1 == a3"
    with pytest.raises(ModelSyntaxError, match=r"line 3: the constraint 'a1 == a3' uses 'a3'"):
        egovsem.cfa(model, DATA_MG, ordered=True, group="school")


def test_summary_and_what_is_not_computed_yet():
    fit = _fit("mg_eq")
    assert "Thresholds:" in fit.summary()
    assert re.search(r"Number of model parameters\s+60\n", fit.summary())  # npar as fit_measures (as one group)
    from egovsem.sem.wls_mg import score_tests_wlsmv

    # score tests and scaled difference tests with equalities: tests/test_score_lrt_wlsmv_mg.py; with
    # inequalities lavaan 0.6-14 refuses lavTestScore, and so does egovsem, with lavaan's reason (an EgovsemError,
    # not "not available": tests/reference/score_wlsmv_nonlinear/refusals.csv)
    with pytest.raises(EgovsemError, match=r"score tests .* inequality constraints \(model syntax, line 3.*"
                                          r"does not handle inequality constraints") as e:
        score_tests_wlsmv(_fit("mg_ineq"))
    assert not isinstance(e.value, NotAvailableError)


def test_cli_fit_theta_multigroup_constraints(tmp_path):
    import json

    from egovsem.cli import main

    out = tmp_path / "fit.json"
    data = Path(__file__).parent / "reference" / "wlsmv_mg" / "hs5_school.csv"
    assert main(["fit", str(REF / "theta_mg_eq_model.lav"), str(data), "--ordered", "all", "--group", "school",
                 "--parameterization", "theta", "--json", str(out)]) == 0
    fm = json.loads(out.read_text(encoding="utf-8"))["fit"]
    ref = pd.read_csv(REF / "theta_mg_eq_fit.csv").set_index("measure")["value"]
    assert not compare_series(pd.Series(fm, dtype=float), ref[["npar", "df", "chisq", "chisq.scaled", "cfi.robust"]])
