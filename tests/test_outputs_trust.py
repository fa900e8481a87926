"""Issue 16: outputs a researcher can trust (invariance verdicts, labels, hypothesis signs, HTMT under FIML,
Word widths, one APA style, clean output folders, CJK fonts, a draft instrument for own data)."""
from __future__ import annotations

import json
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest


# -- item 1: the invariance paragraph ------------------------------------------------------------------------
def _inv(dcfi, cfi0=0.95, rmsea0=0.05):
    steps = ["configural", "metric", "scalar", "strict"][: len(dcfi) + 1]
    inv = pd.DataFrame({"step": steps, "cfi": [cfi0] + [cfi0 + d for d in dcfi],
                        "rmsea": [rmsea0] * len(steps), "chisq_diff": [np.nan] + [10.0] * len(dcfi),
                        "df_diff": [np.nan] + [6] * len(dcfi), "p_diff": [np.nan] + [0.1] * len(dcfi),
                        "delta_cfi": [np.nan] + list(dcfi)})
    inv.attrs["n"] = {"1": 200, "2": 150}
    return inv


def _res_for_invariance():
    from egovsem.instruments import load_instrument

    return SimpleNamespace(config=SimpleNamespace(invariance="resp_type"), instrument=load_instrument())


def test_a_later_invariance_step_never_holds_after_an_earlier_one_failed():
    from egovsem.study.draft_text import _invariance_text, invariance_held

    inv = _inv([-0.002, -0.011, 0.001])
    assert invariance_held(inv) == (["metric"], "scalar")
    en = _invariance_text(_res_for_invariance(), inv, True)
    assert "held up to the metric level" in en and "the scalar step failed" in en
    assert "strict level" not in en and "metric, strict" not in en
    assert "Citizen: *n* = 200" in en and "resp_type" not in en  # the groups' names, not the column
    zh = _invariance_text(_res_for_invariance(), inv, False)
    assert "不变性成立至度量不变性" in zh and "标量不变性未成立" in zh
    for word in ("configural", "metric", "scalar", "strict"):
        assert word not in zh, word


def test_a_poor_configural_fit_is_said():
    from egovsem.study.draft_text import _invariance_text

    en = _invariance_text(_res_for_invariance(), _inv([-0.001], cfi0=0.775), True)
    assert "CFI = .775" in en and "below the conventional cut-offs (CFI ≥ .90, RMSEA ≤ .08)" in en
    zh = _invariance_text(_res_for_invariance(), _inv([-0.001], cfi0=0.775), False)
    assert "低于常用临界值" in zh
    ok = _invariance_text(_res_for_invariance(), _inv([-0.001]), True)
    assert "cut-offs" not in ok and "held up to the metric level" in ok
    none = _invariance_text(_res_for_invariance(), _inv([-0.02, 0.0]), True)
    assert "held at no level beyond the configural model" in none and "the metric step failed" in none


# -- item 14: CJK fonts and invariance progress ------------------------------------------------------------
def test_cjk_fonts_are_found_when_matplotlib_s_cache_is_stale(monkeypatch):
    """A font installed after matplotlib wrote its cache: the cache's list lacks it, the system has it."""
    from egovsem import figures
    from matplotlib import font_manager

    files = figures._cjk_font_files()
    if not files:
        pytest.skip("no CJK font on this machine (fc-list :lang=zh finds none)")
    stale = [f for f in font_manager.fontManager.ttflist if f.fname not in files]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    assert not figures.cjk_font_families(rescan=False)  # the stale list alone has none
    fams = figures.cjk_font_families()
    assert fams and fams[0] in figures._CJK_FONTS
    assert figures.font_families() == (["DejaVu Sans"] + fams[:2], True)


def test_invariance_reports_progress_per_step():
    from egovsem.datasets import load
    from egovsem.measure import invariance

    said: list[str] = []
    invariance("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", load("HolzingerSwineford1939"), "school",
               steps=("configural", "metric"), progress=said.append)
    assert len(said) == 2 and said[0].startswith("configural (1/2): chisq = ") and said[1].startswith("metric (2/2)")


# -- a reduced run of the example (the strategic-triangle model, as tests/test_pipeline.py) ----------------------
@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from egovsem.study.config import example_config
    from egovsem.study.pipeline import run_study

    said: list[str] = []
    res = run_study(example_config(tmp_path_factory.mktemp("trust"), models=["strategic_triangle"],
                                   formats=["docx", "tex", "md", "html", "csv"]), progress=said.append)
    return res, said


# -- item 12: ASCII LaTeX, plain CSV, a manifest of every file ------------------------------------------------
def test_english_tex_files_are_ascii_and_csv_files_plain(run):
    from pathlib import Path

    res, _ = run
    out = Path(res.config.out)
    tex = sorted((out / "tables" / "en").glob("*.tex"))
    assert tex
    for p in tex:
        text = p.read_text(encoding="utf-8")
        bad = sorted({ch for ch in text if ord(ch) > 127})
        assert not bad, (p.name, bad)
        assert "SIMULATED DATA" in text and "xeCJK" not in text
    for p in (out / "clean" / "flow.csv", out / "recovery.csv"):
        assert not p.read_text(encoding="utf-8").startswith("#"), p
        assert len(pd.read_csv(p)) > 0


def test_the_manifest_lists_every_file_written_and_only_those(run, tmp_path):
    import json
    from pathlib import Path

    from egovsem.study.config import example_config
    from egovsem.study.pipeline import write_manifest

    res, said = run
    out = Path(res.config.out)
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(man["files"]) == on_disk
    assert "SIMULATED" in man["note"] and man["command"].startswith("egovsem run --example")
    assert "manifest.json" in (out / "README.md").read_text(encoding="utf-8")
    # a file left from an earlier run is named, not listed, not deleted
    (out / "tables" / "en" / "06_old_numbering.md").write_text("stale", encoding="utf-8")
    stale = write_manifest(res)
    assert stale == ["tables/en/06_old_numbering.md"] and (out / "tables" / "en" / "06_old_numbering.md").exists()
    assert example_config(tmp_path).example


# -- item 2: sample labels from the user's instrument or the data file, never the bundled study's ---------------
HS_CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n"


def _own_data(tmp_path, suffix=".sav"):
    import pyreadstat
    from egovsem.datasets import load

    df = load("HolzingerSwineford1939")[["x1", "x2", "x3", "x4", "x5", "x6"]].copy()
    rng = np.random.default_rng(1)
    df["gender"] = rng.integers(1, 3, len(df)).astype(float)
    df["education"] = rng.integers(1, 6, len(df)).astype(float)
    p = tmp_path / f"own{suffix}"
    if suffix == ".sav":
        pyreadstat.write_sav(df, str(p), column_labels={"gender": "Gender", "education": "Education"},
                             variable_value_labels={"gender": {1: "Male", 2: "Female"},
                                                    "education": {1: "None", 2: "Primary", 3: "Secondary",
                                                                  4: "Tertiary", 5: "Doctorate"}})
    else:
        df.to_csv(p, index=False)
    (tmp_path / "m.lav").write_text(HS_CFA, encoding="utf-8")
    return p


def test_read_labels_of_an_spss_file(tmp_path):
    from egovsem.io import read_labels

    lab = read_labels(_own_data(tmp_path))
    assert lab["columns"]["gender"] == "Gender" and lab["values"]["gender"] == {1: "Male", 2: "Female"}
    assert read_labels(_own_data(tmp_path, ".csv")) == {"columns": {}, "values": {}}


def test_tables_sample_uses_the_sav_value_labels_not_the_bundled_study(tmp_path):
    from egovsem.cli import main

    p = _own_data(tmp_path)
    out = tmp_path / "out"
    assert main(["tables", str(p), "--model", str(tmp_path / "m.lav"), "--out", str(out), "--format", "md",
                 "--sample", "gender,education"]) == 0
    md = (out / "01_sample.md").read_text(encoding="utf-8")
    assert "| Gender |" in md and "| Male |" in md and "| Female |" in md and "| Doctorate |" in md
    assert "Bachelor" not in md and "Junior college" not in md  # the bundled questionnaire's categories
    assert "shown by their codes" not in md


def test_tables_sample_codes_stay_codes_with_a_note(tmp_path):
    from egovsem.cli import main

    p = _own_data(tmp_path, ".csv")
    out = tmp_path / "out"
    assert main(["tables", str(p), "--model", str(tmp_path / "m.lav"), "--out", str(out), "--format", "md",
                 "--sample", "gender,education"]) == 0
    md = (out / "01_sample.md").read_text(encoding="utf-8")
    assert "Bachelor" not in md and "| 1 |" in md
    assert "Categories of gender, education are shown by their codes (no labels in the instrument or the data " \
           "file)." in md
    # asked for: the bundled questionnaire names them
    out2 = tmp_path / "out2"
    assert main(["tables", str(p), "--model", str(tmp_path / "m.lav"), "--out", str(out2), "--format", "md",
                 "--sample", "education", "--instrument", "bundled"]) == 0
    assert "Bachelor's degree" in (out2 / "01_sample.md").read_text(encoding="utf-8")


def test_tables_instrument_that_does_not_exist_is_named(tmp_path, capsys):
    from egovsem.cli import main

    p = _own_data(tmp_path, ".csv")
    rc = main(["tables", str(p), "--model", str(tmp_path / "m.lav"), "--out", str(tmp_path / "o"),
               "--sample", "gender", "--instrument", str(tmp_path / "nope.yaml")])
    err = capsys.readouterr().err
    assert rc != 0 and "--instrument" in err and "nope.yaml" in err and "Traceback" not in err


# -- item 4: expected signs ---------------------------------------------------------------------------------
def _neg_data():
    rng = np.random.default_rng(4)
    x = rng.normal(size=400)
    m = 0.5 * x + rng.normal(size=400)
    y = -0.4 * m + rng.normal(size=400)
    return pd.DataFrame({"x": x, "m": m, "y": y})


@pytest.mark.parametrize("comment, expect", [("  # sign: -", ("Yes", "是")),
                                             ("", ("No (opposite sign)", "否（方向相反）"))])
def test_a_hypothesised_negative_path_is_supported_when_negative(comment, expect):
    from egovsem.sem import sem
    from egovsem.tables import hypotheses_table
    from egovsem.tables.signs import expected_signs

    model = f"m ~ h1*x\ny ~ h2*m{comment}\n"
    fit = sem(model, _neg_data())
    t = hypotheses_table(fit, expected=expected_signs(model), labels=False)
    rows = dict(zip([r[0] for r in t.rows_en], t.rows_en))
    h2 = next(k for k in rows if k.startswith("H2"))
    assert rows[h2][-1] == expect[0] and t.rows_zh[1][-1] == expect[1]
    assert rows["H1"][-1] == "Yes"
    assert (h2 == "H2 (\u2212)") == bool(comment)
    note = " ".join(t.notes_en)
    assert "a significant coefficient of the other sign does not support it (opposite sign)" in note
    if not comment:
        assert "1 of 2 hypotheses are supported, 1 significant in the opposite direction." in note


def test_bad_signs_are_named(tmp_path):
    from egovsem._errors import EgovsemError
    from egovsem.study.config import load_config
    from egovsem.tables.signs import expected_signs

    with pytest.raises(EgovsemError, match=r"The expected sign of the line 'y ~ h2\*m  # sign: down' must be"):
        expected_signs("y ~ h2*m  # sign: down")
    with pytest.raises(EgovsemError, match="The 'signs' key names the label 'h9', which labels no regression path"):
        expected_signs("y ~ h2*m", overrides={"h9": "-"})
    (tmp_path / "export.csv").write_text("id\n1\n", encoding="utf-8")
    p = tmp_path / "study.yaml"
    p.write_text("raw: export.csv\nout: results\nsigns: {h3: up}\n", encoding="utf-8")
    with pytest.raises(EgovsemError, match=r"The 'signs' key of study.yaml: The expected sign of the label 'h3' must"):
        load_config(p)
    p.write_text("raw: export.csv\nout: results\nsigns: {h3: '-'}\n", encoding="utf-8")
    assert load_config(p).signs == (("h3", "-"),)


# -- item 5: HTMT from the EM covariance when the fit used FIML -------------------------------------------------
HS_CONS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


@pytest.mark.parametrize("htmt2", [True, False])
@pytest.mark.parametrize("missing", ["ml", "listwise", "pairwise"])
def test_htmt_with_missing_ml_matches_semtools(missing, htmt2):
    """tests/reference/make_reference_htmt_fiml.R: semTools::htmt(missing = "ml" / "listwise" / "pairwise") on
    hs_missing."""
    from pathlib import Path

    from egovsem.measure import htmt

    root = Path(__file__).resolve().parents[1]
    ref = pd.read_csv(root / "tests" / "reference" / "measure_fiml" / "hs_missing_htmt.csv")
    ref = ref[(ref["missing"] == missing) & (ref["htmt2"] == htmt2)]
    d = pd.read_csv(root / "data" / "hs_missing.csv")
    h = htmt(d, HS_CONS, missing=missing, htmt2=htmt2)
    assert len(ref) == 3
    for r in ref.itertuples():
        assert h.loc[r.row, r.col] == pytest.approx(r.value, abs=1e-6), (r.row, r.col)
    assert h.attrs["n"] == (194 if missing == "listwise" else 301) and h.attrs["missing"] == missing


def test_htmt_bad_missing_is_named():
    from egovsem._errors import EgovsemError
    from egovsem.datasets import load
    from egovsem.measure import htmt

    # (missing="pairwise" was the bad value here until it became semTools' pairwise HTMT)
    with pytest.raises(EgovsemError, match="'missing' parameter.*'pairwse'"):
        htmt(load("HolzingerSwineford1939"), HS_CONS, missing="pairwse")


def test_the_run_s_htmt_uses_the_em_covariance_under_fiml(run):
    from egovsem.measure import htmt
    from egovsem.tables import model_constructs

    res, _ = run
    assert res.config.missing == "fiml"
    ref = htmt(res.data, model_constructs(res.cfa), missing="ml")
    pd.testing.assert_frame_equal(res.htmt, ref)
    t = next(t for t in res.tables if t.name == "htmt")
    note = " ".join(t.notes_en)
    assert f"full-information maximum likelihood (EM) over all {len(res.data)} respondents" in note
    assert "listwise" not in note and "semTools" not in note
    assert "FIML (EM) correlations" in res.text["en"]


# -- item 15: own data without an instrument YAML -------------------------------------------------------------
def _bfi_study(tmp_path, instrument_line=""):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    d = pd.read_csv(root / "data" / "bfi.csv").iloc[:400]
    d.insert(0, "id", range(1, len(d) + 1))
    d.to_csv(tmp_path / "bfi_own.csv", index=False)
    (tmp_path / "m.lav").write_text("Agree =~ A2 + A3 + A4 + A5\nConsc =~ C1 + C2 + C3\nConsc ~ h1*Agree\n",
                                    encoding="utf-8")
    (tmp_path / "study.yaml").write_text(
        "raw: bfi_own.csv\nid: id\nmodels: [m.lav]\nmissing: fiml\nout: res\nformats: [md]\nlang: en\n"
        f"figure_formats: [svg]\n{instrument_line}", encoding="utf-8")
    return tmp_path / "study.yaml"


def test_instrument_init_writes_a_draft_that_checks(tmp_path, capsys):
    from egovsem.cli import main
    from egovsem.instruments import load_instrument

    _bfi_study(tmp_path)
    out = tmp_path / "instrument.yaml"
    assert main(["instrument", "init", str(tmp_path / "m.lav"), str(tmp_path / "bfi_own.csv"), "--id", "id",
                 "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "a DRAFT (7 scale items of 2 constructs" in said and "egovsem instrument check" in said
    inst = load_instrument(out)
    assert inst.construct_items("Agree") == ["A2", "A3", "A4", "A5"]
    assert inst.scales[inst.item("A2").scale].values == (1, 2, 3, 4, 5, 6)
    assert inst.item("gender").type == "select_one" and inst.item("age").type == "integer"
    assert [m.name for m in inst.metadata] == ["id"]
    # the model names a column the data lack
    (tmp_path / "bad.lav").write_text("F =~ A1 + Z9 + A3\n", encoding="utf-8")
    assert main(["instrument", "init", str(tmp_path / "bad.lav"), str(tmp_path / "bfi_own.csv"),
                 "--out", str(tmp_path / "x.yaml")]) != 0
    err = capsys.readouterr().err
    assert "The indicator 'Z9' of 'F' is not a column of the data" in err and "Traceback" not in err
    assert not (tmp_path / "x.yaml").exists()



def test_instrument_init_never_overwrites_and_names_bad_flags(tmp_path, capsys):
    from egovsem.cli import main

    _bfi_study(tmp_path)
    args = [str(tmp_path / "m.lav"), str(tmp_path / "bfi_own.csv")]
    edited = tmp_path / "edited.yaml"
    edited.write_text("# my edits\n", encoding="utf-8")
    assert main(["instrument", "init", *args, "--out", str(edited)]) == 2
    assert "exists (perhaps an instrument you have edited); it is not overwritten" in capsys.readouterr().err
    assert edited.read_text(encoding="utf-8") == "# my edits\n"
    assert main(["instrument", "init", *args, "--out", str(edited), "--force"]) == 0
    capsys.readouterr()
    assert main(["instrument", "init", *args, "--out", str(tmp_path / "manifest.json")]) == 2
    assert "give a file name ending in .yaml or .yml" in capsys.readouterr().err
    assert main(["instrument", "init", *args, "--out", str(tmp_path / "i.yaml"), "--id", "nope"]) == 2
    assert "--id 'nope' is not a column of DATA" in capsys.readouterr().err


def test_draft_marks_personal_data_by_its_values_and_lists_no_id_as_choices():
    from egovsem.instruments.draft import draft_instrument_dict

    n = 30
    df = pd.DataFrame({"resp": range(1, n + 1), "a1": [1 + i % 5 for i in range(n)],
                       "a2": [1 + (i * 3) % 5 for i in range(n)], "sex": [1 + i % 2 for i in range(n)],
                       "tel": [13900000000 + i for i in range(n)],           # a phone number read as a number
                       "kontakt": [f"p{i}@example.org" for i in range(n)],   # e-mails under a name no rule knows
                       "few": list(range(1, 11)) * 3})                       # 10 values in 30 rows: not a scale
    d = draft_instrument_dict(["A =~ a1 + a2"], df)
    items = {i["name"]: i for i in d["items"]}
    assert items["tel"]["identifier"] is True and "choices" not in items["tel"]
    assert items["kontakt"]["identifier"] is True
    assert items["resp"]["type"] == "integer" and "choices" not in items["resp"]   # 30 distinct values
    assert items["sex"]["type"] == "select_one" and [c["value"] for c in items["sex"]["choices"]] == [1, 2]
    assert items["few"]["type"] == "select_one"   # exactly 3 rows per value: read as categories

def test_draft_takes_chinese_column_names_and_keeps_codes_per_column():
    from egovsem.clean import clean
    from egovsem.clean.validate import InvalidDataError
    from egovsem.instruments.draft import draft_instrument, draft_instrument_dict

    rng = np.random.default_rng(7)
    n = 30
    df = pd.DataFrame({"编号": range(1, n + 1), "信任1": rng.integers(1, 6, n), "信任2": rng.integers(1, 6, n),
                       "信任3": rng.integers(1, 6, n), "年龄": rng.integers(18, 70, n)})
    df.loc[3, "年龄"] = 99      # an age: an ordinary value of this column
    df.loc[4, "信任1"] = 99     # far outside 1-5: a code in this item
    df.loc[5, "信任2"] = -99
    d = draft_instrument_dict(["信任 =~ 信任1 + 信任2 + 信任3"], df, id="编号")
    # -99 is a code everywhere; 99 is an age in 年龄, so it is not declared for every column (it would delete
    # the 99-year-old), and it does not stretch the item's scale to 1-99
    assert [m["code"] for m in d["missing_values"]] == [-99]
    assert list(d["scales"]) == ["scale1_5"]
    inst = draft_instrument(["信任 =~ 信任1 + 信任2 + 信任3"], df, id="编号")
    assert inst.construct_items("信任") == ["信任1", "信任2", "信任3"]
    # the cleaning names the 99 in the item as off the scale, with its row and column
    with pytest.raises(InvalidDataError, match=r"row 5, .*column '信任1': value '99'"):
        clean(df, inst, id="编号")


def test_the_draft_note_is_in_both_languages_of_the_cleaning_report(tmp_path):
    from egovsem.cli import main
    from egovsem.instruments.draft import DRAFT_NOTE, DRAFT_NOTE_ZH

    cfg = _bfi_study(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("lang: en", "lang: both"), encoding="utf-8")
    assert main(["run", str(cfg)]) == 0
    out = tmp_path / "res"
    report = (out / "clean" / "report.md").read_text(encoding="utf-8")
    assert DRAFT_NOTE in report and DRAFT_NOTE_ZH in report
    assert DRAFT_NOTE_ZH in (out / "methods_zh.md").read_text(encoding="utf-8")
    assert "clean/instrument_draft.yaml" in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_run_on_own_data_without_an_instrument_drafts_one_and_says_so(tmp_path, capsys):
    from egovsem.cli import main
    from egovsem.instruments import load_instrument

    cfg = _bfi_study(tmp_path)
    assert main(["run", str(cfg)]) == 0
    err = capsys.readouterr().err
    assert "instrument: DRAFT inferred from the models and the data" in err
    assert "egovsem instrument init MODEL DATA --out instrument.yaml" in err
    out = tmp_path / "res"
    assert "DRAFT inferred from the models" in (out / "clean" / "report.md").read_text(encoding="utf-8")
    assert "DRAFT" in (out / "README.md").read_text(encoding="utf-8")
    assert load_instrument(out / "clean" / "instrument_draft.yaml").construct_items("Consc") == ["C1", "C2", "C3"]
    assert not (out / "tables" / "en" / "01_sample.md").exists()  # a draft does not know the sample columns
    assert (out / "tables" / "en" / "01_measurement.md").is_file()


# -- item 10: Word widths from content; the methods paragraph as Word and HTML ------------------------------------
def test_no_column_is_narrower_than_its_longest_token():
    from egovsem.tables.widths import CELL_PADDING_PT, column_widths, min_width

    header = ["Construct", "Item", "Measurement", "95% CI"]
    rows = [["Integrated model", "SG1", "Integrated", "[.009, .020]"],
            ["Perceived value", "PV4", "—", "[\u2212.120, .340]"]]
    w = column_widths(header, rows, 200.0, 11)  # much narrower than the one-line widths
    for j in range(len(header)):
        longest = max(min_width(c, 11) for c in [header[j]] + [r[j] for r in rows])
        assert w[j] >= longest + CELL_PADDING_PT - 1e-9
    wide = column_widths(header, rows, 2000.0, 11)
    assert sum(wide) < 2000.0 and all(a >= b for a, b in zip(wide, w))


def test_word_table_grid_widths_hold_every_word(tmp_path):
    from docx import Document
    from egovsem.tables import to_docx
    from egovsem.tables.table import build
    from egovsem.tables.widths import CELL_PADDING_PT, min_width

    t = build("m", ("Measurement", "测量"), [("a", "Measurement model", "测量模型"), ("b", "Integrated", "整合"),
                                             ("c", "95% CI", "95% CI")],
              [["Integrated", "Measurement", "[.009, .020]"]] * 3, [[0, 0, 0]] * 3, [])
    to_docx(t, tmp_path / "t.docx")
    doc = Document(str(tmp_path / "t.docx"))
    grid = [c.width for c in doc.tables[0].columns]
    for j, text in enumerate(["Measurement", "Measurement", "[.009, .020]"]):
        assert grid[j] / 12700 >= min_width(text, 11) + CELL_PADDING_PT - 0.5, j


def test_the_run_writes_the_methods_paragraph_as_word_and_html(run):
    from pathlib import Path

    from docx import Document

    res, _ = run
    out = Path(res.config.out)
    for lang in ("en", "zh"):
        assert (out / f"methods_{lang}.docx").is_file() and (out / f"methods_{lang}.html").is_file()
    doc = Document(str(out / "methods_en.docx"))
    italic = {r.text for p in doc.paragraphs for r in p.runs if r.italic}
    assert {"p", "N", "n"} <= italic
    html = (out / "methods_en.html").read_text(encoding="utf-8")
    assert "<i>p</i> = " in html and "<i>N</i> = " in html
    assert "methods_en.docx" in json_files(out)


def json_files(out):
    import json

    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]


@pytest.mark.slow
def test_word_tables_render_in_libreoffice_without_broken_words(run, tmp_path):
    """Render the run's Word tables (and questionnaire) to PDF with LibreOffice and check with pdftotext that
    every word of every cell comes out whole (no "Measure ment", "[.009, .02 0]")."""
    import re
    import shutil
    import subprocess
    from pathlib import Path

    from docx import Document

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice or pdftotext is not installed (apt-get install libreoffice-writer-nogui "
                    "poppler-utils)")
    res, _ = run
    # a control: a column too narrow for its word does come out broken, so the check below can fail
    from docx.shared import Inches
    from egovsem.instruments import load_instrument, to_docx

    ctl = Document()
    tab = ctl.add_table(rows=1, cols=1)
    tab.autofit = False
    tab.columns[0].width = tab.rows[0].cells[0].width = Inches(0.5)
    tab.rows[0].cells[0].text = "Measurement"
    ctl.save(str(tmp_path / "control.docx"))
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(tmp_path / "control.docx")], check=True, capture_output=True,
                   timeout=300)
    ctl_text = subprocess.run(["pdftotext", str(tmp_path / "control.pdf"), "-"], check=True, capture_output=True,
                              text=True).stdout
    assert "Measurement" not in ctl_text.split()

    docs = [Path(res.config.out) / "tables" / lang / "tables.docx" for lang in ("en", "zh")]
    docs.append(to_docx(load_instrument(), tmp_path / "questionnaire.docx", lang="en"))
    for d in docs:
        prof = tmp_path / "lo-profile"
        subprocess.run([soffice, f"-env:UserInstallation=file://{prof}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(d)], check=True, capture_output=True, timeout=300)
        pdf = tmp_path / (d.stem + ".pdf")
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        words = set(text.replace("\u00ad", "").split())
        doc = Document(str(d))
        want = set()
        for t in doc.tables:
            for row in t.rows:
                for c in row.cells:
                    # Latin tokens (Chinese breaks between characters by design); a whole CI keeps its parts
                    want |= {w for w in c.text.split() if re.fullmatch(r"[\x21-\x7e\u2212\u03b1-\u03c9\u0394]+", w)}
        missing = sorted(w for w in want if w not in words)
        assert not missing, (d.name, missing[:20])


# -- item 11: one APA style -----------------------------------------------------------------------------------
def test_minus_sign_is_typeset_in_cells_and_notes_alike(tmp_path):
    from egovsem.tables import to_html, to_markdown
    from egovsem.tables.table import build

    t = build("x", ("X", "X"), [("a", "b", "b"), ("c", "95% CI", "95% CI")], [["-0.12", "[-.30, .05]"]],
              [[-0.12, (-0.3, 0.05)]], [("ΔCFI ≥ -.010 (Fornell-Larcker).", "ΔCFI ≥ -.010。")])
    for text in (to_markdown(t), to_html(t)):
        assert "\u22120.12" in text and "[\u2212.30, .05]" in text and "\u2212.010" in text
        assert "Fornell-Larcker" in text and not re.search(r"(?<![\w.])-[.\d]", text)


def test_table_notes_hold_no_software_hints_and_no_raw_names(run):
    res, _ = run
    hints = ("egovsem", "lavaan", "semTools", "missing =", ".csv", "std.all", "resp_type", "config")
    for t in res.tables:
        for n in t.notes_en + t.notes_zh:
            body = n.replace(SIM_EN, "").replace(SIM_ZH, "")
            assert not [h for h in hints if h in body], (t.name, n)
    ind = next(t for t in res.tables if t.name == "indirect_strategic_triangle")
    names = [r[0] for r in ind.rows_en]
    assert names == ["Indirect effect", "Total effect"] and [r[0] for r in ind.rows_zh] == ["间接效应", "总效应"]
    assert ind.rows_en[1][1] == "OPC \u2192 PUV"
    inv = next(t for t in res.tables if t.name == "invariance")
    assert "Groups compared: Citizen (<i>n</i> = " in " ".join(inv.notes_en) or "Groups compared: Citizen (n = " in \
        " ".join(inv.notes_en)


def test_methods_text_is_one_style_and_chinese_is_translated(run):
    res, _ = run
    en, zh = res.text["en"], res.text["zh"]
    assert not re.search(r"(?<![\w.*])p [=<]", en) and "*p* " in en  # every p is italic
    assert not re.search(r"(?<![\w.])-[.\d]", en + zh)  # the minus sign U+2212
    assert "ind_opc_leg_puv" not in en and "tot_opc_puv" not in zh and "indirect effect (OPC → LEG → PUV)" in en
    body = zh.replace(SIMULATED, "")
    for word in ("configural", "metric", "scalar", "strict", "missing =", "not supported", "opposite"):
        assert word not in body, word


SIM_EN = ("SIMULATED DATA: the e-government example is simulated from a documented population model "
          "(data/example/population.lav); no real survey of this study exists yet.")
SIM_ZH = "模拟数据：本示例数据由已记录的总体模型模拟生成，尚无该研究的真实调查数据。"
SIMULATED = f"{SIM_EN} / {SIM_ZH}"


def test_paper_holds_only_what_the_current_code_writes():
    """paper/manifest.json (written by `egovsem run --example --out paper`) lists every file of paper/."""
    import json
    from pathlib import Path

    paper = Path(__file__).resolve().parents[1] / "paper"
    man = json.loads((paper / "manifest.json").read_text(encoding="utf-8"))
    present = {p.relative_to(paper).as_posix() for p in paper.rglob("*") if p.is_file()}
    assert present - set(man["files"]) <= {".gitignore", "example_config.yaml"}
    assert not [f for f in present if f.startswith("tables/en/06_hypotheses")]  # the earlier numbering is gone
    assert not (paper / "clean" / "flow.csv").read_text(encoding="utf-8").startswith("#")


@pytest.mark.slow
def test_english_tex_compiles_with_pdflatex(run, tmp_path):
    """The header of every .tex file says it needs booktabs only: pdflatex (no xeCJK) compiles the English file."""
    import shutil
    import subprocess
    from pathlib import Path

    if not shutil.which("pdflatex"):
        pytest.skip("pdflatex is not installed (apt-get install texlive-latex-base texlive-latex-recommended)")
    res, _ = run
    tex = Path(res.config.out) / "tables" / "en" / "tables.tex"
    (tmp_path / "doc.tex").write_text("\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n"
                                      f"\\input{{{tex.as_posix()}}}\n\\end{{document}}\n", encoding="ascii")
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


def test_a_draft_instrument_takes_the_sav_labels(tmp_path):
    from pathlib import Path

    import pyreadstat
    from egovsem._errors import EgovsemError
    from egovsem.instruments.draft import draft_instrument

    root = Path(__file__).resolve().parents[1]
    d = pd.read_csv(root / "data" / "bfi.csv")[["A2", "A3", "A4", "gender"]].iloc[:200].astype(float)
    p = tmp_path / "bfi.sav"
    pyreadstat.write_sav(d, str(p), column_labels={"gender": "Gender"},
                         variable_value_labels={"gender": {1: "Male", 2: "Female"}})
    inst = draft_instrument(["Agree =~ A2 + A3 + A4"], p)
    assert inst.item("gender").choices == ((1, "Male", "Male"), (2, "Female", "Female"))
    assert inst.item("gender").text_en == "Gender (draft)"
    assert inst.construct_items("Agree") == ["A2", "A3", "A4"]
    with pytest.raises(EgovsemError, match="The indicator 'x1' of 'visual' holds values other than whole numbers"):
        draft_instrument([HS_CFA], _own_data(tmp_path))
