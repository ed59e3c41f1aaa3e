"""The sheet measurement's fast path: a sheet written the plain way Excel, LibreOffice and openpyxl
write one, measured with a few regular-expression passes instead of one expat callback per element.

It gives exactly what `container._measure_sheet` gives (the grid, the text counted into the
budget, the odd cells in document order) or None, and then the exact path measures the part. It
answers only for XML that expat has parsed whole (well-formed, no DTD, so no `<` can hide inside an
attribute value or a text) and that holds nothing a pattern could read otherwise than the parser:
no comments, CDATA or processing instructions, no carriage return, no prefixed cell elements,
every cell and row with a plain reference in double quotes as its first attribute, and every `<c>`,
`<row>`, `<v>`, `<f>` and `<t>` of the part found by the patterns (counted against the part's own
tags). A limit passed, a formula that could be a clerk's sum (worked out on the exact path), or
anything unexpected: None, and the exact path decides (and names the refusal as it always did).
"""

from __future__ import annotations

import html
import re
from operator import itemgetter
from xml.parsers import expat

from generator.core.values import OddCell

PLAIN_MAX_BYTES = 8 << 20  # a larger part is streamed on the exact path, never held whole

_REF = rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"'
_REFS = re.compile(_REF)
_AT = rb'<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"(?: s="[0-9]{1,6}")?'
# The cells that need nothing but their place: a plain number, an empty cell (not an error), an
# inline text (its characters counted), a shared string (its index's length counted), a formula
# with its saved value, as every row's lookup column holds one (odd when it has none). Each is
# removed whole in one pass; what is left is read cell by cell below.
_NUMBER_TAIL = rb'(?: t="n")?><v>-?[0-9]{1,15}(?:\.[0-9]{1,15})?</v></c>'
_EMPTY_TAIL = rb'(?: t="(?:n|s|str|inlineStr|b|d)")? ?/>'
_INLINE_TAIL = rb' t="inlineStr"><is><t(?: xml:space="preserve")?>([^<]*)</t></is></c>'
_SHARED_TAIL = rb' t="s"><v>([0-9]{1,9})</v></c>'
_FORMULA_TAIL = rb'(?: t="(n|str|b|e)")?><f>([^<]*)</f>(?:<v ?/>|<v>([^<&]*)</v>)?</c>'
_PLAIN_CELLS = re.compile(_AT + rb'(?:' + b"|".join(
    t.replace(b"(", b"(?:").replace(b"(?:?:", b"(?:") for t in
    (_NUMBER_TAIL, _EMPTY_TAIL, _INLINE_TAIL, _SHARED_TAIL, _FORMULA_TAIL)) + rb')')
_INLINE = re.compile(_AT + _INLINE_TAIL)
_SHARED = re.compile(_AT + _SHARED_TAIL)
_FORMULA = re.compile(_REF + rb'(?: s="[0-9]{1,6}")?' + _FORMULA_TAIL)
_ROW_OPEN = re.compile(r'<row r="[1-9][0-9]{0,6}"(?:\s+[A-Za-z_][\w.\-:]*="[^"<&]*")*\s*/?>')
_PREFIXED = re.compile(r'<[A-Za-z_][\w.\-]*:(?:c|row|v|f|t|is)[\s/>]')
_TAGS = re.compile(r'<(c|row|v|f|t)[\s/>]')

# What is left is read cell by cell (str, decoded).
_ATTRS = r'(?:\s+[A-Za-z_][\w.\-]*="[^"<&]*")*'
_CELL = re.compile(r'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(' + _ATTRS + r')\s*(?:/>|>(.*?)</c\s*>)', re.S)
_ATTR = re.compile(r'\s+([A-Za-z_][\w.\-]*)="([^"]*)"')
_V = re.compile(r'<v\s*(?:/>|>([^<]*)</v\s*>)')
_F = re.compile(r'<f(' + _ATTRS + r')\s*(?:/>|>([^<]*)</f\s*>)')
_T = re.compile(r'<t(?:\s+[A-Za-z_][\w.:\-]*="[^"<&]*")*\s*>([^<]*)</t\s*>')
# A finite number as a cell's value: float() reads it, and it is neither infinite nor NaN.
_PLAIN_NUMBER = re.compile(r'-?[0-9]{1,15}(?:\.[0-9]{0,15})?')
# What a formula worked out by `formulas` can hold; a text with any other character is left alone
# there (its saved value is read as it is), so it cannot make a cell stale. (\d and \s as the
# formula's tokens read them, any digit and any space; and the letters its case-blind [A-Za-z]
# also takes: dotted and dotless i, long s, the Kelvin sign.)
_NOT_A_SUM = re.compile(r'[^\dA-Za-z\u0130\u0131\u017f\u212a$.+\-*/(),:=\s]')
# The same on the XML's text before its entities are read: a character that is not an entity's.
_NOT_A_SUM_RAW = re.compile(r'[^\dA-Za-z\u0130\u0131\u017f\u212a$.+\-*/(),:=\s&#;]')
_TYPES = {"n", "s", "str", "inlineStr", "e", "b", "d"}
_COLUMNS: dict[bytes | str, int] = {}


def _column(letters: bytes | str) -> int:
    col = _COLUMNS.get(letters)
    if col is None:
        col = 0
        for ch in letters.decode() if isinstance(letters, bytes) else letters:
            col = col * 26 + ord(ch) - 64
        _COLUMNS[letters] = col
    return col


def _text_length(text: str) -> int:
    return len(html.unescape(text)) if "&" in text else len(text)


def _well_formed(data: bytes) -> bool:
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return False
    return True


def measure(data: bytes, limits, cells_before: int, budget, odd: dict, max_odd: int):
    """(grid cells, text characters) of a plain sheet, with its odd cells put into `odd`; None
    when the part is not plain or passes a limit (the exact path then measures it). `budget` is
    only read here: the caller adds the characters."""
    if len(data) > PLAIN_MAX_BYTES or b"\r" in data or b"<!" in data:
        return None
    head = data.lstrip(b"\xef\xbb\xbf \t\n")  # a processing instruction other than the declaration
    if head.find(b"<?", 1) >= 0 or (b"<?" in data and not head.startswith(b"<?xml")):
        return None
    if not _well_formed(data):
        return None
    refs = _REFS.findall(data)
    if len(set(refs)) != len(refs):
        return None  # a cell given twice: which one counts depends on order, the exact path's way
    max_row = max(map(int, set(map(itemgetter(1), refs))), default=0)  # a row's number once
    max_col = max(map(_column, set(map(itemgetter(0), refs))), default=0)
    grid = max_row * max_col
    if max_row > limits.max_rows or max_col > limits.max_cols or cells_before + grid > limits.max_cells:
        return None

    chars = 0
    if b'"inlineStr"' in data:
        texts = _INLINE.findall(data)
        joined = b"".join(texts).decode("utf-8")
        chars = len(joined) if "&" not in joined else sum(_text_length(t.decode("utf-8")) for t in texts)
    shared_length = budget.shared_length
    if b' t="s"' in data:
        chars += sum(shared_length(i.decode()) for i in _SHARED.findall(data))
    found_odd: list = []  # put into `odd` only once the part is known plain
    if b"<f>" in data:
        for letters, digits, cell_type, f_text, v in _FORMULA.findall(data):
            f_text = f_text.decode("utf-8")
            if f_text.strip() and not _NOT_A_SUM_RAW.search(f_text) and not (
                    "&" in f_text and _NOT_A_SUM.search(html.unescape(f_text))):
                return None  # maybe a clerk's sum: worked out on the exact path
            cell_type = cell_type.decode() or "n"
            value = v.decode("utf-8").strip() if cell_type in ("n", "e") else ""
            if cell_type == "str":
                chars += len(v.decode("utf-8"))
            found_odd.append((int(digits), _column(letters), cell_type, True, value))
    rest, plain_cells = _PLAIN_CELLS.subn(b"", data)
    # What is left holds every tag but the plain cells' (none of which holds a row, a prefixed
    # tag or another cell): counted there, against what the patterns below account for.
    text = rest.decode("utf-8")
    if _PREFIXED.search(text):
        return None
    tags = {"c": 0, "row": 0, "v": 0, "f": 0, "t": 0}
    for tag in _TAGS.findall(text):
        tags[tag] += 1
    if tags["row"] != len(_ROW_OPEN.findall(text)):
        return None
    left = _CELL.findall(text)
    if len(left) != tags["c"] or plain_cells + len(left) != len(refs):
        return None  # a cell without a plain reference first
    seen_v = seen_f = seen_t = 0
    for letters, digits, attrs, content in left:
        cell_type = dict(_ATTR.findall(attrs)).get("t", "n")
        if cell_type not in _TYPES:
            return None
        formula = False
        rest_of = content or ""
        if rest_of.startswith("<f"):
            m = _F.match(rest_of)
            if m is None:
                return None
            formula, seen_f = True, seen_f + 1
            kind, f_text = dict(_ATTR.findall(m[1])).get("t", "normal"), m[2] or ""
            if kind in ("normal", "shared") and f_text.strip() and _text_length(f_text) <= 200:
                if not _NOT_A_SUM.search(html.unescape(f_text)):
                    return None  # maybe a clerk's sum: worked out on the exact path
            rest_of = rest_of[m.end():]
        value = ""
        if rest_of.startswith("<v"):
            m = _V.fullmatch(rest_of)
            if m is None:
                return None
            seen_v += 1
            v = m[1] or ""
            if cell_type == "str":
                chars += _text_length(v)
            elif cell_type in ("s", "n", "e"):
                if "&" in v or len(v) > 1000:
                    return None
                value = v.strip()
                if cell_type == "s":
                    chars += shared_length(v)
        elif rest_of.startswith("<is>") and not formula:
            if "<v" in rest_of or "<f" in rest_of or "<c" in rest_of:
                return None
            found = _T.findall(rest_of)
            if rest_of.count("<t") != len(found):
                return None
            seen_t += len(found)
            if cell_type == "inlineStr":
                chars += sum(_text_length(t) for t in found)
        elif rest_of:
            return None
        if cell_type == "e" or formula or (cell_type == "n" and value and not _PLAIN_NUMBER.fullmatch(value)):
            found_odd.append((int(digits), _column(letters), cell_type, formula, value))
    if (seen_v, seen_f, seen_t) != (tags["v"], tags["f"], tags["t"]):
        return None
    if budget.used + chars > budget.limit:
        return None
    if len(odd) + len(found_odd) >= max_odd:
        return None  # which ones are kept would depend on their order: the exact path keeps the first
    for row, col, cell_type, formula, value in found_odd:
        cell = odd_cell(cell_type, formula, value)
        if cell is not None and len(odd) < max_odd:
            odd[(row, col)] = cell
    return grid, chars


def odd_cell(cell_type: str, formula: bool, value: str) -> OddCell | None:
    """A cell the reader shows as empty although it is not: an error, a formula without its
    saved value, a number that is not one (``value``: the saved value, stripped)."""
    if cell_type == "e":
        return OddCell("error", value[:12] or "#?")
    if formula and not value and cell_type in ("n", "e", "str", "b"):
        return OddCell("formula")
    if cell_type == "n" and value:
        try:
            number = float(value)
        except ValueError:
            return OddCell("not_number", value[:12])
        if number != number or number in (float("inf"), float("-inf")):
            return OddCell("not_number", value[:12])
    return None
