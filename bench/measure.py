"""Timing and memory of a whole command in a fresh process, for the benchmark scripts.

Peak memory is the largest sum, sampled every 50 ms, of the resident memory of the command and
every process it started (a worker pool counts in full, not only its largest process). Linux: read
from /proc. Elsewhere only the largest single process is known (from getrusage).
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import threading
import time
from pathlib import Path


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")) / 1024 / 1024
        ram = f"{mem:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        ram = "RAM unknown"
    import weasyprint  # noqa: F401  (version only)

    return (f"{os.cpu_count()} cores ({cpu}), {ram}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}")


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants (walked through /proc/<pid>/task/*/children)."""
    total, todo, page = 0, [root], os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * page
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", "rb") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> dict:
    """Run a command: wall seconds, CPU seconds of it and its children (on a shared machine, CPU
    divided by the cores is what the wall time would be with the cores free), peak memory of its
    process tree (MiB), exit code, output."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            if os.path.isdir("/proc"):
                peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime - cpu_before,
            "peak_mib": peak[0] / 2**20, "largest_mib": max(usage.ru_maxrss, before) / 1024,
            "code": proc.returncode, "stdout": out.decode("utf-8", "replace"),
            "stderr": err.decode("utf-8", "replace")}


def best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["wall"])
