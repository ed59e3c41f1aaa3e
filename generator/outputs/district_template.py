"""The district workbook (แบบรายงานประจำเดือนของอำเภอ), one per district and month.

Made hard to fill wrongly: dropdowns for village, officer and status from a very hidden list
sheet (inline lists longer than 255 characters corrupt the file in Excel), whole-number and date
ranges with Thai messages, label cells locked, the district, month and due date at the top.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from generator.core import texts
from generator.core.periods import BE_OFFSET, Period, thai_date
from generator.core.schema import CONFIRM_KEY, GROUPS, LISTS_SHEET, STATUS_LABELS_TH
from generator.core.model import Setup
from generator.outputs.xlsx import (BOX, FONT, INPUT_FILL, NUMBER_FORMATS, add_table, header_row, print_a4_landscape, put,
                            save_atomic, wrapped_height, write_meta)

HEADER_ROW = 5
YES_TH, NO_TH = texts.text("xlsx.yes"), texts.text("xlsx.no")  # what the confirm column's dropdown offers
EXTRA_ROWS = 20  # empty rows for groups beyond the district's villages
VILLAGES_WITHOUT_GROUP_SHEET = texts.text("district.sheet.villages_without_group")
INSTRUCTIONS_SHEET = texts.text("district.sheet.instructions")


def _w(key: str, **params) -> str:
    """District workbooks go to district staff: always Thai."""
    return texts.text("district." + key, "th", **params)


def _q(header: str) -> str:
    """A field name as the instructions quote it: “จำนวนสมาชิก (คน)”."""
    return f"“{header}”"


def district_file_name(period: Period, district_code: str, district_name: str) -> str:
    safe_name = re.sub(r"[^\w\u0e00-\u0e7f]+", "", district_name)[:40]
    return f"{period.be_key}_{district_code}_{safe_name}.xlsx"


def write_district_workbooks(setup: Setup, period: Period, out_dir: Path,
                             groups_by_district: dict[str, pd.DataFrame] | None = None) -> list[Path]:
    out_dir = Path(out_dir)
    paths = []
    for code in setup.district_codes:
        carried = (groups_by_district or {}).get(code)
        paths.append(write_district_workbook(setup, period, code, out_dir / district_file_name(
            period, code, setup.district_name(code)), carried))
    return paths


def write_district_workbook(setup: Setup, period: Period, district_code: str, path: Path,
                            carried: pd.DataFrame | None = None) -> Path:
    villages = setup.villages[setup.villages["district_code"] == district_code].sort_values("village_code")
    officers = setup.officers[setup.officers["district_code"] == district_code]
    due = setup.due_date(period)
    district = setup.district_name(district_code)
    wb = Workbook()

    info = wb.active
    info.title = INSTRUCTIONS_SHEET
    _instructions(info, setup, period, district, due)

    ws = wb.create_sheet(GROUPS.sheet_th)
    lists = wb.create_sheet(LISTS_SHEET)
    n_rows = len(villages) + EXTRA_ROWS if carried is None else len(carried) + EXTRA_ROWS
    _lists(wb, lists, villages, officers)
    _groups_sheet(ws, setup, period, district, due, n_rows, carried)
    _villages_without_group(wb.create_sheet(VILLAGES_WITHOUT_GROUP_SHEET), villages)
    lists.sheet_state = "veryHidden"
    write_meta(wb, {"kind": "district", "province_code": setup.province_code, "district_code": district_code,
                    "period": period.key, "due_date": due.isoformat(),
                    "fiscal_year_be": setup.fiscal_year_be}, [GROUPS])
    wb.active = 1
    return save_atomic(wb, path)


def _instructions(ws, setup: Setup, period: Period, district: str, due: date) -> None:
    h = {c.key: _q(c.header_th) for c in GROUPS.columns}
    lines = [
        _w("title", district=district, province=setup.province_name),
        _w("month_due", period=period.thai(), due=thai_date(due)),
        "",
        *(_w(f"step.{n}", sheet=_q(GROUPS.sheet_th), without=_q(VILLAGES_WITHOUT_GROUP_SHEET),
             yes=_q(YES_TH), dissolved=_q(STATUS_LABELS_TH["dissolved"]), **h) for n in range(1, 12)),
        "",
        _w("returned"),
    ]
    width = 70  # fits A4 portrait at 100 % in Excel and LibreOffice, so no line runs off the page
    ws.column_dimensions["A"].width = width
    for i, line in enumerate(lines, start=1):
        cell = put(ws, i, 1, line)
        size = 16 if i <= 2 else 14
        cell.font = Font(name=FONT, size=size, bold=i <= 2)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if line:
            ws.row_dimensions[i].height = wrapped_height(line, width, size)
    # One page wide, portrait: a line that wraps stays on its page instead of running off the right.
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.protection.sheet = True


def _lists(wb: Workbook, ws, villages: pd.DataFrame, officers: pd.DataFrame) -> None:
    put(ws, 1, 1, "village_code")
    put(ws, 1, 2, "village_label")
    for i, v in enumerate(villages.itertuples(), start=2):
        put(ws, i, 1, v.village_code, "@")
        put(ws, i, 2, texts.village(v.village_name, v.moo, v.subdistrict_name))
    put(ws, 1, 4, "officer")
    for i, name in enumerate(officers["officer_name"], start=2):
        put(ws, i, 4, name)
    put(ws, 1, 6, "status")
    for i, label in enumerate(STATUS_LABELS_TH.values(), start=2):
        put(ws, i, 6, label)
    put(ws, 1, 8, "yesno")
    put(ws, 2, 8, YES_TH)
    put(ws, 3, 8, NO_TH)
    last_v = max(len(villages) + 1, 2)
    names = {"VILLAGE_CODES": f"$A$2:$A${last_v}", "OFFICERS": f"$D$2:$D${max(len(officers) + 1, 2)}",
             "STATUSES": f"$F$2:$F${len(STATUS_LABELS_TH) + 1}", "VILLAGE_TABLE": f"$A$2:$B${last_v}",
             "YESNO": "$H$2:$H$3"}
    for name, ref in names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=f"'{LISTS_SHEET}'!{ref}")


def _groups_sheet(ws, setup: Setup, period: Period, district: str, due: date, n_rows: int,
                  carried: pd.DataFrame | None) -> None:
    cols = GROUPS.columns
    last = get_column_letter(len(cols))
    put(ws, 1, 1, _w("title", district=district, province=setup.province_name)).font = \
        Font(name=FONT, size=18, bold=True)
    put(ws, 2, 1, _w("month_due", period=period.thai(), due=thai_date(due))).font = Font(name=FONT, size=16, bold=True)
    put(ws, 3, 1, _w("sheet_hint", **{c.key: _q(c.header_th) for c in GROUPS.columns})).font = Font(name=FONT, size=14)
    for r in (1, 2, 3):
        ws.merge_cells(f"A{r}:{last}{r}")
    header_row(ws, HEADER_ROW, [c.header_th for c in cols])
    ws.row_dimensions[HEADER_ROW].height = 42
    first, last_row = HEADER_ROW + 1, HEADER_ROW + n_rows
    records = [] if carried is None else carried.to_dict("records")
    for i in range(n_rows):
        r = first + i
        record = records[i] if i < len(records) else {}
        record = {k: v for k, v in record.items() if k != CONFIRM_KEY}  # a confirmation is for one month
        for j, col in enumerate(cols, start=1):
            if col.kind == "lookup":
                # B&"" looks a code typed as a number (36010101) up as the text the list holds.
                cell = ws.cell(row=r, column=j, value=f'=IFERROR(VLOOKUP(B{r}&"",VILLAGE_TABLE,2,FALSE),"")')
            else:
                cell = put(ws, r, j, record.get(col.key), NUMBER_FORMATS.get(col.kind))
                cell.fill = INPUT_FILL
                cell.protection = Protection(locked=False)
            cell.font = Font(name=FONT, size=14)
            cell.border = BOX
            cell.alignment = Alignment(vertical="top", wrap_text=col.kind in ("text", "lookup", "officer"))
    for j, col in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(j)].width = col.width
    add_table(ws, GROUPS.key, HEADER_ROW, len(cols), n_rows)
    _validations(ws, first, last_row, period)
    ws.cell(row=HEADER_ROW, column=1).comment = Comment(_w("comment.group_code"), _w("author"))
    ws.cell(row=HEADER_ROW, column=GROUPS.keys.index(CONFIRM_KEY) + 1).comment = Comment(
        _w("comment.confirm", yes=_q(YES_TH)), _w("author"))
    ws.freeze_panes = ws.cell(row=first, column=3)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    print_a4_landscape(ws, HEADER_ROW)


def _column_range(key: str, first: int, last: int) -> str:
    letter = get_column_letter(GROUPS.keys.index(key) + 1)
    return f"{letter}{first}:{letter}{last}"


def _validations(ws, first: int, last: int, period: Period) -> None:
    def add(dv: DataValidation, *keys: str, title: str, message: str, prompt: str | None = None):
        dv.errorTitle, dv.error = title, message
        dv.showErrorMessage = True
        if prompt:
            dv.promptTitle, dv.prompt, dv.showInputMessage = title, prompt, True
        for key in keys:
            dv.add(_column_range(key, first, last))
        ws.add_data_validation(dv)

    h = {c.key: c.header_th for c in GROUPS.columns}
    add(DataValidation(type="list", formula1="=VILLAGE_CODES", allow_blank=True), "village_code",
        title=h["village_code"], message=_w("dv.village"), prompt=_w("dv.village_prompt"))
    add(DataValidation(type="list", formula1="=OFFICERS", allow_blank=True), "officer",
        title=h["officer"], message=_w("dv.officer"))
    add(DataValidation(type="list", formula1="=STATUSES", allow_blank=True), "status",
        title=h["status"], message=_w("dv.status", active=_q(STATUS_LABELS_TH["active"]),
                                      dissolved=_q(STATUS_LABELS_TH["dissolved"])))
    add(DataValidation(type="list", formula1="=YESNO", allow_blank=True), CONFIRM_KEY,
        title=h[CONFIRM_KEY], message=_w("dv.confirm", yes=_q(YES_TH), no=_q(NO_TH)),
        prompt=_w("dv.confirm_prompt", yes=_q(YES_TH)))
    add(DataValidation(type="whole", operator="between", formula1="0", formula2="100000", allow_blank=True),
        "members", "borrowers", title=_w("dv.people_title"), message=_w("dv.people"))
    add(DataValidation(type="decimal", operator="between", formula1="0", formula2="10000000000", allow_blank=True),
        "savings_baht", "loans_baht", title=_w("dv.money_title"), message=_w("dv.money"))
    # On a PC whose calendar is not Thai, 15/3/2566 typed by the clerk is stored as the year 2566
    # CE; the tool reads such a year as BE (values.read_date), so Excel must let it through too:
    # the upper bound is the period's end in BE-as-CE. Anything in between is judged by the rules.
    end = period.last_day
    add(DataValidation(type="date", operator="between", formula1="DATE(1974,1,1)",
                       formula2=f"DATE({end.year + BE_OFFSET},{end.month},{end.day})", allow_blank=True),
        "founded_on", title=h["founded_on"], message=_w("dv.date", end=thai_date(end)),
        prompt=_w("dv.date_prompt"))


def _villages_without_group(ws, villages: pd.DataFrame) -> None:
    without = villages[villages["is_kkkj"] & ~villages["had_group"]]
    put(ws, 1, 1, _w("without.title")).font = Font(name=FONT, size=16, bold=True)
    headers = [_w("without.col.code"), _w("without.col.moo"), _w("without.col.name"), _w("without.col.subdistrict")]
    header_row(ws, 3, headers)
    for i, v in enumerate(without.itertuples(), start=4):
        for j, value in enumerate((v.village_code, v.moo, v.village_name, v.subdistrict_name), start=1):
            put(ws, i, j, value, "@" if j == 1 else None).font = Font(name=FONT, size=14)
    for j, width in enumerate((16, 8, 26, 20), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    put(ws, 4 + len(without) + 1, 1, _w("without.total", n=len(without))).font = Font(name=FONT, size=14, bold=True)
    ws.protection.sheet = True
