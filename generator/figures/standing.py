"""Where each district stands (pure): its state this month, the order the report lists districts in
(those that need attention first), ranks, and the district × month grid of how reports arrived.

The PDF, the Excel summary and the web page all show these; each only formats them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from generator.core.statuses import (BEHIND, LATE, MISSING, NOT_REACHED, NOT_STARTED, ON_TIME, ON_TRACK, REACHED,
                                     REJECTED)
from generator.figures.summary import DistrictFigures, MonthSummary

# A district without figures this month shows why (its report is missing or rejected) instead of a status.
NO_REPORT = (MISSING, REJECTED)
ATTENTION_ORDER = {REJECTED: 0, MISSING: 1, NOT_REACHED: 2, BEHIND: 2, NOT_STARTED: 3, ON_TRACK: 4, REACHED: 5}


def district_state(d: DistrictFigures) -> str:
    """The year status of a district that reported, or why it has no figures this month."""
    return d.report if d.report in NO_REPORT else d.year.status


def attention_order(districts) -> list[DistrictFigures]:
    """Districts that need attention first, then by year percent, lowest first."""
    return sorted(districts, key=lambda d: (ATTENTION_ORDER[district_state(d)],
                                            d.year.percent if d.year.percent is not None else -1,
                                            d.district_code))


def competition_ranks(scores: list) -> list[int]:
    """Ranks of scores already in order, best first; equal scores share a rank and the next rank
    skips ("1224"), as league tables and the department's rankings count."""
    ranks, previous, rank = [], object(), 0
    for i, score in enumerate(scores, start=1):
        if score != previous:
            rank, previous = i, score
        ranks.append(rank)
    return ranks


def district_ranks(summary: MonthSummary) -> dict[str, int]:
    """District code -> rank by percent of the year's target (1 = furthest ahead), accepted reports
    only; equal percentages share a rank."""
    scored = sorted((d for d in summary.reported if d.year.percent is not None), key=lambda d: -d.year.percent)
    return {d.district_code: r for d, r in zip(scored, competition_ranks([d.year.percent for d in scored]))}


@dataclass(frozen=True)
class GridRow:
    district: DistrictFigures
    cells: tuple[str | None, ...]  # a timeliness status per month, None where the month has no record

    def count(self, status: str) -> int:
        return sum(c == status for c in self.cells)

    @property
    def on_time(self) -> int:
        return self.count(ON_TIME)

    @property
    def sent(self) -> int:
        return self.count(ON_TIME) + self.count(LATE)

    @property
    def months(self) -> int:
        return sum(c is not None for c in self.cells)


@dataclass(frozen=True)
class ReportingGrid:
    """District × month: how each district's report of each month of the year so far arrived."""
    months: tuple[str, ...]  # month keys, oldest first, the month reported last
    rows: tuple[GridRow, ...]

    @property
    def per_month(self) -> list[Counter]:
        return [Counter(row.cells[i] for row in self.rows) for i in range(len(self.months))]


def reporting_grid(summary: MonthSummary) -> ReportingGrid:
    r = summary.reporting
    records = list(r.itertuples()) if r is not None else []
    months = tuple(sorted({x.month for x in records} | {summary.period.key}))
    cell = {(x.district_code, x.month): x.status for x in records}
    return ReportingGrid(months, tuple(GridRow(d, tuple(cell.get((d.district_code, m)) for m in months))
                                       for d in summary.districts))
