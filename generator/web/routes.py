"""The page's routes: each parses the request, calls one job of the pipeline, shows or sends the result.

Every form posts and redirects (so a reload never sends twice and every page works without
JavaScript); files are only ever sent from what the workspace lists, never from a path in the URL.
This module holds the province's login, setup, month, sending and district pages; taking files in
is in `receiving.py`, the district links in `links.py`, a district's own pages in `district.py`.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import tempfile
import threading
import zipfile
from datetime import date, datetime
from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, send_file,
                   send_from_directory, session, url_for)
from werkzeug.exceptions import HTTPException

from generator.core.periods import Period, PeriodError, fiscal_year_months, format_date
import generator.web.security as security
from generator.web.ext import extension
from generator.web.runner import DONE, FAILED, RUNNING
from generator.web.words import word

bp = Blueprint("web", __name__)
LOG = logging.getLogger("savings_report.web")
_send_lock = threading.Lock()


def _w(key: str, **params) -> str:
    return word(key, g.lang, **params)


def _lang_redirect():
    lang = request.args.get("lang")
    if lang in ("th", "en"):
        session["lang"] = lang
        return redirect(request.path)
    return None


@bp.before_app_request
def _switch_language():
    return _lang_redirect()


# --- login ------------------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
def login():
    if not current_app.config["REQUIRE_LOGIN"]:
        return redirect(url_for("web.home"))
    limiter = extension("limiter")
    address = request.remote_addr or "?"
    if request.method == "POST":
        if limiter.blocked(address):
            LOG.warning("login refused (rate limit) from %s", address)
            return render_template("login.html", error=_w("login_limited", minutes=int(security.WINDOW // 60))), 429
        if extension("ws").check_password(request.form.get("password", "")):
            limiter.succeeded(address)
            security.log_in()
            LOG.info("login from %s", address)
            return redirect(url_for("web.home"))
        limiter.failed(address)
        LOG.warning("wrong password from %s", address)
        return render_template("login.html", error=_w("login_wrong")), 401
    return render_template("login.html", error=None)


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("web.login") if current_app.config["REQUIRE_LOGIN"] else url_for("web.home"))


@bp.get("/fonts/<name>")
def font(name: str):
    from generator.outputs.pdf_engine import FONT_FILES, font_dir

    if name not in FONT_FILES.values():
        abort(404)
    return send_from_directory(font_dir(), name, max_age=86400)


@bp.get("/report.css")
def report_css():
    from generator.outputs.pdf_engine import STYLESHEET
    from generator.outputs.formatting import TEMPLATES

    return send_from_directory(TEMPLATES, STYLESHEET, mimetype="text/css", max_age=3600)


# --- home and setup ---------------------------------------------------------------------------

def _setup():
    setup = extension("ws").setup()
    if setup is None:
        flash(_w("no_setup"))
        abort(redirect(url_for("web.setup_page")))
    return setup


def _fiscal_months(setup) -> list[Period]:
    return fiscal_year_months(setup.fiscal_year_be)


def _month(text: str):
    setup = _setup()
    try:
        period = Period.parse(text)
    except PeriodError:
        abort(404)
    if period not in _fiscal_months(setup) or period.be_key != text:
        abort(404)
    return setup, period


@bp.get("/")
def home():
    ws = extension("ws")
    setup = ws.setup()
    if setup is None:
        return redirect(url_for("web.setup_page"))
    months = []
    for p in _fiscal_months(setup):
        months.append({"period": p, "files": len(ws.uploads(p)), "made": "pdf" in ws.outputs(p),
                       "due": format_date(setup.due_date(p), g.lang)})
    return render_template("home.html", setup=setup, months=months)


@bp.get("/setup")
def setup_page():
    ws = extension("ws")
    return render_template("setup.html", setup=ws.setup(), problems=ws.last_setup_check(),
                           earlier=[p.name for p in ws.setup_files()])


@bp.get("/setup/blank.xlsx")
def setup_blank():
    from generator.outputs.setup_template import write_setup_workbook

    with tempfile.TemporaryDirectory() as tmp:
        path = write_setup_workbook(Path(tmp) / "setup.xlsx")
        data = path.read_bytes()
    return send_file(io.BytesIO(data), as_attachment=True, download_name="setup_blank.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/setup")
def setup_upload():
    from generator.core.model import SetupInvalid

    ws = extension("ws")
    f = request.files.get("setup")
    if not f or not f.filename:
        flash(_w("setup_no_file"))
        return redirect(url_for("web.setup_page"))
    data = f.stream.read(current_app.config["UPLOAD_LIMITS"].file_mb * 1024 * 1024 + 1)
    if len(data) > current_app.config["UPLOAD_LIMITS"].file_mb * 1024 * 1024:
        flash(_w("file_too_large", name=f.filename[:80], mb=current_app.config["UPLOAD_LIMITS"].file_mb))
        return redirect(url_for("web.setup_page"))
    try:
        setup = ws.add_setup(data, datetime.now())
    except SetupInvalid as exc:
        ws.save_setup_check([p.to_dict() for p in exc.problems])
        flash(_w("setup_bad"))
        LOG.info("setup refused: %d problems", len(exc.problems))
        return redirect(url_for("web.setup_page"))
    ws.save_setup_check([])
    flash(_w("setup_ok", province=setup.province_name, year=setup.fiscal_year_be, districts=len(setup.district_codes)))
    LOG.info("setup taken in: province %s, fiscal year %s", setup.province_code, setup.fiscal_year_be)
    return redirect(url_for("web.home"))


# --- the month --------------------------------------------------------------------------------

def _preview(setup, period):
    """(result, fresh): the month previewed; not fresh while files that came since are worked in."""
    return extension("previews").get(setup, period, wait=current_app.config["PREVIEW_WAIT"])


def _fixed_received(setup, shas: list[str]) -> dict:
    """First sightings the history store already holds: those received times no longer change."""
    from generator.store.history import HistoryStore, StoreError

    path = extension("ws").store_path(setup)
    if not path.is_file() or not shas:
        return {}
    try:
        with HistoryStore.open(path, setup.province_code, wait_seconds=5) as store:
            return store.first_seen(shas)
    except StoreError:  # a run is committing: the page shows the dates as editable this once
        return {}


def _files_view(setup, period, result):
    """Every file of the month: as the preview worked it out, or, for a file that came since, as its
    own check at upload found it (the same rules and words, without the month-wide checks)."""
    from types import SimpleNamespace

    from generator.core.statuses import ACCEPTED, REJECTED

    ws = extension("ws")
    uploads = {u.leaf: u for u in ws.uploads(period)}
    fixed = _fixed_received(setup, [u.sha256 for u in uploads.values()])
    problems: dict[str, list] = {}
    for p in result.summary.problems:
        problems.setdefault(p.file, []).append(p)
    rows = []
    for c, f in zip(result.checked, result.summary.files):
        u = uploads.get(c.submission.name)
        rows.append({"outcome": f, "upload": u, "received": c.submission.received_at,
                     "fixed": u is not None and u.sha256 in fixed, "problems": problems.get(f.file, [])})
    seen = {c.submission.name for c in result.checked}
    checks = ws.checks(period)
    for leaf, u in uploads.items():
        check = checks.get(u.sha256)
        if leaf in seen or check is None:
            continue
        code = check["district_code"] if check["district_code"] in setup.district_codes else None
        ps = check["problems"]
        outcome = SimpleNamespace(file=leaf, district_code=code, district_name=setup.district_name(code) if code else None,
                                  status=ACCEPTED if check["ok"] else REJECTED,
                                  errors=sum(p["rejects_file"] for p in ps),
                                  warnings=sum(p["severity"] in ("warning", "confirmed") for p in ps))
        rows.append({"outcome": outcome, "upload": u, "received": u.received_at, "fixed": u.sha256 in fixed,
                     "problems": ps, "new": True})
    rows.sort(key=lambda r: (r["outcome"].district_code or "~", r["received"]))
    return rows


@bp.get("/m/<month>")
def month(month: str):
    setup, period = _month(month)
    extension("previews").report_lang = g.lang  # a report laid out ahead is in the page's language
    result, fresh = _preview(setup, period)
    ctx = _month_context(result.summary, g.lang)
    runner = extension("runner").state
    limits = current_app.config["UPLOAD_LIMITS"]
    return render_template("month.html", setup=setup, period=period, result=result, **ctx,
                           files=_files_view(setup, period, result), run=runner, run_text=_run_text(runner),
                           outputs=_output_links(period), limits=limits,
                           has_feedback=any(k.startswith("feedback:") for k in extension("ws").outputs(period)),
                           by_status=_by_status(result.summary), running=_run_watch(runner), fresh=fresh,
                           arrivals=arrivals_stamp(period))


def arrivals_stamp(period) -> str:
    """What has come in for the month, in a few characters: it changes with every new file, so an
    open month page (web.js) knows when to load itself again."""
    ups = extension("ws").uploads(period)
    return f"{len(ups)}-{ups[-1].sha256[:16]}" if ups else "0"


def _month_context(summary, lang: str) -> dict:
    """What the page takes from the report: its labels, grid and counts (not its charts and tables)."""
    from generator.outputs.render_pdf import LABELS, reporting_grid
    from generator.figures.standing import district_state
    from generator.core.statuses import ON_TIME, TIMELINESS

    return {"s": summary, "L": LABELS[lang], "grid": reporting_grid(summary), "timeliness": TIMELINESS,
            "on_time_count": summary.month_timeliness[ON_TIME], "state": district_state}


def _report_context(ctx: dict) -> dict:
    """The report's own template context (labels L, grid, charts), less what the page names itself."""
    return {k: v for k, v in ctx.items() if k not in ("period", "lang")}


def _by_status(summary) -> list[tuple[str, list]]:
    from generator.core.statuses import TIMELINESS

    rows = summary.month_reporting
    names = {d.district_code: d for d in summary.districts}
    return [(status, [names[c] for c in rows.loc[rows["status"] == status, "district_code"] if c in names])
            for status in TIMELINESS]


def _run_text(state) -> str | None:
    if state.period is None:
        return None
    label = state.period.label(g.lang)
    if state.state == RUNNING:
        step = _w("run_writing") if state.writing else _w("run_reading", done=state.done, total=state.total)
        return _w("run_running", month=label, step=step)
    if state.state == DONE:
        done = _w("run_done", month=label, when=state.finished_at.strftime("%H:%M:%S"))
        if state.pages_why:
            return f"{done} {_w('run_pages_failed', why=state.pages_why)}"
        if state.pages_pending:
            return f"{done} {_w('run_pages', done=state.pages_done, total=state.pages_total)}"
        return done
    if state.state == FAILED:
        return _w("run_failed", why=state.why)
    return None


def _output_links(period) -> list[tuple[str, str, str]]:
    """(key, label, district code or '') for each file the last good run of the month wrote."""
    outs = extension("ws").outputs(period)
    links = []
    for key in ("pdf", "excel", "json"):
        if key in outs:
            links.append((key, _w(f"dl_{key}"), ""))
    for key in sorted(k for k in outs if k.startswith("feedback:")):
        _, code, name = key.split(":", 2)
        links.append((key, f"{_w('dl_feedback')}: {name}", code))
    for key in sorted(k for k in outs if k.startswith("district:")):
        links.append((key, _w("dl_district_pdf"), key.split(":", 1)[1]))
    return links


@bp.get("/m/<month>/run.json")
def run_status(month: str):
    _month(month)
    state = extension("runner").state
    return jsonify({"state": state.state, "text": _run_text(state), "done": state.done, "total": state.total,
                    "watch": _run_watch(state)})


def _run_watch(state) -> str:
    """What an open month page waits on (web.js loads the page again when it changes): the run,
    then the district pages that follow it."""
    return "running" if state.state == RUNNING else "pages" if state.pages_pending else ""


@bp.post("/m/<month>/run")
def run(month: str):
    setup, period = _month(month)
    if extension("runner").start(period, g.lang):
        flash(_w("run_started"))
        LOG.info("report started for %s from %s", period.be_key, request.remote_addr)
    else:
        flash(_w("run_busy"))
    return redirect(url_for("web.month", month=month) + "#report")


@bp.get("/m/<month>/out/<path:key>")
def output(month: str, key: str):
    _, period = _month(month)
    path = extension("ws").outputs(period).get(key)
    if path is None:
        abort(404)
    inline = key == "pdf" or key.startswith("district:")
    return send_file(path, as_attachment=not inline, download_name=path.name)


@bp.get("/m/<month>/feedback.zip")
def feedback_zip(month: str):
    _, period = _month(month)
    files = [p for k, p in extension("ws").outputs(period).items() if k.startswith("feedback:")]
    if not files:
        abort(404)
    return _zip_response(files, f"feedback_{period.be_key}.zip")


def _zip_response(paths: list[Path], name: str):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for p in paths:
            z.write(p, p.name)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=name, mimetype="application/zip")


# --- sending the workbooks --------------------------------------------------------------------

def _workbooks(setup, period) -> list[Path]:
    """The month's district workbooks, written again when the store or the setup changed."""
    from generator.jobs import district_workbooks

    ws = extension("ws")
    store = ws.store_path(setup)
    stamp = f"{ws.setup_files()[0].name} {store.stat().st_mtime_ns if store.is_file() else 0}"
    folder = ws.month_dir(period) / "send"
    with _send_lock:
        key = folder / ".made-from"
        if not (key.is_file() and key.read_text() == stamp):
            ws.month_dir(period).mkdir(parents=True, exist_ok=True)
            fresh = Path(tempfile.mkdtemp(prefix=".send-", dir=ws.month_dir(period)))
            district_workbooks(setup, period, store, fresh)
            (fresh / ".made-from").write_text(stamp)
            old = folder.with_name(f".old-{os.getpid()}-{threading.get_ident()}")
            if folder.exists():
                os.replace(folder, old)
            os.replace(fresh, folder)
            shutil.rmtree(old, ignore_errors=True)
        return sorted(p for p in folder.glob("*.xlsx"))


@bp.get("/m/<month>/workbooks.zip")
def workbooks_zip(month: str):
    setup, period = _month(month)
    return _zip_response(_workbooks(setup, period), f"workbooks_{setup.province_code}_{period.be_key}.zip")


@bp.get("/m/<month>/workbook/<code>")
def workbook(month: str, code: str):
    from generator.outputs.district_template import district_file_name

    setup, period = _month(month)
    if code not in setup.district_codes:
        abort(404)
    wanted = district_file_name(period, code, setup.district_name(code))
    for path in _workbooks(setup, period):
        if path.name == wanted:
            return send_file(path, as_attachment=True, download_name=path.name)
    abort(404)


# --- a district -------------------------------------------------------------------------------

@bp.get("/m/<month>/d/<code>")
def district(month: str, code: str):
    from generator.store.history import HistoryStore
    from generator.outputs.render_pdf import district_context

    setup, period = _month(month)
    if code not in setup.district_codes:
        abort(404)
    result, fresh = _preview(setup, period)
    ctx = _report_context(district_context(result.summary, code, g.lang))
    files = [r for r in _files_view(setup, period, result) if r["outcome"].district_code == code]
    earlier = []
    path = extension("ws").store_path(setup)
    if path.is_file():
        with HistoryStore.open(path, setup.province_code) as store:
            frame = store.files()
        frame = frame[(frame["district_code"] == code) & (frame["period"] != period.key)]
        earlier = frame.sort_values(["period", "received_at"], ascending=False).to_dict("records")
    outs = [link for link in _output_links(period) if link[2] == code]
    return render_template("district.html", setup=setup, period=period, code=code, files=files, earlier=earlier,
                           outputs=outs, Period=Period, fresh=fresh, audit=extension("ws").audit_trail(code)[:200], **ctx)


# --- errors -----------------------------------------------------------------------------------

def register_errors(app) -> None:
    messages = {400: "csrf_failed", 403: "login_title", 404: "not_found", 413: "too_large", 429: "login_limited"}

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code in (301, 302, 303, 307, 308) or exc.response is not None:
            return exc.response or exc
        lang = getattr(g, "lang", None) or session.get("lang", "th")
        g.lang = lang
        limits = app.config["UPLOAD_LIMITS"]
        key = exc.description if exc.description in ("csrf_failed", "bad_host", "too_many") else messages.get(exc.code)
        params = {"too_large": {"mb": limits.total_mb}, "too_many": {"n": limits.files},
                  "login_limited": {"minutes": int(security.WINDOW // 60)}}.get(key, {})
        text = word(key, lang, **params) if key else exc.name
        return render_template("error.html", message=text, code=exc.code), exc.code


def _current_month(setup) -> Period:
    """This month if it is of the setup's year; else the newest month with files; else the first."""
    months = _fiscal_months(setup)
    today = Period(date.today().year, date.today().month)
    if today in months:
        return today
    with_files = [m for m in extension("ws").months_with_uploads() if m in months]
    return with_files[-1] if with_files else months[0]
