"""Benchmark: bootstrap B = 5000 on a dask LocalCluster, 4 workers against 1 (issue 17).

Case: the 7-factor, 28-indicator CFA of bench_ml.py at N = 1000 (data simulated, seed 2026), bootstrap
with ``seed=1`` and ``scheduler=`` a ``distributed.Client`` of a ``LocalCluster(n_workers=k,
threads_per_worker=1, processes=True)``; also the same bootstrap on the local process pool. Timed: the
bootstrap and its parameter table (the cluster is started before the clock and warmed up with B = 50).
The draws of every run are compared bit for bit (``numpy.array_equal`` of the full draw matrix).

On a 2-core machine 4 workers share 2 cores: the row shows the scheduling overhead and that the numbers
do not depend on the number of workers, not a speed-up that needs 4 cores.

Run: ``python benchmarks/bench_dask.py [--boot 5000] [--write]`` (needs dask.distributed).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from datetime import date
from pathlib import Path

import egovsem
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_ml import analysis_model, append_results, machine, population  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--boot", type=int, default=5000)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("dask.distributed is not installed: pip install 'dask[distributed]'", file=sys.stderr)
        return 2
    from egovsem.sem.bootstrap import bootstrap, draw_matrix

    data = egovsem.simulate_data(population(), 1000, seed=2026)
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    rows, draws = [], {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.sem(analysis_model(), data)
        bootstrap(fit, 50, seed=1)  # warm-up of the local pool
        t0 = time.perf_counter()
        bt = bootstrap(fit, args.boot, seed=1)
        bt.params
        rows.append(("local process pool (all cores)", time.perf_counter() - t0))
        draws["local"] = draw_matrix(bt, "est")
        for k in (1, 4):
            with LocalCluster(n_workers=k, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
                    Client(cl) as client:
                bootstrap(fit, 50, seed=1, scheduler=client)  # warm-up: imports on the workers
                t0 = time.perf_counter()
                bt = bootstrap(fit, args.boot, seed=1, scheduler=client)
                bt.params
                rows.append((f"dask LocalCluster, {k} worker{'s' if k > 1 else ''} x 1 thread",
                             time.perf_counter() - t0))
                draws[k] = draw_matrix(bt, "est")
    load_after = "/".join(f"{x:.2f}" for x in os.getloadavg())
    same = all(np.array_equal(draws["local"], d, equal_nan=True) for d in draws.values())
    t1 = dict(rows)["dask LocalCluster, 1 worker x 1 thread"]
    table = "| case | egovsem (s) | time / 1 worker |\n|---|---:|---:|\n" + "".join(
        f"| bootstrap, B = {args.boot}, 7 factors / 28 indicators, N = 1000: {name} | {t:.2f} | {t / t1:.2f} |\n"
        for name, t in rows)
    print(table)
    print(f"draws bit-identical across local / 1 worker / 4 workers: {same}; load {load_before} -> {load_after}")
    if args.write:
        append_results(
            f"\n## Bootstrap on a dask LocalCluster (issue 17): {date.today().isoformat()}\n\n"
            f"Machine: {machine()}; load average (1/5/15 min) before {load_before}, after {load_after} (a shared "
            f"machine, other jobs running); seed 1; `python benchmarks/bench_dask.py --boot {args.boot} --write`. "
            f"The draw matrices of the three runs are {'bit-identical' if same else 'NOT identical'} "
            f"(numpy.array_equal). 4 workers share the 2 cores.\n\n{table}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
