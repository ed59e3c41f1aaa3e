"""A district's feedback at once (issue 14): right after its upload the page shows the file's status,
each problem with its cell, value, what is wrong and how to fix it, the figures to confirm, and a
feedback workbook made from that very upload; a second upload replaces the first and the page says
which file counts; its own history grid from the store and its figures once its file passes."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from generator.core.periods import Period
from generator.core.schema import GROUPS
from generator.outputs.district_template import write_district_workbook
from generator.outputs.feedback import NO_COPY, PROBLEMS_SHEET
from generator.samples.demo import fill_workbook, groups_as_of
from generator.store.history import HistoryStore
from tests.corpus import groups_cell
from tests.test_web_district import MONTH, district, province, send
from tests.webtools import make_app

JULY = Period(2023, 7)


@pytest.fixture
def app(tmp_path, setup_path):
    from tests.test_web_district import PASSWORD

    app = make_app(tmp_path / "ws", setup_path, require_login=True)
    app.extensions["savings"]["ws"].set_password(PASSWORD)
    return app


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_broken_upload_shows_its_problems_and_its_own_feedback_workbook_at_once(app, filled, tmp_path):
    client, _ = district(app, "3601")
    r = send(client, [("3601 ครั้งแรก.xlsx", filled("3601", {(1, "members"): 3.5}).read_bytes())])
    html = r.get_data(as_text=True)
    latest = html.split('id="latest"')[1].split("</section>")[0]
    text = _text(latest)
    cell = groups_cell("members", 1)
    assert "3601 ครั้งแรก.xlsx" in text and "ไม่ผ่านการตรวจสอบ" in text
    assert f"{cell}" in text and "3.5" in text and "จำนวนเต็ม" in text  # cell, value, what is wrong
    assert "วิธีแก้ไข" in html and "โปรดแก้ไขตามรายการด้านล่าง" in text
    assert "ยังไม่มีไฟล์ที่ผ่านการตรวจ" in text
    link = re.search(r'href="(/district/m/[^"]+/feedback/[0-9a-f]{64})"', latest).group(1)
    got = client.get(link)
    assert got.status_code == 200 and "feedback_3601_2566-08" in got.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(got.data))
    assert wb.sheetnames[0] == PROBLEMS_SHEET
    assert wb[GROUPS.sheet_th][cell].fill.fgColor.rgb[-6:] == "FF9C9C"  # the very cell, red
    assert "จำนวนเต็ม" in wb[GROUPS.sheet_th][cell].comment.text
    # No province run was made: the feedback came from the upload itself.
    assert app.extensions["savings"]["ws"].outputs(Period(2023, 8)) == {}
    trail = [a["action"] for a in app.extensions["savings"]["ws"].audit_trail("3601")]
    assert "feedback_downloaded" in trail
    # Another district cannot fetch it, whatever the URL says.
    other, _ = district(app, "3602")
    assert other.get(link).status_code == 404

    # The corrected file replaces it; the page says which file counts now.
    html = send(client, [("3601 แก้ไขแล้ว.xlsx", filled("3601", name="fixed.xlsx").read_bytes())]).get_data(as_text=True)
    text = _text(html.split('id="latest"')[1].split('id="figures"')[0])
    assert "3601 แก้ไขแล้ว.xlsx" in text and "ผ่านการตรวจสอบแล้ว ไม่ต้องส่งไฟล์ใดมาอีก" in text
    assert "ไฟล์ที่ใช้นับผล: 3601 แก้ไขแล้ว.xlsx" in text
    assert "ไฟล์ที่ส่งก่อนหน้าและไม่ใช้นับผลแล้ว: 3601 ครั้งแรก.xlsx" in text
    assert "feedback/" not in html.split('id="latest"')[1].split("own-files")[0]  # a clean file needs none
    # Once it passes, its own figures against its targets (the district page of the PDF).
    figures = html.split('id="figures"')[1].split("</section>")[0]
    assert "tile-year" in figures and "<svg" in figures


def test_the_feedback_workbook_is_made_when_first_asked_for_and_then_kept(app, filled):
    """An upload answers without writing a workbook; the first download makes it from the upload's
    own check and bytes, later downloads get the same file; a file intake could not read gets the
    list of problems alone, without the note meant for a file too large to copy."""
    ws = app.extensions["savings"]["ws"]
    client, _ = district(app, "3601")
    html = send(client, [("3601 ครั้งแรก.xlsx", filled("3601", {(1, "members"): 3.5}).read_bytes())]).get_data(as_text=True)
    sha = re.search(r'/feedback/([0-9a-f]{64})"', html).group(1)
    kept = ws.upload_feedback(Period(2023, 8), sha)
    assert not kept.exists()  # nothing written at upload
    first = client.get(f"/district/m/{MONTH}/feedback/{sha}")
    assert first.status_code == 200 and kept.is_file()
    made = kept.stat().st_mtime_ns
    again = client.get(f"/district/m/{MONTH}/feedback/{sha}")
    assert again.data == first.data and kept.stat().st_mtime_ns == made
    assert load_workbook(io.BytesIO(first.data))[GROUPS.sheet_th][groups_cell("members", 1)].comment is not None

    html = send(client, [("3601 เสีย.xlsx", b"PK\x03\x04 not a workbook at all")]).get_data(as_text=True)
    latest = html.split('id="latest"')[1].split("</section>")[0]
    link = re.search(r'href="(/district/m/[^"]+/feedback/[0-9a-f]{64})"', latest).group(1)
    wb = load_workbook(io.BytesIO(client.get(link).data))
    assert wb.sheetnames == [PROBLEMS_SHEET]
    listed = " ".join(str(c.value) for row in wb[PROBLEMS_SHEET].iter_rows() for c in row if c.value)
    assert "3601 เสีย.xlsx" in listed and NO_COPY["th"] not in listed


def _record_july(app, setup, tmp_path):
    """July as a run recorded it: the district's groups, the store the August workbook is filled from."""
    from generator.pipeline import run_month

    ws = app.extensions["savings"]["ws"]
    inbox = tmp_path / "july"
    template = write_district_workbook(setup, JULY, "3601", tmp_path / "t3601.xlsx")
    fill_workbook(template, groups_as_of(setup, "3601", JULY), inbox / "3601_july.xlsx")
    with HistoryStore.open(ws.store_path(setup), setup.province_code) as store:
        run_month(setup, JULY, inbox, tmp_path / "out", date(2023, 7, 14), render=False, store=store,
                  now=datetime(2023, 7, 14, 10, 0))


def test_a_figure_to_confirm_is_listed_with_how_to_confirm_it_and_the_history_grid_shows_july(
        app, setup, tmp_path):
    _record_july(app, setup, tmp_path)
    client, _ = district(app, "3601")
    got = client.get(f"/district/m/{MONTH}/workbook")
    assert got.status_code == 200
    path = tmp_path / "aug.xlsx"
    path.write_bytes(got.data)
    wb = load_workbook(path)
    sheet = wb[GROUPS.sheet_th]
    cell = groups_cell("savings_baht", 0)
    sheet[cell] = float(sheet[cell].value) - 1000  # savings fell: a figure to confirm
    wb.save(path)
    html = send(client, [("3601.xlsx", path.read_bytes())]).get_data(as_text=True)
    latest = _text(html.split('id="latest"')[1].split("</section>")[0])
    assert "ตัวเลขที่ต้องยืนยัน (1 รายการ)" in latest and cell in latest
    assert "โปรดเลือก “ใช่” ในคอลัมน์ “ยืนยันข้อมูลถูกต้อง”" in latest
    assert "ไม่ผ่านการตรวจสอบ" in latest  # rejected until confirmed
    history = _text(html.split('id="history"')[1].split("</section>")[0])
    assert "กรกฎาคม 2566" in history and "3601_july.xlsx" in history and "ส่งภายในกำหนด" in history
    assert "ตุลาคม 2565" in history and "กันยายน 2566" in history  # every month of the fiscal year

    sheet[groups_cell("confirmed", 0)] = "ใช่"
    wb.save(path)
    html = send(client, [("3601 ยืนยันแล้ว.xlsx", path.read_bytes())]).get_data(as_text=True)
    latest = _text(html.split('id="latest"')[1].split("</section>")[0])
    assert "ไฟล์ที่ใช้นับผล: 3601 ยืนยันแล้ว.xlsx" in latest and "ยืนยันแล้ว" in latest
    # The province sees both arrivals, with who sent them.
    page = province(app).get(f"/m/{MONTH}/d/3601").get_data(as_text=True)
    assert "3601 ยืนยันแล้ว.xlsx" in page
    # Who did what, in the page's words (the store keeps "district 3601"); the title is only a title.
    trail = page.split('class="data audit"')[1].split("</table>")[0]
    assert "<td>อำเภอเมืองชัยภูมิ</td>" in trail and "<td>สำนักงานพัฒนาชุมชนจังหวัด</td>" in trail
    assert "district 3601" not in trail
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in title and "อำเภอเมืองชัยภูมิ" in title


def test_a_page_being_brought_up_to_date_never_reloads_by_itself_without_script(tmp_path, setup_path, filled):
    """No <meta refresh> on a district's page: it would reload under a clerk choosing a file; the
    page says the figures are being updated and offers the link (web.js reloads when nothing is chosen)."""
    from tests.test_web_district import PASSWORD

    app = make_app(tmp_path / "ws", setup_path, require_login=True, preview_wait=False)
    app.extensions["savings"]["ws"].set_password(PASSWORD)
    client, _ = district(app, "3601")
    client.get(f"/district/m/{MONTH}")  # the first view works the month out
    html = send(client, [("3601.xlsx", filled("3601").read_bytes())]).get_data(as_text=True)
    # Right after the upload the month's preview is still being worked out (it takes far longer
    # than the redirect), so the page is the one being brought up to date.
    assert 'http-equiv="refresh"' not in html
    assert re.search(r'data-reload="/district/m/2566-08\?u=\d"', html) and "โหลดหน้านี้ใหม่" in html


def test_a_workspace_from_before_the_readable_column_opens_and_keeps_its_checks(tmp_path):
    import sqlite3

    from generator.web.workspace import Workspace

    root = tmp_path / "old"
    root.mkdir()
    db = sqlite3.connect(root / "uploads.sqlite")
    db.execute("CREATE TABLE checks (period TEXT NOT NULL, sha256 TEXT NOT NULL, ok INTEGER NOT NULL, "
               "district_code TEXT, problems TEXT NOT NULL, PRIMARY KEY (period, sha256))")
    db.execute("INSERT INTO checks VALUES ('2023-08', 'ab', 0, '3601', '[]')")
    db.commit()
    db.close()
    checks = Workspace(root).checks(Period(2023, 8), "3601")
    assert checks == {"ab": {"ok": False, "district_code": "3601", "problems": [], "readable": True}}
    assert Workspace(root).checks(Period(2023, 8), "3602") == {}


def test_the_history_grid_follows_the_store_after_a_run_though_pages_keep_it_between_views(app, setup, tmp_path):
    client, _ = district(app, "3601")
    before = client.get(f"/district/m/{MONTH}").get_data(as_text=True)
    assert "3601_july.xlsx" not in before.split('id="history"')[1]
    _record_july(app, setup, tmp_path)  # a run commits to the store
    after = client.get(f"/district/m/{MONTH}").get_data(as_text=True)
    assert "3601_july.xlsx" in _text(after.split('id="history"')[1].split("</section>")[0])
