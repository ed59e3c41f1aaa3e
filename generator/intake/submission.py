"""Intake: find the returned workbooks in the inbox and read each one's identity and groups table.

File names do not matter: the district and period come from the workbook's `_meta` sheet, and
are checked against the setup, so a file can only ever speak for a district the setup knows
(and output names built from its code are safe). Input files are only ever read.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from generator.core.periods import Period, PeriodError, thai_date
from generator.core.problems import Problem, errors
from generator.intake.safe import (DEFAULT_LIMITS, FileRejected, FoundTable, Limits, find_table,
                               open_workbook, read_meta, snapshot)
from generator.core.rules import rule
from generator.core.schema import GROUPS, READABLE_TEMPLATE_VERSIONS
from generator.core.model import Setup

SKIPPED_PREFIXES = (".", "~$")  # hidden files and the lock files Excel leaves beside open workbooks


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

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def readable(self) -> bool:
        return self.table is not None and not errors(self.problems)


def inbox_files(inbox: Path) -> list[Path]:
    return sorted(p for p in Path(inbox).iterdir()
                  if p.is_file() and not p.name.startswith(SKIPPED_PREFIXES))


def distinct_files(paths: list[Path]) -> list[tuple[Path, str, tuple[str, ...]]]:
    """The inbox with identical files taken as one: a second e-mail or LINE download of the same
    file is the same submission, not a second one. Each is (the copy seen first, its SHA-256,
    the names of the other copies); the copy seen first is the one modified earliest (then by
    name), so the same inbox always gives the same answer whatever order the disk lists it in."""
    by_sha: dict[str, list[tuple[float, str, Path]]] = {}
    for path in paths:
        by_sha.setdefault(_sha256(path), []).append((_mtime(path), path.name, path))
    out = []
    for sha, copies in by_sha.items():
        copies.sort()
        out.append((copies[0][2], sha, tuple(name for _, name, _ in copies[1:])))
    return sorted(out, key=lambda item: item[0].name)


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
                    limits: Limits = DEFAULT_LIMITS, sha256: str | None = None) -> Submission:
    """Open one returned workbook. With a setup and period, also check it belongs to them."""
    path = Path(path)
    # Size first, then read once: what is hashed is what is read (`sha256`, from listing the inbox,
    # is not trusted: the file may have changed since).
    snap = snapshot(path, limits)
    sub = Submission(path, snap.sha256, snap.modified)
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
