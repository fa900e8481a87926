"""``egovsem run --example --out DIR``: the example study in one command."""
from __future__ import annotations

import argparse
import sys

from .._errors import EgovsemError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the study pipeline (the bundled simulated example with --example)",
                       description="Run the study pipeline. --example uses the bundled SIMULATED example.")
    p.add_argument("config", nargs="?", default=None, metavar="CONFIG.yaml", help="study configuration")
    p.add_argument("--example", action="store_true", help="run the bundled simulated example study")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory")
    p.add_argument("--seed", type=int, default=None, help="seed of the example simulation")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..example import EXAMPLE_SEED
    from ..pipeline import run_example

    if args.config and args.example:
        raise EgovsemError("Give either CONFIG.yaml or --example, not both.")
    if not args.example:
        raise EgovsemError(
            "'egovsem run CONFIG.yaml' is not available yet; use 'egovsem run --example --out DIR'."
        )
    run_example(args.out, seed=EXAMPLE_SEED if args.seed is None else args.seed,
                progress=lambda m: print(f"[egovsem run] {m}", file=sys.stderr))
    return 0
