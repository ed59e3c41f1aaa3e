"""The monthly run: filled returns merged into the right totals, one file per district, feedback."""

from __future__ import annotations

import hashlib
import os
from datetime import date

import pytest
from openpyxl import load_workbook

from generator.samples.demo import simulated_groups
from generator.outputs.feedback import PROBLEMS_SHEET
from generator.figures.merge import merge_groups
from generator.pipeline import run_month
from generator.core.statuses import EXIT_OK, EXIT_REJECTED
from generator.core.schema import GROUPS
from generator.core.statuses import ACCEPTED, MISSING, REJECTED


def _expected_new(setup, groups, code):
    """Groups that count toward the campaign, computed independently of the merge."""
    v = setup.villages.set_index("village_code")
    start, end = setup.fiscal_bounds
    new = groups[(groups["founded_on"] >= start) & (groups["founded_on"] <= end)]
    eligible = new[new["village_code"].map(lambda c: bool(v.loc[c, "is_kkkj"] and not v.loc[c, "had_group"]))]
    per_phase = {}
    for p in setup.phases:
        inside = eligible[(eligible["founded_on"] >= p.starts_on) & (eligible["founded_on"] <= p.ends_on)]
        per_phase[p.number] = len(inside)
    return per_phase


def test_filled_returns_merge_into_the_right_totals(filled, setup, period, tmp_path):
    codes = ["3601", "3602", "3610"]
    for code in codes:
        filled(code)
    result = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25), render=False)
    s = result.summary
    expected = {c: simulated_groups(setup, c, period) for c in codes}
    assert s.total.members == sum(int(g["members"].sum()) for g in expected.values())
    assert s.total.savings_baht == pytest.approx(sum(g["savings_baht"].sum() for g in expected.values()))
    assert s.total.loans_baht == pytest.approx(sum(g["loans_baht"].sum() for g in expected.values()))
    assert s.total.borrowers == sum(int(g["borrowers"].sum()) for g in expected.values())
    assert s.total.groups == sum(len(g) for g in expected.values())
    per_phase = {1: 0, 2: 0}
    for code, g in expected.items():
        for k, n in _expected_new(setup, g, code).items():
            per_phase[k] += n
    assert [p.founded for p in s.phases] == [per_phase[1], per_phase[2]]
    assert [p.target for p in s.phases] == [71, 58] and s.year.target == 129
    assert s.kkkj_villages == 655 and s.villages_with_group_start == 405
    assert s.villages_with_group == 405 + per_phase[1] + per_phase[2]
    assert {d.district_code for d in s.reported} == set(codes)
    assert len(s.missing) == 13 and result.exit_code == EXIT_OK
    # district figures add up to the province's
    assert sum(d.members for d in s.districts) == s.total.members
    assert sum(d.year.founded for d in s.districts) == s.year.founded


def test_officers_with_a_group_this_year(filled, setup, period, tmp_path):
    filled("3601")
    s = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25), render=False).summary
    g = simulated_groups(setup, "3601", period)
    names = set(g.loc[g["founded_on"] >= date(2022, 10, 1), "officer"])
    d = next(d for d in s.districts if d.district_code == "3601")
    assert d.officers_with_group == len(names)
    assert d.officers == int((setup.officers["district_code"] == "3601").sum())


def test_a_rejected_file_is_not_counted_and_others_are(filled, setup, period, tmp_path):
    filled("3601")
    filled("3602", {(0, "members"): "ไม่ทราบ"})
    result = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25), render=False)
    reports = {d.district_code: d.report for d in result.summary.districts}
    assert reports["3601"] == ACCEPTED and reports["3602"] == REJECTED and reports["3603"] == MISSING
    assert result.summary.total.members == int(simulated_groups(setup, "3601", period)["members"].sum())
    assert result.exit_code == EXIT_REJECTED


def test_the_latest_received_accepted_file_of_a_district_counts(filled, setup, period, tmp_path):
    first_count = int(simulated_groups(setup, "3601", period).iloc[0]["members"])
    old = filled("3601", {(0, "members"): first_count + 3}, name="old.xlsx")
    new = filled("3601", name="new.xlsx")
    os.utime(old, (1_690_000_000, 1_690_000_000))
    os.utime(new, (1_690_100_000, 1_690_100_000))
    result = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25), render=False)
    status = {f.file: f.status for f in result.summary.files}
    assert status == {"old.xlsx": "superseded", "new.xlsx": "accepted"}
    assert result.summary.total.members == int(simulated_groups(setup, "3601", period)["members"].sum())
    notes = [p for p in result.summary.problems if p.rule_id == "F_DUPLICATE_DISTRICT"]
    assert [(p.file, p.value) for p in notes] == [("old.xlsx", "new.xlsx")]


def test_group_counts_once_per_village(setup, period):
    groups = simulated_groups(setup, "3601", period).assign(officer_id=None)
    new = groups[groups["founded_on"] >= date(2023, 1, 20)]
    doubled = pd_concat(groups, new.iloc[[0]])
    once = merge_groups(setup, {"3601": groups})["phase"].notna().sum()
    assert merge_groups(setup, {"3601": doubled})["phase"].notna().sum() == once


def pd_concat(a, b):
    import pandas as pd

    return pd.concat([a, b], ignore_index=True)


def test_feedback_workbook_marks_the_cells_and_lists_every_problem(filled, setup, period, tmp_path):
    from generator.outputs.feedback import write_feedback
    from generator.intake.submission import read_submission
    from generator.checks.validation import validate_submission

    groups = simulated_groups(setup, "3601", period)
    path = filled("3601", {(2, "borrowers"): int(groups.iloc[2]["members"]) + 5, (0, "members"): "๑๒๐"})
    c = validate_submission(read_submission(path, setup, period), setup, period)
    out = write_feedback(path, c.problems, tmp_path / "fb.xlsx", "ผลการตรวจ")
    wb = load_workbook(out)
    assert wb.sheetnames[0] == PROBLEMS_SHEET
    listed = [r for r in wb[PROBLEMS_SHEET].iter_rows(min_row=5, values_only=True) if r[0]]
    assert {(r[3], r[7]) for r in listed} == {("H8", "G_BORROWERS_GT_MEMBERS"), ("F6", "VALUE_INTERPRETED"),
                                              (None, "H_NO_HISTORY")}  # no previous month given: a note
    link = next(c for c in wb[PROBLEMS_SHEET]["D"] if c.value == "H8")
    assert link.hyperlink.location == f"'{GROUPS.sheet_th}'!H8" or "H8" in str(link.hyperlink.target or link.hyperlink.location)
    ws = wb[GROUPS.sheet_th]
    assert ws["H8"].fill.fgColor.rgb.endswith("FF9C9C") and ws["H8"].comment is not None
    assert ws["F6"].fill.fgColor.rgb.endswith("FFE699")
    assert ws["A6"].value == groups.iloc[0]["village_code"] or ws["B6"].value == groups.iloc[0]["village_code"]


def test_inputs_are_never_changed(filled, setup, period, tmp_path):
    paths = [filled("3601"), filled("3602", {(0, "members"): -1})]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25), render=False)
    assert before == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_a_run_that_fails_part_way_leaves_the_previous_outputs_whole(filled, setup, period, tmp_path, monkeypatch):
    import generator.outputs.render_pdf as render_pdf

    filled("3601")
    out = tmp_path / "out"
    run_month(setup, period, tmp_path / "inbox", out, date(2023, 8, 25))
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    filled("3602")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(render_pdf, "html_to_pdf", broken)
    with pytest.raises(RuntimeError):
        run_month(setup, period, tmp_path / "inbox", out, date(2023, 8, 25))
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert [p.name for p in out.iterdir()] == [p.name for p in out.iterdir() if not p.name.startswith(".")]


def test_running_the_same_month_twice_gives_the_same_figures(filled, setup, period, tmp_path):
    filled("3601")
    filled("3602", {(0, "members"): -1})
    a = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25))
    record = a.outputs["json"].read_bytes()
    b = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25))
    assert b.outputs["json"].read_bytes() == record
    assert sorted(p.name for p in (tmp_path / "out" / "feedback").iterdir()) == ["feedback_3602_2566-08_บ้านเขว้า.xlsx"]


def test_feedback_of_a_district_that_has_since_sent_a_clean_file_is_removed(filled, setup, period, tmp_path):
    filled("3602", {(0, "members"): -1})
    run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25))
    assert (tmp_path / "out" / "feedback" / "feedback_3602_2566-08_บ้านเขว้า.xlsx").exists()
    filled("3602")  # the corrected file replaces the bad one in the inbox
    run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25))
    assert list((tmp_path / "out" / "feedback").iterdir()) == []


@pytest.fixture
def reads_and_month(setup, period, tmp_path, monkeypatch):
    """(names of the files read so far, month(memo=None): the month's run without outputs)."""
    import generator.pipeline as pipeline

    read = []
    original = pipeline.read_submission
    monkeypatch.setattr(pipeline, "read_submission", lambda path, *a, **k: read.append(path.name) or original(path, *a, **k))

    def month(memo=None):
        return run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25), render=False,
                         memo=memo)

    return read, month


def test_a_memo_kept_between_runs_reads_only_new_files_and_changes_nothing(filled, tmp_path, reads_and_month):
    """The web page's previews keep a memo: after one more upload a preview reads only that file,
    and what it finds is exactly what a run without the memo finds (notes not doubled)."""
    from generator.pipeline import result_json

    filled("3601", {(0, "members"): 5000}, name="old.xlsx")  # replaced by new.xlsx: a note each run
    filled("3601", name="new.xlsx")
    filled("3602", {(1, "members"): -5})
    os.utime(tmp_path / "inbox" / "old.xlsx", (1_690_000_000, 1_690_000_000))
    read, month = reads_and_month

    memo = {}
    first, plain = month(memo), month()
    assert sorted(read) == ["3602.xlsx", "3602.xlsx", "new.xlsx", "new.xlsx", "old.xlsx", "old.xlsx"]
    read.clear()
    again = month(memo)
    assert read == []  # nothing new: nothing read
    filled("3603")
    later, later_plain = month(memo), None
    assert read == ["3603.xlsx"]
    later_plain = month()
    for with_memo, without in ((first, plain), (again, plain), (later, later_plain)):
        assert result_json(with_memo) == result_json(without)
        assert with_memo.summary.problems == without.summary.problems
    assert sum(p.rule_id == "F_DUPLICATE_DISTRICT" for p in again.summary.problems) == 1
    # A file whose content changed is read again, though its name is the same.
    filled("3603", {(0, "members"): 7})
    read.clear()
    changed = month(memo)
    assert read == ["3603.xlsx"] and result_json(changed) == result_json(month())


def test_the_memo_keeps_groups_only_of_the_files_that_count_and_reads_a_file_again_when_it_counts_again(
        filled, tmp_path, reads_and_month):
    """A month of many uploads must not hold every file's groups: a file replaced by a later one, or
    rejected, keeps only its problems in the memo. When it counts again (the later file taken out
    of the inbox) it is read again, and the month is exactly what a run without a memo makes."""
    from generator.pipeline import result_json

    filled("3601", {(0, "members"): 411}, name="old.xlsx")
    filled("3601", name="new.xlsx")
    filled("3602", {(1, "members"): -5})  # rejected: its groups never count
    os.utime(tmp_path / "inbox" / "old.xlsx", (1_690_000_000, 1_690_000_000))
    read, month = reads_and_month

    memo = {}
    assert result_json(month(memo)) == result_json(month())
    kept = {e.submission.name for e in memo.values() if getattr(e, "groups", None) is not None}
    assert kept == {"new.xlsx"}
    assert {e.submission.name for e in memo.values() if hasattr(e, "groups")} == {"old.xlsx", "new.xlsx", "3602.xlsx"}
    (tmp_path / "inbox" / "new.xlsx").unlink()
    read.clear()
    again = month(memo)
    assert read == ["old.xlsx"]  # it counts now: read again for its groups, and only it
    assert result_json(again) == result_json(month())
    assert 411 in set(again.summary.groups["members"])  # its own figures, not the later file's
    read.clear()
    month(memo)
    assert read == []  # and kept with its groups from then on


def test_the_memo_is_bounded_keeps_the_files_used_last_and_rereads_a_file_for_another_last_month(
        filled, setup, period, tmp_path, monkeypatch):
    """The memo holds at most MEMO_MAX entries (the least recently used go first), keeps each file
    without its sheet's rows, and a file checked again against another last month is read again
    in full: the results are always those of a run without a memo."""
    import generator.checks.memo as memo_module
    from generator.pipeline import check_files
    from generator.samples.demo import groups_as_of

    paths = [filled(code) for code in ("3601", "3602", "3603")]
    monkeypatch.setattr(memo_module, "MEMO_MAX", 4)  # two files
    memo = {}

    def same(a, b):
        return [(c.submission.name, c.problems, c.groups.to_dict("records")) for c in a] == \
            [(c.submission.name, c.problems, c.groups.to_dict("records")) for c in b]

    assert same(check_files(paths, setup, period, memo=memo), check_files(paths, setup, period))
    subs = [getattr(e, "submission", e) for e in memo.values()]
    assert len(memo) == 4 and all(s.table is None or s.table.rows == [] for s in subs)
    assert {s.name for s in subs} == {paths[1].name, paths[2].name}  # the one used longest ago went first
    july = {"3602": groups_as_of(setup, "3602", period.previous())}  # another last month for 3602
    assert same(check_files(paths[1:2], setup, period, previous=july, memo=memo),
                check_files(paths[1:2], setup, period, previous=july))
