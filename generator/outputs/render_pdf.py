"""The monthly PDF for managers: the report's pages assembled from a `MonthSummary`.

The figures come computed (`figures.summary`, and where each district stands in
`figures.standing`); this module only orders them for the templates
(`generator/report_templates/report.html`, `district.html`). Formatting is in `formatting`, the
WeasyPrint engine in `pdf_engine`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from markupsafe import Markup

from generator.core import texts
from generator.core.periods import Period, fiscal_year_months
from generator.core.problems import CONFIRMED, ERROR, NEEDS_CONFIRMATION, NOTE, WARNING
from generator.core.statuses import BEHIND, LATE, NOT_REACHED, ON_TIME, REJECTED, TIMELINESS
from generator.figures import charts, standing
from generator.figures.standing import attention_order, district_ranks, district_state
from generator.figures.summary import DistrictFigures, MonthSummary
from generator.outputs import narrative
from generator.outputs.atomic import write_bytes_atomic
from generator.outputs.formatting import is_missing, environment, month_short
from generator.outputs.pdf_engine import AssetFetcher, html_to_pdf

TEMPLATE = "report.html"
DISTRICT_TEMPLATE = "district.html"
DISTRICT_ROWS_MAX = 3  # groups founded in the month listed on a district's one page
PROBLEM_ROWS_MAX = 40  # rows of the rejected files' problems printed; the rest are in the Excel file

def labels(lang: str) -> dict:
    """The template's words (`L`): the catalogue's ``pdf`` section and the status words by constant."""
    target = texts.section("target", lang)
    return {**texts.section("pdf", lang), "status": {**target, **texts.section("state", lang)},
            "report": texts.section("report", lang), "report_short": texts.section("report_short", lang),
            "severity": texts.section("severity", lang), "timeliness": texts.section("timeliness", lang)}


LABELS = {lang: labels(lang) for lang in texts.LANGS}


# --- what the template shows ----------------------------------------------------------------

def _problem_rules(summary: MonthSummary, lang: str) -> list[dict]:
    by_rule: dict[tuple[str, str], list] = {}
    for p in summary.problems:
        by_rule.setdefault((p.severity, p.rule_id), []).append(p)
    rows = [{"rule_id": rule_id, "severity": severity, "count": len(ps), "files": len({p.file for p in ps}),
             "example": ps[0].message(lang)} for (severity, rule_id), ps in by_rule.items()]
    return sorted(rows, key=lambda r: (r["severity"] != "error", -r["count"], r["rule_id"]))


def _rejected_problems(summary: MonthSummary) -> list:
    """The problems of the districts' rejected files; a foreign file's are in its own appendix."""
    known = {d.district_code for d in summary.districts}
    rejected_files = {f.file for f in summary.files if f.status == REJECTED and f.district_code in known}
    ps = [p for p in summary.problems if p.file in rejected_files]
    return sorted(ps, key=lambda p: (p.file, not p.is_error))  # stable: keeps the cell order within a file


def _attention_files(summary: MonthSummary) -> list:
    """The districts' files still to follow up: rejected (its district's latest file). A file
    replaced by a later one of its district needs nothing (issue 11). At most one a district, so
    the table is as long as the setup, whatever else the inbox holds (see `foreign_files`)."""
    known = {d.district_code for d in summary.districts}
    return [f for f in summary.files if f.status == REJECTED and f.district_code in known]


FOREIGN_REASONS_MAX = 12  # reasons in the appendix of other files; each names a few of its files
FOREIGN_NAMES_MAX = 3


def foreign_files(summary: MonthSummary, lang: str = "th") -> dict | None:
    """Files of no district of the setup (another province's, a photo, last year's, junk): a short
    appendix by reason, with a count and a few names each, never a row a file. Thousands of them
    leave the governor's pages as they are; every one is listed in the attached Excel summary."""
    known = {d.district_code for d in summary.districts}
    files = [f for f in summary.files if f.district_code not in known]
    if not files:
        return None
    first: dict[str, object] = {}
    for p in summary.problems:
        if p.is_error and p.file not in first:
            first[p.file] = p
    by_reason: dict[str, list] = {}
    for f in files:
        by_reason.setdefault(getattr(first.get(f.file), "rule_id", ""), []).append(f)
    rows = []
    for rule_id, fs in by_reason.items():
        p = first.get(fs[0].file)
        names = [name for f in fs for name in (f.file, *f.copies)]
        rows.append({"reason": p.message(lang) if p is not None else "", "files": len(names),
                     "names": names[:FOREIGN_NAMES_MAX], "more": max(0, len(names) - FOREIGN_NAMES_MAX)})
    rows.sort(key=lambda r: (-r["files"], r["reason"]))
    shown = rows[:FOREIGN_REASONS_MAX]
    total, more = sum(r["files"] for r in rows), sum(r["files"] for r in rows[FOREIGN_REASONS_MAX:])
    return {"files": texts.count(total, "file", lang), "rows": shown,
            "more_files": texts.count(more, "file", lang) if more else None,
            "sheet": texts.text("xlsx.sheet.completeness", lang)}


def _founded_rows(summary: MonthSummary) -> list[dict]:
    frame = summary.founded_in_month
    if frame is None or not len(frame):
        return []
    rows = []
    for r in frame.to_dict("records"):
        phase = r.get("phase")
        rows.append({**r, "phase": None if is_missing(phase) else int(phase)})
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
    """The district × month grid as the template walks it."""
    grid = standing.reporting_grid(summary)
    return {"months": [(m, month_short(m, lang)) for m in grid.months],
            "rows": [{"district": row.district, "cells": list(row.cells), "on_time": row.on_time, "sent": row.sent,
                      "months": row.months} for row in grid.rows],
            "per_month": grid.per_month, "n": len(grid.rows)}


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
        "foreign": foreign_files(summary, lang),
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
    ranks = district_ranks(summary)
    timely = {row.month: row.status for row in summary.reporting.itertuples()
              if row.district_code == code} if summary.reporting is not None else {}
    founded = [r for r in base["founded_rows"] if r.get("district_code") == code]
    files = [f for f in summary.files if f.district_code == code]
    return {**base, "d": d, "title": _title(summary, L, lang, d), "rank": ranks.get(code), "ranked": len(ranks),
            "chart": district_chart(summary, d, lang, small=False),
            "this_month": timely.get(summary.period.key, d.report), "district_founded": founded[:DISTRICT_ROWS_MAX],
            "district_founded_more": max(0, len(founded) - DISTRICT_ROWS_MAX), "district_files": files,
            # a note is information, not a problem of the file
            "district_problems": sum(1 for p in summary.problems if p.district_code == code and p.severity != NOTE)}


def render_html(summary: MonthSummary, lang: str = "th") -> str:
    """The report as HTML (autoescaped)."""
    return environment().get_template(TEMPLATE).render(**context(summary, lang))


def render_district_html(summary: MonthSummary, code: str, lang: str = "th") -> str:
    return environment().get_template(DISTRICT_TEMPLATE).render(**district_context(summary, code, lang))


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
