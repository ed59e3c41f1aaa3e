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
from generator.figures.national import NOT_YET_SENT, OFFICE_TH, NationalSummary, ProvinceFigures
from generator.core.statuses import BEHIND, NOT_REACHED, NOT_STARTED, ON_TRACK, REACHED, STATUS_TH
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


def _province_row(p: ProvinceFigures, phases: list[str], is_total: bool = False) -> list:
    by_label = {ph.label: ph for ph in p.phases}
    row = ["" if is_total else p.rank, "" if is_total else p.province_code, p.province_name]
    for label in phases:
        ph = by_label.get(label)
        row += [ph.target if ph else None, ph.founded if ph else None, ph.percent if ph else None]
    return row + [p.year.target, p.year.founded, p.year.percent, STATUS_TH[p.year.status],
                  p.districts, p.reported, p.rejected, p.missing, p.reporting_rate, p.on_time_rate,
                  p.kkkj_villages, p.villages_with_group_start, p.villages_with_group, p.coverage_percent,
                  p.groups, p.members, p.savings_baht, p.borrowers, p.loans_baht, p.officers, p.officers_with_group,
                  p.officers_percent]


def write_national_workbook(summary: NationalSummary, path: Path) -> Path:
    s, t = summary, summary.total
    wb = Workbook()
    ws = wb.active
    ws.title = "สรุป"
    key_figures = [("ประจำเดือน", s.period.thai(), None), ("ปีงบประมาณ", s.fiscal_year_be, "0"),
                   ("ข้อมูล ณ วันที่", s.made_on, NUMBER_FORMATS["date"])]
    for p in (*t.phases, t.year):
        key_figures += [(f"{p.label}: เป้าหมาย (กลุ่ม)", p.target, INT), (f"{p.label}: จัดตั้งแล้ว (กลุ่ม)", p.founded, INT),
                        (f"{p.label}: ร้อยละ", p.percent, PCT), (f"{p.label}: สถานะ", p.status_th, None)]
    key_figures += [
        ("จังหวัดที่ส่งผล", len(s.provinces), INT), ("จังหวัดที่ยังไม่มีผล", len(s.missing), INT),
        ("อำเภอทั้งหมด (ในจังหวัดที่ส่งผล)", t.districts, INT), ("อำเภอที่ส่งรายงานและผ่านการตรวจ", t.reported, INT),
        ("ร้อยละอำเภอที่ส่งรายงาน", t.reporting_rate, PCT), ("ร้อยละอำเภอที่ส่งตรงเวลา", t.on_time_rate, PCT),
        ("หมู่บ้าน กข.คจ.", t.kkkj_villages, INT), ("หมู่บ้าน กข.คจ. ที่มีกลุ่ม เมื่อต้นปี", t.villages_with_group_start, INT),
        ("หมู่บ้าน กข.คจ. ที่มีกลุ่ม ปัจจุบัน", t.villages_with_group, INT), ("ร้อยละหมู่บ้านที่มีกลุ่ม", t.coverage_percent, PCT),
        ("กลุ่มที่ดำเนินการอยู่", t.groups, INT), ("สมาชิก (คน)", t.members, INT),
        ("เงินสัจจะสะสม (บาท)", t.savings_baht, MONEY), ("สมาชิกกู้ยืม (คน)", t.borrowers, INT),
        ("จำนวนเงินกู้ (บาท)", t.loans_baht, MONEY), ("พัฒนากร (คน)", t.officers, INT),
        ("พัฒนากรที่จัดตั้งกลุ่มแล้ว (คน)", t.officers_with_group, INT)]
    _table(ws, "summary", [("รายการ", 44, None), ("ค่า", 24, None)], [[k, v] for k, v, _ in key_figures])
    for i, (_, _, fmt) in enumerate(key_figures, start=2):
        if fmt:
            ws.cell(row=i, column=2).number_format = fmt
        ws.cell(row=i, column=2).alignment = Alignment(horizontal="left" if fmt is None else "right")

    phases = s.phase_labels
    columns = [("ลำดับ", 7, "0"), ("รหัสจังหวัด", 9, CODE), ("จังหวัด", 18, None)]
    for label in phases:
        columns += [(f"{label} เป้าหมาย", 11, INT), (f"{label} จัดตั้งแล้ว", 11, INT), (f"{label} ร้อยละ", 9, PCT)]
    columns += [("ทั้งปี เป้าหมาย", 11, INT), ("ทั้งปี จัดตั้งแล้ว", 11, INT), ("ทั้งปี ร้อยละ", 9, PCT),
                ("สถานะ", 16, None), ("อำเภอทั้งหมด", 9, INT), ("อำเภอผ่านการตรวจ", 10, INT),
                ("อำเภอไม่ผ่าน", 9, INT), ("อำเภอยังไม่ส่ง", 9, INT), ("ร้อยละอำเภอที่ส่ง", 10, PCT),
                ("ร้อยละส่งตรงเวลา", 10, PCT), ("หมู่บ้าน กข.คจ.", 10, INT), ("มีกลุ่มเมื่อต้นปี", 10, INT),
                ("มีกลุ่มปัจจุบัน", 10, INT), ("ร้อยละมีกลุ่ม", 9, PCT), ("กลุ่มที่ดำเนินการอยู่", 11, INT),
                ("สมาชิก (คน)", 12, INT), ("เงินสัจจะสะสม (บาท)", 20, MONEY), ("สมาชิกกู้ยืม (คน)", 12, INT),
                ("จำนวนเงินกู้ (บาท)", 20, MONEY), ("พัฒนากร (คน)", 10, INT), ("พัฒนากรที่จัดตั้งกลุ่มแล้ว", 12, INT),
                ("ร้อยละพัฒนากร", 9, PCT)]
    _table(wb.create_sheet("จังหวัด"), "provinces", columns, [_province_row(p, phases) for p in s.provinces],
           total=_province_row(t, phases, is_total=True))

    notes = wb.create_sheet("ข้อสังเกต")
    _table(notes, "notices", [("ระดับ", 12, None), ("ไฟล์หรือโฟลเดอร์", 40, None), ("รหัสจังหวัด", 10, CODE),
                              ("จังหวัด", 18, None), ("รายละเอียด", 70, None), ("วิธีแก้ไข", 50, None)],
           [[texts.text("national.not_yet_sent", "th") if n.rule_id in NOT_YET_SENT else SEVERITY_LABELS["th"][n.severity], n.file,
             n.province_code, n.province_name, n.message_th, n.fix_th] for n in s.notices])
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.properties.title = f"สรุปผลการดำเนินงานกลุ่มออมทรัพย์เพื่อการผลิต ระดับประเทศ ประจำเดือน {s.period.thai()}"
    wb.properties.creator = OFFICE_TH
    wb.properties.language = "th-TH"
    return save_atomic(wb, Path(path))
