"""The `savings-report` command: parses arguments, calls the pipeline, prints with Rich.

Results (the files table, problems, totals, `--json`) go to stdout; progress and errors that stop a
command go to stderr. Exit status: 0 everything went through, 1 some files were rejected, 2 the run could not proceed (bad setup, bad arguments).
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from generator.core import texts
from generator.core.periods import Period, PeriodError, format_date, parse_day
from generator import jobs, usage_words
from generator.core.statuses import EXIT_CANNOT_RUN, EXIT_OK, EXIT_REJECTED
from generator.core.problems import Problem
from generator.core.statuses import ACCEPTED, DISSOLVED, GAINED, LATE, MISSING, NOT_REPORTED, ON_TIME, REJECTED
from generator.core.model import Setup, SetupInvalid

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="รายงานกลุ่มออมทรัพย์เพื่อการผลิต / Monthly savings-group reports.")
# Nothing printed is ever read as Rich markup or emoji codes: messages carry file names, sheet
# names and cell values from the districts' files, and '[/]' or '[error F_X]' typed there must be
# shown as typed (and never end the run with a MarkupError). Colour comes from `style=` and Text.
err = Console(stderr=True, highlight=False, markup=False, emoji=False)
stdout = Console(highlight=False, markup=False, emoji=False)  # a command's results: stdout
_state = {"lang": "th"}


def _t(key: str, **params) -> str:
    return texts.text("cli." + key, _state["lang"], **params)


def _fail(key: str, **params) -> typer.Exit:
    err.print(_t(key, **params), style="bold red")
    return typer.Exit(EXIT_CANNOT_RUN)


# The help's words: every command's and option's from the catalogue (help.<command>.<option>), the
# value placeholders by what a value is (Typer would print <path>, <list[str]>), and Typer's own
# words (panel titles, [required], the help option). Set before any help is printed: in main() from
# the arguments, and again by --lang itself (eager), which also serves `--lang en <command> --help`.
_METAVARS = {"workspace": "folder", "host": "address", "port": "number", "setup": "file", "path": "file", "expect": "file", "files": "file", "store": "file",
             "out": "folder", "inbox": "folder", "paths": "folder", "period": "month", "made_on": "day",
             "received_on": "day", "district": "code", "limit": "limit", "lang": "lang"}
_TYPER_WORDS = {"OPTIONS_PANEL_TITLE": "options", "ARGUMENTS_PANEL_TITLE": "arguments",
                "COMMANDS_PANEL_TITLE": "commands", "DEFAULT_STRING": "default", "REQUIRED_LONG_STRING": "required",
                "ERRORS_PANEL_TITLE": "error"}


def _localise(command, lang: str, path: tuple[str, ...] = ()) -> None:
    from typer import rich_utils

    h = lambda key: texts.text("help." + key, lang)  # noqa: E731
    name = ".".join(path) or "app"
    if "help." + name in texts.TEXTS:
        command.help, command.short_help = h(name), None
    for param in command.params:
        key = f"{path[-1] if path else 'app'}.{param.name}"
        if "help." + key in texts.TEXTS:
            param.help = h(key)
        if getattr(param, "is_flag", False):
            param.metavar = ""
        elif param.name in _METAVARS:
            param.metavar = h("_." + _METAVARS[param.name])
    help_option = command.get_help_option(typer.Context(command))
    if help_option is not None:
        help_option.help, help_option.metavar = h("_.help_option"), ""
    for word, key in _TYPER_WORDS.items():
        setattr(rich_utils, word, h("_." + key))
    command.options_metavar = h("_.options_metavar")
    if hasattr(command, "subcommand_metavar"):
        command.subcommand_metavar = h("_.command_metavar")
    if not path:
        usage_words.install(lang)
    for sub in getattr(command, "commands", {}).values():
        _localise(sub, lang, path + (sub.name,))


def _set_lang(ctx: typer.Context, value: str) -> str:
    if value in texts.LANGS:
        _state["lang"] = value
        _localise(ctx.find_root().command, value)
    return value


@app.callback()
def _options(lang: Annotated[str, typer.Option("--lang", is_eager=True, callback=_set_lang)] = "th") -> None:
    if lang not in texts.LANGS:
        raise _fail("bad_lang", value=lang)
    _state["lang"] = lang


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError:
        raise _fail("bad_period", value=text) from None


def _setup(path: Path, load=None) -> Setup:
    """The setup (``load``: another job reading it, such as `jobs.province_identity`)."""
    try:
        with _job():
            return (load or jobs.load_province)(path)
    except SetupInvalid as exc:
        _print_problems(exc.problems)
        raise _fail("setup_invalid", path=path) from None


@contextmanager
def _job():
    """A job that cannot go on says why in one sentence and the command ends with exit status 2."""
    try:
        yield
    except jobs.JobFailed as exc:
        raise _fail(exc.key, **exc.params) from None


# --- limits on returned files (issue 7) ---------------------------------------------------------
LimitOption = Annotated[list[str], typer.Option(
    "--limit", help="เปลี่ยนขีดจำกัดขนาดไฟล์ เช่น --limit rows=50000 (file_mb, unpacked_mb, ratio, entries, rows, "
                    "cols, cells, chars) / change a size limit on returned files")]


def _limits(items: list[str] | None):
    with _job():
        return jobs.parse_limits(items)
# --- end of limits ---------------------------------------------------------------------------------


def _print_problems(problems: list[Problem], limit: int = 200, console: Console | None = None) -> None:
    """Problems that are a command's result go to stdout; those that stop it (a bad setup) to stderr."""
    lang = _state["lang"]
    console = console or err
    for p in problems[:limit]:
        colour = "red" if p.is_error else "yellow"
        console.print(p.render(lang), style=colour, soft_wrap=True)
    if len(problems) > limit:
        console.print(_t("more_problems", n=len(problems) - limit))


@app.command("init-setup")
def init_setup(path: Annotated[Path, typer.Argument(help="ไฟล์ .xlsx ที่จะสร้าง")],
               force: Annotated[bool, typer.Option("--force", help="เขียนทับไฟล์เดิม")] = False) -> None:
    """เขียนไฟล์ข้อมูลตั้งต้นของจังหวัดเปล่า / Write a blank province setup workbook."""
    with _job():
        jobs.write_blank_setup(path, force)
    err.print(_t("wrote", path=path))


StoreOption = Annotated[Optional[Path], typer.Option(
    "--store", help="ฐานข้อมูลประวัติ (ค่าเริ่มต้น: history_<รหัสจังหวัด>.sqlite ในโฟลเดอร์เดียวกับไฟล์ข้อมูลตั้งต้น)")]


@app.command("next-year")
def next_year_command(
        setup: Annotated[Path, typer.Option("--setup", help="ไฟล์ข้อมูลตั้งต้นของปีนี้")],
        out: Annotated[Path, typer.Option("--out", help="ไฟล์ข้อมูลตั้งต้นของปีหน้าที่จะสร้าง (.xlsx)")],
        store: StoreOption = None,
        force: Annotated[bool, typer.Option("--force", help="เขียนทับไฟล์เดิม")] = False) -> None:
    """ข้อมูลตั้งต้นของปีงบประมาณหน้า จากปีนี้และฐานข้อมูลประวัติ / Next fiscal year's setup from this year's and the store."""
    s = _setup(setup)
    with _job():
        model = jobs.prepare_next_year(s, setup, store, out, force)
    err.print(_t("next_year_done", year=model.setup.fiscal_year_be, path=out, gained=model.count(GAINED),
                 dissolved=model.count(DISSOLVED), not_reported=model.count(NOT_REPORTED)))
    if model.kept_districts:
        err.print(_t('next_year_kept', year=s.fiscal_year_be, names=_names(s, model.kept_districts)), style="yellow")
    if model.stale_districts:
        err.print(_t('next_year_stale', names=_names(s, model.stale_districts)), style="yellow")
    err.print(_t("next_year_fill", this=s.fiscal_year_be))


def _names(s: Setup, codes) -> str:
    return ", ".join(s.district_name(c) for c in codes)


@app.command()
def templates(setup: Annotated[Path, typer.Option("--setup", help="ไฟล์ข้อมูลตั้งต้น")],
              period: Annotated[str, typer.Option("--period", help="เดือน เช่น 2566-03 หรือ 2023-03")],
              out: Annotated[Path, typer.Option("--out", help="โฟลเดอร์ที่จะเขียน")],
              store: StoreOption = None) -> None:
    """สร้างแบบรายงานของทุกอำเภอสำหรับเดือนหนึ่ง / Write one workbook per district for a month.

    เติมกลุ่มที่อำเภอส่งล่าสุดให้ล่วงหน้า เมื่อมีฐานข้อมูลประวัติ / Pre-filled from the history store when there is one."""
    s, p = _setup(setup), _period(period)
    with _job():
        made = jobs.month_workbooks(s, setup, p, out, store)
    if made.carried is None:
        err.print(_t("no_store_blank", path=made.store_path))
    else:
        err.print(_t("carried", n=made.carried, path=made.store_path) if made.carried
                  else _t("not_carried", path=made.store_path))
    paths = made.paths
    err.print(_t("templates_done", n=len(paths), out=out, due=format_date(s.due_date(p), _state["lang"])))


@app.command()
def run(setup: Annotated[Path, typer.Option("--setup", help="ไฟล์ข้อมูลตั้งต้น")],
        period: Annotated[str, typer.Option("--period", help="เดือน เช่น 2566-03 หรือ 2023-03")],
        inbox: Annotated[Path, typer.Option("--inbox", help="โฟลเดอร์ไฟล์ที่อำเภอส่งกลับ")],
        out: Annotated[Path, typer.Option("--out", help="โฟลเดอร์ผลลัพธ์")] = Path("output"),
        made_on: Annotated[Optional[str], typer.Option("--made-on", help="วันที่จัดทำรายงาน (YYYY-MM-DD)")] = None,
        store: StoreOption = None,
        received_on: Annotated[Optional[str], typer.Option(
            "--received-on", help="วันที่ได้รับไฟล์ที่นำเข้ามาภายหลัง (YYYY-MM-DD) ใช้กับไฟล์ที่ยังไม่เคยเห็น")] = None,
        archive: Annotated[bool, typer.Option("--archive", help="สำเนาไฟล์ที่ได้รับไว้ใน <out>/archive/<เดือน>")] = False,
        district: Annotated[Optional[list[str]], typer.Option(
            "--district", help="รายงานหนึ่งหน้าของอำเภอนี้ด้วย (รหัส 4 หลัก ใส่ซ้ำได้)")] = None,
        per_district: Annotated[bool, typer.Option("--per-district", help="รายงานหนึ่งหน้าของทุกอำเภอ")] = False,
        limit: LimitOption = None,
        ) -> None:
    """รวมแบบรายงานของเดือน ตรวจ และออกรายงาน PDF/Excel / Merge a month and write the reports."""
    s, p, limits = _setup(setup), _period(period), _limits(limit)
    day, received = _date(made_on) or date.today(), _date(received_on)
    with _job(), err.status(Text(_t("reading"))) as status:
        codes = jobs.report_districts(s, district, per_district)
        result, store_path = jobs.run_report(
            s, setup, p, inbox, out, day, lang=_state["lang"], given_store=store, received_on=received,
            archive=archive, district_reports=codes, limits=limits,
            progress=lambda path: status.update(Text(_t("reading_file", name=path.name))))
    _report_run(result)
    err.print(_t("store_used", path=store_path))
    raise typer.Exit(result.exit_code)


def _date(text: str | None) -> date | None:
    try:
        return parse_day(text) if text else None
    except PeriodError:
        raise _fail("bad_date", value=text) from None


COPIES_SHOWN = 5  # names of identical copies printed beside the file read


def _report_run(result) -> None:
    """The run's result, on stdout (`savings-report run … > log.txt` keeps it); progress stays on stderr."""
    s = result.summary
    lang = _state["lang"]
    table = Table(title=_t("files_title", period=s.period.label(lang)))
    for col in ("col_file", "col_district", "col_status", "col_errors", "col_warnings"):
        table.add_column(_t(col))
    for f in s.files:
        colour = {ACCEPTED: "green", REJECTED: "red"}.get(f.status, "yellow")
        # A few names of the copies: a thousand would fill the screen (all are in the Excel summary).
        shown = ", ".join(f.copies[:COPIES_SHOWN]) + (", …" if len(f.copies) > COPIES_SHOWN else "")
        name = f.file + (" " + _t("copies", n=len(f.copies), names=shown) if f.copies else "")
        table.add_row(name, f.district_name or "-", Text(texts.text('report_short.' + f.status, lang), style=colour),
                      str(f.errors), str(f.warnings))
    stdout.print(table)
    _print_problems([p for p in s.problems if p.is_error], console=stdout)
    n = lambda k, key: texts.count(k, key, lang)  # noqa: E731
    counted = s.files_by_status
    stdout.print(_t("run_totals", read=n(len(s.files), "file"), accepted=n(counted[ACCEPTED], "file"),
                 rejected=n(counted[REJECTED], "file"), missing=n(len(s.missing), "district")))
    timely = s.month_timeliness
    stdout.print(_t("timeliness", on_time=n(timely[ON_TIME], "district"), late=n(timely[LATE], "district"),
                 rate=f"{s.on_time_rate or 0:.2f}"))
    if s.missing:
        stdout.print(_t("missing", names=", ".join(d.district_name for d in s.missing)))
    stdout.print(_t("headline", founded=s.year.founded, target=s.year.target, percent=f"{s.year.percent or 0:.2f}"))
    for key, path in result.outputs.items():
        stdout.print(f"  {path}")


@app.command()
def national(paths: Annotated[list[Path], typer.Argument(help="โฟลเดอร์ผลลัพธ์ของแต่ละจังหวัด หรือไฟล์ result_*.json")],
             period: Annotated[str, typer.Option("--period", help="เดือน เช่น 2566-08 หรือ 2023-08")],
             out: Annotated[Path, typer.Option("--out", help="โฟลเดอร์ผลลัพธ์")] = Path("output/national"),
             expect: Annotated[Optional[Path], typer.Option(
                 "--expect", help="รายชื่อจังหวัดที่ต้องส่ง (CSV: รหัส,ชื่อ)")] = None,
             made_on: Annotated[Optional[str], typer.Option("--made-on", help="วันที่จัดทำรายงาน (YYYY-MM-DD)")] = None,
             ) -> None:
    """รวมผลของทุกจังหวัดเป็นรายงานระดับประเทศ / Roll the provinces' results up into a national report."""
    p = _period(period)
    day = _date(made_on) or date.today()
    with _job():
        result, lines = jobs.national_report(paths, p, out, day, _state["lang"], expect)
    for line in lines:
        err.print(line, markup=False, soft_wrap=True)
    raise typer.Exit(result.exit_code)


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="ไฟล์ที่จะตรวจ")],
             setup: Annotated[Optional[Path], typer.Option("--setup", help="ไฟล์ข้อมูลตั้งต้น (ถ้ามี ตรวจครบทุกกฎ)")] = None,
             as_json: Annotated[bool, typer.Option("--json", help="พิมพ์ผลเป็น JSON")] = False,
             limit: LimitOption = None) -> None:
    """ตรวจไฟล์ทีละไฟล์โดยไม่รวม / Check files one by one without merging."""
    s = _setup(setup) if setup else None
    limits = _limits(limit)
    results, worst = [], EXIT_OK
    for path in files:
        if not path.is_file():
            raise _fail("no_file", path=path)
        checked = jobs.check_file(path, s, limits)
        worst = max(worst, EXIT_OK if checked.ok else EXIT_REJECTED)
        results.append(checked.to_dict())
        if not as_json:
            stdout.print(_t("valid_ok" if checked.ok else "valid_bad", name=path.name))
            _print_problems(checked.problems, console=stdout)
    if as_json:
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    raise typer.Exit(worst)


@app.command()
def history(setup: Annotated[Path, typer.Option("--setup", help="ไฟล์ข้อมูลตั้งต้น")],
            store: StoreOption = None,
            files: Annotated[bool, typer.Option("--files", help="แสดงทุกไฟล์ที่ได้รับ")] = False,
            as_json: Annotated[bool, typer.Option("--json", help="พิมพ์ผลเป็น JSON")] = False) -> None:
    """ประวัติการส่งรายงานรายอำเภอรายเดือน / What each district sent and what was accepted, by month."""
    s = _setup(setup, jobs.province_identity)  # its province and districts: no pandas on this path
    with _job():
        received, grid, moves = jobs.store_history(s, setup, store)
    if as_json:
        # allow_nan=False: a missing value is null, never the bare NaN that is not JSON.
        sys.stdout.write(json.dumps({"reports": grid, "files": received, "village_moves": moves},
                                    ensure_ascii=False, indent=1, allow_nan=False) + "\n")
        return
    lang = _state["lang"]
    words = texts.section("timeliness", lang)
    colours = {ON_TIME: "green", LATE: "yellow", REJECTED: "red", MISSING: "dim"}
    for year in sorted({r["fiscal_year_be"] for r in grid}):  # one table per fiscal year
        rows = [r for r in grid if r["fiscal_year_be"] == year]
        months = sorted({r["month"] for r in rows})
        stdout.print(_t('history_year', year=year), style="bold")
        table = Table(title=_t("history_title", province=s.province_name))
        table.add_column(_t("col_district"))
        for m in months:
            table.add_column(Period.parse(m).label(lang), justify="center")
        for code in s.district_codes:
            cells = {r["month"]: r["status"] for r in rows if r["district_code"] == code}
            table.add_row(s.district_name(code), *(
                Text(words[cells[m]], style=colours[cells[m]]) if m in cells else "-" for m in months))
        stdout.print(table)
    if moves:
        moved = Table(title=_t("history_moves"))
        for col in ("col_year", "col_old_village", "col_new_village", "col_groups", "col_reason"):
            moved.add_column(_t(col))
        for m in moves:
            moved.add_row(str(m["fiscal_year_be"]), m["old_village_code"], m["new_village_code"], m["groups"] or "-",
                          m["reason"] if isinstance(m["reason"], str) else "-")
        stdout.print(moved)
    if files:
        listing = Table(title=_t("history_files"))
        for col in ("col_month", "col_file", "col_district", "col_received", "col_status"):
            listing.add_column(_t(col))
        for f in received:
            listing.add_row(Period.parse(f["period"]).label(lang), f["file_name"],
                            s.district_name(f["district_code"]) if f["district_code"] else "-",
                            f["received_at"].replace("T", " "), texts.text("report_short." + f["status"], lang))
        stdout.print(listing)


@app.command()
def rules() -> None:
    """พิมพ์รายการกฎการตรวจ / Print the catalogue of validation rules."""
    from generator.core.rules import CATALOGUE

    from rich.padding import Padding

    lang = _state["lang"]
    # One rule a paragraph, not a five-column table: readable in an 80-column terminal.
    stdout.print(_t('rules_title') + "\n", style="bold")
    for r in CATALOGUE:
        stdout.print(Text.assemble((r.id, "bold"), f"  {_t('sev_' + r.severity)} · {_t('col_scope')} {r.scope}"))
        message, fix = (r.message_th, r.fix_th) if lang == "th" else (r.message_en, r.fix_en)
        stdout.print(Padding(Text(message), (0, 0, 0, 4)))
        stdout.print(Padding(Text(f"{_t('col_fix')}: {fix}"), (0, 0, 1, 4)))


@app.command()
def demo(out: Annotated[Path, typer.Option("--out", help="โฟลเดอร์ผลลัพธ์")] = Path("output/demo")) -> None:
    """สาธิต: จังหวัดชัยภูมิ ปีงบประมาณ 2566 / Demo: Chaiyaphum, fiscal year 2566."""
    with err.status(Text(_t("demo_running"))):
        result = jobs.demo_month(out)
    _report_run(result)
    stdout.print(_t("demo_done", pdf=result.outputs.get("pdf")))


@app.command()
def serve(workspace: Annotated[Path, typer.Option("--workspace", help="โฟลเดอร์งานของหน้าเว็บ")] = Path("workspace"),
          host: Annotated[str, typer.Option("--host", help="ที่อยู่ที่รับการเชื่อมต่อ (0.0.0.0 = ทุกเครื่องในเครือข่าย)")] = "127.0.0.1",
          port: Annotated[int, typer.Option("--port")] = 8080,
          set_password: Annotated[bool, typer.Option("--set-password", help="ตั้งรหัสผ่านของจังหวัด")] = False,
          demo: Annotated[bool, typer.Option("--demo", help="เริ่มด้วยข้อมูลสาธิต เมื่อโฟลเดอร์งานยังว่าง")] = False,
          behind_proxy: Annotated[int, typer.Option("--behind-proxy", min=0,
                                                    help="จำนวนพร็อกซี (HTTPS) ที่อยู่หน้าเว็บ")] = 0) -> None:
    """เปิดหน้าเว็บของสำนักงานจังหวัด / Serve the provincial office's web page."""
    from generator.web.server import ServeError, serve as serve_page
    from generator.web.words import word
    from generator.web.workspace import PASSWORD_MIN, Workspace

    lang = _state["lang"]
    if set_password:
        first = typer.prompt(word("password_prompt", lang), hide_input=True, err=True)
        if len(first) < PASSWORD_MIN:
            err.print(word("password_short", lang, n=PASSWORD_MIN), markup=False)
            raise typer.Exit(EXIT_CANNOT_RUN)
        if typer.prompt(word("password_again", lang), hide_input=True, err=True) != first:
            err.print(word("password_mismatch", lang), markup=False)
            raise typer.Exit(EXIT_CANNOT_RUN)
        ws = Workspace(workspace)
        ws.set_password(first)
        err.print(word("password_set", lang, path=ws.password_path), markup=False)
        return
    try:
        serve_page(workspace, host, port, demo=demo, lang=lang, say=lambda text: err.print(text, markup=False),
                   proxies=behind_proxy)
    except ServeError as exc:
        err.print(word(exc.key, lang, **exc.params), style="bold red")
        raise typer.Exit(EXIT_CANNOT_RUN) from None


def _unraisable(_) -> None:
    """Errors in destructors after the real one was reported (openpyxl's unfinished temporary
    files and zip streams on a full disk) would print tracebacks after the sentence; the
    sentence has said it all."""


def main() -> None:
    # Usage mistakes are handled by Typer itself (exit status 2); anything else ends here, so
    # that the user sees a sentence and never a traceback.
    sys.unraisablehook = _unraisable
    args = sys.argv[1:]
    lang = args[args.index("--lang") + 1] if "--lang" in args[:-1] else "th"
    _state["lang"] = lang if lang in texts.LANGS else "th"
    command = typer.main.get_command(app)
    _localise(command, _state["lang"])
    try:
        command(prog_name="savings-report")
    except KeyboardInterrupt:
        err.print(_t("interrupted"))
        sys.exit(EXIT_CANNOT_RUN)
    except OSError as exc:  # a folder that cannot be written, a disk that is full
        detail = f"{exc.strerror or exc}: {exc.filename or ''}"
        err.print(_t('os_error', detail=detail), style="bold red")
        sys.exit(EXIT_CANNOT_RUN)
    except Exception as exc:
        err.print(_t('unexpected', detail=f'{type(exc).__name__}: {exc}'), style="bold red")
        sys.exit(EXIT_CANNOT_RUN)
