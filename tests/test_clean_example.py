"""Acceptance on the simulated example export (data/example/raw_export.csv, made by make_raw_export.py)."""
from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pandas as pd
import pytest
from egovsem.clean import clean, write_outputs
from egovsem.instruments import load_instrument

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"
RAW = EXAMPLE / "raw_export.csv"
TRUTH = EXAMPLE / "careless_truth.csv"


@pytest.fixture(scope="module")
def result():
    return clean(RAW, load_instrument(), id="id", duration="duration")


def test_planted_careless_excluded(result):
    truth = pd.read_csv(TRUTH)
    flags = result.flags.merge(truth, on="row", validate="one_to_one")
    assert (flags["id_x"] == flags["id_y"]).all()
    careless = flags[flags["careless_type"] != "attentive"]
    attentive = flags[flags["careless_type"] == "attentive"]
    assert len(careless) >= 0.08 * len(flags)
    assert careless["excluded"].mean() >= 0.90
    assert attentive["excluded"].mean() <= 0.03
    for kind in ("straightliner", "speeder", "random", "duplicate"):
        assert (careless["careless_type"] == kind).sum() > 0


def test_flow_adds_up(result):
    n = result.flow["n"].tolist()
    assert n[0] == len(pd.read_csv(RAW, usecols=["id"])) == len(result.flags)
    assert n[0] == sum(n[1:-1]) + n[-1]
    assert n[-1] == len(result.data)
    assert (result.audit["new"] == "excluded").sum() == n[0] - n[-1]


def test_every_file_says_simulated():
    raw = pd.read_csv(RAW, dtype=str)
    truth = pd.read_csv(TRUTH, dtype=str)
    assert raw["id"].str.startswith("SIM-").all() and (raw["data_source"] == "simulated").all()
    assert (truth["data_source"] == "simulated").all()
    assert "SIMULATED" in (EXAMPLE / "make_raw_export.py").read_text(encoding="utf-8")


def test_example_outputs_no_phone_raw_unchanged(tmp_path, result):
    before = hashlib.sha256(RAW.read_bytes()).hexdigest()
    write_outputs(result, tmp_path)
    assert hashlib.sha256(RAW.read_bytes()).hexdigest() == before
    phones = pd.read_csv(RAW, dtype=str)["phone"].tolist()
    for p in tmp_path.iterdir():
        if p.suffix == ".parquet":
            continue
        text = p.read_text(encoding="utf-8")
        assert not any(ph in text for ph in phones), p.name


@pytest.mark.skipif(not (EXAMPLE / "population.lav").exists(), reason="population model not present")
def test_script_reproduces_the_committed_export():
    spec = importlib.util.spec_from_file_location("make_raw_export", EXAMPLE / "make_raw_export.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    raw, truth = mod.make()
    assert raw.to_csv(index=False) == RAW.read_text(encoding="utf-8")
    assert truth.to_csv(index=False) == TRUTH.read_text(encoding="utf-8")


def test_indices_separate_random_responders():
    """The continuous indices tell random responders from attentive ones on the example (truth known)."""
    res = clean(RAW, load_instrument(), id="id", duration="duration", critval=0.50)
    flags = res.flags.merge(pd.read_csv(TRUTH), on="row")
    med = flags.groupby("careless_type")[["mahad_p", "evenodd", "psychsyn", "irv", "longstring"]].median()
    assert med.loc["random", "mahad_p"] < 1e-3 < med.loc["attentive", "mahad_p"]
    assert med.loc["attentive", "evenodd"] < -0.5 and med.loc["random", "evenodd"] > -0.1
    assert med.loc["attentive", "psychsyn"] > 0.3 and med.loc["random", "psychsyn"] < 0.0
    # 56 = the 52 content items, ATT1 and the 3 marker items answered alike
    assert med.loc["straightliner", "irv"] == 0 and med.loc["straightliner", "longstring"] == 56
