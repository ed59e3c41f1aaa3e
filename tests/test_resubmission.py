"""A district's files of one month (issue 11, defects 5 and 11): the same file sent twice is one
submission received at its first sighting; a file replaced by a later one needs nothing and says so;
a district gets one current feedback workbook, named for it."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, datetime

from openpyxl import load_workbook

from generator.outputs.feedback import PROBLEMS_SHEET
from generator.store.history import HistoryStore
from generator.pipeline import run_month
from generator.core.statuses import EXIT_OK, EXIT_REJECTED
from generator.outputs.render_pdf import _attention_files
from generator.core.statuses import ACCEPTED, REJECTED, SUPERSEDED

MADE_ON = date(2023, 8, 25)
NOW = datetime(2023, 8, 26, 9, 0)


def _at(path, day: date):
    stamp = datetime(day.year, day.month, day.day, 10, 0).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _listing(path) -> list[tuple]:
    return [r for r in load_workbook(path)[PROBLEMS_SHEET].iter_rows(min_row=5, values_only=True) if r[0]]


def _run(setup, period, inbox, out, store_path=None):
    if store_path is None:
        return run_month(setup, period, inbox, out, MADE_ON, now=NOW)
    with HistoryStore.open(store_path, setup.province_code) as store:
        return run_month(setup, period, inbox, out, MADE_ON, now=NOW, store=store)


def test_two_identical_copies_of_a_file_with_warnings_are_one_submission(filled, setup, period, tmp_path):
    # The demo's case: a file with warnings and "copy (1).xlsx" of it, as a second download gives.
    original = filled("3612", {(1, "loans_baht"): "12,000 บาท"}, name="2566-08_3612_แก้งคร้อ.xlsx")
    shutil.copy2(original, original.with_name("copy (1).xlsx"))
    result = _run(setup, period, tmp_path / "inbox", tmp_path / "out")
    assert [(f.file, f.status, f.copies) for f in result.summary.files] == [
        ("2566-08_3612_แก้งคร้อ.xlsx", ACCEPTED, ("copy (1).xlsx",))]
    assert result.exit_code == EXIT_OK
    written = sorted(p.name for p in (tmp_path / "out" / "feedback").iterdir())
    assert written == ["feedback_3612_2566-08_แก้งคร้อ.xlsx"]
    record = json.loads(result.outputs["json"].read_text(encoding="utf-8"))
    assert [(f["file"], f["copies"]) for f in record["files"]] == [("2566-08_3612_แก้งคร้อ.xlsx", ["copy (1).xlsx"])]
    assert sum(p["rule_id"] == "VALUE_INTERPRETED" for p in record["problems"]) == 1  # listed once, not per copy


def test_identical_copies_keep_the_earliest_arrival_and_a_rerun_changes_nothing(filled, setup, period, tmp_path):
    # Due on 20 August: the first copy came on the 15th, the second download on the 25th.
    inbox = tmp_path / "inbox"
    first = _at(filled("3601", name="a.xlsx"), date(2023, 8, 15))
    _at(shutil.copy(first, inbox / "a (1).xlsx"), date(2023, 8, 25))
    store = tmp_path / "store.sqlite"
    one = _run(setup, period, inbox, tmp_path / "out", store)
    timeliness = dict(zip(one.summary.month_reporting["district_code"], one.summary.month_reporting["status"]))
    assert timeliness["3601"] == "on_time"
    assert [(f.file, f.received_on) for f in one.summary.files] == [("a.xlsx", date(2023, 8, 15))]
    record = one.outputs["json"].read_bytes()
    with HistoryStore.open(store, setup.province_code) as s:
        rows = s.dump()
    assert [(r[2], r[4]) for r in rows["files"]] == [("a.xlsx", "2023-08-15T10:00:00")]
    two = _run(setup, period, inbox, tmp_path / "out", store)
    assert two.outputs["json"].read_bytes() == record
    with HistoryStore.open(store, setup.province_code) as s:
        assert s.dump() == rows


def test_a_rejected_file_replaced_by_an_accepted_one_needs_nothing(filled, setup, period, tmp_path):
    inbox = tmp_path / "inbox"
    _at(filled("3602", {(0, "members"): -1}, name="first try.xlsx"), date(2023, 8, 10))
    _at(filled("3602", name="corrected.xlsx"), date(2023, 8, 12))
    result = _run(setup, period, inbox, tmp_path / "out")
    status = {f.file: f.status for f in result.summary.files}
    assert status == {"first try.xlsx": SUPERSEDED, "corrected.xlsx": ACCEPTED}
    assert result.exit_code == EXIT_OK  # every district that sent has an accepted file
    assert _attention_files(result.summary) == []  # nothing to follow up
    # One workbook for the district: its first try was not used, nothing needs sending.
    written = sorted(p.name for p in (tmp_path / "out" / "feedback").iterdir())
    assert written == ["feedback_3602_2566-08_" + setup.district_name("3602") + ".xlsx"]
    path = tmp_path / "out" / "feedback" / written[0]
    sheet = load_workbook(path)[PROBLEMS_SHEET]
    assert "ไม่ต้องส่งไฟล์" in sheet["A2"].value and "corrected.xlsx" in sheet["A1"].value
    rows = _listing(path)
    replaced = [r for r in rows if r[7] == "F_DUPLICATE_DISTRICT"]
    assert len(replaced) == 1 and "first try.xlsx" in replaced[0][5] and "corrected.xlsx" in replaced[0][5]
    assert replaced[0][6] == "ไม่ต้องส่งไฟล์ใหม่"
    assert not [r for r in rows if r[7] == "VALUE_NEGATIVE"]  # the old file's errors are not asked again


def test_a_district_with_several_rejected_files_gets_one_workbook_about_the_latest(filled, setup, period, tmp_path):
    inbox = tmp_path / "inbox"
    _at(filled("3605", {(0, "members"): -1}, name="one.xlsx"), date(2023, 8, 10))
    _at(filled("3605", {(1, "members"): -2}, name="two.xlsx"), date(2023, 8, 12))
    result = _run(setup, period, inbox, tmp_path / "out")
    assert {f.file: f.status for f in result.summary.files} == {"one.xlsx": SUPERSEDED, "two.xlsx": REJECTED}
    assert result.exit_code == EXIT_REJECTED
    assert [f.file for f in _attention_files(result.summary)] == ["two.xlsx"]
    written = list((tmp_path / "out" / "feedback").iterdir())
    assert len(written) == 1 and written[0].name.startswith("feedback_3605_2566-08_")
    rows = _listing(written[0])
    assert {r[7] for r in rows} >= {"VALUE_NEGATIVE", "F_REPLACED_BY_NEWER"}
    assert "two.xlsx" in load_workbook(written[0])[PROBLEMS_SHEET]["A1"].value


def test_a_later_rejected_file_is_followed_up_while_the_earlier_accepted_one_counts(filled, setup, period, tmp_path):
    inbox = tmp_path / "inbox"
    _at(filled("3603", name="good.xlsx"), date(2023, 8, 10))
    _at(filled("3603", {(0, "members"): -1}, name="bad correction.xlsx"), date(2023, 8, 12))
    result = _run(setup, period, inbox, tmp_path / "out")
    assert {f.file: f.status for f in result.summary.files} == {"good.xlsx": ACCEPTED, "bad correction.xlsx": REJECTED}
    reports = {d.district_code: d.report for d in result.summary.districts}
    assert reports["3603"] == ACCEPTED and result.exit_code == EXIT_REJECTED
    note = [p for p in result.summary.problems if p.rule_id == "F_EARLIER_FILE_USED"]
    assert [(p.file, p.value) for p in note] == [("bad correction.xlsx", "good.xlsx")]
