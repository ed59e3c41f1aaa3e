"""Helpers for the web tests: a workspace with the demo province's setup, the CSRF token of a page."""

from __future__ import annotations

import re
from pathlib import Path

from generator.web import UploadLimits, create_app
from generator.web.workspace import Workspace

TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


def make_app(root: Path, setup_path: Path | None, require_login: bool = False,
             limits: UploadLimits = UploadLimits(), preview_wait: bool = True):
    ws = Workspace(root)
    if setup_path is not None and not ws.setup_files():
        from datetime import datetime

        ws.add_setup(Path(setup_path).read_bytes(), datetime(2023, 8, 1, 9, 0))
    return create_app(root, require_login=require_login, limits=limits, testing=True, preview_wait=preview_wait)


def token(client, url: str = "/setup") -> str:
    page = client.get(url).get_data(as_text=True)
    found = TOKEN.search(page)
    assert found, page[:500]
    return found.group(1)
