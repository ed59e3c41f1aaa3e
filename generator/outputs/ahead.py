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
import os
import shutil
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from pathlib import Path

import numpy as np
import pandas as pd

from generator.checks.memo import frame_token
from generator.outputs.atomic import atomic_path

# Part of every digest: a build that makes an output differently must not take an older build's file.
MAKING_VERSION = "1"
KEEP = 64  # workbooks kept at most (a month's summary and its feedback, for a few months or languages)


class MadeAhead:
    """A folder of outputs, each as <digest of what it was made from>/<its name in the outputs>."""

    def __init__(self, folder: Path, keep: int = KEEP):
        self.folder, self.keep = Path(folder), keep

    def path(self, key: str, name: str) -> Path:
        return self.folder / key / name

    def take(self, key: str | None, target: Path) -> Path | None:
        """The kept file for this digest, copied whole to target with its time (the PDF attaches the
        summary with it); None when there is none."""
        if key is None:
            return None
        kept = self.path(key, target.name)
        try:
            data, st = kept.read_bytes(), kept.stat()
        except OSError:
            return None
        with atomic_path(target) as tmp:  # its time set before it appears: the PDF worker waits for it
            tmp.write_bytes(data)
            os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
        return target

    def make(self, key: str | None, name: str, write: Callable[[Path], Path]) -> Path | None:
        """write(path) makes the file (whole or not at all, as every writer of the tool does); it is
        kept under key. Returns where it is kept (made now or before); None without a digest."""
        if key is None:
            return None
        path = self.path(key, name)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write(path)
            self._trim()
        return path

    def _trim(self) -> None:
        try:
            kept = sorted(self.folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        except OSError:
            return
        for old in kept[:-self.keep] if len(kept) > self.keep else ():
            shutil.rmtree(old, ignore_errors=True)  # another run may have taken it away meanwhile


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
        # its cells, and also its index and each column's type: 1 and 1.0 are written alike by neither
        digest.update(b"F" + token.encode() + repr((value.index.tolist(), value.dtypes.tolist())).encode())
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
