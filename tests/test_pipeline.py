"""``egovsem run``: the study pipeline from the raw export to tables, figures and the draft paragraph.

The default suite runs the pipeline end to end on a reduced setting (the strategic-triangle model alone,
which fits in seconds) twice, through the two entry points (``--example``'s configuration and
``paper/example_config.yaml``), and checks that the tables are byte-identical. The full example (three
models, N = 545, FIML) is a slow test.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from egovsem._errors import EgovsemError
from egovsem.cli import main
from egovsem.study.config import example_config, load_config
from egovsem.study.example import SIMULATED_NOTE
from egovsem.study.pipeline import run_study

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "paper" / "example_config.yaml"
REDUCED = dict(models=["strategic_triangle"], formats=["docx", "tex", "md", "html", "csv"])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The reduced example, once from example_config() (the API) and once from a copy of
    paper/example_config.yaml with the reduced model list (the command line, ``egovsem run CONFIG.yaml``)."""
    import yaml

    a = run_study(example_config(tmp_path_factory.mktemp("run_a"), **REDUCED))
    d = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    d.update(raw=str(ROOT / "data" / "example" / "raw_export.csv"), instrument=str(ROOT / "instruments" /
             "egov_study.yaml"), primary=None, bootstrap_models=None, moderated_mediation=None, **REDUCED)
    cfg = tmp_path_factory.mktemp("config") / "study.yaml"
    cfg.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    out_b = tmp_path_factory.mktemp("run_b")
    assert main(["run", str(cfg), "--out", str(out_b), "--quiet"]) == 0
    return a, out_b


def _table_files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted((out / "tables").rglob("*")) if p.is_file()}


# -- the run --------------------------------------------------------------------------------------------
def test_reduced_run_writes_every_output(runs):
    res, _ = runs
    out = Path(res.config.out)
    for name in ("results.json", "summary.txt", "README.md", "methods_en.md", "methods_zh.md", "recovery.csv",
                 "clean/report.md", "clean/flow.csv", "figures/path_strategic_triangle.png",
                 "figures/path_strategic_triangle.svg", "figures/path_strategic_triangle.pdf"):
        assert (out / name).is_file(), name
    for lang in ("en", "zh"):
        for ext in ("docx", "tex", "md", "html", "csv"):
            assert (out / "tables" / lang / f"tables.{ext}").is_file()
    names = [t.name for t in res.tables]
    assert names == ["sample", "measurement", "correlations", "htmt", "method_bias", "fit", "invariance",
                     "hypotheses_strategic_triangle", "indirect_strategic_triangle", "recovery",
                     "icc", "design_comparison"]  # the survey-design tables (issue 13) come after the others
    assert [t.number for t in res.tables] == list(range(1, len(names) + 1))
    assert all(p.is_file() for p in res.files.values())


def test_example_design_comparison_is_lavaans(runs):
    """The example's design tables: item ICCs by the simulated city and the paths plain, cluster-robust and
    weighted, as lavaan gives them on the same cleaned data (tests/reference/make_reference_icc.R)."""
    res, _ = runs
    assert res.config.compare_cluster == "city" and res.config.compare_weights == "weight" and not res.config.design
    ref = pd.read_csv(ROOT / "tests" / "reference" / "icc" / "example_design_paths.csv")
    comp = res.design_comparison.set_index(["lhs", "rhs"])
    cols = {"plain": ("est_plain", "se_plain", "p_plain"), "cluster": ("est_plain", "se_cluster", "p_cluster"),
            "weighted": ("est_weighted", "se_weighted", "p_weighted")}
    assert len(ref) == 18
    for r in ref.to_dict("records"):
        est, se, p = cols[r["fit"]]
        o = comp.loc[(r["lhs"], r["rhs"])]
        assert abs(o[est] - r["est"]) <= 1e-3 * max(1, abs(r["est"])), r
        assert abs(o[se] - r["se"]) <= 1e-2 * r["se"], r
        assert abs(o[p] - r["pvalue"]) <= 1e-3, r
    # the plain column is the run's own fit (the study's other tables), unchanged by the comparison
    prim = res.primary.params
    prim = prim[prim["op"] == "~"].set_index(["lhs", "rhs"])
    assert (comp["se_plain"] == prim.loc[comp.index, "se"]).all()
    icc_ref = pd.read_csv(ROOT / "tests" / "reference" / "icc" / "example_icc.csv").set_index("item")
    got = res.icc.set_index("item")
    shared = [i for i in icc_ref.index if i in got.index]
    assert len(shared) == 20 and all(abs(got.loc[i, "icc"] - icc_ref.loc[i, "icc"]) <= 1e-3 for i in shared)
    en = res.text["en"]
    assert "**Survey design.** Respondents were recruited in 30 clusters (`city`, simulated)." in en
    assert "**抽样设计。**受访者来自30个群（`city`，模拟）。" in res.text["zh"]


def test_results_json_keeps_its_contract(runs):
    res, _ = runs
    d = json.loads((Path(res.config.out) / "results.json").read_text(encoding="utf-8"))
    for key in ("converged", "estimator", "missing", "nobs", "params", "fit", "versions"):
        assert key in d, key
    assert d["converged"] and d["missing"] == "fiml" and d["nobs"] == 545
    assert "SIMULATED" in d["note"]
    assert d["model"] == "strategic_triangle" and set(d["models"]) == {"strategic_triangle"}
    assert len(d["measurement"]["reliability"]) == 5
    assert d["clean"]["n_analysed"] == 545


def test_invariance_step_matches_the_library(runs):
    """The run's invariance table holds the numbers of egovsem.measure.invariance on the same groups."""
    from egovsem.measure import invariance
    from egovsem.study.pipeline import _blocks
    from egovsem.tables import cfa_syntax

    res, _ = runs
    d = json.loads((Path(res.config.out) / "results.json").read_text(encoding="utf-8"))
    inv = d["invariance"]
    assert inv["group"] == "resp_type" and [s["step"] for s in inv["steps"]] == ["configural", "metric", "scalar",
                                                                                  "strict"]
    data = res.data[res.data["resp_type"].isin([1, 2])]
    ref = invariance(cfa_syntax(_blocks(res.config.model_text(res.config.models[0]))), data, "resp_type",
                     missing="fiml")
    for a, b in zip(inv["steps"], ref.itertuples()):
        assert abs(a["chisq"] - b.chisq) < 1e-6 and a["df"] == b.df
    t = next(t for t in res.tables if t.name == "invariance")
    assert t.column("chisq")[0] == pytest.approx(ref["chisq"][0])


def test_every_text_output_says_simulated(runs):
    res, _ = runs
    out = Path(res.config.out)
    texts = [out / n for n in ("summary.txt", "README.md", "methods_en.md", "methods_zh.md", "clean/report.md",
                               "manifest.json")]
    texts += [p for p in (out / "tables").rglob("*") if p.suffix in (".md", ".html", ".tex", ".csv")]
    for p in texts:
        assert "SIMULATED" in p.read_text(encoding="utf-8") or "模拟" in p.read_text(encoding="utf-8"), p
    # the data files stay plain CSV (pandas reads them as they are); the manifest and README say SIMULATED
    assert list(pd.read_csv(out / "clean" / "flow.csv").columns)[:2] == ["step", "reason"]
    assert "true" in pd.read_csv(out / "recovery.csv").columns
    assert "SIMULATED" in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["note"]
    svg = (out / "figures" / "path_strategic_triangle.svg").read_text(encoding="utf-8")
    assert "SIMULATED" in svg


def test_tables_are_byte_identical_across_runs(runs):
    a, out_b = runs
    fa, fb = _table_files(Path(a.config.out)), _table_files(out_b)
    assert len(fa) > 50 and fa.keys() == fb.keys()
    differ = [k for k in fa if fa[k] != fb[k]]
    assert not differ, differ


def test_table_numbers_are_the_fitted_numbers(runs):
    res, _ = runs
    fit = res.fits["strategic_triangle"]
    pe = fit.params.set_index("label")
    t = next(t for t in res.tables if t.name == "hypotheses_strategic_triangle")
    for row in t.to_frame(raw=True).to_dict("records"):
        assert row["b"] == pytest.approx(pe.loc[row["hypothesis"], "est"], abs=1e-12)
        assert row["beta"] == pytest.approx(pe.loc[row["hypothesis"], "std.all"], abs=1e-12)
    # the Markdown file shows them rounded as APA style
    md = (Path(res.config.out) / "tables" / "en" / "08_hypotheses_strategic_triangle.md").read_text(encoding="utf-8")
    h10 = pe.loc["h10"]
    assert f"| H10 | OPC → PUV | {h10['est']:.2f} |" in md


def test_methods_paragraph_numbers_come_from_the_results(runs):
    res, _ = runs
    en, zh = res.text["en"], res.text["zh"]
    assert en.startswith("> " + SIMULATED_NOTE) and zh.startswith("> " + SIMULATED_NOTE)
    flow = res.clean.flow
    assert f"{int(flow['n'].iloc[0])} questionnaires were received" in en
    assert f"*N* = {int(flow['n'].iloc[-1])}" in en and f"*N* = {int(flow['n'].iloc[-1])}" in zh
    fm = res.fits["strategic_triangle"].fit_measures
    chisq = f"χ²({int(fm['df'])}) = {fm['chisq']:.2f}"
    assert chisq in en and chisq in zh
    cfi = f"CFI = {fm['cfi']:.3f}".replace("0.", ".")
    assert cfi in en
    pe = res.fits["strategic_triangle"].params.set_index("label")
    beta = f"{pe.loc['h10', 'std.all']:.2f}".replace("0.", ".")
    assert f"H10 OPC → PUV, β = {beta}" in en
    assert "研究方法与结果" in zh and "假设路径" in zh


def test_example_reports_common_method_bias(runs):
    """`marker: MK` in the example (issue 14): the simulated marker scale MK1-MK3 enters the CFA marker
    technique and the Lindell-Whitney correction; the table (en, zh, every format), results.json and the
    methods paragraph carry the same numbers as egovsem.measure.marker_cfa on the run's data."""
    from egovsem.measure import lindell_whitney, marker_cfa

    res, out_b = runs
    out = Path(res.config.out)
    assert res.config.marker == "MK" and load_config(CONFIG).marker == "MK"
    mb = res.method_bias
    blocks = {f: its for f, its in mb["marker_cfa"]["constructs"].items()}
    assert mb["marker_cfa"]["marker"] == "MK" and mb["marker_cfa"]["marker_items"] == ["MK1", "MK2", "MK3"]
    lib = marker_cfa(res.data, blocks, {"MK": ["MK1", "MK2", "MK3"]}, missing="fiml")
    tests = {r["comparison"]: r for r in mb["marker_cfa"]["tests"]}
    for r in lib.tests.to_dict("records"):
        assert tests[r["comparison"]]["chisq_diff"] == pytest.approx(r["chisq_diff"], abs=1e-10)
    bc = tests["baseline_vs_method_c"]
    lw = lindell_whitney(res.data, blocks, ["MK1", "MK2", "MK3"])
    assert mb["lindell_whitney"]["r_m"] == pytest.approx(lw.attrs["r_m"], abs=1e-12)
    for lang in ("en", "zh"):
        for ext in ("md", "csv", "tex", "html"):
            assert (out / "tables" / lang / f"05_method_bias.{ext}").is_file(), (lang, ext)
        assert (out_b / "tables" / lang / "05_method_bias.md").is_file()
    md = (out / "tables" / "en" / "05_method_bias.md").read_text(encoding="utf-8")
    assert f"{bc['chisq_diff']:.2f}" in md and "SIMULATED" in md
    d = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert d["measurement"]["method_bias"]["marker_cfa"]["retained"] == mb["marker_cfa"]["retained"]
    en, zh = res.text["en"], res.text["zh"]
    sig = int(lw["significant"].sum())
    assert ("**Common-method bias.** Harman's first unrotated component" in en
            and f"changed χ² by {bc['chisq_diff']:.2f} on {int(bc['df_diff'])} df" in en
            and f"{sig} of {len(lw)} correlations stayed significant" in en)
    assert "**共同方法偏差。**" in zh and f"χ²变化{bc['chisq_diff']:.2f}" in zh


def test_recovery_against_the_population(runs):
    res, _ = runs
    rec = res.recovery
    paths = rec[(rec["op"] == "~") & rec["true"].notna()]
    assert len(paths) == 6
    assert (paths["bias"].abs() < 0.15).all()


def test_bootstrap_is_used_or_its_absence_said(runs):
    res, _ = runs
    t = next(t for t in res.tables if t.name == "indirect_strategic_triangle")
    notes = " ".join(t.notes_en)
    if res.bootstrap:
        assert "bootstrap" in notes
    else:
        assert "bootstrap" in dict(res.notes) and "delta-method" in notes or "Wald" in notes


def test_fiml_run_reports_percentile_bootstrap_intervals(runs):
    """Under FIML (the example's setting) the indirect effects have percentile bootstrap CIs, every resample
    refitted by FIML (issue 14: egovsem.sem.fiml_batch made this fast enough for the run); the table, results.json
    and the methods paragraph (en, zh) say so."""
    res, out_b = runs
    assert res.config.missing == "fiml" and res.config.bootstrap == 1000 and "strategic_triangle" in res.bootstrap
    t = next(t for t in res.tables if t.name == "indirect_strategic_triangle")
    notes = " ".join(t.notes_en)
    assert f"percentile bootstrap, 1000 resamples, seed {res.config.seed}, each resample refitted by FIML" in notes
    boot = res.bootstrap["strategic_triangle"].params.set_index("lhs")
    row = t.to_frame(raw=True).set_index("effect").loc["ind_opc_leg_puv"]
    assert tuple(row["ci"]) == pytest.approx((boot.loc["ind_opc_leg_puv", "ci.lower"],
                                             boot.loc["ind_opc_leg_puv", "ci.upper"]))
    for out in (Path(res.config.out), out_b):
        b = json.loads((out / "results.json").read_text(encoding="utf-8"))["bootstrap"]
        assert b["ci"] == "percentile" and b["missing"] == "fiml" and b["seed"] == res.config.seed
        assert "refitted by FIML" in b["method"]
        r = b["resamples"]["strategic_triangle"]
        assert r["B"] == 1000 and r["successful"] + r["failed"] == 1000
    assert "percentile bootstrap confidence intervals (1000 resamples), every resample refitted by FIML" in res.text["en"]
    assert "百分位bootstrap置信区间检验（1000次重抽样，每个重抽样均以全信息极大似然重新估计）" in res.text["zh"]


def test_bootstrap_of_the_indirect_effects_with_complete_data(tmp_path):
    """With missing='listwise' the engine's bootstrap (complete-data ML) gives the indirect effects' CIs;
    without it in the engine the run says so and keeps the delta-method CIs."""
    res = run_study(example_config(tmp_path, models=["strategic_triangle"], missing="listwise", bootstrap=50,
                                   formats=["md"], lang="en", figure_formats=["svg"]))
    t = next(t for t in res.tables if t.name == "indirect_strategic_triangle")
    notes = " ".join(t.notes_en)
    if res.bootstrap:
        boot = res.bootstrap["strategic_triangle"].params.set_index("lhs")
        row = t.to_frame(raw=True).set_index("effect").loc["ind_opc_leg_puv"]
        assert tuple(row["ci"]) == pytest.approx((boot.loc["ind_opc_leg_puv", "ci.lower"],
                                                 boot.loc["ind_opc_leg_puv", "ci.upper"]))
        assert "percentile bootstrap, 50 resamples" in notes
        assert "bootstrap confidence intervals (50 resamples)" in res.text["en"]
    else:
        assert "not available" in dict(res.notes)["bootstrap"][0] and "Wald" in notes


def test_own_study_from_a_config_file(tmp_path):
    """A study that is not the example: its own model file (no hypothesis labels), MLR, Chinese tables only;
    nothing says SIMULATED and there is no recovery table."""
    (tmp_path / "model.lav").write_text("OPC =~ OPC1 + OPC2 + OPC3 + OPC4\nLEG =~ LEG1 + LEG2 + LEG3 + LEG4\n"
                                        "LEG ~ OPC\n", encoding="utf-8")
    (tmp_path / "study.yaml").write_text(
        f"raw: {ROOT / 'data' / 'example' / 'raw_export.csv'}\nid: id\nduration: duration\nmodels: [model.lav]\n"
        "estimator: MLR\nmissing: fiml\nout: results\nformats: [md, csv]\nlang: zh\nfigure_formats: [svg]\n",
        encoding="utf-8")
    assert main(["run", str(tmp_path / "study.yaml"), "--quiet"]) == 0
    out = tmp_path / "results"
    assert sorted(p.name for p in (out / "tables").iterdir()) == ["zh"]
    assert (out / "tables" / "zh" / "05_fit.md").is_file() and not (out / "recovery.csv").exists()
    d = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert d["estimator"] == "MLR" and d["model"] == "model" and "note" not in d
    en = (out / "methods_en.md").read_text(encoding="utf-8")
    assert "SIMULATED" not in en and "robust" in en and "OPC → LEG, β = ." in en and "indirect" not in en
    assert "chisq.scaled" in d["fit"] and f"= {d['fit']['chisq.scaled']:.2f}" in en  # MLR: the scaled test


# -- configuration ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("change, message", [
    ({"estimator": "WLS"}, "The 'estimator' key of study.yaml must be one of 'ML', 'MLR'. Got 'WLS' instead."),
    ({"missing": "pairwise"}, "The 'missing' key of study.yaml must be one of 'fiml', 'listwise'. Got 'pairwise'"),
    ({"invariance_levels": [1]}, "The 'invariance_levels' key of study.yaml must be a list of at least two group"),
    ({"bootstrap": 5}, "The 'bootstrap' key of study.yaml must be 0 (no bootstrap) or a number of draws of at "
                       "least 10. Got 5 instead."),
    ({"formats": ["docx", "pdf"]}, "The 'formats' key of study.yaml must be a list drawn from"),
    ({"models": ["value_nett"]}, "Got 'value_nett' instead."),
    ({"models": ["mine.lav"]}, "The 'models' key of study.yaml names 'mine.lav', which does not exist"),
    ({"lang": "fr"}, "The 'lang' key of study.yaml must be one of 'en', 'zh', 'both'. Got 'fr' instead."),
    ({"seed": "abc"}, "The 'seed' key of study.yaml must be a non-negative integer. Got 'abc' instead."),
    ({"raw": "nowhere.csv"}, "The 'raw' key of study.yaml names 'nowhere.csv', which does not exist"),
    ({"primary": "integrated", "models": ["value_net"]}, "The 'primary' key of study.yaml must be one of the "
                                                         "models 'value_net'. Got 'integrated' instead."),
    ({"estimatr": "ML"}, "study.yaml has the unknown key 'estimatr' (value 'ML')"),
])
def test_config_messages_name_the_key_and_value(tmp_path, change, message):
    import yaml

    d = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    d["raw"] = str(ROOT / "data" / "example" / "raw_export.csv")
    d["instrument"] = None
    d.pop("bootstrap_models")
    d.update(change)
    p = tmp_path / "study.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    with pytest.raises(EgovsemError) as err:
        load_config(p)
    assert message in str(err.value)


def test_config_needs_raw_and_resolves_paths_next_to_it(tmp_path):
    p = tmp_path / "study.yaml"
    p.write_text("id: id\nout: results\n", encoding="utf-8")
    with pytest.raises(EgovsemError, match="The 'raw' key of study.yaml is missing"):
        load_config(p)
    (tmp_path / "export.csv").write_text("id\n1\n", encoding="utf-8")
    p.write_text("raw: export.csv\nout: results\n", encoding="utf-8")
    cfg = load_config(p)
    assert cfg.raw == tmp_path / "export.csv" and cfg.out == tmp_path / "results"
    assert cfg.models == ("value_net", "strategic_triangle", "integrated") and cfg.missing == "fiml"
    assert load_config(p, out=str(tmp_path / "elsewhere")).out == tmp_path / "elsewhere"


def test_the_example_config_file_is_the_example():
    a = load_config(CONFIG)
    b = example_config(CONFIG.parent)
    for key in ("id", "duration", "models", "estimator", "missing", "bootstrap", "bootstrap_models", "seed",
                "formats", "lang", "sample", "example", "invariance", "invariance_levels", "weights", "cluster",
                "compare_cluster", "compare_weights", "marker", "moderated_mediation"):
        assert getattr(a, key) == getattr(b, key), key
    # the config names the repository's copy of the export, the example the installed one: same bytes
    # (the paths coincide only with an editable install)
    assert a.raw.read_bytes() == b.raw.read_bytes() and a.out.resolve() == CONFIG.parent.resolve()


def test_cli_errors_exit_2_with_the_message(tmp_path, capsys):
    assert main(["run", "--example"]) == 2
    assert "--example needs --out DIR" in capsys.readouterr().err
    assert main(["run", "--out", str(tmp_path)]) == 2
    assert "Give CONFIG.yaml" in capsys.readouterr().err
    p = tmp_path / "bad.yaml"
    p.write_text(f"raw: {ROOT / 'data' / 'example' / 'raw_export.csv'}\nout: x\nestimator: GLS\n", encoding="utf-8")
    assert main(["run", str(p)]) == 2
    assert "The 'estimator' key of bad.yaml must be one of 'ML', 'MLR'. Got 'GLS' instead." in capsys.readouterr().err


def test_paper_directory_is_what_the_example_builds():
    """paper/ holds the committed outputs of `egovsem run --example --out paper` (respondent data left out)."""
    paper = ROOT / "paper"
    d = json.loads((paper / "results.json").read_text(encoding="utf-8"))
    assert "SIMULATED" in d["note"] and d["model"] == "integrated"
    assert set(d["models"]) == {"value_net", "strategic_triangle", "integrated"}
    for name in ("methods_en.md", "methods_zh.md", "tables/en/tables.docx", "tables/zh/tables.tex",
                 "figures/path_integrated.png", "README.md"):
        assert (paper / name).is_file(), name
    assert not (paper / "clean" / "clean.csv").exists() or "clean.csv" in (paper / ".gitignore").read_text()
    # the paragraph's numbers are the committed results' numbers
    fm = d["fit"]
    assert f"χ²({int(fm['df'])}) = {fm['chisq']:.2f}" in (paper / "methods_en.md").read_text(encoding="utf-8")


# -- the full example (slow) ------------------------------------------------------------------------------
@pytest.mark.slow
def test_full_example_twice_byte_identical_tables(tmp_path, capsys):
    t = time.perf_counter()
    assert main(["run", "--example", "--out", str(tmp_path / "one")]) == 0
    elapsed = time.perf_counter() - t
    err = capsys.readouterr().err
    assert "[egovsem run] [9/9]" in err and "SIMULATED" in err
    assert main(["run", "--example", "--out", str(tmp_path / "two"), "--quiet"]) == 0
    a, b = _table_files(tmp_path / "one"), _table_files(tmp_path / "two")
    assert a.keys() == b.keys() and [k for k in a if a[k] != b[k]] == []
    d = json.loads((tmp_path / "one" / "results.json").read_text(encoding="utf-8"))
    assert d["model"] == "integrated" and d["converged"]
    rec = pd.read_csv(tmp_path / "one" / "recovery.csv", comment="#")
    paths = rec[rec["op"] == "~"]
    assert (paths["bias"].abs() < 0.12).all()
    h8 = paths[paths["label"] == "h8"].iloc[0]
    assert h8["true"] == 0 and h8["pvalue"] > 0.05
    # paper/ is what the current code builds (files kept out by paper/.gitignore are not there to compare)
    paper = ROOT / "paper"
    stale = [k for k, v in a.items() if (paper / k).is_file() and (paper / k).read_bytes() != v]
    stale += [n for n in ("methods_en.md", "methods_zh.md")
              if (paper / n).read_bytes() != (tmp_path / "one" / n).read_bytes()]
    assert not stale, f"paper/ is stale ({stale[:5]}): rebuild it with 'egovsem run --example --out paper'"
    print(f"full example: {elapsed:.1f} s")  # the budget is 2 minutes on 2 cores
    assert re.search(r"done in \d+\.\d s", err)
