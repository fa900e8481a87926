"""Path diagram of a fitted structural model, drawn with matplotlib alone (no Graphviz binary).

Latent variables are ellipses (observed variables in the structural part are rectangles); each structural
path is an arrow labelled with its completely standardised coefficient (``std.all``) and significance stars
(``***`` p < .001, ``**`` p < .01, ``*`` p < .05); non-significant paths are dashed. The layout comes from the
structural graph: a variable's column is the length of the longest path reaching it from an exogenous
construct (each exogenous construct then moves to the column just before its nearest outcome, so arrows stay
short), and the order within a column is chosen to reduce crossings (barycentre sweeps). Covariances of the
exogenous constructs and the measurement part are not drawn (the tables report them). R-squared is
printed under each endogenous construct. PNG, SVG and PDF; the files are reproducible (fixed metadata and
SVG ids), and SVG keeps its text as text.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import math
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import EgovsemError, EgovsemWarning, check_option
from .safe_write import atomic_path
from .tables._format import apa_number, stars
from .tables._labels import resolve_labels

__all__ = ["path_diagram", "structural_layers", "save_figure", "cjk_font_families", "font_families"]

_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "Microsoft YaHei",
              "SimHei", "PingFang SC", "Heiti SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
              "Arial Unicode MS", "SimSun")


@functools.lru_cache(maxsize=1)
def _cjk_font_files() -> tuple[str, ...]:
    """Files of the fonts that cover Chinese, found by fontconfig (``fc-list :lang=zh``), else by scanning the
    system font folders for the known CJK families' files; no matplotlib cache is read (looked up once per
    process)."""
    import shutil
    import subprocess

    files: list[str] = []
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        files = [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
    if not files:
        from matplotlib import font_manager

        keys = ("cjk", "droidsansfallback", "sourcehansans", "wqy", "simhei", "simsun", "msyh", "pingfang", "heiti",
                "notosanssc", "arialuni")
        files = [f for f in font_manager.findSystemFonts()
                 if any(k in Path(f).name.lower().replace("-", "").replace("_", "") for k in keys)]
    return tuple(sorted(dict.fromkeys(f for f in files if f.lower().endswith((".ttf", ".otf", ".ttc")))))


def cjk_font_families(*, rescan: bool = True) -> list[str]:
    """The installed CJK font families matplotlib can use, in the order of preference.

    Read from matplotlib's font list; when that list (a cache written when matplotlib first ran) has none,
    the system's fonts are looked up directly (:func:`_cjk_font_files`) and each one found is added to
    matplotlib's font list, so a font installed after the cache was written is found without deleting it.
    """
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [f for f in _CJK_FONTS if f in have]
    if cjk or not rescan:
        return cjk
    known = {f.fname for f in font_manager.fontManager.ttflist}
    for path in _cjk_font_files():
        if path in known:
            continue
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):  # a font file matplotlib cannot read
            continue
    have = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in _CJK_FONTS if f in have]


def font_families() -> tuple[list[str], bool]:
    """DejaVu Sans plus the first two CJK fonts installed (matplotlib falls back glyph by glyph), and whether
    there is a CJK font at all."""
    cjk = cjk_font_families()
    return ["DejaVu Sans"] + cjk[:2], bool(cjk)




def _has_cjk(text: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


def structural_layers(edges: Sequence[tuple[str, str]], nodes: Sequence[str]) -> dict[str, int]:
    """Layer of each node: the length of the longest path reaching it from a node without incoming paths.

    ``edges`` are ``(from, to)``. Feedback loops (non-recursive models) are broken at the edges that close
    them, so every node gets a layer.

    >>> structural_layers([("OPC", "LEG"), ("OPC", "PUV"), ("LEG", "PUV"), ("PUV", "TG")],
    ...                   ["OPC", "LEG", "PUV", "TG", "X"])
    {'OPC': 0, 'LEG': 1, 'PUV': 2, 'TG': 3, 'X': 0}
    """
    nodes = list(dict.fromkeys(list(nodes) + [v for e in edges for v in e]))
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    indeg = {n: 0 for n in nodes}
    for a, b in dict.fromkeys(edges):
        if a == b:
            continue
        succ[a].append(b)
        indeg[b] += 1
    layer = {n: 0 for n in nodes}
    done: set[str] = set()
    ready = [n for n in nodes if indeg[n] == 0]
    while len(done) < len(nodes):
        if not ready:  # a cycle: release the unfinished node with the fewest unresolved inputs
            rest = [n for n in nodes if n not in done]
            ready = [min(rest, key=lambda n: (indeg[n], nodes.index(n)))]
            indeg[ready[0]] = 0
        n = ready.pop(0)
        if n in done:
            continue
        done.add(n)
        for m in succ[n]:
            if m in done:
                continue
            layer[m] = max(layer[m], layer[n] + 1)
            indeg[m] -= 1
            if indeg[m] == 0:
                ready.append(m)
    return layer


def _pull_sources(layer: dict[str, int], edges) -> dict[str, int]:
    """Move each exogenous variable to the column just before its nearest outcome (shorter arrows)."""
    out = dict(layer)
    targets: dict[str, list[str]] = {}
    has_in = {b for a, b in edges if a != b}
    for a, b in edges:
        if a != b:
            targets.setdefault(a, []).append(b)
    for n in layer:
        if n not in has_in and n in targets:
            out[n] = max(0, min(layer[t] for t in targets[n]) - 1)
    shift = min(out.values()) if out else 0
    return {n: v - shift for n, v in out.items()}


def _order_layers(layer: dict[str, int], edges, sweeps: int = 6) -> list[list[str]]:
    k = max(layer.values()) + 1 if layer else 0
    cols = [[n for n in layer if layer[n] == i] for i in range(k)]
    nb: dict[str, list[str]] = {n: [] for n in layer}
    for a, b in edges:
        if a != b:
            nb[a].append(b)
            nb[b].append(a)

    def pos():
        return {n: (i - (len(c) - 1) / 2) for c in cols for i, n in enumerate(c)}

    for s in range(sweeps):
        p = pos()
        rng = range(1, k) if s % 2 == 0 else range(k - 2, -1, -1)
        for li in rng:
            ref = li - 1 if s % 2 == 0 else li + 1
            def bary(n, li=li, ref=ref, p=p):
                ns = [p[m] for m in nb[n] if layer[m] == ref] or [p[m] for m in nb[n] if layer[m] != li] or [p[n]]
                return float(np.mean(ns))
            cols[li] = sorted(cols[li], key=lambda n: (bary(n), cols[li].index(n)))
            p = pos()
    return cols


def _boundary(center, half, other, rect: bool):
    """Point where the segment from ``center`` towards ``other`` leaves the ellipse (or box)."""
    dx, dy = other[0] - center[0], other[1] - center[1]
    if dx == 0 and dy == 0:
        return center
    a, b = half
    if rect:
        t = 1.0 / max(abs(dx) / a, abs(dy) / b)
    else:
        t = 1.0 / math.sqrt((dx / a) ** 2 + (dy / b) ** 2)
    return (center[0] + t * dx, center[1] + t * dy)


def _bezier(s, e, rad: float, t):
    """Point at ``t`` of matplotlib's ``arc3`` curve from ``s`` to ``e`` (control point mid + rad (dy, -dx))."""
    k = 2 * t * (1 - t) * rad
    return (s[0] + t * (e[0] - s[0]) + k * (e[1] - s[1]), s[1] + t * (e[1] - s[1]) - k * (e[0] - s[0]))


def _route(s, e, others, half, same_col: bool) -> float:
    """The curvature of an arrow: straight when it clears every other node, else the least bent curve that
    does (or, failing that, the one that touches the fewest)."""
    cands = (0.35, -0.35, 0.6, -0.6) if same_col else (0.0, 0.2, -0.2, 0.35, -0.35, 0.5, -0.5)
    ts = np.linspace(0.04, 0.96, 24)
    best, best_hits = cands[0], None
    for rad in cands:
        xs, ys = _bezier(s, e, rad, ts)
        hits = sum(int(np.sum(((xs - ox) / (half[0] + 0.12)) ** 2 + ((ys - oy) / (half[1] + 0.1)) ** 2 < 1))
                   for ox, oy in others)
        if hits == 0:
            return rad
        if best_hits is None or hits < best_hits:
            best, best_hits = rad, hits
    return best


def _paths(fit):
    pe = fit.params
    reg = pe[pe["op"] == "~"]
    if "group" in reg.columns and reg["group"].nunique() > 1:
        first = reg["group"].iloc[0]
        warnings.warn(f"path_diagram draws the first group ({first}) of a multi-group fit.", EgovsemWarning,
                      stacklevel=3)
        reg = reg[reg["group"] == first]
    return reg


def path_diagram(fit, path=None, *, labels=None, lang: str = "en", names: bool = True, show_r2: bool = True,
                 hypotheses: bool = False, note: Any = None, title: str | None = None, digits: int = 2,
                 figsize: tuple[float, float] | None = None, dpi: int = 200):
    """Draw the structural model of ``fit`` and optionally write it (PNG, SVG, PDF by suffix).

    Parameters
    ----------
    fit : egovsem.Results
        A fitted SEM with structural paths (``~`` rows).
    path : str, Path or sequence of them, optional
        File(s) to write; the suffix picks the format (``.png``, ``.svg``, ``.pdf``).
    labels : mapping, Instrument or None
        Construct names, ``code -> name`` or ``code -> (name_en, name_zh)``, or an instrument's constructs
        (default: codes only; :func:`egovsem.instruments.study_labels` gives the bundled questionnaire's names).
    lang : {"en", "zh"}
        Language of the names and the legend. Chinese needs a CJK font (Noto Sans CJK, Source Han Sans, SimHei,
        Microsoft YaHei, PingFang, WenQuanYi, Droid Sans Fallback); without one the English names are used
        and a warning says so.
    names : bool
        Print the construct's name under its code.
    show_r2 : bool
        Print R-squared under each endogenous variable.
    hypotheses : bool
        Prefix each coefficient with the path's hypothesis label (``H1: .28***``).
    note : str, optional
        A note printed under the legend (for instance :data:`egovsem.study.example.SIMULATED_NOTE`).
    title : str, optional
    digits : int
        Decimals of the coefficients.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import egovsem, egovsem.datasets as ds
    >>> pd_ = ds.load("PoliticalDemocracy")
    >>> fit = egovsem.sem("ind60 =~ x1 + x2 + x3\\ndem60 =~ y1 + y2 + y3 + y4\\n"
    ...                   "dem65 =~ y5 + y6 + y7 + y8\\ndem60 ~ ind60\\ndem65 ~ ind60 + dem60", pd_)
    >>> fig = path_diagram(fit, labels=False)
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("."))
    ['.15*', '.45***', '.91***']
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

    from .tables.builders import check_fit

    check_fit(fit)
    lang = check_option("lang", lang, ("en", "zh"))
    families, has_cjk = font_families()
    lab = resolve_labels(labels)
    if lang == "zh" and not has_cjk:
        warnings.warn("No CJK font is installed (for instance Noto Sans CJK SC); the diagram uses English names.",
                      EgovsemWarning, stacklevel=2)
        lang = "en"
    note_text = note if isinstance(note, str) or note is None else (note[0] if lang == "en" else note[1])
    if note_text and _has_cjk(note_text) and not has_cjk:
        note_text = note_text.split(" / ")[0]  # the bilingual notes of egovsem put English first

    reg = _paths(fit)
    lv_names = list(fit.inspect("lv.names"))
    lv = set(lv_names)
    edges = [(r["rhs"], r["lhs"]) for r in reg.to_dict("records")]
    nodes = [v for v in lv_names if any(v in e for e in edges)] or lv_names
    if not nodes:
        raise EgovsemError("The model has no latent variables or structural paths to draw.")
    layer = _pull_sources(structural_layers(edges, nodes), edges)
    cols = _order_layers(layer, edges)
    r2 = getattr(fit, "r2", None)

    dx, dy = 3.2, 1.55
    half = (0.78, 0.42) if names else (0.6, 0.32)
    hmax = max(len(c) for c in cols)
    xy = {}
    for li, c in enumerate(cols):
        for i, n in enumerate(c):
            xy[n] = (li * dx, ((len(c) - 1) / 2 - i) * dy)
    width = (len(cols) - 1) * dx + 2 * half[0]
    height = (hmax - 1) * dy + 2 * half[1]
    note_lines = []
    for part in (note_text.split(" / ") if note_text else []):
        note_lines += textwrap.wrap(part, 70 if _has_cjk(part) else 130)
    legend_lines = 1 + len(note_lines)
    xlo, xhi = -half[0] - 0.3, width - half[0] + 0.3
    ylo, yhi = -height / 2 - 0.45, height / 2 + 0.25 + (0.5 if title else 0)
    scale = 1.15  # inches per layout unit
    legend_h = 0.16 * legend_lines + 0.15
    if figsize is None:
        figsize = ((xhi - xlo) * scale, (yhi - ylo) * scale + legend_h)
    fig_w, fig_h = figsize

    # an explicit family list (not "sans-serif") makes matplotlib fall back glyph by glyph to the CJK font
    rc: Any = {"font.family": families, "svg.fonttype": "none", "svg.hashsalt": "egovsem", "pdf.fonttype": 42,
          "axes.unicode_minus": False}
    with matplotlib.rc_context(rc), _quiet_fonts():
        fig = Figure(figsize=figsize, dpi=dpi)
        ax = fig.add_axes((0.0, legend_h / fig_h, 1.0, 1.0 - legend_h / fig_h))
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.set_xlim(xlo, xhi)
        ax.set_ylim(ylo, yhi)
        if title:
            ax.text((xlo + xhi) / 2, yhi - 0.25, title, ha="center", va="center", fontsize=12)

        for n, (x, y) in xy.items():
            rect = n not in lv
            if rect:
                ax.add_patch(FancyBboxPatch((x - half[0], y - half[1]), 2 * half[0], 2 * half[1],
                                            boxstyle="square,pad=0", fc="white", ec="black", lw=1.1, zorder=3))
            else:
                ax.add_patch(Ellipse((x, y), 2 * half[0], 2 * half[1], fc="white", ec="black", lw=1.1, zorder=3))
            name = lab.get(n, (None, None))[0 if lang == "en" else 1] if names else None
            if name:
                ax.text(x, y + 0.11, n, ha="center", va="center", fontsize=10, fontweight="bold", zorder=4)
                wrapped = "\n".join(textwrap.wrap(name, 18 if lang == "en" else 8)[:3])
                ax.text(x, y - 0.15, wrapped, ha="center", va="center", fontsize=6.5, zorder=4, linespacing=1.0)
            else:
                ax.text(x, y, n, ha="center", va="center", fontsize=10, fontweight="bold", zorder=4)
            if show_r2 and r2 is not None and n in getattr(r2, "index", ()):
                ax.text(x, y - half[1] - 0.13, f"R\u00b2 = {apa_number(float(r2[n]), digits, bounded=True)}",
                        ha="center", va="center", fontsize=7, style="italic", zorder=4)

        # R-squared texts are obstacles for the coefficient labels too
        placed: list[tuple[float, float]] = [(x, y - half[1] - 0.13) for n, (x, y) in xy.items()
                                             if show_r2 and r2 is not None and n in getattr(r2, "index", ())]
        for r in reg.to_dict("records"):
            a, b = r["rhs"], r["lhs"]
            if a == b or a not in xy or b not in xy:
                continue
            p0, p1 = xy[a], xy[b]
            same_col = layer[b] == layer[a]
            s = _boundary(p0, half, p1, a not in lv)
            e = _boundary(p1, half, p0, b not in lv)
            rad = _route(s, e, [q for n, q in xy.items() if n not in (a, b)], half, same_col)
            p = float(r["pvalue"]) if r["pvalue"] == r["pvalue"] else float("nan")
            sig = p == p and p < 0.05
            arrow = FancyArrowPatch(s, e, arrowstyle="-|>", mutation_scale=11, lw=1.0 if sig else 0.9,
                                    linestyle="-" if sig else (0, (4, 3)), color="black",
                                    connectionstyle=f"arc3,rad={rad}", shrinkA=0, shrinkB=1, zorder=2)
            ax.add_patch(arrow)
            # the label goes at the first of several points along the arrow that is clear of every node
            # and of the labels already placed
            for t in (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8):
                mx, my = _bezier(s, e, rad, t)
                clear = all(((mx - x) / (half[0] + 0.25)) ** 2 + ((my - y) / (half[1] + 0.12)) ** 2 > 1
                            for x, y in xy.values())
                if clear and all(abs(mx - qx) > 0.55 or abs(my - qy) > 0.22 for qx, qy in placed):
                    break
            placed.append((mx, my))
            txt = apa_number(float(r["std.all"]), digits, bounded=True) + stars(p)
            if hypotheses and r.get("label"):
                from .tables._labels import hypothesis_name

                txt = f"{hypothesis_name(str(r['label']))}: {txt}"
            ax.text(mx, my, txt, ha="center", va="center", fontsize=8, zorder=5,
                    bbox=dict(boxstyle="round,pad=0.12", fc="white", ec="none"))

        legend = ("Standardised coefficients (std.all). *** p < .001, ** p < .01, * p < .05; dashed: not "
                  "significant." if lang == "en" else
                  "标准化路径系数（std.all）。*** p < .001，** p < .01，* p < .05；虚线：不显著。")
        fig.text(0.015, 0.08 / fig_h, "\n".join([legend] + note_lines), ha="left", va="bottom", fontsize=7,
                 linespacing=1.35)
    if path is not None:
        save_figure(fig, path)
    return fig


@contextlib.contextmanager
def _quiet_fonts():
    """Silence matplotlib's "Failed to find font weight bold" log lines for the CJK fallback font."""
    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def save_figure(fig, path) -> list[Path]:
    """Write ``fig`` to one or more files (format by suffix: .png, .svg, .pdf) with fixed metadata, so the
    same figure gives the same bytes. Returns the paths."""
    import matplotlib

    paths = [path] if isinstance(path, (str, Path)) else list(path)
    out = []
    families, _ = font_families()
    for p in paths:
        p = Path(p)
        fmt = check_option("format", p.suffix.lower().lstrip("."), ("png", "svg", "pdf"))
        meta = {"png": {"Software": "egovsem"}, "svg": {"Date": None, "Creator": "egovsem"},
                "pdf": {"CreationDate": None, "ModDate": None, "Creator": "egovsem", "Producer": "egovsem"}}[fmt]
        rc: Any = {"font.family": families, "svg.fonttype": "none", "svg.hashsalt": "egovsem",
                              "pdf.fonttype": 42}
        with matplotlib.rc_context(rc), _quiet_fonts(), atomic_path(p) as tmp:
            fig.savefig(tmp, format=fmt, metadata=meta, bbox_inches=None)
        out.append(p)
    return out
