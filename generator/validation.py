"""Validation: a district's groups, cell by cell and then by the row rules of the catalogue.

The rules themselves live in `generator.rules`; this module only applies them, vectorised over
the table, and turns each offending row into a located problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from generator.intake import Submission
from generator.parsing import ROW, parse_table
from generator.periods import Period, thai_date
from generator.problems import Problem, errors
from generator.rules import ROW_RULES, Rule, RowContext
from generator.schema import GROUPS
from generator.setup import Setup
from generator.values import clean_text


@dataclass
class Checked:
    submission: Submission
    groups: pd.DataFrame = field(repr=False)
    problems: list[Problem]

    @property
    def accepted(self) -> bool:
        return self.submission.table is not None and not errors(self.problems)


def row_context(setup: Setup, district_code: str, period: Period) -> RowContext:
    v = setup.villages
    mine = v[v["district_code"] == district_code]
    start, end = setup.fiscal_bounds
    return RowContext(
        district_code=district_code,
        district_villages=frozenset(mine["village_code"]),
        kkkj_villages=frozenset(mine.loc[mine["is_kkkj"], "village_code"]),
        villages_without_group=frozenset(mine.loc[mine["is_kkkj"] & ~mine["had_group"], "village_code"]),
        fiscal_start=pd.Timestamp(start), fiscal_end=pd.Timestamp(end), period_end=pd.Timestamp(period.last_day),
    )


def match_officers(groups: pd.DataFrame, setup: Setup, district_code: str) -> pd.Series:
    """The officer id for each row, from the name (as the dropdown gives it) or the id typed."""
    officers = setup.officers[setup.officers["district_code"] == district_code]
    by_key = {_key(n): i for n, i in zip(officers["officer_name"], officers["officer_id"])}
    by_key.update({_key(i): i for i in officers["officer_id"]})
    return groups["officer"].map(lambda o: by_key.get(_key(o)) if isinstance(o, str) else None)


def _key(text: str) -> str:
    return "".join(clean_text(str(text)).split()).lower()


def validate_submission(sub: Submission, setup: Setup, period: Period) -> Checked:
    problems = list(sub.problems)
    if sub.table is None or errors(sub.problems):
        return Checked(sub, pd.DataFrame(columns=[ROW] + GROUPS.keys), problems)
    groups, cell_problems = parse_table(sub.table, GROUPS, sub.name, district_code=sub.district_code)
    problems += cell_problems
    groups["officer_id"] = match_officers(groups, setup, sub.district_code)
    problems += check_rows(groups, row_context(setup, sub.district_code, period), sub, setup)
    return Checked(sub, groups, problems)


def check_rows(groups: pd.DataFrame, ctx: RowContext, sub: Submission, setup: Setup,
               rules: tuple[Rule, ...] = ROW_RULES) -> list[Problem]:
    out: list[Problem] = []
    if groups.empty:
        return out
    start, end = setup.fiscal_bounds
    context = {"fiscal_start": thai_date(start), "fiscal_end": thai_date(end), "fiscal_start_en": start.isoformat(),
               "fiscal_end_en": end.isoformat()}
    for r in rules:
        usable = groups.dropna(subset=list(r.inputs)) if r.inputs else groups
        if usable.empty:
            continue
        hits = usable[r.check(usable, ctx).fillna(False).astype(bool)]
        for record in hits.to_dict("records"):
            shown = {k: _shown(v) for k, v in record.items()}
            column = r.column if r.column in sub.table.columns else None
            out.append(r.problem(
                file=sub.name, sheet=sub.table.sheet,
                cell=sub.table.cell_at(column, int(record[ROW])) if column else f"{int(record[ROW])}",
                value=shown.get(r.column), district_code=sub.district_code, **{**shown, **context}))
    return sorted(out, key=lambda p: (_row_of(p.cell), p.cell or ""))


def _shown(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if hasattr(value, "year") and hasattr(value, "month"):
        return thai_date(value)
    if isinstance(value, float):
        return f"{value:,.2f}" if not value.is_integer() else f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _row_of(cell: str | None) -> int:
    digits = "".join(ch for ch in (cell or "") if ch.isdigit())
    return int(digits) if digits else 0
