"""The month's preview under a stream of uploads (a deadline hour): at most one preview of a month is
worked out at a time, and the page is never left without one."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

from generator.samples.demo import DEMO_PERIOD
from generator.web.runner import Previews
from generator.web.workspace import Workspace


def test_a_stream_of_uploads_starts_one_preview_at_a_time(tmp_path, setup_path, monkeypatch):
    import generator.jobs as jobs

    running, peak, made = [], [0], []
    guard = threading.Lock()

    def slow_preview(*args, **kwargs):
        with guard:
            running.append(1)
            peak[0] = max(peak[0], len(running))
        time.sleep(0.2)
        with guard:
            running.pop()
        made.append(object())
        return made[-1]

    monkeypatch.setattr(jobs, "month_preview", slow_preview)
    ws = Workspace(tmp_path / "ws")
    ws.add_setup(Path(setup_path).read_bytes(), datetime(2023, 8, 1, 9, 0))
    previews = Previews(ws)
    state = iter(range(10_000))
    monkeypatch.setattr(previews, "_key", lambda setup, period: next(state))  # each look: a new file came
    setup = ws.setup()
    first, fresh = previews.get(setup, DEMO_PERIOD)  # the very first view waits for one
    assert fresh and first is made[0]
    for _ in range(30):  # 30 page views while files keep coming, 10 ms apart
        result, fresh = previews.get(setup, DEMO_PERIOD)
        assert result is not None and not fresh
        time.sleep(0.01)
    while previews._busy:
        time.sleep(0.05)
    assert peak[0] == 1, f"{peak[0]} previews of one month at once"
    assert 2 <= len(made) <= 4  # the first, then one at a time: not one per upload
    # A page that must wait (tests, the very first view) still gets one of the files as they are.
    assert previews.get(setup, DEMO_PERIOD, wait=True)[1] is True
