"""A corpus of broken returned files, generated (never hand-made binaries).

`make_corpus(folder, valid)` writes one file per kind of breakage, starting from a valid filled
workbook of one district, and returns {kind: Case}: the file, the rule it must be reported
under, and the cell when the problem has one. `same_district_twice` writes the two files of a
district that sent its return twice.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from generator.outputs.district_template import HEADER_ROW
from generator.core.schema import GROUPS, META_SHEET

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10))
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)
SHEET_XML_HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_XML_TAIL = b"</sheetData></worksheet>"
MILLION = 1_000_000
TEN_THOUSAND = 10_000


@dataclass(frozen=True)
class Case:
    path: Path
    rule_id: str
    cell: str | None = None
    accepted: bool = False  # the file is still accepted (the problem is a warning)


def groups_cell(key: str, row_index: int) -> str:
    return f"{get_column_letter(GROUPS.keys.index(key) + 1)}{HEADER_ROW + 1 + row_index}"


def _rewrite(valid: Path, target: Path, change) -> Path:
    """Copy a workbook's zip entry by entry, letting `change(name, data)` alter or add entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(valid) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info.filename))
            if data is not None:
                dst.writestr(info.filename, data)
        extra = change(None, None)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    target.write_bytes(out.getvalue())
    return target


def _first_sheet_name(valid: Path) -> str:
    """The zip entry of the groups sheet (the second worksheet; the first is the instructions)."""
    with zipfile.ZipFile(valid) as z:
        return sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))[1]


def _streamed_sheet(valid: Path, target: Path, rows) -> Path:
    """The valid workbook with its groups sheet replaced by XML written piece by piece."""
    sheet = _first_sheet_name(valid)
    with zipfile.ZipFile(valid) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != sheet:
                dst.writestr(info.filename, src.read(info.filename))
                continue
            with dst.open(sheet, "w") as f:
                f.write(SHEET_XML_HEAD)
                for part in rows():
                    f.write(part)
                f.write(SHEET_XML_TAIL)
    return target


def million_rows(valid: Path, target: Path) -> Path:
    """A real sheet of a million filled rows (40 MB of XML, 5 MB packed), not one far-off cell."""
    def rows():
        for start in range(1, MILLION + 1, 50_000):
            yield b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r)
                           for r in range(start, min(start + 50_000, MILLION + 1)))
    return _streamed_sheet(valid, target, rows)


def ten_thousand_columns(valid: Path, target: Path) -> Path:
    """A header row ten thousand cells wide."""
    def rows():
        yield b'<row r="1">' + b"".join(b'<c r="%s1"><v>%d</v></c>' % (get_column_letter(j).encode(), j)
                                        for j in range(1, TEN_THOUSAND + 1)) + b"</row>"
    return _streamed_sheet(valid, target, rows)


def macro_workbook(valid: Path, target: Path) -> Path:
    """A .xlsm as Excel saves it: macro-enabled content type, a VBA project and its relationship."""
    def change(name, data):
        if name is None:
            return {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024}
        if name == "[Content_Types].xml":
            data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            return data.replace(b"</Types>", b'<Default Extension="bin" '
                                b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft.'
                                b'com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
        return data
    return _rewrite(valid, target, change)


def _edited(valid: Path, target: Path, meta: dict | None = None, cells: dict | None = None,
            header: dict | None = None) -> Path:
    """The valid workbook opened and saved again with openpyxl, as a district would edit it."""
    wb = load_workbook(valid)
    if meta:
        for row in wb[META_SHEET].iter_rows(min_row=2):
            if row[0].value in meta:
                row[1].value = meta[row[0].value]
    ws = wb[GROUPS.sheet_th]
    for (key, i), value in (cells or {}).items():
        ws[groups_cell(key, i)] = value
    for key, text in (header or {}).items():
        ws.cell(row=HEADER_ROW, column=GROUPS.keys.index(key) + 1).value = text
    wb.save(target)
    return target


def make_corpus(folder: Path, valid: Path) -> dict[str, Case]:
    folder.mkdir(parents=True, exist_ok=True)
    data = valid.read_bytes()
    corpus: dict[str, Case] = {}

    def put(kind, name, content, rule_id):
        path = folder / name
        path.write_bytes(content)
        corpus[kind] = Case(path, rule_id)

    put("empty", "empty.xlsx", b"", "F_EMPTY")
    put("csv", "table.xlsx", "ชื่อกลุ่ม,สมาชิก\nกลุ่มบ้านโนน,45\n".encode("utf-8"), "F_NOT_XLSX")
    put("text", "readme.xlsx", b"hello, this is not a workbook", "F_NOT_XLSX")
    put("truncated", "truncated.xlsx", data[: len(data) // 3], "F_CORRUPT")
    ole = bytes.fromhex("d0cf11e0a1b11ae1")
    put("xls", "old.xls", ole + b"\x00" * 4000, "F_CORRUPT")  # an .xls is read now: this one is damaged
    put("encrypted", "locked.xlsx", ole + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512,
        "F_ENCRYPTED")
    # A zip bomb: one entry of 300 MB of zeros, a few hundred kilobytes packed.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            chunk = b"\x00" * (1 << 20)
            for _ in range(300):
                f.write(chunk)
    put("zip_bomb", "bomb.xlsx", bomb.getvalue(), "F_TOO_LARGE")
    sheet = _first_sheet_name(valid)
    corpus["entity_bomb"] = Case(_rewrite(valid, folder / "laughs.xlsx",
                                          lambda n, d: (BILLION_LAUGHS.encode() if n == sheet else d) if n else None),
                                 "F_CORRUPT")

    def far_cell(n, d):
        if n == sheet:
            return (SHEET_XML_HEAD + b'<row r="1"><c r="A1"><v>1</v></c></row>'
                    b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + SHEET_XML_TAIL)
        return d if n else None

    corpus["far_cell"] = Case(_rewrite(valid, folder / "huge.xlsx", far_cell), "F_TOO_LARGE")
    corpus["million_rows"] = Case(million_rows(valid, folder / "million_rows.xlsx"), "F_TOO_LARGE")
    corpus["ten_thousand_columns"] = Case(ten_thousand_columns(valid, folder / "wide.xlsx"), "F_TOO_LARGE")
    corpus["macros"] = Case(macro_workbook(valid, folder / "macro.xlsm"), "F_MACROS", accepted=True)
    corpus["damaged_entry"] = Case(damaged_sheet_entry(valid, folder / "garbled.xlsx"), "F_CORRUPT")
    # Workbooks that are whole, but not this month's return of a district of this province.
    corpus["other_province"] = Case(_edited(valid, folder / "other_province.xlsx", meta={"province_code": "57"}),
                                    "F_OTHER_PROVINCE")
    corpus["other_district"] = Case(_edited(valid, folder / "other_district.xlsx", meta={"district_code": "3699"}),
                                    "F_UNKNOWN_DISTRICT")
    corpus["other_period"] = Case(_edited(valid, folder / "last_month.xlsx", meta={"period": "2023-07"}),
                                  "F_OTHER_PERIOD")
    corpus["old_template"] = Case(_edited(valid, folder / "old_template.xlsx", meta={"template_version": "0"}),
                                  "F_TEMPLATE_VERSION")
    corpus["not_ours"] = Case(_not_ours(folder / "own_table.xlsx"), "F_NOT_OURS")
    corpus["deleted_column"] = Case(_edited(valid, folder / "no_members.xlsx", header={"members": "อื่น ๆ"}),
                                    "F_MISSING_COLUMN")
    # Whole workbooks with wrong values: the message names the cell.
    corpus["percent_in_count"] = Case(_edited(valid, folder / "percent.xlsx", cells={("borrowers", 0): "35%"}),
                                      "VALUE_PERCENT", groups_cell("borrowers", 0))
    corpus["text_in_number"] = Case(_edited(valid, folder / "words.xlsx", cells={("members", 1): "ประมาณห้าสิบ"}),
                                    "VALUE_NOT_NUMBER", groups_cell("members", 1))
    corpus["impossible_date"] = Case(_edited(valid, folder / "date.xlsx", cells={("founded_on", 2): "31/2/2566"}),
                                     "VALUE_NOT_DATE", groups_cell("founded_on", 2))
    corpus["founded_1970"] = Case(_edited(valid, folder / "founded_1970.xlsx",
                                          cells={("founded_on", 3): date(1970, 5, 1)}),
                                  "G_FOUNDED_BEFORE_1974", groups_cell("founded_on", 3))
    return corpus


def _not_ours(target: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["ชื่อกลุ่ม", "จำนวนสมาชิก"])
    wb.active.append(["กลุ่มบ้านโนน", 45])
    wb.save(target)
    return target


def damaged_sheet_entry(valid: Path, target: Path) -> Path:
    """The zip directory is whole, but the compressed bytes of the groups sheet are garbled."""
    data = bytearray(valid.read_bytes())
    with zipfile.ZipFile(valid) as z:
        info = z.getinfo(_first_sheet_name(valid))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 10, start + min(info.compress_size, 400)):
        data[k] ^= 0x5A
    target.write_bytes(bytes(data))
    return target


def same_district_twice(first: Path, second: Path, first_at: float = 1_692_000_000,
                        second_at: float = 1_692_100_000) -> tuple[Path, Path]:
    """Two returns of one district, the second received later (file modification time)."""
    os.utime(first, (first_at, first_at))
    os.utime(second, (second_at, second_at))
    return first, second
