"""Each validation rule of the monthly run, on real filled workbooks, at its exact cell."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from generator.demo import simulated_groups
from generator.district_template import HEADER_ROW
from generator.intake import read_submission
from generator.periods import Period
from generator.schema import GROUPS, META_SHEET
from generator.validation import validate_submission


def check(path, setup, period):
    return validate_submission(read_submission(path, setup, period), setup, period)


def cell(key: str, row_index: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(GROUPS.keys.index(key) + 1)}{HEADER_ROW + 1 + row_index}"


def found(checked):
    return {(p.rule_id, p.cell) for p in checked.problems}


def test_a_clean_return_is_accepted_with_no_problem(filled, setup, period):
    c = check(filled("3601"), setup, period)
    assert c.accepted and c.problems == []
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


def test_thai_digits_commas_and_be_text_dates_are_warnings_with_what_was_understood(filled, setup, period):
    groups, new = _new_group_rows(setup, period)
    d = groups.loc[new[0], "founded_on"]
    typed = {(0, "members"): "๑๒๐", (1, "savings_baht"): "1,250,000", (new[0], "founded_on"):
             f"{d.day}/{d.month}/{d.year + 543}"}
    c = check(filled("3601", typed), setup, period)
    assert c.accepted
    warnings = {(p.rule_id, p.cell): p for p in c.problems}
    assert set(warnings) == {("VALUE_INTERPRETED", cell("members", 0)), ("VALUE_INTERPRETED", cell("savings_baht", 1)),
                             ("VALUE_INTERPRETED", cell("founded_on", new[0]))}
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
