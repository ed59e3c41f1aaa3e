"""Figures from real reports, printed by the tool from returns that add up to them.

Chiang Rai, August 2565 (tests/chiang_rai.py) and the Chaiyaphum demo, FY 2566, each run end to
end through the real workbooks; the PDF is read back with poppler and pypdf, the Excel summary with
openpyxl. Expected figures are the seeds' own words, written out here, not computed by the tool.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from openpyxl import load_workbook

from tests import chiang_rai
from tests.audit import assert_report_true
from tests.test_render_pdf import loose, needs_poppler, pdftotext


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def said(phrase: str, text: str) -> bool:
    """The phrase is in the text, wherever a line happened to break (Thai has no spaces between
    words, so a line break inside a phrase reads back as a space that was never written)."""
    return re.sub(r"\s+", "", phrase) in re.sub(r"\s+", "", text)


def fonts(path) -> list[str]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [row.split()[0] for row in out.splitlines()[2:]]


@pytest.fixture(scope="module")
def chiang(tmp_path_factory):
    return chiang_rai.build(tmp_path_factory.mktemp("chiang_rai"), district_reports=("5701", "5706"))


@pytest.fixture(scope="module")
def chaiyaphum(tmp_path_factory):
    from generator.samples.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("demo"))


@needs_poppler
def test_chiang_rai_prints_the_provincial_offices_figures(chiang):
    pdf = chiang.outputs["pdf"]
    text = flat(pdftotext(pdf, layout=False))
    # "ปัจจุบัน จังหวัดเชียงราย มีกลุ่มออมทรัพย์เพื่อการผลิต จำนวน 395 กลุ่ม จากหมู่บ้านทั้งหมด 1,763 หมู่บ้าน
    #  คิดเป็นร้อยละ 22.40 สมาชิก 64,511 คน มีเงินสัจจะสะสม จำนวน 789,002,813 บาท มีสมาชิกกู้ยืม จำนวน 28,149 ราย
    #  เป็นเงิน 613,971,726 บาท"
    for phrase in ("จำนวน 395 กลุ่ม ใน 395 หมู่บ้าน จากหมู่บ้านทั้งหมด 1,763 หมู่บ้าน คิดเป็นร้อยละ 22.40",
                   "สมาชิก 64,511 คน", "มีเงินสัจจะสะสม จำนวน 789,002,813 บาท", "มีสมาชิกกู้ยืม จำนวน 28,149 ราย",
                   "เป็นเงิน 613,971,726 บาท",
                   # "1 พัฒนากร 1 กลุ่ม ... จำนวน 67 กลุ่ม โดยมีการจัดตั้งแล้ว 45 กลุ่ม คิดเป็นร้อยละ 67.16"
                   "พัฒนากรทั้งหมด 67 คน", "45 คน คิดเป็นร้อยละ 67.16"):
        assert said(phrase, text), phrase
    assert re.search(r"45 / 67 คน\s+ร้อยละ 67\.16", text)  # the officers' tile
    # and in the tables: money with two decimals, the totals row
    layout = pdftotext(pdf)
    for figure in ("64,511", "789,002,813.00", "28,149", "613,971,726.00", "395"):
        assert figure in layout, figure
    first = pdftotext(pdf).split("\f")[0]
    assert "22.40" in first and "67.16" in first and "789,002,813" in first  # page one is the answer


@needs_poppler
def test_chiang_rai_every_district_and_page_number(chiang):
    pages = [p for p in pdftotext(chiang.outputs["pdf"]).split("\f") if p.strip()]
    for n, page in enumerate(pages, start=1):
        assert f"หน้า {n} / {len(pages)}" in page
        assert "สิงหาคม 2565" in page and loose("สำนักงานพัฒนาชุมชนจังหวัดเชียงราย") in loose(page)
    everything = "".join(pages)
    assert len(chiang_rai.DISTRICTS) == 18
    for _, name in chiang_rai.DISTRICTS:
        # in the district table, the savings table, the officers' table, the charts and the grid
        assert everything.count(name) >= 5, name
    assert fonts(chiang.outputs["pdf"]) and all("+Sarabun" in f for f in fonts(chiang.outputs["pdf"]))


def test_chiang_rai_metadata_attachment_and_bookmarks(chiang):
    from pypdf import PdfReader

    reader = PdfReader(chiang.outputs["pdf"])
    meta = reader.metadata
    assert "เชียงราย" in meta.title and "สิงหาคม 2565" in meta.title
    assert "จังหวัดเชียงราย" in meta.subject and "สิงหาคม 2565" in meta.subject
    assert meta.author == "สำนักงานพัฒนาชุมชนจังหวัดเชียงราย"
    assert reader.trailer["/Root"]["/Lang"] == "th"
    excel = chiang.outputs["excel"]
    assert reader.attachments == {excel.name: [excel.read_bytes()]}
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert [t.split(".")[0] for t in top[:7]] == [str(i) for i in range(1, 8)]
    assert top[-1].startswith("ภาคผนวก")
    assert any("ความก้าวหน้า" in t for t in top) and any("การส่งรายงาน" in t for t in top)
    # the charts are vector drawings: no picture anywhere in the file
    assert all(not page.images for page in reader.pages)


def test_chiang_rai_excel_summary_read_back(chiang):
    from generator.outputs.render_excel import SHEETS

    wb = load_workbook(chiang.outputs["excel"])
    figures = {r[0]: r[1] for r in wb[SHEETS["summary"]].iter_rows(min_row=2, values_only=True)}
    assert figures["จังหวัด"] == "เชียงราย"
    assert figures["กลุ่มที่ดำเนินการอยู่"] == 395
    assert figures["สมาชิก"] == 64511
    assert figures["เงินสัจจะสะสม"] == 789002813
    assert figures["สมาชิกกู้ยืม"] == 28149
    assert figures["จำนวนเงินกู้"] == 613971726
    assert figures["หมู่บ้านทั้งหมด"] == 1763
    assert figures["หมู่บ้านที่มีกลุ่มที่ดำเนินการอยู่ (ร้อยละของหมู่บ้านทั้งหมด)"] == 22.40
    assert figures["พัฒนากรทั้งหมด"] == 67 and figures["พัฒนากรที่จัดตั้งกลุ่มในปีนี้แล้ว"] == 45
    assert figures["พัฒนากรที่จัดตั้งกลุ่มในปีนี้แล้ว (ร้อยละ)"] == 67.16
    groups = list(wb[SHEETS["groups"]].iter_rows(min_row=2, values_only=True))
    assert len(groups) == 395
    header = [c.value for c in wb[SHEETS["groups"]][1]]
    assert sum(r[header.index("จำนวนสมาชิก (คน)")] for r in groups) == 64511
    districts = list(wb[SHEETS["districts"]].iter_rows(min_row=2, values_only=True))
    assert len(districts) == 19 and {r[1] for r in districts[:-1]} == {n for _, n in chiang_rai.DISTRICTS}


@needs_poppler
def test_chiang_rai_district_pages(chiang):
    from pypdf import PdfReader

    for code, name in (("5701", "เมืองเชียงราย"), ("5706", "ป่าแดด")):
        path = chiang.outputs[f"district:{code}"]
        assert path.name == f"report_{code}_2565-08.pdf" and path.parent.name == "districts"
        assert len(PdfReader(path).pages) == 1
        text = flat(pdftotext(path, layout=False))
        assert said(f"อำเภอ{name}", text) and "หน้า 1 / 1" in text
        d = next(x for x in chiang.summary.districts if x.district_code == code)
        assert said(f"{d.year.founded} / {d.year.target} กลุ่ม", text)
        assert re.search(r"\b\d{1,2} / 18 \(ตามร้อยละ", text)  # its rank among the 18
        assert all("+Sarabun" in f for f in fonts(path))


def check_demo_pdf(pdf) -> str:
    """What every demo PDF must say, wherever it was made (here, or by an installed wheel):
    655 กข.คจ. villages of which 405 had a group; targets 71 (phase 1), 58 (phase 2), 129 in all;
    Sarabun embedded; every page numbered. Returns the text, for further checks."""
    first = flat(pdftotext(pdf).split("\f")[0])
    assert "405 / 655" in first and "ร้อยละ 61.83" in first
    assert re.search(r"\d+ / 71 กลุ่ม", first) and re.search(r"\d+ / 58 กลุ่ม", first)
    assert re.search(r"\d+ / 129 กลุ่ม", first)
    text = flat(pdftotext(pdf, layout=False))
    # as the department's posts put it: "จำนวน … กลุ่ม จากเป้าหมาย … กลุ่ม คิดเป็นร้อยละ …"
    assert said("ในปีงบประมาณ พ.ศ. 2566 จังหวัดชัยภูมิ จัดตั้งกลุ่มออมทรัพย์เพื่อการผลิต"
                "ในหมู่บ้านโครงการแก้ไขปัญหาความยากจน (กข.คจ.) แล้ว จำนวน", text)
    assert re.search(r"แล้วจำนวน\d+กลุ่มจากเป้าหมาย129กลุ่มคิดเป็นร้อยละ\d+\.\d\dภาพรวม", re.sub(r"\s+", "", text))
    solid = re.sub(r"\s+", "", text)
    assert re.search(r"ระยะที่1จำนวน\d+กลุ่มจากเป้าหมาย71กลุ่มคิดเป็นร้อยละ\d+\.\d\d", solid)
    assert re.search(r"ระยะที่2จำนวน\d+กลุ่มจากเป้าหมาย58กลุ่มคิดเป็นร้อยละ\d+\.\d\d", solid)
    assert all("+Sarabun" in f for f in fonts(pdf))
    pages = [p for p in pdftotext(pdf).split("\f") if p.strip()]
    for n, page in enumerate(pages, start=1):
        assert f"หน้า {n} / {len(pages)}" in page
    return text


@needs_poppler
def test_chaiyaphum_demo_prints_the_seed_figures(chaiyaphum):
    pdf = chaiyaphum.outputs["pdf"]
    text = check_demo_pdf(pdf)
    s = chaiyaphum.summary
    on_time = sum(1 for x in s.reporting.itertuples() if x.status == "on_time" and x.month == s.period.key)
    assert said(f"ส่งภายในกำหนด {on_time} อำเภอ คิดเป็นร้อยละ {100 * on_time / 16:.2f}", text)
    pages = [p for p in pdftotext(pdf).split("\f") if p.strip()]
    for d in s.districts:
        assert loose(d.district_name) in loose("".join(pages)), d.district_name


def test_the_chiang_rai_and_demo_reports_pass_the_audit(chiang, chaiyaphum):
    assert_report_true(chiang.summary)
    assert_report_true(chaiyaphum.summary)


def test_equal_scores_share_a_rank_and_the_next_rank_skips():
    from generator.figures.standing import competition_ranks

    assert competition_ranks([90.0, 80.0, 80.0, 70.0]) == [1, 2, 2, 4]
    assert competition_ranks([]) == [] and competition_ranks([5, 5, 5]) == [1, 1, 1]
    assert competition_ranks([(False, -50.0, -3), (False, -50.0, -3), (False, -50.0, -2)]) == [1, 1, 3]
