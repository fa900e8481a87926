"""Benchmark: egovsem's bootstrap and Monte Carlo power against lavaan, run in the same process tree.

Cases (issue 4):

* bootstrap, B = 5000, of the 7-factor, 28-indicator CFA of bench_ml.py at N = 1000 (data simulated,
  seeded): ``egovsem.sem()`` + :func:`egovsem.sem.bootstrap.bootstrap` (all local cores) + the parameter
  table, against lavaan's ``sem(..., se = "bootstrap", bootstrap = B)`` + ``parameterEstimates()`` timed
  inside one R session;
* power, 2000 replications of a 3-factor SEM at N = 150: :func:`egovsem.sem.power.power_analysis` against the
  lavaan loop ``simulateData()`` + ``sem()`` + ``parameterEstimates()``.

lavaan is timed on fewer resamples/replications (``--lavaan-boot``, ``--lavaan-reps``) and scaled
linearly to B = 5000 and 2000 replications (its time per resample does not depend on B); the table says
so. lavaan runs serially, as ``se = "bootstrap"`` does by default; ``--lavaan-parallel`` also times its
``parallel = "multicore"`` option on every core.

Prints a table (times and the speed-up lavaan / egovsem) and, with ``--write``, records it in
benchmarks/RESULTS.md with the date and the machine.

Run: ``python benchmarks/bench_bootstrap_power.py [--lavaan-boot 200] [--lavaan-reps 200] [--load N] [--write]``.
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

sys.path.insert(0, str(Path(__file__).parent))
from bench_ml import (  # noqa: E402
    analysis_model,
    append_results,
    cpu_load,
    fill,
    lavaan_version,
    load_label,
    machine,
    population,
)

HERE = Path(__file__).parent

# the population and model of tests/test_power.py (compared with lavaan there)
sys.path.insert(0, str(HERE.parent / "tests"))
from test_power import MODEL as POWER_MODEL  # noqa: E402
from test_power import POP as POWER_POP  # noqa: E402

R_BOOT = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
model <- paste(readLines("{model}"), collapse = "\n")
set.seed(1)
t0 <- Sys.time()
fit <- sem(model, data = d, se = "bootstrap", bootstrap = {B}L{parallel})
pe <- parameterEstimates(fit)
cat(sprintf("%.6f\n", as.numeric(Sys.time() - t0, units = "secs")))
cat(sprintf("%.6f\n", pe$se[pe$op == "=~" & pe$se > 0][1]))
"""

R_POWER = r"""
suppressMessages(library(lavaan))
pop <- paste(readLines("{pop}"), collapse = "\n")
model <- paste(readLines("{model}"), collapse = "\n")
set.seed(1)
hits <- 0
t0 <- Sys.time()
for (r in 1:{R}) {
  d <- simulateData(pop, sample.nobs = 150L)
  fit <- sem(model, data = d)
  pe <- parameterEstimates(fit)
  hits <- hits + (pe$pvalue[pe$label == "a"] < 0.05)
}
cat(sprintf("%.6f\n", as.numeric(Sys.time() - t0, units = "secs")))
cat(sprintf("%.6f\n", hits / {R}))
"""


def run_r(script: str, path: Path) -> list[float]:
    path.write_text(script)
    out = subprocess.run(["Rscript", str(path)], check=True, capture_output=True, text=True).stdout.split()
    return [float(x) for x in out]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--boot", type=int, default=5000, help="bootstrap resamples (egovsem; lavaan scaled to it)")
    ap.add_argument("--reps", type=int, default=2000, help="power replications (egovsem; lavaan scaled to it)")
    ap.add_argument("--lavaan-boot", type=int, default=200, help="resamples lavaan is timed on")
    ap.add_argument("--lavaan-reps", type=int, default=200, help="replications lavaan is timed on")
    ap.add_argument("--lavaan-parallel", action="store_true", help="also time lavaan's parallel='multicore'")
    ap.add_argument("--write", action="store_true", help="record the table in benchmarks/RESULTS.md")
    ap.add_argument("--load", type=int, default=0, metavar="N",
                    help="time everything under a concurrent CPU load of N busy processes (default 0: none)")
    args = ap.parse_args()
    if shutil.which("Rscript") is None:
        print("Rscript not found: the benchmark compares with lavaan and needs R with lavaan.", file=sys.stderr)
        return 2
    with cpu_load(args.load):
        return _run(args)


def _run(args) -> int:
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    from egovsem.sem.bootstrap import bootstrap
    from egovsem.sem.power import power_analysis

    cores = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp())
    data = egovsem.simulate_data(population(), 1000, seed=2026)
    data_path, model_path = tmp / "data.csv", tmp / "model.lav"
    data.to_csv(data_path, index=False)
    model_path.write_text(analysis_model() + "\n")
    (tmp / "pop.lav").write_text(POWER_POP)
    (tmp / "pmodel.lav").write_text(POWER_MODEL)

    # warm-up: imports, BLAS, the process pool's first fork
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bootstrap(egovsem.sem(analysis_model(), data), 50, seed=1)
        power_analysis(POWER_POP, POWER_MODEL, [150], reps=50, seed=1)

        t0 = time.perf_counter()
        fit = egovsem.sem(analysis_model(), data)
        bt = bootstrap(fit, args.boot, seed=1)
        bt.params
        py_boot = time.perf_counter() - t0
        t0 = time.perf_counter()
        pw = power_analysis(POWER_POP, POWER_MODEL, [150], reps=args.reps, seed=1)
        py_power = time.perf_counter() - t0

    r_boot_s, r_se = run_r(fill(R_BOOT, data=data_path, model=model_path, B=args.lavaan_boot, parallel=""),
                           tmp / "boot.R")
    r_boot = r_boot_s * args.boot / args.lavaan_boot
    rows = [(f"bootstrap, B = {args.boot}, 7 factors / 28 indicators, N = 1000 (fit + resamples + table)",
             py_boot, r_boot, f"lavaan timed on B = {args.lavaan_boot} ({r_boot_s:.1f} s), x {args.boot / args.lavaan_boot:g}")]
    if args.lavaan_parallel:
        r_par_s, _ = run_r(fill(R_BOOT, data=data_path, model=model_path, B=args.lavaan_boot,
                                parallel=f', parallel = "multicore", ncpus = {cores}L'), tmp / "bootp.R")
        rows.append((f"same, lavaan with parallel = \"multicore\", ncpus = {cores}", py_boot,
                     r_par_s * args.boot / args.lavaan_boot,
                     f"lavaan timed on B = {args.lavaan_boot} ({r_par_s:.1f} s), x {args.boot / args.lavaan_boot:g}"))
    r_pow_s, r_power_a = run_r(fill(R_POWER, pop=tmp / "pop.lav", model=tmp / "pmodel.lav", R=args.lavaan_reps),
                               tmp / "power.R")
    r_power = r_pow_s * args.reps / args.lavaan_reps
    rows.append((f"power, {args.reps} replications, 3 factors / 9 indicators, N = 150 (simulate + fit + table)",
                 py_power, r_power,
                 f"lavaan timed on {args.lavaan_reps} replications ({r_pow_s:.1f} s), x {args.reps / args.lavaan_reps:g}"))
    header = ("| case | egovsem (s) | lavaan (s) | speed-up lavaan/egovsem | lavaan timing |\n"
              "|---|---:|---:|---:|---|")
    table = "\n".join([header] + [f"| {c} | {a:.2f} | {b:.1f} | {b / a:.1f} | {note} |" for c, a, b, note in rows])
    print(table)
    a_row = pw.table[(pw.table["lhs"] == "f2") & (pw.table["op"] == "~")].iloc[0]
    load_se = bt.params[(bt.params["op"] == "=~") & (bt.params["se"] > 0)]["se"].iloc[0]
    check = (f"Same numbers: bootstrap SE of the first free loading egovsem "
             f"{load_se:.4f}, lavaan {r_se:.4f} (B = "
             f"{args.lavaan_boot}); power of f2 ~ f1 egovsem {a_row['power']:.3f}, lavaan {r_power_a:.3f} "
             f"({args.lavaan_reps} replications). egovsem: {bt.bootstrap_info['failed']} failed resamples, "
             f"{cores} local processes.")
    print(check)
    if args.write:
        rver = lavaan_version()
        lflag = f" --load {args.load}" if args.load else ""
        block = (f"\n## Bootstrap and Monte Carlo power (issue 4): {date.today().isoformat()}, "
                 f"{load_label(args.load)}\n\n"
                 f"Machine: {machine()}; load average before the block {load_before}, after "
                 f"{'/'.join(f'{x:.2f}' for x in os.getloadavg())}; "
                 f"lavaan {rver} (serial, as its default); one run each; "
                 f"`python benchmarks/bench_bootstrap_power.py{lflag} --write"
                 f"{' --lavaan-parallel' if args.lavaan_parallel else ''}`. lavaan's time per resample/"
                 "replication does not depend on their number, so it is timed on fewer and scaled linearly "
                 f"(last column). Speed-up above 1: egovsem faster.\n\n{table}\n\n{check}\n")
        append_results(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
