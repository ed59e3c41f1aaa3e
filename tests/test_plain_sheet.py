"""Issue 17: the sheet measurement's fast path (generator.intake.plain_sheet) gives exactly the
exact path's answer (the grid, the text counted, the odd cells) or none, and then the exact path
decides. Checked on the real district workbook's every sheet, on the hostile variants, and on
sheets generated from pieces of XML a district's program, a careless tool or an attacker writes."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from generator.intake import container, plain_sheet
from generator.intake.limits import DEFAULT_LIMITS, FileRejected, Limits
from generator.intake.submission import read_submission
from tests.hostile import FAR, SHEET_NS, sheet

SMALL = Limits(max_rows=400, max_cols=30, max_cells=5_000, max_text_chars=3_000)


def _both(xml: bytes, limits: Limits = DEFAULT_LIMITS, shared: list[int] = (3, 40)):
    """(fast answer or None, exact answer or the rule refused with): each answer is
    (grid, characters counted, odd cells)."""
    zf_bytes = io.BytesIO()
    with zipfile.ZipFile(zf_bytes, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    zf = zipfile.ZipFile(zf_bytes)
    info = zf.getinfo("xl/worksheets/sheet1.xml")

    def budget():
        b = container.TextBudget(limits, "x.xlsx")
        b.shared.extend(shared)
        b.used = 7  # what the shared strings already used
        return b

    fast_budget, fast_odd = budget(), {}
    fast = plain_sheet.measure(xml, limits, 11, fast_budget, fast_odd, container.MAX_ODD_CELLS)
    exact_budget, exact_odd = budget(), {}
    try:
        grid = container._measure_sheet_exactly(zf, info, "x.xlsx", limits, 11, exact_budget, exact_odd)
        exact = (grid, exact_budget.used - 7, exact_odd)
    except FileRejected as exc:
        exact = exc.problem.rule_id
    return (None if fast is None else (fast[0], fast[1], fast_odd)), exact


def _agree(xml: bytes, limits: Limits = DEFAULT_LIMITS) -> bool:
    """Whether the fast path answered; fails if it answered otherwise than the exact path."""
    fast, exact = _both(xml, limits)
    if fast is not None:
        assert fast == exact, (xml[:300], fast, exact)
    return fast is not None


def test_every_sheet_of_a_district_workbook_is_plain_and_measured_alike(filled):
    path = filled("3601")
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) >= 4
        for entry in sheets:
            assert _agree(zf.read(entry)), entry  # answered by the fast path, and alike


@pytest.mark.parametrize("xml", [
    sheet(FAR.replace(b'"', b"'")), sheet(FAR.replace(b'r="', b'r = "')),
    sheet(FAR.replace(b'<c r="XFD1048576">', b'<c s=">" r="XFD1048576">')),
    sheet(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="4000000000"><c r="A4000000000"><v>1</v></c></row>'),
    sheet(b'<!-- <row r="9"><c r="XFD9"><v>1</v></c></row> --><row r="1"><c r="A1"><v>1</v></c></row>'),
    sheet(b'<row r="1"><c r="A1"><v><![CDATA[1]]></v></c></row>'),
    sheet(b'<row r="1"><x:c xmlns:x="urn:x" r="XFD1"><v>1</v></x:c><c r="A1"><v>1</v></c></row>'),
    sheet(b'<row r="1"><c r="A1"><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>'),
    sheet(b'<row r="1"><c r="a1"><v>1</v></c></row>'),
    sheet(b'<row r="1"><c r="A1"><v>1</v><x><c r="XFD1"/></x></c></row>'),
    sheet(b'<row r="1"><c r="A1"><v>1</v></c></row><v>5</v>'),
    sheet(b'<row r="1"><c r="A1"><f>B1+C1</f><v>5</v></c><c r="B1"><v>2</v></c><c r="C1"><v>2</v></c></row>'),
    sheet(b'<row r="1"><c r="A1"><f>1&#43;1</f><v>216</v></c></row>'),
    sheet(b'<row r="1">\r\n<c r="A1" t="inlineStr"><is><t>a\r\nb</t></is></c></row>'),
    sheet(b'<row r="1"><c r="A&#49;"><v>1</v></c></row>'),
    sheet(b'<row r="1"><c r="A1"><v>1</v></row>'),  # broken XML
])
def test_what_a_pattern_could_misread_is_left_to_the_exact_path(xml):
    assert not _agree(xml)


@pytest.mark.parametrize("xml", [
    sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>A &amp; B &#3585;</t></is></c><c r="B1" t="e"><v>#N/A</v></c>'
          b'<c r="C1" t="n"><v>abc</v></c><c r="D1"><v>1e999</v></c><c r="E1" s="2"><f>IFERROR(VLOOKUP(B1&amp;"",T,2,FALSE),"")</f><v /></c>'
          b'<c r="F1" t="s"><v>1</v></c><c r="G1" t="s"><v>9</v></c><c r="H1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
          b'<c r="I1" t="e"/><c r="J1" t="b"><f>A1&gt;0</f><v>1</v></c></row>'),
    sheet(b'<row r="2" spans="1:3"><c r="C2" t="inlineStr"><is><r><rPr><b/></rPr><t xml:space="preserve">x </t></r>'
          b'<r><t>y</t></r></is></c></row>'),
])
def test_odd_cells_and_texts_are_found_alike(xml):
    assert _agree(xml)
    fast, _ = _both(xml)
    assert fast[1] > 0  # text counted
    assert fast[2] or b"<rPr>" in xml, "these cells are odd"


def test_a_limit_passed_is_refused_by_the_exact_path_as_before():
    far = sheet(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="900"><c r="B900"><v>1</v></c></row>')
    fast, exact = _both(far, SMALL)
    assert fast is None and exact == "F_TOO_LARGE"
    wide = sheet(b'<row r="1"><c r="AZ1"><v>1</v></c></row>')
    assert _both(wide, SMALL) == (None, "F_TOO_LARGE")
    text = sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"x" * 3_000 + b"</t></is></c></row>")
    assert _both(text, SMALL) == (None, "F_TOO_LARGE")


# --- generated sheets: pieces of what programs and attackers write ------------------------------

def _mostly(plain, odd):
    """A piece written the plain way 39 times in 40, the odd way otherwise (a sheet has tens of pieces)."""
    return st.tuples(st.integers(0, 39), plain, odd).map(lambda t: t[2] if t[0] == 0 else t[1])


REFS = _mostly(st.tuples(st.sampled_from(["A", "B", "C", "M", "Z", "AA", "AD"]), st.integers(1, 450)).map(
    lambda t: f'r="{t[0]}{t[1]}"'), st.sampled_from(['', "r='B3'", 'r="b3"', 'r=" C3"', 'r="C03"', 'r="A0"', 'r="XFD9"', 'r="A1048576"']))
STYLE = _mostly(st.sampled_from(['', ' s="3"']), st.sampled_from([" s='3'", ' s="1" cm="1"', ' cm="1" s="2"']))
TYPE = _mostly(st.sampled_from(['', ' t="n"', ' t="s"', ' t="str"', ' t="inlineStr"', ' t="e"', ' t="b"']),
               st.sampled_from([' t="d"', ' t="x"', " t='n'"]))
CONTENT = _mostly(st.sampled_from([
    "", "<v>12</v>", "<v>-3.25</v>", "<v> 7 </v>", "<v>1e5</v>", "<v>abc</v>", "<v>#DIV/0!</v>", "<v/>", "<v />",
    "<v>0</v>", "<v>1</v>", "<v>5</v>", "<is><t>กลุ่ม</t></is>", "<is><t>A &amp; B</t></is>",
    '<is><t xml:space="preserve"> x </t></is>', "<is><r><t>a</t></r><r><t>bc</t></r></is>",
    "<f>IFERROR(VLOOKUP(B7&amp;\"\",VILLAGE_TABLE,2,FALSE),\"\")</f><v />",
    "<f>IFERROR(VLOOKUP(B7&amp;\"\",VILLAGE_TABLE,2,FALSE),\"\")</f><v>บ้าน</v>", "<f>A1&gt;0</f><v>1</v>"]),
    st.sampled_from([
        "<v>&#49;2</v>", "<is><t/></is>", "<f>C5+D5</f><v>216</v>", "<f>SUM(C1:D1)</f><v>3</v>",
        '<f t="shared" ref="A1:A9" si="0">C1*2</f><v>4</v>', '<f t="shared" si="0"/><v>4</v>', "<f>1&#43;1</f><v>216</v>",
        "<f>Sheet2!A1</f><v>1</v>", "<f>A1</f>", " <v>1</v>", "<v>1</v><v>2</v>", "<v>1</v><!-- c -->", "<x><v>9</v></x>"]))
CELLS = st.builds(lambda r, s, t, c, close: f"<c {r}{s}{t}/>" if close and not c else f"<c {r}{s}{t}>{c}</c>",
                  REFS, STYLE, TYPE, CONTENT, st.booleans())
ROWS = st.lists(st.tuples(_mostly(st.integers(1, 450).map(lambda n: f' r="{n}"'), st.sampled_from(["", ' r="x"'])),
                          st.lists(CELLS, max_size=6)), max_size=6)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS, limits=st.sampled_from([DEFAULT_LIMITS, SMALL]), head=st.sampled_from(
    [b"", b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', b"<?pi x?>"]))
def test_a_generated_sheet_is_measured_alike_or_left_to_the_exact_path(rows, limits, head):
    body = "".join(f"<row{r}>{''.join(cells)}</row>" for r, cells in rows).encode()
    _agree(head + SHEET_NS + b"<sheetData>" + body + b"</sheetData></worksheet>", limits)


def test_the_reading_is_unchanged_for_a_lookup_column_read_as_a_formula(filled, setup, period):
    """The lookup column's formulas have no saved value in a file openpyxl wrote: odd cells
    ("formula") found by the fast path, as before, so the village name is worked out from the code."""
    sub = read_submission(filled("3601"), setup, period)
    assert sub.readable and sub.table.rows
    col = sub.table.columns["village_name"]
    assert any(getattr(row[col], "kind", None) == "formula" for row in sub.table.rows if len(row) > col)


def test_a_cell_given_twice_is_left_to_the_exact_path():
    """Found by the generated-sheet test in CI: two cells with one reference, one text and one a
    formula. Which one counts depends on their order, so the fast path does not answer."""
    xml = (SHEET_NS + b'<sheetData><row r="1"><c r="AA1"><v>abc</v></c>'
           b'<c r="AA1" t="str"><f>Sheet2!A1</f><v>1</v></c></row></sheetData></worksheet>')
    assert _agree(xml) is False
    fast, exact = _both(xml, DEFAULT_LIMITS)
    assert exact[2][(1, 27)].kind == "formula"  # the exact path keeps the last, as a dict does
