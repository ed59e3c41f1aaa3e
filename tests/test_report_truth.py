"""Issue 11, the report half: figures a governor can trust.

Each test here failed before its fix. Months are built from hand-made groups (so the truth is
known without the tool) or run end to end through real workbooks and the history store.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pandas as pd
import pytest

from generator.samples.demo import chaiyaphum_setup, fill_workbook, groups_as_of
from generator.outputs.district_template import write_district_workbook
from generator.store.history import HistoryStore
from generator.figures.merge import merge_groups
from generator.core.periods import Period
from generator.pipeline import run_month
from generator.outputs.render_pdf import context, render_html
from generator.core.rules import rule
from generator.figures.summary import FileOutcome, summarise
from generator.core.statuses import ACCEPTED, BEHIND, MISSING, NOT_REACHED, ON_TRACK, REACHED, STATUS_TH
from tests.audit import assert_report_true
from tests.test_render_pdf import needs_poppler, pdftotext

JULY, AUGUST = Period(2023, 7), Period(2023, 8)


def eligible_villages(setup, code):
    v = setup.villages
    return list(v[(v["district_code"] == code) & v["is_kkkj"] & ~v["had_group"]]["village_code"])


def groups_of(setup, code, founded: list[date]) -> pd.DataFrame:
    """One new group per founding date, each in its own กข.คจ. village that had none."""
    villages = eligible_villages(setup, code)
    return pd.DataFrame([{
        "group_code": f"{villages[i]}01", "village_code": villages[i], "village_name": None,
        "group_name": f"กลุ่มออมทรัพย์ฯ {code}-{i}", "founded_on": d, "members": 20, "savings_baht": 10_000.0,
        "borrowers": 4, "loans_baht": 6_000.0, "officer": None, "officer_id": None, "status": "active",
        "remarks": None} for i, d in enumerate(founded)])


def month(setup, period, accepted: dict[str, pd.DataFrame], problems=(), made_on=None):
    merged = merge_groups(setup, accepted)
    reports = {c: MISSING for c in setup.district_codes} | {c: ACCEPTED for c in accepted}
    due = setup.due_date(period)
    files = [FileOutcome(f"{c}.xlsx", c, setup.district_name(c), ACCEPTED, 0, 0, received_on=due) for c in accepted]
    return summarise(setup, period, merged, reports, files, list(problems), made_on or due)


def moved_targets(setup, changes: dict[str, tuple[int, int]]):
    """The same province targets, shared out differently between districts."""
    t = setup.targets.copy()
    for code, (p1, p2) in changes.items():
        t.loc[(t["district_code"] == code) & (t["phase"] == 1), "target_groups"] = p1
        t.loc[(t["district_code"] == code) & (t["phase"] == 2), "target_groups"] = p2
    assert t.groupby("phase")["target_groups"].sum().tolist() == setup.targets.groupby("phase")["target_groups"].sum().tolist()
    return dataclasses.replace(setup, targets=t)


# --- 1. a district's year status comes from its own phases ----------------------------------------

def test_a_districts_year_status_is_its_own_phases_not_the_provinces_mix():
    # 3610 has most of its target in phase 2; in July phase 1 is over and phase 2 has just begun.
    setup = moved_targets(chaiyaphum_setup(), {"3601": (12, 1), "3610": (2, 10)})
    p2 = setup.phases[1]
    accepted = {"3610": groups_of(setup, "3610", [date(2023, 3, 1), date(2023, 4, 1)] + [p2.starts_on] * 3)}
    s = month(setup, JULY, accepted)
    d = next(x for x in s.districts if x.district_code == "3610")
    assert [p.status for p in d.phases] == [REACHED, ON_TRACK]  # 2/2, and 3 founded against 2.8 planned
    own = sum(p.target * p.expected for p in d.phases) / d.year.target
    assert d.year.expected == pytest.approx(own)
    assert d.year.status == ON_TRACK  # the province's mix (mostly phase 1, over) said behind
    assert_report_true(s)


# --- 2. a phase that has ended is final ------------------------------------------------------------

def test_an_ended_phase_is_reached_or_not_reached_never_behind_plan():
    setup = chaiyaphum_setup()
    accepted = {"3601": groups_of(setup, "3601", [date(2023, 3, 1)] * 3),  # phase 1 target 7: not reached
                "3614": groups_of(setup, "3614", [date(2023, 3, 1)] * 2)}  # target 2: reached
    s = month(setup, AUGUST, accepted)
    by_code = {d.district_code: d for d in s.districts}
    assert by_code["3601"].phases[0].status == NOT_REACHED
    assert by_code["3614"].phases[0].status == REACHED
    assert s.phases[0].status == NOT_REACHED  # the province: 5 of 71 and the phase is over
    assert STATUS_TH[NOT_REACHED] == "ไม่บรรลุเป้าหมาย"
    # August 31 is phase 2's last day: the year is over too
    assert s.year.status == NOT_REACHED and by_code["3601"].year.status == NOT_REACHED
    assert all(p.status != BEHIND for d in s.districts for p in (*d.phases, d.year))
    html = render_html(s)
    assert "ไม่บรรลุเป้าหมาย" in html
    assert_report_true(s)


# --- 3, 4: one scope for every ratio; a district that skips a month carries its last month ----------

@pytest.fixture(scope="module")
def skipped(tmp_path_factory):
    """July: three districts report; August: 3603 sends nothing. Through real workbooks and the store."""
    setup = chaiyaphum_setup()
    root = tmp_path_factory.mktemp("skip")
    codes = {JULY: ("3601", "3603", "3610"), AUGUST: ("3601", "3610")}
    results = {}
    with HistoryStore.open(root / "store.sqlite", setup.province_code) as store:
        for m in (JULY, AUGUST):
            inbox = root / m.key
            for code in codes[m]:
                template = write_district_workbook(setup, m, code, root / "t" / m.key / f"{code}.xlsx")
                fill_workbook(template, groups_as_of(setup, code, m), inbox / f"{code}.xlsx")
            results[m] = run_month(setup, m, inbox, root / "out", setup.due_date(m), store=store,
                                   render=m == AUGUST)
    return setup, results


def test_a_district_that_skips_a_month_keeps_its_groups_marked_as_carried(skipped):
    setup, results = skipped
    july, aug = results[JULY].summary, results[AUGUST].summary
    d_july = next(d for d in july.districts if d.district_code == "3603")
    d_aug = next(d for d in aug.districts if d.district_code == "3603")
    assert d_aug.report == MISSING
    assert d_aug.figures_from == JULY.key and d_aug.carried
    assert d_aug.year.founded == d_july.year.founded > 0
    assert d_aug.groups == d_july.groups and d_aug.members == d_july.members
    # the province does not go backwards
    assert aug.year.founded >= july.year.founded
    assert aug.villages_with_group >= july.villages_with_group
    assert_report_true(aug, previous=july)


def test_every_ratio_is_over_the_districts_it_counts(skipped):
    setup, results = skipped
    s = results[AUGUST].summary
    with_figures = [d for d in s.districts if d.figures_from]
    assert {d.district_code for d in with_figures} == {"3601", "3603", "3610"}
    # groups of three districts over the villages of the same three districts, not of all sixteen
    assert s.total.villages == sum(d.villages for d in with_figures)
    assert s.total.villages < len(setup.villages)
    assert s.total.villages_with_any_group == sum(d.villages_with_any_group for d in with_figures)


@needs_poppler
def test_the_page_says_which_districts_a_figure_covers_and_which_are_carried(skipped):
    setup, results = skipped
    pdf = results[AUGUST].outputs["pdf"]
    text = pdftotext(pdf, layout=False)
    flat = "".join(text.split())
    assert "ใช้ข้อมูลเดือนก.ค.66" in flat  # 3603's row says where its figures come from
    assert "เฉพาะ3อำเภอที่มีข้อมูล" in flat  # the all-villages share says which districts it covers


# --- 6. what a month's report covers -----------------------------------------------------------------

def test_a_months_report_covers_the_whole_month_and_is_due_in_the_next():
    setup = chaiyaphum_setup()
    assert setup.due_date(Period(2023, 3)) == date(2023, 4, 15)  # phase 1: the 15th
    assert setup.due_date(AUGUST) == date(2023, 9, 20)  # phase 2: the 20th
    accepted = {"3601": groups_of(setup, "3601", [date(2023, 8, 30)])}
    s = month(setup, AUGUST, accepted, made_on=date(2023, 9, 18))
    assert s.as_of == date(2023, 8, 31)
    html = render_html(s)
    assert "ข้อมูล ณ วันที่ 31 สิงหาคม 2566" in html and "18 กันยายน 2566" in html
    assert len(s.founded_in_month) == 1
    assert_report_true(s)


def test_the_template_says_the_month_is_due_in_the_next(tmp_path):
    from openpyxl import load_workbook

    setup = chaiyaphum_setup()
    wb = load_workbook(write_district_workbook(setup, AUGUST, "3601", tmp_path / "t.xlsx"))
    assert "ส่งภายในวันที่ 20 กันยายน 2566" in wb["คำแนะนำ"]["A2"].value


# --- 9. each severity counted as itself --------------------------------------------------------------

def test_notes_and_confirmed_values_are_not_counted_as_warnings():
    setup = chaiyaphum_setup()
    accepted = {"3601": groups_of(setup, "3601", [date(2023, 8, 1)])}
    notes = [rule("H_NO_HISTORY").problem(file="3601.xlsx", district_code="3601") for _ in range(12)]
    warns = [rule("G_OFFICER_UNKNOWN").problem(file="3601.xlsx", sheet="กลุ่มออมทรัพย์", cell=f"J{7 + i}",
                                               value="x", officer="x", district_code="3601") for i in range(3)]
    s = month(setup, AUGUST, accepted, problems=notes + warns)
    ctx = context(s)
    assert ctx["severity_counts"]["warning"] == 3 and ctx["severity_counts"]["note"] == 12
    html = " ".join(render_html(s).split())
    assert "คำเตือน 3 รายการ" in html and "หมายเหตุ 12 รายการ" in html
    assert "คำเตือน 15 รายการ" not in html


# --- 12. the PDF says what the tool did ----------------------------------------------------------------

def test_the_report_does_not_claim_feedback_was_sent():
    setup = chaiyaphum_setup()
    accepted = {"3601": groups_of(setup, "3601", [date(2023, 8, 1)])}
    s = month(setup, AUGUST, accepted)
    s = dataclasses.replace(s, files=(dataclasses.replace(s.files[0], warnings=2),))
    html = " ".join(render_html(s).split())
    assert "ส่งผลการตรวจให้อำเภอทราบแล้ว" not in html
    assert "จัดทำไฟล์แจ้งผลการตรวจสอบ 1 ไฟล์" in html and "โปรดส่งไฟล์ดังกล่าวให้อำเภอ" in html


# --- durable: a count that goes down is said, with both counts ----------------------------------------

def test_a_district_counting_fewer_groups_than_last_month_is_said():
    setup = chaiyaphum_setup()
    accepted = {"3601": groups_of(setup, "3601", [date(2023, 3, 1)])}
    merged = merge_groups(setup, accepted)
    reports = {c: MISSING for c in setup.district_codes} | {"3601": ACCEPTED}
    files = [FileOutcome("3601.xlsx", "3601", "เมืองชัยภูมิ", ACCEPTED, 0, 0, received_on=date(2023, 9, 1))]
    s = summarise(setup, AUGUST, merged, reports, files, [], date(2023, 9, 21),
                  previous_founded={"3601": (JULY.key, 3)})
    assert [(c.district_code, c.before, c.now, c.before_month) for c in s.founded_changes] == [("3601", 3, 1, JULY.key)]
    html = " ".join(render_html(s).split())
    assert "ลดลงจาก 3 กลุ่ม (เดือน ก.ค. 66) เป็น 1 กลุ่ม" in html
    assert_report_true(s)
