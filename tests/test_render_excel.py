"""The Excel summary: written with openpyxl, read back with openpyxl, no mocks."""

from __future__ import annotations

from datetime import date

import pytest

from tests.tools import needs
from openpyxl import load_workbook

from generator.samples.demo import DEMO_PERIOD, chaiyaphum_setup, simulated_groups
from generator.figures.merge import merge_groups
from generator.outputs.render_excel import SHEETS, write_summary_workbook
from generator.core.rules import rule
from generator.figures.summary import FileOutcome, summarise

FORMULA_NAME = '=HYPERLINK("http://example.com","x")'


@pytest.fixture(scope="module")
def summary():
    s = chaiyaphum_setup()
    acc = {c: simulated_groups(s, c, DEMO_PERIOD).assign(officer_id=None)
           for c in s.district_codes if c not in ("3614", "3609")}
    acc["3601"].loc[acc["3601"].index[0], "group_name"] = FORMULA_NAME
    merged = merge_groups(s, acc, {c: f"{c}.xlsx" for c in acc})
    problems = [rule("G_BORROWERS_GT_MEMBERS").problem(file="3609.xlsx", sheet="กลุ่มออมทรัพย์", cell="H7",
                                                       value=90, borrowers=90, members=80, district_code="3609"),
                rule("G_OFFICER_UNKNOWN").problem(file="3601.xlsx", sheet="กลุ่มออมทรัพย์", cell="J9",
                                                  value="=1+1", officer="=1+1", district_code="3601")]
    files = [FileOutcome(f"{c}.xlsx", c, s.district_name(c), "accepted", 0, int(c == "3601")) for c in acc]
    files += [FileOutcome("3609.xlsx", "3609", "เทพสถิต", "rejected", 1, 0, problems[0].message_th),
              FileOutcome("unknown.xlsx", None, None, "rejected", 1, 0, "ไม่ใช่แบบรายงาน")]
    reports = {c: "accepted" for c in acc} | {"3609": "rejected"}
    return summarise(s, DEMO_PERIOD, merged, reports, files, problems, date(2023, 9, 21))


@pytest.fixture(scope="module")
def workbook(summary, tmp_path_factory):
    path = write_summary_workbook(summary, tmp_path_factory.mktemp("xlsx") / "summary.xlsx")
    return load_workbook(path)


def rows(ws, first: int = 2):
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=first, values_only=True)]


def test_sheets_and_tables(workbook):
    assert workbook.sheetnames == list(SHEETS.values())
    names = []
    for key, title in SHEETS.items():
        ws = workbook[title]
        assert list(ws.tables) == [key]
        assert ws.tables[key].ref.startswith("A1:")
        assert ws.freeze_panes == "A2"
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert all(isinstance(c.value, str) and c.value for c in ws[1])  # Thai headers
        names += list(ws.tables)
    assert len(set(names)) == len(names) and all(n.isascii() for n in names)


def test_district_rows_and_total(summary, workbook):
    ws = workbook[SHEETS["districts"]]
    table_rows = rows(ws)
    total = table_rows[-1]
    districts = table_rows[:-1]
    assert [r["รหัสอำเภอ"] for r in districts] == [d.district_code for d in summary.districts]
    assert ws.tables["districts"].ref.endswith(str(1 + len(summary.districts)))  # total row outside the table
    assert total["อำเภอ"] == summary.total.district_name
    assert total["ทั้งปี เป้าหมาย (กลุ่ม)"] == 129
    assert total["ทั้งปี จัดตั้งแล้ว (กลุ่ม)"] == summary.year.founded
    assert total["สมาชิก (คน)"] == summary.total.members
    assert total["เงินสัจจะสะสม (บาท)"] == pytest.approx(summary.total.savings_baht)
    assert total["จำนวนเงินกู้ (บาท)"] == pytest.approx(summary.total.loans_baht)
    # The rows add up to the total (districts without an accepted report have no figures).
    assert sum(r["สมาชิก (คน)"] or 0 for r in districts) == summary.total.members
    assert sum(r["ระยะที่ 1 จัดตั้งแล้ว (กลุ่ม)"] or 0 for r in districts) == summary.phases[0].founded
    missing = next(r for r in districts if r["รหัสอำเภอ"] == "3614")
    assert missing["สมาชิก (คน)"] is None and missing["สถานะเทียบเป้าหมาย"] == "ไม่มีข้อมูล"
    savings_col = [c.value for c in ws[1]].index("เงินสัจจะสะสม (บาท)") + 1
    assert ws.cell(row=2, column=savings_col).number_format == "#,##0.00"
    assert ws.cell(row=2, column=1).data_type == "s"  # codes stay text


def test_summary_sheet_key_figures(summary, workbook):
    figures = {r["รายการ"]: r["ค่า"] for r in rows(workbook[SHEETS["summary"]])}
    assert figures["จังหวัด"] == "ชัยภูมิ"
    assert figures["ระยะที่ 1: เป้าหมาย"] == 71
    assert figures["ระยะที่ 2: เป้าหมาย"] == 58
    assert figures["ทั้งปี: เป้าหมาย"] == 129
    assert figures["ทั้งปี: ร้อยละของเป้าหมาย"] == pytest.approx(round(100 * summary.year.founded / 129, 2))
    assert figures["อำเภอที่ส่งรายงานและผ่านการตรวจสอบ"] == 14
    assert figures["ข้อมูล ณ วันที่ (สิ้นเดือนที่รายงาน)"].date() == date(2023, 8, 31)  # the month, to its last day
    assert figures["จัดทำเมื่อ"].date() == date(2023, 9, 21)


def test_groups_sheet_keeps_text_as_text(summary, workbook):
    ws = workbook[SHEETS["groups"]]
    data = rows(ws)
    assert len(data) == len(summary.groups)
    assert sum(r["จำนวนสมาชิก (คน)"] for r in data) == int(summary.groups["members"].sum())
    name_col = [c.value for c in ws[1]].index("ชื่อกลุ่ม") + 1
    cells = [ws.cell(row=i, column=name_col) for i in range(2, ws.max_row + 1)]
    hostile = [c for c in cells if c.value == FORMULA_NAME]
    assert len(hostile) == 1 and hostile[0].data_type == "s"
    date_col = [c.value for c in ws[1]].index("วันที่จัดตั้ง") + 1
    assert ws.cell(row=2, column=date_col).number_format == "[$-107041E]d/m/yyyy"  # BE
    assert {r["ไฟล์ที่มา"] for r in data} == {f"{c}.xlsx" for c in summary.groups["district_code"].unique()}


def test_officers_completeness_and_problems(summary, workbook):
    officers = rows(workbook[SHEETS["officers"]])
    assert officers[-1]["พัฒนากรทั้งหมด (คน)"] == summary.total.officers
    assert sum(r["พัฒนากรทั้งหมด (คน)"] for r in officers[:-1]) == summary.total.officers

    completeness = rows(workbook[SHEETS["completeness"]])
    by_code = {r["รหัสอำเภอ"]: r for r in completeness}
    assert by_code["3614"]["สถานะรายงานของอำเภอ"] == "ยังไม่ส่งรายงาน" and by_code["3614"]["ไฟล์"] is None
    assert by_code["3609"]["ข้อผิดพลาดแรกที่พบ"] == summary.problems[0].message_th
    assert any(r["ไฟล์"] == "unknown.xlsx" for r in completeness)

    ws = workbook[SHEETS["problems"]]
    problems = rows(ws)
    assert len(problems) == len(summary.problems)
    assert problems[0]["เซลล์"] == "H7" and problems[0]["ระดับ"] == "ข้อผิดพลาด"
    value_col = [c.value for c in ws[1]].index("ค่าที่พบ") + 1
    assert ws.cell(row=3, column=value_col).value == "=1+1"
    assert ws.cell(row=3, column=value_col).data_type == "s"


def test_empty_month(tmp_path):
    s = chaiyaphum_setup()
    empty = summarise(s, DEMO_PERIOD, merge_groups(s, {}), {}, [], [], date(2023, 9, 21))
    wb = load_workbook(write_summary_workbook(empty, tmp_path / "empty.xlsx"))
    assert wb.sheetnames == list(SHEETS.values())
    assert wb[SHEETS["groups"]].tables["groups"].ref == "A1:T2"  # the last column: the month a carried group is of


def test_progress_sheet_and_native_charts(summary, workbook, tmp_path):
    """The province month by month from progress_by_month, and two native charts reading the sheets."""
    import re
    import zipfile

    progress = rows(workbook[SHEETS["progress"]])
    frame = summary.progress_by_month
    province = frame[frame["scope"] == summary.province_code].sort_values("month")
    assert [r["เดือน (ค.ศ.)"] for r in progress] == list(province["month"])
    assert [r["จัดตั้งสะสม (กลุ่ม)"] for r in progress] == [int(v) for v in province["founded"]]
    assert progress[-1]["เดือน"] == "ส.ค. 66"
    assert progress[-1]["จัดตั้งสะสม (กลุ่ม)"] == summary.year.founded
    assert progress[-1]["เป้าหมายของระยะที่เริ่มแล้ว (กลุ่ม)"] == 129

    by_district = rows(workbook[SHEETS["progress_districts"]])
    assert len(by_district) == len(summary.districts) * len(province)
    last = {r["รหัสอำเภอ"]: r for r in by_district if r["เดือน (ค.ศ.)"] == "2023-08"}
    for d in summary.districts:
        expected = d.year.founded if d.report == "accepted" else None
        assert last[d.district_code]["จัดตั้งสะสม (กลุ่ม)"] == expected, d.district_code

    path = tmp_path / "charts.xlsx"
    write_summary_workbook(summary, path)
    with zipfile.ZipFile(path) as z:
        charts = {n: z.read(n).decode("utf-8") for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)}
        drawings = [n for n in z.namelist() if n.startswith("xl/drawings/_rels/")]
    def kind(xml: str) -> str:
        return next((k for k in ("line", "bar") if re.search(rf"<(c:)?{k}Chart>", xml)), "?")

    assert sorted(kind(x) for x in charts.values()) == ["bar", "line"]
    line = next(x for x in charts.values() if kind(x) == "line")
    n = len(province)
    assert f"'{SHEETS['progress']}'!$C$2:$C${1 + n}" in line
    assert 'prstDash val="dash"' in line  # the plan is dashed, not only another colour
    assert re.search(rf"<(c:)?strRef><(c:)?f>'{SHEETS['progress']}'!\$A\$2:\$A\${1 + n}<", line)
    bar = next(x for x in charts.values() if kind(x) == "bar")
    assert f"'{SHEETS['districts']}'!$B$2:$B${1 + len(summary.districts)}" in bar
    assert len(drawings) == 1  # both charts sit on one sheet


def test_reporting_grid_sheet(summary, workbook):
    grid = rows(workbook[SHEETS["reporting"]])
    assert [r["รหัสอำเภอ"] for r in grid[:-1]] == [d.district_code for d in summary.districts]
    by_code = {r["รหัสอำเภอ"]: r for r in grid[:-1]}
    assert by_code["3614"]["ส.ค. 66"] == "ยังไม่ส่งรายงาน" and by_code["3614"]["ยังไม่ส่งรายงาน (ครั้ง)"] == 1
    assert by_code["3609"]["ส.ค. 66"] == "ไม่ผ่านการตรวจสอบ"
    this_month = summary.reporting[summary.reporting["month"] == "2023-08"].set_index("district_code")["status"]
    words = {"on_time": "ส่งภายในกำหนด", "late": "ส่งเกินกำหนด", "rejected": "ไม่ผ่านการตรวจสอบ",
             "missing": "ยังไม่ส่งรายงาน"}
    assert {c: r["ส.ค. 66"] for c, r in by_code.items()} == {c: words[s] for c, s in this_month.items()}
    assert grid[-1]["อำเภอ"] == "รวม" and grid[-1]["ยังไม่ส่งรายงาน (ครั้ง)"] == 1


def test_summary_sheet_reporting_rates_and_fitted_widths(summary, workbook):
    figures = {r["รายการ"]: r["ค่า"] for r in rows(workbook[SHEETS["summary"]])}
    assert figures["อัตราการส่งรายงานภายในกำหนด (ร้อยละ)"] == summary.on_time_rate
    # the villages of the 14 districts whose groups are known, over which the groups are counted
    v = chaiyaphum_setup().villages
    assert figures["หมู่บ้านทั้งหมด"] == int((~v["district_code"].isin(["3609", "3614"])).sum()) < len(v)
    assert figures["อำเภอที่มีข้อมูลกลุ่ม (ขอบเขตของจำนวนกลุ่ม หมู่บ้านทั้งหมด สมาชิก และเงิน)"] == 14
    ws = workbook[SHEETS["districts"]]
    header = [c.value for c in ws[1]]
    savings = ws.column_dimensions[chr(ord("A") + header.index("เงินสัจจะสะสม (บาท)"))].width
    assert savings >= len(f"{summary.total.savings_baht:,.2f}")  # never shown as ###
    code = ws.column_dimensions["A"].width
    assert 8 <= code < savings


@needs("soffice")
def test_opens_in_libreoffice(summary, tmp_path):
    """LibreOffice converts the workbook headless without an error: it opens cleanly."""
    import subprocess

    from pypdf import PdfReader

    path = write_summary_workbook(summary, tmp_path / "summary.xlsx")
    profile = (tmp_path / "lo-profile").as_uri()
    done = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "summary.pdf"
    assert pdf.is_file(), done.stdout + done.stderr
    assert len(PdfReader(pdf).pages) >= len(SHEETS)


def test_every_body_cell_has_its_columns_style_not_only_the_first_row(summary, workbook):
    """Styles are copied from the first cell of each column (xlsx.SameStyle): every row must still
    carry the body font and its column's number format, and a date shows in the Buddhist era even
    in a column whose first row held none."""
    from generator.outputs.xlsx import BE_DATE

    for ws in workbook.worksheets:
        # Tables only, where a column holds one kind (the summary sheet formats each row itself).
        if ws.sheet_state == "hidden" or ws.max_row < 3 or not ws.tables or "summary" in ws.tables:
            continue
        header = [c.value for c in ws[1]]
        for col in range(1, len(header) + 1):
            formats = {ws.cell(row=r, column=col).number_format for r in range(2, ws.max_row)
                       if ws.cell(row=r, column=col).value is not None and not ws.cell(row=r, column=col).is_date}
            assert len(formats) <= 1, (ws.title, header[col - 1], formats)
            for r in range(2, ws.max_row):
                cell = ws.cell(row=r, column=col)
                if cell.value is None:
                    continue
                assert cell.font.name == "TH Sarabun New" and cell.font.sz == 14, (ws.title, cell.coordinate)
                if cell.is_date:
                    assert cell.number_format == BE_DATE, (ws.title, cell.coordinate, cell.number_format)
