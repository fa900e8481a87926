"""The seminr-py side of bench_pls_bootstrap.py: run with the python of a separate venv that has seminr-py.

seminr-py (PyPI ``seminr``, GPL-3.0) is never an egovsem dependency: bench_pls_bootstrap.py starts this file
with another interpreter (``SEMINR_PYTHON`` or ``--seminr-python``) and reads one JSON object from its
standard output. Only seminr-py's public API is called; nothing of it is copied.

Usage: ``python seminr_py_worker.py DATA.csv B SEED CORES``. The model is the corporate-reputation model of
Hair et al. (2017) (tests/_pls_models.py ``CORP_REP_EXT``): QUAL, PERF, CSOR, ATTR mode B; COMP, LIKE, CUSA,
CUSL mode A; path weighting; mean replacement of the code -99; seminr's defaults otherwise (300 iterations,
stop criterion 7).
"""
from __future__ import annotations

import csv
import json
import sys
import time

import numpy as np
from seminr import (
    bootstrap_model,
    composite,
    constructs,
    estimate_pls,
    mode_B,
    multi_items,
    paths,
    relationships,
    single_item,
)


def read_csv(path: str) -> tuple[list[str], np.ndarray]:
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    values = np.array([[float(x) if x not in ("", "NA") else np.nan for x in r] for r in rows[1:]])
    return rows[0], values


def model():
    mm = constructs(
        composite("QUAL", multi_items("qual_", range(1, 9)), weights=mode_B),
        composite("PERF", multi_items("perf_", range(1, 6)), weights=mode_B),
        composite("CSOR", multi_items("csor_", range(1, 6)), weights=mode_B),
        composite("ATTR", multi_items("attr_", range(1, 4)), weights=mode_B),
        composite("COMP", multi_items("comp_", range(1, 4))),
        composite("LIKE", multi_items("like_", range(1, 4))),
        composite("CUSA", single_item("cusa")),
        composite("CUSL", multi_items("cusl_", range(1, 4))),
    )
    sm = relationships(paths(["QUAL", "PERF", "CSOR", "ATTR"], ["COMP", "LIKE"]),
                       paths(["COMP", "LIKE"], ["CUSA", "CUSL"]), paths("CUSA", "CUSL"))
    return mm, sm


def sds(reps, key) -> dict[str, float]:
    """Bootstrap SDs (divisor B - 1) of every cell that varies, under egovsem's column names (a single item's
    loading and weight are 1 in every resample: left out)."""
    first = reps[0]
    arr = np.stack([r.values for r in reps])
    sd = arr.std(axis=0, ddof=1)
    out = {}
    for i, row in enumerate(first.rows):
        for j, col in enumerate(first.cols):
            if np.isfinite(sd[i, j]) and sd[i, j] > 1e-10:
                out[key(row, col)] = float(sd[i, j])
    return out


def main() -> None:
    data_path, boot, seed, cores = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    data = read_csv(data_path)
    mm, sm = model()
    bootstrap_model(estimate_pls(data, mm, sm, missing_value=-99), nboot=5, seed=seed)  # warm-up
    t0 = time.perf_counter()
    fit = estimate_pls(data, mm, sm, missing_value=-99)
    bt = bootstrap_model(fit, nboot=boot, seed=seed, cores=cores if cores > 1 else None)
    seconds = time.perf_counter() - t0
    pc = fit.path_coef
    est = {f"{c}~{r}": float(pc.values[i, j]) for i, r in enumerate(pc.rows) for j, c in enumerate(pc.cols)
           if pc.values[i, j] != 0}
    se: dict[str, float] = {}
    se.update(sds(bt.boot_paths, lambda r, c: f"{c}~{r}"))
    se.update(sds(bt.boot_loadings, lambda r, c: f"{c}=~{r}"))
    se.update(sds(bt.boot_weights, lambda r, c: f"{c}<~{r}"))
    se.update(sds(bt.boot_total_paths, lambda r, c: f"tot:{c}~{r}"))
    se.update(sds(bt.boot_htmt, lambda r, c: f"htmt:{r}~~{c}"))
    json.dump({"seconds": seconds, "boots": bt.boots, "fails": bt.fails, "est": est, "se": se}, sys.stdout)


if __name__ == "__main__":
    main()
