"""The command line's hostile-file corpus sent through a district's own page (issue 14): every file is
refused or flagged with the very message `savings-report validate` gives, never a traceback or a
500; HTML and formula payloads in names and values come out as text."""

from __future__ import annotations

import io
import re

import pytest
from markupsafe import escape
from openpyxl import load_workbook

from generator.jobs import check_file
from generator.core.schema import GROUPS
from tests.corpus import groups_cell, make_corpus
from tests.test_web_district import MONTH, district, send
from tests.webtools import make_app


@pytest.fixture
def app(tmp_path, setup_path):
    from tests.test_web_district import PASSWORD

    app = make_app(tmp_path / "ws", setup_path, require_login=True)
    app.extensions["savings"]["ws"].set_password(PASSWORD)
    return app


def test_every_hostile_file_gets_the_clis_message_on_the_district_page(app, filled, setup, period, tmp_path):
    corpus = make_corpus(tmp_path / "broken", filled("3601", folder=tmp_path / "valid"))
    client, _ = district(app, "3601")
    for kind, case in corpus.items():
        expected = next(p for p in check_file(case.path, setup, period=period).problems if p.rule_id == case.rule_id)
        r = send(client, [(case.path.name, case.path.read_bytes())])
        html = r.get_data(as_text=True)
        assert r.status_code == 200, (kind, r.status_code)
        assert "Traceback" not in html and "unexpected" not in html.lower(), kind
        assert str(escape(expected.message_th)) in html, (kind, expected.message_th)
        if case.cell:
            assert case.cell in html, kind
        if case.rule_id in ("F_OTHER_PROVINCE", "F_OTHER_PERIOD", "F_UNKNOWN_DISTRICT"):
            # Not this district's return of this month: refused, never taken in.
            assert case.path.name not in {u.leaf for u in app.extensions["savings"]["ws"].uploads(period)}, kind
        else:
            latest = html.split('id="latest"')[1].split("</section>")[0]
            assert case.path.name in latest, kind
            status = "ผ่านการตรวจสอบ" if case.accepted else "ไม่ผ่านการตรวจสอบ"
            assert f'<span class="dot"></span>{status}</span>' in latest, kind
    # The province's pages still work with all of that in the month.
    assert app.test_client().get("/login").status_code == 200


HTML_NAME = '<img src=x onerror=alert(1)>"\'.xlsx'
FORMULA = '=HYPERLINK("http://127.0.0.1:9/","click")'
SCRIPT = "<script>alert('x')</script>"


def test_html_and_formulas_in_names_and_values_come_out_as_text(app, filled, tmp_path):
    path = filled("3601", {(1, "members"): SCRIPT})
    wb = load_workbook(path)  # typed as text, as Excel keeps a text cell that starts with "="
    for ref, text in ((groups_cell("group_name", 0), FORMULA + SCRIPT), (groups_cell("remarks", 2), FORMULA)):
        wb[GROUPS.sheet_th][ref].value = text
        wb[GROUPS.sheet_th][ref].data_type = "s"
    wb.save(path)
    client, _ = district(app, "3601")
    html = send(client, [(HTML_NAME, path.read_bytes())]).get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert str(escape(SCRIPT)) in html  # the value found, shown as text in the problem's row
    assert groups_cell("members", 1) in html
    link = re.search(r'href="(/district/m/[^"]+/feedback/[0-9a-f]{64})"', html).group(1)
    wb = load_workbook(io.BytesIO(client.get(link).data))
    sheet = wb[GROUPS.sheet_th]
    for ref, text in ((groups_cell("group_name", 0), FORMULA + SCRIPT), (groups_cell("remarks", 2), FORMULA)):
        assert sheet[ref].value == text and sheet[ref].data_type == "s", (ref, sheet[ref].value, sheet[ref].data_type)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":  # the district's own village lookups, nothing it typed
                    assert c.value.startswith("=IFERROR(VLOOKUP("), (ws.title, c.coordinate, c.value)
    # The name the district gave its file is shown reduced, never as markup, also to the province.
    from tests.test_web_district import province

    page = province(app).get(f"/m/{MONTH}/d/3601").get_data(as_text=True)
    assert "<img src=x" not in page and "<script>alert" not in page
