"""The notebooks of analysis/notebooks run from top to bottom (so they never rot) and are committed without
outputs. Executed with nbclient in a fresh kernel: 02 takes a few seconds, 01 runs the whole example (about
30 s on an idle 2-core machine; both together stay under a minute, so both are in the default suite)."""
from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="pip install '.[test]' (nbformat, nbclient, ipykernel)")
nbclient = pytest.importorskip("nbclient", reason="pip install '.[test]' (nbformat, nbclient, ipykernel)")
pytest.importorskip("ipykernel", reason="pip install '.[test]' (nbformat, nbclient, ipykernel)")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "analysis" / "notebooks"


def _execute(name: str, cwd: Path):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def _outputs(nb, kind: str) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            parts.append(str(data.get(kind, "")) if kind != "stream" else o.get("text", ""))
    return "\n".join(parts)


@pytest.mark.parametrize("name", ["01_example_study.ipynb", "02_bring_your_own_data.ipynb"])
def test_notebooks_are_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: strip the outputs"


def test_bring_your_own_data_notebook_runs(tmp_path):
    nb = _execute("02_bring_your_own_data.ipynb", tmp_path)
    html = _outputs(nb, "text/html")
    assert "<table" in html                                    # Results and the table render as HTML
    assert "Structural Paths and Hypothesis Tests" in html
    assert "SIMULATED" in html
    assert list(tmp_path.iterdir()) == []                     # it writes to a temporary directory only


def test_example_study_notebook_runs(tmp_path):
    nb = _execute("01_example_study.ipynb", tmp_path)
    html = _outputs(nb, "text/html")
    assert "<table" in html and "Hypothesis Tests" in html
    md = _outputs(nb, "text/markdown")
    assert "SIMULATED" in md and "研究方法与结果" in md
    assert "image/png" in str([o.get("data", {}).keys() for c in nb.cells for o in c.get("outputs", [])])
