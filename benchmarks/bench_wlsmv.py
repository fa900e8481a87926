"""Benchmark: WLSMV with ordered items, egovsem against lavaan 0.6-14, in the same process tree.

Case: the 7-factor, 28-indicator CFA of bench_ml.py (loadings .6-.8, factor correlations .3), N = 1000,
data simulated (seeded) and each indicator cut into 5 categories at -1.5, -0.5, 0.4, 1.3 of its z-score.
Two timings each, median of repeats:

* in process: ``egovsem.sem.wls.fit_wlsmv`` + all fit measures + the parameter table, against lavaan's
  ``cfa(..., ordered = TRUE, estimator = "WLSMV")`` + ``fitMeasures()`` + ``parameterEstimates()`` timed
  inside one R session (both include the first stage: thresholds, polychorics, Gamma);
* whole command: ``egovsem fit MODEL DATA --ordered all --json OUT`` against ``Rscript`` doing the same
  (read the CSV, fit, summary with fit measures, write the parameter table), each as a fresh process.

Prints a table of times and ratios (egovsem / lavaan; below 1 means egovsem is faster) and, with
``--write``, appends it to benchmarks/RESULTS.md with the date and the machine.

Run: ``python benchmarks/bench_wlsmv.py [--repeats 5] [--load N] [--write]`` (needs Rscript with lavaan).
"""
from __future__ import annotations

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
from egovsem.sem.model import Model
from egovsem.sem.wls import fit_wlsmv

sys.path.insert(0, str(Path(__file__).parent))
from bench_ml import (  # noqa: E402
    analysis_model,
    append_results,
    common_args,
    cpu_load,
    fill,
    lavaan_version,
    load_label,
    machine,
    population,
    ratio_table,
    time_command,
)

HERE = Path(__file__).parent
CUTS = np.array([-1.5, -0.5, 0.4, 1.3])

R_INPROCESS = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
model <- readLines("{model}")
times <- numeric(0)
for (i in 1:{repeats}) {
  t0 <- Sys.time()
  fit <- cfa(model, data = d, ordered = TRUE, estimator = "WLSMV")
  fm <- fitMeasures(fit)
  pe <- parameterEstimates(fit, standardized = TRUE)
  times <- c(times, as.numeric(Sys.time() - t0, units = "secs"))
}
cat(sprintf("%.6f\n", median(times)))
cat(sprintf("%.6f\n", fm["chisq.scaled"]))
"""

R_COMMAND = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
fit <- cfa(readLines("{model}"), data = d, ordered = TRUE, estimator = "WLSMV")
summary(fit, fit.measures = TRUE, standardized = TRUE)
pe <- parameterEstimates(fit, standardized = TRUE)
write.csv(pe, "{out}")
"""


def ordinal_data(seed: int = 2026) -> pd.DataFrame:
    d = egovsem.simulate_data(population(), 1000, seed=seed)
    return pd.DataFrame({c: np.searchsorted(CUTS, (d[c] - d[c].mean()) / d[c].std()) + 1 for c in d.columns})


def time_python(model: str, data: pd.DataFrame, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fit = fit_wlsmv(Model(model), data, True)
        fm = fit.fit_measures
        fit.params
        times.append(time.perf_counter() - t0)
    return statistics.median(times), float(fm["chisq.scaled"])


def main() -> int:
    args = common_args(5)
    if args is None:
        return 2
    tmp = Path(tempfile.mkdtemp())
    data = ordinal_data()
    data_path, model_path = tmp / "data.csv", tmp / "model.lav"
    data.to_csv(data_path, index=False)
    model = analysis_model()
    model_path.write_text(model + "\n")
    with cpu_load(args.load):
        return _run(args, tmp, data, data_path, model_path, model)


def _run(args, tmp, data, data_path, model_path, model) -> int:
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    fit_wlsmv(Model(model), data, True)  # warm-up (imports)
    py_in, py_stat = time_python(model, data, args.repeats)
    r_script = tmp / "inproc.R"
    r_script.write_text(fill(R_INPROCESS, data=data_path, model=model_path, repeats=args.repeats))
    out = subprocess.run(["Rscript", str(r_script)], check=True, capture_output=True, text=True).stdout.split()
    r_in, r_stat = float(out[0]), float(out[1])
    egovsem_exe = shutil.which("egovsem") or str(Path(sys.executable).with_name("egovsem"))
    py_cmd = time_command([egovsem_exe, "fit", str(model_path), str(data_path), "--ordered", "all", "--json",
                           str(tmp / "o.json")], args.repeats)
    r_cmd_script = tmp / "cmd.R"
    r_cmd_script.write_text(fill(R_COMMAND, data=data_path, model=model_path, out=tmp / "pe.csv"))
    r_cmd = time_command(["Rscript", str(r_cmd_script)], args.repeats)
    rows = [
        ("WLSMV, 7 factors / 28 items (5 categories), N = 1000: fit + all fit measures + parameter table "
         "(in process)", py_in, r_in),
        ("WLSMV, same: whole command (fit, summary, output file)", py_cmd, r_cmd),
    ]
    table = ratio_table(rows)
    print(table)
    print(f"chisq.scaled: egovsem {py_stat:.4f}, lavaan {r_stat:.4f}")
    if args.write:
        rver = lavaan_version()
        load = f" --load {args.load}" if args.load else ""
        block = (f"\n## WLSMV with ordered items (issue 3): {date.today().isoformat()}, {load_label(args.load)}\n\n"
                 f"Machine: {machine()}; load average before the block {load_before}, after "
                 f"{'/'.join(f'{x:.2f}' for x in os.getloadavg())}; lavaan {rver}; median of {args.repeats} "
                 f"repeats; `python benchmarks/bench_wlsmv.py --repeats {args.repeats}{load} --write`.\n\n{table}\n\n"
                 f"Same scaled-shifted statistic: egovsem {py_stat:.4f}, lavaan {r_stat:.4f}.\n")
        append_results(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
