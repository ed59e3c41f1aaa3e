"""The monthly PDF for managers: Jinja2 HTML laid out by WeasyPrint in Sarabun.

The figures come computed in a `MonthSummary`; this module only orders and formats them. The
template is `generator/report_templates/report.html` with `report.css`. WeasyPrint fetches nothing but the
two Sarabun font files and our own stylesheet folder: every other URL (file:, http:, data:, …) is
refused by `AssetFetcher`, so text from district workbooks can never make the PDF read or embed a
local file. Jinja2 autoescaping is on, so such text is printed, never interpreted.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from generator.figures import charts

from generator.outputs import narrative

from generator.outputs import pdf_text

from generator.core import texts
from generator.core.periods import Period, fiscal_year_months, format_date
from generator.core.problems import CONFIRMED, ERROR, NEEDS_CONFIRMATION, NOTE, WARNING
from generator.figures.summary import DistrictFigures, MonthSummary
from generator.core.statuses import (ACCEPTED, BEHIND, LATE, MISSING, NOT_REACHED, NOT_STARTED, ON_TIME, ON_TRACK, REACHED, REJECTED, TIMELINESS)
from generator.outputs.atomic import write_bytes_atomic

TEMPLATES = Path(__file__).resolve().parents[1] / "report_templates"
TEMPLATE = "report.html"
DISTRICT_TEMPLATE = "district.html"
DISTRICT_ROWS_MAX = 3  # groups founded in the month listed on a district's one page
STYLESHEET = "report.css"
FONT_FILES = {400: "Sarabun-Regular.ttf", 700: "Sarabun-Bold.ttf"}
PROBLEM_ROWS_MAX = 40  # rows of the rejected files' problems printed; the rest are in the Excel file

# A district's state as the report shows it: its year status, or why it has no figures.
NO_REPORT = {MISSING: "missing", REJECTED: "rejected"}
ATTENTION_ORDER = {"rejected": 0, "missing": 1, NOT_REACHED: 2, BEHIND: 2, NOT_STARTED: 3, ON_TRACK: 4, REACHED: 5}

def labels(lang: str) -> dict:
    """The template's words (`L`): the catalogue's ``pdf`` section and the status words by constant."""
    target = texts.section("target", lang)
    return {**texts.section("pdf", lang), "status": {**target, **texts.section("state", lang)},
            "report": texts.section("report", lang), "report_short": texts.section("report_short", lang),
            "severity": texts.section("severity", lang), "timeliness": texts.section("timeliness", lang)}


LABELS = {lang: labels(lang) for lang in texts.LANGS}


# --- formatting filters ---------------------------------------------------------------------

def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_int(value) -> str:
    """1,234"""
    return "–" if _missing(value) else f"{int(round(float(value))):,}"


def fmt_baht(value) -> str:
    """1,234.50"""
    return "–" if _missing(value) else f"{float(value):,.2f}"


def fmt_baht_text(value) -> str:
    """789,002,813 in a sentence (whole baht, as the department writes them), 1,234.50 otherwise."""
    if _missing(value):
        return "–"
    value = round(float(value), 2)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def fmt_percent(value) -> str:
    """22.40 (ร้อยละ, two decimals)"""
    return "–" if _missing(value) else f"{float(value):,.2f}"


def _as_date(value) -> date | None:
    if _missing(value):
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


def fmt_village(row, lang: str = "th") -> str:
    """บ้านโนนไฮใต้ หมู่ที่ 5 ต.บุ่งคล้า: a village as officers name it."""
    name = row.get("village_name")
    if _missing(name):
        return ""
    moo = row.get("moo")
    return texts.village(name, "–" if _missing(moo) else int(moo), row.get("subdistrict_name") or None, lang)


def fmt_file(name) -> Markup:
    """A file name that may wrap after _ - . but never inside a Thai word (2566-08_3609_|เทพสถิต.xlsx)."""
    parts = re.split(r"(?<=[_\-./])", "" if _missing(name) else str(name))
    return Markup("<wbr>").join(escape(part) for part in parts)


def bar_width(value) -> str:
    """A progress bar's width in percent, capped at 100."""
    return "0" if _missing(value) else f"{max(0.0, min(100.0, float(value))):.1f}"


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
                       barw=bar_width, village=fmt_village, file=fmt_file,
                       month_short=lambda key, lang="th": month_short(key, lang))
    return env


# --- what the template shows ----------------------------------------------------------------

def district_state(d: DistrictFigures) -> str:
    """The year status of a district that reported, or why it has no figures this month."""
    return NO_REPORT.get(d.report, d.year.status)


def attention_order(districts) -> list[DistrictFigures]:
    """Districts that need attention first, then by year percent, lowest first."""
    return sorted(districts, key=lambda d: (ATTENTION_ORDER[district_state(d)],
                                            d.year.percent if d.year.percent is not None else -1,
                                            d.district_code))


def _problem_rules(summary: MonthSummary, lang: str) -> list[dict]:
    by_rule: dict[tuple[str, str], list] = {}
    for p in summary.problems:
        by_rule.setdefault((p.severity, p.rule_id), []).append(p)
    rows = [{"rule_id": rule_id, "severity": severity, "count": len(ps), "files": len({p.file for p in ps}),
             "example": ps[0].message(lang)} for (severity, rule_id), ps in by_rule.items()]
    return sorted(rows, key=lambda r: (r["severity"] != "error", -r["count"], r["rule_id"]))


def _rejected_problems(summary: MonthSummary) -> list:
    rejected_files = {f.file for f in summary.files if f.status == REJECTED}
    ps = [p for p in summary.problems if p.file in rejected_files]
    return sorted(ps, key=lambda p: (p.file, not p.is_error))  # stable: keeps the cell order within a file


def _attention_files(summary: MonthSummary) -> list:
    """Files still to follow up: rejected (its district's latest file) or of no known district. A
    file replaced by a later one of its district needs nothing (issue 11)."""
    known = {d.district_code for d in summary.districts}
    return [f for f in summary.files if f.status == REJECTED or (f.status == ACCEPTED and f.district_code not in known)]


def _founded_rows(summary: MonthSummary) -> list[dict]:
    frame = summary.founded_in_month
    if frame is None or not len(frame):
        return []
    rows = []
    for r in frame.to_dict("records"):
        phase = r.get("phase")
        rows.append({**r, "phase": None if _missing(phase) else int(phase)})
    return rows


def _chart_months(summary: MonthSummary) -> list[Period]:
    return fiscal_year_months(summary.period.fiscal_year_be)


def _chart_labels(L: dict) -> dict:
    return {"founded": L["chart_founded"], "path": L["chart_path"], "target": L["chart_target"],
            "months": [L[f"month_abbr_{m}"] for m in range(1, 13)], "year_offset": int(L["year_offset"])}


def province_chart(summary: MonthSummary, lang: str = "th") -> Markup:
    L = LABELS[lang]
    return Markup(charts.progress_chart(charts.series(summary.progress_by_month, summary.province_code),
                                        _chart_months(summary), labels=_chart_labels(L)))


def district_chart(summary: MonthSummary, d: DistrictFigures, lang: str = "th", small: bool = True) -> Markup:
    L = LABELS[lang]
    title = f"{d.district_name} ({d.year.target:,})" if small else None
    return Markup(charts.progress_chart(
        charts.series(summary.progress_by_month, d.district_code), _chart_months(summary), labels=_chart_labels(L),
        small=small, width=190 if small else 600, height=118 if small else 150, title=title,
        no_data=None if d.has_figures else L["status"][district_state(d)]))


def reporting_grid(summary: MonthSummary, lang: str = "th") -> dict:
    """District × month: how each report arrived; per district and per month, the on-time count."""
    r = summary.reporting if summary.reporting is not None else pd.DataFrame(
        columns=["district_code", "district_name", "month", "status"])
    months = sorted(set(r["month"]) | {summary.period.key})
    cell = {(row.district_code, row.month): row.status for row in r.itertuples()}
    rows = []
    for d in summary.districts:
        statuses = [cell.get((d.district_code, m)) for m in months]
        counted = [st for st in statuses if st is not None]
        rows.append({"district": d, "cells": statuses, "on_time": sum(st == ON_TIME for st in counted),
                     "sent": sum(st in (ON_TIME, LATE) for st in counted), "months": len(counted)})
    per_month = [Counter(cell.get((d.district_code, m)) for d in summary.districts) for m in months]
    return {"months": [(m, month_short(m, lang)) for m in months],
            "rows": rows, "per_month": per_month, "n": len(summary.districts)}


def ranks(summary: MonthSummary) -> dict[str, int]:
    """District code -> rank by percent of the year's target (1 = furthest ahead), accepted reports only;
    equal percentages share a rank."""
    scored = sorted((d for d in summary.reported if d.year.percent is not None),
                    key=lambda d: -d.year.percent)
    out, previous, rank = {}, None, 0
    for i, d in enumerate(scored, start=1):
        if d.year.percent != previous:
            rank, previous = i, d.year.percent
        out[d.district_code] = rank
    return out


def _title(summary: MonthSummary, L: dict, lang: str, district: DistrictFigures | None = None) -> str:
    period = summary.period.label(lang)
    if lang == "th":
        where = f"อำเภอ{district.district_name} " if district else ""
        return f"{L['title']} {where}จังหวัด{summary.province_name} {L['month']}{period}"
    where = f"{district.district_name} district, " if district else ""
    return f"{L['title']}, {where}{summary.province_name}, {period}"


SEVERITY_ORDER = (ERROR, NEEDS_CONFIRMATION, WARNING, CONFIRMED, NOTE)


def severity_counts(summary: MonthSummary) -> Counter:
    """Problems by severity, each counted as itself: a note or a confirmed value is not a warning."""
    found = Counter(p.severity for p in summary.problems)
    return {sev: found.get(sev, 0) for sev in SEVERITY_ORDER}


def month_short(key: str | None, lang: str = "th") -> str:
    """ก.ค. 66 (a month key as a table cell shows it)."""
    return Period.from_key(key).short_label(lang) if key else "–"


def context(summary: MonthSummary, lang: str = "th") -> dict:
    """Everything the template needs, already ordered."""
    if lang not in LABELS:
        raise ValueError(f"unknown language {lang!r}: use one of {sorted(LABELS)}")
    L = LABELS[lang]
    by_state = Counter(district_state(d) for d in summary.districts)
    rejected_problems = _rejected_problems(summary)
    timely = summary.month_timeliness
    return {
        "s": summary, "L": L, "lang": lang, "title": _title(summary, L, lang), "period": summary.period.label(lang),
        "districts_sorted": attention_order(summary.districts),
        "state": district_state, "by_state": by_state,
        "behind": [d for d in attention_order(summary.reported) if d.year.status == BEHIND],
        "not_reached": [d for d in attention_order(summary.reported) if d.year.status == NOT_REACHED],
        "attention_files": _attention_files(summary),
        "feedback_files": summary.feedback_files,
        "severity_counts": severity_counts(summary),
        "severity_order": SEVERITY_ORDER,
        "carried_label": lambda d: L["carried"].format(month=month_short(d.figures_from, lang)),
        "problem_rules": _problem_rules(summary, lang),
        "rejected_problems": rejected_problems[:PROBLEM_ROWS_MAX],
        "rejected_problems_more": max(0, len(rejected_problems) - PROBLEM_ROWS_MAX),
        "founded_rows": _founded_rows(summary),
        "on_time_count": timely[ON_TIME], "late_count": timely[LATE],
        "province_chart": province_chart(summary, lang),
        "district_charts": [(d, district_chart(summary, d, lang)) for d in summary.districts],
        "grid": reporting_grid(summary, lang), "timeliness": TIMELINESS,
        "narrative": narrative.paragraphs(summary, lang),
        # each severity counted as itself: a note or a confirmed value is not a warning
        "quality_intro": texts.text("pdf.quality_intro", lang, n=f"{len(summary.problems):,}", counts="".join(
            texts.text("pdf.quality_count", lang, severity=texts.text("severity." + sev, lang), n=f"{n:,}")
            for sev, n in severity_counts(summary).items() if n)),
    }


def district_context(summary: MonthSummary, code: str, lang: str = "th") -> dict:
    """The one-page report for a district chief: the district against its own targets, its rank."""
    base = context(summary, lang)
    d = next((x for x in summary.districts if x.district_code == code), None)
    if d is None:
        raise ValueError(f"district {code!r} is not in the setup of {summary.province_name}")
    L = base["L"]
    timely = {row.month: row.status for row in summary.reporting.itertuples()
              if row.district_code == code} if summary.reporting is not None else {}
    founded = [r for r in base["founded_rows"] if r.get("district_code") == code]
    files = [f for f in summary.files if f.district_code == code]
    return {**base, "d": d, "title": _title(summary, L, lang, d), "rank": ranks(summary).get(code),
            "ranked": len(ranks(summary)), "chart": district_chart(summary, d, lang, small=False),
            "this_month": timely.get(summary.period.key, d.report), "district_founded": founded[:DISTRICT_ROWS_MAX],
            "district_founded_more": max(0, len(founded) - DISTRICT_ROWS_MAX), "district_files": files,
            # a note is information, not a problem of the file
            "district_problems": sum(1 for p in summary.problems if p.district_code == code and p.severity != NOTE)}


def render_html(summary: MonthSummary, lang: str = "th") -> str:
    """The report as HTML (autoescaped)."""
    return environment().get_template(TEMPLATE).render(**context(summary, lang))


def render_district_html(summary: MonthSummary, code: str, lang: str = "th") -> str:
    return environment().get_template(DISTRICT_TEMPLATE).render(**district_context(summary, code, lang))


# --- WeasyPrint: fonts, the URL fetcher, the PDF --------------------------------------------

def font_dir() -> Path:
    import fontpkg

    return Path(fontpkg.path("Sarabun")).resolve().parent


def _file_url_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
        return None
    return Path(url2pathname(unquote(parts.path))).resolve()


try:
    from weasyprint.urls import URLFetcher as _URLFetcher
    from weasyprint.urls import URLFetcherResponse as _URLFetcherResponse
except ImportError:  # pragma: no cover - WeasyPrint is a dependency; this only keeps render_html importable
    _URLFetcher, _URLFetcherResponse = object, None


class AssetFetcher(_URLFetcher):
    """Serves the Sarabun font files and the stylesheets of generator/report_templates/, and nothing else.

    Every other URL, whatever its scheme (file:, http:, https:, data:, ftp:, …), raises, and is
    recorded in `refused`. No network handler is ever used and redirects are off.
    """

    MEDIA_TYPES = {".ttf": "font/ttf", ".css": "text/css"}

    def __init__(self, extra_files: tuple[Path, ...] = ()):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        fonts = font_dir()
        self.allowed = {(fonts / name).resolve() for name in FONT_FILES.values()}
        self.allowed |= {p.resolve() for p in TEMPLATES.glob("*.css")}
        self.allowed |= {Path(p).resolve() for p in extra_files}
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        path = _file_url_path(str(url))
        if path is None or path not in self.allowed or not path.is_file():
            self.refused.append(str(url))
            raise ValueError(f"refused to fetch {str(url)[:200]!r}: only the report's own fonts and stylesheet")
        self.served.append(str(url))
        media_type = self.MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return _URLFetcherResponse(path.as_uri(), _read_asset(path), {"Content-Type": media_type})

    def open(self, url, data=None, timeout=None):  # never the urllib opener
        return self.fetch(url.full_url if hasattr(url, "full_url") else url)


@functools.cache
def _read_asset(path: Path) -> bytes:
    return path.read_bytes()


def font_face_css() -> str:
    rules = []
    for weight, name in FONT_FILES.items():
        url = (font_dir() / name).as_uri()
        rules.append(f'@font-face {{ font-family: "Sarabun"; font-style: normal; font-weight: {weight}; '
                     f'src: url("{url}") format("truetype"); }}')
    return "\n".join(rules) + "\n"


_lock = threading.Lock()


@functools.cache
def _style():
    """FontConfiguration and the stylesheet with its @font-face rules: loaded once per process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    css_path = TEMPLATES / STYLESHEET
    fetcher = AssetFetcher()
    css = CSS(string=font_face_css() + css_path.read_text(encoding="utf-8"), base_url=css_path.as_uri(),
              url_fetcher=fetcher, font_config=font_config)
    if fetcher.refused:  # our own stylesheet asked for something outside the allowed files
        raise RuntimeError(f"report.css refers to files that are not served: {fetcher.refused}")
    return font_config, css


def html_to_pdf(html: str, attachments=(), url_fetcher: AssetFetcher | None = None, lang: str = "th",
                base_url: str | None = None) -> bytes:
    """Lay out report HTML with the report stylesheet and Sarabun; attachments are files we wrote.

    `attachments` may also be a function returning them: it is called once the pages are laid out,
    so the files can still be being written meanwhile (the pipeline's PDF worker, generator.outputs.parallel)."""
    from weasyprint import HTML, Attachment

    pdf_text.install()  # WeasyPrint's Thai text layer, corrected (see generator.outputs.pdf_text)
    fetcher = url_fetcher or AssetFetcher()
    with _lock:  # FontConfiguration is shared; keep one layout at a time per process
        font_config, css = _style()
        document = HTML(string=html, base_url=base_url or (TEMPLATES / TEMPLATE).as_uri(), url_fetcher=fetcher)
        laid_out = document.render(font_config=font_config, stylesheets=[css], uncompressed_pdf=False)
        files = []
        for path in (attachments() if callable(attachments) else attachments):
            path = Path(path)
            files.append(Attachment(
                file_obj=io.BytesIO(path.read_bytes()), name=path.name, url_fetcher=fetcher,
                description=LABELS.get(lang, LABELS["th"])["attachment"] if path.suffix == ".xlsx" else path.name,
                created=datetime.fromtimestamp(path.stat().st_mtime), modified=datetime.fromtimestamp(path.stat().st_mtime),
                relationship="Data"))
        return laid_out.write_pdf(stylesheets=[css], attachments=files, uncompressed_pdf=False)


def write_pdf(summary: MonthSummary, path: Path, attachments: list[Path] = (), lang: str = "th", *,
              url_fetcher: AssetFetcher | None = None) -> Path:
    """Render the report and write it atomically (a failure never leaves half a PDF behind)."""
    data = html_to_pdf(render_html(summary, lang), attachments, url_fetcher, lang)
    return write_bytes_atomic(Path(path), data)


def district_report_name(code: str, period: Period) -> str:
    return f"report_{code}_{period.be_key}.pdf"


def write_district_pdf(summary: MonthSummary, code: str, path: Path, lang: str = "th", *,
                       url_fetcher: AssetFetcher | None = None) -> Path:
    """The one-page report for one district's chief, written atomically."""
    data = html_to_pdf(render_district_html(summary, code, lang), (), url_fetcher, lang)
    return write_bytes_atomic(Path(path), data)
