"""Writing the province setup workbook (ข้อมูลตั้งต้นของจังหวัด): blank for a new office, or filled
from a province's model (the demo, next year's setup). `intake.setup_workbook` reads it back.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from generator.core import texts
from generator.core.model import Setup
from generator.core.schema import OPTIONAL_SETUP_TABLES, SETUP_TABLES
from generator.outputs.xlsx import FONT, put, save_atomic, write_meta, write_table


# The instruction sheet, a line each (the setup workbook is Thai, as the province fills it).
# A blank line after the opening two and after the sheets' descriptions.
INSTRUCTIONS_TH = [line for key, text in texts.section("setup_sheet", "th").items() if key.startswith("line_")
                   for line in ((text, "") if key in ("line_02", "line_11") else (text,))]


def write_setup_workbook(path: Path, setup: Setup | None = None) -> Path:
    """A setup workbook: blank (for init-setup) or holding a setup (the demo)."""
    return save_atomic(setup_workbook(setup), path)


def setup_workbook(setup: Setup | None = None) -> Workbook:
    """The setup workbook in memory, so that `next-year` can add its sheets before saving."""
    wb = Workbook()
    ws = wb.active
    ws.title = "คำแนะนำ"
    ws.column_dimensions["A"].width = 110
    for i, line in enumerate(INSTRUCTIONS_TH, start=1):
        put(ws, i, 1, line).font = Font(name=FONT, size=14, bold=(i == 1))
    data = _rows(setup) if setup else {t.key: [] for t in SETUP_TABLES + OPTIONAL_SETUP_TABLES}
    for table in SETUP_TABLES + OPTIONAL_SETUP_TABLES:
        sheet = wb.create_sheet(table.sheet_th)
        write_table(sheet, table, data[table.key])
        for row in sheet.iter_rows(min_row=1, max_row=1):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="center")
    write_meta(wb, {"kind": "setup", "province_code": setup.province_code if setup else ""},
               SETUP_TABLES + OPTIONAL_SETUP_TABLES)
    return wb


def _yes_no(value: bool) -> str:
    return "ใช่" if value else "ไม่ใช่"


def _rows(setup: Setup) -> dict[str, list[dict]]:
    villages = setup.villages.assign(is_kkkj=setup.villages["is_kkkj"].map(_yes_no),
                                     had_group=setup.villages["had_group"].map(_yes_no))
    return {
        "province": [{"province_code": setup.province_code, "province_name": setup.province_name,
                      "fiscal_year_be": setup.fiscal_year_be}],
        "districts": setup.districts.to_dict("records"),
        "villages": villages.to_dict("records"),
        "officers": setup.officers.to_dict("records"),
        "phases": [{"phase": p.number, "phase_name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on,
                    "due_day": p.due_day, "target_groups": p.target_groups} for p in setup.phases],
        "targets": setup.targets.to_dict("records"),
        "village_moves": [] if setup.village_moves is None else setup.village_moves.to_dict("records"),
    }
