"""The office's month end to end in a real browser (Debian's Chromium, driven by Playwright): set up
the year from the blank workbook, send the month's workbooks, take in good, broken, duplicate and
late files, see each status and problem, make the report, open the PDF and a feedback workbook.
In Thai at a desktop width and in English at a phone's (390 px). Screenshots go to $WEB_SHOTS
(or the test's folder) to be looked at."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.tools import needs
from tests.browsertools import browser, expect, served  # noqa: F401  (browser: a fixture)

pytestmark = needs("chromium", "pdftotext")


@pytest.fixture
def server(tmp_path):
    from generator.web import create_app

    app = create_app(tmp_path / "ws")
    with served(app) as url:
        yield url, app


WORDS = {
    "th": {"month": "สิงหาคม 2566", "bad_setup": "ไฟล์ข้อมูลตั้งต้นมีข้อผิดพลาด", "setup_ok": "รับข้อมูลตั้งต้นแล้ว",
           "taken": "รับไฟล์ 4 ไฟล์: ผ่านการตรวจ 2 ไม่ผ่าน 1 ไฟล์ซ้ำ 1", "run": "ทำรายงานประจำเดือน",
           "done": "เสร็จแล้ว", "pdf": "รายงาน PDF", "feedback": "ผลการตรวจ: 3602.xlsx", "save": "บันทึก",
           "whole": "ต้องเป็นจำนวนเต็ม"},
    "en": {"month": "August 2023", "bad_setup": "The setup workbook has errors", "setup_ok": "Setup taken in",
           "taken": "4 files taken in: 2 passed, 1 with errors, 1 already here.", "run": "Make the month's report",
           "done": "was made at", "pdf": "PDF report", "feedback": "Feedback: 3602.xlsx", "save": "Save",
           "whole": "must be a whole number"},
}


@pytest.mark.parametrize("lang,width", [("th", 1280), ("en", 390)])
def test_the_month_in_a_browser(server, browser, tmp_path, lang, width):
    from generator.samples.demo import DEMO_PERIOD, chaiyaphum_setup, fill_workbook, simulated_groups
    from generator.outputs.setup_template import write_setup_workbook

    base, app = server
    words = WORDS[lang]
    shots = Path(os.environ.get("WEB_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def shot(name: str) -> None:
        page.screenshot(path=shots / f"{lang}-{width}-{name}.png", full_page=True)

    # A fresh workspace sends the office to the setup page; switch language first.
    page.goto(base + "/")
    assert page.url.endswith("/setup")
    if lang == "en":
        page.click("a.lang")
        expect(page.locator("html")).to_have_attribute("lang", "en")

    # 1. The blank setup workbook, downloaded and sent back unfilled: its problems by sheet and cell.
    with page.expect_download() as dl:
        page.click("a[href$='/setup/blank.xlsx']")
    blank = tmp_path / "blank.xlsx"
    dl.value.save_as(blank)
    page.set_input_files("#setup-file", str(blank))
    page.click("form[action$='/setup'] button[type=submit]")
    expect(page.locator("#problems")).to_contain_text(words["bad_setup"])
    assert page.locator("table.problems tbody tr").count() > 0
    shot("setup-problems")

    # The same workbook filled in (as the province would): now the year's setup.
    filled_setup = write_setup_workbook(tmp_path / "setup.xlsx", chaiyaphum_setup())
    page.set_input_files("#setup-file", str(filled_setup))
    page.click("form[action$='/setup'] button[type=submit]")
    expect(page.locator(".flash")).to_contain_text(words["setup_ok"])
    shot("home")

    # 2. The month's workbooks, all in one zip; districts fill them.
    page.click(f"ul.months a:has-text('{words['month']}')")  # a month's due date names the next month too
    with page.expect_download() as dl:
        page.click("a[href$='/workbooks.zip']")
    bundle = zipfile.ZipFile(dl.value.path())
    assert len(bundle.namelist()) == 16
    sent = tmp_path / "sent"
    bundle.extractall(sent)
    setup_obj = app.extensions["savings"]["ws"].setup()
    template = {name.split("_")[1]: sent / name for name in bundle.namelist()}
    returned = tmp_path / "returned"
    good = fill_workbook(template["3601"], simulated_groups(setup_obj, "3601", DEMO_PERIOD), returned / "3601.xlsx")
    broken = fill_workbook(template["3602"], simulated_groups(setup_obj, "3602", DEMO_PERIOD),
                           returned / "3602.xlsx", {(1, "members"): 3.5})
    late = fill_workbook(template["3605"], simulated_groups(setup_obj, "3605", DEMO_PERIOD), returned / "3605.xlsx")
    duplicate = returned / "3601 (1).xlsx"
    duplicate.write_bytes(good.read_bytes())

    # 3. All four at once.
    page.set_input_files("#files", [str(good), str(broken), str(duplicate), str(late)])
    page.click("form[action$='/upload'] button[type=submit]")
    # The month page loads itself again while the new files are worked in, keeping its message; on
    # a busy machine that can take longer than the default five seconds.
    expect(page.locator(".flash")).to_contain_text(words["taken"], timeout=30_000)

    # 3601 came by LINE before the due day and was saved later: its real received date. 3605
    # stays as received (now, long after the due day): late.
    # Each new file shows its own check at once; the table follows when the month is worked out again.
    expect(page.locator("details[data-file='3602.xlsx'] td.cell", has_text="F7")).to_be_visible()
    expect(page.locator(".updating")).to_have_count(0, timeout=120_000)
    row = page.locator("details[data-file='3601.xlsx']")
    row.locator("summary").click()
    row.locator("input[type=date]").fill("2023-08-18")
    row.locator("button", has_text=words["save"]).click()
    for status, n in {"on_time": "1", "late": "1", "rejected": "1", "missing": "13"}.items():
        expect(page.locator(f"tr[data-status={status}] td.num")).to_have_text(n, timeout=120_000)
    broken_row = page.locator("details[data-file='3602.xlsx']")
    expect(broken_row).to_have_attribute("open", "")
    expect(broken_row.locator("td.cell", has_text="F7")).to_be_visible()
    expect(broken_row).to_contain_text(words["whole"])
    shot("month")

    # 4. The report, made in the background; the page follows its progress, then offers the files.
    page.click(f"#report button:has-text(\"{words['run']}\")")
    expect(page.locator(".run-state")).to_contain_text(words["done"], timeout=240_000)
    pdf_link = page.locator("#report a", has_text=words["pdf"])
    expect(pdf_link).to_be_visible()
    shot("report")
    response = page.request.get(base + pdf_link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf" and response.body()[:5] == b"%PDF-"
    (tmp_path / "report.pdf").write_bytes(response.body())
    text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True).stdout
    assert "ชัยภูมิ" in text
    with page.expect_download() as dl:
        page.locator("#report a", has_text=words["feedback"]).click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    dl.value.save_as(tmp_path / dl.value.suggested_filename)
    feedback = load_workbook(tmp_path / dl.value.suggested_filename)
    listed = " ".join(str(c) for row in feedback.worksheets[0].iter_rows(values_only=True) for c in row if c)
    assert "F7" in listed

    # A district's page: its file, its problem.
    page.goto(base + "/m/2566-08/d/3602")
    expect(page.locator("td.cell", has_text="F7")).to_be_visible()
    shot("district")
    assert not errors, errors
    context.close()


def test_an_upload_under_way_is_never_cancelled_by_the_page_loading_itself_again(server, browser, tmp_path,
                                                                                setup_path, filled):
    """The month page loads itself again when a district's file comes in. While the office's own
    upload is on its way it must not: the reload would cancel the upload (or lose its answer). A
    district's file arrives here while the office's upload is held for 6 s on its way."""
    import time
    from datetime import datetime

    from generator.samples.demo import DEMO_PERIOD

    base, app = server
    ws = app.extensions["savings"]["ws"]
    ws.add_setup(Path(setup_path).read_bytes(), datetime(2023, 8, 1, 9, 0))
    first, other, mine = filled("3601"), filled("3602"), filled("3605")
    ws.add_file(DEMO_PERIOD, first.name, first, datetime.now())
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/m/{DEMO_PERIOD.be_key}")
    expect(page.locator("details[data-file='3601.xlsx']")).to_have_count(1)
    expect(page.locator(".updating")).to_have_count(0, timeout=60_000)

    def held(route, request):
        ws.add_file(DEMO_PERIOD, other.name, other, datetime.now())  # a district's file, meanwhile
        time.sleep(6)  # the page looks for new arrivals every 3 s
        route.continue_()

    page.route("**/upload", held)
    page.set_input_files("#files", [str(mine)])
    page.click("form[action$='/upload'] button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("รับไฟล์ 1 ไฟล์", timeout=30_000)
    assert ws.upload(DEMO_PERIOD, __import__("hashlib").sha256(mine.read_bytes()).hexdigest()) is not None
