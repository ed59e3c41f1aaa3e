"""Work spread over processes: the PDF of one province beside its Excel files, and provinces side by side.

WeasyPrint lays a document out on one core, and that layout is the longest step of a province's
month. `pdf_worker()` starts a second process before the month is read; it imports WeasyPrint,
loads the Sarabun fonts and the stylesheet and compiles the Jinja template (about half a second)
while the main process reads and validates the returns. `_render_all` in the pipeline then hands
it the finished summary and writes the Excel summary and the feedback workbooks itself meanwhile.
The worker runs the very same `render_pdf.write_pdf` on the same summary, so the PDF is the same
as one rendered in-process; without an active worker (tests, the demo, the national run, which is
parallel across provinces instead) everything is rendered in the calling process.

`province_pool()` is the pool for many provinces at once (the national run, `generator.nation`): one
process per core, each keeping its WeasyPrint fonts and Jinja environment for all the provinces it renders.

"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

_active: list["PdfWorker"] = []


def process_context():
    """fork on Linux: the child starts with pandas and the tool already imported, in milliseconds.
    Elsewhere (macOS, Windows) fork is unsafe or missing, and spawn is used."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_CHECK_SECONDS = 1.0


def die_with_parent(parent: int) -> None:
    """A worker must not outlive the run that started it (`kill -9` of `run` once left one holding
    150 MiB for ten minutes): on Linux the kernel kills it when its parent dies
    (PR_SET_PDEATHSIG); everywhere, a thread ends it once it has been re-parented."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before the line above took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="watch-parent").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _warm_orphan_proof(parent: int) -> int:
    die_with_parent(parent)
    return warm_renderer()


def warm_renderer(keep_layouts: int = 0) -> int:
    """Load what every PDF needs once per process: WeasyPrint, fonts, stylesheet, template, text-layer fix."""
    from generator.outputs import pdf_engine, pdf_text, render_pdf
    from generator.outputs.formatting import environment

    pdf_engine.warm()
    pdf_engine.keep_layouts(keep_layouts)
    environment().get_template(render_pdf.TEMPLATE)
    pdf_text.install()
    return os.getpid()


def render_pdf_file(summary, path: Path, attachments, lang: str) -> Path:
    from generator.outputs.render_pdf import write_pdf

    return write_pdf(summary, path, attachments=attachments, lang=lang)


def lay_out_report(summary, lang: str) -> None:
    from generator.outputs.pdf_engine import lay_out
    from generator.outputs.render_pdf import render_html

    lay_out(render_html(summary, lang))


def write_report_ahead(summary, attachments: list[Path], lang: str) -> None:
    from generator.outputs.pdf_engine import html_to_pdf
    from generator.outputs.render_pdf import render_html

    html_to_pdf(render_html(summary, lang), attachments, lang=lang)


def render_district_file(summary, code: str, path: Path, lang: str) -> Path:
    from generator.outputs.render_pdf import write_district_pdf

    return write_district_pdf(summary, code, path, lang)


class WhenWritten:
    """Attachments that another process is still writing: waits, after the layout, until every file
    is in place. The tool's files appear whole (written beside, then renamed), so existing means
    complete; a staging folder that disappears means the run failed, and the wait ends with it."""

    def __init__(self, paths: list[Path], timeout: float = 600.0):
        self.paths, self.timeout = [Path(p) for p in paths], timeout

    def __call__(self) -> list[Path]:
        import time

        deadline = time.monotonic() + self.timeout
        while not all(p.exists() for p in self.paths):
            if not all(p.parent.is_dir() for p in self.paths) or time.monotonic() > deadline:
                raise RuntimeError(f"the files to attach were never written: {self.paths}")
            time.sleep(0.005)
        return self.paths


class PdfWorker:
    """One warm process that renders PDFs. Submit jobs; `close()` waits for it to end."""

    def __init__(self, keep_layouts: int = 0) -> None:
        # Started before any thread of ours exists (the console spinner comes later), so a forked
        # child never inherits a lock held by another thread.
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=process_context(), initializer=die_with_parent,
                                         initargs=(os.getpid(),))
        self._pool.submit(warm_renderer, keep_layouts)

    def submit_pdf(self, summary, path: Path, attachments, lang: str) -> Future:
        """attachments: paths, or a `WhenWritten` for files this process is about to write."""
        return self._pool.submit(render_pdf_file, summary, path, attachments, lang)

    def lay_out(self, summary, lang: str) -> Future:
        """Lay the month's report out ahead of its run and keep it there (`pdf_engine.keep_layouts`):
        the run of the very same report then only writes it. Without kept layouts, this is wasted."""
        return self._pool.submit(lay_out_report, summary, lang)

    def write_ahead(self, summary, attachments: list[Path], lang: str) -> Future:
        """Write the month's report ahead of its run, with these attachments, and keep its bytes
        (`pdf_engine.keep_layouts`): the run of the very same report with the very same
        attachments (name, bytes and time) then takes them. Without kept layouts, this is wasted."""
        return self._pool.submit(write_report_ahead, summary, attachments, lang)

    def district_pdf(self, summary, code: str, path: Path, lang: str) -> Path:
        """One district's page laid out in the worker (here, if the worker died)."""
        return _answer(self._pool.submit(render_district_file, summary, code, path, lang),
                       render_district_file, summary, code, path, lang)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def pdf_worker(enabled: bool = True, keep_layouts: int = 0):
    """While this block runs, province runs in this process render their PDF in a warm second process.
    keep_layouts: how many laid-out reports the worker keeps (`PdfWorker.lay_out`; the web page's)."""
    worker = PdfWorker(keep_layouts) if enabled and (os.cpu_count() or 1) > 1 else None
    if worker:
        _active.append(worker)
    try:
        yield worker
    finally:
        if worker:
            _active.remove(worker)
            worker.close()


def active_pdf_worker() -> PdfWorker | None:
    return _active[-1] if _active else None


_checkers: list[ProcessPoolExecutor] = []


def _warm_checks() -> int:
    """What reading and checking a returned file needs, imported once in the worker."""
    from generator.checks import validation  # noqa: F401
    from generator.intake import submission  # noqa: F401

    return os.getpid()


@contextlib.contextmanager
def check_worker(enabled: bool = True):
    """While this block runs, `in_check_worker` checks files in a second warm process. The web page
    starts one: at a deadline hour each upload's check (reading and validating, about 0.1 s of
    CPU) then runs on the other core, and the page's own process keeps its interpreter lock for
    the pages and the month's preview. Started before any thread of ours, as the PDF worker is."""
    pool = None
    if enabled and (os.cpu_count() or 1) > 1:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=process_context(), initializer=die_with_parent,
                                   initargs=(os.getpid(),))
        pool.submit(_warm_checks).result()  # forked now, not at the first upload
        _checkers.append(pool)
    try:
        yield pool
    finally:
        if pool:
            _checkers.remove(pool)
            pool.shutdown(wait=True, cancel_futures=True)


def active_check_worker() -> ProcessPoolExecutor | None:
    return _checkers[-1] if _checkers else None


def in_check_worker(fn, *args, **kwargs):
    """fn(*args, **kwargs) in the check worker when one is active, else here. A worker that died
    (killed, out of memory) costs that one answer's speed, never the answer: it is worked out here."""
    pool = active_check_worker()
    if pool is None:
        return fn(*args, **kwargs)
    try:
        future = pool.submit(fn, *args, **kwargs)
    except BrokenProcessPool:
        return fn(*args, **kwargs)
    return _answer(future, fn, *args, **kwargs)


def pdf_result(future: Future, summary, path: Path, attachments: list[Path], lang: str) -> Path:
    """The worker's PDF; if the worker process died (killed, out of memory), render it here instead."""
    return _answer(future, render_pdf_file, summary, path, attachments, lang)


def _answer(future: Future, fn, *args, **kwargs):
    """A worker's answer; when the worker process died (killed, out of memory), fn's answer here."""
    try:
        return future.result()
    except BrokenProcessPool:
        return fn(*args, **kwargs)


def province_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """A pool for running whole provinces side by side, each process warmed once."""
    n = max(1, workers or os.cpu_count() or 1)
    return ProcessPoolExecutor(max_workers=n, mp_context=process_context(), initializer=_warm_orphan_proof,
                               initargs=(os.getpid(),))
