"""The Excel summary of a month: key figures, districts, all groups, officers, reports, problems.

Every sheet is one Excel Table with Thai headers at row 1 (frozen), number formats and an A4
landscape print setup. Text always goes through `generator.xlsx.put`, so a group name such as
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

from generator.problems import SEVERITY_LABELS
from generator.schema import GROUPS, STATUS_LABELS_TH
from generator.periods import Period, thai_date
from generator.summary import (ACCEPTED, LATE, MISSING, ON_TIME, REJECTED, REPORT_TH, TIMELINESS, TIMELINESS_TH,
                               DistrictFigures, MonthSummary)
from generator.xlsx import (BOX, FONT, NUMBER_FORMATS, add_table, as_cell_value, header_row, print_a4_landscape,
                            put, save_atomic)

INT, MONEY, DATE, CODE = (NUMBER_FORMATS[k] for k in ("int", "money", "date", "code"))
PCT = "0.00"  # ร้อยละ as a number with two decimals (22.40), as the department writes it
TEXT = None

SHEETS = {"summary": "สรุป", "districts": "อำเภอ", "progress": "ความก้าวหน้า",
          "progress_districts": "ความก้าวหน้ารายอำเภอ", "groups": "กลุ่มทั้งหมด", "officers": "พัฒนากร",
          "completeness": "การส่งรายงาน", "reporting": "การส่งรายงานรายเดือน",
          "reporting_months": "ความครบถ้วนรายเดือน", "problems": "ปัญหา"}
# The grid's cells: words and a fill, so the sheet reads without colour too.
TIMELINESS_FILL = {ON_TIME: "C6EFCE", LATE: "FFEB9C", REJECTED: "FFC7CE", MISSING: "EDEDED"}
FILE_STATUS_TH = REPORT_TH
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
BODY_FONT = Font(name=FONT, size=14)
BOLD_FONT = Font(name=FONT, size=14, bold=True)


@dataclass(frozen=True)
class Col:
    header: str
    width: float
    number_format: str | None = TEXT
    wrap: bool = False


def _sheet(wb: Workbook, key: str, title: str | None = None):
    ws = wb.create_sheet(SHEETS[key])
    print_a4_landscape(ws, 1)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title:
        ws.oddHeader.center.text = title.replace("&", "&&")
        ws.oddHeader.center.font = FONT
    ws.oddFooter.right.text = "หน้า &P / &N"
    return ws


def _write(ws, name: str, cols: Sequence[Col], rows: Sequence[Sequence], total: Sequence | None = None) -> int:
    """Header, rows and an Excel Table; a bold total row right below; returns the table's last row."""
    header_row(ws, 1, [c.header for c in cols])
    ws.row_dimensions[1].height = 42
    for i, row in enumerate(rows, start=2):
        for j, (col, value) in enumerate(zip(cols, row), start=1):
            cell = put(ws, i, j, as_cell_value(value), col.number_format)
            cell.font = BODY_FONT
            if col.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    add_table(ws, name, 1, len(cols), len(rows))
    last = 1 + max(len(rows), 1)
    if total is not None:
        for j, (col, value) in enumerate(zip(cols, total), start=1):
            cell = put(ws, last + 1, j, as_cell_value(value), col.number_format)
            cell.font = BOLD_FONT
            cell.fill = TOTAL_FILL
            cell.border = BOX
    for j, width in enumerate(fitted_widths(cols, rows, total), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
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


def _summary_sheet(wb: Workbook, s: MonthSummary) -> None:
    ws = _sheet(wb, "summary", f"สรุปผลการดำเนินงานกลุ่มออมทรัพย์เพื่อการผลิต จังหวัด{s.province_name} ประจำเดือน {s.period.thai()}")
    rows: list[tuple] = [
        ("จังหวัด", s.province_name, TEXT, ""),
        ("หน่วยงาน", s.office_name, TEXT, ""),
        ("ประจำเดือน", s.period.thai(), TEXT, ""),
        ("ปีงบประมาณ", s.fiscal_year_be, "0", ""),
        ("ข้อมูล ณ วันที่", s.made_on, DATE, ""),
        ("กำหนดส่งรายงานของเดือนนี้", s.due_date, DATE, ""),
    ]
    for p in (*s.phases, s.year):
        rows += [(f"{p.label}: เป้าหมาย", p.target, INT, "กลุ่ม"),
                 (f"{p.label}: จัดตั้งแล้ว", p.founded, INT, "กลุ่ม"),
                 (f"{p.label}: ร้อยละของเป้าหมาย", p.percent, PCT, "ร้อยละ"),
                 (f"{p.label}: สถานะ", p.status_th, TEXT, "")]
    rows += [
        ("หมู่บ้าน กข.คจ. ทั้งหมด", s.kkkj_villages, INT, "หมู่บ้าน"),
        ("หมู่บ้าน กข.คจ. ที่มีกลุ่ม เมื่อต้นปีงบประมาณ", s.villages_with_group_start, INT, "หมู่บ้าน"),
        ("หมู่บ้าน กข.คจ. ที่มีกลุ่ม เมื่อต้นปีงบประมาณ (ร้อยละ)", s.coverage_start_percent, PCT, "ร้อยละ"),
        ("หมู่บ้าน กข.คจ. ที่มีกลุ่ม ปัจจุบัน", s.villages_with_group, INT, "หมู่บ้าน"),
        ("หมู่บ้าน กข.คจ. ที่มีกลุ่ม ปัจจุบัน (ร้อยละ)", s.coverage_percent, PCT, "ร้อยละ"),
        ("อำเภอทั้งหมด", len(s.districts), INT, "อำเภอ"),
        ("อำเภอที่ส่งรายงานและผ่านการตรวจ", len(s.reported), INT, "อำเภอ"),
        ("อำเภอที่รายงานไม่ผ่านการตรวจ", len(s.rejected), INT, "อำเภอ"),
        ("อำเภอที่ยังไม่ส่งรายงาน", len(s.missing), INT, "อำเภอ"),
        ("อัตราการส่งรายงาน (ร้อยละ)", s.reporting_rate, PCT, "ร้อยละ"),
        ("อำเภอที่ส่งรายงานตรงกำหนด", s.month_timeliness[ON_TIME], INT, "อำเภอ"),
        ("อัตราการส่งรายงานตรงกำหนด (ร้อยละ)", s.on_time_rate, PCT, "ร้อยละ"),
        ("อัตราการส่งรายงานตั้งแต่ต้นปีงบประมาณ (ร้อยละ)", s.year_reporting_rate, PCT, "ร้อยละ"),
        ("อัตราการส่งรายงานตรงกำหนดตั้งแต่ต้นปีงบประมาณ (ร้อยละ)", s.year_on_time_rate, PCT, "ร้อยละ"),
        ("หมู่บ้านทั้งหมด", s.total.villages, INT, "หมู่บ้าน"),
        ("หมู่บ้านที่มีกลุ่มที่ดำเนินการอยู่", s.total.villages_with_any_group, INT, "หมู่บ้าน"),
        ("หมู่บ้านที่มีกลุ่มที่ดำเนินการอยู่ (ร้อยละของหมู่บ้านทั้งหมด)", s.total.villages_any_percent, PCT, "ร้อยละ"),
        ("กลุ่มที่ดำเนินการอยู่", s.total.groups, INT, "กลุ่ม"),
        ("สมาชิก", s.total.members, INT, "คน"),
        ("เงินสัจจะสะสม", s.total.savings_baht, MONEY, "บาท"),
        ("สมาชิกกู้ยืม", s.total.borrowers, INT, "คน"),
        ("จำนวนเงินกู้", s.total.loans_baht, MONEY, "บาท"),
        ("สมาชิกกู้ยืม (ร้อยละของสมาชิก)", s.total.borrowers_percent, PCT, "ร้อยละ"),
        ("เงินสัจจะสะสมต่อสมาชิก", s.total.savings_per_member, MONEY, "บาท"),
        ("พัฒนากรทั้งหมด", s.total.officers, INT, "คน"),
        ("พัฒนากรที่จัดตั้งกลุ่มในปีนี้แล้ว", s.total.officers_with_group, INT, "คน"),
        ("พัฒนากรที่จัดตั้งกลุ่มในปีนี้แล้ว (ร้อยละ)", s.total.officers_percent, PCT, "ร้อยละ"),
        ("ปัญหาที่พบในไฟล์: ข้อผิดพลาด", sum(p.is_error for p in s.problems), INT, "รายการ"),
        ("ปัญหาที่พบในไฟล์: คำเตือน", sum(not p.is_error for p in s.problems), INT, "รายการ"),
    ]
    cols = [Col("รายการ", 52), Col("ค่า", 26), Col("หน่วย", 12)]
    _write(ws, "summary", cols, [(label, value, unit) for label, value, _, unit in rows])
    for i, (_, value, fmt, _) in enumerate(rows, start=2):  # one number format per row
        cell = ws.cell(row=i, column=2)
        if fmt:
            cell.number_format = fmt
        cell.alignment = Alignment(horizontal="left" if fmt is None else "right")


def _districts_sheet(wb: Workbook, s: MonthSummary) -> None:
    ws = _sheet(wb, "districts", f"ผลการดำเนินงานรายอำเภอ จังหวัด{s.province_name} ประจำเดือน {s.period.thai()}")
    cols = [Col("รหัสอำเภอ", 11, CODE), Col("อำเภอ", 18), Col("สถานะรายงาน", 22)]
    for p in s.phases:
        cols += [Col(f"{p.label} เป้าหมาย (กลุ่ม)", 12, INT), Col(f"{p.label} จัดตั้งแล้ว (กลุ่ม)", 12, INT),
                 Col(f"{p.label} ร้อยละ", 10, PCT)]
    cols += [Col("ทั้งปี เป้าหมาย (กลุ่ม)", 12, INT), Col("ทั้งปี จัดตั้งแล้ว (กลุ่ม)", 12, INT),
             Col("ทั้งปี ร้อยละ", 10, PCT), Col("สถานะเทียบเป้าหมาย", 16),
             Col("หมู่บ้าน กข.คจ.", 11, INT), Col("หมู่บ้าน กข.คจ. ที่มีกลุ่ม", 13, INT),
             Col("กลุ่มที่ดำเนินการอยู่", 12, INT), Col("สมาชิก (คน)", 12, INT),
             Col("เงินสัจจะสะสม (บาท)", 20, MONEY), Col("สมาชิกกู้ยืม (คน)", 12, INT),
             Col("จำนวนเงินกู้ (บาท)", 20, MONEY), Col("ร้อยละสมาชิกกู้ยืม", 11, PCT),
             Col("เงินสัจจะต่อสมาชิก (บาท)", 14, MONEY)]

    def cells(d: DistrictFigures, is_total: bool = False) -> list:
        out = [d.district_code, d.district_name, "" if is_total else d.report_th]
        has_data = is_total or d.report == ACCEPTED
        for p in d.phases:
            out += [p.target, p.founded if has_data else None, p.percent if has_data else None]
        out += [d.year.target, d.year.founded if has_data else None, d.year.percent if has_data else None,
                d.year.status_th if has_data else "ไม่มีข้อมูล", d.kkkj_villages,
                d.villages_with_group if has_data else None]
        money = [d.groups, d.members, d.savings_baht, d.borrowers, d.loans_baht, d.borrowers_percent,
                 d.savings_per_member]
        return out + (money if has_data else [None] * len(money))

    _write(ws, "districts", cols, [cells(d) for d in s.districts], total=cells(s.total, is_total=True))


def _groups_sheet(wb: Workbook, s: MonthSummary) -> None:
    ws = _sheet(wb, "groups", f"กลุ่มออมทรัพย์เพื่อการผลิตทั้งหมด จังหวัด{s.province_name} ประจำเดือน {s.period.thai()}")
    headers = {c.key: c.header_th for c in GROUPS.columns}
    spec: list[tuple[str, Col, Callable | None]] = [
        ("district_code", Col("รหัสอำเภอ", 11, CODE), None),
        ("district_name", Col("อำเภอ", 16), None),
        ("subdistrict_name", Col("ตำบล", 16), None),
        ("village_code", Col(headers["village_code"], 13, CODE), None),
        ("village_name", Col("ชื่อหมู่บ้าน", 20), None),
        ("is_kkkj", Col("หมู่บ้าน กข.คจ.", 10), lambda v: "ใช่" if v else "ไม่ใช่"),
        ("had_group", Col("มีกลุ่มเมื่อต้นปี", 10), lambda v: "ใช่" if v else "ไม่ใช่"),
        ("group_code", Col(headers["group_code"], 16, CODE), None),
        ("group_name", Col(headers["group_name"], 40), None),
        ("founded_on", Col(headers["founded_on"], 13, DATE), None),
        ("members", Col(headers["members"], 11, INT), None),
        ("savings_baht", Col(headers["savings_baht"], 17, MONEY), None),
        ("borrowers", Col(headers["borrowers"], 11, INT), None),
        ("loans_baht", Col(headers["loans_baht"], 17, MONEY), None),
        ("officer", Col(headers["officer"], 26), None),
        ("status", Col(headers["status"], 13), lambda v: STATUS_LABELS_TH.get(v, v)),
        ("phase", Col("นับเป็นผลระยะที่", 10, "0"), None),
        ("remarks", Col(headers["remarks"], 28), None),
        ("source_file", Col("ไฟล์ที่มา", 24), None),
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


def _officers_sheet(wb: Workbook, s: MonthSummary) -> None:
    ws = _sheet(wb, "officers", f"โครงการ 1 พัฒนากร 1 กลุ่มออมทรัพย์เพื่อการผลิต จังหวัด{s.province_name} ประจำเดือน {s.period.thai()}")
    cols = [Col("รหัสอำเภอ", 11, CODE), Col("อำเภอ", 18), Col("พัฒนากรทั้งหมด (คน)", 14, INT),
            Col("พัฒนากรที่จัดตั้งกลุ่มในปีนี้แล้ว (คน)", 18, INT), Col("ร้อยละ", 10, PCT),
            Col("สถานะรายงาน", 24)]

    def cells(d: DistrictFigures, is_total: bool = False) -> list:
        has_data = is_total or d.report == ACCEPTED
        return [d.district_code, d.district_name, d.officers,
                d.officers_with_group if has_data else None, d.officers_percent if has_data else None,
                "" if is_total else d.report_th]

    _write(ws, "officers", cols, [cells(d) for d in s.districts], total=cells(s.total, is_total=True))


def _completeness_sheet(wb: Workbook, s: MonthSummary) -> None:
    ws = _sheet(wb, "completeness", f"การส่งรายงานประจำเดือน {s.period.thai()} จังหวัด{s.province_name}")
    cols = [Col("รหัสอำเภอ", 11, CODE), Col("อำเภอ", 18), Col("สถานะรายงานของอำเภอ", 24), Col("ไฟล์", 34),
            Col("ผลการตรวจไฟล์", 26), Col("ข้อผิดพลาด (รายการ)", 12, INT), Col("คำเตือน (รายการ)", 12, INT),
            Col("ข้อผิดพลาดแรกที่พบ", 60, wrap=True)]
    rows = []
    known = set()
    for d in s.districts:
        known.add(d.district_code)
        files = [f for f in s.files if f.district_code == d.district_code]
        if not files:
            rows.append([d.district_code, d.district_name, d.report_th, None, None, None, None, None])
        for f in files:
            rows.append([d.district_code, d.district_name, d.report_th, f.file, FILE_STATUS_TH.get(f.status, f.status),
                         f.errors, f.warnings, f.first_error])
    for f in s.files:
        if f.district_code not in known:
            rows.append([f.district_code, f.district_name or "ระบุอำเภอไม่ได้", None, f.file,
                         FILE_STATUS_TH.get(f.status, f.status), f.errors, f.warnings, f.first_error])
    _write(ws, "completeness", cols, rows)


def _reporting_months_sheet(wb: Workbook, s: MonthSummary) -> None:
    """Per month: reports expected, received, accepted, on time, late, rejected, missing, and the rates."""
    ws = _sheet(wb, "reporting_months", f"ความครบถ้วนและความตรงเวลาของการส่งรายงาน จังหวัด{s.province_name} "
                                        f"ปีงบประมาณ {s.fiscal_year_be}")
    cols = [Col("เดือน", 11), Col("เดือน (ค.ศ.)", 11), Col("ต้องส่ง (อำเภอ)", 11, INT), Col("ได้รับ", 10, INT),
            Col("ผ่านการตรวจ", 11, INT), Col("ตรงเวลา", 10, INT), Col("ล่าช้า", 10, INT),
            Col("ไม่ผ่านการตรวจ", 12, INT), Col("ไม่ส่ง", 10, INT), Col("อัตราการส่งรายงาน (ร้อยละ)", 14, PCT),
            Col("อัตราการส่งตรงเวลา (ร้อยละ)", 14, PCT)]
    table = s.completeness
    rows = [[_month_label(r["month"]), r["month"], r["expected"], r["received"], r["accepted"], r[ON_TIME], r[LATE],
             r[REJECTED], r[MISSING], r["reporting_rate"], r["on_time_rate"]] for r in table.to_dict("records")]
    total = ["ทั้งปี", None, *(int(table[k].sum()) for k in ("expected", "received", "accepted", ON_TIME, LATE,
                                                              REJECTED, MISSING)),
             s.year_reporting_rate, s.year_on_time_rate]
    _write(ws, "reporting_months", cols, rows, total=total)


def _problems_sheet(wb: Workbook, s: MonthSummary) -> None:
    ws = _sheet(wb, "problems", f"ปัญหาที่พบในไฟล์รายงานประจำเดือน {s.period.thai()} จังหวัด{s.province_name}")
    names = {d.district_code: d.district_name for d in s.districts}
    cols = [Col("ไฟล์", 30), Col("อำเภอ", 16), Col("ชีต", 16), Col("เซลล์", 8), Col("ค่าที่พบ", 20),
            Col("ระดับ", 11), Col("รหัสกฎ", 28), Col("ปัญหา", 60, wrap=True), Col("วิธีแก้ไข", 50, wrap=True)]
    rows = [[p.file, names.get(p.district_code, p.district_code), p.sheet, p.cell, p.value,
             SEVERITY_LABELS["th"].get(p.severity, p.severity), p.rule_id, p.message_th, p.fix_th]
            for p in s.problems]
    _write(ws, "problems", cols, rows)


def _month_label(key: str) -> str:
    """ส.ค. 66"""
    return thai_date(Period(int(key[:4]), int(key[5:7])).first_day, short=True).split(" ", 1)[1]


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


def _progress_sheet(wb: Workbook, s: MonthSummary) -> None:
    """The province month by month, with a native line chart of it and a bar chart of the districts
    (which reads the districts sheet), so the charts follow the figures if someone edits them."""
    ws = _sheet(wb, "progress", f"ความก้าวหน้าสะสมเทียบแผน จังหวัด{s.province_name} ประจำเดือน {s.period.thai()}")
    cols = [Col("เดือน", 10), Col("เดือน (ค.ศ.)", 11), Col("จัดตั้งสะสม (กลุ่ม)", 12, INT),
            Col("ควรได้ตามแผน ณ สิ้นเดือน (กลุ่ม)", 14, "#,##0.0"), Col("เป้าหมายของระยะที่เริ่มแล้ว (กลุ่ม)", 14, INT),
            Col("ร้อยละของที่ควรได้ตามแผน", 12, PCT)]
    frame = s.progress_by_month
    rows = []
    if frame is not None and len(frame):
        province = frame[frame["scope"] == s.province_code].sort_values("month")
        for r in province.itertuples():
            path = float(r.target_path)
            rows.append([r.month_th, r.month, int(r.founded), path, int(r.target),
                         round(100.0 * r.founded / path, 2) if path else None])
    _write(ws, "progress", cols, rows)
    n = max(len(rows), 1)

    line = LineChart()
    line.title = f"กลุ่มที่จัดตั้งสะสมเทียบแผน จังหวัด{s.province_name}"
    line.y_axis.title = "กลุ่ม"
    line.x_axis.title = "เดือน"
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
    districts = wb[SHEETS["districts"]]
    year_col = 3 + 3 * len(s.phases) + 1
    n_d = len(s.districts)
    bar = BarChart()
    bar.type = "bar"
    bar.title = "เป้าหมายทั้งปีและจำนวนที่จัดตั้งแล้ว รายอำเภอ"
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


def _progress_districts_sheet(wb: Workbook, s: MonthSummary) -> None:
    ws = _sheet(wb, "progress_districts", f"ความก้าวหน้าสะสมรายอำเภอ จังหวัด{s.province_name} ประจำเดือน {s.period.thai()}")
    cols = [Col("รหัสอำเภอ", 11, CODE), Col("อำเภอ", 18), Col("เดือน", 10), Col("เดือน (ค.ศ.)", 11),
            Col("จัดตั้งสะสม (กลุ่ม)", 12, INT), Col("ควรได้ตามแผน ณ สิ้นเดือน (กลุ่ม)", 14, "#,##0.0"),
            Col("เป้าหมายของระยะที่เริ่มแล้ว (กลุ่ม)", 14, INT), Col("มีรายงานเดือนนี้", 12)]
    names = {d.district_code: d for d in s.districts}
    frame = s.progress_by_month
    rows = []
    if frame is not None and len(frame):
        part = frame[frame["scope"].isin(list(names))].sort_values(["scope", "month"])
        for r in part.itertuples():
            d = names[r.scope]
            has = d.report == ACCEPTED
            rows.append([r.scope, d.district_name, r.month_th, r.month, int(r.founded) if has else None,
                         float(r.target_path), int(r.target), "ใช่" if has else "ไม่มี (" + d.report_th + ")"])
    _write(ws, "progress_districts", cols, rows)


def _reporting_sheet(wb: Workbook, s: MonthSummary) -> None:
    """District × month: how each report arrived (ตรงเวลา, ล่าช้า, ไม่ผ่านการตรวจ, ไม่ส่ง)."""
    ws = _sheet(wb, "reporting", f"การส่งรายงานรายเดือนของอำเภอ จังหวัด{s.province_name} ปีงบประมาณ {s.fiscal_year_be}")
    r = s.reporting
    months = sorted(set(r["month"]) | {s.period.key}) if r is not None and len(r) else [s.period.key]
    cell = {(x.district_code, x.month): x.status for x in r.itertuples()} if r is not None else {}
    cols = [Col("รหัสอำเภอ", 11, CODE), Col("อำเภอ", 18)]
    cols += [Col(_month_label(m), 14) for m in months]
    cols += [Col(f"{TIMELINESS_TH[t]} (ครั้ง)", 12, INT) for t in TIMELINESS]
    rows = []
    for d in s.districts:
        statuses = [cell.get((d.district_code, m)) for m in months]
        rows.append([d.district_code, d.district_name] + [TIMELINESS_TH.get(st, "") if st else None for st in statuses]
                    + [sum(st == t for st in statuses) for t in TIMELINESS])
    total = ["", "รวม"] + [None] * len(months) + [sum(row[2 + len(months) + i] for row in rows)
                                                  for i in range(len(TIMELINESS))]
    _write(ws, "reporting", cols, rows, total=total)
    by_words = {v: k for k, v in TIMELINESS_TH.items()}
    for i, row in enumerate(rows, start=2):
        for j in range(len(months)):
            c = ws.cell(row=i, column=3 + j)
            status = by_words.get(c.value)
            if status:
                c.fill = PatternFill("solid", fgColor=TIMELINESS_FILL[status])
                c.alignment = Alignment(horizontal="center")


def write_summary_workbook(summary: MonthSummary, path: Path) -> Path:
    """The month's summary workbook, written atomically."""
    wb = Workbook()
    wb.remove(wb.active)
    _summary_sheet(wb, summary)
    _districts_sheet(wb, summary)
    _progress_sheet(wb, summary)
    _progress_districts_sheet(wb, summary)
    _groups_sheet(wb, summary)
    _officers_sheet(wb, summary)
    _completeness_sheet(wb, summary)
    _reporting_sheet(wb, summary)
    _reporting_months_sheet(wb, summary)
    _problems_sheet(wb, summary)
    wb.properties.title = (f"สรุปผลการดำเนินงานกลุ่มออมทรัพย์เพื่อการผลิต จังหวัด{summary.province_name} "
                           f"ประจำเดือน {summary.period.thai()}")
    wb.properties.creator = summary.office_name
    wb.properties.language = "th-TH"
    return save_atomic(wb, Path(path))
