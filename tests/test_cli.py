"""The command line, as provincial and district staff use it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from generator.cli import app

runner = CliRunner()


@pytest.fixture
def own_setup(setup_path, tmp_path):
    """The demo setup in this test's own folder: the history store every command uses by default
    lies beside the setup workbook, and one test's store must not be another's."""
    import shutil

    return shutil.copy(setup_path, tmp_path / "setup.xlsx")


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_init_setup_writes_a_blank_workbook_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "setup.xlsx"
    assert invoke("init-setup", path).exit_code == 0 and path.exists()
    again = invoke("init-setup", path)
    assert again.exit_code == 2 and "--force" in again.output


def test_run_with_a_blank_setup_cannot_proceed_and_says_why_in_thai(tmp_path):
    invoke("init-setup", tmp_path / "s.xlsx")
    (tmp_path / "inbox").mkdir()
    result = invoke("run", "--setup", tmp_path / "s.xlsx", "--period", "2566-08", "--inbox", tmp_path / "inbox",
                    "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "ยังไม่มีข้อมูล" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_bad_period_and_missing_inbox_exit_2_in_english_too(own_setup, tmp_path):
    r = invoke("--lang", "en", "run", "--setup", own_setup, "--period", "2566-13", "--inbox", tmp_path)
    assert r.exit_code == 2 and "2566-03 (BE)" in r.output
    r = invoke("run", "--setup", own_setup, "--period", "2566-08", "--inbox", tmp_path / "nope")
    assert r.exit_code == 2 and "ไม่พบโฟลเดอร์" in r.output


def test_run_exit_status_is_0_when_all_pass_and_1_when_a_file_is_rejected(filled, own_setup, tmp_path):
    filled("3601")
    ok = invoke("run", "--setup", own_setup, "--period", "2566-08", "--inbox", tmp_path / "inbox",
                "--out", tmp_path / "out", "--made-on", "2023-08-21")
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "out" / "report_36_2566-08.pdf").exists()
    assert (tmp_path / "out" / "summary_36_2566-08.xlsx").exists()
    assert "ยังไม่ส่ง" in ok.output  # 15 districts did not report
    filled("3602", {(0, "members"): -5})
    bad = invoke("run", "--setup", own_setup, "--period", "2023-08", "--inbox", tmp_path / "inbox",
                 "--out", tmp_path / "out", "--made-on", "2023-08-21")
    assert bad.exit_code == 1
    assert (tmp_path / "out" / "feedback" / "feedback_3602_2566-08_บ้านเขว้า.xlsx").exists()
    assert "VALUE_NEGATIVE" in bad.output and "Traceback" not in bad.output
    record = json.loads((tmp_path / "out" / "result_36_2566-08.json").read_text(encoding="utf-8"))
    assert {f["file"]: f["status"] for f in record["files"]} == {"3601.xlsx": "accepted", "3602.xlsx": "rejected"}


def test_validate_reports_each_file_and_json_for_other_tools(filled, own_setup, tmp_path):
    good, bad = filled("3601"), filled("3602", {(1, "members"): 3.5})
    r = invoke("validate", good, bad, "--setup", own_setup, "--json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert [d["ok"] for d in data] == [True, False]
    assert [(p["rule_id"], p["cell"], p["rejects_file"]) for p in data[1]["problems"]] == [
        ("VALUE_NOT_WHOLE", "F7", True), ("H_NO_HISTORY", None, False)]  # a district's own check has no history


def test_validate_without_setup_still_checks_the_file(tmp_path):
    (tmp_path / "x.xlsx").write_text("not a workbook")
    r = invoke("validate", tmp_path / "x.xlsx")
    assert r.exit_code == 1 and "ไม่ใช่ไฟล์ Excel" in r.output


def test_rules_prints_the_catalogue():
    from generator.core.rules import CATALOGUE

    r = invoke("rules")
    assert r.exit_code == 0
    assert all(rule.id in r.output for rule in CATALOGUE)



def test_python_dash_m_generator_is_the_same_command():
    r = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "init-setup" in r.stdout


def test_an_output_folder_that_cannot_be_made_is_a_sentence_not_a_traceback(filled, own_setup, tmp_path):
    filled("3601")
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be")
    r = subprocess.run([sys.executable, "-m", "generator", "run", "--setup", str(own_setup), "--period", "2566-08",
                        "--inbox", str(tmp_path / "inbox"), "--out", str(blocker / "x")],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "เขียนหรืออ่านไฟล์ไม่ได้" in r.stderr


def test_the_store_remembers_each_month_and_history_shows_it(filled, own_setup, tmp_path):
    filled("3601")
    args = ("--setup", own_setup, "--period", "2566-08", "--inbox", tmp_path / "inbox", "--out", tmp_path / "out",
            "--made-on", "2023-08-21")
    assert invoke("run", *args, "--archive").exit_code == 0
    store = tmp_path / "history_36.sqlite"  # beside the setup workbook, whatever --out is
    assert store.exists() and not (tmp_path / "out" / "history_36.sqlite").exists()
    assert (tmp_path / "out" / "archive" / "2566-08" / "3601.xlsx").read_bytes() == \
        (tmp_path / "inbox" / "3601.xlsx").read_bytes()
    shown = invoke("history", "--setup", own_setup, "--store", store, "--json")
    assert shown.exit_code == 0
    record = json.loads(shown.stdout)
    statuses = {r["district_code"]: r["status"] for r in record["reports"]}
    assert len(statuses) == 16 and statuses["3602"] == "missing" and statuses["3601"] in ("on_time", "late")
    assert [f["file_name"] for f in record["files"]] == ["3601.xlsx"]
    table = invoke("history", "--setup", own_setup, "--store", store, "--files")
    assert "ไม่ส่ง" in table.output and "3601.xlsx" in table.output


def test_templates_are_pre_filled_from_the_store(filled, own_setup, tmp_path):
    from openpyxl import load_workbook

    filled("3601")
    store = tmp_path / "h.sqlite"
    invoke("run", "--setup", own_setup, "--period", "2566-08", "--inbox", tmp_path / "inbox",
           "--out", tmp_path / "out", "--store", store)
    made = invoke("templates", "--setup", own_setup, "--period", "2566-09", "--out", tmp_path / "t",
                  "--store", store)
    assert made.exit_code == 0 and "เติมข้อมูล" in made.output
    ws = load_workbook(next((tmp_path / "t").glob("2566-09_3601_*.xlsx")))["กลุ่มออมทรัพย์"]
    assert str(ws["A6"].value).startswith("3601") and len(str(ws["A6"].value)) == 10  # the group's code


def test_history_without_a_store_and_a_store_of_another_province_say_so(own_setup, tmp_path):
    r = invoke("history", "--setup", own_setup, "--store", tmp_path / "none.sqlite")
    assert r.exit_code == 2 and "ยังไม่มีฐานข้อมูลประวัติ" in r.output
    from generator.store.history import HistoryStore

    HistoryStore.open(tmp_path / "other.sqlite", "40").close()
    (tmp_path / "inbox").mkdir()
    r = invoke("run", "--setup", own_setup, "--period", "2566-08", "--inbox", tmp_path / "inbox",
               "--out", tmp_path / "out", "--store", tmp_path / "other.sqlite")
    assert r.exit_code == 2 and "เป็นของจังหวัดรหัส 40" in r.output and "Traceback" not in r.output


def test_run_writes_one_page_reports_for_the_districts_asked(filled, own_setup, tmp_path):
    from pypdf import PdfReader

    filled("3601")
    args = ["run", "--setup", own_setup, "--period", "2566-08", "--inbox", tmp_path / "inbox",
            "--made-on", "2023-08-21"]
    one = invoke(*args, "--out", tmp_path / "one", "--district", "3601", "--district", "3614")
    assert one.exit_code == 0, one.output
    pages = sorted((tmp_path / "one" / "districts").iterdir())
    assert [p.name for p in pages] == ["report_3601_2566-08.pdf", "report_3614_2566-08.pdf"]
    assert all(len(PdfReader(p).pages) == 1 for p in pages)
    every = invoke(*args, "--out", tmp_path / "all", "--per-district")
    assert every.exit_code == 0, every.output
    assert len(list((tmp_path / "all" / "districts").glob("report_36??_2566-08.pdf"))) == 16
    unknown = invoke(*args, "--out", tmp_path / "bad", "--district", "9999")
    assert unknown.exit_code == 2 and "9999" in unknown.output and "3601" in unknown.output
    assert "Traceback" not in unknown.output and not (tmp_path / "bad").exists()  # stopped before any work


def _command(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_a_setup_workbook_that_is_not_there_is_named_in_one_sentence(tmp_path):
    for command in (["run", "--period", "2566-08", "--inbox", tmp_path], ["templates", "--period", "2566-08",
                    "--out", tmp_path / "t"], ["history"], ["next-year", "--out", tmp_path / "n.xlsx"]):
        r = _command(command[0], "--setup", tmp_path / "nowhere.xlsx", *command[1:])
        assert r.returncode == 2, (command, r.stderr)
        assert "ไม่พบไฟล์" in r.stderr and "nowhere.xlsx" in r.stderr, (command, r.stderr)
        assert "ไม่คาดคิด" not in r.stderr and "Traceback" not in r.stderr, (command, r.stderr)


@pytest.mark.parametrize("args, thai, english", [
    (["run"], "ยังไม่ได้ระบุตัวเลือก '--setup'", "Missing option '--setup'"),
    (["run", "--setup", "x", "--bogus"], "ไม่มีตัวเลือก '--bogus'", "No such option: --bogus"),
    (["bogus"], "ไม่มีคำสั่ง 'bogus'", "No such command 'bogus'"),
    (["serve", "--port", "abc"], "ค่าของ '--port' ไม่ถูกต้อง: ต้องเป็นตัวเลขจำนวนเต็ม", "Invalid value for '--port'"),
    (["run", "--setup", "x", "--period", "2566-08", "--inbox", ".", "extra"], "มีค่าที่ไม่รู้จักเกินมา (extra)",
     "unexpected extra argument"),
])
def test_a_usage_mistake_is_told_in_thai_with_the_usage_line_and_in_english_with_lang_en(args, thai, english):
    r = _command(*args)
    assert r.returncode == 2 and thai in r.stderr, r.stderr
    assert "วิธีใช้: savings-report" in r.stderr and "ดูวิธีใช้ด้วยคำสั่ง" in r.stderr, r.stderr
    assert not any(word in r.stderr for word in ("Usage:", "Missing", "No such", "Try ", "[OPTIONS]", "Error")), r.stderr
    r = _command("--lang", "en", *args)
    assert r.returncode == 2 and english in r.stderr and "Usage: savings-report" in r.stderr, r.stderr


def test_the_help_is_thai_from_its_first_word():
    r = _command("--help")
    assert r.returncode == 0 and "วิธีใช้: savings-report [ตัวเลือก] คำสั่ง [ค่า]..." in r.stdout, r.stdout
    assert "Usage" not in r.stdout and "Next fiscal" not in r.stdout, r.stdout  # every command's help in Thai
    r = _command("--lang", "en", "next-year", "--help")
    assert "Usage: savings-report next-year [OPTIONS]" in r.stdout and "next fiscal year's setup" in r.stdout, r.stdout
