"""Issue 16: one district's file never stops the month, and no fault loses or mixes anything.

Each test here is a member of a class of faults that once stopped a whole province's month (or
lost or mixed data); the property tests in test_fault_classes.py generate further members.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from generator.cli import app
from generator.intake import read_submission
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
