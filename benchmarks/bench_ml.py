"""Benchmark: egovsem against lavaan, run in the same process tree, on complete-data ML.

Case: a 7-factor, 28-indicator CFA with correlated factors, N = 1000, data simulated (seeded) from a
population with loadings .6-.8 and factor correlations .3. Two timings each, median of repeats:

* in process: egovsem.sem() + all fit measures + the parameter table, against lavaan's sem() +
  fitMeasures() + parameterEstimates() timed inside one R session;
* whole command: ``egovsem fit MODEL DATA --json OUT`` against ``Rscript`` doing the same (read CSV, sem(),
  summary with fit measures, JSON-like output), each as a fresh process; and the same whole command on
  lavaan's HolzingerSwineford1939 3-factor CFA from data/HolzingerSwineford1939.csv (issue 17).

Prints a table of times and ratios (egovsem / lavaan; below 1 means egovsem is faster) and, with
``--write``, records it in benchmarks/RESULTS.md with the date and the machine.

Run: ``python benchmarks/bench_ml.py [--repeats 5] [--write]`` (needs Rscript with lavaan).
"""
from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import egovsem

HERE = Path(__file__).parent

FACTORS = [f"F{k}" for k in range(1, 8)]


def population() -> str:
    lines = []
    loads = [0.8, 0.7, 0.65, 0.6]
    for k, f in enumerate(FACTORS):
        items = [f"y{4 * k + j + 1}" for j in range(4)]
        lines.append(f"{f} =~ " + " + ".join(f"{loads[(j + k) % 4]}*{it}" for j, it in enumerate(items)))
    for i, a in enumerate(FACTORS):
        for b in FACTORS[i + 1:]:
            lines.append(f"{a} ~~ 0.3*{b}")
    return "\n".join(lines)


def analysis_model() -> str:
    return "\n".join(
        f"{f} =~ " + " + ".join(f"y{4 * k + j + 1}" for j in range(4)) for k, f in enumerate(FACTORS)
    )


R_INPROCESS = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
model <- readLines("{model}")
times <- numeric(0)
for (i in 1:{repeats}) {
  t0 <- Sys.time()
  fit <- sem(model, data = d)
  fm <- fitMeasures(fit)
  pe <- parameterEstimates(fit, standardized = TRUE)
  times <- c(times, as.numeric(Sys.time() - t0, units = "secs"))
}
cat(sprintf("%.6f\n", median(times)))
cat(sprintf("%.6f\n", fm["chisq"]))
"""

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
HS_DATA = HERE.parent / "data" / "HolzingerSwineford1939.csv"

R_COMMAND_HS = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
fit <- cfa(readLines("{model}"), data = d)
summary(fit, fit.measures = TRUE)
write.csv(parameterEstimates(fit), "{out}")
"""

R_COMMAND = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
fit <- sem(readLines("{model}"), data = d)
summary(fit, fit.measures = TRUE, standardized = TRUE)
pe <- parameterEstimates(fit, standardized = TRUE)
write.csv(pe, "{out}")
"""


def fill(template: str, **values) -> str:
    for k, v in values.items():
        template = template.replace("{" + k + "}", str(v))
    return template


def time_python(model: str, data, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fit = egovsem.sem(model, data)
        fm = fit.fit_measures
        fit.params
        times.append(time.perf_counter() - t0)
    return statistics.median(times), float(fm["chisq"])


def command_env() -> dict[str, str]:
    """The environment of the timed commands: the egovsem package this script imports first on the path (a
    worktree's, not an installed copy's), and Python's bytecode caches allowed (PYTHONDONTWRITEBYTECODE
    removed: an installed package has its .pyc files; with the variable set, a fresh process compiled every
    egovsem module from source, about 0.1 s, each time)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    pkg_root = str(Path(egovsem.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pkg_root, env.get("PYTHONPATH", "")) if p)
    return env


def time_command(cmd: list[str], repeats: int, label: str | None = None) -> float:
    """Median wall time of ``cmd`` as a fresh process over ``repeats`` runs, after one untimed run (which
    writes the bytecode caches and warms the file cache, for Rscript as for egovsem)."""
    env = command_env()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    times, cpu = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    COMMAND_CPU[label or " ".join(cmd[:2])] = statistics.median(cpu)
    return statistics.median(times)


#: median CPU seconds (user + sys) of each command timed by :func:`time_command`, by its first two words; on a
#: shared machine a steadier measure than the wall time, which depends on what else runs
COMMAND_CPU: dict[str, float] = {}


def ratio_table(rows, digits: int = 3) -> str:
    """Markdown table of (case, egovsem seconds, lavaan seconds) with the ratio egovsem/lavaan."""
    head = "| case | egovsem (s) | lavaan (s) | ratio egovsem/lavaan |\n|---|---:|---:|---:|"
    return "\n".join([head] + [f"| {c} | {a:.{digits}f} | {b:.{digits}f} | {a / b:.2f} |" for c, a, b in rows])


def lavaan_version() -> str:
    return subprocess.run(["Rscript", "-e", "cat(as.character(packageVersion('lavaan')))"],
                          capture_output=True, text=True).stdout.strip()


def append_results(block: str) -> None:
    """Append a section to benchmarks/RESULTS.md (created with its header if absent)."""
    res = HERE / "RESULTS.md"
    text = res.read_text() if res.exists() else "# Benchmarks against lavaan\n\nRatios below 1: egovsem faster.\n"
    res.write_text(text + block)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {__import__('numpy').__version__}; "
            f"load average (1/5/15 min) {load} when the table was written")


def _spin(stop) -> None:  # pragma: no cover - runs in a child process
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x += 1


@contextlib.contextmanager
def cpu_load(n: int):
    """Run ``n`` busy processes (a concurrent CPU load, as other work on a researcher's laptop) while the block
    runs; egovsem and lavaan are timed inside the same block, so both see the same load."""
    if n <= 0:
        yield
        return
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    procs = [ctx.Process(target=_spin, args=(stop,), daemon=True) for _ in range(n)]
    for pr in procs:
        pr.start()
    time.sleep(0.5)  # let the load start before anything is timed
    try:
        yield
    finally:
        stop.set()
        for pr in procs:
            pr.join(5)
            if pr.is_alive():
                pr.terminate()


def load_label(n: int) -> str:
    return f"with a concurrent CPU load of {n} busy process(es) started by the benchmark" if n else "quiet"


def common_args(repeats: int, extra: list[tuple[str, str]] = ()) -> argparse.Namespace | None:
    """``--repeats``, ``--write`` and ``--load N`` of every benchmark (and the ``extra`` switches, name and help);
    None (after a message) when Rscript is missing."""
    ap = argparse.ArgumentParser()
    for flag, text in extra:
        ap.add_argument(flag, action="store_true", help=text)
    ap.add_argument("--repeats", type=int, default=repeats)
    ap.add_argument("--write", action="store_true", help="record the table in benchmarks/RESULTS.md")
    ap.add_argument("--load", type=int, default=0, metavar="N",
                    help="time everything under a concurrent CPU load of N busy processes (default 0: none)")
    args = ap.parse_args()
    if shutil.which("Rscript") is None:
        print("Rscript not found: the benchmark compares with lavaan and needs R with lavaan.", file=sys.stderr)
        return None
    return args


def main() -> int:
    args = common_args(5)
    if args is None:
        return 2
    tmp = Path(tempfile.mkdtemp())
    data = egovsem.simulate_data(population(), 1000, seed=2026)
    data_path, model_path = tmp / "data.csv", tmp / "model.lav"
    data.to_csv(data_path, index=False)
    model = analysis_model()
    model_path.write_text(model + "\n")
    with cpu_load(args.load):
        return _run(args, tmp, data, data_path, model_path, model)


def _run(args, tmp, data, data_path, model_path, model) -> int:
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    egovsem.sem(model, data)  # warm-up (imports, BLAS threads)
    py_in, py_chisq = time_python(model, data, args.repeats)
    r_script = tmp / "inproc.R"
    r_script.write_text(fill(R_INPROCESS, data=data_path, model=model_path, repeats=args.repeats))
    out = subprocess.run(["Rscript", str(r_script)], check=True, capture_output=True, text=True).stdout.split()
    r_in, r_chisq = float(out[0]), float(out[1])
    egovsem_exe = shutil.which("egovsem") or str(Path(sys.executable).with_name("egovsem"))
    py_cmd = time_command([egovsem_exe, "fit", str(model_path), str(data_path), "--json", str(tmp / "o.json")],
                          args.repeats, "egovsem fit (7 x 4, N = 1000)")
    r_cmd_script = tmp / "cmd.R"
    r_cmd_script.write_text(fill(R_COMMAND, data=data_path, model=model_path, out=tmp / "pe.csv"))
    r_cmd = time_command(["Rscript", str(r_cmd_script)], args.repeats, "Rscript (7 x 4, N = 1000)")
    hs_model = tmp / "hs.lav"
    hs_model.write_text(HS_MODEL)
    py_hs = time_command([egovsem_exe, "fit", str(hs_model), str(HS_DATA), "--function", "cfa", "--json",
                          str(tmp / "hs.json")], args.repeats,
                          "egovsem fit (HS)")
    r_hs_script = tmp / "hs.R"
    r_hs_script.write_text(fill(R_COMMAND_HS, data=HS_DATA, model=hs_model, out=tmp / "hs_pe.csv"))
    r_hs = time_command(["Rscript", str(r_hs_script)], args.repeats, "Rscript (HS)")
    rows = [
        ("ML, 7 factors / 28 indicators, N = 1000: sem + all fit measures (in process)", py_in, r_in),
        ("ML, same: whole command (fit, summary, output file)", py_cmd, r_cmd),
        ("ML, HolzingerSwineford1939 3-factor CFA (N = 301) from the CSV: whole command (fit, summary with fit "
         "measures, output file)", py_hs, r_hs),
    ]
    table = ratio_table(rows)
    print(table)
    print(f"chi-square: egovsem {py_chisq:.4f}, lavaan {r_chisq:.4f}")
    cpu_line = "CPU (user + sys, median) of the whole commands: " + "; ".join(
        f"{cmd} {sec:.3f} s" for cmd, sec in COMMAND_CPU.items())
    print(cpu_line)
    if args.write:
        rver = lavaan_version()
        load = f" --load {args.load}" if args.load else ""
        block = (f"\n## Complete-data ML (issue 2): {date.today().isoformat()}, {load_label(args.load)}\n\n"
                 f"Machine: {machine()}; load average before the block {load_before}; lavaan {rver}; median of "
                 f"{args.repeats} repeats (whole commands: fresh processes, after one untimed run each, Python's "
                 f"bytecode caches allowed); `python benchmarks/bench_ml.py --repeats {args.repeats}{load} --write`."
                 f"\n\n{table}\n\n"
                 f"Same chi-square: egovsem {py_chisq:.4f}, lavaan {r_chisq:.4f}. {cpu_line}.\n")
        append_results(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
