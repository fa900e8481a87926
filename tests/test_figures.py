"""Path diagrams: drawn with matplotlib alone, written as PNG/SVG/PDF, coefficients and stars as text."""
from __future__ import annotations

import re

import egovsem
import egovsem.datasets as ds
import pytest
from egovsem.figures import path_diagram, save_figure, structural_layers
from egovsem.instruments import study_labels
from egovsem.study.example import SIMULATED_NOTE, hypothesis_model, simulate_example
from egovsem.tables import apa_number, stars

PD_MODEL = """ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
"""


@pytest.fixture(scope="module")
def pd_fit():
    return egovsem.sem(PD_MODEL, ds.load("PoliticalDemocracy"))


@pytest.fixture(scope="module")
def integrated_fit():
    return egovsem.sem(hypothesis_model("integrated"), simulate_example())


def _coef_texts(fit):
    reg = fit.params[fit.params["op"] == "~"]
    return {(r["rhs"], r["lhs"]): apa_number(r["std.all"], 2, bounded=True) + stars(r["pvalue"])
            for r in reg.to_dict("records")}


def test_writes_png_svg_pdf(pd_fit, tmp_path):
    paths = [tmp_path / "pd.png", tmp_path / "pd.svg", tmp_path / "pd.pdf"]
    path_diagram(pd_fit, paths, labels=False)
    for p in paths:
        assert p.stat().st_size > 1000, p.name
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths[2].read_bytes()[:5] == b"%PDF-"
    svg = paths[1].read_text(encoding="utf-8")
    for text in _coef_texts(pd_fit).values():
        assert f">{text}<" in svg, text  # the SVG keeps the coefficients as text
    assert "ind60" in svg and "R\u00b2 = " in svg


def test_same_figure_same_bytes(pd_fit, tmp_path):
    for suffix in (".svg", ".pdf", ".png"):
        a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        path_diagram(pd_fit, a, labels=False)
        path_diagram(pd_fit, b, labels=False)
        assert a.read_bytes() == b.read_bytes(), suffix


def test_nonsignificant_paths_are_dashed(integrated_fit):
    from matplotlib.patches import FancyArrowPatch

    fig = path_diagram(integrated_fit, labels=study_labels())
    ax = fig.axes[0]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    reg = integrated_fit.params[integrated_fit.params["op"] == "~"]
    assert len(arrows) == len(reg)
    dashed = [a for a in arrows if a.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == int((reg["pvalue"] >= 0.05).sum()) == 1  # H8, the true zero of the example
    texts = {t.get_text() for t in ax.texts}
    assert set(_coef_texts(integrated_fit).values()) <= texts
    assert "Perceived value" in texts and "PV" in texts


def test_layers_follow_longest_path(integrated_fit):
    reg = integrated_fit.params[integrated_fit.params["op"] == "~"]
    layer = structural_layers([(r.rhs, r.lhs) for r in reg.itertuples()], integrated_fit.spec.lv)
    assert layer["OPC"] == 0 and layer["LEG"] == 1 and layer["PUV"] == 2
    assert layer["TG"] == layer["PV"] == 3 and layer["PI"] == 4
    # a feedback loop does not hang the layering
    assert structural_layers([("a", "b"), ("b", "a"), ("b", "c")], ["a", "b", "c"])["c"] == 2


def test_bilingual_labels_and_note(integrated_fit, tmp_path):
    p = tmp_path / "zh.svg"
    path_diagram(integrated_fit, p, labels=study_labels(), lang="zh", note=SIMULATED_NOTE, hypotheses=True)
    svg = p.read_text(encoding="utf-8")
    assert "SIMULATED DATA" in svg
    assert re.search(r">H7: \.\d\d\*+<", svg)
    from egovsem.figures import font_families

    if font_families()[1]:  # a CJK font is installed: Chinese names are drawn
        assert "感知价值" in svg and "模拟数据" in svg


def test_bad_input(pd_fit, tmp_path):
    with pytest.raises(egovsem.EgovsemError, match="'fit' parameter"):
        path_diagram({"not": "a fit"})
    with pytest.raises(egovsem.EgovsemError, match="'format' parameter"):
        save_figure(path_diagram(pd_fit, labels=False), tmp_path / "x.bmp")


def test_without_a_cjk_font_the_diagram_falls_back_to_english(pd_fit, tmp_path, monkeypatch):
    import egovsem.figures as figures

    monkeypatch.setattr(figures, "font_families", lambda: (["DejaVu Sans"], False))
    p = tmp_path / "x.svg"
    with pytest.warns(egovsem.EgovsemWarning, match="No CJK font"):
        path_diagram(pd_fit, p, lang="zh", note=SIMULATED_NOTE, labels={"dem60": ("Democracy 1960", "1960年民主")})
    svg = p.read_text(encoding="utf-8")
    assert "Democracy 1960" in svg and "1960年民主" not in svg
    assert "SIMULATED DATA" in svg and "模拟数据" not in svg
