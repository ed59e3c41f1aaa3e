"""How much of an untrusted file the tool will read (`Limits`, frozen, checked at import), and the
refusal of a file (`FileRejected`, carrying its located problem)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace


from generator.core.problems import Problem
from generator.core.rules import rule

MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """How large a returned workbook may be. A district's workbook is tens of kilobytes and about a
    thousand cells; these leave a hundredfold room and still keep a hostile file small to read.
    Change them with `--limit NAME=VALUE` on `run` and `validate` (names in `LIMIT_NAMES`)."""

    max_file_bytes: int = 20 * MIB
    max_unpacked_bytes: int = 100 * MIB
    max_ratio: int = 200  # unpacked/packed, for one entry of more than RATIO_FLOOR bytes
    max_entries: int = 500
    max_rows: int = 20_000
    max_cols: int = 200
    max_cells: int = 200_000  # rows × columns of each sheet's grid, summed over the workbook
    # Characters of text the reader will hold: every shared string once, plus each cell's text as
    # it expands (a shared string counts once per cell referring to it), inline strings and
    # formula results. A district's workbook holds about 30,000.
    max_text_chars: int = 2_000_000

    @classmethod
    def parse(cls, items: Iterable[str], base: "Limits | None" = None) -> "Limits":
        """`['rows=50000', 'file_mb=40']` -> Limits; ValueError with a sentence if one is wrong."""
        changes = {}
        for item in items:
            key, sep, text = item.partition("=")
            key = key.strip().lower().replace("-", "_")
            if not sep or key not in LIMIT_NAMES:
                raise ValueError(f"{item!r}: use NAME=NUMBER with NAME one of {', '.join(LIMIT_NAMES)}")
            field_name, unit = LIMIT_NAMES[key]
            try:
                value = int(text.strip().replace("_", "").replace(",", ""))
            except ValueError:
                raise ValueError(f"{item!r}: {text!r} is not a whole number") from None
            if value <= 0:
                raise ValueError(f"{item!r}: a limit must be more than 0")
            changes[field_name] = value * unit
        return replace(base or cls(), **changes)


LIMIT_NAMES = {"file_mb": ("max_file_bytes", MIB), "unpacked_mb": ("max_unpacked_bytes", MIB),
               "ratio": ("max_ratio", 1), "entries": ("max_entries", 1), "rows": ("max_rows", 1),
               "cols": ("max_cols", 1), "cells": ("max_cells", 1), "chars": ("max_text_chars", 1)}
assert {f for f, _ in LIMIT_NAMES.values()} == {f.name for f in fields(Limits)}

DEFAULT_LIMITS = Limits()
EXCEL_MAX_ROWS, EXCEL_MAX_COLS = 1_048_576, 16_384
EXCEL_MAX_CELL_CHARS = 32_767


class FileRejected(Exception):
    """A file that cannot be read at all; carries the problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


def _reject(rule_id: str, name: str, **params) -> FileRejected:
    return FileRejected(rule(rule_id).problem(file=name, **params))


def _damaged(name: str, th: str, en: str) -> FileRejected:
    return _reject("F_CORRUPT", name, detail=th, detail_en=en)
