"""Fuzzing the whole monthly batch with mutated district workbooks.

Each case is one valid district workbook mutated at random (deterministic seeds): its zip bytes,
its sheet XML, or its cells through openpyxl (random strings, huge numbers, formulas, deleted rows
and columns, renamed, hidden or deleted sheets, a changed `_meta`). Every batch runs
`run_month` end to end (PDF, summary, feedback) on several mutants next to untouched districts:
no exception, no hang, the untouched districts counted exactly, the inputs unchanged.

FUZZ_CASES=400 runs more cases than the suite's default; FUZZ_SEED changes the seeds.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from generator.samples.demo import simulated_groups
from generator.outputs.district_template import HEADER_ROW
from generator.pipeline import run_month
from generator.core.schema import GROUPS, META_SHEET

CASES = int(os.environ.get("FUZZ_CASES", "24"))
SEED = int(os.environ.get("FUZZ_SEED", "7"))
PER_BATCH = 12
UNTOUCHED = ("3601", "3602", "3603")
SECONDS_PER_FILE = 10  # a file's reading and checking; a batch's bound is this times its files, plus the PDF

STRINGS = ["", " ", "กลุ่มออมทรัพย์", "๑๒๓", "1,2,3", "12 คน", "-5", "1e308", "nan", "=1/0", "=A1+",
           '=HYPERLINK("http://127.0.0.1:9/","x")', "+1", "@x", "\tx", "ยุบเลิก", "ดำเนินการอยู่", "ใช่",
           "31/02/2566", "15 มี.ค. 66", "0/0/0", "36010101", "3605", "../../x", "<script>", "x" * 5000,
           "🙂" * 10, "\u200b", "_x0007_", "'", '"', "\\", "%s%n", "{value}", "{0}"]
NUMBERS = [0, -1, 1, 10**18, -(10**18), 1e308, -1e308, 1.5, 1e-300, float("nan"), float("inf"), True,
           date(9999, 12, 31), date(1900, 1, 1), datetime(2566, 3, 15, 12, 30), timedelta(days=3)]


def _random_text(rnd: random.Random) -> str:
    if rnd.random() < 0.6:
        return rnd.choice(STRINGS)
    ranges = [(0x20, 0x7E), (0x0E00, 0x0E7F), (0x00A0, 0x024F), (0x2000, 0x206F), (0x4E00, 0x4E50), (0x1F600, 0x1F64F)]
    chars = []
    for _ in range(rnd.randint(1, 40)):
        lo, hi = rnd.choice(ranges)
        chars.append(chr(rnd.randint(lo, hi)))
    return "".join(chars)


def mutate_cells(valid: Path, target: Path, rnd: random.Random) -> str:
    """Edit the workbook the way a person (or a broken program) might, through openpyxl."""
    wb = load_workbook(valid)
    ws = wb[GROUPS.sheet_th]
    done = []
    for _ in range(rnd.randint(1, 4)):
        op = rnd.choice(["text", "text", "number", "delete_rows", "delete_cols", "insert_cols", "rename",
                         "hide", "delete_sheet", "meta", "header", "clear_meta"])
        row, col = rnd.randint(1, HEADER_ROW + 70), rnd.randint(1, len(GROUPS.columns) + 3)
        if op in ("text", "number") and type(ws.cell(row=row, column=col)).__name__ == "MergedCell":
            row = HEADER_ROW + rnd.randint(1, 70)  # the title rows are merged; type into the table instead
        if op == "text":
            value = _random_text(rnd)
            cell = ws.cell(row=row, column=col)
            cell.value = value
            if not value.startswith("=") or rnd.random() < 0.5:
                cell.data_type = "s"  # typed as text; otherwise left a live formula
        elif op == "number":
            value = rnd.choice(NUMBERS)
            if isinstance(value, float) and value != value:
                value = float("inf") if rnd.random() < 0.5 else 1e308
            ws.cell(row=row, column=col).value = value
        elif op == "delete_rows":
            ws.delete_rows(rnd.randint(1, HEADER_ROW + 20), rnd.randint(1, 30))
        elif op == "delete_cols":
            ws.delete_cols(rnd.randint(1, len(GROUPS.columns)), rnd.randint(1, 3))
        elif op == "insert_cols":
            ws.insert_cols(rnd.randint(1, len(GROUPS.columns)), rnd.randint(1, 3))
        elif op == "rename":
            sheet = rnd.choice(wb.worksheets)
            sheet.title = _random_text(rnd).strip()[:31].replace("/", "").replace("\\", "").replace("?", "") \
                .replace("*", "").replace("[", "").replace("]", "").replace(":", "").strip("'") or "x"
        elif op == "hide":
            rnd.choice(wb.worksheets).sheet_state = rnd.choice(["hidden", "veryHidden"])
        elif op == "delete_sheet" and len(wb.worksheets) > 1:
            wb.remove(rnd.choice(wb.worksheets))
        elif op in ("meta", "header", "clear_meta") and META_SHEET in wb.sheetnames:
            meta = wb[META_SHEET]
            r = rnd.randint(2, meta.max_row)
            if op == "clear_meta":
                meta.cell(row=r, column=2).value = None
            else:
                meta.cell(row=r, column=2).value = _random_text(rnd)
                meta.cell(row=r, column=2).data_type = "s"
        done.append(op)
        if ws.title not in wb.sheetnames:
            break
    wb.save(target)
    return "cells:" + ",".join(done)


def mutate_bytes(valid: Path, target: Path, rnd: random.Random) -> str:
    data = bytearray(valid.read_bytes())
    op = rnd.choice(["flip", "flip", "truncate", "zero", "duplicate"])
    if op == "flip":
        for _ in range(rnd.randint(1, 20)):
            data[rnd.randrange(len(data))] ^= 1 << rnd.randrange(8)
    elif op == "truncate":
        data = data[:rnd.randrange(1, len(data))]
    elif op == "zero":
        start = rnd.randrange(len(data))
        data[start:start + rnd.randint(1, 2000)] = b"\x00" * len(data[start:start + 2000])
    else:
        start = rnd.randrange(len(data))
        data[start:start] = data[start:start + rnd.randint(1, 4000)]
    target.write_bytes(bytes(data))
    return "bytes:" + op


def mutate_xml(valid: Path, target: Path, rnd: random.Random) -> str:
    """Edit the decompressed XML of one part, then zip it again (the checks that see bytes pass)."""
    out = io.BytesIO()
    with zipfile.ZipFile(valid) as src:
        names = src.namelist()
        victim = rnd.choice([n for n in names if n.endswith((".xml", ".rels"))])
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for name in names:
                data = src.read(name)
                if name == victim:
                    data = _edit_xml(bytearray(data), rnd)
                dst.writestr(name, bytes(data))
    target.write_bytes(out.getvalue())
    return f"xml:{victim}"


def _edit_xml(data: bytearray, rnd: random.Random) -> bytearray:
    for _ in range(rnd.randint(1, 5)):
        op = rnd.choice(["char", "cut", "dup", "attr"])
        i = rnd.randrange(len(data))
        if op == "char":
            data[i] = rnd.choice(b"<>/=\"' &;0123456789AZaz")
        elif op == "cut":
            del data[i:i + rnd.randint(1, 200)]
        elif op == "dup":
            data[i:i] = data[i:i + rnd.randint(1, 500)]
        else:
            j = data.find(b' r="', i)
            if j != -1:
                data[j + 4:j + 4] = rnd.choice([b"9", b"XF", b"99999", b"A", b"-"])
    return data


MUTATORS = [mutate_cells, mutate_cells, mutate_bytes, mutate_xml]


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


@pytest.fixture(scope="module")
def valid_returns(setup, period, template_for, tmp_path_factory):
    from generator.samples.demo import fill_workbook

    folder = tmp_path_factory.mktemp("valid")
    return {code: fill_workbook(template_for(code), simulated_groups(setup, code, period), folder / f"{code}.xlsx")
            for code in UNTOUCHED + ("3605",)}


@pytest.mark.parametrize("batch", range(max(1, -(-CASES // PER_BATCH))))
def test_mutated_workbooks_never_break_the_month(batch, valid_returns, setup, period, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for code in UNTOUCHED:
        (inbox / f"{code}.xlsx").write_bytes(valid_returns[code].read_bytes())
    cases = {}
    n = min(PER_BATCH, CASES - batch * PER_BATCH)
    for k in range(n):
        rnd = random.Random(f"{SEED}-{batch}-{k}")
        target = inbox / f"mutant_{batch}_{k}.xlsx"
        cases[target.name] = rnd.choice(MUTATORS)(valid_returns["3605"], target, rnd)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()}
    started: dict[str, float] = {}
    files = sorted(inbox.iterdir())
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS_PER_FILE * len(files) + 60)
    try:
        result = run_month(setup, period, inbox, tmp_path / "out", date(2023, 8, 25),
                           progress=lambda p: started.setdefault(p.name, time.perf_counter()))
    except Hang:
        pytest.fail(f"the batch did not finish: {cases}")
    except Exception as exc:  # name the mutants, so the case can be replayed from its seed
        raise AssertionError(f"batch {batch} raised {type(exc).__name__}: {exc}; mutants {cases}") from exc
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

    # No file took long on its own (the time from its start to the next file's).
    marks = sorted(started.values()) + [time.perf_counter()]
    assert max(b - a for a, b in zip(marks, marks[1:])) < SECONDS_PER_FILE + 30  # last one includes the outputs
    # The untouched districts are counted exactly, whatever the mutants did.
    by_code = {d.district_code: d for d in result.summary.districts}
    for code in UNTOUCHED:
        expected = simulated_groups(setup, code, period)
        assert by_code[code].report == "accepted", (code, cases)
        assert by_code[code].members == int(expected["members"].sum()), (code, cases)
        assert by_code[code].savings_baht == pytest.approx(float(expected["savings_baht"].sum()), abs=0.01)
    # Every file is accounted for, each mutant with a clear outcome; nothing was changed.
    # A mutant identical to another file is the same submission, listed once with its copies (issue 11).
    outcomes = {name: f for f in result.summary.files for name in (f.file, *f.copies)}
    assert set(outcomes) == {p.name for p in files} and len(outcomes) == sum(1 + len(f.copies)
                                                                           for f in result.summary.files)
    for name in cases:
        f = outcomes[name]
        assert f.status in ("accepted", "rejected", "superseded"), (name, cases[name])
        if f.status == "rejected":
            assert f.first_error and f.errors > 0, (name, cases[name])
    assert before == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()}
    assert {"pdf", "excel", "json"} <= set(result.outputs)
    for path in result.outputs.values():
        assert path.is_file() and path.stat().st_size > 0
