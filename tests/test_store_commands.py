"""The commands around the history store (issue 11): one default store for every command, named in
what they say (defect 13); `history` never fails or prints NaN on a missing value (defect 10); a month
outside the setup's fiscal year is refused by templates, run and validate (defect 8)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from generator.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def said(result) -> str:
    """What a command printed, with the console's line wrapping undone."""
    return result.output.replace("\n", "")


@pytest.fixture
def own_setup(setup_path, tmp_path):
    folder = tmp_path / "province"
    folder.mkdir()
    return shutil.copy(setup_path, folder / "setup.xlsx")


def test_templates_after_run_with_out_find_the_store_run_wrote(filled, own_setup, tmp_path):
    filled("3601")
    ran = invoke("run", "--setup", own_setup, "--period", "2566-08", "--inbox", tmp_path / "inbox",
                 "--out", tmp_path / "out", "--made-on", "2023-08-25")
    store = tmp_path / "province" / "history_36.sqlite"
    assert ran.exit_code == 0 and store.is_file()
    assert str(store) in said(ran)  # the run says which store it wrote
    made = invoke("templates", "--setup", own_setup, "--period", "2566-09", "--out", tmp_path / "send")
    assert made.exit_code == 0, made.output
    assert "เติมข้อมูลกลุ่มที่ส่งล่าสุดให้ 1 อำเภอ" in said(made) and str(store) in said(made)
    shown = invoke("history", "--setup", own_setup, "--json")
    assert shown.exit_code == 0 and [f["file_name"] for f in json.loads(shown.stdout)["files"]] == ["3601.xlsx"]


def test_templates_without_a_store_say_which_path_they_looked_at(own_setup, tmp_path):
    made = invoke("templates", "--setup", own_setup, "--period", "2566-09", "--out", tmp_path / "send")
    assert made.exit_code == 0
    assert "ไม่พบฐานข้อมูลประวัติที่" in said(made)
    assert str(tmp_path / "province" / "history_36.sqlite") in said(made)


def test_a_store_left_in_the_output_folder_is_not_replaced_by_an_empty_one(own_setup, tmp_path):
    from generator.store.history import HistoryStore

    old = tmp_path / "out" / "history_36.sqlite"
    HistoryStore.open(old, "36").close()
    (tmp_path / "inbox").mkdir()
    ran = invoke("run", "--setup", own_setup, "--period", "2566-08", "--inbox", tmp_path / "inbox",
                 "--out", tmp_path / "out")
    assert ran.exit_code == 2 and "--store" in ran.output
    text = said(ran)
    assert str(old) in text and str(tmp_path / "province" / "history_36.sqlite") in text
    assert not (tmp_path / "province" / "history_36.sqlite").exists()


def test_history_lists_a_file_of_no_known_district_without_failing_or_nan(filled, own_setup, tmp_path):
    filled("3601")
    (tmp_path / "inbox" / "scan.xlsx").write_bytes(b"not a workbook")  # no district can be told from it
    ran = invoke("run", "--setup", own_setup, "--period", "2566-08", "--inbox", tmp_path / "inbox",
                 "--out", tmp_path / "out", "--made-on", "2023-08-25")
    assert ran.exit_code == 1
    listed = invoke("history", "--setup", own_setup, "--files")
    assert listed.exit_code == 0, listed.output
    assert "scan.xlsx" in said(listed) and "Traceback" not in said(listed)
    shown = invoke("history", "--setup", own_setup, "--json")
    assert shown.exit_code == 0 and "NaN" not in shown.stdout

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    record = json.loads(shown.stdout, parse_constant=refuse)
    scan = next(f for f in record["files"] if f["file_name"] == "scan.xlsx")
    assert scan["district_code"] is None and scan["status"] == "rejected"
    good = next(f for f in record["files"] if f["file_name"] == "3601.xlsx")
    assert good["first_error"] is None


@pytest.mark.parametrize("command", ["templates", "run"])
def test_a_month_outside_the_fiscal_year_is_refused_naming_the_year(command, own_setup, tmp_path):
    (tmp_path / "inbox").mkdir()
    extra = ("--inbox", tmp_path / "inbox") if command == "run" else ()
    r = invoke(command, "--setup", own_setup, "--period", "2567-11", "--out", tmp_path / "out", *extra)
    assert r.exit_code == 2
    assert "ปีงบประมาณ พ.ศ. 2566" in said(r) and "ปีงบประมาณ พ.ศ. 2568" in said(r)
    assert not (tmp_path / "out").exists()
    en = invoke("--lang", "en", command, "--setup", own_setup, "--period", "2023-10", "--out", tmp_path / "out",
                *extra)
    assert en.exit_code == 2 and "fiscal year 2566 BE" in said(en)


def test_validate_refuses_a_workbook_of_another_fiscal_year(setup, own_setup, tmp_path):
    from generator.outputs.district_template import write_district_workbook
    from generator.core.periods import Period

    other = write_district_workbook(setup, Period.parse("2566-10"), "3601", tmp_path / "next_year.xlsx")
    r = invoke("validate", other, "--setup", own_setup, "--json")
    assert r.exit_code == 1
    problems = json.loads(r.stdout)[0]["problems"]
    assert [p["rule_id"] for p in problems] == ["F_OUTSIDE_YEAR"]
    assert "ปีงบประมาณ พ.ศ. 2566" in problems[0]["message_th"]
