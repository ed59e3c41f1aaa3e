"""A district's month in a real browser (Debian's Chromium, driven by Playwright; issue 14): the
province makes the link; the district opens it, downloads its workbook, sends a broken file, sees the
problem cell, downloads its feedback, sends the corrected file and sees it pass with its figures;
the province sees the file arrive. In Thai at a phone's width (390 px) and in English at a
desktop's. Screenshots go to $WEB_SHOTS (or the test's folder) to be looked at."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.tools import needs
from tests.browsertools import browser, expect, served  # noqa: F401  (browser: a fixture)

pytestmark = needs("chromium")


@pytest.fixture
def server(tmp_path, setup_path):
    from generator.web import create_app
    from generator.web.workspace import Workspace

    Workspace(tmp_path / "ws").add_setup(Path(setup_path).read_bytes(), datetime(2023, 8, 1, 9, 0))
    app = create_app(tmp_path / "ws")  # as served: pages never wait for the month's preview
    with served(app) as url:
        yield url, app


WORDS = {
    "th": {"month": "สิงหาคม 2566", "make": "สร้างลิงก์ใหม่", "refused": "ไม่ผ่านการตรวจสอบ", "whole": "จำนวนเต็ม",
           "feedback": "ดาวน์โหลดไฟล์ผลการตรวจ", "passed": "ผ่านการตรวจสอบแล้ว ไม่ต้องส่งไฟล์ใดมาอีก",
           "counts": "ไฟล์ที่ใช้นับผล: 3601 แก้ไขแล้ว.xlsx", "replaced": "3601 ครั้งแรก.xlsx",
           "district": "อำเภอเมืองชัยภูมิ"},
    "en": {"month": "August 2023", "make": "Make a new link", "refused": "rejected", "whole": "whole number",
           "feedback": "Download the feedback workbook", "passed": "This file passed the checks: nothing more needs sending.",
           "counts": "The file that counts: 3601 แก้ไขแล้ว.xlsx", "replaced": "3601 ครั้งแรก.xlsx",
           "district": "เมืองชัยภูมิ district"},
}


@pytest.mark.parametrize("lang,width", [("th", 390), ("en", 1280)])
def test_a_district_sends_its_file_until_it_passes(server, browser, tmp_path, lang, width):
    from generator.samples.demo import DEMO_PERIOD, fill_workbook, simulated_groups

    base, app = server
    words = WORDS[lang]
    shots = Path(os.environ.get("WEB_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []

    def context():
        c = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
        page = c.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        return c, page

    def shot(page, name: str) -> None:
        page.screenshot(path=shots / f"district-{lang}-{width}-{name}.png", full_page=True)

    # The province makes the district's link on its page.
    office_ctx, office = context()
    office.goto(base + f"/links?lang={lang}")
    office.locator("tr[data-district='3601'] button", has_text=words["make"]).click()
    link = office.locator("tr[data-district='3601'] code.link-url").inner_text()
    assert "/d/" in link
    expect(office.locator("tr[data-district='3601'] svg.qr")).to_be_visible()
    shot(office, "links")
    office.emulate_media(media="print")  # printed: the QR code and its district, nothing else
    expect(office.locator("header.top")).to_be_hidden()
    expect(office.locator("tr[data-district='3602']")).to_be_hidden()
    expect(office.locator("tr[data-district='3601'] svg.qr")).to_be_visible()
    shot(office, "links-print")
    office.emulate_media(media="screen")

    # The district opens it (its own browser): a page without the token in its address.
    district_ctx, page = context()
    page.goto(link)
    if lang == "en":
        page.goto(page.url + "?lang=en")
    assert "/d/" not in page.url and "/district/m/" in page.url
    page.locator("#history a", has_text=words["month"]).click()
    expect(page.locator("h1")).to_contain_text(words["month"])

    with page.expect_download() as dl:
        page.locator("#state a.button").click()
    workbook = tmp_path / dl.value.suggested_filename
    dl.value.save_as(workbook)
    assert "3601" in workbook.name
    setup = app.extensions["savings"]["ws"].setup()
    groups = simulated_groups(setup, "3601", DEMO_PERIOD)
    broken = fill_workbook(workbook, groups, tmp_path / "sent" / "3601 ครั้งแรก.xlsx", {(1, "members"): 3.5})
    fixed = fill_workbook(workbook, groups, tmp_path / "sent" / "3601 แก้ไขแล้ว.xlsx")

    # The province has its month open while the district sends.
    office.goto(base + "/m/2566-08")
    expect(office.locator("details[data-file]")).to_have_count(0)

    # A broken file: its problem cell at once, and its feedback workbook.
    page.set_input_files("#files", str(broken))
    page.click("form[action$='/upload'] button[type=submit]")
    latest = page.locator("#latest")
    expect(latest.locator("td.cell", has_text="F7")).to_be_visible()
    expect(latest).to_contain_text(words["whole"])
    expect(latest.locator(".status").first).to_contain_text(words["refused"])
    shot(page, "broken")
    # The province's open page shows it arrive, without anyone reloading it.
    expect(office.locator("details[data-file='3601 ครั้งแรก.xlsx']")).to_be_visible(timeout=20_000)
    with page.expect_download() as dl:
        latest.locator("a", has_text=words["feedback"]).click()
    feedback = tmp_path / dl.value.suggested_filename
    dl.value.save_as(feedback)
    assert feedback.name.startswith("feedback_3601_2566-08")
    from generator.core.schema import GROUPS

    assert load_workbook(feedback)[GROUPS.sheet_th]["F7"].fill.fgColor.rgb[-6:] == "FF9C9C"

    # The corrected file: it passes and counts; the figures follow. While the figures are being
    # brought up to date the page loads itself again, but not under a file being chosen.
    page.evaluate("window.__same_page = true")
    page.set_input_files("#files", str(fixed))
    if page.locator("[data-reload]").count():
        page.wait_for_timeout(4500)
        assert page.evaluate("window.__same_page === true && document.querySelector('#files').files.length") == 1
    page.click("form[action$='/upload'] button[type=submit]")
    expect(latest.locator(".verdict")).to_contain_text(words["passed"])
    expect(latest.locator(".counts")).to_contain_text(words["counts"])
    expect(page.locator("#figures .tile-year")).to_be_visible(timeout=120_000)
    expect(page.locator("#history tr.this")).to_contain_text("3601 แก้ไขแล้ว.xlsx")
    shot(page, "passed")
    # Nothing of the province's is within its reach.
    assert page.request.get(base + "/m/2566-08").status == 404

    # The province sees both arrivals on its month page, the corrected one counted.
    office.goto(base + "/m/2566-08")
    expect(office.locator("details[data-file='3601 แก้ไขแล้ว.xlsx']")).to_be_visible()
    expect(office.locator(".updating")).to_have_count(0, timeout=120_000)
    expect(office.locator("tr[data-status=late] td.num")).to_have_text("1", timeout=120_000)
    shot(office, "province-month")
    office.goto(base + "/m/2566-08/d/3601")
    expect(office.locator("table.audit")).to_contain_text(words["district"])
    shot(office, "province-district")
    assert not errors, errors
    office_ctx.close()
    district_ctx.close()
