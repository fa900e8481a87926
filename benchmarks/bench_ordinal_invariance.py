"""Benchmark: the four-step ordinal measurement invariance of the example study, egovsem against lavaan 0.6-14
(with semTools 0.5-6) in the same run.

Case: the SIMULATED example study's population (data/example/population.lav), N = 1000 complete answers
cut into the export's 5 categories (see :func:`example_data`), the CFA of the ``integrated`` model's 12
constructs (48 five-point items, all ordinal), two respondent types (``resp_type`` 1 and 2, the example's
invariance groups).
The sequence of Wu & Estabrook (2016): configural -> thresholds -> thresholds + loadings -> + intercepts.

* egovsem: ``egovsem.measure.invariance(model, data, "resp_type", ordered=True, steps=(...))`` (four WLSMV
  fits, the scaled difference tests and the table);
* lavaan: the same four models written by ``semTools::measEq.syntax(ID.fac = "std.lv", ID.cat =
  "Wu.Estabrook.2016", group.equal = ...)``, each fitted by ``cfa(..., ordered = TRUE, estimator = "WLSMV")``,
  and ``lavTestLRT`` between consecutive steps, timed inside one R session.

One run each (lavaan takes many minutes). Prints the times, the ratio and the scaled chi-square of every step
on both sides; with ``--write`` appends a section to benchmarks/RESULTS.md (date, machine, load average before
and after, the command).

``--bound`` (with ``--load N``): lavaan's side takes about 24 minutes of CPU, longer than a session can wait
under a load; so lavaan runs first with no added load, its CPU time (user + system, R's ``proc.time``) is
recorded, and then egovsem runs under the load. lavaan's wall time under any load is at least its CPU time (R
runs this on one thread), so ``egovsem's loaded wall time / lavaan's CPU time`` is an upper bound of the ratio
under the load, and is reported as such.

Run: ``python benchmarks/bench_ordinal_invariance.py [--load N [--bound]] [--write]`` (needs Rscript with
lavaan and semTools).
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

sys.path.insert(0, str(Path(__file__).parent))
from bench_ml import append_results, common_args, cpu_load, fill, lavaan_version, load_label, machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("configural", "thresholds", "loadings", "intercepts")
THRESHOLDS = (-1.6, -0.8, 0.2, 1.2)  # data/example/make_raw_export.py: the export's cut points
N = 1000
SEED = 20261125  # the example's seed (egovsem.study.example.EXAMPLE_SEED)

R_SCRIPT = r"""
suppressMessages({library(lavaan); library(semTools)})
d <- read.csv("{data}")
model <- paste(readLines("{model}"), collapse = "\n")
ords <- setdiff(names(d), "resp_type")
steps <- list(configural = "configural", thresholds = "thresholds",
              loadings = c("thresholds", "loadings"), intercepts = c("thresholds", "loadings", "intercepts"))
t0 <- Sys.time()
c0 <- proc.time()
fits <- list()
for (nm in names(steps)) {
  syn <- measEq.syntax(configural.model = model, data = d, ordered = ords, parameterization = "delta",
                       ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "resp_type",
                       group.equal = steps[[nm]])
  fits[[nm]] <- cfa(as.character(syn), data = d, ordered = ords, group = "resp_type", estimator = "WLSMV")
}
lrt <- list()
for (i in 2:length(fits)) lrt[[i - 1]] <- lavTestLRT(fits[[i - 1]], fits[[i]])
elapsed <- as.numeric(Sys.time() - t0, units = "secs")
cpu <- proc.time() - c0
cat(sprintf("%.6f\n", elapsed))
cat(sprintf("%.6f\n", cpu[["user.self"]] + cpu[["sys.self"]]))
for (nm in names(fits)) cat(sprintf("%.6f\n", fitMeasures(fits[[nm]], "chisq.scaled")))
"""


def example_data(n: int = N, seed: int = SEED):
    """Complete ordinal answers to the 48 items of the example's integrated model, in two respondent types,
    and the CFA syntax of the model's constructs.

    The example's raw export (data/example/raw_export.csv) has about 3% of the answers missing completely at
    random, which leaves 118 complete rows of these 48 items in the two groups, too few for every category
    to be used in both (multi-group WLSMV then stops, as lavaan). So the benchmark draws complete answers
    from the same SIMULATED population (``egovsem.study.example.simulate_example``, the model
    data/example/population.lav) cut at the export's thresholds (data/example/make_raw_export.py), with
    respondent types 1 and 2 in the export's shares (0.70 : 0.22)."""
    import numpy as np
    from egovsem.study.config import example_config
    from egovsem.study.example import simulate_example
    from egovsem.study.pipeline import _blocks
    from egovsem.tables import cfa_syntax

    cfg = example_config(Path(tempfile.mkdtemp()))
    blocks = _blocks(cfg.model_text("integrated"))
    items = [i for its in blocks.values() for i in its]
    ss = np.random.SeedSequence(seed)
    s_data, s_group = ss.spawn(2)
    latent = simulate_example(n, seed=int(s_data.generate_state(1)[0]))
    data = {i: 1 + np.searchsorted(THRESHOLDS, latent[i].to_numpy()) for i in items}
    group = np.random.default_rng(s_group).choice([1, 2], size=n, p=[0.70 / 0.92, 0.22 / 0.92])
    import pandas as pd

    out = pd.DataFrame(data)
    out["resp_type"] = group
    return out, cfa_syntax(blocks), len(items)


def main() -> int:
    args = common_args(1, extra=[("--bound", "lavaan alone first (its CPU time), then egovsem under --load N: an "
                                             "upper bound of the loaded ratio (module docstring)")])
    if args is None:
        return 2
    from egovsem.measure import invariance

    tmp = Path(tempfile.mkdtemp())
    data, model, nitems = example_data()
    data_path, model_path = tmp / "data.csv", tmp / "model.lav"
    data.to_csv(data_path, index=False)
    model_path.write_text(model + "\n")
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    r_path = tmp / "inv.R"
    r_path.write_text(fill(R_SCRIPT, data=data_path, model=model_path))
    def run_r() -> list[str]:
        return subprocess.run(["Rscript", str(r_path)], check=True, capture_output=True, text=True).stdout.split()

    def run_py():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            tab = invariance(model, data, "resp_type", ordered=True, estimator="WLSMV", steps=STEPS)
            return tab, time.perf_counter() - t0

    bound = getattr(args, "bound", False)
    if bound:  # lavaan alone first (its CPU time), then egovsem under the load
        out = run_r()
        with cpu_load(args.load):
            tab, py = run_py()
    else:
        with cpu_load(args.load):
            tab, py = run_py()
            out = run_r()
    py_stats = [float(x) for x in tab["chisq.scaled"]]
    r_time, r_cpu, r_stats = float(out[0]), float(out[1]), [float(x) for x in out[2:6]]
    load_after = "/".join(f"{x:.2f}" for x in os.getloadavg())
    n = dict(data["resp_type"].value_counts().sort_index())
    case = (f"ordinal invariance, 4 steps (Wu-Estabrook), {nitems} items / 12 factors, 2 groups "
            f"(N = {n.get(1, 0)} + {n.get(2, 0)}): 4 WLSMV fits + difference tests")
    if bound:
        table = ("| case | egovsem under the load, wall (s) | lavaan alone, wall / CPU (s) | ratio under the load |\n"
                 "|---|---:|---:|---:|\n"
                 f"| {case} | {py:.1f} | {r_time:.1f} / {r_cpu:.1f} | at most {py / r_cpu:.3f} |")
    else:
        table = ("| case | egovsem (s) | lavaan (s) | ratio egovsem/lavaan |\n|---|---:|---:|---:|\n"
                 f"| {case} | {py:.1f} | {r_time:.1f} | {py / r_time:.3f} |")
    same = "; ".join(f"{s} {a:.3f} / {b:.3f}" for s, a, b in zip(STEPS, py_stats, r_stats))
    print(table)
    print(f"chisq.scaled egovsem / lavaan: {same}")
    if args.write:
        load = (f" --load {args.load}" if args.load else "") + (" --bound" if bound else "")
        block = (f"\n## Ordinal invariance of the example (issue 12): {date.today().isoformat()}, "
                 f"{load_label(args.load)}{' (egovsem; lavaan alone first, its CPU time the bound)' if bound else ''}\n\n"
                 f"Machine: {machine()}; load average before {load_before}, after {load_after}; lavaan "
                 f"{lavaan_version()} with semTools; one run each; data SIMULATED (the example study); "
                 f"`python benchmarks/bench_ordinal_invariance.py{load} --write`.\n\n{table}\n\n"
                 f"Same scaled chi-square per step (egovsem / lavaan): {same}.\n")
        append_results(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
