"""The package's shape (issue 10, item 5): no module imports another module's private (``_name``) names, and
the module-level import graph has no cycle (an import at module level that came back to its importer would
make the import order matter). Imports inside functions are the lazy dispatch of the results and table
classes (``Results.summary`` calls the report module, which imports ``Results``) and are not counted."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).parent.parent / "analysis" / "egovsem"


def _modules() -> dict[str, Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        parts = list(p.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def _target(module: str, path: Path, node: ast.ImportFrom) -> str:
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _relative_imports(tree: ast.AST, *, top_level: bool):
    nodes = ast.iter_child_nodes(tree) if top_level else ast.walk(tree)
    for n in nodes:
        if isinstance(n, ast.ImportFrom) and n.level:
            yield n


def test_no_private_names_across_modules():
    bad = []
    for mod, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _relative_imports(tree, top_level=False):
            tgt = _target(mod, path, node)
            bad += [f"{mod} imports {tgt}.{a.name}" for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__") and tgt != mod]
    assert not bad, "\n".join(bad)


def test_module_level_imports_have_no_cycle():
    mods = _modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _relative_imports(tree, top_level=True):
            tgt = _target(mod, path, node)
            for a in node.names:
                sub = f"{tgt}.{a.name}"
                if sub in mods:
                    edges[mod].add(sub)
                elif tgt in mods and tgt != mod:
                    edges[mod].add(tgt)
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(u: str, stack: list[str]) -> None:
        state[u] = 1
        stack.append(u)
        for v in sorted(edges[u]):
            # a package importing its own submodules (egovsem.sem -> egovsem.sem.model) is not a cycle
            # unless the submodule imports the package back, which the edge from the submodule shows
            if state.get(v) == 1:
                cycles.append(stack[stack.index(v):] + [v])
            elif v not in state:
                visit(v, stack)
        stack.pop()
        state[u] = 2

    for m in sorted(mods):
        if m not in state:
            visit(m, [])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_the_checks_can_fail(tmp_path):
    # the parser sees a private import and a two-module cycle in a made-up package
    src = "from .b import _hidden\n"
    tree = ast.parse(src)
    node = next(_relative_imports(tree, top_level=True))
    assert _target("pkg.a", tmp_path / "a.py", node) == "pkg.b" and node.names[0].name == "_hidden"


def test_tables_import_no_fitting_study_or_instrument_code_at_module_level():
    """The table builders take plain inputs (issue 10, item 5): egovsem.tables imports neither the fitting code
    (egovsem.sem), nor egovsem.measure, egovsem.study or egovsem.instruments at module level; ``model_tables``
    (which fits) is reached through the package's lazy ``__getattr__``."""
    bad = []
    for mod, path in _modules().items():
        if not mod.startswith("egovsem.tables"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _relative_imports(tree, top_level=True):
            tgt = _target(mod, path, node)
            if tgt.split(".")[:2] in (["egovsem", "sem"], ["egovsem", "measure"], ["egovsem", "study"],
                                      ["egovsem", "instruments"]):
                bad.append(f"{mod} imports {tgt}")
    assert not bad, "\n".join(bad)


def test_a_one_level_fit_imports_neither_scipy_stats_nor_the_two_level_module():
    """Start-up of a small `egovsem fit` (issue 17): scipy.stats costs about half a second to import, and only
    the two-level, LMS and table code need it; a one-level ML fit with its fit measures, or a WLSMV fit, must
    not pull it in (nor scipy.optimize, which only the conditional.x polychorics use)."""
    import subprocess
    import sys

    code = ("import sys, egovsem\n"
            "from egovsem.datasets import load\n"
            "fit = egovsem.sem('visual =~ x1 + x2 + x3', load('HolzingerSwineford1939'))\n"
            "fit.fit_measures; fit.params; fit.summary()\n"
            "hs = load('HolzingerSwineford1939')[['x1', 'x2', 'x3']].round().clip(2, 6)\n"
            "egovsem.sem('visual =~ x1 + x2 + x3', hs, ordered=True).fit_measures\n"
            "print(sorted(m for m in ('scipy.stats', 'scipy.optimize', 'egovsem.sem.twolevel', 'matplotlib')\n"
            "             if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
