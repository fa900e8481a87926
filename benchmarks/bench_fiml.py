"""Benchmark: FIML and MLR against lavaan, run in the same process tree (issue 3).

Case: the 7-factor, 28-indicator model of bench_ml.py at N = 1000 with 8% of cells missing completely at
random (seeded), so that almost every row has its own missing-data pattern. Timed: the whole command
(``egovsem fit ... --missing fiml --json`` vs ``Rscript`` running cfa(missing = "ml") + fitMeasures()
+ parameterEstimates()), and MLR on the complete data (in process and whole command).

Run: ``python benchmarks/bench_fiml.py [--repeats 1] [--write]`` (needs Rscript with lavaan).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import bench_ml  # noqa: E402

R_CMD = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
t0 <- Sys.time()
fit <- cfa(readLines("{model}"), data = d, missing = "{missing}", estimator = "{estimator}")
fm <- fitMeasures(fit)
pe <- parameterEstimates(fit, standardized = TRUE)
cat(sprintf("%.6f %.6f\n", as.numeric(Sys.time() - t0, units = "secs"), fm["chisq"]))
"""


def run(cmd):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - t0, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--load", type=int, default=0, metavar="N",
                    help="time everything under a concurrent CPU load of N busy processes (default 0: none)")
    args = ap.parse_args()
    if shutil.which("Rscript") is None:
        print("Rscript not found: this benchmark compares with lavaan.", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp())
    full = egovsem.simulate_data(bench_ml.population(), 1000, seed=2026)
    X = full.to_numpy().copy()
    X[np.random.default_rng(np.random.SeedSequence(8)).random(X.shape) < 0.08] = np.nan
    miss = pd.DataFrame(X, columns=full.columns)
    n_patterns = len({tuple(r) for r in np.isnan(X)})
    paths = {"fiml": tmp / "miss.csv", "complete": tmp / "full.csv"}
    miss.to_csv(paths["fiml"], index=False)
    full.to_csv(paths["complete"], index=False)
    model = tmp / "model.lav"
    model.write_text(bench_ml.analysis_model() + "\n")
    with bench_ml.cpu_load(args.load):
        return _run(args, tmp, full, paths, model, n_patterns)


def _run(args, tmp, full, paths, model, n_patterns) -> int:
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    exe = shutil.which("egovsem") or str(Path(sys.executable).with_name("egovsem"))
    rows = []
    for label, data, missing, estimator in [("FIML (ML), 8% missing", paths["fiml"], "ml", "ML"),
                                            ("MLR, complete data", paths["complete"], "listwise", "MLR")]:
        ours, theirs, r_in = [], [], []
        for _ in range(args.repeats):
            t, _ = run([exe, "fit", str(model), str(data), "--missing", "fiml" if missing == "ml" else "listwise",
                        "--estimator", estimator, "--json", str(tmp / "o.json")])
            ours.append(t)
            script = tmp / "r.R"
            script.write_text(R_CMD.replace("{data}", str(data)).replace("{model}", str(model))
                              .replace("{missing}", missing).replace("{estimator}", estimator))
            t, out = run(["Rscript", str(script)])
            theirs.append(t)
            r_in.append(float(out.split()[0]))
        a, b = statistics.median(ours), statistics.median(theirs)
        rows.append((f"{label}: whole command", a, b))
        if missing == "listwise":
            t0 = time.perf_counter()
            fit = egovsem.sem(bench_ml.analysis_model(), full, estimator="MLR")
            fit.fit_measures
            fit.params
            rows.append((f"{label}: in process (fit + all fit measures)", time.perf_counter() - t0,
                         statistics.median(r_in)))
    table = bench_ml.ratio_table(rows, digits=2)
    print(table)
    print(f"missing-data patterns: {n_patterns} of 1000 rows")
    if args.write:
        load = f" --load {args.load}" if args.load else ""
        bench_ml.append_results(f"\n## FIML and MLR (issue 3): {date.today().isoformat()}, "
                                f"{bench_ml.load_label(args.load)}\n\n"
                                f"Machine: {bench_ml.machine()}; load average before the block {load_before}; "
                                f"7 factors x 4 indicators, N = 1000, {n_patterns} "
                                f"missing-data patterns; median of {args.repeats}; `python benchmarks/bench_fiml.py "
                                f"--repeats {args.repeats}{load} --write`.\n\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
