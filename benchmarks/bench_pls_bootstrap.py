"""Benchmark: the PLS bootstrap of the corporate-reputation model against seminr-py, in the same run (issue 15).

Model: Hair et al. (2017)'s corporate-reputation model (tests/_pls_models.py ``CORP_REP_EXT``; seminr's
``corp_rep_data``, N = 344): QUAL, PERF, CSOR, ATTR mode B, COMP, LIKE, CUSA, CUSL mode A; path weighting;
mean replacement of the code -99; 300 iterations, stop criterion 7 (seminr's defaults).

egovsem: ``egovsem.pls(..., bootstrap=B, seed=1)`` and its parameter table (paths, loadings, weights, indirect
and total effects, HTMT; percentile intervals). seminr-py (PyPI ``seminr``, GPL-3.0): ``estimate_pls`` +
``bootstrap_model(nboot=B, seed=1)`` (paths, loadings, weights, HTMT, total paths per resample, descriptives).
seminr-py is never an egovsem dependency: it lives in a separate venv whose python is given by
``--seminr-python`` or the environment variable ``SEMINR_PYTHON``, and benchmarks/seminr_py_worker.py runs
there as a subprocess; without it the benchmark times egovsem alone and says the comparison was skipped. Both
are timed in their own process after a warm-up, on the same number of processes (``--n-jobs``, 1 by default:
seminr-py's ``cores``). The two draw different resamples (egovsem: SeedSequence per resample; seminr-py:
PCG64), so their bootstrap SEs differ by Monte Carlo error only: the difference of two SDs of B_1 and B_2
draws has standard error ``sigma * sqrt((kappa - 1) / 4 * (1/B_1 + 1/B_2))`` (kappa: the kurtosis of the
bootstrap distribution, estimated with sigma from egovsem's draws, as tests/test_pls_bootstrap.py does); the
output counts the SEs within 4 of these.

Set up seminr-py once: ``python3 -m venv /work/venvs/seminr-bench && /work/venvs/seminr-bench/bin/pip install
seminr``. Run: ``SEMINR_PYTHON=/work/venvs/seminr-bench/bin/python python benchmarks/bench_pls_bootstrap.py
[--boot 5000] [--n-jobs 1] [--write]``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import egovsem
import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from _pls_models import CORP_REP_EXT as MODEL  # noqa: E402  (the model of the seminr fixture tests)
from bench_ml import append_results, machine  # noqa: E402

HERE = Path(__file__).parent
DATA = HERE.parent / "data" / "corp_rep_data.csv"
WORKER = HERE / "seminr_py_worker.py"
KINDS = (("paths", lambda k: "~" in k and ":" not in k and "=~" not in k and "<~" not in k),
         ("loadings", lambda k: "=~" in k), ("weights", lambda k: "<~" in k),
         ("total effects", lambda k: k.startswith("tot:")), ("HTMT", lambda k: k.startswith("htmt:")))


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def seminr_python(arg: str | None) -> tuple[str | None, str]:
    """The seminr-py interpreter, or None and the reason it is not usable."""
    exe = arg or os.environ.get("SEMINR_PYTHON")
    if not exe:
        return None, "no seminr-py interpreter given (--seminr-python or SEMINR_PYTHON)"
    path = shutil.which(exe) or exe
    if not Path(path).exists():
        return None, f"the seminr-py interpreter {exe!r} does not exist"
    probe = subprocess.run([path, "-c", "import seminr, importlib.metadata as m; print(m.version('seminr'))"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return None, f"{exe!r} cannot import seminr (pip install seminr in that venv)"
    return path, probe.stdout.strip()


def run_egovsem(data: pd.DataFrame, boot: int, n_jobs: int) -> tuple[float, egovsem.pls.PLSResults]:
    egovsem.pls(MODEL, data, missing="mean", missing_value=-99, bootstrap=5, seed=1, n_jobs=n_jobs,
                progress=False)  # warm-up: imports, the process pool
    t0 = time.perf_counter()
    fit = egovsem.pls(MODEL, data, missing="mean", missing_value=-99, bootstrap=boot, seed=1, n_jobs=n_jobs,
                      progress=False)
    fit.params  # the table with the percentile intervals
    return time.perf_counter() - t0, fit


def compare_ses(fit, other: dict[str, float], b_other: int) -> tuple[list[str], int, int]:
    """Per kind: SEs compared, within the 4-standard-error Monte Carlo bound, the worst ratio to the bound."""
    lines, n_all, n_in = [], 0, 0
    boot = fit.boot
    for kind, is_kind in KINDS:
        keys = [k for k in other if is_kind(k) and k in boot.columns]
        if not keys:
            continue
        ratios = []
        for k in keys:
            x = boot[k].to_numpy()
            kappa = stats.kurtosis(x, fisher=False)
            bound = 4.0 * x.std(ddof=1) * np.sqrt((kappa - 1.0) / 4.0 * (1.0 / b_other + 1.0 / x.size))
            ratios.append((abs(x.std(ddof=1) - other[k]) / bound, k, x.std(ddof=1), other[k]))
        inside = sum(r <= 1.0 for r, *_ in ratios)
        worst = max(ratios, key=lambda r: r[0])
        n_all, n_in = n_all + len(keys), n_in + inside
        lines.append(f"{kind}: {inside} of {len(keys)} within; largest {worst[1]} egovsem {worst[2]:.4f}, "
                     f"seminr-py {worst[3]:.4f} ({worst[0]:.2f} of the bound)")
    missing = sorted(k for k in other if k not in boot.columns)
    if missing:
        lines.append(f"seminr-py SEs without an egovsem column (not compared): {missing}")
    return lines, n_all, n_in


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--boot", type=int, default=5000, help="bootstrap resamples, both sides (default 5000)")
    ap.add_argument("--n-jobs", type=int, default=1, help="processes, both sides (default 1)")
    ap.add_argument("--seminr-python", help="python of the venv with seminr-py (default: $SEMINR_PYTHON)")
    ap.add_argument("--write", action="store_true", help="record the table in benchmarks/RESULTS.md")
    args = ap.parse_args()
    data = pd.read_csv(DATA)
    exe, version = seminr_python(args.seminr_python)
    load_before = load()
    py_s, fit = run_egovsem(data, args.boot, args.n_jobs)
    info = fit.bootstrap_info
    print(f"egovsem {egovsem.__version__}: B = {args.boot}, {info['failed']} failed, {py_s:.2f} s")
    if exe is None:
        print(f"seminr-py comparison skipped: {version}.")
        if args.write:
            print("--write needs seminr-py: nothing written.", file=sys.stderr)
            return 2
        return 0
    proc = subprocess.run([exe, str(WORKER), str(DATA), str(args.boot), "1", str(args.n_jobs)],
                          capture_output=True, text=True, check=True)
    sem = json.loads(proc.stdout)
    load_after = load()
    p = fit.params
    est = {f"{r.lhs}~{r.rhs}": r.est for r in p[p["op"] == "~"].itertuples()}
    est_diff = max(abs(est[k] - v) for k, v in sem["est"].items())
    lines, n_all, n_in = compare_ses(fit, sem["se"], sem["boots"])
    case = (f"PLS bootstrap, B = {args.boot}, corporate reputation (8 constructs, 31 indicators, N = 344), "
            f"{args.n_jobs} process(es) each: fit + resamples + SEs")
    table = ("| case | egovsem (s) | seminr-py (s) | speed-up seminr-py/egovsem |\n|---|---:|---:|---:|\n"
             f"| {case} | {py_s:.2f} | {sem['seconds']:.2f} | {sem['seconds'] / py_s:.1f} |")
    check = (f"Same estimates: largest path difference {est_diff:.1e}. Bootstrap SEs (egovsem B = {info['successful']}, "
             f"seminr-py B = {sem['boots']}, {info['failed']} and {sem['fails']} failed): {n_in} of {n_all} within 4 "
             "Monte Carlo standard errors of the difference; " + "; ".join(lines) + ".")
    print(table)
    print(check)
    print(f"load average (1/5/15 min) before {load_before}, after {load_after}")
    if args.write:
        box = machine().split("; load average")[0]
        block = (f"\n## PLS bootstrap against seminr-py (issue 15): {date.today().isoformat()}\n\n"
                 f"Machine: {box}; load average (1/5/15 min) before the run {load_before}, after {load_after} "
                 f"(a shared machine: other jobs ran at the same time); seminr-py {version} in its own venv; one run "
                 f"each, in the same run; `SEMINR_PYTHON=/work/venvs/seminr-bench/bin/python python "
                 f"benchmarks/bench_pls_bootstrap.py --boot {args.boot} --n-jobs {args.n_jobs} --write`. Speed-up "
                 f"above 1: egovsem faster.\n\n{table}\n\n{check}\n")
        append_results(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
