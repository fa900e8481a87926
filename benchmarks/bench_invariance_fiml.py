"""Benchmark: the four-step multi-group FIML invariance test, egovsem against lavaan 0.6-14 in the same run
(issue 17: "the invariance step (multi-group FIML, four models) at most a fifth of lavaan's time").

Case: the 7-factor, 28-indicator population of bench_ml.py simulated for two groups of 500 (seeds 2026 and
2027), 8% of the cells set missing completely at random (seeded, as bench_fiml.py does), the analysis CFA.
Steps configural -> metric (loadings) -> scalar (+ intercepts) -> strict (+ residuals).

* egovsem: ``egovsem.measure.invariance(model, data, "g", missing="fiml")`` (four FIML fits, every fit
  measure, the difference tests and the table; ``n_jobs`` its default);
* lavaan: the same four ``cfa(..., group = "g", group.equal = ..., missing = "ml")`` fits and
  ``fitMeasures()`` of each, timed inside one R session started by this script (same process tree).

``--load N`` times both sides under N busy processes started by the benchmark. Prints the times, the ratio
and the chi-square of every step on both sides; ``--write`` appends a section to benchmarks/RESULTS.md.

Run: ``python benchmarks/bench_invariance_fiml.py [--load 2] [--write]`` (needs Rscript with lavaan).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import bench_ml as bm  # noqa: E402

STEPS = ("configural", "metric", "scalar", "strict")
N_GROUP = 500
MISSING = 0.08

R_SCRIPT = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
model <- paste(readLines("{model}"), collapse = "\n")
eq <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
           strict = c("loadings", "intercepts", "residuals"))
t0 <- Sys.time()
chi <- numeric(0)
for (nm in names(eq)) {
  fit <- cfa(model, data = d, group = "g", group.equal = eq[[nm]], missing = "ml")
  fm <- fitMeasures(fit)
  chi <- c(chi, fm["chisq"])
}
elapsed <- as.numeric(Sys.time() - t0, units = "secs")
cat(sprintf("%.6f\n", elapsed))
cat(sprintf("%.6f\n", chi))
"""


def make_data() -> pd.DataFrame:
    """Two simulated groups of 500 from the same population, 8% MCAR cells (seeded)."""
    parts = [egovsem.simulate_data(bm.population(), N_GROUP, seed=seed) for seed in (2026, 2027)]
    full = pd.concat(parts, ignore_index=True)
    X = full.to_numpy().copy()
    X[np.random.default_rng(np.random.SeedSequence(8)).random(X.shape) < MISSING] = np.nan
    out = pd.DataFrame(X, columns=full.columns)
    out["g"] = np.repeat([1, 2], N_GROUP)
    return out


def main() -> int:
    args = bm.common_args(1)
    if args is None:
        return 2
    from egovsem.measure import invariance

    tmp = Path(tempfile.mkdtemp())
    data = make_data()
    model = bm.analysis_model()
    data_path, model_path = tmp / "data.csv", tmp / "model.lav"
    data.to_csv(data_path, index=False)
    model_path.write_text(model + "\n")
    r_path = tmp / "inv.R"
    r_path.write_text(bm.fill(R_SCRIPT, data=data_path, model=model_path))
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    with bm.cpu_load(args.load):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            tab = invariance(model, data, "g", missing="fiml", steps=STEPS)
            py = time.perf_counter() - t0
        print(f"egovsem: {py:.2f} s; lavaan running...", flush=True)
        out = subprocess.run(["Rscript", str(r_path)], check=True, capture_output=True, text=True).stdout.split()
    load_after = "/".join(f"{x:.2f}" for x in os.getloadavg())
    py_chi = [float(x) for x in tab["chisq"]]
    r_time, r_chi = float(out[0]), [float(x) for x in out[1:5]]
    case = (f"FIML invariance, 4 steps (configural, metric, scalar, strict), 7 factors / 28 indicators, "
            f"2 groups (N = {N_GROUP} + {N_GROUP}), 8% MCAR: 4 fits + fit measures")
    table = ("| case | egovsem (s) | lavaan (s) | ratio egovsem/lavaan |\n|---|---:|---:|---:|\n"
             f"| {case} | {py:.2f} | {r_time:.2f} | {py / r_time:.3f} |")
    same = "; ".join(f"{s} {a:.3f} / {b:.3f}" for s, a, b in zip(STEPS, py_chi, r_chi))
    print(table)
    print(f"chisq egovsem / lavaan: {same}")
    print(f"load average before {load_before}, after {load_after}")
    agree = all(abs(a - b) <= 1e-3 * max(1.0, abs(b)) for a, b in zip(py_chi, r_chi))
    if not agree:
        print("WARNING: the chi-squares differ", file=sys.stderr)
    if args.write:
        load = f" --load {args.load}" if args.load else ""
        bm.append_results(
            f"\n## Multi-group FIML invariance (issue 17): {date.today().isoformat()}, {bm.load_label(args.load)}\n\n"
            f"Machine: {bm.machine()}; load average before {load_before}, after {load_after}; lavaan "
            f"{bm.lavaan_version()}; one run each; data simulated (seeds 2026, 2027; MCAR seed 8); "
            f"`python benchmarks/bench_invariance_fiml.py{load} --write`. Goal: ratio at most 0.2.\n\n{table}\n\n"
            f"Chi-square per step (egovsem / lavaan): {same}.\n")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
