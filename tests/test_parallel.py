"""The PDF worker: same bytes as rendering in-process, and a dead worker does not lose the PDF."""

from __future__ import annotations

import os

import pytest
from datetime import date

from generator.outputs import parallel
from generator.pipeline import run_month
from generator.outputs.render_excel import write_summary_workbook


def _exit_now() -> None:
    os._exit(3)  # the worker dies as if killed


def test_worker_pdf_is_the_same_as_in_process_and_survives_a_dead_worker(filled, setup, period, tmp_path):
    filled("3601")
    filled("3602", {(0, "members"): -1})
    with parallel.pdf_worker() as worker:
        assert parallel.active_pdf_worker() is worker
        result = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25))
        excel = write_summary_workbook(result.summary, tmp_path / "s.xlsx")
        here = parallel.render_pdf_file(result.summary, tmp_path / "here.pdf", [excel], "th")
        there = worker.submit_pdf(result.summary, tmp_path / "there.pdf", [excel], "th").result()
        assert there.read_bytes() == here.read_bytes()
        # The run inside the block rendered its PDF through the worker, into the output folder.
        assert result.outputs["pdf"].read_bytes()[:5] == b"%PDF-"
        dead = worker._pool.submit(_exit_now)
        again = parallel.pdf_result(dead, result.summary, tmp_path / "again.pdf", [excel], "th")
        assert again.read_bytes() == here.read_bytes()
    assert parallel.active_pdf_worker() is None


def test_the_worker_lays_out_first_and_attaches_the_excel_once_it_is_written(filled, setup, period, tmp_path):
    filled("3601")
    result = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25), render=False)
    later = tmp_path / "later"
    later.mkdir()
    excel = later / "s.xlsx"
    with parallel.pdf_worker() as worker:
        pending = worker.submit_pdf(result.summary, tmp_path / "there.pdf", parallel.WhenWritten([excel]), "th")
        write_summary_workbook(result.summary, excel)  # written while the worker lays the pages out
        there = pending.result()
        here = parallel.render_pdf_file(result.summary, tmp_path / "here.pdf", [excel], "th")
        assert there.read_bytes() == here.read_bytes()
        gone = tmp_path / "gone"
        gone.mkdir()
        failed = worker.submit_pdf(result.summary, gone / "x.pdf", parallel.WhenWritten([gone / "never.xlsx"]), "th")
        gone.rmdir()  # the run failed and its staging folder was removed: the worker stops waiting
        with pytest.raises(RuntimeError, match="never written"):
            failed.result(timeout=60)


def test_the_worker_also_works_where_processes_are_spawned_not_forked(filled, setup, period, tmp_path, monkeypatch):
    import multiprocessing

    filled("3601")
    result = run_month(setup, period, tmp_path / "inbox", tmp_path / "out", date(2023, 8, 25), render=False)
    excel = write_summary_workbook(result.summary, tmp_path / "s.xlsx")
    monkeypatch.setattr(parallel, "process_context", lambda: multiprocessing.get_context("spawn"))  # Windows, macOS
    with parallel.pdf_worker() as worker:
        there = worker.submit_pdf(result.summary, tmp_path / "there.pdf", [excel], "th").result(timeout=120)
    here = parallel.render_pdf_file(result.summary, tmp_path / "here.pdf", [excel], "th")
    assert there.read_bytes() == here.read_bytes()


def _pid_and(fn, *args):
    return os.getpid(), fn(*args)


def test_uploads_are_checked_in_the_check_worker_alike_and_a_dead_worker_loses_no_answer(filled, setup, period):
    """The web page's uploads are checked in a second process; the answer is the one checked here,
    and when that process dies the check is made here instead."""
    from generator.jobs import check_file, check_upload
    from generator.intake.limits import DEFAULT_LIMITS

    path = filled("3602", {(0, "members"): -1})
    here = check_file(path, setup, DEFAULT_LIMITS, period)
    assert not here.ok
    with parallel.check_worker() as pool:
        pid, there = parallel.in_check_worker(_pid_and, check_file, path, setup, DEFAULT_LIMITS, period)
        assert pid != os.getpid()
        assert there == here and check_upload(path, setup, DEFAULT_LIMITS, period) == here
        with pytest.raises(Exception):
            pool.submit(_exit_now).result()
        assert check_upload(path, setup, DEFAULT_LIMITS, period) == here  # worked out here
    pid, alone = parallel.in_check_worker(_pid_and, check_file, path, setup, DEFAULT_LIMITS, period)
    assert pid == os.getpid() and alone == here
