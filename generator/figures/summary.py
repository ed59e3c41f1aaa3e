"""The figures of a month (pure): progress against targets, districts, money, officers, reporting.

Everything the PDF and the Excel summary show is computed here, once, from the merged groups,
the setup and what happened to each file. Renderers only format.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from generator.core.periods import Period, months_between, thai_date
from generator.core.problems import Problem
from generator.core.model import Setup

from generator.core.statuses import ACCEPTED, LATE, MISSING, ON_TIME, REJECTED, REPORT_TH, TIMELINESS
from generator.figures.progress import CoverageRatios, GroupRatios, Progress, expected_share, percent, year_progress

@dataclass(frozen=True)
class DistrictFigures(GroupRatios):
    district_code: str
    district_name: str
    report: str  # accepted | rejected | missing
    phases: tuple[Progress, ...]
    year: Progress
    groups: int
    members: int
    savings_baht: float
    borrowers: int
    loans_baht: float
    officers: int
    officers_with_group: int
    kkkj_villages: int
    villages_with_group: int
    # Every village of the area, with or without the project, and those with at least one active
    # group in the accepted reports: the share the department quotes ("395 กลุ่ม จากหมู่บ้านทั้งหมด
    # 1,763 หมู่บ้าน คิดเป็นร้อยละ 22.40").
    villages: int = 0
    villages_with_any_group: int = 0
    # The month (key) these figures come from: this month's when its report was accepted, the
    # district's last accepted month's when it sent nothing or was rejected (carried), None when
    # nothing of it was accepted this fiscal year (its groups are then unknown and not counted).
    figures_from: str | None = None

    @property
    def villages_any_percent(self) -> float | None:
        return percent(self.villages_with_any_group, self.villages)

    @property
    def carried(self) -> bool:
        return self.figures_from is not None and self.report != ACCEPTED

    @property
    def has_figures(self) -> bool:
        return self.figures_from is not None

    @property
    def report_th(self) -> str:
        return REPORT_TH[self.report]


@dataclass(frozen=True)
class FileOutcome:
    """One file found in the inbox and what became of it."""

    file: str
    district_code: str | None
    district_name: str | None
    status: str  # accepted | rejected | superseded
    errors: int  # problems that reject the file (errors and values still to be confirmed)
    warnings: int  # warnings only
    first_error: str | None = None
    first_error_en: str | None = None
    received_on: date | None = None  # when the province first saw the file
    copies: tuple[str, ...] = ()  # other files in the inbox with the same content: the same submission
    confirmed: int = 0  # unusual values the district confirmed
    notes: int = 0  # information only

    @property
    def gets_feedback(self) -> bool:
        """Whether the run writes a feedback workbook for this file (a note alone needs none)."""
        return bool(self.district_code) and bool(self.errors or self.warnings or self.confirmed)


@dataclass(frozen=True)
class MonthSummary(CoverageRatios):
    province_code: str
    province_name: str
    office_name: str
    fiscal_year_be: int
    period: Period
    made_on: date
    due_date: date
    phases: tuple[Progress, ...]
    year: Progress
    kkkj_villages: int
    villages_with_group_start: int
    villages_with_group: int
    districts: tuple[DistrictFigures, ...]
    total: DistrictFigures
    files: tuple[FileOutcome, ...]
    problems: tuple[Problem, ...] = ()
    groups: pd.DataFrame = field(default=None, repr=False)  # merged, accepted groups
    founded_in_month: pd.DataFrame = field(default=None, repr=False)
    # One row per district and month of the fiscal year so far: district_code, district_name,
    # month (Period key), status (on_time | late | rejected | missing).
    reporting: pd.DataFrame = field(default=None, repr=False)
    # Cumulative groups counted toward the campaign at the end of each month of the fiscal year
    # so far, against the target path: scope (province or district code), month, month_th,
    # founded, target_path (groups expected by then), target (whole target of the phases begun).
    progress_by_month: pd.DataFrame = field(default=None, repr=False)
    # Districts whose groups counted toward the target are fewer than in their last accepted
    # month (a group's founding date corrected, a row taken out): FoundedChange, said in the report.
    founded_changes: tuple["FoundedChange", ...] = ()
    # This month against the same month of the fiscal year before (generator.figures.years.YearComparison),
    # where the history store has it; set by the pipeline.
    comparison: object = field(default=None, repr=False)

    @property
    def as_of(self) -> date:
        """What the month's report covers: the whole calendar month (it is due in the next one)."""
        return self.period.last_day

    @property
    def with_figures(self) -> list[DistrictFigures]:
        """The districts whose groups are known (this month's report, or carried): the scope of
        every figure about the groups themselves (groups, villages with a group, members, money)."""
        return [d for d in self.districts if d.has_figures]

    @property
    def carried(self) -> list[DistrictFigures]:
        return [d for d in self.districts if d.carried]

    @property
    def without_figures(self) -> list[DistrictFigures]:
        return [d for d in self.districts if not d.has_figures]

    @property
    def files_by_status(self) -> Counter:
        """Files read this month by what became of them (accepted, rejected, superseded)."""
        return Counter(f.status for f in self.files)

    @property
    def feedback_files(self) -> int:
        """Feedback workbooks the run writes: one per district with a file that needs one."""
        return len({f.district_code for f in self.files if f.gets_feedback})

    @property
    def reported(self) -> list[DistrictFigures]:
        return [d for d in self.districts if d.report == ACCEPTED]

    @property
    def rejected(self) -> list[DistrictFigures]:
        return [d for d in self.districts if d.report == REJECTED]

    @property
    def missing(self) -> list[DistrictFigures]:
        return [d for d in self.districts if d.report == MISSING]

    @property
    def reporting_rate(self) -> float | None:
        return percent(len(self.reported), len(self.districts))

    @property
    def month_reporting(self) -> pd.DataFrame:
        """The grid's rows of the month reported on, one per district."""
        r = self.reporting
        return r[r["month"] == self.period.key] if r is not None and len(r) else pd.DataFrame(
            columns=["district_code", "district_name", "month", "status"])

    @property
    def month_timeliness(self) -> Counter:
        """How many districts' reports of this month were on time, late, rejected, missing."""
        return Counter(self.month_reporting["status"])

    @property
    def on_time_rate(self) -> float | None:
        """อัตราการส่งตรงเวลา: reports of this month accepted and received by the due day."""
        return percent(self.month_timeliness[ON_TIME], len(self.districts))

    @property
    def completeness(self) -> pd.DataFrame:
        """Per month of the year so far: expected reports (every district), received, accepted,
        on time, late, rejected, missing, and the reporting and on-time rates."""
        r = self.reporting if self.reporting is not None else pd.DataFrame(columns=["month", "status"])
        counts = pd.crosstab(r["month"], r["status"]).reindex(columns=list(TIMELINESS), fill_value=0)
        counts = counts.reindex(sorted(set(r["month"])), fill_value=0)
        table = counts.assign(expected=counts.sum(axis=1), accepted=counts[ON_TIME] + counts[LATE])
        table["received"] = table["accepted"] + table[REJECTED]
        table["reporting_rate"] = [percent(a, e) for a, e in zip(table["accepted"], table["expected"])]
        table["on_time_rate"] = [percent(o, e) for o, e in zip(table[ON_TIME], table["expected"])]
        table = table.rename_axis(index="month", columns=None).reset_index()
        return table[["month", "expected", "received", "accepted", ON_TIME, LATE, REJECTED, MISSING,
                      "reporting_rate", "on_time_rate"]]

    @property
    def year_reporting_rate(self) -> float | None:
        r = self.reporting
        return None if r is None or not len(r) else percent(int(r["status"].isin([ON_TIME, LATE]).sum()), len(r))

    @property
    def year_on_time_rate(self) -> float | None:
        r = self.reporting
        return None if r is None or not len(r) else percent(int((r["status"] == ON_TIME).sum()), len(r))


@dataclass(frozen=True)
class FoundedChange:
    """A district counts fewer groups toward the target than in its last accepted month."""

    district_code: str
    district_name: str
    before_month: str  # month key
    before: int
    now: int


def _progress(label: str, target: int, founded: int, expected: float) -> Progress:
    return Progress(label, int(target), int(founded), expected)


def fiscal_months(setup: Setup, period: Period) -> list[Period]:
    """The months of the fiscal year from its first up to the one reported on."""
    return months_between(Period.of(setup.fiscal_bounds[0]), period)


def timeliness(report: str, received_on: date | None, due: date) -> str:
    if report != ACCEPTED:
        return report
    return ON_TIME if received_on is not None and received_on <= due else LATE


def month_reporting(setup: Setup, period: Period, reports: dict[str, str],
                    received_on: dict[str, date | None]) -> pd.DataFrame:
    """This month's row of the grid, from what happened to each district's report."""
    due = setup.due_date(period)
    return pd.DataFrame([
        {"district_code": code, "district_name": setup.district_name(code), "month": period.key,
         "status": timeliness(reports.get(code, MISSING), received_on.get(code), due)}
        for code in setup.district_codes], columns=["district_code", "district_name", "month", "status"])


def progress_by_month(setup: Setup, groups: pd.DataFrame, months: list[Period]) -> pd.DataFrame:
    """Cumulative counted groups by founding date, month by month, for the province and each district."""
    counted = groups[groups["phase"].notna()] if len(groups) else groups
    founded = pd.to_datetime(counted["founded_on"]) if len(counted) else pd.Series(dtype="datetime64[ns]")
    scopes = [(setup.province_code, None)] + [(code, code) for code in setup.district_codes]
    rows = []
    for scope, code in scopes:
        mask = (counted["district_code"] == code) if code and len(counted) else pd.Series(True, index=counted.index)
        t = setup.targets if code is None else setup.targets[setup.targets["district_code"] == code]
        phase_target = {p.number: int(t.loc[t["phase"] == p.number, "target_groups"].sum()) for p in setup.phases}
        for m in months:
            end = m.last_day
            rows.append({
                "scope": scope, "month": m.key, "month_th": _abbr(m),
                "founded": int((mask & (founded <= pd.Timestamp(end))).sum()) if len(counted) else 0,
                "target_path": round(sum(phase_target[p.number] * expected_share(p.starts_on, p.ends_on, end)
                                         for p in setup.phases), 2),
                "target": sum(phase_target[p.number] for p in setup.phases if p.starts_on <= end),
            })
    return pd.DataFrame(rows, columns=["scope", "month", "month_th", "founded", "target_path", "target"])


def _abbr(m: Period) -> str:
    """ส.ค. 66: the short month a chart axis shows."""
    return thai_date(m.first_day, short=True).split(" ", 1)[1]


def summarise(setup: Setup, period: Period, groups: pd.DataFrame, reports: dict[str, str],
              files: list[FileOutcome], problems: list[Problem], made_on: date,
              past_reporting: pd.DataFrame | None = None,
              previous_founded: dict[str, tuple[str, int]] | None = None) -> MonthSummary:
    """reports: district code -> accepted | rejected | missing.

    groups: the accepted groups of the month, and for a district without an accepted report its
    groups as last accepted, marked in the column ``carried_from`` (that month's key).
    past_reporting: the grid rows of earlier months of the fiscal year, from the history store;
    without it the grid holds this month only.
    previous_founded: district code -> (month key, groups counted toward the target) of its last
    accepted month before this one, so that a count that went down is said, not hidden."""
    as_of = period.last_day
    expected = {p.number: expected_share(p.starts_on, p.ends_on, as_of) for p in setup.phases}
    if "carried_from" not in groups.columns:
        groups = groups.assign(carried_from=None)
    source = {code: period.key for code, r in reports.items() if r == ACCEPTED}
    for code, month in groups.loc[groups["carried_from"].notna(), ["district_code", "carried_from"]].drop_duplicates(
            "district_code").itertuples(index=False):
        source.setdefault(code, month)
    active = groups[groups["status"] != "dissolved"] if len(groups) else groups
    counted = groups[groups["phase"].notna()] if len(groups) else groups
    villages = setup.villages
    kkkj = villages[villages["is_kkkj"]]
    officers = setup.officers
    founded_start = pd.Timestamp(setup.fiscal_bounds[0])

    def figures(code: str | None, name: str, report: str) -> DistrictFigures:
        def part(frame):
            """The rows of one district, or all of them for the province."""
            return frame if code is None or not len(frame) else frame[frame["district_code"] == code]

        g, c, a, t = part(groups), part(counted), part(active), part(setup.targets)
        phases = tuple(
            _progress(p.name, t.loc[t["phase"] == p.number, "target_groups"].sum(),
                      (c["phase"] == p.number).sum() if len(c) else 0, expected[p.number])
            for p in setup.phases)
        year = year_progress("ทั้งปี", phases)
        k, o = part(kkkj), part(officers)
        new_this_year = g[pd.to_datetime(g["founded_on"]) >= founded_start] if len(g) else g
        with_group = set(new_this_year["officer_id"].dropna()) if len(new_this_year) else set()
        # Villages of the districts whose groups are known: the denominator of "all villages".
        known = part(villages) if code is not None else villages[villages["district_code"].isin(source)]
        return DistrictFigures(
            district_code=code or setup.province_code, district_name=name, report=report,
            phases=phases, year=year, groups=len(a),
            members=int(a["members"].sum()) if len(a) else 0,
            savings_baht=float(a["savings_baht"].sum()) if len(a) else 0.0,
            borrowers=int(a["borrowers"].sum()) if len(a) else 0,
            loans_baht=float(a["loans_baht"].sum()) if len(a) else 0.0,
            officers=len(o), officers_with_group=len(set(o["officer_id"]) & with_group),
            kkkj_villages=len(k), villages_with_group=int(k["had_group"].sum()) + year.founded,
            villages=len(known), villages_with_any_group=int(a["village_code"].nunique()) if len(a) else 0,
            figures_from=source.get(code) if code is not None else period.key,
        )

    districts = tuple(figures(code, setup.district_name(code), reports.get(code, MISSING))
                      for code in setup.district_codes)
    total = figures(None, f"รวมจังหวัด{setup.province_name}", ACCEPTED)
    if len(groups):
        this_month = groups[groups["carried_from"].isna()]
        founded = pd.to_datetime(this_month["founded_on"])
        in_month = this_month[founded.between(pd.Timestamp(period.first_day), pd.Timestamp(period.last_day))]
    else:
        in_month = groups
    received = {f.district_code: f.received_on for f in files if f.status == ACCEPTED}
    reporting = month_reporting(setup, period, reports, received)
    if past_reporting is not None and len(past_reporting):
        earlier = past_reporting[(past_reporting["month"] < period.key)
                                 & past_reporting["district_code"].isin(setup.district_codes)]
        earlier = earlier.assign(district_name=earlier["district_code"].map(setup.district_name))
        reporting = pd.concat([earlier[reporting.columns], reporting], ignore_index=True)
    changes = tuple(
        FoundedChange(d.district_code, d.district_name, *previous_founded[d.district_code], d.year.founded)
        for d in districts if previous_founded and d.district_code in previous_founded
        and d.report == ACCEPTED and d.year.founded < previous_founded[d.district_code][1])
    return MonthSummary(
        province_code=setup.province_code, province_name=setup.province_name, office_name=setup.office_name,
        fiscal_year_be=setup.fiscal_year_be, period=period, made_on=made_on, due_date=setup.due_date(period),
        phases=total.phases, year=total.year, kkkj_villages=len(kkkj),
        villages_with_group_start=int(kkkj["had_group"].sum()), villages_with_group=total.villages_with_group,
        districts=districts, total=total, files=tuple(files), problems=tuple(problems),
        groups=groups, founded_in_month=in_month.sort_values(["district_code", "founded_on"]) if len(in_month) else in_month,
        reporting=reporting, progress_by_month=progress_by_month(setup, groups, fiscal_months(setup, period)),
        founded_changes=changes,
    )
