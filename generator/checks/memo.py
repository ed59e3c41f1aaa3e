"""What the web page's previews keep between runs of the month: each file read and checked once.

A preview after one more upload reads and checks only that file; the key of an entry is the file's
content, name, month, setup, limits and time, and (for its checks) a digest of its district's last
month. `pipeline.check_files` is the one user; a run shares the previews' memo.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pandas as pd

from generator.core.model import Setup
from generator.core.periods import Period
from generator.intake.limits import Limits


# Entries (two a file): room for a month of 1,200 files, a province's deadline of several uploads a
# district many times over. An entry is a few KiB; a file that counts also keeps its groups (about
# 50 KiB), and only one file a district counts, so the memo stays small however long the server runs.
MEMO_MAX = 2_400


def recall(memo: dict | None, key):
    """The memo's entry, moved to the back of the line (a dict keeps the order entries came in).
    The web page's previews and its run share one memo from two threads: each step here is one
    dict operation, and an entry another thread took meanwhile is only worked out again."""
    if memo is None or key is None:
        return None
    value = memo.pop(key, None)
    if value is not None:
        memo[key] = value
    return value


def forget_oldest(memo: dict) -> None:
    """The least recently used entries, until the memo holds MEMO_MAX."""
    while len(memo) > MEMO_MAX:
        try:
            memo.pop(next(iter(memo)), None)
        except (RuntimeError, StopIteration):  # another thread changed it meanwhile: next time
            return


def lean(sub):
    """A submission as the memo keeps it: without the sheet's raw rows, which only validation reads
    (after it, the table's sheet, header and columns still name each problem's cell). A month of
    a thousand uploads would otherwise hold every file's cells for as long as the server runs."""
    if sub.table is None:
        return copy_submission(sub)
    return replace(sub, table=replace(sub.table, rows=[]), problems=list(sub.problems))


def copy_submission(sub):
    """A submission as the pipeline may change it (its copies, when it was received, its problems)."""
    return replace(sub, problems=list(sub.problems))


def memo_key(path: Path, name: str, sha: str | None, period: Period, limits: Limits, setup_key: str | None):
    if setup_key is None or not sha:
        return None
    try:
        modified = Path(path).stat().st_mtime_ns  # the file's time is when it was received
    except OSError:
        return None
    return (sha, name, period.key, limits, setup_key, modified)


def setup_token(setup: Setup) -> str:
    """A digest of everything a setup holds: two setups with the same token check a file alike."""
    from dataclasses import fields

    digest = hashlib.sha256()
    for f in fields(setup):
        value = getattr(setup, f.name)
        digest.update(f.name.encode())
        digest.update(frame_token(value).encode() if isinstance(value, pd.DataFrame) else repr(value).encode())
    return digest.hexdigest()


def frame_token(frame: pd.DataFrame | None) -> str:
    """A digest of a table's columns and values ("none" for no table; "" when it cannot be made)."""
    if frame is None:
        return "none"
    try:
        values = pd.util.hash_pandas_object(frame, index=False).values.tobytes()
    except TypeError:
        return ""
    return hashlib.sha256(repr(list(frame.columns)).encode() + values).hexdigest()


def checks_entry(done):
    """A file's checks as the memo keeps them: its submission lean, its groups and its own problems."""
    from generator.checks.validation import Checked

    return Checked(lean(done.submission), done.groups.copy(), list(done.problems))


def keep_groups_of_counting(memo: dict | None, checked: list, counting: list) -> None:
    """The groups of only the files that count (one a district): a file replaced by a later one, or
    rejected, keeps its problems in the memo and not its rows. Should it count again (its newer
    file taken out, or a later month read against it), `pipeline.check_files` reads it again."""
    if memo is None:
        return
    counts = {id(c) for c in counting}
    for c in checked:
        key = c.memo_key
        if key is None or id(c) in counts:
            continue
        entry = memo.get(key)
        if entry is not None and entry.groups is not None:
            memo[key] = replace(entry, groups=None)
