"""Property tests (hypothesis): the value readers never raise, and the merge adds up whatever arrives.

Example counts are kept modest so the suite stays fast; HYPOTHESIS_EXAMPLES=500 runs more.
"""

from __future__ import annotations

import json
import math
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.samples.demo import fill_workbook, simulated_groups
from generator.intake.submission import read_submission
from generator.figures.merge import merge_groups
from generator.figures.merge import assign_group_codes
from generator.pipeline import RunResult, result_json, run_month
from generator.core.rules import VALUE_ERROR_RULES
from generator.core.schema import STATUS_WORDS
from generator.figures.summary import FileOutcome, summarise
from generator.core.statuses import ACCEPTED, MISSING
from tests.audit import assert_report_true
from generator.checks.validation import validate_submission
from generator.core.values import (Reading, read_choice, read_code, read_date, read_money, read_text, read_whole_number,
                              read_yesno)

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "150"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=max(5, EXAMPLES // 15), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
# What people type: digits (Thai and Arabic), separators, units, Thai month names, signs, percent,
# invisible characters; plus anything at all.
typed_text = st.one_of(
    st.text(),
    st.lists(st.sampled_from(list("0123456789" + THAI_DIGITS + " ,.-/%+eE\u200b\u00a0")
                             + ["บาท", "คน", "มี.ค.", "มีนาคม"]), max_size=16).map("".join),
    st.from_regex(r"[0-9๐-๙]{1,2}[/.\-][0-9๐-๙]{1,2}[/.\-][0-9๐-๙]{2,4}", fullmatch=True),
    st.sampled_from(["ใช่", "ไม่ใช่", "มี", "ไม่มี", "TRUE", "false", "-", "✓", "1e400", "-1e400", "nan", "inf",
                     "NaN", "Infinity", "0x10", "1_000", "٣", "²", "Ⅻ", "10%", "", "   ", "\x00", "_x0007_"]),
)
cell_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-2**63, max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(min_value=-1e6, max_value=1e7),
    st.dates(), st.datetimes(), st.times(), st.timedeltas(), typed_text,
)


def _check(reading: Reading, kinds: tuple[type, ...]) -> None:
    assert isinstance(reading, Reading)
    if reading.error is not None:
        assert reading.error in VALUE_ERROR_RULES  # a problem the catalogue can word
    elif reading.value is not None:
        assert isinstance(reading.value, kinds), (reading, kinds)
        if isinstance(reading.value, float):
            assert math.isfinite(reading.value)
    if reading.interpreted is not None:
        th, en = reading.interpreted
        assert isinstance(th, str) and isinstance(en, str) and th and en


@FAST
@given(cell_values)
def test_value_readers_give_a_value_or_a_problem_never_an_exception(raw):
    _check(read_text(raw), (str,))
    _check(read_code(raw), (str,))
    code = read_code(raw)
    if code.error is None and code.value is not None:
        assert code.value.isascii() and code.value.isdigit()
    whole = read_whole_number(raw)
    _check(whole, (int,))
    if whole.error is None and whole.value is not None:
        assert not isinstance(whole.value, bool) and whole.value >= 0
    money = read_money(raw)
    _check(money, (int, float))
    if money.error is None and money.value is not None:
        assert money.value >= 0
    when = read_date(raw)
    _check(when, (date,))
    if when.error is None and when.value is not None:
        assert not isinstance(when.value, datetime) and 1 <= when.value.year <= 9999
    _check(read_yesno(raw), (bool,))
    _check(read_choice(raw, STATUS_WORDS), (str,))


@FAST
@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["", " บาท", " คน"]), st.booleans(), st.booleans())
def test_a_number_typed_any_way_reads_as_itself(n, unit, thai, commas):
    text = f"{n:,}" if commas else str(n)
    if thai:
        text = text.translate(str.maketrans("0123456789", THAI_DIGITS))
    reading = read_whole_number(text + unit)
    assert reading.error is None and reading.value == n


@FAST
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)), st.booleans(), st.booleans())
def test_a_date_typed_as_text_reads_as_itself(d, be, thai):
    year = d.year + 543 if be else d.year
    text = f"{d.day}/{d.month}/{year}"
    if thai:
        text = text.translate(str.maketrans("0123456789", THAI_DIGITS))
    reading = read_date(text)
    assert reading.error is None and reading.value == d


# --- the merge ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def parsed(setup, period, template_for, tmp_path_factory):
    """Every district's groups, read and validated from real filled workbooks once."""
    folder = tmp_path_factory.mktemp("returns")
    out = {}
    for code in setup.district_codes:
        path = fill_workbook(template_for(code), simulated_groups(setup, code, period, seed=7), folder / f"{code}.xlsx")
        checked = validate_submission(read_submission(path, setup, period), setup, period)
        assert checked.accepted, [p.rule_id for p in checked.problems]
        out[code] = checked.groups
    return out


def _summary(setup, period, accepted: dict[str, pd.DataFrame], order: list[str], received: dict[str, date]):
    accepted = {code: assign_group_codes(accepted[code])[0] for code in order}
    merged = merge_groups(setup, accepted, {code: f"{code}.xlsx" for code in order})
    reports = {code: MISSING for code in setup.district_codes}
    reports.update({code: ACCEPTED for code in order})
    files = [FileOutcome(file=f"{code}.xlsx", district_code=code, district_name=setup.district_name(code),
                         status=ACCEPTED, errors=0, warnings=0, received_on=received[code]) for code in order]
    return summarise(setup, period, merged, reports, files, [], date(2023, 8, 25))


def _record(summary) -> dict:
    data = json.loads(result_json(RunResult(summary, [])))
    data["files"] = sorted(data["files"], key=lambda f: f["file"])
    return data


@SLOW
@given(st.data())
def test_province_totals_are_the_sum_of_districts_and_do_not_depend_on_arrival_order(parsed, setup, period, data):
    codes = data.draw(st.lists(st.sampled_from(setup.district_codes), unique=True, max_size=len(setup.district_codes)))
    accepted = {}
    for code in codes:
        frame = parsed[code]
        keep = data.draw(st.lists(st.booleans(), min_size=len(frame), max_size=len(frame)))
        accepted[code] = frame[keep].reset_index(drop=True)
    due = setup.due_date(period)
    received = {code: due - timedelta(days=data.draw(st.integers(0, 9))) for code in codes}
    shuffled = data.draw(st.permutations(codes))
    first = _summary(setup, period, accepted, list(codes), received)
    second = _summary(setup, period, accepted, list(shuffled), received)
    assert _record(first) == _record(second)
    assert_report_true(first)

    total, districts = first.total, first.districts
    for attr in ("groups", "members", "borrowers", "officers", "officers_with_group", "kkkj_villages",
                 "villages_with_group"):
        assert getattr(total, attr) == sum(getattr(d, attr) for d in districts), attr
    for attr in ("savings_baht", "loans_baht"):
        assert getattr(total, attr) == pytest.approx(sum(getattr(d, attr) for d in districts), abs=0.01), attr
    assert total.year.founded == sum(d.year.founded for d in districts)
    assert total.year.target == sum(d.year.target for d in districts) == setup.total_target
    for i, phase in enumerate(total.phases):
        assert phase.founded == sum(d.phases[i].founded for d in districts)
    missing = [d for d in districts if d.district_code not in accepted]
    assert all(d.groups == 0 and d.members == 0 and d.report == MISSING for d in missing)


@pytest.fixture(scope="module")
def returns(setup, period, template_for, tmp_path_factory):
    folder = tmp_path_factory.mktemp("arrivals")
    return {code: fill_workbook(template_for(code), simulated_groups(setup, code, period, seed=3), folder / f"{code}.xlsx")
            for code in setup.district_codes[:6]}


@settings(max_examples=max(3, EXAMPLES // 40), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False))
def test_the_month_does_not_depend_on_the_order_files_arrive_in(returns, setup, period, tmp_path_factory, rnd):
    """Whole runs over the same distinct districts' files, arriving under other names and at other
    times (all before the due day), give the same figures."""
    due = setup.due_date(period)
    results = []
    for attempt in range(2):
        inbox = tmp_path_factory.mktemp("inbox")
        codes = list(returns)
        rnd.shuffle(codes)
        for k, code in enumerate(codes):
            target = inbox / f"{rnd.randrange(10**6):06d}_{k}.xlsx"
            target.write_bytes(returns[code].read_bytes())
            stamp = datetime.combine(due - timedelta(days=rnd.randrange(1, 10)), time(9, 0)).timestamp()
            os.utime(target, (stamp, stamp))
        results.append(run_month(setup, period, inbox, inbox / "out", date(2023, 8, 25), render=False))
    first, second = (_record(r.summary) for r in results)
    for record in (first, second):
        record.pop("files")
        for p in record["problems"]:
            p.pop("file", None)
    assert first == second
    assert {d["district_code"] for d in first["districts"] if d["report"] == ACCEPTED} == set(returns)
