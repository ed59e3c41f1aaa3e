"""Hostile input and data safety: nothing gets in, nothing leaks, nothing is lost.

Reading: entity expansion refused by every XML reader the tool uses, zip bombs refused from the
directory, the sheet extent measured the way the reader will see it, memory bounded, macros and
external links reported and never followed. Writing: see the second half of this module.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from generator.intake import read_submission
from generator.reading import DEFAULT_LIMITS, Limits, open_workbook
from generator.validation import validate_submission
from tests.hostile import (BILLION_LAUGHS, EXTERNAL_ENTITY, FAR, GROUPS_SHEET, dense_sheet, lying_directory,
                           read_in_child, rewrite, sheet, with_doctype, with_sheet, zip_bomb)


@pytest.fixture
def valid(filled, tmp_path) -> Path:
    return filled("3605", folder=tmp_path / "valid")


def _rules(path, setup, period, limits=DEFAULT_LIMITS):
    sub = read_submission(path, setup, period, limits)
    return [p.rule_id for p in sub.problems], sub


# --- XML: no entity is ever expanded, by any of the readers ---------------------------------------

def _xml_parts(valid: Path) -> list[str]:
    with zipfile.ZipFile(valid) as z:
        return [n for n in z.namelist() if n.endswith((".xml", ".rels", ".vml"))]


@pytest.mark.parametrize("doctype", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion_laughs", "external_entity"])
def test_a_dtd_in_any_xml_part_is_refused_before_parsing(valid, setup, period, tmp_path, doctype):
    parts = _xml_parts(valid)
    assert GROUPS_SHEET in parts
    assert len(parts) >= 10  # content types, rels, workbook, sheets, styles, comments, tables, VML
    for part in parts:
        bad = rewrite(valid, tmp_path / f"dtd_{part.replace('/', '_')}.xlsx",
                      lambda n, d: with_doctype(d, doctype) if n == part else d)
        rules, sub = _rules(bad, setup, period)
        assert rules == ["F_CORRUPT"], (part, rules)
        assert "DTD" in sub.problems[0].message_en, part
        assert sub.table is None


def test_the_libraries_underneath_do_not_expand_entities_either(valid, tmp_path):
    """Defence in depth: if a DTD got past the container check, python-calamine and openpyxl
    (which the feedback copy uses, with defusedxml installed) still refuse to expand it."""
    import defusedxml
    from python_calamine import CalamineWorkbook

    from generator.feedback import _open_own_copy

    def entity_sheet(doctype, ref):
        return with_doctype(sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + ref + b"</t></is></c></row>"), doctype)

    laughs = with_sheet(valid, tmp_path / "laughs.xlsx", entity_sheet(BILLION_LAUGHS, b"&lol9;"))
    xxe = with_sheet(valid, tmp_path / "xxe.xlsx", entity_sheet(EXTERNAL_ENTITY, b"&xxe;"))
    for path in (laughs, xxe):
        wb = CalamineWorkbook.from_path(str(path))
        try:
            rows = wb.get_sheet_by_name("กลุ่มออมทรัพย์").to_python()
        except Exception:
            rows = []
        text = repr(rows)
        assert "lollollol" not in text and "root:" not in text
        assert _open_own_copy(path) is None  # openpyxl + defusedxml: EntitiesForbidden, the list alone goes back
    assert defusedxml.__version__


# --- zip bombs: refused from the directory, before anything is expanded -------------------------

def test_zip_bombs_refused_by_total_size_and_by_ratio(setup, period, tmp_path):
    rules, sub = _rules(zip_bomb(tmp_path / "bomb.xlsx", megabytes=300), setup, period)
    assert rules == ["F_TOO_LARGE"] and "unpacked" in sub.problems[0].message_en
    rules, sub = _rules(zip_bomb(tmp_path / "small_bomb.xlsx", megabytes=50), setup, period)
    assert rules == ["F_TOO_LARGE"] and ":1" in sub.problems[0].message_en


def test_sizes_are_taken_from_the_directory_before_expanding(valid, setup, period, tmp_path):
    # The packed bytes are garbage: expanding them would fail as 'damaged'. 'Too large' proves
    # the refusal came from the directory alone.
    total = lying_directory(valid, tmp_path / "total.xlsx", GROUPS_SHEET, 3_000_000_000)
    assert _rules(total, setup, period)[0] == ["F_TOO_LARGE"]
    ratio = lying_directory(valid, tmp_path / "ratio.xlsx", GROUPS_SHEET, 50_000_000)
    rules, sub = _rules(ratio, setup, period)
    assert rules == ["F_TOO_LARGE"] and ":1" in sub.problems[0].message_en


def test_each_limit_is_configurable(valid, setup, period, tmp_path):
    assert _rules(valid, setup, period)[0] == []
    size = valid.stat().st_size
    cases = {
        "file_mb": (Limits(max_file_bytes=size - 1), "bytes"),
        "unpacked": (Limits(max_unpacked_bytes=50_000), "unpacked"),
        "entries": (Limits(max_entries=5), "entries"),
        "rows": (Limits(max_rows=20), "×"),
        "cols": (Limits(max_cols=5), "×"),
        "cells": (Limits(max_cells=500), "cells"),
    }
    for name, (limits, word) in cases.items():
        rules, sub = _rules(valid, setup, period, limits)
        assert rules == ["F_TOO_LARGE"], name
        assert word in sub.problems[0].message_en, name
    ratio = with_sheet(valid, tmp_path / "zeros.xlsx", sheet(b"<row r='1'><c r='A1' t='inlineStr'><is><t>"
                                                               + b"0" * 3_000_000 + b"</t></is></c></row>"))
    assert _rules(ratio, setup, period)[0] == ["F_TOO_LARGE"]
    assert "F_TOO_LARGE" not in _rules(ratio, setup, period, Limits(max_ratio=100_000))[0]


def test_limits_parse_from_the_command_line_form():
    limits = Limits.parse(["rows=50000", "file_mb=40", "cells=300000"])
    assert (limits.max_rows, limits.max_file_bytes, limits.max_cells) == (50_000, 40 << 20, 300_000)
    for bad in (["rows=-1"], ["bogus=3"], ["rows"], ["rows=many"]):
        with pytest.raises(ValueError):
            Limits.parse(bad)


# --- the sheet's extent, as the reader will see it ----------------------------------------------

def _variants(valid: Path, tmp: Path) -> dict[str, Path]:
    """Ways of writing a sheet whose furthest cell is XFD1048576 (16384 columns × 1048576 rows:
    the reader allocates that whole grid) that a careless scan would not see."""
    far_single = FAR.replace(b'"', b"'")
    far_spaced = FAR.replace(b'r="', b'r = "')
    far_gt = FAR.replace(b'<c r="XFD1048576">', b'<c s=">" r="XFD1048576">')
    ten_digits = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="4000000000"><c r="A4000000000"><v>1</v></c></row>'

    def moved(n, d):
        if n == "xl/_rels/workbook.xml.rels":
            return d.replace(b"/xl/worksheets/sheet2.xml", b"/xl/media/sheet2.bin")
        return d

    out = {
        "single_quotes": with_sheet(valid, tmp / "single.xlsx", sheet(far_single)),
        "spaces_around_equals": with_sheet(valid, tmp / "spaced.xlsx", sheet(far_spaced)),
        "gt_inside_an_attribute": with_sheet(valid, tmp / "gt.xlsx", sheet(far_gt)),
        "ten_digit_row": with_sheet(valid, tmp / "tendigits.xlsx", sheet(ten_digits)),
        "sheet_outside_worksheets": rewrite(valid, tmp / "moved.xlsx", moved, extra={"xl/media/sheet2.bin": sheet(FAR)},
                                            drop=(GROUPS_SHEET,)),
    }
    # Two entries of the same name: the zip directory lists both, readers pick one.
    dup = tmp / "duplicate.xlsx"
    rewrite(valid, dup, extra={GROUPS_SHEET: sheet(FAR)})
    out["duplicate_entry"] = dup
    return out


def test_a_far_cell_is_found_however_the_xml_is_written(valid, setup_path, setup, period, tmp_path):
    variants = _variants(valid, tmp_path)
    results = read_in_child(list(variants.values()), setup_path, period)
    for (kind, path), result in zip(variants.items(), results):
        assert result["rules"] in (["F_TOO_LARGE"], ["F_CORRUPT"]), (kind, result)
        assert result["peak_mib"] < 64, (kind, result)


def test_file_names_do_not_choose_the_reader(valid, setup, period, tmp_path):
    """The reader is chosen by content: a workbook saved with another extension is still read as
    the .xlsx it is (and never handed to the ODS or XLSB reader on the strength of its name)."""
    for suffix in (".ods", ".xlsb", ".xls", ".txt", ""):
        renamed = tmp_path / f"3605{suffix}"
        renamed.write_bytes(valid.read_bytes())
        rules, sub = _rules(renamed, setup, period)
        assert rules == [] and sub.table is not None and len(sub.table.rows) > 0, suffix
    ods_inside = rewrite(valid, tmp_path / "ods_inside.xlsx", extra={"content.xml": b"<office:document-content/>",
                                                                    "mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    assert _rules(ods_inside, setup, period)[0] == ["F_NOT_XLSX"]


def test_utf16_xml_is_refused(valid, setup, period, tmp_path):
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?>' + sheet(FAR).decode()).encode("utf-16")
    path = with_sheet(valid, tmp_path / "utf16.xlsx", utf16)
    rules, sub = _rules(path, setup, period)
    assert rules == ["F_CORRUPT"] and "UTF-8" in sub.problems[0].message_en


def test_reading_memory_stays_bounded(valid, setup_path, period, tmp_path):
    """Peak memory while reading hostile files, measured in a child process (ru_maxrss): a million
    rows, a sheet 16,384 columns wide, a zip bomb, a sheet without cell references, and the largest
    sheet the default limits let through. README documents the bound: 64 MiB above the program."""
    million = with_sheet(valid, tmp_path / "million.xlsx", dense_sheet(1_000_000, 1))
    wide = with_sheet(valid, tmp_path / "wide.xlsx", dense_sheet(1, 16_384))
    no_refs = with_sheet(valid, tmp_path / "norefs.xlsx", dense_sheet(60_000, 3, with_refs=False))
    at_limit = with_sheet(valid, tmp_path / "atlimit.xlsx", dense_sheet(DEFAULT_LIMITS.max_cells // 100 - 20, 100))
    bomb = zip_bomb(tmp_path / "bomb.xlsx")
    results = read_in_child([million, wide, no_refs, bomb, at_limit], setup_path, period)
    by_name = {r["file"]: r for r in results}
    for name in ("million.xlsx", "wide.xlsx", "norefs.xlsx", "bomb.xlsx"):
        assert by_name[name]["rules"] == ["F_TOO_LARGE"], by_name[name]
    assert by_name["atlimit.xlsx"]["rules"] == ["F_NO_TABLE"]  # read whole, then no groups table in it
    for r in results:
        assert r["peak_mib"] < 64, r


# --- macros and external links: reported, never run or followed ----------------------------------

EXTERNAL_LINK_XML = (b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1">'
                     b'<sheetNames><sheetName val="x"/></sheetNames></externalBook></externalLink>')
EXTERNAL_LINK_RELS = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                      b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath"'
                      b' Target="file:///\\\\attacker\\share\\book.xlsx" TargetMode="External"/></Relationships>')


def _with_external_link(valid: Path, target: Path) -> Path:
    def change(n, d):
        if n == "xl/_rels/workbook.xml.rels":
            return d.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                             b'officeDocument/2006/relationships/externalLink" Target="externalLinks/externalLink1.xml"/>'
                             b"</Relationships>")
        if n == "xl/workbook.xml":
            return d.replace(b"</workbook>", b'<externalReferences><externalReference r:id="rId99"/></externalReferences></workbook>'
                             ) if b"externalReferences" not in d else d
        if n == "[Content_Types].xml":
            return d.replace(b"</Types>", b'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
                             b'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>')
        return d

    return rewrite(valid, target, change, extra={"xl/externalLinks/externalLink1.xml": EXTERNAL_LINK_XML,
                                                  "xl/externalLinks/_rels/externalLink1.xml.rels": EXTERNAL_LINK_RELS})


def test_external_links_are_reported_and_not_passed_on(valid, setup, period, tmp_path):
    from datetime import date

    from generator.pipeline import run_month

    inbox = tmp_path / "inbox"
    linked = _with_external_link(valid, inbox / "3605.xlsx")
    rules, sub = _rules(linked, setup, period)
    assert rules == ["F_EXTERNAL_LINKS"]
    assert validate_submission(sub, setup, period).accepted  # a warning: the figures are still read
    result = run_month(setup, period, inbox, tmp_path / "out", date(2023, 8, 25))
    feedback = result.outputs["feedback:3605.xlsx"]
    with zipfile.ZipFile(feedback) as z:  # the copy sent back does not carry the link
        assert not [n for n in z.namelist() if "externalLink" in n]
        assert all(b"attacker" not in z.read(n) for n in z.namelist())


def test_a_workbook_relation_to_an_outside_target_is_reported(valid, setup, period, tmp_path):
    connection = rewrite(valid, tmp_path / "conn.xlsx", lambda n, d: d.replace(
        b"</Relationships>", b'<Relationship Id="rId98" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/oleObject" Target="http://127.0.0.1:9/x.bin" TargetMode="External"/></Relationships>')
        if n == "xl/_rels/workbook.xml.rels" else d)
    assert _rules(connection, setup, period)[0] == ["F_EXTERNAL_LINKS"]
    # An ordinary hyperlink typed into a cell is not an external link to data.
    hyperlink = rewrite(valid, tmp_path / "hyper.xlsx", lambda n, d: d.replace(
        b"</Relationships>", b'<Relationship Id="rId97" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/hyperlink" Target="https://cdd.go.th/" TargetMode="External"/></Relationships>')
        if n == "xl/worksheets/_rels/sheet2.xml.rels" else d)
    assert _rules(hyperlink, setup, period)[0] == []


def test_macros_of_both_kinds_are_reported_and_not_run(valid, setup, period, tmp_path):
    vba = rewrite(valid, tmp_path / "vba.xlsm", extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 60})
    xlm = rewrite(valid, tmp_path / "xlm.xlsx", extra={"xl/macrosheets/sheet1.xml": sheet(
        b'<row r="1"><c r="A1"><f>EXEC("calc.exe")</f></c></row>')})
    for path in (vba, xlm):
        rules, sub = _rules(path, setup, period)
        assert rules == ["F_MACROS"], path.name
        assert validate_submission(sub, setup, period).accepted


# --- the command line: limits --------------------------------------------------------------------

def test_limits_can_be_set_on_the_command_line(valid, setup_path):
    from typer.testing import CliRunner

    from generator.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(valid), "--setup", str(setup_path)])
    assert ok.exit_code == 0, ok.output
    strict = runner.invoke(app, ["--lang", "en", "validate", str(valid), "--setup", str(setup_path), "--limit", "rows=20"])
    assert strict.exit_code == 1 and "far larger" in strict.output
    bad = runner.invoke(app, ["--lang", "en", "validate", str(valid), "--limit", "rows=lots"])
    assert bad.exit_code == 2 and "limit" in bad.output and "Traceback" not in bad.output


# --- paths: output names come only from codes the setup knows -------------------------------------

def _with_meta(valid: Path, target: Path, **changes) -> Path:
    wb = load_workbook(valid)
    ws = wb["_meta"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value in changes:
            row[1].value = changes[row[0].value]
            row[1].data_type = "s"
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def test_a_meta_that_claims_a_path_is_rejected_and_nothing_is_written_outside(valid, filled, setup, period, tmp_path):
    from datetime import date

    from generator.pipeline import run_month

    inbox = tmp_path / "inbox"
    filled("3601", folder=inbox)
    claims = {
        "district.xlsx": {"district_code": "../../x"},
        "district_abs.xlsx": {"district_code": "/tmp/x"},
        "district_thai_digits.xlsx": {"district_code": "๓๖๐๕"},
        "period.xlsx": {"period": "../2566-08"},
        "period_long.xlsx": {"period": "../" * 5000 + "2566-08"},
        "province.xlsx": {"province_code": "../36"},
    }
    expected = {"district.xlsx": "F_UNKNOWN_DISTRICT", "district_abs.xlsx": "F_UNKNOWN_DISTRICT",
                "district_thai_digits.xlsx": "F_UNKNOWN_DISTRICT", "period.xlsx": "F_OTHER_PERIOD",
                "period_long.xlsx": "F_OTHER_PERIOD", "province.xlsx": "F_OTHER_PROVINCE"}
    for name, change in claims.items():
        _with_meta(valid, inbox / name, **change)
    for name, rule_id in expected.items():
        sub = read_submission(inbox / name, setup, period)
        assert [p.rule_id for p in sub.problems] == [rule_id], name
        assert len(sub.problems[0].message_en) < 200 and len(sub.problems[0].message_th) < 300, name
        assert sub.table is None
    # Without a setup (`validate` alone) a code that is not plain ASCII digits is not taken as one.
    for name in ("district.xlsx", "district_abs.xlsx", "district_thai_digits.xlsx"):
        assert read_submission(inbox / name, None, None).district_code is None, name

    outside_before = sorted(p for p in tmp_path.rglob("*") if "out" not in p.relative_to(tmp_path).parts)
    out = tmp_path / "nest" / "out"
    result = run_month(setup, period, inbox, out, date(2023, 8, 25))
    outside_after = sorted(p for p in tmp_path.rglob("*") if p.relative_to(tmp_path).parts[:2] != ("nest", "out"))
    assert outside_after == sorted(outside_before + [tmp_path / "nest"])
    assert all(out.resolve() in p.resolve().parents for p in result.outputs.values())
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written[-3:] == ["report_36_2566-08.pdf", "result_36_2566-08.json", "summary_36_2566-08.xlsx"]
    # Feedback only for the files whose (known) district is 3605: the wrong-period ones.
    assert len(written) == 5 and all(re.fullmatch(r"feedback/feedback_3605_2566-08_[0-9a-f]{8}\.xlsx", w)
                                     for w in written[:2]), written
    assert {f.status for f in result.summary.files if f.file != "3601.xlsx"} == {"rejected"}
