"""The monthly run from inbox to outputs, and the other whole jobs the CLI offers.

    intake ─► validation ─► choose one file per district ─► merge ─► summary ─► Excel, PDF, feedback

The clock and the file system are touched here and in the modules at the edges; `made_on` is
passed in so that a run can be repeated exactly.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from contextlib import nullcontext
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from generator.figures.audit import check_report
from generator.figures.carry import with_carried
from generator.core import texts
from generator.store.commit import OutputCommit, output_lock, recover, step
from generator.outputs.ahead import MadeAhead
from generator.outputs.feedback import FeedbackWorkbook, feedback_file_name
from generator.outputs.render_excel import SummaryWorkbook
from generator.intake.submission import InboxListing, distinct_named, list_inbox, read_submission
from generator.store.history import HistoryStore
from generator.figures.merge import assign_group_codes, merge_groups
from generator.core.periods import Period
from generator.core.problems import CONFIRMED, NOTE, WARNING, Problem, errors, warnings
from generator.intake.snapshot import bytes_as_read
from generator.intake.limits import DEFAULT_LIMITS, Limits
from generator.core.rules import rule
from generator.core.model import Setup
from generator.figures.summary import FileOutcome, MonthSummary, fiscal_months, summarise
from generator.core.statuses import ACCEPTED, EXIT_OK, EXIT_REJECTED, MISSING, REJECTED, SUPERSEDED
from generator.checks.memo import (checks_entry, copy_submission, forget_oldest, frame_token, keep_groups_of_counting,
                                   lean, memo_key, recall, setup_token)
from generator.checks.validation import Checked, check_province, validate_submission
from generator.outputs.atomic import write_bytes_atomic
from generator.figures.years import YearComparison, check_period_in_year, compare_with_last_year, same_month_last_year

# Exit statuses of the run command.


@dataclass
class RunResult:
    summary: MonthSummary
    checked: list[Checked]
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        # A folder of the inbox left unread is as much to follow up as a rejected file.
        unread = any(p.is_error and rule(p.rule_id).scope == "inbox" for p in self.summary.problems)
        return EXIT_REJECTED if unread or any(f.status == REJECTED for f in self.summary.files) else EXIT_OK


def check_files(paths: list[Path] | list[tuple[Path, str]], setup: Setup, period: Period,
                limits: Limits = DEFAULT_LIMITS, progress: Callable[[Path], None] | None = None,
                previous: dict[str, pd.DataFrame] | None = None, memo: dict | None = None) -> list[Checked]:
    """previous: district code -> that district's last accepted groups, for the history rules.
    paths: paths, or (path, name inside the inbox) as `list_inbox` lists them.
    memo: a dict kept between calls (the web page's previews): a file already read and checked with
    the same content, name, month, setup, limits and last month is not read or checked again.

    Identical files are one submission (read once, listed once, with the names of its copies)."""
    checked, last_tokens = [], {}
    setup_key = setup_token(setup) if memo is not None else None
    for path, name, sha, copies in distinct_named([p if isinstance(p, tuple) else (p, p.name) for p in paths]):
        if progress:
            progress(path)
        key = memo_key(path, name, sha, period, limits, setup_key)
        read = recall(memo, key)
        rows_dropped = read is not None  # the memo keeps a file without its sheet's rows
        if read is None:
            read = read_submission(path, setup, period, limits, sha256=sha, name=name)
            if key:
                memo[key] = lean(read)
        sub = copy_submission(read)
        sub.copies = copies
        last = None if previous is None else previous.get(sub.district_code)
        if key and sub.district_code not in last_tokens:  # once a district: a month holds many of its files
            last_tokens[sub.district_code] = frame_token(last)
        token = last_tokens[sub.district_code] if key else ""  # "": last month cannot be told apart, so no memo
        done_key = (key, token) if token else None
        done = recall(memo, done_key)
        if done is None:
            if rows_dropped:  # kept without its rows: read again, to be checked against another last month
                sub = copy_submission(read_submission(path, setup, period, limits, sha256=sha, name=name))
                sub.copies = copies
            done = validate_submission(sub, setup, period, last)
            if done_key:
                memo[done_key] = checks_entry(done)
        groups = None if done.groups is None else done.groups.copy()
        checked.append(Checked(sub, groups, list(done.problems), memo_key=done_key))
    if memo is not None:
        forget_oldest(memo)
    return checked


def with_groups(counting: list[Checked], setup: Setup, period: Period, limits: Limits,
                previous: dict[str, pd.DataFrame] | None, memo: dict | None) -> None:
    """The files that count, each with its groups: a file the memo kept without them (it did not
    count when last checked) is read and checked again, and the memo keeps its groups from now on."""
    for c in counting:
        if c.groups is not None:
            continue
        sub = c.submission
        again = read_submission(sub.path, setup, period, limits, sha256=sub.sha256, name=sub.name)
        done = validate_submission(again, setup, period, None if previous is None else previous.get(sub.district_code))
        c.groups = done.groups
        if memo is not None and c.memo_key is not None:
            memo[c.memo_key] = checks_entry(done)


def _arrival(c: Checked) -> tuple:
    return c.submission.received_at, c.submission.name


def choose_per_district(checked: list[Checked], setup: Setup) -> tuple[dict[str, Checked], list[Problem]]:
    """One file counts per district: the latest received of its accepted files, else none.

    Each district's latest file is its current one: the one its feedback is about. Every earlier
    file is replaced (superseded) and gets a note saying by which file and whether anything needs
    sending; a current file that was rejected while an earlier one counts gets a note saying so.
    The notes are added to each file's own problems and also returned."""
    by_district: dict[str, list[Checked]] = {}
    for c in checked:
        if c.submission.district_code:
            by_district.setdefault(c.submission.district_code, []).append(c)
    chosen: dict[str, Checked] = {}
    notes: list[Problem] = []
    for code, files in by_district.items():
        files.sort(key=_arrival)
        accepted = [c for c in files if c.accepted]
        if accepted:
            chosen[code] = accepted[-1]
        current, used = files[-1], chosen.get(code)
        words = {"district": setup.district_name(code), "district_en": code, "district_code": code}
        for c in files[:-1]:
            if used is not None and _arrival(c) < _arrival(used) and c is not used:
                note = rule("F_DUPLICATE_DISTRICT").problem(file=c.submission.name, value=used.submission.name,
                                                            replaced=c.submission.name, **words)
            elif c is not used:
                note = rule("F_REPLACED_BY_NEWER").problem(file=c.submission.name, value=current.submission.name,
                                                           replaced=c.submission.name, **words)
            else:
                continue
            c.problems.append(note)
            notes.append(note)
        if used is not None and used is not current:
            note = rule("F_EARLIER_FILE_USED").problem(file=current.submission.name, value=used.submission.name,
                                                       **words)
            current.problems.append(note)
            notes.append(note)
    return chosen, notes


def current_files(checked: list[Checked]) -> dict[str, Checked]:
    """Each district's latest file of the month: the one its feedback is about."""
    latest: dict[str, Checked] = {}
    for c in checked:
        code = c.submission.district_code
        if code and (code not in latest or _arrival(c) > _arrival(latest[code])):
            latest[code] = c
    return latest


def file_status(c: Checked, chosen: dict[str, Checked], current: dict[str, Checked]) -> str:
    """accepted: the file that counts; rejected: a file still to follow up (of no known district,
    or its district's latest); superseded: replaced by a later file of its district."""
    code = c.submission.district_code
    if chosen.get(code) is c:
        return ACCEPTED
    if code is None or current.get(code) is c:
        return REJECTED
    return SUPERSEDED


def outcomes(checked: list[Checked], chosen: dict[str, Checked], setup: Setup) -> list[FileOutcome]:
    current = current_files(checked)
    out = []
    for c in checked:
        code = c.submission.district_code
        errs = [p for p in c.problems if p.is_error]
        out.append(FileOutcome(
            file=c.submission.name, district_code=code, district_name=setup.district_name(code) if code else None,
            status=file_status(c, chosen, current), errors=len(errs), warnings=sum(p.severity == WARNING for p in c.problems),
            first_error=errs[0].message("th") if errs else None, first_error_en=errs[0].message("en") if errs else None,
            received_on=c.submission.received_at.date(), copies=c.submission.copies,
            confirmed=sum(p.severity == CONFIRMED for p in c.problems), notes=sum(p.severity == NOTE for p in c.problems)))
    return out


def stamp_received(checked: list[Checked], store: HistoryStore | None, received_on: date | None,
                   now: datetime | None) -> None:
    """When each file was received: its first sighting in the store, which never changes.

    A file not seen before was received when it landed in the inbox (its modification time,
    never later than now), or on the day given with ``--received-on`` for files brought in late.
    """
    seen = store.first_seen([c.submission.sha256 for c in checked]) if store else {}
    for c in checked:
        sub = c.submission
        if sub.sha256 in seen:
            sub.received_at = seen[sub.sha256]
        elif received_on is not None:
            sub.received_at = datetime.combine(received_on, time())
        elif now is not None and sub.received_at > now:
            sub.received_at = now
        sub.received_at = sub.received_at.replace(microsecond=0)


def run_month(setup: Setup, period: Period, inbox: Path, out_dir: Path, made_on: date, lang: str = "th",
              limits: Limits = DEFAULT_LIMITS, progress: Callable[[Path], None] | None = None,
              render: bool = True, store: HistoryStore | None = None, received_on: date | None = None,
              now: datetime | None = None, archive: bool = False,
              district_reports: tuple[str, ...] = (), memo: dict | None = None,
              ahead: MadeAhead | None = None) -> RunResult:
    """One month, from the inbox to the outputs. With a store, everything the run learns is
    recorded in one transaction, committed only once the outputs are in place.

    district_reports: codes of the districts that also get a one-page report of their own.
    ahead: workbooks made before the run (the web page's), taken when they are the run's own."""
    check_period_in_year(setup, period)
    out_dir = Path(out_dir)
    with output_lock(out_dir) if render else nullcontext():
        commit = None
        if render:
            recover(out_dir)  # a commit a killed run left half done: finished or undone first
            commit = OutputCommit(out_dir, store.path if store else None)
        try:
            listing = list_inbox(inbox, own=own_outputs(setup, period, out_dir))
            result = _month(setup, period, listing, made_on, lang, limits, progress, store, received_on, now,
                            district_reports, commit, memo, ahead)
        except BaseException:
            if commit is not None:
                commit.undo()
            raise
        if commit is not None:
            step("store committed")
            commit.finish()
    if archive:
        result.outputs.update(archive_inputs(result.checked, out_dir / "archive" / period.be_key))
    return result


def own_outputs(setup: Setup, period: Period, out_dir: Path) -> list[Path]:
    """What a run writes into its output folder: never read back when that folder is the inbox or in it."""
    return [out_dir, out_dir / "feedback", out_dir / "archive", out_dir / "districts",
            *(out_dir / name for name in month_output_names(setup, period).values())]


def _month(setup: Setup, period: Period, listing: InboxListing, made_on: date, lang: str, limits: Limits,
           progress: Callable[[Path], None] | None, store: HistoryStore | None, received_on: date | None,
           now: datetime | None, district_reports: tuple[str, ...], commit: OutputCommit | None,
           memo: dict | None = None, ahead: MadeAhead | None = None) -> RunResult:
    with store.transaction() if store else nullcontext():
        # Villages re-coded (the setup's village_moves): what the store holds under an old code is read under the new.
        previous = setup.moved_by_district(store.previous_groups(period)) if store else None
        checked = check_files(list(listing.files), setup, period, limits, progress, previous=previous, memo=memo)
        stamp_received(checked, store, received_on, now)
        chosen, _ = choose_per_district(checked, setup)  # its notes go into each file's problems
        with_groups(list(chosen.values()), setup, period, limits, previous, memo)
        keep_groups_of_counting(memo, checked, list(chosen.values()))
        for problem in check_province(list(chosen.values()), setup):  # outliers among the files that count
            chosen[problem.district_code].problems.append(problem)
        files = outcomes(checked, chosen, setup)
        reports = {code: MISSING for code in setup.district_codes}
        for c in checked:
            if c.submission.district_code in reports:
                reports[c.submission.district_code] = REJECTED
        reports.update({code: ACCEPTED for code in chosen})
        known = setup.moved(store.group_codes()) if store else None
        accepted, new_codes = {}, []
        for code, c in sorted(chosen.items()):
            accepted[code], fresh = assign_group_codes(c.groups, known)
            new_codes.append(fresh.assign(district_code=code, first_period=period.key))
        merged = merge_groups(setup, accepted, {code: c.submission.name for code, c in chosen.items()},
                              known_before=codes_known_before(known, setup))
        # By district, so the record does not depend on what the files were called or when they came.
        problems = sorted([p for c in checked for p in c.problems] + list(listing.skipped),
                          key=lambda p: p.district_code or "\uffff")
        past = store.reporting(fiscal_months(setup, period)[:-1]) if store else None
        last = store.last_accepted(period, fiscal_months(setup, period)[0]) if store else {}
        last = moved_last(setup, last)
        before = {code: (month, int(g["phase"].notna().sum())) for code, (month, g) in last.items()}
        summary = summarise(setup, period, with_carried(setup, merged, last, set(chosen)), reports, files, problems,
                            made_on, past_reporting=past, previous_founded=before)
        if store:
            summary = replace(summary, comparison=year_comparison(store, setup, period, merged, list(chosen)))
        check_report(summary)  # a report that contradicts itself is a bug: nothing is written or stored
        result = RunResult(summary, checked)
        if store:
            store.record_month(period, **month_record(result, chosen, merged, new_codes),
                               fiscal_year_be=setup.fiscal_year_be, village_moves=village_moves(setup))
        if commit is not None:
            result.outputs = write_outputs(result, setup, period, commit, lang, district_reports=district_reports,
                                           ahead=ahead)
            if store:
                store.mark_commit(commit.id)  # commits with the record: the month changes here
    return result


def moved_last(setup: Setup, last: dict[str, tuple[str, pd.DataFrame]]) -> dict[str, tuple[str, pd.DataFrame]]:
    """Each district's last accepted month and groups, re-coded villages under their new code."""
    if not setup.moves:
        return last
    out: dict[str, tuple[str, pd.DataFrame]] = {}
    for code, (month, groups) in last.items():
        for district, part in setup.moved_by_district({code: groups}).items():
            if district in out:
                then, before = out[district]
                out[district] = (max(month, then), pd.concat([before, part], ignore_index=True))
            else:
                out[district] = (month, part)
    return out


def village_moves(setup: Setup) -> pd.DataFrame:
    """The setup's village moves with the district each new code belongs to, as the store keeps them."""
    moves = setup.village_moves if setup.village_moves is not None else pd.DataFrame(
        columns=["old_village_code", "new_village_code", "reason"])
    district = dict(zip(setup.villages["village_code"], setup.villages["district_code"]))
    return moves.reindex(columns=["old_village_code", "new_village_code", "reason"]).assign(
        new_district_code=moves["new_village_code"].map(district))


def codes_known_before(known: pd.DataFrame | None, setup: Setup) -> frozenset[str]:
    """Codes of the groups first seen before this fiscal year began: founded in an earlier year."""
    if known is None or not len(known):
        return frozenset()
    start = setup.fiscal_bounds[0]
    return frozenset(known.loc[known["first_period"] < Period(start.year, start.month).key, "group_code"])


def year_comparison(store: HistoryStore, setup: Setup, period: Period, merged: pd.DataFrame,
                    accepted: list[str]) -> YearComparison | None:
    """This month against the same month of last year, as the store recorded it."""
    then, then_accepted = store.month_groups(same_month_last_year(period))
    then = setup.moved(then)  # a village re-coded into another district is compared in that district
    has_last_year = bool((store.months()["fiscal_year_be"] == setup.fiscal_year_be - 1).any())
    return compare_with_last_year(setup, period, merged, accepted, then, then_accepted, has_last_year)


def month_record(result: RunResult, chosen: dict[str, Checked], merged: pd.DataFrame,
                 new_codes: list[pd.DataFrame]) -> dict:
    """What the store keeps of a run: files, the grid row of the month, accepted rows, problems."""
    s = result.summary
    sha_of = {c.submission.name: c.submission.sha256 for c in result.checked}
    files = [{"sha256": c.submission.sha256, "file_name": c.submission.name,
              "district_code": c.submission.district_code, "received_at": c.submission.received_at.isoformat(),
              "status": f.status, "errors": f.errors, "warnings": f.warnings, "first_error": f.first_error}
             for c, f in zip(result.checked, s.files)]
    reports = [{"district_code": r.district_code, "status": r.status,
                "sha256": chosen[r.district_code].submission.sha256 if r.district_code in chosen else None,
                "received_at": chosen[r.district_code].submission.received_at.isoformat()
                if r.district_code in chosen else None} for r in s.month_reporting.itertuples()]
    groups = merged.assign(sha256=merged["district_code"].map(
        {code: c.submission.sha256 for code, c in chosen.items()}))
    seq: dict[str, int] = {}
    problems = []
    for p in s.problems:
        n = seq[p.file] = seq.get(p.file, 0) + 1
        problems.append({"file_name": p.file, "seq": n, "sha256": sha_of.get(p.file), "district_code": p.district_code,
                         "rule_id": p.rule_id, "severity": p.severity, "sheet": p.sheet, "cell": p.cell,
                         "value": p.value, "message_th": p.message_th, "fix_th": p.fix_th,
                         "message_en": p.message_en, "fix_en": p.fix_en})
    codes = pd.concat(new_codes, ignore_index=True) if new_codes else pd.DataFrame(
        columns=["group_code", "village_code", "name_key", "district_code", "first_period"])
    return {"files": files, "reports": reports, "groups": groups, "problems": problems, "new_codes": codes}


def archive_inputs(checked: list[Checked], folder: Path) -> dict[str, Path]:
    """Copies of the month's input files (never moved), kept by month; the same file is copied once."""
    folder.mkdir(parents=True, exist_ok=True)
    copied = {}
    for c in checked:
        path = c.submission.path
        data = bytes_as_read(path, c.submission.sha256)
        if data is None:  # gone or changed since it was read (or never read): nothing true to keep
            continue
        target = folder / path.name
        if target.exists() and target.read_bytes() != data:
            target = folder / f"{path.stem}_{c.submission.sha256[:8]}{path.suffix}"
        if not target.exists():
            write_bytes_atomic(target, data)
            shutil.copystat(path, target)
        copied[f"archive:{path.name}"] = target
    return copied


def month_output_names(setup: Setup, period: Period) -> dict[str, str]:
    stem = f"{setup.province_code}_{period.be_key}"
    return {"pdf": f"report_{stem}.pdf", "excel": f"summary_{stem}.xlsx", "json": f"result_{stem}.json"}


def write_outputs(result: RunResult, setup: Setup, period: Period, commit: OutputCommit, lang: str,
                  district_reports: tuple[str, ...] = (), ahead: MadeAhead | None = None) -> dict[str, Path]:
    """Everything is written into the commit's staging folder first and switched into place only
    when all of it was made (generator.store.commit), so a run that fails or is killed part-way leaves
    the previous month's outputs as they were, together with the store."""
    # The run's id is its record's hash: the same inbox gives the same store, id included.
    commit.id = hashlib.sha256(result_json(result).encode("utf-8")).hexdigest()[:32]
    staged = _render_all(result, setup, period, commit.new, lang, district_reports=district_reports, ahead=ahead)
    targets = {commit.out_dir / p.relative_to(commit.new) for p in staged.values()}
    # A district that has since sent a clean file must not find last run's feedback here.
    stale = [old for old in (commit.out_dir / "feedback").glob(f"feedback_*_{period.be_key}*.xlsx")
             if old not in targets]
    return commit.switch(staged, stale)


def _render_all(result: RunResult, setup: Setup, period: Period, folder: Path, lang: str,
                district_reports: tuple[str, ...] = (), ahead: MadeAhead | None = None) -> dict[str, Path]:
    """Excel summary, PDF (with the summary attached), feedback workbooks and the JSON record.

    With a warm PDF worker active (`generator.outputs.parallel.pdf_worker`, the CLI starts one), the PDF's
    pages are laid out in that process while this one writes the Excel summary (attached to the PDF
    once it is written), the feedback workbooks, the district pages and the record. ahead: the
    workbooks the web page made before the click (`generator.outputs.ahead`), taken when they are
    the very ones this run would make."""
    from generator.outputs.parallel import WhenWritten, active_pdf_worker, pdf_result, render_pdf_file

    names = month_output_names(setup, period)
    excel_path, pdf_path = folder / names["excel"], folder / names["pdf"]
    worker = active_pdf_worker()
    pending = worker.submit_pdf(result.summary, pdf_path, WhenWritten([excel_path]), lang) if worker else None
    outputs = {"excel": _made(SummaryWorkbook(result.summary, lang), excel_path, ahead)}
    outputs["pdf"] = None if pending else render_pdf_file(result.summary, pdf_path, [excel_path], lang)
    for key, book in feedback_workbooks(result, setup, period).items():
        outputs[key] = _made(book, folder / "feedback" / book.file_name, ahead)
    outputs.update(_write_district_pages(result, period, folder, lang, district_reports))
    outputs["json"] = write_bytes_atomic(folder / names["json"], result_json(result).encode("utf-8"))
    if pending:
        outputs["pdf"] = pdf_result(pending, result.summary, pdf_path, [excel_path], lang)
    return outputs


def _made(book, path: Path, ahead: MadeAhead | None) -> Path:
    taken = ahead.take(book.digest(), path) if ahead is not None else None
    return taken or book.write(path)


def workbooks_ahead(result: RunResult, setup: Setup, period: Period, lang: str) -> list[tuple[str, object]]:
    """(name, workbook): the workbooks a run of this month would write, the Excel summary first
    (`SummaryWorkbook`, `FeedbackWorkbook`), to be made before the click from the month's preview
    (`jobs.make_ahead`)."""
    feedback = [(book.file_name, book) for book in feedback_workbooks(result, setup, period).values()]
    return [(month_output_names(setup, period)["excel"], SummaryWorkbook(result.summary, lang)), *feedback]


def feedback_workbooks(result: RunResult, setup: Setup, period: Period) -> dict[str, FeedbackWorkbook]:
    """One workbook per district: about its current (latest) file, with a line for each of its
    other files saying what became of them. A district whose files need nothing gets none; one
    whose earlier file had problems is told that the later file replaced it."""
    books = {}
    for code, c in sorted(current_files(result.checked).items()):
        others = [x for x in result.checked if x.submission.district_code == code and x is not c]
        if not (errors(c.problems) or warnings(c.problems)
                or any(errors(x.problems) or warnings(x.problems) for x in others)):
            continue  # a note alone needs no feedback
        replaced = [p for x in others for p in x.problems if p.rule_id in REPLACED_RULES]
        # Feedback goes to district staff: always Thai, whatever language the province runs in.
        title = texts.text("feedback.title", "th", district=setup.district_name(code), period=period.thai(),
                           file=c.submission.name)
        # The copy is made from the bytes that were checked, never from a file changed since.
        books[f"feedback:{c.submission.name}"] = FeedbackWorkbook(
            c.submission.path if c.submission.table is not None else None, c.submission.sha256,
            tuple(c.problems + replaced), title, feedback_file_name(code, period, setup.district_name(code)))
    return books


REPLACED_RULES = frozenset({"F_DUPLICATE_DISTRICT", "F_REPLACED_BY_NEWER"})


def _write_district_pages(result: RunResult, period: Period, folder: Path, lang: str,
                          district_reports: tuple[str, ...]) -> dict[str, Path]:
    """One page per district chief (--district / --per-district)."""
    from generator.outputs.render_pdf import district_report_name, write_district_pdf

    return {f"district:{code}": write_district_pdf(
        result.summary, code, folder / "districts" / district_report_name(code, period), lang)
        for code in district_reports}


RESULT_VERSION = 2  # 1: until the national roll-up; 2 added the province's name, totals, phase detail


def result_json(result: RunResult) -> str:
    """A machine-readable record of the run: every file, every district and every problem.

    It is also what `savings-report national` reads (see docs/national.md, "The result file"): keys are only
    ever added, so a reader of an older version keeps working."""
    s = result.summary

    def progress(p) -> dict:
        return {"label": p.label, "target": p.target, "founded": p.founded, "percent": p.percent,
                "expected": round(p.expected, 6), "status": p.status}

    def money(d) -> dict:
        return {"groups": d.groups, "members": d.members, "savings_baht": round(d.savings_baht, 2),
                "borrowers": d.borrowers, "loans_baht": round(d.loans_baht, 2), "officers": d.officers,
                "officers_with_group": d.officers_with_group, "kkkj_villages": d.kkkj_villages,
                "villages_with_group": d.villages_with_group}

    data = {
        "result_version": RESULT_VERSION,
        "province_code": s.province_code, "province_name": s.province_name, "office_name": s.office_name,
        "fiscal_year_be": s.fiscal_year_be, "period": s.period.key, "period_be": s.period.be_key,
        "made_on": s.made_on.isoformat(), "due_date": s.due_date.isoformat(),
        "phases": [progress(p) for p in s.phases],
        "year": progress(s.year),
        "kkkj_villages": s.kkkj_villages, "villages_with_group_start": s.villages_with_group_start,
        "villages_with_group": s.villages_with_group,
        "totals": money(s.total),
        "district_reports": {"districts": len(s.districts), "accepted": len(s.reported),
                             "rejected": len(s.rejected), "missing": len(s.missing)},
        "districts": [{"district_code": d.district_code, "district_name": d.district_name, "report": d.report,
                       "founded": d.year.founded, "target": d.year.target, "status": d.year.status,
                       "phases": [{"target": p.target, "founded": p.founded} for p in d.phases],
                       "figures_from": d.figures_from,
                       **money(d)} for d in s.districts],
        "reporting_rate": s.reporting_rate, "on_time_rate": s.on_time_rate,
        "year_reporting_rate": s.year_reporting_rate, "year_on_time_rate": s.year_on_time_rate,
        "reporting": s.reporting.to_dict("records"),
        "files": [{**f.__dict__, "received_on": f.received_on.isoformat() if f.received_on else None}
                  for f in s.files],
        "problems": [p.to_dict() for p in s.problems],
    }
    return json.dumps(data, ensure_ascii=False, indent=1)
