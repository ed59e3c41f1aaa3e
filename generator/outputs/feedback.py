"""The feedback workbook sent back to a district whose file has problems.

It is the district's own file with each problem cell filled (red: error; orange: a value to
confirm, which rejects the file until confirmed; yellow: warning; green: a value confirmed) and
commented, and a first sheet listing every problem in Thai: the cell as a link, the value found,
what is wrong and how to fix it. When the file could not be opened at all, the workbook holds
the list alone. Only this district's own file and problems go into it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from generator.core import texts
from generator.outputs.copy_bound import COPY_BUDGET, copy_cost
from generator.core.periods import Period
from generator.core.problems import (CONFIRMED, ERROR, NEEDS_CONFIRMATION, NOTE, SEVERITY_LABELS, WARNING, Problem,
                                 errors, warnings)
from generator.outputs.xlsx import (ERROR_FILL, FONT, WARNING_FILL, add_table, header_row, ooxml_text,
                            print_a4_landscape, put, save_atomic, wrapped_height)

PROBLEMS_SHEET = texts.text("feedback.sheet")
CONFIRM_FILL = PatternFill("solid", fgColor="F4B183")
CONFIRMED_FILL = PatternFill("solid", fgColor="C6EFCE")
NOTE_FILL = PatternFill("solid", fgColor="DDEBF7")
FILLS = {ERROR: ERROR_FILL, NEEDS_CONFIRMATION: CONFIRM_FILL, WARNING: WARNING_FILL, CONFIRMED: CONFIRMED_FILL,
         NOTE: NOTE_FILL}
# When one cell has problems of several severities, the most pressing one colours it.
_PRECEDENCE = (ERROR, NEEDS_CONFIRMATION, WARNING, CONFIRMED, NOTE)
COLUMNS = ("no", "severity", "sheet", "cell", "value", "problem", "fix", "rule")
# Widths (characters) that fit A4 landscape at a legible scale once LibreOffice or Excel fits the
# sheet to the page width: the two sentences wrap, the rule id (for support) stays narrow.
WIDTHS = (6, 11, 14, 7, 16, 46, 46, 12)


def feedback_file_name(district_code: str, period: Period, district_name: str | None = None) -> str:
    """`feedback_3612_2566-08_แก้งคร้อ.xlsx`: a district has one current feedback workbook a month,
    named so that whoever sends it sees at once which district it goes to."""
    name = _safe_name(district_name or "")
    return f"feedback_{district_code}_{period.be_key}{'_' + name if name else ''}.xlsx"


def _safe_name(text: str, width: int = 40) -> str:
    # A name from the setup becomes part of a file name: nothing that separates folders or that
    # Windows refuses, no leading dot.
    text = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+', "_", unicodedata.normalize("NFC", text)).strip("._")
    return text[:width]


NO_COPY = {
    "th": "ไฟล์ที่อำเภอส่งมามีส่วนที่ใหญ่เกินกว่าจะทำสำเนาพร้อมระบายสีเซลล์ได้อย่างปลอดภัย (เช่น เซลล์ที่ผสานหรือลิงก์จำนวนมาก) "
          "จึงแนบเฉพาะรายการปัญหา แก้ไขในไฟล์ของอำเภอตามเซลล์ที่ระบุ",
    "en": "The district's file holds parts too large to copy safely with its cells marked (such as huge merged or "
          "linked ranges), so only the list of problems is here: correct the district's own file at the cells named.",
}


@dataclass(frozen=True)
class FeedbackWorkbook:
    """One district's feedback workbook as a job: its file's bytes as they were checked (none when
    intake could not read it), its problems and title; its digest, and its making
    (`generator.outputs.ahead` keeps one made before the click under that digest)."""

    source: Path | None  # the district's file, copied only when its bytes are still those checked
    sha256: str
    problems: tuple[Problem, ...]
    title: str
    file_name: str

    def digest(self) -> str | None:
        from generator.outputs.ahead import content_token

        return content_token("feedback", self.sha256, self.source is not None, self.problems, self.title)

    def write(self, path: Path) -> Path:
        from generator.intake.snapshot import bytes_as_read

        source = bytes_as_read(self.source, self.sha256) if self.source is not None else None
        return write_feedback(source, list(self.problems), path, self.title, "th")


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
        text = "\n".join(_comment_line(p, lang) for p in found)
        comment = Comment(ooxml_text(text[:2000]), "savings-report")  # a control character must not corrupt the file
        comment.width, comment.height = 320, 140
        cell.comment = comment


def _comment_line(p: Problem, lang: str) -> str:
    """ข้อผิดพลาด: ยังไม่ได้กรอก “จำนวนสมาชิก (คน)” — วิธีแก้ไข: โปรดกรอก…"""
    line = f"{SEVERITY_LABELS[lang][p.severity]}: {p.message(lang)}"
    return line + texts.text("feedback.fix_sep", lang, fix=p.fix(lang)) if p.fix(lang) else line


def _rank(severity: str) -> int:
    return _PRECEDENCE.index(severity) if severity in _PRECEDENCE else len(_PRECEDENCE)


def _problem_list(ws, problems: list[Problem], title: str, lang: str, linkable: set[str],
                  note: str | None = None) -> None:
    put(ws, 1, 1, title).font = Font(name=FONT, size=18, bold=True)
    n_errors = sum(p.severity == ERROR for p in problems)
    n_confirm = sum(p.severity == NEEDS_CONFIRMATION for p in problems)
    n_warnings = len(warnings(problems))
    n_notes = sum(p.severity == NOTE for p in problems)
    counts = [texts.text("feedback.count." + key, lang, n=n)
              for key, n in (("errors", n_errors), ("confirm", n_confirm), ("warnings", n_warnings), ("notes", n_notes))
              if n or key in ("errors", "warnings")]
    summary = texts.text("feedback.found", lang, counts=texts.text("feedback.count_sep", lang).join(counts))
    summary += " " + texts.text("feedback.then_resend" if errors(problems) else "feedback.nothing_to_send", lang)
    last = get_column_letter(len(COLUMNS))
    for row, text, font in ((2, summary, Font(name=FONT, size=14, bold=True)),
                            (3, note or texts.text("feedback.legend", lang),
                             Font(name=FONT, size=13, bold=note is not None))):
        cell = put(ws, row, 1, text)
        cell.font, cell.alignment = font, Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(f"A{row}:{last}{row}")
        ws.row_dimensions[row].height = wrapped_height(text, sum(WIDTHS), font.size)
    header_row(ws, 4, [texts.text("feedback.col." + c, lang) for c in COLUMNS])
    ws.row_dimensions[4].height = 24
    for i, p in enumerate(problems, start=1):
        r = 4 + i
        values = [i, SEVERITY_LABELS[lang][p.severity], p.sheet or "", p.cell or "", p.value or "",
                  p.message(lang), p.fix(lang), p.rule_id]
        for j, value in enumerate(values, start=1):
            cell = put(ws, r, j, value)
            cell.font = Font(name=FONT, size=10 if j == len(values) else 14, color="808080" if j == len(values) else None)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = max(wrapped_height(str(v), w) for v, w in zip(values[:-1], WIDTHS))
        ws.cell(row=r, column=2).fill = FILLS.get(p.severity, WARNING_FILL)
        if p.sheet in linkable and p.cell and p.cell[0].isalpha():
            link = ws.cell(row=r, column=4)
            link.hyperlink = f"#'{p.sheet}'!{p.cell}"
            link.font = Font(name=FONT, size=14, color="0563C1", underline="single")
    for j, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    add_table(ws, "problems", 4, len(COLUMNS), len(problems))
    ws.freeze_panes = "A5"
    print_a4_landscape(ws, 4)
