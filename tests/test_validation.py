"""Each validation rule of the monthly run, on real filled workbooks, at its exact cell."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.tools import find, needs
from openpyxl import load_workbook

from generator.samples.demo import simulated_groups
from generator.outputs.district_template import HEADER_ROW
from generator.intake.submission import read_submission
from generator.core.periods import Period
from generator.core.schema import GROUPS, META_SHEET
from generator.checks.validation import validate_submission


def check(path, setup, period, previous=None):
    return validate_submission(read_submission(path, setup, period), setup, period, previous)


def cell(key: str, row_index: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(GROUPS.keys.index(key) + 1)}{HEADER_ROW + 1 + row_index}"


def found(checked):
    return {(p.rule_id, p.cell) for p in checked.problems}


def test_a_clean_return_is_accepted_with_no_problem(filled, setup, period):
    c = check(filled("3601"), setup, period)
    # Without last month's figures, one note says the history rules were not applied.
    assert c.accepted and [(p.rule_id, p.severity, p.cell) for p in c.problems] == [("H_NO_HISTORY", "note", None)]
    assert len(c.groups) == len(simulated_groups(setup, "3601", period))
    assert c.groups["officer_id"].notna().all()


@pytest.mark.parametrize("row,key,value,rule_id", [
    (0, "members", None, "VALUE_REQUIRED"),
    (0, "group_name", "  ", "VALUE_REQUIRED"),
    (1, "members", 12.5, "VALUE_NOT_WHOLE"),
    (1, "members", -4, "VALUE_NEGATIVE"),
    (2, "borrowers", "สิบคน", "VALUE_NOT_NUMBER"),
    (2, "borrowers", "35%", "VALUE_PERCENT"),
    (3, "founded_on", "เมื่อวาน", "VALUE_NOT_DATE"),
    (3, "status", "ไม่แน่ใจ", "VALUE_NOT_CHOICE"),
    (4, "village_code", "36020101", "G_VILLAGE_NOT_IN_DISTRICT"),
    (5, "founded_on", date(2023, 9, 15), "G_FOUNDED_AFTER_PERIOD"),
])
def test_each_error_rejects_the_file_and_names_the_cell(filled, setup, period, row, key, value, rule_id):
    c = check(filled("3601", {(row, key): value}), setup, period)
    assert not c.accepted
    assert (rule_id, cell(key, row)) in found(c)
    p = next(p for p in c.problems if p.rule_id == rule_id)
    assert p.file == "3601.xlsx" and p.sheet == GROUPS.sheet_th and p.district_code == "3601"
    assert p.message_th and p.fix_th and p.message_en and p.fix_en


def test_borrowers_more_than_members(filled, setup, period):
    groups = simulated_groups(setup, "3601", period)
    c = check(filled("3601", {(2, "borrowers"): int(groups.iloc[2]["members"]) + 1}), setup, period)
    assert ("G_BORROWERS_GT_MEMBERS", cell("borrowers", 2)) in found(c) and not c.accepted


def _new_group_rows(setup, period, code="3601"):
    groups = simulated_groups(setup, code, period)
    new = groups.index[groups["founded_on"] >= date(2022, 10, 1)]
    return groups, list(new)


def test_a_village_founding_two_groups_in_one_campaign(filled, setup, period):
    groups, new = _new_group_rows(setup, period)
    a, b = new[0], new[1]
    c = check(filled("3601", {(b, "village_code"): groups.loc[a, "village_code"]}), setup, period)
    assert ("G_SECOND_NEW_GROUP_IN_VILLAGE", cell("village_code", b)) in found(c)
    assert not c.accepted


def test_a_new_village_group_dated_before_the_fiscal_year(filled, setup, period):
    groups, new = _new_group_rows(setup, period)
    c = check(filled("3601", {(new[0], "founded_on"): date(2021, 5, 1)}), setup, period)
    assert ("G_FOUNDED_OUTSIDE_YEAR", cell("founded_on", new[0])) in found(c)


def test_a_dissolved_old_group_in_a_village_without_a_group_is_no_contradiction(filled, setup, period):
    # A village whose only group was dissolved last year starts this year without a group, and its
    # district still lists the dissolved group (carried forward from September): not an error.
    groups, new = _new_group_rows(setup, period)
    row = new[0]
    typed = {(row, "founded_on"): date(2021, 5, 1), (row, "status"): "ยุบเลิก",
             (row, "remarks"): "ยุบเลิกเมื่อปีงบประมาณก่อน"}
    c = check(filled("3601", typed), setup, period)
    assert ("G_FOUNDED_OUTSIDE_YEAR", cell("founded_on", row)) not in found(c)
    assert c.accepted


def test_thai_digits_commas_and_be_text_dates_are_warnings_with_what_was_understood(filled, setup, period):
    groups, new = _new_group_rows(setup, period)
    d = groups.loc[new[0], "founded_on"]
    typed = {(0, "members"): "๑๒๐", (1, "savings_baht"): "1,250,000", (new[0], "founded_on"):
             f"{d.day}/{d.month}/{d.year + 543}"}
    c = check(filled("3601", typed), setup, period)
    assert c.accepted
    warnings = {(p.rule_id, p.cell): p for p in c.problems}
    assert set(warnings) == {("VALUE_INTERPRETED", cell("members", 0)), ("VALUE_INTERPRETED", cell("savings_baht", 1)),
                             ("VALUE_INTERPRETED", cell("founded_on", new[0])), ("H_NO_HISTORY", None)}
    assert all(not p.is_error for p in c.problems)
    assert "120" in warnings[("VALUE_INTERPRETED", cell("members", 0))].message_th
    rows = c.groups.set_index("_row")
    assert rows.loc[HEADER_ROW + 1, "members"] == 120
    assert rows.loc[HEADER_ROW + 2, "savings_baht"] == 1_250_000
    assert rows.loc[HEADER_ROW + 1 + new[0], "founded_on"] == d


def test_an_officer_not_of_the_district_is_a_warning(filled, setup, period):
    c = check(filled("3601", {(1, "officer"): "นายใครก็ได้ ไม่มีชื่อ"}), setup, period)
    assert c.accepted and ("G_OFFICER_UNKNOWN", cell("officer", 1)) in found(c)


def test_blank_rows_in_the_middle_are_skipped(filled, setup, period):
    groups = simulated_groups(setup, "3601", period)
    gap = {(3, key): None for key in GROUPS.keys if key != "village_name"}
    c = check(filled("3601", gap), setup, period)
    assert c.accepted and len(c.groups) == len(groups) - 1


def _set_meta(path, key, value):
    wb = load_workbook(path)
    ws = wb[META_SHEET]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == key:
            row[1].value = value
    wb.save(path)
    return path


@pytest.mark.parametrize("key,value,rule_id", [
    ("province_code", "57", "F_OTHER_PROVINCE"),
    ("district_code", "3699", "F_UNKNOWN_DISTRICT"),
    ("district_code", "../../x", "F_UNKNOWN_DISTRICT"),
    ("period", "2023-07", "F_OTHER_PERIOD"),
    ("template_version", "0", "F_TEMPLATE_VERSION"),
])
def test_a_workbook_of_another_province_district_period_or_version(filled, setup, period, key, value, rule_id):
    c = check(_set_meta(filled("3601"), key, value), setup, period)
    assert not c.accepted and [p.rule_id for p in c.problems] == [rule_id]


def test_a_file_that_is_not_one_of_ours(tmp_path, setup, period):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "hello"
    wb.save(tmp_path / "other.xlsx")
    (tmp_path / "notes.xlsx").write_text("name,members\nก,3\n", encoding="utf-8")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert [p.rule_id for p in check(tmp_path / "other.xlsx", setup, period).problems] == ["F_NOT_OURS"]
    assert [p.rule_id for p in check(tmp_path / "notes.xlsx", setup, period).problems] == ["F_NOT_XLSX"]
    assert [p.rule_id for p in check(tmp_path / "empty.xlsx", setup, period).problems] == ["F_EMPTY"]


def test_a_truncated_workbook_is_reported_as_damaged(filled, setup, period, tmp_path):
    data = filled("3601").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    c = check(tmp_path / "cut.xlsx", setup, period)
    assert [p.rule_id for p in c.problems] == ["F_CORRUPT"]


def test_a_deleted_required_column_is_named(filled, setup, period):
    path = filled("3601")
    wb = load_workbook(path)
    ws = wb[GROUPS.sheet_th]
    ws.cell(row=HEADER_ROW, column=GROUPS.keys.index("members") + 1).value = "อื่น ๆ"
    wb.save(path)
    c = check(path, setup, period)
    assert [(p.rule_id, p.value) for p in c.problems] == [("F_MISSING_COLUMN", "จำนวนสมาชิก (คน)")]


def test_reordered_columns_are_still_read(filled, setup, period):
    path = filled("3601")
    wb = load_workbook(path)
    ws = wb[GROUPS.sheet_th]
    a, b = GROUPS.keys.index("members") + 1, GROUPS.keys.index("remarks") + 1
    for r in range(HEADER_ROW, ws.max_row + 1):
        x, y = ws.cell(row=r, column=a), ws.cell(row=r, column=b)
        x.value, y.value = y.value, x.value
    wb.save(path)
    c = check(path, setup, period)
    assert c.accepted
    assert c.groups["members"].sum() == simulated_groups(setup, "3601", period)["members"].sum()


def test_month_is_checked_against_the_period_asked_for(filled, setup):
    c = check(filled("3601"), setup, Period(2023, 7))
    assert [p.rule_id for p in c.problems] == ["F_OTHER_PERIOD"]
    assert "สิงหาคม 2566" in c.problems[0].message_th and "กรกฎาคม 2566" in c.problems[0].message_th


# --- rules added for issue 3 ---------------------------------------------------------------------

def _problem(checked, rule_id, where):
    return next(p for p in checked.problems if (p.rule_id, p.cell) == (rule_id, where))


def test_a_founding_date_before_1974_is_an_error_at_its_cell(filled, setup, period):
    c = check(filled("3601", {(2, "founded_on"): date(1973, 12, 31)}), setup, period)
    assert not c.accepted and ("G_FOUNDED_BEFORE_1974", cell("founded_on", 2)) in found(c)
    p = _problem(c, "G_FOUNDED_BEFORE_1974", cell("founded_on", 2))
    assert "31 ธันวาคม 2516" in p.message_th and "2517" in p.message_th and "1973-12-31" in p.message_en
    ok = check(filled("3601", {(2, "founded_on"): date(1974, 1, 1)}, name="ok.xlsx"), setup, period)
    assert "G_FOUNDED_BEFORE_1974" not in {p.rule_id for p in ok.problems}


@pytest.mark.parametrize("day", [date(2022, 12, 1), date(2023, 7, 5)])  # before phase 1; between the phases
def test_a_new_group_founded_outside_every_phase_is_a_warning(filled, setup, period, day):
    groups, new = _new_group_rows(setup, period)
    c = check(filled("3601", {(new[0], "founded_on"): day}), setup, period)
    assert c.accepted
    p = _problem(c, "G_FOUNDED_OUTSIDE_PHASE", cell("founded_on", new[0]))
    assert p.severity == "warning" and "ระยะที่ 1: 20 มกราคม 2566 ถึง 30 มิถุนายน 2566" in p.message_th
    # an old group's date outside the phases is no news
    assert "G_FOUNDED_OUTSIDE_PHASE" not in {x.rule_id for x in check(
        filled("3601", {(0, "founded_on"): day}, name="old.xlsx"), setup, period).problems}


def test_the_same_group_name_twice_in_a_village_after_tidying_spaces_and_invisible_characters(filled, setup, period):
    groups = simulated_groups(setup, "3601", period)
    name = groups.iloc[0]["group_name"]
    typed = {(1, "village_code"): groups.iloc[0]["village_code"],
             (1, "group_name"): " " + name[:6] + "\u200b " + name[6:] + "  "}
    c = check(filled("3601", typed), setup, period)
    assert not c.accepted
    assert ("G_DUPLICATE_GROUP_NAME", cell("group_name", 1)) in found(c)
    assert ("G_DUPLICATE_GROUP_NAME", cell("group_name", 0)) not in found(c)  # the first one stays
    # a dissolved group's name may be taken by a new group
    dissolved = {**typed, (0, "status"): "ยุบเลิก", (0, "remarks"): "สมาชิกย้ายไปกลุ่มใหม่"}
    c = check(filled("3601", dissolved, name="again.xlsx"), setup, period)
    assert "G_DUPLICATE_GROUP_NAME" not in {p.rule_id for p in c.problems}


def test_an_officer_of_another_district_is_told_apart_from_an_unknown_one(filled, setup, period):
    other = setup.officers[setup.officers["district_code"] == "3602"].iloc[0]
    c = check(filled("3601", {(1, "officer"): other["officer_name"], (2, "officer"): other["officer_id"],
                              (3, "officer"): "นายใครก็ได้ ไม่มีชื่อ"}), setup, period)
    assert c.accepted
    assert {(p.rule_id, p.cell) for p in c.problems if p.rule_id.startswith("G_OFFICER")} == {
        ("G_OFFICER_OTHER_DISTRICT", cell("officer", 1)), ("G_OFFICER_OTHER_DISTRICT", cell("officer", 2)),
        ("G_OFFICER_UNKNOWN", cell("officer", 3))}
    p = _problem(c, "G_OFFICER_OTHER_DISTRICT", cell("officer", 1))
    assert "อำเภอบ้านเขว้า" in p.message_th and "3602" in p.message_en


def test_a_new_group_outside_a_kkkj_village_is_counted_elsewhere(filled, setup, period):
    groups, new = _new_group_rows(setup, period)
    v = setup.villages
    outside = v[(v["district_code"] == "3601") & ~v["is_kkkj"]].iloc[0]["village_code"]
    c = check(filled("3601", {(new[0], "village_code"): outside}), setup, period)
    assert c.accepted
    p = _problem(c, "G_NEW_GROUP_NOT_KKKJ", cell("village_code", new[0]))
    assert p.severity == "warning" and "นับรวมในจำนวนกลุ่ม" in p.message_th and "counted in" in p.message_en


def test_amount_lent_far_above_savings_is_a_warning(filled, setup, period):
    groups = simulated_groups(setup, "3601", period)
    savings = float(groups.iloc[0]["savings_baht"])
    c = check(filled("3601", {(0, "loans_baht"): round(savings * 2 + 1, 2), (1, "loans_baht"): 0,
                              (1, "savings_baht"): 0, (2, "loans_baht"): float(groups.iloc[2]["savings_baht"]) * 2}),
              setup, period)
    assert c.accepted
    assert [p.cell for p in c.problems if p.rule_id == "G_LOANS_FAR_ABOVE_SAVINGS"] == [cell("loans_baht", 0)]
    assert "2 เท่า" in _problem(c, "G_LOANS_FAR_ABOVE_SAVINGS", cell("loans_baht", 0)).message_th


# --- the history rules ---------------------------------------------------------------------------

def _with_codes(setup, period, code="3601"):
    groups = simulated_groups(setup, code, period)
    groups.insert(0, "group_code", [f"{v}{i:02d}" for i, v in enumerate(groups["village_code"])])
    return groups


def test_history_rules_need_confirmation_and_name_the_confirm_cell(filled, setup, period):
    groups = _with_codes(setup, period)
    previous = groups.copy()
    previous.loc[2, "savings_baht"] = groups.loc[2, "savings_baht"] + 500
    previous.loc[3, "members"] = groups.loc[3, "members"] * 2 + 1
    previous.loc[4, "members"] = groups.loc[4, "members"] * 2  # exactly half: not more than half
    path = filled("3601", groups=groups)
    c = check(path, setup, period, previous)
    assert not c.accepted
    history = {(p.rule_id, p.cell, p.severity) for p in c.problems if p.rule_id.startswith("H_")}
    assert history == {("H_SAVINGS_FELL", cell("savings_baht", 2), "needs_confirmation"),
                       ("H_MEMBERS_HALVED", cell("members", 3), "needs_confirmation")}
    p = _problem(c, "H_SAVINGS_FELL", cell("savings_baht", 2))
    assert "ใช่" in p.fix_th and cell("confirmed", 2) in p.fix_th and cell("confirmed", 2) in p.fix_en
    assert f"{previous.loc[2, 'savings_baht']:,.2f}" in p.message_th
    # typing ใช่ in the confirm column accepts both figures, still shown as confirmed
    confirmed = filled("3601", {(2, "confirmed"): "ใช่", (3, "confirmed"): "ใช่"}, groups=groups, name="ok.xlsx")
    c = check(confirmed, setup, period, previous)
    assert c.accepted
    assert {(p.rule_id, p.cell, p.severity) for p in c.problems if p.rule_id.startswith("H_")} == {
        ("H_SAVINGS_FELL", cell("savings_baht", 2), "confirmed"), ("H_MEMBERS_HALVED", cell("members", 3), "confirmed")}
    assert "group_code" in c.groups and "prev_members" not in c.groups


def test_no_history_means_one_note_that_is_neither_error_nor_warning(filled, setup, period):
    from generator.core.problems import errors, warnings

    c = check(filled("3601", groups=_with_codes(setup, period)), setup, period, previous=None)
    notes = [p for p in c.problems if p.rule_id == "H_NO_HISTORY"]
    assert len(notes) == 1 and notes[0].severity == "note"
    assert c.accepted and errors(c.problems) == [] and warnings(c.problems) == []
    assert notes[0].to_dict()["rejects_file"] is False and "เดือนก่อน" in notes[0].message_th


def test_a_dissolved_group_may_lose_its_savings(filled, setup, period):
    groups = _with_codes(setup, period)
    previous = groups.copy()
    previous.loc[2, "savings_baht"] = groups.loc[2, "savings_baht"] + 500
    c = check(filled("3601", {(2, "status"): "ยุบเลิก", (2, "remarks"): "ปันผลคืนสมาชิก"}, groups=groups),
              setup, period, previous)
    assert c.accepted and "H_SAVINGS_FELL" not in {p.rule_id for p in c.problems}


def test_a_group_of_last_month_missing_from_the_file(filled, setup, period):
    groups = _with_codes(setup, period)
    previous = groups.copy()
    # row 5 is typed again without its code: found by village and name, so not missing
    typed = {(5, "group_code"): None}
    gone = groups.iloc[[6]].assign(group_code="9999999901", group_name="กลุ่มที่ไม่ได้กรอกเดือนนี้")
    previous = pd.concat([previous, gone], ignore_index=True)
    c = check(filled("3601", typed, groups=groups), setup, period, previous)
    missing = [p for p in c.problems if p.rule_id == "H_GROUP_MISSING"]
    assert [(p.value, p.severity, p.sheet) for p in missing] == [("9999999901", "warning", GROUPS.sheet_th)]
    assert c.accepted


def test_a_workbook_made_before_the_confirm_column_is_read_and_told_how_to_confirm(filled, setup, period):
    groups = _with_codes(setup, period)
    previous = groups.copy()
    previous.loc[2, "savings_baht"] = groups.loc[2, "savings_baht"] + 500
    path = filled("3601", groups=groups)
    wb = load_workbook(path)
    ws = wb[GROUPS.sheet_th]
    ws.delete_cols(GROUPS.keys.index("confirmed") + 1)
    meta = wb[META_SHEET]
    for row in list(meta.iter_rows(min_row=2)):
        if row[0].value == "column:groups.confirmed":
            meta.delete_rows(row[0].row)
    wb.save(path)
    assert check(path, setup, period).accepted  # no F_MISSING_COLUMN: the column is optional
    p = _problem(check(path, setup, period, previous), "H_SAVINGS_FELL", cell("savings_baht", 2))
    assert "เพิ่มหัวคอลัมน์ 'ยืนยันข้อมูลถูกต้อง'" in p.fix_th


def test_a_row_holding_only_a_confirmation_is_blank(filled, setup, period):
    n = len(simulated_groups(setup, "3601", period))
    c = check(filled("3601", {(n + 2, "confirmed"): "ใช่"}), setup, period)
    assert c.accepted and len(c.groups) == n


# --- the province: outliers on a modified z-score ------------------------------------------------

def test_modified_z_score_by_hand():
    from generator.checks.validation import modified_z

    z = modified_z(pd.Series([1.0, 2, 3, 4, 100]))  # median 3, MAD 1
    assert z.iloc[4] == pytest.approx(0.6745 * 97)
    z = modified_z(pd.Series([5.0, 5, 5, 5, 5, 5, 9]))  # MAD 0: mean absolute deviation 4/7 stands in
    assert z.iloc[6] == pytest.approx(4 / (1.253314 * 4 / 7))
    assert (modified_z(pd.Series([7.0, 7, 7])) == 0).all()


def test_a_group_far_from_the_rest_of_the_province_is_a_warning_in_its_own_file(filled, setup, period):
    from generator.checks.validation import check_province

    a = check(filled("3601", {(1, "members"): 5000, (1, "savings_baht"): 90_000_000}), setup, period)
    b = check(filled("3602"), setup, period)
    problems = check_province([a, b], setup)
    assert {(p.rule_id, p.file, p.cell) for p in problems} == {
        ("P_OUTLIER", "3601.xlsx", cell("members", 1)), ("P_OUTLIER", "3601.xlsx", cell("savings_baht", 1))}
    assert all(p.district_code == "3601" for p in problems) and a.accepted
    assert not [x for x in a.problems if x.rule_id == "P_OUTLIER"]  # returned, the file's list left alone
    p = next(p for p in problems if p.cell == cell("members", 1))
    assert "5,000" in p.message_th and "จำนวนสมาชิก (คน)" in p.message_th and p.severity == "warning"
    assert [x for x in b.problems if x.rule_id == "P_OUTLIER"] == []


def test_province_outliers_reach_the_monthly_record(filled, setup, period, tmp_path):
    from generator.pipeline import run_month

    filled("3601", {(1, "members"): 5000})
    filled("3602")
    result = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25), render=False)
    assert [(p.rule_id, p.file, p.cell) for p in result.summary.problems if p.rule_id == "P_OUTLIER"] == [
        ("P_OUTLIER", "3601.xlsx", cell("members", 1))]
    outcome = {f.file: f for f in result.summary.files}
    assert outcome["3601.xlsx"].warnings == 1 and outcome["3602.xlsx"].warnings == 0  # notes are not warnings


def test_status_typed_rather_than_picked_and_percentages_in_counts(filled, setup, period):
    c = check(filled("3601", {(1, "status"): "ยุบ", (1, "remarks"): "ขาดทุน", (2, "borrowers"): 0.35,
                              (3, "borrowers"): "ร้อยละ 40"}), setup, period)
    assert ("VALUE_INTERPRETED", cell("status", 1)) in found(c)
    assert "ยุบเลิก" in _problem(c, "VALUE_INTERPRETED", cell("status", 1)).message_th
    assert {("VALUE_PERCENT", cell("borrowers", 2)), ("VALUE_PERCENT", cell("borrowers", 3))} <= found(c)


@needs("soffice")
def test_a_workbook_resaved_by_libreoffice_reads_the_same(filled, setup, period, tmp_path):
    import shutil
    import subprocess

    soffice = find("soffice")
    groups = simulated_groups(setup, "3601", period)
    original = filled("3601", {(0, "members"): "๑๒๐", (1, "founded_on"): "15 มี.ค. 66", (2, "confirmed"): "ใช่"})
    out = tmp_path / "lo"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "xlsx", "--outdir", str(out), str(original)], check=True, capture_output=True, timeout=120)
    resaved = out / original.name
    assert resaved.read_bytes() != original.read_bytes()
    a, b = check(original, setup, period), check(resaved, setup, period)
    assert b.accepted and len(b.groups) == len(groups)
    assert {(p.rule_id, p.cell) for p in a.problems} == {(p.rule_id, p.cell) for p in b.problems}
    cols = ["village_code", "group_name", "founded_on", "members", "savings_baht", "officer_id", "confirmed"]
    assert a.groups[cols].equals(b.groups[cols])



def test_previous_groups_as_a_store_gives_them_back(filled, setup, period):
    """Codes as numbers, figures as text, extra columns and no status: still matched on the code."""
    groups = _with_codes(setup, period)
    previous = pd.DataFrame({
        "group_code": groups["group_code"].astype("int64"),
        "members": groups["members"].astype(str),
        "savings_baht": (groups["savings_baht"] + 1000).map(lambda x: f"{x:.2f}"),
        "district_code": "3601", "period": "2023-07"})
    c = check(filled("3601", groups=groups), setup, period, previous)
    fell = [p.cell for p in c.problems if p.rule_id == "H_SAVINGS_FELL"]
    assert fell == [cell("savings_baht", i) for i in range(len(groups))]
    assert not any(p.rule_id in ("H_MEMBERS_HALVED", "H_NO_HISTORY", "H_GROUP_MISSING") for p in c.problems)
    empty = check(filled("3601", groups=groups, name="b.xlsx"), setup, period, pd.DataFrame())
    assert empty.accepted and [p.rule_id for p in empty.problems] == []  # history known: nothing before


def test_extra_sheets_added_by_the_district_are_ignored(filled, setup, period):
    path = filled("3601")
    wb = load_workbook(path)
    notes = wb.create_sheet("สรุปของอำเภอ", 0)
    notes.append(["หมายเหตุของอำเภอ"])
    copy = wb.create_sheet("สำเนา")
    copy.append([c.header_th for c in GROUPS.columns])  # a copy of the header, with a row of its own
    copy.append(["", "36010101", "", "กลุ่มทดลอง", "x", "x"])
    wb.save(path)
    c = check(path, setup, period)
    assert c.accepted and len(c.groups) == len(simulated_groups(setup, "3601", period))
    assert {p.sheet for p in c.problems if p.sheet} <= {GROUPS.sheet_th}
