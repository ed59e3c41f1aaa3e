"""A file's bytes as they were read, once, within the size limit: a file still being written
(a mail client finishing a download) is read again until it holds still, and what was read is
what is hashed, checked and archived."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


from generator.core.problems import Problem
from generator.core.rules import rule

from generator.intake.limits import DEFAULT_LIMITS, Limits, _reject


def read_limited(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The file's bytes, read once; refused by size before reading."""
    name = path.name
    size = path.stat().st_size
    if size == 0:
        raise _reject("F_EMPTY", name)
    if size > limits.max_file_bytes:
        raise _reject("F_TOO_LARGE", name, detail=f"{size:,} bytes")
    with open(path, "rb") as f:
        data = f.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:  # it grew while we looked
        raise _reject("F_TOO_LARGE", name, detail=f"> {limits.max_file_bytes:,} bytes")
    if not data:
        raise _reject("F_EMPTY", name)
    return data


@dataclass(frozen=True)
class Snapshot:
    """A returned file as it was read: its bytes (None when refused before reading), their hash and
    its modification time. What is hashed is what is checked and read, so a file that changes while
    the month runs can never be half one version and half another."""

    data: bytes | None
    sha256: str
    modified: datetime
    problem: Problem | None = None


SNAPSHOT_TRIES = 3  # a file still being written (a mail client finishing a download) gets this many reads
SNAPSHOT_PAUSE = 0.5  # seconds between them


def snapshot(path: Path, limits: Limits = DEFAULT_LIMITS, pause: float = SNAPSHOT_PAUSE) -> Snapshot:
    """Read a returned file once, after checking its size (a 40 GB file is refused without being
    read), and make sure it did not change while it was read; never raises for the file itself.

    A file that vanished, cannot be opened, or kept changing is that file's problem: the Snapshot
    carries it, and the rest of the month goes on."""
    path = Path(path)
    name = path.name
    for attempt in range(SNAPSHOT_TRIES):
        try:
            before = path.stat()
            if before.st_size == 0 or before.st_size > limits.max_file_bytes:
                rejected = _reject("F_EMPTY", name) if before.st_size == 0 else _reject(
                    "F_TOO_LARGE", name, detail=f"{before.st_size:,} bytes")
                return Snapshot(None, _unread_key(name, before), _mtime(before), rejected.problem)
            with open(path, "rb") as f:
                data = f.read(limits.max_file_bytes + 1)
                during = os.fstat(f.fileno())
            after = path.stat()
        except FileNotFoundError:
            return Snapshot(None, _unread_key(name, None), datetime.now(), rule("F_VANISHED").problem(file=name))
        except OSError as exc:
            return Snapshot(None, _unread_key(name, None), datetime.now(),
                            rule("F_UNREADABLE").problem(file=name, detail=exc.strerror or type(exc).__name__))
        if _same(before, during) and _same(during, after) and len(data) == after.st_size:
            if len(data) > limits.max_file_bytes:
                return Snapshot(None, _unread_key(name, after), _mtime(after),
                                _reject("F_TOO_LARGE", name, detail=f"> {limits.max_file_bytes:,} bytes").problem)
            return Snapshot(data, hashlib.sha256(data).hexdigest(), _mtime(after))
        if attempt + 1 < SNAPSHOT_TRIES:
            time.sleep(pause)
    return Snapshot(None, _unread_key(name, None), datetime.now(), rule("F_CHANGING").problem(file=name))


def bytes_as_read(path: Path, sha256: str, limits: Limits = DEFAULT_LIMITS) -> bytes | None:
    """The file's bytes again (for its feedback copy or the archive), only if they are still
    those that were read and checked; None if it has changed or gone since."""
    snap = snapshot(path, limits, pause=0)
    return snap.data if snap.data is not None and snap.sha256 == sha256 else None


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_size, a.st_mtime_ns, a.st_ino, a.st_dev) == (b.st_size, b.st_mtime_ns, b.st_ino, b.st_dev)


def _mtime(st: os.stat_result) -> datetime:
    return datetime.fromtimestamp(st.st_mtime)


def _unread_key(name: str, st: os.stat_result | None) -> str:
    """A stable key for a file refused before its bytes were read: the store keys files by hash."""
    seen = f"{st.st_size}:{st.st_mtime_ns}" if st is not None else "unread"
    return hashlib.sha256(f"unread\0{name}\0{seen}".encode("utf-8", "surrogateescape")).hexdigest()
