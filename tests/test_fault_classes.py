"""Issue 16, made durable: generated members of each class of fault that once stopped a month or
mixed data. Each property builds real workbooks (from one filled by openpyxl, entry by entry) and
asserts the file gets its own message and nothing escapes: markup in every text position, every
zip flag on every entry, every declared encoding, text amplification of every kind, invisible
characters anywhere in a name. `HYPOTHESIS_EXAMPLES` scales them, as in test_properties.py.
"""

from __future__ import annotations

import os
import struct
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from generator.cli import app
from generator.samples.demo import simulated_groups
from generator.intake.submission import read_submission
from generator.intake.limits import DEFAULT_LIMITS
from generator.checks.validation import validate_submission
from tests.hostile import GROUPS_SHEET, rewrite, string_cells, with_shared_strings

EXAMPLES = max(4, int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")) // 10)
FILES = settings(max_examples=EXAMPLES, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                        HealthCheck.data_too_large])
runner = CliRunner()


@pytest.fixture(scope="module")
def valid(setup, period, template_for, tmp_path_factory) -> Path:
    from generator.samples.demo import fill_workbook

    folder = tmp_path_factory.mktemp("classes")
    return fill_workbook(template_for("3601"), simulated_groups(setup, "3601", period), folder / "3601.xlsx",
                         {(0, "members"): "x"})


# --- markup, in every text position ---------------------------------------------------------------

markup = st.lists(st.sampled_from(list("[]/ :#bold red error") + ["[/]", "[/bold]", "[red]", ":smile:", "ก", "ข",
                                                                  "\\", "[error X]"]),
                  min_size=1, max_size=12).map("".join).filter(lambda t: t.strip())


@FILES
@given(text=markup, where=st.sampled_from(["cell", "meta", "sheet"]), lang=st.sampled_from(["th", "en"]))
def test_markup_anywhere_is_printed_as_typed(valid, setup_path, tmp_path_factory, text, where, lang):
    folder = tmp_path_factory.mktemp("markup")
    path = folder / "file.xlsx"
    wb = load_workbook(valid)
    if where == "cell":
        wb.worksheets[1]["F6"] = text
    elif where == "meta":
        for row in wb["_meta"].iter_rows():
            if row[0].value == "district_code":
                row[1].value = text
    wb.save(path)
    if where == "sheet":  # through the XML: Excel refuses '[' and ']' in a sheet name, other programs need not
        title = wb.worksheets[1].title
        escaped = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
        rewrite(path, path, lambda n, d: d.replace(f'name="{title}"'.encode(), f'name="{escaped}"'.encode())
                if n == "xl/workbook.xml" else d)
    r = runner.invoke(app, ["--lang", lang, "validate", "--setup", str(setup_path), str(path)])
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and "MarkupError" not in r.output
    label = "[ข้อผิดพลาด " if lang == "th" else "[error "
    assert label in r.output
    shown = " ".join(text.split())[:20]
    assert shown in " ".join(r.output.split()), (where, text)


# --- zip flags, on every entry --------------------------------------------------------------------

def _with_flags(valid: Path, target: Path, entry: str, flags: int) -> Path:
    data = bytearray(valid.read_bytes())
    with zipfile.ZipFile(valid) as z:
        offset = z.getinfo(entry).header_offset
    struct.pack_into("<H", data, offset + 6, struct.unpack_from("<H", data, offset + 6)[0] | flags)
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + n]) == entry.encode():
            struct.pack_into("<H", data, pos + 8, struct.unpack_from("<H", data, pos + 8)[0] | flags)
        pos += 4
    target.write_bytes(bytes(data))
    return target


@FILES
@given(data=st.data(), flags=st.integers(min_value=1, max_value=0xFFFF))
def test_any_zip_flag_on_any_entry_is_the_files_own_problem(valid, setup, period, tmp_path_factory, data, flags):
    with zipfile.ZipFile(valid) as z:
        entry = data.draw(st.sampled_from(z.namelist()))
    path = _with_flags(valid, tmp_path_factory.mktemp("flags") / "flagged.xlsx", entry, flags)
    sub = read_submission(path, setup, period)  # never raises
    rules = [p.rule_id for p in sub.problems]
    if flags & 0x41:  # encrypted, or strong (AES, certificate) encryption
        assert rules == ["F_ENCRYPTED"], (entry, hex(flags))
    else:
        assert sub.table is not None or rules, (entry, hex(flags))


# --- declared encodings ---------------------------------------------------------------------------

def _python_encodings() -> list[str]:
    from encodings.aliases import aliases

    return sorted(set(aliases) | set(aliases.values()))


encoding_names = st.one_of(st.sampled_from(_python_encodings() + ["windows-874", "TIS-620", "x-mac-thai"]),
                           st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", max_size=16))


@FILES
@given(data=st.data(), encoding=encoding_names)
def test_every_declared_encoding_but_utf8_gets_one_rule(valid, setup, period, tmp_path_factory, data, encoding):
    with zipfile.ZipFile(valid) as z:
        entry = data.draw(st.sampled_from([n for n in z.namelist() if n.endswith((".xml", ".rels", ".vml"))]))

    def declare(name, d):
        if name != entry:
            return d
        body = d[d.index(b"?>") + 2:] if d.startswith(b"<?xml") else d
        return f'<?xml version="1.0" encoding="{encoding}"?>'.encode() + body

    path = rewrite(valid, tmp_path_factory.mktemp("enc") / "declared.xlsx", declare)
    rules = [p.rule_id for p in read_submission(path, setup, period).problems]
    if encoding.lower() == "utf-8":
        assert "F_XML_ENCODING" not in rules
    else:
        assert rules == ["F_XML_ENCODING"], (entry, encoding, rules)


# --- text amplification ---------------------------------------------------------------------------

@FILES
@given(length=st.integers(min_value=1, max_value=32_000), rows=st.integers(min_value=1, max_value=400),
       kind=st.sampled_from(["s", "inlineStr", "str"]))
def test_text_that_expands_past_the_limit_is_refused_and_below_it_is_read(valid, setup, period, tmp_path_factory,
                                                                         length, rows, kind):
    cols = 5
    text = b"\xe0\xb8\x81" * length
    strings = [text] if kind == "s" else [b"x"]
    cells = string_cells(rows, cols, b"0" if kind == "s" else text, kind)
    path = with_shared_strings(valid, tmp_path_factory.mktemp("amp") / "amp.xlsx", strings, cells,
                               entry="xl/worksheets/sheet3.xml")
    expanded = length * rows * cols + (length if kind == "s" else 0)
    sub = read_submission(path, setup, period)
    rules = [p.rule_id for p in sub.problems]
    if expanded > DEFAULT_LIMITS.max_text_chars:
        assert rules == ["F_TOO_LARGE"], (length, rows, kind)
    elif expanded < DEFAULT_LIMITS.max_text_chars // 2:  # the file's own text is well under the rest
        # (a megabyte of one repeated text may still be refused for its compression ratio)
        assert not any("characters" in p.message_en for p in sub.problems), (length, rows, kind, rules)


# --- invisible characters, anywhere in a name -------------------------------------------------------

FORMAT_CHARACTERS = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]


@FILES
@given(data=st.data())
def test_an_invisible_character_anywhere_in_a_copied_name_never_makes_a_second_group(setup, period, filled, data):
    groups = simulated_groups(setup, "3601", period)
    name = groups["group_name"].iloc[0]
    marks = data.draw(st.lists(st.sampled_from(FORMAT_CHARACTERS), min_size=1, max_size=3))
    at = data.draw(st.integers(min_value=0, max_value=len(name)))
    spaced = data.draw(st.sampled_from(["", " ", "\u00a0", "\u3000"]))
    copy = name[:at] + "".join(marks) + spaced + name[at:]
    path = filled("3601", groups=pd.concat([groups, groups.iloc[[0]].assign(group_name=copy)], ignore_index=True))
    sub = read_submission(path, setup, period)
    rules = [p.rule_id for p in validate_submission(sub, setup, period).problems]
    assert "G_DUPLICATE_GROUP_NAME" in rules, ([f"U+{ord(m):04X}" for m in marks], at)
