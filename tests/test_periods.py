from datetime import date

import pytest

from generator.core.periods import Period, PeriodError, fiscal_year_bounds, fiscal_year_of, thai_date


@pytest.mark.parametrize("text", ["2566-03", "2023-03", "03/2566", "2566/3"])
def test_a_month_is_read_in_be_or_ce(text):
    assert Period.parse(text) == Period(2023, 3)


@pytest.mark.parametrize("text", ["2566-13", "march", "", "66-03"])
def test_a_month_that_cannot_be_read_is_refused(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_fiscal_year_runs_october_to_september_named_by_its_end():
    assert fiscal_year_bounds(2566) == (date(2022, 10, 1), date(2023, 9, 30))
    assert fiscal_year_of(date(2022, 10, 1)) == 2566
    assert fiscal_year_of(date(2022, 9, 30)) == 2565


def test_thai_dates_are_buddhist_era_with_thai_month_names():
    assert thai_date(date(2023, 1, 9)) == "9 มกราคม 2566"
    assert thai_date(date(2023, 1, 9), short=True) == "9 ม.ค. 66"
    assert Period(2023, 8).thai() == "สิงหาคม 2566"
    assert Period(2023, 8).be_key == "2566-08"


def test_due_day_is_clipped_to_the_month():
    assert Period(2023, 2).day(31) == date(2023, 2, 28)


def test_next_and_previous_step_over_the_year_end():
    from generator.core.periods import Period

    assert Period(2023, 12).next() == Period(2024, 1) and Period(2024, 1).previous() == Period(2023, 12)
    months = [Period(2022, 10)]
    while len(months) < 12:
        months.append(months[-1].next())
    assert months[-1] == Period(2023, 9) and all(b.previous() == a for a, b in zip(months, months[1:]))


def test_months_step_across_the_year_end_one_way_everywhere():
    from generator.core.periods import fiscal_year_months, months_between

    assert [m.key for m in fiscal_year_months(2567)][:4] == ["2023-10", "2023-11", "2023-12", "2024-01"]
    assert len(fiscal_year_months(2567)) == 12 and fiscal_year_months(2567)[-1] == Period(2024, 9)
    assert months_between(Period(2023, 11), Period(2024, 2)) == [Period(2023, 11), Period(2023, 12),
                                                                 Period(2024, 1), Period(2024, 2)]
    assert months_between(Period(2024, 2), Period(2023, 11)) == []
    assert Period.from_key("2024-01") == Period(2024, 1) and Period.of(date(2024, 1, 31)) == Period(2024, 1)
    with pytest.raises(PeriodError):
        Period.from_key("2567-01x")


def test_a_month_in_a_tight_table_reads_the_same_in_every_output():
    # The English reader counts in the common era (THAI-STYLE), the Thai reader in the Buddhist era.
    assert Period(2023, 8).short_label("th") == "ส.ค. 66"
    assert Period(2023, 8).short_label("en") == "Aug 23"
    assert Period(2024, 1).short_label("th") == "ม.ค. 67"


def test_a_short_date_is_thai_in_thai_and_common_era_in_english():
    from generator.core.periods import format_date

    assert format_date(date(2023, 8, 9), "th", short=True) == "9 ส.ค. 66"
    assert format_date(date(2023, 8, 9), "en", short=True) == "9 Aug 23"
    assert format_date(date(2023, 8, 9), "en") == "9 August 2023"
