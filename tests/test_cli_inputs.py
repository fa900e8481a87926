"""Issue 16, items 6, 7, 9, 13 and the power JSON of 16: safe outputs, clear failures, no silent data problems.

Each new message is asserted here (the fuzz module, test_fuzz_inputs.py, checks that none of ~200 bad inputs
ends in a traceback).
"""
from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA
from egovsem._errors import DataWarning, EgovsemError, ModelSyntaxError, OutputError, TextEncodingWarning
from egovsem.cli import main
from egovsem.io import read_data, read_text, suspect_codes
from egovsem.safe_write import atomic_path, atomic_write_text, protect_inputs

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
ITEMS = [f"x{i}" for i in range(1, 10)]


@pytest.fixture()
def hs():
    return pd.read_csv(DATA / "HolzingerSwineford1939.csv")


@pytest.fixture()
def files(tmp_path, hs):
    (tmp_path / "hs.lav").write_text(HS)
    hs[ITEMS].to_csv(tmp_path / "hs.csv", index=False)
    return tmp_path


# -- item 7: atomic writes, inputs never overwritten -------------------------------------------------------

def test_atomic_write_replaces_and_keeps_mode(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("old")
    os.chmod(p, 0o640)
    atomic_write_text(p, "new")
    assert p.read_text() == "new" and (os.stat(p).st_mode & 0o777) == 0o640
    assert [q.name for q in tmp_path.iterdir()] == ["a.txt"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path):
    p = tmp_path / "tables.docx"
    p.write_bytes(b"complete old file")
    with pytest.raises(KeyboardInterrupt), atomic_path(p) as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert p.read_bytes() == b"complete old file"
    assert [q.name for q in tmp_path.iterdir()] == ["tables.docx"]
    # a new file that fails halfway does not appear at all
    q = tmp_path / "new.json"
    with pytest.raises(RuntimeError), atomic_path(q) as tmp:
        tmp.write_text("{")
        raise RuntimeError("disk full")
    assert not q.exists() and [x.name for x in tmp_path.iterdir()] == ["tables.docx"]


def test_protect_inputs_refuses_hard_and_symbolic_links(tmp_path):
    src = tmp_path / "data.csv"
    src.write_text("x\n1\n")
    os.link(src, tmp_path / "hard.csv")
    os.symlink(src, tmp_path / "soft.csv")
    with protect_inputs({"DATA": src}, {"--json": tmp_path / "hard.csv"}):
        with pytest.raises(OutputError, match=r"The output file '.*hard.csv' \(argument --json\) is the input file "
                                              r"given as DATA; choose another output path."):
            atomic_write_text(tmp_path / "hard.csv", "x")
        with pytest.raises(OutputError, match="soft.csv' is the input file given as DATA"):
            atomic_write_text(tmp_path / "soft.csv", "x")
        atomic_write_text(tmp_path / "other.csv", "fine")
    assert src.read_text() == "x\n1\n"
    atomic_write_text(tmp_path / "hard.csv", "allowed outside the run")  # no guard active any more


def test_clean_out_dir_holding_the_raw_file_is_refused(tmp_path):
    """--out DIR where DIR/clean.csv is the raw export: refused, the raw file unchanged."""
    import shutil

    raw = tmp_path / "clean.csv"
    shutil.copy(Path(__file__).parent.parent / "data" / "example" / "raw_export.csv", raw)
    before = raw.read_bytes()
    code = main(["clean", str(raw), "--instrument", str(Path(__file__).parent.parent / "instruments" /
                                                        "egov_study.yaml"), "--id", "id", "--out", str(tmp_path)])
    assert code == 2 and raw.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_unwritable_output_folder(files, capsys):
    ro = files / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    try:
        assert main(["fit", str(files / "hs.lav"), str(files / "hs.csv"), "--json", str(ro / "o.json")]) == 2
        assert "(argument --json) cannot be written: Permission denied" in capsys.readouterr().err
    finally:
        os.chmod(ro, 0o700)


# -- item 9: encodings, ragged CSV, power N, sem(123, df) ---------------------------------------------------

def test_gbk_model_file_is_read_with_a_warning(files, capsys):
    gbk = files / "gbk.lav"
    gbk.write_bytes(("# 数字政府模型\n" + HS).encode("gbk"))
    assert main(["fit", str(gbk), str(files / "hs.csv")]) == 0
    err = capsys.readouterr().err
    assert (f"egovsem: warning: The model file {str(gbk)!r} (argument MODEL.lav) is not UTF-8; it was read as "
            "GB18030 (GBK). Save it as UTF-8 to silence this warning.") in err


def test_gbk_config_instrument_and_map_files(tmp_path):
    from egovsem.clean import read_mapping
    from egovsem.instruments import load_instrument

    inst = Path(__file__).parent.parent / "instruments" / "egov_study.yaml"
    g = tmp_path / "inst_gbk.yaml"
    g.write_bytes(inst.read_text(encoding="utf-8").encode("gb18030"))
    with pytest.warns(TextEncodingWarning, match=r"The instrument file '.*inst_gbk.yaml' is not UTF-8; it was read "
                                                 r"as GB18030"):
        assert load_instrument(g) == load_instrument(inst)
    m = tmp_path / "map.yaml"
    m.write_bytes("题目一: SG1\n".encode("gbk"))
    with pytest.warns(TextEncodingWarning, match=r"The mapping file '.*map.yaml' \(argument mapping\) is not UTF-8"):
        assert read_mapping(m) == {"题目一": "SG1"}
    from egovsem.study.config import load_config

    c = tmp_path / "cfg.yaml"
    c.write_bytes("raw: 没有.csv\n".encode("gbk"))
    with pytest.warns(TextEncodingWarning, match=r"The configuration file '.*cfg.yaml' is not UTF-8"), \
            pytest.raises(EgovsemError, match="which does not exist"):
        load_config(c)


def test_undecodable_text_names_the_byte(tmp_path):
    p = tmp_path / "m.lav"
    p.write_bytes(b"f =~ x1\n\xff\n")
    with pytest.raises(EgovsemError, match=r"The model file '.*m.lav' \(argument --model\) is neither UTF-8 nor "
                                           r"GBK/GB18030 text: byte 0xff at offset 8 \(line 2\)"):
        read_text(p, what="model file", argument="--model")


def test_ragged_csv_message(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("a,b,c\n1,2,3\n4,5,6,7\n")
    with pytest.raises(EgovsemError, match=r"The data file '.*r.csv' is ragged: line 3 has 4 fields but the header "
                                           r"has 3"):
        read_data(p)


def test_power_n_below_the_number_of_variables(tmp_path, capsys):
    from egovsem.sem.power import power_analysis

    pop = "f =~ 0.7*y1 + 0.7*y2 + 0.7*y3 + 0.7*y4\n"
    mod = "f =~ y1 + y2 + y3 + y4\n"
    with pytest.raises(EgovsemError, match=r"The 'n' parameter has sample size\(s\) \[4\] not larger than the 4 "
                                           r"observed variables"):
        power_analysis(pop, mod, [4, 100], reps=10, n_jobs=1)
    (tmp_path / "p.lav").write_text(pop)
    (tmp_path / "m.lav").write_text(mod)
    assert main(["power", "--population", str(tmp_path / "p.lav"), "--model", str(tmp_path / "m.lav"),
                 "--n", "3", "--jobs", "1"]) == 2
    assert "The '--n' option has sample size(s) [3] not larger than the 4 observed variables" in capsys.readouterr().err


def test_sem_of_a_number_is_a_message(hs):
    with pytest.raises(ModelSyntaxError, match=r"The 'model' parameter must be a string of lavaan syntax. Got int "
                                               r"\(123\) instead."):
        egovsem.sem(123, hs)


# -- item 6: silent data problems ---------------------------------------------------------------------------

def test_second_excel_sheet_is_named_and_sheet_chooses(tmp_path, hs, capsys):
    book = tmp_path / "two.xlsx"
    with pd.ExcelWriter(book) as xw:
        hs[ITEMS].head(5).to_excel(xw, sheet_name="pilot", index=False)
        hs[ITEMS].to_excel(xw, sheet_name="main", index=False)
    with pytest.warns(DataWarning, match=r"The workbook '.*two.xlsx' has 2 sheets; read the first, 'pilot', and "
                                         r"ignored \['main'\]. Choose one with --sheet"):
        assert len(read_data(book)) == 5
    (tmp_path / "hs.lav").write_text(HS)
    out = tmp_path / "o.json"
    assert main(["fit", str(tmp_path / "hs.lav"), str(book), "--sheet", "main", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["nobs"] == 301
    assert "sheets" not in capsys.readouterr().err
    assert main(["fit", str(tmp_path / "hs.lav"), str(book), "--sheet", "1", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["nobs"] == 301


def test_second_sheet_of_a_raw_export_in_clean(tmp_path, capsys):
    from _instrument_fixture import raw_frame, small_instrument
    from egovsem.clean import clean

    book = tmp_path / "raw.xlsx"
    with pd.ExcelWriter(book) as xw:
        raw_frame(12).to_excel(xw, sheet_name="responses", index=False)
        pd.DataFrame({"note": ["export settings"]}).to_excel(xw, sheet_name="info", index=False)
    with pytest.warns(DataWarning, match=r"has 2 sheets; read the first, 'responses', and ignored \['info'\]"):
        res = clean(book, small_instrument(), id="id", duration="dur")
    assert len(res.flags) == 12
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        clean(book, small_instrument(), id="id", duration="dur", sheet="responses")


def test_minus_99_codes_are_named(tmp_path, hs, capsys):
    df = hs[ITEMS].copy()
    df.loc[[3, 10, 20], "x4"] = -99
    p = tmp_path / "codes.csv"
    df.to_csv(p, index=False)
    with pytest.warns(DataWarning, match=r"The data file '.*codes.csv', column 'x4': the value\(s\) -99 \(3 rows\) lie "
                                         r"far outside the column's other values \(0 to 6.33333\) and are not declared "
                                         r"missing; they are analysed as numbers. If they are missing-value codes, "
                                         r"pass --na -99"):
        read_data(p)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        got = read_data(p, na_values=[-99, -999])
    assert got["x4"].isna().sum() == 3
    (tmp_path / "hs.lav").write_text(HS)
    out = tmp_path / "o.json"
    assert main(["fit", str(tmp_path / "hs.lav"), str(p), "--na", "-99", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["nobs"] == 298
    assert "far outside" not in capsys.readouterr().err


def test_undeclared_code_in_a_sav_file(tmp_path, hs):
    import pyreadstat

    df = hs[ITEMS].copy()
    df.loc[[0, 1], "x7"] = -999
    df.loc[[2], "x8"] = -99
    p = tmp_path / "s.sav"
    pyreadstat.write_sav(df, str(p), missing_ranges={"x8": [-99]})  # x8's code is declared, x7's is not
    with pytest.warns(DataWarning) as rec:
        got = read_data(p)
    msgs = [str(w.message) for w in rec if issubclass(w.category, DataWarning)]
    assert len(msgs) == 1 and "column 'x7': the value(s) -999 (2 rows)" in msgs[0]
    assert got["x8"].isna().sum() == 1


def test_suspect_codes_closed_form():
    assert suspect_codes(pd.Series([1, 2, 3, 4, 5, 9, 9])) == [(9.0, 2)]   # 9 >= 5 + (5 - 1)
    assert suspect_codes(pd.Series([1, 2, 3, 4, 5, 6, 7, 9])) == []       # 9 < 7 + 6
    assert suspect_codes(pd.Series([0.0, 1.0, np.nan, -9.0])) == [(-9.0, 1)]
    assert suspect_codes(pd.Series(["a", "b"])) == []



def test_a_two_valued_column_is_not_a_missing_code():
    # HolzingerSwineford1939's grade is 7 or 8 (158 and 143 rows): the 8s are a category, not a code
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    assert suspect_codes(hs["grade"]) == []
    assert suspect_codes(pd.Series([7, 7, 7, 8])) == []                # no other value spread: a category
    assert suspect_codes(pd.Series([1, 2, 1, 2, 9, 9, 9, 9, 9])) == []   # the code is as common as the rest
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        read_data(DATA / "HolzingerSwineford1939.csv")

def test_bootstrap_without_se_bootstrap(files, capsys):
    assert main(["fit", str(files / "hs.lav"), str(files / "hs.csv"), "--bootstrap", "500"]) == 2
    assert ("egovsem fit: error: --bootstrap 500 is given but --se is \"the estimator's own\": the resamples are only drawn with "
            "--se bootstrap. Add --se bootstrap, or leave out --bootstrap.") in capsys.readouterr().err


def test_tables_bootstrap_without_defined_effects_warns(files, capsys):
    assert main(["tables", str(files / "hs.csv"), "--model", str(files / "hs.lav"), "--out", str(files / "t"),
                 "--format", "md", "--bootstrap", "100"]) == 0
    assert "--bootstrap 100 is given but the model" in capsys.readouterr().err


def test_power_reps(tmp_path):
    from egovsem.sem.power import mc_se, power_analysis

    pop = "f =~ 0.7*y1 + 0.7*y2 + 0.7*y3\ny4 ~ 0.3*f"
    mod = "f =~ y1 + y2 + y3\ny4 ~ f"
    with pytest.raises(EgovsemError, match=r"The 'reps' parameter must be at least 2: with 1 replication\(s\) every "
                                           r"power is 0 or 1"):
        power_analysis(pop, mod, [100], reps=1, n_jobs=1)
    # Monte Carlo SE of a proportion: sqrt(p (1 - p) / R)
    assert mc_se(0.8, 20) == pytest.approx(np.sqrt(0.16 / 20)) and round(mc_se(0.5, 20), 3) == 0.112
    with pytest.warns(egovsem._errors.EgovsemWarning,
                      match=r"reps=20: the Monte Carlo standard error of a power near .80 is 0.089 \(up to 0.112 near "
                            r".50\); use 100 or more"):
        power_analysis(pop, mod, [100], reps=20, seed=1, n_jobs=1)


def test_power_json_alone_reproduces_the_run(tmp_path):
    from egovsem.sem.power import power_analysis

    pop = "f =~ 0.7*y1 + 0.7*y2 + 0.7*y3\ny4 ~ 0.3*f"
    res = power_analysis(pop, "f =~ y1 + y2 + y3\ny4 ~ f", [60, 90], reps=100, n_jobs=1)  # fresh seed, recorded
    st = json.loads(res.to_json())["settings"]
    again = power_analysis(st["population"], st["model"], st["n"], reps=st["reps"], seed=st["seed"],
                           alpha=st["alpha"], target=st["target"], std_lv=st["std_lv"], n_jobs=1)
    pd.testing.assert_frame_equal(again.table, res.table)


def test_defined_label_clash_and_latent_named_like_a_column(hs):
    with pytest.raises(ModelSyntaxError, match=r"model syntax, line 5: the defined parameter 'a' has the name of the "
                                               r"parameter label 'a' of line 4"):
        egovsem.sem(HS + "textual ~ a*visual\na := 2*a\n", hs)
    with pytest.raises(ModelSyntaxError, match=r"model syntax, line 6: the defined parameter 'ab' is already defined "
                                               r"on line 5"):
        egovsem.sem(HS + "textual ~ a*visual\nab := a\nab := 2*a\n", hs)
    with pytest.raises(ModelSyntaxError, match=r"model syntax, line 2: the latent variable 'textual' has the name of a "
                                               r"column of the data"):
        egovsem.sem(HS, hs.assign(textual=1.0))


def test_big_and_negative_powers_in_defined_parameters(hs):
    """lavaan 0.6-14 (cfa("f =~ x1 + a*x2 + x3; d := a*2^64; e := a^-1", HS)): d = 1.434845745e19 (SE 2.593887869e18),
    e = 1.286 (.232); the closed forms d = a 2^64 and e = 1/a with delta-method SEs 2^64 SE(a) and SE(a)/a^2."""
    fit = egovsem.cfa("f =~ x1 + a*x2 + x3\nd := a*2^64\ne := a^-1", hs)
    pe = fit.params.set_index("lhs")
    a = fit.params[fit.params["label"] == "a"].iloc[0]
    assert pe.loc["d", "est"] == pytest.approx(a["est"] * 2.0 ** 64, rel=1e-12)
    assert pe.loc["d", "est"] == pytest.approx(1.434845745e19, rel=1e-3)
    assert pe.loc["d", "se"] == pytest.approx(2.0 ** 64 * a["se"], rel=1e-6)
    assert pe.loc["d", "se"] == pytest.approx(2.593887869e18, rel=1e-2)
    assert pe.loc["e", "est"] == pytest.approx(1 / a["est"], rel=1e-12) and pe.loc["e", "est"] == pytest.approx(1.286,
                                                                                                                abs=1e-3)
    assert pe.loc["e", "se"] == pytest.approx(a["se"] / a["est"] ** 2, rel=1e-6)


def test_single_indicator_construct_is_named(files, hs, capsys):
    from egovsem.measure import measure_report

    fit = egovsem.cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7", hs)
    with pytest.warns(egovsem._errors.EgovsemWarning,
                      match=r"The construct 'speed' has a single indicator \('x7'\); it is left out of reliability "
                            r"\(alpha, omega, AVE\), HTMT and Fornell-Larcker"):
        rep = measure_report(fit, hs)
    assert [r["construct"] for r in rep["reliability"]] == ["visual", "textual"]


# -- item 13: help texts -------------------------------------------------------------------------------------

def test_help_texts_match_the_tool(capsys):
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "later release" not in text and "MLR (robust Huber-White SEs" in text
    # se='robust' with ML is lavaan's robust.sem since issue 11 (it was refused before); the help says so
    assert "robust (with ML: robust.sem, or robust.huber.white with --missing fiml, as lavaan)" in text
    with pytest.raises(SystemExit):
        main(["power", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "95% CI coverage" in text and "%%" not in text
