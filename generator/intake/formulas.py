"""The simple formulas a clerk types, worked out to check the value the file saved for them.

A workbook keeps, beside each formula, the value the program that saved it last calculated; the
readers see only that value. A file edited by a tool that does not calculate, or by hand, can
keep a value that disagrees with its formula (216 saved for ``=1+1``), and Excel, recalculating on
opening, shows the district something else than the province reads.

Only what a clerk types into a figure's cell is worked out: numbers, ``+ - * /``, brackets,
references to cells of the same row and ``SUM`` over them (``=C5+D5``, ``=SUM(C5:F5)*2``), also
when filled down (a shared formula). Anything else (other functions, other rows or sheets, names,
text, ``%``, a division by zero) is left alone: its saved value is read as it is. Nothing here is
ever passed to ``eval``: a small recursive-descent parser builds the expression and works it out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from generator.core.values import OddCell

MAX_FORMULA_CHARS = 200  # a clerk's sum is short; a longer formula is not one and is left alone
MAX_DEPTH = 20  # brackets and references followed, so that no formula can recurse without end

_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<fn>SUM)\s*\("
                    r"|(?P<ref>(?P<cabs>\$?)(?P<col>[A-Za-z]{1,3})(?P<rabs>\$?)(?P<row>\d{1,7}))|(?P<op>[-+*/(),:]))",
                    re.I)


class Unsupported(Exception):
    """Not a formula of the kind worked out here: its saved value is taken as it is."""


@dataclass(frozen=True)
class Ref:
    col: int  # 1-based
    row: int
    col_abs: bool
    row_abs: bool

    def shifted(self, dr: int, dc: int) -> "Ref":
        """Where a shared formula's reference points in a cell `dr` rows and `dc` columns from its first."""
        return Ref(self.col if self.col_abs else self.col + dc, self.row if self.row_abs else self.row + dr,
                   self.col_abs, self.row_abs)

    def text(self) -> str:
        return f"{'$' if self.col_abs else ''}{column_letters(self.col)}{'$' if self.row_abs else ''}{self.row}"


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _tokens(text: str) -> list[tuple[str, object]]:
    if len(text) > MAX_FORMULA_CHARS:
        raise Unsupported("too long")
    out, pos = [], 0
    text = text.lstrip("=").rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise Unsupported(text[pos:pos + 10])
        pos = m.end()
        if m["num"] is not None:
            out.append(("num", float(m["num"])))
        elif m["fn"] is not None:
            out.append(("sum", None))
        elif m["ref"] is not None:
            out.append(("ref", Ref(column_index(m["col"]), int(m["row"]), bool(m["cabs"]), bool(m["rabs"]))))
        else:
            out.append(("op", m["op"]))
    return out


# The expression: ("num", x) | ("ref", Ref) | ("neg", e) | (op, a, b) | ("sum", [items]) | ("range", Ref, Ref)

class _Parser:
    def __init__(self, tokens):
        self.tokens, self.i, self.depth = tokens, 0, 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, op: str | None = None):
        tok = self.peek()
        if tok[0] is None or (op is not None and tok != ("op", op)):
            raise Unsupported(f"expected {op}")
        self.i += 1
        return tok

    def parse(self):
        e = self.expr()
        if self.i != len(self.tokens):
            raise Unsupported("trailing")
        return e

    def expr(self):
        e = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            e = (self.take()[1], e, self.term())
        return e

    def term(self):
        e = self.factor()
        while self.peek() in (("op", "*"), ("op", "/")):
            e = (self.take()[1], e, self.factor())
        return e

    def factor(self):
        self.depth += 1
        if self.depth > MAX_DEPTH * 4:
            raise Unsupported("too deep")
        kind, value = self.peek()
        if (kind, value) in (("op", "-"), ("op", "+")):
            self.take()
            inner = self.factor()
            return ("neg", inner) if value == "-" else inner
        if kind == "num":
            self.take()
            return ("num", value)
        if kind == "ref":
            self.take()
            if self.peek() == ("op", ":"):
                raise Unsupported("a range outside SUM")
            return ("ref", value)
        if (kind, value) == ("op", "("):
            self.take()
            e = self.expr()
            self.take(")")
            return e
        if kind == "sum":
            self.take()
            items = [self.sum_item()]
            while self.peek() == ("op", ","):
                self.take()
                items.append(self.sum_item())
            self.take(")")
            return ("sum", items)
        raise Unsupported(f"unexpected {value}")

    def sum_item(self):
        kind, value = self.peek()
        if kind == "ref" and self.i + 1 < len(self.tokens) and self.tokens[self.i + 1] == ("op", ":"):
            self.i += 2
            kind2, end = self.peek()
            if kind2 != "ref":
                raise Unsupported("range")
            self.take()
            return ("range", value, end)
        if kind == "ref" and self.i + 1 < len(self.tokens) and self.tokens[self.i + 1][1] in (",", ")"):
            self.take()
            return ("sumref", value)  # SUM passes over text in a referenced cell, as Excel does
        return self.expr()


def parse(text: str):
    """The expression of a formula's text (without or with its leading =), or Unsupported."""
    return _Parser(_tokens(text)).parse()


Value = Callable[[int], object]  # column -> the cell's value in the row (None, a number, text)


def evaluate(expr, row: int, value: Value, dr: int = 0, dc: int = 0) -> float:
    """Work out the expression in row `row`; `dr`, `dc`: the shift of a shared formula's cell from
    its first one. References must be to the same row."""

    def cell(ref: Ref) -> Ref:
        ref = ref.shifted(dr, dc)
        if ref.row != row or ref.col < 1:
            raise Unsupported("another row")
        return ref

    def number(v, in_sum: bool) -> float:
        if v is None:
            return 0.0
        if isinstance(v, bool):
            raise Unsupported("a truth value")
        if isinstance(v, (int, float)) and math.isfinite(v):
            return float(v)
        if in_sum:
            return 0.0  # text in a range is passed over by SUM
        raise Unsupported("text in arithmetic")

    def go(e) -> float:
        kind = e[0]
        if kind == "num":
            return e[1]
        if kind == "ref":
            return number(value(cell(e[1]).col), False)
        if kind == "neg":
            return -go(e[1])
        if kind == "sum":
            total = 0.0
            for item in e[1]:
                if item[0] == "range":
                    a, b = cell(item[1]), cell(item[2])
                    lo, hi = sorted((a.col, b.col))
                    if hi - lo > 256:
                        raise Unsupported("a wide range")
                    total += sum(number(value(c), True) for c in range(lo, hi + 1))
                elif item[0] == "sumref":
                    total += number(value(cell(item[1]).col), True)
                else:
                    total += go(item)
            return total
        a, b = go(e[1]), go(e[2])
        if kind == "+":
            return a + b
        if kind == "-":
            return a - b
        if kind == "*":
            return a * b
        if b == 0:
            raise Unsupported("division by zero")  # Excel shows #DIV/0!; nothing to compare
        return a / b

    result = go(expr)
    if not math.isfinite(result):
        raise Unsupported("not finite")
    return result


def shown(text: str, dr: int = 0, dc: int = 0) -> str:
    """The formula as the district sees it in its cell: a shared formula's text moved to that cell."""
    def move(m: re.Match) -> str:
        if m["ref"] is None:
            return m.group(0)
        ref = Ref(column_index(m["col"]), int(m["row"]), bool(m["cabs"]), bool(m["rabs"])).shifted(dr, dc)
        return m.group(0)[:m.start("ref") - m.start()] + ref.text()
    return "=" + _TOKEN.sub(move, text.lstrip("=").strip())


def agrees(saved: float, worked_out: float) -> bool:
    """Excel keeps 15 significant digits: closer than that is the same value."""
    return abs(saved - worked_out) <= 1e-9 * max(1.0, abs(saved), abs(worked_out))


@dataclass(frozen=True)
class RowFormula:
    """A formula found in a row: its text (a shared formula's first text) and the shift to this cell."""

    text: str
    dr: int = 0
    dc: int = 0


def disagreeing(row: int, formulas: dict[int, RowFormula], cached: dict[int, object]) -> dict[int, tuple[str, float]]:
    """The cells of one row whose saved value disagrees with their simple formula: column ->
    (the formula as shown in the cell, its value worked out). A reference to another formula of the
    row uses that formula's worked-out value, as a recalculating program would."""
    worked: dict[int, float | None] = {}
    busy: set[int] = set()
    circular: set[int] = set()  # every formula of a circle is left alone, not only where it was found

    def value(col: int):
        if col in formulas:
            got = work(col)
            if got is not None:
                return got
        return cached.get(col)

    def work(col: int) -> float | None:
        if col in worked:
            return worked[col]
        if col in busy or len(busy) > MAX_DEPTH:
            circular.update(busy)
            raise Unsupported("a circular reference")
        busy.add(col)
        f = formulas[col]
        try:
            result = evaluate(parse(f.text), row, value, f.dr, f.dc)
        except Unsupported:
            result = None
        finally:
            busy.discard(col)
        worked[col] = None if col in circular else result
        return worked[col]

    out = {}
    for col, f in formulas.items():
        try:
            result = work(col)
        except Unsupported:
            continue
        saved = cached.get(col)
        if result is None or not isinstance(saved, float):
            continue
        if not agrees(saved, result):
            out[col] = (shown(f.text, f.dr, f.dc), result)
    return out


class RowSums:
    """The stream pass's view of formulas (generator.intake.safe streams each sheet's XML through
    it): the cells of the current row, their saved values and simple formulas; at the row's end, a cell whose saved value
    disagrees with its formula becomes an OddCell ("stale") carrying both, for a warning at it."""

    def __init__(self, odd: dict, max_odd: int):
        self.odd, self.max_odd, self.row = odd, max_odd, 0
        self.cached: dict[int, object] = {}
        self.formulas: dict[int, RowFormula] = {}
        self.shared: dict[str, tuple[str, int, int]] = {}  # si -> first text, its row and column
        self.attrs: dict = {}
        self.text: list[str] = []
        self.chars = 0

    def formula_starts(self, attrs) -> None:
        self.attrs, self.text, self.chars = dict(attrs), [], 0

    def formula_text(self, text: str) -> None:
        if self.chars <= MAX_FORMULA_CHARS:
            self.text.append(text)
            self.chars += len(text)

    def cell(self, row: int, col: int, cell_type: str, value: str, formula: bool) -> None:
        if row != self.row:
            self.row_done()
            self.row = row
        self.cached[col] = (cell_type, value)  # read as a value only in a row with a formula (`_value`)
        if formula:
            self._formula(row, col)
            self.attrs, self.text = {}, []

    @staticmethod
    def _value(saved: tuple[str, str]):
        cell_type, value = saved
        if cell_type == "n":
            if not value:
                return None
            try:
                return float(value)
            except ValueError:
                return value
        if cell_type == "b":
            return value == "1"
        return "text" if value or cell_type in ("s", "inlineStr") else None  # not a number: never worked out

    def _formula(self, row: int, col: int) -> None:
        kind, text = self.attrs.get("t", "normal"), "".join(self.text)
        if self.chars > MAX_FORMULA_CHARS or kind not in ("normal", "shared"):
            return  # array and data-table formulas are left alone
        if kind == "shared":
            si = self.attrs.get("si", "")
            if text.strip():
                if len(self.shared) < self.max_odd:
                    self.shared[si] = (text, row, col)
            elif si in self.shared:
                text, r0, c0 = self.shared[si]
                self.formulas[col] = RowFormula(text, row - r0, col - c0)
                return
            else:
                return
        if text.strip():
            self.formulas[col] = RowFormula(text)

    def row_done(self) -> None:
        if self.formulas:
            cached = {col: self._value(saved) for col, saved in self.cached.items()}
            for col, (shown, worked) in disagreeing(self.row, self.formulas, cached).items():
                if (self.row, col) not in self.odd and len(self.odd) < self.max_odd:
                    self.odd[(self.row, col)] = OddCell("stale", _number_text(cached[col]), formula=shown,
                                                        worked=worked)
            self.formulas = {}
        self.cached = {}


def _number_text(x: float) -> str:
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(x)
