"""A fiscal year through the history store: resubmissions, late and missing reports, carry-forward,
stable group codes, re-runs, and a run killed part-way.

The province is the demo's first four districts, so that a whole year runs in a few seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from generator.figures.carry import carried_groups
from generator.samples.demo import groups_as_of, updated_return
from generator.outputs.district_template import HEADER_ROW, write_district_workbook
from generator.store.history import HistoryStore, StoreError
from generator.core.periods import Period
from generator.pipeline import run_month
from generator.core.schema import GROUPS
from generator.core.model import Setup
from generator.outputs.setup_template import write_setup_workbook

MONTHS = [Period(2023, m) for m in (3, 4, 5, 6, 7, 8)]
LAST = MONTHS[-1]


def small_province(setup: Setup, n: int = 4) -> Setup:
    codes = setup.district_codes[:n]
    targets = setup.targets[setup.targets["district_code"].isin(codes)]
    phases = tuple(replace(p, target_groups=int(targets.loc[targets["phase"] == p.number, "target_groups"].sum()))
                   for p in setup.phases)
    keep = lambda frame: frame[frame["district_code"].isin(codes)].reset_index(drop=True)  # noqa: E731
    return replace(setup, districts=keep(setup.districts), villages=keep(setup.villages),
                   officers=keep(setup.officers), targets=targets.reset_index(drop=True), phases=phases)


@pytest.fixture(scope="module")
def province(setup) -> Setup:
    return small_province(setup)


def district_sends(province: Setup, store: HistoryStore, code: str, month: Period, folder: Path,
                   received: datetime, name: str | None = None, typed: dict | None = None) -> Path:
    """The district opens this month's workbook (pre-filled from the store), updates it, sends it."""
    carried = carried_groups(province, store.previous_groups(month)).get(code)
    template = write_district_workbook(province, month, code, folder / "templates" / f"{code}.xlsx", carried)
    path = updated_return(template, carried, groups_as_of(province, code, month, LAST),
                          folder / "inbox" / (name or f"{code}.xlsx"), typed)
    os.utime(path, (received.timestamp(), received.timestamp()))
    return path


def _carried_codes(template: Path) -> dict[tuple[str, str], str]:
    ws = load_workbook(template)[GROUPS.sheet_th]
    col = {k: GROUPS.keys.index(k) for k in ("group_code", "village_code", "group_name")}
    out = {}
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        if row[col["group_code"]]:
            out[(row[col["village_code"]], row[col["group_name"]])] = row[col["group_code"]]
    return out


def run(province, store, month, folder, **kw):
    # A month's report is due in the month after (README, "What a month's report covers").
    due = province.due_date(month)
    return run_month(province, month, folder / "inbox", folder / "out", made_on=due, store=store,
                     now=datetime.combine(due + timedelta(days=7), datetime.min.time()),
                     render=kw.pop("render", False), **kw)


@pytest.fixture(scope="module")
def year(province, tmp_path_factory):
    """Six months of a fiscal year, as they happen."""
    root = tmp_path_factory.mktemp("year")
    d1, d2, d3, d4 = province.district_codes
    store = HistoryStore.open(root / "history.sqlite", province.province_code)
    folders = {m.key: root / m.be_key for m in MONTHS}
    results = {}

    def on(month, day, hour=10):
        """A day of the month in which this month's report is due."""
        due = province.due_date(month)
        return datetime(due.year, due.month, day, hour)

    for month in MONTHS:
        folder, due = folders[month.key], province.due_date(month)
        for code in (d1, d2, d3, d4):
            if month == MONTHS[1] and code == d4:  # April: D4 does not send in time
                continue
            if month == MONTHS[4] and code == d4:  # July: D4 never sends
                continue
            if month == MONTHS[3] and code == d1:  # June: D1 sends a wrong file and never corrects it
                district_sends(province, store, code, month, folder, on(month, 10), typed={(0, "borrowers"): 9999})
                continue
            if month == MONTHS[2] and code == d2:  # May: D2 sends a wrong file, then a corrected one
                district_sends(province, store, code, month, folder, on(month, 10), name=f"{code}_first.xlsx",
                               typed={(0, "members"): None})
                district_sends(province, store, code, month, folder, on(month, 14))
                continue
            late = (month == MONTHS[1] and code == d3) or (month == LAST and code == d3)
            district_sends(province, store, code, month, folder, on(month, due.day + 1 if late else due.day - 1))
        results[month.key] = run(province, store, month, folder)
        if month == MONTHS[2]:
            # April's missing file turns up in May and is brought in with the day it really arrived.
            april = folders[MONTHS[1].key]
            district_sends(province, store, d4, MONTHS[1], april, on(MONTHS[2], 20))
            os.utime(april / "inbox" / f"{d4}.xlsx", (on(MONTHS[1], 1).timestamp(),) * 2)  # a wrong mtime
            results["april_again"] = run(province, store, MONTHS[1], april, received_on=date(2023, 5, 20))
    return {"store": store, "results": results, "folders": folders, "root": root}


def test_the_grid_counts_every_month_as_it_finally_stood(year, province):
    s = year["results"][LAST.key].summary
    grid = s.reporting.pivot(index="district_code", columns="month", values="status")
    d1, d2, d3, d4 = province.district_codes
    assert list(grid.columns) == [m.key for m in MONTHS]
    assert grid.loc[d4, "2023-04"] == "late"  # brought in late, with --received-on
    assert grid.loc[d3, "2023-04"] == "late" and grid.loc[d3, "2023-08"] == "late"
    assert grid.loc[d2, "2023-05"] == "on_time"  # the corrected file came before the 15th
    assert grid.loc[d1, "2023-06"] == "rejected" and grid.loc[d4, "2023-07"] == "missing"
    assert s.reporting["status"].value_counts().to_dict() == {"on_time": 19, "late": 3, "rejected": 1, "missing": 1}
    assert s.year_reporting_rate == 91.67 and s.year_on_time_rate == 79.17
    assert s.on_time_rate == 75.0 and s.reporting_rate == 100.0


def test_phase_two_is_due_on_its_own_day(year, province):
    # July and August are in phase 2, due on the 20th: a file of the 19th is on time, of the 21st late.
    assert province.due_date(Period(2023, 7)) == date(2023, 8, 20)
    july = year["results"]["2023-07"].summary.reporting
    assert (july[july["month"] == "2023-07"]["status"] == "on_time").sum() == 3


def test_the_store_keeps_every_file_and_the_resubmission(year, province):
    store = year["store"]
    d2 = province.district_codes[1]
    may = store.files(Period(2023, 5))
    mine = may[may["district_code"] == d2].set_index("file_name")
    assert mine.loc[f"{d2}_first.xlsx", "status"] == "superseded"  # replaced by the accepted resubmission
    assert mine.loc[f"{d2}.xlsx", "status"] == "accepted"
    assert mine.loc[f"{d2}.xlsx", "received_at"] == "2023-06-14T10:00:00"  # May is due on 15 June
    files = year["results"]["2023-05"].summary.files
    assert {f.file: f.status for f in files if f.district_code == d2} == {
        f"{d2}_first.xlsx": "superseded", f"{d2}.xlsx": "accepted"}
    # A file's first sighting never changes, and the late April file has the day given for it.
    april = store.files(Period(2023, 4)).set_index("district_code")
    assert april.loc[province.district_codes[3], "received_at"] == "2023-05-20T00:00:00"


def test_group_codes_stay_the_same_all_year(year):
    rows = pd.read_sql_query("SELECT period, village_code, group_name, group_code FROM groups",
                             year["store"].connection)
    per_group = rows.groupby(["village_code", "group_name"])["group_code"].nunique()
    assert (per_group == 1).all()
    assert rows.groupby("period")["group_code"].apply(lambda s: s.is_unique).all()
    # Groups founded before March were seen in March and kept their code to August.
    march = set(rows.loc[rows["period"] == "2023-03", "group_code"])
    august = set(rows.loc[rows["period"] == "2023-08", "group_code"])
    assert march and march <= august


def test_the_workbook_of_a_month_carries_the_last_accepted_groups(year, province, tmp_path):
    store = year["store"]
    d4 = province.district_codes[3]
    carried = carried_groups(province, store.previous_groups(LAST))
    # D4 sent nothing in July: August's workbook carries what June accepted.
    june = pd.read_sql_query("SELECT group_code, members FROM groups WHERE period = '2023-06' AND district_code = ?",
                             store.connection, params=(d4,))
    assert sorted(carried[d4]["group_code"]) == sorted(june["group_code"])
    path = write_district_workbook(province, LAST, d4, tmp_path / "d4.xlsx", carried[d4])
    codes = _carried_codes(path)
    assert sorted(codes.values()) == sorted(june["group_code"])
    ws = load_workbook(path)[GROUPS.sheet_th]
    status_col = GROUPS.keys.index("status") + 1
    assert ws.cell(row=HEADER_ROW + 1, column=status_col).value == "ดำเนินการอยู่"  # as the dropdown offers it


def test_running_a_month_again_changes_nothing(year, province):
    store, folder = year["store"], year["folders"][LAST.key]
    first = run(province, store, LAST, folder, render=True)
    before = store.dump()
    json_before = first.outputs["json"].read_bytes()
    again = run(province, store, LAST, folder, render=True)
    assert store.dump() == before
    assert again.outputs["json"].read_bytes() == json_before
    record = json.loads(json_before)
    assert record["year_on_time_rate"] == 79.17
    assert len(record["reporting"]) == len(MONTHS) * 4


def test_a_second_run_on_the_same_store_refuses_while_the_first_holds_it(year, province):
    path = year["root"] / "history.sqlite"
    holder = year["store"]
    with holder.transaction():
        other = HistoryStore.open(path, province.province_code, wait_seconds=0.2)
        with pytest.raises(StoreError) as caught:
            run(province, other, LAST, year["folders"][LAST.key])
        other.close()
    assert caught.value.key == "store_busy"


def test_a_store_of_another_province_is_refused(year):
    with pytest.raises(StoreError) as caught:
        HistoryStore.open(year["root"] / "history.sqlite", "99")
    assert caught.value.key == "store_other_province"


def test_a_new_store_appears_whole_or_not_at_all(tmp_path, monkeypatch):
    """The web page's preview opened the store while a report run was making it, found SQLite's
    empty new file and refused it as damaged: while a store is being made, nothing is at its place."""
    path = tmp_path / "history.sqlite"
    seen = []
    migrate = HistoryStore._migrate

    def watched(self):
        seen.append((path.exists(), path.stat().st_size if path.exists() else None))
        migrate(self)

    monkeypatch.setattr(HistoryStore, "_migrate", watched)
    with HistoryStore.open(path, "36"):
        pass
    assert seen[0] == (False, None), seen
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite"]  # nothing left beside it
    with HistoryStore.open(path, "36"):  # and it opens again as a store, not as damage
        pass
    with pytest.raises(StoreError) as caught:
        HistoryStore.open(path, "99")
    assert caught.value.key == "store_other_province"  # the province was claimed before it appeared


KILLED_RUN = textwrap.dedent("""
    import sys, time
    from datetime import date, datetime
    from pathlib import Path
    import generator.outputs.render_pdf as render_pdf
    from generator.store.history import HistoryStore
    from generator.core.periods import Period
    from generator.pipeline import run_month
    from generator.intake.setup_workbook import load_setup

    def hang(*args, **kwargs):  # the PDF is being made when the power goes
        Path(sys.argv[3]).write_text("rendering")
        time.sleep(120)

    render_pdf.write_pdf = hang
    setup = load_setup(Path(sys.argv[1]))
    root = Path(sys.argv[2])
    store = HistoryStore.open(root / "history.sqlite", setup.province_code)
    run_month(setup, Period(2023, 8), root / "inbox", root / "out", date(2023, 8, 31), store=store,
              now=datetime(2023, 8, 31))
""")


def test_a_run_killed_part_way_leaves_the_store_and_the_outputs_as_they_were(province, tmp_path):
    setup_path = write_setup_workbook(tmp_path / "setup.xlsx", province)
    store = HistoryStore.open(tmp_path / "history.sqlite", province.province_code)
    for code in province.district_codes:
        district_sends(province, store, code, LAST, tmp_path, datetime(2023, 8, 10))
    first = run_month(province, LAST, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 31), store=store)
    before = store.dump()
    outputs = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    store.close()
    # A corrected file arrives; the run that would take it in is killed while the PDF is made.
    district_sends(province, HistoryStore.open(tmp_path / "history.sqlite", province.province_code),
                   province.district_codes[0], LAST, tmp_path, datetime(2023, 8, 12), name="again.xlsx",
                   typed={(0, "members"): 400})
    marker = tmp_path / "marker"
    script = tmp_path / "killed_run.py"
    script.write_text(KILLED_RUN)
    child = subprocess.Popen([sys.executable, str(script), str(setup_path), str(tmp_path), str(marker)],
                             cwd=Path(__file__).parents[1], env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    deadline = time.monotonic() + 60
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the child run never reached the PDF"
    child.send_signal(signal.SIGKILL)
    child.wait()
    reopened = HistoryStore.open(tmp_path / "history.sqlite", province.province_code)
    assert reopened.dump() == before
    now = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file() and ".staging-" not in str(p)}
    assert now == outputs
    # The next run takes the new file in and clears what the killed run left behind.
    second = run_month(province, LAST, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 31), store=reopened)
    assert second.summary.total.members != first.summary.total.members
    assert not list((tmp_path / "out").glob(".staging-*"))
    assert reopened.dump() != before


def test_completeness_by_month(year):
    table = year["results"][LAST.key].summary.completeness.set_index("month")
    assert list(table.index) == [m.key for m in MONTHS]
    assert table.loc["2023-04"].to_dict() == {
        "expected": 4, "received": 4, "accepted": 4, "on_time": 2, "late": 2, "rejected": 0, "missing": 0,
        "reporting_rate": 100.0, "on_time_rate": 50.0}
    assert table.loc["2023-06", "rejected"] == 1 and table.loc["2023-06", "received"] == 4
    assert table.loc["2023-07", "missing"] == 1 and table.loc["2023-07", "reporting_rate"] == 75.0
    assert table["expected"].sum() == 24 and table["accepted"].sum() == 22


def test_the_excel_summary_has_the_months_of_the_year(year, province):
    result = run(province, year["store"], LAST, year["folders"][LAST.key], render=True)
    ws = load_workbook(result.outputs["excel"])["ความครบถ้วนรายเดือน"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    by_month = {r[1]: r for r in rows if r[1]}
    assert list(by_month) == [m.key for m in MONTHS]
    assert by_month["2023-04"][2:9] == (4, 4, 4, 2, 2, 0, 0) and by_month["2023-04"][10] == 50.0
    total = rows[-1]
    assert total[0] == "ทั้งปี" and total[2:9] == (24, 23, 22, 19, 3, 1, 1)
    assert total[9] == 91.67 and total[10] == 79.17
