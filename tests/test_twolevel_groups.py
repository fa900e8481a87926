"""Multi-group two-level ML (egovsem.sem.twolevel_groups) against lavaan 0.6-14
(tests/reference/make_reference_twolevel_groups.R: Demo.twolevel, group = odd / even cluster number)."""
from __future__ import annotations

import json
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd
import pytest
from _twolevel_models import CFA, FIT_ALL, TUTORIAL, close
from egovsem._errors import DataError, EgovsemError, ModelSyntaxError, NotAvailableError

REF = Path(__file__).parent / "reference" / "twolevel_groups"

FIT = FIT_ALL


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "demo_groups.csv")


@pytest.mark.parametrize("case, model", [("tutorial", TUTORIAL), ("cfa", CFA)])
def test_multigroup_twolevel_matches_lavaan(data: pd.DataFrame, case: str, model: str) -> None:
    fit = egovsem.sem(model, data, cluster="cluster", group="g")
    assert fit.converged
    assert fit.inspect("group.label") == ["odd", "even"]
    ref = pd.read_csv(REF / f"{case}_params.csv", keep_default_na=False, na_values=[""])
    pe = fit.parameter_estimates()
    got = {(r.lhs, r.op, r.rhs if isinstance(r.rhs, str) else "", r.group, int(r.level)): (r.est, r.se, r.block)
           for r in pe.itertuples()}
    assert len(got) == len(pe) == len(ref)
    for r in ref.itertuples():
        key = (r.lhs, r.op, r.rhs if isinstance(r.rhs, str) else "", r.group, int(r.level))
        assert key in got, key
        est, se, block = got[key]
        assert block == r.block, key
        assert close(est, r.est, 1e-3), (key, est, r.est)
        if r.se > 0:
            assert abs(se - r.se) <= 1e-2 * r.se, (key, se, r.se)
        else:
            assert se == 0, key
    fm = pd.read_csv(REF / f"{case}_fit.csv").set_index("measure")["value"]
    for k in FIT:
        assert close(float(fit.fit_measures[k]), float(fm[k]), 1e-3), (k, fit.fit_measures[k], fm[k])
    icc = pd.read_csv(REF / f"{case}_icc.csv")
    mine = fit.inspect("icc")
    for g, sub in icc.groupby("group", sort=False):
        assert list(mine[g].index) == list(sub["variable"])
        np.testing.assert_allclose(mine[g].to_numpy(), sub["icc"].to_numpy(), atol=1e-3)


def test_group_blocks_in_the_model_text_give_the_same_fit(data: pd.DataFrame) -> None:
    """lavaan's own form ('group: odd' / 'group: even' before each group's level blocks) equals the plain text."""
    plain = egovsem.sem(TUTORIAL, data, cluster="cluster", group="g")
    blocks = egovsem.sem(f"group: odd\n{TUTORIAL}\ngroup: even\n{TUTORIAL}", data, cluster="cluster", group="g")
    np.testing.assert_allclose(blocks.parameter_estimates()["est"], plain.parameter_estimates()["est"], atol=1e-8)
    assert abs(blocks.fit_measures["chisq"] - plain.fit_measures["chisq"]) < 1e-8


def test_multigroup_twolevel_bad_input(data: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="group = 'nope'"):
        egovsem.sem(TUTORIAL, data, cluster="cluster", group="nope")
    d = data.copy()
    d.loc[d.index[0], "g"] = "even"  # cluster 1 now spans both groups
    with pytest.raises(DataError, match=r"cluster 1 of 'cluster' lies in more than one group .*data rows \[1, 2"):
        egovsem.sem(TUTORIAL, d, cluster="cluster", group="g")
    d = data.copy()
    d.loc[d.index[3], "g"] = np.nan
    with pytest.raises(DataError, match=r"missing group values in data rows \[4\]"):
        egovsem.sem(TUTORIAL, d, cluster="cluster", group="g")
    with pytest.raises(EgovsemError, match="group_equal = 'loadings' is not available"):
        egovsem.sem(TUTORIAL, data, cluster="cluster", group="g", group_equal="loadings")
    with pytest.raises(ModelSyntaxError, match="'group: north' is not a group of the data"):
        egovsem.sem(f"group: north\n{TUTORIAL}\ngroup: even\n{TUTORIAL}", data, cluster="cluster", group="g")
    with pytest.raises(ModelSyntaxError, match=r"no 'group:' block for the groups \['even'\]"):
        egovsem.sem(f"group: odd\n{TUTORIAL}", data, cluster="cluster", group="g")


def test_cli_fit_multigroup_twolevel_and_inspect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from egovsem.cli import main
    from egovsem.sem.inspect import inspect

    mfile = tmp_path / "m.lav"
    mfile.write_text(TUTORIAL, encoding="utf-8")
    rc = main(["fit", str(mfile), str(REF / "demo_groups.csv"), "--cluster", "cluster", "--group", "g",
               "--json", str(tmp_path / "fit.json")])
    assert rc == 0
    assert "chisq = 14.585, df = 20" in capsys.readouterr().out
    js = json.loads((tmp_path / "fit.json").read_text(encoding="utf-8"))
    assert {r["group"] for r in js["parameters"]} == {"odd", "even"}
    assert abs(js["fit_measures"]["logl"] - (-12068.78467)) < 1e-2
    fit = egovsem.sem(TUTORIAL, pd.read_csv(REF / "demo_groups.csv"), cluster="cluster", group="g")
    assert inspect(fit, "ngroups") == 2 and set(inspect(fit, "nclusters").values()) == {100}


def test_multigroup_twolevel_fiml_is_refused_because_lavaan_is_inconsistent() -> None:
    """lavaan 0.6-14's multi-group two-level FIML (fiml_*.csv) reports chisq = 0 and the same
    fixed.x moments in both groups: no reference to match, so egovsem refuses with a clear message."""
    fm = pd.read_csv(REF / "fiml_fit.csv").set_index("measure")["value"]
    assert fm["chisq"] == 0 and fm["df"] == 20
    pe = pd.read_csv(REF / "fiml_params.csv")
    w12 = pe[(pe["lhs"] == "w1") & (pe["op"] == "~~") & (pe["rhs"] == "w2")]["est"].to_numpy()
    assert len(w12) == 2 and w12[0] == w12[1]
    d = pd.read_csv(Path(__file__).parent / "reference" / "twolevel" / "demo_missing10.csv")
    d["g"] = np.where(d["cluster"] % 2 == 1, "odd", "even")
    with pytest.raises(NotAvailableError, match="missing = 'ml' with group = and a two-level model is not available"):
        egovsem.sem(TUTORIAL, d, cluster="cluster", group="g", missing="ml")
