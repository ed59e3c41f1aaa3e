"""The office's web page in-process (Flask's test client): taking files in, the month, the report,
and every access rule (login away from the loopback address, CSRF, upload limits, escaping)."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from markupsafe import escape
from openpyxl import load_workbook

from generator.jobs import check_file
from generator.web import UploadLimits
from generator.web.workspace import Workspace, safe_leaf
from tests.webtools import make_app, token

MONTH = "/m/2566-08"


@pytest.fixture
def app(tmp_path, setup_path):
    return make_app(tmp_path / "ws", setup_path)


@pytest.fixture
def client(app):
    return app.test_client()


def upload(client, files: list[tuple[str, bytes]], month: str = MONTH, follow: bool = True):
    data = {"csrf": token(client, month), "files": [(io.BytesIO(b), name) for name, b in files]}
    return client.post(f"{month}/upload", data=data, content_type="multipart/form-data", follow_redirects=follow)


def page(client, url: str = MONTH) -> str:
    r = client.get(url)
    assert r.status_code == 200, r.get_data(as_text=True)[:800]
    return r.get_data(as_text=True)


# --- taking files in -------------------------------------------------------------------------

def test_uploaded_files_are_checked_and_shown_with_the_pipelines_own_problems(client, filled, setup, period):
    good, bad = filled("3601"), filled("3602", {(1, "members"): 3.5})
    r = upload(client, [("3601.xlsx", good.read_bytes()), ("3602.xlsx", bad.read_bytes())])
    html = r.get_data(as_text=True)
    assert "รับไฟล์ 2 ไฟล์: ผ่านการตรวจ 1 ไม่ผ่าน 1 ไฟล์ซ้ำ 0" in html
    expected = check_file(bad, setup, period=period).problems
    whole = next(p for p in expected if p.rule_id == "VALUE_NOT_WHOLE")
    assert whole.cell == "F7"
    # The file's problem as the CLI words it: sheet, cell, value, what is wrong, how to fix it.
    block = html[html.index('data-file="3602.xlsx"'):]
    block = block[:block.index("</details>")]
    for text in (whole.sheet, whole.cell, whole.value, whole.message_th, whole.fix_th):
        assert str(escape(text)) in block
    assert "st-rejected" in block
    # The district × status table: 3601 received now, long after the due day of August 2566 (late),
    # 3602 rejected, the other fourteen not sent.
    rows = dict(re.findall(r'data-status="(\w+)">\s*<td>.*?</td>\s*<td class="num">(\d+)</td>', html, re.S))
    assert rows == {"on_time": "0", "late": "1", "rejected": "1", "missing": str(len(setup.district_codes) - 2)}


def test_a_new_file_shows_its_own_check_at_once_while_the_month_catches_up(tmp_path, setup_path, filled, setup, period):
    app = make_app(tmp_path / "ws", setup_path, preview_wait=False)
    client = app.test_client()
    assert "3602.xlsx" not in page(client)  # the month worked out once, before the upload
    bad = filled("3602", {(1, "members"): 3.5})
    html = upload(client, [("3602.xlsx", bad.read_bytes())]).get_data(as_text=True)
    assert "✗ 3602.xlsx: ไม่ผ่านการตรวจ" in html  # the CLI's own verdict line
    block = html[html.index('data-file="3602.xlsx"'):]
    whole = next(p for p in check_file(bad, setup, period=period).problems if p.rule_id == "VALUE_NOT_WHOLE")
    assert "st-rejected" in block[:400] and str(escape(whole.message_th)) in block
    if "กำลังปรับปรุงตาราง" in html:
        assert 'http-equiv="refresh"' in html
    previews = app.extensions["savings"]["previews"]
    result, fresh = previews.get(app.extensions["savings"]["ws"].setup(), period, wait=True)
    assert fresh and [f.file for f in result.summary.files] == ["3602.xlsx"]
    assert "กำลังปรับปรุงตาราง" not in page(client)


def test_english_switch_shows_the_english_messages(client, filled, setup, period):
    bad = filled("3602", {(1, "members"): 3.5})
    upload(client, [("3602.xlsx", bad.read_bytes())])
    r = client.get(MONTH + "?lang=en")
    assert r.status_code == 302
    html = page(client)
    whole = next(p for p in check_file(bad, setup, period=period).problems if p.rule_id == "VALUE_NOT_WHOLE")
    assert str(escape(whole.message_en)) in html and str(escape(whole.message_th)) not in html
    assert "Take in the returned files" in html and '<html lang="en">' in html


def test_the_same_content_is_stored_once_and_keeps_its_first_received_time(client, app, filled):
    good = filled("3601").read_bytes()
    upload(client, [("3601.xlsx", good)])
    ws: Workspace = app.extensions["savings"]["ws"]
    first = ws.uploads(first_period(ws))[0]
    r = upload(client, [("copy of 3601.xlsx", good), ("3601 again.xlsx", good)])
    assert "ไฟล์ซ้ำ 2" in r.get_data(as_text=True)
    uploads = ws.uploads(first_period(ws))
    assert len(uploads) == 1 and uploads[0].received_at == first.received_at
    blobs = [p for p in (ws.root / "files").rglob("*") if p.is_file()]
    assert len(blobs) == 1 and blobs[0].name == first.sha256
    assert [p.name for p in ws.inbox(first_period(ws)).iterdir()] == ["3601.xlsx"]


def first_period(ws):
    return ws.months_with_uploads()[0]


def test_a_zip_of_returned_files_is_taken_in_file_by_file(client, app, filled):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("returns/3601.xlsx", filled("3601").read_bytes())
        z.writestr("returns/3605.xlsx", filled("3605").read_bytes())
        z.writestr("__MACOSX/._3601.xlsx", b"junk")
    r = upload(client, [("returns.zip", buffer.getvalue())])
    assert "รับไฟล์ 2 ไฟล์: ผ่านการตรวจ 2" in r.get_data(as_text=True)
    ws = app.extensions["savings"]["ws"]
    assert sorted(u.leaf for u in ws.uploads(first_period(ws))) == ["3601.xlsx", "3605.xlsx"]


def test_received_time_is_shown_in_the_buddhist_era_and_a_real_date_can_be_given(client, app, filled):
    upload(client, [("3601.xlsx", filled("3601").read_bytes())])
    ws = app.extensions["savings"]["ws"]
    up = ws.uploads(first_period(ws))[0]
    assert f"{up.received_at.year + 543}" in page(client)
    rows = dict(re.findall(r'data-status="(\w+)">\s*<td>.*?</td>\s*<td class="num">(\d+)</td>', page(client), re.S))
    assert rows["late"] == "1" and rows["on_time"] == "0"
    # Brought in late from elsewhere (a LINE chat): really received on 18 August 2023, before the due day (20th).
    r = client.post(f"{MONTH}/received", data={"csrf": token(client, MONTH), "sha256": up.sha256, "day": "2023-08-18"},
                    follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "18 สิงหาคม 2566" in html
    rows = dict(re.findall(r'data-status="(\w+)">\s*<td>.*?</td>\s*<td class="num">(\d+)</td>', html, re.S))
    assert rows["late"] == "0" and rows["on_time"] == "1"
    inbox_file = ws.inbox(first_period(ws)) / up.leaf
    assert datetime.fromtimestamp(inbox_file.stat().st_mtime) == datetime(2023, 8, 18)


def test_a_name_from_a_district_never_becomes_a_path_and_is_shown_as_text(client, app, filled, tmp_path):
    payload = '../../<script>alert(1)</script>.xlsx'
    r = upload(client, [(payload, filled("3601").read_bytes()), ("..\\..\\CON.xlsx", filled("3605").read_bytes())])
    html = r.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    ws = app.extensions["savings"]["ws"]
    leaves = sorted(u.leaf for u in ws.uploads(first_period(ws)))
    assert leaves == ["_CON.xlsx", "script.xlsx"]  # the name after its last slash, reduced
    assert all(p.resolve().is_relative_to(ws.root) for p in ws.root.rglob("*"))
    assert not list(tmp_path.glob("*.xlsx")) and not (tmp_path.parent / "script").exists()
    assert safe_leaf("....") == "file.xlsx" and safe_leaf("ก่อน/หลัง ๑.xlsx") == "หลัง ๑.xlsx"


def test_html_typed_by_a_district_comes_out_as_text(client, filled):
    payload = '<img src=x onerror="alert(1)">'
    upload(client, [("3609.xlsx", filled("3609", {(1, "members"): payload}).read_bytes())])
    html = page(client)
    assert "<img src=x" not in html
    assert str(escape(payload)) in html  # quoted in the problem's "value found", as typed


# --- the setup -------------------------------------------------------------------------------

def test_a_blank_setup_is_refused_with_its_problems_by_sheet_and_cell(tmp_path):
    from generator.core.model import SetupInvalid
    from generator.intake.setup_workbook import load_setup

    client = make_app(tmp_path / "ws", None).test_client()
    assert client.get("/").headers["Location"].endswith("/setup")
    blank = client.get("/setup/blank.xlsx")
    assert blank.status_code == 200 and blank.data[:2] == b"PK"
    (tmp_path / "blank.xlsx").write_bytes(blank.data)
    with pytest.raises(SetupInvalid) as refused:
        load_setup(tmp_path / "blank.xlsx")
    r = client.post("/setup", data={"csrf": token(client), "setup": (io.BytesIO(blank.data), "blank.xlsx")},
                    content_type="multipart/form-data", follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "ไฟล์ข้อมูลตั้งต้นมีข้อผิดพลาด" in html
    for p in refused.value.problems[:5]:
        assert str(escape(p.message_th)) in html
        if p.sheet:
            assert str(escape(p.sheet)) in html
    assert not list((tmp_path / "ws" / "setups").glob("setup_*.xlsx"))


def test_a_valid_setup_becomes_the_years_and_earlier_ones_are_kept(tmp_path, setup_path):
    client = make_app(tmp_path / "ws", setup_path).test_client()
    r = client.post("/setup", data={"csrf": token(client), "setup": (io.BytesIO(setup_path.read_bytes()), "s.xlsx")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "รับข้อมูลตั้งต้นแล้ว: จังหวัดชัยภูมิ ปีงบประมาณ พ.ศ. 2566 จำนวน 16 อำเภอ" in r.get_data(as_text=True)
    assert len(list((tmp_path / "ws" / "setups").glob("setup_36_*.xlsx"))) == 2


# --- sending the workbooks -------------------------------------------------------------------

def test_the_months_workbooks_download_each_or_as_one_zip(client, setup):
    r = client.get(f"{MONTH}/workbooks.zip")
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert len(names) == len(setup.district_codes) and all(n.startswith("2566-08_36") for n in names)
    one = client.get(f"{MONTH}/workbook/3601")
    assert one.status_code == 200 and "3601" in one.headers["Content-Disposition"]
    meta = load_workbook(io.BytesIO(one.data))["_meta"]
    assert any(row[1] == "3601" for row in meta.iter_rows(values_only=True))
    assert client.get(f"{MONTH}/workbook/9999").status_code == 404
    assert client.get("/m/2570-08").status_code == 404  # not a month of the setup's year


def test_a_page_that_loads_itself_again_keeps_its_message_until_it_settles(tmp_path, setup_path, filled):
    """The month's page reloads itself while new files are worked in; the "files taken in" message
    is shown on each of those loads, not only on the first (gone after two seconds), and once the
    page has settled it is shown one last time and then no more."""
    import time

    app = make_app(tmp_path / "ws", setup_path, preview_wait=False)
    client = app.test_client()
    page(client)  # the month's first preview
    taken = "รับไฟล์ 1 ไฟล์: ผ่านการตรวจ 1"
    html = upload(client, [("3601.xlsx", filled("3601").read_bytes())]).get_data(as_text=True)
    assert taken in html
    while 'http-equiv="refresh"' in html:
        html = page(client, f"{MONTH}?u=1")
        assert taken in html  # still there on every automatic load
        time.sleep(0.2)
    assert taken not in page(client)  # read once the page settled, then gone


# --- the report ------------------------------------------------------------------------------

def test_the_report_is_made_in_the_background_then_downloads(client, app, filled, tmp_path):
    import subprocess

    upload(client, [("3601.xlsx", filled("3601").read_bytes()),
                    ("3602.xlsx", filled("3602", {(1, "members"): 3.5}).read_bytes())])
    r = client.post(f"{MONTH}/run", data={"csrf": token(client, MONTH)})
    assert r.status_code == 302
    state = app.extensions["savings"]["runner"].wait(300)
    assert state.state == "done", state
    html = page(client)
    assert "ทำรายงานประจำเดือนสิงหาคม 2566 เสร็จแล้ว" in html
    pdf = client.get(f"{MONTH}/out/pdf")
    assert pdf.data[:5] == b"%PDF-" and "inline" in pdf.headers.get("Content-Disposition", "inline")
    (tmp_path / "r.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", tmp_path / "r.pdf", "-"], capture_output=True, text=True).stdout
    assert "ชัยภูมิ" in text
    assert client.get(f"{MONTH}/out/excel").data[:2] == b"PK"
    assert '"period": "2023-08"' in client.get(f"{MONTH}/out/json").get_data(as_text=True)
    feedback = zipfile.ZipFile(io.BytesIO(client.get(f"{MONTH}/feedback.zip").data))
    assert [n for n in feedback.namelist() if "3602" in n]
    assert client.get(f"{MONTH}/out/../../secret.key").status_code == 404
    district = page(client, f"{MONTH}/d/3601")
    assert "รายงานหนึ่งหน้าของอำเภอ" in district
    assert client.get(f"{MONTH}/out/district:3601").data[:5] == b"%PDF-"


def test_the_month_report_is_ready_before_the_district_pages_which_follow_and_a_newer_run_stops_them(
        client, app, filled, monkeypatch):
    """The click's wait ends with the month's PDF, Excel, feedback and record; each district's
    one-page report is laid out afterwards and its link appears as it is written; a run started
    meanwhile stops the older run's pages, so the month lists only the newest run's."""
    import time

    from generator.core.periods import Period
    from generator.outputs import parallel

    ws, runner = app.extensions["savings"]["ws"], app.extensions["savings"]["runner"]
    gate, calls = threading.Event(), []
    real = parallel.render_district_file

    def gated(summary, code, path, lang):
        gate.wait(60)
        calls.append((threading.get_ident(), code))
        return real(summary, code, path, lang)

    monkeypatch.setattr(parallel, "render_district_file", gated)
    upload(client, [("3601.xlsx", filled("3601").read_bytes())])
    assert runner.start(Period(2023, 8), "th")
    older = runner._thread.ident
    for _ in range(600):
        if runner.state.state != "running":
            break
        time.sleep(0.1)
    assert runner.state.state == "done"
    outs = ws.outputs(Period(2023, 8))
    assert {"pdf", "excel", "json"} <= set(outs) and not [k for k in outs if k.startswith("district:")]
    status = client.get(f"{MONTH}/run.json").get_json()
    codes = ws.setup().district_codes
    assert status["watch"] == "pages" and f"เสร็จแล้ว 0 จาก {len(codes)} อำเภอ" in status["text"]
    assert 'data-running="pages"' in page(client)
    assert client.get(f"{MONTH}/out/pdf").data[:5] == b"%PDF-"  # downloadable while the pages follow

    assert runner.start(Period(2023, 8), "th")  # a newer run, while the first one's pages wait
    for _ in range(600):
        if runner.state.state != "running":
            break
        time.sleep(0.1)
    gate.set()
    runner.wait(300)
    time.sleep(0.5)  # the older run's thread ends at its first page
    assert len([c for t, c in calls if t == older]) == 1  # stopped after the page it was laying out
    assert sorted(c for t, c in calls if t != older) == sorted(codes)
    outs = ws.outputs(Period(2023, 8))
    assert sorted(k.split(":")[1] for k in outs if k.startswith("district:")) == sorted(codes)
    assert client.get(f"{MONTH}/run.json").get_json()["watch"] == ""
    assert client.get(f"{MONTH}/out/district:3601").data[:5] == b"%PDF-"


def test_the_report_after_the_preview_reads_no_file_again(client, app, filled, monkeypatch):
    """The page's run shares the previews' memo: what the month's preview read and checked is not
    read again when the report is made (only what came since)."""
    from generator import pipeline

    upload(client, [("3601.xlsx", filled("3601").read_bytes()), ("3602.xlsx", filled("3602").read_bytes())])
    page(client)  # the preview of both files
    reads = []
    real = pipeline.read_submission
    monkeypatch.setattr(pipeline, "read_submission", lambda path, *a, **k: reads.append(path.name) or real(path, *a, **k))
    client.post(f"{MONTH}/run", data={"csrf": token(client, MONTH)})
    assert app.extensions["savings"]["runner"].wait(300).state == "done"
    assert reads == []
    upload(client, [("3603.xlsx", filled("3603").read_bytes())])
    client.post(f"{MONTH}/run", data={"csrf": token(client, MONTH)})
    assert app.extensions["savings"]["runner"].wait(300).state == "done"
    assert reads == ["3603.xlsx"]


def test_two_clicks_do_not_start_two_runs_and_a_failed_run_says_why(app, monkeypatch):
    from generator import jobs
    from generator.store.history import StoreError
    from generator.core.periods import Period
    from generator.web.runner import Runner

    ws = app.extensions["savings"]["ws"]
    ws.save_outputs(Period(2023, 8), {"pdf": "report_36_2566-08.pdf"})
    (ws.output / "report_36_2566-08.pdf").write_bytes(b"%PDF- last good")
    release = threading.Event()

    def slow_failure(*args, **kwargs):
        release.wait(30)
        raise StoreError("store_busy", path="x.sqlite")

    monkeypatch.setattr(jobs, "make_report", slow_failure)
    runner = Runner(ws)
    assert runner.start(Period(2023, 8), "th") is True
    assert runner.start(Period(2023, 8), "th") is False
    release.set()
    state = runner.wait(30)
    assert state.state == "failed" and "กำลังถูกใช้โดยการประมวลผลอื่น" in state.why
    assert ws.outputs(Period(2023, 8))["pdf"].read_bytes() == b"%PDF- last good"


def test_the_run_page_says_a_run_is_under_way(client, app, monkeypatch):
    from generator import jobs

    release = threading.Event()
    monkeypatch.setattr(jobs, "make_report", lambda *a, **k: release.wait(30) and None)
    t = token(client, MONTH)
    client.post(f"{MONTH}/run", data={"csrf": t})
    r = client.post(f"{MONTH}/run", data={"csrf": t}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "กำลังทำรายงานอยู่ โปรดรอให้เสร็จก่อน" in html and 'http-equiv="refresh"' in html
    assert client.get(f"{MONTH}/run.json").get_json()["state"] == "running"
    release.set()
    app.extensions["savings"]["runner"].wait(30)


# --- access rules ----------------------------------------------------------------------------

def _rules(app, method: str) -> list:
    """Every rule the app registers for a method, with a URL built from sample values for its parts."""
    sample = {"month": "2566-08", "code": "3601", "sha256": "0" * 64, "key": "pdf", "name": "Sarabun-Regular.ttf",
              "filename": "web.css", "token": "not-a-token"}
    return [(rule, rule.build({a: sample[a] for a in rule.arguments})[1])
            for rule in app.url_map.iter_rules() if method in rule.methods]


def _routes(app, method: str) -> list[str]:
    return [url for _, url in _rules(app, method)]


def test_every_form_refuses_a_missing_or_wrong_csrf_token(client, app):
    posts = [(rule.endpoint, url) for rule, url in _rules(app, "POST")]
    assert {"/setup", f"{MONTH}/upload", f"{MONTH}/run", f"{MONTH}/received", "/logout", "/login",
            f"/district{MONTH}/upload", "/links/all/renew"} <= {url for _, url in posts}
    token(client, MONTH)  # the province's session has a token; the forms below do not send it
    link = app.extensions["savings"]["ws"].new_link("3601", datetime.now())
    district = app.test_client()
    district.get(f"/d/{link}")
    for endpoint, url in posts:
        who = district if endpoint.startswith("district.") else client
        for data in ({}, {"csrf": "wrong"}):
            r = who.post(url, data=data)
            assert r.status_code == 400, url
            assert "แบบฟอร์มนี้หมดอายุหรือไม่ได้ส่งจากหน้านี้" in r.get_data(as_text=True)


def test_every_page_carries_the_security_headers(client):
    r = client.get(MONTH)
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Referrer-Policy"] == "no-referrer"
    assert "<script>" not in r.get_data(as_text=True)  # no inline script for the policy to allow


def test_on_the_loopback_address_another_host_name_is_refused(client):
    assert client.get("/", headers={"Host": "127.0.0.1:8080"}).status_code in (200, 302)
    r = client.get("/", headers={"Host": "attacker.example:8080"})
    assert r.status_code == 400


@pytest.fixture
def remote(tmp_path, setup_path):
    app = make_app(tmp_path / "ws", setup_path, require_login=True)
    app.extensions["savings"]["ws"].set_password("รหัสผ่านจังหวัด 36")
    return app


def test_away_from_loopback_nothing_but_the_login_page_is_reachable(remote):
    client = remote.test_client()
    drawn_with = {"static", "web.font", "web.report_css", "district.gone"}  # the login page's own parts
    for rule, url in _rules(remote, "GET"):
        r = client.get(url)
        if rule.endpoint in drawn_with or rule.endpoint == "web.login":
            assert r.status_code == 200, url
        elif rule.endpoint.startswith("district."):
            assert r.status_code == 404, url  # a district's pages need its link, and say nothing otherwise
        else:
            assert r.status_code == 302 and r.headers["Location"].endswith("/login"), url
    t = token(client, "/login")
    for rule, url in _rules(remote, "POST"):
        if url != "/login":
            assert client.post(url, data={"csrf": t}).status_code == (
                404 if rule.endpoint.startswith("district.") else 403), url
    assert "กรอกรหัสผ่าน" in client.get("/login").get_data(as_text=True)


def test_login_with_the_province_password_renews_the_session(remote):
    client = remote.test_client()
    before = token(client, "/login")
    r = client.post("/login", data={"csrf": before, "password": "รหัสผ่านจังหวัด 36"})
    assert r.status_code == 302
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get(MONTH).status_code == 200
    assert token(client, MONTH) != before
    stored = (Path(remote.extensions["savings"]["ws"].password_path)).read_text()
    assert stored.startswith("scrypt:") and "รหัสผ่าน" not in stored


def test_wrong_passwords_are_rate_limited_and_logged(remote):
    client = remote.test_client()
    t = token(client, "/login")
    codes = [client.post("/login", data={"csrf": t, "password": f"guess {i}"}).status_code for i in range(7)]
    assert codes == [401] * 5 + [429] * 2
    r = client.post("/login", data={"csrf": t, "password": "รหัสผ่านจังหวัด 36"})
    assert r.status_code == 429 and "โปรดรอ 5 นาที" in r.get_data(as_text=True)
    log = (remote.extensions["savings"]["ws"].root / "web.log").read_text()
    assert log.count("wrong password from") == 5 and "login refused (rate limit)" in log


def test_too_many_files_are_refused_with_a_thai_message(tmp_path, setup_path, filled):
    client = make_app(tmp_path / "ws", setup_path, limits=UploadLimits(files=2)).test_client()
    data = filled("3601").read_bytes()
    r = upload(client, [(f"{i}.xlsx", data) for i in range(3)], follow=False)
    assert r.status_code == 413 and "ส่งได้ครั้งละไม่เกิน 2 ไฟล์" in r.get_data(as_text=True)
    assert not list((tmp_path / "ws" / "files").rglob("*.*"))


def test_an_oversized_upload_is_refused_before_it_is_read(tmp_path, setup_path):
    client = make_app(tmp_path / "ws", setup_path, limits=UploadLimits(total_mb=1)).test_client()
    r = upload(client, [("big.xlsx", b"0" * (2 * 1024 * 1024))], follow=False)
    assert r.status_code == 413 and "มีขนาดรวมเกิน 1 MB" in r.get_data(as_text=True)


def test_a_file_over_the_per_file_limit_is_not_taken_in(tmp_path, setup_path, filled):
    client = make_app(tmp_path / "ws", setup_path, limits=UploadLimits(file_mb=1)).test_client()
    r = upload(client, [("big.xlsx", b"0" * (1024 * 1024 + 1)), ("3601.xlsx", filled("3601").read_bytes())])
    html = r.get_data(as_text=True)
    assert "ไฟล์ big.xlsx มีขนาดเกิน 1 MB จึงไม่ได้รับไว้" in html and "รับไฟล์ 1 ไฟล์" in html


# --- the command ------------------------------------------------------------------------------

def test_serve_set_password_stores_a_scrypt_hash(tmp_path):
    from typer.testing import CliRunner

    from generator.cli import app as cli

    r = CliRunner().invoke(cli, ["serve", "--workspace", str(tmp_path / "ws"), "--set-password"],
                           input="office password 36\noffice password 36\n")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "ws" / "password.hash").read_text().startswith("scrypt:")
    assert Workspace(tmp_path / "ws").check_password("office password 36")


def test_serving_the_network_without_a_password_is_refused(tmp_path):
    from typer.testing import CliRunner

    from generator.cli import app as cli

    r = CliRunner().invoke(cli, ["serve", "--workspace", str(tmp_path / "ws"), "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "ต้องตั้งรหัสผ่านก่อน" in r.output
