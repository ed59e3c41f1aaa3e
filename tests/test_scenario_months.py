"""Three months of a province set up from the blank setup workbook, in the style of the Lampang case.

The province's staff type their setup into the workbook `init-setup` writes (yes/no typed as มี/ไม่มี
and 1/0, codes as numbers); districts fill the workbooks `templates` sends them, pre-filled from
the store. Truth is kept here, by the test, as the groups each district really has; every figure
of every month is checked against it, and every month passes the report audit against the one
before.

December 2566: every district on time. January 2567: a district late. February 2567 (phase 1 is
over): a district skips the month, one sends a wrong file and then a corrected one, and one
sends the same file twice (the copy a day late).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from openpyxl import load_workbook

from generator.figures.carry import carried_groups
from generator.samples.demo import updated_return
from generator.outputs.district_template import write_district_workbooks
from generator.store.history import HistoryStore
from generator.core.periods import Period
from generator.pipeline import run_month
from generator.core.schema import SETUP_TABLES
from generator.intake.setup_workbook import load_setup
from generator.outputs.setup_template import write_setup_workbook
from generator.core.statuses import ACCEPTED, LATE, MISSING, NOT_REACHED, ON_TIME, REACHED
from tests.audit import assert_report_true
from tests.test_render_pdf import needs_poppler, pdftotext

DEC, JAN, FEB = Period(2023, 12), Period(2024, 1), Period(2024, 2)
DISTRICTS = {"5201": "เมืองลำปาง", "5202": "แม่เมาะ", "5203": "เกาะคา", "5204": "เถิน"}
D_LATE, D_SKIP, D_RESENT, D_COPY = "5202", "5203", "5201", "5204"
PHASE_1 = (date(2023, 11, 1), date(2024, 1, 31), 10)  # due on the 10th of the month after
PHASE_2 = (date(2024, 2, 1), date(2024, 5, 31), 15)
TARGETS = {"5201": (2, 2), "5202": (2, 1), "5203": (1, 2), "5204": (3, 1)}


def villages(code: str) -> list[dict]:
    """Six villages a district: 1-4 กข.คจ. (1 and 2 had a group when the year began), 5-6 not."""
    return [{"village_code": f"{code}01{n:02d}", "moo": n, "village_name": f"บ้าน{DISTRICTS[code]}{n}",
             "subdistrict_name": f"ต.{DISTRICTS[code]}", "district_code": code,
             "is_kkkj": n <= 4, "had_group": n in (1, 2) or n == 5} for n in range(1, 7)]


# The real world: each district's groups and the day each was founded (None = an old group).
FOUNDED = {
    "5201": {1: None, 2: None, 5: None, 3: date(2023, 11, 20), 4: date(2024, 1, 15)},
    "5202": {1: None, 2: None, 5: None, 3: date(2023, 12, 5), 6: date(2024, 1, 8)},  # 6 is not กข.คจ.
    "5203": {1: None, 2: None, 5: None, 3: date(2023, 12, 12)},
    "5204": {1: None, 2: None, 5: None, 3: date(2023, 11, 2), 4: date(2024, 2, 9)},
}


def truth(code: str, month: Period) -> pd.DataFrame:
    """What a district really has at the end of a month: its groups and their figures."""
    rows = []
    for n, founded in FOUNDED[code].items():
        day = founded or date(2010 + n, 3, 1)
        if day > month.last_day:
            continue
        months_old = (month.year - day.year) * 12 + month.month - day.month
        members = 30 + 10 * n + (0 if founded is None else months_old)
        rows.append({"village_code": f"{code}01{n:02d}", "group_name": f"กลุ่มออมทรัพย์เพื่อการผลิตบ้าน{DISTRICTS[code]}{n}",
                     "founded_on": day, "members": members, "savings_baht": float(members * 1000),
                     "borrowers": members // 3, "loans_baht": float(members * 500),
                     "officer": f"นาย พัฒนากร {code}", "status": "ดำเนินการอยู่", "remarks": None})
    return pd.DataFrame(rows)


def counted(code: str, month: Period) -> dict[int, int]:
    """The test's own count toward the target: founded in a phase, in a กข.คจ. village without a group."""
    out = {1: 0, 2: 0}
    for n, founded in FOUNDED[code].items():
        if founded is None or founded > month.last_day or n > 4 or n in (1, 2):
            continue
        phase = 1 if PHASE_1[0] <= founded <= PHASE_1[1] else 2 if PHASE_2[0] <= founded <= PHASE_2[1] else None
        if phase:
            out[phase] += 1
    return out


def typed_setup(path):
    """The blank setup workbook, filled in the way an office types it."""
    write_setup_workbook(path)
    wb = load_workbook(path)
    sheets = {t.key: wb[t.sheet_th] for t in SETUP_TABLES}
    yes_no = {True: ("มี", "1"), False: ("ไม่มี", "0")}
    rows = {
        "province": [[52, "ลำปาง", 2567]],
        "districts": [[int(c), n] for c, n in DISTRICTS.items()],
        "villages": [[int(v["village_code"]), v["moo"], v["village_name"], v["subdistrict_name"], int(v["district_code"]),
                      yes_no[v["is_kkkj"]][0], yes_no[v["had_group"]][1]] for c in DISTRICTS for v in villages(c)],
        "officers": [[f"{c}01", f"นาย พัฒนากร {c}", c] for c in DISTRICTS],
        "phases": [[1, "ระยะที่ 1", PHASE_1[0], PHASE_1[1], PHASE_1[2], sum(t[0] for t in TARGETS.values())],
                   [2, "ระยะที่ 2", PHASE_2[0], PHASE_2[1], PHASE_2[2], sum(t[1] for t in TARGETS.values())]],
        "targets": [[c, p + 1, TARGETS[c][p]] for c in DISTRICTS for p in (0, 1)],
    }
    for key, table_rows in rows.items():
        ws = sheets[key]
        for i, row in enumerate(table_rows, start=2):
            for j, value in enumerate(row, start=1):
                ws.cell(row=i, column=j).value = value
        ws.tables[key].ref = f"A1:{ws.cell(row=1, column=len(row)).column_letter}{len(table_rows) + 1}"
    wb.save(path)
    return path


def sent(path, day: datetime):
    import os

    os.utime(path, (day.timestamp(), day.timestamp()))
    return path


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    root = tmp_path_factory.mktemp("lampang")
    setup = load_setup(typed_setup(root / "setup_52_2567.xlsx"))
    results = {}
    with HistoryStore.open(root / "history_52.sqlite", setup.province_code) as store:
        for month in (DEC, JAN, FEB):
            inbox = root / "inbox" / month.be_key
            inbox.mkdir(parents=True)
            carried = carried_groups(setup, store.previous_groups(month))
            templates = dict(zip(setup.district_codes, write_district_workbooks(
                setup, month, root / "templates" / month.be_key, carried)))
            due = setup.due_date(month)
            for code, template in templates.items():
                if month == FEB and code == D_SKIP:
                    continue
                on = datetime.combine(due, datetime.min.time()).replace(hour=9)
                if month == FEB and code == D_RESENT:  # first a file with a member count missing
                    sent(updated_return(template, carried.get(code), truth(code, month), inbox / f"{code}_first.xlsx",
                                        {(0, "members"): None}), on - timedelta(days=4))
                late = month == JAN and code == D_LATE
                path = sent(updated_return(template, carried.get(code), truth(code, month), inbox / f"{code}.xlsx"),
                            on + timedelta(days=3) if late else on - timedelta(days=2))
                if month == FEB and code == D_COPY:  # the same file saved again from a second e-mail, late
                    (inbox / f"{code} (1).xlsx").write_bytes(path.read_bytes())
                    sent(inbox / f"{code} (1).xlsx", on + timedelta(days=4))
            results[month] = run_month(setup, month, inbox, root / "out", due + timedelta(days=5), store=store,
                                       now=datetime.combine(due + timedelta(days=5), datetime.min.time()),
                                       render=month == FEB)
    return setup, results


def test_every_month_adds_up_to_the_truth(months):
    setup, results = months
    previous = None
    for month, result in results.items():
        s = result.summary
        source = {c: (FEB if month == FEB else month) for c in DISTRICTS}
        if month == FEB:
            source[D_SKIP] = JAN  # it did not send February: its January counts
        for d in s.districts:
            m = source[d.district_code]
            want = counted(d.district_code, m)
            assert [p.founded for p in d.phases] == [want[1], want[2]], (month, d.district_code)
            real = truth(d.district_code, m)
            assert d.groups == len(real) and d.members == int(real["members"].sum()), (month, d.district_code)
            assert d.savings_baht == pytest.approx(real["savings_baht"].sum())
            assert d.villages_with_group == 2 + sum(want.values())
            assert d.figures_from == m.key
        assert s.year.founded == sum(sum(counted(c, source[c]).values()) for c in DISTRICTS)
        assert_report_true(s, previous=previous)
        if previous is not None:
            assert s.year.founded >= previous.year.founded
            assert s.villages_with_group >= previous.villages_with_group
        previous = s


def test_who_sent_what_and_when(months):
    setup, results = months
    grid = results[FEB].summary.reporting.pivot(index="district_code", columns="month", values="status")
    assert grid.loc[D_LATE, JAN.key] == LATE and grid.loc[D_LATE, DEC.key] == ON_TIME
    assert grid.loc[D_SKIP, FEB.key] == MISSING and grid.loc[D_RESENT, FEB.key] == ON_TIME
    feb = results[FEB].summary
    files = {f.file: f.status for f in feb.files}
    # the wrong file was replaced by the corrected one (issue 11, defect 11): superseded, not followed up
    assert files[f"{D_RESENT}_first.xlsx"] == "superseded" and files[f"{D_RESENT}.xlsx"] == ACCEPTED
    # an identical copy is the same submission, received at its first sighting: on time
    assert grid.loc[D_COPY, FEB.key] == ON_TIME
    assert [f.copies for f in feb.files if f.district_code == D_COPY] == [(f"{D_COPY} (1).xlsx",)]
    skip = next(d for d in feb.districts if d.district_code == D_SKIP)
    assert skip.report == MISSING and skip.carried and skip.figures_from == JAN.key


def test_phase_one_is_final_once_over(months):
    setup, results = months
    dec, jan, feb = (results[m].summary for m in (DEC, JAN, FEB))
    # January's report covers the month to the 31st, phase 1's last day: from then on it is final
    assert not dec.phases[0].ended and jan.phases[0].ended and feb.phases[0].ended
    assert dec.phases[0].status not in (REACHED, NOT_REACHED)
    for d in feb.districts:
        assert d.phases[0].status in (REACHED, NOT_REACHED)
    by_code = {d.district_code: d for d in feb.districts}
    assert by_code["5201"].phases[0].status == REACHED  # 2 of 2
    assert by_code["5204"].phases[0].status == NOT_REACHED  # 1 of 3


@needs_poppler
def test_the_february_report_reads_true(months, tmp_path):
    setup, results = months
    pdf = results[FEB].outputs["pdf"]
    text = "".join(pdftotext(pdf, layout=False).split())
    assert "ไม่บรรลุเป้าหมาย" in text
    assert "ใช้ข้อมูลเดือนม.ค.67" in text  # เกาะคา's figures are January's
    assert "ข้อมูลณวันที่29กุมภาพันธ์2567" in text
    assert "ส่งผลการตรวจให้อำเภอทราบแล้ว" not in text
