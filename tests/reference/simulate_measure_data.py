"""Write tests/reference/measure/sim_survey.csv: the second reference data set of egovsem.measure.

A simulated survey (seed 20260611): 4 correlated constructs (TG, TI, PV, PI) with 4 five-point
agreement items each, N = 400. Item TI3 was worded in reverse (it loads negatively on TI) and is stored
already recoded (6 - response), so every item loads positively. About 2% of the cells are missing
completely at random, so that pairwise (psych::alpha) and listwise (lavaan, semTools::htmt) handling of
missing values are both exercised.

R (tests/reference/make_reference_measure.R) and Python (tests/test_measure.py) read the same bytes.
Run from the repository root:  python tests/reference/simulate_measure_data.py
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20260611
N = 400
CONSTRUCTS = ("TG", "TI", "PV", "PI")
# standardised loadings of the continuous responses underlying the items
LOADINGS = {
    "TG": (0.80, 0.75, 0.70, 0.65),
    "TI": (0.78, 0.72, -0.68, 0.60),  # TI3 reverse-worded: negative loading before recoding
    "PV": (0.85, 0.80, 0.74, 0.70),
    "PI": (0.82, 0.76, 0.66, 0.58),
}
PHI = np.array([
    [1.00, 0.55, 0.40, 0.45],
    [0.55, 1.00, 0.35, 0.40],
    [0.40, 0.35, 1.00, 0.50],
    [0.45, 0.40, 0.50, 1.00],
])
# thresholds of the 5-point scale: responses lean to "agree", as satisfaction surveys do
THRESHOLDS = np.array([-1.9, -1.0, -0.1, 0.9])
MISSING_RATE = 0.02
OUT = Path(__file__).parent / "measure" / "sim_survey.csv"


def simulate(seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    eta = rng.multivariate_normal(np.zeros(len(CONSTRUCTS)), PHI, size=N)
    cols = {}
    for k, c in enumerate(CONSTRUCTS):
        for j, lam in enumerate(LOADINGS[c]):
            y = lam * eta[:, k] + np.sqrt(1 - lam**2) * rng.standard_normal(N)
            # a reverse-worded item is answered on the reversed scale: its thresholds are mirrored
            item = 1 + np.searchsorted(THRESHOLDS if lam > 0 else -THRESHOLDS[::-1], y)
            if lam < 0:
                item = 6 - item  # recoded, as the cleaning step does
            cols[f"{c}{j + 1}"] = item.astype(float)
    df = pd.DataFrame(cols)
    miss = rng.random(df.shape) < MISSING_RATE
    df = df.mask(miss)
    df.insert(0, "id", np.arange(1, N + 1))
    return df


def main() -> None:
    df = simulate()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(OUT, index=False, na_rep="", float_format="%.0f", lineterminator="\n")
    print(f"wrote {OUT} ({len(df)} rows, {int(df.isna().sum().sum())} missing cells)")


if __name__ == "__main__":
    main()
