"""Pseudonymous respondent ids: an id column that holds personal data is replaced by keyed hashes.

Survey platforms often identify a submission by the respondent's e-mail address or phone number. When
the ``id`` column of :func:`egovsem.clean.clean` holds such values (:func:`personal_kind`: any value that
looks like an e-mail address or a phone number, 7 or more digits), every id is replaced, before anything
is checked or written, by ``P-`` and the first 16 hex digits of HMAC-SHA256(key, id). The key is 32
random bytes (64 hex digits) in a key file that is kept outside the output folder:

* the file named by ``id_key`` (``egovsem clean --id-key FILE``), created if it does not exist; or
* by default ``<user config dir>/egovsem/id_key`` (``$EGOVSEM_CONFIG_DIR`` if set, else
  ``%APPDATA%`` on Windows, ``$XDG_CONFIG_HOME`` or ``~/.config`` elsewhere), created on first use
  with permissions 0600.

The same key gives the same pseudonym for the same id, so later waves or re-runs link; without the key
the pseudonyms cannot be reversed by trying every phone number (which an unkeyed hash allows). The
report names the key file; :func:`egovsem.clean.write_outputs` refuses to write into a folder that holds
the key file.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from .._errors import DataError

__all__ = ["personal_kind", "pseudonym", "load_or_create_key", "default_key_path", "KEY_FILE_NAME"]

KEY_FILE_NAME = "id_key"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s\-().]+$")


def _kind_of(value: str) -> str | None:
    t = unicodedata.normalize("NFKC", value).strip()
    if _EMAIL.match(t):
        return "e-mail addresses"
    if _PHONE.match(t) and sum(ch.isdigit() for ch in t) >= 7:
        return "phone numbers"
    return None


def personal_kind(values: Iterable) -> tuple[str, int] | None:
    """(what, how many) if any of ``values`` looks like personal data, else None.

    >>> personal_kind(["SIM-0001", "ann@example.org", "13812345678", "138 1234 5678"])
    ('phone numbers', 2)
    >>> personal_kind(["R_1a2B", "17"]) is None
    True
    """
    counts: dict[str, int] = {}
    for v in values:
        if isinstance(v, str):
            k = _kind_of(v)
            if k:
                counts[k] = counts.get(k, 0) + 1
    if not counts:
        return None
    kind = max(counts, key=lambda k: (counts[k], k))
    return kind, counts[kind]


def default_key_path() -> Path:
    """``<user config dir>/egovsem/id_key`` (``$EGOVSEM_CONFIG_DIR/id_key`` when that is set)."""
    env = os.environ.get("EGOVSEM_CONFIG_DIR")
    if env:
        return Path(env).expanduser() / KEY_FILE_NAME
    if sys.platform.startswith("win") and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"])
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "egovsem" / KEY_FILE_NAME


def load_or_create_key(path: str | Path | None = None) -> tuple[bytes, Path, bool]:
    """(key, key file, created): the key in ``path`` (default :func:`default_key_path`), a new random one
    written there (mode 0600) if the file does not exist."""
    p = Path(path).expanduser() if path is not None else default_key_path()
    if p.is_dir():
        raise DataError(f"The id key file {str(p)!r} (argument 'id_key') is a folder; name a file.")
    if p.exists():
        try:
            text = p.read_text(encoding="ascii").strip()
            key = bytes.fromhex(text)
        except (UnicodeDecodeError, ValueError):
            raise DataError(
                f"The id key file {str(p)!r} (argument 'id_key') does not hold a key written by egovsem "
                "(64 hex digits)."
            ) from None
        if len(key) < 16:
            raise DataError(f"The id key file {str(p)!r} (argument 'id_key') holds a key shorter than 16 bytes.")
        return key, p, False
    key = secrets.token_bytes(32)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
    except OSError as exc:
        raise DataError(f"Cannot write the id key file {str(p)!r} (argument 'id_key'): {exc.strerror}.") from None
    return key, p, True


def pseudonym(value: str, key: bytes) -> str:
    """``P-`` and the first 16 hex digits of HMAC-SHA256(key, value) (the value stripped, NFKC-normalised).

    >>> pseudonym("ann@example.org", bytes(32)) == pseudonym(" ann@example.org ", bytes(32))
    True
    """
    t = unicodedata.normalize("NFKC", str(value)).strip()
    return "P-" + hmac.new(key, t.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
