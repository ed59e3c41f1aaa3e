"""The feedback workbook sent back to a district whose file has problems.

It is the district's own file with each problem cell filled (red: error; orange: a value to
confirm, which rejects the file until confirmed; yellow: warning; green: a value confirmed) and
commented, and a first sheet listing every problem in Thai: the cell as a link, the value found,
what is wrong and how to fix it. When the file could not be opened at all, the workbook holds
the list alone. Only this district's own file and problems go into it.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from generator.copy_bound import COPY_BUDGET, copy_cost
from generator.periods import Period
from generator.problems import (CONFIRMED, ERROR, NEEDS_CONFIRMATION, NOTE, SEVERITY_LABELS, WARNING, Problem,
                                 errors, warnings)
from generator.xlsx import (ERROR_FILL, FONT, WARNING_FILL, add_table, header_row, ooxml_text,
                            print_a4_landscape, put, save_atomic)

PROBLEMS_SHEET = "ปัญหาที่พบ"
CONFIRM_FILL = PatternFill("solid", fgColor="F4B183")
CONFIRMED_FILL = PatternFill("solid", fgColor="C6EFCE")
NOTE_FILL = PatternFill("solid", fgColor="DDEBF7")
FILLS = {ERROR: ERROR_FILL, NEEDS_CONFIRMATION: CONFIRM_FILL, WARNING: WARNING_FILL, CONFIRMED: CONFIRMED_FILL,
         NOTE: NOTE_FILL}
# When one cell has problems of several severities, the most pressing one colours it.
_PRECEDENCE = (ERROR, NEEDS_CONFIRMATION, WARNING, CONFIRMED, NOTE)
HEADERS = {
    "th": ["ลำดับ", "ระดับ", "ชีต", "เซลล์", "ค่าที่พบ", "ปัญหา", "วิธีแก้ไข", "รหัสกฎ"],
    "en": ["No.", "Severity", "Sheet", "Cell", "Value found", "Problem", "How to fix", "Rule"],
}


LEGEND = {
    "th": "สีของเซลล์: แดง = ข้อผิดพลาด ต้องแก้ไข | ส้ม = ตัวเลขผิดปกติ ถ้าผิดให้แก้ ถ้าถูกต้องเลือก ใช่ ในคอลัมน์ "
          "'ยืนยันข้อมูลถูกต้อง' ของแถวนั้น | เหลือง = คำเตือน ตรวจดู | เขียว = ยืนยันแล้ว",
    "en": "Cell colours: red = error, fix it | orange = unusual figure: fix it, or if it is right choose ใช่ in the "
          "row's 'Confirmed correct' column | yellow = warning, check it | green = confirmed",
}


def feedback_file_name(district_code: str, period: Period) -> str:
    return f"feedback_{district_code}_{period.be_key}.xlsx"


NO_COPY = {
    "th": "ไฟล์ที่อำเภอส่งมามีส่วนที่ใหญ่เกินกว่าจะทำสำเนาพร้อมระบายสีเซลล์ได้อย่างปลอดภัย (เช่น เซลล์ที่ผสานหรือลิงก์จำนวนมาก) "
          "จึงแนบเฉพาะรายการปัญหา แก้ไขในไฟล์ของอำเภอตามเซลล์ที่ระบุ",
    "en": "The district's file holds parts too large to copy safely with its cells marked (such as huge merged or "
          "linked ranges), so only the list of problems is here: correct the district's own file at the cells named.",
}


def write_feedback(source: Path | bytes | None, problems: list[Problem], path: Path, title: str,
                   lang: str = "th") -> Path:
    """source: the district's file as read (its bytes), or None when it could not be read at all."""
    wb = _open_own_copy(source)
    refused = source is not None and wb is None
    if wb is not None:
        _mark_cells(wb, problems, lang)
    else:
        wb = Workbook()
        wb.remove(wb.active)
    ws = wb.create_sheet(PROBLEMS_SHEET, 0)
    _problem_list(ws, problems, title, lang, linkable=set(wb.sheetnames), note=NO_COPY[lang] if refused else None)
    wb.active = 0
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == PROBLEMS_SHEET
    return save_atomic(wb, path)


def _open_own_copy(source: Path | bytes | None):
    if source is None:
        return None
    if isinstance(source, Path):
        source = source.read_bytes()
    cost = copy_cost(source)
    if cost is None or cost > COPY_BUDGET:  # openpyxl would build more than is safe: the list alone
        return None
    try:
        # never pass on links or macros
        wb = load_workbook(io.BytesIO(source), keep_links=False, keep_vba=False)
    except Exception:  # a file that intake could not read either; the list alone goes back
        return None
    for ws in wb.worksheets:
        # Pictures and charts are not the district's figures, and saving them would make openpyxl
        # decode (and re-encode) whatever image a returned file holds, however large it unpacks.
        ws._images, ws._charts = [], []
    return wb


def _mark_cells(wb, problems: list[Problem], lang: str) -> None:
    notes: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        if p.sheet in wb.sheetnames and p.cell and p.cell[0].isalpha():
            notes.setdefault((p.sheet, p.cell), []).append(p)
    for (sheet, ref), found in notes.items():
        cell = wb[sheet][ref]
        cell.fill = FILLS[min((p.severity for p in found), key=_rank)]
        text = "\n".join(f"{SEVERITY_LABELS[lang][p.severity]}: {p.message(lang)} {p.fix(lang)}" for p in found)
        comment = Comment(ooxml_text(text[:2000]), "savings-report")  # a control character must not corrupt the file
        comment.width, comment.height = 320, 140
        cell.comment = comment


def _rank(severity: str) -> int:
    return _PRECEDENCE.index(severity) if severity in _PRECEDENCE else len(_PRECEDENCE)


def _problem_list(ws, problems: list[Problem], title: str, lang: str, linkable: set[str],
                  note: str | None = None) -> None:
    put(ws, 1, 1, title).font = Font(name=FONT, size=18, bold=True)
    n_errors = sum(p.severity == ERROR for p in problems)
    n_confirm = sum(p.severity == NEEDS_CONFIRMATION for p in problems)
    n_warnings = len(warnings(problems))
    n_notes = sum(p.severity == NOTE for p in problems)
    if lang == "th":
        summary = f"พบข้อผิดพลาด {n_errors} รายการ"
        if n_confirm:
            summary += f" ตัวเลขที่ต้องยืนยัน {n_confirm} รายการ"
        summary += f" และคำเตือน {n_warnings} รายการ"
        if errors(problems):
            summary += " (แก้ไขหรือยืนยันแล้วส่งใหม่)"
        if n_notes:
            summary += f" หมายเหตุ {n_notes} รายการ"
    else:
        summary = f"{n_errors} errors"
        if n_confirm:
            summary += f", {n_confirm} values to confirm"
        summary += f" and {n_warnings} warnings"
        if errors(problems):
            summary += " (fix or confirm, then resend)"
        if n_notes:
            summary += f"; {n_notes} notes"
    put(ws, 2, 1, summary).font = Font(name=FONT, size=14, bold=True)
    put(ws, 3, 1, note or LEGEND[lang]).font = Font(name=FONT, size=12, bold=note is not None)
    header_row(ws, 4, HEADERS[lang])
    for i, p in enumerate(problems, start=1):
        r = 4 + i
        values = [i, SEVERITY_LABELS[lang][p.severity], p.sheet or "", p.cell or "", p.value or "",
                  p.message(lang), p.fix(lang), p.rule_id]
        for j, value in enumerate(values, start=1):
            cell = put(ws, r, j, value)
            cell.font = Font(name=FONT, size=14)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=2).fill = FILLS.get(p.severity, WARNING_FILL)
        if p.sheet in linkable and p.cell and p.cell[0].isalpha():
            link = ws.cell(row=r, column=4)
            link.hyperlink = f"#'{p.sheet}'!{p.cell}"
            link.font = Font(name=FONT, size=14, color="0563C1", underline="single")
    for j, width in enumerate((7, 12, 16, 9, 22, 50, 50, 24), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    add_table(ws, "problems", 4, len(HEADERS[lang]), len(problems))
    ws.freeze_panes = "A5"
    print_a4_landscape(ws, 4)
