"""The province's model (ข้อมูลตั้งต้นของจังหวัด as data): its districts, villages, officers, phases
and targets for one fiscal year. The setup workbook's reader produces it (`setup_workbook`); the
figures, the checks and the outputs read it. Pure: no file, no workbook library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date

from generator.core.lazy import LazyModule
from generator.core.periods import Period, fiscal_year_bounds
from generator.core.problems import Problem

pd = LazyModule("pandas", globals(), "pd")  # imported at first use (see generator.core.lazy)


@dataclass(frozen=True)
class Phase:
    number: int
    name: str
    starts_on: date
    ends_on: date
    due_day: int
    target_groups: int


@dataclass(frozen=True)
class Setup:
    province_code: str
    province_name: str
    fiscal_year_be: int
    districts: pd.DataFrame = field(repr=False)  # district_code, district_name
    villages: pd.DataFrame = field(repr=False)  # village_code, moo, village_name, subdistrict_name, district_code, is_kkkj, had_group
    officers: pd.DataFrame = field(repr=False)  # officer_id, officer_name, district_code
    phases: tuple[Phase, ...] = ()
    targets: pd.DataFrame = field(default=None, repr=False)  # district_code, phase, target_groups
    # old_village_code, new_village_code, reason: villages the store knows by another code (issue 18)
    village_moves: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def office_name(self) -> str:
        return f"สำนักงานพัฒนาชุมชนจังหวัด{self.province_name}"

    @property
    def fiscal_bounds(self) -> tuple[date, date]:
        return fiscal_year_bounds(self.fiscal_year_be)

    @property
    def district_codes(self) -> list[str]:
        return list(self.districts["district_code"])

    def district_name(self, code: str) -> str:
        return self._district_names.get(code, code)

    @cached_property
    def _district_names(self) -> dict[str, str]:
        # Asked for once per file and per row of every page; a frame lookup each time was a third
        # of a month's preview. The setup is frozen, so the dict never goes stale.
        return dict(zip(self.districts["district_code"], self.districts["district_name"]))

    def phase_for(self, period: Period) -> Phase:
        """The phase a month reports under: the one covering it, else the last one begun, else the first."""
        for p in self.phases:
            if p.starts_on <= period.last_day and p.ends_on >= period.first_day:
                return p
        begun = [p for p in self.phases if p.starts_on <= period.last_day]
        return begun[-1] if begun else self.phases[0]

    def due_date(self, period: Period) -> date:
        """A month's report covers the whole calendar month, so it is due in the month after, on
        the due day (ส่งรายงานทุกวันที่) of the phase the month reported belongs to."""
        return period.next().day(self.phase_for(period).due_day)

    def covers(self, period: Period) -> bool:
        """Whether the month lies in the fiscal year this setup is for: a month of another year
        would be measured against targets and phases that are not its own."""
        return period.fiscal_year_be == self.fiscal_year_be

    @property
    def moves(self) -> dict[str, str]:
        """Old village code -> the new one, as this setup's village_moves table says."""
        m = self.village_moves
        return {} if m is None or not len(m) else dict(zip(m["old_village_code"], m["new_village_code"]))

    def moved(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rows the store recorded under an old village code, under the new one (and in the district
        the new code belongs to); group codes and everything else are kept. Rows recorded under a
        current code, and every row when this setup moves nothing, come back as they were."""
        moves = self.moves
        if not moves or "village_code" not in frame.columns or not frame["village_code"].isin(moves).any():
            return frame
        out = frame.copy()
        hit = out["village_code"].isin(moves)
        out.loc[hit, "village_code"] = out.loc[hit, "village_code"].map(moves)
        if "district_code" in out.columns:
            district = dict(zip(self.villages["village_code"], self.villages["district_code"]))
            out.loc[hit, "district_code"] = out.loc[hit, "village_code"].map(district)
        return out

    def moved_by_district(self, by_district: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """`moved` over each district's rows (district code -> rows without a district column): a
        village whose district was re-coded takes its groups to its new district."""
        if not self.moves:
            return by_district
        parts: dict[str, list[pd.DataFrame]] = {}
        for code, frame in by_district.items():
            frame = self.moved(frame.assign(district_code=code))
            for district, part in frame.groupby("district_code", sort=False):
                parts.setdefault(district, []).append(part)
        columns = {code: list(frame.columns) for code, frame in by_district.items()}
        some = next(iter(columns.values()), [])
        return {district: pd.concat(ps, ignore_index=True).reindex(columns=columns.get(district, some))
                for district, ps in parts.items()}

    @property
    def total_target(self) -> int:
        return sum(p.target_groups for p in self.phases)


class SetupInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems in the setup workbook")
        self.problems = problems
