"""Reading the values people really type into a cell.

Each reader takes what the spreadsheet library gave for one cell (None, str, int, float, date,
datetime, bool) and returns a `Reading`: the value understood, and either nothing more (read
literally), an ``interpreted`` note saying how it was understood (shown to the district as a
warning), or an ``error`` naming the rule it breaks. Readers never raise.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from generator.core.periods import BE_OFFSET, THAI_MONTHS, THAI_MONTHS_ABBR

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Every format character (Unicode category Cf): zero-width spaces and joiners, the soft hyphen,
# the byte-order mark, and the left-to-right and right-to-left marks and embeddings (U+200E,
# U+200F, U+202A-U+202E) that copying from a web page or chat leaves at the end of a name. None is
# visible or typed on purpose in Thai; left in, "กลุ่มออมทรัพย์บ้านนา" and the same name with an
# LRM appended would be two groups. tests/test_faults.py checks this covers unicodedata's Cf.
ZERO_WIDTH = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
                        "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
                        "\U000e0020-\U000e007f]")
# Sara am typed as nikhahit + sara aa looks the same; NFC does not join them (only NFKC splits it).
_SARA_AM = re.compile("\u0e4d\u0e32")
UNIT_WORDS = re.compile(r"\s*(บาท|คน|กลุ่ม|ราย|baht|thb|persons?|people)\.?\s*$", re.I)
CURRENCY = re.compile(r"^\s*(฿|thb|บาท)\s*", re.I)
BAHT_DASH = re.compile(r"\.-\s*$")  # "1,250.-": how amounts are written on Thai forms
PERCENT_WORDS = re.compile(r"%|ร้อยละ|เปอร์เซ็นต์|เปอร์เซนต์|percent", re.I)
EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class Reading:
    value: object = None
    # How a value not read literally was understood, for a warning: (Thai, English).
    interpreted: tuple[str, str] | None = None
    # The rule id a value breaks, when it cannot be understood.
    error: str | None = None

    @property
    def empty(self) -> bool:
        return self.value is None and self.error is None


EMPTY = Reading()


@dataclass(frozen=True)
class OddCell:
    """A cell the spreadsheet reader shows as empty although it is not: an error value
    (`#DIV/0!`), a formula saved without its value (by a program that does not calculate), or a
    number that is none (NaN, which a date format shows as 30 Dec 1899). generator.intake.safe puts
    one in place of the reader's value, so that the readers here say what was found."""

    kind: str  # "error", "formula", "not_number" or "stale"
    text: str = ""
    # "stale": a simple formula whose saved value (text) disagrees with its value worked out
    # (generator.intake.formulas); the worked-out value is read, with a warning at the cell.
    formula: str = ""
    worked: float | None = None

    def __str__(self) -> str:
        return self.text


_ODD_ERRORS = {"error": "error_value", "formula": "formula_no_value"}


def _odd_aware(reader):
    """A reader that reports an error value or an uncalculated formula as what it is; a NaN goes
    on as its text ("NaN"), which no number, date or code reader accepts."""
    def read(raw: object) -> Reading:
        if isinstance(raw, OddCell) and raw.kind in _ODD_ERRORS:
            return Reading(raw.text or None, error=_ODD_ERRORS[raw.kind])
        if isinstance(raw, OddCell) and raw.kind == "stale":
            return reader(raw.worked)  # the warning is the table's (generator.intake.parsing)
        return reader(raw)

    return functools.wraps(reader)(read)


def is_blank(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and clean_text(raw) == ""


def clean_text(raw: str) -> str:
    if not raw.isascii():
        raw = unicodedata.normalize("NFC", ZERO_WIDTH.sub("", raw))
    return raw.replace("\u00a0", " ").strip()


def name_key(name: object) -> str:
    """A name as compared for sameness (a group, an officer, an officer's code): NFC, without
    format characters or spaces of any kind, sara am however typed, any case."""
    if not isinstance(name, str):
        return ""
    return _SARA_AM.sub("\u0e33", "".join(clean_text(name).split())).lower()


@_odd_aware
def read_text(raw: object) -> Reading:
    if is_blank(raw):
        return EMPTY
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw)
    cleaned = " ".join(clean_text(text).split())
    marks = sorted({f"U+{ord(m):04X}" for m in ZERO_WIDTH.findall(text)})
    if marks:
        shown = ", ".join(marks[:5])
        return Reading(cleaned, (f"ตัดอักขระที่มองไม่เห็นออก ({shown})", f"removed invisible characters ({shown})"))
    return Reading(cleaned)


@_odd_aware
def read_code(raw: object) -> Reading:
    """A government code (digits). A code typed as a number loses nothing we need: codes here
    never start with 0, but a float like 36010101.0 must come back as '36010101'."""
    if is_blank(raw):
        return EMPTY
    if isinstance(raw, bool):
        return Reading(error="not_code")
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not raw.is_integer() or raw < 0:  # a code is digits, never signed
            return Reading(str(raw), error="not_code")
        return Reading(str(int(raw)))
    text = clean_text(str(raw)).translate(THAI_DIGITS).replace(" ", "").replace("-", "")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not (text.isascii() and text.isdigit()):  # not '²' or Arabic-Indic digits, which isdigit() accepts
        return Reading(clean_text(str(raw)), error="not_code")
    if text != str(raw):
        return Reading(text, (f"อ่านเป็นรหัส {text}", f"read as code {text}"))
    return Reading(text)


def _number_from_text(text: str) -> tuple[float | None, list[str]]:
    """Digits out of what people type; returns the number and what had to be done to get it."""
    done = []
    s = clean_text(text)
    if s.translate(THAI_DIGITS) != s:
        done.append("thai_digits")
        s = s.translate(THAI_DIGITS)
    if PERCENT_WORDS.search(s):
        return None, ["percent"]
    if UNIT_WORDS.search(s) or CURRENCY.search(s):
        done.append("unit")
        s = CURRENCY.sub("", UNIT_WORDS.sub("", s))
    if BAHT_DASH.search(s):
        if "unit" not in done:
            done.append("unit")
        s = BAHT_DASH.sub("", s)
    if "," in s or " " in s:
        done.append("separators")
        s = s.replace(",", "").replace(" ", "")
    try:
        value = float(s)
    except ValueError:
        return None, done
    if not math.isfinite(value):
        return None, done
    done.append("text")
    return value, done


_HOW_TH = {"thai_digits": "เลขไทย", "unit": "มีหน่วยหรือเครื่องหมายเงิน", "separators": "มีจุลภาคหรือช่องว่าง",
           "text": "พิมพ์เป็นข้อความ"}
_HOW_EN = {"thai_digits": "Thai digits", "unit": "a unit or currency sign",
           "separators": "thousands separators or spaces", "text": "typed as text"}


def _number(raw: object, whole: bool) -> Reading:
    if is_blank(raw):
        return EMPTY
    if isinstance(raw, bool) or isinstance(raw, (date, datetime)):
        return Reading(error="not_number")
    interpreted = None
    if isinstance(raw, (int, float)):
        value = float(raw)
        if not math.isfinite(value):
            return Reading(error="not_number")
    else:
        value, done = _number_from_text(str(raw))
        if value is None:
            return Reading(clean_text(str(raw)), error="percent" if "percent" in done else "not_number")
        shown = f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
        interpreted = (f"อ่านเป็น {shown} ({', '.join(_HOW_TH[d] for d in done)})",
                       f"read as {shown} ({', '.join(_HOW_EN[d] for d in done)})")
    if value < 0:
        return Reading(value, error="negative")
    if whole:
        if 0 < value < 1:
            # A count of 0.35 is a percentage: a cell formatted as % stores 35 % as 0.35.
            return Reading(value, error="percent")
        if not value.is_integer():
            return Reading(value, error="not_whole")
        return Reading(int(value), interpreted)
    return Reading(round(value, 2), interpreted)


@_odd_aware
def read_whole_number(raw: object) -> Reading:
    """A count: a whole number, zero or more."""
    return _number(raw, whole=True)


@_odd_aware
def read_money(raw: object) -> Reading:
    """An amount in baht: zero or more, satang allowed."""
    return _number(raw, whole=False)


_MONTH_WORDS = {name: i + 1 for i, name in enumerate(THAI_MONTHS)}
_MONTH_WORDS.update({abbr.replace(".", ""): i + 1 for i, abbr in enumerate(THAI_MONTHS_ABBR)})
_MONTH_WORDS.update({name: i + 1 for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])})
_MONTH_WORDS.update({name[:3]: number for name, number in list(_MONTH_WORDS.items()) if name.isascii()})
_THAI_DATE = re.compile(r"(\d{1,2})[\s\-/]*([ก-๙A-Za-z.]+?)[\s\-/]*(?:พ\.?ศ\.?|ค\.?ศ\.?)?\s*(\d{2,4})$")
_DATE_LEAD = re.compile(r"^(วันที่|วันที|ว\.)\s*")
_NUMERIC_DATE = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")


def _year(y: int) -> tuple[int, bool]:
    """A typed year to CE; two-digit years are BE (66 → 2566), as Thai offices write them."""
    if y < 100:
        y += 2500
    if y > 2400:
        return y - BE_OFFSET, True
    return y, False


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


@_odd_aware
def read_date(raw: object) -> Reading:
    if is_blank(raw):
        return EMPTY
    if isinstance(raw, bool):
        return Reading(error="not_date")
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        if raw.year > 2400:
            # A BE year typed into a real date cell is stored as that year in CE.
            fixed = _safe_date(raw.year - BE_OFFSET, raw.month, raw.day)
            if fixed is None:
                return Reading(error="not_date")
            return Reading(fixed, (f"ปี {raw.year} เป็น พ.ศ. อ่านเป็นวันที่ {_th(fixed)}",
                                   f"year {raw.year} taken as BE: {fixed.isoformat()}"))
        return Reading(raw)
    if isinstance(raw, (int, float)):
        if not (1 <= raw <= 2958465):
            return Reading(error="not_date")
        d = EXCEL_EPOCH + timedelta(days=int(raw))
        return Reading(d, (f"เลขวันที่ของ Excel {int(raw)} อ่านเป็น {_th(d)}",
                           f"Excel serial {int(raw)} read as {d.isoformat()}"))
    text = _DATE_LEAD.sub("", clean_text(str(raw)).translate(THAI_DIGITS))
    m = _NUMERIC_DATE.match(text)
    if m:
        a, b, c = (int(x) for x in m.groups())
        if a > 31:  # ISO, yyyy-mm-dd
            (y, is_be), mo, d = _year(a), b, c
        else:
            (y, is_be), mo, d = _year(c), b, a
    else:
        m = _THAI_DATE.match(text)
        month = _MONTH_WORDS.get(m[2].replace(".", "").lower()) if m else None
        if not m or month is None:
            return Reading(clean_text(str(raw)), error="not_date")
        d, mo = int(m[1]), month
        y, is_be = _year(int(m[3]))
    result = _safe_date(y, mo, d)
    if result is None:
        return Reading(clean_text(str(raw)), error="not_date")
    era = ("พ.ศ.", "BE") if is_be else ("ค.ศ.", "CE")
    return Reading(result, (f"พิมพ์เป็นข้อความ ({era[0]}) อ่านเป็น {_th(result)}",
                            f"typed as text ({era[1]}), read as {result.isoformat()}"))


def _th(d: date) -> str:
    from generator.core.periods import thai_date

    return thai_date(d)


_YES = {"ใช่", "มี", "yes", "y", "1", "true", "จริง", "✓"}
_NO = {"ไม่ใช่", "ไม่มี", "no", "n", "0", "false", "เท็จ", "-"}


@_odd_aware
def read_yesno(raw: object) -> Reading:
    """ใช่/ไม่ใช่, มี/ไม่มี, yes/no, 1/0 and TRUE/FALSE."""
    if is_blank(raw):
        return EMPTY
    if isinstance(raw, bool):
        return Reading(raw)
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return Reading(bool(raw))
    text = clean_text(str(raw)).translate(THAI_DIGITS).lower()
    if text in _YES:
        return Reading(True)
    if text in _NO:
        return Reading(False)
    return Reading(clean_text(str(raw)), error="not_yesno")


def read_choice(raw: object, words: dict[str, str], labels: dict[str, str] | None = None) -> Reading:
    """One of a fixed set of words (status), matched without case or surrounding spaces.

    ``labels``: the value -> the word the dropdown offers; another word understood (ยุบ for
    ยุบเลิก, active) is reported as interpreted."""
    if isinstance(raw, OddCell) and raw.kind in _ODD_ERRORS:
        return Reading(raw.text or None, error=_ODD_ERRORS[raw.kind])
    if is_blank(raw):
        return EMPTY
    text = " ".join(clean_text(str(raw)).split()).lower()
    if text not in words:
        return Reading(clean_text(str(raw)), error="not_choice")
    value = words[text]
    if labels and text != labels.get(value, "").lower():
        return Reading(value, (f"อ่านเป็น '{labels[value]}'", f"read as '{labels[value]}' ({value})"))
    return Reading(value)


def read_lookup(raw: object) -> Reading:
    """The column the template fills by formula: what the formula shows, or nothing (it is only
    shown, never checked, and has no value until a spreadsheet program calculates it)."""
    return EMPTY if isinstance(raw, OddCell) else read_text(raw)


READERS = {
    "code": read_code,
    "text": read_text,
    "officer": read_text,
    "lookup": read_lookup,
    "int": read_whole_number,
    "money": read_money,
    "date": read_date,
    "yesno": read_yesno,
}


def as_cell_value(value):
    """pandas values to what openpyxl writes: NaN/NaT to empty, Timestamps to dates."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
        if isinstance(value, pd.Timestamp):
            return value.date()
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, date):
        return value
    return value
