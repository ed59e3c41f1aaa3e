"""Every date a person sees in a workbook the tool writes shows in the Buddhist era, in Excel and in
LibreOffice: each workbook is converted by LibreOffice headless to PDF and its text read back."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from generator.samples.demo import DEMO_PERIOD, simulated_groups
from generator.outputs.district_template import write_district_workbook
from generator.outputs.feedback import write_feedback
from generator.figures.merge import merge_groups
from generator.outputs.render_excel import SHEETS, write_summary_workbook
from generator.core.rules import rule
from generator.core.schema import GROUPS
from generator.outputs.setup_template import write_setup_workbook
from generator.figures.summary import FileOutcome, summarise
from generator.outputs.xlsx import BE_DATE, NUMBER_FORMATS
from tests.tools import find, needs

FOUNDED = date(2000, 8, 7)  # a carried group's founding day: 7/8/2543 in BE
MADE_ON = date(2023, 9, 21)  # the summary's "ข้อมูล ณ วันที่": 21/9/2566


def _carried(setup):
    groups = simulated_groups(setup, "3601", DEMO_PERIOD).assign(group_code=None)
    groups.loc[groups.index[0], "founded_on"] = FOUNDED
    return groups


@pytest.fixture(scope="module")
def workbooks(setup, tmp_path_factory):
    folder = tmp_path_factory.mktemp("be")
    district = write_district_workbook(setup, DEMO_PERIOD, "3601", folder / "district.xlsx", _carried(setup))
    problem = rule("G_BORROWERS_GT_MEMBERS").problem(file="district.xlsx", sheet=GROUPS.sheet_th, cell="H6",
                                                     value=90, borrowers=90, members=80, district_code="3601")
    feedback = write_feedback(district, [problem], folder / "feedback.xlsx", "ผลการตรวจ")
    acc = {c: simulated_groups(setup, c, DEMO_PERIOD).assign(officer_id=None) for c in setup.district_codes}
    merged = merge_groups(setup, acc, {c: f"{c}.xlsx" for c in acc})
    files = [FileOutcome(f"{c}.xlsx", c, setup.district_name(c), "accepted", 0, 0) for c in acc]
    summary = summarise(setup, DEMO_PERIOD, merged, {c: "accepted" for c in acc}, files, [], MADE_ON)
    excel = write_summary_workbook(summary, folder / "summary.xlsx")
    setup_book = write_setup_workbook(folder / "setup.xlsx", setup)
    return {"district": district, "feedback": feedback, "summary": excel, "setup": setup_book}


def test_every_date_cell_has_the_thai_calendar_format(workbooks):
    assert NUMBER_FORMATS["date"] == BE_DATE == "[$-107041E]d/m/yyyy"
    for name, path in workbooks.items():
        dated = [c for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row
                 if isinstance(c.value, date)]
        assert dated, name
        assert {c.number_format for c in dated} == {BE_DATE}, name


def test_a_be_year_typed_on_a_pc_without_the_thai_calendar_passes_excels_own_check(workbooks):
    """15/3/2566 typed where the calendar is not Thai is stored as the year 2566 CE: the founding
    date's validation must let it through (the tool reads it as BE and its own rules judge it)."""
    ws = load_workbook(workbooks["district"])[GROUPS.sheet_th]
    letter = chr(ord("A") + GROUPS.keys.index("founded_on"))
    dv = next(v for v in ws.data_validations.dataValidation if letter in str(v.sqref).split(":")[0])
    upper = re.fullmatch(r"DATE\((\d+),(\d+),(\d+)\)", dv.formula2)
    assert upper and int(upper[1]) >= DEMO_PERIOD.year + 543
    assert "พ.ศ." in dv.error and "15/3/2566" in dv.prompt


def _pdf_text(path, tmp_path) -> str:
    profile = (tmp_path / "lo-profile").as_uri()
    done = subprocess.run([find("soffice"), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=240)
    pdf = tmp_path / (path.stem + ".pdf")
    assert done.returncode == 0 and pdf.is_file(), done.stdout + done.stderr
    return subprocess.run([find("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@needs("soffice", "pdftotext")
@pytest.mark.parametrize("name, be, ce", [
    ("district", "7/8/2543", "7/8/2000"),  # a carried group's founding date
    ("feedback", "7/8/2543", "7/8/2000"),  # the same row in the copy sent back
    ("summary", "21/9/2566", "21/9/2023"),  # ข้อมูล ณ วันที่
    ("setup", "20/1/2566", "20/1/2023"),  # the first day of phase 1
])
def test_libreoffice_prints_the_dates_in_the_buddhist_era(workbooks, tmp_path, name, be, ce):
    text = _pdf_text(workbooks[name], tmp_path)
    assert be in text
    assert ce not in text


def test_date_options_take_the_buddhist_era_like_the_period():
    """`--made-on 2566-08-20` once printed "ข้อมูล ณ วันที่ 20 สิงหาคม 3109"."""
    from generator.core.periods import PeriodError, parse_day, thai_date

    for text in ("2566-08-20", "2023-08-20", "20/8/2566", "20/08/2023", " 2566-8-20 "):
        assert parse_day(text) == date(2023, 8, 20), text
    assert thai_date(parse_day("2566-08-20")) == "20 สิงหาคม 2566"
    for bad in ("2566-02-30", "20-8-2566", "3109-08-20", "x", ""):
        with pytest.raises(PeriodError):
            parse_day(bad)


def test_the_run_command_says_how_to_type_a_date(setup_path, tmp_path):
    from typer.testing import CliRunner

    from generator.cli import app

    r = CliRunner().invoke(app, ["run", "--setup", str(setup_path), "--period", "2566-08", "--inbox",
                                 str(tmp_path), "--out", str(tmp_path / "out"), "--made-on", "2566-02-30"])
    assert r.exit_code == 2 and "2566-08-20 (พ.ศ.)" in r.output
