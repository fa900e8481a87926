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


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``egovsem`` parser with every verb, or only the verb ``only`` (what :func:`main` builds when the
    command line names a verb: its parsing and messages are the same, without building the other verbs'
    parsers, issue 17)."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="egovsem",
        description="Survey and structural-equation toolkit for e-government research.",
    )
    parser.add_argument("--version", action="version", version=f"egovsem {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    sub.required = True
    for name in VERBS if only is None else [only]:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``egovsem`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit code.

    Bad input (an :class:`~egovsem._errors.EgovsemError`, raised where the library or an input/output
    boundary detects it, with the argument and the path named) ends as one line
    ``egovsem <verb>: error: <message>`` on stderr (a list of problems, such as every invalid cell of a
    raw export, follows on indented lines) and exit code 2; warnings are one line each
    (``egovsem: warning: ...``). Anything else is a bug and keeps its traceback.
    """
    from ._common import show_warnings

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv and argv[0] in VERBS else None)
    args = parser.parse_args(argv)
    try:
        with show_warnings():
            code = args.func(args)
    except EgovsemError as exc:
        # one line; a message that lists several problems (e.g. every invalid cell) keeps its indented list
        print(f"egovsem {args.verb}: error: {str(exc).strip()}", file=sys.stderr)
        return 2
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
