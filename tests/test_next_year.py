"""The year turns (issue 18): a province runs the end of fiscal year 2566, writes the setup of 2567
with `next-year`, fills its phases and targets, and runs October and November; one store holds both
years.

The province is the demo's first four districts. D1, D2 and D4 report in October and November
2565 (so that the new year has a month of last year to compare with); in August and September
2566 D1 and D2 report, D1 dissolving a group in September, D4 reports August only (its last month
is older than September) and D3 sends only a file that fails the checks (no accepted month at all).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from generator.figures.carry import carried_groups
from generator.cli import app
from generator.samples.demo import groups_as_of, updated_return
from generator.outputs.district_template import HEADER_ROW, district_file_name, write_district_workbook
from generator.store.history import MIGRATIONS, HistoryStore
from generator.next_year import CHANGES, DISSOLVED, GAINED, KEPT, NOT_REPORTED, STALE, next_year_setup
from generator.core.periods import Period
from generator.pipeline import result_json, run_month
from generator.core.schema import GROUPS, META_SHEET, PHASES, STATUS_LABELS_TH, TARGETS
from generator.core.model import SetupInvalid
from generator.intake.setup_workbook import load_setup
from generator.outputs.setup_template import write_setup_workbook
from generator.figures.years import YearMismatch
from tests.test_history import small_province
from tests.tools import needs

runner = CliRunner()
OCT22, NOV22, AUG23, SEP23, OCT23, NOV23 = (Period(2022, 10), Period(2022, 11), Period(2023, 8), Period(2023, 9),
                                            Period(2023, 10), Period(2023, 11))
FINAL = SEP23  # the demo's groups as they stand at the end of fiscal year 2566
DISSOLVE_NOTE = "สมาชิกมีมติยุบกลุ่ม"
# Fiscal year 2567: phase 1 from October, so that October's new groups count.
NEW_PHASES = [(1, "ระยะที่ 1", date(2023, 10, 1), date(2024, 3, 31), 15, 3),
              (2, "ระยะที่ 2", date(2024, 4, 1), date(2024, 8, 31), 20, 2)]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "240"})


def send(setup, store, code, month, folder: Path, groups: pd.DataFrame, carried=None, typed=None) -> Path:
    """The district opens the month's workbook (pre-filled from the store), types, sends on the 10th."""
    if carried is None:
        carried = carried_groups(setup, store.previous_groups(month)).get(code)
    template = write_district_workbook(setup, month, code, folder / "templates" / f"{code}.xlsx", carried)
    path = updated_return(template, carried, groups, folder / "inbox" / f"{code}.xlsx", typed)
    stamp = datetime(month.year, month.month, 10, 10).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def run(setup, store, month, folder, render=False):
    return run_month(setup, month, folder / "inbox", folder / "out", made_on=month.last_day, store=store,
                     now=datetime.combine(month.last_day, datetime.min.time()), render=render)


def new_group(setup, code, village_code, founded, n):
    v = setup.villages.set_index("village_code").loc[village_code]
    officer = setup.officers.loc[setup.officers["district_code"] == code, "officer_name"].iloc[0]
    return {"village_code": village_code, "group_name": f"กลุ่มออมทรัพย์เพื่อการผลิตบ้าน{v.village_name}ใหม่",
            "founded_on": founded, "members": 30 + n, "savings_baht": 15000.0 + 100 * n, "borrowers": 3,
            "loans_baht": 6000.0, "officer": officer, "status": STATUS_LABELS_TH["active"], "remarks": None}


def carried_as_sent(carried: pd.DataFrame) -> pd.DataFrame:
    """Last month's rows as the district sends them again: savings a little up."""
    rows = carried.drop(columns=["group_code", "confirmed"], errors="ignore").copy()
    rows["savings_baht"] = (rows["savings_baht"].astype(float) * 1.01).round(2)
    return rows


def fill_phases_and_targets(path: Path, districts: list[str]) -> None:
    """The province types the new year's phases and district targets into the new setup."""
    wb = load_workbook(path)
    ws = wb[PHASES.sheet_th]
    for i, (number, name, start, end, due, per_district) in enumerate(NEW_PHASES, start=2):
        for j, value in enumerate((number, name, start, end, due, per_district * len(districts)), start=1):
            ws.cell(row=i, column=j).value = value
    ws = wb[TARGETS.sheet_th]
    row = 2
    for number, *_, per_district in NEW_PHASES:
        for code in districts:
            for j, value in enumerate((code, number, per_district), start=1):
                ws.cell(row=row, column=j).value = value
            row += 1
    wb.save(path)


def sheet_records(path: Path, sheet: str, header_row: int) -> list[dict]:
    ws = load_workbook(path)[sheet]
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


@pytest.fixture(scope="module")
def turn(setup, tmp_path_factory):
    root = tmp_path_factory.mktemp("turn")
    old = small_province(setup)
    old_path = write_setup_workbook(root / "setup_2566.xlsx", old)
    old = load_setup(old_path)
    d1, d2, d3, d4 = old.district_codes
    store_path = root / "history_36.sqlite"
    store = HistoryStore.open(store_path, old.province_code)
    sent: dict[tuple[str, str], pd.DataFrame] = {}
    results = {}
    # The village whose only group D1 dissolves in September: a กข.คจ. village that had one.
    v1 = old.villages[(old.villages["district_code"] == d1) & old.villages["is_kkkj"] & old.villages["had_group"]]
    dissolved_village = v1["village_code"].iloc[0]

    for month, senders in ((OCT22, (d1, d2, d4)), (NOV22, (d1, d2, d4)), (AUG23, (d1, d2, d4)), (SEP23, (d1, d2))):
        folder = root / month.be_key
        for code in senders:
            groups = groups_as_of(old, code, month, FINAL)
            if month == SEP23 and code == d1:
                at = groups["village_code"] == dissolved_village
                groups.loc[at, "status"], groups.loc[at, "remarks"] = STATUS_LABELS_TH["dissolved"], DISSOLVE_NOTE
            send(old, store, code, month, folder, groups)
            sent[(code, month.key)] = groups
        if month in (AUG23, SEP23):  # D3's only file of the year fails the checks
            send(old, store, d3, month, folder, groups_as_of(old, d3, month, FINAL), typed={(0, "borrowers"): 9999})
        results[month.key] = run(old, store, month, folder)
    sep_json = result_json(results[SEP23.key])
    sep_rows = store.connection.execute("SELECT * FROM groups WHERE period = '2023-09' ORDER BY group_code").fetchall()
    store.close()

    # --- the year turns -----------------------------------------------------------------------
    new_path = root / "setup_2567.xlsx"
    cli = invoke("next-year", "--setup", old_path, "--store", store_path, "--out", new_path)
    assert cli.exit_code == 0, (cli.output, cli.exception)
    unfilled = None
    try:
        load_setup(new_path)
    except SetupInvalid as exc:
        unfilled = exc.problems
    changes = sheet_records(new_path, CHANGES.sheet_th, 4)
    reference = sheet_records(new_path, "อ้างอิงปี 2566", 3)
    meta = {r[0]: r[1] for r in load_workbook(new_path)[META_SHEET].iter_rows(values_only=True)}
    fill_phases_and_targets(new_path, old.district_codes)
    new = load_setup(new_path)

    # --- October and November 2566 -------------------------------------------------------------
    store = HistoryStore.open(store_path, old.province_code)
    templates_cli = invoke("templates", "--setup", new_path, "--period", "2566-10", "--store", store_path,
                           "--out", root / "send_2566-10")
    wrong_year_cli = invoke("templates", "--setup", old_path, "--period", "2566-10", "--store", store_path,
                            "--out", root / "wrong")
    eligible = {c: list(new.villages.loc[(new.villages["district_code"] == c) & new.villages["is_kkkj"]
                                         & ~new.villages["had_group"] & (new.villages["village_code"] != dissolved_village),
                                         "village_code"]) for c in (d1, d2, d4)}
    founded_new = {OCT23.key: {d1: eligible[d1][:2], d2: eligible[d2][:1], d4: eligible[d4][:1]},
                   NOV23.key: {d1: eligible[d1][2:3], d2: eligible[d2][1:2], d4: []}}
    retyped = None
    for month in (OCT23, NOV23):
        folder = root / month.be_key
        for code in (d1, d2, d4):
            carried = carried_groups(new, store.previous_groups(month))[code]
            rows = carried_as_sent(carried)
            keep = carried
            if month == OCT23 and code == d1:
                # D1 deletes the dissolved row and types that group again, without its code and with a new date.
                at = carried["village_code"] == dissolved_village
                retyped = rows[at].assign(status=STATUS_LABELS_TH["active"], remarks=None, founded_on=date(2023, 10, 3))
                rows, keep = pd.concat([rows[~at], retyped], ignore_index=True), carried[~at]
            fresh = [new_group(new, code, v, date(month.year, month.month, 5), n)
                     for n, v in enumerate(founded_new[month.key][code])]
            rows = pd.concat([rows, pd.DataFrame(fresh, columns=rows.columns)], ignore_index=True)
            send(new, store, code, month, folder, rows, carried=keep)
            sent[(code, month.key)] = rows
        results[month.key] = run(new, store, month, folder, render=month == NOV23)

    # --- last year's September again, with last year's setup ------------------------------------
    again = run(old, store, SEP23, root / SEP23.be_key)
    sep_rows_again = store.connection.execute(
        "SELECT * FROM groups WHERE period = '2023-09' ORDER BY group_code").fetchall()
    with pytest.raises(YearMismatch) as wrong_setup:
        run(new, store, SEP23, root / SEP23.be_key)
    history_cli = invoke("history", "--setup", new_path, "--store", store_path)
    history_json = json.loads(invoke("history", "--setup", new_path, "--store", store_path, "--json").stdout)
    return {"root": root, "old": old, "new": new, "store": store, "sent": sent, "results": results, "cli": cli,
            "unfilled": unfilled, "changes": changes, "reference": reference, "meta": meta,
            "templates_cli": templates_cli, "wrong_year_cli": wrong_year_cli, "dissolved_village": dissolved_village,
            "founded_new": founded_new, "retyped": retyped, "sep_json": sep_json, "sep_again_json": result_json(again),
            "sep_rows": sep_rows, "sep_rows_again": sep_rows_again, "wrong_setup": wrong_setup.value,
            "history_cli": history_cli, "history_json": history_json, "new_path": new_path}


def _active_villages(groups: pd.DataFrame) -> set[str]:
    return set(groups.loc[groups["status"] != STATUS_LABELS_TH["dissolved"], "village_code"])


def test_the_new_setup_flags_are_the_stores_end_of_year_state(turn):
    old, new = turn["old"], turn["new"]
    d1, d2, d3, d4 = old.district_codes
    assert turn["cli"].exit_code == 0, turn["cli"].output
    assert new.fiscal_year_be == 2567 and new.province_code == old.province_code
    pd.testing.assert_frame_equal(new.districts, old.districts)
    pd.testing.assert_frame_equal(new.officers, old.officers)
    pd.testing.assert_frame_equal(new.villages.drop(columns="had_group"), old.villages.drop(columns="had_group"))
    flags = new.villages.set_index("village_code")["had_group"]
    last_month = {d1: SEP23, d2: SEP23, d4: AUG23}
    for code, month in last_month.items():
        with_group = _active_villages(turn["sent"][(code, month.key)])
        mine = old.villages.loc[old.villages["district_code"] == code, "village_code"]
        assert {v for v in mine if flags[v]} == with_group, code
    # D3 has no accepted month: its flags are this year's, unchanged.
    kept = old.villages[old.villages["district_code"] == d3].set_index("village_code")["had_group"]
    assert (flags[kept.index] == kept).all()
    assert not flags[turn["dissolved_village"]]
    # A village that founded its group this year now has one.
    gained = old.villages[~old.villages["had_group"] & old.villages["village_code"].map(flags)]
    assert len(gained) > 0 and set(gained["district_code"]) <= {d1, d2, d4}


def test_the_change_sheet_lists_what_the_store_changed_and_what_it_could_not_tell(turn):
    old, changes = turn["old"], turn["changes"]
    d1, d2, d3, d4 = old.district_codes
    header = {c.key: c.header_th for c in CHANGES.columns}
    by_village = {r[header["village_code"]]: r for r in changes if r[header["village_code"]]}
    gone = by_village[turn["dissolved_village"]]
    assert gone[header["change"]].startswith("กลุ่มออมทรัพย์ฯ กลุ่มสุดท้ายของหมู่บ้านยุบเลิกแล้ว")
    assert gone[header["had_group_this_year"]] == "ใช่" and gone[header["had_group_next_year"]] == "ไม่ใช่"
    assert gone[header["last_month"]] == "กันยายน 2566" and gone[header["groups"]].endswith(")")
    flags = turn["new"].villages.set_index("village_code")["had_group"]
    was = old.villages.set_index("village_code")["had_group"]
    changed = {v for v in was.index if was[v] != flags[v]}
    assert set(by_village) == changed
    gained = [r for r in changes if r[header["change"]].startswith("หมู่บ้านมีกลุ่มออมทรัพย์ฯ แล้ว")]
    assert len(gained) == len(changed) - 1
    district_rows = {r[header["district_code"]]: r[header["change"]] for r in changes if not r[header["village_code"]]}
    assert set(district_rows) == {d3, d4}
    assert "สิงหาคม 2566" in district_rows[d4] and "โปรดตรวจสอบ" in district_rows[d4]
    n3 = int((old.villages["district_code"] == d3).sum())
    assert f"ปีงบประมาณ พ.ศ. 2566 จึงคงข้อมูล “มีกลุ่มฯ” ของ {n3} หมู่บ้าน" in district_rows[d3]
    # The command says so too.
    out = turn["cli"].output
    assert old.district_name(d3) in out and "คงข้อมูล" in out and old.district_name(d4) in out


def test_phases_and_targets_are_left_to_fill_with_this_year_beside_them(turn):
    old = turn["old"]
    empty = {(p.rule_id, p.sheet) for p in turn["unfilled"]}
    assert empty == {("S_EMPTY_TABLE", PHASES.sheet_th), ("S_EMPTY_TABLE", TARGETS.sheet_th)}
    ref = {(r["รหัสอำเภอ"], r["ระยะที่"]): r for r in turn["reference"]}
    assert len(ref) == (len(old.district_codes) + 1) * len(old.phases)
    sep = turn["results"][SEP23.key].summary
    aug = turn["results"][AUG23.key].summary
    d1, d2, d3, d4 = old.district_codes
    for code, s in ((d1, sep), (d2, sep), (d4, aug)):
        d = next(x for x in s.districts if x.district_code == code)
        for p, progress in zip(old.phases, d.phases):
            row = ref[(code, p.number)]
            assert (row["เป้าหมาย (กลุ่ม)"], row["จัดตั้งแล้ว (กลุ่ม)"]) == (progress.target, progress.founded)
    assert ref[(d3, 1)]["จัดตั้งแล้ว (กลุ่ม)"] == 0 and ref[(d3, 1)]["เดือนล่าสุดที่ผ่านการตรวจ"] is None
    province = ref[(old.province_code, 1)]
    assert province["เป้าหมาย (กลุ่ม)"] == old.phases[0].target_groups
    assert province["วันเริ่ม"].date() == old.phases[0].starts_on


def test_the_new_setup_has_the_meta_contract_of_init_setup(turn, tmp_path):
    invoke("init-setup", tmp_path / "blank.xlsx")
    blank = {r[0]: r[1] for r in load_workbook(tmp_path / "blank.xlsx")[META_SHEET].iter_rows(values_only=True)}
    assert {k: v for k, v in turn["meta"].items() if k != "province_code"} == \
        {k: v for k, v in blank.items() if k != "province_code"}
    assert turn["meta"]["kind"] == "setup" and turn["meta"]["province_code"] == "36"


def test_next_year_refuses_to_overwrite_and_needs_a_store(turn, tmp_path):
    r = invoke("next-year", "--setup", turn["root"] / "setup_2566.xlsx", "--store", tmp_path / "none.sqlite",
               "--out", tmp_path / "next.xlsx")
    assert r.exit_code == 2 and "ยังไม่มีฐานข้อมูลประวัติ" in r.output and not (tmp_path / "next.xlsx").exists()
    r = invoke("next-year", "--setup", turn["root"] / "setup_2566.xlsx", "--store", turn["root"] / "history_36.sqlite",
               "--out", turn["new_path"])
    assert r.exit_code == 2 and "--force" in r.output


def test_octobers_templates_hold_septembers_groups(turn):
    old = turn["old"]
    d1, d2, d3, d4 = old.district_codes
    assert turn["templates_cli"].exit_code == 0, turn["templates_cli"].output
    store = turn["store"]
    for code, month in ((d1, "2023-09"), (d2, "2023-09"), (d4, "2023-08")):
        ws = load_workbook(turn["root"] / "send_2566-10" / district_file_name(OCT23, code, old.district_name(code))
                           )[GROUPS.sheet_th]
        col = {k: GROUPS.keys.index(k) for k in ("group_code", "founded_on", "status")}
        rows = [r for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[col["group_code"]]]
        stored = pd.read_sql_query("SELECT group_code, founded_on, status FROM groups WHERE period = ? AND district_code = ?",
                                   store.connection, params=(month, code))
        assert sorted(r[col["group_code"]] for r in rows) == sorted(stored["group_code"])
        founded = {r[col["group_code"]]: r[col["founded_on"]].date().isoformat() for r in rows}
        assert founded == dict(zip(stored["group_code"], stored["founded_on"]))
        if code == d1:
            assert STATUS_LABELS_TH["dissolved"] in {r[col["status"]] for r in rows}
    # D3 has nothing to carry.
    ws = load_workbook(turn["root"] / "send_2566-10" / district_file_name(OCT23, d3, old.district_name(d3))
                       )[GROUPS.sheet_th]
    assert ws.cell(row=HEADER_ROW + 1, column=1).value is None


def test_a_month_is_never_prepared_or_run_with_another_years_setup(turn):
    r = turn["wrong_year_cli"]
    assert r.exit_code == 2 and "ตุลาคม 2566" in r.output and "ปีงบประมาณ พ.ศ. 2567" in r.output
    assert not (turn["root"] / "wrong").exists()
    assert turn["wrong_setup"].key == "period_other_year"
    assert turn["wrong_setup"].params["period_year"] == 2566 and turn["wrong_setup"].params["fiscal_year"] == 2567


def test_the_new_years_founded_counts_hold_only_the_new_groups(turn):
    old = turn["old"]
    d1, d2, d3, d4 = old.district_codes
    oct_s, nov_s = turn["results"][OCT23.key].summary, turn["results"][NOV23.key].summary
    assert all(f.status == "accepted" for f in oct_s.files + nov_s.files), [
        (p.rule_id, p.message_th) for p in oct_s.problems + nov_s.problems if p.is_error]
    new_oct = {c: len(v) for c, v in turn["founded_new"][OCT23.key].items()}
    new_nov = {c: new_oct[c] + len(v) for c, v in turn["founded_new"][NOV23.key].items()}
    for s, expected in ((oct_s, new_oct), (nov_s, new_nov)):
        by_code = {d.district_code: d.year.founded for d in s.districts}
        assert by_code == {**expected, d3: 0}
        assert s.year.founded == sum(expected.values())
        counted = s.groups[s.groups["phase"].notna()]
        assert set(counted["village_code"]) == {v for m in (OCT23, NOV23) if m <= s.period
                                                for vs in turn["founded_new"][m.key].values() for v in vs}
    # The group founded last year, dissolved, typed again without its code and with a new date: its
    # old code, and it does not count.
    g = oct_s.groups.set_index("village_code").loc[turn["dissolved_village"]]
    sep_code = pd.read_sql_query("SELECT group_code FROM groups WHERE period = '2023-09' AND village_code = ?",
                                 turn["store"].connection, params=(turn["dissolved_village"],))["group_code"].iloc[0]
    assert g["group_code"] == sep_code and pd.isna(g["phase"])
    # Group codes never change or get reused across the years.
    rows = pd.read_sql_query("SELECT period, village_code, group_name, group_code FROM groups", turn["store"].connection)
    assert (rows.groupby(["village_code", "group_name"])["group_code"].nunique() == 1).all()
    assert (rows.groupby("group_code")[["village_code", "group_name"]].nunique() == 1).all().all()


def test_last_years_month_runs_again_with_the_same_result(turn):
    assert turn["sep_again_json"] == turn["sep_json"]
    assert turn["sep_rows_again"] == turn["sep_rows"]


def test_history_shows_the_months_of_both_years(turn):
    out = turn["history_cli"].output
    assert turn["history_cli"].exit_code == 0
    assert "ปีงบประมาณ พ.ศ. 2566" in out and "ปีงบประมาณ พ.ศ. 2567" in out
    assert "ตุลาคม 2565" in out and "พฤศจิกายน 2566" in out
    years = {(r["month"], r["fiscal_year_be"]) for r in turn["history_json"]["reports"]}
    assert years == {("2022-10", 2566), ("2022-11", 2566), ("2023-08", 2566), ("2023-09", 2566),
                     ("2023-10", 2567), ("2023-11", 2567)}
    assert list(turn["store"].months()["fiscal_year_be"]) == [2566, 2566, 2566, 2566, 2567, 2567]


def _expected_totals(turn, codes, month):
    frames = [turn["sent"][(c, month.key)] for c in codes]
    g = pd.concat(frames, ignore_index=True)
    g = g[g["status"] != STATUS_LABELS_TH["dissolved"]]
    return {"groups": len(g), "members": int(g["members"].sum()), "savings_baht": round(float(g["savings_baht"].sum()), 2),
            "loans_baht": round(float(g["loans_baht"].sum()), 2)}


def test_the_comparison_with_last_year_covers_the_districts_that_reported_both_times(turn):
    old = turn["old"]
    d1, d2, d3, d4 = old.district_codes
    c = turn["results"][NOV23.key].summary.comparison
    assert c.last_period == NOV22 and c.available and not c.complete
    assert (c.districts, c.now_districts, c.then_districts, c.common_districts) == (4, 3, 3, 3)
    now, then = _expected_totals(turn, (d1, d2, d4), NOV23), _expected_totals(turn, (d1, d2, d4), NOV22)
    for key in ("groups", "members", "savings_baht", "loans_baht"):
        f = c.figure(key)
        assert (f.now, f.then) == pytest.approx((now[key], then[key])), key
    assert c.figure("groups").change == now["groups"] - then["groups"] > 0
    assert c.figure("members").change_percent == round(100 * (now["members"] - then["members"]) / then["members"], 2)
    # Last year's months were run before the store held any earlier year: no section there.
    assert turn["results"][SEP23.key].summary.comparison is None


@needs("pdftotext", "pdftoppm")
def test_the_comparison_section_is_in_the_pdf(turn):
    from tests.test_render_pdf import loose, pdftotext

    result = turn["results"][NOV23.key]
    text = loose(pdftotext(result.outputs["pdf"]))
    c = result.summary.comparison
    assert loose("เทียบกับปีงบประมาณก่อน") in text
    assert loose("พฤศจิกายน 2566 เทียบกับพฤศจิกายน 2565") in text
    assert f"{int(c.figure('members').now):,}" in text and f"{int(c.figure('members').then):,}" in text
    assert f"{c.figure('savings_baht').now:,.2f}" in text and f"{c.figure('loans_baht').then:,.2f}" in text
    assert loose("เทียบเฉพาะ 3 อำเภอที่รายงานผ่านการตรวจสอบทั้งสองเดือน จากทั้งหมด 4 อำเภอ") in text
    page = next(i for i, p in enumerate(pdftotext(result.outputs["pdf"]).split("\f"), start=1)
                if loose("เทียบกับปีงบประมาณก่อน") in loose(p))
    png = turn["root"] / "comparison"
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), str(result.outputs["pdf"]), str(png)],
                   check=True)
    assert list(turn["root"].glob("comparison*.png"))


def test_a_flag_the_district_never_reported_is_listed_for_checking(setup):
    # Pure: a village this year's setup says had a group, with no group in its district's last month.
    old = small_province(setup, 1)
    code = old.district_codes[0]
    had = old.villages.loc[old.villages["had_group"], "village_code"]
    groups = pd.DataFrame({"district_code": code, "village_code": list(had[1:]), "group_code": [f"{v}01" for v in had[1:]],
                           "group_name": "g", "status": "active", "phase": pd.NA})
    model = next_year_setup(old, {code: groups}, {code: "2023-09"})
    assert list(model.changes["kind"]) == [NOT_REPORTED]
    assert model.changes["village_code"].iloc[0] == had.iloc[0]
    assert not model.setup.villages.set_index("village_code").loc[had.iloc[0], "had_group"]
    assert model.kept_districts == () and model.stale_districts == ()


def test_a_store_of_the_first_schema_learns_the_fiscal_year_of_its_months(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path, isolation_level=None)
    con.executescript(MIGRATIONS[0])
    con.execute("INSERT INTO store_info VALUES ('province_code', '36')")
    con.executemany("INSERT INTO reports VALUES (?, '3601', 'on_time', NULL, NULL)", [("2023-09",), ("2023-10",)])
    con.execute("PRAGMA user_version = 1")
    con.close()
    with HistoryStore.open(path, "36") as store:
        assert store.months().values.tolist() == [["2023-09", 2566], ["2023-10", 2567]]

