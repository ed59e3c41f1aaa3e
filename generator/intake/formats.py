"""Returned workbooks saved as OpenDocument (.ods, LibreOffice's default) or old Excel (.xls).

python-calamine reads both, but like .xlsx neither is handed to it before it is measured: the
reader allocates the whole grid from A1 to a sheet's furthest cell with a value, so a small file
can claim a huge one. The same `Limits` apply, and the same refusals (a DTD, a zip bomb, a grid
too large, a password); macros are reported and never run.

- .ods is a zip of XML: the zip directory is checked as for .xlsx, every XML entry is parsed with
  expat (DTDs refused, nothing expanded or fetched), and `content.xml` is walked row by row with
  the repeat counts (`number-rows-repeated`, `number-columns-repeated`) LibreOffice writes: empty
  cells cost the reader nothing however often they repeat; a cell with a value repeated, or
  placed far out, counts at its full extent.
- .xls is a compound file (olefile) holding a BIFF record stream: each sheet's records are walked
  from where the workbook's sheet list says it starts (as the reader does), and the furthest row
  and column of any cell record measured.
- .xlsb (binary Excel) is refused with how to save the file as .xlsx: there is no measure of it
  here, and no way to make one in the tests.
"""

from __future__ import annotations

import io
import struct
import zipfile
from xml.parsers import expat

from generator.core.problems import Problem
from generator.core.rules import rule

MIB = 1 << 20
RATIO_FLOOR = 1 * MIB
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


class _Refused(Exception):
    """Carries the rule and parameters of a refusal; turned into FormatRefused below."""

    def __init__(self, rule_id: str, **params):
        super().__init__(rule_id)
        self.rule_id, self.params = rule_id, params


def _too_large(th: str, en: str | None = None) -> _Refused:
    return _Refused("F_TOO_LARGE", detail=th, detail_en=en or th)


def _damaged(th: str, en: str) -> _Refused:
    return _Refused("F_CORRUPT", detail=th, detail_en=en)


class FormatRefused(Exception):
    """An .ods, .xls or .xlsb that is refused; carries the problem (reading turns it into its
    FileRejected, so that this module does not import reading)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


def check_other_format(data: bytes, limits, name: str, opened: zipfile.ZipFile | None = None) -> list[Problem] | None:
    """For a file that is not .xlsx: the warnings of an .ods or .xls that may be read (after
    measuring it), or None when the bytes are neither. Raises FormatRefused otherwise."""
    try:
        found = None
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            found = _check_xls(data, limits)
        elif data.startswith(b"PK"):
            zf = opened or zipfile.ZipFile(io.BytesIO(data))  # ``opened``: the same bytes, already open
            names = {i.filename.lower() for i in zf.infolist()}
            if "xl/workbook.bin" in names:
                raise _Refused("F_SAVE_AS_XLSX", format="Excel Binary (.xlsb)")
            if "content.xml" in names and "xl/workbook.xml" not in names:
                found = _check_ods(zf, limits)
        return None if found is None else [rule(r).problem(file=name) for r in found]
    except _Refused as exc:
        raise FormatRefused(rule(exc.rule_id).problem(file=name, **exc.params)) from None
    except Exception as exc:  # olefile and zipfile report damage in many types
        raise FormatRefused(rule("F_CORRUPT").problem(file=name, detail=type(exc).__name__)) from None


# --- OpenDocument ---------------------------------------------------------------------------------

def _check_ods(zf: zipfile.ZipFile, limits) -> list[str]:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise _too_large(f"{len(infos)} entries")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _damaged("มีส่วนประกอบชื่อซ้ำกัน", "two entries have the same name")
    total = sum(i.file_size for i in infos)
    if total > limits.max_unpacked_bytes:
        raise _too_large(f"{total:,} bytes unpacked")
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > limits.max_ratio * max(i.compress_size, 1):
            raise _too_large(f"{i.filename} compressed {i.file_size // max(i.compress_size, 1)}:1")
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged(f"วิธีบีบอัดที่ไม่รู้จัก ({i.compress_type})", f"an unknown compression method ({i.compress_type})")
    lowered = {n.lower(): n for n in names}
    manifest = lowered.get("meta-inf/manifest.xml")
    if manifest is not None and b"encryption-data" in zf.read(manifest):
        raise _Refused("F_ENCRYPTED")
    for info in infos:
        if info.filename.lower().endswith(".xml") and info.filename != lowered["content.xml"]:
            _parse(zf, info, _refusing_parser(info.filename))
    _measure_ods(zf, zf.getinfo(lowered["content.xml"]), limits)
    return ["F_MACROS"] if any(n.startswith(("basic/", "scripts/")) for n in lowered) else []


def _refusing_parser(entry: str):
    """expat with DTDs refused: no entity is declared, so none can be expanded or fetched."""
    p = expat.ParserCreate()
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_):
        raise _damaged(f"{entry}: มี DTD ซึ่งโปรแกรมตารางคำนวณไม่เคยเขียน",
                       f"{entry}: contains a DTD (document type declaration), which spreadsheets never write")

    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.ExternalEntityRefHandler = refuse
    return p


def _parse(zf: zipfile.ZipFile, info: zipfile.ZipInfo, parser) -> None:
    try:
        with zf.open(info) as f:
            first = True
            while chunk := f.read(1 << 16):
                if first and (chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or chunk[:2] in (b"<\x00", b"\x00<")):
                    raise _damaged(f"{info.filename}: XML ที่ไม่ใช่ UTF-8", f"{info.filename}: XML that is not UTF-8")
                first = False
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _damaged(f"{info.filename}: XML เสีย ({expat.ErrorString(exc.code)})",
                       f"{info.filename}: broken XML ({expat.ErrorString(exc.code)})") from None


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _repeat(attrs: dict, which: str) -> int:
    for key, value in attrs.items():
        if _local(key) == which:
            text = value.strip()
            if not (text.isascii() and text.isdigit()):
                raise _damaged(f"content.xml: จำนวนซ้ำ '{text[:20]}' ไม่ถูกต้อง", f"content.xml: repeat count '{text[:20]}' is not valid")
            return int(text) if len(text) <= 10 else 10 ** 10
    return 1


def _measure_ods(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits) -> None:
    """Each sheet's grid as the reader allocates it: from A1 to the furthest cell with a value."""
    state = {"cells": 0, "row": 0, "rows_rep": 1, "col": 0, "max_row": 0, "max_col": 0, "depth": 0,
             "cell": None}

    def close_sheet():
        state["cells"] += state["max_row"] * state["max_col"]
        state.update(row=0, col=0, max_row=0, max_col=0)

    def check():
        if state["max_row"] > limits.max_rows:
            raise _too_large(f"ชีตมีเกิน {limits.max_rows:,} แถว: พบแถวที่ {state['max_row']:,}",
                             f"a sheet has more than {limits.max_rows:,} rows: row {state['max_row']:,} found")
        if state["max_col"] > limits.max_cols:
            raise _too_large(f"ชีตมีเกิน {limits.max_cols:,} คอลัมน์: พบคอลัมน์ที่ {state['max_col']:,}",
                             f"a sheet has more than {limits.max_cols:,} columns: column {state['max_col']:,} found")
        if state["cells"] + state["max_row"] * state["max_col"] > limits.max_cells:
            raise _too_large(f"{state['cells'] + state['max_row'] * state['max_col']:,} cells")

    def filled(extent_cols: int):
        state["max_row"] = max(state["max_row"], state["row"] + state["rows_rep"] - 1)
        state["max_col"] = max(state["max_col"], extent_cols)
        check()

    def start(tag, attrs):
        cell = state["cell"]
        if cell is not None:  # inside a cell: any content (a paragraph, a value) makes it a value
            cell["content"] = True
            cell["depth"] += 1
            return
        local = _local(tag)
        if local == "table":
            close_sheet()
        elif local == "table-row":
            state["rows_rep"] = _repeat(attrs, "number-rows-repeated")
            state["row"] += 1
            state["col"] = 0
        elif local in ("table-cell", "covered-table-cell"):
            state["col"] += _repeat(attrs, "number-columns-repeated")
            has_value = any(_local(k) in ("value-type", "value", "formula", "string-value") for k in attrs)
            state["cell"] = {"last": state["col"], "content": has_value, "depth": 0}

    def end(tag):
        cell = state["cell"]
        if cell is not None:
            if cell["depth"]:
                cell["depth"] -= 1
                return
            if cell["content"]:
                filled(cell["last"])
            state["cell"] = None
        elif _local(tag) == "table-row":
            state["row"] += state["rows_rep"] - 1
            state["rows_rep"] = 1

    parser = _refusing_parser(info.filename)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    _parse(zf, info, parser)
    close_sheet()
    check()


# --- old Excel (BIFF in a compound file) ------------------------------------------------------------

_CELL_RECORDS = {0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6, 0x0406, 0x0002, 0x0003,
                 0x0004, 0x0005, 0x0007, 0x0206}
_MULTI_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, ..., last column
BOF, EOF, BOUNDSHEET, FILEPASS = 0x0809, 0x000A, 0x0085, 0x002F


def _check_xls(data: bytes, limits) -> list[str]:
    import olefile

    if "EncryptedPackage".encode("utf-16-le") in data:
        raise _Refused("F_ENCRYPTED")
    ole = olefile.OleFileIO(io.BytesIO(data))
    try:
        streams = {"/".join(e).lower(): e for e in ole.listdir(streams=True, storages=True)}
        entry = streams.get("workbook") or streams.get("book")
        if entry is None:
            raise _Refused("F_OLD_XLS")
        size = ole.get_size(entry)
        if size > limits.max_unpacked_bytes:
            raise _too_large(f"{size:,} bytes")
        stream = ole.openstream(entry).read()
        macros = any(name.startswith(("_vba_project_cur", "macros")) for name in streams)
    finally:
        ole.close()
    sheets = _xls_sheet_offsets(stream)
    cells = 0
    for offset in sheets:
        cells += _measure_xls_sheet(stream, offset, limits, cells)
    return ["F_MACROS"] if macros else []


def _records(stream: bytes, offset: int):
    n = len(stream)
    while offset + 4 <= n:
        kind, length = struct.unpack_from("<HH", stream, offset)
        body = stream[offset + 4:offset + 4 + length]
        yield kind, body
        offset += 4 + length


def _xls_sheet_offsets(stream: bytes) -> list[int]:
    offsets = []
    for kind, body in _records(stream, 0):
        if kind == FILEPASS:
            raise _Refused("F_ENCRYPTED")
        if kind == BOUNDSHEET and len(body) >= 4:
            offsets.append(struct.unpack_from("<I", body)[0])
        elif kind == EOF:
            break
    return offsets


def _measure_xls_sheet(stream: bytes, offset: int, limits, cells_before: int) -> int:
    max_row = max_col = 0
    for i, (kind, body) in enumerate(_records(stream, offset)):
        if kind == EOF:
            break
        if i and kind == BOF:  # a chart inside the sheet has its own substream; it holds no cells
            continue
        if kind in _CELL_RECORDS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            last = col
        elif kind in _MULTI_RECORDS and len(body) >= 6:
            row, col = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, len(body) - 2)[0]
        else:
            continue
        max_row, max_col = max(max_row, row + 1), max(max_col, last + 1)
        if max_row > limits.max_rows:
            raise _too_large(f"ชีตมีเกิน {limits.max_rows:,} แถว: พบแถวที่ {max_row:,}",
                             f"a sheet has more than {limits.max_rows:,} rows: row {max_row:,} found")
        if max_col > limits.max_cols:
            raise _too_large(f"ชีตมีเกิน {limits.max_cols:,} คอลัมน์: พบคอลัมน์ที่ {max_col:,}",
                             f"a sheet has more than {limits.max_cols:,} columns: column {max_col:,} found")
        if cells_before + max_row * max_col > limits.max_cells:
            raise _too_large(f"{cells_before + max_row * max_col:,} cells")
    return max_row * max_col
