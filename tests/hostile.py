"""Hostile workbooks, made from a valid one (never hand-made binaries), and a memory-limited reader.

Some of these files made the reader allocate hundreds of gigabytes and abort the whole process, so
they are always read in a child process with an address-space limit (`read_in_child`): a crash
there fails one test instead of taking the test run (or the machine) down with it.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

SHEET_NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
GROUPS_SHEET = "xl/worksheets/sheet2.xml"  # the groups sheet of a district workbook (second tab)
ROOT = Path(__file__).resolve().parent.parent


def rewrite(valid: Path, target: Path, change=None, extra: dict[str, bytes] | None = None,
            drop: tuple[str, ...] = ()) -> Path:
    """Copy a workbook entry by entry; `change(name, data)` may return new bytes for an entry."""
    out = io.BytesIO()
    with zipfile.ZipFile(valid) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            data = src.read(info.filename)
            if change is not None:
                data = change(info.filename, data)
            dst.writestr(info.filename, data)
        with warnings.catch_warnings():  # a duplicate entry name is sometimes the point
            warnings.simplefilter("ignore", UserWarning)
            for name, data in (extra or {}).items():
                dst.writestr(name, data)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(out.getvalue())
    return target


def with_sheet(valid: Path, target: Path, sheet_xml: bytes, entry: str = GROUPS_SHEET) -> Path:
    return rewrite(valid, target, lambda n, d: sheet_xml if n == entry else d)


def sheet(body: bytes, head: bytes = b"") -> bytes:
    return SHEET_NS + head + b"<sheetData>" + body + b"</sheetData></worksheet>"


FAR = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


def with_doctype(data: bytes, doctype: bytes) -> bytes:
    """Put a DOCTYPE after the XML declaration (or at the start) of an XML part."""
    if data.startswith(b"<?xml"):
        end = data.index(b"?>") + 2
        return data[:end] + doctype + data[end:]
    return doctype + data


BILLION_LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%s;" % (b"" if i == 1 else str(i - 1).encode())) * 10)
                             for i in range(1, 10))
                  + b"]>")
EXTERNAL_ENTITY = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def dense_sheet(rows: int, cols: int, with_refs: bool = True) -> bytes:
    """A sheet of rows × cols numbers (streamed into a bytes object; tens of megabytes at most)."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(j + 1).encode() for j in range(cols)]
    parts = []
    for i in range(1, rows + 1):
        if with_refs:
            cells = b"".join(b'<c r="%s%d"><v>%d</v></c>' % (letters[j], i, i * 7 + j) for j in range(cols))
            parts.append(b'<row r="%d">%s</row>' % (i, cells))
        else:
            parts.append(b"<row>" + b"".join(b"<c><v>%d</v></c>" % (i * 7 + j) for j in range(cols)) + b"</row>")
    return sheet(b"".join(parts))


def zip_bomb(target: Path, megabytes: int = 300) -> Path:
    """One sheet entry of zeros, a few hundred kilobytes packed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open(GROUPS_SHEET, "w") as f:
            chunk = b"\x00" * (1 << 20)
            for _ in range(megabytes):
                f.write(chunk)
    target.write_bytes(out.getvalue())
    return target


def lying_directory(valid: Path, target: Path, entry: str, claimed_size: int) -> Path:
    """The zip directory claims `claimed_size` unpacked bytes for `entry`, and its packed bytes are
    replaced by garbage that cannot be decompressed: only a reader that trusts the directory
    before expanding anything can say 'too large' rather than 'damaged'."""
    rewrite(valid, target)
    data = bytearray(target.read_bytes())
    with zipfile.ZipFile(target) as z:
        info = z.getinfo(entry)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start, start + info.compress_size):
        data[k] = 0xFF
    struct.pack_into("<I", data, info.header_offset + 22, claimed_size)
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + n]) == entry.encode():
            struct.pack_into("<I", data, pos + 24, claimed_size)
        pos += 4
    target.write_bytes(bytes(data))
    return target


_CHILD = r"""
import json, resource, sys, time
limit = int(sys.argv[1]) << 20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from generator.intake.submission import read_submission
from generator.core.periods import Period
from generator.intake.limits import Limits
from generator.intake.setup_workbook import load_setup
setup = load_setup(Path(sys.argv[3]))
period = Period.parse(sys.argv[4])
limits = Limits(**json.loads(sys.argv[5]))
def status_kib(field):
    # VmHWM, unlike ru_maxrss, starts afresh at exec: the parent's size does not leak in.
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))
out = []
for name in sys.argv[6:]:
    # peak after, less resident before: an upper bound on what reading this file added
    base = status_kib("VmRSS")
    t = time.perf_counter()
    sub = read_submission(Path(name), setup, period, limits)
    out.append({"file": Path(name).name, "rules": [p.rule_id for p in sub.problems],
                "details": [p.message_en for p in sub.problems],
                "rows": len(sub.table.rows) if sub.table else None,
                "seconds": time.perf_counter() - t,
                "peak_mib": max(0, status_kib("VmHWM") - base) / 1024})
print(json.dumps(out))
"""


def read_in_child(paths: list[Path], setup_path: Path, period, limits: dict | None = None,
                  memory_mib: int = 1536, timeout: int = 120) -> list[dict]:
    """Read returned files in a child process with an address-space limit; one dict per file:
    the rule ids reported, rows of the groups table, and an upper bound of the memory reading it
    added (MiB): peak resident size after it, less the resident size before it (Linux)."""
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(memory_mib), str(ROOT), str(setup_path), period.key,
         json.dumps(limits or {}), *map(str, paths)],
        capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"the reader crashed (exit {proc.returncode}): {proc.stderr[-1500:]}"
    return json.loads(proc.stdout)


SST_NS = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SST_REL = (b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           b'sharedStrings" Target="sharedStrings.xml"/>')
SST_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'spreadsheetml.sharedStrings+xml"/>')


def string_cells(rows: int, cols: int, value: bytes, kind: str = "s") -> bytes:
    """A sheet of rows × cols cells of one text: a shared-string reference (`value` is the index),
    an inline string (`value` is the text) or a formula's cached text result ("str")."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(j + 1).encode() for j in range(cols)]
    if kind == "s":
        cell = b'<c r="%s%d" t="s"><v>' + value + b'</v></c>'
    elif kind == "inlineStr":
        cell = b'<c r="%s%d" t="inlineStr"><is><t>' + value + b'</t></is></c>'
    else:
        cell = b'<c r="%s%d" t="str"><f>"x"</f><v>' + value + b'</v></c>'
    return sheet(b"".join(b'<row r="%d">%s</row>' % (i, b"".join(cell % (letters[j], i) for j in range(cols)))
                          for i in range(1, rows + 1)))


def with_shared_strings(valid: Path, target: Path, strings: list[bytes], sheet_xml: bytes | None = None,
                        entry: str = GROUPS_SHEET) -> Path:
    """A workbook with its own shared-string table (openpyxl writes none), registered as Excel does."""
    sst = SST_NS + b' count="%d" uniqueCount="%d">' % (len(strings), len(strings)) + b"".join(
        b"<si><t>" + s + b"</t></si>" for s in strings) + b"</sst>"

    def change(name, data):
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", SST_REL + b"</Relationships>")
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", SST_TYPE + b"</Types>")
        if name == entry and sheet_xml is not None:
            return sheet_xml
        return data

    return rewrite(valid, target, change, extra={"xl/sharedStrings.xml": sst})
