"""Benchmark: the office's web page, over HTTP on loopback, as `savings-report serve` runs it.

    python bench/web.py [--uploads 1000] [--port 8765] [--no-deadline]
    python bench/web.py --deadline [--small]      # only the deadline hour (--small: 88 uploads, 10 clients, 30 s)

Seeds a workspace with the Chaiyaphum demo, starts `savings-report serve` in its own process (warm
PDF worker included) and measures, printing one line per figure:
- upload to "shown": one returned workbook uploaded, then the month page that shows it, for each of
  the demo's districts (p50, p95, max);
- the month's report: from the click to the run being done (best and median of 3);
- 50 files from 10 concurrent clients: none lost, none duplicated, no 5xx, the store consistent;
- the server's resident memory over `--uploads` uploads of distinct files;
- the deadline hour at the department's scale: 878 district uploads from 50 concurrent clients, each a
  district's browser opened from its link, each upload followed by its page showing that file's check
  (time to feedback: p50, p95, max); none lost, no 5xx, the store consistent afterwards (index, inbox,
  blobs, each upload's own check and feedback workbook, the audit trail).
The machine may be shared while this runs: the figures are of that machine at that time.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MONTH = "/m/2566-08"


class Client:
    """One browser: a cookie, the CSRF token of the month page, multipart uploads."""

    def __init__(self, port: int):
        self.port, self.cookie = port, ""

    def request(self, method: str, url: str, body: bytes = b"", headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        h = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookie:
            h["Cookie"] = self.cookie
        conn.request(method, url, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        cookie = r.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        conn.close()
        return r.status, data

    def token(self) -> str:
        status, page = self.request("GET", MONTH)
        assert status == 200, status
        return re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()

    def upload(self, files: list[tuple[str, bytes]], token: str) -> int:
        boundary = "----bench" + hashlib.sha1(str(time.time()).encode()).hexdigest()
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'.encode()]
        for name, data in files:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        status, _ = self.request("POST", MONTH + "/upload", b"".join(parts),
                                 {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return status


def variant(data: bytes, n: int) -> bytes:
    """The same workbook with other bytes (a zip comment): distinct content, same cells."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as z:
        z.comment = f"bench {n}".encode()
    return buffer.getvalue()


class District(Client):
    """A district's browser: opened from its link, then its own month page and upload form."""

    def open(self, token: str) -> str:
        status, _ = self.request("GET", f"/d/{token}")
        assert status == 302, status
        status, page = self.request("GET", DISTRICT)
        assert status == 200, status
        return re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()

    def send(self, name: str, data: bytes, token: str) -> tuple[int, float, bool]:
        """(status of the upload, seconds to the page showing its check, whether it showed it)."""
        boundary = "----bench" + hashlib.sha1(f"{time.time()} {name}".encode()).hexdigest()
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        t = time.perf_counter()
        status, _ = self.request("POST", DISTRICT + "/upload", body,
                                 {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        shown_status, page = self.request("GET", DISTRICT)
        seconds = time.perf_counter() - t
        latest = page.split(b'id="latest"', 1)[-1].split(b"</section>", 1)[0]
        return (status if shown_status == 200 else shown_status), seconds, name.encode() in latest


DISTRICT = "/district/m/2566-08"


def deadline_hour(port: int, ws, returns: list[Path], uploads: int, clients: int, window: float) -> None:
    """`uploads` district uploads from `clients` concurrent district browsers within `window`
    seconds, as at a deadline: upload n is sent at n × window / uploads (by the client whose turn it
    is), so the load is the arrival rate the issue names, not clients sending as fast as they can."""
    from datetime import datetime

    from generator.core.periods import Period
    from generator.jobs import check_file

    setup, period = ws.setup(), Period(2023, 8)
    own = {}
    for path in returns:
        code = check_file(path, setup).district_code
        if code and code not in own:
            own[code] = path.read_bytes()
    codes = sorted(own)
    tokens = {code: ws.new_link(code, datetime.now(), who="bench") for code in codes}
    plan: list[list[tuple[str, str, bytes]]] = [[] for _ in range(clients)]
    for n in range(uploads):
        c = n % clients
        code = codes[c % len(codes)]
        plan[c].append((code, f"{code}_deadline_{n}.xlsx", variant(own[code], 2_000_000 + n)))
    results: list[tuple[int, float, bool]] = []
    lock = threading.Lock()

    browsers: dict[str, District] = {}

    def district(c, jobs):
        if not jobs:
            return
        me = District(port)
        token = me.open(tokens[jobs[0][0]])
        browsers.setdefault(jobs[0][0], me)
        for k, (_, name, data) in enumerate(jobs):
            due = t0 + (k * clients + c) * window / uploads
            time.sleep(max(0.0, due - time.perf_counter()))
            got = me.send(name, data, token)
            with lock:
                results.append(got)

    t0 = time.perf_counter() + 2.0  # every client opens its link first
    threads = [threading.Thread(target=district, args=(c, j)) for c, j in enumerate(plan)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    wall = time.perf_counter() - t0
    times = sorted(r[1] for r in results)
    # uploads/s below is of the whole window: the arrival rate, not what the server could take
    expected = {hashlib.sha256(data).hexdigest(): code for j in plan for code, _, data in j}
    index = {u.sha256: u for u in ws.uploads(period)}
    checks = ws.checks(period)
    lost = [s for s in expected if s not in index]
    wrong_district = [s for s, code in expected.items() if s in checks and checks[s]["district_code"] != code]
    no_check = [s for s in expected if s not in checks]
    blobs_ok = all(hashlib.sha256(ws.blob(s).read_bytes()).hexdigest() == s for s in expected if s in index)
    inbox_ok = {u.leaf for u in index.values()} == {p.name for p in ws.inbox(period).iterdir()}
    needs_feedback = [s for s in expected if s in checks and any(
        p["severity"] in ("error", "needs_confirmation", "warning", "confirmed") for p in checks[s]["problems"])]
    # The feedback workbook is made when a district first asks for it: after the hour (not timed),
    # a sample of the files with problems is asked for through its district's own page.
    sample = needs_feedback[:: max(1, len(needs_feedback) // 30)]
    feedback_ok = True
    for s in sample:
        status, data = browsers[expected[s]].request("GET", f"{DISTRICT}/feedback/{s}")
        feedback_ok &= status == 200 and data[:2] == b"PK" and ws.upload_feedback(period, s).is_file()
    audited = {a["sha256"] for a in ws.audit_trail() if a["action"] == "upload" and a["who"].startswith("district")}
    print(f"deadline hour, {len(results)} of {uploads} uploads from {clients} district clients within "
          f"{window:.0f} s: all done after {wall:.1f} s "
          f"({len(results) / wall:.1f} uploads/s); time to feedback p50 {statistics.median(times):.2f} s, "
          f"p95 {times[int(0.95 * (len(times) - 1))]:.2f} s, max {times[-1]:.2f} s")
    print(f"deadline hour, consistency: lost {len(lost)}, 5xx {sum(r[0] >= 500 for r in results)}, "
          f"other than 302 {sum(r[0] != 302 for r in results)}, page without its file {sum(not r[2] for r in results)}, "
          f"without its own check {len(no_check)}, under another district {len(wrong_district)}, "
          f"blobs match their hash {blobs_ok}, inbox matches the index {inbox_ok}, "
          f"feedback asked for {len(sample)} of the {len(needs_feedback)} with problems, each a workbook {feedback_ok}, "
          f"audited {len(audited & set(expected))} of {len(expected)}")


def rss_kib(pid: int) -> int:
    """A process's resident memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_rss_kib(pid: int) -> tuple[int, int]:
    """(the server's resident memory, with its workers': the PDF and check workers are processes
    of their own, children of the server)."""
    children = [int(c) for t in Path(f"/proc/{pid}/task").iterdir()
                for c in (t / "children").read_text().split()]
    own = rss_kib(pid)
    return own, own + sum(rss_kib(c) for c in children)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--deadline", action="store_true", help="only the deadline hour")
    parser.add_argument("--no-deadline", action="store_true", help="all but the deadline hour")
    parser.add_argument("--small", action="store_true", help="the deadline hour at 80 uploads from 10 clients")
    parser.add_argument("--deadline-uploads", type=int, default=878)
    parser.add_argument("--deadline-clients", type=int, default=50)
    parser.add_argument("--deadline-window", type=float, default=300.0, help="seconds the uploads arrive in")
    args = parser.parse_args()
    if args.small:  # the arrival rate (878 in 5 minutes, 2.9 a second) for 30 seconds
        args.deadline_uploads, args.deadline_clients, args.deadline_window = 88, 10, 30.0
    from generator.web.server import seed_demo
    from generator.web.workspace import Workspace

    work = Path(tempfile.mkdtemp(prefix="bench-web-"))
    ws = Workspace(work / "ws")
    seed_demo(ws)
    returns = sorted((ws.output / "inbox").glob("2566-08_*.xlsx"))
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--workspace", str(ws.root),
                               "--port", str(args.port)], cwd=ROOT,
                              # to a file: a pipe nobody reads fills after ~800 log lines and stops the server
                              stderr=open(work / "serve.log", "w"), stdout=subprocess.DEVNULL)
    try:
        client = Client(args.port)
        for _ in range(200):
            try:
                token = client.token()
                break
            except (ConnectionError, OSError):
                time.sleep(0.2)
        client.request("GET", MONTH)  # warm: the month's preview is computed once
        if args.deadline:
            deadline_hour(args.port, ws, returns, args.deadline_uploads, args.deadline_clients, args.deadline_window)
            return

        # 1. Upload to shown, one district at a time (each a new content: a district's corrected file).
        shown = []
        for i, path in enumerate(returns):
            data = variant(path.read_bytes(), 10_000 + i)
            t = time.perf_counter()
            assert client.upload([(path.name, data)], token) == 302
            status, page = client.request("GET", MONTH)
            shown.append(time.perf_counter() - t)
            assert status == 200 and path.name.encode() in page
        shown.sort()
        print(f"upload to shown, {len(shown)} districts: p50 {statistics.median(shown):.2f} s, "
              f"p95 {shown[int(0.95 * (len(shown) - 1))]:.2f} s, max {shown[-1]:.2f} s")

        # 2. The month's report, from the click to done: three times as the office does it (the month
        # page read for a while first, so the page has laid the report out ahead), then three times
        # right after one more upload (nothing laid out ahead).
        runs, pages, cold = [], [], []
        for n in range(6):
            if n < 3:  # the office reads the month's page for a while (the table, page 1's figures)
                client.request("GET", MONTH)
                time.sleep(15.0)
            else:
                data = variant(returns[n].read_bytes(), 20_000 + n)
                assert client.upload([(returns[n].name, data)], token) == 302
            t = time.perf_counter()
            status, _ = client.request("POST", MONTH + "/run", f"csrf={token}".encode(),
                                       {"Content-Type": "application/x-www-form-urlencoded"})
            assert status == 302
            while True:
                _, body = client.request("GET", MONTH + "/run.json")
                if b'"running"' not in body:
                    break
                time.sleep(0.05)
            (runs if n < 3 else cold).append(time.perf_counter() - t)
            assert b'"done"' in body, body
            while b'"watch":"pages"' in body.replace(b" ", b""):  # each district's page follows
                time.sleep(0.1)
                _, body = client.request("GET", MONTH + "/run.json")
            pages.append(time.perf_counter() - t)
        print(f"report ready after the click, the month settled: best {min(runs):.2f} s, median "
              f"{statistics.median(runs):.2f} s; right after an upload: best {min(cold):.2f} s, median "
              f"{statistics.median(cold):.2f} s; every district's one-page report after the click: best {min(pages):.2f} s")

        # 3. 50 files from 10 concurrent clients (5 each, one request per file), each a distinct content.
        base = returns[0].read_bytes()
        jobs = [[(f"c{c}_{k}.xlsx", variant(base, c * 100 + k)) for k in range(5)] for c in range(10)]
        statuses: list[int] = []

        def send(files):
            me = Client(args.port)
            t = me.token()
            for f in files:
                statuses.append(me.upload([f], t))

        threads = [threading.Thread(target=send, args=(j,)) for j in jobs]
        t0 = time.perf_counter()
        [t.start() for t in threads]
        [t.join() for t in threads]
        wall = time.perf_counter() - t0
        expected = {hashlib.sha256(d).hexdigest() for j in jobs for _, d in j}
        from generator.core.periods import Period

        stored = {u.sha256 for u in ws.uploads(Period(2023, 8))}
        blobs_ok = all(hashlib.sha256(ws.blob(s).read_bytes()).hexdigest() == s for s in expected)
        inbox = {u.leaf for u in ws.uploads(Period(2023, 8))}
        links_ok = inbox == {p.name for p in ws.inbox(Period(2023, 8)).iterdir()}
        print(f"50 files, 10 clients: {wall:.1f} s; lost {len(expected - stored)}, "
              f"5xx {sum(s >= 500 for s in statuses)}, other than 302 {sum(s != 302 for s in statuses)}, "
              f"rows {len(ws.uploads(Period(2023, 8)))} for {len(stored)} contents, "
              f"blobs match their hash {blobs_ok}, inbox matches the index {links_ok}")

        # 4. Memory over many uploads of distinct files.
        rss = []
        for n in range(args.uploads):
            assert client.upload([(f"m{n}.xlsx", variant(base, 1_000_000 + n))], token) == 302
            if n % 10 == 9:  # the month page now and then, as the office has it open
                client.request("GET", MONTH)
            if n in (99, args.uploads - 1):
                rss.append([v / 1024 for v in tree_rss_kib(server.pid)])
        print(f"server memory after 100 uploads {rss[0][0]:.0f} MiB ({rss[0][1]:.0f} with its workers), "
              f"after {args.uploads} {rss[-1][0]:.0f} MiB ({rss[-1][1]:.0f}): "
              f"+{rss[-1][0] - rss[0][0]:.0f} MiB (+{rss[-1][1] - rss[0][1]:.0f})")
        if args.no_deadline:
            return

        # 5. The deadline hour.
        deadline_hour(args.port, ws, returns, args.deadline_uploads, args.deadline_clients, args.deadline_window)
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
