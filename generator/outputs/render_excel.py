"""The Excel summary of a month: key figures, districts, all groups, officers, reports, problems.

Every sheet is one Excel Table with Thai headers at row 1 (frozen), number formats and an A4
landscape print setup. Text always goes through `generator.outputs.xlsx.put`, so a group name such as
"=HYPERLINK(…)" typed in a district's workbook is stored as text, never as a formula. Totals are
written as a bold row right below a table, outside it, so that sorting or filtering the table
never moves them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import unicodedata

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from generator.core import texts
from generator.core.problems import CONFIRMED, ERROR, NEEDS_CONFIRMATION, NOTE, WARNING
from generator.core.schema import GROUPS
from generator.core.periods import Period
from generator.figures.standing import reporting_grid
from generator.figures.summary import DistrictFigures, MonthSummary
from generator.core.statuses import LATE, MISSING, ON_TIME, REJECTED, TIMELINESS
from generator.outputs.xlsx import (BOX, FONT, NUMBER_FORMATS, SameStyle, style_cell, add_table, header_row, print_a4_landscape, put,
                                    save_atomic, wrapped_height)
from generator.core.values import as_cell_value

INT, MONEY, DATE, CODE = (NUMBER_FORMATS[k] for k in ("int", "money", "date", "code"))
PCT = "0.00"  # ร้อยละ as a number with two decimals (22.40), as the department writes it
TEXT = None

SHEET_KEYS = ("summary", "districts", "progress", "progress_districts", "groups", "officers", "completeness",
              "reporting", "reporting_months", "problems")


def sheet_names(lang: str = "th") -> dict[str, str]:
    words = texts.section("xlsx.sheet", lang)
    return {key: words[key] for key in SHEET_KEYS}


SHEETS = sheet_names("th")
# The grid's cells: words and a fill, so the sheet reads without colour too.
TIMELINESS_FILL = {ON_TIME: "C6EFCE", LATE: "FFEB9C", REJECTED: "FFC7CE", MISSING: "EDEDED"}
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
BODY_FONT = Font(name=FONT, size=14)
BOLD_FONT = Font(name=FONT, size=14, bold=True)


@dataclass(frozen=True)
class Col:
    header: str
    width: float
    number_format: str | None = TEXT
    wrap: bool = False


def _sheet(wb: Workbook, key: str, lang: str, title: str | None = None):
    ws = wb.create_sheet(sheet_names(lang)[key])
    print_a4_landscape(ws, 1)
    ws.page_margins.left = ws.page_margins.right = 0.5
    # The page header (the sheet's title) sits in the top margin: leave it room, so that neither
    # Excel nor LibreOffice prints it over the table.
    ws.page_margins.top, ws.page_margins.header = 0.95, 0.3
    ws.page_margins.bottom, ws.page_margins.footer = 0.75, 0.3
    if title:
        ws.oddHeader.center.text = title.replace("&", "&&")
        ws.oddHeader.center.font = FONT
    ws.oddFooter.right.text = texts.text("xlsx.page", lang)
    return ws


def _write(ws, name: str, cols: Sequence[Col], rows: Sequence[Sequence], total: Sequence | None = None) -> int:
    """Header, rows and an Excel Table; a bold total row right below; returns the table's last row."""
    header_row(ws, 1, [c.header for c in cols])
    ws.row_dimensions[1].height = 42
    styles = SameStyle()
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(rows, start=2):
        for j, (col, value) in enumerate(zip(cols, row), start=1):
            cell = put(ws, i, j, as_cell_value(value))
            styles.apply(cell, (j, cell.is_date), lambda c, col=col: style_cell(c, BODY_FONT, col.number_format,
                                                             alignment=wrap if col.wrap else None))
    add_table(ws, name, 1, len(cols), len(rows))
    last = 1 + max(len(rows), 1)
    if total is not None:
        for j, (col, value) in enumerate(zip(cols, total), start=1):
            cell = put(ws, last + 1, j, as_cell_value(value), col.number_format)
            cell.font = BOLD_FONT
            cell.fill = TOTAL_FILL
            cell.border = BOX
    widths = fitted_widths(cols, rows, total)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    # Tall enough for the longest wrapped header (Excel and LibreOffice do not grow the row themselves).
    ws.row_dimensions[1].height = max([42] + [wrapped_height(c.header, w) for c, w in zip(cols, widths)])
    ws.freeze_panes = "A2"
    return last


def display_length(value, number_format: str | None = None) -> int:
    """How many character cells a value takes: Thai vowels and tone marks above or below a letter
    take none, numbers are counted as Excel shows them (1,234.50)."""
    if value is None:
        return 0
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, (int, float)):
        if number_format in (MONEY, PCT):
            text = f"{value:,.2f}"
        elif number_format == INT:
            text = f"{value:,.0f}"
        else:
            text = str(value)
    elif hasattr(value, "strftime"):
        text = "30/12/2566"
    else:
        text = str(value)
    return sum(1 for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch) != "Mn")


def fitted_widths(cols: Sequence[Col], rows: Sequence[Sequence], total: Sequence | None = None) -> list[float]:
    """Column widths that fit the content: the longest value, or the longest word of the header
    (headers wrap), at least 8. Text is capped at the column's `Col.width` (longer text wraps or is
    cut off at the next filled cell); numbers never are, since Excel would show them as ###."""
    out = []
    for j, col in enumerate(cols):
        values = [r[j] for r in rows if j < len(r)] + ([total[j]] if total is not None and j < len(total) else [])
        numeric = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        text = [v for v in values if not (isinstance(v, (int, float)) and not isinstance(v, bool))]
        # digits are wider than the Thai letters of the sheet's font, and wider still where it is missing
        numbers = max((display_length(v, col.number_format) * 1.3 for v in numeric), default=0)
        longest = max((display_length(v, col.number_format) * 1.1 for v in text), default=0)
        header_word = max((display_length(w) for w in col.header.split()), default=0)
        header_half = display_length(col.header) / 2  # two lines of header at most, mostly
        width = min(max(longest, header_word, header_half) + 2, col.width)
        out.append(round(max(width, numbers + 2, 8), 1))
    return out



def _words(lang: str) -> Callable[..., str]:
    """The workbook's words: ``w("col.members")`` is the catalogue's ``xlsx.col.members``."""
    return lambda key, **params: texts.text("xlsx." + key, lang, **params)


def _where(s: MonthSummary, lang: str) -> dict:
    return {"province": s.province_name, "period": s.period.label(lang), "fiscal_year": s.fiscal_year_be}


def _summary_sheet(wb: Workbook, s: MonthSummary, lang: str) -> None:
    w = _words(lang)
    ws = _sheet(wb, "summary", lang, w("title.summary", **_where(s, lang)))
    group, village, district, people, baht, pct, items = (w(f"unit.{u}") for u in (
        "groups", "villages", "districts", "people", "baht", "percent", "items"))
    rows: list[tuple] = [
        (w("row.province"), s.province_name, TEXT, ""),
        (w("row.office"), s.office_name, TEXT, ""),
        (w("row.month"), s.period.label(lang), TEXT, ""),
        (w("row.fiscal_year"), s.fiscal_year_be, "0", ""),
        (w("row.as_of"), s.as_of, DATE, ""),
        (w("row.made_on"), s.made_on, DATE, ""),
        (w("row.due"), s.due_date, DATE, ""),
    ]
    for p in (*s.phases, s.year):
        label = _phase_label(p, s, lang)
        rows += [(w("row.phase_target", phase=label), p.target, INT, group),
                 (w("row.phase_founded", phase=label), p.founded, INT, group),
                 (w("row.phase_percent", phase=label), p.percent, PCT, pct),
                 (w("row.phase_status", phase=label), texts.text("target." + p.status, lang), TEXT, "")]
    reported_on_time = s.month_timeliness[ON_TIME]
    rows += [
        (w("row.kkkj_villages"), s.kkkj_villages, INT, village),
        (w("row.coverage_start"), s.villages_with_group_start, INT, village),
        (w("row.coverage_start_percent"), s.coverage_start_percent, PCT, pct),
        (w("row.coverage_now"), s.villages_with_group, INT, village),
        (w("row.coverage_now_percent"), s.coverage_percent, PCT, pct),
        (w("row.districts"), len(s.districts), INT, district),
        (w("row.reported"), len(s.reported), INT, district),
        (w("row.rejected"), len(s.rejected), INT, district),
        (w("row.missing"), len(s.missing), INT, district),
        (w("row.reporting_rate"), s.reporting_rate, PCT, pct),
        (w("row.on_time"), reported_on_time, INT, district),
        (w("row.on_time_rate"), s.on_time_rate, PCT, pct),
        (w("row.year_reporting_rate"), s.year_reporting_rate, PCT, pct),
        (w("row.year_on_time_rate"), s.year_on_time_rate, PCT, pct),
        (w("row.villages"), s.total.villages, INT, village),
        (w("row.villages_any"), s.total.villages_with_any_group, INT, village),
        (w("row.villages_any_percent"), s.total.villages_any_percent, PCT, pct),
        (w("row.groups"), s.total.groups, INT, group),
        (w("row.members"), s.total.members, INT, people),
        (w("row.savings"), s.total.savings_baht, MONEY, baht),
        (w("row.borrowers"), s.total.borrowers, INT, w("unit.borrowers")),
        (w("row.loans"), s.total.loans_baht, MONEY, baht),
        (w("row.borrowers_percent"), s.total.borrowers_percent, PCT, pct),
        (w("row.savings_per_member"), s.total.savings_per_member, MONEY, baht),
        (w("row.officers"), s.total.officers, INT, people),
        (w("row.officers_with_group"), s.total.officers_with_group, INT, people),
        (w("row.officers_percent"), s.total.officers_percent, PCT, pct),
    ]
    # Each severity counted as itself: a note or a confirmed value is not a warning.
    rows += [(w("row.severity", severity=texts.text("severity." + sev, lang)),
              sum(p.severity == sev for p in s.problems), INT, items)
             for sev in (ERROR, NEEDS_CONFIRMATION, WARNING, CONFIRMED, NOTE)]
    rows += [(w("row.carried"), len(s.carried), INT, district),
             (w("row.with_figures"), len(s.with_figures), INT, district)]
    cols = [Col(w("col.item"), 52), Col(w("col.value"), 26), Col(w("col.unit"), 12)]
    _write(ws, "summary", cols, [(label, value, unit) for label, value, _, unit in rows])
    for i, (_, value, fmt, _) in enumerate(rows, start=2):  # one number format per row
        cell = ws.cell(row=i, column=2)
        if fmt:
            cell.number_format = fmt
        cell.alignment = Alignment(horizontal="left" if fmt is None else "right")


def _phase_label(p, s: MonthSummary, lang: str) -> str:
    """A phase as the setup names it; the year in the workbook's language."""
    return texts.text("xlsx.year", lang) if p is s.year else p.label


def _districts_sheet(wb: Workbook, s: MonthSummary, lang: str) -> None:
    w = _words(lang)
    ws = _sheet(wb, "districts", lang, w("title.districts", **_where(s, lang)))
    cols = [Col(w("col.district_code"), 11, CODE), Col(w("col.district"), 18), Col(w("col.report_status"), 22),
            Col(w("col.figures_from"), 12)]
    for p in s.phases:
        cols += [Col(w("col.phase_target", phase=p.label), 12, INT), Col(w("col.phase_founded", phase=p.label), 12, INT),
                 Col(w("col.phase_percent", phase=p.label), 10, PCT)]
    year = w("year")
    cols += [Col(w("col.phase_target", phase=year), 12, INT), Col(w("col.phase_founded", phase=year), 12, INT),
             Col(w("col.phase_percent", phase=year), 10, PCT), Col(w("col.target_status"), 16),
             Col(w("col.kkkj_villages"), 11, INT), Col(w("col.kkkj_with_group"), 13, INT),
             Col(w("col.groups"), 12, INT), Col(w("col.members"), 12, INT),
             Col(w("col.savings"), 20, MONEY), Col(w("col.borrowers"), 12, INT),
             Col(w("col.loans"), 20, MONEY), Col(w("col.borrowers_percent"), 11, PCT),
             Col(w("col.savings_per_member"), 14, MONEY)]

    def cells(d: DistrictFigures, is_total: bool = False) -> list:
        out = [d.district_code, d.district_name, "" if is_total else texts.text("report." + d.report, lang),
               None if is_total else _month_label(d.figures_from, lang) if d.figures_from else w("no_data")]
        has_data = is_total or d.has_figures
        for p in d.phases:
            out += [p.target, p.founded if has_data else None, p.percent if has_data else None]
        out += [d.year.target, d.year.founded if has_data else None, d.year.percent if has_data else None,
                texts.text("target." + d.year.status, lang) if has_data else w("no_data"), d.kkkj_villages,
                d.villages_with_group if has_data else None]
        money = [d.groups, d.members, d.savings_baht, d.borrowers, d.loans_baht, d.borrowers_percent,
                 d.savings_per_member]
        return out + (money if has_data else [None] * len(money))

    _write(ws, "districts", cols, [cells(d) for d in s.districts], total=cells(s.total, is_total=True))


def _groups_sheet(wb: Workbook, s: MonthSummary, lang: str) -> None:
    w = _words(lang)
    ws = _sheet(wb, "groups", lang, w("title.groups", **_where(s, lang)))
    headers = {c.key: (c.header_th if lang == "th" else c.header_en) for c in GROUPS.columns}
    yes, no = w("yes"), w("no")
    statuses = texts.section("group_status", lang)
    spec: list[tuple[str, Col, Callable | None]] = [
        ("district_code", Col(w("col.district_code"), 11, CODE), None),
        ("district_name", Col(w("col.district"), 16), None),
        ("subdistrict_name", Col(w("col.subdistrict"), 16), None),
        ("village_code", Col(headers["village_code"], 13, CODE), None),
        ("village_name", Col(w("col.village_name"), 20), None),
        ("is_kkkj", Col(w("col.is_kkkj"), 10), lambda v: yes if v else no),
        ("had_group", Col(w("col.had_group"), 10), lambda v: yes if v else no),
        ("group_code", Col(headers["group_code"], 16, CODE), None),
        ("group_name", Col(headers["group_name"], 40), None),
        ("founded_on", Col(headers["founded_on"], 13, DATE), None),
        ("members", Col(headers["members"], 11, INT), None),
        ("savings_baht", Col(headers["savings_baht"], 17, MONEY), None),
        ("borrowers", Col(headers["borrowers"], 11, INT), None),
        ("loans_baht", Col(headers["loans_baht"], 17, MONEY), None),
        ("officer", Col(headers["officer"], 26), None),
        ("status", Col(headers["status"], 13), lambda v: statuses.get(v, v)),
        ("phase", Col(w("col.counts_for_phase"), 10, "0"), None),
        ("remarks", Col(headers["remarks"], 28), None),
        ("source_file", Col(w("col.source_file"), 24), None),
        ("carried_from", Col(w("col.carried_from"), 14), lambda v: _month_label(v, lang)),
    ]
    frame = s.groups
    rows = []
    if frame is not None and len(frame):
        keys = [k for k, _, _ in spec]
        data = frame.reindex(columns=keys)
        for record in data.itertuples(index=False, name=None):
            row = []
            for (_, _, convert), value in zip(spec, record):
                value = as_cell_value(value)
                row.append(convert(value) if convert and value is not None else value)
            rows.append(row)
    _write(ws, "groups", [c for _, c, _ in spec], rows)


def _officers_sheet(wb: Workbook, s: MonthSummary, lang: str) -> None:
    w = _words(lang)
    ws = _sheet(wb, "officers", lang, w("title.officers", **_where(s, lang)))
    cols = [Col(w("col.district_code"), 11, CODE), Col(w("col.district"), 18), Col(w("col.officers"), 14, INT),
            Col(w("col.officers_with_group"), 18, INT), Col(w("col.percent"), 10, PCT),
            Col(w("col.report_status"), 24)]

    def cells(d: DistrictFigures, is_total: bool = False) -> list:
        has_data = is_total or d.has_figures
        return [d.district_code, d.district_name, d.officers,
                d.officers_with_group if has_data else None, d.officers_percent if has_data else None,
                "" if is_total else texts.text("report." + d.report, lang)]

    _write(ws, "officers", cols, [cells(d) for d in s.districts], total=cells(s.total, is_total=True))


def _completeness_sheet(wb: Workbook, s: MonthSummary, lang: str) -> None:
    w = _words(lang)
    ws = _sheet(wb, "completeness", lang, w("title.completeness", **_where(s, lang)))
    cols = [Col(w("col.district_code"), 11, CODE), Col(w("col.district"), 18), Col(w("col.district_report"), 24),
            Col(w("col.file"), 34), Col(w("col.file_result"), 26), Col(w("col.errors"), 12, INT),
            Col(w("col.warnings"), 12, INT), Col(w("col.first_error"), 60, wrap=True)]
    report = texts.section("report", lang)
    rows = []
    known = set()
    for d in s.districts:
        known.add(d.district_code)
        files = [f for f in s.files if f.district_code == d.district_code]
        if not files:
            rows.append([d.district_code, d.district_name, report[d.report], None, None, None, None, None])
        for f in files:
            rows.append([d.district_code, d.district_name, report[d.report], f.file, report.get(f.status, f.status),
                         f.errors, f.warnings, _first_error(f, lang)])
            rows += _copy_rows(f, [d.district_code, d.district_name, report[d.report]], w)
    for f in s.files:
        if f.district_code not in known:
            rows.append([f.district_code, f.district_name or w("unknown_district"), None, f.file,
                         report.get(f.status, f.status), f.errors, f.warnings, _first_error(f, lang)])
            rows += _copy_rows(f, [f.district_code, f.district_name or w("unknown_district"), None], w)
    _write(ws, "completeness", cols, rows)


def _copy_rows(f, district: list, w) -> list[list]:
    """Every file of the inbox has its row: a copy of the same content is named beside the file read."""
    return [[*district, name, w("copy_of", file=f.file), None, None, None] for name in f.copies]


def _first_error(f, lang: str) -> str | None:
    return f.first_error_en if lang == "en" and getattr(f, "first_error_en", None) else f.first_error


def _reporting_months_sheet(wb: Workbook, s: MonthSummary, lang: str) -> None:
    """Per month: reports expected, received, accepted, on time, late, rejected, missing, and the rates."""
    w = _words(lang)
    ws = _sheet(wb, "reporting_months", lang, w("title.reporting_months", **_where(s, lang)))
    timely = texts.section("timeliness", lang)
    cols = [Col(w("col.month"), 11), Col(w("col.month_ce"), 11), Col(w("col.expected"), 11, INT),
            Col(w("col.received"), 10, INT), Col(w("col.accepted"), 11, INT), Col(timely[ON_TIME], 10, INT),
            Col(timely[LATE], 10, INT), Col(timely[REJECTED], 12, INT), Col(timely[MISSING], 10, INT),
            Col(w("col.reporting_rate"), 14, PCT), Col(w("col.on_time_rate"), 14, PCT)]
    table = s.completeness
    rows = [[_month_label(r["month"], lang), r["month"], r["expected"], r["received"], r["accepted"], r[ON_TIME],
             r[LATE], r[REJECTED], r[MISSING], r["reporting_rate"], r["on_time_rate"]]
            for r in table.to_dict("records")]
    total = [w("year"), None, *(int(table[k].sum()) for k in ("expected", "received", "accepted", ON_TIME, LATE,
                                                               REJECTED, MISSING)),
             s.year_reporting_rate, s.year_on_time_rate]
    _write(ws, "reporting_months", cols, rows, total=total)


def _problems_sheet(wb: Workbook, s: MonthSummary, lang: str) -> None:
    w = _words(lang)
    ws = _sheet(wb, "problems", lang, w("title.problems", **_where(s, lang)))
    names = {d.district_code: d.district_name for d in s.districts}
    severity = texts.section("severity", lang)
    # The rule id is for whoever supports the tool: last, after what a reader needs.
    cols = [Col(w("col.file"), 30), Col(w("col.district"), 16), Col(w("col.sheet"), 16), Col(w("col.cell"), 8),
            Col(w("col.value_found"), 20), Col(w("col.severity"), 11), Col(w("col.problem"), 60, wrap=True),
            Col(w("col.fix"), 50, wrap=True), Col(w("col.rule"), 28)]
    rows = [[p.file, names.get(p.district_code, p.district_code), p.sheet, p.cell, p.value,
             severity.get(p.severity, p.severity), p.message(lang), p.fix(lang), p.rule_id]
            for p in s.problems]
    _write(ws, "problems", cols, rows)


def _month_label(key: str, lang: str = "th") -> str:
    return Period.from_key(key).short_label(lang)


def _text_categories(chart, ref: Reference) -> None:
    """Month and district names are text: categories as a string reference (openpyxl writes a
    number reference, which Excel may show as 1, 2, 3)."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(ref)))


def _style_series(series, dash: str | None, marker: str, colour: str, width_emu: int) -> None:
    series.graphicalProperties.line.solidFill = colour
    series.graphicalProperties.line.width = width_emu
    if dash:
        series.graphicalProperties.line.dashStyle = dash
    series.marker.symbol = marker
    series.marker.size = 6
    series.marker.graphicalProperties.solidFill = colour if marker == "square" else "FFFFFF"
    series.marker.graphicalProperties.line.solidFill = colour
    series.smooth = False


def _progress_sheet(wb: Workbook, s: MonthSummary, lang: str) -> None:
    """The province month by month, with a native line chart of it and a bar chart of the districts
    (which reads the districts sheet), so the charts follow the figures if someone edits them."""
    w = _words(lang)
    ws = _sheet(wb, "progress", lang, w("title.progress", **_where(s, lang)))
    cols = [Col(w("col.month"), 10), Col(w("col.month_ce"), 11), Col(w("col.founded_cumulative"), 12, INT),
            Col(w("col.plan"), 14, "#,##0.0"), Col(w("col.target_begun"), 14, INT),
            Col(w("col.percent_of_plan"), 12, PCT)]
    frame = s.progress_by_month
    rows = []
    if frame is not None and len(frame):
        province = frame[frame["scope"] == s.province_code].sort_values("month")
        for r in province.itertuples():
            path = float(r.target_path)
            rows.append([_month_label(r.month, lang), r.month, int(r.founded), path, int(r.target),
                         round(100.0 * r.founded / path, 2) if path else None])
    _write(ws, "progress", cols, rows)
    n = max(len(rows), 1)

    line = LineChart()
    line.title = w("chart.line", province=s.province_name)
    line.y_axis.title = w("unit.groups")
    line.x_axis.title = w("col.month")
    line.height, line.width = 9, 18
    line.add_data(Reference(ws, min_col=3, max_col=5, min_row=1, max_row=1 + n), titles_from_data=True)
    _text_categories(line, Reference(ws, min_col=1, min_row=2, max_row=1 + n))
    _style_series(line.series[0], None, "square", "1F4E79", 28575)
    _style_series(line.series[1], "dash", "circle", "000000", 19050)
    _style_series(line.series[2], "sysDot", "none", "595959", 12700)
    line.x_axis.delete = False
    line.y_axis.delete = False
    line.legend.position = "b"
    ws.add_chart(line, "H2")

    # Districts: the year's target against groups founded, from the districts sheet.
    districts = wb[sheet_names(lang)["districts"]]
    year_col = 3 + 3 * len(s.phases) + 1
    n_d = len(s.districts)
    bar = BarChart()
    bar.type = "bar"
    bar.title = w("chart.bar")
    bar.height, bar.width = max(9, 0.55 * n_d + 3), 18
    bar.add_data(Reference(districts, min_col=year_col, max_col=year_col + 1, min_row=1, max_row=1 + n_d),
                 titles_from_data=True)
    _text_categories(bar, Reference(districts, min_col=2, min_row=2, max_row=1 + n_d))
    bar.series[0].graphicalProperties.solidFill = "FFFFFF"
    bar.series[0].graphicalProperties.line.solidFill = "000000"
    bar.series[1].graphicalProperties.solidFill = "1F4E79"
    bar.x_axis.delete = False
    bar.y_axis.delete = False
    bar.legend.position = "b"
    ws.add_chart(bar, "H21")


def _progress_districts_sheet(wb: Workbook, s: MonthSummary, lang: str) -> None:
    w = _words(lang)
    ws = _sheet(wb, "progress_districts", lang, w("title.progress_districts", **_where(s, lang)))
    cols = [Col(w("col.district_code"), 11, CODE), Col(w("col.district"), 18), Col(w("col.month"), 10),
            Col(w("col.month_ce"), 11), Col(w("col.founded_cumulative"), 12, INT),
            Col(w("col.plan"), 14, "#,##0.0"), Col(w("col.target_begun"), 14, INT),
            Col(w("col.has_report"), 12)]
    names = {d.district_code: d for d in s.districts}
    frame = s.progress_by_month
    rows = []
    if frame is not None and len(frame):
        part = frame[frame["scope"].isin(list(names))].sort_values(["scope", "month"])
        for r in part.itertuples():
            d = names[r.scope]
            has = d.has_figures
            rows.append([r.scope, d.district_name, _month_label(r.month, lang), r.month,
                         int(r.founded) if has else None, float(r.target_path), int(r.target),
                         w("yes") if has else w("no_report", report=texts.text("report." + d.report, lang))])
    _write(ws, "progress_districts", cols, rows)


def _reporting_sheet(wb: Workbook, s: MonthSummary, lang: str) -> None:
    """District × month: how each report arrived (on time, late, rejected, missing)."""
    w = _words(lang)
    ws = _sheet(wb, "reporting", lang, w("title.reporting", **_where(s, lang)))
    timely = texts.section("timeliness", lang)
    grid = reporting_grid(s)
    months = grid.months
    cols = [Col(w("col.district_code"), 11, CODE), Col(w("col.district"), 18)]
    cols += [Col(_month_label(m, lang), 14) for m in months]
    cols += [Col(w("col.times", status=timely[t]), 12, INT) for t in TIMELINESS]
    rows = [[row.district.district_code, row.district.district_name]
            + [timely.get(st, "") if st else None for st in row.cells] + [row.count(t) for t in TIMELINESS]
            for row in grid.rows]
    status_rows = [row.cells for row in grid.rows]
    total = ["", w("total")] + [None] * len(months) + [sum(row[2 + len(months) + i] for row in rows)
                                                       for i in range(len(TIMELINESS))]
    _write(ws, "reporting", cols, rows, total=total)
    for i, statuses in enumerate(status_rows, start=2):
        for j, status in enumerate(statuses):
            if status in TIMELINESS_FILL:
                c = ws.cell(row=i, column=3 + j)
                c.fill = PatternFill("solid", fgColor=TIMELINESS_FILL[status])
                c.alignment = Alignment(horizontal="center")


@dataclass(frozen=True)
class SummaryWorkbook:
    """The month's summary workbook as a job: what it is made from, its digest, and its making
    (`generator.outputs.ahead` keeps one made before the click under that digest)."""

    summary: MonthSummary
    lang: str

    def digest(self) -> str | None:
        from generator.outputs.ahead import content_token

        return content_token("summary", self.summary, self.lang)

    def write(self, path: Path) -> Path:
        return write_summary_workbook(self.summary, path, self.lang)


def write_summary_workbook(summary: MonthSummary, path: Path, lang: str = "th") -> Path:
    """The month's summary workbook in `lang` (sheet names, headers, notes), written atomically."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in (_summary_sheet, _districts_sheet, _progress_sheet, _progress_districts_sheet, _groups_sheet,
                  _officers_sheet, _completeness_sheet, _reporting_sheet, _reporting_months_sheet, _problems_sheet):
        sheet(wb, summary, lang)
    wb.properties.title = texts.text("xlsx.title.summary", lang, **_where(summary, lang))
    wb.properties.creator = summary.office_name
    wb.properties.language = "th-TH" if lang == "th" else "en"
    return save_atomic(wb, Path(path))
