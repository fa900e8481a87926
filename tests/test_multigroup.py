"""Multi-group models and measurement invariance against lavaan 0.6-14 (tests/reference/make_reference_multigroup.R):
every row of parameterEstimates() (matched by lhs, op, rhs and group) and of fitMeasures(), and lavTestLRT."""
from __future__ import annotations

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, close, compare_group_params, compare_series, read_kv, read_ref, se_close
from egovsem.measure import invariance

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
STEPS = {"configural": [], "metric": ["loadings"], "scalar": ["loadings", "intercepts"],
         "strict": ["loadings", "intercepts", "residuals"]}


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(DATA / "HolzingerSwineford1939.csv")


@pytest.fixture(scope="module")
def table(hs):
    return invariance(HS, hs, "school")


@pytest.mark.parametrize("case", list(STEPS))
def test_params_match_lavaan(table, case):
    fit = table.attrs["fits"][case]
    ref = read_ref(case, "params", "mg")
    problems = compare_group_params(fit.params, ref)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(STEPS))
def test_fit_measures_match_lavaan(table, case):
    problems = compare_series(table.attrs["fits"][case].fit_measures, read_kv(case, "fit", "mg"))
    assert not problems, "\n".join(problems)


def test_invariance_table_matches_lavTestLRT(table):
    ref = read_ref("invariance", "lrt", "mg")
    assert [round(x, 2) for x in table["chisq"]] == [115.85, 124.04, 164.10, 181.51]  # the values
    for i in range(4):
        assert table["df"][i] == ref["df"][i]
        assert close(table["chisq"][i], ref["chisq"][i], 1e-3)
        if i:
            assert close(table["chisq_diff"][i], ref["chisq_diff"][i], 1e-3)
            assert table["df_diff"][i] == ref["df_diff"][i]
            assert close(table["p_diff"][i], ref["pvalue"][i], 1e-3)
    assert table["delta_cfi"][2] < -0.01  # scalar invariance fails here, as in the lavaan tutorial


def test_group_labels_and_nobs(table, hs):
    fit = table.attrs["fits"]["configural"]
    groups = read_ref("configural", "groups", "mg")
    assert list(fit.group_labels) == list(groups["group"])
    assert [s.nobs for s in fit.group_stats] == list(groups["nobs"])
    assert fit.nobs == 301


@pytest.mark.parametrize("case", ["configural", "scalar"])
def test_multigroup_modindices_match_lavaan(table, case):
    from _refcompare import row_key

    mine = table.attrs["fits"][case].modindices()
    ref = read_ref(case, "modindices", "mg")
    key = lambda r: row_key(r["lhs"], r["op"], r["rhs"]) + (int(r["group"]),)  # noqa: E731
    m = {key(r): r for _, r in mine.iterrows()}
    problems = [f"{key(r)} missing" for _, r in ref.iterrows() if key(r) not in m]
    for _, r in ref.iterrows():
        if key(r) in m:
            problems += [f"{key(r)} {c}: {m[key(r)][c]} vs {r[c]}" for c in ("mi", "epc", "sepc.lv", "sepc.all")
                         if not close(float(m[key(r)][c]), float(r[c]), 1e-3)]
    assert len(m) == len(ref) and not problems, "\n".join(problems[:20])


def test_bad_group_input(hs):
    with pytest.raises(egovsem.DataError, match=r"The 'group' column 'schol' is not a column"):
        egovsem.cfa(HS, hs, group="schol")
    with pytest.raises(egovsem.EgovsemError, match=r"The 'group_equal' parameter must be one of"):
        egovsem.cfa(HS, hs, group="school", group_equal=["loading"])


@pytest.fixture(scope="module")
def table_mlr(hs):
    return invariance(HS, hs, "school", steps=("configural", "metric", "scalar"), estimator="MLR")


@pytest.mark.parametrize("case", ["configural", "metric", "scalar"])
def test_mlr_multigroup_matches_lavaan(table_mlr, case):
    fit = table_mlr.attrs["fits"][case]
    ref = read_ref(f"{case}_mlr", "params", "mg")
    mine = {(r["lhs"], r["op"], "" if not isinstance(r["rhs"], str) else r["rhs"], int(r["group"])): r
            for _, r in fit.params.iterrows()}
    problems = []
    for _, r in ref.iterrows():
        k = (r["lhs"], r["op"], "" if not isinstance(r["rhs"], str) else r["rhs"], int(r["group"]))
        m = mine[k]
        if not close(float(m["est"]), float(r["est"]), 1e-3) or not se_close(float(m["se"]), float(r["se"])):
            problems.append(f"{k}: {m['est']} {m['se']} vs {r['est']} {r['se']}")
    problems += compare_series(fit.fit_measures, read_kv(f"{case}_mlr", "fit", "mg"))
    assert not problems, "\n".join(problems)


def test_mlr_scaled_difference_matches_lavTestLRT(table_mlr):
    ref = read_ref("invariance_mlr", "lrt", "mg")
    for i in (1, 2):
        assert close(table_mlr["chisq_diff"][i], ref["chisq_diff"][i], 1e-3)
        assert close(table_mlr["p_diff"][i], ref["pvalue"][i], 1e-3)


@pytest.mark.parametrize("case,opts", [("metric_fiml", {"missing": "fiml"}),
                                       ("metric_fiml_mlr", {"missing": "fiml", "estimator": "MLR"})])
def test_multigroup_fiml_matches_lavaan(case, opts):
    d = pd.read_csv(DATA / "hs_missing10.csv")
    fit = egovsem.cfa(HS, d, group="school", group_equal=["loadings"], **opts)
    ref = read_ref(case, "params", "mg")
    mine = {(r["lhs"], r["op"], "" if not isinstance(r["rhs"], str) else r["rhs"], int(r["group"])): r
            for _, r in fit.params.iterrows()}
    problems = []
    for _, r in ref.iterrows():
        m = mine[(r["lhs"], r["op"], "" if not isinstance(r["rhs"], str) else r["rhs"], int(r["group"]))]
        for c in ("est", "std.all"):
            if not close(float(m[c]), float(r[c]), 1e-3):
                problems.append(f"{r['lhs']} {r['op']} {r['rhs']} g{r['group']} {c}: {m[c]} vs {r[c]}")
        if not se_close(float(m["se"]), float(r["se"])):
            problems.append(f"{r['lhs']} {r['op']} {r['rhs']} g{r['group']} se: {m['se']} vs {r['se']}")
    problems += compare_series(fit.fit_measures, read_kv(case, "fit", "mg"))
    assert not problems, "\n".join(problems)
