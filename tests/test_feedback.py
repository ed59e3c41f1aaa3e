"""The feedback workbook: every severity has its own colour, and the confirm cell is named."""

from __future__ import annotations

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from generator.samples.demo import simulated_groups
from generator.outputs.district_template import HEADER_ROW
from generator.outputs.feedback import PROBLEMS_SHEET, write_feedback
from generator.intake.submission import read_submission
from generator.core.schema import GROUPS
from generator.checks.validation import validate_submission


def cell(key: str, row_index: int) -> str:
    return f"{get_column_letter(GROUPS.keys.index(key) + 1)}{HEADER_ROW + 1 + row_index}"


def test_each_severity_is_coloured_apart_and_listed(filled, setup, period, tmp_path):
    groups = simulated_groups(setup, "3601", period)
    groups.insert(0, "group_code", [f"{v}{i:02d}" for i, v in enumerate(groups["village_code"])])
    previous = groups.copy()
    previous.loc[2, "savings_baht"] += 500  # fell: to confirm
    previous.loc[3, "savings_baht"] += 500  # fell, and confirmed
    path = filled("3601", {(3, "confirmed"): "ใช่", (0, "members"): -1, (1, "loans_baht"): f"{groups.loc[1, 'loans_baht']:,.2f} บาท"},
                  groups=groups)
    c = validate_submission(read_submission(path, setup, period), setup, period, previous)
    out = write_feedback(path, c.problems, tmp_path / "fb.xlsx", "ผลการตรวจ")
    wb = load_workbook(out)
    ws = wb[GROUPS.sheet_th]
    colour = {key: ws[ref].fill.fgColor.rgb[-6:] for key, ref in {
        "error": cell("members", 0), "warning": cell("loans_baht", 1), "to_confirm": cell("savings_baht", 2),
        "confirmed": cell("savings_baht", 3)}.items()}
    assert colour == {"error": "FF9C9C", "warning": "FFE699", "to_confirm": "F4B183", "confirmed": "C6EFCE"}
    assert "ใช่" in ws[cell("savings_baht", 2)].comment.text
    listing = wb[PROBLEMS_SHEET]
    rows = {(r[3], r[7]): r for r in listing.iter_rows(min_row=5, values_only=True) if r[0]}
    assert rows[(cell("savings_baht", 2), "H_SAVINGS_FELL")][1] == "ต้องยืนยัน"
    assert rows[(cell("savings_baht", 3), "H_SAVINGS_FELL")][1] == "ยืนยันแล้ว"
    assert cell("confirmed", 2) in rows[(cell("savings_baht", 2), "H_SAVINGS_FELL")][6]
    assert "ตัวเลขที่ต้องยืนยัน 1 รายการ" in listing["A2"].value and "ส้ม" in listing["A3"].value
    severity_fill = {r[0].value: r[1].fill.fgColor.rgb[-6:] for r in listing.iter_rows(min_row=5) if r[0].value}
    assert sorted(set(severity_fill.values())) == ["C6EFCE", "F4B183", "FF9C9C", "FFE699"]


def test_a_note_alone_makes_no_feedback_workbook(filled, setup, period, tmp_path):
    from datetime import date

    from generator.pipeline import run_month

    filled("3601")  # clean, and with no history: only the H_NO_HISTORY note
    result = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25))
    assert [p.rule_id for p in result.summary.problems] == ["H_NO_HISTORY"]
    assert not (tmp_path / "out" / "feedback").exists() or not list((tmp_path / "out" / "feedback").iterdir())
    import json

    record = json.loads(result.outputs["json"].read_text(encoding="utf-8"))
    assert [(p["rule_id"], p["severity"], p["rejects_file"]) for p in record["problems"]] == [
        ("H_NO_HISTORY", "note", False)]
