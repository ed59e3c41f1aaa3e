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

from generator.intake.submission import read_submission
from generator.intake.safe import open_workbook
from generator.intake.limits import DEFAULT_LIMITS, Limits
from generator.checks.validation import validate_submission
from generator.core.values import read_text
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


def test_the_setup_workbook_is_read_the_same_careful_way(setup_path, tmp_path):
    from generator.core.model import SetupInvalid
    from generator.intake.setup_workbook import load_setup

    for doctype in (BILLION_LAUGHS, EXTERNAL_ENTITY):
        bad = rewrite(setup_path, tmp_path / "setup_dtd.xlsx",
                      lambda n, d: with_doctype(d, doctype) if n == "xl/workbook.xml" else d)
        with pytest.raises(SetupInvalid) as caught:
            load_setup(bad)
        assert [p.rule_id for p in caught.value.problems] == ["F_CORRUPT"]


def test_the_libraries_underneath_do_not_expand_entities_either(valid, tmp_path):
    """Defence in depth: if a DTD got past the container check, python-calamine and openpyxl
    (which the feedback copy uses, with defusedxml installed) still refuse to expand it."""
    import defusedxml
    from python_calamine import CalamineWorkbook

    from generator.outputs.feedback import _open_own_copy

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
        "rows": (Limits(max_rows=20), "more than 20 rows"),
        "cols": (Limits(max_cols=5), "more than 5 columns"),
        "cells": (Limits(max_cells=500), "cells"),
        "chars": (Limits(max_text_chars=1_000), "1,000 characters"),
    }
    for name, (limits, word) in cases.items():
        rules, sub = _rules(valid, setup, period, limits)
        assert rules == ["F_TOO_LARGE"], name
        assert word in sub.problems[0].message_en, name
    ratio = with_sheet(valid, tmp_path / "zeros.xlsx", sheet(b"<row r='1'><c r='A1' t='inlineStr'><is><t>"
                                                               + b"0" * 3_000_000 + b"</t></is></c></row>"))
    assert _rules(ratio, setup, period)[0] == ["F_TOO_LARGE"]
    # (3 million characters of text: past the `chars` limit as well)
    assert "F_TOO_LARGE" not in _rules(ratio, setup, period, Limits(max_ratio=100_000, max_text_chars=5_000_000))[0]


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
    assert rules == ["F_XML_ENCODING"] and "UTF-8" in sub.problems[0].message_en  # one rule for every encoding


def test_reading_memory_stays_bounded(valid, setup_path, period, tmp_path):
    """Peak memory while reading hostile files, measured in a child process (ru_maxrss): a million
    rows, a sheet 16,384 columns wide, a zip bomb, a sheet without cell references, and the largest
    sheet the default limits let through. docs/security.md documents the bound: 64 MiB above the program."""
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
    # Feedback only for the district (3605) known from the wrong-period files: one workbook, about its latest.
    assert len(written) == 4 and written[0] == "feedback/feedback_3605_2566-08_หนองบัวแดง.xlsx", written
    assert {f.status for f in result.summary.files if f.file != "3601.xlsx"} == {"rejected", "superseded"}


# --- writing: free text from districts and the setup reaches the outputs as text only -------------

HTML_ATTACKS = ('<img src="file:///etc/passwd">', '<link rel=stylesheet href="http://127.0.0.1:{port}/x.css">',
                '</td></tr></table>', '<script>document.write("owned")</script>',
                '<span style="background: url(http://127.0.0.1:{port}/bg.png)">styled</span>',
                '<object data="file:///etc/hostname"></object>', '<iframe src="data:text/html,<b>x</b>">')
FORMULA_ATTACKS = ('=HYPERLINK("http://127.0.0.1:9/","click")', "+1+1", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1",
                   "=cmd|' /C calc'!A0", "line\x0bbreak", "bell\x07", "_x0041_ literal")


@pytest.fixture(scope="module")
def listener():
    """A TCP port on 127.0.0.1 that records any connection made to it."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _connections(server) -> int:
    n = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return n
        conn.close()
        n += 1


@pytest.fixture(scope="module")
def hostile_month(tmp_path_factory, listener):
    """A month in which the setup and two districts' files carry HTML and formulas in every
    free-text field: village and officer names (setup), group names, remarks, typed officers,
    unreadable values, and file names. 3601 is accepted, 3602 rejected."""
    import dataclasses
    from datetime import date

    from generator.samples.demo import DEMO_PERIOD, chaiyaphum_setup, fill_workbook, simulated_groups
    from generator.outputs.district_template import write_district_workbook
    from generator.pipeline import run_month
    from generator.intake.setup_workbook import load_setup
    from generator.outputs.setup_template import write_setup_workbook
    from generator.outputs.xlsx import put

    port = listener.getsockname()[1]
    html = [a.format(port=port) for a in HTML_ATTACKS]
    folder = tmp_path_factory.mktemp("hostile")
    base = chaiyaphum_setup()
    groups = simulated_groups(base, "3601", DEMO_PERIOD)
    new = groups.index[pd_to_date(groups["founded_on"]) >= date(2023, 1, 1)][0]
    groups.loc[new, "founded_on"] = date(2023, 8, 10)  # founded this month: listed in the PDF
    village = groups.loc[new, "village_code"]
    villages = base.villages.copy()
    villages.loc[villages["village_code"] == village, "village_name"] = "บ้าน" + html[0] + html[2]
    officers = base.officers.copy()
    first_officer = officers.index[officers["district_code"] == "3601"][0]
    old_name = officers.loc[first_officer, "officer_name"]
    officers.loc[first_officer, "officer_name"] = "นาง" + html[1] + FORMULA_ATTACKS[0]
    groups.loc[groups["officer"] == old_name, "officer"] = officers.loc[first_officer, "officer_name"]
    setup_path = write_setup_workbook(folder / "setup.xlsx",
                                      dataclasses.replace(base, villages=villages, officers=officers))
    setup = load_setup(setup_path)

    texts = {(int(new), "group_name"): "กลุ่ม" + "".join(html), (int(new), "remarks"): "".join(html)}
    free = [i for i in range(len(groups)) if i != new]
    for attack, i in zip(FORMULA_ATTACKS, free):
        texts[(i, "group_name")] = attack
        texts[(i, "remarks")] = attack
    texts[(free[len(FORMULA_ATTACKS)], "officer")] = "@ผู้ใหญ่บ้าน\x07"  # not an officer: a warning, so 3601 gets feedback
    inbox = folder / "inbox"

    def write(code, frame, name, typed_text):
        path = fill_workbook(write_district_workbook(setup, DEMO_PERIOD, code, folder / f"t{code}.xlsx"), frame,
                             inbox / name)
        wb = load_workbook(path)
        ws = wb["กลุ่มออมทรัพย์"]
        from generator.outputs.district_template import HEADER_ROW
        from generator.core.schema import GROUPS

        for (i, key), value in typed_text.items():  # typed as text, as a person would
            put(ws, HEADER_ROW + 1 + i, GROUPS.keys.index(key) + 1, value)
        wb.save(path)
        return path

    accepted = write("3601", groups, '=HYPERLINK("x")<img src=x>.xlsx', texts)
    g2 = simulated_groups(setup, "3602", DEMO_PERIOD)
    rejected_text = {(0, "members"): html[3], (1, "officer"): html[4] + FORMULA_ATTACKS[1],
                     (2, "members"): FORMULA_ATTACKS[0], (3, "savings_baht"): FORMULA_ATTACKS[5],
                     (4, "group_name"): html[5] + html[6]}
    rejected = write("3602", g2, "+3602.xlsx", rejected_text)
    result = run_month(setup, DEMO_PERIOD, inbox, folder / "out", date(2023, 8, 25))
    return {"result": result, "html": html, "setup": setup, "accepted": accepted, "rejected": rejected,
            "connections": _connections(listener), "groups": groups, "texts": texts}


def pd_to_date(series):
    import pandas as pd

    return pd.to_datetime(series).dt.date


def test_html_in_every_free_text_field_prints_as_text_and_nothing_is_fetched(hostile_month, listener, monkeypatch):
    import subprocess

    result = hostile_month["result"]
    reports = {d.district_code: d.report for d in result.summary.districts}
    assert reports["3601"] == "accepted" and reports["3602"] == "rejected"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(result.outputs["pdf"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for attack in hostile_month["html"]:
        assert "".join(attack.split()) in flat, attack  # printed literally, character for character
    assert "owned" not in flat.replace('document.write("owned")', "")  # the script did not run
    assert "root:x:0:0" not in text
    assert hostile_month["connections"] == 0 and _connections(listener) == 0


def test_the_fetcher_is_asked_only_for_its_own_assets(hostile_month, tmp_path, monkeypatch):
    """Render the hostile month's PDF again with the fetcher instrumented: WeasyPrint never even
    asks for a URL from the data, and would be refused if it did."""
    from generator.outputs import pdf_engine, render_pdf

    asked = []
    original = pdf_engine.AssetFetcher.fetch

    def recording(self, url, headers=None):
        asked.append(str(url))
        return original(self, url, headers)

    monkeypatch.setattr(pdf_engine.AssetFetcher, "fetch", recording)
    pdf_engine._style.cache_clear()  # the stylesheet and fonts are fetched again, through the recorder
    try:
        render_pdf.write_pdf(hostile_month["result"].summary, tmp_path / "again.pdf")
    finally:
        pdf_engine._style.cache_clear()
    allowed = {p.as_uri() for p in pdf_engine.AssetFetcher().allowed}
    assert asked and set(asked) <= allowed, set(asked) - allowed
    fetcher = pdf_engine.AssetFetcher()
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/x.css", "https://example.org/x.css",
                "data:text/css,body{}", "ftp://example.org/x", (pdf_engine.font_dir() / ".." / ".." / "x").as_uri(),
                "file://otherhost" + sorted(allowed)[0][7:]):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def _cells(path: Path):
    """Every cell of every sheet (hidden ones too), through openpyxl: (sheet, cell)."""
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws.title, cell


def _values_by_calamine(path: Path) -> set:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {v for name in wb.sheet_names for row in wb.get_sheet_by_name(name).to_python() for v in row}


def test_formulas_in_free_text_are_written_as_text_in_every_excel_output(hostile_month):
    from openpyxl.utils.escape import unescape

    result = hostile_month["result"]
    summary = result.outputs["excel"]
    feedback_accepted = result.outputs['feedback:=HYPERLINK("x")<img src=x>.xlsx']
    feedback_rejected = result.outputs["feedback:+3602.xlsx"]
    names = ['=HYPERLINK("x")<img src=x>.xlsx', "+3602.xlsx"]
    # Each output, the free text that must be in it as a whole cell, and the file names that
    # must be in it (whole, or inside a title).
    expected = {
        summary: (set(FORMULA_ATTACKS) | {"@ผู้ใหญ่บ้าน\x07"}, names),
        feedback_accepted: (set(FORMULA_ATTACKS) | {"@ผู้ใหญ่บ้าน\x07"}, names[:1]),
        feedback_rejected: ({FORMULA_ATTACKS[0], FORMULA_ATTACKS[5], hostile_month["html"][4] + FORMULA_ATTACKS[1]},
                            names[1:]),
    }
    for path, (texts, files) in expected.items():
        values = _values_by_calamine(path)
        for attack in texts:
            forms = {attack, read_text(attack).value}  # as typed, or as the reader cleaned it
            assert forms & values, (path.name, attack)
        for name in files:
            assert any(isinstance(v, str) and name in v for v in values), (path.name, name)
        wanted = {f for a in texts for f in (a, read_text(a).value)} | set(files)
        found = 0
        for sheet, cell in _cells(path):
            text = unescape(cell.value) if isinstance(cell.value, str) else cell.value
            if text in wanted:
                found += 1
                assert cell.data_type == "s", (path.name, sheet, cell.coordinate, text)
            elif cell.data_type == "f":
                # The district's own copy keeps its village lookups; nothing else is a formula.
                assert cell.value.startswith("=IFERROR(VLOOKUP("), (path.name, sheet, cell.coordinate, cell.value)
        assert found >= len(texts), path.name


# --- a district's feedback holds that district's data and nothing of any other's ------------------

def test_a_feedback_workbook_holds_only_its_own_district(filled, setup, period, tmp_path):
    from datetime import date

    from generator.samples.demo import simulated_groups
    from generator.pipeline import run_month

    inbox = tmp_path / "inbox"
    codes = ["3601", "3602", "3603", "3604", "3605"]
    # Each mistake carries its district's code, so a problem listed in the wrong file shows.
    mistakes = {"3601": {(2, "members"): "ไม่ทราบ-3601"}, "3602": {(1, "officer"): "ผู้ช่วยพัฒนากร-3602"},
                "3603": {(0, "members"): "หลายคน-3603", (3, "founded_on"): "ไม่ทราบ-3603"},
                "3604": {(1, "village_code"): "3604xx"}, "3605": {}}
    for code in codes:
        groups = simulated_groups(setup, code, period)
        groups["group_name"] = [f"กลุ่มทดสอบ{code}-{i}" for i in range(len(groups))]
        groups["remarks"] = f"หมายเหตุของอำเภอ{code}"
        filled(code, typed=mistakes[code], groups=groups, folder=inbox)
    result = run_month(setup, period, inbox, tmp_path / "out", date(2023, 8, 25))
    feedback = {k.split(":", 1)[1]: p for k, p in result.outputs.items() if k.startswith("feedback:")}
    assert sorted(feedback) == ["3601.xlsx", "3602.xlsx", "3603.xlsx", "3604.xlsx"]

    def markers(code):
        """What only district `code` has: group names, remarks, code, village codes, officers, name."""
        villages = setup.villages.loc[setup.villages["district_code"] == code, "village_code"]
        officers = setup.officers.loc[setup.officers["district_code"] == code, "officer_name"]
        return ([f"กลุ่มทดสอบ{code}-", f"หมายเหตุของอำเภอ{code}", setup.district_name(code)]
                + list(villages) + list(officers)), re.compile(rf"(?<!\d){code}(?!\d)")

    for name, path in feedback.items():
        own = name[:4]
        with zipfile.ZipFile(path) as z:  # every part: hidden sheets, defined names, comments, tables, _meta
            text = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        assert f"กลุ่มทดสอบ{own}-" in text and f"หมายเหตุของอำเภอ{own}" in text  # its own data is there
        for other in codes:
            if other == own:
                continue
            words, code_re = markers(other)
            leaked = [w for w in words if w in text]
            assert not leaked, (name, other, leaked[:5])
            assert not code_re.search(text), (name, other, text[max(0, code_re.search(text).start() - 80):][:160])


def test_a_value_the_reader_cannot_convert_names_its_row_and_does_not_stop_the_run(valid, filled, setup, period,
                                                                                   tmp_path):
    """python-calamine panics (a BaseException) on -1e15 in a cell formatted as a duration, and
    raises OverflowError on 1e15: either is this file's problem, with its row, not the run's."""
    from datetime import date, timedelta

    from generator.pipeline import run_month

    inbox = tmp_path / "inbox"
    filled("3601", folder=inbox)
    for name, number in (("panic.xlsx", -1e15), ("overflow.xlsx", 1e15)):
        wb = load_workbook(valid)
        ws = wb["กลุ่มออมทรัพย์"]
        ws["F8"].value = timedelta(days=3)  # gives the cell a [hh]:mm:ss format
        ws["F8"].value = number
        wb.save(inbox / name)
        rules, sub = _rules(inbox / name, setup, period)
        assert rules == ["F_CORRUPT"] and "row 8" in sub.problems[0].message_en, name
        assert "แถว 8" in sub.problems[0].message_th
    result = run_month(setup, period, inbox, tmp_path / "out", date(2023, 8, 25))
    reports = {d.district_code: d.report for d in result.summary.districts}
    assert reports["3601"] == "accepted" and reports["3605"] == "rejected"


def test_a_cell_longer_than_excel_allows_is_refused(valid, setup, period, tmp_path):
    """Excel holds at most 32,767 characters in a cell: a longer one was not typed, and would go
    on into the PDF (where one long name took seconds to lay out) and the summary."""
    def long_name(n, d):
        return d.replace("กลุ่มออมทรัพย์เพื่อการผลิตบ้าน".encode(), ("ก" * 40_000).encode(), 1) if n == GROUPS_SHEET else d

    rules, sub = _rules(rewrite(valid, tmp_path / "long.xlsx", long_name), setup, period)
    assert rules == ["F_TOO_LARGE"] and "32,767" in sub.problems[0].message_en
    assert sub.problems[0].sheet == "กลุ่มออมทรัพย์" and sub.problems[0].cell == "D6"
    fine = rewrite(valid, tmp_path / "fine.xlsx", lambda n, d: d.replace(
        "กลุ่มออมทรัพย์เพื่อการผลิตบ้าน".encode(), ("ก" * 32_000).encode(), 1) if n == GROUPS_SHEET else d)
    assert "F_TOO_LARGE" not in _rules(fine, setup, period)[0]


def test_a_picture_in_a_returned_file_is_not_decoded_for_the_feedback_copy(valid, tmp_path):
    """A 26 kB compressed TIFF of 12,000 × 12,000 pixels, put where a district's logo would be:
    openpyxl re-encoded it as PNG when saving the feedback copy (hundreds of MiB). The copy now
    carries the district's cells, not its pictures or charts."""
    import io
    import json
    import subprocess
    import sys

    from openpyxl.drawing.image import Image as SheetImage
    from PIL import Image

    from tests.hostile import ROOT

    wb = load_workbook(valid)
    small = io.BytesIO()
    Image.new("RGB", (4, 4)).save(small, format="PNG")
    small.seek(0)
    wb["กลุ่มออมทรัพย์"].add_image(SheetImage(small), "N2")
    with_picture = tmp_path / "picture.xlsx"
    wb.save(with_picture)
    huge = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(huge, format="TIFF", compression="tiff_deflate")
    bomb = rewrite(with_picture, tmp_path / "picture_bomb.xlsx",
                   lambda n, d: huge.getvalue() if n.startswith("xl/media/") else d)
    assert len(huge.getvalue()) < 100_000
    child = r"""
import json, sys, warnings
sys.path.insert(0, sys.argv[1])
warnings.simplefilter("ignore")
from pathlib import Path
from generator.outputs.feedback import write_feedback
def kib(field):
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith(field + ":"))
base = kib("VmRSS")
write_feedback(Path(sys.argv[2]), [], Path(sys.argv[3]), "t")
print(json.dumps({"peak_mib": (kib("VmHWM") - base) / 1024}))
"""
    out = tmp_path / "feedback.xlsx"
    proc = subprocess.run([sys.executable, "-c", child, str(ROOT), str(bomb), str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-1000:]
    assert json.loads(proc.stdout)["peak_mib"] < 64
    with zipfile.ZipFile(out) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/media/")]
    assert load_workbook(out)["กลุ่มออมทรัพย์"]["D6"].value  # the district's cells are all there
