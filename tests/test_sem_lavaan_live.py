"""egovsem against lavaan run live on models beyond the committed references (slow; needs R with lavaan).

Each case writes its data and model, runs tests/reference/live_fit.R, and matches every row of
parameterEstimates() and fitMeasures() (tolerances of architecture.md).
"""
from __future__ import annotations

import shutil
import subprocess
import warnings
from pathlib import Path

import egovsem
import pandas as pd
import pytest
from _refcompare import compare_params, compare_series

pytestmark = [pytest.mark.slow, pytest.mark.needs_r]
ROOT = Path(__file__).parent.parent

HAS_R = shutil.which("Rscript") is not None and subprocess.run(
    ["Rscript", "-e", "library(lavaan)"], capture_output=True).returncode == 0 if shutil.which("Rscript") else False

POP = """
f1 =~ 0.8*a1 + 0.7*a2 + 0.6*a3
f2 =~ 0.7*b1 + 0.7*b2 + 0.6*b3
f3 =~ 0.8*c1 + 0.6*c2 + 0.7*c3
g  =~ 0.8*f1 + 0.7*f2 + 0.6*f3
y ~ 0.4*g + 0.2*x1
z ~ 0.3*y + 0.2*x2
x1 ~~ 0.3*x2
"""

CASES = {
    "second_order": ("f1 =~ a1 + a2 + a3\nf2 =~ b1 + b2 + b3\nf3 =~ c1 + c2 + c3\ng =~ f1 + f2 + f3", {}),
    "mimic_fixedx": ("f1 =~ a1 + a2 + a3\nf1 ~ x1 + x2\ny ~ f1", {}),
    "path_meanstructure": ("y ~ x1 + x2\nz ~ y + x2\nz ~ 1", {}),
    "labels_defined": ("f1 =~ a1 + a2 + a3\nf2 =~ b1 + b2 + b3\nf2 ~ a*f1\ny ~ b*f2 + c*f1\nab := a*b\n"
                       "tot := c + a*b\nratio := a*b/(c + a*b)", {}),
    "std_lv_sem": ("f1 =~ a1 + a2 + a3\nf2 =~ b1 + b2 + b3\nf2 ~ f1\ny ~ f2", {"std_lv": True}),
    "fixed_values": ("f1 =~ 1*a1 + 0.9*a2 + NA*a3\nf2 =~ b1 + b2 + b3\nf1 ~~ 0.5*f2\na1 ~~ a2", {}),
    "single_indicator": ("f1 =~ a1 + a2 + a3\nf2 =~ y\nf2 ~ f1\nz ~ f2", {}),
    "mlr_sem": ("f1 =~ a1 + a2 + a3\nf2 =~ b1 + b2 + b3\nf2 ~ f1\ny ~ f2 + x1", {"estimator": "MLR"}),
    "fiml_sem": ("f1 =~ a1 + a2 + a3\nf2 =~ b1 + b2 + b3\nf2 ~ f1\ny ~ f2", {"missing": "fiml"}),
}
R_OPTS = {"std_lv": "std.lv=TRUE", "estimator": "estimator=MLR", "missing": "missing=ml"}


@pytest.fixture(scope="module")
def data():
    df = egovsem.simulate_data(POP, 400, seed=99)
    miss = df.copy()
    rng = __import__("numpy").random.default_rng(5)
    for c in ["a1", "a2", "b1", "b3", "y"]:
        miss.loc[rng.random(len(miss)) < 0.08, c] = float("nan")
    return df, miss


@pytest.mark.skipif(not HAS_R, reason="Rscript with the lavaan package is not installed")
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_lavaan_live(case, data, tmp_path):
    model, opts = CASES[case]
    df = data[1] if opts.get("missing") == "fiml" else data[0]
    (tmp_path / "m.lav").write_text(model + "\n")
    df.to_csv(tmp_path / "d.csv", index=False)
    ropts = [R_OPTS[k] for k in opts]
    subprocess.run(["Rscript", str(ROOT / "tests/reference/live_fit.R"), str(tmp_path / "m.lav"),
                    str(tmp_path / "d.csv"), str(tmp_path), *ropts], check=True, cwd=ROOT, capture_output=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.sem(model, pd.read_csv(tmp_path / "d.csv"), **opts)
    ref_p = pd.read_csv(tmp_path / "params.csv", keep_default_na=False, na_values=[""])
    problems = compare_params(fit.params, ref_p)
    ref_f = pd.read_csv(tmp_path / "fit.csv", keep_default_na=False, na_values=[""])
    ref_f = pd.Series(ref_f["value"].to_numpy(), index=ref_f["measure"])
    problems += compare_series(fit.fit_measures, ref_f)
    assert not problems, "\n".join(problems)
