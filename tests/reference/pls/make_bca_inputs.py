"""Inputs of make_reference_bca.R: egovsem's bootstrap draws, estimates and jackknife values of three statistics
of the mobi4 model (path weighting; ``bootstrap=1000, seed=3``). Run from the repository root with egovsem's
python: ``python tests/reference/pls/make_bca_inputs.py``; then ``Rscript tests/reference/pls/make_reference_bca.R``."""
from __future__ import annotations

import sys
from pathlib import Path

import egovsem
import pandas as pd

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1]))
from _pls_models import MOBI4, mobi  # noqa: E402

STATS = ["Satisfaction~Image", "Image=~IMAG3", "htmt:Image~~Satisfaction"]


def inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    fit = egovsem.pls(MOBI4, mobi(), bootstrap=1000, seed=3)
    cols = list(fit.boot.columns)
    idx = [cols.index(s) for s in STATS]
    jack = pd.DataFrame(fit._jackknife[:, idx], columns=STATS)
    t0 = pd.Series(fit._point[idx], index=STATS)
    return fit.boot[STATS], jack, t0


if __name__ == "__main__":
    draws, jack, t0 = inputs()
    draws.to_csv(HERE / "bca_draws.csv", index=False, float_format="%.17g")
    jack.to_csv(HERE / "bca_jack.csv", index=False, float_format="%.17g")
    t0.rename("t0").to_csv(HERE / "bca_t0.csv", index_label="stat", float_format="%.17g")
