"""Benchmark: one province's month end to end, as provincial staff run it.

    python bench/province_month.py [--repeat 3]

Builds the Chaiyaphum demo inputs once (16 districts), then times the whole `savings-report run`
command in a fresh process (interpreter start and imports included) and prints one line per figure.
"""

from __future__ import annotations

import argparse
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from generator.demo import DEMO_PERIOD, build_demo

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    build_demo(work / "demo")
    cmd = [sys.executable, "-m", "generator", "run", "--setup", str(work / "demo" / "setup_36_2566.xlsx"),
           "--period", DEMO_PERIOD.be_key, "--inbox", str(work / "demo" / "inbox"), "--out", str(work / "out"),
           "--made-on", "2023-08-20"]
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"machine: {platform.processor() or platform.machine()}, {platform.python_version()}")
    print(f"province month end to end (16 districts, {len(list((work / 'demo' / 'inbox').iterdir()))} files): "
          f"best {min(times):.2f} s, median {sorted(times)[len(times) // 2]:.2f} s wall")
    print(f"peak memory of the run: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
