"""Benchmark: FIML peak memory and time at N = 10^5 (issue 17).

Case: the 7-factor, 28-indicator model of bench_ml.py, N = 100,000 rows simulated (seed 2026) with 8% of
cells missing completely at random (seeded). Measured in process: the fit with standard errors (observed
information) and all fit measures; peak memory by ``tracemalloc`` (numpy registers its buffers with it)
and the process's peak resident set (``ru_maxrss``, which includes the interpreter and libraries).
The goal: memory that grows with missing-data patterns x variables², not rows x variables² (under 1 GB).

Run: ``python benchmarks/bench_fiml_memory.py [--n 100000] [--write]``.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import bench_ml  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    full = egovsem.simulate_data(bench_ml.population(), args.n, seed=2026)
    X = full.to_numpy().copy()
    X[np.random.default_rng(np.random.SeedSequence(8)).random(X.shape) < 0.08] = np.nan
    data = pd.DataFrame(X, columns=full.columns)
    n_patterns = len(np.unique(np.isnan(X), axis=0))
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    t0 = time.perf_counter()
    fit = egovsem.sem(bench_ml.analysis_model(), data, missing="fiml")
    fm = fit.fit_measures
    fit.params
    secs = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load_after = "/".join(f"{x:.2f}" for x in os.getloadavg())
    table = ("| case | time (s) | peak traced memory (MB) | peak resident set (MB) | patterns |\n"
             "|---|---:|---:|---:|---:|\n"
             f"| FIML, 7 factors / 28 indicators, N = {args.n:,}, 8% MCAR: fit + SEs + all fit measures "
             f"| {secs:.1f} | {peak / 2**20:.0f} | {rss:.0f} | {n_patterns:,} |\n")
    print(table)
    print(f"chisq {float(fm['chisq']):.4f}; resident set before the fit {rss0:.0f} MB; "
          f"load {load_before} -> {load_after}")
    if args.write:
        bench_ml.append_results(
            f"\n## FIML memory at N = {args.n:,} (issue 17): {date.today().isoformat()}\n\n"
            f"Machine: {bench_ml.machine()}; load average (1/5/15 min) before {load_before}, after {load_after} "
            f"(a shared machine, other jobs running); resident set before the fit {rss0:.0f} MB (data, "
            f"libraries); chi-square {float(fm['chisq']):.4f}; `python benchmarks/bench_fiml_memory.py "
            f"--n {args.n} --write`.\n\n{table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
