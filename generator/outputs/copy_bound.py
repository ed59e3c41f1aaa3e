"""How much openpyxl would build from a returned workbook, measured by streaming before it loads it.

The feedback copy is the district's own file opened with openpyxl, which makes a Python object of
every element it reads and expands some ranges into one object per cell: a merged range of a
million cells, a hyperlink over four million, a million empty row records or 150,000 comments
took from 0.5 to more than 1 GB from 25 KB files. The reading limits (`generator.intake.safe`) do
not see these, because python-calamine never builds them. So before a copy is made, every XML
part is streamed once with expat (DTDs refused, as in reading) and each element counted as the
objects it becomes: one for most, the area of its range for a merged cell or a hyperlink, more
for a comment. A file over the budget gets a feedback workbook with its problems listed alone.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from openpyxl.utils.cell import range_boundaries

from generator.intake.container import _parse, _parser
from generator.intake.limits import FileRejected

# About a kilobyte of openpyxl's memory each (measured: 1M merged cells 476 MiB, 1M row records
# 974 MiB); a filled district workbook of 120 groups counts about 12,000.
COPY_BUDGET = 60_000
# What openpyxl makes of one element, where that is more than one small object.
_WEIGHT = {"comment": 8, "cfRule": 4, "dataValidation": 4, "xf": 2, "font": 2, "definedName": 2}
_RANGES = {"mergeCell", "hyperlink"}  # expanded into one object per cell of `ref`
_XML_SUFFIXES = (".xml", ".rels", ".vml")


class _OverBudget(Exception):
    pass


def copy_cost(data: bytes, budget: int = COPY_BUDGET) -> int | None:
    """The objects openpyxl would build from the workbook, counted up to just past `budget`;
    None when the file cannot be measured (it is damaged), so no copy should be tried."""
    used = 0

    def start(tag, attrs):
        nonlocal used
        local = tag.rpartition(":")[2]
        used += _WEIGHT.get(local, 1)
        if local in _RANGES:
            used += _area(attrs.get("ref", ""))
        if used > budget:
            raise _OverBudget

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                if not info.filename.lower().endswith(_XML_SUFFIXES):
                    continue
                parser = _parser("", info.filename)
                parser.StartElementHandler = start
                _parse(zf, info, parser, "")
    except _OverBudget:
        return used
    except (FileRejected, zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError,
            LookupError, NotImplementedError):
        return None
    return used


def _area(ref: str) -> int:
    """Cells in a reference such as 'A1:XFD1048576' (a bad one counts as the whole sheet)."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.strip().split()[0])
    except (ValueError, TypeError, IndexError):
        return 1 << 34
    if None in (min_col, min_row, max_col, max_row):  # a whole row or column: openpyxl expands it all
        return 1 << 34
    return (max_col - min_col + 1) * (max_row - min_row + 1)
