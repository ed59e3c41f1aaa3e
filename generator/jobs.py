"""Whole jobs that more than one face needs (the command line and the web page), each one function.

A face parses its input, calls one of these and shows the result; no rule, figure or message is
made here either: they come from intake, validation, the pipeline and their catalogues.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from generator.store.history import HistoryStore, StoreError
from generator.core.periods import Period
from generator.core.problems import Problem
from generator.intake.limits import DEFAULT_LIMITS, Limits
from generator.core.model import Setup


@dataclass(frozen=True)
class FileCheck:
    """One returned file checked on its own, as `savings-report validate` does."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    district_code: str | None = None
    period: Period | None = None
    readable: bool = True  # its table was read (so a feedback copy can mark its cells)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def to_dict(self) -> dict:
        return {"file": str(self.path), "ok": self.ok, "problems": [p.to_dict() for p in self.problems]}


def check_file(path: Path, setup: Setup | None = None, limits: Limits = DEFAULT_LIMITS,
               period: Period | None = None, store_path: Path | None = None) -> FileCheck:
    """Check one file without merging. With a setup every rule applies (the month the file claims,
    or `period` when given: then a file of another month is refused); without one, only what can be
    checked from the file itself. With the province's history store, the district's last accepted
    month is read from it, so the history rules (values to confirm) apply as in a run."""
    from generator.intake.submission import read_submission
    from generator.checks.validation import validate_submission

    sub = read_submission(Path(path), setup, period, limits)
    if setup is not None and sub.table is not None and sub.period is not None:
        previous = None
        if store_path is not None and sub.district_code and Path(store_path).is_file():
            try:
                with HistoryStore.open(store_path, setup.province_code, wait_seconds=5) as store:
                    previous = store.previous_groups(sub.period, sub.district_code).get(sub.district_code)
            except StoreError:  # busy or damaged: checked without last month, and the note says so
                previous = None
        problems = validate_submission(sub, setup, sub.period, previous).problems
    else:
        problems = sub.problems
        if sub.table is not None and setup is None:
            from generator.intake.parsing import parse_table
            from generator.core.schema import GROUPS

            problems = problems + parse_table(sub.table, GROUPS, sub.name, sub.district_code)[1]
    return FileCheck(Path(path), list(problems), sub.district_code, sub.period, sub.table is not None)


def check_upload(path: Path, setup: Setup, limits: Limits, period: Period, store_path: Path | None = None) -> FileCheck:
    """`check_file` for a file just uploaded to the web page: in the check worker when the server
    started one (`outputs.parallel.check_worker`), so uploads are checked on a core of their own."""
    from generator.outputs.parallel import in_check_worker

    return in_check_worker(check_file, Path(path), setup, limits, period, store_path)


def file_feedback(check: FileCheck, setup: Setup, period: Period, name: str, out: Path) -> Path | None:
    """The feedback workbook of one checked file, as a run writes it for a district's current file
    (its own copy with the problem cells marked, and the list), or None when it needs none (no
    error, warning or value to confirm: a note alone needs no feedback)."""
    from generator.core import texts
    from generator.core.problems import needs_feedback
    from generator.outputs.feedback import write_feedback

    if not needs_feedback(p.severity for p in check.problems):
        return None
    code = check.district_code
    title = texts.text("feedback.title", "th", district=setup.district_name(code) if code else "–",
                       period=period.thai(), file=name)
    source = Path(check.path).read_bytes() if check.readable else None
    return write_feedback(source, check.problems, Path(out), title, "th")


def upload_feedback(blob: Path, check: dict, setup: Setup, period: Period, name: str, path: Path) -> Path | None:
    """The feedback workbook of one upload, from the check recorded when it was taken in
    (`FileCheck` as the workspace keeps it), made the first time it is asked for and kept at
    `path`. The copy is of the upload's own content-addressed bytes, never of a file changed since."""
    from generator.core.problems import Problem

    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        problems = [Problem.from_dict(p) for p in check["problems"]]
        return file_feedback(FileCheck(Path(blob), problems, check["district_code"], period, check["readable"]),
                             setup, period, name, path)
    return path


def district_files(files: list[tuple[datetime, str, bool]]) -> tuple[str | None, dict[str, str]]:
    """One district's files of a month, (received, name, passed): the one that counts and each one's
    status, as a run decides them (`pipeline.choose_per_district`, `pipeline.file_status`): the
    latest received of those that passed counts; the latest received is the current one (rejected
    if it did not pass); every other is superseded."""
    from generator.core.statuses import ACCEPTED, REJECTED, SUPERSEDED

    ordered = sorted(files)
    passed = [name for _, name, ok in ordered if ok]
    counts = passed[-1] if passed else None
    current = ordered[-1][1] if ordered else None
    return counts, {name: ACCEPTED if name == counts else REJECTED if name == current else SUPERSEDED
                    for _, name, _ in ordered}


@dataclass(frozen=True)
class HistoryMonth:
    """One month of a district's fiscal year as the history store holds it."""

    period: Period
    status: str | None  # how its report arrived (core.statuses TIMELINESS), None: not recorded yet
    files: list[dict] = field(default_factory=list)  # file_name, received_at, status, errors, warnings


def district_history(setup: Setup, store_path: Path, code: str) -> list[HistoryMonth]:
    """Each month of the district's fiscal year: what the store recorded as received when, and how
    its report counted (on time, late, not sent, rejected)."""
    from generator.figures.summary import fiscal_months

    start, end = setup.fiscal_bounds
    months = fiscal_months(setup, Period(end.year, end.month))
    status: dict[str, str] = {}
    files: dict[str, list[dict]] = {}
    if Path(store_path).is_file():
        try:
            with HistoryStore.open(store_path, setup.province_code, wait_seconds=5) as store:
                rows = store.reporting(months)
                frame = store.files(district_code=code)
        except StoreError:  # a run is committing: the months show as not recorded this once
            return [HistoryMonth(m, None) for m in months]
        status = {r.month: r.status for r in rows.itertuples() if r.district_code == code}
        for f in frame.to_dict("records"):
            files.setdefault(f["period"], []).append(f)
    return [HistoryMonth(m, status.get(m.key), files.get(m.key, [])) for m in months]


def district_workbooks(setup: Setup, period: Period, store_path: Path, out_dir: Path) -> list[Path]:
    """The month's workbook for every district, pre-filled from the store when there is one
    (what `savings-report templates` writes)."""
    return _district_workbooks(setup, period, Path(store_path), out_dir,
                               lambda path: HistoryStore.open(path, setup.province_code)).paths


def _district_workbooks(setup: Setup, period: Period, path: Path, out_dir: Path, open_history) -> "Workbooks":
    from generator.figures.carry import carried_groups
    from generator.outputs.district_template import write_district_workbooks

    carried = None
    if path.is_file():
        with open_history(path) as store:
            carried = carried_groups(setup, store.previous_groups(period))
    paths = write_district_workbooks(setup, period, out_dir, carried)
    return Workbooks(paths, path, None if carried is None else len(carried))


class ReadOnlyStore:
    """The history store as a preview sees it: everything a run reads, nothing it writes.

    Only the readers the monthly run uses are passed through; any other attribute fails loudly, so
    a new kind of write in the pipeline cannot slip through a preview unnoticed."""

    _READERS = frozenset({"path", "first_seen", "previous_groups", "last_accepted", "group_codes", "reporting", "files",
                          "month_groups", "months"})

    def __init__(self, store: HistoryStore):
        self._store = store

    def __getattr__(self, name: str):
        if name in self._READERS:
            return getattr(self._store, name)
        raise AttributeError(f"a preview does not use the store's {name!r}")

    @contextmanager
    def transaction(self):
        yield

    def record_month(self, *args, **kwargs) -> None:
        """A preview records nothing: only a real run does."""


def month_preview(setup: Setup, period: Period, inbox: Path, store_path: Path, made_on: date,
                  now: datetime | None = None, lang: str = "th", memo: dict | None = None):
    """The month as a run would make it now (every file checked, statuses, figures), without
    writing the store or any output. Returns the pipeline's `RunResult`, its files as a page keeps
    them: each file's name, time and problems without its sheet's rows or its groups (the figures
    hold the groups that count; a month of a thousand uploads would otherwise hold every file's
    cells while the page shows it). ``memo``: kept between previews, so that each reads and checks
    only the files that are new since the last one."""
    from dataclasses import replace

    from generator.checks.memo import lean
    from generator.checks.validation import Checked
    from generator.pipeline import run_month

    store = HistoryStore.open(store_path, setup.province_code) if Path(store_path).is_file() else None
    try:
        result = run_month(setup, period, inbox, Path(inbox), made_on, lang, render=False,
                           store=ReadOnlyStore(store) if store else None, now=now or datetime.now(), memo=memo)
    finally:
        if store:
            store.close()
    return replace(result, checked=[Checked(lean(c.submission), None, c.problems) for c in result.checked])


def make_report(setup: Setup, period: Period, inbox: Path, out_dir: Path, store_path: Path, made_on: date,
                lang: str = "th", progress=None, now: datetime | None = None, memo: dict | None = None,
                ahead: Path | None = None):
    """The month's run, as `savings-report run` makes it: outputs and the store. Each district's
    one-page report follows with `district_reports`, once the month's report is there to read.
    memo: as `month_preview`'s (files already read and checked are not read again). ahead: the
    folder of `make_ahead`, whose workbooks the run takes when they are the very ones it would make."""
    from generator.outputs.ahead import MadeAhead
    from generator.pipeline import run_month

    with HistoryStore.open(store_path, setup.province_code) as store:
        return run_month(setup, period, inbox, out_dir, made_on, lang, store=store, now=now or datetime.now(),
                         progress=progress, memo=memo, ahead=MadeAhead(ahead) if ahead is not None else None)


def make_ahead(result, setup: Setup, period: Period, lang: str, folder: Path, still=lambda: True) -> list[Path]:
    """The month's report made from its preview (`month_preview`'s result) before the click, so
    that the click's run only has to take it: with a PDF worker, the report is laid out there
    first (`PdfWorker.lay_out`); its Excel summary and feedback workbooks are made one at a time
    in the check worker when there is one, each kept in folder under the digest of what it is made
    from (`generator.outputs.ahead`), taken by `make_report(ahead=folder)`; last, the PDF worker
    writes the report with that summary attached and keeps it (`PdfWorker.write_ahead`). Nothing
    more once still() says the month has changed. Returns where each workbook is kept."""
    from generator.outputs.ahead import MadeAhead
    from generator.outputs.parallel import active_pdf_worker, in_check_worker
    from generator.pipeline import workbooks_ahead

    worker = active_pdf_worker()
    if worker is not None:
        worker.lay_out(result.summary, lang)
    kept, paths, summary_at = MadeAhead(folder), [], None
    for n, (name, book) in enumerate(workbooks_ahead(result, setup, period, lang)):
        if not still():
            return paths
        path = in_check_worker(kept.make, book.digest(), name, book.write)
        if path is not None:
            paths.append(path)
            summary_at = path if n == 0 else summary_at
    if worker is not None and summary_at is not None and still():
        worker.write_ahead(result.summary, [summary_at], lang)
    return paths


def district_reports(summary, codes: list[str], out_dir: Path, lang: str, written) -> None:
    """Each district's one-page report of a run (`run --per-district` makes the same pages), laid out
    one at a time in the PDF worker when there is one and written whole into `out_dir/districts`;
    `written(code, path)` is told of each as it is there, and stops the rest by answering False (a
    newer run has begun)."""
    from generator.outputs.parallel import active_pdf_worker, render_district_file
    from generator.outputs.render_pdf import district_report_name

    folder = Path(out_dir) / "districts"
    folder.mkdir(parents=True, exist_ok=True)
    for code in codes:
        path = folder / district_report_name(code, summary.period)
        worker = active_pdf_worker()
        path = worker.district_pdf(summary, code, path, lang) if worker else render_district_file(summary, code, path, lang)
        if written(code, path) is False:
            return


# --- the command line's jobs ---------------------------------------------------------------------
# Each command parses its arguments, calls one of these and prints what comes back. A job that
# cannot go on raises JobFailed with the key of its sentence (`cli.<key>` in the text catalogue).

class JobFailed(Exception):
    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


def load_province(path: Path) -> Setup:
    """The province's setup workbook, read and checked; `SetupInvalid` carries every problem."""
    from generator.intake.setup_workbook import load_setup

    if not Path(path).is_file():
        raise JobFailed("no_file", path=path)
    return load_setup(Path(path))


def parse_limits(items: list[str] | None) -> Limits:
    try:
        return Limits.parse(items or [])
    except ValueError as exc:
        raise JobFailed("bad_limit", detail=str(exc)) from None


def check_in_year(setup: Setup, period: Period) -> None:
    """A month is prepared and run with the setup of its own fiscal year only."""
    from generator.figures.years import YearMismatch, check_period_in_year

    try:
        check_period_in_year(setup, period)
    except YearMismatch as exc:
        raise JobFailed(exc.key, **exc.params) from None


def store_path(setup: Setup, setup_path: Path, given: Path | None, old_places: tuple[Path, ...] = ()) -> Path:
    """--store, else the one default every command uses (beside the setup workbook). A store left
    where earlier versions kept it (in the output folder) is never replaced by a new empty one
    without a word: the job stops and names both paths."""
    from generator.store.history import default_store_path

    if given is not None:
        return Path(given)
    path = default_store_path(Path(setup_path).parent, setup.province_code)
    if not path.is_file():
        for folder in old_places + (Path("output"),):
            old = default_store_path(folder, setup.province_code)
            if old.is_file() and old.resolve() != path.resolve():
                raise JobFailed("store_moved", old=old, path=path)
    return path


def open_store(path: Path, setup: Setup) -> HistoryStore:
    from generator.store.history import StoreError

    try:
        return HistoryStore.open(path, setup.province_code)
    except StoreError as exc:
        raise JobFailed(exc.key, **exc.params) from None


def write_blank_setup(path: Path, force: bool = False) -> Path:
    from generator.outputs.setup_template import write_setup_workbook

    if Path(path).exists() and not force:
        raise JobFailed("exists", path=path)
    return write_setup_workbook(Path(path))


def prepare_next_year(setup: Setup, setup_path: Path, given_store: Path | None, out: Path, force: bool = False):
    """Next fiscal year's setup workbook from this year's and the store (`next_year.NextYear`)."""
    from generator.next_year import next_year

    if Path(out).exists() and not force:
        raise JobFailed("exists", path=out)
    path = store_path(setup, setup_path, given_store)
    if not path.is_file():
        raise JobFailed("no_store", path=path)
    with open_store(path, setup) as store:
        return next_year(setup, store, Path(out))


@dataclass(frozen=True)
class Workbooks:
    paths: list[Path]
    store_path: Path
    carried: int | None  # districts pre-filled from the store; None when there is no store yet


def month_workbooks(setup: Setup, setup_path: Path, period: Period, out_dir: Path,
                    given_store: Path | None = None) -> Workbooks:
    """The month's workbook for every district (`savings-report templates`), pre-filled from the store."""
    check_in_year(setup, period)
    return _district_workbooks(setup, period, store_path(setup, setup_path, given_store), out_dir,
                               lambda path: open_store(path, setup))


def report_districts(setup: Setup, wanted: list[str] | None, every: bool = False) -> tuple[str, ...]:
    """The districts asked for one-page reports, in the setup's order; an unknown code stops the job."""
    if every:
        return tuple(setup.district_codes)
    wanted = [c.strip() for c in wanted or []]
    unknown = [c for c in wanted if c not in setup.district_codes]
    if unknown:
        raise JobFailed("unknown_district", value=", ".join(unknown), codes=", ".join(setup.district_codes))
    return tuple(c for c in setup.district_codes if c in wanted)


def run_report(setup: Setup, setup_path: Path, period: Period, inbox: Path, out_dir: Path, made_on: date, *,
               lang: str = "th", given_store: Path | None = None, received_on: date | None = None,
               archive: bool = False, district_reports: tuple[str, ...] = (), limits: Limits = DEFAULT_LIMITS,
               progress=None, now: datetime | None = None):
    """The month's run as `savings-report run` makes it; returns the pipeline's `RunResult` and the
    store it used. The PDF worker warms up (WeasyPrint, fonts, template) while the files are read."""
    from generator.figures.audit import ReportAuditFailed
    from generator.outputs.parallel import pdf_worker
    from generator.pipeline import run_month
    from generator.store.commit import OutputBusy
    from generator.store.history import StoreError

    check_in_year(setup, period)
    if not Path(inbox).is_dir():
        raise JobFailed("no_inbox", path=inbox)
    path = store_path(setup, setup_path, given_store, old_places=(Path(out_dir),))
    try:
        with open_store(path, setup) as store, pdf_worker():
            result = run_month(setup, period, inbox, out_dir, made_on, lang, store=store, received_on=received_on,
                               limits=limits, now=now or datetime.now(), archive=archive,
                               district_reports=district_reports, progress=progress)
    except StoreError as exc:
        raise JobFailed(exc.key, **exc.params) from None
    except ReportAuditFailed as exc:
        raise JobFailed("audit_failed", detail=str(exc)[:500]) from None
    except OutputBusy:
        raise JobFailed("out_busy", path=out_dir) from None
    return result, path


def national_report(paths: list[Path], period: Period, out_dir: Path, made_on: date, lang: str = "th",
                    expect: Path | None = None):
    """The national roll-up (`savings-report national`): the result and the sentences that say it."""
    from generator.figures.audit import ReportAuditFailed
    from generator.figures.national import describe
    from generator.nation import run_national

    if expect is not None and not Path(expect).is_file():
        raise JobFailed("no_file", path=expect)
    try:
        result = run_national(paths, period, out_dir, made_on, lang, expect)
    except ReportAuditFailed as exc:
        raise JobFailed("audit_failed", detail=str(exc)[:500]) from None
    return result, describe(result, lang)


def province_identity(path: Path):
    """The province and its districts alone (`savings-report history`): read without pandas when
    they are plainly readable, else the full setup, whose `SetupInvalid` says what is wrong."""
    from generator.intake.setup_identity import load_identity

    if not Path(path).is_file():
        raise JobFailed("no_file", path=path)
    return load_identity(Path(path))


def store_history(setup: Setup, setup_path: Path, given_store: Path | None = None):
    """What the store holds (`savings-report history`): every file received, each district's
    report of each month, by fiscal year, and the villages re-coded (with the groups moved); rows
    of plain values, read with sqlite3 alone (`setup` may be `province_identity`'s)."""
    path = store_path(setup, setup_path, given_store)
    if not path.is_file():
        raise JobFailed("no_store", path=path)
    with open_store(path, setup) as store:
        return store.file_rows(), store.reporting_rows(), store.village_move_rows()


def demo_month(out_dir: Path):
    """The Chaiyaphum demo, a few months of it run through the store; the last month's `RunResult`."""
    from generator.samples.demo import build_demo

    return build_demo(Path(out_dir))
