"""The national jobs: provinces' months side by side on every core, and the national roll-up written.

Pure figures live in `national` (the roll-up) and `summary`; this module runs them over files and
writes the outputs, as `pipeline` does for one province.
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

from generator.figures.audit import check_national
from generator.figures.national import (NationalResult, NationalSummary, collect_results, national_json, national_output_names,
                                read_expected, roll_up)
from generator.outputs.parallel import pdf_worker, province_pool
from generator.core.periods import Period
from generator.pipeline import run_month
from generator.outputs.render_national import write_national_pdf, write_national_workbook
from generator.intake.setup_workbook import load_setup
from generator.outputs.atomic import write_bytes_atomic
from generator.store.commit import OutputCommit, output_lock, recover


def run_national(paths: list[Path], period: Period, out_dir: Path, made_on: date, lang: str = "th",
                 expect: Path | None = None, render: bool = True) -> NationalResult:
    expected, notices = read_expected(expect) if expect else (None, [])
    provinces, missing, found_notices = collect_results(paths, period, expected)
    summary = roll_up(provinces, period, made_on, missing, notices + found_notices)
    check_national(summary)  # a roll-up that contradicts itself is a bug: nothing is written
    result = NationalResult(summary)
    if render and provinces:  # no report of nothing: the command says why and exits 2
        result.outputs = write_national_outputs(summary, Path(out_dir), lang)
    return result


def write_national_outputs(summary: NationalSummary, out_dir: Path, lang: str = "th") -> dict[str, Path]:
    """Staged and switched into place by the same commit as the provincial run (`store.commit`),
    without a store: a failure or a kill leaves the earlier files whole, and two runs never mix."""
    out_dir = Path(out_dir)
    names = national_output_names(summary.period)
    with output_lock(out_dir):
        recover(out_dir)
        commit = OutputCommit(out_dir, None)
        try:
            staged = {"excel": write_national_workbook(summary, commit.new / names["excel"], lang)}
            staged["pdf"] = write_national_pdf(summary, commit.new / names["pdf"], [staged["excel"]], lang)
            staged["json"] = write_bytes_atomic(commit.new / names["json"], national_json(summary).encode("utf-8"))
            final = commit.switch(staged, [])
        except BaseException:
            commit.undo()
            raise
        commit.finish()
    return final


def run_province(setup_path: Path, inbox: Path, out_dir: Path, period_key: str, made_on, lang: str = "th",
                 own_pdf_worker: bool = False) -> dict:
    """One province's whole month (setup read from its workbook, as the province would); a small
    record comes back, the outputs stay on disk."""
    started = time.perf_counter()
    setup = load_setup(Path(setup_path))
    with pdf_worker(own_pdf_worker):
        result = run_month(setup, Period.parse(period_key), Path(inbox), Path(out_dir), made_on, lang)
    return {"province_code": setup.province_code, "districts": len(setup.district_codes),
            "files": len(result.summary.files), "exit_code": result.exit_code, "out_dir": str(out_dir),
            "seconds": time.perf_counter() - started}


def run_provinces(jobs: list[tuple[Path, Path, Path]], period_key: str, made_on, lang: str = "th",
                  workers: int | None = None) -> list[dict]:
    """Many provinces' months side by side: jobs are (setup workbook, inbox, output folder).

    Provinces are handed out one at a time, largest first, so that two long ones do not end up
    last on the same core. With fewer provinces than cores, each province also lays its PDF out
    in a second process, as the command line does."""
    n = max(1, workers or os.cpu_count() or 1)
    if len(jobs) <= 1 or n == 1:
        return [run_province(*job, period_key, made_on, lang, own_pdf_worker=n > 1) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda i: -_size(jobs[i][1]))
    results: dict[int, dict] = {}
    with province_pool(min(n, len(jobs))) as pool:
        futures = {pool.submit(run_province, *jobs[i], period_key, made_on, lang, len(jobs) < n): i for i in order}
        for future, i in futures.items():
            results[i] = future.result()
    return [results[i] for i in range(len(jobs))]


def _size(inbox: Path) -> int:
    try:
        return sum(p.stat().st_size for p in Path(inbox).iterdir())
    except OSError:
        return 0
