"""Benchmark: the whole department's month, and the tool against the plain alternatives.

    python bench/national_month.py [--cache output/bench/nation] [--quick]

Prints one line per figure, each with its goal beside it (issue 17's ratios, measured side by side in
one run because the absolute times of these machines vary by a factor of two):
  - the national month end to end in a fresh process (878 district workbooks of 76 provinces read,
    validated and merged, 76 provincial PDFs, Excel summaries and feedback, the national PDF and
    Excel), its peak memory, and the CPU per district at 1, 10 and 76 provinces;
  - reading every district workbook the tool's way against pandas.read_excel with openpyxl
    (reading_vs_openpyxl) and with bare calamine, the floor (reading_vs_calamine); validating every
    row over the reading (validation_vs_reading);
  - the national month's CPU against WeasyPrint alone laying out the same finished HTML documents
    (national_cpu_vs_pdf);
  - one provincial PDF through the tool against WeasyPrint alone on the same HTML (pdf_overhead).
It ends with one JSON line holding the ratios by name.

The synthetic nation (generator/samples/synthetic.py) is written once into --cache (about a minute on two
cores) and reused. The machine may be shared: each timing is the best of --repeat runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import measure  # noqa: E402

MADE_ON = date(2023, 8, 25)
# The goals of issue 17, as ratios measured side by side in one run (absolute times vary by machine).
GOALS = {"reading_vs_openpyxl": (">=", 5.0), "reading_vs_calamine": ("<=", 2.0), "validation_vs_reading": ("<=", 1.0),
         "national_cpu_vs_pdf": ("<=", 1.3), "pdf_overhead": ("<=", 0.10), "national_peak_mib": ("<=", 1024),
         "cpu_ms_per_district_1": (None, None), "cpu_ms_per_district_10": (None, None),
         "cpu_ms_per_district_76": (None, None)}


def say(name: str, text: str, value: float) -> None:
    op, goal = GOALS.get(name, (None, None))
    if op:
        met = value >= goal if op == ">=" else value <= goal
        text += f"  [goal {op} {goal:g}: {'met' if met else 'NOT met'}]"
    print(f"{name:<24} {text}", flush=True)


# --- child modes: the work measured in a fresh process ------------------------------------------

def nation_spec(small: bool):
    from generator.samples.synthetic import NATION, NationSpec

    # --small: a 3-province nation, to try the script itself in a minute (its figures mean little)
    return NationSpec(provinces=3, districts=9, kkkj_villages=260, officers=30) if small else NATION


def child_national(cache: Path, n: int, out: Path, small: bool = False) -> None:
    """Run the first n provinces side by side, then the national roll-up; print phase times as JSON."""
    from generator.nation import run_national, run_provinces
    from generator.samples.synthetic import write_nation

    started = time.perf_counter()
    nation = write_nation(cache, nation_spec(small))
    jobs = [(nation.setup_path(i), nation.inbox(i), out / p["province_code"])
            for i, p in enumerate(nation.provinces[:n])]
    done = run_provinces(jobs, nation.period.key, MADE_ON)
    provinces_done = time.perf_counter()
    result = run_national([Path(d["out_dir"]) for d in done], nation.period, out / "national", MADE_ON)
    print(json.dumps({"provinces": provinces_done - started, "national": time.perf_counter() - provinces_done,
                      "province_cpu": sum(d["seconds"] for d in done), "files": sum(d["files"] for d in done),
                      "districts": sum(d["districts"] for d in done), "pdfs": len(done) + 1,
                      "exit_codes": sorted({d["exit_code"] for d in done}), "national_exit": result.exit_code}))


def child_pdf(mode: str, work: Path, repeat: int) -> None:
    """Best time to render the saved province's report: through the tool, or WeasyPrint alone."""
    import pickle

    summary = pickle.loads((work / "summary.pickle").read_bytes())
    html = (work / "report.html").read_text(encoding="utf-8")
    excel = work / "summary.xlsx"
    if mode == "tool":
        from generator.outputs.render_pdf import write_pdf

        def once():
            write_pdf(summary, work / "tool.pdf", attachments=[excel])
    else:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        from generator.outputs.render_pdf import TEMPLATE
        from generator.outputs.pdf_engine import STYLESHEET, font_face_css
        from generator.outputs.formatting import TEMPLATES

        font_config = FontConfiguration()  # WeasyPrint's own way, loaded once as the tool does
        css = CSS(string=font_face_css() + (TEMPLATES / STYLESHEET).read_text(encoding="utf-8"),
                  base_url=(TEMPLATES / STYLESHEET).as_uri(), font_config=font_config)

        def once():
            HTML(string=html, base_url=(TEMPLATES / TEMPLATE).as_uri()).write_pdf(
                work / "alone.pdf", stylesheets=[css], font_config=font_config)
    once()  # first layout warms WeasyPrint's caches, in both modes
    cpu, wall = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        once()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - t)
    print(json.dumps({"cpu": min(cpu), "wall": min(wall), "median_wall": statistics.median(wall)}))


def child_pdf_all(work: Path) -> None:
    """WeasyPrint alone laying out every finished HTML document of the national month (the 76
    provincial reports and the national one), one process, fonts and stylesheets loaded once."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from generator.outputs.render_pdf import TEMPLATE
    from generator.outputs.pdf_engine import STYLESHEET, font_face_css
    from generator.outputs.formatting import TEMPLATES

    font_config = FontConfiguration()
    css = CSS(string=font_face_css() + (TEMPLATES / STYLESHEET).read_text(encoding="utf-8"),
              base_url=(TEMPLATES / STYLESHEET).as_uri(), font_config=font_config)
    t = time.process_time()
    docs = sorted((work / "html").glob("*.html"))
    for doc in docs:
        HTML(string=doc.read_text(encoding="utf-8"), base_url=(TEMPLATES / TEMPLATE).as_uri()).write_pdf(
            work / "alone_all.pdf", stylesheets=[css], font_config=font_config)
    print(json.dumps({"documents": len(docs), "cpu": time.process_time() - t}))


def finished_html(nation, work: Path) -> int:
    """The finished HTML of every provincial report and of the national report, as the run made them."""
    from generator.nation import run_national
    from generator.pipeline import run_month
    from generator.outputs.render_national import render_html as national_html
    from generator.outputs.render_pdf import render_html
    from generator.intake.setup_workbook import load_setup

    folder = work / "html"
    folder.mkdir(parents=True, exist_ok=True)
    for i, _ in enumerate(nation.provinces):
        setup = load_setup(nation.setup_path(i))
        summary = run_month(setup, nation.period, nation.inbox(i), work / "html_runs" / str(i), MADE_ON).summary
        (folder / f"{setup.province_code}.html").write_text(render_html(summary), encoding="utf-8")
    national = run_national([work / "html_runs"], nation.period, work / "html_national", MADE_ON, render=False)
    (folder / "national.html").write_text(national_html(national.summary), encoding="utf-8")
    return len(list(folder.glob("*.html")))


# --- figures measured in this process ------------------------------------------------------------

def reading(nation, repeat: int) -> dict:
    """All district workbooks: the tool's intake (zip checks, checksum, _meta, identity, table found)
    against pandas reading the groups sheet with openpyxl, and with calamine."""
    import pandas as pd

    from generator.outputs.district_template import HEADER_ROW
    from generator.intake.submission import read_submission
    from generator.core.schema import GROUPS
    from generator.intake.setup_workbook import load_setup
    from generator.checks.validation import validate_submission

    setups = [load_setup(nation.setup_path(i)) for i in range(len(nation.provinces))]
    files = [(setups[i], path) for i in range(len(setups)) for path in sorted(nation.inbox(i).iterdir())]

    def tool():
        for setup, path in files:
            read_submission(path, setup, nation.period)

    def tool_validated():
        for setup, path in files:
            validate_submission(read_submission(path, setup, nation.period), setup, nation.period)

    def pandas_with(engine):
        def go():
            for _, path in files:
                pd.read_excel(path, sheet_name=GROUPS.sheet_th, header=HEADER_ROW - 1, engine=engine)
        return go

    def best(fn, times):
        """CPU seconds of this process (the machine may be shared: wall time would measure the neighbours)."""
        out = []
        for _ in range(times):
            t = time.process_time()
            fn()
            out.append(time.process_time() - t)
        return min(out)

    return {"files": len(files), "tool": best(tool, repeat), "tool_validated": best(tool_validated, repeat),
            "pandas_openpyxl": best(pandas_with("openpyxl"), 1), "pandas_calamine": best(pandas_with("calamine"), repeat)}


def prepare_pdf(nation, work: Path) -> dict:
    """The median-sized province's summary, its finished HTML and Excel, saved for the two children."""
    import pickle

    from generator.pipeline import run_month
    from generator.outputs.render_excel import write_summary_workbook
    from generator.outputs.render_pdf import render_html
    from generator.intake.setup_workbook import load_setup

    sizes = sorted(range(len(nation.provinces)), key=lambda i: nation.provinces[i]["districts"])
    i = sizes[len(sizes) // 2]
    setup = load_setup(nation.setup_path(i))
    summary = run_month(setup, nation.period, nation.inbox(i), work / "unused", MADE_ON, render=False).summary
    (work / "summary.pickle").write_bytes(pickle.dumps(summary))
    (work / "report.html").write_text(render_html(summary), encoding="utf-8")
    write_summary_workbook(summary, work / "summary.xlsx")
    return {"province": setup.province_name, "districts": len(setup.district_codes)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=ROOT / "output" / "bench" / "nation")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each end-to-end figure (best is shown)")
    parser.add_argument("--quick", action="store_true", help="skip the 1- and 10-province scaling runs")
    parser.add_argument("--small", action="store_true", help="a 3-province nation, to try the script")
    parser.add_argument("--child-national", nargs=2, metavar=("N", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--child-pdf", nargs=2, metavar=("MODE", "WORK"), help=argparse.SUPPRESS)
    parser.add_argument("--child-pdf-all", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_national:
        return child_national(args.cache, int(args.child_national[0]), Path(args.child_national[1]), args.small)
    if args.child_pdf:
        return child_pdf(args.child_pdf[0], Path(args.child_pdf[1]), 5)
    if args.child_pdf_all:
        return child_pdf_all(args.child_pdf_all)

    from generator.samples.synthetic import write_nation

    print(f"machine: {measure.machine()}", flush=True)
    t = time.perf_counter()
    nation = write_nation(args.cache, nation_spec(args.small))
    print(f"synthetic nation: {len(nation.provinces)} provinces, {nation.districts} districts, {nation.files} "
          f"returned workbooks in {args.cache} (ready in {time.perf_counter() - t:.1f} s)", flush=True)

    work = Path(tempfile.mkdtemp(prefix="bench-national-"))
    scale = [len(nation.provinces)] if args.quick else sorted({1, min(10, len(nation.provinces)), len(nation.provinces)})
    per_district, ratios, national_cpu = {}, {}, None
    for n in scale:
        runs = []
        for k in range(args.repeat):
            r = measure.run([sys.executable, str(Path(__file__).resolve()), "--cache", str(args.cache),
                             "--child-national", str(n), str(work / f"run{n}-{k}")] + (["--small"] if args.small else []), cwd=ROOT)
            if r["code"] != 0:
                sys.exit(f"the national run failed:\n{r['stderr'][-3000:]}")
            r["phases"] = json.loads(r["stdout"].strip().splitlines()[-1])
            runs.append(r)
        b = measure.best(runs)
        ph = b["phases"]
        per_district[n] = b["wall"] / ph["districts"]
        ratios[f"cpu_ms_per_district_{n}"] = 1000 * b["cpu"] / ph["districts"]
        if n == len(nation.provinces):
            national_cpu = b["cpu"]
            ratios["national_peak_mib"] = max(r["peak_mib"] for r in runs)
            print(f"national month end to end ({ph['districts']} districts, {ph['files']} workbooks read and validated, "
                  f"{ph['pdfs']} PDFs incl. the national one, fresh process): best {b['wall']:.1f} s wall of "
                  f"{args.repeat} runs (provinces {ph['provinces']:.1f} s, national report {ph['national']:.1f} s; "
                  f"target <= 60 s); CPU {b['cpu']:.0f} s in all, i.e. {b['cpu'] / os.cpu_count():.0f} s on "
                  f"{os.cpu_count()} free cores")
            print(f"peak memory of that run (all processes together): {max(r['peak_mib'] for r in runs):.0f} MiB "
                  f"(largest single process {max(r['largest_mib'] for r in runs):.0f} MiB; target <= 1024 MiB)")
        print(f"scaling: {n:>2} provinces, {ph['districts']:>3} districts: {b['wall']:6.1f} s wall, "
              f"{1000 * per_district[n]:.0f} ms per district ({1000 * b['cpu'] / ph['districts']:.0f} ms CPU "
              f"per district)", flush=True)

    rd = reading(nation, args.repeat)
    ratios["reading_vs_openpyxl"] = rd["pandas_openpyxl"] / rd["tool"]
    ratios["reading_vs_calamine"] = rd["tool"] / rd["pandas_calamine"]
    ratios["validation_vs_reading"] = (rd["tool_validated"] - rd["tool"]) / rd["tool"]
    print(f"reading {rd['files']} district workbooks (CPU, best of {args.repeat}): the tool's way (zip checks, "
          f"measurement, checksum, _meta, identity, table found) {rd['tool']:.2f} s ({1000 * rd['tool'] / rd['files']:.1f} "
          f"ms a file); pandas.read_excel openpyxl {rd['pandas_openpyxl']:.2f} s, calamine {rd['pandas_calamine']:.2f} s; "
          f"reading and validating every row {rd['tool_validated']:.2f} s")
    say("reading_vs_openpyxl", f"the tool reads {ratios['reading_vs_openpyxl']:.2f}x faster than pandas+openpyxl",
        ratios["reading_vs_openpyxl"])
    say("reading_vs_calamine", f"the tool reads in {ratios['reading_vs_calamine']:.2f}x the time of bare pandas+calamine",
        ratios["reading_vs_calamine"])
    say("validation_vs_reading", f"validating every row costs {ratios['validation_vs_reading']:.2f}x the reading",
        ratios["validation_vs_reading"])

    if national_cpu is not None:
        docs = finished_html(nation, work)
        r = measure.run([sys.executable, str(Path(__file__).resolve()), "--child-pdf-all", str(work)], cwd=ROOT)
        if r["code"] != 0:
            sys.exit(f"the PDF measurement failed:\n{r['stderr'][-3000:]}")
        alone_all = json.loads(r["stdout"].strip().splitlines()[-1])
        ratios["national_cpu_vs_pdf"] = national_cpu / alone_all["cpu"]
        say("national_cpu_vs_pdf", f"the national month's CPU {national_cpu:.0f} s vs WeasyPrint alone laying out the "
            f"same {docs} finished documents {alone_all['cpu']:.0f} s: {ratios['national_cpu_vs_pdf']:.2f}x",
            ratios["national_cpu_vs_pdf"])
        say("national_peak_mib", f"peak memory of the national run {ratios['national_peak_mib']:.0f} MiB",
            ratios["national_peak_mib"])

    info = prepare_pdf(nation, work)
    pdf = {}
    for mode in ("alone", "tool"):
        r = measure.run([sys.executable, str(Path(__file__).resolve()), "--child-pdf", mode, str(work)], cwd=ROOT)
        if r["code"] != 0:
            sys.exit(f"the PDF measurement failed:\n{r['stderr'][-3000:]}")
        pdf[mode] = json.loads(r["stdout"].strip().splitlines()[-1])
    a, t = pdf["alone"]["cpu"], pdf["tool"]["cpu"]
    ratios["pdf_overhead"] = t / a - 1
    say("pdf_overhead", f"one provincial PDF ({info['province']}, {info['districts']} districts), CPU best of 5 after "
        f"a warm-up: WeasyPrint alone {a:.2f} s, through the tool (template, Thai text layer, Excel attached, atomic "
        f"write) {t:.2f} s: {100 * ratios['pdf_overhead']:+.1f} %", ratios["pdf_overhead"])
    print(json.dumps({k: round(v, 3) for k, v in ratios.items()}))


if __name__ == "__main__":
    main()
