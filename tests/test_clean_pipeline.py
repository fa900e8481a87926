"""clean(): validation, audit, exclusion rules, flow, identifiers, outputs, CLI, and property tests."""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from _instrument_fixture import N_QUESTIONS, SCALE_ITEMS, raw_frame, small_instrument
from egovsem import DataError, EgovsemError
from egovsem.clean import DEFAULT_RULES, InvalidDataError, Rule, clean, parse_rules, write_outputs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CONTENT = [i for i in SCALE_ITEMS if i != "ATT1"]


@pytest.fixture
def inst():
    return small_instrument()


def planted() -> pd.DataFrame:
    """raw_frame(30) with one respondent of each kind the default rules exclude."""
    raw = raw_frame(30)
    raw.loc[1, "ATT1"] = "2"                           # failed attention check
    raw.loc[2, "dur"] = str(2 * N_QUESTIONS - 1)       # 1.94 s per question: speeder
    raw.loc[3, "dur"] = str(2 * N_QUESTIONS)           # exactly 2 s: kept
    raw.loc[4, CONTENT] = "3"                          # straight-liner (ATT1 answered 4)
    raw.loc[5, "id"] = "r0"                            # same id as row 1
    raw.loc[6] = raw.loc[7]                            # identical answers and duration, another id
    raw.loc[6, "id"] = "r6"
    return raw


def test_default_rules_flow_and_audit(inst):
    res = clean(planted(), inst, id="id", duration="dur")
    f = res.flags
    # row 8 (index 7) is the copy of row 7 (index 6): the first occurrence is kept
    assert f.loc[f["excluded"], "row"].tolist() == [2, 3, 5, 6, 8]
    assert f.loc[f["excluded"], "reason"].tolist() == ["attention", "speeder", "straightline", "duplicate",
                                                       "duplicate"]
    assert f.loc[2, "seconds_per_item"] == pytest.approx((2 * N_QUESTIONS - 1) / N_QUESTIONS)
    assert bool(f.loc[5, "duplicate_id"]) and not bool(f.loc[5, "duplicate_answers"])
    assert bool(f.loc[7, "duplicate_answers"]) and not bool(f.loc[6, "duplicate_answers"])
    assert f.loc[4, "longstring"] == 6  # A1..B2: six 3s; ATT1 = 4 breaks the run; B3..C3: five 3s
    flow = res.flow.set_index("reason")["n"]
    assert res.flow["n"].iloc[0] == 30 and res.flow["n"].iloc[-1] == 25
    assert res.flow["n"].iloc[0] == res.flow["n"].iloc[1:-1].sum() + res.flow["n"].iloc[-1]
    assert flow["duplicate: duplicate == 1"] == 2
    excl = res.audit[res.audit["new"] == "excluded"]
    assert excl[["id", "old", "reason"]].values.tolist() == [
        ["r1", "row 2", "attention"], ["r2", "row 3", "speeder"], ["r4", "row 5", "straightline"],
        ["r0", "row 6", "duplicate"], ["r7", "row 8", "duplicate"]]
    assert len(res.data) == 25 and "r1" not in res.data["id"].tolist()


def test_rules_are_configurable(inst):
    raw = planted()
    none = clean(raw, inst, id="id", duration="dur", exclude=None)
    assert len(none.data) == 30 and none.flow["step"].tolist() == ["received", "analysed"]
    strict = clean(raw, inst, id="id", duration="dur", exclude="default,speeder<2.5")
    assert strict.flags.loc[3, "reason"] == "speeder"  # 2 s per question is now too fast
    loose = clean(raw, inst, id="id", duration="dur", exclude="default,-attention")
    assert not loose.flags.loc[1, "excluded"]
    custom = clean(raw, inst, id="id", duration="dur", exclude=[Rule("long", "longstring", ">=", 6)])
    assert custom.flags["excluded"].tolist() == (custom.flags["longstring"] >= 6).tolist()


def test_parse_rules():
    assert parse_rules("default") == DEFAULT_RULES
    assert parse_rules("none") == ()
    assert [str(r) for r in parse_rules("attention,mahad_p<0.001")] == [
        "attention: attention_failed >= 1", "mahad_p<0.001: mahad_p < 0.001"]
    with pytest.raises(EgovsemError, match=r"The exclusion rule 'fast' in 'default,fast' is not understood"):
        parse_rules("default,fast")
    with pytest.raises(EgovsemError, match=r"'speeder' in 'none,-speeder' cannot be removed"):
        parse_rules("none,-speeder")


def test_rule_on_unknown_index(inst):
    with pytest.raises(EgovsemError, match=r"uses column 'nonsense', which is not an index"):
        clean(raw_frame(5), inst, id="id", exclude="nonsense>1")


def test_missing_codes_blank_and_labels_are_audited(inst):
    raw = raw_frame(5)
    raw.loc[0, "A1"] = "-99"
    raw.loc[1, "B1"] = "-98 "
    raw.loc[2, "C1"] = "  "
    raw.loc[3, "C2"] = "同意"            # the scale label of 4
    raw.loc[4, "age"] = "４５"           # full-width digits are digits, not a change of value
    res = clean(raw, inst, id="id")
    cells = res.audit[res.audit["column"] != ""][["id", "column", "old", "new", "reason"]]
    assert cells.values.tolist() == [
        ["r0", "A1", "-99", "", "missing-value code"],
        ["r1", "B1", "-98 ", "", "missing-value code"],
        ["r2", "C1", "  ", "", "blank"],
        ["r3", "C2", "同意", "4", "label to code"],
    ]
    assert res.data.loc[3, "C2"] == 4 and res.data.loc[4, "age"] == 45
    assert res.data[["A1", "B1", "C1"]].isna().sum().sum() == 3


def test_invalid_error_lists_every_cell(inst):
    raw = raw_frame(5)
    raw.loc[1, "A2"] = "6"
    raw.loc[3, "resp_type"] = "9"
    raw.loc[4, "B4"] = "很同意"
    raw.loc[4, "age"] = "45.5"
    with pytest.raises(InvalidDataError) as err:
        clean(raw, inst, id="id")
    msg = str(err.value)
    assert msg.startswith("4 cell(s) of the data are not allowed by the instrument (invalid='error')")
    assert "row 2, id 'r1', column 'A2': value '6'; allowed: one of 1..5 (scale agree5)" in msg
    assert "row 4, id 'r3', column 'resp_type': value '9'; allowed: one of 1, 2, 3" in msg
    # free text is described, never shown (a phone number or e-mail typed into a cell must not be printed)
    assert "row 5, id 'r4', column 'B4': value non-numeric text (3 chars); allowed: one of 1..5 (scale agree5)" in msg
    assert "很同意" not in msg
    assert "row 5, id 'r4', column 'age': value '45.5'; allowed: a whole number" in msg
    assert err.value.cells[["id", "column"]].values.tolist() == [
        ["r1", "A2"], ["r4", "B4"], ["r3", "resp_type"], ["r4", "age"]]


def test_invalid_missing_sets_missing_and_audits(inst):
    raw = raw_frame(5)
    raw.loc[1, "A2"] = "6"
    raw.loc[4, "B4"] = "abc"
    res = clean(raw, inst, id="id", invalid="missing")
    assert pd.isna(res.data.loc[1, "A2"]) and pd.isna(res.data.loc[4, "B4"])
    rows = res.audit[res.audit["column"] != ""].values.tolist()
    assert rows == [["r1", "A2", "6", "", "invalid: not one of 1..5 (scale agree5)"],
                    ["r4", "B4", "non-numeric text (3 chars)", "", "invalid: not one of 1..5 (scale agree5)"]]
    with pytest.raises(EgovsemError, match=r"The 'invalid' parameter must be one of 'error', 'missing'. Got 'drop'"):
        clean(raw, inst, id="id", invalid="drop")


def test_reverse_coding_and_scale_scores(inst):
    raw = raw_frame(3)
    raw.loc[0, ["A1", "A2", "A3", "A4"]] = ["5", "4", "-99", "1"]
    raw.loc[1, ["A1", "A2", "A3", "A4"]] = ["2", "-99", "-99", "-99"]
    res = clean(raw, inst, id="id")
    assert res.data.loc[0, "A4"] == 5                       # 1 + 5 - 1
    assert res.data.loc[0, "A_mean"] == pytest.approx((5 + 4 + 5) / 3)
    assert pd.isna(res.data.loc[1, "A_mean"])               # 1 of 4 answered < 2 needed
    assert clean(raw, inst, id="id", min_answered=1).data.loc[1, "A_mean"] == 2
    # longstring is on the raw answers (A4 = 1 as answered), not the recoded 5
    assert res.flags.loc[0, "longstring"] == clean(raw, inst, id="id").flags.loc[0, "longstring"]


def test_longstring_on_raw_answers_in_questionnaire_order(inst):
    raw = raw_frame(3)
    raw.loc[0, SCALE_ITEMS] = ["2", "2", "2", "2", "2", "2", "4", "2", "2", "1", "5", "1"]
    res = clean(raw, inst, id="id", exclude=None)
    # A1..B2: six 2s (A4 = 2 as answered, recoded 4 would break the run), ATT1 = 4, then B3, B4 = 2
    assert res.flags.loc[0, "longstring"] == 6
    assert res.flags.loc[0, "longstring_avg"] == pytest.approx(12 / 6)


def test_id_may_not_be_an_identifier(inst):
    with pytest.raises(DataError, match=r"The id column 'phone' is an identifier item"):
        clean(raw_frame(3), inst, id="phone")


def test_outputs_raw_unchanged_and_no_personal_data(tmp_path, inst):
    raw = planted()
    path = tmp_path / "raw.csv"
    raw.to_csv(path, index=False)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    res = clean(path, inst, id="id", duration="dur", invalid="missing")
    paths = write_outputs(res, tmp_path / "out")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert f"sha256 `{before}`" in res.report
    names = {p.name for p in paths.values()}
    assert {"clean.csv", "audit.csv", "flags.csv", "flow.csv", "report.md"} <= names
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert ("clean.parquet" in names) or ("`clean.parquet`: not written, because pyarrow is not installed" in report)
    personal = raw["phone"].tolist() + raw["ip"].tolist()
    for p in (tmp_path / "out").iterdir():
        text = p.read_bytes().decode("utf-8", errors="replace") if p.suffix != ".parquet" else p.read_bytes().hex()
        for value in personal:
            assert value not in text, f"{value} in {p.name}"
            assert value.encode().hex() not in text
    back = pd.read_csv(tmp_path / "out" / "clean.csv", dtype={"id": str})
    assert len(back) == len(res.data) and "phone" not in back.columns and "ip" not in back.columns


def test_write_outputs_refuses_to_overwrite_raw(tmp_path, inst):
    path = tmp_path / "clean.csv"
    raw_frame(3).to_csv(path, index=False)
    res = clean(path, inst, id="id")
    with pytest.raises(DataError, match=r"would overwrite the raw input"):
        write_outputs(res, tmp_path)


def test_hashed_identifiers(inst):
    raw = raw_frame(3)
    res = clean(raw, inst, id="id", hash_identifiers=True, salt="s3cret")
    want = hashlib.sha256(("s3cret\x00" + raw.loc[0, "phone"]).encode()).hexdigest()[:16]
    assert res.data.loc[0, "phone"] == want
    assert raw.loc[0, "phone"] not in res.data.to_csv()
    with pytest.raises(EgovsemError, match=r"hash_identifiers=True needs a secret 'salt'.*Got salt=None"):
        clean(raw, inst, id="id", hash_identifiers=True)


def test_cli_clean(tmp_path, inst, capsys):
    from egovsem.cli import main
    from egovsem.instruments import write_yaml

    ipath = write_yaml(inst, tmp_path / "inst.yaml")
    rpath = tmp_path / "raw.csv"
    planted().to_csv(rpath, index=False)
    out = tmp_path / "out"
    code = main(["clean", str(rpath), "--instrument", str(ipath), "--id", "id", "--duration", "dur",
                 "--invalid", "missing", "--exclude", "default,-straightline", "--out", str(out)])
    assert code == 0
    assert "received 30, excluded 4, analysed 26" in capsys.readouterr().out
    assert pd.read_csv(out / "flow.csv")["n"].tolist() == [30, 2, 1, 1, 26]
    assert main(["clean", str(rpath), "--instrument", str(ipath), "--id", "nope", "--out", str(out)]) == 2
    assert "egovsem clean: error: No id column: the argument id='nope'" in capsys.readouterr().err


# ---- property tests ---------------------------------------------------------------------------------

CELL = st.sampled_from(["1", "2", "3", "4", "5", "-99", "-98", "7", "0", "x", " ", None, "同意", "3.0", "２"])


@st.composite
def messy(draw):
    n = draw(st.integers(1, 25))
    raw = raw_frame(n, seed=draw(st.integers(0, 10_000)))
    for item in SCALE_ITEMS + ["resp_type"]:
        for i in range(n):
            if draw(st.booleans()):
                raw.loc[i, item] = draw(CELL)
    ids = draw(st.lists(st.sampled_from([f"r{i}" for i in range(n)]), min_size=n, max_size=n))
    raw["id"] = ids
    raw["dur"] = [draw(st.sampled_from(["200", "10", "34", "", "abc", "1e9"])) for _ in range(n)]
    return raw


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=messy(), invalid=st.sampled_from(["error", "missing"]))
def test_property_every_row_accounted_for(raw, invalid):
    inst = small_instrument()
    try:
        res = clean(raw, inst, id="id", duration="dur", invalid=invalid)
    except InvalidDataError as err:  # the documented exception: invalid cells with invalid='error'
        assert invalid == "error" and len(err.cells) > 0
        return
    n_in = len(raw)
    n_excl = int(res.flags["excluded"].sum())
    assert n_in == len(res.data) + n_excl
    assert (res.flags.loc[res.flags["excluded"], "reason"] != "").all()
    assert (res.flags.loc[~res.flags["excluded"], "reason"] == "").all()
    flow = res.flow["n"].tolist()
    assert flow[0] == n_in and flow[-1] == len(res.data) and flow[0] == sum(flow[1:-1]) + flow[-1]
    assert (res.audit["new"] == "excluded").sum() == n_excl
    # a repeated id is always excluded, the first occurrence is not excluded for being a duplicate
    assert res.flags["duplicate_id"].tolist() == raw["id"].duplicated().tolist()
    assert res.data["id"].is_unique
    for col in SCALE_ITEMS:
        assert set(res.data[col].dropna().tolist()) <= {1, 2, 3, 4, 5}


def test_instrument_without_constructs_or_scales(inst):
    import dataclasses

    raw = raw_frame(10)
    plain = dataclasses.replace(inst, constructs={},
                                items=tuple(dataclasses.replace(i, construct=None) for i in inst.items))
    res = clean(raw, plain, id="id")
    full = clean(raw, inst, id="id")
    # Mahalanobis D2 is invariant to reverse coding, so it is the same on all content items
    assert res.flags["mahad_d2"].tolist() == pytest.approx(full.flags["mahad_d2"].tolist())
    assert res.flags["evenodd"].isna().all() and not any(c.endswith("_mean") for c in res.data.columns)
    choices_only = dataclasses.replace(inst, constructs={}, items=tuple(i for i in inst.items if i.scale is None))
    res = clean(raw, choices_only, id="id")
    assert res.flow["n"].tolist() == [10, 0, 0, 0, 0, 10] and (res.flags["answered"] == 0).all()


def test_select_multiple_codes(inst):
    import dataclasses

    from egovsem.instruments import Item

    multi = Item(name="channels", type="select_multiple", text_zh="渠道", text_en="Channels",
                 choices=((1, "网站", "Portal"), (2, "微信", "WeChat"), (3, "App", "App")))
    with_multi = dataclasses.replace(inst, items=inst.items + (multi,))
    raw = raw_frame(4)
    raw["channels"] = ["1 3", "2,3", "4", None]
    with pytest.raises(InvalidDataError, match=r"row 3, id 'r2', column 'channels': value '4'; allowed: "
                                                r"codes 1, 2, 3 separated by spaces"):
        clean(raw, with_multi, id="id")
    res = clean(raw, with_multi, id="id", invalid="missing")
    assert res.data["channels"].tolist()[:2] == ["1 3", "2 3"] and res.data["channels"].isna().tolist()[2:] == [True, True]
    assert res.audit[res.audit["column"] == "channels"].values.tolist() == [
        ["r1", "channels", "2,3", "2 3", "codes separated by spaces"],
        ["r2", "channels", "4", "", "invalid: not codes 1, 2, 3 separated by spaces"]]
