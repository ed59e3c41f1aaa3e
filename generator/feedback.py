"""The feedback workbook sent back to a district whose file has problems.

It is the district's own file with each problem cell filled (red: error, yellow: warning) and
commented, and a first sheet listing every problem in Thai: the cell as a link, the value found,
what is wrong and how to fix it. When the file could not be opened at all, the workbook holds
the list alone. Only this district's own file and problems go into it.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from generator.periods import Period
from generator.problems import SEVERITY_LABELS, Problem
from generator.xlsx import (ERROR_FILL, FONT, WARNING_FILL, add_table, header_row, ooxml_text, print_a4_landscape,
                            put, save_atomic)

PROBLEMS_SHEET = "ปัญหาที่พบ"
HEADERS = {
    "th": ["ลำดับ", "ระดับ", "ชีต", "เซลล์", "ค่าที่พบ", "ปัญหา", "วิธีแก้ไข", "รหัสกฎ"],
    "en": ["No.", "Severity", "Sheet", "Cell", "Value found", "Problem", "How to fix", "Rule"],
}


def feedback_file_name(district_code: str, period: Period) -> str:
    return f"feedback_{district_code}_{period.be_key}.xlsx"


def write_feedback(source: Path | None, problems: list[Problem], path: Path, title: str,
                   lang: str = "th") -> Path:
    wb = _open_own_copy(source)
    if wb is not None:
        _mark_cells(wb, problems, lang)
    else:
        wb = Workbook()
        wb.remove(wb.active)
    ws = wb.create_sheet(PROBLEMS_SHEET, 0)
    _problem_list(ws, problems, title, lang, linkable=set(wb.sheetnames))
    wb.active = 0
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == PROBLEMS_SHEET
    return save_atomic(wb, path)


def _open_own_copy(source: Path | None):
    if source is None:
        return None
    try:
        wb = load_workbook(source, keep_links=False, keep_vba=False)  # never pass on links or macros
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
        cell.fill = ERROR_FILL if any(p.is_error for p in found) else WARNING_FILL
        text = "\n".join(f"{SEVERITY_LABELS[lang][p.severity]}: {p.message(lang)} {p.fix(lang)}" for p in found)
        comment = Comment(ooxml_text(text[:2000]), "savings-report")  # a control character must not corrupt the file
        comment.width, comment.height = 320, 140
        cell.comment = comment


def _problem_list(ws, problems: list[Problem], title: str, lang: str, linkable: set[str]) -> None:
    put(ws, 1, 1, title).font = Font(name=FONT, size=18, bold=True)
    n_errors = sum(p.is_error for p in problems)
    summary = (f"พบข้อผิดพลาด {n_errors} รายการ (ต้องแก้ไขแล้วส่งใหม่) และคำเตือน {len(problems) - n_errors} รายการ"
               if lang == "th" else
               f"{n_errors} errors (fix and resend) and {len(problems) - n_errors} warnings")
    put(ws, 2, 1, summary).font = Font(name=FONT, size=14, bold=True)
    header_row(ws, 4, HEADERS[lang])
    for i, p in enumerate(problems, start=1):
        r = 4 + i
        values = [i, SEVERITY_LABELS[lang][p.severity], p.sheet or "", p.cell or "", p.value or "",
                  p.message(lang), p.fix(lang), p.rule_id]
        for j, value in enumerate(values, start=1):
            cell = put(ws, r, j, value)
            cell.font = Font(name=FONT, size=14)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=2).fill = ERROR_FILL if p.is_error else WARNING_FILL
        if p.sheet in linkable and p.cell and p.cell[0].isalpha():
            link = ws.cell(row=r, column=4)
            link.hyperlink = f"#'{p.sheet}'!{p.cell}"
            link.font = Font(name=FONT, size=14, color="0563C1", underline="single")
    for j, width in enumerate((7, 12, 16, 9, 22, 50, 50, 24), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    add_table(ws, "problems", 4, len(HEADERS[lang]), len(problems))
    ws.freeze_panes = "A5"
    print_a4_landscape(ws, 4)
