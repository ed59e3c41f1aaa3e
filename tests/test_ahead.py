"""Workbooks made ahead of the click (the web page's, once the month has settled): the run takes
them only when they are the very ones it would make, and makes its own once the month changed."""

from __future__ import annotations

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
    assert make_ahead(preview, setup, period, "th", ahead) == 2  # the summary, and 3602's feedback
    assert make_ahead(preview, setup, period, "th", ahead) == 0  # made already
    assert make_ahead(preview, setup, period, "th", ahead, still=lambda: False) == 0

    made = []
    for cls in (SummaryWorkbook, FeedbackWorkbook):
        original = cls.write
        monkeypatch.setattr(cls, "write", lambda self, path, _o=original: made.append(type(self).__name__) or _o(self, path))
    taken = make_report(setup, period, inbox, tmp_path / "out", store, MADE_ON, ahead=ahead)
    assert made == []
    kept = {p.read_bytes() for p in ahead.iterdir()}
    feedback = [k for k in taken.outputs if k.startswith("feedback:")]
    assert len(feedback) == 1 and taken.outputs[feedback[0]].read_bytes() in kept
    assert taken.outputs["excel"].read_bytes() in kept
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
    assert content_token(1) != content_token("1") != content_token(1.0)
    assert content_token(object()) is None
    kept = MadeAhead(tmp_path / "k", keep=2)
    for n in range(4):
        assert kept.make(f"k{n}", ".xlsx", lambda p, n=n: p.write_bytes(b"%d" % n) and p)
    assert sorted(p.name for p in (tmp_path / "k").iterdir()) == ["k2.xlsx", "k3.xlsx"]
    assert kept.take("k0", tmp_path / "t.xlsx") is None and kept.take(None, tmp_path / "t.xlsx") is None
    assert kept.take("k3", tmp_path / "t.xlsx").read_bytes() == b"3"
