"""Helpers shared by the CLI verbs: reading a model file, guarding inputs, showing warnings as one-line messages."""
from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path

from .._errors import EgovsemError
from ..safe_write import check_output_dir, check_output_file, protect_inputs


def read_model(path: str, argument: str = "MODEL") -> str:
    """Read a model file; a bare name like ``integrated`` finds a bundled model in egovsem.models.

    The file is read as UTF-8 (GB18030 with a warning, see :func:`egovsem.io.read_text`).
    """
    from ..io import read_text

    p = Path(path)
    if p.is_file():
        return read_text(p, what="model file", argument=argument)
    from importlib import resources

    bundled = resources.files("egovsem.models").joinpath(f"{p.stem}.lav")
    if p.suffix in ("", ".lav") and bundled.is_file() and not p.parent.parts:
        return bundled.read_text(encoding="utf-8")
    if p.is_dir():
        raise EgovsemError(f"The model file {path!r} (argument {argument}) is a folder, not a file.")
    raise EgovsemError(f"The model file {path!r} (argument {argument}) does not exist.")


#: the environment variables by which OpenBLAS and MKL read their number of threads when they are loaded
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread_from_start() -> None:
    """Ask BLAS for one thread before numpy loads it, when numpy is not imported yet and the user set no limit.

    The command limits BLAS to one thread anyway while it works (:func:`egovsem.parallel.blas_one_thread`);
    set before the import, OpenBLAS does not start (and spin) its thread pool at all, which took about
    0.05 s of CPU of the 0.1 s that importing numpy costs on a 2-core machine (issue 17). A limit the user
    set (the variable already in the environment) is kept. The variable is inherited by processes this one
    starts, which limit BLAS to one thread anyway (:func:`egovsem.parallel.run_chunks`).
    """
    if "numpy" in sys.modules:
        return
    for var in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(var, "1")


def import_engine(*modules: str) -> None:
    """Import ``modules`` and, when this process had not imported them yet, freeze the objects that exist now
    (:func:`gc.freeze`): the modules, classes and functions of numpy, pandas and egovsem, which live until
    the process ends, are then no longer traversed by every full garbage collection during the fit. A fresh
    ``egovsem fit`` of a small model spent about 0.1 s of CPU in those collections, a quarter of the command
    (issue 17). Objects made later are collected as before; a process that had the modules already (a test
    session, a notebook calling :func:`egovsem.cli.main`) is left alone."""
    import gc
    import importlib

    fresh = not all(m in sys.modules for m in modules)
    for m in modules:
        importlib.import_module(m)
    if fresh:
        gc.freeze()


@contextlib.contextmanager
def guarded(inputs: Mapping[str, str | Path | None], *, files: Mapping[str, str | Path | None] | None = None,
            dirs: Mapping[str, str | Path | None] | None = None):
    """Check the output arguments (``files``: output files, ``dirs``: output folders) before any work, and
    refuse, while the block runs, every write onto one of ``inputs`` (argument -> path)."""
    files, dirs = dict(files or {}), dict(dirs or {})
    with protect_inputs(inputs, {**files, **dirs}):
        for arg, p in files.items():
            check_output_file(p, arg)
        for arg, p in dirs.items():
            check_output_dir(p, arg)
        yield


@contextlib.contextmanager
def show_warnings():
    """Print egovsem's warnings as ``egovsem: warning: ...`` lines on stderr (no Python traceback)."""

    def show(message, category, filename, lineno, file=None, line=None):
        text = " ".join(str(message).split())
        print(f"egovsem: warning: {text}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield
