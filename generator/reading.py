"""Opening untrusted workbooks and finding their tables.

The container is checked from the zip directory before anything is expanded; then python-calamine
reads the cell values (it is several times faster than openpyxl and does not expand XML
entities). Tables are found through the `_meta` sheet's header texts, so a district that moves or
reorders columns, or adds sheets, is still read, and a deleted column is named.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import column_index_from_string, get_column_letter
from python_calamine import CalamineWorkbook

from generator.problems import Problem
from generator.rules import rule
from generator.schema import META_SHEET, Table, meta_column_key
from generator.values import clean_text, is_blank


@dataclass(frozen=True)
class Limits:
    """How large a returned workbook may be. A district's workbook is tens of kilobytes."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 100 * 1024 * 1024
    max_ratio: int = 200  # unpacked/packed for one entry
    max_entries: int = 500
    max_rows: int = 20_000
    max_cols: int = 200


DEFAULT_LIMITS = Limits()
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileRejected(Exception):
    """A file that cannot be read at all; carries the problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


def _reject(rule_id: str, name: str, **params) -> FileRejected:
    return FileRejected(rule(rule_id).problem(file=name, **params))


def check_container(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Refuse what is not a safe .xlsx before any XML is parsed; returns warnings (macros)."""
    name = path.name
    size = path.stat().st_size
    if size == 0:
        raise _reject("F_EMPTY", name)
    if size > limits.max_file_bytes:
        raise _reject("F_TOO_LARGE", name, detail=f"{size:,} bytes")
    with open(path, "rb") as f:
        head = f.read(8)
    if head == OLE_MAGIC:
        # An encrypted .xlsx is an OLE file holding an 'EncryptedPackage' stream; otherwise .xls.
        data = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise _reject("F_ENCRYPTED", name)
        raise _reject("F_OLD_XLS", name)
    if not head.startswith(b"PK"):
        raise _reject("F_NOT_XLSX", name)
    try:
        with zipfile.ZipFile(path) as zf:
            names = _check_archive(zf, name, limits)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as exc:
        # A damaged directory, or a damaged entry found while scanning the sheets.
        raise _reject("F_CORRUPT", name, detail=type(exc).__name__) from None
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return [rule("F_MACROS").problem(file=name)]
    return []


def _check_archive(zf: zipfile.ZipFile, name: str, limits: Limits) -> set[str]:
    """Sizes from the zip directory first, then each sheet's extent; returns the entry names."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise _reject("F_TOO_LARGE", name, detail=f"{len(infos)} entries")
    total = sum(i.file_size for i in infos)
    if total > limits.max_unpacked_bytes:
        raise _reject("F_TOO_LARGE", name, detail=f"{total:,} bytes unpacked")
    for i in infos:
        if i.file_size > 1_000_000 and i.file_size > limits.max_ratio * max(i.compress_size, 1):
            raise _reject("F_TOO_LARGE", name,
                          detail=f"{i.filename} compressed {i.file_size // max(i.compress_size, 1)}:1")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise _reject("F_NOT_XLSX", name)
    for i in infos:
        if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml"):
            rows, cols = _sheet_extent(zf, i.filename, limits)
            if rows > limits.max_rows:
                raise _reject("F_TOO_LARGE", name,
                              detail=f"ชีตมีเกิน {limits.max_rows:,} แถว: พบแถวที่ {rows:,}",
                              detail_en=f"a sheet has more than {limits.max_rows:,} rows: row {rows:,} found")
            if cols > limits.max_cols:
                raise _reject("F_TOO_LARGE", name,
                              detail=f"ชีตมีเกิน {limits.max_cols:,} คอลัมน์: พบคอลัมน์ที่ {cols:,}",
                              detail_en=f"a sheet has more than {limits.max_cols:,} columns: column {cols:,} found")
    return names


_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d{1,7})"')


def _sheet_extent(zf: zipfile.ZipFile, entry: str, limits: Limits = DEFAULT_LIMITS) -> tuple[int, int]:
    """The furthest row and column a sheet's XML mentions, read as a stream, megabyte by
    megabyte, and given up as soon as it passes the limits (a sheet of a million rows is
    refused after its first megabyte, in constant memory).

    The reader allocates a dense grid up to the furthest cell, so one cell at XFD1048576 would
    ask for billions of cells: that has to be known before the sheet is handed to it.
    """
    max_row = max_col = 0
    tail = b""
    with zf.open(entry) as f:
        while chunk := f.read(1 << 20):
            data = tail + chunk
            for m in _CELL_REF.finditer(data):
                max_row = max(max_row, int(m[2]))
                max_col = max(max_col, column_index_from_string(m[1].decode()))
            for m in _ROW_REF.finditer(data):
                max_row = max(max_row, int(m[1]))
            if max_row > limits.max_rows or max_col > limits.max_cols:
                break
            tail = data[-256:]
    return max_row, max_col


def open_workbook(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[CalamineWorkbook, list[Problem]]:
    warnings = check_container(path, limits)
    try:
        return CalamineWorkbook.from_path(str(path)), warnings
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise _reject("F_CORRUPT", path.name, detail=type(exc).__name__) from None


def sheet_rows(wb: CalamineWorkbook, sheet: str, name: str, limits: Limits = DEFAULT_LIMITS) -> list[list]:
    try:
        ws = wb.get_sheet_by_name(sheet)
    except Exception as exc:  # damaged or hostile sheet XML (calamine refuses entity declarations)
        raise _reject("F_CORRUPT", name, detail=type(exc).__name__) from None
    if ws.total_height > limits.max_rows or ws.total_width > limits.max_cols:
        raise _reject("F_TOO_LARGE", name, detail=f"{sheet}: {ws.total_height:,} × {ws.total_width:,}")
    try:
        return ws.to_python(skip_empty_area=False)
    except Exception as exc:
        raise _reject("F_CORRUPT", name, detail=type(exc).__name__) from None


def read_meta(wb: CalamineWorkbook, name: str) -> dict[str, str] | None:
    if META_SHEET not in wb.sheet_names:
        return None
    meta = {}
    for row in sheet_rows(wb, META_SHEET, name):
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
    return "" if is_blank(text) else " ".join(clean_text(str(text)).split()).lower()


def find_table(wb: CalamineWorkbook, table: Table, meta: dict[str, str] | None, name: str,
               limits: Limits = DEFAULT_LIMITS, header_search_rows: int = 30) -> FoundTable | None:
    """Find a table's header row by its header texts (from `_meta`, else the schema)."""
    meta = meta or {}
    headers = {c.key: _norm(meta.get(meta_column_key(table, c)) or c.header_th) for c in table.columns}
    also = {c.key: {_norm(c.header_en), _norm(c.key)} for c in table.columns}
    preferred = meta.get(f"sheet:{table.key}") or table.sheet_th
    sheets = [s for s in wb.sheet_names if s != META_SHEET]
    order = [s for s in sheets if s == preferred] + [s for s in sheets if s != preferred]
    best = None
    for sheet in order:
        rows = sheet_rows(wb, sheet, name, limits)
        for r, row in enumerate(rows[:header_search_rows]):
            found = {}
            for j, text in enumerate(row):
                t = _norm(text)
                for key, h in headers.items():
                    if key not in found and (t == h or t in also[key]):
                        found[key] = j
            if len(found) >= max(2, len(table.columns) // 2) and (best is None or len(found) > len(best[2])):
                best = (sheet, r, found, rows)
        if best and best[0] == sheet:
            break
    if best is None:
        return None
    sheet, r, found, rows = best
    missing = [k for k in table.keys if k not in found]
    return FoundTable(sheet, r + 1, found, missing, rows[r + 1:])
