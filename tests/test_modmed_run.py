"""The moderated mediation of ``egovsem run --example`` (egovsem.study.modmed_run; config key
``moderated_mediation``) against lavaan 0.6-14 + semTools 0.5-6 (tests/reference/make_reference_modmed_run.R).

Data: tests/reference/modmed_run/clean_items.csv, the SG, PV, PI and TI items of the cleaned (SIMULATED) example
data the run fits (``test_fixture_is_the_runs_cleaned_data`` checks it is). Model: H9a SG -> PV -> PI with TI
moderating the second stage, product factor PVxTI by ``indProd(match = TRUE, doubleMC = TRUE)``, FIML
(``missing = "ml"``). Tolerances (architecture.md): estimates 1e-3 (relative where |x| > 1), delta-method SEs
1e-2 relative. Bootstrap percentile limits (B = 1000, seed 20261125, every resample refitted by FIML) against
lavaan's (B = 1000, its own resamples): two independent B = 1000 runs, so within Monte Carlo error: 0.4 bootstrap
SEs (lavaan's bootstrap SE of the row), the tolerance of tests/test_modmed.py (the MC sd of a 2.5% limit is about
0.085 SE per run for a normal bootstrap distribution, more for the heavier-tailed index).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd
import pytest
from egovsem._errors import DataError, EgovsemError
from egovsem.sem.modmed import moderated_mediation
from egovsem.study.config import example_config, load_config
from egovsem.study.example import EXAMPLE_SEED
from egovsem.study.modmed_run import (
    MODMED_DEFAULT,
    check_modmed_values,
    modmed_syntax,
    product_data,
)
from egovsem.study.pipeline import run_study

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference" / "modmed_run"
CONFIG = ROOT / "paper" / "example_config.yaml"
BLOCKS = {f: [f"{f}{i}" for i in range(1, 5)] for f in ("SG", "PV", "PI", "TI")}
NAMES = ("ind_lo", "ind_mid", "ind_hi")


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    return pd.read_csv(REF / "clean_items.csv")


@pytest.fixture(scope="module")
def spec() -> dict:
    return example_config("unused").moderated_mediation


def _fit(items, spec, **kw):
    d = product_data(items, spec, BLOCKS)
    fit = egovsem.sem(modmed_syntax(spec, BLOCKS), d, missing="fiml", **kw)
    sd = float(np.sqrt(fit.params.query("lhs == 'TI' and op == '~~' and rhs == 'TI'")["est"].iloc[0]))
    return fit, [-sd, 0.0, sd]


def test_example_config_has_the_issues_moderated_mediation(spec):
    assert spec == {**MODMED_DEFAULT}
    assert (spec["x"], spec["m"], spec["y"], spec["w"], spec["stage"]) == ("SG", "PV", "PI", "TI", "second")
    assert load_config(CONFIG).moderated_mediation == spec  # paper/example_config.yaml says the same
    # a run without the constructs (the strategic-triangle model alone) has none
    assert example_config("unused", models=["strategic_triangle"]).moderated_mediation is None


def test_fixture_is_the_runs_cleaned_data(items):
    """clean_items.csv is what egovsem run fits: the example export cleaned by the run's rules."""
    from egovsem.clean import clean
    from egovsem.instruments import load_instrument

    cfg = example_config("unused")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = clean(cfg.raw, load_instrument(), id=cfg.id, duration=cfg.duration, exclude=cfg.exclude,
                  invalid=cfg.invalid, weights=cfg.design_columns.get("weights"),
                  cluster=cfg.design_columns.get("cluster"))
    got = c.data[list(items.columns)].reset_index(drop=True).astype(float)
    pd.testing.assert_frame_equal(got, items.astype(float), check_dtype=False)


def test_product_indicators_and_syntax(items, spec):
    d = product_data(items, spec, BLOCKS)
    prods = [f"PV{i}.TI{i}" for i in range(1, 5)]  # semTools indProd names, matched pairs
    assert list(d.columns[-4:]) == prods
    np.testing.assert_allclose(np.nanmean(d[prods].to_numpy(), axis=0), 0.0, atol=1e-12)  # double-mean-centred
    syn = modmed_syntax(spec, BLOCKS)
    assert "PVxTI =~ PV1.TI1 + PV2.TI2 + PV3.TI3 + PV4.TI4" in syn
    assert "PI ~ b1*PV + b2*TI + b3*PVxTI + c1*SG" in syn and "PV ~ a1*SG" in syn


def test_conditional_indirect_effects_and_index_are_lavaans(items, spec):
    ref = pd.read_csv(REF / "defined.csv").set_index("lhs")
    vals = pd.read_csv(REF / "values.csv")["w"].to_numpy()
    fit, wv = _fit(items, spec)
    np.testing.assert_allclose(wv, vals, rtol=1e-3, atol=1e-6)
    res = moderated_mediation(fit, x="SG", m="PV", y="PI", w="TI", mw="PVxTI", values=vals)
    rows = [(name, res.effects["est"].iloc[i], res.effects["se"].iloc[i]) for i, name in enumerate(NAMES)]
    rows.append(("imm", res.index["est"].iloc[0], res.index["se"].iloc[0]))
    assert len(rows) == len(ref)  # every lavaan row matched
    for name, est, se in rows:
        r_est, r_se = ref.loc[name, "est"], ref.loc[name, "se"]
        assert abs(est - r_est) <= 1e-3 * max(1.0, abs(r_est)), name
        assert abs(se / r_se - 1) <= 1e-2, name


def test_paper_reports_the_reference_numbers():
    """paper/results.json (egovsem run --example --out paper) holds the numbers lavaan gives, and the paper's
    table and paragraph (en, zh) report them."""
    d = json.loads((ROOT / "paper" / "results.json").read_text(encoding="utf-8"))["moderated_mediation"]
    ref = pd.read_csv(REF / "defined.csv").set_index("lhs")
    assert (d["x"], d["m"], d["y"], d["w"], d["stage"], d["product"]) == ("SG", "PV", "PI", "TI", "second", "PVxTI")
    assert d["missing"] == "fiml" and d["matched"] and d["double_mean_centred"]
    for name, r in zip(NAMES, d["effects"]):
        assert abs(r["est"] - ref.loc[name, "est"]) <= 1e-3 and abs(r["se"] / ref.loc[name, "se"] - 1) <= 1e-2
    (idx,) = d["index"]
    assert abs(idx["est"] - ref.loc["imm", "est"]) <= 1e-3 and abs(idx["se"] / ref.loc["imm", "se"] - 1) <= 1e-2
    b = d["bootstrap"]
    assert b["draws"] == 1000 and b["B"] == 1000 and b["seed"] == EXAMPLE_SEED and b["ci"] == "percentile"
    assert b["refit"] == "FIML"
    tables = json.loads((ROOT / "paper" / "results.json").read_text(encoding="utf-8"))["tables"]
    t = next(t for t in tables if t["name"] == "moderated_mediation")
    stem = f"{t['number']:02d}_moderated_mediation"
    lo, hi = idx["boot.lower"], idx["boot.upper"]
    ci = f"[{lo:.3f}, {hi:.3f}]".replace("-", "\u2212")
    for lang in ("en", "zh"):
        for ext in ("md", "html", "tex", "csv"):
            assert (ROOT / "paper" / "tables" / lang / f"{stem}.{ext}").is_file()
        md = (ROOT / "paper" / "tables" / lang / f"{stem}.md").read_text(encoding="utf-8")
        assert ci in md
        text = (ROOT / "paper" / f"methods_{lang}.md").read_text(encoding="utf-8")
        assert ci in text and ("simulated" in text if lang == "en" else "模拟数据" in text)
    tex = (ROOT / "paper" / "tables" / "en" / f"{stem}.tex").read_text(encoding="utf-8")
    assert not sorted({ch for ch in tex if ord(ch) > 127}) and "SIMULATED DATA" in tex  # pdflatex: ASCII
    assert not [h for h in ("egovsem", "lavaan", "semTools", "config") if h in md]  # no software hints in notes
    assert "Index of moderated mediation" in (ROOT / "paper" / "tables" / "en" / f"{stem}.md").read_text("utf-8")
    assert "有调节的中介指数" in (ROOT / "paper" / "tables" / "zh" / f"{stem}.md").read_text("utf-8")


def test_bootstrap_percentile_within_mc_error_of_lavaan(items, spec):
    """The run's bootstrap (B = 1000, the example's seed, batched FIML refits) against lavaan's se = 'bootstrap'
    percentile limits of the same ':=' rows (B = 1000)."""
    ref = pd.read_csv(REF / "boot.csv").set_index("lhs")
    vals = pd.read_csv(REF / "values.csv")["w"].to_numpy()
    fit, _ = _fit(items, spec, se="bootstrap", bootstrap=1000, seed=EXAMPLE_SEED)
    res = moderated_mediation(fit, x="SG", m="PV", y="PI", w="TI", mw="PVxTI", values=vals)
    assert int(res.effects["nboot"].iloc[0]) == 1000 and int(ref["nboot"].iloc[0]) == 1000
    for i, name in enumerate(NAMES):
        tol = 0.4 * ref.loc[name, "se"]
        assert abs(res.effects["boot.lower"].iloc[i] - ref.loc[name, "ci.lower"]) <= tol, name
        assert abs(res.effects["boot.upper"].iloc[i] - ref.loc[name, "ci.upper"]) <= tol, name
    tol = 0.4 * ref.loc["imm", "se"]
    assert abs(res.index["boot.lower"].iloc[0] - ref.loc["imm", "ci.lower"]) <= tol
    assert abs(res.index["boot.upper"].iloc[0] - ref.loc["imm", "ci.upper"]) <= tol


# -- bad input in the config ----------------------------------------------------------------------------------
def _config(tmp_path, mm) -> Path:
    import yaml

    d = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    d.update(raw=str(ROOT / "data" / "example" / "raw_export.csv"), instrument=None, models=["value_net"], primary=None,
             moderated_mediation=mm)
    d.pop("bootstrap_models")
    p = tmp_path / "study.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return p


@pytest.mark.parametrize("mm, message", [
    ({"x": "SG", "m": "PV", "y": "PI", "w": "SG"},
     "The 'moderated_mediation' key of study.yaml names the moderator w = 'SG', which is also x = 'SG'"),
    ({"x": "SG", "m": "PV", "y": "PI", "w": "PV"},
     "The 'moderated_mediation' key of study.yaml names the moderator w = 'PV', which is also m = 'PV'"),
    ({"x": "SG", "m": "PV", "y": "PI", "w": "TI", "stage": "third"},
     "The 'moderated_mediation' key of study.yaml needs 'stage': 'first' (w moderates x -> m) or 'second' (w "
     "moderates m -> y). Got 'third' instead."),
    ({"x": "SG", "m": "PV", "y": "PI", "w": "TI", "values": ["low"]},
     "The 'moderated_mediation' key of study.yaml needs 'values'"),
    ({"x": "SG", "m": "PV", "y": "PI", "moderator": "TI"},
     "The 'moderated_mediation' key of study.yaml has the unknown entry 'moderator'"),
    ("TI", "The 'moderated_mediation' key of study.yaml must be a mapping {x, m, y, w, stage}"),
])
def test_config_messages_name_the_key_and_value(tmp_path, mm, message):
    with pytest.raises(EgovsemError) as err:
        load_config(_config(tmp_path, mm))
    assert message in str(err.value)


def test_a_moderator_not_in_the_models_stops_the_run_before_cleaning(tmp_path):
    p = _config(tmp_path, {"x": "SG", "m": "PV", "y": "PI", "w": "TRUST"})
    with pytest.raises(EgovsemError) as err:
        run_study(load_config(p, out=str(tmp_path / "out")))
    assert ("The 'moderated_mediation' key of study.yaml names w = 'TRUST', which is not a construct of the models "
            "(constructs: SG, VC, IF, SUP, INC, TI, TG, PV, PI).") in str(err.value)
    assert not (tmp_path / "out" / "clean").exists()


def test_a_moderator_value_outside_the_data_stops_the_run_before_fitting(tmp_path, items):
    p = _config(tmp_path, {"x": "SG", "m": "PV", "y": "PI", "w": "TI", "values": [-1, 0, 5]})
    with pytest.raises(DataError) as err:
        run_study(load_config(p, out=str(tmp_path / "out")))
    msg = str(err.value)
    assert msg.startswith("The 'moderated_mediation' key of study.yaml gives values [-1.0, 0.0, 5.0] (in SDs of TI); "
                          "[5.0] lie(s) outside the data's range of TI (the standardised mean of its items TI1, TI2, "
                          "TI3, TI4 runs from ")
    spec = {**MODMED_DEFAULT, "values": [-1.0, 1.0]}
    check_modmed_values(spec, items, BLOCKS, source="study.yaml")  # inside: no error


# -- the run's step, table and sentence -----------------------------------------------------------------------
class _Say:
    def __init__(self) -> None:
        self.said: list[str] = []

    def info(self, msg: str) -> None:
        self.said.append(msg)


def _run_step(items, **cfg_changes):
    from types import SimpleNamespace

    from egovsem.study.modmed_run import run_moderated_mediation
    from egovsem.study.pipeline import RunResult

    cfg = example_config("unused", **cfg_changes)
    res = RunResult(config=cfg, clean=SimpleNamespace(data=items))
    say = _Say()
    run_moderated_mediation(res, cfg.moderated_mediation, BLOCKS, dict(estimator=cfg.estimator, missing=cfg.missing),
                            say)
    return res, say


def test_run_step_without_bootstrap_has_delta_method_intervals(items):
    from egovsem.study.modmed_run import modmed_record, modmed_table, modmed_text

    res, say = _run_step(items, bootstrap=0)
    rec = res.modmed
    ref = pd.read_csv(REF / "defined.csv").set_index("lhs")
    assert rec["bootstrap"] == {"draws": 0} and "boot.lower" not in rec["effects"]
    t = modmed_table(rec)
    raw = t.to_frame(raw=True)
    assert list(raw["effect"]) == ["ind_-1", "ind_+0", "ind_+1", "index"]
    for got, name in zip(raw["b"], (*NAMES, "imm")):
        assert abs(got - ref.loc[name, "est"]) <= 1e-3
    lo, hi = raw["ci"].iloc[-1]
    idx = rec["index"].iloc[0]
    assert (lo, hi) == pytest.approx((idx["ci.lower"], idx["ci.upper"]))  # Wald, without bootstrap draws
    assert "95% CI: Wald (delta-method)." in " ".join(t.notes_en) and "Wald（delta法）" in " ".join(t.notes_zh)
    assert t.rows_zh[-1][0] == "有调节的中介指数" and t.rows_en[-1][0] == "Index of moderated mediation"
    en, zh = modmed_text(rec, True, simulated=True), modmed_text(rec, False, simulated=True)
    assert en is not None and zh is not None
    assert "Wald (delta-method)" in en and "simulated" in en and "模拟数据" in zh and "有调节的中介指数" in zh
    assert modmed_text(rec, True) is not None and "simulated" not in str(modmed_text(rec, True))
    js = modmed_record(rec)
    assert "seconds" not in js and json.dumps(js)  # JSON-ready, no timings
    assert any("moderated mediation SG -> PV -> PI by TI (second stage)" in s for s in say.said)


def test_run_step_first_stage_and_own_values(items):
    res, _ = _run_step(items, bootstrap=0, moderated_mediation={"x": "SG", "m": "PV", "y": "PI", "w": "TI",
                                                                "stage": "first", "values": [-1.5, 1.5]})
    rec = res.modmed
    assert rec["product"] == "SGxTI" and rec["product_indicators"] == [f"SG{i}.TI{i}" for i in range(1, 5)]
    assert "PV ~ a1*SG + a2*TI + a3*SGxTI" in rec["syntax"] and list(rec["effects"]["sd"]) == [-1.5, 1.5]
    sd = np.sqrt(rec["w_variance"])
    np.testing.assert_allclose(rec["effects"]["value"], [-1.5 * sd, 1.5 * sd])
