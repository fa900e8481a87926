"""Survey design in the study run (issue 13): ``weights`` / ``cluster`` of ``egovsem run``, design columns in
the cleaning, the tables' note, item ICCs against lavaan (``tests/reference/make_reference_icc.R``) and the
design comparison of the example (plain vs cluster-robust vs weighted paths, lavaan on the same data)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _refcompare import close, se_close
from egovsem._errors import EgovsemError
from egovsem.clean import DesignColumnError, clean
from egovsem.cli import main
from egovsem.instruments import load_instrument
from egovsem.measure.icc import icc, icc_item
from egovsem.study.config import load_config

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference" / "icc"
RAW = ROOT / "data" / "example" / "raw_export.csv"


# -- ICC against lavaan ----------------------------------------------------------------------------------
def _check_icc(ours: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert len(ref) and list(ours["item"]) == list(ref["item"])
    for o, r in zip(ours.to_dict("records"), ref.to_dict("records")):
        assert o["n"] == r["n"] and o["clusters"] == r["clusters"], r["item"]
        for k in ("mu", "sigma2_within", "tau2_between", "icc"):
            assert close(o[k], r[k], 1e-3), (r["item"], k, o[k], r[k])
        # lavInspect(fit, "icc") is lavaan's H1 fit, an EM stopped at its hard-coded tol = 1e-04
        # (lav_mvnorm_cluster_em_sat): up to 1.5e-3 above the exact ML value, hence 2e-3 here (see the R script)
        assert abs(o["icc"] - r["icc_h1"]) <= 2e-3, (r["item"], o["icc"], r["icc_h1"])
        assert o["converged"] and r["converged"]


def test_icc_matches_lavaan_on_demo_twolevel():
    d = pd.read_csv(REF / "demo_twolevel.csv")
    ref = pd.read_csv(REF / "demo_twolevel_icc.csv")
    _check_icc(icc(d, list(ref["item"]), "cluster"), ref)


def test_icc_matches_lavaan_on_the_simulated_example():
    d = pd.read_csv(REF / "example_clean.csv")
    ref = pd.read_csv(REF / "example_icc.csv")
    ours = icc(d, list(ref["item"]), "city")
    _check_icc(ours, ref)
    # the documented clustering of the simulated export: ICCs around .05-.10
    assert 0.05 <= ours["icc"].median() <= 0.10 and ours["icc"].min() > 0


def test_the_reference_data_are_the_cleaned_example():
    """example_clean.csv (read by the R script) is what egovsem.clean makes of the export today."""
    ref = pd.read_csv(REF / "example_clean.csv")
    r = clean(RAW, load_instrument(), id="id", duration="duration", weights="weight", cluster="city")
    got = r.data[list(ref.columns)].reset_index(drop=True)
    assert list(got["id"]) == list(ref["id"]) and list(got["city"]) == list(ref["city"])
    np.testing.assert_allclose(got.drop(columns=["id", "city"]).to_numpy(dtype=float),
                               ref.drop(columns=["id", "city"]).to_numpy(dtype=float), rtol=0, atol=1e-9)


def test_icc_at_the_boundary_has_the_closed_form():
    """Equal cluster means: the ML between-cluster variance is 0 (the boundary), and there the other two
    estimates have their closed forms, the mean and the total sum of squares over N (known truth; Newton's
    method stops there by the Kuhn-Tucker check instead of creeping towards tau2 = 0)."""
    rng = np.random.default_rng(7)
    groups = []
    for _ in range(12):
        e = rng.normal(size=rng.integers(3, 9))
        groups.append(e - e.mean() + 5.0)  # every cluster's mean is 5
    y = np.concatenate(groups)
    lab = np.repeat([f"c{c}" for c in range(12)], [g.size for g in groups])
    r = icc_item(y, lab)
    assert r["boundary"] and r["tau2_between"] == 0.0 and r["icc"] == 0.0 and r["converged"]
    assert r["mu"] == pytest.approx(5.0, abs=1e-12)
    assert r["sigma2_within"] == pytest.approx(float(((y - 5.0) ** 2).mean()), rel=1e-12)


def test_icc_balanced_design_has_the_anova_closed_form():
    """Balanced clusters (n each) with a positive between variance: the ML estimates are the closed forms
    sigma2 = MSW and tau2 = ((J - 1) / J MSB - MSW) / n (known truth for the one-way random-effects model)."""
    rng = np.random.default_rng(3)
    J, n = 15, 6
    y = (rng.normal(size=(J, 1)) + rng.normal(size=(J, n)) * 0.8).ravel()
    lab = np.repeat(np.arange(J), n)
    Y = y.reshape(J, n)
    msw = float(((Y - Y.mean(axis=1, keepdims=True)) ** 2).sum() / (J * (n - 1)))
    msb = float(n * ((Y.mean(axis=1) - y.mean()) ** 2).sum() / (J - 1))
    tau2 = ((J - 1) / J * msb - msw) / n
    assert tau2 > 0
    r = icc_item(y, lab)
    assert r["sigma2_within"] == pytest.approx(msw, rel=1e-8)
    assert r["tau2_between"] == pytest.approx(tau2, rel=1e-8)
    assert r["mu"] == pytest.approx(float(y.mean()), rel=1e-10)


def test_icc_item_bad_input():
    with pytest.raises(EgovsemError, match="at least 2 clusters"):
        icc_item([1.0, 2.0, 3.0], ["a", "a", "a"])
    with pytest.raises(EgovsemError, match="'cluster' argument 'nope'"):
        icc(pd.DataFrame({"y": [1.0, 2.0]}), ["y"], "nope")


def test_the_export_keeps_its_items_and_adds_the_design():
    """The design columns come from their own seeded stream: the generator's output is the committed file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_raw_export", ROOT / "data" / "example" / "make_raw_export.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    raw, _truth = mod.make()
    assert raw.to_csv(index=False, lineterminator="\n") == RAW.read_text(encoding="utf-8").replace("\r\n", "\n")
    committed = pd.read_csv(RAW)
    assert list(committed.columns[-2:]) == ["city", "weight"]
    assert committed["city"].nunique() == 30
    w = committed["weight"].astype(float)
    assert (w > 0).all()


# -- cleaning --------------------------------------------------------------------------------------------
def test_clean_keeps_design_columns_out_of_the_items(tmp_path):
    from egovsem.clean import write_outputs

    r = clean(RAW, load_instrument(), id="id", duration="duration", weights="weight", cluster="city")
    assert {"weight", "city"} <= set(r.data.columns)
    assert "weight" not in r.flags.columns and "city" not in r.flags.columns
    paths = write_outputs(r, tmp_path)
    audit = pd.read_csv(paths["audit.csv"], keep_default_na=False)
    rows = audit[audit["old"] == "design column"]
    assert list(rows["column"]) == ["weight", "city"] and set(rows["new"]) == {"kept"}
    assert "sampling weights): kept as read, not cleaned as an item" in rows["reason"].iloc[0]
    assert "design column (cluster): kept, not cleaned as a scale item" in rows["reason"].iloc[1]
    # no cell of the design columns was changed
    assert not ((audit["column"].isin(["weight", "city"])) & (audit["old"] != "design column")).any()
    rep = paths["report.md"].read_text(encoding="utf-8")
    assert "Design columns kept and not cleaned as items" in rep and "`city` (cluster; 30 clusters" in rep
    assert "`weight`" not in rep.split("Columns not in the instrument, not written:")[1].split("\n")[0]
    # without design columns nothing changes
    plain = clean(RAW, load_instrument(), id="id", duration="duration")
    assert "weight" not in plain.data.columns and not (plain.audit["old"] == "design column").any()


@pytest.mark.parametrize("rows, value, message", [
    ([4], 0, "has 1 zero, negative or infinite weight(s), at row(s) 5 (id 'SIM-0005'); weights must be positive"),
    ([2, 9], -1.5, "has 2 zero, negative or infinite weight(s), at row(s) 3 (id 'SIM-0003'), 10 (id 'SIM-0010')"),
    ([7], np.nan, "has 1 missing weight(s), at row(s) 8 (id 'SIM-0008'); every respondent needs a weight"),
    ([1], "heavy", "must be numeric; text at row(s) 2 (id 'SIM-0002')"),
])
def test_bad_weights_are_refused_with_column_and_rows(rows, value, message):
    raw = pd.read_csv(RAW)
    raw["weight"] = raw["weight"].astype(object)
    raw.loc[rows, "weight"] = value
    with pytest.raises(DesignColumnError) as err:
        clean(raw, load_instrument(), id="id", duration="duration", weights="weight")
    assert "The sampling-weight column 'weight' ('weights')" in str(err.value) and message in str(err.value)


def test_bad_design_columns_are_refused():
    inst = load_instrument()
    with pytest.raises(DesignColumnError, match="names the column 'citty', which the raw export lacks"):
        clean(RAW, inst, id="id", cluster="citty")
    with pytest.raises(DesignColumnError, match="'SG1' \\('weights'\\) is a scale item"):
        clean(RAW, inst, id="id", weights="SG1")
    with pytest.raises(DesignColumnError, match="'SG1' \\('cluster'\\) is a scale item"):
        clean(RAW, inst, id="id", cluster="SG1")
    raw = pd.read_csv(RAW)
    raw.loc[3, "city"] = None
    with pytest.raises(DesignColumnError, match="cluster column 'city' \\('cluster'\\) has 1 missing value"):
        clean(raw, inst, id="id", cluster="city")
    # a questionnaire item outside the scales (region) may be the cluster
    r = clean(RAW, inst, id="id", cluster="region")
    assert r.data["region"].nunique() == 3


# -- the run with weights and cluster ----------------------------------------------------------------------
def _config(tmp_path, **keys) -> Path:
    import yaml

    d = {"raw": str(RAW), "id": "id", "duration": "duration", "models": ["strategic_triangle"], "missing": "fiml",
         "bootstrap": 0, "out": "results", "formats": ["md", "csv"], "lang": "both", "figure_formats": ["svg"]}
    d.update(keys)
    p = tmp_path / "study.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return p


def _lavaan_paths(fit: str) -> pd.DataFrame:
    ref = pd.read_csv(REF / "example_design_paths.csv")
    return ref[ref["fit"] == fit].reset_index(drop=True)


def _check_paths(params: pd.DataFrame, ref: pd.DataFrame, est="est", se="se", p="pvalue") -> None:
    assert len(ref) == 6
    got = params.set_index(["lhs", "rhs"])
    for r in ref.to_dict("records"):
        o = got.loc[(r["lhs"], r["rhs"])]
        assert close(float(o[est]), r["est"], 1e-3), (r, o[est])
        assert se_close(float(o[se]), r["se"]), (r, o[se])
        assert close(float(o[p]), r["pvalue"], 1e-3), (r, o[p])


@pytest.fixture(scope="module")
def design_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("design")
    p = _config(tmp, weights="weight", cluster="city")
    assert main(["run", str(p), "--quiet"]) == 0
    return tmp / "results"


def test_run_with_weights_and_cluster_fits_every_model_with_the_design(design_run):
    out = design_run
    d = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert d["design"]["weights"] == "weight" and d["design"]["cluster"] == "city" and d["design"]["clusters"] == 30
    # the primary (weighted, cluster-robust) fit is lavaan's sem(..., sampling.weights = "weight", cluster = "city")
    prm = pd.DataFrame(d["params"])
    _check_paths(prm[prm["op"] == "~"], _lavaan_paths("weighted"))
    # the comparison: plain and cluster-robust refits beside it, as lavaan gives them
    comp = pd.DataFrame(d["design"]["comparison"]["paths"])
    _check_paths(comp, _lavaan_paths("plain"), est="est_plain", se="se_plain", p="p_plain")
    _check_paths(comp, _lavaan_paths("cluster"), est="est_plain", se="se_cluster", p="p_cluster")
    _check_paths(comp, _lavaan_paths("weighted"), est="est_weighted", se="se_weighted", p="p_weighted")
    # the CFA and the invariance-free run: every fit is robust (lavaan turns ML into MLR with a design)
    assert d["measurement"]["cfa_fit"]["chisq.scaled"] is not None


def test_tables_and_methods_say_the_design(design_run):
    out = design_run
    note_en = "Estimates weighted by weight; standard errors and test robust to clustering in city (30 clusters)."
    note_zh = "估计值以weight加权；标准误与检验统计量对city的整群抽样稳健（30个群）。"
    for name in ("02_measurement", "05_fit", "06_hypotheses_strategic_triangle", "07_indirect_strategic_triangle"):
        assert note_en in (out / "tables" / "en" / f"{name}.md").read_text(encoding="utf-8"), name
        assert note_zh in (out / "tables" / "zh" / f"{name}.md").read_text(encoding="utf-8"), name
    assert note_en not in (out / "tables" / "en" / "01_sample.md").read_text(encoding="utf-8")
    en = (out / "methods_en.md").read_text(encoding="utf-8")
    zh = (out / "methods_zh.md").read_text(encoding="utf-8")
    assert ("**Survey design.** Estimates were weighted by `weight` (normalised to sum to the sample size); "
            "standard errors and the test statistic were robust to clustering in `city` (30 clusters)") in en
    assert "估计值以`weight`加权（归一化至样本量）；标准误与检验统计量对`city`的整群抽样稳健（30个群）" in zh
    assert "Ignoring the clustering would have changed the standard errors" in en
    audit = pd.read_csv(out / "clean" / "audit.csv", keep_default_na=False)
    assert list(audit.loc[audit["old"] == "design column", "column"]) == ["weight", "city"]
    icc_tab = pd.read_csv(out / "tables" / "en" / "08_icc.csv", comment="#", encoding="utf-8-sig")
    ref = pd.read_csv(REF / "example_icc.csv").set_index("item")
    for r in icc_tab.to_dict("records"):
        if r["Item"] in ref.index:
            assert abs(float(r["ICC(1)"]) - ref.loc[r["Item"], "icc"]) <= 5e-4 + 1e-9


def test_design_config_messages_name_the_key_and_value(tmp_path):
    with pytest.raises(EgovsemError, match="The 'weights' key of study.yaml must be a column name or null. Got 5"):
        load_config(_config(tmp_path, weights=5))
    with pytest.raises(EgovsemError, match="'compare_weights' key of study.yaml must be given with 'cluster'"):
        load_config(_config(tmp_path, compare_weights="weight"))
    with pytest.raises(EgovsemError, match="gives both 'cluster' \\('city'\\) and 'compare_cluster'"):
        load_config(_config(tmp_path, cluster="city", compare_cluster="city"))
    with pytest.raises(EgovsemError, match="'cluster' key of study.yaml must be a column other than the weight"):
        load_config(_config(tmp_path, weights="weight", cluster="weight"))
    from egovsem.study.pipeline import run_study

    for key, msg in (("cluster", "The 'cluster' key of study.yaml names the column 'citty': The 'cluster' argument "
                                 "names the column 'citty', which the raw export lacks"),
                     ("weights", "The 'weights' key of study.yaml names the column 'wieght'")):
        cfg = load_config(_config(tmp_path, **{key: "citty" if key == "cluster" else "wieght"}))
        with pytest.raises(EgovsemError) as err:
            run_study(cfg)
        assert msg in str(err.value)
    # a zero weight in the export: the message names the key, the column and the row
    raw = pd.read_csv(RAW)
    raw.loc[4, "weight"] = 0
    raw.to_csv(tmp_path / "export.csv", index=False)
    cfg = load_config(_config(tmp_path, raw=str(tmp_path / "export.csv"), weights="weight"))
    with pytest.raises(EgovsemError) as err:
        run_study(cfg)
    assert ("The 'weights' key of study.yaml names the column 'weight': The sampling-weight column 'weight' "
            "('weights') has 1 zero, negative or infinite weight(s), at row(s) 5 (id 'SIM-0005')") in str(err.value)
