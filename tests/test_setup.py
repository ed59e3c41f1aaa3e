"""The province setup workbook: written, read back, and every kind of mistake found by cell."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from generator.samples.demo import chaiyaphum_setup
from generator.core.schema import META_SHEET, SETUP_TABLES
from generator.core.model import SetupInvalid
from generator.intake.setup_workbook import load_setup
from generator.outputs.setup_template import write_setup_workbook


def test_blank_setup_has_instructions_one_table_per_sheet_and_meta(tmp_path):
    path = write_setup_workbook(tmp_path / "blank.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "คำแนะนำ"
    for table in SETUP_TABLES:
        ws = wb[table.sheet_th]
        assert list(ws.tables) == [table.key]
    meta = dict(wb[META_SHEET].iter_rows(min_row=2, values_only=True))
    assert wb[META_SHEET].sheet_state == "hidden"
    assert meta["template_version"] == "1"
    assert meta["column:villages.is_kkkj"] == "เป็นหมู่บ้าน กข.คจ."
    assert {k.split(".")[1] for k in meta if k.startswith("column:province.")} == {
        "province_code", "province_name", "fiscal_year_be"}


def test_a_blank_setup_is_refused_with_one_message_per_empty_sheet(tmp_path):
    with pytest.raises(SetupInvalid) as exc:
        load_setup(write_setup_workbook(tmp_path / "blank.xlsx"))
    assert {p.rule_id for p in exc.value.problems} == {"S_EMPTY_TABLE"}
    assert {p.sheet for p in exc.value.problems} == {t.sheet_th for t in SETUP_TABLES}


def test_setup_round_trip_keeps_every_value(setup):
    original = chaiyaphum_setup()
    assert (setup.province_code, setup.province_name, setup.fiscal_year_be) == ("36", "ชัยภูมิ", 2566)
    assert setup.villages.reset_index(drop=True).equals(original.villages.reset_index(drop=True)) or \
        (setup.villages.astype(str).values == original.villages.astype(str).values).all()
    assert [(p.number, p.starts_on, p.ends_on, p.due_day, p.target_groups) for p in setup.phases] == [
        (1, date(2023, 1, 20), date(2023, 6, 30), 15, 71), (2, date(2023, 7, 20), date(2023, 8, 31), 20, 58)]
    assert int(setup.villages["is_kkkj"].sum()) == 655
    assert int((setup.villages["is_kkkj"] & setup.villages["had_group"]).sum()) == 405
    assert setup.targets.groupby("phase")["target_groups"].sum().to_dict() == {1: 71, 2: 58}


def _edit(src, dst, sheet: str, cell: str, value):
    wb = load_workbook(src)
    wb[sheet][cell] = value
    wb.save(dst)
    return dst


@pytest.mark.parametrize("sheet,cell,value,rule_id,reported_cell", [
    ("หมู่บ้าน", "A2", "36020101", "S_CODE_NESTING", "A2"),  # village code of another district
    ("หมู่บ้าน", "A3", None, "VALUE_REQUIRED", "A3"),
    ("หมู่บ้าน", "F2", "บางที", "VALUE_NOT_YESNO", "F2"),
    ("อำเภอ", "A3", "3601", "S_DUPLICATE", "A3"),
    ("อำเภอ", "A2", "4401", "S_CODE_NESTING", "A2"),
    ("ระยะ", "C2", date(2021, 1, 20), "S_PHASE_DATES", "C2"),
    ("ระยะ", "F2", 70, "S_TARGET_SUM", "F2"),
    ("เป้าหมายอำเภอ", "A2", "3699", "S_UNKNOWN_DISTRICT", "A2"),
    ("พัฒนากร", "C2", "9999", "S_UNKNOWN_DISTRICT", "C2"),
])
def test_each_setup_mistake_is_reported_at_its_cell(setup_path, tmp_path, sheet, cell, value, rule_id,
                                                     reported_cell):
    bad = _edit(setup_path, tmp_path / "bad.xlsx", sheet, cell, value)
    with pytest.raises(SetupInvalid) as exc:
        load_setup(bad)
    found = [(p.rule_id, p.sheet, p.cell) for p in exc.value.problems]
    assert (rule_id, sheet, reported_cell) in found
    assert all(p.message_th and p.fix_th and p.file == "bad.xlsx" for p in exc.value.problems)


def test_setup_accepts_yes_no_words_in_thai_and_english(setup_path, tmp_path):
    wb = load_workbook(setup_path)
    ws = wb["หมู่บ้าน"]
    ws["F2"], ws["G2"], ws["F3"], ws["G3"] = "yes", "0", "มี", "FALSE"
    wb.save(tmp_path / "words.xlsx")
    villages = load_setup(tmp_path / "words.xlsx").villages
    assert list(villages.loc[0:1, "is_kkkj"]) == [True, True]
    assert list(villages.loc[0:1, "had_group"]) == [False, False]


def test_setup_of_another_province_needs_no_code_change(tmp_path):
    """Nothing is Chaiyaphum-specific: a made-up province with other dates and targets loads."""
    import pandas as pd

    from generator.core.model import Phase, Setup

    other = Setup(
        province_code="57", province_name="เชียงราย", fiscal_year_be=2565,
        districts=pd.DataFrame({"district_code": ["5701", "5702"], "district_name": ["เมืองเชียงราย", "เวียงชัย"]}),
        villages=pd.DataFrame({"village_code": ["57010101", "57020101"], "moo": [1, 1],
                               "village_name": ["ก", "ข"], "subdistrict_name": ["ต1", "ต2"],
                               "district_code": ["5701", "5702"], "is_kkkj": [True, True],
                               "had_group": [False, True]}),
        officers=pd.DataFrame({"officer_id": ["1", "2"], "officer_name": ["นาย ก", "นาง ข"],
                               "district_code": ["5701", "5702"]}),
        phases=(Phase(1, "ทั้งปี", date(2021, 10, 1), date(2022, 9, 30), 10, 3),),
        targets=pd.DataFrame({"district_code": ["5701", "5702"], "phase": [1, 1], "target_groups": [2, 1]}),
    )
    loaded = load_setup(write_setup_workbook(tmp_path / "cr.xlsx", other))
    assert loaded.province_name == "เชียงราย" and loaded.phases[0].due_day == 10


def test_every_setup_problem_is_reported_in_one_pass(setup_path, tmp_path):
    """Issue 11, defect 15: a value that cannot be read must not hide the checks across tables."""
    wb = load_workbook(setup_path)
    wb["หมู่บ้าน"]["F2"] = "บางที"  # a yes/no cell that cannot be read
    wb["หมู่บ้าน"]["A4"] = "3601010"  # seven digits
    wb["ระยะ"]["F2"] = 70  # the district targets of phase 1 add up to 71
    wb["อำเภอ"]["A3"] = None  # a district code left empty
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(SetupInvalid) as exc:
        load_setup(tmp_path / "bad.xlsx")
    found = {(p.rule_id, p.sheet, p.cell) for p in exc.value.problems}
    assert {("VALUE_NOT_YESNO", "หมู่บ้าน", "F2"), ("S_CODE_FORMAT", "หมู่บ้าน", "A4"), ("S_TARGET_SUM", "ระยะ", "F2"),
            ("VALUE_REQUIRED", "อำเภอ", "A3")} <= found


def test_a_month_outside_the_setups_fiscal_year_is_refused(setup, period, filled, tmp_path):
    """Issue 11, defect 8: FY 2566 runs October 2565 to September 2566; November 2567 is FY 2568."""
    from generator.core.periods import Period
    from generator.pipeline import run_month
    from generator.figures.years import YearMismatch

    assert setup.covers(Period.parse("2565-10")) and setup.covers(Period.parse("2566-09"))
    assert not setup.covers(Period.parse("2566-10")) and not setup.covers(Period.parse("2567-11"))
    filled("3601")
    with pytest.raises(YearMismatch) as exc:
        run_month(setup, Period.parse("2567-11"), tmp_path / "inbox", tmp_path / "out", date(2024, 11, 25))
    assert exc.value.params["fiscal_year"] == 2566 and exc.value.params["period_year"] == 2568
    assert not (tmp_path / "out").exists()
