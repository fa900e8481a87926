"""What the ``egovsem`` command imports (issue 17: a fresh ``egovsem fit`` process is timed against lavaan's
Rscript, and importing pandas, scipy.special or matplotlib costs more than a small fit). Not timed: each
check runs a fresh interpreter and reads its ``sys.modules``."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
HEAVY = ("pandas", "scipy", "matplotlib", "numpy", "statsmodels", "docx", "openpyxl", "pyarrow")


def _modules_after(code: str) -> set[str]:
    """The top-level and dotted module names loaded after running ``code`` in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "analysis"), os.environ.get("PYTHONPATH", "")])}
    script = (f"import sys, io, contextlib\n{code}\n"
              "sys.__stdout__.write('\\n' + __import__('json').dumps(sorted(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                         check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_import_cli_loads_no_engine():
    modules = _modules_after("import egovsem.cli")
    assert "egovsem.cli" in modules
    assert _heavy(modules) == []


def test_fit_help_loads_no_engine():
    modules = _modules_after(
        "import egovsem.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        egovsem.cli.main(['fit', '--help'])\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0\n")
    assert "egovsem.cli.fit" in modules
    assert _heavy(modules) == []


def test_ml_fit_loads_no_scipy_submodule(tmp_path):
    """The ML fit with its fit measures, summary and JSON: numpy and pandas, and scipy's root package only
    (its version goes into the JSON), no scipy.special / stats / optimize / linalg, no matplotlib."""
    model = tmp_path / "hs.lav"
    model.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n")
    out = tmp_path / "o.json"
    modules = _modules_after(
        "import egovsem.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert egovsem.cli.main(['fit', {str(model)!r}, 'data/HolzingerSwineford1939.csv', '--json', "
        f"{str(out)!r}]) == 0\n")
    assert json.loads(out.read_text())["fit"]["chisq"] == pytest.approx(85.306, abs=1e-3)
    heavy = _heavy(modules)
    assert "numpy" in heavy and "pandas" in heavy
    scipy_parts = sorted(m for m in heavy if m.startswith("scipy.") and not m.startswith("scipy._")
                         and m not in ("scipy.version", "scipy.__config__"))
    assert scipy_parts == []
    assert not [m for m in heavy if m.split(".")[0] in ("matplotlib", "statsmodels", "docx", "openpyxl")]


def test_fit_freezes_the_imported_objects_once(tmp_path):
    """A fresh ``egovsem fit`` freezes what its imports made (gc.freeze); a process that had imported the engine
    already is left alone."""
    model = tmp_path / "hs.lav"
    model.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n")
    argv = [str(model), "data/HolzingerSwineford1939.csv"]
    code = ("import gc, egovsem.cli\n"
            "{pre}"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert egovsem.cli.main(['fit', *{argv!r}]) == 0\n"
            "sys.__stdout__.write('frozen %d' % gc.get_freeze_count())\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "analysis")}

    def frozen(pre: str) -> int:
        out = subprocess.run([sys.executable, "-c", "import sys, io, contextlib\n" + code.format(pre=pre)],
                             capture_output=True, text=True, env=env, cwd=ROOT, check=True).stdout
        return int(out.rsplit("frozen ", 1)[1])

    assert frozen("") > 10000
    assert frozen("import egovsem.sem, egovsem.io, egovsem.parallel\n") == 0
