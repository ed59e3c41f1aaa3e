"""The container measured before any reader sees it: the zip's directory (entries, sizes,
ratios, encryption), every XML part's declaration and DTD, the shared strings' and each sheet's
cells streamed and counted, so that python-calamine is never handed a workbook that would make it
allocate without bound, and odd cells (errors, formulas without a value) are known by place."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from array import array
from pathlib import Path
from xml.parsers import expat

from generator.intake.formats import FormatRefused, check_other_format
from generator.core.problems import Problem
from generator.core.rules import rule
from generator.core.values import OddCell
from generator.intake import formulas, plain_sheet
from generator.intake.formulas import column_index
from generator.intake.plain_sheet import odd_cell as _odd

from generator.intake.limits import (DEFAULT_LIMITS, EXCEL_MAX_COLS, EXCEL_MAX_ROWS, MIB, FileRejected, Limits, _damaged,
                                     _reject)
from generator.intake.snapshot import read_limited

RATIO_FLOOR = 1 * MIB  # small parts compress well and are harmless whatever their ratio
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_XML_DECL = re.compile(rb"<\?xml\b[^>]*?(?:\bencoding\s*=\s*[\"']([^\"']*)[\"'][^>]*)?\?>", re.S)
_ENCRYPTED_FLAG = 0x41  # general-purpose bits 0 (encrypted) and 6 (strong encryption) of a zip entry
_NOT_XLSX_PARTS = ("content.xml", "xl/workbook.bin")  # an OpenDocument or binary workbook inside


def check_container(path: Path | bytes, limits: Limits = DEFAULT_LIMITS, name: str | None = None) -> list[Problem]:
    """Refuse what is not a safe .xlsx before any XML is parsed; returns warnings (macros,
    external links)."""
    if isinstance(path, (bytes, bytearray)):
        data, name = bytes(path), name or "?"
    else:
        data, name = read_limited(Path(path), limits), name or Path(path).name
    return inspect_container(data, limits, name)[0]


def inspect_container(data: bytes, limits: Limits = DEFAULT_LIMITS,
                      name: str = "?") -> tuple[list[Problem], dict[str, dict[tuple[int, int], OddCell]]]:
    """check_container's checks on a file's bytes; also the cells the reader would show as empty
    although they are not, by sheet name and (row, column)."""
    zf = None
    if data.startswith(b"PK"):  # opened once, for the format's check and the archive's
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except Exception as exc:  # as check_other_format says of a zip it cannot open
            raise _reject("F_CORRUPT", name, detail=type(exc).__name__) from None
    try:  # .ods and .xls, measured in generator.intake.formats
        other = check_other_format(data, limits, name, zf)
    except FormatRefused as exc:
        raise FileRejected(exc.problem) from None
    if other is not None:
        return other, {}
    if data[:8] == OLE_MAGIC:
        # An encrypted .xlsx is an OLE file holding an 'EncryptedPackage' stream; otherwise .xls.
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise _reject("F_ENCRYPTED", name)
        raise _reject("F_OLD_XLS", name)
    if not data.startswith(b"PK"):
        raise _reject("F_NOT_XLSX", name)
    try:
        with zf:
            return _check_archive(zf, name, limits)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError,
            LookupError) as exc:
        # A damaged directory, or a damaged entry found while scanning (zipfile raises RuntimeError
        # for an entry it takes as encrypted, and expat LookupError for an encoding Python lacks;
        # both are refused by name before this, so reaching here means damage of another kind).
        raise _reject("F_CORRUPT", name, detail=type(exc).__name__) from None


def _check_archive(zf: zipfile.ZipFile, name: str, limits: Limits) -> tuple[list[Problem], dict]:
    """The zip directory first (nothing expanded), then each entry streamed once; returns warnings."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise _reject("F_TOO_LARGE", name, detail=f"{len(infos)} entries")
    names = [i.filename for i in infos]
    if len({n.lower() for n in names}) != len(names):  # the reader finds some parts in any case
        # Readers disagree on which of two same-named entries counts: what is checked must be what is read.
        raise _damaged(name, "มีส่วนประกอบชื่อซ้ำกัน", "two entries have the same name")
    total = sum(i.file_size for i in infos)
    if total > limits.max_unpacked_bytes:
        raise _reject("F_TOO_LARGE", name, detail=f"{total:,} bytes unpacked")
    for i in infos:
        if i.flag_bits & _ENCRYPTED_FLAG:
            # One entry flagged, or the whole workbook zipped with a (ZipCrypto or AES) password:
            # to the district this is the same as Excel's "Encrypt with password".
            raise _reject("F_ENCRYPTED", name)
        if i.file_size > RATIO_FLOOR and i.file_size > limits.max_ratio * max(i.compress_size, 1):
            raise _reject("F_TOO_LARGE", name,
                          detail=f"{i.filename} compressed {i.file_size // max(i.compress_size, 1)}:1")
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged(name, f"วิธีบีบอัดที่ Excel ไม่ใช้ ({i.compress_type})",
                           f"a compression method Excel does not use ({i.compress_type})")
    lowered = {n.lower() for n in names}
    if "xl/workbook.xml" not in names or any(p in lowered for p in _NOT_XLSX_PARTS):
        raise _reject("F_NOT_XLSX", name)
    # The shared strings first: a sheet's cells are measured by the text they expand to.
    shared = [i for i in infos if i.filename.lower() == SHARED_STRINGS]
    budget = TextBudget(limits, name)
    for info in shared:
        _stream_checks(zf, info, name)
        budget.shared = _measure_shared_strings(zf, info, name, budget)
    cells = 0
    external = False
    odd: dict[str, dict] = {}
    for info in infos:
        if info in shared:
            continue
        kept: list[bytes] | None = [] if info.file_size <= plain_sheet.PLAIN_MAX_BYTES else None
        if _stream_checks(zf, info, name, kept):
            odd[info.filename] = {}
            cells += _measure_sheet(zf, info, name, limits, cells, budget, odd[info.filename],
                                    b"".join(kept) if kept is not None else None)
        if info.filename.lower().endswith(".rels"):
            external |= _has_external_relation(zf, info, name)
    warnings = []
    if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lowered):
        warnings.append(rule("F_MACROS").problem(file=name))
    if external or any(n.startswith("xl/externallinks/") or n == "xl/connections.xml" for n in lowered):
        warnings.append(rule("F_EXTERNAL_LINKS").problem(file=name))
    odd = {entry: cells for entry, cells in odd.items() if cells}
    return warnings, (_by_sheet_name(zf, odd, name) if odd else {})


def _by_sheet_name(zf: zipfile.ZipFile, by_entry: dict[str, dict], name: str) -> dict[str, dict]:
    """Sheet entries to the sheet names the workbook gives them (workbook.xml and its relationships)."""
    ids: dict[str, str] = {}
    targets: dict[str, str] = {}

    def sheets(tag, attrs):
        if tag.rpartition(":")[2] == "sheet":
            rid = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id" and k != "sheetId"), None)
            if rid is not None:
                ids[rid] = attrs.get("name", "")

    def rels(tag, attrs):
        if tag.rpartition(":")[2] == "Relationship":
            target = attrs.get("Target", "")
            targets[attrs.get("Id", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"

    for entry, handler in (("xl/workbook.xml", sheets), ("xl/_rels/workbook.xml.rels", rels)):
        try:
            info = zf.getinfo(entry)
        except KeyError:
            return {}
        parser = _parser(name, entry)
        parser.StartElementHandler = handler
        _parse(zf, info, parser, name)
    return {ids[rid]: by_entry[target] for rid, target in targets.items() if rid in ids and target in by_entry}


def _encoding_refused(name: str, entry: str, encoding: str) -> FileRejected:
    return _reject("F_XML_ENCODING", name, part=entry, encoding=encoding[:40] or "?")


def _declared_encoding(head: bytes) -> str | None:
    """The encoding an XML part declares or its bytes show, when that is not UTF-8; None for UTF-8
    and for a part that is not XML (a picture)."""
    if head[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        return "UTF-32"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"):
        return "UTF-16"
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    m = _XML_DECL.match(head)
    if m is None:
        return None
    encoding = m[1].decode("ascii", "replace") if m[1] is not None else "utf-8"
    # Exactly "UTF-8" in any case: expat knows no other spelling (it refuses "UTF8"), nor does Excel write one.
    return None if encoding.lower() == "utf-8" else encoding.strip()


def _stream_checks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, kept: list | None = None) -> bool:
    """Stream one entry: refuse a DTD, or XML that is not UTF-8 (by its declaration, whatever
    encoding it names, or by its bytes); return whether it holds cells. ``kept``: a list the
    entry's bytes are put into as they pass, for a part small enough to measure whole."""
    holds_cells = False
    tail = b""
    first = True
    decoder = None
    with zf.open(info) as f:
        while chunk := f.read(MIB):
            if first:
                first = False
                declared = _declared_encoding(chunk[:512])
                if declared is not None:
                    raise _encoding_refused(name, info.filename, declared)
                if chunk.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<":  # XML, not a picture
                    if len(chunk) < MIB:  # the whole part (read() stops short only at its end)
                        try:
                            chunk.decode("utf-8")
                        except UnicodeDecodeError:
                            raise _encoding_refused(name, info.filename, "?") from None
                    else:
                        decoder = codecs.getincrementaldecoder("utf-8")("strict")
            if decoder is not None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    raise _encoding_refused(name, info.filename, "?") from None
            data = tail + chunk
            if b"<!" in data and _DTD.search(data):
                raise _damaged(name, f"{info.filename}: มี DTD ซึ่ง Excel ไม่เคยเขียน",
                               f"{info.filename}: contains a DTD (document type declaration), which Excel never writes")
            holds_cells = holds_cells or b"sheetData" in data
            tail = data[-16:]
            if kept is not None:
                kept.append(chunk)
    if decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _encoding_refused(name, info.filename, "?") from None
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


SHARED_STRINGS = "xl/sharedstrings.xml"  # where the reader looks for them, in any case


class TextBudget:
    """The characters of text the reader will hold, counted as the XML streams past; refused as
    soon as they pass `Limits.max_text_chars`. A 30 KB file whose one 32,000-character shared
    string is referred to by 20,000 cells expands to 640 million characters (gigabytes in the
    reader) while its grid is small: the grid alone does not bound the memory."""

    def __init__(self, limits: Limits, name: str):
        self.limit, self.name, self.used = limits.max_text_chars, name, 0
        self.max_strings = limits.max_cells
        self.shared = array("L")  # length of each shared string, by index

    def add(self, chars: int, where: str) -> None:
        self.used += chars
        if self.used > self.limit:
            raise _reject("F_TOO_LARGE", self.name,
                          detail=f"{where}: ข้อความในเซลล์รวมเกิน {self.limit:,} ตัวอักษร",
                          detail_en=f"{where}: the cells' text adds up to more than {self.limit:,} characters")

    def shared_length(self, text: str) -> int:
        text = text.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) >= len(self.shared):
            return 0  # the reader refuses a reference to no string; nothing to hold
        return self.shared[int(text)]


def _measure_shared_strings(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: TextBudget) -> array:
    """Each shared string's length in characters (all its runs), counted into the budget: the
    reader holds the whole table, referred to or not."""
    lengths = array("L")
    depth_t = 0
    current = 0

    def start(tag, attrs):
        nonlocal depth_t, current
        local = tag.rpartition(":")[2]
        if local == "si":
            if len(lengths) >= budget.max_strings:
                raise _reject("F_TOO_LARGE", name, detail=f"{info.filename}: เกิน {budget.max_strings:,} ข้อความ",
                              detail_en=f"{info.filename}: more than {budget.max_strings:,} strings")
            current = 0
        elif local == "t":
            depth_t += 1

    def end(tag):
        nonlocal depth_t, current
        local = tag.rpartition(":")[2]
        if local == "si":
            lengths.append(min(current, 0xFFFFFFFF))
        elif local == "t":
            depth_t -= 1

    def data(text):
        nonlocal current
        if depth_t:
            current += len(text)
            budget.add(len(text), info.filename)

    parser = _parser(name, info.filename)
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
    _parse(zf, info, parser, name)
    return lengths


MAX_ODD_CELLS = 1_000  # per workbook: enough to name them all in any real file


def _measure_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits, cells_before: int,
                   budget: TextBudget | None = None, odd: dict | None = None, data: bytes | None = None) -> int:
    """The grid a sheet's cells span, as the reader will allocate it (rows × columns from A1),
    refused as soon as it passes a limit, and the text its cells hold, into the budget. A cell
    without a reference follows the previous one, and a row without one follows the previous
    row, as in the reader. ``data``: the part's bytes, when small enough to try the plain
    sheet's fast path (`plain_sheet`), which gives the same answer or none."""
    entry = info.filename
    budget = budget or TextBudget(limits, name)
    odd = {} if odd is None else odd  # (row, column), 1-based -> OddCell
    if data is not None:
        plain = plain_sheet.measure(data, limits, cells_before, budget, odd, MAX_ODD_CELLS)
        if plain is not None:
            grid, chars = plain
            budget.add(chars, entry)
            return grid
    return _measure_sheet_exactly(zf, info, name, limits, cells_before, budget, odd)


def _measure_sheet_exactly(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits,
                           cells_before: int, budget: TextBudget, odd: dict) -> int:
    """The measurement, one expat callback per element: any XML, refused as soon as a limit passes."""
    row = col = max_row = max_col = 0
    entry = info.filename
    columns: dict[str, int] = {}  # column letters seen -> index (a sheet has few distinct ones)
    cell_type = "n"
    capture = 0  # 1: the digits of a shared-string index; 2: text counted as it comes; 3: a value kept
    digits: list[str] = []
    formula = False
    here = [0, 0]  # the current cell's row and column, 1-based
    sums = formulas.RowSums(odd, MAX_ODD_CELLS)  # each row's simple formulas against their saved values

    def start(tag, attrs):
        nonlocal row, col, max_row, max_col, cell_type, capture, formula
        if tag != "c" and tag != "row":  # the common case first: cells, rows, values without prefix
            local = tag.rpartition(":")[2]
            if local == "v":
                capture = 1 if cell_type == "s" else 2 if cell_type == "str" else 3 if cell_type in ("n", "e") else 0
                digits.clear()
                return
            if local == "f":
                formula = True
                sums.formula_starts(attrs)
                capture = 4
                return
            if local == "t":
                capture = 2 if cell_type == "inlineStr" else 0
                return
            if local not in ("c", "row"):
                return
            tag = local
        ref = attrs.get("r")
        if tag == "c":
            cell_type, formula = attrs.get("t", "n"), False
            digits.clear()
        if tag == "row":
            row = _row_number(ref, name, entry) if ref is not None else row + 1
            col = 0
            return
        if ref is None:
            col, row = col + 1, max(row, 1)
            cell_row = row
        else:
            number = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
            letters = ref[:len(ref) - len(number)]
            col = columns.get(letters) or columns.setdefault(letters, _column(letters, ref, name, entry))
            cell_row = _row_number(number, name, entry)
        here[0], here[1] = cell_row, col
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

    def end(tag):
        nonlocal capture
        if capture == 1 and tag.rpartition(":")[2] == "v":
            budget.add(budget.shared_length("".join(digits)), entry)
        elif tag == "c" or tag == "row" or ":" in tag:  # an unprefixed <v> or <f> ends here at once
            local = tag.rpartition(":")[2]
            if local == "c":
                value = "".join(digits).strip()
                found = _odd(cell_type, formula, value)
                if found is not None and len(odd) < MAX_ODD_CELLS:
                    odd[(here[0], here[1])] = found
                sums.cell(here[0], here[1], cell_type, value, formula)
            elif local == "row":
                sums.row_done()
        capture = 0

    def data(text):
        if capture == 2:
            budget.add(len(text), entry)
        elif capture == 4:
            sums.formula_text(text)
        elif capture and len(digits) < 12:
            digits.append(text)

    parser = _parser(name, entry)
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
    _parse(zf, info, parser, name)
    sums.row_done()
    return max_row * max_col


def _column(letters: str, ref: str, name: str, entry: str) -> int:
    if not letters or not letters.isascii():
        raise _damaged(name, f"{entry}: อ้างอิงเซลล์ '{ref[:20]}' ไม่ถูกต้อง", f"{entry}: cell reference '{ref[:20]}' is not valid")
    return column_index(letters) if len(letters) <= 3 else EXCEL_MAX_COLS + 1


def _row_number(text: str, name: str, entry: str) -> int:
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
