"""Benchmark: one province's month end to end, as provincial staff run it.

    python bench/province_month.py [--repeat 5]

Builds the Chaiyaphum demo inputs once (16 districts), then times the whole `savings-report run`
command in a fresh process each time (interpreter start and imports included) and prints one line
per figure: the best and median wall time, and the peak memory of the command and its PDF worker
together. The machine is shared while this runs, so the best of several runs is the figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from generator.demo import DEMO_PERIOD, build_demo

    work = Path(tempfile.mkdtemp(prefix="bench-province-"))
    build_demo(work / "demo")
    inbox = work / "demo" / "inbox"
    cmd = [sys.executable, "-m", "generator", "run", "--setup", str(work / "demo" / "setup_36_2566.xlsx"),
           "--period", DEMO_PERIOD.be_key, "--inbox", str(inbox), "--out", str(work / "out"),
           "--made-on", "2023-08-20"]
    runs = [measure.run(cmd, cwd=ROOT) for _ in range(args.repeat)]
    if any(r["code"] not in (0, 1) for r in runs):
        sys.exit(f"the run failed:\n{runs[-1]['stderr']}")
    walls = [r["wall"] for r in runs]
    print(f"machine: {measure.machine()}")
    print(f"province month end to end (16 districts, {len(list(inbox.iterdir()))} files, 'savings-report run' "
          f"in a fresh process): best {min(walls):.2f} s, median {statistics.median(walls):.2f} s wall "
          f"(target <= 2 s; {args.repeat} runs)")
    print(f"CPU of that command (both processes): best {min(r['cpu'] for r in runs):.2f} s")
    print(f"peak memory of that command (main process + PDF worker): {max(r['peak_mib'] for r in runs):.0f} MiB "
          f"(largest single process {max(r['largest_mib'] for r in runs):.0f} MiB)")


if __name__ == "__main__":
    main()
