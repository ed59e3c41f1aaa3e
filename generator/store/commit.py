"""Putting a run's outputs in place together with its store record: both old or both new.

A run's outputs are written whole into a staging folder inside the output folder. Then, holding
the output folder's lock and with the store's transaction still open:

1. a journal (`<out>/.savings-report-journal.json`) names the run, its store and every file it
   will put in place or remove;
2. each old file is moved into the staging folder's `_old/` and the new one renamed into place;
3. the store's transaction records the run's id (`store_info.last_commit`) and commits: this is
   the moment the month changes;
4. the journal and the staging folder (with the old files) are removed.

Killed anywhere, the next run into that folder finds the journal before anything else and
finishes the commit when the store holds the run's id, or puts every old file back when it does
not. An error in the run undoes the moves the same way before the transaction rolls back.
`tests/test_faults.py` kills a run at each step and checks both are old or both new.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

JOURNAL = ".savings-report-journal.json"
OUT_LOCK = ".savings-report.lock"  # Windows only
STAGING_PREFIX = ".staging-"


def step(name: str) -> None:
    """A point of the commit. Does nothing; the kill tests replace it to stop the process here."""


class OutputBusy(OSError):
    def __init__(self, out_dir: Path):
        super().__init__(16, "another run is writing into this folder", str(out_dir))  # EBUSY


@contextmanager
def output_lock(out_dir: Path, wait_seconds: float = 120.0):
    """One run at a time writes into an output folder: an advisory lock on the folder itself (on
    Windows, on a file in it), released by the system when the process ends, however it ends."""
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: a directory cannot be locked there
        fcntl = None
    fd = os.open(out_dir, os.O_RDONLY) if fcntl else os.open(out_dir / OUT_LOCK, os.O_RDWR | os.O_CREAT)
    try:
        deadline = time.monotonic() + wait_seconds
        while not _try_lock(fd, fcntl):
            if time.monotonic() > deadline:
                raise OutputBusy(out_dir)
            time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _try_lock(fd: int, fcntl) -> bool:
    if fcntl is None:
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


FILE_ATTRIBUTE_HIDDEN = 0x2
WINDOWS = os.name == "nt"


def hide(path: Path) -> None:
    """A dot-folder is hidden on Linux and macOS but not on Windows, where a run killed part-way
    would leave its staging folder in view until the next run clears it: mark it hidden there."""
    if not WINDOWS:
        return
    import ctypes

    attributes = ctypes.windll.kernel32.GetFileAttributesW(str(path))
    if attributes != -1:
        ctypes.windll.kernel32.SetFileAttributesW(str(path), attributes | FILE_ATTRIBUTE_HIDDEN)


class OutputCommit:
    """The outputs of one run, staged, and their switch into the output folder."""

    def __init__(self, out_dir: Path, store_path: Path | None):
        self.out_dir, self.store_path = Path(out_dir), store_path
        self.id = uuid.uuid4().hex  # the pipeline sets it from the run's record
        self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.out_dir))
        hide(self.staging)
        self.new = self.staging / "new"  # what the run writes
        self.new.mkdir()
        self.moves: list[str] = []
        self.removals: list[str] = []

    def switch(self, staged: dict[str, Path], remove: list[Path]) -> dict[str, Path]:
        """Steps 1 and 2: the journal, then the old files aside and the new ones in place."""
        self.moves = sorted(p.relative_to(self.new).as_posix() for p in staged.values())
        self.removals = sorted(p.relative_to(self.out_dir).as_posix() for p in remove)
        _write_json(self.out_dir / JOURNAL, {"id": self.id, "staging": self.staging.name,
                                             "store": str(self.store_path) if self.store_path else None,
                                             "moves": self.moves, "removals": self.removals})
        step("journal")
        _forward(self.out_dir, self.staging, self.moves, self.removals)
        return {key: self.out_dir / p.relative_to(self.new) for key, p in staged.items()}

    def finish(self) -> None:
        """Step 4, once the store has committed."""
        _finish(self.out_dir, self.staging)

    def undo(self) -> None:
        """The run failed before the store committed: every old file back, every new one gone."""
        _back(self.out_dir, self.staging, self.moves, self.removals)


def recover(out_dir: Path, committed_id: str | None = None) -> str | None:
    """Finish or undo a commit a killed run left; then clear staging folders left by killed runs.
    committed_id: the last commit of the store this run uses, when it is the journal's store.
    Must be called holding the output lock. Returns "forward", "back" or None."""
    out_dir = Path(out_dir)
    journal = out_dir / JOURNAL
    done = None
    if journal.exists():
        try:
            j = json.loads(journal.read_text(encoding="utf-8"))
            staging = out_dir / j["staging"]
        except (ValueError, KeyError, TypeError):
            j = None  # a journal cut short: written before any file moved (it is renamed into place whole)
        if j is not None:
            store_id = committed_id if committed_id is not None else _last_commit(j.get("store"))
            if j.get("store") is None or store_id == j["id"]:
                _forward(out_dir, staging, j["moves"], j["removals"])
                done = "forward"
            else:
                _back(out_dir, staging, j["moves"], j["removals"])
                done = "back"
        journal.unlink(missing_ok=True)
    for stale in out_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    return done


def journal_store(out_dir: Path) -> str | None:
    """The store named by a journal left in the folder, if any."""
    try:
        return json.loads((Path(out_dir) / JOURNAL).read_text(encoding="utf-8")).get("store")
    except (OSError, ValueError, AttributeError):
        return None


def _forward(out: Path, staging: Path, moves: list[str], removals: list[str]) -> None:
    """Each move that has not happened yet: the old file aside, the new one in place. Repeatable."""
    old = staging / "_old"
    for rel in moves:
        new, target = staging / "new" / rel, out / rel
        if not new.exists():
            continue  # moved already
        if target.exists() and not (old / rel).exists():
            (old / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, old / rel)
            step(f"aside {rel}")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(new, target)
        step(f"moved {rel}")
    for rel in removals:
        target = out / rel
        if target.exists() and not (old / rel).exists():
            (old / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, old / rel)
            step(f"removed {rel}")
    step("switched")


def _back(out: Path, staging: Path, moves: list[str], removals: list[str]) -> None:
    old = staging / "_old"
    for rel in removals + moves:
        target, kept = out / rel, old / rel
        if kept.exists():
            os.replace(kept, target)  # the old file back (over the new one, if it was moved in)
        elif rel in moves and not (staging / "new" / rel).exists():
            target.unlink(missing_ok=True)  # moved in, with no old file before it
    _finish(out, staging)


def _finish(out: Path, staging: Path) -> None:
    (out / JOURNAL).unlink(missing_ok=True)
    step("journal removed")
    shutil.rmtree(staging, ignore_errors=True)


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _last_commit(store: str | None) -> str | None:
    """The store's last committed run, read without changing it (None when it cannot be read)."""
    if not store or not Path(store).is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{Path(store).as_posix()}?mode=ro", uri=True, timeout=30)
        try:
            row = con.execute("SELECT value FROM store_info WHERE key = 'last_commit'").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None
