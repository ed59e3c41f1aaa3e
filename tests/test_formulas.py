"""Issue 16, item 13: a formula whose saved value disagrees with the formula (216 saved for =1+1).

The simple formulas a clerk types are worked out (generator.intake.formulas, never eval) and a
saved value that disagrees is warned about at the cell; every other formula is left alone.
"""

from __future__ import annotations

import re
import subprocess
import zipfile

import pytest
from hypothesis import given, settings, strategies as st

from generator.checks.validation import validate_submission
from generator.intake import formulas
from generator.intake.submission import read_submission
from tests.hostile import GROUPS_SHEET, rewrite
from tests.tools import find, needs


def _value(cells: dict):
    return lambda col: cells.get(col)


@pytest.mark.parametrize("text, expected", [
    ("=1+1", 2), ("1+1", 2), ("=2*3+4", 10), ("=2*(3+4)", 14), ("=-3+5", 2), ("=10/4", 2.5), ("=--2", 2),
    ("=C5+D5", 15), ("=$C5+D$5", 15), ("=SUM(C5:E5)", 15), ("=SUM(E5:C5)*2", 30), ("=SUM(C5,D5,100)", 115),
    ("=sum(c5:d5)", 15), ("=C5*1.5e1", 150), ("= 1 + 2 ", 3), ("=SUM(C5:F5)", 15), ("=G5+1", 1),
])
def test_simple_formulas_are_worked_out(text, expected):
    # C5 10, D5 5, E5 text (passed over by SUM), F5 empty, G5 empty (0 in arithmetic)
    assert formulas.evaluate(formulas.parse(text), 5, _value({3: 10.0, 4: 5.0, 5: "text"})) == expected


@pytest.mark.parametrize("text", [
    "=C6+1", "=SUM(C1:C9)", "=Sheet2!C5", "=ROUND(C5,0)", "=VLOOKUP(A5,B:C,2)", "=1/0", "=C5/F5", "=E5+1",
    "=A1:B1", "=10%", "=TRUE+1", '="a"&"b"', "=__import__('os')", "=1+", "=(1", "=1)", "=" + "1+" * 150 + "1",
    "=name+1", "=1,2",
])
def test_other_formulas_are_left_alone(text):
    with pytest.raises(formulas.Unsupported):
        formulas.evaluate(formulas.parse(text), 5, _value({3: 10.0, 4: 5.0, 5: "text"}))


def test_a_shared_formula_is_moved_to_its_cell():
    assert formulas.shown("C2+$D2*E$2", 3, 1) == "=D5+$D5*F$2"
    row = {3: 10.0, 4: 5.0}
    assert formulas.evaluate(formulas.parse("C2+D2"), 5, _value(row), dr=3) == 15
    with pytest.raises(formulas.Unsupported):  # E$2 stays on row 2
        formulas.evaluate(formulas.parse("C2+E$2"), 5, _value(row), dr=3)


def test_a_reference_to_another_formula_uses_its_worked_out_value():
    found = formulas.disagreeing(6, {6: formulas.RowFormula("1+1"), 8: formulas.RowFormula("F6*2"),
                                     9: formulas.RowFormula("F6+0*H6")}, {6: 216.0, 8: 4.0, 9: 216.0})
    assert found == {6: ("=1+1", 2.0), 9: ("=F6+0*H6", 2.0)}  # H6 agrees once F6 is worked out
    # Round in a circle: left alone, whatever was saved.
    assert formulas.disagreeing(6, {8: formulas.RowFormula("I6+1"), 9: formulas.RowFormula("H6+1")},
                                {8: 1.0, 9: 5.0}) == {}


_LEAF = st.integers(0, 10 ** 6).map(lambda n: (str(n), float(n))) | st.sampled_from(
    [("C5", 7.0), ("D5", 3.0), ("$C$5", 7.0), ("SUM(C5:D5)", 10.0)])


def _combine(inner):
    def op(t):
        (a, x), sign, (b, y) = t
        return f"({a}{sign}{b})", {"+": x + y, "-": x - y, "*": x * y}[sign]
    return (st.tuples(inner, st.sampled_from("+-*"), inner).map(op)
            | st.tuples(inner, inner).map(lambda t: (f"SUM({t[0][0]},{t[1][0]},C5:D5)", t[0][1] + t[1][1] + 10)))


@settings(max_examples=200, deadline=None)
@given(st.recursive(_LEAF, _combine, max_leaves=12))
def test_worked_out_as_the_arithmetic_it_spells(case):
    """Random sums and products of numbers, cells and SUMs, against the value they were built to have."""
    text, expected = case
    assert formulas.agrees(expected, formulas.evaluate(formulas.parse("=" + text), 5, _value({3: 7.0, 4: 3.0})))


# --- on real files -------------------------------------------------------------------------------

def _set_cells(path, target, cells: dict[str, bytes], entry: str | None = None):
    """The workbook with cells of the groups sheet replaced by raw XML."""
    def change(name, data):
        if name == (entry or GROUPS_SHEET):
            for ref, xml in cells.items():
                data, n = re.subn(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % ref.encode(), xml, data, count=1)
                assert n == 1, ref
        return data
    return rewrite(path, target, change)


def _problems(path, setup, period):
    sub = read_submission(path, setup, period)
    checked = validate_submission(sub, setup, period)
    return checked, {p.cell: p for p in checked.problems if p.cell}


def test_a_saved_value_that_disagrees_with_its_formula_is_warned_at_the_cell(filled, setup, period, tmp_path):
    path = _set_cells(filled("3601"), tmp_path / "stale.xlsx", {
        "F6": b'<c r="F6"><f>1+1</f><v>216</v></c>',  # members: the case
        "G6": b'<c r="G6"><f>1000*12+500</f><v>12500</v></c>',  # savings: agrees
        "G7": b'<c r="G7"><f>ROUND(12500.4,0)</f><v>99</v></c>',  # not worked out: read as saved
        "F8": b'<c r="F8"><f t="shared" ref="F8:F9" si="0">30+0*G8</f><v>30</v></c>',  # filled down
        "F9": b'<c r="F9"><f t="shared" si="0"/><v>77</v></c>',
    })
    checked, problems = _problems(path, setup, period)
    stale = {cell: p for cell, p in problems.items() if p.rule_id == "VALUE_FORMULA_STALE"}
    assert sorted(stale) == ["F6", "F9"]
    p = stale["F6"]
    assert p.severity == "warning" and p.sheet == "กลุ่มออมทรัพย์" and p.value == "216"
    assert p.message_th == ("“จำนวนสมาชิก (คน)” เป็นสูตร =1+1 ซึ่งคำนวณได้ 2 แต่ค่าที่บันทึกไว้ในไฟล์คือ 216 "
                            "จึงใช้ค่า 2 ตามสูตร")
    assert p.fix_th.startswith("โปรดตรวจสอบค่าในเซลล์นี้") and "LibreOffice" in p.fix_th
    assert "=1+1" in p.message_en and "216" in p.message_en
    assert "=30+0*G9" in stale["F9"].message_th  # the shared formula as the district sees it in F9
    groups = checked.groups.set_index("_row")
    assert groups.loc[6, "members"] == 2 and groups.loc[9, "members"] == 30  # as the formula gives
    assert groups.loc[6, "savings_baht"] == 12500 and groups.loc[7, "savings_baht"] == 99


@needs("soffice")
def test_formulas_saved_by_libreoffice_are_quiet_until_a_value_is_changed(filled, setup, period, tmp_path):
    """Typed with openpyxl (no saved values), saved by LibreOffice (which calculates them): no
    warning. Then one saved value changed in the file: a warning at that cell only."""
    typed = filled("3601", {(0, "members"): "=20+5", (0, "borrowers"): "=F6-20", (1, "savings_baht"): "=1000*12+500",
                            (2, "loans_baht"): "=ROUND(1500.4,0)", (3, "savings_baht"): "=SUM(H9:I9)-SUM(I9)+1000"},
                   name="typed.xlsx", folder=tmp_path / "typed")
    profile = tmp_path / "profile"
    out = tmp_path / "lo"
    done = subprocess.run([find("soffice"), "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to",
                           "xlsx", "--outdir", str(out), str(typed)], capture_output=True, timeout=180)
    saved = out / "typed.xlsx"
    assert done.returncode == 0 and saved.is_file(), done.stderr
    checked, problems = _problems(saved, setup, period)
    assert not [p for p in checked.problems if p.rule_id.startswith(("VALUE_FORMULA", "VALUE_ERROR"))], checked.problems
    groups = checked.groups.set_index("_row")
    assert (groups.loc[6, "members"], groups.loc[6, "borrowers"], groups.loc[7, "savings_baht"]) == (25, 5, 12500)
    borrowers9 = groups.loc[9, "borrowers"]
    assert groups.loc[9, "savings_baht"] == borrowers9 + 1000

    with zipfile.ZipFile(saved) as zf:
        entry = next(n for n in zf.namelist() if n.startswith("xl/worksheets/") and b"20+5" in zf.read(n))
        sheet = zf.read(entry)
    def cached(ref: str, new: bytes) -> bytes:
        m = re.search(rb'<c r="%s"[^>]*>.*?</c>' % ref.encode(), sheet)
        return re.sub(rb"<v>[^<]*</v>", b"<v>" + new + b"</v>", m.group(0))
    changed = _set_cells(saved, tmp_path / "changed.xlsx", {
        "F6": cached("F6", b"216"), "G7": cached("G7", b"9"), "I8": cached("I8", b"777")}, entry=entry)
    checked, problems = _problems(changed, setup, period)
    stale = sorted(cell for cell, p in problems.items() if p.rule_id == "VALUE_FORMULA_STALE")
    assert stale == ["F6", "G7"]  # H6 (=F6-20) agrees once F6 is worked out; ROUND is left alone
    groups = checked.groups.set_index("_row")
    assert (groups.loc[6, "members"], groups.loc[7, "savings_baht"], groups.loc[8, "loans_baht"]) == (25, 12500, 777)
