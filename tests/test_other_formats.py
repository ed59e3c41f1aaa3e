"""Returned files saved as .ods (LibreOffice's default) or .xls (issue 11, defect 14): read with the
same limits and refusals as .xlsx, the district identified from `_meta`, accepted when the content
passes; a format that cannot be read is refused with how to save as .xlsx, and its district told."""

from __future__ import annotations

import struct
import subprocess
import zipfile
from datetime import date

import pytest

from generator.samples.demo import simulated_groups
from generator.intake.submission import read_submission
from generator.pipeline import run_month
from generator.core.statuses import EXIT_REJECTED
from generator.intake.container import check_container
from generator.intake.limits import DEFAULT_LIMITS, FileRejected
from generator.core.statuses import ACCEPTED, REJECTED
from generator.checks.validation import validate_submission
from tests.tools import find, needs

MADE_ON = date(2023, 8, 25)


def _convert(path, fmt: str, out_dir, profile):
    """The file as LibreOffice headless saves it in another format (what a district's Calc does)."""
    done = subprocess.run([find("soffice"), "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to",
                           fmt, "--outdir", str(out_dir), str(path)], capture_output=True, timeout=180)
    target = out_dir / f"{path.stem}.{fmt}"
    assert done.returncode == 0 and target.is_file(), done.stderr
    return target


@pytest.fixture(scope="module")
def converted(tmp_path_factory, setup, period, template_for):
    """3601 filled cleanly and 3602 with an error, each as .xlsx, .ods and .xls (LibreOffice)."""
    from generator.samples.demo import fill_workbook

    folder = tmp_path_factory.mktemp("formats")
    files = {}
    for code, typed in (("3601", None), ("3602", {(0, "members"): -4})):
        original = fill_workbook(template_for(code), simulated_groups(setup, code, period), folder / f"{code}.xlsx",
                                 typed)
        files[(code, "xlsx")] = original
        for fmt in ("ods", "xls"):
            files[(code, fmt)] = _convert(original, fmt, folder / fmt, folder / "profile")
    return files


@needs("soffice")
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_a_file_saved_as_ods_or_xls_reads_like_the_xlsx(converted, setup, period, fmt):
    a = validate_submission(read_submission(converted[("3601", "xlsx")], setup, period), setup, period)
    b = validate_submission(read_submission(converted[("3601", fmt)], setup, period), setup, period)
    assert b.submission.district_code == "3601" and b.accepted, b.problems
    cols = ["village_code", "group_name", "founded_on", "members", "savings_baht", "borrowers", "loans_baht",
            "officer_id", "status"]
    assert a.groups[cols].equals(b.groups[cols])
    bad = validate_submission(read_submission(converted[("3602", fmt)], setup, period), setup, period)
    assert bad.submission.district_code == "3602" and not bad.accepted
    assert [(p.rule_id, p.cell) for p in bad.problems if p.is_error] == [("VALUE_NEGATIVE", "F6")]


@needs("soffice")
def test_a_month_of_ods_and_xls_files_counts_them_and_gives_feedback(converted, setup, period, tmp_path):
    import shutil

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(converted[("3601", "ods")], inbox)
    shutil.copy(converted[("3602", "xls")], inbox)
    result = run_month(setup, period, inbox, tmp_path / "out", MADE_ON)
    reports = {d.district_code: d.report for d in result.summary.districts}
    assert reports["3601"] == ACCEPTED and reports["3602"] == REJECTED
    expected = simulated_groups(setup, "3601", period)
    assert result.summary.total.members == int(expected["members"].sum())
    assert result.exit_code == EXIT_REJECTED
    feedback = list((tmp_path / "out" / "feedback").iterdir())
    assert [p.name for p in feedback] == ["feedback_3602_2566-08_บ้านเขว้า.xlsx"]


def _ods(path, body: str, manifest_extra: str = "", content_prefix: str = ""):
    content = (content_prefix + '<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body>'
               f'<office:spreadsheet><table:table table:name="S">{body}</table:table></office:spreadsheet>'
               '</office:body></office:document-content>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                   'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                   f'{manifest_extra}</manifest:manifest>')
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


VALUE = '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'


def _refusal(path) -> str:
    with pytest.raises(FileRejected) as exc:
        check_container(path, DEFAULT_LIMITS)
    return exc.value.problem.rule_id


def test_an_ods_claiming_a_huge_grid_is_refused_before_it_is_read(tmp_path):
    # 100,000 rows of 1,000 values from a few hundred bytes: python-calamine would allocate them all.
    repeated = _ods(tmp_path / "repeat.ods", '<table:table-row table:number-rows-repeated="100000">'
                    '<table:table-cell office:value-type="float" office:value="1" '
                    'table:number-columns-repeated="1000"><text:p>1</text:p></table:table-cell></table:table-row>')
    assert repeated.stat().st_size < 2000 and _refusal(repeated) == "F_TOO_LARGE"
    far = _ods(tmp_path / "far.ods", f'<table:table-row table:number-rows-repeated="50000"><table:table-cell/>'
               f'</table:table-row><table:table-row>{VALUE}</table:table-row>')
    assert _refusal(far) == "F_TOO_LARGE"
    # What LibreOffice writes after the last value: empty cells and rows repeated to the sheet's end.
    trailing = _ods(tmp_path / "trailing.ods", f'<table:table-row>{VALUE}<table:table-cell '
                    'table:number-columns-repeated="16383"/></table:table-row><table:table-row '
                    'table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/>'
                    '</table:table-row>')
    assert check_container(trailing, DEFAULT_LIMITS) == []


def test_an_ods_with_a_dtd_or_a_password_is_refused(tmp_path):
    dtd = _ods(tmp_path / "dtd.ods", f"<table:table-row>{VALUE}</table:table-row>",
               content_prefix="")
    with zipfile.ZipFile(dtd, "a") as z:
        z.writestr("styles.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    assert _refusal(dtd) == "F_CORRUPT"
    locked = _ods(tmp_path / "locked.ods", f"<table:table-row>{VALUE}</table:table-row>",
                  manifest_extra='<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/>'
                                 '</manifest:file-entry>')
    assert _refusal(locked) == "F_ENCRYPTED"


@needs("soffice")
def test_an_xls_with_a_cell_far_out_is_refused_before_it_is_read(converted, tmp_path):
    import olefile

    data = bytearray(converted[("3601", "xls")].read_bytes())
    ole = olefile.OleFileIO(bytes(data))
    stream = ole.openstream("Workbook").read()
    ole.close()
    # The first number cell of a sheet moved to row 60,000: same size, a grid three times the limit.
    at = 0
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        if kind == 0x0203:
            break
        at += 4 + length
    where = data.find(stream[at:at + 18])
    assert where > 0
    struct.pack_into("<H", data, where + 4, 59_999)
    far = tmp_path / "far.xls"
    far.write_bytes(bytes(data))
    assert _refusal(far) == "F_TOO_LARGE"
    assert check_container(converted[("3601", "xls")], DEFAULT_LIMITS) == []


def test_an_xlsb_is_refused_with_how_to_save_it_and_its_district_is_told(setup, period, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "2566-08_3605_หนองบัวแดง.xlsb", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    sub = read_submission(inbox / "2566-08_3605_หนองบัวแดง.xlsb", setup, period)
    assert [p.rule_id for p in sub.problems] == ["F_SAVE_AS_XLSX"] and sub.district_code == "3605"
    fix = sub.problems[0].fix_th
    assert all(word in fix for word in ("Excel", "LibreOffice", "WPS Office", ".xlsx"))
    result = run_month(setup, period, inbox, tmp_path / "out", MADE_ON)
    assert {d.district_code: d.report for d in result.summary.districts}["3605"] == REJECTED
    assert [p.name for p in (tmp_path / "out" / "feedback").iterdir()] == ["feedback_3605_2566-08_หนองบัวแดง.xlsx"]


def test_a_file_of_no_district_named_is_not_given_to_one(setup, period, tmp_path):
    (tmp_path / "report 3601 and 3602.xlsb").write_bytes(b"not a workbook at all")
    (tmp_path / "เมือง.xlsx").write_bytes(b"not a workbook at all")  # no district's whole name
    for name in ("report 3601 and 3602.xlsb", "เมือง.xlsx"):
        sub = read_submission(tmp_path / name, setup, period)
        assert sub.district_code is None and [p.rule_id for p in sub.problems] == ["F_NOT_XLSX"]
