"""Helpers shared by the CLI verbs: reading a model file, showing warnings as one-line messages."""
from __future__ import annotations

import contextlib
import sys
import warnings
from pathlib import Path

from .._errors import EgovsemError


def read_model(path: str) -> str:
    """Read a model file; a bare name like ``integrated`` finds a bundled model in egovsem.models."""
    p = Path(path)
    if p.is_file():
        return p.read_text(encoding="utf-8")
    from importlib import resources

    bundled = resources.files("egovsem.models").joinpath(f"{p.stem}.lav")
    if p.suffix in ("", ".lav") and bundled.is_file() and not p.parent.parts:
        return bundled.read_text(encoding="utf-8")
    raise EgovsemError(f"The model file {path!r} does not exist.")


@contextlib.contextmanager
def show_warnings():
    """Print egovsem's warnings as ``egovsem: warning: ...`` lines on stderr (no Python traceback)."""

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"egovsem: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield
