from datetime import date, datetime

import pytest

from generator.core.values import (read_code, read_date, read_money, read_text, read_whole_number,
                              read_yesno)


@pytest.mark.parametrize("raw,expected", [(45, 45), (45.0, 45), ("45", 45), ("๔๕", 45), ("1,250", 1250),
                                          (" 1 250 ", 1250), ("120 คน", 120)])
def test_counts_typed_every_way_are_read(raw, expected):
    assert read_whole_number(raw).value == expected


def test_a_count_read_other_than_literally_says_how():
    r = read_whole_number("๑,๒๐๐ คน")
    assert r.value == 1200 and r.error is None
    assert "เลขไทย" in r.interpreted[0] and "Thai digits" in r.interpreted[1]
    assert read_whole_number(12).interpreted is None


@pytest.mark.parametrize("raw,error", [(-3, "negative"), (2.5, "not_whole"), ("abc", "not_number"),
                                       ("45%", "percent"), (True, "not_number")])
def test_bad_counts_name_their_problem(raw, error):
    assert read_whole_number(raw).error == error


def test_money_keeps_satang():
    assert read_money("12,500.50 บาท").value == 12500.5
    assert read_money(100).value == 100


@pytest.mark.parametrize("raw,expected", [
    (date(2023, 3, 15), date(2023, 3, 15)),
    (datetime(2023, 3, 15, 0, 0), date(2023, 3, 15)),
    (datetime(2566, 3, 15), date(2023, 3, 15)),  # BE year typed into a real date cell
    ("15/3/2566", date(2023, 3, 15)),
    ("15/03/2023", date(2023, 3, 15)),
    ("๑๕/๓/๒๕๖๖", date(2023, 3, 15)),
    ("15 มี.ค. 66", date(2023, 3, 15)),
    ("15 มีนาคม 2566", date(2023, 3, 15)),
    (45000, date(2023, 3, 15)),  # an Excel serial number
])
def test_dates_typed_every_way_are_read(raw, expected):
    assert read_date(raw).value == expected


def test_a_date_as_text_is_a_warning_not_an_error():
    r = read_date("15/3/2566")
    assert r.error is None and "15 มีนาคม 2566" in r.interpreted[0]
    assert read_date(date(2023, 3, 15)).interpreted is None


@pytest.mark.parametrize("raw", ["31/2/2566", "yesterday", "15 Foo 2566"])
def test_impossible_dates_are_errors(raw):
    assert read_date(raw).error == "not_date"


def test_codes_lose_float_tails_and_zero_width_characters():
    assert read_code(36010101.0).value == "36010101"
    assert read_code("3601\u200b0101").value == "36010101"
    assert read_code("36A1").error == "not_code"


def test_names_are_trimmed_and_invisible_characters_reported():
    assert read_text("  บ้าน  หนองบัว ").value == "บ้าน หนองบัว"
    r = read_text("หนอง\u200bบัว")
    assert r.value == "หนองบัว" and r.interpreted


@pytest.mark.parametrize("raw,expected", [("ใช่", True), ("ไม่ใช่", False), ("มี", True), ("ไม่มี", False),
                                          ("yes", True), ("NO", False), (1, True), (0, False),
                                          (True, True), ("FALSE", False)])
def test_yes_no_in_thai_and_english(raw, expected):
    assert read_yesno(raw).value is expected


def test_yes_no_rejects_other_words():
    assert read_yesno("maybe").error == "not_yesno"


@pytest.mark.parametrize("raw,expected", [("1,250.-", 1250), ("฿1,250", 1250), ("1,250.- บาท", 1250),
                                          ("๑,๒๕๐.๕๐ บาท", 1250.5), (" 980 ", 980)])
def test_money_as_written_on_thai_forms(raw, expected):
    r = read_money(raw)
    assert r.value == expected and r.error is None and r.interpreted  # never read silently


@pytest.mark.parametrize("raw", ["35%", "35 %", "ร้อยละ 35", "35 เปอร์เซ็นต์", 0.35])
def test_percentages_where_a_count_belongs(raw):
    assert read_whole_number(raw).error == "percent"


@pytest.mark.parametrize("raw,expected", [
    ("15-มี.ค.-66", date(2023, 3, 15)),
    ("วันที่ 15 มีนาคม พ.ศ. 2566", date(2023, 3, 15)),
    ("15 มี.ค. พ.ศ.2566", date(2023, 3, 15)),
    ("15 Mar 2023", date(2023, 3, 15)),
    ("15 march 2566", date(2023, 3, 15)),
    ("2566-03-15", date(2023, 3, 15)),
    ("15.3.66", date(2023, 3, 15)),
])
def test_more_dates_as_people_type_them(raw, expected):
    r = read_date(raw)
    assert r.value == expected and r.interpreted and "15 มีนาคม 2566" in r.interpreted[0]


def test_every_reading_other_than_literal_says_what_was_understood():
    """A reader either takes the value as it is, or says how it read it, or names an error."""
    literal = [read_whole_number(45), read_money(1250.5), read_date(date(2023, 3, 15)), read_code("36010101"),
               read_text("กลุ่มบ้านโนน"), read_yesno("ใช่")]
    assert all(r.interpreted is None and r.error is None for r in literal)
    changed = [read_whole_number("45"), read_money("1,250"), read_date(45000), read_date("15/3/2566"),
               read_code(" 3601-0101"), read_text("กลุ่ม\u200bบ้านโนน"), read_date(datetime(2566, 3, 15))]
    assert all(r.interpreted and r.error is None for r in changed)
    assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in r.interpreted[0]) for r in changed)


def test_spaces_around_names_are_tidied_without_a_warning_but_invisible_characters_are_reported():
    assert read_text("  กลุ่มบ้านโนน\u00a0").value == "กลุ่มบ้านโนน"
    assert read_text("  กลุ่มบ้านโนน\u00a0").interpreted is None
    for invisible in ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"):
        r = read_text(f"กลุ่ม{invisible}บ้านโนน")
        assert r.value == "กลุ่มบ้านโนน" and r.interpreted


def test_status_words_typed_rather_than_picked():
    from generator.core.schema import STATUS_LABELS_TH, STATUS_WORDS
    from generator.core.values import read_choice

    assert read_choice("ยุบเลิก", STATUS_WORDS, STATUS_LABELS_TH).interpreted is None
    r = read_choice(" Dissolved ", STATUS_WORDS, STATUS_LABELS_TH)
    assert r.value == "dissolved" and "ยุบเลิก" in r.interpreted[0]
    assert read_choice("พักไว้", STATUS_WORDS, STATUS_LABELS_TH).error == "not_choice"
