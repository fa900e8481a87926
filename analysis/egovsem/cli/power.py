"""``egovsem power --population POP.lav --model MODEL.lav --n 150,300,600 --reps R --seed S --json OUT``:
Monte Carlo power of every parameter at each sample size (see :mod:`egovsem.sem.power`)."""
from __future__ import annotations

import argparse
from pathlib import Path

from .._errors import EgovsemError
from ._common import guarded, read_model


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "power",
        help="Monte Carlo power: simulate from a population model, fit the analysis model, count p < alpha",
        description="Simulate REPS data sets of each size N from the population model (lavaan syntax with fixed "
                    "values, as lavaan's simulateData), fit the analysis model to each, and report for every "
                    "parameter and N: power (share of p < alpha), mean estimate, bias, 95% CI coverage and the "
                    "share that converged; the smallest N reaching .80 for each path; a power-curve figure. "
                    "Runs on all local cores, or on a dask.distributed cluster with --scheduler.",
    )
    p.add_argument("--population", required=True, metavar="POP.lav", help="population model with fixed values")
    p.add_argument("--model", required=True, metavar="MODEL.lav", help="analysis model (lavaan syntax)")
    p.add_argument("--n", required=True, metavar="N1,N2,...", help="sample sizes, comma-separated")
    p.add_argument("--reps", type=int, default=1000, metavar="R",
                   help="replications per sample size (1000; at least 2, and below 100 a warning gives the Monte "
                        "Carlo standard error)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="random seed")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (0.05)")
    p.add_argument("--target", type=float, default=0.80, help="power for the smallest-N column (0.80)")
    p.add_argument("--std-lv", action="store_true", help="identify latent variables by unit variance")
    p.add_argument("--jobs", type=int, default=None, metavar="J", help="local processes (default: all cores)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="dask.distributed scheduler, e.g. tcp://host:8786 (default: local processes)")
    p.add_argument("--json", default=None, metavar="OUT.json",
                   help="write the power table as JSON, with the settings that reproduce it (seed, reps, alpha, N, "
                        "the models and their SHA-256)")
    p.add_argument("--figure", default=None, metavar="OUT.png",
                   help="power-curve figure (default: OUT.png next to --json)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _parse_ns(text: str) -> list[int]:
    try:
        return [int(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise EgovsemError(f"The '--n' option must be comma-separated integers such as 150,300,600. "
                           f"Got {text!r} instead.") from None


def run(args: argparse.Namespace) -> int:
    figure = args.figure or (str(Path(args.json).with_suffix(".png")) if args.json else None)
    with guarded({"--population": args.population, "--model": args.model},
                 files={"--json": args.json, "--figure": figure}):
        return _run(args, figure)


def _run(args: argparse.Namespace, figure: str | None) -> int:
    from ..sem.partable import specify
    from ..sem.power import power_analysis
    from ._common import show_warnings

    population = read_model(args.population, "--population")
    model = read_model(args.model, "--model")
    ns = _parse_ns(args.n)
    nvar = len(specify(model, std_lv=args.std_lv).ov)
    small = [v for v in ns if 2 <= v <= nvar]  # below 2: the library says so
    if small:
        raise EgovsemError(f"The '--n' option has sample size(s) {small} not larger than the {nvar} observed "
                           f"variables of the model {args.model!r}; each N must exceed it. Got {args.n!r}.")
    with show_warnings():
        res = power_analysis(population, model, ns, reps=args.reps, seed=args.seed,
                             alpha=args.alpha, target=args.target, std_lv=args.std_lv, n_jobs=args.jobs,
                             scheduler=args.scheduler, progress=False if args.no_progress else None)
    if res.settings is not None:
        res.settings["population_file"] = args.population
        res.settings["model_file"] = args.model
        res.settings["command"] = _command(args, res.seed)
    paths = res.paths()
    shown = paths if len(paths) else res.table
    cols = ["lhs", "op", "rhs", "n", "power", "mean_est", "bias", "coverage", "converged"]
    print(f"Monte Carlo power: {res.reps} replications per N, alpha = {res.alpha:g}, seed {res.seed}")
    print(shown[cols].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    mn = res.min_n()
    mn = mn[mn["op"].isin(["~", ":="])] if len(paths) else mn
    print(f"\nSmallest N with power >= {res.target:.2f}:")
    for r in mn.itertuples():
        name = f"{r.lhs} := {r.rhs}" if r.op == ":=" else f"{r.lhs} {r.op} {r.rhs}"
        got = f"{int(r.min_n)}" if r.min_n == r.min_n else f"none of the N given (power {r.power_at_max_n:.2f} at the largest)"
        print(f"  {name}: {got}")
    if args.json:
        res.to_json(args.json)
        print(f"\nwrote {args.json}")
    if figure:
        res.plot(figure)
        print(f"wrote {figure}")
    return 0


def _command(args: argparse.Namespace, seed: int) -> str:
    """The command line that reruns this analysis (with the seed that was used)."""
    import shlex

    parts = ["egovsem", "power", "--population", args.population, "--model", args.model, "--n", args.n,
             "--reps", str(args.reps), "--seed", str(seed), "--alpha", f"{args.alpha:g}",
             "--target", f"{args.target:g}"]
    if args.std_lv:
        parts.append("--std-lv")
    return " ".join(shlex.quote(p) for p in parts)
