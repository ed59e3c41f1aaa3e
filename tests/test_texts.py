"""The words a person reads, checked for leaks: every table of the text catalogue and the rule
catalogue, and the pages and workbooks rendered from them in Thai and in English.

Leaks looked for (issue 12): ASCII rule ids and statistics jargon on Thai pages, English words in
Thai mode, Thai in English mode (except names that come from the setup), commands in what
district staff read, bare imperatives and ASCII quotes in district-facing Thai.
"""

from __future__ import annotations

import html as html_lib
import re
import string

import pytest
from openpyxl import load_workbook

from generator.core import texts
from generator.samples.demo import chaiyaphum_setup
from generator.outputs.district_template import write_district_workbook
from generator.outputs.feedback import write_feedback
from generator.outputs.render_excel import write_summary_workbook
from generator.outputs.render_pdf import render_html
from generator.core.rules import CATALOGUE
from generator.core.schema import GROUPS
from generator.core.statuses import (ACCEPTED, BEHIND, LATE, MISSING, NOT_STARTED, ON_TIME, ON_TRACK, REACHED, REJECTED, SUPERSEDED)
from generator.core.problems import CONFIRMED, ERROR, NEEDS_CONFIRMATION, NOTE, WARNING
from tests.test_render_pdf import build_summary

THAI = re.compile(r"[\u0e00-\u0e7f]")
RULE_ID = re.compile(r"\b[A-Z]{1,3}_[A-Z0-9_]{2,}\b")
ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
# ASCII a Thai page may hold: product and format names, and Excel's page-number codes (&P, &N).
THAI_PAGE_ASCII = {"Excel", "PDF", "xlsx", "xls", "xlsm", "ods", "Workbook", "LibreOffice", "Calc", "VBA",
                   "WPS", "Office"}  # the three programs districts save with (issue 11: how to save as .xlsx)
JARGON = ("z-score", "median", "มัธยฐาน", "savings-report", "validate")
# Sections read by district staff or managers, Thai first (the CLI's may name commands and options).
PAGE_SECTIONS = ("pdf", "national", "xlsx", "district", "feedback", "narrative", "target", "state", "report",
                 "report_short", "timeliness", "severity", "problem", "advice", "group_status", "village")
DISTRICT_SCOPES = ("file", "cell", "row", "history", "province")


def _section_of(key: str) -> str:
    return key.split(".", 1)[0]


def _fields(s: str) -> set[str]:
    """The fields of a text; ``month_en`` is the English stand-in for ``month`` (rules.bilingual)."""
    return {f.removesuffix("_en") for _, f, _, _ in string.Formatter().parse(s) if f}


def test_every_text_has_both_languages_with_the_same_fields():
    # Affixes that one language does without (Thai writes ต.บุ่งคล้า, English the name alone).
    affixes = {"narrative.money_end", "narrative.district_prefix", "pdf.subdistrict_abbr"}
    for key, (th, en) in texts.TEXTS.items():
        separator = key.endswith(("_sep", ".end")) and not th.strip()
        assert (th.strip() and en.strip()) or key in affixes or separator, key
        assert _fields(th) == _fields(en), key


# Placeholders whose value ends in digits (a month with its year, a date, a time, a count): Thai
# writes a space after a number before the next word ("สิงหาคม 2566 เสร็จแล้ว", never "2566เสร็จแล้ว").
ENDS_IN_DIGITS = ("month", "period", "now", "then", "when", "due", "year", "date", "done", "total", "count",
                  "before", "then_year")


def test_thai_writes_a_space_after_a_number_before_the_next_word():
    thai_texts = [(key, th) for key, (th, _) in texts.TEXTS.items()]
    thai_texts += [(r.id, words) for r in CATALOGUE for words in (r.message_th, r.fix_th)]
    glued = {key: th for key, th in thai_texts
             if re.search(r"\{(?:%s)(?::[^}]*)?\}[\u0e01-\u0e5b]" % "|".join(ENDS_IN_DIGITS), th)}
    assert glued == {}


def test_every_status_constant_has_its_words():
    for section, constants in (("target", (REACHED, ON_TRACK, BEHIND, NOT_STARTED)),
                               ("report", (ACCEPTED, REJECTED, MISSING, SUPERSEDED)),
                               ("report_short", (ACCEPTED, REJECTED, MISSING, SUPERSEDED)),
                               ("timeliness", (ON_TIME, LATE, REJECTED, MISSING)),
                               ("severity", (ERROR, WARNING, NEEDS_CONFIRMATION, CONFIRMED, NOTE))):
        for lang in texts.LANGS:
            assert set(constants) <= set(texts.section(section, lang)), (section, lang)


def _thai_leaks(text: str) -> list[str]:
    found = RULE_ID.findall(text)
    found += [w for w in ASCII_WORD.findall(text) if w not in THAI_PAGE_ASCII]
    found += [j for j in JARGON if j in text]
    return found


def test_thai_texts_hold_no_english_words_rule_ids_or_jargon():
    leaks = {key: _thai_leaks(re.sub(r"\{[a-z_]+\}|&[PN]", "", th)) for key, (th, _) in texts.TEXTS.items()
             if _section_of(key) in PAGE_SECTIONS}
    assert {k: v for k, v in leaks.items() if v} == {}


def test_english_texts_hold_no_thai_but_the_workbooks_own_words():
    # The workbooks are Thai: English may quote a sheet, a column header or the ใช่ to type.
    from generator.next_year import CHANGES, REFERENCE
    from generator.core.schema import OPTIONAL_SETUP_TABLES, SETUP_TABLES

    sheets = {t.sheet_th for t in (*SETUP_TABLES, *OPTIONAL_SETUP_TABLES, GROUPS, CHANGES)} | {REFERENCE.sheet_th + "ปี"}
    allowed = {"ใช่", *sheets, *(c.header_th for c in GROUPS.columns)}
    leaks = {}
    # The language switch names the other language in its own script, by design.
    for key, (_, en) in texts.TEXTS.items():
        if key == "web.lang_switch":
            continue
        rest = en
        for word in sorted(allowed, key=len, reverse=True):
            rest = rest.replace(word, "")
        if THAI.search(rest):
            leaks[key] = en
    assert leaks == {}


def test_rules_that_districts_read_are_in_the_official_register():
    for r in CATALOGUE:
        if r.scope not in DISTRICT_SCOPES:
            continue
        for text in (r.message_th, r.fix_th):
            plain = re.sub(r"\{[a-z_]+\}", "", text)
            assert not _thai_leaks(plain), (r.id, text)
            assert "'" not in plain, (r.id, text)  # field names in “…”
            assert not THAI.search((r.message_en + r.fix_en).replace("ใช่", "")), r.id  # ใช่: what to type
        fix = r.fix_th
        assert not fix.startswith(("ตรวจ", "กรอก", "เลือก", "ใส่", "พิมพ์", "อย่า", "ถ้า")), (r.id, fix)


def _visible_text(html: str) -> str:
    html = re.sub(r"<(style|script|head)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<svg\b.*?</svg>", lambda m: " ".join(re.findall(r">([^<]+)<", m.group(0))), html, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html))


def _setup_names(summary, setup) -> list[str]:
    names = [summary.province_name, summary.office_name, *(d.district_name for d in summary.districts),
             *(p.label for p in summary.phases), summary.total.district_name]
    names += list(setup.villages["village_name"]) + list(setup.villages["subdistrict_name"])
    names += list(setup.officers["officer_name"])
    if summary.groups is not None:
        names += [str(n) for n in summary.groups["group_name"]]
    names += [f.file for f in summary.files]
    names += [p.value for p in summary.problems if p.value]  # what a district typed, shown as found
    return sorted({n for n in names if n}, key=len, reverse=True)


@pytest.fixture(scope="module")
def rendered():
    setup = chaiyaphum_setup()
    summary = build_summary(setup)
    return setup, summary, {lang: _visible_text(render_html(summary, lang)) for lang in texts.LANGS}


def test_the_thai_report_shows_no_rule_id_no_jargon_and_no_english_words(rendered):
    setup, summary, pages = rendered
    text = pages["th"]
    for name in _setup_names(summary, setup):
        text = text.replace(name, " ")
    text = re.sub(r"\b[A-Z]+\d+\b", " ", text)  # cell references such as H7
    assert _thai_leaks(text) == []


def test_the_english_report_shows_no_thai_but_names_from_the_setup(rendered):
    setup, summary, pages = rendered
    text = pages["en"]
    for name in _setup_names(summary, setup) + [GROUPS.sheet_th]:
        text = text.replace(name, " ")
    assert THAI.findall(text) == [], [line for line in text.splitlines() if THAI.search(line)][:5]


def _cells(path):
    return [str(c.value) for ws in load_workbook(path).worksheets if ws.sheet_state == "visible"
            for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_the_workbooks_a_district_reads_name_no_command_and_no_rule_in_their_sentences(setup, period, tmp_path):
    from generator.core.rules import rule

    district = write_district_workbook(setup, period, "3601", tmp_path / "d.xlsx")
    problem = rule("G_BORROWERS_GT_MEMBERS").problem(file="d.xlsx", sheet=GROUPS.sheet_th, cell="H6", value=90,
                                                     borrowers=90, members=80, district_code="3601")
    feedback = write_feedback(district, [problem], tmp_path / "f.xlsx", "ผลการตรวจสอบ")
    for path in (district, feedback):
        for value in _cells(path):
            if value.startswith("="):
                continue
            assert not any(j in value for j in JARGON), value
    comment = load_workbook(feedback)[GROUPS.sheet_th]["H6"].comment.text
    assert "— วิธีแก้ไข: " in comment and "'" not in comment


def test_the_english_excel_summary_has_english_sheets_and_headers(rendered, tmp_path):
    setup, summary, _ = rendered
    wb = load_workbook(write_summary_workbook(summary, tmp_path / "en.xlsx", "en"))
    names = _setup_names(summary, setup) + [GROUPS.sheet_th]
    for ws in wb.worksheets:
        assert not THAI.search(ws.title)
        for cell in ws[1]:
            header = str(cell.value)
            for name in names:
                header = header.replace(name, "")
            assert not THAI.search(header), header


def test_help_is_thai_by_default_and_english_with_lang_en():
    from typer.testing import CliRunner

    from generator.cli import app

    runner = CliRunner()
    th = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "100"})
    assert th.exit_code == 0 and "ตัวเลือก" in th.output and "ปี-เดือน" in th.output
    for leak in ("<path>", "<str>", "<bool>", "list[str]", "Show this message", "[required]", "Options"):
        assert leak not in th.output, leak
    en = runner.invoke(app, ["--lang", "en", "run", "--help"], env={"COLUMNS": "100"})
    assert en.exit_code == 0 and "Options" in en.output and "YEAR-MONTH" in en.output
    assert not THAI.search(en.output), [line for line in en.output.splitlines() if THAI.search(line)]


def test_results_go_to_stdout_and_rules_fit_80_columns(tmp_path):
    from typer.testing import CliRunner

    from generator.cli import app

    bad = tmp_path / "not_excel.xlsx"
    bad.write_text("hello")
    r = CliRunner().invoke(app, ["validate", str(bad)])
    assert r.exit_code == 1 and "ไม่ใช่ไฟล์ Excel" in r.stdout  # `validate … > log.txt` keeps it
    rules = CliRunner().invoke(app, ["rules"], env={"COLUMNS": "80"})
    from generator.outputs.xlsx import text_width  # cells, not code points: Thai marks above and below take none

    assert rules.exit_code == 0 and max(text_width(line.rstrip()) for line in rules.stdout.splitlines()) <= 80
