"""The report audit (pure): the invariants a reader of the month's report relies on.

A report that breaks one of them contradicts itself, the store or the calendar, and a single such
page is enough for an office to stop trusting the tool. `run` audits the month before it writes
anything and refuses to write a report that fails (a failure is a bug of the tool, never of a
district's file); the tests apply the same audit to every report they make.

What is checked:
- the districts add up to the province for every figure, each figure over its own scope: the
  figures toward the targets (targets, founded, กข.คจ. coverage, officers) over every district; the
  figures about the groups themselves (groups, villages with a group, members, money) over the
  districts whose groups are known (accepted this month or carried from their last accepted month);
- every percentage is its numerator over its denominator;
- phase and year statuses follow from their figures, an ended phase is final, a district's year
  expectation is its own phases', and the year never contradicts its phases;
- the progress chart ends where the tiles are, and never goes down;
- a district's figures say where they come from; groups founded in the month are of the month;
- on-time and late marks agree with the received dates and the due day;
- against the previous month: no district counts fewer groups toward the target unless the report
  says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.figures.summary import MonthSummary
from generator.figures.progress import Progress, percent, status_of
from generator.core.statuses import ACCEPTED, BEHIND, LATE, NOT_REACHED, NOT_STARTED, ON_TIME, ON_TRACK, REACHED

# The figures of a district that add up to the province over every district, and over the
# districts whose groups are known.
EVERY_DISTRICT = ("kkkj_villages", "villages_with_group", "officers", "officers_with_group")
KNOWN_DISTRICTS = ("groups", "members", "borrowers", "savings_baht", "loans_baht", "villages",
                   "villages_with_any_group")
MONEY = ("savings_baht", "loans_baht")


@dataclass(frozen=True)
class Finding:
    check: str  # sum, percent, status, chart, source, appendix, timeliness, decrease
    where: str  # the province's or a district's code
    detail: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.where}: {self.detail}"


class ReportAuditFailed(Exception):
    """The month's figures contradict themselves: a bug, and no report is written."""

    def __init__(self, findings: list[Finding]):
        super().__init__("; ".join(str(f) for f in findings[:5]))
        self.findings = findings


def _same(a, b, money: bool = False) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, abs_tol=0.01) if money else a == b


def _progress(p: Progress, where: str, label: str, out: list[Finding]) -> None:
    if p.percent != percent(p.founded, p.target):
        out.append(Finding("percent", where, f"{label}: {p.percent} is not {p.founded}/{p.target}"))
    if p.status != status_of(p.founded, p.target, p.expected):
        out.append(Finding("status", where, f"{label}: status {p.status} does not follow from its figures"))
    if p.expected >= 1.0 and p.status not in (REACHED, NOT_REACHED):
        out.append(Finding("status", where, f"{label}: over, yet {p.status}"))


def _year(phases: tuple[Progress, ...], year: Progress, where: str, out: list[Finding]) -> None:
    target = sum(p.target for p in phases)
    if year.target != target or year.founded != sum(p.founded for p in phases):
        out.append(Finding("sum", where, "the year is not the sum of its phases"))
    if target and not math.isclose(year.expected, sum(p.target * p.expected for p in phases) / target, abs_tol=1e-9):
        out.append(Finding("status", where, "the year's expected share is not its own phases'"))
    statuses = {p.status for p in phases if p.target}
    if statuses and statuses <= {REACHED, ON_TRACK, NOT_STARTED} and year.status in (BEHIND, NOT_REACHED):
        out.append(Finding("status", where, f"every phase on track or reached, yet the year is {year.status}"))
    if statuses and statuses <= {BEHIND, NOT_REACHED} and year.status in (ON_TRACK, REACHED):
        out.append(Finding("status", where, f"every phase behind, yet the year is {year.status}"))


def audit(s: MonthSummary, previous: MonthSummary | None = None) -> list[Finding]:
    """Everything that contradicts itself in a month's figures; empty when the report is true."""
    out: list[Finding] = []
    province, t = s.province_code, s.total
    known = s.with_figures

    # Districts add up to the province, each figure over its scope.
    for attr in EVERY_DISTRICT:
        if not _same(getattr(t, attr), sum(getattr(d, attr) for d in s.districts)):
            out.append(Finding("sum", province, f"{attr}: the districts do not add up to the province"))
    for attr in KNOWN_DISTRICTS:
        if not _same(getattr(t, attr), sum(getattr(d, attr) for d in known), attr in MONEY):
            out.append(Finding("sum", province, f"{attr}: the districts with figures do not add up to the province"))
    for d in s.without_figures:
        if any(getattr(d, attr) for attr in KNOWN_DISTRICTS if attr != "villages") or d.year.founded:
            out.append(Finding("source", d.district_code, "figures shown for a district whose groups are unknown"))
    for i, p in enumerate(t.phases):
        for attr in ("target", "founded"):
            if getattr(p, attr) != sum(getattr(d.phases[i], attr) for d in s.districts):
                out.append(Finding("sum", province, f"{p.label} {attr}: the districts do not add up to the province"))
        if any(not math.isclose(d.phases[i].expected, p.expected) for d in s.districts):
            out.append(Finding("status", province, f"{p.label}: districts expect another share of the phase"))
    if s.phases != t.phases or s.year != t.year or s.villages_with_group != t.villages_with_group \
            or s.kkkj_villages != t.kkkj_villages:
        out.append(Finding("sum", province, "the headline figures are not the province total's"))
    if s.villages_with_group_start != t.villages_with_group - t.year.founded:
        out.append(Finding("sum", province, "coverage now is not coverage at the start plus the groups counted"))

    # Percentages and statuses.
    for where, f in [(province, t)] + [(d.district_code, d) for d in s.districts]:
        for i, p in enumerate(f.phases):
            _progress(p, where, p.label, out)
        _progress(f.year, where, "year", out)
        _year(f.phases, f.year, where, out)
        for name, (num, den) in {"borrowers_percent": ("borrowers", "members"),
                                 "officers_percent": ("officers_with_group", "officers"),
                                 "villages_any_percent": ("villages_with_any_group", "villages")}.items():
            if getattr(f, name) != percent(getattr(f, num), getattr(f, den)):
                out.append(Finding("percent", where, f"{name} is not {num}/{den}"))
    if s.coverage_percent != percent(s.villages_with_group, s.kkkj_villages) or \
            s.coverage_start_percent != percent(s.villages_with_group_start, s.kkkj_villages):
        out.append(Finding("percent", province, "village coverage"))
    if s.reporting_rate != percent(len(s.reported), len(s.districts)):
        out.append(Finding("percent", province, "reporting rate"))
    if s.on_time_rate != percent(s.month_timeliness[ON_TIME], len(s.districts)):
        out.append(Finding("percent", province, "on-time rate"))

    # Where each district's figures come from.
    for d in s.districts:
        if d.report == ACCEPTED and d.figures_from != s.period.key:
            out.append(Finding("source", d.district_code, "accepted this month, but figures from another month"))
        if d.report != ACCEPTED and d.figures_from is not None and not d.figures_from < s.period.key:
            out.append(Finding("source", d.district_code, "no accepted report, yet figures said to be this month's"))
        accepted_files = [f for f in s.files if f.district_code == d.district_code and f.status == ACCEPTED]
        if len(accepted_files) != (d.report == ACCEPTED):
            out.append(Finding("source", d.district_code, f"{len(accepted_files)} accepted files for a {d.report} report"))

    # The chart ends where the tiles are, and never goes down.
    pbm = s.progress_by_month
    if pbm is not None and len(pbm):
        for where, f in [(province, t)] + [(d.district_code, d) for d in s.districts]:
            series = pbm[pbm["scope"] == where].sort_values("month")["founded"].tolist()
            if series and series[-1] != f.year.founded:
                out.append(Finding("chart", where, f"chart ends at {series[-1]}, the figures say {f.year.founded}"))
            if any(b < a for a, b in zip(series, series[1:])):
                out.append(Finding("chart", where, "cumulative founded goes down within the year"))

    # The appendix lists groups founded in the month, from this month's reports.
    fim = s.founded_in_month
    if fim is not None and len(fim):
        import pandas as pd

        days = pd.to_datetime(fim["founded_on"])
        if ((days < pd.Timestamp(s.period.first_day)) | (days > pd.Timestamp(s.as_of))).any():
            out.append(Finding("appendix", province, "a group founded outside the month is listed"))
        if "carried_from" in fim.columns and fim["carried_from"].notna().any():
            out.append(Finding("appendix", province, "a carried group is listed as founded this month"))

    # On time and late agree with the received dates and the due day.
    received = {f.district_code: f.received_on for f in s.files if f.status == ACCEPTED}
    for row in s.month_reporting.itertuples():
        report = next((d.report for d in s.districts if d.district_code == row.district_code), None)
        if report == ACCEPTED:
            day = received.get(row.district_code)
            want = ON_TIME if day is not None and day <= s.due_date else LATE
        else:
            want = report
        if row.status != want:
            out.append(Finding("timeliness", row.district_code, f"marked {row.status}, should be {want}"))

    # Against the district's last accepted month (from the store) and the previous month's report.
    for c in s.founded_changes:
        d = next(x for x in s.districts if x.district_code == c.district_code)
        if not (c.now == d.year.founded < c.before):
            out.append(Finding("decrease", c.district_code, "a decrease is declared that the figures do not show"))
    if previous is not None and previous.fiscal_year_be == s.fiscal_year_be and previous.period < s.period:
        declared = {c.district_code for c in s.founded_changes}
        before = {d.district_code: d for d in previous.districts}
        for d in s.districts:
            p = before.get(d.district_code)
            if p is not None and d.year.founded < p.year.founded and d.district_code not in declared:
                out.append(Finding("decrease", d.district_code,
                                   f"counts {d.year.founded} groups, {p.year.founded} last month, and the report does not say why"))
    return out


def check_report(s: MonthSummary, previous: MonthSummary | None = None) -> None:
    """Raise ReportAuditFailed when the month's figures contradict themselves."""
    findings = audit(s, previous)
    if findings:
        raise ReportAuditFailed(findings)


def audit_national(n) -> list[Finding]:
    """The national roll-up: provinces add up to the nation, percentages and statuses follow."""
    out: list[Finding] = []
    t = n.total
    for attr in ("districts", "reported", "rejected", "missing", "kkkj_villages", "villages_with_group_start",
                 "villages_with_group", "groups", "members", "borrowers", "officers", "officers_with_group",
                 "savings_baht", "loans_baht"):
        if not _same(getattr(t, attr), sum(getattr(p, attr) for p in n.provinces), attr in MONEY):
            out.append(Finding("sum", "00", f"{attr}: the provinces do not add up to the nation"))
    if t.year.target != sum(p.year.target for p in n.provinces) or \
            t.year.founded != sum(p.year.founded for p in n.provinces):
        out.append(Finding("sum", "00", "year: the provinces do not add up to the nation"))
    for where, f in [("00", t)] + [(p.province_code, p) for p in n.provinces]:
        for p in f.phases:
            _progress(p, where, p.label, out)
        _progress(f.year, where, "year", out)
        if f.reporting_rate != percent(f.reported, f.districts):
            out.append(Finding("percent", where, "reporting rate"))
    return out


def check_national(n) -> None:
    findings = audit_national(n)
    if findings:
        raise ReportAuditFailed(findings)
