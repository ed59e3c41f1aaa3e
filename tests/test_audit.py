"""The report audit: it finds each kind of contradiction, and `run` refuses to write a report that has one."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from generator import pipeline
from generator.figures.audit import ReportAuditFailed, audit
from generator.samples.demo import chaiyaphum_setup
from generator.store.history import HistoryStore
from generator.core.statuses import LATE, ON_TIME
from tests.test_report_truth import AUGUST, JULY, groups_of, month


@pytest.fixture(scope="module")
def true_month():
    setup = chaiyaphum_setup()
    accepted = {"3601": groups_of(setup, "3601", [date(2023, 3, 1), date(2023, 8, 2)]),
                "3602": groups_of(setup, "3602", [date(2023, 7, 25)])}
    return month(setup, AUGUST, accepted)


def checks(findings) -> set[str]:
    return {f.check for f in findings}


def test_a_true_month_passes(true_month):
    assert audit(true_month) == []


def test_districts_that_do_not_add_up_are_found(true_month):
    s = true_month
    wrong = dataclasses.replace(s, total=dataclasses.replace(s.total, members=s.total.members + 1))
    assert "sum" in checks(audit(wrong))
    # groups of two districts over the villages of all sixteen: the scopes differ
    wrong = dataclasses.replace(s, total=dataclasses.replace(s.total, villages=sum(d.villages for d in s.districts)))
    assert "sum" in checks(audit(wrong))


def test_a_year_status_that_is_not_its_own_phases_is_found(true_month):
    s = true_month
    d = s.districts[0]
    wrong_year = dataclasses.replace(d.year, expected=d.year.expected / 2)
    wrong = dataclasses.replace(s, districts=(dataclasses.replace(d, year=wrong_year), *s.districts[1:]))
    assert "status" in checks(audit(wrong))


def test_figures_without_a_source_and_wrong_timeliness_are_found(true_month):
    s = true_month
    d = next(x for x in s.districts if x.district_code == "3603")
    i = s.districts.index(d)
    wrong = dataclasses.replace(s, districts=(*s.districts[:i], dataclasses.replace(d, groups=3), *s.districts[i + 1:]))
    assert "source" in checks(audit(wrong))
    grid = s.reporting.copy()
    grid.loc[grid["district_code"] == "3601", "status"] = LATE  # received on the due day: on time
    assert ON_TIME in set(s.reporting["status"])
    assert "timeliness" in checks(audit(dataclasses.replace(s, reporting=grid)))


def test_a_count_that_goes_down_unexplained_is_found(true_month):
    setup = chaiyaphum_setup()
    before = month(setup, JULY, {"3601": groups_of(setup, "3601", [date(2023, 3, 1)] * 3)})
    findings = audit(true_month, previous=before)  # 3601 counted 3 in July, 2 now, and nothing says why
    assert "decrease" in checks(findings)


def test_run_refuses_to_write_a_report_that_fails_the_audit(setup, period, filled, tmp_path, monkeypatch):
    filled("3601")
    real = pipeline.summarise

    def buggy(*args, **kwargs):
        s = real(*args, **kwargs)
        return dataclasses.replace(s, total=dataclasses.replace(s.total, savings_baht=s.total.savings_baht + 500))

    monkeypatch.setattr(pipeline, "summarise", buggy)
    out = tmp_path / "out"
    with HistoryStore.open(tmp_path / "store.sqlite", setup.province_code) as store:
        before = store.dump()
        with pytest.raises(ReportAuditFailed) as caught:
            pipeline.run_month(setup, period, tmp_path / "inbox", out, date(2023, 9, 20), store=store)
        assert store.dump() == before  # nothing recorded
    assert "savings_baht" in str(caught.value)
    assert not out.exists() or not any(out.rglob("*.pdf"))


def test_the_command_says_the_report_was_not_written_and_why(setup_path, period, filled, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from generator.cli import app

    filled("3601")
    real = pipeline.summarise
    monkeypatch.setattr(pipeline, "summarise", lambda *a, **k: dataclasses.replace(
        real(*a, **k), villages_with_group=0))
    result = CliRunner().invoke(app, ["run", "--setup", str(setup_path), "--period", period.be_key,
                                      "--inbox", str(tmp_path / "inbox"), "--out", str(tmp_path / "out"),
                                      "--made-on", "2023-09-20"])
    assert result.exit_code == 2
    assert "ไม่ได้เขียนรายงาน" in result.output and "ข้อบกพร่องของโปรแกรม" in result.output
    assert "Traceback" not in result.output
    assert not list((tmp_path / "out").glob("report_*.pdf"))
