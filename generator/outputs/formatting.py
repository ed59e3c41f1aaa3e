"""How the reports print a figure, a date, a village, a file name: the Jinja filters, and the one
Jinja environment (autoescaping on, so text from district workbooks is printed, never interpreted)
that the PDF's templates and the web page share.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from generator.core import texts
from generator.core.periods import Period, format_date

# The report's templates and stylesheet, shipped inside the package (package data).
TEMPLATES = Path(__file__).resolve().parents[1] / "report_templates"


def is_missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_int(value) -> str:
    """1,234"""
    return "–" if is_missing(value) else f"{int(round(float(value))):,}"


def fmt_baht(value) -> str:
    """1,234.50"""
    return "–" if is_missing(value) else f"{float(value):,.2f}"


def fmt_baht_text(value) -> str:
    """789,002,813 in a sentence (whole baht, as the department writes them), 1,234.50 otherwise."""
    if is_missing(value):
        return "–"
    value = round(float(value), 2)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def fmt_percent(value) -> str:
    """22.40 (ร้อยละ, two decimals)"""
    return "–" if is_missing(value) else f"{float(value):,.2f}"


def _as_date(value) -> date | None:
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def fmt_date(value, lang: str = "th") -> str:
    """9 มกราคม 2566"""
    d = _as_date(value)
    return "–" if d is None else format_date(d, lang)


def fmt_date_short(value, lang: str = "th") -> str:
    """9 ม.ค. 66"""
    d = _as_date(value)
    if d is None:
        return "–"
    return format_date(d, lang, short=True)


# A piece of a name longer than this may still break (a hostile or pasted name must not overflow
# its column); every real Thai district, village, officer or file name part is shorter.
WHOLE_MAX = 30


def whole(text: str) -> Markup:
    """A piece of text that never breaks inside at a line end (Pango would break Thai text between
    the dictionary's words: เทพ|สถิต, คำ|เตือน)."""
    text = "" if is_missing(text) else str(text)
    return Markup('<span class="nobr">%s</span>') % text if 0 < len(text) <= WHOLE_MAX else escape(text)


def words(text) -> Markup:
    """Text that may break only at its spaces: each space-separated word is kept whole."""
    return Markup(" ").join(whole(word) for word in ("" if is_missing(text) else str(text)).split(" "))


_COMPOUNDS = re.compile("|".join(sorted(map(re.escape, texts.WHOLE_WORDS), key=len, reverse=True)))


def prose(text) -> Markup:
    """A sentence, free to break between words, except inside the compounds that Thai readers see
    as one word but the line breaker's dictionary splits (ล่า|สุด, คำ|เตือน). Markup already in
    the sentence (a name kept whole) is kept as it is."""
    html = text if isinstance(text, Markup) else escape("" if is_missing(text) else str(text))
    parts = re.split(r"(<[^>]*>)", str(html))
    return Markup("".join(part if part.startswith("<") else _COMPOUNDS.sub(
        lambda found: f'<span class="nobr">{found.group()}</span>', part) for part in parts))


def fmt_village(row, lang: str = "th") -> Markup:
    """บ้านโนนไฮใต้ หมู่ที่ 5 ต.บุ่งคล้า: a village as officers name it, broken only between its parts."""
    name = row.get("village_name")
    if is_missing(name):
        return Markup("")
    moo = row.get("moo")
    return words(texts.village(name, "–" if is_missing(moo) else int(moo), row.get("subdistrict_name") or None, lang))


def fmt_file(name) -> Markup:
    """A file name that may wrap after _ - . but never inside a Thai word (2566-08_3609_|เทพสถิต.xlsx)."""
    parts = re.split(r"(?<=[_\-./])", "" if is_missing(name) else str(name))
    return Markup("<wbr>").join(whole(part) for part in parts)


def bar_width(value) -> str:
    """A progress bar's width in percent, capped at 100."""
    return "0" if is_missing(value) else f"{max(0.0, min(100.0, float(value))):.1f}"


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment, one per process."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(num=fmt_int, baht=fmt_baht, baht_text=fmt_baht_text, pct=fmt_percent, bedate=fmt_date, bedate_short=fmt_date_short,
                       barw=bar_width, village=fmt_village, file=fmt_file, whole=whole, words=words, prose=prose,
                       month_short=lambda key, lang="th": month_short(key, lang))
    return env


def month_short(key: str | None, lang: str = "th") -> str:
    """ก.ค. 66 (a month key as a table cell shows it)."""
    return Period.from_key(key).short_label(lang) if key else "–"
