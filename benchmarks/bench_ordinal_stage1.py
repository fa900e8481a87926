"""Benchmark: the ordinal first stage of WLSMV, egovsem.sem.ordinal.ordinal_stats vs lavaan 0.6-14.

Same run, same data (written to a temporary CSV that both read). For lavaan two timings:
``lavCor(d, ordered = names(d))`` (thresholds + polychorics only) and its internal ``muthen1984(...,
WLS.W = TRUE)``, which computes what ``ordinal_stats`` computes (thresholds, correlations and Gamma).
Each time is the median of ``--repeat`` runs (after one warm-up run).

    /work/venv/bin/python benchmarks/bench_ordinal_stage1.py [--repeat 10]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from egovsem.sem.ordinal import ordinal_stats

ROOT = Path(__file__).resolve().parent.parent

R_CODE = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(TRUE); d <- read.csv(args[1]); reps <- as.integer(args[2])
ord <- names(d)[startsWith(names(d), "o")]
med <- function(f) { f(); median(replicate(reps, system.time(f())[["elapsed"]])) }
t1 <- med(function() lavCor(d, ordered = ord, output = "cor"))
types <- ifelse(names(d) %in% ord, "ordered", "numeric")
lev <- sapply(names(d), function(v) if (v %in% ord) length(unique(d[[v]])) else 0L)
Y <- as.matrix(d)
for (v in ord) Y[, v] <- as.integer(ordered(d[[v]]))
t2 <- med(function() lavaan:::muthen1984(Data = Y, ov.names = names(d), ov.types = types,
                                          ov.levels = lev, WLS.W = TRUE))
cat(sprintf('{"lavCor": %.5f, "muthen1984": %.5f}\n', t1, t2))
"""


def make_data(n: int, p_ord: int, p_num: int, ncat: int, seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = p_ord + p_num
    nf = max(1, p // 4)
    L = np.zeros((p, nf))
    for j in range(p):
        L[j, j % nf] = rng.uniform(0.5, 0.8)
    F = rng.multivariate_normal(np.zeros(nf), 0.3 + 0.7 * np.eye(nf), size=n)
    Z = F @ L.T + rng.normal(size=(n, p)) * np.sqrt(1 - (L ** 2).sum(1))
    cuts = np.sort(rng.normal(0, 0.8, (p_ord, ncat - 1)), axis=1)
    cols = {}
    for j in range(p_ord):
        cols[f"o{j + 1}"] = np.searchsorted(cuts[j], Z[:, j]) + 1
    for j in range(p_num):
        cols[f"c{j + 1}"] = np.round(3 + Z[:, p_ord + j], 6)
    return pd.DataFrame(cols)


def bench(d: pd.DataFrame, reps: int) -> dict:
    names = list(d.columns)
    ordered = [c for c in names if c.startswith("o")]
    X = d.to_numpy(float)
    ordinal_stats(X, names, ordered)
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        ordinal_stats(X, names, ordered)
        ts.append(time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "d.csv"
        d.to_csv(f, index=False)
        out = subprocess.run(["Rscript", "-e", R_CODE, str(f), str(reps)], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    return {"egovsem": float(np.median(ts)), **r}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=10)
    a = ap.parse_args()
    cases = {
        "HS 9 items x 4 cat, N=301 (data/hs_ordinal.csv)": pd.read_csv(ROOT / "data" / "hs_ordinal.csv").rename(
            columns=lambda c: "o" + c[1:]),
        "28 items x 5 cat, N=1000": make_data(1000, 28, 0, 5),
        "20 items x 7 cat + 8 continuous, N=1000": make_data(1000, 20, 8, 7),
    }
    print(f"{'case':45s} {'egovsem':>9s} {'lavCor':>9s} {'muthen1984':>11s}  (seconds, median of {a.repeat})")
    for name, d in cases.items():
        r = bench(d, a.repeat)
        print(f"{name:45s} {r['egovsem']:9.4f} {r['lavCor']:9.4f} {r['muthen1984']:11.4f}")


if __name__ == "__main__":
    main()
