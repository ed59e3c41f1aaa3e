"""Districts on their own pages (issue 14): links, sessions, 404 for everything not theirs, the
access matrix over every route the app registers, files speaking for someone else, the audit trail."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import pytest

from generator.samples.demo import DEMO_PERIOD
from tests.webtools import make_app, token

MONTH = "2566-08"
PASSWORD = "รหัสผ่านจังหวัด 36"


@pytest.fixture
def app(tmp_path, setup_path):
    app = make_app(tmp_path / "ws", setup_path, require_login=True)
    app.extensions["savings"]["ws"].set_password(PASSWORD)
    return app


def province(app):
    client = app.test_client()
    r = client.post("/login", data={"csrf": token(client, "/login"), "password": PASSWORD})
    assert r.status_code == 302
    return client


def district(app, code: str):
    """A district's browser: the province makes its link, the district opens it."""
    link = app.extensions["savings"]["ws"].new_link(code, datetime.now())
    client = app.test_client()
    r = client.get(f"/d/{link}")
    assert r.status_code == 302 and r.headers["Location"].endswith("/district")
    return client, link


def send(client, files, month: str = MONTH):
    t = token(client, f"/district/m/{month}")
    return client.post(f"/district/m/{month}/upload", data={"csrf": t, "files": [(io.BytesIO(b), n) for n, b in files]},
                       content_type="multipart/form-data", follow_redirects=True)


def test_opening_the_link_gives_a_session_and_an_address_without_the_token(app):
    client, link = district(app, "3601")
    r = client.get("/district", follow_redirects=True)
    assert r.status_code == 200 and link not in r.request.url
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert "อำเภอเมืองชัยภูมิ ประจำเดือน" in r.get_data(as_text=True)
    stored = (Path(app.extensions["savings"]["ws"].root) / "uploads.sqlite").read_bytes()
    assert link.encode() not in stored  # only its hash is kept
    assert len(link) >= 22  # at least 128 random bits, URL-safe


def test_a_renewed_or_revoked_link_ends_the_districts_sessions(app):
    ws = app.extensions["savings"]["ws"]
    client, old = district(app, "3601")
    assert client.get(f"/district/m/{MONTH}").status_code == 200
    ws.new_link("3601", datetime.now())
    assert client.get(f"/district/m/{MONTH}").status_code == 404
    assert app.test_client().get(f"/d/{old}").status_code == 404
    client, _ = district(app, "3601")
    ws.revoke_link("3601", datetime.now())
    assert client.get(f"/district/m/{MONTH}").status_code == 404


def test_guessing_tokens_is_rate_limited_per_address(app):
    client = app.test_client()
    codes = [client.get(f"/d/guess{i}").status_code for i in range(7)]
    assert codes == [404] * 5 + [429] * 2


def test_a_file_claiming_another_district_or_month_is_refused_saying_what_it_claims(app, filled, setup):
    client, _ = district(app, "3601")
    r = send(client, [("mine.xlsx", filled("3602").read_bytes())])
    html = r.get_data(as_text=True)
    assert "เป็นแบบรายงานของอำเภอบ้านเขว้า ไม่ใช่อำเภอเมืองชัยภูมิ จึงไม่ได้รับไว้" in html
    assert app.extensions["savings"]["ws"].uploads(DEMO_PERIOD) == []
    r = send(client, [("july.xlsx", filled("3601").read_bytes())], month="2566-07")
    assert "ไม่ใช่เดือนกรกฎาคม 2566" in r.get_data(as_text=True)
    trail = app.extensions["savings"]["ws"].audit_trail("3601")
    assert [a["action"] for a in trail].count("upload_refused") == 2


def test_a_district_fixes_its_file_until_it_passes_and_the_province_sees_the_trail(app, filled):
    client, _ = district(app, "3601")
    html = send(client, [("3601.xlsx", filled("3601", {(1, "members"): 3.5}).read_bytes())]).get_data(as_text=True)
    assert "ไม่ผ่านการตรวจ" in html and "F7" in html and "ยังไม่มีไฟล์ที่ผ่านการตรวจ" in html
    html = send(client, [("3601 fixed.xlsx", filled("3601").read_bytes())]).get_data(as_text=True)
    assert "ไฟล์ที่ใช้นับผล: 3601 fixed.xlsx" in html
    page = province(app).get(f"/m/{MONTH}/d/3601").get_data(as_text=True)
    assert page.count("ส่งไฟล์") >= 2 and "เปิดลิงก์" in page and "สร้างลิงก์" in page


def test_links_page_makes_a_link_once_with_a_line_message(app):
    client = province(app)
    t = token(client, "/links")
    html = client.post("/links/3601/renew", data={"csrf": t}, follow_redirects=True).get_data(as_text=True)
    url = re.search(r'<code class="link-url">([^<]+)</code>', html).group(1)
    assert "/d/" in url and "เรียน สำนักงานพัฒนาชุมชนอำเภอเมืองชัยภูมิ" in html and url in html.split("textarea")[1]
    again = client.get("/links").get_data(as_text=True)
    assert url not in again  # shown once only


# --- the access matrix -----------------------------------------------------------------------

def test_access_matrix_over_every_registered_route(app, filled):
    a, _ = district(app, "3601")
    b, _ = district(app, "3602")
    send(a, [("a.xlsx", filled("3601", {(1, "members"): 3.5}).read_bytes())])  # with its feedback workbook
    send(b, [("b.xlsx", filled("3602").read_bytes())])
    ws = app.extensions["savings"]["ws"]
    sha = {u.leaf[0]: u.sha256 for u in ws.uploads(DEMO_PERIOD)}
    roles = {"anonymous": app.test_client(), "A": a, "B": b, "province": province(app)}
    open_endpoints = {"web.login", "static", "web.font", "web.report_css", "district.exchange", "district.gone"}
    seen = set()
    # Logging out, and renewing or revoking links, end sessions the rest of the walk uses: they go last.
    def last(rule) -> tuple[bool, bool]:
        return rule.endpoint.endswith("logout"), rule.endpoint.startswith("web.link")

    for rule in sorted(app.url_map.iter_rules(), key=last):
        seen.add(rule.endpoint)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role, client in roles.items():
                values = {"month": MONTH, "code": "3601", "key": "district:3601", "name": "Sarabun-Regular.ttf",
                          "filename": "web.css", "token": "not-a-token", "sha256": sha["a"]}
                url = rule.build({k: values[k] for k in rule.arguments})[1]
                data = {"csrf": token(client, "/login")} if role == "anonymous" else {"csrf": _token_for(client, role)}
                r = client.get(url) if method == "GET" else client.post(url, data=data)
                where = f"{role} {method} {url} ({rule.endpoint}) -> {r.status_code}"
                assert r.status_code < 500, where
                if rule.endpoint in open_endpoints:
                    continue
                if rule.endpoint.startswith("district."):
                    if role in ("anonymous", "province"):
                        assert r.status_code == 404, where
                    elif role == "B" and rule.endpoint in ("district.returned_file", "district.upload_feedback"):
                        assert r.status_code == 404, where  # A's file or feedback through B's session
                    elif role == "A" and rule.endpoint in ("district.returned_file", "district.upload_feedback"):
                        assert r.status_code == 200, where  # its own
                    else:
                        assert r.status_code != 403, where
                else:
                    if role == "anonymous":
                        assert r.status_code in ((302,) if method == "GET" else (403,)), where
                        if method == "GET":
                            assert r.headers["Location"].endswith("/login"), where
                    elif role in ("A", "B"):
                        assert r.status_code == 404, where  # no hint that the province's pages exist
                    else:
                        # files that exist only after a report run (none was made here) may be 404
                        made_by_a_run = {"web.output", "web.feedback_zip", "web.returned_file", "web.received"}  # or a file's hash in the form
                        assert r.status_code != 403 and (r.status_code != 404 or rule.endpoint in made_by_a_run), where
                        if method == "GET" and r.status_code == 302:
                            assert "/login" not in r.headers["Location"], where
                if role in ("A", "B") and method == "GET" and r.status_code == 302:
                    assert "/login" not in r.headers["Location"], where
                if role == "province" and rule.endpoint.startswith("web.link"):
                    # the province renewed or revoked links: the districts open their new ones
                    roles["A"], roles["B"] = district(app, "3601")[0], district(app, "3602")[0]
    assert {"district.month", "district.upload", "web.month", "web.upload", "web.links"} <= seen
    # B never sees A's file, feedback or page, whatever the URL says.
    b = district(app, "3602")[0]  # the walk logged B out at its end
    assert b.get(f"/district/m/{MONTH}/f/{sha['a']}").status_code == 404
    assert b.get(f"/district/m/{MONTH}/out/feedback:3601:a.xlsx").status_code == 404
    assert b.get(f"/m/{MONTH}/d/3601").status_code == 404
    assert "a.xlsx" not in b.get(f"/district/m/{MONTH}").get_data(as_text=True)


def _token_for(client, role: str) -> str:
    """The session's CSRF token (a district whose link the walk has renewed has none left)."""
    from tests.webtools import TOKEN

    found = TOKEN.search(client.get("/links" if role == "province" else f"/district/m/{MONTH}").get_data(as_text=True))
    return found.group(1) if found else "no-session"


def test_a_new_link_comes_with_its_qr_code_inline_and_printable(app):
    """The QR code is an inline SVG (nothing fetched, no inline script) that decodes to the very link."""
    client = province(app)
    t = token(client, "/links")
    r = client.post("/links/3601/renew", data={"csrf": t}, follow_redirects=True)
    html = r.get_data(as_text=True)
    url = re.search(r'<code class="link-url">([^<]+)</code>', html).group(1)
    row = html.split('data-district="3601"')[1].split("</tr>")[0]
    svg = re.search(r"<svg[^>]*class=\"qr\".*?</svg>", row, re.S).group(0)
    assert "<script" not in svg and "href" not in svg and "อำเภอเมืองชัยภูมิ" in row
    assert "script-src" not in r.headers["Content-Security-Policy"]  # nothing to allow: default-src 'self'
    assert _qr_text(svg, [url[:-1] + "x", url]) == url
    for other in ("3602", "3603"):
        assert "<svg" not in html.split(f'data-district="{other}"')[1].split("</tr>")[0]  # no link made: no code


def _qr_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules an SVG draws: segno writes each row as runs, "M x y" / "m dx dy" moves and
    "h n" draws n modules (y is the row's middle, border included)."""
    path = re.search(r' d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark |= {(int(x) + k, int(y)) for k in range(int(float(a)))}
            x += float(a)
    return dark


def _qr_text(svg: str, candidates: list[str]) -> str | None:
    """Which of the candidate texts the SVG encodes (segno's encoding is deterministic)."""
    import segno

    drawn = _qr_modules(svg)
    for text in candidates:
        matrix = segno.make(text, error="m").matrix
        expected = {(c + 4, r + 4) for r, row in enumerate(matrix) for c, v in enumerate(row) if v}
        if expected == drawn:
            return text
    return None
