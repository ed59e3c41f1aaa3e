"""Workbooks made ahead of the click (the web page's, once the month has settled): the run takes
them only when they are the very ones it would make, and makes its own once the month changed."""

from __future__ import annotations

import os
from datetime import date

from openpyxl import load_workbook

from generator.jobs import make_ahead, make_report, month_preview
from generator.outputs.ahead import MadeAhead, content_token
from generator.outputs.feedback import FeedbackWorkbook
from generator.outputs.render_excel import SummaryWorkbook

MADE_ON = date(2023, 8, 25)


def cells(path) -> dict:
    wb = load_workbook(path)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_workbooks_made_ahead_are_taken_by_the_run_only_while_they_are_its_own(setup, period, filled, tmp_path,
                                                                              monkeypatch):
    filled("3601")
    filled("3602", {(1, "members"): -5})
    inbox, store, ahead = tmp_path / "inbox", tmp_path / "store.sqlite", tmp_path / "ahead"
    make_report(setup, period, inbox, tmp_path / "out", store, MADE_ON)  # the store holds the month once
    plain = make_report(setup, period, inbox, tmp_path / "plain", store, MADE_ON)

    preview = month_preview(setup, period, inbox, store, MADE_ON)
    paths = make_ahead(preview, setup, period, "th", ahead)
    assert [p.name for p in paths] == [plain.outputs["excel"].name, "feedback_3602_2566-08_บ้านเขว้า.xlsx"]
    times = [p.stat().st_mtime_ns for p in paths]
    assert make_ahead(preview, setup, period, "th", ahead) == paths  # made already: kept as they were
    assert [p.stat().st_mtime_ns for p in paths] == times
    assert make_ahead(preview, setup, period, "th", ahead, still=lambda: False) == []

    made = []
    for cls in (SummaryWorkbook, FeedbackWorkbook):
        original = cls.write
        monkeypatch.setattr(cls, "write", lambda self, path, _o=original: made.append(type(self).__name__) or _o(self, path))
    taken = make_report(setup, period, inbox, tmp_path / "out", store, MADE_ON, ahead=ahead)
    assert made == []
    kept = {p.read_bytes() for p in ahead.rglob("*.xlsx")}
    feedback = [k for k in taken.outputs if k.startswith("feedback:")]
    assert len(feedback) == 1 and taken.outputs[feedback[0]].read_bytes() in kept
    assert taken.outputs["excel"].read_bytes() in kept
    assert taken.outputs["excel"].stat().st_mtime_ns == times[0]  # its time too: the PDF attaches it with it
    # the very workbooks the run makes itself
    assert cells(taken.outputs["excel"]) == cells(plain.outputs["excel"])
    assert cells(taken.outputs[feedback[0]]) == cells(plain.outputs[feedback[0]])

    # In English the summary is another workbook: not taken.
    english = make_report(setup, period, inbox, tmp_path / "en", store, MADE_ON, lang="en", ahead=ahead)
    assert made == ["SummaryWorkbook"] and english.outputs["excel"].read_bytes() not in kept

    # One more file: the month has changed, and the run makes its own summary, with that district in it.
    made.clear()
    filled("3603")
    later = make_report(setup, period, inbox, tmp_path / "out", store, MADE_ON, ahead=ahead)
    assert "SummaryWorkbook" in made
    assert later.outputs["excel"].read_bytes() not in kept
    assert "3603" in set(later.summary.groups["district_code"])


def test_a_digest_is_of_the_values_and_none_when_one_cannot_be_told(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "ย"]})
    assert content_token(frame, [1, "a"]) == content_token(frame.copy(), [1, "a"])
    assert content_token(frame, [1, "a"]) != content_token(frame.assign(a=[1, 3]), [1, "a"])
    assert content_token(frame, [1, "a"]) != content_token(frame.astype({"a": float}), [1, "a"])
    assert content_token(1) != content_token("1") != content_token(1.0)
    assert content_token(object()) is None
    kept = MadeAhead(tmp_path / "k", keep=2)
    for n in range(4):
        path = kept.make(f"k{n}", "s.xlsx", lambda p, n=n: p.write_bytes(b"%d" % n))
        assert path == tmp_path / "k" / f"k{n}" / "s.xlsx"
        os.utime(path.parent, ns=(n * 10**9, n * 10**9))
    assert sorted(p.name for p in (tmp_path / "k").iterdir()) == ["k2", "k3"]
    assert kept.make(None, "s.xlsx", lambda p: 1 / 0) is None
    assert kept.take("k0", tmp_path / "s.xlsx") is None and kept.take(None, tmp_path / "s.xlsx") is None
    assert kept.take("k3", tmp_path / "other.xlsx") is None  # kept under its own name only
    assert kept.take("k3", tmp_path / "s.xlsx").read_bytes() == b"3"


def test_a_report_written_ahead_is_taken_only_with_the_very_same_attachments(setup, period, filled, tmp_path,
                                                                            monkeypatch):
    """The PDF worker writes the settled month's report with the summary made ahead attached, and
    keeps it: the run's PDF with that very summary (name, bytes, time) is those bytes, not written
    again; any other attachment, or another time, is written anew. Nothing is kept by default."""
    import weasyprint

    from generator.outputs import pdf_engine
    from generator.outputs.render_pdf import render_html
    from generator.pipeline import run_month

    filled("3601")
    html = render_html(run_month(setup, period, tmp_path / "inbox", tmp_path / "out", MADE_ON, render=False).summary, "th")
    attached = tmp_path / "summary.xlsx"
    attached.write_bytes(b"made ahead")
    writes = []
    real = weasyprint.document.Document.write_pdf
    monkeypatch.setattr(weasyprint.document.Document, "write_pdf", lambda self, *a, **k: writes.append(1) or real(self, *a, **k))
    try:
        pdf_engine.keep_layouts(2)
        ahead = pdf_engine.html_to_pdf(html, [attached])
        assert pdf_engine.html_to_pdf(html, [attached]) == ahead and len(writes) == 1
        os.utime(attached, (1_690_000_000, 1_690_000_000))
        assert pdf_engine.html_to_pdf(html, [attached]) != ahead and len(writes) == 2
        attached.write_bytes(b"made since")
        pdf_engine.html_to_pdf(html, [attached])
        assert len(writes) == 3
        pdf_engine.keep_layouts(0)
        pdf_engine.html_to_pdf(html, [attached])
        pdf_engine.html_to_pdf(html, [attached])
        assert len(writes) == 5
    finally:
        pdf_engine.keep_layouts(0)
