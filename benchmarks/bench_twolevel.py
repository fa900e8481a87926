"""Benchmark: two-level ML and FIML (issue 13) against lavaan 0.6-14 in the same run.

Data: 200 clusters x 25 members simulated from the population of lavaan's two-level tutorial model (within
factor on three indicators regressed on x1-x3, between factor on the same indicators regressed on the cluster
covariates w1, w2; seed 2026); for FIML 10% of the y1-y3 cells are set missing (numpy SeedSequence 2026,
child 1). Both sides fit the tutorial model (``level: 1 fw =~ y1 + y2 + y3; fw ~ x1 + x2 + x3; level: 2 fb =~
y1 + y2 + y3; fb ~ w1 + w2``) with ``cluster = "cluster"`` (FIML: ``missing = "ml"``) and compute all fit
measures and the parameter table; timed in process (egovsem: ``egovsem.sem``; lavaan: ``sem()`` +
``fitMeasures()`` + ``parameterEstimates()`` inside one R session), median of the repeats. The chi-squares
are printed side by side.

Run: ``python benchmarks/bench_twolevel.py [--repeats 3] [--load N] [--write]``.
"""
from __future__ import annotations

import argparse
import os
import shutil
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
from bench_ml import append_results, cpu_load, fill, lavaan_version, load_label, machine  # noqa: E402

# the tutorial model of the two-level reference tests (tests/_twolevel_models.py), so the benchmark times what is tested
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from _twolevel_models import TUTORIAL as MODEL  # noqa: E402

R_TIME = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
model <- paste(readLines("{model}"), collapse = "\n")
times <- numeric({repeats})
for (r in seq_len({repeats})) {
  t0 <- Sys.time()
  fit <- sem(model, data = d, cluster = "cluster", missing = "{missing}")
  fm <- fitMeasures(fit)
  pe <- parameterEstimates(fit)
  times[r] <- as.numeric(Sys.time() - t0, units = "secs")
}
cat(sprintf("%.6f\n", median(times)))
cat(sprintf("%.6f\n", fm[["chisq"]]))
"""


def simulate(J: int = 200, n: int = 25, seed: int = 2026) -> pd.DataFrame:
    """Two-level data from the tutorial model's population (loadings 1, .8, .7 at both levels)."""
    rng = np.random.default_rng(seed)
    lam = np.array([1.0, 0.8, 0.7])
    W = rng.normal(size=(J, 2))
    fb = W @ np.array([0.2, 0.15]) + rng.normal(scale=0.9, size=J)
    ub = fb[:, None] * lam + rng.normal(scale=0.3, size=(J, 3))
    cl = np.repeat(np.arange(1, J + 1), n)
    X = rng.normal(size=(J * n, 3))
    fw = X @ np.array([0.5, 0.4, 0.2]) + rng.normal(scale=0.75, size=J * n)
    Y = fw[:, None] * lam + rng.normal(size=(J * n, 3)) + ub[cl - 1]
    d = pd.DataFrame(np.hstack([Y, X, W[cl - 1]]), columns=["y1", "y2", "y3", "x1", "x2", "x3", "w1", "w2"])
    d["cluster"] = cl
    return d


def with_missing(d: pd.DataFrame, share: float = 0.10, seed: int = 2026) -> pd.DataFrame:
    """``d`` with ``share`` of the y1-y3 cells set missing (completely at random)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
    out = d.copy()
    for v in ("y1", "y2", "y3"):
        out.loc[rng.random(len(out)) < share, v] = np.nan
    return out


def time_case(d: pd.DataFrame, missing: str, repeats: int, tmp: Path, model_path: Path) -> tuple[float, float, float,
                                                                                              float]:
    """egovsem's and lavaan's median time and chi-square for one case."""
    data_path = tmp / f"tl_{missing}.csv"
    d.to_csv(data_path, index=False, na_rep="NA")
    egovsem.sem(MODEL, d, cluster="cluster", missing=missing)  # warm-up
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fit = egovsem.sem(MODEL, d, cluster="cluster", missing=missing)
        fit.parameter_estimates()
        ts.append(time.perf_counter() - t0)
    script = tmp / f"tl_{missing}.R"
    script.write_text(fill(R_TIME, data=data_path, model=model_path, repeats=repeats, missing=missing))
    out = subprocess.run(["Rscript", str(script)], check=True, capture_output=True, text=True).stdout.split()
    return float(np.median(ts)), float(out[0]), float(fit.fit_measures["chisq"]), float(out[1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--load", type=int, default=0, metavar="N",
                    help="time everything under a concurrent CPU load of N busy processes (default 0: none)")
    ap.add_argument("--write", action="store_true", help="record the table in benchmarks/RESULTS.md")
    args = ap.parse_args()
    if shutil.which("Rscript") is None:
        print("Rscript not found: the benchmark compares with lavaan and needs R with lavaan.", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp())
    d = simulate()
    model_path = tmp / "tl.lav"
    model_path.write_text(MODEL)
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    rows = []
    with warnings.catch_warnings(), cpu_load(args.load):
        warnings.simplefilter("ignore")
        for label, data, missing in (("ML, complete data", d, "listwise"),
                                     ("FIML (missing = \"ml\"), 10% of y1-y3 missing", with_missing(d), "ml")):
            py, r, chisq, r_chisq = time_case(data, missing, args.repeats, tmp, model_path)
            rows.append(f"| two-level {label}, tutorial model, 200 clusters x 25 members (N = 5000) | {py:.3f} | "
                        f"{r:.3f} | {py / r:.2f} | {chisq:.3f} / {r_chisq:.3f} |")
    load_after = "/".join(f"{x:.2f}" for x in os.getloadavg())
    header = ("| case | egovsem (s) | lavaan (s) | ratio egovsem/lavaan | chi-square egovsem / lavaan |\n"
              "|---|---:|---:|---:|---:|")
    print(header)
    print("\n".join(rows))
    print(f"load average before {load_before}, after {load_after}")
    if args.write:
        append_results(
            f"\n## Two-level ML and FIML (issue 13): {date.today().isoformat()}\n\n"
            f"Machine: {machine()}; load average (1/5/15 min) before the run {load_before}, after {load_after}; "
            f"lavaan {lavaan_version()}; median of {args.repeats} repeats; in process (fit + all "
            f"fit measures + parameter table); {load_label(args.load) if args.load else 'no load started by the benchmark'}; "
            f"`python benchmarks/bench_twolevel.py --repeats {args.repeats} --write`. Data simulated (seed 2026).\n\n"
            f"{header}\n" + "\n".join(rows) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
