"""Bad inputs over every verb of the ``egovsem`` command (issue 16, "Checks").

Every case is a command line built from a fixed list (no randomness, except the seeded byte mutations at the
end). Each must end with a non-zero exit code and exactly one ``error:`` line on stderr, never a Python
traceback; no input file may change (SHA-256 before and after); no temporary ``.~*`` file may be left; and no
identifier of the raw export (its fake phone numbers) may appear in any file the command wrote.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA
from egovsem.cli import main

ROOT = Path(__file__).resolve().parent.parent
RAW_EXPORT = ROOT / "data" / "example" / "raw_export.csv"
INSTRUMENT = ROOT / "instruments" / "egov_study.yaml"

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
MED_MODEL = HS_MODEL + "textual ~ a*visual\nspeed ~ b*textual\nab := a*b\n"
POP = ("f1 =~ 0.7*y1 + 0.7*y2 + 0.7*y3\nf2 =~ 0.7*y4 + 0.7*y5 + 0.7*y6\nf2 ~ 0.3*f1\n"
       + "\n".join(f"y{i} ~~ 0.51*y{i}" for i in range(1, 7)) + "\nf1 ~~ 1*f1\nf2 ~~ 0.91*f2\n")
PMODEL = "f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6\nf2 ~ f1\n"


def _write_inputs(d: Path) -> None:
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")[["school", "ageyr", *[f"x{i}" for i in range(1, 10)]]]
    (d / "hs.lav").write_text(HS_MODEL, encoding="utf-8")
    (d / "med.lav").write_text(MED_MODEL, encoding="utf-8")
    (d / "pop.lav").write_text(POP, encoding="utf-8")
    (d / "pmodel.lav").write_text(PMODEL, encoding="utf-8")
    hs.to_csv(d / "hs.csv", index=False)
    with pd.ExcelWriter(d / "hs.xlsx") as xw:
        hs.to_excel(xw, sheet_name="data", index=False)
    shutil.copy(RAW_EXPORT, d / "raw.csv")
    shutil.copy(INSTRUMENT, d / "inst.yaml")
    assert main(["instrument", "export", str(d / "inst.yaml"), "--xlsform", str(d / "form.xlsx")]) == 0
    os.symlink(d / "hs.csv", d / "link.csv")
    os.link(d / "hs.csv", d / "hard.csv")
    os.symlink(d / "hs.lav", d / "link.lav")
    os.symlink(d / "inst.yaml", d / "link_inst.yaml")
    os.symlink(d / "form.xlsx", d / "link_form.xlsx")
    (d / "afile.txt").write_text("a file, not a folder\n")
    (d / "folder").mkdir()
    # bad files
    (d / "empty.csv").write_text("")
    (d / "empty.lav").write_text("# only a comment\n")
    (d / "header.csv").write_text("x1,x2,x3\n")
    (d / "ragged.csv").write_text("x1,x2,x3\n1,2,3\n4,5,6,7\n8,9,10\n")
    (d / "binary.csv").write_bytes(b"x1,x2\n\xff\xfe\x00\x01,\xff\n")
    (d / "binary.lav").write_bytes(b"visual =~ x1 + x2 \xff\xff x3\n")
    (d / "binary.yaml").write_bytes(b"title: \xff\xfe\n")
    (d / "garbage.xlsx").write_text("this is not a workbook\n")
    (d / "garbage.sav").write_text("this is not an SPSS file\n")
    (d / "garbage.dta").write_bytes(b"\x00\x01\x02not stata")
    (d / "data.xyz").write_text("x1,x2\n1,2\n")
    (d / "dup.csv").write_text("x1,x1,x2\n1,2,3\n4,5,6\n")
    text = hs.copy()
    text["x1"] = "high"
    text.to_csv(d / "text.csv", index=False)
    const = hs.copy()
    const["x1"] = 3.0
    const.to_csv(d / "const.csv", index=False)
    hs.assign(visual=1.0).to_csv(d / "collide.csv", index=False)
    hs.head(1).to_csv(d / "onerow.csv", index=False)
    hs.assign(**{f"x{i}": np.nan for i in range(1, 10)}).to_csv(d / "allmissing.csv", index=False)
    (d / "syntax.lav").write_text("visual =~ x1 + + x2\n")
    (d / "noop.lav").write_text("visual x1 x2 x3\n")
    (d / "relabel.lav").write_text(HS_MODEL + "textual ~ a*visual\na := 2*a\n")
    (d / "twice.lav").write_text(HS_MODEL + "visual =~ x1\n")
    (d / "nolatent.lav").write_text("x1 ~ x2 + x3\n")
    (d / "absent.lav").write_text("f =~ q1 + q2 + q3\n")
    (d / "unident.lav").write_text("f =~ x1 + x2\n")
    (d / "badexpr.lav").write_text(HS_MODEL + "textual ~ a*visual\nd := a +* 2\n")
    (d / "badfunc.lav").write_text(HS_MODEL + "textual ~ a*visual\nd := __import__('os')\n")
    (d / "free_pop.lav").write_text("f1 =~ y1 + y2 + y3\n")
    (d / "bad.yaml").write_text("title: [unclosed\n  items: {\n")
    (d / "list.yaml").write_text("- a\n- b\n")
    (d / "map3.csv").write_text("raw,item,extra\nq1,SG1,x\n")
    (d / "map_absent.csv").write_text("raw,item\nnosuchcolumn,SG1\n")
    (d / "map_bad.yaml").write_text("[1, 2\n")
    cfg = {"raw": "raw.csv", "instrument": "inst.yaml", "id": "id", "duration": "duration", "models": ["hs.lav"]}
    import yaml

    (d / "config.yaml").write_text(yaml.safe_dump(cfg))
    (d / "cfg_unknown.yaml").write_text(yaml.safe_dump({**cfg, "colour": "blue"}))
    (d / "cfg_noraw.yaml").write_text(yaml.safe_dump({**cfg, "raw": "nosuch.csv"}))
    (d / "cfg_nomodel.yaml").write_text(yaml.safe_dump({**cfg, "models": ["nosuch.lav"]}))
    (d / "cfg_missing_id.yaml").write_text(yaml.safe_dump({k: v for k, v in cfg.items() if k != "id"}))
    (d / "cfg_list.yaml").write_text("- raw.csv\n")
    (d / "cfg_binmodel.yaml").write_text(yaml.safe_dump({**cfg, "models": ["binary.lav"]}))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("fuzz_inputs")
    _write_inputs(d)
    return d


def _digest(d: Path) -> dict[str, str]:
    out = {}
    for p in sorted(d.rglob("*")):
        if p.is_symlink():
            out[p.name] = "-> " + os.readlink(p)
        elif p.is_file():
            out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif p.is_dir():
            out[p.name + "/"] = ",".join(sorted(c.name for c in p.iterdir()))
    return out


# ------------------------------------------------------------------------------------------------------
# the cases: (name, argv) with {i} the inputs folder, {o} a fresh output folder
FIT_GOOD = ["fit", "{i}/hs.lav", "{i}/hs.csv"]
CASES: list[tuple[str, list[str]]] = []


def case(name: str, *argv: str) -> None:
    CASES.append((name, list(argv)))


# fit: outputs onto inputs, impossible output paths
for tgt in ("hs.csv", "hs.lav", "link.csv", "hard.csv", "link.lav"):
    case(f"fit-json-onto-{tgt}", *FIT_GOOD, "--json", f"{{i}}/{tgt}")
case("fit-json-onto-symlink-target", "fit", "{i}/hs.lav", "{i}/link.csv", "--json", "{i}/hs.csv")
case("fit-json-parent-is-file", *FIT_GOOD, "--json", "{i}/afile.txt/out.json")
case("fit-json-deep-parent-is-file", *FIT_GOOD, "--json", "{i}/afile.txt/a/b/out.json")
case("fit-json-is-folder", *FIT_GOOD, "--json", "{o}")
case("fit-json-unwritable", *FIT_GOOD, "--json", "/proc/egovsem_fuzz/out.json")
# fit: bad model files
for m in ("nosuch.lav", "folder", "empty.lav", "syntax.lav", "noop.lav", "binary.lav", "relabel.lav", "twice.lav",
          "absent.lav", "unident.lav", "badexpr.lav", "badfunc.lav"):
    case(f"fit-model-{m}", "fit", f"{{i}}/{m}", "{i}/hs.csv")
# fit: bad data files
for f in ("nosuch.csv", "folder", "empty.csv", "header.csv", "ragged.csv", "binary.csv", "garbage.xlsx",
          "garbage.sav", "garbage.dta", "data.xyz", "dup.csv", "text.csv", "const.csv", "collide.csv", "onerow.csv",
          "allmissing.csv", "afile.txt/x.csv"):
    case(f"fit-data-{f}", "fit", "{i}/hs.lav", f"{{i}}/{f}")
# fit: bad options
for opts in (["--estimator", "FOO"], ["--estimator", "DWLS"], ["--missing", "pairwise", "--estimator", "MLR"],
             ["--estimator", "GLS", "--test", "satorra.bentler"],  # ULS with it works since issue 11
             ["--se", "jackknife"], ["--bootstrap", "500"], ["--se", "bootstrap", "--bootstrap", "1"],
             ["--group", "nosuch"], ["--ordered", "nosuch"], ["--group", "school", "--group-equal", "everything"],
             ["--group-equal", "loadings"], ["--estimator", "WLSMV"], ["--na", "abc"], ["--sheet", "data"],
             ["--bootstrap", "x"], ["--seed", "1.5"], ["--no-such-option"]):
    case("fit-opt-" + "_".join(o.strip("-") for o in opts), *FIT_GOOD, *opts)
for opts in (["--sheet", "5"], ["--sheet", "nosuch"], ["--sheet", "-1"]):
    case("fit-xlsx-" + "_".join(o.strip("-") for o in opts), "fit", "{i}/hs.lav", "{i}/hs.xlsx", *opts)

# measure
MEASURE_GOOD = ["measure", "{i}/hs.csv", "--model", "{i}/hs.lav"]
for tgt in ("hs.csv", "hs.lav", "link.csv", "hard.csv"):
    case(f"measure-json-onto-{tgt}", *MEASURE_GOOD, "--json", f"{{i}}/{tgt}")
case("measure-json-parent-is-file", *MEASURE_GOOD, "--json", "{i}/afile.txt/m.json")
case("measure-json-is-folder", *MEASURE_GOOD, "--json", "{o}")
for f in ("nosuch.csv", "ragged.csv", "binary.csv", "garbage.xlsx", "collide.csv", "header.csv"):
    case(f"measure-data-{f}", "measure", f"{{i}}/{f}", "--model", "{i}/hs.lav", "--json", "{o}/m.json")
for m in ("nosuch.lav", "binary.lav", "nolatent.lav", "syntax.lav"):
    case(f"measure-model-{m}", "measure", "{i}/hs.csv", "--model", f"{{i}}/{m}", "--json", "{o}/m.json")
for opts in (["--missing", "foo"], ["--na", "x,y"], ["--sheet", "1"]):
    case("measure-opt-" + "_".join(o.strip("-") for o in opts), *MEASURE_GOOD, "--json", "{o}/m.json", *opts)

# tables
TABLES_GOOD = ["tables", "{i}/hs.csv", "--model", "{i}/med.lav"]
case("tables-out-is-input-file", *TABLES_GOOD, "--out", "{i}/hs.csv")
case("tables-out-is-model-file", *TABLES_GOOD, "--out", "{i}/med.lav")
case("tables-out-parent-is-file", *TABLES_GOOD, "--out", "{i}/afile.txt/tables")
for opts in (["--format", "pdf"], ["--format", ","], ["--lang", "fr"], ["--estimator", "FOO"], ["--missing", "foo"],
             ["--bootstrap", "1"], ["--na", "--99"]):
    case("tables-opt-" + "_".join(o.strip("-,") for o in opts), *TABLES_GOOD, "--out", "{o}/t", *opts)
for f in ("nosuch.csv", "ragged.csv", "binary.csv", "collide.csv"):
    case(f"tables-data-{f}", "tables", f"{{i}}/{f}", "--model", "{i}/med.lav", "--out", "{o}/t")
for m in ("nosuch.lav", "binary.lav", "relabel.lav"):
    case(f"tables-model-{m}", "tables", "{i}/hs.csv", "--model", f"{{i}}/{m}", "--out", "{o}/t")

# power
POWER_GOOD = ["power", "--population", "{i}/pop.lav", "--model", "{i}/pmodel.lav", "--jobs", "1", "--no-progress"]
for tgt in ("pop.lav", "pmodel.lav"):
    case(f"power-json-onto-{tgt}", *POWER_GOOD, "--n", "100", "--reps", "20", "--json", f"{{i}}/{tgt}")
case("power-figure-onto-model", *POWER_GOOD, "--n", "100", "--reps", "20", "--figure", "{i}/pmodel.lav")
case("power-json-next-to-input-png", *POWER_GOOD, "--n", "100", "--reps", "20", "--json", "{o}/p.json",
     "--figure", "{i}/pop.lav")
case("power-json-parent-is-file", *POWER_GOOD, "--n", "100", "--reps", "20", "--json", "{i}/afile.txt/p.json")
case("power-json-is-folder", *POWER_GOOD, "--n", "100", "--reps", "20", "--json", "{o}")
for opts in (["--n", "5"], ["--n", "6,100"], ["--n", "abc"], ["--n", "1"], ["--n", "100,100"], ["--n", "100", "--reps", "1"],
             ["--n", "100", "--reps", "0"], ["--n", "100", "--alpha", "2"], ["--n", "100", "--target", "0"],
             ["--n", "100", "--reps", "many"], ["--n", "100", "--scheduler", "nowhere:1"]):
    case("power-opt-" + "_".join(o.strip("-,") for o in opts), *POWER_GOOD, *opts)
for pop, mod in (("nosuch.lav", "pmodel.lav"), ("binary.lav", "pmodel.lav"), ("pop.lav", "syntax.lav"),
                 ("pop.lav", "hs.lav"), ("free_pop.lav", "pmodel.lav"), ("pop.lav", "folder")):
    case(f"power-models-{pop}-{mod}", "power", "--population", f"{{i}}/{pop}", "--model", f"{{i}}/{mod}",
         "--n", "100", "--reps", "20", "--jobs", "1", "--no-progress")

# instrument export / import / check
for flag, tgt in (("--xlsform", "inst.yaml"), ("--docx", "inst.yaml"), ("--html", "inst.yaml"),
                  ("--codebook", "inst.yaml"), ("--xlsform", "link_inst.yaml"), ("--html", "link_inst.yaml")):
    case(f"export{flag}-onto-{tgt}", "instrument", "export", "{i}/inst.yaml", flag, f"{{i}}/{tgt}")
case("export-xlsform-parent-is-file", "instrument", "export", "{i}/inst.yaml", "--xlsform", "{i}/afile.txt/f.xlsx")
case("export-docx-is-folder", "instrument", "export", "{i}/inst.yaml", "--docx", "{o}")
case("export-codebook-suffix", "instrument", "export", "{i}/inst.yaml", "--codebook", "{o}/codebook.txt")
case("export-lang", "instrument", "export", "{i}/inst.yaml", "--html", "{o}/q.html", "--lang", "fr")
case("export-two-outputs", "instrument", "export", "{i}/inst.yaml", "--html", "{o}/q.html", "--docx", "{o}/q.docx")
for f in ("nosuch.yaml", "binary.yaml", "bad.yaml", "list.yaml", "garbage.xlsx", "folder"):
    case(f"export-path-{f}", "instrument", "export", f"{{i}}/{f}", "--html", "{o}/q.html")
case("import-out-onto-form", "instrument", "import", "{i}/form.xlsx", "--out", "{i}/form.xlsx")
case("import-out-onto-form-link", "instrument", "import", "{i}/form.xlsx", "--out", "{i}/link_form.xlsx")
case("import-out-parent-is-file", "instrument", "import", "{i}/form.xlsx", "--out", "{i}/afile.txt/i.yaml")
case("import-out-is-folder", "instrument", "import", "{i}/form.xlsx", "--out", "{o}")
for f in ("nosuch.xlsx", "garbage.xlsx", "inst.yaml", "folder"):
    case(f"import-form-{f}", "instrument", "import", f"{{i}}/{f}", "--out", "{o}/i.yaml")
for f in ("nosuch.yaml", "binary.yaml", "bad.yaml", "list.yaml", "garbage.xlsx", "folder"):
    case(f"check-{f}", "instrument", "check", f"{{i}}/{f}")

# clean
CLEAN_GOOD = ["clean", "{i}/raw.csv", "--instrument", "{i}/inst.yaml", "--id", "id", "--duration", "duration"]
case("clean-out-is-raw-file", *CLEAN_GOOD, "--out", "{i}/raw.csv")
case("clean-out-parent-is-file", *CLEAN_GOOD, "--out", "{i}/afile.txt/clean")
for opts in (["--id", "nosuch"], ["--id", "phone"], ["--duration", "nosuch"], ["--exclude", "bogus"],
             ["--exclude", "speeder<abc"], ["--invalid", "ignore"], ["--map", "{i}/nosuch.csv"], ["--map", "{i}/map3.csv"],
             ["--map", "{i}/map_absent.csv"], ["--map", "{i}/map_bad.yaml"], ["--map", "{i}/binary.csv"],
             ["--sheet", "1"]):
    argv = [a for a in CLEAN_GOOD]
    if opts[0] in argv:
        k = argv.index(opts[0])
        argv[k:k + 2] = opts
    else:
        argv += opts
    case("clean-opt-" + "_".join(Path(o).name.strip("-<") for o in opts), *argv, "--out", "{o}/c")
for f in ("nosuch.csv", "folder", "empty.csv", "ragged.csv", "binary.csv", "garbage.xlsx", "garbage.sav", "dup.csv"):
    case(f"clean-raw-{f}", "clean", f"{{i}}/{f}", "--instrument", "{i}/inst.yaml", "--id", "id", "--out", "{o}/c")
for f in ("nosuch.yaml", "binary.yaml", "bad.yaml", "list.yaml", "garbage.xlsx"):
    case(f"clean-instrument-{f}", "clean", "{i}/raw.csv", "--instrument", f"{{i}}/{f}", "--id", "id",
         "--out", "{o}/c")

# run
case("run-nothing", "run")
case("run-both", "run", "{i}/config.yaml", "--example", "--out", "{o}/r")
case("run-example-no-out", "run", "--example")
case("run-example-out-is-file", "run", "--example", "--out", "{i}/afile.txt")
case("run-example-out-parent-is-file", "run", "--example", "--out", "{i}/afile.txt/r")
case("run-config-out-is-config", "run", "{i}/config.yaml", "--out", "{i}/config.yaml")
for f in ("nosuch.yaml", "binary.yaml", "bad.yaml", "cfg_list.yaml", "cfg_unknown.yaml", "cfg_noraw.yaml",
          "cfg_nomodel.yaml", "cfg_missing_id.yaml", "cfg_binmodel.yaml", "folder"):
    case(f"run-config-{f}", "run", f"{{i}}/{f}", "--out", "{o}/r", "--quiet")
case("run-bootstrap-x", "run", "--example", "--out", "{o}/r", "--bootstrap", "x")

assert len(CASES) >= 100, len(CASES)
assert len({n for n, _ in CASES}) == len(CASES), "case names must be unique"


def _phones() -> set[str]:
    raw = pd.read_csv(RAW_EXPORT, dtype=str)
    return {p for p in raw["phone"].dropna() if len(p) >= 8}


PHONES = _phones()


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: usage line and one 'error:' line, exit code 2
        code = exc.code if isinstance(exc.code, int) else 2
    out = capsys.readouterr()
    return code, out.out, out.err


def _check_outputs(out: Path, *, identifiers: bool = True) -> None:
    leftovers = [p for p in out.rglob(".~*")]
    assert not leftovers, f"temporary files left: {leftovers}"
    for p in out.rglob("*") if identifiers else ():
        if p.is_file():
            text = p.read_bytes().decode("utf-8", errors="replace")
            leaked = [ph for ph in PHONES if ph in text]
            assert not leaked, f"{p} holds identifiers of the raw export, e.g. {leaked[:2]}"


@pytest.mark.parametrize("name,argv", CASES, ids=[n for n, _ in CASES])
def test_bad_input_is_one_line_error(name, argv, inputs, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    args = [a.format(i=inputs, o=out) for a in argv]
    before = _digest(inputs)
    code, _stdout, err = _run(args, capsys)
    assert "Traceback" not in err
    assert code != 0, f"{name}: exit code 0 for a bad input; stderr: {err}"
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1, f"{name}: expected one 'error:' line, got: {err!r}"
    assert errors[0].startswith(("egovsem ", "egovsem: error:")), errors[0]
    assert _digest(inputs) == before, f"{name}: an input file changed"
    _check_outputs(out)
    _check_outputs(inputs, identifiers=False)


# ------------------------------------------------------------------------------------------------------
# seeded byte mutations of a model file and a data file: whatever happens, no traceback and no changed input

def _mutations(text: bytes, seed: int, k: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    junk = [b"+", b"*", b"~", b"=~", b":=", b"#", b",", b"\"", b"\n", b"\xff", b"\xe4\xb8", b"NA", b"-99", b"(", b""]
    out = []
    for _ in range(k):
        b = bytearray(text)
        for _ in range(int(rng.integers(1, 4))):
            pos = int(rng.integers(0, len(b)))
            b[pos:pos + int(rng.integers(0, 3))] = junk[int(rng.integers(0, len(junk)))]
        out.append(bytes(b))
    return out


MODEL_MUTANTS = _mutations(HS_MODEL.encode(), seed=16, k=40)


def _mutant_cases(n_default: int):
    for k, blob in enumerate(MODEL_MUTANTS):
        marks = () if k < n_default else (pytest.mark.slow,)
        yield pytest.param(k, blob, id=f"model-mutant-{k}", marks=marks)


@pytest.mark.parametrize("k,blob", list(_mutant_cases(10)))
def test_mutated_model_never_tracebacks(k, blob, inputs, tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_bytes(blob)
    data = tmp_path / "hs.csv"
    shutil.copy(inputs / "hs.csv", data)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (model, data)}
    code, _stdout, err = _run(["fit", str(model), str(data), "--json", str(tmp_path / "o.json")], capsys)
    assert "Traceback" not in err
    assert code in (0, 1, 2)
    if code == 2:
        assert len([line for line in err.splitlines() if "error:" in line]) == 1, err
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (model, data)} == before
    assert not list(tmp_path.glob(".~*"))


def test_subprocess_run_shows_no_traceback(inputs, tmp_path):
    """The installed console script, not only main(): exit code 2 and one line."""
    import subprocess
    import sys

    script = "import sys; from egovsem.cli import main; sys.exit(main())"
    res = subprocess.run([sys.executable, "-c", script, "fit", str(inputs / "hs.lav"), str(inputs / "hs.csv"),
                          "--json", str(inputs / "hs.csv")], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        f"egovsem fit: error: The output file {str(inputs / 'hs.csv')!r} (argument --json) is the input file "
        "given as DATA; choose another output path."]
