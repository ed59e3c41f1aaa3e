"""The PDF for managers: real renders read back with poppler and pypdf, no mocks."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.audit import assert_report_true
from tests.tools import needs

from generator.samples.demo import DEMO_PERIOD, chaiyaphum_setup, simulated_groups
from generator.figures.merge import merge_groups
from generator.outputs.render_excel import write_summary_workbook
from generator.outputs.render_pdf import render_html, write_pdf
from generator.outputs.pdf_engine import AssetFetcher, font_dir, html_to_pdf
from generator.core.rules import rule
from generator.figures.summary import FileOutcome, summarise

EVIL_NAME = '<img src="file:///etc/passwd"></td></tr></table>'
FORMULA_NAME = '=HYPERLINK("http://example.com","x")'
REJECTED_FILE = "3609_เทพสถิต.xlsx"
N_REJECTED_PROBLEMS = 45

needs_poppler = needs("pdftotext", "pdffonts")


def build_summary(setup=None):
    """The demo province in August 2566: 14 districts accepted, เทพสถิต rejected, ภักดีชุมพล missing.

    Two groups of เมืองชัยภูมิ founded in the month carry hostile names (HTML, a formula)."""
    s = setup or chaiyaphum_setup()
    acc = {c: simulated_groups(s, c, DEMO_PERIOD).assign(officer_id=None)
           for c in s.district_codes if c not in ("3614", "3609")}
    g = acc["3601"]
    in_month = g.index[g["founded_on"].map(lambda d: d >= DEMO_PERIOD.first_day)]
    assert len(in_month) >= 2, "the demo should found groups in เมืองชัยภูมิ in August"
    g.loc[in_month[0], "group_name"] = EVIL_NAME
    g.loc[in_month[1], "group_name"] = FORMULA_NAME
    merged = merge_groups(s, acc)
    reports = {c: "accepted" for c in acc} | {"3609": "rejected"}
    problems = [rule("G_BORROWERS_GT_MEMBERS").problem(
        file=REJECTED_FILE, sheet="กลุ่มออมทรัพย์", cell=f"H{7 + i}", value=90 + i, borrowers=90 + i, members=80,
        district_code="3609") for i in range(N_REJECTED_PROBLEMS)]
    problems.append(rule("G_OFFICER_UNKNOWN").problem(
        file="3601.xlsx", sheet="กลุ่มออมทรัพย์", cell="J9", value="<b>นายสมชาย</b>", officer="<b>นายสมชาย</b>",
        district_code="3601"))
    files = [FileOutcome(f"{c}.xlsx", c, s.district_name(c), "accepted", 0, int(c == "3601")) for c in acc]
    files.append(FileOutcome(REJECTED_FILE, "3609", "เทพสถิต", "rejected", N_REJECTED_PROBLEMS, 0,
                             problems[0].message_th, problems[0].message_en))
    summary = summarise(s, DEMO_PERIOD, merged, reports, files, problems, date(2023, 9, 21))
    assert_report_true(summary)
    return summary


def pdftotext(path: Path, layout: bool = True) -> str:
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def loose(text: str) -> str:
    """Whitespace and the marks a broken Thai text layer gets wrong (สระอำ, nikhahit, tone marks) removed."""
    return re.sub(r"[\s\u0e33\u0e32\u0e4d\u0e48-\u0e4b]", "", text)


@pytest.fixture(scope="module")
def summary():
    return build_summary()


@pytest.fixture(scope="module")
def rendered(summary, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    excel = write_summary_workbook(summary, folder / "summary_36_2566-08.xlsx")
    fetcher = AssetFetcher()
    pdf = write_pdf(summary, folder / "report_36_2566-08.pdf", attachments=[excel], url_fetcher=fetcher)
    return {"pdf": pdf, "excel": excel, "fetcher": fetcher, "folder": folder}


@needs_poppler
def test_text_answers_are_we_on_target(summary, rendered):
    text = pdftotext(rendered["pdf"])
    assert "ชัยภูมิ" in text
    assert "สิงหาคม 2566" in text
    assert re.search(r"หน้า 1 / \d+", text)
    # Targets from the seeds, and founded / target with the percentage formatted here, independently.
    assert [p.target for p in summary.phases] == [71, 58] and summary.year.target == 129
    for p in (*summary.phases, summary.year):
        assert re.search(rf"\b{p.founded}\s*/\s*{p.target}\b", text), (p.founded, p.target)
        assert f"{100 * p.founded / p.target:.2f}" in text
        assert f"เป้าหมาย {p.target} กลุ่ม" in text or f"({p.target} กลุ่ม)" in text
    assert f"{summary.total.members:,}" in text
    assert f"{summary.total.savings_baht:,.2f}" in text
    flat = loose(text)
    for d in summary.districts:
        assert loose(d.district_name) in flat, d.district_name


@needs_poppler
def test_page_one_holds_the_headline(summary, rendered):
    first = pdftotext(rendered["pdf"]).split("\f")[0]
    year = summary.year
    assert f"{100 * year.founded / year.target:.2f}" in first
    # the year's status in words, not only in colour: August 31 ends phase 2, so the year is final
    assert year.status == "not_reached" and "ไม่บรรลุเป้าหมาย" in first and "ต่ำกว่าแผน" not in first
    assert "ภักดีชุมพล" in first and "เทพสถิต" in first  # who did not report
    assert "ร้อยละ 87.50" in first  # 14 of 16 districts reported


@needs_poppler
def test_every_page_has_header_and_footer(rendered):
    pages = [p for p in pdftotext(rendered["pdf"]).split("\f") if p.strip()]
    assert len(pages) >= 5
    for n, page in enumerate(pages, start=1):
        assert loose("สำนักงานพัฒนาชุมชนจังหวัดชัยภูมิ") in loose(page)
        assert f"หน้า {n} / {len(pages)}" in page
        assert "สิงหาคม 2566" in page


@needs_poppler
def test_only_sarabun_embedded(rendered):
    out = subprocess.run(["pdffonts", str(rendered["pdf"])], check=True, capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert "+Sarabun" in name, row
        assert emb == "yes", row


def test_metadata_attachment_and_outline(summary, rendered):
    from pypdf import PdfReader

    reader = PdfReader(rendered["pdf"])
    title = reader.metadata.title
    assert "ชัยภูมิ" in title and "สิงหาคม 2566" in title
    assert reader.trailer["/Root"]["/Lang"] == "th"
    attachments = reader.attachments
    assert list(attachments) == [rendered["excel"].name]
    assert attachments[rendered["excel"].name][0] == rendered["excel"].read_bytes()
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert len(outline) >= 7 and outline[0].startswith("1.")
    assert len(reader.pages) >= 5


@needs_poppler
def test_problem_list_is_capped(rendered):
    text = pdftotext(rendered["pdf"])
    assert f"และอีก {N_REJECTED_PROBLEMS - 40} รายการ" in text
    assert "H46" in text and "H47" not in text  # rows 1..40 shown (cells H7..H46)


@needs_poppler
def test_html_in_data_is_printed_as_text_and_nothing_is_fetched(summary, rendered):
    html = render_html(summary)
    assert EVIL_NAME not in html and "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "<b>นายสมชาย</b>" not in html
    text = pdftotext(rendered["pdf"], layout=False)
    # A long name wraps in its cell, and the cell beside it may come between the lines.
    assert '<img src="file:///etc/' in text and 'passwd"></td></tr></table>' in text
    assert '=HYPERLINK("http://' in text
    fetcher = rendered["fetcher"]
    assert fetcher.refused == [] and fetcher.served == []  # fonts come from the per-process stylesheet


def test_fetcher_serves_only_the_fonts():
    fetcher = AssetFetcher()
    regular = (font_dir() / "Sarabun-Regular.ttf").as_uri()
    response = fetcher.fetch(regular)
    assert response.read()[:4] in (b"\x00\x01\x00\x00", b"true")
    refused = [
        "file:///etc/passwd",
        (font_dir() / ".." / ".." / ".." / "etc" / "passwd").as_uri(),
        (font_dir() / "Sarabun-Italic.ttf").as_uri(),
        "http://127.0.0.1:9/font.ttf",
        "https://example.com/x.css",
        "data:text/plain,hello",
        "ftp://example.com/x",
        regular + "?x=1",
        "file://otherhost" + (font_dir() / "Sarabun-Regular.ttf").as_posix(),
    ]
    for url in refused:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.refused == refused


def test_fetcher_is_what_weasyprint_uses(tmp_path):
    """Raw HTML asking for local files and the network gets nothing: no image, no attachment."""
    from pypdf import PdfReader

    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    fetcher = AssetFetcher()
    html = (f'<html><head><link rel="attachment" href="{secret.as_uri()}">'
            f'<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
            f'<body><p>ทดสอบ</p><img src="file:///etc/passwd"><a rel="attachment" href="{secret.as_uri()}">x</a>'
            f'<img src="data:image/png;base64,iVBORw0KGgo="></body></html>')
    data = html_to_pdf(html, url_fetcher=fetcher)
    out = tmp_path / "raw.pdf"
    out.write_bytes(data)
    assert b"top secret" not in data
    assert PdfReader(out).attachments == {}
    assert secret.as_uri() in fetcher.refused
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://127.0.0.1:9/x.css" in fetcher.refused
    assert any(u.startswith("data:") for u in fetcher.refused)


def test_write_is_atomic_and_english_renders(summary, tmp_path):
    target = tmp_path / "out" / "report_en.pdf"
    path = write_pdf(summary, target, lang="en")
    assert path == target and target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in target.parent.iterdir()] == ["report_en.pdf"]
    assert "Progress by district" in render_html(summary, lang="en")
    with pytest.raises(ValueError):
        render_html(summary, lang="fr")


@needs_poppler
def test_a_month_with_no_reports(tmp_path):
    s = chaiyaphum_setup()
    empty = summarise(s, DEMO_PERIOD, merge_groups(s, {}), {}, [], [], date(2023, 9, 21))
    path = write_pdf(empty, tmp_path / "empty.pdf")
    text = pdftotext(path)
    assert "ไม่มีกลุ่มที่จัดตั้งในเดือนนี้" in text
    assert "ไม่พบปัญหาในไฟล์ที่ได้รับ" in text
    assert "0 / 129" in text


# --- charts, the reporting grid, the district page ------------------------------------------

def test_progress_chart_is_drawn_from_the_figures():
    import pandas as pd

    from generator.figures.charts import nice_scale, progress_chart, series
    from generator.core.periods import Period, fiscal_year_months

    frame = pd.DataFrame({"scope": "36", "month": ["2022-10", "2022-11", "2022-12"], "month_th": "",
                          "founded": [0, 3, 7], "target_path": [0.0, 2.5, 5.0], "target": [0, 10, 10]})
    months = fiscal_year_months(2566)
    assert months[0] == Period(2022, 10)
    assert len(months) == 12 and months[-1] == Period(2023, 9)
    svg = progress_chart(series(frame, "36"), months,
                         labels={"founded": "จัดตั้ง <สะสม>", "path": "แผน", "target": "เป้าหมาย"})
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    lines = re.findall(r'<polyline points="([^"]+)"', svg)
    # founded (3 points), plan (3 points), target as steps (5 points), and three legend samples
    assert sorted(len(p.split()) for p in lines[:3]) == [3, 3, 5]
    assert "จัดตั้ง &lt;สะสม&gt;" in svg and "<สะสม>" not in svg  # text is escaped
    assert 'stroke-dasharray="6 3"' in svg  # the plan is dashed: it reads in black and white
    assert "เป้าหมาย 10" in svg and ">7<" in svg  # latest figure written at the line's end
    assert "ต.ค." in svg and "ก.ย." in svg and "2566" in svg  # the whole fiscal year, Thai months, BE
    assert nice_scale(129) == (150, 25) and nice_scale(7) == (8, 2) and nice_scale(0) == (1, 1)
    no_data = progress_chart(series(frame, "36"), months, labels={"founded": "", "path": "", "target": ""},
                             small=True, no_data="ยังไม่ส่งรายงาน")
    # a district without an accepted report: no founded line (unknown is not zero), the words instead
    assert "ยังไม่ส่งรายงาน" in no_data and 'stroke="#1f4e79"' not in no_data and 'stroke="#1f4e79"' in svg


@needs_poppler
def test_reporting_grid_shows_every_month_of_the_history(tmp_path):
    """With earlier months from the history store, the grid has a column per month and counts."""
    import pandas as pd

    s = chaiyaphum_setup()
    acc = {c: simulated_groups(s, c, DEMO_PERIOD) for c in s.district_codes if c != "3614"}
    files = [FileOutcome(f"{c}.xlsx", c, s.district_name(c), "accepted", 0, 0, received_on=date(2023, 8, 18))
             for c in acc]
    past = pd.DataFrame([{"district_code": c, "district_name": s.district_name(c), "month": m,
                          "status": "late" if (c, m) == ("3601", "2023-07") else "on_time"}
                         for m in ("2023-06", "2023-07") for c in s.district_codes])
    summary = summarise(s, DEMO_PERIOD, merge_groups(s, acc), {c: "accepted" for c in acc}, files, [],
                        date(2023, 8, 21), past_reporting=past)
    html = render_html(summary)
    # one of each in the legend, then the cells: 3601 late in July, 3614 missing in August
    assert html.count('class="mark m-late"') == 2 and html.count('class="mark m-missing"') == 2
    text = pdftotext(write_pdf(summary, tmp_path / "grid.pdf"))
    grid = text[text.index("การส่งรายงานรายเดือน"):]
    assert re.search(r"มิ\.ย\. 66\s+ก\.ค\. 66\s+ส\.ค\. 66", grid)
    assert re.search(r"เมืองชัยภูมิ\s+ส่งภายในกำหนด\s+ส่งเกินกำหนด\s+ส่งภายในกำหนด\s+2/3", grid)  # on time / sent
    assert re.search(r"ภักดีชุมพล\s+ส่งภายในกำหนด\s+ส่งภายในกำหนด\s+ยังไม่ส่งรายงาน\s+2/2", grid)
    # on time per month: all in June, 3601 late in July, 3614 missing in August; 46 of 48 in the year
    assert re.search(r"16/16\s+15/16\s+15/16\s+95\.83", grid)


@needs_poppler
def test_district_page_is_one_page_with_rank_and_own_targets(summary, tmp_path):
    from pypdf import PdfReader

    from generator.figures.standing import district_ranks
    from generator.outputs.render_pdf import write_district_pdf

    order = district_ranks(summary)
    assert sorted(set(order.values()))[0] == 1 and "3609" not in order and "3614" not in order
    best = min(order, key=order.get)
    top = next(d for d in summary.districts if d.district_code == best)
    assert all(top.year.percent >= d.year.percent for d in summary.reported)
    for code in ("3601", "3614"):
        path = write_district_pdf(summary, code, tmp_path / f"{code}.pdf")
        assert len(PdfReader(path).pages) == 1
        text = pdftotext(path)
        d = next(x for x in summary.districts if x.district_code == code)
        assert d.district_name in text and "หน้า 1 / 1" in text
        if code == "3601":
            assert f"{order['3601']} / {len(order)}" in text
            assert f"{d.year.founded} / {d.year.target}" in text
        else:  # no report: its figures are unknown, not zero, and it is not ranked
            assert "ไม่จัดอันดับ" in text and f"– / {d.year.target}" in text and "ยังไม่ส่งรายงาน" in text
    with pytest.raises(ValueError):
        write_district_pdf(summary, "9999", tmp_path / "x.pdf")


@needs_poppler
def test_the_districts_small_charts_are_printed_nearly_as_large_as_the_provinces(rendered):
    """Read on a phone a page fits the screen's width: four small charts to a row printed their
    month names at three quarters of the province chart's size, too small to read there."""
    import re as _re

    chart_page = next(i for i in range(1, 8) if "ตัวเลขท้ายเส้น" in subprocess.run(
        ["pdftotext", "-f", str(i), "-l", str(i), str(rendered["pdf"]), "-"], capture_output=True, text=True).stdout)
    boxes = subprocess.run(["pdftotext", "-f", str(chart_page - 1), "-l", str(chart_page + 1), "-bbox",
                            str(rendered["pdf"]), "-"], capture_output=True, text=True).stdout
    heights = [float(b) - float(a) for a, b in _re.findall(
        r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">เม\.ย\.</word>', boxes)]
    province, districts = heights[0], heights[1:]  # the province's chart comes first
    assert len(districts) >= 10, heights
    assert min(districts) >= 0.9 * province, (province, sorted(set(districts)))


@needs_poppler
def test_thai_names_and_compound_words_are_never_broken_inside_at_a_line_end(summary, tmp_path):
    """Pango breaks Thai text between its dictionary's words: a file name in a narrow column came
    out as 2566-08_3609_เทพ|สถิต.xlsx, and ล่า|สุด, คำ|เตือน were seen in sentences."""
    from dataclasses import replace

    from generator.core.texts import WHOLE_WORDS

    named = "2566-08_3609_เทพสถิต.xlsx"  # as the district workbooks are named
    summary = replace(summary, files=[replace(f, file=named) if f.file == REJECTED_FILE else f for f in summary.files],
                      problems=[replace(p, file=named) if p.file == REJECTED_FILE else p for p in summary.problems])
    pdf = write_pdf(summary, tmp_path / "report.pdf")
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "2566-08_3609_" in raw  # the file is on the pages
    names = {d.district_name for d in summary.districts} | set(WHOLE_WORDS)
    broken = sorted({f"{n[:k]}|{n[k:]}" for n in names for k in range(1, len(n)) if f"{n[:k]}\n{n[k:]}" in raw})
    assert not broken, broken
    assert "<span" not in raw and "&lt;span" not in raw
