"""No identifier reaches an output (issue 16, item 8).

* A phone number or e-mail address typed into a Likert cell (or the duration) is never copied into
  audit.csv, the report or an error message: the audit records the row id, the column, the rule and a
  description ("phone-number-like (11 digits)"), not the value.
* An ``id`` column of e-mail addresses or phone numbers is pseudonymised with HMAC-SHA256 keyed by a key
  file kept outside the output folder (egovsem.clean.pseudonym); the pseudonyms are checked against an
  independent HMAC computation with the key file's bytes.
* Every file written by ``egovsem clean`` and ``egovsem run`` on the example's raw export
  (data/example/raw_export.csv, SIMULATED, with fake phone numbers) is scanned, zip members (docx/xlsx),
  parquet tables and PDF streams included, for every identifier-like value of the raw export.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import stat
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest
from _instrument_fixture import raw_frame, small_instrument
from egovsem import DataError
from egovsem.clean import InvalidDataError, clean, write_outputs
from egovsem.cli import main

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "example" / "raw_export.csv"
INSTRUMENT = ROOT / "instruments" / "egov_study.yaml"
EMAIL = re.compile(r"[^@\s,;\"']+@[^@\s,;\"']+\.[A-Za-z]{2,}")


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    """The default key file goes to a temporary user config folder, never the real one."""
    d = tmp_path / "user-config"
    monkeypatch.setenv("EGOVSEM_CONFIG_DIR", str(d))
    return d


def identifier_like(frame: pd.DataFrame) -> set[str]:
    """Every cell that looks like an e-mail address or a phone number (7+ digits once spaces, dashes,
    dots, brackets and a leading + are removed), and every value of the identifier column 'phone'."""
    out = set()
    for col in frame.columns:
        for v in frame[col].dropna().astype(str):
            t = v.strip()
            digits = re.sub(r"[\s\-().+/]", "", t)
            if EMAIL.search(t) or (digits.isdigit() and len(digits) >= 7) or col == "phone":
                out.add(t)
    return out


def output_texts(folder: Path) -> dict[str, bytes]:
    """The bytes of every file under ``folder``, with the members of zip files (docx, xlsx), parquet tables
    as CSV text and the decompressed streams of PDF files added."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        out[str(p.relative_to(folder))] = data
        if zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                for name in z.namelist():
                    out[f"{p.name}!{name}"] = z.read(name)
        if p.suffix == ".parquet":
            out[f"{p.name}!csv"] = pd.read_parquet(p).to_csv(index=False).encode("utf-8")
        if p.suffix == ".pdf":
            for k, m in enumerate(re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)):
                try:
                    out[f"{p.name}!stream{k}"] = zlib.decompress(m.group(1))
                except zlib.error:
                    pass
    return out


def assert_no_identifier(folder: Path, values: set[str]) -> int:
    files = output_texts(folder)
    assert files, f"nothing was written to {folder}"
    needles = {v: (v.encode("utf-8"), v.encode("utf-16-le")) for v in values}
    for name, data in files.items():
        for v, (u8, u16) in needles.items():
            assert u8 not in data and u16 not in data, f"identifier {v!r} found in {name}"
    return len(files)


# -- values typed into the wrong cells ---------------------------------------------------------------------
PLANTED = {"A1": "13912345678", "B2": "ann.lee@example.org", "A3": "+86 138-0013-8000", "C1": "call me: 021 6543 2100"}


def _raw_with_planted():
    raw = raw_frame(12)
    for r, (col, value) in enumerate(PLANTED.items()):
        raw.loc[r, col] = value
    raw.loc[5, "dur"] = "ann.lee@example.org"
    return raw


def test_identifiers_in_likert_cells_never_reach_the_audit(tmp_path):
    raw = _raw_with_planted()
    res = clean(raw, small_instrument(), id="id", duration="dur", invalid="missing")
    cells = res.audit[res.audit["column"] != ""][["id", "column", "old", "reason"]].values.tolist()
    assert cells == [
        ["r0", "A1", "phone-number-like (11 digits)", "invalid: not one of 1..5 (scale agree5)"],
        ["r2", "A3", "phone-number-like (13 digits)", "invalid: not one of 1..5 (scale agree5)"],
        ["r1", "B2", "e-mail address (19 chars)", "invalid: not one of 1..5 (scale agree5)"],
        ["r3", "C1", "non-numeric text (22 chars)", "invalid: not one of 1..5 (scale agree5)"],
        ["r5", "dur", "e-mail address (19 chars)", "duration is not a number"],
    ]
    write_outputs(res, tmp_path / "out")
    values = set(PLANTED.values()) | set(raw["phone"]) | set(raw["ip"])
    assert assert_no_identifier(tmp_path / "out", values | {"13800138000", "02165432100"}) >= 5


def test_identifiers_in_cells_never_reach_the_error_message():
    with pytest.raises(InvalidDataError) as err:
        clean(_raw_with_planted(), small_instrument(), id="id", duration="dur")
    msg = str(err.value)
    assert "row 1, id 'r0', column 'A1': value phone-number-like (11 digits); allowed: one of 1..5" in msg
    assert "column 'B2': value e-mail address (19 chars)" in msg
    for v in PLANTED.values():
        assert v not in msg
    assert set(err.value.cells["value"]) == {"phone-number-like (11 digits)", "phone-number-like (13 digits)",
                                             "e-mail address (19 chars)", "non-numeric text (22 chars)"}


def test_short_numbers_and_instrument_values_are_still_shown():
    raw = raw_frame(4)
    raw.loc[0, "A1"], raw.loc[1, "A2"], raw.loc[2, "A3"] = "6", "-99", "同意"
    res = clean(raw, small_instrument(), id="id", invalid="missing")
    assert res.audit[res.audit["column"] != ""]["old"].tolist() == ["6", "-99", "同意"]


# -- personal data in the id column ---------------------------------------------------------------------------
def _expected(key_file: Path, value: str) -> str:
    key = bytes.fromhex(key_file.read_text(encoding="ascii").strip())
    return "P-" + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def test_email_ids_are_pseudonymised_with_a_key_outside_the_outputs(tmp_path, config_dir):
    raw = raw_frame(8)
    emails = [f"person{i}@example.cn" for i in range(8)]
    raw["id"] = emails
    res = clean(raw, small_instrument(), id="id")
    key_file = config_dir / "id_key"
    assert res.pseudonymised == {"kind": "e-mail addresses", "n": 8, "key_file": str(key_file), "key_created": True,
                                 "column": "id"}
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert res.data["id"].tolist() == [_expected(key_file, e) for e in emails]
    assert res.flags["id"].tolist() == [_expected(key_file, e) for e in emails]
    assert f"HMAC-SHA256 keyed by the key file `{key_file}` (created by this run)" in res.report
    write_outputs(res, tmp_path / "out")
    assert_no_identifier(tmp_path / "out", set(emails) | set(raw["phone"]))
    # the same key gives the same pseudonyms (the second run reuses the file); another key other ones
    again = clean(raw, small_instrument(), id="id")
    assert again.data["id"].tolist() == res.data["id"].tolist() and again.pseudonymised["key_created"] is False
    other = clean(raw, small_instrument(), id="id", id_key=tmp_path / "wave2.key")
    assert set(other.data["id"]).isdisjoint(res.data["id"])
    assert other.data["id"].tolist() == [_expected(tmp_path / "wave2.key", e) for e in emails]


def test_phone_number_ids_read_as_numbers_are_pseudonymised(tmp_path):
    raw = raw_frame(6)
    raw["id"] = [13900000000 + i for i in range(6)]
    path = tmp_path / "raw.csv"
    raw.to_csv(path, index=False)
    res = clean(path, small_instrument(), id="id", id_key=tmp_path / "keys" / "k")
    assert res.pseudonymised["kind"] == "phone numbers" and res.pseudonymised["n"] == 6
    assert res.data["id"].tolist() == [_expected(tmp_path / "keys" / "k", str(13900000000 + i)) for i in range(6)]
    write_outputs(res, tmp_path / "out")
    assert_no_identifier(tmp_path / "out", {str(13900000000 + i) for i in range(6)})


def test_platform_ids_are_kept():
    res = clean(raw_frame(5), small_instrument(), id="id")
    assert res.pseudonymised is None and res.data["id"].tolist() == [f"r{i}" for i in range(5)]


def test_key_file_inside_the_output_folder_is_refused(tmp_path):
    raw = raw_frame(4)
    raw["id"] = [f"p{i}@example.cn" for i in range(4)]
    res = clean(raw, small_instrument(), id="id", id_key=tmp_path / "out" / "id_key")
    with pytest.raises(DataError, match=r"The id key file .* lies inside the output directory .* \(argument 'out_dir'\)"):
        write_outputs(res, tmp_path / "out")
    assert not (tmp_path / "out" / "clean.csv").exists()


def test_bad_key_file_is_a_one_line_message(tmp_path):
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n", encoding="utf-8")
    raw = raw_frame(3)
    raw["id"] = [f"p{i}@example.cn" for i in range(3)]
    with pytest.raises(DataError, match=r"The id key file .*bad.key' \(argument 'id_key'\) does not hold a key"):
        clean(raw, small_instrument(), id="id", id_key=bad)
    with pytest.raises(DataError, match=r"\(argument 'id_key'\) is a folder"):
        clean(raw, small_instrument(), id="id", id_key=tmp_path)


def test_cli_clean_pseudonymises_and_says_so(tmp_path, capsys):
    raw = pd.read_csv(RAW, dtype=str, keep_default_na=False)
    raw["id"] = [f"resp{i}@mail.example.cn" for i in range(len(raw))]
    src = tmp_path / "raw_email.csv"
    raw.to_csv(src, index=False)
    key = tmp_path / "secret" / "id.key"
    out = tmp_path / "out"
    assert main(["clean", str(src), "--instrument", str(INSTRUMENT), "--id", "id", "--duration", "duration",
                 "--out", str(out), "--id-key", str(key)]) == 0
    printed = capsys.readouterr().out
    assert f"holds e-mail addresses: ids replaced by HMAC-SHA256 pseudonyms keyed by {key} (new key)" in printed
    assert_no_identifier(out, identifier_like(raw))


# -- the example's raw export through every command ---------------------------------------------------------
def test_example_raw_export_has_identifiers_to_look_for():
    values = identifier_like(pd.read_csv(RAW, dtype=str, keep_default_na=False))
    assert len(values) >= 500 and all(v.startswith("100") for v in values)  # the fake phone numbers


def test_clean_outputs_of_the_example_hold_no_identifier(tmp_path):
    values = identifier_like(pd.read_csv(RAW, dtype=str, keep_default_na=False))
    out = tmp_path / "clean"
    assert main(["clean", str(RAW), "--instrument", str(INSTRUMENT), "--id", "id", "--duration", "duration",
                 "--invalid", "missing", "--out", str(out)]) == 0
    assert assert_no_identifier(out, values) >= 5


def test_run_outputs_of_the_example_hold_no_identifier(tmp_path):
    """The reduced example run (one model, as tests/test_pipeline.py runs it in the default suite)."""
    from egovsem.study.config import example_config
    from egovsem.study.pipeline import run_study

    values = identifier_like(pd.read_csv(RAW, dtype=str, keep_default_na=False))
    run_study(example_config(tmp_path / "run", models=["strategic_triangle"],
                             formats=["docx", "tex", "md", "html", "csv"]))
    assert assert_no_identifier(tmp_path / "run", values) >= 20


def test_committed_paper_outputs_hold_no_identifier():
    values = identifier_like(pd.read_csv(RAW, dtype=str, keep_default_na=False))
    assert assert_no_identifier(ROOT / "paper", values) >= 20


@pytest.mark.slow
def test_egovsem_run_example_outputs_hold_no_identifier(tmp_path):
    values = identifier_like(pd.read_csv(RAW, dtype=str, keep_default_na=False))
    assert main(["run", "--example", "--out", str(tmp_path / "full"), "--quiet"]) == 0
    assert assert_no_identifier(tmp_path / "full", values) >= 20
