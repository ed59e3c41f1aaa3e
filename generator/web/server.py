"""`savings-report serve`: the page under waitress, with the warm PDF worker the CLI's run uses."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from generator.web.words import word
from generator.web.workspace import Workspace

DEFAULT_WORKSPACE = Path("workspace")


class ServeError(Exception):
    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


def seed_demo(ws: Workspace) -> None:
    """The Chaiyaphum demo as a workspace: its setup, the last month's returned files as if uploaded
    when the demo's districts sent them, its history store and its outputs."""
    from generator.samples.demo import build_demo
    from generator.web.runner import _manifest

    result = build_demo(ws.output)
    ws.add_setup((ws.output / "setup_36_2566.xlsx").read_bytes(), datetime.now())
    period = result.summary.period
    incoming = ws.root / ".incoming"
    incoming.mkdir(exist_ok=True)
    for path in sorted((ws.output / "inbox").iterdir()):
        copy = incoming / f".demo-{path.name}"
        shutil.copy2(path, copy)
        ws.add_file(period, path.name, copy, datetime.fromtimestamp(path.stat().st_mtime))
    ws.save_outputs(period, _manifest(result, ws.output))


def _warm_preview(app, ws: Workspace) -> None:
    """The newest month with files is worked out once in the background, so its first page view is quick."""
    import threading

    setup, months = ws.setup(), ws.months_with_uploads()
    if setup is not None and months:
        previews = app.extensions["savings"]["previews"]
        threading.Thread(target=previews.get, args=(setup, months[-1]), daemon=True).start()


def serve(root: Path, host: str = "127.0.0.1", port: int = 8080, demo: bool = False, lang: str = "th",
          say=print, threads: int = 8, proxies: int = 0) -> None:
    """proxies: reverse proxies in front (a TLS terminator on this machine or another). Through one,
    the page is reached from elsewhere even when bound to 127.0.0.1, so the password is required."""
    import waitress

    from generator.outputs.parallel import check_worker, pdf_worker, warm_renderer
    from generator.web import UploadLimits, create_app
    from generator.web.security import is_loopback

    ws = Workspace(root)
    require_login = not is_loopback(host) or proxies > 0
    if require_login and not ws.has_password:
        raise ServeError("serve_proxy_needs_password" if proxies else "serve_needs_password", host=host)
    if demo and ws.setup() is None:
        say(word("serve_demo", lang))
        seed_demo(ws)
    limits = UploadLimits()
    app = create_app(ws.root, require_login=require_login, limits=limits, proxies=proxies)
    # The worker forks before waitress starts its threads; this process warms too, for the
    # district pages it lays out itself while the worker does the province's report.
    with pdf_worker(keep_layouts=2), check_worker():
        _warm_preview(app, ws)  # a thread: only once the workers have forked
        warm_renderer()
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        say(word("serve_open", lang, url=f"http://{shown}:{port}/", workspace=ws.root))
        if require_login:
            say(word("serve_login", lang))
        waitress.serve(app, host=host, port=port, threads=threads, ident="savings-report",
                       max_request_body_size=limits.total_mb * 1024 * 1024,
                       # the proxy's headers reach ProxyFix only when there is a proxy to believe
                       clear_untrusted_proxy_headers=not proxies)
