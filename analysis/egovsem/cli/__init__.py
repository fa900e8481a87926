"""The ``egovsem`` command: a thin layer that parses arguments and calls the library.

Each verb lives in its own module of this package with a ``register(subparsers)`` function that adds
its parser and sets ``func`` (a callable taking the parsed namespace and returning an exit code).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .._errors import EgovsemError

#: verb modules, in the order ``egovsem --help`` lists them
VERBS = ["fit", "run", "clean", "instrument", "measure", "tables", "power"]


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="egovsem",
        description="Survey and structural-equation toolkit for e-government research.",
    )
    parser.add_argument("--version", action="version", version=f"egovsem {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    sub.required = True
    for name in VERBS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
    except EgovsemError as exc:
        print(f"egovsem {args.verb}: error: {exc}", file=sys.stderr)
        return 2
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
