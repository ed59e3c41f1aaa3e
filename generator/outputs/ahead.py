"""Outputs made ahead of the click: once the month has settled, the web page writes the month's
Excel summary and feedback workbooks, each kept under a digest of everything it is made from;
the run after the click then takes the very same file instead of making it again.

A kept file is taken only when its digest is that of what the run would make: a month that has
changed since (one more file, another language, another day, another build of the tool) finds
none, and the run makes its own. What is kept here is only ever a copy: nothing reads it but a
run, which copies it into its own staging folder before it switches the month's outputs.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from pathlib import Path

import numpy as np
import pandas as pd

from generator.checks.memo import frame_token
from generator.outputs.atomic import write_bytes_atomic

# Part of every digest: a build that makes an output differently must not take an older build's file.
MAKING_VERSION = "1"
KEEP = 64  # files kept at most (a month's summary and its feedback, for a few months or languages)


class MadeAhead:
    """A folder of outputs, each named by the digest of what it was made from."""

    def __init__(self, folder: Path, keep: int = KEEP):
        self.folder, self.keep = Path(folder), keep

    def _path(self, key: str, suffix: str) -> Path:
        return self.folder / f"{key}{suffix}"

    def take(self, key: str | None, target: Path) -> Path | None:
        """The kept file for this digest, copied whole to target; None when there is none."""
        if key is None:
            return None
        try:
            data = self._path(key, target.suffix).read_bytes()
        except OSError:
            return None
        return write_bytes_atomic(target, data)

    def make(self, key: str | None, suffix: str, write: Callable[[Path], Path]) -> bool:
        """write(path) makes the file (whole or not at all, as every writer of the tool does); it is
        kept under key. False when there was nothing to make (no digest, or made already)."""
        if key is None:
            return False
        path = self._path(key, suffix)
        if path.exists():
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        write(path)
        self._trim()
        return True

    def _trim(self) -> None:
        try:
            files = sorted(self.folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        except OSError:
            return
        for old in files[:-self.keep] if len(files) > self.keep else ():
            try:
                old.unlink()
            except OSError:  # another run took it away meanwhile
                pass


class _Unlike(Exception):
    """A value whose digest could not be made: the output is then made again, never guessed."""


def content_token(*parts) -> str | None:
    """A digest of values as they are (dataclasses field by field, tables by their cells, lists,
    dicts, plain values by type and repr); None when a value cannot be digested."""
    digest = hashlib.sha256(MAKING_VERSION.encode())
    try:
        _feed(digest, parts)
    except _Unlike:
        return None
    return digest.hexdigest()


_PLAIN = (str, int, float, bool, type(None), date, datetime, Path, Enum, np.generic)


def _feed(digest, value) -> None:
    if isinstance(value, pd.DataFrame):
        token = frame_token(value)
        if not token:
            raise _Unlike
        digest.update(b"F" + token.encode() + repr(value.index.tolist()).encode())
    elif isinstance(value, pd.Series):
        _feed(digest, value.to_frame())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        digest.update(b"D" + type(value).__qualname__.encode())
        for f in dataclasses.fields(value):
            digest.update(f.name.encode())
            _feed(digest, getattr(value, f.name))
    elif isinstance(value, (list, tuple)):
        digest.update(b"L%d" % len(value))
        for item in value:
            _feed(digest, item)
    elif isinstance(value, dict):
        digest.update(b"M%d" % len(value))
        for k, v in value.items():
            _feed(digest, k)
            _feed(digest, v)
    elif isinstance(value, (set, frozenset)):
        digest.update(b"S" + repr(sorted(map(repr, value))).encode())
    elif isinstance(value, _PLAIN):
        digest.update(type(value).__name__.encode() + b":" + repr(value).encode() + b"\0")
    else:
        raise _Unlike
