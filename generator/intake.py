"""Intake: find the returned workbooks in the inbox and read each one's identity and groups table.

File names do not matter: the district and period come from the workbook's `_meta` sheet, and
are checked against the setup, so a file can only ever speak for a district the setup knows
(and output names built from its code are safe). Input files are only ever read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from generator.periods import Period, PeriodError
from generator.problems import Problem, errors
from generator.reading import (DEFAULT_LIMITS, FileRejected, FoundTable, Limits, find_table,
                               open_workbook, read_meta, snapshot)
from generator.rules import rule
from generator.schema import GROUPS, READABLE_TEMPLATE_VERSIONS
from generator.setup import Setup

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

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def readable(self) -> bool:
        return self.table is not None and not errors(self.problems)


def inbox_files(inbox: Path) -> list[Path]:
    return sorted(p for p in Path(inbox).iterdir()
                  if p.is_file() and not p.name.startswith(SKIPPED_PREFIXES))


def read_submission(path: Path, setup: Setup | None, period: Period | None,
                    limits: Limits = DEFAULT_LIMITS) -> Submission:
    """Open one returned workbook. With a setup and period, also check it belongs to them."""
    path = Path(path)
    snap = snapshot(path, limits)  # size first, then read once: what is hashed is what is read
    sub = Submission(path, snap.sha256, snap.modified)
    if snap.problem is not None:
        sub.problems.append(snap.problem)
        return sub
    try:
        wb, sub.problems = open_workbook(path, limits, snap.data)
        sub.meta = read_meta(wb, sub.name)
        if sub.meta is None:
            sub.problems.append(rule("F_NOT_OURS").problem(file=sub.name))
            return sub
        identity = _check_identity(sub, setup, period)
        sub.problems += identity
        if errors(identity):
            return sub
        sub.table = find_table(wb, GROUPS, sub.meta, sub.name, limits)
    except FileRejected as exc:
        sub.problems.append(exc.problem)
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


def _shown(text: str | None, width: int = 20) -> str:
    """A value from `_meta` as quoted in a message: the file is untrusted, so never all of it."""
    text = " ".join((text or "").split())
    return "?" if not text else text if len(text) <= width else text[:width] + "…"


def _check_identity(sub: Submission, setup: Setup | None, period: Period | None) -> list[Problem]:
    meta, name = sub.meta, sub.name
    version = meta.get("template_version", "")
    if version not in READABLE_TEMPLATE_VERSIONS:
        return [rule("F_TEMPLATE_VERSION").problem(file=name, value=_shown(version))]
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
        return [rule("F_OTHER_PROVINCE").problem(file=name, value=_shown(meta.get("province_code")),
                                                 province=setup.province_name)]
    if code not in setup.district_codes:
        # Never trusted further: a code like '../../x' ends here.
        return [rule("F_UNKNOWN_DISTRICT").problem(file=name, value=_shown(code))]
    sub.district_code = code
    if period is not None and sub.period != period:
        found = sub.period.thai() if sub.period else _shown(meta.get("period"))
        found_en = sub.period.english() if sub.period else _shown(meta.get("period"))
        return [rule("F_OTHER_PERIOD").problem(file=name, district_code=code, value=_shown(meta.get("period")),
                                               found=found, found_en=found_en, expected=period.thai(),
                                               expected_en=period.english())]
    return []
