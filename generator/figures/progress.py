"""Progress against a target, and the ratios every level's figures share (pure).

A phase or a year, of a district, a province or the nation: founded against target, the share of
the target expected by now, and the status that follows. The ratios (ร้อยละ, two decimals) are
derived from the figures, never stored beside them, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from generator.core.statuses import BEHIND, NOT_REACHED, NOT_STARTED, ON_TRACK, REACHED, STATUS_TH


def percent(part: float, whole: float) -> float | None:
    """ร้อยละ, as the department writes it: two decimals."""
    return None if not whole else round(100.0 * part / whole, 2)


def expected_share(starts_on: date, ends_on: date, as_of: date) -> float:
    """The share of a phase's time gone by at a date: the target path a phase should follow."""
    if as_of < starts_on:
        return 0.0
    if as_of >= ends_on:
        return 1.0
    return ((as_of - starts_on).days + 1) / ((ends_on - starts_on).days + 1)


def status_of(founded: int, target: int, share_expected: float) -> str:
    """Reached, or, once the phase is over (all of its time gone), not reached; before that on
    track or behind the target path."""
    if target and founded >= target:
        return REACHED
    if share_expected >= 1.0:
        return NOT_REACHED if target else REACHED
    if share_expected <= 0:
        return NOT_STARTED
    return ON_TRACK if founded >= target * share_expected else BEHIND


@dataclass(frozen=True)
class Progress:
    """Founded against target, for a phase or the year, for the province or a district."""

    label: str
    target: int
    founded: int
    expected: float  # share of the target expected by now (0..1)

    @property
    def percent(self) -> float | None:
        return percent(self.founded, self.target)

    @property
    def status(self) -> str:
        return status_of(self.founded, self.target, self.expected)

    @property
    def ended(self) -> bool:
        return self.expected >= 1.0

    @property
    def status_th(self) -> str:
        return STATUS_TH[self.status]


class GroupRatios:
    """Ratios of a district's, a province's or the nation's figures (needs members, borrowers,
    savings_baht, officers, officers_with_group)."""

    @property
    def borrowers_percent(self) -> float | None:
        return percent(self.borrowers, self.members)

    @property
    def savings_per_member(self) -> float | None:
        return None if not self.members else round(self.savings_baht / self.members, 2)

    @property
    def officers_percent(self) -> float | None:
        return percent(self.officers_with_group, self.officers)


class CoverageRatios:
    """กข.คจ. villages with a group, at the start of the year and now (needs kkkj_villages,
    villages_with_group_start, villages_with_group)."""

    @property
    def coverage_start_percent(self) -> float | None:
        return percent(self.villages_with_group_start, self.kkkj_villages)

    @property
    def coverage_percent(self) -> float | None:
        return percent(self.villages_with_group, self.kkkj_villages)


def year_progress(label: str, phases: tuple[Progress, ...]) -> Progress:
    """The year of a district or the province from its own phases: the share of the year's target
    expected by now is Σ(phase target × share of the phase gone) ÷ year target, so that the year's
    status can never contradict the phases' for the same figures."""
    target = sum(p.target for p in phases)
    expected = sum(p.target * p.expected for p in phases) / target if target else (
        max((p.expected for p in phases), default=0.0))
    return Progress(label, int(target), int(sum(p.founded for p in phases)), expected)
