"""Readers: encodings, spreadsheet and statistics formats, Qualtrics, mapping files, and bad input."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from _instrument_fixture import raw_frame, small_instrument
from egovsem import DataError
from egovsem.clean import clean, read_export


@pytest.fixture
def inst():
    return small_instrument()


def test_gbk_csv_round_trip(tmp_path, inst):
    raw = raw_frame(12)
    raw.loc[0, "remark"] = "办事方便，好评"
    raw.loc[1, "resp_type"] = "企业"  # a Wenjuanxing export may carry the label instead of the code
    path = tmp_path / "wjx.csv"
    raw.to_csv(path, index=False, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    res = clean(path, inst, id="id", duration="dur")
    assert res.data.loc[0, "remark"] == "办事方便，好评"
    assert res.data.loc[1, "resp_type"] == 2
    assert res.data["A1"].tolist() == raw["A1"].astype(int).tolist()
    label = res.audit[res.audit["column"] == "resp_type"]
    assert label[["id", "old", "new", "reason"]].values.tolist() == [["r1", "企业", "2", "label to code"]]


def test_utf8_bom_header(tmp_path, inst):
    path = tmp_path / "bom.csv"
    raw_frame(5).to_csv(path, index=False, encoding="utf-8-sig")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    assert read_export(path).frame.columns[0] == "id"
    assert clean(path, inst, id="id").data["id"].tolist() == ["r0", "r1", "r2", "r3", "r4"]


def test_sav_value_labels_and_user_missing(tmp_path, inst):
    pyreadstat = pytest.importorskip("pyreadstat")
    raw = raw_frame(6).drop(columns=["ip"])
    num = raw.copy()
    for c in num.columns:
        if c not in ("id", "remark", "phone"):
            num[c] = num[c].astype(float)
    num.loc[2, "A1"] = -99.0   # instrument missing code, declared user-missing in the .sav
    num.loc[3, "B1"] = -97.0   # declared user-missing in the .sav only
    path = tmp_path / "survey.sav"
    labels = {1.0: "Strongly disagree", 2.0: "Disagree", 3.0: "Neutral", 4.0: "Agree",
              5.0: "Strongly agree", -99.0: "No answer", -97.0: "Refused"}
    pyreadstat.write_sav(num, str(path), variable_value_labels={"A1": labels, "B1": labels},
                         missing_ranges={"A1": [-99.0], "B1": [-97.0]})
    exp = read_export(path)
    assert exp.value_labels["A1"][4.0] == "Agree"
    assert exp.user_missing["B1"] == (-97.0,)
    assert exp.frame.loc[2, "A1"] == -99  # the code is read, not silently turned into NaN
    res = clean(path, inst, id="id")
    assert pd.isna(res.data.loc[2, "A1"]) and pd.isna(res.data.loc[3, "B1"])
    changed = res.audit[res.audit["column"] != ""][["id", "column", "old", "reason"]].values.tolist()
    assert changed == [["r2", "A1", "-99", "missing-value code"], ["r3", "B1", "-97", "user-missing code (SPSS)"]]
    assert res.data.loc[0, "A2"] == int(raw.loc[0, "A2"])


def test_stata_dta(tmp_path, inst):
    raw = raw_frame(5).drop(columns=["ip"])
    num = raw.copy()
    for c in num.columns:
        if c not in ("id", "remark", "phone"):
            num[c] = num[c].astype(int)
    num["remark"] = "ok"
    path = tmp_path / "s.dta"
    num.to_stata(path, write_index=False)
    res = clean(path, inst, id="id")
    assert res.data["B2"].tolist() == num["B2"].tolist()


def test_xlsx_keeps_leading_zeros(tmp_path, inst):
    raw = raw_frame(4)
    raw["id"] = ["001", "002", "010", "011"]
    path = tmp_path / "export.xlsx"
    raw.to_excel(path, index=False)
    res = clean(path, inst, id="id")
    assert res.data["id"].tolist() == ["001", "002", "010", "011"]


def test_qualtrics_three_header_rows(tmp_path, inst):
    raw = raw_frame(3).rename(columns={"id": "ResponseId", "dur": "Duration (in seconds)"})
    texts = ["Response ID"] + [f"Question text {c}" for c in raw.columns[1:]]
    imports = [json.dumps({"ImportId": f"QID{i}"}) for i in range(raw.shape[1])]
    path = tmp_path / "qualtrics.csv"
    pd.DataFrame([texts, imports] + raw.values.tolist(), columns=raw.columns).to_csv(path, index=False)
    exp = read_export(path)
    assert exp.format == "qualtrics" and len(exp.frame) == 3
    res = clean(path, inst, id="ResponseId", duration="Duration (in seconds)")
    assert res.data["ResponseId"].tolist() == ["r0", "r1", "r2"]
    assert res.data["C3"].tolist() == raw["C3"].astype(int).tolist()


def test_mapping_csv_and_yaml(tmp_path, inst):
    raw = raw_frame(5).rename(columns={"A1": "Q1_1", "A2": "Q1_2"})
    path = tmp_path / "raw.csv"
    raw.to_csv(path, index=False)
    csv_map = tmp_path / "map.csv"
    csv_map.write_text("raw,item\nQ1_1,A1\nQ1_2,A2\n", encoding="utf-8")
    yaml_map = tmp_path / "map.yaml"
    yaml_map.write_text("Q1_1: A1\nQ1_2: A2\n", encoding="utf-8")
    a = clean(path, inst, id="id", mapping=csv_map).data
    b = clean(path, inst, id="id", mapping=yaml_map).data
    assert a["A1"].tolist() == raw["Q1_1"].astype(int).tolist()
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(DataError, match=r"mapping names raw columns that are not in the data file: \['Q9'\]"):
        clean(path, inst, id="id", mapping={"Q9": "A1"})


def test_case_insensitive_column_match(inst):
    raw = raw_frame(3).rename(columns={"A1": "a1 "})
    res = clean(raw, inst, id="id")
    assert "A1" in res.data.columns and "`a1 ` -> `A1`" in res.report


# ---- bad input: each a clear message naming the file, argument, column or row ------------------------

def test_missing_file(tmp_path, inst):
    with pytest.raises(DataError, match=r"The data file '.*nothere\.csv' does not exist"):
        clean(tmp_path / "nothere.csv", inst, id="id")


def test_empty_file_and_header_only(tmp_path, inst):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match=r"The data file '.*empty\.csv' is empty"):
        clean(empty, inst, id="id")
    header = tmp_path / "header.csv"
    header.write_text("id,A1\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"'.*header\.csv' has a header but no rows"):
        clean(header, inst, id="id")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_duplicate_column_names(tmp_path, inst, suffix):
    raw = raw_frame(3)
    cols = list(raw.columns)
    cols[cols.index("B2")] = "B1"
    raw.columns = cols
    path = tmp_path / f"dup{suffix}"
    raw.to_csv(path, index=False) if suffix == ".csv" else raw.to_excel(path, index=False)
    with pytest.raises(DataError, match=r"has duplicate column names: \['B1'\]"):
        clean(path, inst, id="id")


def test_no_id_column(tmp_path, inst):
    path = tmp_path / "raw.csv"
    raw_frame(3).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"No id column: the argument id='respondent' names no column"):
        clean(path, inst, id="respondent")


def test_empty_id_cell(inst):
    raw = raw_frame(4)
    raw.loc[2, "id"] = " "
    with pytest.raises(DataError, match=r"The id column 'id' is empty in data row\(s\) \[3\]"):
        clean(raw, inst, id="id")


def test_undecodable_bytes(tmp_path, inst):
    path = tmp_path / "broken.csv"
    path.write_bytes(b"id,A1\nr1,3\nr2,\xff\xfe\n")  # 0xff is byte 6 + 5 + 3 = 14
    with pytest.raises(DataError, match=r"neither UTF-8 nor GBK/GB18030.*byte 0xff at offset 14 \(line 3\)"):
        clean(path, inst, id="id")


def test_unknown_suffix(tmp_path, inst):
    path = tmp_path / "raw.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(DataError, match=r"has suffix '\.json'"):
        clean(path, inst, id="id")


def test_missing_item_column_is_named(inst):
    raw = raw_frame(3).drop(columns=["B3", "resp_type"])
    with pytest.raises(DataError, match=r"no column for item\(s\) \['B3', 'resp_type'\]"):
        clean(raw, inst, id="id")


def test_identifier_column_is_optional(inst):
    res = clean(raw_frame(3).drop(columns=["phone"]), inst, id="id")
    assert len(res.data) == 3 and "phone" not in res.data.columns
    assert np.all(res.flags["excluded"] == False)  # noqa: E712


def test_kobo_style_export_semicolons_and_group_paths(tmp_path, inst):
    raw = raw_frame(4).rename(columns={"A1": "grp_a/A1", "B2": "grp_b/B2"})
    path = tmp_path / "kobo.csv"
    raw.to_csv(path, index=False, sep=";")
    res = clean(path, inst, id="id")
    assert res.data["A1"].tolist() == raw["grp_a/A1"].astype(int).tolist()
    assert "`grp_a/A1` -> `A1`" in res.report


def test_unchecked_item_may_lack_a_column(inst):
    res = clean(raw_frame(3).drop(columns=["remark"]), inst, id="id")
    assert "remark" not in res.data.columns
    assert "Unchecked items without a column (left out): `remark`." in res.report


def test_foreign_xlsform_and_kobo_export(tmp_path):
    """An XLSForm written by hand (type/name/label only) drives the cleaning of a Kobo-style export."""
    from egovsem.instruments import read_xlsform

    survey = pd.DataFrame({
        "type": ["start", "select_one yn", "begin_group", "select_one agree", "select_one agree",
                 "select_one agree", "select_one agree", "end_group", "integer", "text", "note"],
        "name": ["start", "consent", "g1", "Q1", "Q2", "Q3", "Q4", "", "age", "comment", "thanks"],
        "label": ["", "Consent?", "Group", "I like it", "It works", "It is fast", "It is safe", "", "Age",
                  "Comment", "Thanks"]})
    choices = pd.DataFrame({"list_name": ["yn", "yn"] + ["agree"] * 5, "name": [1, 0, 1, 2, 3, 4, 5],
                            "label": ["Yes", "No", "SD", "D", "N", "A", "SA"]})
    form = tmp_path / "form.xlsx"
    with pd.ExcelWriter(form) as w:
        survey.to_excel(w, sheet_name="survey", index=False)
        choices.to_excel(w, sheet_name="choices", index=False)
    inst = read_xlsform(form)
    rows = [["2026-01-01T10:00", "Yes", "4", "5", "4", "2", "33", "", "u1", 300],
            ["2026-01-01T11:00", "Yes", "SA", "5", "5", "5", "41", "ok", "u2", 200],
            ["2026-01-01T12:00", "No", "1", "2", "", "2", "29", "", "u3", 540]]
    cols = ["start", "consent", "g1/Q1", "g1/Q2", "g1/Q3", "g1/Q4", "age", "comment", "_uuid", "secs"]
    path = tmp_path / "kobo.csv"
    pd.DataFrame(rows, columns=cols).to_csv(path, sep=";", index=False)
    res = clean(path, inst, id="_uuid", duration="secs")
    assert res.data["Q1"].tolist() == [4, 1] and res.data["consent"].tolist() == [1, 0]
    assert ["u2", "Q1", "SA", "5", "label to code"] in res.audit.values.tolist()
    # Q1-Q4 share a 5-point list: treated as scale items; u2 answered 5 to all four -> straight-liner
    assert "treated as scale items for the careless indices: `Q1`, `Q2`, `Q3`, `Q4`" in res.report
    assert res.flags["excluded"].tolist() == [False, True, False]
    assert res.flags.loc[1, "reason"] == "straightline"
    assert "`start`" in res.report and "start" not in res.data.columns


def test_wenjuanxing_style_export(tmp_path, inst):
    """GBK, Chinese metadata headers, durations like '125秒', answers as labels, the IP column dropped."""
    raw = raw_frame(3).drop(columns=["ip"]).rename(columns={"id": "序号", "dur": "所用时间"})
    raw["所用时间"] = ["125秒", "2分5秒", "20秒"]          # 20 s / 17 questions < 2 s each
    raw["来自IP"] = ["10.1.2.3", "10.1.2.4", "10.1.2.5"]
    raw.loc[0, "B1"] = "非常同意"
    raw.loc[1, "C1"] = "(跳过)"
    path = tmp_path / "wjx.csv"
    raw.to_csv(path, index=False, encoding="gbk")
    res = clean(path, inst, id="序号", duration="所用时间")
    assert res.flags["seconds_per_item"].tolist() == pytest.approx([125 / 17, 125 / 17, 20 / 17])
    assert res.flags["reason"].tolist() == ["", "", "speeder"]
    assert res.data.loc[0, "B1"] == 5 and "来自IP" not in res.data.columns
    assert "`来自IP`" in res.report
    assert ["r1", "C1", "(跳过)", "", "platform missing marker"] in res.audit.values.tolist()
