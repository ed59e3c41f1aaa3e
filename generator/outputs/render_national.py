"""The national report: PDF (Jinja2 + WeasyPrint, Sarabun) and Excel summary of a `NationalSummary`.

Everything that makes the provincial PDF safe and Thai is reused from `generator.outputs.render_pdf`, not
copied: its Jinja2 environment (autoescaping, number and BE date filters), its locked-down URL
fetcher, its stylesheet and fonts loaded once per process, and its corrected Thai text layer
(`html_to_pdf`). Only the template (`generator/report_templates/national.html`) and the labels are new.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from generator.core import texts
from generator.core.problems import ERROR, SEVERITY_LABELS
from generator.figures.national import NOT_YET_SENT, NationalSummary, ProvinceFigures
from generator.core.statuses import BEHIND, NOT_REACHED, NOT_STARTED, ON_TRACK, REACHED
from generator.outputs.xlsx import FONT, NUMBER_FORMATS, add_table, header_row, print_a4_landscape, put, save_atomic
from generator.outputs.atomic import write_bytes_atomic
from generator.core.values import as_cell_value

TEMPLATE = "national.html"
STATES = (REACHED, ON_TRACK, BEHIND, NOT_STARTED, NOT_REACHED)  # NOT_REACHED last: the template indexes them

LABELS = {lang: {**texts.section("national", lang), "status": texts.section("target", lang)} for lang in texts.LANGS}


def context(summary: NationalSummary, lang: str = "th") -> dict:
    if lang not in LABELS:
        raise ValueError(f"unknown language {lang!r}: use one of {sorted(LABELS)}")
    L = LABELS[lang]
    period = summary.period.label(lang)
    by_status = summary.by_status()
    return {
        "s": summary, "t": summary.total, "L": L, "lang": lang, "period": period,
        "title": f"{L['title']} {L['title_scope']} {L['month']} {period}",
        "states": [(st, by_status.get(st, 0)) for st in STATES],
        "behind": [p for p in summary.provinces if p.year.status == BEHIND],
        "by_code": sorted(summary.provinces, key=lambda p: p.province_code),
        "errors": [n for n in summary.notices if n.severity == ERROR],
        "other_notices": [n for n in summary.notices if n.severity != ERROR and n.rule_id not in NOT_YET_SENT],
    }


def render_html(summary: NationalSummary, lang: str = "th") -> str:
    from generator.outputs.formatting import environment

    return environment().get_template(TEMPLATE).render(**context(summary, lang))


def write_national_pdf(summary: NationalSummary, path: Path, attachments: list[Path] = (), lang: str = "th") -> Path:
    from generator.outputs.pdf_engine import html_to_pdf

    return write_bytes_atomic(Path(path), html_to_pdf(render_html(summary, lang), attachments, lang=lang))


# --- Excel --------------------------------------------------------------------------------------

INT, MONEY, PCT, CODE = NUMBER_FORMATS["int"], NUMBER_FORMATS["money"], "0.00", NUMBER_FORMATS["code"]
BODY = Font(name=FONT, size=14)
BOLD = Font(name=FONT, size=14, bold=True)


def _table(ws, name: str, columns: list[tuple[str, float, str | None]], rows: list[list], total: list | None = None):
    header_row(ws, 1, [c[0] for c in columns])
    ws.row_dimensions[1].height = 42
    for i, row in enumerate(rows, start=2):
        for j, ((_, _, fmt), value) in enumerate(zip(columns, row), start=1):
            put(ws, i, j, as_cell_value(value), fmt).font = BODY
    add_table(ws, name, 1, len(columns), len(rows))
    if total is not None:  # below the table, so sorting it never moves the total
        for j, ((_, _, fmt), value) in enumerate(zip(columns, total), start=1):
            put(ws, 2 + max(len(rows), 1), j, as_cell_value(value), fmt).font = BOLD
    for j, (_, width, _) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    print_a4_landscape(ws, 1)


def _province_row(p: ProvinceFigures, phases: list[str], lang: str, is_total: bool = False) -> list:
    by_label = {ph.label: ph for ph in p.phases}
    row = ["" if is_total else p.rank, "" if is_total else p.province_code,
           texts.text("nxl.whole_country", lang) if is_total else p.province_name]
    for label in phases:
        ph = by_label.get(label)
        row += [ph.target if ph else None, ph.founded if ph else None, ph.percent if ph else None]
    return row + [p.year.target, p.year.founded, p.year.percent, texts.text("target." + p.year.status, lang),
                  p.districts, p.reported, p.rejected, p.missing, p.reporting_rate, p.on_time_rate,
                  p.kkkj_villages, p.villages_with_group_start, p.villages_with_group, p.coverage_percent,
                  p.groups, p.members, p.savings_baht, p.borrowers, p.loans_baht, p.officers, p.officers_with_group,
                  p.officers_percent]


# The provinces sheet's columns after the phases: (word key, width, number format).
PROVINCE_COLUMNS = (("year_target", 11, INT), ("year_founded", 11, INT), ("year_percent", 9, PCT), ("status", 16, None),
                    ("districts", 9, INT), ("reported", 10, INT), ("rejected", 9, INT), ("missing", 9, INT),
                    ("reporting_rate", 10, PCT), ("on_time_rate", 10, PCT), ("kkkj", 10, INT),
                    ("with_group_start", 10, INT), ("with_group", 10, INT), ("coverage", 9, PCT),
                    ("groups", 11, INT), ("members", 12, INT), ("savings", 20, MONEY), ("borrowers", 12, INT),
                    ("loans", 20, MONEY), ("officers", 10, INT), ("officers_with_group", 12, INT),
                    ("officers_percent", 9, PCT))


def write_national_workbook(summary: NationalSummary, path: Path, lang: str = "th") -> Path:
    """The national roll-up as a workbook, in the report's language (sheets, headers, words)."""
    s, t = summary, summary.total
    w = lambda key, **params: texts.text("nxl." + key, lang, **params)  # noqa: E731
    wb = Workbook()
    ws = wb.active
    ws.title = w("sheet_summary")
    key_figures = [(w("month"), s.period.label(lang), None), (w("fiscal_year"), s.fiscal_year_be, "0"),
                   (w("as_of"), s.made_on, NUMBER_FORMATS["date"])]
    for p, label in [(ph, ph.label) for ph in t.phases] + [(t.year, w("year"))]:  # phase names are the setups'
        key_figures += [(w("phase_target", label=label), p.target, INT),
                        (w("phase_founded", label=label), p.founded, INT),
                        (w("phase_percent", label=label), p.percent, PCT),
                        (w("phase_status", label=label), texts.text("target." + p.status, lang), None)]
    key_figures += [(w(key), value, fmt) for key, value, fmt in (
        ("provinces_sent", len(s.provinces), INT), ("provinces_missing", len(s.missing), INT),
        ("all_districts", t.districts, INT), ("districts_accepted", t.reported, INT),
        ("reporting_rate_long", t.reporting_rate, PCT), ("on_time_rate_long", t.on_time_rate, PCT),
        ("kkkj", t.kkkj_villages, INT), ("with_group_start_long", t.villages_with_group_start, INT),
        ("with_group_long", t.villages_with_group, INT), ("coverage_long", t.coverage_percent, PCT),
        ("groups", t.groups, INT), ("members", t.members, INT), ("savings", t.savings_baht, MONEY),
        ("borrowers", t.borrowers, INT), ("loans", t.loans_baht, MONEY), ("officers", t.officers, INT),
        ("officers_with_group_long", t.officers_with_group, INT))]
    _table(ws, "summary", [(w("item"), 44, None), (w("value"), 24, None)], [[k, v] for k, v, _ in key_figures])
    for i, (_, _, fmt) in enumerate(key_figures, start=2):
        if fmt:
            ws.cell(row=i, column=2).number_format = fmt
        ws.cell(row=i, column=2).alignment = Alignment(horizontal="left" if fmt is None else "right")

    phases = s.phase_labels
    columns = [(w("rank"), 7, "0"), (w("province_code"), 9, CODE), (w("province"), 18, None)]
    for label in phases:
        columns += [(w("col_phase_target", label=label), 11, INT), (w("col_phase_founded", label=label), 11, INT),
                    (w("col_phase_percent", label=label), 9, PCT)]
    columns += [(w("col_" + key), width, fmt) for key, width, fmt in PROVINCE_COLUMNS]
    _table(wb.create_sheet(w("sheet_provinces")), "provinces", columns,
           [_province_row(p, phases, lang) for p in s.provinces], total=_province_row(t, phases, lang, is_total=True))

    notes = wb.create_sheet(w("sheet_notices"))
    _table(notes, "notices", [(w("severity"), 12, None), (w("file"), 40, None), (w("province_code"), 10, CODE),
                              (w("province"), 18, None), (w("detail"), 70, None), (w("fix"), 50, None)],
           [[texts.text("national.not_yet_sent", lang) if n.rule_id in NOT_YET_SENT else SEVERITY_LABELS[lang][n.severity],
             n.file, n.province_code, n.province_name, n.message(lang), n.fix(lang)] for n in s.notices])
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.properties.title = w("title", period=s.period.label(lang))
    wb.properties.creator = texts.text("national.office", lang)
    wb.properties.language = "th-TH" if lang == "th" else "en"
    return save_atomic(wb, Path(path))
