"""Opening untrusted workbooks and finding their tables.

Every returned workbook is treated as hostile. Before python-calamine sees a byte of it:
- the file size, and from the zip directory alone the number of entries, the unpacked sizes and
  each entry's compression ratio, are checked, so a zip bomb is refused before it is expanded;
- every entry is streamed once: a DTD (`<!DOCTYPE`, `<!ENTITY`: Excel never writes one, and it
  is what entity expansion and external entities need) or XML that is not UTF-8 is refused;
- every entry holding cells is parsed with expat (DTD refused, nothing expanded, nothing fetched)
  to measure the grid the reader will allocate: its furthest row and column and their product.
  This is an XML parser rather than a pattern because the reader is one: quotes, spaces and '>'
  inside attribute values, or cells without references, would slip past a pattern;
- macros and links to outside files are found from the entry names and relationships and
  reported; nothing in the file is ever run or followed.
Then python-calamine reads the cell values from the same bytes (the file is read once, so what
was checked is what is read), chosen by content and never by the file's name. It is several
times faster than openpyxl and does not expand XML entities either. Tables are found through the
`_meta` sheet's header texts, so a district that moves or reorders columns, or adds sheets, is
still read, and a deleted column is named.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from generator.core.problems import Problem
from generator.core.schema import META_SHEET, Table, meta_column_key
from generator.core.values import OddCell, clean_text, is_blank

from generator.intake.container import inspect_container
from generator.intake.formulas import column_letters as get_column_letter
from generator.intake.limits import DEFAULT_LIMITS, EXCEL_MAX_CELL_CHARS, Limits, _reject
from generator.intake.snapshot import read_limited


def _reader_failed(exc: BaseException) -> bool:
    """python-calamine reports damage as exceptions, but some values make its Rust code panic, and
    a PanicException derives from BaseException: one district's cell must not end the run."""
    return not isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError))


def open_workbook(path: Path, limits: Limits = DEFAULT_LIMITS,
                  data: bytes | None = None) -> tuple[CalamineWorkbook, list[Problem]]:
    """data: the file's bytes as already read (`snapshot`); otherwise read here."""
    if data is None:
        data = read_limited(Path(path), limits)
    warnings, odd = inspect_container(data, limits, Path(path).name)
    try:
        # From the bytes checked, by content: a name ending in .ods or .xlsb never picks another reader.
        return CheckedWorkbook(CalamineWorkbook.from_filelike(io.BytesIO(data)), odd), warnings
    except BaseException as exc:  # calamine raises its own error types for every kind of damage
        if not _reader_failed(exc):
            raise
        raise _reject("F_CORRUPT", path.name, detail=type(exc).__name__) from None


class CheckedWorkbook:
    """The reader's workbook, with the cells it would show as empty although they are not."""

    def __init__(self, wb: CalamineWorkbook, odd: dict[str, dict[tuple[int, int], OddCell]]):
        self.wb, self.odd = wb, odd

    @property
    def sheet_names(self) -> list[str]:
        return self.wb.sheet_names

    def get_sheet_by_name(self, sheet: str):
        return self.wb.get_sheet_by_name(sheet)


def sheet_rows(wb: CalamineWorkbook | CheckedWorkbook, sheet: str, name: str,
               limits: Limits = DEFAULT_LIMITS) -> list[list]:
    try:
        ws = wb.get_sheet_by_name(sheet)
    except BaseException as exc:  # damaged or hostile sheet XML (calamine refuses entity declarations)
        if not _reader_failed(exc):
            raise
        raise _reject("F_CORRUPT", name, detail=type(exc).__name__) from None
    if ws.total_height > limits.max_rows or ws.total_width > limits.max_cols:
        raise _reject("F_TOO_LARGE", name, detail=f"{sheet}: {ws.total_height:,} × {ws.total_width:,}")
    try:
        rows = ws.to_python(skip_empty_area=False)
    except BaseException as exc:
        if not _reader_failed(exc):
            raise
        row = _failing_row(ws)
        if row is None:
            raise _reject("F_CORRUPT", name, detail=type(exc).__name__) from None
        # A number far outside what its date or time format can show (-1e15 as [h]:mm:ss).
        raise _reject("F_CORRUPT", name, sheet=sheet,
                      detail=f"ชีต {sheet} แถว {row}: มีตัวเลขที่แปลงเป็นวันที่หรือเวลาตามรูปแบบของเซลล์ไม่ได้",
                      detail_en=f"sheet {sheet}, row {row}: a number cannot be shown as the date or time its "
                                f"cell's format asks for") from None
    for (r, c), found in getattr(wb, "odd", {}).get(sheet, {}).items():
        if 0 < r <= len(rows) and 0 < c <= len(rows[r - 1]):
            rows[r - 1][c - 1] = found
    return rows


def _check_text_lengths(rows: list[list], sheet: str, name: str, first_row: int = 1) -> None:
    """Excel holds at most 32,767 characters in a cell; a longer text was not typed by anyone, and
    would go on into the PDF, whose layout time grows with it. Checked on the rows that go on."""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value.__class__ is str and len(value) > EXCEL_MAX_CELL_CHARS:
                cell = f"{get_column_letter(c + 1)}{first_row + r}"
                raise _reject("F_TOO_LARGE", name, sheet=sheet, cell=cell,
                              detail=f"ชีต {sheet} เซลล์ {cell} ยาว {len(value):,} ตัวอักษร",
                              detail_en=f"sheet {sheet}, cell {cell}: {len(value):,} characters; Excel allows "
                                        f"{EXCEL_MAX_CELL_CHARS:,}")


def _failing_row(ws) -> int | None:
    """The Excel row whose values the reader cannot convert, found row by row."""
    first = (ws.start or (0, 0))[0]
    rows = ws.iter_rows()
    for i in range(ws.height + 1):
        try:
            next(rows)
        except StopIteration:
            return None
        except BaseException as exc:
            if not _reader_failed(exc):
                raise
            return first + i + 1
    return None


def read_meta(wb: CalamineWorkbook, name: str) -> dict[str, str] | None:
    if META_SHEET not in wb.sheet_names:
        return None
    meta = {}
    rows = sheet_rows(wb, META_SHEET, name)
    _check_text_lengths(rows, META_SHEET, name)
    for row in rows:
        if len(row) >= 2 and not is_blank(row[0]):
            value = row[1]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            meta[clean_text(str(row[0]))] = "" if is_blank(value) else clean_text(str(value))
    return meta


@dataclass
class FoundTable:
    """A table located in a sheet: its rows below the header, as raw cell values."""

    sheet: str
    header_row: int  # 1-based Excel row of the header
    columns: dict[str, int]  # key -> 0-based column index
    missing: list[str]  # keys whose header was not found
    rows: list[list]  # raw rows below the header

    def cell(self, key: str, row_offset: int) -> str:
        return self.cell_at(key, self.header_row + 1 + row_offset)

    def cell_at(self, key: str, excel_row: int) -> str:
        return f"{get_column_letter(self.columns[key] + 1)}{excel_row}"


def _norm(text: object) -> str:
    if text is None or text == "":  # most cells of a header search: nothing to normalise
        return ""
    return "" if is_blank(text) else " ".join(clean_text(str(text)).split()).lower()


# Where each layout's header row was last found: (table, its header texts, sheet) -> row index. A
# district's workbook of one template version has it in the same place, so the next file of that
# layout only confirms it (`_confirmed`) instead of normalising every cell of its first rows.
_HEADER_AT: dict[tuple, int] = {}
_HEADER_AT_SIZE = 64


def _matches(row: list, headers: dict[str, str], also: dict[str, set[str]]) -> dict[str, int]:
    """The table's columns whose header one row holds: key -> 0-based column (the first cell of each)."""
    found: dict[str, int] = {}
    for j, text in enumerate(row):
        t = _norm(text)
        for key, h in headers.items():
            if key not in found and (t == h or t in also[key]):
                found[key] = j
    return found


def _confirmed(rows: list[list], r: int, headers: dict, also: dict, every: int) -> dict[str, int] | None:
    """Row r's columns when the whole scan would choose it: it holds every column, and no row
    above it does (the scan keeps the first row of the most columns; none can have more)."""
    if r >= len(rows) or any(len(_matches(rows[j], headers, also)) == every for j in range(r)):
        return None
    found = _matches(rows[r], headers, also)
    return found if len(found) == every else None


def find_table(wb: CalamineWorkbook, table: Table, meta: dict[str, str] | None, name: str,
               limits: Limits = DEFAULT_LIMITS, header_search_rows: int = 30) -> FoundTable | None:
    """Find a table's header row by its header texts (from `_meta`, else the schema)."""
    meta = meta or {}
    headers = {c.key: _norm(meta.get(meta_column_key(table, c)) or c.header_th) for c in table.columns}
    also = {c.key: {_norm(c.header_en), _norm(c.key)} for c in table.columns}
    preferred = meta.get(f"sheet:{table.key}") or table.sheet_th
    sheets = [s for s in wb.sheet_names if s != META_SHEET]
    order = [s for s in sheets if s == preferred] + [s for s in sheets if s != preferred]
    layout = (table.key, tuple(headers.items()))
    best = None
    for sheet in order:
        rows = sheet_rows(wb, sheet, name, limits)
        hint = _HEADER_AT.get((layout, sheet))
        found = _confirmed(rows, hint, headers, also, len(table.columns)) if hint is not None and \
            hint < header_search_rows else None
        if found is not None and (best is None or len(found) > len(best[2])):
            best = (sheet, hint, found, rows)
        else:
            for r, row in enumerate(rows[:header_search_rows]):
                found = _matches(row, headers, also)
                if len(found) >= max(2, len(table.columns) // 2) and (best is None or len(found) > len(best[2])):
                    best = (sheet, r, found, rows)
        if best and best[0] == sheet:
            break
    if best is None:
        return None
    sheet, r, found, rows = best
    if len(_HEADER_AT) >= _HEADER_AT_SIZE:
        _HEADER_AT.clear()
    _HEADER_AT[(layout, sheet)] = r
    _check_text_lengths(rows[r + 1:], sheet, name, first_row=r + 2)
    missing = [k for k in table.keys if k not in found]
    return FoundTable(sheet, r + 1, found, missing, rows[r + 1:])
