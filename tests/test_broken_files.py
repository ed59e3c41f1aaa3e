"""No broken file, however broken, crashes the run, hangs it, or affects the other districts."""

from __future__ import annotations

import hashlib
import time
from datetime import date

import pytest

from generator.demo import simulated_groups
from generator.intake import read_submission
from generator.pipeline import EXIT_REJECTED, run_month
from generator.validation import validate_submission
from tests.corpus import make_corpus


@pytest.fixture
def corpus(filled, tmp_path):
    return make_corpus(tmp_path / "broken", filled("3605", folder=tmp_path / "valid"))


def test_each_broken_file_gets_its_own_clear_thai_message(corpus, setup, period):
    for kind, (path, rule_id) in corpus.items():
        started = time.perf_counter()
        c = validate_submission(read_submission(path, setup, period), setup, period)
        elapsed = time.perf_counter() - started
        assert rule_id in [p.rule_id for p in c.problems], kind
        p = next(p for p in c.problems if p.rule_id == rule_id)
        assert p.file == path.name and p.message_th and p.fix_th, kind
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in p.message_th), kind
        if kind != "macros":
            assert not c.accepted, kind
        assert elapsed < 10, f"{kind} took {elapsed:.1f}s"  # refused, not expanded


def test_broken_files_do_not_affect_the_other_districts(corpus, filled, setup, period, tmp_path):
    inbox = tmp_path / "broken"
    filled("3601", folder=inbox)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()}
    result = run_month(setup, period, inbox, tmp_path / "out", date(2023, 8, 25))
    assert result.exit_code == EXIT_REJECTED
    reports = {d.district_code: d.report for d in result.summary.districts}
    # 3601 is whole; of the corpus (all from 3605) only the macro workbook is readable, with a warning
    assert reports["3601"] == "accepted" and reports["3605"] == "accepted"
    assert result.summary.total.members == sum(
        int(simulated_groups(setup, code, period)["members"].sum()) for code in ("3601", "3605"))
    assert len(result.summary.files) == len(corpus) + 1
    assert before == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()}
