"""WLSMV (egovsem.sem.wls) against lavaan 0.6-14 run live on random survey-like data (slow; needs R).

    /work/venv/bin/python -m pytest -m slow tests/test_wlsmv_lavaan_live.py

Each seed simulates 2 or 3 correlated factors with 3 to 5 Likert items each (3, 4, 5 or 7 categories,
skewed cut points, sometimes coded with unused values), sometimes one continuous indicator per factor,
N = 200, 400 or 1000, and fits a CFA (or, for odd seeds, an SEM with the last factor regressed on the others;
std.lv for seeds divisible by 3) with ``cfa()/sem(..., ordered = <items>, estimator = "WLSMV")``. Every row
of ``parameterEstimates(fit, standardized = TRUE)`` and every ``fitMeasures(fit)`` value is compared with the
tolerances of tests/test_wlsmv.py.
"""
from __future__ import annotations

import shutil
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest
from _refcompare import compare_params, compare_series
from egovsem._errors import EgovsemWarning
from egovsem.sem.model import Model
from egovsem.sem.wls import fit_wlsmv

pytestmark = [
    pytest.mark.slow,
    pytest.mark.needs_r,
    pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript (with lavaan) is not installed"),
]

SEEDS = list(range(1, 21))

R_CODE = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(TRUE); dir <- args[1]
for (s in args[-1]) {
  d <- read.csv(file.path(dir, sprintf("d%s.csv", s)))
  model <- readLines(file.path(dir, sprintf("m%s.lav", s)))
  ord <- names(d)[startsWith(names(d), "o")]
  fit <- suppressWarnings(sem(model, data = d, ordered = ord, estimator = "WLSMV",
                              std.lv = as.integer(s) %% 3 == 0))
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$label)) pe$label <- ""
  write.csv(pe, file.path(dir, sprintf("pe%s.csv", s)), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = sprintf("%.12g", fm)),
            file.path(dir, sprintf("fm%s.csv", s)), row.names = FALSE)
}
"""


def survey(seed: int) -> tuple[pd.DataFrame, str]:
    rng = np.random.default_rng(seed)
    n = int(rng.choice([200, 400, 1000]))
    nf = int(rng.choice([2, 3]))
    mixed = rng.random() < 0.3
    phi = np.full((nf, nf), rng.uniform(0.2, 0.5))
    np.fill_diagonal(phi, 1.0)
    F = rng.multivariate_normal(np.zeros(nf), phi, size=n)
    cols, lines = {}, []
    k = 0
    for f in range(nf):
        names = []
        for j in range(int(rng.integers(3, 6))):
            lam = rng.uniform(0.5, 0.85)
            z = lam * F[:, f] + np.sqrt(1 - lam ** 2) * rng.normal(size=n)
            k += 1
            if mixed and j == 0:
                name = f"c{k}"
                cols[name] = np.round(rng.uniform(1, 10) * z + 3, 6)
            else:
                name = f"o{k}"
                ncat = int(rng.choice([3, 4, 5, 7]))
                cuts = np.sort(rng.normal(rng.uniform(-0.6, 0.6), 0.7, ncat - 1))
                cols[name] = np.searchsorted(cuts, z) * int(rng.choice([1, 1, 2])) + 1
            names.append(name)
        lines.append(f"F{f + 1} =~ " + " + ".join(names))
    if seed % 2:
        lines.append(f"F{nf} ~ " + " + ".join(f"F{f + 1}" for f in range(nf - 1)))
    return pd.DataFrame(cols), "\n".join(lines)


@pytest.fixture(scope="module")
def lavaan_results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wlsmv_live")
    for s in SEEDS:
        d, model = survey(s)
        d.to_csv(tmp / f"d{s}.csv", index=False)
        (tmp / f"m{s}.lav").write_text(model + "\n")
    subprocess.run(["Rscript", "-e", R_CODE, str(tmp), *map(str, SEEDS)], check=True, capture_output=True)
    return tmp


@pytest.mark.parametrize("seed", SEEDS)
def test_random_survey_fits_match_lavaan(seed, lavaan_results):
    d, model = survey(seed)
    ordered = [c for c in d.columns if c.startswith("o")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovsemWarning)
        fit = fit_wlsmv(Model(model, std_lv=seed % 3 == 0), d, ordered)
    pe = pd.read_csv(lavaan_results / f"pe{seed}.csv", keep_default_na=False, na_values=["", "NA"])
    fm = pd.read_csv(lavaan_results / f"fm{seed}.csv", keep_default_na=False, na_values=["", "NA"])
    assert compare_params(fit.params, pe) == []
    assert compare_series(fit.fit_measures, pd.Series(fm["value"].to_numpy(float), index=fm["measure"])) == []
