"""Explicit constraints (``==``, ``<``, ``>``) against lavaan 0.6-14.

Reference tables: tests/reference/make_reference_constraints.R (parameterEstimates with the constraint rows,
est and se; fitMeasures npar, df, chisq, cfi, rmsea, ...). Every reference row must be matched.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import close, se_close
from egovsem._errors import ModelSyntaxError, NotAvailableError
from egovsem.cli import main
from egovsem.sem.constraints import constraint_rows

REF = Path(__file__).parent / "reference" / "constraints"
DATA = Path(__file__).parent.parent / "data"

HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
PD = pd.read_csv(DATA / "PoliticalDemocracy.csv")
SOC = pd.read_csv(REF / "social.csv")
HSM = pd.read_csv(DATA / "hs_missing.csv")

CASES = {
    "pd_linear": (PD, None), "hs_linear_sum": (HS, None), "hs_nonlinear": (HS, None),
    "hs_ineq_inactive": (HS, None), "hs_ineq_active": (HS, None), "pd_defined": (PD, None),
    "hs_groups": (HS, "school"), "social_constraints": (SOC, None), "social_base": (SOC, None),
    "hs_fiml": (HSM, None),
}
MISSING = {"hs_fiml": "fiml"}
FIT_MEASURES = ("npar", "df", "chisq", "pvalue", "cfi", "tli", "rmsea", "srmr", "logl", "aic", "bic")


def _model(case: str) -> str:
    return (REF / f"{case}_model.lav").read_text(encoding="utf-8")


def _constraints(case: str) -> str | None:
    p = REF / f"{case}_constraints.txt"
    return p.read_text(encoding="utf-8") if p.is_file() else None


_FITS: dict[str, object] = {}


def _fit(case: str):  # -> egovsem Results
    if case not in _FITS:
        data, group = CASES[case]
        with pytest.warns() if data is SOC else _nullcontext():
            _FITS[case] = egovsem.sem(_model(case), data, group=group, constraints=_constraints(case),
                                      missing=MISSING.get(case, "listwise"))
    return _FITS[case]


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _key(lhs, op, rhs, group) -> tuple:
    rhs = "" if (rhs is None or (isinstance(rhs, float) and np.isnan(rhs))) else str(rhs).replace(" ", "")
    lhs = str(lhs).replace(" ", "")
    if op == "~~":
        return ("~~", *sorted((lhs, rhs)), int(group))
    if op == ":=":
        return (lhs, ":=")
    return (lhs, op, rhs, int(group))


@pytest.mark.parametrize("case", list(CASES))
def test_parameter_estimates_match_lavaan(case):
    fit = _fit(case)
    assert fit.converged
    ours = pd.concat([fit.params, constraint_rows(fit)], ignore_index=True)
    mine = {_key(r["lhs"], r["op"], r["rhs"], r["group"]): r for r in ours.to_dict("records")}
    ref = pd.read_csv(REF / f"{case}_params.csv")
    problems = []
    for r in ref.to_dict("records"):
        k = _key(r["lhs"], r["op"], r["rhs"], r["group"])
        if k not in mine:
            problems.append(f"lavaan row {k} missing")
            continue
        m = mine[k]
        for col in ("est", "std.lv", "std.all"):
            if not close(float(m[col]), float(r[col]), 1e-3):
                problems.append(f"{k} {col}: egovsem {m[col]!r} lavaan {r[col]!r}")
        if not se_close(float(m["se"]), float(r["se"])):
            problems.append(f"{k} se: egovsem {m['se']!r} lavaan {r['se']!r}")
    assert len(ours) == len(ref), f"egovsem has {len(ours)} rows, lavaan {len(ref)}"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES))
def test_fit_measures_match_lavaan(case):
    fm = _fit(case).fit_measures
    ref = pd.read_csv(REF / f"{case}_fit.csv").set_index("measure")["value"]
    assert list(ref.index) == list(FIT_MEASURES)
    bad = [f"{k}: egovsem {fm[k]!r} lavaan {ref[k]!r}" for k in FIT_MEASURES if not close(float(fm[k]), float(ref[k]), 1e-3)]
    assert not bad, "\n".join(bad)


def test_npar_and_df_follow_lavaan():
    # equalities reduce npar by their rank; inequalities leave npar and df alone, active or not
    assert _fit("pd_linear").npar == 28 and _fit("hs_nonlinear").npar == 20
    assert _fit("hs_ineq_inactive").npar == _fit("hs_ineq_active").npar == 21
    assert int(_fit("hs_ineq_active").fit_measures["df"]) == 24


def test_active_bound_holds_and_inactive_bound_changes_nothing():
    act = constraint_rows(_fit("hs_ineq_active"))
    assert abs(act.loc[0, "est"]) < 1e-6 and act.loc[1, "est"] > 0.1
    # with inactive bounds the fit is the unconstrained CFA (lavaan: chisq 85.306 on 24 df)
    free = egovsem.sem(_model("hs_ineq_inactive").replace("a1 > 0", "").replace("c2 < c1", ""), HS)
    np.testing.assert_allclose(_fit("hs_ineq_inactive").theta, free.theta, atol=1e-6)


def test_constraints_argument_equals_syntax():
    m = _model("pd_linear")
    lines = [ln for ln in m.splitlines() if "==" in ln]
    body = "\n".join(ln for ln in m.splitlines() if "==" not in ln)
    fit2 = egovsem.sem(body, PD, constraints="; ".join(lines))
    np.testing.assert_allclose(fit2.theta, _fit("pd_linear").theta, atol=1e-8)
    assert fit2.npar == 28


def test_unknown_label_names_label_and_line():
    with pytest.raises(ModelSyntaxError, match=r"line 3: the constraint 'a == zz' uses 'zz'"):
        egovsem.sem("visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\na == zz", HS)


def test_impossible_inequalities_get_a_clear_message():
    model = "visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\n"
    with pytest.raises(ModelSyntaxError, match=r"cannot all hold at once.*line.*3 \('a > 1'\), 4 \('a < 0'\)"):
        egovsem.sem(model + "a > 1\na < 0", HS)
    with pytest.raises(ModelSyntaxError, match="cannot all hold at once"):
        egovsem.sem(model + "a > b^2 + 1\na < 0", HS)
    with pytest.raises(ModelSyntaxError, match="contradict one another"):
        egovsem.sem(model + "a == 1\na == 2", HS)
    with pytest.raises(ModelSyntaxError, match="only '==', '<' and '>'"):
        egovsem.sem(model, HS, constraints="a ~ b")


def test_unsupported_combinations_are_refused():
    # MLR / MLM / se="robust" with constraints are implemented since issue 11 (tests/test_constraints_robust.py);
    # se="bootstrap" with complete data too (tests/test_constraints_bootstrap.py), and with FIML since the
    # bootstrap of groups (tests/test_bootstrap_groups.py); the Bollen-Stine test under FIML is still refused
    from egovsem.sem.bootstrap import bootstrap

    model = "visual =~ x1 + a*x2 + b*x3\na == b"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.sem(model, HSM, se="bootstrap", bootstrap=10, seed=1, missing="fiml")
    assert fit.bootstrap_info["B"] == 10
    with pytest.raises(NotAvailableError, match="Bollen-Stine bootstrap with missing='fiml'"):
        bootstrap(fit, 10, seed=1, bollen_stine=True)


def test_cli_fit_with_constraints(tmp_path, capsys):
    lav = tmp_path / "m.lav"
    lav.write_text(_model("social_base"), encoding="utf-8")
    con = tmp_path / "c.txt"
    con.write_text(_constraints("social_constraints") or "", encoding="utf-8")
    csv = tmp_path / "social.csv"
    SOC.to_csv(csv, index=False)
    out = tmp_path / "out.json"
    assert main(["fit", str(lav), str(csv), "--constraints", str(con), "--json", str(out)]) == 0
    ref = pd.read_csv(REF / "social_constraints_fit.csv").set_index("measure")["value"]
    assert f"{ref['chisq']:.3f}" in capsys.readouterr().out
    assert out.is_file()
    # the constraints written in the model file work the same way
    lav.write_text(_model("social_base") + "\nb1 < b3\nb2 < b3\n", encoding="utf-8")
    assert main(["fit", str(lav), str(csv)]) == 0
    assert f"{ref['chisq']:.3f}" in capsys.readouterr().out
