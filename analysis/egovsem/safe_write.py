"""Write output files safely: never over an input, never half-written.

Every writer of egovsem goes through this module:

- :func:`atomic_write_text` and :func:`atomic_write_bytes` write to a temporary file in the same folder
  and move it into place with :func:`os.replace`, so an interrupted run leaves either the old file or
  the new one, never a truncated file that looks complete (the temporary file, ``.~NAME.XXXX.SUFFIX``,
  is removed when the writer fails);
- :func:`atomic_path` is the same for libraries that want a path to write to (python-docx's
  ``Document.save``, openpyxl's ``Workbook.save``, matplotlib's ``savefig``, pandas' ``to_csv``);
- :func:`protect_inputs` registers the input files of a run (the CLI does this for every verb): while
  it is active, any write whose destination is one of those files (the same path, a symbolic link to
  it or a hard link, compared with :func:`os.path.samefile`) stops with an :class:`OutputError` that
  names the argument of the input and the path;
- :func:`check_output_file` and :func:`check_output_dir` check an output argument before the work
  starts (an existing folder where a file is wanted, a file where a folder is wanted, an input file).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write_text(d / "a.txt", "hello\\n").name
'a.txt'
>>> with protect_inputs({"DATA": d / "a.txt"}):
...     atomic_write_text(d / "a.txt", "over")
Traceback (most recent call last):
...
egovsem._errors.OutputError: The output file '...a.txt' is the input file given as DATA; choose another output path.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path

from ._errors import OutputError

__all__ = [
    "atomic_write_text", "atomic_write_bytes", "atomic_path", "protect_inputs", "check_output_file",
    "check_output_dir", "prepare_parent",
]

PathLike = str | os.PathLike

#: stack of (inputs: {argument: Path}, outputs: {argument: Path}) registered by protect_inputs
_PROTECTED: list[tuple[dict[str, Path], dict[str, Path]]] = []


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _input_argument(path: Path) -> str | None:
    """The argument name of the registered input file that ``path`` is (or links to), else None."""
    if not path.exists():
        return None
    for inputs, _outputs in reversed(_PROTECTED):
        for arg, inp in inputs.items():
            if _same(path, inp):
                return arg
    return None


def _output_argument(path: Path) -> str | None:
    """The registered output argument that ``path`` is, or lies under."""
    try:
        target = path.resolve()
    except OSError:  # pragma: no cover - a loop of symbolic links
        return None
    for _inputs, outputs in reversed(_PROTECTED):
        for arg, out in outputs.items():
            o = out.resolve()
            if target == o or o in target.parents:
                return arg
    return None


def _named(path: Path, argument: str | None) -> str:
    arg = argument or _output_argument(path)
    return f"The output file {str(path)!r}" + (f" (argument {arg})" if arg else "")


@contextlib.contextmanager
def protect_inputs(inputs: Mapping[str, PathLike | None], outputs: Mapping[str, PathLike | None] | None = None):
    """While active, refuse every write through this module onto one of ``inputs``.

    Parameters
    ----------
    inputs : mapping argument -> path
        The input files of the run, by the argument that named them (``None`` values are skipped; a
        path that does not exist is skipped, e.g. a bundled model name).
    outputs : mapping argument -> path, optional
        The output arguments (files or folders), only used to name the argument in messages.
    """
    ins = {a: Path(p) for a, p in inputs.items() if p is not None and Path(p).exists()}
    outs = {a: Path(p) for a, p in (outputs or {}).items() if p is not None}
    _PROTECTED.append((ins, outs))
    try:
        yield
    finally:
        _PROTECTED.remove((ins, outs))


def _refuse_input(path: Path, argument: str | None) -> None:
    arg = _input_argument(path)
    if arg is not None:
        raise OutputError(f"{_named(path, argument)} is the input file given as {arg}; choose another output path.")


def prepare_parent(path: PathLike, argument: str | None = None) -> Path:
    """Create the folder of the output file ``path`` if needed; an OutputError if that is impossible."""
    p = Path(path)
    parent = p.parent
    for anc in [parent, *parent.parents]:
        if anc.exists():
            if not anc.is_dir():
                raise OutputError(f"{_named(p, argument)} cannot be written: {str(anc)!r} is a file, not a folder.")
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{_named(p, argument)} cannot be written: cannot create the folder "
                          f"{str(parent)!r} ({exc.strerror or exc}).") from None
    return p


def check_output_file(path: PathLike | None, argument: str) -> None:
    """Check an output file argument before the work starts (folder in the way, an input file)."""
    if path is None:
        return
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{_named(p, argument)} is a folder; give a file name.")
    _refuse_input(p, argument)
    for anc in p.parents:
        if anc.exists():
            if not anc.is_dir():
                raise OutputError(f"{_named(p, argument)} cannot be written: {str(anc)!r} is a file, not a folder.")
            break


def check_output_dir(path: PathLike | None, argument: str) -> None:
    """Check an output folder argument before the work starts (a file in the way)."""
    if path is None:
        return
    p = Path(path)
    if p.exists() and not p.is_dir():
        what = "an input file" if _input_argument(p) else "a file"
        raise OutputError(f"The output folder {str(p)!r} (argument {argument}) is {what}, not a folder.")
    for anc in p.parents:
        if anc.exists():
            if not anc.is_dir():
                raise OutputError(f"The output folder {str(p)!r} (argument {argument}) cannot be created: "
                                  f"{str(anc)!r} is a file, not a folder.")
            break


def _temp_name(p: Path) -> Path:
    return p.with_name(f".~{p.name}.{secrets.token_hex(4)}{p.suffix}")


@contextlib.contextmanager
def atomic_path(path: PathLike, argument: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success move it onto ``path``, on failure remove it.

    The temporary file exists (empty, with the usual permissions) when the block starts; write to it
    by name (``doc.save(tmp)``, ``fig.savefig(tmp)``). It keeps the suffix of ``path``, for libraries
    that choose the format by suffix.
    """
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{_named(p, argument)} is a folder; give a file name.")
    _refuse_input(p, argument)
    prepare_parent(p, argument)
    tmp = _temp_name(p)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise OutputError(f"{_named(p, argument)} cannot be written: {exc.strerror or exc} "
                          f"(in the folder {str(p.parent)!r}).") from None
    os.close(fd)
    try:
        yield tmp
        if p.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, os.stat(p).st_mode & 0o7777)
        os.replace(tmp, p)
    except OSError as exc:
        raise OutputError(f"{_named(p, argument)} cannot be written: {exc.strerror or exc}.") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def atomic_write_bytes(path: PathLike, data: bytes, argument: str | None = None) -> Path:
    """Write ``data`` to ``path`` through a temporary file; return ``path`` as a Path."""
    with atomic_path(path, argument) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)


def atomic_write_text(path: PathLike, text: str, *, encoding: str = "utf-8", newline: str | None = None,
                      argument: str | None = None) -> Path:
    """Write ``text`` to ``path`` through a temporary file (``newline`` as for :func:`open`)."""
    with atomic_path(path, argument) as tmp, open(tmp, "w", encoding=encoding, newline=newline) as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)
