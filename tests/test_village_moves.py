"""Villages that change code (issue 18): the setup's optional table หมู่บ้านที่เปลี่ยนรหัส maps an old
village code to its new one, and the store's groups of that village follow it, their group codes
and history kept.

A small province runs September 2566; `next-year` writes the setup of 2567; the office re-codes
one village of D1 and moves one village of D2 into D1 (its district re-drawn), types both into the
table and fills the new phases and targets, and LibreOffice saves the workbook once. October's
templates carry the groups under the new codes, October runs with one moved group typed again
without its code, `history` shows the moves, September runs again as before, and the next
`next-year` lists the moves on its change sheet.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from generator.core.model import SetupInvalid
from generator.core.schema import VILLAGE_MOVES, VILLAGES
from generator.figures.carry import carried_groups
from generator.intake.setup_workbook import load_setup
from generator.next_year import CHANGES
from generator.outputs.district_template import HEADER_ROW, district_file_name
from generator.outputs.setup_template import write_setup_workbook
from generator.samples.demo import groups_as_of
from generator.store.history import MIGRATIONS, SCHEMA_VERSION, HistoryStore
from tests.test_history import small_province
from tests.test_next_year import (OCT22, OCT23, SEP23, carried_as_sent, fill_phases_and_targets, invoke, run, send,
                                  sheet_records)
from tests.tools import find, needs

REASON = "กรมการปกครองกำหนดรหัสใหม่"


def _resave(path: Path, folder: Path) -> Path:
    """The workbook as LibreOffice Calc saves it (the office opened and saved it)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([find("soffice"), "--headless", f"-env:UserInstallation=file://{folder / 'profile'}",
                           "--convert-to", "xlsx", "--outdir", str(folder), str(path)], capture_output=True, timeout=180)
    saved = folder / path.name
    assert done.returncode == 0 and saved.is_file(), done.stderr
    return saved


def _rows_of(store: HistoryStore, period: str) -> list[tuple]:
    return store.connection.execute("SELECT * FROM groups WHERE period = ? ORDER BY group_code", (period,)).fetchall()


def recode(path: Path, changes: dict[str, tuple[str, str]], moves: list[tuple]) -> None:
    """The office's edit: village rows re-coded (old code -> new code, new district) and the moves typed."""
    wb = load_workbook(path)
    ws = wb[VILLAGES.sheet_th]
    header = [c.value for c in ws[1]]
    code_col, district_col = header.index(VILLAGES.column("village_code").header_th), header.index(
        VILLAGES.column("district_code").header_th)
    for row in ws.iter_rows(min_row=2):
        if row[code_col].value in changes:
            row[code_col].value, row[district_col].value = changes[row[code_col].value]
    ws = wb[VILLAGE_MOVES.sheet_th]
    for i, values in enumerate(moves, start=2):
        for j, value in enumerate(values, start=1):
            ws.cell(row=i, column=j).value = value
    wb.save(path)


@pytest.fixture(scope="module")
def moved(setup, tmp_path_factory):
    if find("soffice") is None:
        pytest.skip("needs LibreOffice")  # CI has it: tools.needs makes the missing tool fail there
    root = tmp_path_factory.mktemp("moves")
    old_path = write_setup_workbook(root / "setup_2566.xlsx", small_province(setup))
    old = load_setup(old_path)
    d1, d2 = old.district_codes[:2]
    store_path = root / "history_36.sqlite"
    store = HistoryStore.open(store_path, old.province_code)
    for month in (OCT22, SEP23):
        for code in (d1, d2):
            send(old, store, code, month, root / month.be_key, groups_as_of(old, code, month, SEP23))
        run(old, store, month, root / month.be_key)
    oct22, _ = store.month_groups(OCT22)
    sep_rows = _rows_of(store, "2023-09")
    sep, _ = store.month_groups(SEP23)
    v1_old = sep.loc[sep["district_code"] == d1, "village_code"].iloc[0]
    v2_old = sep.loc[sep["district_code"] == d2, "village_code"].iloc[0]
    codes_before = store.group_codes()
    store.close()

    new_path = root / "setup_2567.xlsx"
    made = invoke("next-year", "--setup", old_path, "--store", store_path, "--out", new_path)
    assert made.exit_code == 0, made.output
    taken = set(old.villages["village_code"])
    v1_new = next(c for c in (v1_old[:6] + f"{n:02d}" for n in range(99, 0, -1)) if c not in taken)
    v2_new = next(c for c in (d1 + f"98{n:02d}" for n in range(1, 99)) if c not in taken)
    recode(new_path, {v1_old: (v1_new, d1), v2_old: (v2_new, d1)},
           [(v1_old, v1_new, REASON), (v2_old, v2_new, None)])
    fill_phases_and_targets(new_path, old.district_codes)
    new_path = _resave(new_path, root / "saved")
    new = load_setup(new_path)

    templates = invoke("templates", "--setup", new_path, "--period", "2566-10", "--store", store_path,
                       "--out", root / "send_2566-10")
    store = HistoryStore.open(store_path, old.province_code)
    folder = root / "2566-10"
    moved_codes = {v: list(sep.loc[sep["village_code"] == v, "group_code"]) for v in (v1_old, v2_old)}
    for code in (d1,):  # D2 does not report in October: the comparison covers D1 alone
        carried = carried_groups(new, store.previous_groups(OCT23))[code]
        rows = carried_as_sent(carried)
        typed = None
        if code == d1:  # one moved group typed again without its code (a row added, not updated)
            at = list(carried["group_code"]).index(moved_codes[v1_old][0])
            typed = {(at, "group_code"): None}
        send(new, store, code, OCT23, folder, rows, carried=carried, typed=typed)
    october = run(new, store, OCT23, folder)
    oct_rows = store.month_groups(OCT23)[0]
    codes_after = store.group_codes()
    again = run(old, store, SEP23, root / "2566-09")
    sep_rows_again = _rows_of(store, "2023-09")
    store.close()
    history = invoke("history", "--setup", new_path, "--store", store_path)
    history_json = json.loads(invoke("history", "--setup", new_path, "--store", store_path, "--json").stdout)
    following = root / "setup_2568.xlsx"
    turn = invoke("next-year", "--setup", new_path, "--store", store_path, "--out", following)
    return {"oct22": oct22, "root": root, "old": old, "new": new, "d1": d1, "d2": d2, "v1": (v1_old, v1_new), "v2": (v2_old, v2_new),
            "moved_codes": moved_codes, "templates": templates, "october": october, "oct_rows": oct_rows,
            "codes_before": codes_before, "codes_after": codes_after, "sep_rows": sep_rows,
            "sep_rows_again": sep_rows_again, "again": again, "history": history, "history_json": history_json,
            "turn": turn, "following": following}


@needs("soffice")
def test_the_setup_reads_the_moves_table_saved_by_libreoffice(moved):
    (v1_old, v1_new), (v2_old, v2_new) = moved["v1"], moved["v2"]
    assert moved["new"].moves == {v1_old: v1_new, v2_old: v2_new}
    assert moved["old"].moves == {}  # a setup with the sheet left empty moves nothing


@needs("soffice")
def test_octobers_templates_carry_the_groups_under_the_new_codes(moved):
    assert moved["templates"].exit_code == 0, moved["templates"].output
    new, d1, d2 = moved["new"], moved["d1"], moved["d2"]
    (v1_old, v1_new), (v2_old, v2_new) = moved["v1"], moved["v2"]

    def carried(code):
        path = moved["root"] / "send_2566-10" / district_file_name(OCT23, code, new.district_name(code))
        return {r["รหัสกลุ่ม"]: r["รหัสหมู่บ้าน"] for r in sheet_records(path, "กลุ่มออมทรัพย์", HEADER_ROW)
                if r["รหัสกลุ่ม"]}

    one, two = carried(d1), carried(d2)
    assert {one[c] for c in moved["moved_codes"][v1_old]} == {v1_new}
    assert {one[c] for c in moved["moved_codes"][v2_old]} == {v2_new}  # into D1, its district now
    assert not set(moved["moved_codes"][v2_old]) & set(two)
    assert v1_old not in one.values() and v2_old not in two.values()


@needs("soffice")
def test_october_counts_the_moved_groups_under_their_new_codes_with_their_codes_kept(moved):
    october, rows = moved["october"], moved["oct_rows"]
    (v1_old, v1_new), (v2_old, v2_new) = moved["v1"], moved["v2"]
    assert {f.status for f in october.summary.files} == {"accepted"} and len(october.summary.files) == 1, [
        (p.rule_id, p.message_th) for p in october.summary.problems if p.is_error]
    by_code = rows.set_index("group_code")
    for old, new in ((v1_old, v1_new), (v2_old, v2_new)):
        for code in moved["moved_codes"][old]:
            assert by_code.loc[code, "village_code"] == new and by_code.loc[code, "district_code"] == moved["d1"]
    # The group typed without its code got its code back: no group was given a new code.
    pd.testing.assert_frame_equal(moved["codes_after"], moved["codes_before"])
    # The history rules compared the moved groups with September: no "new group" note for them.
    assert not [p for p in october.summary.problems if p.rule_id == "H_NO_HISTORY"]


@needs("soffice")
def test_history_shows_the_moves(moved):
    (v1_old, v1_new), (v2_old, v2_new) = moved["v1"], moved["v2"]
    out = moved["history"].output
    assert moved["history"].exit_code == 0, out
    assert "หมู่บ้านที่เปลี่ยนรหัส" in out and v1_old in out and v1_new in out and REASON in out
    assert all(code in out for code in moved["moved_codes"][v1_old])
    rows = {r["old_village_code"]: r for r in moved["history_json"]["village_moves"]}
    assert rows[v1_old]["new_village_code"] == v1_new and rows[v1_old]["fiscal_year_be"] == 2567
    assert rows[v2_old]["new_district_code"] == moved["d1"] and rows[v2_old]["first_period"] == "2023-10"
    assert rows[v1_old]["groups"] == ", ".join(moved["moved_codes"][v1_old])


@needs("soffice")
def test_last_years_month_runs_again_as_it_did(moved):
    assert moved["sep_rows_again"] == moved["sep_rows"]  # the old codes are last year's history


@needs("soffice")
def test_the_next_turn_lists_the_moves_on_its_change_sheet(moved):
    assert moved["turn"].exit_code == 0, moved["turn"].output
    (v1_old, v1_new), (v2_old, v2_new) = moved["v1"], moved["v2"]
    changes = sheet_records(moved["following"], CHANGES.sheet_th, 4)
    texts = [r["การเปลี่ยนแปลง"] for r in changes if r["รหัสหมู่บ้าน"] in (v1_new, v2_new)]
    assert f"หมู่บ้านเปลี่ยนรหัสจาก {v1_old} เป็น {v1_new} ในปีงบประมาณ พ.ศ. 2567" in " ".join(texts)
    assert any(v2_old in t for t in texts)
    row = next(r for r in changes if r["รหัสหมู่บ้าน"] == v1_new)
    assert all(code in row["กลุ่มที่เกี่ยวข้อง"] for code in moved["moved_codes"][v1_old])
    # Next year's setup has the new codes and nothing left to move.
    wb = load_workbook(moved["following"])
    assert [r for r in wb[VILLAGE_MOVES.sheet_th].iter_rows(min_row=2, values_only=True) if any(r)] == []


@needs("soffice")
def test_a_wrong_moves_table_is_refused_cell_by_cell(setup, tmp_path):
    base = small_province(setup)
    path = write_setup_workbook(tmp_path / "setup.xlsx", base)
    v = list(base.villages["village_code"])
    d1 = base.district_codes[0]
    recode(path, {}, [
        (v[0], v[0], None),  # the same code
        ("36019996", d1 + "9999", None),  # a new code not in the villages sheet
        ("36019998", v[1], None),  # fine
        (v[2], v[3], None),  # the old code is still a village
        ("36019997", "36019998", None),  # a chain: 36019997 -> 36019998 -> v[1]
        ("3601999", v[4], None),  # 7 digits
        ("36019998", v[5], None),  # twice
    ])
    path = _resave(path, tmp_path / "saved")
    with pytest.raises(SetupInvalid) as exc:
        load_setup(path)
    found = {(p.rule_id, p.cell) for p in exc.value.problems}
    assert found == {("S_MOVE_SAME", "B2"), ("S_MOVE_UNKNOWN_NEW", "B3"), ("S_MOVE_OLD_LISTED", "A5"),
                     ("S_MOVE_CHAIN", "B6"), ("S_CODE_FORMAT", "A7"), ("S_DUPLICATE", "A8")}
    p = {p.rule_id: p for p in exc.value.problems}
    assert all(q.sheet == "หมู่บ้านที่เปลี่ยนรหัส" for q in exc.value.problems)
    assert p["S_MOVE_CHAIN"].fix_th == f"โปรดกรอกรหัสใหม่ของหมู่บ้าน 36019997 เป็น {v[1]} โดยตรง"
    assert "แยกออกเป็นสองหมู่บ้าน" in p["S_MOVE_OLD_LISTED"].fix_th
    assert "ชีตหมู่บ้าน" in p["S_MOVE_UNKNOWN_NEW"].message_th


def test_a_store_of_schema_two_learns_the_moves_table(tmp_path):
    path = tmp_path / "history.sqlite"
    con = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:2]:
        con.executescript(script)
    con.execute("PRAGMA user_version = 2")
    con.execute("INSERT INTO store_info VALUES ('province_code', '36')")
    con.close()
    with HistoryStore.open(path, "36") as store:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert store.village_moves().empty


@needs("soffice")
def test_the_comparison_with_last_year_counts_a_moved_village_in_its_new_district(moved):
    """October 2566 covers D1 alone (D2 did not report): last October's groups of the village that
    moved from D2 into D1 are compared in D1 too, like for like."""
    comparison = moved["october"].summary.comparison
    assert comparison.common_districts == 1
    then = moved["oct22"]
    v2_old = moved["v2"][0]
    expected = then[((then["district_code"] == moved["d1"]) | (then["village_code"] == v2_old))
                    & then["status"].ne("dissolved")]
    groups = next(f for f in comparison.figures if f.key == "groups")
    members = next(f for f in comparison.figures if f.key == "members")
    assert (groups.then, members.then) == (len(expected), expected["members"].sum())
    assert (then["village_code"] == v2_old).sum() > 0  # the moved village had groups then
