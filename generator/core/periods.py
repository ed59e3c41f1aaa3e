"""Months, fiscal years and Thai dates.

The fiscal year (ปีงบประมาณ) runs 1 October to 30 September and is named by the Buddhist-era
year in which it ends (BE = CE + 543). A reporting period is one calendar month, stored as
``YYYY-MM`` in CE and shown to people in BE with Thai month names.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

BE_OFFSET = 543

THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
               "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
THAI_MONTHS_ABBR = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.",
                    "ต.ค.", "พ.ย.", "ธ.ค.")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    """One reporting month, in CE."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Read ``2566-03`` (BE) or ``2023-03`` (CE); also ``03/2566``."""
        s = str(text).strip()
        m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})", s) or None
        if m:
            year, month = int(m[1]), int(m[2])
        else:
            m = re.fullmatch(r"(\d{1,2})[-/.](\d{4})", s)
            if not m:
                raise PeriodError(s)
            month, year = int(m[1]), int(m[2])
        if year > 2400:
            year -= BE_OFFSET
        if not (1 <= month <= 12) or not (1900 <= year <= 2200):
            raise PeriodError(s)
        return cls(year, month)

    @classmethod
    def from_key(cls, key: str) -> "Period":
        """The month a stored key (``2023-08``, CE) names: the inverse of `key`."""
        if not re.fullmatch(r"\d{4}-\d{2}", str(key)):
            raise PeriodError(str(key))
        return cls(int(key[:4]), int(key[5:7]))

    @classmethod
    def of(cls, d: date) -> "Period":
        return cls(d.year, d.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def be_key(self) -> str:
        """``2566-08``: how Thai offices write a month, used in file names."""
        return f"{self.year + BE_OFFSET:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def day(self, day_of_month: int) -> date:
        """The given day of this month, clipped to the month's length (a due day of 31 in June)."""
        return date(self.year, self.month, min(day_of_month, self.last_day.day))

    @property
    def fiscal_year_be(self) -> int:
        return fiscal_year_of(self.first_day)

    def thai(self) -> str:
        return f"{THAI_MONTHS[self.month - 1]} {self.year + BE_OFFSET}"

    def english(self) -> str:
        """``August 2023``: English readers count years in the common era (THAI-STYLE)."""
        return f"{calendar.month_name[self.month]} {self.year}"

    def label(self, lang: str = "th") -> str:
        return self.thai() if lang == "th" else self.english()

    def short_label(self, lang: str = "th") -> str:
        """ส.ค. 66 / Aug 23: a month in a tight table or a chart's axis."""
        if lang == "th":
            return f"{THAI_MONTHS_ABBR[self.month - 1]} {(self.year + BE_OFFSET) % 100:02d}"
        return f"{calendar.month_abbr[self.month]} {self.year % 100:02d}"

    def previous(self) -> "Period":
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def next(self) -> "Period":
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def __str__(self) -> str:
        return self.key


def months_between(first: Period, last: Period) -> list[Period]:
    """Every month from `first` to `last`, both included (none when `last` is before `first`)."""
    out, m = [], first
    while m <= last:
        out.append(m)
        m = m.next()
    return out


def fiscal_year_months(fiscal_year_be: int) -> list[Period]:
    """The twelve months of a fiscal year, October first."""
    start, end = fiscal_year_bounds(fiscal_year_be)
    return months_between(Period.of(start), Period.of(end))


def parse_day(text: str) -> date:
    """Read a day as the options take it: ``2566-08-20`` (BE) or ``2023-08-20`` (CE), like `Period.parse`;
    also ``20/8/2566``. Raises PeriodError."""
    s = str(text).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", s)
        if not m:
            raise PeriodError(s)
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    if year > 2400:
        year -= BE_OFFSET
    try:
        if not 1900 <= year <= 2200:
            raise ValueError(year)
        return date(year, month, day)
    except ValueError:
        raise PeriodError(s) from None


def fiscal_year_of(d: date) -> int:
    """The BE fiscal year a day belongs to."""
    return d.year + BE_OFFSET + (1 if d.month >= 10 else 0)


def fiscal_year_bounds(fiscal_year_be: int) -> tuple[date, date]:
    end_ce = fiscal_year_be - BE_OFFSET
    return date(end_ce - 1, 10, 1), date(end_ce, 9, 30)


def thai_date(d: date, short: bool = False) -> str:
    """``9 มกราคม 2566``, or ``9 ม.ค. 66`` when short."""
    if short:
        return f"{d.day} {THAI_MONTHS_ABBR[d.month - 1]} {(d.year + BE_OFFSET) % 100:02d}"
    return f"{d.day} {THAI_MONTHS[d.month - 1]} {d.year + BE_OFFSET}"


def english_date(d: date, short: bool = False) -> str:
    """``20 August 2023``, or ``20 Aug 23`` when short."""
    if short:
        return f"{d.day} {calendar.month_abbr[d.month]} {d.year % 100:02d}"
    return f"{d.day} {calendar.month_name[d.month]} {d.year}"


def format_date(d: date, lang: str = "th", short: bool = False) -> str:
    return thai_date(d, short) if lang == "th" else english_date(d, short)
