"""The month's report made in the background, one run at a time, and the month's preview.

A run is the pipeline's own (`jobs.make_report`); this module only starts it in a thread, keeps
its progress for the page, and records what it wrote once it has written all of it. Two clicks
do not make two runs: the second is told one is under way. A run that fails says why, and the
outputs of the last good run stay where they were (the pipeline writes beside and renames).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import date, datetime

from generator.core import texts
from generator.store.history import StoreError
from generator.core.periods import Period

LOG = logging.getLogger("savings_report.web")
IDLE, RUNNING, DONE, FAILED = "idle", "running", "done", "failed"


@dataclass(frozen=True)
class RunState:
    state: str = IDLE
    period: Period | None = None
    done: int = 0
    total: int = 0
    writing: bool = False
    finished_at: datetime | None = None
    why: str | None = None  # the failure, in the words of the CLI's catalogue
    # Each district's one-page report, laid out after the month's report is done (and downloadable).
    pages_done: int = 0
    pages_total: int = 0
    pages_why: str | None = None  # why the district pages stopped, when they did

    @property
    def pages_pending(self) -> bool:
        return self.state == DONE and self.pages_why is None and self.pages_done < self.pages_total


class Runner:
    def __init__(self, workspace, clock=datetime.now, memo: dict | None = None):
        """memo: the previews' (`Previews.memo`): a run after the month was previewed reads and
        checks only the files the preview has not seen."""
        self.ws, self.clock, self.memo = workspace, clock, memo
        self._lock = threading.Lock()
        self._state = RunState()
        self._thread: threading.Thread | None = None
        self._runs = 0  # started so far: a run's district pages stop once a newer run has begun

    @property
    def state(self) -> RunState:
        return self._state

    @property
    def running(self) -> bool:
        return self._state.state == RUNNING

    def start(self, period: Period, lang: str) -> bool:
        """Start the month's run; False when one is already under way."""
        setup = self.ws.setup()
        with self._lock:
            if self._state.state == RUNNING:
                return False
            total = sum(1 for p in self.ws.inbox(period).iterdir() if p.is_file())
            self._state = RunState(RUNNING, period, 0, total)
            self._runs += 1
            self._thread = threading.Thread(target=self._run, args=(setup, period, lang, self._runs), daemon=True,
                                            name=f"report-{period.be_key}")
            self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> RunState:
        thread = self._thread
        if thread:
            thread.join(timeout)
        return self._state

    def _progress(self, _path) -> None:
        s = self._state
        done = s.done + 1
        self._state = replace(s, done=done, writing=done >= s.total)

    def _run(self, setup, period: Period, lang: str, run_no: int) -> None:
        from generator.jobs import make_report

        try:
            result = make_report(setup, period, self.ws.inbox(period), self.ws.output, self.ws.store_path(setup),
                                 made_on=date.today(), lang=lang, progress=self._progress, now=self.clock(),
                                 memo=self.memo, ahead=self.ws.ahead)
            with self._lock:
                self.ws.save_outputs(period, _manifest(result, self.ws.output))
                self._state = replace(self._state, state=DONE, writing=False, finished_at=self.clock(),
                                      pages_total=len(setup.district_codes))
            LOG.info("report made for %s: %d files", period.be_key, len(result.checked))
        except StoreError as exc:
            return self._fail(texts.text("cli." + exc.key, lang, **exc.params))
        except OSError as exc:
            return self._fail(texts.text("cli.os_error", lang, detail=f"{exc.strerror or exc}"))
        except Exception as exc:  # the page must say something, never hang on "running"
            LOG.exception("report for %s failed", period.be_key)
            return self._fail(texts.text("cli.unexpected", lang, detail=type(exc).__name__))
        self._district_pages(result.summary, setup.district_codes, period, lang, run_no)

    def _district_pages(self, summary, codes: list[str], period: Period, lang: str, run_no: int) -> None:
        """The month's report is there to read; each district's page follows, and its link appears
        as it is written. A page that cannot be made leaves the month's report as it is."""
        from generator.jobs import district_reports

        def written(code: str, path) -> bool:
            with self._lock:
                if self._runs != run_no:
                    return False  # a newer run's outputs are the month's now
                rel = str(path.resolve().relative_to(self.ws.output.resolve()))
                self.ws.add_outputs(period, {f"district:{code}": rel})
                self._state = replace(self._state, pages_done=self._state.pages_done + 1)
            return True

        try:
            district_reports(summary, codes, self.ws.output, lang, written)
        except OSError as exc:
            self._pages_failed(run_no, texts.text("cli.os_error", lang, detail=f"{exc.strerror or exc}"))
        except Exception as exc:
            LOG.exception("the district pages of %s failed", period.be_key)
            self._pages_failed(run_no, texts.text("cli.unexpected", lang, detail=type(exc).__name__))

    def _pages_failed(self, run_no: int, why: str) -> None:
        with self._lock:
            if self._runs == run_no:
                self._state = replace(self._state, pages_why=why)

    def _fail(self, why: str) -> None:
        self._state = replace(self._state, state=FAILED, writing=False, finished_at=self.clock(), why=why)


def _manifest(result, output) -> dict[str, str]:
    """key -> path under output/ of every file the run wrote; feedback keys name the district."""
    district_of = {c.submission.name: c.submission.district_code for c in result.checked}
    out = {}
    for key, path in result.outputs.items():
        if key.startswith("feedback:"):
            key = f"feedback:{district_of.get(key.split(':', 1)[1]) or ''}:{key.split(':', 1)[1]}"
        out[key] = str(path.resolve().relative_to(output.resolve()))
    return out


class Previews:
    """The month as a run would make it now, worked out again in the background when its inputs change.

    A page never waits for it once there is one: it shows the last one, the files that came since
    with their own check (`jobs.check_file`, recorded at upload), and says the table is being brought
    up to date. Only the very first view of a month waits."""

    SETTLE_SECONDS = 3.0  # no new file for this long after a preview: the month has settled

    def __init__(self, workspace, on_settled=None):
        """on_settled(setup, period, result, lang, still): called with a preview of the month once
        nothing has come in for SETTLE_SECONDS after it (the page has the report laid out and its
        workbooks made ahead of the click); still() says whether the month is still as previewed."""
        self.ws, self.on_settled = workspace, on_settled
        self.report_lang = "th"  # the language the province's page was last seen in
        self._cache: dict[str, tuple[tuple, object]] = {}
        self._busy: dict[str, tuple] = {}
        # After a preview that took t seconds, the next one waits t seconds: under a stream of
        # uploads previews take at most half the machine, and the uploads' own checks the rest.
        self._rest_until: dict[str, float] = {}
        self._guard = threading.Lock()
        # Each file read and checked once: a preview after one more upload reads only that file
        # (pipeline.check_files, keyed by content, name, month, setup, limits and last month).
        self.memo: dict = {}

    def _key(self, setup, period: Period) -> tuple:
        uploads = self.ws.uploads_stamp(period)
        store = self.ws.store_path(setup)
        stat = store.stat() if store.is_file() else None
        return (id(setup), uploads, stat and (stat.st_mtime_ns, stat.st_size), date.today())

    def _compute(self, setup, period: Period, key: tuple):
        from generator.jobs import month_preview

        started = time.monotonic()
        try:
            result = month_preview(setup, period, self.ws.inbox(period), self.ws.store_path(setup), made_on=date.today(),
                                   memo=self.memo)
            with self._guard:
                ended = time.monotonic()
                self._rest_until[period.key] = ended + (ended - started)
                self._cache[period.key] = (key, result)
                if len(self._cache) > 6:  # a few months at most: memory stays flat
                    self._cache.pop(next(iter(self._cache)))
            if self.on_settled is not None:
                self._when_settled(setup, period, key, result)
            return result
        except Exception:
            LOG.exception("the preview of %s failed", period.be_key)
            raise
        finally:
            with self._guard:
                if self._busy.get(period.key) == key:
                    del self._busy[period.key]

    def _when_settled(self, setup, period: Period, key: tuple, result) -> None:
        def still() -> bool:
            return self._key(setup, period) == key

        def settled():
            with self._guard:
                cached = self._cache.get(period.key)
                newest = cached is not None and cached[0] == key and period.key not in self._busy
            try:
                if newest and still():  # nothing came in since
                    self.on_settled(setup, period, result, self.report_lang, still)
            except Exception:  # only ever ahead of time: the run lays the report out itself
                LOG.exception("laying out %s ahead of its run failed", period.be_key)

        timer = threading.Timer(self.SETTLE_SECONDS, settled)
        timer.daemon = True
        timer.start()

    def get(self, setup, period: Period, wait: bool = False):
        """(result, fresh): the newest preview, and whether it is of the month's files as they are now.

        At most one preview of a month is worked out at a time: files that come in meanwhile are
        taken in by the next one, started by the first page asked for after it ends (a deadline hour
        of uploads must not start one preview per upload)."""
        key = self._key(setup, period)
        while True:
            with self._guard:
                cached = self._cache.get(period.key)
                if cached and cached[0] == key:
                    return cached[1], True
                start = period.key not in self._busy
                if start and cached is not None and not wait and time.monotonic() < self._rest_until.get(period.key, 0):
                    return cached[1], False  # resting after the last one: the page asks again shortly
                if start:
                    self._busy[period.key] = key
            if start and (cached is None or wait):
                return self._compute(setup, period, key), True
            if start:
                threading.Thread(target=self._compute, args=(setup, period, key), daemon=True,
                                 name=f"preview-{period.be_key}").start()
            if cached is not None and not wait:
                return cached[1], False
            threading.Event().wait(0.05)  # another preview of this month is being worked out: wait for it
