"""Issue 16: one district's file never stops the month, and no fault loses or mixes anything.

Each test here is a member of a class of faults that once stopped a whole province's month (or
lost or mixed data); the property tests in test_fault_classes.py generate further members.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import shutil
import subprocess
import tempfile
import threading
import zipfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from tests.tools import needs
import pandas as pd
from openpyxl import load_workbook
from typer.testing import CliRunner

from generator.cli import app
from generator.intake.submission import read_submission
from tests.hostile import GROUPS_SHEET, rewrite

runner = CliRunner()
MARKUP = "[/] [/bold] [error F_X] [bold]x :smile:"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def _run(setup_path, tmp_path, *extra, lang="th"):
    return invoke("--lang", lang, "run", "--setup", setup_path, "--period", "2566-08", "--inbox", tmp_path / "inbox",
                  "--out", tmp_path / "out", "--made-on", "2023-08-21", *extra)


def _markup_everywhere(filled, tmp_path) -> list[Path]:
    """Markup typed in a cell (shown back as the value found), in _meta, in a sheet name and a file name."""
    cell = filled("3601", {(0, "members"): MARKUP})
    meta = filled("3602", name="[red]3602 [error].xlsx")
    wb = load_workbook(meta)
    for row in wb["_meta"].iter_rows():
        if row[0].value == "district_code":
            row[1].value = "[/bold]"
    wb.save(meta)
    typed = filled("3603", {(0, "savings_baht"): "[/]"}, name="3603_typed.xlsx")
    # Excel refuses '[' in a sheet name; a file written by another program need not.
    wb = load_workbook(typed)
    title = wb.worksheets[1].title
    renamed = rewrite(typed, tmp_path / "inbox" / "3603.xlsx", lambda n, d: d.replace(
        f'name="{title}"'.encode(), 'name="[/]กลุ่ม[red]"'.encode()) if n == "xl/workbook.xml" else d)
    typed.unlink()
    return [cell, meta, renamed]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_markup_in_any_text_of_a_file_is_printed_as_typed_and_the_month_completes(filled, setup_path, tmp_path, lang):
    files = _markup_everywhere(filled, tmp_path)
    filled("3604")
    r = _run(setup_path, tmp_path, lang=lang)
    assert "Traceback" not in r.output and "MarkupError" not in r.output, r.output
    assert r.exit_code == 1, r.output
    label = "[ข้อผิดพลาด " if lang == "th" else "[error "
    assert f"{label}VALUE_NOT_NUMBER]" in r.output  # the prefix itself is never swallowed as a tag
    assert "[/bold]" in r.output and "[/]กลุ่ม[red]" in r.output and "[red]3602 [error].xlsx" in r.output
    record = json.loads((tmp_path / "out" / "result_36_2566-08.json").read_text(encoding="utf-8"))
    assert {f["file"]: f["status"] for f in record["files"]} == {
        files[0].name: "rejected", files[1].name: "rejected", files[2].name: "rejected", "3604.xlsx": "accepted"}

    v = invoke("--lang", lang, "validate", "--setup", setup_path, *files)
    assert v.exit_code == 1 and "Traceback" not in v.output and "MarkupError" not in v.output, v.output
    assert f"{label}VALUE_NOT_NUMBER]" in v.output and MARKUP in v.output


# --- 2. encrypted zip entries: the file's own message, the month goes on ------------------------

def _flag_encrypted(valid: Path, target: Path, entry: str) -> Path:
    """The general-purpose bit 0 (encrypted) set on one entry, in the local and central headers."""
    data = bytearray(valid.read_bytes())
    with zipfile.ZipFile(valid) as z:
        info = z.getinfo(entry)
    local = info.header_offset
    data[local + 6] |= 1
    name = entry.encode()
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        n = int.from_bytes(data[pos + 28:pos + 30], "little")
        if data[pos + 46:pos + 46 + n] == name:
            data[pos + 8] |= 1
        pos = data.find(b"PK\x01\x02", pos + 4)
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("entry", ["xl/workbook.xml", GROUPS_SHEET, "xl/styles.xml", "[Content_Types].xml"])
def test_a_zip_entry_flagged_as_encrypted_is_refused_as_password_protected(filled, setup, period, tmp_path, entry):
    path = _flag_encrypted(filled("3601"), tmp_path / "flagged.xlsx", entry)
    sub = read_submission(path, setup, period)
    assert [p.rule_id for p in sub.problems] == ["F_ENCRYPTED"]
    assert "รหัสผ่าน" in sub.problems[0].fix_th


@needs("zip")
def test_a_workbook_zipped_with_a_zipcrypto_password_gets_the_same_message_as_excel_encryption(
        filled, setup, period, tmp_path):
    valid = filled("3601")
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(valid) as z:
        z.extractall(folder)
    locked = tmp_path / "locked.xlsx"
    subprocess.run(["zip", "-q", "-r", "-P", "secret", str(locked), "."], cwd=folder, check=True)
    sub = read_submission(locked, setup, period)
    assert [p.rule_id for p in sub.problems] == ["F_ENCRYPTED"]


# --- 3. any declared XML encoding but UTF-8: one rule, one message ------------------------------

ENCODINGS = ["windows-874", "TIS-620", "cp874", "ISO-8859-11", "x-mac-thai", "latin-1", "UTF-16", "UTF-32",
             "US-ASCII", "UTF8", "utf_8", " utf-8", "no-such-encoding", ""]


def _declare(data: bytes, encoding: str) -> bytes:
    body = data[data.index(b"?>") + 2:] if data.startswith(b"<?xml") else data
    return f'<?xml version="1.0" encoding="{encoding}" standalone="yes"?>'.encode() + body


def test_an_xml_part_declaring_any_encoding_but_utf8_is_refused_by_one_rule(filled, setup, period, tmp_path):
    valid = filled("3601")
    cases = [(GROUPS_SHEET, e) for e in ENCODINGS] + [(entry, "windows-874") for entry in (
        "xl/comments/comment1.xml", "xl/workbook.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml", "xl/tables/table1.xml", "xl/drawings/commentsDrawing1.vml")]
    for entry, encoding in cases:
        path = rewrite(valid, tmp_path / "declared.xlsx", lambda n, d: _declare(d, encoding) if n == entry else d)
        sub = read_submission(path, setup, period)
        assert [p.rule_id for p in sub.problems] == ["F_XML_ENCODING"], (entry, encoding)
        assert entry in sub.problems[0].message_th and "รหัสอักขระมาตรฐาน" in sub.problems[0].message_th and "UTF-8" in sub.problems[0].message_en


def test_thai_bytes_without_a_declaration_are_refused_by_the_same_rule(filled, setup, period, tmp_path):
    valid = filled("3601")
    path = rewrite(valid, tmp_path / "tis.xlsx", lambda n, d: d.decode("utf-8").encode("tis-620", "replace")
                   if n == GROUPS_SHEET else d)
    sub = read_submission(path, setup, period)
    assert [p.rule_id for p in sub.problems] == ["F_XML_ENCODING"]


def test_utf8_declared_in_any_spelling_is_read(filled, setup, period, tmp_path):
    valid = filled("3601")
    for spelling in ("utf-8", "UTF-8", "Utf-8"):
        path = rewrite(valid, tmp_path / "utf8.xlsx", lambda n, d: _declare(d, spelling) if n.endswith(".xml") else d)
        sub = read_submission(path, setup, period)
        assert sub.problems == [] and sub.table is not None, spelling


# --- 4. a file that vanishes or changes while the month runs ----------------------------------

def test_a_file_that_vanishes_during_the_run_is_that_files_problem(filled, setup, period, tmp_path):
    from generator.pipeline import run_month

    first, gone, last = filled("3601"), filled("3602"), filled("3603")

    def colleague_moves_it(path):
        if path == first:
            gone.rename(tmp_path / "moved.xlsx")

    result = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", period.last_day, render=False,
                       progress=colleague_moves_it)
    status = {f.file: f.status for f in result.summary.files}
    assert status == {"3601.xlsx": "accepted", "3602.xlsx": "rejected", "3603.xlsx": "accepted"}
    problem = next(p for p in result.summary.problems if p.file == "3602.xlsx")
    assert problem.rule_id == "F_VANISHED" and "หายไป" in problem.message_th


def test_a_file_being_written_while_it_is_read_is_never_half_read(filled, tmp_path):
    from generator.intake.snapshot import snapshot

    path = filled("3601")
    grown = path.read_bytes()
    stop = threading.Event()

    def downloading():
        with open(path, "ab") as f:
            while not stop.is_set():
                f.write(b"x" * 64)
                f.flush()

    writer = threading.Thread(target=downloading)
    writer.start()
    try:
        snap = snapshot(path, pause=0.01)
    finally:
        stop.set()
        writer.join()
    final = path.read_bytes()
    if snap.problem is not None:
        assert snap.problem.rule_id == "F_CHANGING" and snap.data is None
    else:  # a whole version of the file, and the hash of exactly that version
        assert final.startswith(snap.data) and snap.data.startswith(grown)
        assert hashlib.sha256(snap.data).hexdigest() == snap.sha256


def test_a_file_that_changed_after_reading_gets_a_feedback_copy_of_what_was_read_or_none(filled, setup, period,
                                                                                         tmp_path):
    from generator.pipeline import run_month

    bad = filled("3601", {(0, "members"): -5})
    other = filled("3602")

    def replaced(path):
        if path == other:  # 3601 was read; now someone overwrites it with another district's file
            bad.write_bytes(other.read_bytes())

    result = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", period.last_day,
                       progress=replaced)
    feedback = result.outputs["feedback:3601.xlsx"]
    wb = load_workbook(feedback)
    assert wb.sheetnames[0] == "ปัญหาที่พบ"
    # The list of problems is there; the copy of 3602's content is not passed on as 3601's.
    assert len(wb.sheetnames) == 1


# --- 5. text that expands: shared strings referred to by many cells, inline strings -----------

def test_text_amplification_is_refused_before_the_reader_sees_it_and_memory_stays_bounded(
        filled, setup_path, period, tmp_path):
    from tests.hostile import read_in_child, string_cells, with_shared_strings

    valid = filled("3601")
    long = b"\xe0\xb8\x81" * 32_000  # 32,000 Thai characters, one shared string
    cases = {
        "sst_2000.xlsx": with_shared_strings(valid, tmp_path / "sst_2000.xlsx", [long], string_cells(200, 10, b"0")),
        "sst_100000.xlsx": with_shared_strings(valid, tmp_path / "sst_100000.xlsx", [long],
                                               string_cells(1_000, 100, b"0")),
        "inline.xlsx": with_shared_strings(valid, tmp_path / "inline.xlsx", [b"x"],
                                           string_cells(100, 10, b"\xe0\xb8\x81" * 3_000, "inlineStr")),
        "formula_text.xlsx": with_shared_strings(valid, tmp_path / "formula_text.xlsx", [b"x"],
                                                 string_cells(100, 10, b"y" * 3_000, "str")),
        "many_strings.xlsx": with_shared_strings(valid, tmp_path / "many_strings.xlsx", [b"%d" % i for i in
                                                                                         range(250_000)]),
        # near the most the limits let through: the string and 58 cells of it, 1.9 million characters
        # (in place of the groups sheet, so that every sheet is read in search of the table)
        "at_limit.xlsx": with_shared_strings(valid, tmp_path / "at_limit.xlsx", [long], string_cells(58, 1, b"0")),
    }
    for path in cases.values():
        assert path.stat().st_size < 2_000_000  # small files: what they demand is in what they expand to
    results = {r["file"]: r for r in read_in_child(list(cases.values()), setup_path, period, memory_mib=1024)}
    for name in ("sst_2000.xlsx", "sst_100000.xlsx", "inline.xlsx", "formula_text.xlsx", "many_strings.xlsx"):
        assert results[name]["rules"] == ["F_TOO_LARGE"], results[name]
    assert results["at_limit.xlsx"]["rules"] == ["F_NO_TABLE"], results["at_limit.xlsx"]
    for r in results.values():
        print(r["file"], r["rules"], f"{r['peak_mib']:.1f} MiB {r['seconds']:.2f} s")
        assert r["peak_mib"] < 64, r


# --- 6. the feedback copy is bounded before openpyxl builds it ----------------------------------

_FEEDBACK_CHILD = r"""
import json, resource, sys, warnings
limit = 1024 << 20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.path.insert(0, sys.argv[1])
warnings.simplefilter("ignore")
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from generator.outputs.feedback import write_feedback
from generator.core.problems import Problem
def kib(field):
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith(field + ":"))
problems = [Problem(**{k: v for k, v in p.items() if k != "rejects_file"}) for p in json.loads(sys.argv[4])]
base = kib("VmRSS")
write_feedback(Path(sys.argv[2]).read_bytes(), problems, Path(sys.argv[3]), "t")
print(json.dumps({"peak_mib": (kib("VmHWM") - base) / 1024}))
"""


def _feedback_in_child(source: Path, problems, out: Path) -> float:
    from tests.hostile import ROOT

    proc = subprocess.run([sys.executable, "-c", _FEEDBACK_CHILD, str(ROOT), str(source), str(out),
                           json.dumps([p.to_dict() for p in problems])], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-1000:]
    return json.loads(proc.stdout)["peak_mib"]


def _in_groups_sheet(valid: Path, target: Path, before_end: bytes = b"", rows: bytes = b"") -> Path:
    def change(name, data):
        if name == GROUPS_SHEET:
            data = data.replace(b"</sheetData>", rows + b"</sheetData>") if rows else data
            data = data.replace(b"</worksheet>", before_end + b"</worksheet>") if before_end else data
        return data

    return rewrite(valid, target, change)


def _many_comments(valid: Path, target: Path, n: int) -> Path:
    def change(name, data):
        if name.startswith("xl/comments/"):
            body = b"".join(b'<comment ref="M%d" authorId="0"><text><t>x</t></text></comment>' % (i + 1)
                            for i in range(n))
            return re.sub(rb"<commentList>.*</commentList>", b"<commentList>" + body + b"</commentList>", data,
                          flags=re.S)
        return data

    return rewrite(valid, target, change)


def test_parts_openpyxl_would_expand_get_a_fresh_feedback_workbook_listing_the_problems(filled, setup, period,
                                                                                       tmp_path):
    from generator.checks.validation import validate_submission

    valid = filled("3601", {(0, "members"): -5})
    hostile = {
        "merged": _in_groups_sheet(valid, tmp_path / "merged.xlsx", b'<mergeCells count="1"><mergeCell ref="A200:T50200"/>'
                                                                    b"</mergeCells>"),
        "hyperlink": _in_groups_sheet(valid, tmp_path / "hyperlink.xlsx", b'<hyperlinks><hyperlink ref="A200:D1000000" '
                                                                          b'location="A1"/></hyperlinks>'),
        "whole_column_link": _in_groups_sheet(valid, tmp_path / "col.xlsx", b'<hyperlinks><hyperlink ref="A:A" '
                                                                            b'location="A1"/></hyperlinks>'),
        "row_records": _in_groups_sheet(valid, tmp_path / "rows.xlsx", rows=b"".join(
            b'<row r="%d"/>' % r for r in range(200, 1_000_200))),
        "comments": _many_comments(valid, tmp_path / "comments.xlsx", 150_000),
    }
    sub = read_submission(valid, setup, period)
    for kind, path in hostile.items():
        read = read_submission(path, setup, period)
        assert read.table is not None, kind  # the reader is not troubled: only the copy would be
        problems = validate_submission(read, setup, period).problems
        assert "VALUE_NEGATIVE" in [p.rule_id for p in problems], kind
        out = tmp_path / f"feedback_{kind}.xlsx"
        peak = _feedback_in_child(path, problems, out)
        assert peak < 64, (kind, peak)
        wb = load_workbook(out)
        assert wb.sheetnames == ["ปัญหาที่พบ"], kind
        texts = [c.value for row in wb.active.iter_rows() for c in row if c.value]
        assert any("ทำสำเนา" in str(t) for t in texts) and "VALUE_NEGATIVE" in texts, kind
    # The district's own file is still copied and marked when it is an ordinary one.
    out = tmp_path / "feedback_ordinary.xlsx"
    problems = validate_submission(sub, setup, period).problems
    assert _feedback_in_child(valid, problems, out) < 64
    assert len(load_workbook(out).sheetnames) > 1


# --- 12. invisible marks never make one group two ------------------------------------------------

def test_the_invisible_character_class_covers_every_format_character():
    import sys as _sys
    import unicodedata

    from generator.core.values import ZERO_WIDTH

    missing = [f"U+{c:04X}" for c in range(_sys.maxunicode + 1)
               if unicodedata.category(chr(c)) == "Cf" and not ZERO_WIDTH.match(chr(c))]
    assert missing == []


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u202c", "\u2066", "\ufeff", "\u00ad"])
def test_a_group_copied_below_with_an_invisible_mark_is_still_a_duplicate(filled, setup, period, tmp_path, mark):
    from generator.samples.demo import simulated_groups
    from generator.pipeline import run_month

    groups = simulated_groups(setup, "3601", period)
    copied = pd.concat([groups, groups.iloc[[0]].assign(group_name=groups["group_name"].iloc[0] + mark)],
                       ignore_index=True)
    path = filled("3601", groups=copied)
    result = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", period.last_day, render=False)
    problems = [p for p in result.summary.problems if p.file == path.name]
    row = len(copied) - 1
    dup = [p for p in problems if p.rule_id == "G_DUPLICATE_GROUP_NAME"]
    assert dup, [p.rule_id for p in problems]
    marked = [p for p in problems if p.rule_id == "VALUE_INTERPRETED" and f"U+{ord(mark):04X}" in p.message_en]
    assert marked and marked[0].cell.endswith(str(6 + row)), marked  # the cell of the copy is named
    assert {f.file: f.status for f in result.summary.files} == {path.name: "rejected"}


def test_names_compare_the_same_however_they_were_typed():
    from generator.core.values import name_key

    same = ["กลุ่มออมทรัพย์บ้านน้ำ", "กลุ่มออมทรัพย์ บ้านน้ำ\u200e", " กลุ่มออมทรัพย์\u00a0บ้าน\u200bน้ำ ",
            "กลุ่มออมทรัพย์บ้านน\u0e49\u0e4d\u0e32", "\u202bกลุ่มออมทรัพย์บ้านน้ำ\u202c", "กลุ่มออมทรัพย์\u3000บ้านน้ำ"]
    assert len({name_key(n) for n in same}) == 1
    assert name_key("นางสาว สมศรี  ใจดี\u200f") == name_key("นางสาวสมศรีใจดี")
    assert name_key("3601\u200e0001") == name_key("36010001")
    assert name_key("e\u0301") == name_key("\u00e9")  # NFC


# --- 13. error values, formulas without values and NaN are reported as what they are ----------

def _cells(valid: Path, target: Path, cells: dict[str, bytes]) -> Path:
    def change(name, data):
        if name == GROUPS_SHEET:
            for ref, xml in cells.items():
                data, n = re.subn(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % ref.encode(), xml, data, count=1)
                assert n == 1, ref
        return data

    return rewrite(valid, target, change)


def test_error_values_uncalculated_formulas_and_nan_are_never_called_empty(filled, setup, period, tmp_path):
    from generator.checks.validation import validate_submission

    valid = filled("3601")
    path = _cells(valid, tmp_path / "odd.xlsx", {
        "F6": b'<c r="F6" t="e"><f>G6/0</f><v>#DIV/0!</v></c>',  # members: an error value
        "G6": b'<c r="G6"><f>SUM(G7:G9)</f><v></v></c>',  # savings: a formula never calculated
        "E7": b'<c r="E7" s="8" t="n"><v>NaN</v></c>',  # founded: NaN in a date cell (30 Dec 1899 before)
        "F7": b'<c r="F7" t="e"><v>#N/A</v></c>',
    })
    sub = read_submission(path, setup, period)
    problems = {p.cell: p for p in validate_submission(sub, setup, period).problems if p.cell}
    assert problems["F6"].rule_id == "VALUE_ERROR_CELL" and "#DIV/0!" in problems["F6"].message_th
    assert problems["G6"].rule_id == "VALUE_FORMULA_NO_VALUE" and "LibreOffice" in problems["G6"].fix_th
    assert problems["E7"].rule_id == "VALUE_NOT_DATE" and problems["E7"].value == "NaN"
    assert problems["F7"].rule_id == "VALUE_ERROR_CELL" and "#N/A" in problems["F7"].message_en
    assert not [p for p in problems.values() if p.rule_id == "VALUE_REQUIRED" and p.cell in ("F6", "G6", "E7", "F7")]
    # The lookup column's formulas (never calculated in a file written by openpyxl) stay quiet.
    assert not [p for p in problems.values() if p.cell.startswith("C")]


# --- 11 and 10: a store that is empty, cut short, damaged or not a store; a full disk ----------

def _store_run(setup_path, tmp_path, store: Path, lang="th"):
    return invoke("--lang", lang, "run", "--setup", setup_path, "--period", "2566-08", "--inbox", tmp_path / "inbox",
                  "--out", tmp_path / "out", "--made-on", "2023-08-21", "--store", store)


@pytest.fixture
def real_store(filled, setup_path, tmp_path) -> Path:
    filled("3601")
    store = tmp_path / "good.sqlite"
    assert _store_run(setup_path, tmp_path, store).exit_code == 0
    return store


def test_a_store_that_is_empty_cut_short_damaged_or_not_a_store_is_refused_and_never_replaced(
        real_store, setup_path, tmp_path):
    good = real_store.read_bytes()
    page = int.from_bytes(good[16:18], "big")
    assert len(good) >= 6 * page
    middle = bytearray(good)
    for k in range(3 * page, 4 * page):
        middle[k] = 0x5A
    cases = {
        "empty": (b"", "store_empty", "0 ไบต์"),
        "truncated": (good[: len(good) // 2], "store_truncated", "ไม่ครบ"),
        "not_a_store": (b"name,value\n" * 50, "store_not_store", "ไม่ใช่ฐานข้อมูลประวัติ"),
        "damaged": (bytes(middle), "store_corrupt", "เสียหาย"),
    }
    for kind, (data, key, words) in cases.items():
        store = tmp_path / f"{kind}.sqlite"
        store.write_bytes(data)
        r = _store_run(setup_path, tmp_path, store)
        assert r.exit_code == 2, (kind, r.output)
        assert words in r.output and "Traceback" not in r.output and "sqlite" not in r.output.lower().replace(
            str(store).lower(), ""), (kind, r.output)
        assert store.read_bytes() == data, kind  # never replaced, never changed
        from generator.store.history import HistoryStore, StoreError
        with pytest.raises(StoreError) as caught:
            HistoryStore.open(store, "36")
        assert caught.value.key == key, kind


@contextmanager
def _as_an_ordinary_user():
    """Root writes into read-only folders, and CI runs as root: there the run is made as `nobody`
    (only the effective ids, so they can be taken back)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_a_store_in_a_read_only_folder_says_so(real_store, setup_path, tmp_path):
    # A folder of its own under /tmp: pytest's folders are closed to every user but root.
    place = Path(tempfile.mkdtemp(prefix="ro-store-"))
    try:
        place.chmod(0o755)
        for name in ("inbox", "out"):
            shutil.copytree(tmp_path / name, place / name) if (tmp_path / name).exists() else (place / name).mkdir()
        for path in place.rglob("*"):
            path.chmod(0o777 if path.is_dir() else 0o666)
        (place / "out").chmod(0o777)
        shutil.copy(setup_path, place / "setup.xlsx")
        (place / "setup.xlsx").chmod(0o644)
        folder = place / "ro"
        folder.mkdir()
        store = folder / "history.sqlite"
        store.write_bytes(real_store.read_bytes())
        store.chmod(0o644)
        folder.chmod(0o555)
        with _as_an_ordinary_user():
            r = _store_run(place / "setup.xlsx", place, store)
        assert r.exit_code == 2 and "อ่านอย่างเดียว" in r.output and "Traceback" not in r.output, r.output
        assert store.read_bytes() == real_store.read_bytes()
    finally:
        shutil.rmtree(place, ignore_errors=True)


_FULL_DISK = r"""
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, as on a full disk
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.argv = ["savings-report"] + sys.argv[2:]
from generator.cli import main
main()
"""


@pytest.mark.parametrize("limit_kib", [40, 120])
def test_a_full_disk_gets_one_sentence_and_nothing_else(filled, setup_path, tmp_path, limit_kib):
    """Writes past RLIMIT_FSIZE fail as writes to a full disk do: at 40 KiB the store is the first
    file that cannot grow, at 120 KiB the PDF."""
    from tests.hostile import ROOT

    filled("3601")
    filled("3602", {(0, "members"): -5})
    proc = subprocess.run([sys.executable, "-c", _FULL_DISK, str(limit_kib << 10), "run", "--setup", str(setup_path),
                           "--period", "2566-08", "--inbox", str(tmp_path / "inbox"), "--out", str(tmp_path / "out"),
                           "--store", str(tmp_path / "history.sqlite")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr[-2000:]
    assert "rollback" not in proc.stderr and "unexpected" not in proc.stderr.lower(), proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip() and not line.startswith(("⠋", "⠙"))]
    assert any("ดิสก์" in line or "พื้นที่ว่าง" in line for line in lines), proc.stderr[-2000:]
    # Nothing half-written is left where users look.
    out = tmp_path / "out"
    assert not [p for p in out.rglob("*") if p.is_file() and p.name.startswith((".tmp-",))] if out.exists() else True


def test_a_workbook_that_cannot_be_written_for_a_full_disk_gets_one_sentence_and_no_part_file(tmp_path):
    """openpyxl failing part-way through a save used to print ZipFile.__del__ tracebacks after it."""
    from tests.hostile import ROOT

    target = tmp_path / "setup.xlsx"
    proc = subprocess.run([sys.executable, "-c", _FULL_DISK, str(8 << 10), "init-setup", str(target)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    assert "พื้นที่ว่าง" in proc.stderr and len(proc.stderr.strip().splitlines()) <= 2, proc.stderr
    assert list(tmp_path.iterdir()) == []  # neither the workbook nor a part of it


# --- 8 and 9: the PDF worker dies with its run; runs sharing --out are serialised ---------------

def _cli(*args) -> list[str]:
    return [sys.executable, "-m", "generator", *map(str, args)]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_pdf_worker_dies_when_its_run_is_killed(filled, setup_path, tmp_path):
    import signal
    import time

    from tests.hostile import ROOT

    for code in ("3601", "3602", "3603"):
        filled(code)
    run = subprocess.Popen(_cli("run", "--setup", setup_path, "--period", "2566-08", "--inbox", tmp_path / "inbox",
                                "--out", tmp_path / "out"), cwd=ROOT, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and not workers and run.poll() is None:
        workers = _children(run.pid)
        time.sleep(0.02)
    assert workers, "the run never started its PDF worker"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)], "a worker outlived its run"


def test_a_run_waits_for_another_writing_into_the_same_output_folder_and_leaves_its_staging_alone(
        filled, setup_path, tmp_path):
    """Two runs sharing --out with different --store: the second used to delete the first's staging
    folder. Here the first is this test, holding the folder as a run does while it writes."""
    import fcntl
    import time

    from tests.hostile import ROOT

    for code in ("3601", "3602"):
        filled(code)
    out = tmp_path / "out"
    out.mkdir()
    staging = out / ".staging-first-run"
    staging.mkdir()
    (staging / "report_36_2566-08.pdf").write_bytes(b"being written")
    lock = os.open(out, os.O_RDONLY)  # as a run holds it (generator.store.commit.output_lock)
    fcntl.flock(lock, fcntl.LOCK_EX)
    second = subprocess.Popen(_cli("run", "--setup", setup_path, "--period", "2566-08", "--inbox", tmp_path / "inbox",
                                   "--out", out, "--store", tmp_path / "second.sqlite", "--made-on", "2023-08-21"),
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and second.poll() is None and not (tmp_path / "second.sqlite").exists():
            time.sleep(0.1)
        time.sleep(8)  # it has read the month by now, and reached the outputs
        assert staging.is_dir() and (staging / "report_36_2566-08.pdf").exists()
        assert second.poll() is None, second.communicate()[1][-2000:]  # it waits its turn
    finally:
        shutil.rmtree(staging)  # the first run finishes
        os.close(lock)
    _, stderr = second.communicate(timeout=300)
    assert second.returncode == 0, stderr[-2000:]
    record = json.loads((out / "result_36_2566-08.json").read_text(encoding="utf-8"))
    assert {f["file"] for f in record["files"]} == {"3601.xlsx", "3602.xlsx"}
    assert not list(out.glob(".staging-*"))


# --- 7. killed at each step of the commit: outputs and store both old or both new -------------

_KILL_AT = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
from contextlib import contextmanager
from datetime import date
from contextlib import contextmanager
from datetime import date
from pathlib import Path
import generator.store.commit as commit
import generator.pipeline as pipeline
from generator.store.history import HistoryStore
from generator.core.periods import Period
from generator.intake.setup_workbook import load_setup
kill_at, seen = int(sys.argv[6]), []
def step(name):
    seen.append(name)
    if len(seen) == kill_at:
        os._exit(137)  # as kill -9: no finally, no atexit
commit.step = pipeline.step = step
setup = load_setup(Path(sys.argv[2]))
with HistoryStore.open(Path(sys.argv[5]), setup.province_code) as store:
    pipeline.run_month(setup, Period.parse("2566-08"), Path(sys.argv[3]), Path(sys.argv[4]), date(2023, 8, 21),
                       store=store)
print(json.dumps(seen))
"""


def _state(out: Path, store: Path) -> tuple:
    from generator.store.history import HistoryStore

    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
                   and not p.name.startswith(".savings-report"))
    record = (out / "result_36_2566-08.json").read_text(encoding="utf-8") if (out / "result_36_2566-08.json").exists() \
        else None
    with HistoryStore.open(store, "36") as s:
        dump = {k: v for k, v in s.dump().items() if k != "store_info"}
    return files, record, json.dumps(dump, sort_keys=True, default=str)


def test_a_run_killed_at_any_step_of_the_commit_leaves_outputs_and_store_both_old_or_both_new(
        filled, setup_path, setup, period, tmp_path):
    from generator.store.commit import recover
    from generator.store.history import HistoryStore
    from generator.pipeline import run_month
    from tests.hostile import ROOT

    inbox, out, store = tmp_path / "inbox", tmp_path / "out", tmp_path / "history.sqlite"
    filled("3601")
    filled("3602", {(0, "members"): -5})
    with HistoryStore.open(store, setup.province_code) as s:
        run_month(setup, period, inbox, out, date(2023, 8, 21), store=s)
    old_out, old_store = tmp_path / "old_out", tmp_path / "old.sqlite"
    shutil.copytree(out, old_out)
    shutil.copy2(store, old_store)
    old = _state(out, store)
    filled("3602")  # fixed: its feedback goes
    filled("3603")  # new

    def child(kill_at: int):
        return subprocess.run([sys.executable, "-c", _KILL_AT, str(ROOT), str(setup_path), str(inbox), str(out),
                               str(store), str(kill_at)], capture_output=True, text=True, timeout=300)

    done = child(0)
    assert done.returncode == 0, done.stderr[-2000:]
    steps = json.loads(done.stdout)
    new = _state(out, store)
    feedback_3602 = [f for f in old[0] if f.startswith("feedback/feedback_3602_2566-08")]
    assert new != old and feedback_3602 and not set(feedback_3602) & set(new[0])
    assert steps[0] == "journal" and "store committed" in steps and len(steps) >= 8, steps
    for k in range(1, len(steps) + 1):
        shutil.rmtree(out)
        shutil.copytree(old_out, out)
        shutil.copy2(old_store, store)
        killed = child(k)
        assert killed.returncode == 137, (steps[k - 1], killed.stderr[-2000:])
        with HistoryStore.open(store, "36"):
            pass  # the next start: SQLite rolls back what was not committed
        recover(out)  # the next run's first act in this folder
        after = _state(out, store)
        # The store's COMMIT, between "switched" and "store committed", is the moment the month changes.
        expected = new if k - 1 >= steps.index("store committed") else old
        assert after == expected, f"killed after {steps[k - 1]!r}: {'mixed' if after not in (old, new) else 'wrong'}"
        assert not list(out.glob(".staging-*")) and not (out / ".savings-report-journal.json").exists()


def test_a_staging_folder_is_hidden_on_windows(tmp_path, monkeypatch):
    """On Windows a dot-folder is in view: the staging folder gets the hidden attribute there."""
    import ctypes
    import types

    from generator.store import commit

    calls = []
    kernel32 = types.SimpleNamespace(GetFileAttributesW=lambda path: calls.append(("get", path)) or 0x10,
                                     SetFileAttributesW=lambda path, value: calls.append(("set", path, value)))
    monkeypatch.setattr(commit, "WINDOWS", True)
    monkeypatch.setattr(ctypes, "windll", types.SimpleNamespace(kernel32=kernel32), raising=False)
    staged = commit.OutputCommit(tmp_path, None)
    assert ("set", str(staged.staging), 0x10 | commit.FILE_ATTRIBUTE_HIDDEN) in calls
    monkeypatch.setattr(commit, "WINDOWS", False)
    calls.clear()
    commit.hide(tmp_path)
    assert calls == []  # elsewhere the dot hides it
    staged.undo()
