"""Benchmark: the CFA marker technique (issue 14) on the example, as `egovsem run --example` runs it.

Data: the bundled SIMULATED example (data/example/raw_export.csv) cleaned as the run cleans it (545
respondents); the 12 constructs of the three bundled models and the marker scale MK (MK1-MK3); FIML. Times
``egovsem.measure.marker_cfa`` (CFA, Baseline, Method-C, Method-U, Method-R with every fit measure and the
standard errors): wall and CPU seconds of this process (the machine is shared: CPU seconds are the steadier
figure), the iterations of each model, and the Baseline vs Method-C test. To time an older checkout, put its
``analysis`` folder first: ``PYTHONPATH=/path/to/checkout/analysis python benchmarks/bench_marker_cfa.py``.

``--load N`` times it under N busy processes started by the benchmark (bench_ml.py's ``cpu_load``);
``--write`` appends a section to benchmarks/RESULTS.md. There is no lavaan side here (the marker sequence is
egovsem's own table); the lavaan-side comparison of a FIML fit is bench_fiml.py.

Run: ``python benchmarks/bench_marker_cfa.py [--load 2] [--write]``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_ml import append_results, cpu_load, load_label, machine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help="record the result in benchmarks/RESULTS.md")
    ap.add_argument("--load", type=int, default=0, metavar="N",
                    help="time it under a concurrent CPU load of N busy processes (default 0: none)")
    args = ap.parse_args()
    from egovsem.clean import clean
    from egovsem.instruments import load_instrument
    from egovsem.instruments.draft import model_blocks
    from egovsem.measure import marker_cfa
    from egovsem.study.config import example_config

    cfg = example_config("unused")
    inst = load_instrument()  # the bundled study questionnaire (the example's)
    blocks = model_blocks([cfg.model_text(m) for m in cfg.models])
    data = clean(cfg.raw, inst, id=cfg.id, duration=cfg.duration, exclude=cfg.exclude, invalid=cfg.invalid).data
    markers = inst.marker_constructs()
    load0 = os.getloadavg()[0]
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    with cpu_load(args.load):
        t, c = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = marker_cfa(data, blocks, markers, missing="fiml")
        wall, cpu = time.perf_counter() - t, time.process_time() - c
    load_after = "/".join(f"{x:.2f}" for x in os.getloadavg())
    bc = res.tests.set_index("comparison").loc["baseline_vs_method_c"]
    print(f"marker_cfa on the example (N = {len(data)}, {len(blocks)} constructs + MK, FIML): wall {wall:.1f} s, "
          f"CPU {cpu:.1f} s; load average {load0:.2f} -> {os.getloadavg()[0]:.2f}")
    print("iterations:", {k: int(m.iterations) for k, m in res.models.items()})
    print(f"Baseline vs Method-C: delta chisq = {bc['chisq_diff']:.6f} on {int(bc['df_diff'])} df")
    if args.write:
        load = f" --load {args.load}" if args.load else ""
        its = ", ".join(str(int(m.iterations)) for m in res.models.values())
        append_results(
            f"\n## The CFA marker technique (issue 14), {date.today().isoformat()}, {load_label(args.load)}\n\n"
            f"Machine: {machine()}; load average before {load_before}, after {load_after}; "
            f"`python benchmarks/bench_marker_cfa.py{load} --write`; data SIMULATED (the example). No lavaan side.\n\n"
            "| `marker_cfa` on the example (N = 545, 12 constructs + MK, FIML; 5 models) | wall (s) | CPU (s) | "
            "iterations |\n|---|---:|---:|---|\n"
            f"| {load_label(args.load)} | {wall:.1f} | {cpu:.1f} | {its} |\n\n"
            f"Baseline vs Method-C: delta chisq {bc['chisq_diff']:.6f} on {int(bc['df_diff'])} df.\n")


if __name__ == "__main__":
    main()
