"""Common-method bias beyond Harman (issue 14): the CFA marker technique, the ULMC and the Lindell-Whitney
correction, against lavaan 0.6-14 and R (tests/reference/make_reference_cmb.R, tables in tests/reference/cmb/)."""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, close, compare_params
from egovsem._errors import EgovsemError
from egovsem.measure import lindell_whitney, marker_cfa, ulmc

CMB = REF / "cmb"
HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
BFI = pd.read_csv(DATA / "bfi.csv")
SUB = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"]}
MARKER = {"M": ["x7", "x8", "x9"]}
ULMC_CONS = {"N": ["N1", "N2", "N3", "N4", "N5"], "O": ["O1", "O3", "O4"]}
MODELS = ["marker_cfa", "marker_baseline", "marker_method_c", "marker_method_u", "marker_method_r",
          "marker_method_rc", "ulmc_none", "ulmc_equal", "ulmc_free"]


def _data(case: str) -> pd.DataFrame:
    return BFI if case.startswith("ulmc") else HS


def _fit_problems(fit, case: str) -> list[str]:
    ref = pd.read_csv(CMB / f"{case}_fit.csv")
    fm = fit.fit_measures
    out = []
    for r in ref.itertuples():
        if r.measure not in fm.index:
            out.append(f"{case}: fit measure {r.measure} missing")
        elif not close(float(fm[r.measure]), float(r.value), 1e-3):
            out.append(f"{case} {r.measure}: egovsem {fm[r.measure]!r} lavaan {r.value!r}")
    return out


def _check(fit, case: str) -> None:
    ref = pd.read_csv(CMB / f"{case}_params.csv")
    problems = compare_params(fit.params, ref) + _fit_problems(fit, case)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", MODELS)
def test_same_syntax_as_lavaan(case):
    """egovsem.cfa on the very syntax lavaan fitted: every parameter row and every fit measure."""
    syntax = (CMB / f"{case}_model.lav").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.cfa(syntax, _data(case), std_lv=True)
    _check(fit, case)


@pytest.fixture(scope="module")
def marker():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return marker_cfa(HS, SUB, MARKER)


def test_marker_sequence_matches_lavaan(marker):
    # egovsem builds Baseline/Method-R from its own CFA/Baseline estimates: the same models as R's
    assert marker.retained == "method_c"  # Method-U does not fit better (p = .114)
    for ours, case in [("cfa", "marker_cfa"), ("baseline", "marker_baseline"), ("method_c", "marker_method_c"),
                       ("method_u", "marker_method_u"), ("method_r", "marker_method_rc")]:
        _check(marker.models[ours], case)
    assert list(marker.fits["model"]) == ["cfa", "baseline", "method_c", "method_u", "method_r"]


def test_marker_tests_and_reliability(marker):
    ref = pd.read_csv(CMB / "marker_tests.csv").set_index("comparison")
    got = marker.tests.set_index("comparison")
    assert list(got.index) == ["baseline_vs_method_c", "method_c_vs_method_u", "method_r_vs_method_c"]
    names = {"method_r_vs_method_c": "method_rc_vs_method_c"}
    for comp, row in got.iterrows():
        r = ref.loc[names.get(comp, comp)]
        for c in ("chisq_diff", "cfi_diff"):
            assert close(row[c], r[c], 1e-3), (comp, c, row[c], r[c])
        assert row["df_diff"] == r["df_diff"]
        assert abs(row["pvalue"] - r["pvalue"]) <= 1e-3 * max(abs(r["pvalue"]), 1e-3), (comp, row["pvalue"])
    assert marker.conclusions == {"method_variance": True, "unequal_method_effects": False,
                                  "correlations_biased": False}
    rel = pd.read_csv(CMB / "marker_reliability.csv")
    mine = marker.reliability.set_index(["model", "latent"])
    assert len(mine) == len(rel)
    for r in rel.itertuples():
        for c in ("total", "substantive", "method", "method_share"):
            assert close(mine.loc[(r.model, r.latent), c], getattr(r, c), 1e-3), (r.model, r.latent, c)


def test_marker_method_r_on_method_u():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = marker_cfa(HS, SUB, MARKER, method_r_on="method_u")
    _check(res.models["method_r"], "marker_method_r")
    ref = pd.read_csv(CMB / "marker_tests.csv").set_index("comparison").loc["method_r_vs_method_u"]
    got = res.tests.set_index("comparison").loc["method_r_vs_method_u"]
    assert close(got["chisq_diff"], ref["chisq_diff"], 1e-3) and got["df_diff"] == 1
    d = res.to_dict()
    assert d["retained"] == "method_u" and "M =~ lm*x1" not in d["syntax"]["method_u"]


def test_ulmc_matches_lavaan():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ulmc(BFI, ULMC_CONS)
    for k in ("none", "equal", "free"):
        _check(res.models[k], f"ulmc_{k}")
    ref = pd.read_csv(CMB / "ulmc_tests.csv").set_index("comparison")
    for comp, row in res.tests.set_index("comparison").iterrows():
        for c in ("chisq_diff", "cfi_diff"):
            assert close(row[c], ref.loc[comp, c], 1e-3), (comp, c)
        assert row["df_diff"] == ref.loc[comp, "df_diff"]
    items = pd.read_csv(CMB / "ulmc_items.csv")
    mine = res.items.set_index(["model", "item"])
    assert len(mine) == len(items)
    for r in items.itertuples():
        assert close(mine.loc[(r.model, r.item), "method_loading"], r.method_loading, 1e-3)
        assert close(mine.loc[(r.model, r.item), "method_variance"], r.method_variance, 1e-3)
    var = pd.read_csv(CMB / "ulmc_variance.csv").set_index("model")["method_variance"]
    got = res.variance.set_index("model")["method_variance"]
    assert sorted(got.index) == sorted(var.index)
    for k, v in var.items():
        assert close(got[k], v, 1e-3)


def test_ulmc_equal_only():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ulmc(BFI, ULMC_CONS, loadings="equal")
    assert list(res.models) == ["none", "equal"]
    assert list(res.tests["comparison"]) == ["none_vs_equal"]


@pytest.mark.parametrize("case,marker_cols", [("speed_score", ["x7", "x8", "x9"]), ("x9", "x9")])
@pytest.mark.parametrize("rule", ["smallest", "second"])
def test_lindell_whitney_closed_form(case, marker_cols, rule):
    ref = pd.read_csv(CMB / "lindell_whitney.csv")
    ref = ref[(ref["case"] == case) & (ref["r_m_rule"] == rule)].reset_index(drop=True)
    got = lindell_whitney(HS, [f"x{i}" for i in range(1, 7)], marker_cols, r_m=rule)
    assert len(got) == len(ref) == 15
    assert close(got.attrs["r_m"], float(ref["r_m"].iloc[0]), 1e-6)
    for (_, g), (_, r) in zip(got.iterrows(), ref.iterrows()):
        assert (g["var1"], g["var2"]) == (r["var1"], r["var2"])
        for c in ("r", "r_m", "r_adj", "t"):
            assert close(g[c], r[c], 1e-6), (c, g[c], r[c])
        assert g["df"] == r["df"] == 298
        assert abs(g["pvalue"] - r["pvalue"]) <= 1e-6 * max(r["pvalue"], 1e-12)


def test_lindell_whitney_marker_correlations_and_given_rm():
    ref = pd.read_csv(CMB / "lindell_whitney_marker_r.csv")
    got = lindell_whitney(HS, [f"x{i}" for i in range(1, 7)], ["x7", "x8", "x9"])
    for r in ref.itertuples():
        assert close(got.attrs["marker_r"][r.variable], r.r_marker, 1e-8)
    # a given r_M: the closed form by hand
    g = lindell_whitney(HS, ["x1", "x2"], "x9", r_m=0.1)
    r = np.corrcoef(HS["x1"], HS["x2"])[0, 1]
    ra = (r - 0.1) / 0.9
    assert close(g.loc[0, "r_adj"], ra, 1e-12) and close(g.loc[0, "t"], ra / np.sqrt((1 - ra**2) / 298), 1e-10)
    # constructs as variables: the marker correction of item-mean scores
    s = lindell_whitney(HS, SUB, ["x7", "x8", "x9"])
    assert list(s[["var1", "var2"]].iloc[0]) == ["visual", "textual"]


def test_bad_marker_input():
    with pytest.raises(EgovsemError, match=r"'x4' is also an item of the substantive construct 'textual'"):
        marker_cfa(HS, SUB, {"M": ["x7", "x8", "x4"]})
    with pytest.raises(EgovsemError, match=r"marker scale 'MK' names item\(s\) that are not columns.*'mk1'"):
        marker_cfa(HS, SUB, {"MK": ["mk1", "mk2", "mk3"]})
    with pytest.raises(EgovsemError, match="also a construct name"):
        marker_cfa(HS, SUB, {"visual": ["x7", "x8", "x9"]})
    with pytest.raises(EgovsemError, match="std_lv"):
        marker_cfa(HS, SUB, MARKER, std_lv=False)
    with pytest.raises(EgovsemError, match="method_r_on"):
        marker_cfa(HS, SUB, MARKER, method_r_on="method_x")
    with pytest.raises(EgovsemError, match="also substantive variables"):
        lindell_whitney(HS, ["x1", "x2", "x9"], "x9")
    neg = HS.assign(mneg=-HS["x1"] - HS["x2"])
    with pytest.raises(EgovsemError, match="positive correlation"):
        lindell_whitney(neg, ["x1", "x2"], "mneg", r_m="second")
    with pytest.raises(EgovsemError, match="not columns of 'data'"):
        lindell_whitney(HS, ["x1", "x2"], "nomarker")


def test_instrument_marker_flag_round_trips(tmp_path):
    from egovsem._errors import InstrumentError
    from egovsem.instruments import (
        instrument_from_dict,
        instrument_to_dict,
        load_instrument,
        read_xlsform,
        to_xlsform,
        write_yaml,
    )

    study = load_instrument()
    assert study.marker_constructs() == {"MK": ["MK1", "MK2", "MK3"]}
    d = instrument_to_dict(study)
    assert d["constructs"]["MK"]["marker"] is True and "marker" not in d["constructs"]["SG"]
    assert instrument_from_dict(d).marker_constructs() == {"MK": ["MK1", "MK2", "MK3"]}
    back = load_instrument(write_yaml(study, tmp_path / "s.yaml"))
    assert back.constructs["MK"].marker and not back.constructs["TG"].marker
    x = read_xlsform(to_xlsform(study, tmp_path / "s.xlsx"))
    assert x.marker_constructs() == {"MK": ["MK1", "MK2", "MK3"]}
    d["constructs"]["MK"]["marker"] = "yes"
    with pytest.raises(InstrumentError, match="marker"):
        instrument_from_dict(d)


def test_example_export_has_marker_columns():
    raw = pd.read_csv(DATA / "example" / "raw_export.csv")
    assert ["MK1", "MK2", "MK3"] == [c for c in raw.columns if c.startswith("MK")]
    # the marker is simulated unrelated to the substantive constructs: small correlations with them
    x = raw.replace(-99, np.nan)
    att = x[x["id"].isin(pd.read_csv(DATA / "example" / "careless_truth.csv")
                         .query("careless_type == 'attentive'")["id"])]
    r = att[["MK1", "MK2", "MK3", "TG1", "PI1", "SAT1"]].corr()
    assert (r.loc[["MK1", "MK2", "MK3"], ["TG1", "PI1", "SAT1"]].abs() < 0.2).all().all()
    assert (r.loc["MK1", ["MK2", "MK3"]] > 0.3).all()


def test_cli_measure_marker(tmp_path):
    import json

    from egovsem.cli import main

    model = tmp_path / "m.lav"
    model.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n")
    out = tmp_path / "r.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["measure", str(DATA / "HolzingerSwineford1939.csv"), "--model", str(model), "--json", str(out),
                     "--marker", "M=x7,x8,x9"])
    assert code == 0
    mb = json.loads(out.read_text())["method_bias"]
    ref = pd.read_csv(CMB / "marker_tests.csv").set_index("comparison")
    t = {r["comparison"]: r for r in mb["marker_cfa"]["tests"]}
    assert close(t["baseline_vs_method_c"]["chisq_diff"], ref.loc["baseline_vs_method_c", "chisq_diff"], 1e-3)
    assert mb["marker_cfa"]["retained"] == "method_c" and "ulmc" not in mb
    # Lindell-Whitney on the construct scores: r_M from the speed score's correlations with visual, textual
    lw = mb["lindell_whitney"]
    scores = pd.DataFrame({k: HS[v].mean(axis=1) for k, v in {**SUB, **MARKER}.items()})
    rm = sorted(x for x in scores.corr()["M"].drop("M") if x > 0)[0]
    assert close(lw["r_m"], rm, 1e-10) and len(lw["pairs"]) == 1
    # a marker scale not in the data: a clear message, exit code 2
    code = main(["measure", str(DATA / "HolzingerSwineford1939.csv"), "--model", str(model), "--json",
                 str(tmp_path / "r2.json"), "--marker", "MK=MK1,MK2,MK3"])
    assert code != 0


def test_method_bias_tables(marker):
    from egovsem.measure import full_collinearity_vif, harman_single_factor
    from egovsem.tables import marker_reliability_table, method_bias_table, to_markdown

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        u = ulmc(BFI, ULMC_CONS)
    lw = lindell_whitney(HS, SUB, ["x7", "x8", "x9"])
    t = method_bias_table(marker, u, harman=harman_single_factor(HS, SUB), vif=full_collinearity_vif(HS, SUB),
                          lindell_whitney=lw)
    ref = pd.read_csv(CMB / "ulmc_tests.csv").set_index("comparison")
    rows = {r[0]: r for r in t.rows_en}
    assert rows["ULMC, free loadings"][5] == f"{ref.loc['none_vs_free', 'chisq_diff']:.2f}"
    assert rows["Method-U (free method loadings)"][1] == "83.19" and rows["Baseline"][5] == "\u2014"
    zh = {r[0]: r for r in t.rows_zh}
    assert zh["Method-C（方法载荷相等）"][5] == "31.63"
    assert "Williams, Hartman & Cavazotte (2010)" in t.notes_en[0] and "Harman单因子检验" in t.notes_zh[0]
    assert "Lindell & Whitney" in to_markdown(t, lang="zh")
    rel = pd.read_csv(CMB / "marker_reliability.csv").query("model == 'method_u'")
    r = marker_reliability_table(marker, model="method_u", labels={"visual": ("Visual", "视觉")})
    assert r.rows_en[1][0] == "textual" and r.rows_zh[0][0] == "视觉（visual）"
    assert r.rows_en[1][1] == f"{rel.iloc[1]['total']:.3f}".lstrip("0")
    with pytest.raises(EgovsemError, match="needs a 'marker'"):
        method_bias_table()


def _hs_instrument():
    from egovsem.instruments import instrument_from_dict

    scale = {"agree5": {"choices": [{"value": v, "zh": str(v), "en": str(v)} for v in range(1, 6)]}}
    cons = {c: {"name": {"zh": c, "en": c}} for c in ("visual", "textual")}
    cons["M"] = {"name": {"zh": "标记", "en": "marker"}, "marker": True}
    owner = {**{f"x{i}": "visual" for i in (1, 2, 3)}, **{f"x{i}": "textual" for i in (4, 5, 6)},
             **{f"x{i}": "M" for i in (7, 8, 9)}}
    items = [{"name": k, "construct": c, "scale": "agree5", "text": {"zh": k, "en": k}} for k, c in owner.items()]
    return instrument_from_dict({"title": {"zh": "t", "en": "t"}, "version": "1", "scales": scale,
                                 "constructs": cons, "items": items})


def test_run_method_bias_step(tmp_path):
    from types import SimpleNamespace

    from egovsem.study.config import RunConfig
    from egovsem.study.pipeline import RunResult, _method_bias

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", HS)
    said = []
    pr = SimpleNamespace(info=said.append)
    res = RunResult(config=RunConfig(raw=tmp_path / "r.csv", out=tmp_path, marker="M"), instrument=_hs_instrument(),
                    clean=SimpleNamespace(data=HS), cfa=fit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _method_bias(res, SUB, pr)
    mb = res.method_bias
    assert close(mb["harman"]["variance_share"],
                 float(np.linalg.eigvalsh(HS[[f"x{i}" for i in range(1, 7)]].corr())[-1] / 6), 1e-12)
    assert [r["construct"] for r in mb["full_collinearity_vif"]] == ["visual", "textual"]
    ref = pd.read_csv(CMB / "marker_tests.csv").set_index("comparison")
    bc = {r["comparison"]: r for r in mb["marker_cfa"]["tests"]}["baseline_vs_method_c"]
    assert close(bc["chisq_diff"], ref.loc["baseline_vs_method_c", "chisq_diff"], 1e-3)
    assert "marker technique (M)" in said[0]
    # no marker asked: Harman and VIF only; a marker code the instrument does not have: named
    res2 = RunResult(config=RunConfig(raw=tmp_path / "r.csv", out=tmp_path), instrument=_hs_instrument(),
                     clean=SimpleNamespace(data=HS), cfa=fit)
    _method_bias(res2, SUB, pr)
    assert set(res2.method_bias) == {"harman", "full_collinearity_vif"}
    res3 = RunResult(config=RunConfig(raw=tmp_path / "r.csv", out=tmp_path, marker="MK"),
                     instrument=_hs_instrument(), clean=SimpleNamespace(data=HS), cfa=fit)
    with pytest.raises(EgovsemError, match=r"names 'MK', which is not a marker scale.*\['M'\]"):
        _method_bias(res3, SUB, pr)


def test_run_config_marker_key(tmp_path):
    from egovsem.study.config import load_config

    (tmp_path / "r.csv").write_text("id\n1\n", encoding="utf-8")
    p = tmp_path / "c.yaml"
    p.write_text("raw: r.csv\nout: o\nmarker: 5\n", encoding="utf-8")
    with pytest.raises(EgovsemError, match="The 'marker' key of .*c.yaml"):
        load_config(p)
    p.write_text("raw: r.csv\nout: o\nmarker: MK\n", encoding="utf-8")
    assert load_config(p).marker == "MK"


def test_run_method_bias_table_and_text(tmp_path):
    """The run's common-method-bias table and methods sentence (issue 14) carry the marker sequence's
    numbers (lavaan, tests/reference/cmb) and the Lindell-Whitney count."""
    from types import SimpleNamespace

    from egovsem.study.config import RunConfig
    from egovsem.study.method_bias_run import method_bias_run_table, method_bias_text
    from egovsem.study.pipeline import RunResult, _method_bias

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", HS)
        res = RunResult(config=RunConfig(raw=tmp_path / "r.csv", out=tmp_path, marker="M"),
                        instrument=_hs_instrument(), clean=SimpleNamespace(data=HS), cfa=fit)
        _method_bias(res, SUB, SimpleNamespace(info=lambda s: None))
    ref = pd.read_csv(CMB / "marker_tests.csv").set_index("comparison")
    t = method_bias_run_table(res.method_bias)
    d = f"{ref.loc['baseline_vs_method_c', 'chisq_diff']:.2f}"
    assert any(d in row for row in t.rows_en), t.rows_en
    lw = lindell_whitney(HS, SUB, ["x7", "x8", "x9"])  # the run's correction (checked against R above)
    sig = int(lw["significant"].sum())
    en, zh = method_bias_text(res.method_bias, True), method_bias_text(res.method_bias, False)
    assert f"changed χ² by {d} on {int(ref.loc['baseline_vs_method_c', 'df_diff'])} df" in en
    assert f"{sig} of {len(lw)} correlations stayed significant" in en
    assert f"χ²变化{d}" in zh and f"{len(lw)}个相关中{sig}个仍显著" in zh
    assert method_bias_text({"harman": {"variance_share": 0.3}}, True) is None


def test_marker_item_on_substantive_factor_refused():
    with pytest.raises(EgovsemError, match=r"'x3' is also an item of the substantive construct 'visual'"):
        marker_cfa(HS, SUB, {"M": ["x3", "x7", "x8"]})


def test_run_refuses_a_marker_item_on_a_substantive_factor(tmp_path):
    """Issue 14's bad input in `egovsem run`: a model that puts a marker item on a substantive factor (or
    uses the marker scale as a factor) is refused naming the config key, the item and the factor."""
    from types import SimpleNamespace

    from egovsem.study.config import RunConfig
    from egovsem.study.pipeline import RunResult, _method_bias

    fit = SimpleNamespace(missing="listwise")  # never reached: the check comes before any fit
    res = RunResult(config=RunConfig(raw=tmp_path / "r.csv", out=tmp_path, marker="M"), instrument=_hs_instrument(),
                    clean=SimpleNamespace(data=HS), cfa=fit)
    blocks = {"visual": ["x1", "x2", "x3", "x7"], "textual": ["x4", "x5", "x6"]}
    with pytest.raises(EgovsemError, match=r"The 'marker' key of .* names the marker scale 'M', but its item 'x7' "
                                           r"loads on the substantive factor 'visual' in the models"):
        _method_bias(res, blocks, SimpleNamespace(info=lambda s: None))
    with pytest.raises(EgovsemError, match=r"marker scale 'M', which is also a factor of the models \(M =~ x7 \+ x8"):
        _method_bias(res, {**SUB, "M": ["x7", "x8", "x9"]}, SimpleNamespace(info=lambda s: None))
