"""The district workbook: what district staff receive."""

from __future__ import annotations

from openpyxl import load_workbook

from generator.outputs.district_template import HEADER_ROW, VILLAGES_WITHOUT_GROUP_SHEET
from generator.core.schema import GROUPS, LISTS_SHEET, META_SHEET


def test_district_workbook_has_instructions_groups_table_and_meta(template_for):
    wb = load_workbook(template_for("3601"))
    assert wb.sheetnames[:2] == ["คำแนะนำ", GROUPS.sheet_th]
    assert "ส่งภายในวันที่ 20 กันยายน 2566" in wb["คำแนะนำ"]["A2"].value  # August is due in September
    ws = wb[GROUPS.sheet_th]
    assert "อำเภอเมืองชัยภูมิ" in ws["A1"].value and "20 กันยายน 2566" in ws["A2"].value
    assert list(ws.tables) == ["groups"]
    assert [c.value for c in ws[HEADER_ROW]] == [c.header_th for c in GROUPS.columns]
    meta = dict(wb[META_SHEET].iter_rows(min_row=2, values_only=True))
    assert meta["district_code"] == "3601" and meta["period"] == "2023-08" and meta["province_code"] == "36"
    assert all(meta[f"column:groups.{k}"] for k in GROUPS.keys)
    assert wb[LISTS_SHEET].sheet_state == "veryHidden"


def test_dropdowns_ranges_and_locked_labels(template_for):
    wb = load_workbook(template_for("3601"))
    ws = wb[GROUPS.sheet_th]
    rules = ws.data_validations.dataValidation
    assert {"=VILLAGE_CODES", "=OFFICERS", "=STATUSES"} <= {dv.formula1 for dv in rules}
    assert {"list", "whole", "decimal", "date"} == {dv.type for dv in rules}
    assert all(dv.error for dv in rules)  # every rule explains itself in Thai
    assert ws.protection.sheet
    assert ws.cell(row=HEADER_ROW, column=1).protection.locked
    assert not ws.cell(row=HEADER_ROW + 1, column=2).protection.locked
    village_codes = [c.value for c in wb[LISTS_SHEET]["A"][1:] if c.value]
    assert village_codes and all(v.startswith("3601") for v in village_codes)


def test_villages_without_group_sheet_lists_only_kkkj_villages_without_one(template_for, setup):
    ws = load_workbook(template_for("3602"))[VILLAGES_WITHOUT_GROUP_SHEET]
    listed = {r[0] for r in ws.iter_rows(min_row=4, values_only=True) if r[0] and str(r[0]).isdigit()}
    v = setup.villages
    expected = set(v.loc[(v.district_code == "3602") & v.is_kkkj & ~v.had_group, "village_code"])
    assert listed == expected and ws.protection.sheet


def test_templates_command_writes_one_workbook_per_district(setup_path, tmp_path):
    from typer.testing import CliRunner

    from generator.cli import app

    result = CliRunner().invoke(app, ["templates", "--setup", str(setup_path), "--period", "2566-03",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert len(files) == 16 and files[0].startswith("2566-03_3601")
    wb = load_workbook(tmp_path / files[0])
    assert "ส่งภายในวันที่ 15 เมษายน 2566" in wb["คำแนะนำ"]["A2"].value  # phase 1 is due on the 15th of the next month


def test_the_confirm_column_is_last_with_a_yes_no_dropdown(template_for):
    from openpyxl.utils import get_column_letter

    wb = load_workbook(template_for("3601"))
    ws = wb[GROUPS.sheet_th]
    letter = get_column_letter(len(GROUPS.columns))
    assert ws[f"{letter}{HEADER_ROW}"].value == "ยืนยันข้อมูลถูกต้อง" and GROUPS.keys[-1] == "confirmed"
    assert "ใช่" in ws[f"{letter}{HEADER_ROW}"].comment.text
    dv = next(dv for dv in ws.data_validations.dataValidation if dv.formula1 == "=YESNO")
    assert str(dv.sqref).startswith(f"{letter}{HEADER_ROW + 1}:")
    lists = wb[LISTS_SHEET]
    assert [c.value for c in lists["H"][1:3]] == ["ใช่", "ไม่ใช่"]
    assert not ws[f"{letter}{HEADER_ROW + 1}"].protection.locked
    assert any("ยืนยันข้อมูลถูกต้อง" in (c.value or "") for c in wb["คำแนะนำ"]["A"])


def test_a_confirmation_is_not_carried_into_next_month(setup, period, tmp_path):
    from openpyxl.utils import get_column_letter

    from generator.samples.demo import simulated_groups
    from generator.outputs.district_template import write_district_workbook

    carried = simulated_groups(setup, "3601", period).assign(confirmed=True, group_code="3601010101")
    ws = load_workbook(write_district_workbook(setup, period, "3601", tmp_path / "t.xlsx", carried))[GROUPS.sheet_th]
    letter = get_column_letter(len(GROUPS.columns))
    first = HEADER_ROW + 1
    assert ws[f"A{first}"].value == "3601010101" and ws[f"{letter}{first}"].value is None
