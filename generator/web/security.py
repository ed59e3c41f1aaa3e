"""Who may use the page, and what every answer carries.

- Bound to the loopback address (the default), the page needs no login: only someone at the
  machine can reach it. The Host header must then name the loopback address, so a web page
  elsewhere cannot reach it by pointing its own name at 127.0.0.1 (DNS rebinding).
- Bound to any other address, or behind a reverse proxy, every page but the login page and its
  stylesheet and fonts needs the province password; the session is a signed cookie (HttpOnly,
  SameSite=Lax, Secure when the request came over HTTPS), renewed at login.
- Every form carries a token tied to the session (CSRF); a POST without the right one is refused.
- Wrong passwords are counted per client address; after `MAX_FAILURES` within `WINDOW` seconds
  that address must wait. Every login, right or wrong, is logged.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections import defaultdict, deque

from flask import abort, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface

LOG = logging.getLogger("savings_report.web")
MAX_FAILURES = 5
WINDOW = 300.0
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
# Reachable without a login when one is required: the login page and what it is drawn with.
OPEN_ENDPOINTS = {"web.login", "static", "web.font", "web.report_css", "district.exchange", "district.gone"}
CSP = ("default-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")


class SessionCookies(SecureCookieSessionInterface):
    """The signed session cookie, marked Secure whenever the request came over HTTPS (directly, or
    through a reverse proxy the app was told about), so a browser never sends it back in clear."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    sent = request.form.get("csrf", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="csrf_failed")


class LoginLimiter:
    """Wrong passwords per client address in a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW, clock=time.monotonic):
        self.max_failures, self.window, self.clock = max_failures, window, clock
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, address: str) -> deque:
        q, now = self._failures[address], self.clock()
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, address: str) -> bool:
        with self._lock:
            return len(self._recent(address)) >= self.max_failures

    def failed(self, address: str) -> None:
        with self._lock:
            self._recent(address).append(self.clock())
            if len(self._failures) > 10_000:  # bounded: forget the quietest addresses
                for key in [k for k, q in self._failures.items() if not q][:5_000]:
                    del self._failures[key]

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


def chosen_files(field: str = "files") -> list | None:
    """The files a form chose, counted before any is read: None, with a message, when none was
    chosen; a 413 when more than the upload limits allow at a time."""
    from flask import flash

    from generator.web.words import word

    chosen = [f for f in request.files.getlist(field) if f and f.filename]
    if not chosen:
        flash(word("no_files_chosen", g.lang))
        return None
    if len(chosen) > current_app.config["UPLOAD_LIMITS"].files:
        abort(413, description="too_many")
    return chosen


def log_in() -> None:
    """A fresh session on login: nothing from before survives (session fixation)."""
    lang = session.get("lang")
    session.clear()
    session["province"] = True
    session["csrf"] = secrets.token_urlsafe(32)
    if lang:
        session["lang"] = lang


def guard(guard_district) -> None:
    """Before every request: the host, the district's reach (`guard_district`, given by the app),
    the login, the CSRF token."""
    config = current_app.config
    host = (request.host or "").rsplit(":", 1)[0] if not request.host.startswith("[") else request.host.split("]")[0] + "]"
    if not config["REQUIRE_LOGIN"] and not is_loopback(host):
        abort(400, description="bad_host")
    guard_district()  # a district session reaches its own pages only; 404 for everything else
    if "district" in g:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            check_csrf()
        return None
    if config["REQUIRE_LOGIN"] and not session.get("province") and request.endpoint not in OPEN_ENDPOINTS:
        if request.method == "GET":
            from flask import redirect, url_for

            return redirect(url_for("web.login"))
        abort(403)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        check_csrf()
    return None


def headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
