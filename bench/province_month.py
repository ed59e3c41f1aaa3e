"""Benchmark: one province's month end to end, as provincial staff run it, and how it grows.

    python bench/province_month.py [--repeat 3] [--quick]

Builds the Chaiyaphum demo (16 districts) once, then measures, each command in a fresh process
(interpreter start and imports included), and prints one line per figure with its goal beside it:
  - `savings-report run` on a new store, against WeasyPrint alone laying out the same finished HTML
    in a fresh process (goal: the run <= 2x);
  - the same month run again after one district sent a corrected file (goal: <= 0.6x the full run);
  - across time: a store holding a whole fiscal year of monthly runs, the last month's run against the
    first month's on an empty store (goal <= 1.1x), `history` on that store (goal <= 0.5 s), and the
    store's size per month.
It ends with one JSON line holding the ratios by name. The machine may be shared: each figure is the
best of --repeat runs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import measure  # noqa: E402

GOALS = {"province_vs_pdf": 2.0, "rerun_vs_full": 0.6, "month_vs_first_month": 1.1, "history_seconds": 0.5}


def child_pdf_alone(work: Path) -> None:
    """WeasyPrint alone, in this fresh process, on the finished HTML: import, fonts, one layout."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from generator.outputs.render_pdf import TEMPLATE
    from generator.outputs.pdf_engine import STYLESHEET, font_face_css
    from generator.outputs.formatting import TEMPLATES

    font_config = FontConfiguration()
    css = CSS(string=font_face_css() + (TEMPLATES / STYLESHEET).read_text(encoding="utf-8"),
              base_url=(TEMPLATES / STYLESHEET).as_uri(), font_config=font_config)
    HTML(string=(work / "report.html").read_text(encoding="utf-8"), base_url=(TEMPLATES / TEMPLATE).as_uri()
         ).write_pdf(work / "alone.pdf", stylesheets=[css], font_config=font_config)


def run_cmd(setup: Path, period: str, inbox: Path, out: Path, store: Path | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "generator", "run", "--setup", str(setup), "--period", period,
           "--inbox", str(inbox), "--out", str(out), "--made-on", "2023-08-20"]
    return cmd + (["--store", str(store)] if store else [])


def best_of(cmd_for, repeat: int, fresh=None) -> dict:
    runs = []
    for k in range(repeat):
        if fresh:
            fresh(k)
        r = measure.run(cmd_for(k), cwd=ROOT)
        if r["code"] not in (0, 1):
            sys.exit(f"the command failed:\n{r['stderr'][-3000:]}")
        runs.append(r)
    return measure.best(runs)


def line(name: str, text: str, value: float, goal: float | None, unit: str = "x") -> None:
    mark = "" if goal is None else ("  [goal <= %g%s: %s]" % (goal, unit, "met" if value <= goal else "NOT met"))
    print(f"{name:<22} {text}{mark}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the fiscal-year growth figures")
    parser.add_argument("--child-pdf-alone", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_pdf_alone:
        return child_pdf_alone(args.child_pdf_alone)

    from generator.samples.demo import DEMO_PERIOD, build_demo
    from generator.core.periods import Period
    from generator.pipeline import run_month
    from generator.outputs.render_pdf import render_html
    from generator.intake.setup_workbook import load_setup

    print(f"machine: {measure.machine()}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench-province-"))
    build_demo(work / "demo")
    setup_path, inbox, period = work / "demo" / "setup_36_2566.xlsx", work / "demo" / "inbox", DEMO_PERIOD.be_key
    files = len(list(inbox.iterdir()))

    # The full month on a new store, against WeasyPrint alone on the same finished HTML.
    full = best_of(lambda k: run_cmd(setup_path, period, inbox, work / f"full{k}"), args.repeat)
    setup = load_setup(setup_path)
    summary = run_month(setup, DEMO_PERIOD, inbox, work / "unused", DEMO_PERIOD.last_day, render=False).summary
    (work / "report.html").write_text(render_html(summary), encoding="utf-8")
    alone = best_of(lambda k: [sys.executable, str(Path(__file__).resolve()), "--child-pdf-alone", str(work)],
                    args.repeat)
    ratios = {"province_vs_pdf": full["wall"] / alone["wall"]}
    print(f"province month: 16 districts, {files} files, 'savings-report run' in a fresh process: "
          f"{full['wall']:.2f} s wall, {full['cpu']:.2f} s CPU, peak {full['peak_mib']:.0f} MiB (both processes)")
    print(f"WeasyPrint alone on its finished HTML, fresh process: {alone['wall']:.2f} s wall, {alone['cpu']:.2f} s CPU")
    line("province_vs_pdf", f"the run is {ratios['province_vs_pdf']:.2f}x WeasyPrint alone (wall)",
         ratios["province_vs_pdf"], GOALS["province_vs_pdf"])

    # The same month again after one district resubmits: a copy of the full run's store and outputs.
    resubmitted = work / "inbox_resubmitted"
    shutil.copytree(inbox, resubmitted)
    first = sorted(p for p in resubmitted.iterdir() if p.suffix == ".xlsx")[0]
    from openpyxl import load_workbook

    wb = load_workbook(first)  # the district saves its file again: new bytes, a new submission
    wb.properties.title = "resubmitted"
    wb.save(first)

    def fresh_copy(k: int) -> None:
        target = work / f"rerun{k}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(work / "full0", target)

    rerun = best_of(lambda k: run_cmd(setup_path, period, resubmitted, work / f"rerun{k}"), args.repeat,
                    fresh=fresh_copy)
    ratios["rerun_vs_full"] = rerun["wall"] / full["wall"]
    line("rerun_vs_full", f"the month again after one district resubmitted: {rerun['wall']:.2f} s, "
         f"{ratios['rerun_vs_full']:.2f}x the full run", ratios["rerun_vs_full"], GOALS["rerun_vs_full"])

    if not args.quick:
        # A whole fiscal year of monthly runs on one store (October to September).
        months = [Period(2022, 10)]
        while len(months) < 12:
            months.append(months[-1].next())
        year = work / "year"
        build_demo(year, period=months[-1], history=tuple(months[:-1]))
        store = next(year.glob("history_*.sqlite"))
        first_inbox = year / "history_inbox" / months[0].be_key
        first_run = best_of(lambda k: run_cmd(setup_path, months[0].be_key, first_inbox, work / f"first{k}",
                                              work / f"first{k}.sqlite"), args.repeat,
                            fresh=lambda k: (work / f"first{k}.sqlite").unlink(missing_ok=True))
        last_run = best_of(lambda k: run_cmd(setup_path, months[-1].be_key, year / "inbox", work / f"last{k}", store),
                           args.repeat)
        ratios["month_vs_first_month"] = last_run["wall"] / first_run["wall"]
        line("month_vs_first_month", f"month 12 on a year's store {last_run['wall']:.2f} s vs month 1 on an empty "
             f"store {first_run['wall']:.2f} s: {ratios['month_vs_first_month']:.2f}x",
             ratios["month_vs_first_month"], GOALS["month_vs_first_month"])
        hist = best_of(lambda k: [sys.executable, "-m", "generator", "history", "--setup", str(setup_path),
                                  "--store", str(store)], args.repeat)
        ratios["history_seconds"] = hist["wall"]
        line("history_seconds", f"'savings-report history' on that store: {hist['wall']:.2f} s wall",
             hist["wall"], GOALS["history_seconds"], " s")
        ratios["store_kib_per_month"] = store.stat().st_size / 1024 / 12
        print(f"{'store_kib_per_month':<22} the store after 12 months: {store.stat().st_size / 1024:.0f} KiB, "
              f"{ratios['store_kib_per_month']:.0f} KiB a month", flush=True)
    print(json.dumps({k: round(v, 3) for k, v in ratios.items()}))


if __name__ == "__main__":
    main()
