"""egovsem.sem.ordinal against lavaan 0.6-14 run live on random survey-like data (slow; needs R).

    /work/venv/bin/python -m pytest -m slow tests/test_ordinal_lavaan_live.py

Each seed simulates a one-factor model with 3 to 8 Likert items (3, 4, 5 or 7 categories, skewed cut
points, sometimes coded with unused values) and up to 2 continuous variables, N = 150, 300 or 800; lavaan's
``wls.obs`` and ``gamma`` (``cfa(..., ordered = <items>, estimator = "WLSMV")``) are compared entry by
entry with the tolerances of tests/test_ordinal.py. Every entry is compared.

Not covered here (see the module docstring of egovsem.sem.ordinal): tables whose likelihood increases up
to |rho| = 1 (the non-empty cells lie on a monotone staircase). There the log-likelihood is flat to 1e-6
over a wide range of rho, lavaan's value is wherever nlminb stops, and egovsem's is near it, not equal.
"""
from __future__ import annotations

import shutil
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest
from egovsem._errors import EgovsemWarning
from egovsem.sem.ordinal import ordinal_stats

pytestmark = [
    pytest.mark.slow,
    pytest.mark.needs_r,
    pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript (with lavaan) is not installed"),
]

SEEDS = list(range(1, 31))

R_CODE = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(TRUE); dir <- args[1]
for (s in args[-1]) {
  d <- read.csv(file.path(dir, sprintf("d%s.csv", s)))
  ord <- names(d)[startsWith(names(d), "o")]
  fit <- suppressWarnings(cfa(paste("f =~", paste(names(d), collapse = " + ")), data = d,
                              ordered = ord, estimator = "WLSMV", do.fit = FALSE))
  w <- lavInspect(fit, "wls.obs")
  write.csv(data.frame(name = names(w), value = sprintf("%.12g", w)),
            file.path(dir, sprintf("w%s.csv", s)), row.names = FALSE)
  write.csv(lavInspect(fit, "gamma"), file.path(dir, sprintf("g%s.csv", s)), row.names = FALSE)
}
"""


def survey_data(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.choice([150, 300, 800]))
    p_ord = int(rng.integers(3, 9))
    p_num = int(rng.choice([0, 0, 1, 2]))
    p = p_ord + p_num
    lam = rng.uniform(0.4, 0.85, p)
    Z = np.outer(rng.normal(size=n), lam) + rng.normal(size=(n, p)) * np.sqrt(1 - lam ** 2)
    cols = {}
    for j in range(p_ord):
        k = int(rng.choice([3, 4, 5, 7]))
        cuts = np.sort(rng.normal(rng.uniform(-0.7, 0.7), 0.7, k - 1))
        cols[f"o{j + 1}"] = np.searchsorted(cuts, Z[:, j]) * int(rng.choice([1, 1, 2])) + 1
    for j in range(p_num):
        cols[f"c{j + 1}"] = np.round(rng.uniform(1, 20) * Z[:, p_ord + j] + 3, 6)
    return pd.DataFrame(cols)


@pytest.fixture(scope="module")
def lavaan_results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ordinal_live")
    for s in SEEDS:
        survey_data(s).to_csv(tmp / f"d{s}.csv", index=False)
    subprocess.run(["Rscript", "-e", R_CODE, str(tmp), *map(str, SEEDS)], check=True, capture_output=True)
    return tmp


@pytest.mark.parametrize("seed", SEEDS)
def test_random_survey_data_match_lavaan(seed, lavaan_results):
    d = pd.read_csv(lavaan_results / f"d{seed}.csv")
    ordered = [c for c in d.columns if c.startswith("o")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovsemWarning)
        st = ordinal_stats(d.to_numpy(float), list(d.columns), ordered)
    w = pd.read_csv(lavaan_results / f"w{seed}.csv")
    G = pd.read_csv(lavaan_results / f"g{seed}.csv").to_numpy()
    assert list(st.wls_names) == list(w["name"])
    ref = w["value"].to_numpy(float)
    assert np.max(np.abs(st.wls_obs - ref) / np.maximum(1.0, np.abs(ref))) < 1e-4
    big = np.abs(G) > 1e-6
    assert np.max(np.abs(st.gamma - G)[big] / np.abs(G[big])) < 1e-3
    assert np.max(np.abs(st.gamma - G)[~big], initial=0.0) < 1e-9
