"""Helpers for the tests in a real browser: Debian's Chromium driven by Playwright (no browser is
downloaded), and the app served by waitress on a free loopback port, as `savings-report serve` does."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager

import pytest

from tests.tools import find

try:
    from playwright.sync_api import expect, sync_playwright  # noqa: F401  (expect: for the tests)
except ImportError:  # in CI the import must work: the test fails instead of skipping
    if not os.environ.get("CI"):
        pytest.skip("playwright is not installed", allow_module_level=True)
    raise

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@contextmanager
def served(app):
    """The app on a free port of 127.0.0.1; yields its address."""
    from waitress.server import create_server

    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.effective_port}"
    finally:
        srv.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find("chromium"), args=ARGS)
        yield b
        b.close()
