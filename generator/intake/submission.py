"""Intake: find the returned workbooks in the inbox and read each one's identity and groups table.

File names do not matter: the district and period come from the workbook's `_meta` sheet, and
are checked against the setup, so a file can only ever speak for a district the setup knows
(and output names built from its code are safe). Input files are only ever read.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from generator.core.periods import Period, PeriodError, thai_date
from generator.core.problems import Problem, errors
from generator.intake.safe import FoundTable, find_table, open_workbook, read_meta
from generator.intake.snapshot import snapshot
from generator.intake.limits import DEFAULT_LIMITS, FileRejected, Limits
from generator.core.rules import rule
from generator.core.schema import GROUPS, READABLE_TEMPLATE_VERSIONS
from generator.core.model import Setup

SKIPPED_PREFIXES = (".", "~$")  # hidden files and the lock files Excel leaves beside open workbooks
# Folders inside the inbox are read: an office sorts returns by district (inbox/เมืองชัยภูมิ/…), a
# clerk keeps a month's mail in a folder, and a mail client saves "2566/08.xlsx" as a folder "2566".
# Deeper than this is not a way anyone files a month's returns: said, not read.
MAX_FOLDER_DEPTH = 4


@dataclass
class Submission:
    path: Path
    sha256: str
    received_at: datetime
    meta: dict[str, str] | None = None
    district_code: str | None = None
    period: Period | None = None
    table: FoundTable | None = None
    problems: list[Problem] = field(default_factory=list)
    copies: tuple[str, ...] = ()  # names of other files in the inbox with the very same content
    # The name as the office finds it: the path inside the inbox ("เมืองชัยภูมิ/รายงาน.xlsx"), so
    # two districts' "รายงาน.xlsx" in their own folders are two files, each named where it is.
    inbox_name: str | None = None

    @property
    def name(self) -> str:
        return self.inbox_name or self.path.name

    @property
    def readable(self) -> bool:
        return self.table is not None and not errors(self.problems)


@dataclass(frozen=True)
class InboxListing:
    """What the inbox holds: the files to read, each with its name inside the inbox, and one
    problem for every entry that is not read (so nothing the office put there is passed over
    without a word). Hidden files and Excel's ~$ lock files are the system's, not the office's."""

    files: tuple[tuple[Path, str], ...]
    skipped: tuple[Problem, ...] = ()

    @property
    def paths(self) -> list[Path]:
        return [path for path, _ in self.files]


def list_inbox(inbox: Path, own: Iterable[Path] = ()) -> InboxListing:
    """Every file in the inbox and its folders, in name order. ``own``: the program's own outputs
    (the output folder and its report files, when ``--out`` is the inbox or inside it), which are
    never read back as returns: a feedback copy carries its district's identity."""
    own_paths = {Path(p).resolve() for p in own} - {Path(inbox).resolve()}
    files: list[tuple[Path, str]] = []
    skipped: list[Problem] = []
    _walk(Path(inbox), "", 0, own_paths, files, skipped)
    return InboxListing(tuple(files), tuple(skipped))


def inbox_files(inbox: Path) -> list[Path]:
    return list_inbox(inbox).paths


def _walk(folder: Path, rel: str, depth: int, own: set[Path], files: list, skipped: list) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        skipped.append(rule("F_FOLDER_UNREADABLE").problem(file=rel or ".", detail=exc.strerror or type(exc).__name__))
        return
    for entry in entries:
        if entry.name.startswith(SKIPPED_PREFIXES):
            continue
        name, path = f"{rel}/{entry.name}" if rel else entry.name, Path(entry.path)
        try:
            if path.resolve() in own:
                skipped.append(rule("F_OWN_OUTPUT").problem(file=name))
            elif entry.is_symlink() and entry.is_dir():
                # Never followed: a link can lead outside the inbox, or round in a loop.
                skipped.append(rule("F_FOLDER_LINK").problem(file=name))
            elif entry.is_dir(follow_symlinks=False):
                if depth + 1 >= MAX_FOLDER_DEPTH:
                    skipped.append(rule("F_FOLDER_TOO_DEEP").problem(file=name, n=MAX_FOLDER_DEPTH - 1))
                else:
                    _walk(path, name, depth + 1, own, files, skipped)
            elif entry.is_file():  # a link to a file is read like the file (as a shortcut on a desktop)
                files.append((path, name))
            else:  # a pipe, a device, a link to nothing: reading could hang or find nothing
                skipped.append(rule("F_NOT_A_FILE").problem(file=name))
        except OSError as exc:
            skipped.append(rule("F_FOLDER_UNREADABLE").problem(file=name, detail=exc.strerror or type(exc).__name__))


def distinct_files(paths: list[Path] | list[tuple[Path, str]]) -> list[tuple[Path, str, tuple[str, ...]]]:
    """The inbox with identical files taken as one: a second e-mail or LINE download of the same
    file is the same submission, not a second one. Each is (the copy seen first, its SHA-256,
    the names of the other copies); the copy seen first is the one modified earliest (then by
    name), so the same inbox always gives the same answer whatever order the disk lists it in.
    ``paths`` are paths, or (path, name inside the inbox) as `list_inbox` gives them."""
    by_sha: dict[str, list[tuple[float, str, Path]]] = {}
    for item in paths:
        path, name = item if isinstance(item, tuple) else (item, item.name)
        by_sha.setdefault(_sha256(path), []).append((_mtime(path), name, path))
    out = []
    for sha, copies in by_sha.items():
        copies.sort()
        out.append((copies[0][2], sha, tuple(name for _, name, _ in copies[1:]), copies[0][1]))
    return [(path, sha, copies) for path, sha, copies, _ in sorted(out, key=lambda item: item[3])]


def distinct_named(paths: list[tuple[Path, str]]) -> list[tuple[Path, str, str, tuple[str, ...]]]:
    """distinct_files with the name inside the inbox of the copy kept: (path, name, sha, copies)."""
    names = dict(paths)
    return [(path, names.get(path, path.name), sha, copies) for path, sha, copies in distinct_files(paths)]


def _sha256(path: Path) -> str:
    """For finding copies only: a file too large to read, or gone since it was listed, is its own
    (read_submission says why); its bytes are hashed again as they are read (reading.snapshot)."""
    try:
        if path.stat().st_size > DEFAULT_LIMITS.max_file_bytes:
            return f"unread:{path.name}"
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return f"unread:{path.name}"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def read_submission(path: Path, setup: Setup | None, period: Period | None,
                    limits: Limits = DEFAULT_LIMITS, sha256: str | None = None,
                    name: str | None = None) -> Submission:
    """Open one returned workbook. With a setup and period, also check it belongs to them.
    ``name``: the file's name inside the inbox, when it is in a folder there."""
    sub = _read_submission(Path(path), setup, period, limits, name)
    if sub.inbox_name and sub.inbox_name != sub.path.name:
        # The readers name the file by its own name; the office finds it by its place in the inbox.
        sub.problems = [replace(p, file=sub.name) if p.file == sub.path.name else p for p in sub.problems]
    return sub


def _read_submission(path: Path, setup: Setup | None, period: Period | None, limits: Limits,
                     name: str | None) -> Submission:
    # Size first, then read once: what is hashed is what is read (`sha256`, from listing the inbox,
    # is not trusted: the file may have changed since).
    snap = snapshot(path, limits)
    sub = Submission(path, snap.sha256, snap.modified, inbox_name=name)
    if snap.problem is not None:
        sub.problems.append(snap.problem)
        return sub
    try:
        wb, sub.problems = open_workbook(path, limits, snap.data)
        sub.meta = read_meta(wb, sub.name)
        if sub.meta is None:
            sub.problems.append(rule("F_NOT_OURS").problem(file=sub.name))
            _guess_district(sub, setup)
            return sub
        identity = _check_identity(sub, setup, period)
        sub.problems += identity
        if errors(identity):
            return sub
        sub.table = find_table(wb, GROUPS, sub.meta, sub.name, limits)
    except FileRejected as exc:
        sub.problems.append(exc.problem)
        _guess_district(sub, setup)
        return sub
    if sub.table is None:
        sub.problems.append(rule("F_NO_TABLE").problem(file=sub.name, value=GROUPS.sheet_th,
                                                       district_code=sub.district_code))
        return sub
    for key in sub.table.missing:
        column = GROUPS.column(key)
        if column.required:
            sub.problems.append(rule("F_MISSING_COLUMN").problem(
                file=sub.name, sheet=sub.table.sheet, value=column.header_th, value_en=column.header_en,
                district_code=sub.district_code))
    return sub


def _guess_district(sub: Submission, setup: Setup | None) -> None:
    """A file that could not be read at all (saved in a format that cannot be read, damaged, not
    our workbook) still has a sender: when its name holds exactly one district's code or name of
    the setup, the file is that district's (rejected) file, so the district is told how to fix it
    rather than listed as not having sent anything. Only a code of the setup is ever taken."""
    if setup is None:
        return
    name = unicodedata.normalize("NFC", sub.name)
    found = {c for c in re.findall(r"(?<!\d)(\d{4})(?!\d)", name) if c in setup.district_codes}
    named = {n: c for c, n in ((c, unicodedata.normalize("NFC", str(n))) for c, n in
                               zip(setup.districts["district_code"], setup.districts["district_name"])) if n and n in name}
    # A name inside another one found (เมือง in เมืองชัยภูมิ) is not a second district.
    found |= {c for n, c in named.items() if not any(n != m and n in m for m in named)}
    if len(found) == 1:
        sub.district_code = found.pop()
        sub.problems = [replace(p, district_code=sub.district_code) for p in sub.problems]


def _quoted_meta(text: str | None, width: int = 20) -> str:
    """A value from `_meta` as quoted in a message: the file is untrusted, so never all of it."""
    text = " ".join((text or "").split())
    return "?" if not text else text if len(text) <= width else text[:width] + "…"


def _check_identity(sub: Submission, setup: Setup | None, period: Period | None) -> list[Problem]:
    meta, name = sub.meta, sub.name
    version = meta.get("template_version", "")
    if version not in READABLE_TEMPLATE_VERSIONS:
        return [rule("F_TEMPLATE_VERSION").problem(file=name, value=_quoted_meta(version))]
    if meta.get("kind", "district") != "district":
        return [rule("F_NOT_OURS").problem(file=name)]
    code = meta.get("district_code", "")
    try:
        sub.period = Period.parse(meta.get("period", ""))
    except PeriodError:
        sub.period = None
    if setup is None:
        # Only shown, never used in a path; still, only plain digits count as a code.
        sub.district_code = code if code.isascii() and code.isdigit() else None
        return []
    if meta.get("province_code") != setup.province_code:
        return [rule("F_OTHER_PROVINCE").problem(file=name, value=_quoted_meta(meta.get("province_code")),
                                                 province=setup.province_name)]
    if code not in setup.district_codes:
        # Never trusted further: a code like '../../x' ends here.
        return [rule("F_UNKNOWN_DISTRICT").problem(file=name, value=_quoted_meta(code))]
    sub.district_code = code
    if period is None and sub.period is not None and not setup.covers(sub.period):
        start, end = setup.fiscal_bounds
        return [rule("F_OUTSIDE_YEAR").problem(
            file=name, district_code=code, value=_quoted_meta(meta.get("period")), found=sub.period.thai(),
            found_en=sub.period.english(), year=setup.fiscal_year_be, start=thai_date(start), end=thai_date(end),
            start_en=start.isoformat(), end_en=end.isoformat())]
    if period is not None and sub.period != period:
        found = sub.period.thai() if sub.period else _quoted_meta(meta.get("period"))
        found_en = sub.period.english() if sub.period else _quoted_meta(meta.get("period"))
        return [rule("F_OTHER_PERIOD").problem(file=name, district_code=code, value=_quoted_meta(meta.get("period")),
                                               found=found, found_en=found_en, expected=period.thai(),
                                               expected_en=period.english())]
    return []
