"""``egovsem run`` with ``ordered:`` (issue 12): the CFA and the hypothesis models of the run are WLSMV fits on
ordinal items; their numbers in results.json equal a direct ``egovsem.sem(..., ordered=True)`` WLSMV fit of the
same cleaned data (the engine's WLSMV is matched to lavaan in the ordinal reference tests), the methods text
names WLSMV, skipped parts are said, and bad values of the key are reported by name."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from egovsem._errors import EgovsemError
from egovsem.clean import clean
from egovsem.instruments import load_instrument
from egovsem.study.config import load_config
from egovsem.study.pipeline import _blocks, run_study

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "example" / "raw_export.csv"
INST = ROOT / "instruments" / "egov_study.yaml"


def _config(tmp_path: Path, **extra) -> Path:
    d = {"raw": str(RAW), "instrument": str(INST), "id": "id", "duration": "duration", "models": ["value_net"],
         "ordered": True, "missing": "listwise", "bootstrap": 0, "out": str(tmp_path / "out"),
         "formats": ["md", "csv"], "lang": "both", "example": True, "figure_formats": ["svg"]}
    d.update(extra)
    d = {k: v for k, v in d.items() if v is not None}  # None: the key left out
    p = tmp_path / "study.yaml"
    p.write_text(json.dumps(d), encoding="utf-8")  # JSON is YAML
    return p


def _same(a, b, key):
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        assert (a is None or (isinstance(a, float) and math.isnan(a))) and \
            (b is None or (isinstance(b, float) and math.isnan(b))), (key, a, b)
    else:
        assert abs(a - b) <= 1e-9 * max(1.0, abs(b)), (key, a, b)


def test_run_ordered_equals_direct_wlsmv_fits(tmp_path):
    import egovsem
    from egovsem.tables import cfa_syntax

    res = run_study(_config(tmp_path))
    out = tmp_path / "out"
    d = json.loads((out / "results.json").read_text(encoding="utf-8"))
    # the same cleaning, done directly
    inst = load_instrument(INST)
    data = clean(RAW, inst, id="id", duration="duration").data
    assert data.equals(res.clean.data)
    text = res.config.model_text("value_net")
    direct = egovsem.sem(text, data, ordered=True, missing="listwise")
    assert direct.estimator == "WLSMV" and d["models"]["value_net"]["estimator"] == "WLSMV"
    fm = d["models"]["value_net"]["fit"]
    for k in ("chisq", "df", "chisq.scaled", "cfi.scaled", "rmsea.scaled", "cfi.robust", "srmr"):
        _same(fm[k], float(direct.fit_measures[k]), k)
    ours = {(r["lhs"], r["op"], r["rhs"]): r for r in d["params"]}
    ref = direct.params
    assert len(ours) == len(ref) and (ref["op"] == "|").any()  # thresholds are estimated
    for r in ref.to_dict("records"):
        o = ours[(r["lhs"], r["op"], r["rhs"])]
        for k in ("est", "se", "std.all"):
            _same(o[k], r[k], (r["lhs"], r["op"], r["rhs"], k))
    cfa = egovsem.sem(cfa_syntax(_blocks(text)), data, ordered=True, missing="listwise")
    cf = d["measurement"]["cfa_fit"]
    for k in ("chisq", "df", "chisq.scaled", "cfi.scaled", "rmsea.scaled", "srmr"):
        _same(cf[k], float(cfa.fit_measures[k]), k)
    lam = cfa.params[cfa.params["op"] == "=~"]
    run_lam = res.cfa.params[res.cfa.params["op"] == "=~"]
    for a, b in zip(run_lam.to_dict("records"), lam.to_dict("records")):
        assert (a["lhs"], a["rhs"]) == (b["lhs"], b["rhs"])
        for k in ("est", "se", "std.all"):
            _same(a[k], b[k], (a["lhs"], a["rhs"], k))
    # the text names WLSMV; the skipped recovery table is said in the tables' notes and the results
    assert "WLSMV" in (out / "methods_en.md").read_text(encoding="utf-8")
    assert "WLSMV" in (out / "methods_zh.md").read_text(encoding="utf-8")
    assert not (out / "recovery.csv").exists()
    assert any("recovery table" in n for n in d["notes"])
    fit_md = next((out / "tables" / "en").glob("*fit*.md")).read_text(encoding="utf-8")
    assert "WLSMV" in fit_md and "recovery table" in fit_md


def test_ordered_config_errors(tmp_path):
    with pytest.raises(EgovsemError, match="'missing'.*fiml.*ordered"):
        load_config(_config(tmp_path, missing="fiml"))
    with pytest.raises(EgovsemError, match="'ordered'"):
        load_config(_config(tmp_path, ordered=[1, 2]))
    with pytest.raises(EgovsemError, match="'estimator'"):
        load_config(_config(tmp_path, estimator="MLR"))
    with pytest.raises(EgovsemError, match="'missing'"):
        load_config(_config(tmp_path, ordered=False, missing="pairwise"))
    assert load_config(_config(tmp_path, missing=None)).missing == "listwise"
    with pytest.raises(EgovsemError, match="'ordered' key .* 'NOPE', which is not an item of the instrument"):
        run_study(_config(tmp_path, ordered=["NOPE"]))


def test_run_ordered_notes_an_empty_category_and_continues(tmp_path):
    """Invariance across all three respondent types: some item's category is never chosen in one group
    (e.g. VC1 = 1 among resp_type 3), so multi-group WLSMV cannot be fitted (lavaan stops too). The run
    says so in en and zh (notes, methods text), writes no invariance table, and finishes every other part."""
    from egovsem._errors import EmptyCategoryError
    from egovsem.sem.wls_mg import fit_wlsmv_multigroup
    from egovsem.tables import cfa_syntax

    res = run_study(_config(tmp_path, invariance="resp_type"))
    out = tmp_path / "out"
    notes = dict(res.notes)
    assert "invariance" in notes and res.invariance is None
    en, zh = notes["invariance"]
    # the same error, raised directly on the run's data
    text = res.config.model_text("value_net")
    with pytest.raises(EmptyCategoryError) as info:
        fit_wlsmv_multigroup(cfa_syntax(_blocks(text)), res.data, True, group="resp_type")
    e = info.value
    assert f"no respondent chose category {e.empty[0]} of the ordinal item {e.item}" in en
    assert "resp_type = " + str(e.group_label) in en and "Measurement invariance by resp_type is not tested" in en
    assert f"有序题项{e.item}的类别{e.empty[0]}" in zh and "未检验按resp_type的测量不变性" in zh
    d = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert en in d["notes"] and "invariance" not in d
    assert d["models"]["value_net"]["estimator"] == "WLSMV"
    assert not list((out / "tables" / "en").glob("*invariance*"))
    methods_en = (out / "methods_en.md").read_text(encoding="utf-8")
    methods_zh = (out / "methods_zh.md").read_text(encoding="utf-8")
    assert en in methods_en and zh in methods_zh
    assert "Wu-Estabrook" not in methods_en  # not claimed


def _derived_export(tmp_path: Path, n_attentive: int = 1500) -> Path:
    """A larger SIMULATED export from the example's generator (its seed, ``n_attentive`` attentive respondents
    instead of 552): every category of every item is chosen in each of the three respondent types, so the
    multi-group WLSMV models can be fitted. data/example/raw_export.csv is not touched."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_raw_export", ROOT / "data" / "example" / "make_raw_export.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    raw, _truth = mod.make(n_attentive=n_attentive)
    p = tmp_path / "raw_export_large.csv"
    raw.to_csv(p, index=False, encoding="utf-8")
    return p


@pytest.mark.slow
def test_run_ordered_invariance_completes_and_equals_direct_call(tmp_path):
    """``ordered: true`` + ``invariance: resp_type`` on a derived export large enough for every category in
    every group: the run fits the Wu-Estabrook (2016) sequence; its table (results.json, tables/en, tables/zh)
    has the four steps, and chisq.scaled, df and the scaled-shifted difference tests equal a direct
    ``egovsem.measure.invariance(..., ordered=True)`` call on the run's cleaned data with the same syntax (the
    WLSMV difference test itself is matched to lavaan's lavTestLRT in tests/test_invariance_ordinal.py)."""
    from egovsem.measure import invariance
    from egovsem.tables import cfa_syntax

    steps = ("configural", "thresholds", "loadings", "intercepts")
    raw = _derived_export(tmp_path)
    res = run_study(_config(tmp_path, raw=str(raw), invariance="resp_type"))
    out = tmp_path / "out"
    assert res.invariance is not None and "invariance" not in dict(res.notes)
    syntax = cfa_syntax(_blocks(res.config.model_text("value_net")))
    direct = invariance(syntax, res.data, "resp_type", estimator="WLSMV", missing="listwise", ordered=True,
                        steps=steps)
    d = json.loads((out / "results.json").read_text(encoding="utf-8"))
    inv = d["invariance"]
    assert inv["group"] == "resp_type" and inv["model"] == "value_net"
    assert sum(inv["n"].values()) == int(res.data["resp_type"].notna().sum()) and len(inv["n"]) == 3
    assert [s["step"] for s in inv["steps"]] == list(steps) == list(direct["step"])
    for s, r in zip(inv["steps"], direct.to_dict("records")):
        for k in ("chisq", "df", "chisq.scaled", "scaling.factor", "cfi", "rmsea", "chisq_diff", "df_diff",
                  "p_diff", "delta_cfi"):
            _same(s[k], None if r[k] is None or (isinstance(r[k], float) and math.isnan(r[k])) else float(r[k]),
                  (s["step"], k))
    assert inv["steps"][0]["chisq_diff"] is None
    assert all(s["df_diff"] > 0 and 0 <= s["p_diff"] <= 1 for s in inv["steps"][1:])
    # the tables, in en and zh: four rows, the step names, the difference tests as in results.json
    for lang, names in (("en", ["Configural", "Thresholds", "Loadings", "Intercepts"]),
                        ("zh", ["构形不变性", "阈值不变性", "载荷不变性", "截距不变性"])):
        f = next((out / "tables" / lang).glob("*_invariance.csv"))
        t = pd.read_csv(f, comment="#", encoding="utf-8-sig", dtype=str)
        assert list(t.iloc[:, 0]) == names, (lang, list(t.iloc[:, 0]))
        assert [int(v) for v in t.iloc[:, 2]] == [int(s["df"]) for s in inv["steps"]]
        # the scaled chi-square of each step (as the fit table reports WLSMV fits), not the DWLS statistic
        assert list(t.iloc[:, 1]) == [f"{s['chisq.scaled']:.2f}" for s in inv["steps"]]
        assert [t.iloc[i, 5] for i in range(1, 4)] == [f"{s['chisq_diff']:.2f}" for s in inv["steps"][1:]]
        text = f.read_text(encoding="utf-8-sig")
        assert "Wu-Estabrook" in text and "WLSMV" in text
        assert ("Scaled chi-square" if lang == "en" else "校正卡方") in text
    for lang in ("en", "zh"):
        methods = (out / f"methods_{lang}.md").read_text(encoding="utf-8")
        assert "Wu-Estabrook" in methods and "WLSMV" in methods, lang
    zh = (out / "methods_zh.md").read_text(encoding="utf-8")
    assert "阈值不变性：Δχ²(" in zh and "截距不变性：" in zh and "thresholds：" not in zh  # the steps named in zh


@pytest.mark.slow
def test_run_ordered_with_pairwise_fits_invariance_and_says_how(tmp_path):
    """``ordered: true`` + ``missing: pairwise`` + ``invariance:``: the run finishes (its HTMT from the pairwise
    correlations, semTools' ``htmt(missing = "pairwise")``, noted in en and zh) and fits the Wu-Estabrook
    sequence with lavaan's pairwise first stage in each group (skipped with a note until multi-group WLSMV took
    pairwise deletion; matched to lavaan in tests/test_wlsmv_pairwise_mg.py and
    tests/test_invariance_ordinal_mixed.py); the table equals a direct ``invariance(..., missing="pairwise")``."""
    from egovsem.measure import invariance
    from egovsem.tables import cfa_syntax

    raw = _derived_export(tmp_path)
    res = run_study(_config(tmp_path, raw=str(raw), invariance="resp_type", missing="pairwise"))
    assert res.invariance is not None and "invariance" not in dict(res.notes)
    assert res.htmt is not None and res.htmt.attrs["missing"] == "pairwise"
    syntax = cfa_syntax(_blocks(res.config.model_text("value_net")))
    direct = invariance(syntax, res.data, "resp_type", estimator="WLSMV", missing="pairwise", ordered=True)
    for a, b in zip(res.invariance.to_dict("records"), direct.to_dict("records")):
        assert a["step"] == b["step"]
        for k in ("chisq", "df", "chisq.scaled", "chisq_diff"):
            if isinstance(b[k], float) and math.isnan(b[k]):
                assert math.isnan(a[k]), (a["step"], k)
            else:
                _same(float(a[k]), float(b[k]), (a["step"], k))
    out = tmp_path / "out"
    for lang, word in (("en", "pairwise-complete"), ("zh", "成对完整")):
        f = next((out / "tables" / lang).glob("*htmt*.csv"))
        assert word in f.read_text(encoding="utf-8-sig"), lang
