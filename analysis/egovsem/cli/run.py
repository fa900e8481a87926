"""``egovsem run``: the study from the raw export to the paper's tables in one command.

``egovsem run --example --out DIR`` runs the bundled SIMULATED example; ``egovsem run CONFIG.yaml`` runs a
study described by a YAML file (see :mod:`egovsem.study.config`, and ``paper/example_config.yaml``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._errors import EgovsemError
from ._common import guarded


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="run the study pipeline: clean, measure, fit, tables, figure, draft text",
        description="Run the study pipeline: instrument, cleaning, measurement model (reliability, validity, "
                    "HTMT), the hypothesis models, bootstrap mediations, tables (docx, tex, md, html, csv), path "
                    "diagrams and a draft methods-and-results paragraph (en, zh). --example uses the bundled "
                    "SIMULATED example; CONFIG.yaml describes your own study (keys: raw, instrument, id, "
                    "duration, models, estimator, missing, weights, cluster, bootstrap, seed, out, formats, lang, ...).")
    p.add_argument("config", nargs="?", default=None, metavar="CONFIG.yaml", help="study configuration")
    p.add_argument("--example", action="store_true", help="run the bundled simulated example study")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="output directory (required with --example; overrides 'out' of CONFIG.yaml)")
    p.add_argument("--seed", type=int, default=None, help="bootstrap seed (overrides the configuration)")
    p.add_argument("--bootstrap", type=int, default=None, metavar="B",
                   help="bootstrap draws for the indirect effects, 0 for none (overrides the configuration)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..study.config import example_config, load_config
    from ..study.pipeline import run_study

    if args.config and args.example:
        raise EgovsemError("Give either CONFIG.yaml or --example, not both.")
    if not args.config and not args.example:
        raise EgovsemError("Give CONFIG.yaml (your study) or --example (the bundled simulated example).")
    overrides = {"seed": args.seed, "bootstrap": args.bootstrap}
    if args.example:
        if not args.out:
            raise EgovsemError("--example needs --out DIR (the output directory).")
        cfg = example_config(args.out, **overrides)
    else:
        cfg = load_config(args.config, out=args.out, **overrides)
    say = None if args.quiet else (lambda m: print(f"[egovsem run] {m}", file=sys.stderr, flush=True))
    inputs: dict[str, str | Path | None] = {"CONFIG.yaml": args.config, "raw (configuration)": cfg.raw,
              "instrument (configuration)": cfg.instrument,
              **{f"models (configuration): {m}": p for m, p in cfg.model_paths.items()}}
    from ..parallel import blas_one_thread

    # BLAS on one thread for the whole run (fits, fit measures, tables), not only inside each fit: the
    # matrices are small, and threads spinning on them lose on a busy machine (issue 17); parallel work
    # (bootstrap, recovery) comes from the process pool, whose workers pin BLAS to one thread themselves
    with guarded(inputs, dirs={"--out" if args.out else "out (configuration)": cfg.out}), blas_one_thread():
        res = run_study(cfg, progress=say)
    if not args.quiet:
        print(f"wrote {len(res.files)} files to {cfg.out}")
    return 0
