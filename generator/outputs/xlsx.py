"""Writing workbooks with openpyxl: Excel Tables, the hidden `_meta` sheet, safe text, whole saves.

Shared by every workbook the tool writes (setup, district templates, feedback, summary).
"""

from __future__ import annotations

import io
import re
from copy import copy
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo

from generator.outputs.atomic import write_bytes_atomic
from generator.core.schema import META_SHEET, TEMPLATE_VERSION, Table, meta_column_key

FONT = "TH Sarabun New"
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
INPUT_FILL = PatternFill("solid", fgColor="FFFDE7")
ERROR_FILL = PatternFill("solid", fgColor="FF9C9C")
WARNING_FILL = PatternFill("solid", fgColor="FFE699")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")

# Dates show in the Buddhist era (20/8/2566) whatever the PC's calendar: [$-107041E] is the Thai
# locale (041E) with the Thai Buddhist calendar (07) and western digits (01), the code Thai Excel
# itself writes; LibreOffice honours it too (tests/test_dates_be.py converts to PDF to check), while
# "[$-th-TH,107]" shows a bare serial number in LibreOffice and "bbbb" prints as letters.
BE_DATE = "[$-107041E]d/m/yyyy"
NUMBER_FORMATS = {"int": "#,##0", "money": "#,##0.00", "date": BE_DATE, "code": "@"}


# Characters XML cannot hold (and CR, which XML readers turn into LF) are written the way Excel
# writes them, as _xHHHH_; so is an underscore that would otherwise read as the start of one.
# Excel, LibreOffice and python-calamine turn them back into the characters typed.
_OOXML_ESCAPE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def ooxml_text(text: str) -> str:
    """Text as it must be stored in a cell or comment to come back unchanged."""
    return _OOXML_ESCAPE.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def put(ws, row: int, col: int, value, number_format: str | None = None):
    """Write one value; text is always stored as text, so '=HYPERLINK(…)' typed by someone
    else never becomes a live formula in a workbook we hand out, and a control character pasted
    into a district's cell (Word's line break is one) can neither stop the writing nor be lost."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        value = ooxml_text(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


class SameStyle:
    """Cells styled alike within one sheet: the first cell of each kind is styled through openpyxl,
    the others take a copy of its style. Assigning a Font or Fill makes openpyxl hash it and look it
    up in the workbook's style lists for every cell, about 40 % of writing a large summary sheet.
    Kept for one worksheet only: style indices belong to their workbook."""

    def __init__(self):
        self._styles: dict = {}

    def apply(self, cell, key, style) -> None:
        """style(cell) styles the first cell of this key; later ones copy it."""
        known = self._styles.get(key)
        if known is None:
            style(cell)
            self._styles[key] = copy(cell._style)
        else:
            cell._style = copy(known)


def style_cell(cell, font, number_format: str | None = None, fill=None, alignment=None, border=None) -> None:
    cell.font = font
    if number_format:
        cell.number_format = number_format
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border


def text_width(text: str) -> int:
    """Character cells a text takes: Thai vowels and tone marks above or below a letter take none."""
    import unicodedata

    return sum(1 for ch in str(text) if unicodedata.category(ch) != "Mn")


def wrapped_height(text: str, width: float, font_size: float = 14) -> float:
    """The row height (points) a wrapped text needs in a column `width` characters wide. Excel and
    LibreOffice do not grow a row that openpyxl wrote without a height, so a wrapped cell would print
    one line, cut off; this estimate errs on the tall side (a fallback font may be wider)."""
    import math

    lines = sum(max(1, math.ceil(text_width(part) * 1.15 / max(width - 1, 1))) for part in str(text).split("\n"))
    return round(lines * font_size * 1.45 + 4, 1)


def header_row(ws, row: int, headers: Sequence[str], first_col: int = 1) -> None:
    for i, text in enumerate(headers):
        cell = put(ws, row, first_col + i, text)
        cell.font = Font(name=FONT, bold=True, size=14)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = BOX


def add_table(ws, name: str, first_row: int, n_cols: int, n_rows: int, first_col: int = 1) -> None:
    """An Excel Table over a header row and n_rows rows (at least one, as Excel requires)."""
    last_col = get_column_letter(first_col + n_cols - 1)
    ref = f"{get_column_letter(first_col)}{first_row}:{last_col}{first_row + max(n_rows, 1)}"
    table = ExcelTable(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)


def print_a4_landscape(ws, header_row_number: int) -> None:
    """Print on A4 landscape, one page wide, repeating the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row_number}:{header_row_number}"


def write_table(ws, table: Table, rows: Iterable[dict], first_row: int = 1, lang: str = "th",
                table_name: str | None = None) -> int:
    """Header and rows of a schema table, as an Excel Table; returns the number of rows written."""
    header_row(ws, first_row, [c.header_th if lang == "th" else c.header_en for c in table.columns])
    n = 0
    styles, font = SameStyle(), Font(name=FONT, size=14)
    for n, record in enumerate(rows, start=1):
        for j, col in enumerate(table.columns, start=1):
            value = record.get(col.key)
            cell = put(ws, first_row + n, j, value)
            styles.apply(cell, (j, cell.is_date), lambda c, fmt=NUMBER_FORMATS.get(col.kind): style_cell(c, font, fmt))
    for j, col in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = col.width
    add_table(ws, table_name or table.key, first_row, len(table.columns), n)
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    return n


def write_meta(wb: Workbook, items: dict[str, str], tables: Sequence[Table] = ()) -> None:
    """The hidden `_meta` sheet: name and value, with one row per table column's header."""
    ws = wb.create_sheet(META_SHEET)
    rows = [("name", "value"), ("template_version", TEMPLATE_VERSION)]
    rows += [(k, str(v)) for k, v in items.items()]
    for table in tables:
        rows.append((f"sheet:{table.key}", table.sheet_th))
        rows += [(meta_column_key(table, c), c.header_th) for c in table.columns]
    for i, (name, value) in enumerate(rows, start=1):
        put(ws, i, 1, name)
        put(ws, i, 2, value)
    ws.sheet_state = "hidden"


def save_atomic(wb: Workbook, path: Path) -> Path:
    # Zipped in memory first: openpyxl's ZipFile, failing part-way on a full disk, would be closed
    # again by the garbage collector and print a ZipFile.__del__ traceback after the message.
    buffer = io.BytesIO()
    wb.save(buffer)
    return write_bytes_atomic(path, buffer.getbuffer())
