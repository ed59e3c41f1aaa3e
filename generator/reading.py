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
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from xml.parsers import expat

from openpyxl.utils import column_index_from_string, get_column_letter
from python_calamine import CalamineWorkbook

from generator.formats import FormatRefused, check_other_format
from generator.problems import Problem
from generator.rules import rule
from generator.schema import META_SHEET, Table, meta_column_key
from generator.values import clean_text, is_blank

MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """How large a returned workbook may be. A district's workbook is tens of kilobytes and about a
    thousand cells; these leave a hundredfold room and still keep a hostile file small to read.
    Change them with `--limit NAME=VALUE` on `run` and `validate` (names in `LIMIT_NAMES`)."""

    max_file_bytes: int = 20 * MIB
    max_unpacked_bytes: int = 100 * MIB
    max_ratio: int = 200  # unpacked/packed, for one entry of more than RATIO_FLOOR bytes
    max_entries: int = 500
    max_rows: int = 20_000
    max_cols: int = 200
    max_cells: int = 200_000  # rows × columns of each sheet's grid, summed over the workbook

    @classmethod
    def parse(cls, items: Iterable[str], base: "Limits | None" = None) -> "Limits":
        """`['rows=50000', 'file_mb=40']` -> Limits; ValueError with a sentence if one is wrong."""
        changes = {}
        for item in items:
            key, sep, text = item.partition("=")
            key = key.strip().lower().replace("-", "_")
            if not sep or key not in LIMIT_NAMES:
                raise ValueError(f"{item!r}: use NAME=NUMBER with NAME one of {', '.join(LIMIT_NAMES)}")
            field_name, unit = LIMIT_NAMES[key]
            try:
                value = int(text.strip().replace("_", "").replace(",", ""))
            except ValueError:
                raise ValueError(f"{item!r}: {text!r} is not a whole number") from None
            if value <= 0:
                raise ValueError(f"{item!r}: a limit must be more than 0")
            changes[field_name] = value * unit
        return replace(base or cls(), **changes)


LIMIT_NAMES = {"file_mb": ("max_file_bytes", MIB), "unpacked_mb": ("max_unpacked_bytes", MIB),
               "ratio": ("max_ratio", 1), "entries": ("max_entries", 1), "rows": ("max_rows", 1),
               "cols": ("max_cols", 1), "cells": ("max_cells", 1)}
assert {f for f, _ in LIMIT_NAMES.values()} == {f.name for f in fields(Limits)}

DEFAULT_LIMITS = Limits()
RATIO_FLOOR = 1 * MIB  # small parts compress well and are harmless whatever their ratio
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_MAX_ROWS, EXCEL_MAX_COLS = 1_048_576, 16_384
EXCEL_MAX_CELL_CHARS = 32_767
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_NOT_XLSX_PARTS = ("content.xml", "xl/workbook.bin")  # an OpenDocument or binary workbook inside


class FileRejected(Exception):
    """A file that cannot be read at all; carries the problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


def _reject(rule_id: str, name: str, **params) -> FileRejected:
    return FileRejected(rule(rule_id).problem(file=name, **params))


def _damaged(name: str, th: str, en: str) -> FileRejected:
    return _reject("F_CORRUPT", name, detail=th, detail_en=en)


def read_limited(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The file's bytes, read once; refused by size before reading."""
    name = path.name
    size = path.stat().st_size
    if size == 0:
        raise _reject("F_EMPTY", name)
    if size > limits.max_file_bytes:
        raise _reject("F_TOO_LARGE", name, detail=f"{size:,} bytes")
    with open(path, "rb") as f:
        data = f.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:  # it grew while we looked
        raise _reject("F_TOO_LARGE", name, detail=f"> {limits.max_file_bytes:,} bytes")
    if not data:
        raise _reject("F_EMPTY", name)
    return data


def check_container(path: Path | bytes, limits: Limits = DEFAULT_LIMITS, name: str | None = None) -> list[Problem]:
    """Refuse what is not a safe .xlsx before any XML is parsed; returns warnings (macros,
    external links)."""
    if isinstance(path, (bytes, bytearray)):
        data, name = bytes(path), name or "?"
    else:
        data, name = read_limited(Path(path), limits), name or Path(path).name
    try:  # .ods and .xls, measured in generator.formats
        other = check_other_format(data, limits, name)
    except FormatRefused as exc:
        raise FileRejected(exc.problem) from None
    if other is not None:
        return other
    if data[:8] == OLE_MAGIC:
        # An encrypted .xlsx is an OLE file holding an 'EncryptedPackage' stream; otherwise .xls.
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise _reject("F_ENCRYPTED", name)
        raise _reject("F_OLD_XLS", name)
    if not data.startswith(b"PK"):
        raise _reject("F_NOT_XLSX", name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return _check_archive(zf, name, limits)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError) as exc:
        # A damaged directory, or a damaged entry found while scanning.
        raise _reject("F_CORRUPT", name, detail=type(exc).__name__) from None


def _check_archive(zf: zipfile.ZipFile, name: str, limits: Limits) -> list[Problem]:
    """The zip directory first (nothing expanded), then each entry streamed once; returns warnings."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise _reject("F_TOO_LARGE", name, detail=f"{len(infos)} entries")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        # Readers disagree on which of two same-named entries counts: what is checked must be what is read.
        raise _damaged(name, "มีส่วนประกอบชื่อซ้ำกัน", "two entries have the same name")
    total = sum(i.file_size for i in infos)
    if total > limits.max_unpacked_bytes:
        raise _reject("F_TOO_LARGE", name, detail=f"{total:,} bytes unpacked")
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > limits.max_ratio * max(i.compress_size, 1):
            raise _reject("F_TOO_LARGE", name,
                          detail=f"{i.filename} compressed {i.file_size // max(i.compress_size, 1)}:1")
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged(name, f"วิธีบีบอัดที่ Excel ไม่ใช้ ({i.compress_type})",
                           f"a compression method Excel does not use ({i.compress_type})")
    lowered = {n.lower() for n in names}
    if "xl/workbook.xml" not in names or any(p in lowered for p in _NOT_XLSX_PARTS):
        raise _reject("F_NOT_XLSX", name)
    cells = 0
    external = False
    for info in infos:
        if _stream_checks(zf, info, name):
            cells += _measure_sheet(zf, info, name, limits, cells)
        if info.filename.lower().endswith(".rels"):
            external |= _has_external_relation(zf, info, name)
    warnings = []
    if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lowered):
        warnings.append(rule("F_MACROS").problem(file=name))
    if external or any(n.startswith("xl/externallinks/") or n == "xl/connections.xml" for n in lowered):
        warnings.append(rule("F_EXTERNAL_LINKS").problem(file=name))
    return warnings


def _stream_checks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bool:
    """Stream one entry: refuse a DTD or XML that is not UTF-8; return whether it holds cells."""
    holds_cells = False
    tail = b""
    first = True
    with zf.open(info) as f:
        while chunk := f.read(MIB):
            if first:
                first = False
                if chunk[:2] in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<") or chunk[:4] == b"\x00\x00\xfe\xff":
                    raise _damaged(name, f"{info.filename}: XML ที่ไม่ใช่ UTF-8",
                                   f"{info.filename}: XML that is not UTF-8")
            data = tail + chunk
            if _DTD.search(data):
                raise _damaged(name, f"{info.filename}: มี DTD ซึ่ง Excel ไม่เคยเขียน",
                               f"{info.filename}: contains a DTD (document type declaration), which Excel never writes")
            holds_cells = holds_cells or b"sheetData" in data
            tail = data[-16:]
    return holds_cells


def _parser(name: str, entry: str):
    """expat with DTDs refused: no entity is declared, so none can be expanded or fetched."""
    p = expat.ParserCreate()
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_):
        raise _damaged(name, f"{entry}: มี DTD ซึ่ง Excel ไม่เคยเขียน",
                       f"{entry}: contains a DTD (document type declaration), which Excel never writes")

    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.ExternalEntityRefHandler = refuse
    return p


def _parse(zf: zipfile.ZipFile, info: zipfile.ZipInfo, parser, name: str) -> None:
    try:
        with zf.open(info) as f:
            while chunk := f.read(1 << 16):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _damaged(name, f"{info.filename}: XML เสีย ({expat.ErrorString(exc.code)})",
                       f"{info.filename}: broken XML ({expat.ErrorString(exc.code)})") from None


def _measure_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits, cells_before: int) -> int:
    """The grid a sheet's cells span, as the reader will allocate it (rows × columns from A1),
    refused as soon as it passes a limit. A cell without a reference follows the previous one, and
    a row without one follows the previous row, as in the reader."""
    row = col = max_row = max_col = 0
    entry = info.filename
    columns: dict[str, int] = {}  # column letters seen -> index (a sheet has few distinct ones)

    def start(tag, attrs):
        nonlocal row, col, max_row, max_col
        if tag != "c" and tag != "row":  # the common case first: cells, rows, values without prefix
            if tag[-2:] not in (":c", "ow") or tag.rpartition(":")[2] not in ("c", "row"):
                return
            tag = tag.rpartition(":")[2]
        ref = attrs.get("r")
        if tag == "row":
            row = _number(ref, name, entry) if ref is not None else row + 1
            col = 0
            return
        if ref is None:
            col, row = col + 1, max(row, 1)
            cell_row = row
        else:
            digits = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
            letters = ref[:len(ref) - len(digits)]
            col = columns.get(letters) or columns.setdefault(letters, _column(letters, ref, name, entry))
            cell_row = _number(digits, name, entry)
        if cell_row > max_row:
            max_row = cell_row
        if col > max_col:
            max_col = col
        if max_row > limits.max_rows:
            raise _reject("F_TOO_LARGE", name, detail=f"ชีตมีเกิน {limits.max_rows:,} แถว: พบแถวที่ {max_row:,}",
                          detail_en=f"a sheet has more than {limits.max_rows:,} rows: row {max_row:,} found")
        if max_col > limits.max_cols:
            raise _reject("F_TOO_LARGE", name,
                          detail=f"ชีตมีเกิน {limits.max_cols:,} คอลัมน์: พบคอลัมน์ที่ {max_col:,}",
                          detail_en=f"a sheet has more than {limits.max_cols:,} columns: column {max_col:,} found")
        if cells_before + max_row * max_col > limits.max_cells:
            raise _reject("F_TOO_LARGE", name, detail=f"{cells_before + max_row * max_col:,} cells")

    parser = _parser(name, entry)
    parser.StartElementHandler = start
    _parse(zf, info, parser, name)
    return max_row * max_col


def _column(letters: str, ref: str, name: str, entry: str) -> int:
    if not letters or not letters.isascii():
        raise _damaged(name, f"{entry}: อ้างอิงเซลล์ '{ref[:20]}' ไม่ถูกต้อง", f"{entry}: cell reference '{ref[:20]}' is not valid")
    return column_index_from_string(letters.upper()) if len(letters) <= 3 else EXCEL_MAX_COLS + 1


def _number(text: str, name: str, entry: str) -> int:
    if not (text.isascii() and text.isdigit()):
        text = text.strip()
        if not (text.isascii() and text.isdigit()):
            raise _damaged(name, f"{entry}: เลขแถว '{text[:20]}' ไม่ถูกต้อง",
                           f"{entry}: row number '{text[:20]}' is not valid")
    return int(text) if len(text) <= 8 else EXCEL_MAX_ROWS + 1


def _has_external_relation(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bool:
    """Whether a relationships part points outside the file at anything but a plain hyperlink
    (a linked workbook, a data connection, a linked OLE object or picture)."""
    found = False

    def start(tag, attrs):
        nonlocal found
        if tag.rpartition(":")[2] == "Relationship" and attrs.get("TargetMode", "").strip().lower() == "external":
            if not attrs.get("Type", "").rstrip("/").endswith("/hyperlink"):
                found = True

    parser = _parser(name, info.filename)
    parser.StartElementHandler = start
    _parse(zf, info, parser, name)
    return found


def _reader_failed(exc: BaseException) -> bool:
    """python-calamine reports damage as exceptions, but some values make its Rust code panic, and
    a PanicException derives from BaseException: one district's cell must not end the run."""
    return not isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError))


def open_workbook(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[CalamineWorkbook, list[Problem]]:
    data = read_limited(Path(path), limits)
    warnings = check_container(data, limits, Path(path).name)
    try:
        # From the bytes checked, by content: a name ending in .ods or .xlsb never picks another reader.
        return CalamineWorkbook.from_filelike(io.BytesIO(data)), warnings
    except BaseException as exc:  # calamine raises its own error types for every kind of damage
        if not _reader_failed(exc):
            raise
        raise _reject("F_CORRUPT", path.name, detail=type(exc).__name__) from None


def sheet_rows(wb: CalamineWorkbook, sheet: str, name: str, limits: Limits = DEFAULT_LIMITS) -> list[list]:
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
    _check_text_lengths(rows[r + 1:], sheet, name, first_row=r + 2)
    missing = [k for k in table.keys if k not in found]
    return FoundTable(sheet, r + 1, found, missing, rows[r + 1:])
