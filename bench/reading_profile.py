"""Where the reading of a returned workbook spends its time, stage by stage (CPU, no profiler's
overhead): each stage of `read_submission` timed on its own over the same files.

    python bench/reading_profile.py [--cache output/bench/nation] [--files 200]

Reads the synthetic nation's returned workbooks (written by bench/national_month.py). Prints ms a
file for each stage, and for the sheet measurement each part of the workbook, beside bare
python-calamine (open, read the groups sheet and `_meta`) and pandas.read_excel with calamine.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=ROOT / "output" / "bench" / "nation")
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()

    import pandas as pd
    from python_calamine import CalamineWorkbook

    from generator.core.schema import GROUPS, META_SHEET
    from generator.intake import container, safe
    from generator.intake.limits import DEFAULT_LIMITS
    from generator.intake.setup_workbook import load_setup
    from generator.intake.snapshot import snapshot
    from generator.intake.submission import _check_identity, read_submission
    from generator.outputs.district_template import HEADER_ROW
    from generator.samples.synthetic import NATION, write_nation

    nation = write_nation(args.cache, NATION)
    files = []
    for i in range(len(nation.provinces)):
        setup = load_setup(nation.setup_path(i))
        files += [(setup, p) for p in sorted(nation.inbox(i).iterdir())]
        if len(files) >= args.files:
            break
    files = files[:args.files]
    n = len(files)
    stages: dict[str, float] = {}

    def timed(name, fn, *a):
        t = time.process_time()
        out = fn(*a)
        stages[name] = stages.get(name, 0.0) + time.process_time() - t
        return out

    for setup, path in files:  # warm caches
        read_submission(path, setup, nation.period)
    t0 = time.process_time()
    for setup, path in files:
        read_submission(path, setup, nation.period)
    whole = time.process_time() - t0

    for setup, path in files:
        snap = timed("snapshot (read, hash)", snapshot, path)
        timed("container: zip directory, stream checks, every part measured", container.inspect_container,
              snap.data, DEFAULT_LIMITS, path.name)
        wb = timed("calamine: open", lambda: safe.CheckedWorkbook(CalamineWorkbook.from_filelike(io.BytesIO(snap.data)), {}))
        meta = timed("_meta read", safe.read_meta, wb, path.name)
        sub = type("S", (), {"meta": meta, "name": path.name, "period": None, "district_code": None})()
        timed("identity", _check_identity, sub, setup, nation.period)
        timed("find_table (calamine reads the sheet, header found)", safe.find_table, wb, GROUPS, meta, path.name)
    parts: dict[str, float] = {}
    for _, path in files:
        data = path.read_bytes()
        zf = zipfile.ZipFile(io.BytesIO(data))
        for info in zf.infolist():
            t = time.process_time()
            kept: list[bytes] = []
            if container._stream_checks(zf, info, path.name, kept):
                container._measure_sheet(zf, info, path.name, DEFAULT_LIMITS, 0, None, {}, b"".join(kept))
            parts[info.filename] = parts.get(info.filename, 0.0) + time.process_time() - t

    def bare():
        for _, path in files:
            w = CalamineWorkbook.from_path(str(path))
            w.get_sheet_by_name(GROUPS.sheet_th).to_python(skip_empty_area=False)
            w.get_sheet_by_name(META_SHEET).to_python()

    def pandas_calamine():
        for _, path in files:
            pd.read_excel(path, sheet_name=GROUPS.sheet_th, header=HEADER_ROW - 1, engine="calamine")

    floor = {}
    for name, fn in (("python-calamine alone: open, groups sheet and _meta", bare),
                     ("pandas.read_excel(engine='calamine'), groups sheet", pandas_calamine)):
        t = time.process_time()
        fn()
        floor[name] = time.process_time() - t

    ms = lambda s: f"{1000 * s / n:7.2f} ms"  # noqa: E731
    print(f"{n} returned workbooks; read_submission in all: {ms(whole)} a file")
    for name, s in stages.items():
        print(f"  {ms(s)}  {100 * s / sum(stages.values()):4.0f} %  {name}")
    print("  the measurement (stream checks and cells) by part:")
    for name, s in sorted(parts.items(), key=lambda kv: -kv[1])[:8]:
        print(f"    {ms(s)}  {name}")
    for name, s in floor.items():
        print(f"  {ms(s)}  {name}")


if __name__ == "__main__":
    main()
