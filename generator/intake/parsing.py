"""From the raw cells of a found table to a typed DataFrame and the cell-level problems.

Blank rows (also in the middle of a table) are skipped. Each value goes through the reader for
its column's kind; a value that had to be interpreted is kept and reported as a warning, one that
cannot be read is left empty and reported as an error, as is an empty required value.
"""

from __future__ import annotations

from generator.core import texts
from generator.core.lazy import LazyModule
from generator.core.problems import Problem
from generator.intake.safe import FoundTable
from generator.core.rules import VALUE_ERROR_RULES, rule
from generator.core.schema import CONFIRM_KEY, STATUS_LABELS_TH, STATUS_WORDS, Table
from generator.core.values import READERS, THAI_DIGITS, OddCell, is_blank, read_choice

ROW = "_row"  # the Excel row number a record came from
pd = LazyModule("pandas", globals(), "pd")  # imported at first use (see generator.core.lazy)


def parse_table(found: FoundTable, table: Table, file: str,
                district_code: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    records, columns, problems = parse_records(found, table, file, district_code)
    frame = pd.DataFrame.from_records(records, columns=columns)
    for key in table.keys:
        if key not in frame.columns:
            frame[key] = None
    return frame, problems


def parse_records(found: FoundTable, table: Table, file: str,
                  district_code: str | None = None) -> tuple[list[dict], list[str], list[Problem]]:
    """parse_table's records (each a dict of the columns present, and ROW), without a frame."""
    problems: list[Problem] = []
    records = []
    present = [c for c in table.columns if c.key in found.columns]
    for offset, raw_row in enumerate(found.rows):
        raw = {c.key: _get(raw_row, found.columns[c.key]) for c in present}
        # The lookup column holds a formula on every row, and a confirmation alone is no group.
        if all(is_blank(v) for k, v in raw.items() if table.column(k).kind != "lookup" and k != CONFIRM_KEY):
            continue
        record = {ROW: found.header_row + 1 + offset}
        for col in present:
            value = raw[col.key]
            if col.kind == "status":
                reading = read_choice(value, STATUS_WORDS, STATUS_LABELS_TH)
            else:
                reading = READERS[col.kind](value)
            where = _Where(file, found, col, offset, district_code)
            if isinstance(value, OddCell) and value.kind == "stale" and col.kind != "lookup":
                # Read as the formula gives it (what Excel shows once it recalculates), said at the cell.
                problems.append(rule("VALUE_FORMULA_STALE").problem(
                    value=value.text, formula=value.formula, worked=_number(value.worked), **where.params()))
            if reading.error:
                problems.append(rule(VALUE_ERROR_RULES[reading.error]).problem(
                    value=_cell_text_for_message(value), choices=", ".join(STATUS_LABELS_TH.values()),
                    **where.params()))
                record[col.key] = None
                continue
            if reading.value is None and col.required:
                problems.append(rule("VALUE_REQUIRED").problem(**where.params()))
            elif reading.interpreted and col.kind != "lookup":
                how_th, how_en = reading.interpreted
                advice = interpreted_advice(col.kind, value, col.key == "village_code")
                problems.append(rule("VALUE_INTERPRETED").problem(
                    value=_cell_text_for_message(value), how=how_th, how_en=how_en, advice=texts.text(advice, "th"),
                    advice_en=texts.text(advice, "en"), **where.params()))
            record[col.key] = reading.value
        records.append(record)
    return records, [ROW] + [c.key for c in present], problems


class _Where:
    """A cell's place as its problems quote it, made only for a cell that has one (most have none)."""

    __slots__ = ("file", "found", "col", "offset", "district_code")

    def __init__(self, file, found, col, offset, district_code):
        self.file, self.found, self.col, self.offset, self.district_code = file, found, col, offset, district_code

    def params(self) -> dict:
        return dict(file=self.file, sheet=self.found.sheet, cell=self.found.cell(self.col.key, self.offset),
                    district_code=self.district_code, column=self.col.header_th, column_en=self.col.header_en)


def interpreted_advice(kind: str, raw, has_list: bool = False) -> str:
    """The catalogue key of what to tell a district whose value had to be interpreted: a status
    typed instead of picked is picked from the list; Thai digits are typed as 0–9; a BE year in a
    cell that is already a date needs nothing; anything else is checked."""
    from datetime import date

    if kind in ("status", "officer", "yesno") or has_list:
        return "advice.pick"
    if isinstance(raw, str) and raw.translate(THAI_DIGITS) != raw:
        return "advice.digits"
    if kind == "date" and isinstance(raw, date):
        return "advice.be_date_ok"
    if kind == "date":
        return "advice.date_text"
    return "advice.check"


def _get(row: list, index: int):
    return row[index] if index < len(row) else None


def _number(x: float) -> str:
    """A worked-out value as a district would type it: 1,250 or 1,250.5."""
    return f"{x:,.0f}" if x == int(x) else f"{x:,.6f}".rstrip("0")


def _cell_text_for_message(value) -> str | None:
    if value is None:
        return None
    return str(value)[:200]
