"""Tests of egovsem.instruments: the study questionnaire, YAML checks, XLSForm, Word/HTML, codebook, CLI."""
from __future__ import annotations

import copy
import dataclasses
import doctest
import html
import re
from importlib import resources
from pathlib import Path

import egovsem.cli as cli
import openpyxl
import pytest
import yaml
from egovsem import instruments as ins
from egovsem._errors import EgovsemError, InstrumentError

STUDY_YAML = Path(__file__).resolve().parents[1] / "instruments" / "egov_study.yaml"
MODELS = Path(__file__).resolve().parents[1] / "analysis" / "models"
CODES = ["SG", "VC", "IF", "TG", "TI", "INC", "SUP", "PUV", "LEG", "OPC", "PV", "PI", "SAT"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def study() -> ins.Instrument:
    return ins.load_instrument()


@pytest.fixture()
def raw() -> dict:
    return yaml.safe_load(STUDY_YAML.read_text(encoding="utf-8"))


def _same(a: ins.Instrument, b: ins.Instrument) -> None:
    """Field by field, so a failure names the field that differs (source_path is not compared)."""
    for f in dataclasses.fields(ins.Instrument):
        if f.name != "source_path":
            assert getattr(a, f.name) == getattr(b, f.name), f.name


# ---------------------------------------------------------------------------------------------------
# the study questionnaire: the contract other modules rely on


def test_bundled_file_is_the_repository_file(study):
    assert resources.files("egovsem.study_instruments").joinpath("egov_study.yaml").is_file()
    _same(study, ins.load_instrument(STUDY_YAML))


def test_constructs_and_items(study):
    assert list(study.constructs) == ["SG", "VC", "IF", "TG", "TI", "INC", "SUP", "PUV", "LEG", "OPC", "PV",
                                      "PI", "SAT", "MK"]
    # the marker scale (marker: true), theoretically unrelated, for the common-method-bias checks
    assert study.marker_constructs() == {"MK": ["MK1", "MK2", "MK3"]}
    assert [c for c, con in study.constructs.items() if con.marker] == ["MK"]
    for code in CODES:
        assert study.construct_items(code) == [f"{code}{k}" for k in range(1, 5)], code
        for name in study.construct_items(code):
            it = study.item(name)
            assert (it.type, it.scale, it.construct) == ("scale", "agree5", code)
    assert {"TG4", "PV4", "PI4"} <= {it.name for it in study.reverse_items()}
    assert {it.name for it in study.reverse_items()} <= {"TG4", "PV4", "PI4", *[f"TI{k}" for k in range(1, 5)],
                                                          *[f"SAT{k}" for k in range(1, 5)]}
    with pytest.raises(InstrumentError, match="no construct 'XX'"):
        study.construct_items("XX")


def test_scale_attention_check_and_missing_codes(study):
    sc = study.scales["agree5"]
    assert sc.values == (1, 2, 3, 4, 5) and (sc.min, sc.max) == (1, 5)
    assert sc.labels_en[3] == "Agree" and sc.labels_zh[3] == "同意"
    att = study.attention_checks()
    assert [a.name for a in att] == ["ATT1"] and att[0].expected == 4 and att[0].construct is None
    names = [it.name for it in study.scale_items()]
    assert 0 < names.index("ATT1") < len(names) - 1  # among the scale items, not first or last
    assert "同意" in att[0].text_zh and "Agree" in att[0].text_en
    assert study.missing_values[0] == -99 and set(study.missing_values) <= {-99, -98}
    assert [m.name for m in study.metadata] == ["id", "duration", "submitted"]


def test_non_scale_questions(study):
    def codes(name):
        return [c[0] for c in study.item(name).choices]

    assert codes("consent") == [1, 0]
    assert codes("resp_type") == [1, 2, 3] and codes("region") == [1, 2, 3]
    for ch in ("ch_portal", "ch_wechat", "ch_app", "ch_hall"):
        assert sorted(codes(ch)) == [0, 1]
    assert codes("age_group") == [1, 2, 3, 4, 5] and codes("education") == [1, 2, 3, 4, 5]
    phone = study.item("phone")
    assert phone.type == "text" and phone.identifier
    assert [it.name for it in study.identifiers()] == ["phone"]
    assert study.items[0].name == "consent"


def test_bilingual_and_cited(study):
    for it in study.items:
        assert CJK.search(it.text_zh) and not CJK.search(it.text_en), it.name
    for it in study.scale_items():
        # "new, after seed 000 §3.x" / "new, reverse-keyed, after <scale>" / "adapted from <scale>"
        assert re.match(r"(new, (reverse-keyed, )?after \w|adapted from \w|instructed-response)", it.source), it.name
        assert re.search(r"seed 00[04] §3|\d{4}|ACSI", it.source), it.name
    for c in study.constructs.values():
        assert c.name_zh and c.name_en and c.definition_zh and c.definition_en
        if c.marker:  # the marker scale comes from no seed: it is unrelated to the study by design
            assert c.seed_section == "", c.code
            continue
        assert re.fullmatch(r"00[04] §3\.\d", c.seed_section), c.code


def test_study_questionnaire_has_no_problems(study):
    # the soft checks: >= 3 items per construct, short items (<= 40 characters in Chinese), no item with
    # two negations, every item cited, an attention check and reverse-keyed items
    assert ins.check_instrument(None) == []


def test_soft_problems_are_reported(tmp_path, raw):
    raw["items"] = [i for i in raw["items"] if i["name"] not in ("SAT3", "SAT4", "ATT1")]
    sg1 = next(i for i in raw["items"] if i["name"] == "SG1")
    sg1["text"]["zh"] = "我不认为政府没有宣传网上办事渠道。"
    path = tmp_path / "soft.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    problems = ins.check_instrument(path)
    assert any("'SAT'" in p and "only 2 item(s)" in p for p in problems)
    assert any("no attention check" in p for p in problems)
    assert any("'SG1'" in p and "double negative" in p for p in problems)
    assert all(p.startswith(str(path)) for p in problems)


# ---------------------------------------------------------------------------------------------------
# bad input: each an error naming the file, the item and the problem


def _bad(raw: dict, name: str, change) -> dict:
    raw = copy.deepcopy(raw)
    item = next(i for i in raw["items"] if i["name"] == name)
    change(raw, item)
    return raw


BAD = {
    "duplicate": ("VC2", lambda r, i: i.update(name="VC1"), "'VC1'", "duplicate item name"),
    "construct": ("TG2", lambda r, i: i.update(construct="TRUST"), "'TG2'", "construct 'TRUST' is not defined"),
    "scale": ("PV1", lambda r, i: i.update(scale="agree7"), "'PV1'", "scale 'agree7' is not defined"),
    "translation": ("PI3", lambda r, i: i["text"].pop("en"), "'PI3'", "missing translation (en)"),
    "empty zh": ("SG2", lambda r, i: i["text"].update(zh="  "), "'SG2'", "missing translation (zh)"),
    "reverse": ("region", lambda r, i: i.update(reverse=True), "'region'", "reverse flag on a non-scale item"),
    "expected": ("ATT1", lambda r, i: i.update(expected=7), "'ATT1'", "expected answer 7 is not one of"),
    "schema": ("SG3", lambda r, i: i.update(revers=True), "'SG3'", "'revers' was unexpected"),
    "bad name": ("SG4", lambda r, i: i.update(name="SG 4"), "'SG 4'", "does not match"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_file_item_problem(tmp_path, raw, case):
    name, change, item, problem = BAD[case]
    path = tmp_path / f"{case.replace(' ', '_')}.yaml"
    path.write_text(yaml.safe_dump(_bad(raw, name, change), allow_unicode=True), encoding="utf-8")
    with pytest.raises(InstrumentError) as exc:
        ins.load_instrument(path)
    msg = str(exc.value)
    assert str(path) in msg and f"item {item}" in msg and problem in msg, msg
    assert isinstance(exc.value, EgovsemError)


def test_all_problems_reported_at_once(tmp_path, raw):
    bad = _bad(_bad(raw, "VC2", BAD["duplicate"][1]), "TG2", BAD["construct"][1])
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"2 problems:\n.*duplicate item name.*\n.*'TRUST'"):
        ins.load_instrument(path)


def test_duplicate_yaml_key_and_missing_file(tmp_path):
    text = STUDY_YAML.read_text(encoding="utf-8").replace("  VC:\n", "  SG:\n", 1)
    path = tmp_path / "dupkey.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"dupkey.yaml: line \d+: the key 'SG' appears twice"):
        ins.load_instrument(path)
    with pytest.raises(InstrumentError, match="nothere.yaml: the instrument file does not exist"):
        ins.load_instrument(tmp_path / "nothere.yaml")


def test_write_yaml_round_trip(tmp_path, study):
    out = ins.write_yaml(study, tmp_path / "copy.yaml")
    assert "网上政务服务" in out.read_text(encoding="utf-8")  # Chinese kept readable, not escaped
    _same(ins.load_instrument(out), study)


# ---------------------------------------------------------------------------------------------------
# XLSForm


def _sheet_rows(path: Path, sheet: str) -> list[list]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]


def test_xlsform_converts_with_pyxform(tmp_path, study):
    from pyxform.xls2xform import xls2xform_convert

    form = ins.to_xlsform(study, tmp_path / "study.xlsx")
    header = _sheet_rows(form, "survey")[0]
    assert header == ["type", "name", "label::Chinese (zh)", "label::English (en)", "construct", "reverse",
                      "expected", "source", "identifier"]
    settings = dict(zip(*_sheet_rows(form, "settings")[:2]))
    assert settings["missing_values"] == "-99 -98" and settings["default_language"] == "Chinese (zh)"
    warnings = xls2xform_convert(str(form), str(tmp_path / "study.xml"), validate=False)
    assert warnings == []
    xml = (tmp_path / "study.xml").read_text(encoding="utf-8")
    assert 'lang="Chinese (zh)"' in xml and 'lang="English (en)"' in xml
    for it in study.data_items():
        assert f"<{it.name}/>" in xml, it.name
    assert study.item("TG4").text_zh in xml and study.item("TG4").text_en in xml


def test_xlsform_round_trip(tmp_path, study):
    first = ins.to_xlsform(study, tmp_path / "a.xlsx")
    back = ins.read_xlsform(first)
    _same(back, study)  # every item, label, scale, flag, construct, missing code
    second = ins.to_xlsform(back, tmp_path / "b.xlsx")
    for sheet in ("survey", "choices", "settings", "constructs", "missing_values", "metadata"):
        assert _sheet_rows(first, sheet) == _sheet_rows(second, sheet), sheet
    assert ins.read_xlsform(second).item("ATT1").expected == 4


def _handmade(path: Path, rows: list[list], choices: list[list], header=("type", "name", "label")) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(list(header))
    for r in rows:
        ws.append(r)
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label"])
    for r in choices:
        ch.append(r)
    wb.save(path)
    return path


def test_handmade_xlsform_with_only_required_columns(tmp_path):
    path = _handmade(
        tmp_path / "hand.xlsx",
        [["begin group", "g1", "About you"], ["select_one yn", "used", "Have you used the portal?"],
         ["integer", "age", "Your age"], ["end group", "", ""], ["text", "comment", "Any comments?"],
         ["select_multiple ch", "channels", "Channels used"], ["note", "bye", "Thank you"]],
        [["yn", 1, "Yes"], ["yn", 0, "No"], ["ch", "1", "Web"], ["ch", "2", "App"]],
    )
    inst = ins.read_xlsform(path)
    assert inst.languages == ("en",)
    assert [(it.name, it.type) for it in inst.items] == [
        ("used", "select_one"), ("age", "integer"), ("comment", "text"), ("channels", "select_multiple"),
        ("bye", "note")]
    assert inst.item("used").choices == ((1, "", "Yes"), (0, "", "No"))
    assert inst.scales == {} and inst.constructs == {} and inst.missing_values == ()
    out = ins.write_yaml(inst, tmp_path / "hand.yaml")
    _same(ins.load_instrument(out), inst)
    assert ins.check_instrument(out) == []  # no constructs: nothing to advise
    # and back out: a one-language form exports with only its label column and still converts
    from pyxform.xls2xform import xls2xform_convert

    again = ins.to_xlsform(inst, tmp_path / "again.xlsx")
    assert _sheet_rows(again, "survey")[0][:3] == ["type", "name", "label::English (en)"]
    assert xls2xform_convert(str(again), str(tmp_path / "again.xml"), validate=False) == []


@pytest.mark.parametrize("zh_col,en_col", [("label::中文", "label::English"),
                                           ("label::Chinese (zh-CN)", "label::English (en-GB)")])
def test_label_column_spellings(tmp_path, zh_col, en_col):
    path = _handmade(tmp_path / "spell.xlsx", [["text", "q1", "您的意见", "Your view", "Votre avis"]], [],
                     header=("type", "name", zh_col, en_col, "label::French (fr)"))
    inst = ins.read_xlsform(path)
    assert inst.languages == ("zh", "en") and (inst.item("q1").text_zh, inst.item("q1").text_en) == (
        "您的意见", "Your view")


def test_handmade_chinese_form_with_constructs(tmp_path):
    rows = [["select_one a5", f"T{k}", f"我信任政府{k}", "TR", "yes" if k == 3 else ""] for k in (1, 2, 3)]
    path = _handmade(tmp_path / "zh.xlsx", rows, [["a5", v, f"标签{v}"] for v in range(1, 6)],
                     header=("type", "name", "label", "construct", "reverse"))
    inst = ins.read_xlsform(path)
    assert inst.languages == ("zh",)
    assert inst.construct_items("TR") == ["T1", "T2", "T3"]
    assert inst.scales["a5"].labels_zh[0] == "标签1" and inst.item("T3").reverse
    assert inst.constructs["TR"].name_zh == "TR"


@pytest.mark.parametrize("case,rows,choices,header,problem", [
    ("no name", [["text", "x", "X"]], [], ("type", "nom", "label"), "sheet 'survey' has no 'name' column"),
    ("no label", [["text", "x", "X"]], [], ("type", "name", "label::French (fr)"), "has no label column"),
    ("no list", [["select_one zz", "q1", "Q"]], [], ("type", "name", "label"),
     "row 2: item 'q1': choice list 'zz' is not on the choices sheet"),
    ("text code", [["select_one yn", "q1", "Q"]], [["yn", "yes", "Yes"], ["yn", "no", "No"]],
     ("type", "name", "label"), "sheet 'choices' row 2: list 'yn': 'yes' is not an integer code"),
    ("flag", [["select_one yn", "q1", "Q", "maybe"]], [["yn", 1, "Yes"], ["yn", 0, "No"]],
     ("type", "name", "label", "reverse"), "item 'q1': column 'reverse' must be yes/no"),
    ("reverse", [["text", "q1", "Q", "yes"]], [], ("type", "name", "label", "reverse"),
     "item 'q1': reverse flag on a non-scale item"),
    ("duplicate", [["text", "q1", "Q"], ["integer", "q1", "Q again"]], [], ("type", "name", "label"),
     "item 'q1': duplicate item name"),
    ("type", [["geopoint", "where", "Where?"]], [], ("type", "name", "label"),
     "item 'where': question type 'geopoint' is not supported"),
])
def test_bad_xlsform(tmp_path, case, rows, choices, header, problem):
    path = _handmade(tmp_path / f"{case.replace(' ', '_')}.xlsx", rows, choices, header)
    with pytest.raises(InstrumentError) as exc:
        ins.read_xlsform(path)
    assert str(path) in str(exc.value) and problem in str(exc.value), str(exc.value)


def test_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(InstrumentError, match="fake.xlsx: not a readable .xlsx workbook"):
        ins.read_xlsform(path)


# ---------------------------------------------------------------------------------------------------
# printable questionnaires and codebook


def _docx_text(path: Path) -> str:
    import docx

    doc = docx.Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_docx_both_languages(tmp_path, study):
    text = _docx_text(ins.to_docx(study, tmp_path / "q.docx"))
    assert study.title_zh in text and study.title_en in text
    for it in study.items:
        assert it.text_zh in text and it.text_en in text, it.name
    for label in study.scales["agree5"].labels_zh + study.scales["agree5"].labels_en:
        assert label in text
    assert text.count("\u25a1") >= 5 * len(study.scale_items())
    import docx

    tables = docx.Document(str(tmp_path / "q.docx")).tables
    # grids: the four yes/no channel questions, the part 2 scale items, the part 3 scale items
    assert [len(t.rows) - 1 for t in tables] == [4, 33, 23]
    assert tables[1].rows[1].cells[1].text.startswith(study.item("SG1").text_zh)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_language_questionnaires(tmp_path, study, lang):
    other = "en" if lang == "zh" else "zh"
    docx_text = _docx_text(ins.to_docx(study, tmp_path / "q.docx", lang=lang))
    html_text = ins.to_html(study, tmp_path / "q.html", lang=lang).read_text(encoding="utf-8")
    pi4 = study.item("PI4")
    assert pi4.text(lang) in docx_text and pi4.text(other) not in docx_text
    assert html.escape(pi4.text(lang)) in html_text and html.escape(pi4.text(other)) not in html_text
    assert bool(CJK.search(docx_text)) is (lang == "zh")


def test_html_questionnaire(tmp_path, study):
    page = ins.to_html(study, tmp_path / "q.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for it in study.items:
        assert f'id="{it.name}"' in page, it.name
    assert "&quot;Agree&quot;" in page  # text is escaped
    with pytest.raises(EgovsemError, match="The 'lang' parameter must be one of 'zh', 'en', 'both'. Got 'fr'"):
        ins.to_html(study, tmp_path / "x.html", lang="fr")


def test_codebook(tmp_path, study):
    cb = ins.codebook(study)
    assert list(cb.columns[:5]) == ["variable", "label", "values", "reverse", "construct"]
    assert cb.variable.tolist() == [it.name for it in study.data_items()] + ["id", "duration", "submitted"]
    assert set(cb.loc[cb.reverse, "variable"]) == {it.name for it in study.reverse_items()}
    row = cb.set_index("variable").loc["SG1"]
    assert row["values"].startswith("1 = Strongly disagree; 2 = Disagree") and row["construct"] == "SG"
    assert ins.codebook(study, lang="zh").set_index("variable").loc["SG1", "label"] == study.item("SG1").text_zh
    csv = ins.write_codebook(study, tmp_path / "cb.csv")
    import pandas as pd

    back = pd.read_csv(csv, encoding="utf-8-sig")
    assert back.variable.tolist() == cb.variable.tolist()
    md = ins.write_codebook(study, tmp_path / "cb.md", lang="both").read_text(encoding="utf-8")
    assert "-99 = 未作答 / No answer" in md and "| TG4 |" in md and "TG4, PV4, PI4" in md
    with pytest.raises(InstrumentError, match=r"cb.txt: a codebook is written as .csv or .md"):
        ins.write_codebook(study, tmp_path / "cb.txt")


# ---------------------------------------------------------------------------------------------------
# command line


@pytest.fixture()
def run(monkeypatch, capsys):
    # only this verb's parser is built: the other verbs (fit, run, clean) are tested in their own files
    assert "instrument" in cli.VERBS
    monkeypatch.setattr(cli, "VERBS", ["instrument"])

    def go(*argv):
        code = cli.main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    return go


def test_cli_export_import_check(tmp_path, run, study):
    code, out, _ = run("instrument", "export", "--xlsform", tmp_path / "f.xlsx")
    assert code == 0 and "f.xlsx" in out
    code, out, _ = run("instrument", "import", tmp_path / "f.xlsx", "--out", tmp_path / "f.yaml")
    assert code == 0 and "71 items" in out
    _same(ins.load_instrument(tmp_path / "f.yaml"), study)
    code, out, _ = run("instrument", "check", tmp_path / "f.yaml")
    assert code == 0 and "OK" in out
    code, _, _ = run("instrument", "export", STUDY_YAML, "--docx", tmp_path / "q.docx", "--lang", "en")
    assert code == 0 and study.item("SG1").text_en in _docx_text(tmp_path / "q.docx")
    code, _, _ = run("instrument", "export", "--html", tmp_path / "q.html", "--lang", "zh")
    assert code == 0 and study.item("SG1").text_zh in (tmp_path / "q.html").read_text(encoding="utf-8")
    code, _, _ = run("instrument", "export", "--codebook", tmp_path / "cb.md", "--lang", "zh")
    assert code == 0 and study.item("SG1").text_zh in (tmp_path / "cb.md").read_text(encoding="utf-8")
    code, _, _ = run("instrument", "export", "--codebook", tmp_path / "cb.csv")
    assert code == 0 and (tmp_path / "cb.csv").stat().st_size > 0


def test_cli_errors_and_problems(tmp_path, run, raw):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_bad(raw, "TG2", BAD["construct"][1]), allow_unicode=True), encoding="utf-8")
    code, _, err = run("instrument", "check", path)
    assert code == 2 and "egovsem instrument: error:" in err and "'TG2'" in err and "'TRUST'" in err
    raw["items"] = [i for i in raw["items"] if i["name"] != "SAT4" and i["name"] != "SAT3"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    code, out, _ = run("instrument", "check", path)
    assert code == 1 and "'SAT': only 2 item(s)" in out
    with pytest.raises(SystemExit):  # argparse: an output option is required
        run("instrument", "export")


# ---------------------------------------------------------------------------------------------------
# hypothesis models


def _model(name: str) -> str:
    return (MODELS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["value_net.lav", "strategic_triangle.lav", "integrated.lav"])
def test_model_variables_are_scale_items(study, name):
    text = _model(name)
    scale_items = {it.name for it in study.scale_items()} - {it.name for it in study.attention_checks()}
    lines = [ln.split("#")[0] for ln in text.splitlines()]
    measured = {}
    for ln in lines:
        m = re.match(r"^\s*(\w+)\s*=~\s*(.+)$", ln)
        if m:
            measured[m.group(1)] = re.findall(r"(?:[\w.]+\*)?(\w+)", m.group(2))
    assert measured, name
    for factor, observed in measured.items():
        assert set(observed) <= scale_items, (factor, set(observed) - scale_items)
        assert observed == study.construct_items(factor), factor  # all 4 items, in order
    regressed = set()
    for ln in lines:
        m = re.match(r"^\s*(\w+)\s*~(?![~=])\s*(.+)$", ln)
        if m:
            regressed |= {m.group(1), *re.findall(r"\*(\w+)", m.group(2))}
    assert regressed and regressed <= set(measured), regressed - set(measured)


def test_models_label_the_hypotheses():
    hyp = {
        "value_net.lav": {"h1": "PV~SG", "h2": "PV~VC", "h3": "TG~IF", "h4": "TG~SUP", "h5": "PI~TI",
                          "h6": "PI~TG", "h7": "PI~PV", "h8": "PI~INC"},
        "strategic_triangle.lav": {"h10": "PUV~OPC", "h11": "PUV~LEG", "h12": "LEG~OPC", "h13": "TG~PUV",
                                   "h14": "TG~LEG", "h15": "PV~PUV"},
    }
    hyp["integrated.lav"] = {**hyp["value_net.lav"], **hyp["strategic_triangle.lav"]}
    for name, paths in hyp.items():
        found = {}
        for ln in _model(name).splitlines():
            m = re.match(r"^\s*(\w+)\s*~(?![~=])\s*(.+)$", ln.split("#")[0])
            if m:
                for label, rhs in re.findall(r"(\w+)\*(\w+)", m.group(2)):
                    found[label] = f"{m.group(1)}~{rhs}"
        assert found == paths, name
    for name in ("value_net.lav", "integrated.lav"):
        text = _model(name)
        for d in ("h9a := h1*h7", "h9b := h3*h6", "h9c := h4*h6"):
            assert d in text, (name, d)


# ---------------------------------------------------------------------------------------------------
# docstring examples


@pytest.mark.parametrize("module", ["egovsem.instruments", "egovsem.instruments.model"])
def test_doctests(module):
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 5 and result.failed == 0
