"""Benchmark: the bootstrap of a FIML fit against lavaan's ``se = "bootstrap"`` with ``missing = "ml"``
(issue 14), run in the same process tree.

Cases (data with missing values, each resample refitted by FIML):

* mediation, HolzingerSwineford1939 with 10% of cells missing (data/hs_missing10.csv, N = 301): the
  three-factor model with ``textual ~ a*visual``, ``speed ~ b*textual`` and ``ab := a*b`` (the model of
  tests/test_bootstrap_fiml.py, whose bootstrap is checked against lavaan's there);
* the 7-factor, 28-indicator model of bench_ml.py at N = 1000 with 8% of cells missing (bench_fiml.py's data);
* two groups (issues 11, 14): the three-factor CFA of the same data by school with the loadings equal, resampled
  within each school (the model of tests/test_bootstrap_groups.py, checked against lavaan's there).

egovsem: ``egovsem.sem(..., missing="fiml")`` + :func:`egovsem.sem.bootstrap.bootstrap` (B resamples, all local
cores) + the parameter table with percentile intervals. lavaan: ``sem(..., missing = "ml", se = "bootstrap",
bootstrap = B_lavaan)`` + ``parameterEstimates(boot.ci.type = "perc")`` inside one R session, serial (its
default), timed on fewer resamples and scaled linearly to B (its time per resample does not depend on B; the
table says so). Goal (issue 14): at least 20 times faster.

Run: ``python benchmarks/bench_bootstrap_fiml.py [--boot 1000] [--lavaan-boot 50] [--load N] [--cases hs,big,mg]
[--write]``.
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
from bench_ml import analysis_model, append_results, cpu_load, fill, lavaan_version, load_label, machine, population  # noqa: E402

HERE = Path(__file__).parent
MEDIATION = """
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ a*visual
speed ~ b*textual
ab := a*b
"""

R_BOOT = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
model <- paste(readLines("{model}"), collapse = "\n")
set.seed(1)
t0 <- Sys.time()
fit <- sem(model, data = d, missing = "ml", se = "bootstrap", bootstrap = {B}L{extra})
pe <- parameterEstimates(fit, boot.ci.type = "perc")
cat(sprintf("%.6f\n", as.numeric(Sys.time() - t0, units = "secs")))
cat(sprintf("%.6f\n", pe$se[pe$op == "=~" & pe$se > 0][1]))
"""


def run_r(script: str, path: Path) -> list[float]:
    path.write_text(script)
    out = subprocess.run(["Rscript", str(path)], check=True, capture_output=True, text=True).stdout.split()
    return [float(x) for x in out]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--boot", type=int, default=1000, help="bootstrap resamples (egovsem; lavaan scaled to it)")
    ap.add_argument("--lavaan-boot", type=int, default=50, help="resamples lavaan is timed on")
    ap.add_argument("--load", type=int, default=0, metavar="N",
                    help="time everything under a concurrent CPU load of N busy processes (default 0: none)")
    ap.add_argument("--cases", default="hs,big,mg", help="comma-separated cases: hs, big, mg (default all)")
    ap.add_argument("--write", action="store_true", help="record the table in benchmarks/RESULTS.md")
    args = ap.parse_args()
    if shutil.which("Rscript") is None:
        print("Rscript not found: the benchmark compares with lavaan and needs R with lavaan.", file=sys.stderr)
        return 2
    from egovsem.sem.bootstrap import bootstrap

    tmp = Path(tempfile.mkdtemp())
    hs = pd.read_csv(HERE.parent / "data" / "hs_missing10.csv")
    full = egovsem.simulate_data(population(), 1000, seed=2026)
    X = full.to_numpy().copy()
    X[np.random.default_rng(np.random.SeedSequence(8)).random(X.shape) < 0.08] = np.nan
    big = pd.DataFrame(X, columns=full.columns)
    hs3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    mg = {"group": "school", "group_equal": "loadings"}
    cases = [("mediation (a*b), HS 3 factors, N = 301, 10% missing", MEDIATION, hs, "hs", {}, ""),
             ("7 factors / 28 indicators, N = 1000, 8% missing", analysis_model(), big, "big", {}, ""),
             ("two groups (school, 156 + 145), loadings equal, HS 3 factors, 10% missing", hs3, hs, "mg", mg,
              ', group = "school", group.equal = "loadings"')]
    wanted = {c.strip() for c in args.cases.split(",") if c.strip()}
    unknown = wanted - {c[3] for c in cases}
    if unknown:
        print(f"--cases: unknown case(s) {sorted(unknown)}; the cases are hs, big, mg.", file=sys.stderr)
        return 2
    cases = [c for c in cases if c[3] in wanted]
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    rows, checks = [], []
    with warnings.catch_warnings(), cpu_load(args.load):
        warnings.simplefilter("ignore")
        bootstrap(egovsem.sem(MEDIATION, hs, missing="fiml"), 20, seed=1)  # warm-up: imports, the pool's fork
        for label, model, data, key, kw, extra in cases:
            data_path, model_path = tmp / f"{key}.csv", tmp / f"{key}.lav"
            data.to_csv(data_path, index=False, na_rep="NA")
            model_path.write_text(model + "\n")
            t0 = time.perf_counter()
            fit = egovsem.sem(model, data, missing="fiml", **kw)
            bt = bootstrap(fit, args.boot, seed=1)
            pe = bt.params
            py = time.perf_counter() - t0
            r_s, r_se = run_r(fill(R_BOOT, data=data_path, model=model_path, B=args.lavaan_boot, extra=extra),
                              tmp / f"{key}.R")
            r = r_s * args.boot / args.lavaan_boot
            rows.append((f"FIML bootstrap, B = {args.boot}: {label} (fit + resamples + percentile table)", py, r,
                         f"lavaan timed on B = {args.lavaan_boot} ({r_s:.1f} s), x {args.boot / args.lavaan_boot:g}"))
            se = pe[(pe["op"] == "=~") & (pe["se"] > 0)]["se"].iloc[0]
            checks.append(f"{key}: bootstrap SE of the first free loading egovsem {se:.4f} (B = {args.boot}), "
                          f"lavaan {r_se:.4f} (B = {args.lavaan_boot}); egovsem {bt.bootstrap_info['failed']} failed "
                          "resamples")
    load_after = "/".join(f"{x:.2f}" for x in os.getloadavg())
    header = ("| case | egovsem (s) | lavaan (s) | speed-up lavaan/egovsem | lavaan timing |\n"
              "|---|---:|---:|---:|---|")
    table = "\n".join([header] + [f"| {c} | {a:.2f} | {b:.1f} | {b / a:.1f} | {note} |" for c, a, b, note in rows])
    check = "; ".join(checks) + "."
    print(table)
    print(check)
    print(f"load average before {load_before}, after {load_after}; {load_label(args.load)}")
    if args.write:
        block = (f"\n## Bootstrap of FIML fits (issue 14): {date.today().isoformat()}\n\n"
                 f"Machine: {machine()}; load average (1/5/15 min) before the block {load_before}; "
                 f"{load_label(args.load)}; lavaan {lavaan_version()} (serial, its default); one run each; "
                 f"`python benchmarks/bench_bootstrap_fiml.py --boot {args.boot} --lavaan-boot {args.lavaan_boot}"
                 f"{f' --cases {args.cases}' if args.cases != 'hs,big,mg' else ''}"
                 f"{f' --load {args.load}' if args.load else ''} --write`. lavaan's time per resample does not "
                 "depend on B, so it is timed on fewer and scaled linearly (last column). Speed-up above 1: "
                 f"egovsem faster (goal: 20).\n\n{table}\n\n{check}\n")
        append_results(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
