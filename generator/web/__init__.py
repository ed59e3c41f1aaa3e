"""The provincial office's web page: a thin face over the same pipeline as the command line.

`create_app(workspace)` builds the Flask app; `savings-report serve` runs it under waitress.
See `workspace.py` for the folder's layout and `security.py` for who may reach what.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import jinja2
from flask import Flask, g, request, session

from generator.core.problems import SEVERITY_LABELS
from generator.intake.limits import DEFAULT_LIMITS
from generator.web import security
from generator.web.runner import Previews, Runner
from generator.web.words import word
from generator.web.workspace import Workspace

HERE = Path(__file__).resolve().parent
from generator.outputs.formatting import TEMPLATES as REPORT_TEMPLATES  # noqa: E402  the report's templates and CSS


@dataclass(frozen=True)
class UploadLimits:
    """Checked before a file is opened: the request's size before it is read, the number of files
    before any is stored, each file's size while it is written aside."""

    file_mb: int = DEFAULT_LIMITS.max_file_bytes // (1024 * 1024)
    files: int = 100
    total_mb: int = 200


def create_app(workspace: Path, require_login: bool = False, limits: UploadLimits = UploadLimits(),
               testing: bool = False, preview_wait: bool | None = None, proxies: int = 0) -> Flask:
    """preview_wait: pages wait for the month's preview to catch up with new files (tests), instead
    of showing the last one with the new files' own checks while it is worked out (serving).
    proxies: how many reverse proxies (a TLS terminator) stand in front of the page; only then are
    their X-Forwarded-For/-Proto/-Host headers believed (the client's address for the rate limits,
    https for the Secure cookie, the host the district links name). Without one they are ignored,
    since any client could send them."""
    ws = Workspace(workspace)
    app = Flask(__name__, static_folder=str(HERE / "static"), template_folder=str(HERE / "templates"))
    app.config.update(
        SECRET_KEY=ws.secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="savings_report",
        MAX_CONTENT_LENGTH=limits.total_mb * 1024 * 1024,
        MAX_FORM_PARTS=limits.files + 20,
        REQUIRE_LOGIN=require_login,
        UPLOAD_LIMITS=limits,
        TESTING=testing,
        PREVIEW_WAIT=testing if preview_wait is None else preview_wait,
    )
    # The page's own templates first, then the report's, so the page can show page 1's tiles with
    # the very macros the PDF uses.
    app.session_interface = security.SessionCookies()
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.jinja_loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(HERE / "templates"),
                                            jinja2.FileSystemLoader(REPORT_TEMPLATES)])
    from generator.outputs.formatting import environment

    app.jinja_env.filters.update(environment().filters)
    app.jinja_env.autoescape = True  # also for the report's macros and any template name
    previews = Previews(ws, on_settled=_ahead_of_the_click(ws, running=lambda: runner.running))
    runner = Runner(ws, memo=previews.memo)
    app.extensions["savings"] = {"ws": ws, "runner": runner, "previews": previews,
                                 "limiter": security.LoginLimiter(),
                                 "link_limiter": security.LoginLimiter(), "fresh_links": {}}
    _logging(ws)

    @app.before_request
    def _language_and_guard():
        g.lang = session.get("lang", "th")
        from generator.web.district import guard_district

        return security.guard(guard_district)

    app.after_request(security.headers)
    app.after_request(_keep_flashes)

    @app.context_processor
    def _helpers():
        lang = getattr(g, "lang", "th")
        return {"w": lambda key, **p: word(key, lang, **p), "lang": lang, "th": lang == "th",
                "when": lambda value: when(value, lang), "severity_labels": SEVERITY_LABELS[lang],
                "csrf_token": security.csrf_token, "logged_in": bool(session.get("province")),
                "district_session": g.get("district"),
                "refresh_url": _refresh_url,
                "require_login": app.config["REQUIRE_LOGIN"]}

    from generator.web import district, links, receiving  # noqa: F401  links and receiving add to the province's routes
    from generator.web.routes import bp, register_errors

    app.register_blueprint(bp)
    app.register_blueprint(district.bp)
    register_errors(app)
    return app


def _logging(ws: Workspace) -> None:
    """One log per workspace (the last app made in a process writes it)."""
    log = logging.getLogger("savings_report.web")
    for old in [h for h in log.handlers if isinstance(h, logging.FileHandler)]:
        log.removeHandler(old)
        old.close()
    handler = logging.FileHandler(ws.root / "web.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def _refresh_url() -> str:
    """The page again, as a new load: the address alternates, because going to the very address the
    page has (with its #fragment) would only scroll, not reload. A page that loads itself again
    keeps its messages ("4 files taken in…") for the next load, so none is gone before it is read."""
    g.keep_flashes = True
    flip = "1" if request.args.get("u") != "1" else "2"
    return f"{request.path}?u={flip}"


def _ahead_of_the_click(ws: Workspace, running=lambda: False):
    def settled(setup, period, result, lang: str, still) -> None:
        """The month has settled: with `serve`'s workers, its report is made now (`jobs.make_ahead`:
        laid out and written in the PDF worker, its workbooks made in the check worker), so the
        click's run takes it. A run's own PDF waits at most for this one report; an upload's
        check, for one workbook. Not while a run is under way: it is making them itself."""
        from generator.jobs import make_ahead
        from generator.outputs.parallel import active_check_worker

        if active_check_worker() is not None and not running():
            make_ahead(result, setup, period, lang, ws.ahead, lambda: still() and not running())

    return settled


def _keep_flashes(response):
    if g.get("keep_flashes"):
        from flask import flash, get_flashed_messages

        for category, message in get_flashed_messages(with_categories=True):
            flash(message, category)
    return response


def when(value, lang: str = "th") -> str:
    """A received time as the office reads it: the Buddhist-era date and the clock time."""
    from datetime import datetime

    from generator.core.periods import format_date

    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{format_date(value.date(), lang)} {value:%H:%M}"


from generator.web.ext import extension  # noqa: E402,F401  kept importable from the package
