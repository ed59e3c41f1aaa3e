"""A district's own pages (issue 14): opened from its link, they show and take its own files only.

`/d/<token>` exchanges the link's token for a fresh session and redirects to an address without
it. A district session reaches the `district.*` routes only, and those take the district from the
session, never from the URL: anything of another district (a file, a feedback workbook, a page of
the province) answers 404, as if it did not exist. Renewing or revoking the link ends the session.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
from datetime import datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, session, url_for

from generator.core import texts
from generator.core.problems import needs_feedback
import generator.web.security as security
from generator.web.ext import extension
from generator.web.words import word
from generator.web.workspace import safe_leaf

bp = Blueprint("district", __name__)
LOG = logging.getLogger("savings_report.web")
# What a district session may reach besides its own pages: what every page is drawn with.
SHARED_ENDPOINTS = {"static", "web.font", "web.report_css"}


def _w(key: str, **params) -> str:
    return word(key, g.lang, **params)


def current_district() -> str | None:
    """The district of this session, if its link is still the one it was opened with."""
    code = session.get("district")
    if code is None:
        return None
    if extension("ws").link_generation(code) != session.get("generation"):
        session.clear()  # renewed or revoked: this session has ended
        return None
    return code


def guard_district():
    """Before every request of a district session: only its own routes exist."""
    code = current_district()
    endpoint = request.endpoint or ""
    if code is None:
        if endpoint.startswith("district.") and endpoint not in ("district.exchange", "district.gone"):
            abort(404)
        return None
    if not (endpoint.startswith("district.") or endpoint in SHARED_ENDPOINTS):
        abort(404)
    g.district = code
    return None


@bp.get("/d/<token>")
def exchange(token: str):
    ws, limiter = extension("ws"), extension("link_limiter")
    address = request.remote_addr or "?"
    if limiter.blocked(address):
        LOG.warning("link refused (rate limit) from %s", address)
        abort(429)
    found = ws.link_for_token(token) if len(token) <= 100 else None
    if found is None:
        limiter.failed(address)
        LOG.warning("unknown link from %s", address)
        abort(404)
    code, generation = found
    lang = session.get("lang")
    session.clear()  # a new session: nothing from before survives the exchange
    session.update(district=code, generation=generation, csrf=secrets.token_urlsafe(32))
    if lang:
        session["lang"] = lang
    now = datetime.now()
    ws.link_opened(code, now)
    ws.audit(f"district {code}", "link_opened", code, detail=address, now=now)
    return redirect(url_for("district.home"))


def _setup_and_month(month: str | None):
    from generator.web.routes import _current_month, _month

    setup = extension("ws").setup()
    if setup is None:
        abort(404)
    if month is None:
        return setup, _current_month(setup)
    return _month(month)


@bp.get("/district")
def home():
    setup, period = _setup_and_month(None)
    return redirect(url_for("district.month", month=period.be_key))


@bp.get("/district/m/<month>")
def month(month: str):
    from generator.core.statuses import TIMELINESS
    from generator.web.routes import _output_links, _preview

    code = g.district
    setup, period = _setup_and_month(month)
    result, fresh = _preview(setup, period)
    ctx = _district_page(result.summary, code, g.lang)
    own = _own_files(setup, period, code)
    outputs = [link for link in _output_links(period) if link[2] == code]
    history = _district_history(setup, extension("ws").store_path(setup), code)
    return render_template("district_own.html", setup=setup, period=period, code=code, own=own, outputs=outputs,
                           timeliness_all=TIMELINESS, history=history, fresh=fresh, **ctx)


_HISTORIES: dict[tuple, tuple] = {}


def _district_history(setup, store_path: Path, code: str) -> list:
    """`jobs.district_history`, again only when the store has changed (a run commits to it): a
    district's browser shows it at every view, and a deadline hour has thousands of views."""
    from generator.jobs import district_history

    try:
        st = store_path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None
    return _remember(_HISTORIES, (str(store_path), stamp, code, id(setup)), setup,
                     lambda: district_history(setup, store_path, code), bound=2048)


_PAGES: dict[tuple, tuple] = {}
_PAGES_LOCK = threading.Lock()


def _remember(cache: dict, key: tuple, owner, make, bound: int):
    """make()'s answer, kept under key at most `bound` entries. key holds id(owner), and owner is
    kept with the answer, so that an id reused by a newer object never finds an older answer."""
    with _PAGES_LOCK:
        hit = cache.get(key)
    if hit is not None and hit[0] is owner:
        return hit[1]
    value = make()
    with _PAGES_LOCK:
        cache[key] = (owner, value)
        while len(cache) > bound:
            cache.pop(next(iter(cache)))
    return value


def _district_page(summary, code: str, lang: str) -> dict:
    """The district's page of the report (its tiles, chart, labels), made once per preview: every
    district's browser asks for it again every few seconds, and the preview changes far less often."""
    from generator.outputs.render_pdf import district_context
    from generator.web.routes import _report_context

    return _remember(_PAGES, (id(summary), code, lang), summary,
                     lambda: _report_context(district_context(summary, code, lang)), bound=64)


def _own_files(setup, period, code: str) -> dict:
    """This district's uploads of the month, each with its own check (made at upload, the CLI's
    rules and words), which one counts, and the latest one sent."""
    from generator.core.statuses import SUPERSEDED
    from generator.jobs import district_files

    ws = extension("ws")
    checks = ws.checks(period, code)
    rows = [{"upload": u, "check": checks[u.sha256], "feedback": needs_feedback(p["severity"] for p in checks[u.sha256]["problems"])}
            for u in ws.uploads(period, code) if u.sha256 in checks]
    counts, status = district_files([(r["upload"].received_at, r["upload"].leaf, r["check"]["ok"]) for r in rows])
    for r in rows:
        r["status"] = status[r["upload"].leaf]
    latest = rows[-1] if rows else None  # uploads come in the order they were taken in
    rows.sort(key=lambda r: (r["upload"].received_at, r["upload"].leaf), reverse=True)
    return {"rows": rows, "counts": counts, "latest": latest,
            "replaced": [r["upload"].leaf for r in rows if r["status"] == SUPERSEDED]}


@bp.get("/district/m/<month>/workbook")
def workbook(month: str):
    from generator.outputs.district_template import district_file_name
    from generator.web.routes import _workbooks

    setup, period = _setup_and_month(month)
    wanted = district_file_name(period, g.district, setup.district_name(g.district))
    for path in _workbooks(setup, period):
        if path.name == wanted:
            extension("ws").audit(f"district {g.district}", "workbook_downloaded", g.district, detail=period.be_key)
            return send_file(path, as_attachment=True, download_name=path.name)
    abort(404)


@bp.get("/district/m/<month>/out/<path:key>")
def output(month: str, key: str):
    _, period = _setup_and_month(month)
    ws = extension("ws")
    own = key == f"district:{g.district}" or key.startswith(f"feedback:{g.district}:")
    path = ws.outputs(period).get(key) if own else None
    if path is None:
        abort(404)
    if key.startswith("feedback:"):
        ws.audit(f"district {g.district}", "feedback_downloaded", g.district, detail=path.name)
    return send_file(path, as_attachment=key.startswith("feedback:"), download_name=path.name)


@bp.get("/district/m/<month>/f/<sha256>")
def returned_file(month: str, sha256: str):
    _, period = _setup_and_month(month)
    ws = extension("ws")
    up = ws.upload(period, sha256)
    check = ws.checks(period, g.district).get(sha256) if up else None
    if check is None:
        abort(404)
    return send_file(ws.blob(up.sha256), as_attachment=True, download_name=up.leaf)


@bp.post("/district/m/<month>/upload")
def upload(month: str):
    """A district's files: checked before they are taken in; one that claims another district,
    province or month is refused with what it claims and what was expected. Each file taken in gets
    its feedback workbook at once, from that upload, without waiting for the province's run."""
    setup, period = _setup_and_month(month)
    chosen = security.chosen_files()
    if chosen is None:
        return redirect(url_for("district.month", month=month))
    for f in chosen:
        _take_in(f, setup, period)
    return redirect(url_for("district.month", month=month) + "#latest")


def _take_in(f, setup, period) -> None:
    from dataclasses import replace

    from generator.intake.limits import DEFAULT_LIMITS
    from generator.jobs import check_upload
    from generator.web.receiving import spool

    ws, code = extension("ws"), g.district
    limits = current_app.config["UPLOAD_LIMITS"]
    who = f"district {code}"
    folder = Path(tempfile.mkdtemp(prefix=".district-", dir=ws.root / "months"))
    try:
        tmp = spool(f.stream, folder, limits.file_mb * 1024 * 1024)
        if tmp is None:
            flash(_w("file_too_large", name=f.filename[:80], mb=limits.file_mb))
            ws.audit(who, "upload_refused", code, detail=f"{f.filename[:80]}: too large")
            return
        named = folder / safe_leaf(f.filename)
        tmp.rename(named)
        checked = check_upload(named, setup, DEFAULT_LIMITS, period, ws.store_path(setup))
        if checked.district_code is not None and checked.district_code != code:
            flash(_w("other_district", name=named.name, found=setup.district_name(checked.district_code),
                     expected=setup.district_name(code)))
            ws.audit(who, "upload_refused", code, detail=f"{named.name}: claims {checked.district_code}")
            return
        identity = [p for p in checked.problems if p.rule_id in IDENTITY_RULES]
        if identity:
            flash(f"{named.name}: {identity[0].message(g.lang)} {identity[0].fix(g.lang)}")
            ws.audit(who, "upload_refused", code, detail=f"{named.name}: {identity[0].rule_id}")
            return
        up, new = ws.add_file(period, f.filename, named, datetime.now())
        ws.save_check(period, up.sha256, replace(checked, district_code=code))
        ws.audit(who, "upload", code, up.sha256, f"{up.leaf}: {'ok' if checked.ok else 'errors'}")
        flash(texts.text("cli." + ("valid_ok" if checked.ok else "valid_bad"), g.lang, name=up.leaf))
        if not new:
            flash(_w("own_same_file", name=up.leaf))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# A file that is not this district's return of this month: refused, never taken in.
IDENTITY_RULES = ("F_OTHER_PROVINCE", "F_OTHER_PERIOD", "F_UNKNOWN_DISTRICT")


@bp.get("/district/m/<month>/feedback/<sha256>")
def upload_feedback(month: str, sha256: str):
    """The feedback workbook of one of this district's own uploads, made from that upload's own
    check when it is first asked for: at a deadline hour most files are never asked for again, and
    an upload answers sooner without an openpyxl workbook to write first."""
    from generator.jobs import upload_feedback as make
    from generator.outputs.feedback import feedback_file_name

    setup, period = _setup_and_month(month)
    ws, code = extension("ws"), g.district
    up = ws.upload(period, sha256)
    check = ws.checks(period, code).get(sha256) if up else None
    if check is None or not needs_feedback(p["severity"] for p in check["problems"]):
        abort(404)
    path = make(ws.blob(sha256), check, setup, period, up.leaf, ws.upload_feedback(period, sha256))
    ws.audit(f"district {code}", "feedback_downloaded", code, sha256, up.leaf)
    return send_file(path, as_attachment=True, download_name=feedback_file_name(code, period, setup.district_name(code)))


@bp.post("/district/logout")
def logout():
    session.clear()
    return redirect(url_for("district.gone"))


@bp.get("/district/bye")
def gone():
    return render_template("error.html", message=_w("district_bye"), code=200)
