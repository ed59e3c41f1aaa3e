"""No broken file, however broken, crashes the run, hangs it, or affects the other districts."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from generator.samples.demo import simulated_groups
from generator.intake.submission import read_submission
from generator.pipeline import run_month
from generator.core.statuses import EXIT_REJECTED
from generator.checks.validation import validate_submission
from tests.corpus import make_corpus, same_district_twice

ROOT = Path(__file__).resolve().parent.parent


def _thai(text: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)


def _sha(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def corpus(filled, tmp_path):
    return make_corpus(tmp_path / "broken", filled("3605", folder=tmp_path / "valid"))


def test_each_broken_file_gets_its_own_clear_thai_message(corpus, setup, period):
    for kind, case in corpus.items():
        started = time.perf_counter()
        c = validate_submission(read_submission(case.path, setup, period), setup, period)
        elapsed = time.perf_counter() - started
        assert (case.rule_id, case.cell) in {(p.rule_id, p.cell) for p in c.problems}, kind
        p = next(p for p in c.problems if p.rule_id == case.rule_id)
        assert p.file == case.path.name and _thai(p.message_th) and _thai(p.fix_th), kind
        assert c.accepted is case.accepted, kind
        assert elapsed < 10, f"{kind} took {elapsed:.1f}s"  # refused, not expanded


def test_size_messages_say_which_limit_was_passed(corpus, setup, period):
    def message(kind):
        sub = read_submission(corpus[kind].path, setup, period)
        return next(p for p in sub.problems if p.rule_id == "F_TOO_LARGE")

    assert "เกิน 20,000 แถว" in message("million_rows").message_th
    assert "more than 200 columns" in message("ten_thousand_columns").message_en
    assert "เกิน 20,000 แถว" in message("far_cell").message_th


MEMORY_PROBE = """
import resource, sys
from pathlib import Path
from generator.intake.submission import read_submission
from generator.core.periods import Period
from generator.intake.setup_workbook import load_setup
setup, period = load_setup(Path(sys.argv[1])), Period(2023, 8)
read_submission(Path(sys.argv[2]), setup, period)  # a valid return first: imports, a real read
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for path in sys.argv[3:]:
    sub = read_submission(Path(path), setup, period)
    assert [p.rule_id for p in sub.problems] == ["F_TOO_LARGE"], (path, sub.problems)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""
MEMORY_BOUND_KIB = 32 * 1024  # the oversized sheets are refused while streaming: no grid is built


def test_oversized_sheets_are_refused_in_bounded_memory(corpus, filled, setup_path, tmp_path):
    """Peak memory (ru_maxrss, in a fresh process) grows by less than 32 MiB while refusing a
    sheet of a million rows (40 MB of XML), one of ten thousand columns and one reaching
    XFD1048576; expanding any of them into the reader's grid would take gigabytes."""
    paths = [str(corpus[k].path) for k in ("ten_thousand_columns", "million_rows", "far_cell")]
    valid = filled("3601", folder=tmp_path / "warm")
    r = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(setup_path), str(valid), *paths],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    grew_kib = int(r.stdout.strip())
    assert grew_kib < MEMORY_BOUND_KIB, f"peak memory grew by {grew_kib / 1024:.0f} MiB"


def test_the_monthly_batch_over_the_whole_corpus(corpus, filled, setup, period, tmp_path):
    """Every broken file, valid districts and a district that sent twice, in one rendered run."""
    inbox = tmp_path / "broken"
    filled("3601", folder=inbox)
    older, newer = same_district_twice(filled("3606", {(0, "remarks"): "ฉบับแรก"}, folder=inbox,
                                                      name="3606_first.xlsx"),
                                       filled("3606", folder=inbox, name="3606_corrected.xlsx"))
    before = _sha(inbox)
    result = run_month(setup, period, inbox, tmp_path / "out", date(2023, 8, 25), render=True)
    assert result.exit_code == EXIT_REJECTED

    s = result.summary
    status = {f.file: f.status for f in s.files}
    assert len(s.files) == len(corpus) + 3 and len(status) == len(s.files)
    for kind, case in corpus.items():
        own = [p for p in s.problems if p.file == case.path.name]
        assert (case.rule_id, case.cell) in {(p.rule_id, p.cell) for p in own}, kind
        p = next(p for p in own if p.rule_id == case.rule_id)
        assert _thai(p.message_th) and _thai(p.fix_th), kind
        # Issue 11: a district's earlier files are replaced by its latest one (superseded), so of the
        # corpus (every file claims 3605) only the latest of 3605 and the unidentified stay rejected.
        expected = "accepted" if case.accepted else ("superseded", "rejected")
        assert status[case.path.name] in expected, kind

    # the valid districts still count; the macro workbook is a whole return of 3605
    reports = {d.district_code: d.report for d in s.districts}
    assert reports["3601"] == reports["3605"] == reports["3606"] == "accepted"
    assert s.total.members == sum(int(simulated_groups(setup, code, period)["members"].sum())
                                  for code in ("3601", "3605", "3606"))
    # the later of two returns wins; both stay in the record, and the record says so
    assert (status[older.name], status[newer.name]) == ("superseded", "accepted")
    record = json.loads(result.outputs["json"].read_text(encoding="utf-8"))
    assert {f["file"] for f in record["files"]} == set(status)
    notes = [p for p in record["problems"] if p["rule_id"] == "F_DUPLICATE_DISTRICT" and p["file"] == older.name]
    assert [n["value"] for n in notes] == [newer.name] and newer.name in notes[0]["message_th"]
    # outputs were made, with feedback for the readable bad returns, and no input was touched
    assert result.outputs["pdf"].stat().st_size > 0 and result.outputs["excel"].exists()
    from generator.pipeline import current_files

    current = current_files(result.checked)
    for c in result.checked:
        code = c.submission.district_code
        if code is None or current[code] is c:
            assert status[c.submission.name] in ("accepted", "rejected"), c.submission.name
        elif status[c.submission.name] != "accepted":
            assert status[c.submission.name] == "superseded", c.submission.name
    # one feedback workbook for 3605, about its latest file
    assert [k for k in result.outputs if k.startswith("feedback:") and "3605" in str(result.outputs[k])] == [
        f"feedback:{current['3605'].submission.name}"]
    assert _sha(inbox) == before


def test_validate_command_over_the_whole_corpus(corpus, setup_path, tmp_path):
    """What a province runs on arrival: one verdict per file, exit status 1, no traceback."""
    paths = [str(c.path) for c in corpus.values()]
    before = _sha(corpus["empty"].path.parent)
    r = subprocess.run([sys.executable, "-m", "generator", "validate", *paths, "--setup", str(setup_path), "--json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == EXIT_REJECTED, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    verdicts = {Path(d["file"]).name: d for d in json.loads(r.stdout)}
    for kind, case in corpus.items():
        d = verdicts[case.path.name]
        assert d["ok"] is case.accepted, kind
        if kind == "other_period":
            # validate has no month to compare with: it checks a file against its own month, and
            # July's workbook holds groups founded in August
            assert {p["rule_id"] for p in d["problems"] if p["rejects_file"]} == {"G_FOUNDED_AFTER_PERIOD"}
            continue
        assert (case.rule_id, case.cell) in {(p["rule_id"], p["cell"]) for p in d["problems"]}, kind
    assert _sha(corpus["empty"].path.parent) == before
