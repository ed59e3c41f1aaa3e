"""The session cookie over HTTPS, directly or behind a TLS reverse proxy (issue 14): Secure whenever
the request came over HTTPS; a proxy's X-Forwarded-* headers believed only when the page was told
there is one (otherwise any client could fake its address or its scheme)."""

from __future__ import annotations

from datetime import datetime

import pytest

from generator.web.server import ServeError, serve
from tests.webtools import make_app


def _cookie(response) -> str:
    return next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("savings_report="))


def _open_link(app, **kw):
    link = app.extensions["savings"]["ws"].new_link("3601", datetime.now())
    return app.test_client().get(f"/d/{link}", **kw)


def test_the_cookie_is_secure_over_https_and_not_over_plain_http(tmp_path, setup_path):
    app = make_app(tmp_path / "ws", setup_path)
    plain = _cookie(_open_link(app))
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    direct = _cookie(_open_link(app, base_url="https://127.0.0.1"))
    assert "Secure" in direct


def test_forwarded_headers_count_only_behind_a_configured_proxy(tmp_path, setup_path):
    from generator.web import create_app

    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "report.example.go.th"}
    no_proxy = make_app(tmp_path / "a", setup_path)
    assert "Secure" not in _cookie(_open_link(no_proxy, headers=forwarded))
    make_app(tmp_path / "b", setup_path)  # the workspace with its setup
    behind = create_app(tmp_path / "b", require_login=True, testing=True, preview_wait=True, proxies=1)
    assert "Secure" in _cookie(_open_link(behind, headers=forwarded))
    # The link the province makes names the host the districts reach, not the proxy's upstream address.
    behind.extensions["savings"]["ws"].set_password("a password of 36")
    client = behind.test_client()
    from tests.webtools import token

    t = token(client, "/login")
    client.post("/login", data={"csrf": t, "password": "a password of 36"}, headers=forwarded)
    html = client.post("/links/3601/renew", data={"csrf": token(client, "/links")}, headers=forwarded,
                       follow_redirects=True).get_data(as_text=True)
    assert "https://report.example.go.th/d/" in html


def test_the_rate_limit_follows_the_real_client_only_behind_a_proxy(tmp_path, setup_path):
    from generator.web import create_app

    no_proxy = make_app(tmp_path / "a", setup_path).test_client()
    # A client that fakes X-Forwarded-For is still one address: blocked after five guesses.
    codes = [no_proxy.get(f"/d/guess{i}", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(7)]
    assert codes[-1] == 429
    make_app(tmp_path / "b", setup_path)
    behind = create_app(tmp_path / "b", testing=True, preview_wait=True, proxies=1).test_client()
    codes = [behind.get(f"/d/guess{i}", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(7)]
    assert codes == [404] * 7  # seven clients behind one proxy, one guess each


def test_serving_behind_a_proxy_needs_the_password_even_on_loopback(tmp_path):
    with pytest.raises(ServeError) as exc:
        serve(tmp_path / "ws", "127.0.0.1", 0, proxies=1, say=lambda _: None)
    assert exc.value.key == "serve_proxy_needs_password"
