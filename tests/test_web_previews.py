"""The month's preview under a stream of uploads (a deadline hour): at most one preview of a month is
worked out at a time, and the page is never left without one."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

from generator.samples.demo import DEMO_PERIOD
from generator.web.runner import Previews
from generator.web.workspace import Workspace


def test_a_stream_of_uploads_starts_one_preview_at_a_time(tmp_path, setup_path, monkeypatch):
    import generator.jobs as jobs

    running, peak, made = [], [0], []
    guard = threading.Lock()

    def slow_preview(*args, **kwargs):
        with guard:
            running.append(1)
            peak[0] = max(peak[0], len(running))
        time.sleep(0.2)
        with guard:
            running.pop()
        made.append(object())
        return made[-1]

    monkeypatch.setattr(jobs, "month_preview", slow_preview)
    ws = Workspace(tmp_path / "ws")
    ws.add_setup(Path(setup_path).read_bytes(), datetime(2023, 8, 1, 9, 0))
    previews = Previews(ws)
    state = iter(range(10_000))
    monkeypatch.setattr(previews, "_key", lambda setup, period: next(state))  # each look: a new file came
    setup = ws.setup()
    first, fresh = previews.get(setup, DEMO_PERIOD)  # the very first view waits for one
    assert fresh and first is made[0]
    for _ in range(30):  # 30 page views while files keep coming, 10 ms apart
        result, fresh = previews.get(setup, DEMO_PERIOD)
        assert result is not None and not fresh
        time.sleep(0.01)
    while previews._busy:
        time.sleep(0.05)
    assert peak[0] == 1, f"{peak[0]} previews of one month at once"
    assert 2 <= len(made) <= 4  # the first, then one at a time: not one per upload
    # A page that must wait (tests, the very first view) still gets one of the files as they are.
    assert previews.get(setup, DEMO_PERIOD, wait=True)[1] is True


def test_the_report_is_laid_out_ahead_once_the_month_has_settled(tmp_path, setup_path, filled, monkeypatch):
    """After a preview, once no file has come in for a while, the page hands the preview's summary
    to be laid out ahead of the click; a preview overtaken by a new file is never handed on."""
    ws = Workspace(tmp_path / "ws")
    ws.add_setup(Path(setup_path).read_bytes(), datetime(2023, 8, 1, 9, 0))
    settled = []
    previews = Previews(ws, on_settled=lambda setup, period, result, lang, still: settled.append((result.summary, lang)))
    monkeypatch.setattr(Previews, "SETTLE_SECONDS", 0.5)
    previews.report_lang = "en"
    setup = ws.setup()

    def take_in(code):
        path = filled(code)
        ws.add_file(DEMO_PERIOD, path.name, path, datetime.now())

    take_in("3601")
    result, _ = previews.get(setup, DEMO_PERIOD, wait=True)
    take_in("3602")  # before the month settles: that preview is not the month's any more
    time.sleep(1.0)
    assert settled == []
    newer, _ = previews.get(setup, DEMO_PERIOD, wait=True)
    time.sleep(1.0)
    assert settled == [(newer.summary, "en")]


def test_a_report_laid_out_ahead_is_written_alike_and_only_laid_out_once(setup, period, filled, tmp_path, monkeypatch):
    """A kept layout is the same document: the PDF written from it is the very same bytes, and the
    HTML is not laid out a second time. Without kept layouts (the CLI, the national run) nothing is kept."""
    import weasyprint

    from generator.outputs import pdf_engine
    from generator.outputs.render_pdf import render_html
    from generator.pipeline import run_month

    filled("3601")
    result = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", datetime(2023, 8, 25).date(), render=False)
    html = render_html(result.summary, "th")
    plain = pdf_engine.html_to_pdf(html)
    layouts = []
    real = weasyprint.HTML.render
    monkeypatch.setattr(weasyprint.HTML, "render", lambda self, **k: layouts.append(1) or real(self, **k))
    try:
        pdf_engine.keep_layouts(2)
        pdf_engine.lay_out(html)
        assert layouts == [1]
        assert pdf_engine.html_to_pdf(html) == plain and layouts == [1]  # written from the kept layout
        pdf_engine.keep_layouts(0)
        assert pdf_engine.html_to_pdf(html) == plain and layouts == [1, 1]
    finally:
        pdf_engine.keep_layouts(0)


def test_a_preview_keeps_each_files_problems_without_its_rows_or_groups(tmp_path, setup_path, filled):
    """The page holds the month's last preview as long as it shows the month: each file's name, time
    and problems, never its sheet's cells; the month's figures keep the groups that count."""
    ws = Workspace(tmp_path / "ws")
    ws.add_setup(Path(setup_path).read_bytes(), datetime(2023, 8, 1, 9, 0))
    for code, changes in (("3601", None), ("3602", {(1, "members"): -5})):
        path = filled(code, changes)
        ws.add_file(DEMO_PERIOD, path.name, path, datetime.now())
    result, _ = Previews(ws).get(ws.setup(), DEMO_PERIOD, wait=True)
    assert sorted(c.submission.name for c in result.checked) == ["3601.xlsx", "3602.xlsx"]
    assert all(c.groups is None and (c.submission.table is None or c.submission.table.rows == [])
               for c in result.checked)
    rejected = next(c for c in result.checked if c.submission.name == "3602.xlsx")
    assert any(p.is_error and p.cell for p in rejected.problems)  # its problems, each at its cell
    assert set(result.summary.groups["district_code"]) == {"3601"}


def test_once_the_month_has_settled_serve_makes_its_report_ahead_and_the_run_takes_it(
        tmp_path, setup_path, filled, monkeypatch):
    """With serve's workers, a settled month's Excel summary and feedback workbooks are made in the
    check worker before the click, and its PDF laid out and written in the PDF worker; the click's
    run takes the workbooks instead of making them, and its PDF is the one it would write itself."""
    from generator.jobs import make_report
    from generator.outputs.feedback import FeedbackWorkbook
    from generator.outputs.parallel import check_worker, pdf_worker
    from generator.outputs.pdf_engine import html_to_pdf
    from generator.outputs.render_excel import SummaryWorkbook
    from generator.outputs.render_pdf import render_html
    from generator.web import _ahead_of_the_click

    ws = Workspace(tmp_path / "ws")
    ws.add_setup(Path(setup_path).read_bytes(), datetime(2023, 8, 1, 9, 0))
    for code, changes in (("3601", None), ("3602", {(1, "members"): -5})):
        path = filled(code, changes)
        ws.add_file(DEMO_PERIOD, path.name, path, datetime.now())
    setup = ws.setup()

    def run(**kwargs):
        return make_report(setup, DEMO_PERIOD, ws.inbox(DEMO_PERIOD), ws.output, ws.store_path(setup),
                           datetime.now().date(), **kwargs)

    run()  # the month's first run: the store holds it
    monkeypatch.setattr(Previews, "SETTLE_SECONDS", 0.3)
    made = []
    with pdf_worker(keep_layouts=2) as laying_out, check_worker() as checking:
        assert laying_out is not None and checking is not None
        Previews(ws, on_settled=_ahead_of_the_click(ws)).get(setup, DEMO_PERIOD, wait=True)
        deadline = time.monotonic() + 120
        while len(list(ws.ahead.rglob("*.xlsx"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(list(ws.ahead.rglob("*.xlsx"))) == 2
        for cls in (SummaryWorkbook, FeedbackWorkbook):
            original = cls.write
            monkeypatch.setattr(cls, "write", lambda self, path, _o=original: made.append(type(self).__name__) or _o(self, path))
        result = run(ahead=ws.ahead)
    assert made == []
    assert result.outputs["excel"].read_bytes() in {p.read_bytes() for p in ws.ahead.rglob("*.xlsx")}
    assert result.outputs["pdf"].read_bytes() == html_to_pdf(render_html(result.summary, "th"), [result.outputs["excel"]])


def test_nothing_is_made_ahead_while_a_run_is_under_way(tmp_path, monkeypatch):
    """A run makes the month's report itself: making it ahead meanwhile would only take its CPU."""
    import generator.jobs as jobs
    import generator.outputs.parallel as parallel
    from generator.web import _ahead_of_the_click

    calls = []
    monkeypatch.setattr(jobs, "make_ahead", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(parallel, "active_check_worker", lambda: object())
    ws = Workspace(tmp_path / "ws")
    running = [True]
    settled = _ahead_of_the_click(ws, running=lambda: running[0])
    settled(None, DEMO_PERIOD, None, "th", lambda: True)
    assert calls == []
    running[0] = False
    settled(None, DEMO_PERIOD, None, "th", lambda: True)
    assert len(calls) == 1
