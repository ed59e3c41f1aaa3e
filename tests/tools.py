"""Outside tools some tests need: such a test skips on a developer's machine without the tool, and
fails in CI (where the environment variable CI is set and .ci/run installs every tool)."""

from __future__ import annotations

import os
import shutil

import pytest

# The command names each tool may go by, first found wins.
TOOLS = {
    "soffice": ("soffice", "libreoffice"),
    "chromium": ("chromium", "chromium-browser"),
    "pdftotext": ("pdftotext",),
    "pdffonts": ("pdffonts",),
    "pdftoppm": ("pdftoppm",),
}


def find(tool: str) -> str | None:
    for name in TOOLS.get(tool, (tool,)):
        path = shutil.which(name)
        if path:
            return path
    return None


def needs(*tools: str):
    """A marker: skip without the tools, unless in CI, where their absence is a failure."""
    missing = [t for t in tools if find(t) is None]
    if missing and os.environ.get("CI"):
        return pytest.mark.usefixtures()  # run anyway: the test fails on the missing tool, as it should
    return pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)}")
