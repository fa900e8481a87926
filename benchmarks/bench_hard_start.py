"""Benchmark: hard starts (issue 10, item 2): egovsem against lavaan in the same process tree.

Cases where a naive start (unit-weighted sum scores) or plain Fisher scoring stalls:

* psych's bfi (data/bfi.csv, N = 2436 complete of 2800), five factors whose first (marker) items A1 and E1
  are reverse-keyed, with ML, MLR, FIML (all 2800 rows, missing values) and two groups by gender with equal
  loadings and intercepts;
* a second-order factor on bfi with freed markers (``NA*``), ``start()`` values and ``~ 1``;
* a big model with a bad start: 12 factors x 5 indicators (60 variables), N = 2000, simulated (seeded)
  with the first indicator of every other factor loading negatively (reverse-keyed markers), factor
  correlations .3.

For each case: in-process time (``egovsem.sem`` + all fit measures + the parameter table, against lavaan's
``sem()`` + ``fitMeasures()`` + ``parameterEstimates()`` in one R session), median of repeats; the
iterations both take; and both chi-squares. Prints the table; ``--write`` appends it to
benchmarks/RESULTS.md with the date, machine and load average.

Run: ``python benchmarks/bench_hard_start.py [--repeats 3] [--load N] [--write]`` (needs Rscript with lavaan).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

import egovsem
import pandas as pd

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench_ml import (  # noqa: E402
    append_results,
    common_args,
    cpu_load,
    fill,
    lavaan_version,
    load_label,
    machine,
)

DATA = HERE.parent / "data"

# the bfi models of the reference test (tests/test_bfi_reference.py), so the benchmark times what is tested
sys.path.insert(0, str(HERE.parent / "tests"))
from test_bfi_reference import BFI5, BFI_2ND  # noqa: E402

NF, NI = 12, 5


def big_population() -> str:
    lines = []
    loads = [0.75, 0.7, 0.65, 0.6, 0.55]
    for k in range(NF):
        terms = []
        for j in range(NI):
            lam = loads[j] if not (j == 0 and k % 2 == 0) else -loads[j]
            terms.append(f"{lam}*v{NI * k + j + 1}")
        lines.append(f"F{k + 1} =~ " + " + ".join(terms))
    for a in range(NF):
        for b in range(a + 1, NF):
            lines.append(f"F{a + 1} ~~ 0.3*F{b + 1}")
    return "\n".join(lines)


def big_model() -> str:
    return "\n".join(f"F{k + 1} =~ " + " + ".join(f"v{NI * k + j + 1}" for j in range(NI)) for k in range(NF))


# (label, data file stem, model, egovsem options, lavaan call arguments)
CASES = [
    ("bfi, 5 factors, reverse-keyed markers, ML (N = 2436)", "bfi", BFI5, {}, ""),
    ("bfi, same, MLR", "bfi", BFI5, {"estimator": "MLR"}, ', estimator = "MLR"'),
    ("bfi, same, FIML (N = 2800, missing values)", "bfi", BFI5, {"missing": "fiml"}, ', missing = "fiml"'),
    ("bfi, same, 2 groups (gender), equal loadings and intercepts", "bfi", BFI5,
     {"group": "gender", "group_equal": ["loadings", "intercepts"]},
     ', group = "gender", group.equal = c("loadings", "intercepts")'),
    ("bfi, second-order factor, NA*, start(), ~ 1", "bfi", BFI_2ND, {}, ""),
    (f"big model, bad start: {NF} factors x {NI} indicators, reverse-keyed markers, N = 2000", "big",
     big_model(), {}, ""),
]

R_SCRIPT = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
model <- paste(readLines("{model}"), collapse = "\n")
times <- numeric(0)
for (i in 1:{repeats}) {
  t0 <- Sys.time()
  fit <- sem(model, data = d{args})
  fm <- fitMeasures(fit)
  pe <- parameterEstimates(fit, standardized = TRUE)
  times <- c(times, as.numeric(Sys.time() - t0, units = "secs"))
}
cat(sprintf("%.6f\n", median(times)))
cat(sprintf("%d\n", lavInspect(fit, "iterations")))
cat(sprintf("%.6f\n", fm["chisq"]))
"""


def time_egovsem(model: str, data: pd.DataFrame, opts: dict, repeats: int) -> tuple[float, int, float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = egovsem.sem(model, data, **opts)
            fm = fit.fit_measures
            fit.params
        times.append(time.perf_counter() - t0)
    return statistics.median(times), int(fit.iterations), float(fm["chisq"])


def time_lavaan(tmp: Path, data_path: Path, model: str, args: str, repeats: int) -> tuple[float, int, float]:
    model_path = tmp / "model.lav"
    model_path.write_text(model + "\n")
    script = tmp / "case.R"
    script.write_text(fill(R_SCRIPT, data=data_path, model=model_path, repeats=repeats, args=args))
    out = subprocess.run(["Rscript", str(script)], check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1]), float(out[2])


def main() -> int:
    args = common_args(3)
    if args is None:
        return 2
    tmp = Path(tempfile.mkdtemp())
    frames = {"bfi": pd.read_csv(DATA / "bfi.csv"),
              "big": egovsem.simulate_data(big_population(), 2000, seed=2026)}
    paths = {}
    for stem, frame in frames.items():
        paths[stem] = tmp / f"{stem}.csv"
        frame.to_csv(paths[stem], index=False)
    with cpu_load(args.load):
        return _run(args, tmp, frames, paths)


def _run(args, tmp, frames, paths) -> int:
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    egovsem.sem(BFI5, frames["bfi"])  # warm-up (imports, BLAS threads)
    rows = []
    for label, stem, model, opts, rargs in CASES:
        py_t, py_it, py_x2 = time_egovsem(model, frames[stem], opts, args.repeats)
        r_t, r_it, r_x2 = time_lavaan(tmp, paths[stem], model, rargs, args.repeats)
        rows.append((label, py_t, r_t, py_it, r_it, py_x2, r_x2))
        print(f"{label}: egovsem {py_t:.3f} s ({py_it} it), lavaan {r_t:.3f} s ({r_it} it)", file=sys.stderr)
    head = ("| case | egovsem (s) | lavaan (s) | ratio egovsem/lavaan | iterations egovsem / lavaan "
            "| chi-square egovsem / lavaan |\n|---|---:|---:|---:|---:|---:|")
    table = "\n".join([head] + [f"| {c} | {a:.3f} | {b:.3f} | {a / b:.2f} | {i} / {j} | {x:.3f} / {y:.3f} |"
                                for c, a, b, i, j, x, y in rows])
    load = os.getloadavg()[0]
    print(table)
    print(f"load average (1 min) at the end: {load:.2f}")
    if args.write:
        lflag = f" --load {args.load}" if args.load else ""
        block = (f"\n## Hard starts (issue 10): {date.today().isoformat()}, {load_label(args.load)}\n\n"
                 f"Machine: {machine()}; load average before the block {load_before}, after "
                 f"{'/'.join(f'{x:.2f}' for x in os.getloadavg())}; lavaan {lavaan_version()}; median of "
                 f"{args.repeats} repeats; in process (fit + all fit measures + parameter table); "
                 f"`python benchmarks/bench_hard_start.py --repeats {args.repeats}{lflag} --write`. The big model's "
                 f"data are simulated (seed 2026).\n\n{table}\n")
        append_results(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
