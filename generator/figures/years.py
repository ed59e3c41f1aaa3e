"""Across fiscal years (pure): which year a month belongs to, and a month against the same month
of the year before.

One history store holds every fiscal year of a province (issue 18). A month is always run with the
setup of the fiscal year it falls in; the report of a month compares the province with the same
month a year earlier, where the store has it ("เทียบกับปีงบประมาณก่อน").
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from generator.core import texts

from generator.core.periods import Period
from generator.core.schema import STATUS_DISSOLVED
from generator.core.model import Setup


class YearMismatch(Exception):
    """A month run or prepared with the setup of another fiscal year; ``key`` names the message."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


def check_period_in_year(setup: Setup, period: Period) -> None:
    """A month belongs to one fiscal year, and only that year's setup (its phases, targets and
    village flags) can count it: October 2566 run with the setup of 2566 would be counted against
    last year's targets and recorded so in the store."""
    if period.fiscal_year_be != setup.fiscal_year_be:
        raise YearMismatch("period_other_year", month=period.thai(), month_en=period.english(),
                           period_year=period.fiscal_year_be, fiscal_year=setup.fiscal_year_be)


def same_month_last_year(period: Period) -> Period:
    return Period(period.year - 1, period.month)


COMPARED = ("groups", "members", "savings_baht", "loans_baht")


@dataclass(frozen=True)
class ComparedFigure:
    key: str  # one of COMPARED
    now: float
    then: float

    @property
    def change(self) -> float:
        return self.now - self.then

    @property
    def change_percent(self) -> float | None:
        return None if not self.then else round(100 * (self.now - self.then) / self.then, 2)


@dataclass(frozen=True)
class YearComparison:
    """The province this month against the same month of the fiscal year before.

    Figures are summed over the districts whose reports were accepted in both months only, so a
    district that did not report in one of them does not show as a fall or a rise.
    ``figures`` is empty when no district reported in both (``then_districts`` says whether the
    store held last year's month at all)."""

    period: Period
    last_period: Period
    fiscal_year_be: int
    districts: int  # districts of the setup
    now_districts: int  # accepted this month
    then_districts: int  # accepted in the same month last year
    common_districts: int  # accepted in both: what the figures cover
    figures: tuple[ComparedFigure, ...] = ()

    @property
    def available(self) -> bool:
        return bool(self.figures)

    @property
    def complete(self) -> bool:
        """Every district of the setup reported in both months."""
        return self.common_districts == self.districts

    def labels(self, lang: str = "th") -> dict:
        return LABELS[lang]

    def figure(self, key: str) -> ComparedFigure:
        return next(f for f in self.figures if f.key == key)


def _totals(groups: pd.DataFrame, districts: set[str]) -> dict[str, float]:
    if not len(groups):
        return {k: 0.0 for k in COMPARED}
    active = groups[groups["district_code"].isin(districts) & groups["status"].ne(STATUS_DISSOLVED)]
    return {"groups": float(len(active)), "members": float(active["members"].sum()),
            "savings_baht": round(float(active["savings_baht"].sum()), 2),
            "loans_baht": round(float(active["loans_baht"].sum()), 2)}


def compare_with_last_year(setup: Setup, period: Period, now_groups: pd.DataFrame, now_accepted: list[str],
                           then_groups: pd.DataFrame, then_accepted: list[str],
                           store_has_last_year: bool) -> YearComparison | None:
    """None when the store holds no month of the fiscal year before (the province did not use the
    tool then: nothing to compare, and nothing to say). Groups are the rows counted in each month
    (district_code, status, members, savings_baht, loans_baht); dissolved groups are left out, as in
    the month's totals."""
    if not store_has_last_year:
        return None
    codes = set(setup.district_codes)
    common = set(now_accepted) & set(then_accepted) & codes
    figures = ()
    if common:
        now, then = _totals(now_groups, common), _totals(then_groups, common)
        figures = tuple(ComparedFigure(k, now[k], then[k]) for k in COMPARED)
    return YearComparison(period=period, last_period=same_month_last_year(period), fiscal_year_be=setup.fiscal_year_be,
                          districts=len(codes), now_districts=len(set(now_accepted) & codes),
                          then_districts=len(set(then_accepted) & codes), common_districts=len(common),
                          figures=figures)


LABELS = {lang: texts.section("year_compare", lang) for lang in texts.LANGS}
