"""Issue 16, item 14: what the inbox holds besides a district workbook per file.

Folders (by district, by month, or made by a mail client from a name with "/") are read; every
entry that is not read is said, each by name, never passed over. Foreign files and thousands of
them stay out of the governor's pages and are all listed in the office's Excel summary.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from generator.cli import app
from tests.tools import needs

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def _run(setup_path, inbox, out, *extra):
    return invoke("run", "--setup", setup_path, "--period", "2566-08", "--inbox", inbox, "--out", out,
                  "--made-on", "2023-08-21", *extra)


def _record(out: Path) -> dict:
    return json.loads((out / "result_36_2566-08.json").read_text(encoding="utf-8"))


def test_files_in_folders_are_read_and_named_where_they_are(filled, setup_path, tmp_path):
    inbox = tmp_path / "inbox"
    # By district, each with the same file name; one a level deeper (by month); a mail client's
    # folder made from the name "2566/08 3603.xlsx"; and one folder past the depth that is read.
    filled("3601", name="รายงาน.xlsx", folder=inbox / "เมืองชัยภูมิ")
    filled("3602", name="รายงาน.xlsx", folder=inbox / "ส.ค. 66" / "บ้านเขว้า")
    filled("3603", name="08 3603.xlsx", folder=inbox / "2566")
    filled("3604", folder=inbox / "a" / "b" / "c")
    filled("3605", folder=inbox / "a" / "b" / "c" / "d")
    (inbox / "elsewhere").mkdir()
    filled("3606", folder=tmp_path / "elsewhere")
    (inbox / "link to elsewhere").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (inbox / "gone.xlsx").symlink_to(tmp_path / "no such file.xlsx")
    os.mkfifo(inbox / "a pipe")  # reading it would wait for ever
    shutil.rmtree(inbox / "elsewhere")
    (inbox / ".hidden").mkdir()
    filled("3607", folder=inbox / ".hidden")  # the system's, as hidden files are: not the office's

    r = _run(setup_path, inbox, tmp_path / "out")
    assert "Traceback" not in r.output, r.output
    assert r.exit_code == 1, r.output  # folders left unread are the office's to follow up
    record = _record(tmp_path / "out")
    assert {f["file"]: (f["status"], f["district_code"]) for f in record["files"]} == {
        "เมืองชัยภูมิ/รายงาน.xlsx": ("accepted", "3601"),
        "ส.ค. 66/บ้านเขว้า/รายงาน.xlsx": ("accepted", "3602"),
        "2566/08 3603.xlsx": ("accepted", "3603"),
        "a/b/c/3604.xlsx": ("accepted", "3604"),
    }
    said = {p["file"]: p["rule_id"] for p in record["problems"] if p["rule_id"].startswith(("F_FOLDER", "F_NOT_A"))}
    assert said == {"a/b/c/d": "F_FOLDER_TOO_DEEP", "link to elsewhere": "F_FOLDER_LINK",
                    "gone.xlsx": "F_NOT_A_FILE", "a pipe": "F_NOT_A_FILE"}
    # Each named on the console, in Thai, with what to do.
    for name in said:
        assert name in r.output
    assert "ซ้อนลึกเกิน 3 ชั้น" in r.output and "โปรดย้ายไฟล์ขึ้นมา" in r.output
    assert "ทางลัด (ลิงก์) ไปยังโฟลเดอร์อื่น" in r.output
    # And in the office's Excel summary, sheet of problems.
    wb = load_workbook(tmp_path / "out" / "summary_36_2566-08.xlsx", read_only=True)
    cells = {str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert set(said) | {"เมืองชัยภูมิ/รายงาน.xlsx", "ส.ค. 66/บ้านเขว้า/รายงาน.xlsx"} <= cells


def test_the_output_folder_inside_the_inbox_is_never_read_back(filled, setup_path, tmp_path):
    """`--out` inside `--inbox` (or the same folder): a feedback copy carries its district's
    identity and would be read as that district's return; the reports would be foreign files."""
    inbox = tmp_path / "inbox"
    filled("3601")
    filled("3602", {(0, "members"): "many"})  # rejected: it gets a feedback copy
    for out in (inbox / "out", inbox):
        first = _run(setup_path, inbox, out)
        assert first.exit_code == 1, first.output
        assert list((out / "feedback").glob("feedback_3602_*.xlsx"))
        again = _run(setup_path, inbox, out, "--archive")
        again = _run(setup_path, inbox, out, "--archive")
        assert again.exit_code == 1, again.output
        record = _record(out)
        assert {f["file"]: f["status"] for f in record["files"]} == {"3601.xlsx": "accepted", "3602.xlsx": "rejected"}
        notes = {p["file"] for p in record["problems"] if p["rule_id"] == "F_OWN_OUTPUT"}
        expected = {"out"} if out != inbox else {
            "feedback", "archive", "report_36_2566-08.pdf", "summary_36_2566-08.xlsx", "result_36_2566-08.json"}
        assert notes == expected
        assert all(p["severity"] == "note" for p in record["problems"] if p["rule_id"] == "F_OWN_OUTPUT")
        shutil.rmtree(inbox / "out", ignore_errors=True)


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def _listed(summary: Path) -> list[str]:
    """The file column of the Excel summary's reports sheet (การส่งรายงาน)."""
    ws = load_workbook(summary, read_only=True)["การส่งรายงาน"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if "ไฟล์" in r)
    col = header.index("ไฟล์")
    return [r[col] for r in rows[rows.index(header) + 1:] if r[col]]


@needs("pdftotext")
def test_thousands_of_foreign_files_leave_the_governors_pages_as_they_are(filled, setup_path, tmp_path):
    """150 foreign files once doubled the PDF (9 to 18 pages), 3,000 made 148 pages. Now they are a
    short appendix by reason, and every file, copies too, has its row in the Excel summary."""
    inbox = tmp_path / "inbox"
    for code in ("3601", "3602", "3603"):
        filled(code)
    rejected = filled("3604", {(0, "members"): "many"})
    plain = _run(setup_path, inbox, tmp_path / "plain", "--store", tmp_path / "plain.sqlite")
    assert plain.exit_code == 1, plain.output
    baseline = _pages(tmp_path / "plain" / "report_36_2566-08.pdf")

    # Cheap junk: 2,000 small different files, 1,000 copies of one, copies of a district's file,
    # and workbooks that are not ours in a folder.
    for i in range(2000):
        (inbox / f"junk_{i:04}.xlsx").write_bytes(b"not a workbook %d" % i)
    (inbox / "mail").mkdir()
    for i in range(1000):
        (inbox / "mail" / f"IMG_{i:04}.jpg").write_bytes(b"\xff\xd8\xff same photo")
    for i in range(3):
        shutil.copy(inbox / "3601.xlsx", inbox / f"3601 ({i + 1}).xlsx")
    for i in range(5):
        from openpyxl import Workbook
        wb = Workbook()
        wb.active["A1"] = f"งบประมาณ {i}"
        wb.save(inbox / "mail" / f"budget_{i}.xlsx")
    on_disk = sorted(str(p.relative_to(inbox)) for p in inbox.rglob("*") if p.is_file())
    assert len(on_disk) == 3012

    r = _run(setup_path, inbox, tmp_path / "out", "--store", tmp_path / "out.sqlite")
    assert r.exit_code == 1 and "Traceback" not in r.output, r.output[-2000:]
    assert "IMG_0006.jpg" not in r.output  # the console names five of the 999 copies, not all
    out = tmp_path / "out"
    pdf = out / "report_36_2566-08.pdf"
    assert _pages(pdf) <= baseline + 1, (_pages(pdf), baseline)
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
    assert "ภาคผนวก ไฟล์อื่นที่ไม่ใช่แบบรายงานของอำเภอ" in text
    assert "3,005 ไฟล์" in text  # 2,000 + 1,000 + 5, in section 4's note and the appendix
    # By reason: junk and photos are not spreadsheets (3,000), the workbooks are not ours (5).
    assert re.search(r"ไฟล์นี้ไม่ใช่ไฟล์ Excel.*3,000 junk_0000", text) and "และอีก 2,997 ไฟล์" in text
    assert re.search(r"ไม่ใช่แบบรายงานที่จังหวัดส่งให้.*5 mail/budget_0.xlsx", text)
    assert rejected.name in text  # the district's rejected file is still followed up on its page
    # Every file of the inbox is listed in the office's Excel summary, each once.
    listed = _listed(out / "summary_36_2566-08.xlsx")
    assert sorted(listed) == on_disk
    record = _record(out)
    assert sum(1 + len(f["copies"]) for f in record["files"]) == 3012


# --- every entry accounted for, whatever tree the inbox holds (a property) -----------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from generator.intake.submission import MAX_FOLDER_DEPTH, list_inbox  # noqa: E402

_NAMES = st.sampled_from(["3601", "เมืองชัยภูมิ", "ส.ค. 66", "a", "b c", ".hidden", "~$lock", "2566", "x.xlsx"])
_TREE = st.recursive(st.just(None), lambda inner: st.dictionaries(_NAMES, inner, max_size=4), max_leaves=14)


def _make(folder: Path, tree) -> None:
    for name, sub in (tree or {}).items():
        if sub is None:
            (folder / name).write_bytes(name.encode())
        else:
            (folder / name).mkdir()
            _make(folder / name, sub)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=st.dictionaries(_NAMES, _TREE, max_size=5))
def test_every_entry_of_any_inbox_is_read_or_said(tree, tmp_path_factory):
    inbox = tmp_path_factory.mktemp("tree")
    _make(inbox, tree)
    listing = list_inbox(inbox)
    read = {name for _, name in listing.files}
    said = {p.file: p.rule_id for p in listing.skipped}
    for path in inbox.rglob("*"):
        rel = path.relative_to(inbox)
        parts = rel.parts
        if any(p.startswith((".", "~$")) for p in parts):
            continue  # the system's: hidden files and folders, Excel's lock files
        depth = len(parts) - 1  # folders above it
        if path.is_file() and depth < MAX_FOLDER_DEPTH:
            assert rel.as_posix() in read
        elif path.is_dir() and depth + 1 == MAX_FOLDER_DEPTH:
            assert said.get(rel.as_posix()) == "F_FOLDER_TOO_DEEP"
        else:  # inside a folder said to be too deep: one problem names that folder
            assert path.is_dir() or "/".join(parts[:MAX_FOLDER_DEPTH]) in said
    assert len(read) == len(listing.files)  # each file once
