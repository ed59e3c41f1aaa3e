"""A corpus of broken returned files, generated (never hand-made binaries).

`make_corpus(folder, valid)` writes one file per kind of breakage, starting from a valid filled
workbook, and returns {kind: (path, expected rule id)}.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10))
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


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
    with zipfile.ZipFile(valid) as z:
        return sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))[1]


def make_corpus(folder: Path, valid: Path) -> dict[str, tuple[Path, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    data = valid.read_bytes()
    corpus = {}

    def put(kind, name, content, rule_id):
        path = folder / name
        path.write_bytes(content)
        corpus[kind] = (path, rule_id)

    put("empty", "empty.xlsx", b"", "F_EMPTY")
    put("csv", "table.xlsx", "ชื่อกลุ่ม,สมาชิก\nกลุ่มบ้านโนน,45\n".encode("utf-8"), "F_NOT_XLSX")
    put("text", "readme.xlsx", b"hello, this is not a workbook", "F_NOT_XLSX")
    put("truncated", "truncated.xlsx", data[: len(data) // 3], "F_CORRUPT")
    ole = bytes.fromhex("d0cf11e0a1b11ae1")
    put("xls", "old.xls", ole + b"\x00" * 4000, "F_OLD_XLS")
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
    corpus["entity_bomb"] = (_rewrite(valid, folder / "laughs.xlsx",
                                      lambda n, d: (BILLION_LAUGHS.encode() if n == sheet else d) if n else None),
                             "F_CORRUPT")

    def huge(n, d):
        if n == sheet:
            return (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
                    b'</sheetData></worksheet>')
        return d if n else None

    corpus["million_rows"] = (_rewrite(valid, folder / "huge.xlsx", huge), "F_TOO_LARGE")

    def macros(n, d):
        if n is None:
            return {"xl/vbaProject.bin": b"\x00" * 64}
        return d

    corpus["macros"] = (_rewrite(valid, folder / "macro.xlsm", macros), "F_MACROS")
    corpus["damaged_entry"] = (damaged_sheet_entry(valid, folder / "garbled.xlsx"), "F_CORRUPT")
    return corpus


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
