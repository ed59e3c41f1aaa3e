"""The year turns: next fiscal year's setup from this year's and the store's end-of-year state.

Every October a province starts a new fiscal year. Its districts, villages and officers stay; what
moves is, for each village, whether it has a savings group "when the year began" — exactly what
this year's store knows from each district's last accepted month. A wrong flag moves next year's
targets and coverage for the whole year, silently, so every flag the store changed is listed on a
sheet of its own for the office to check, and a district the store knows nothing about this year
keeps this year's flags, marked, never guessed.

    this year's setup + store ─► next_year_setup (pure) ─► NextYear ─► write_next_year (workbook)

The new year's phases and targets are the department's decision: they are left to fill, with this
year's phases, targets and results on a reference sheet beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from openpyxl.styles import Font

from generator.core import texts
from generator.core.periods import Period
from generator.core.schema import STATUS_DISSOLVED, TARGETS, Column, Table
from generator.core.model import Setup
from generator.outputs.setup_template import setup_workbook
from generator.outputs.xlsx import FONT, put, save_atomic, write_table

# What the store changed, or could not tell, compared with this year's setup.
from generator.core.statuses import CHANGE_KINDS, DISSOLVED, GAINED, KEPT, MOVED, NOT_REPORTED, STALE  # noqa: E402

# The words of next year's workbook (always Thai, as the setup workbook is), by change kind and by name.
LABELS = {lang: texts.section("next_year", lang) for lang in texts.LANGS}

CHANGES = Table("next_year_changes", "การเปลี่ยนแปลง", (
    Column("change", "การเปลี่ยนแปลง", "Change", "text", width=46),
    Column("district_code", "รหัสอำเภอ", "District code", "code", width=12),
    Column("district_name", "ชื่ออำเภอ", "District", "text", width=18),
    Column("village_code", "รหัสหมู่บ้าน", "Village code", "code", width=14),
    Column("village", "หมู่บ้าน", "Village", "text", width=36),
    Column("had_group_this_year", "มีกลุ่มฯ เมื่อต้นปีนี้", "Had a group this year", "text", width=14),
    Column("had_group_next_year", "มีกลุ่มฯ เมื่อต้นปีหน้า", "Has a group next year", "text", width=14),
    Column("last_month", "เดือนล่าสุดที่ผ่านการตรวจ", "Last accepted month", "text", width=18),
    Column("groups", "กลุ่มที่เกี่ยวข้อง", "Groups concerned", "text", width=50),
))

REFERENCE = Table("last_year_reference", "อ้างอิง", (
    Column("district_code", "รหัสอำเภอ", "District code", "code", width=12),
    Column("district_name", "อำเภอ", "District", "text", width=20),
    Column("phase", "ระยะที่", "Phase", "int", width=8),
    Column("phase_name", "ชื่อระยะ", "Phase name", "text", width=24),
    Column("starts_on", "วันเริ่ม", "First day", "date", width=14),
    Column("ends_on", "วันสิ้นสุด", "Last day", "date", width=14),
    Column("due_day", "ส่งรายงานทุกวันที่", "Due day", "int", width=12),
    Column("target_groups", "เป้าหมาย (กลุ่ม)", "Target (groups)", "int", width=12),
    Column("founded", "จัดตั้งแล้ว (กลุ่ม)", "Founded (groups)", "int", width=12),
    Column("last_month", "เดือนล่าสุดที่ผ่านการตรวจ", "Last accepted month", "text", width=18),
))


@dataclass(frozen=True)
class NextYear:
    """Next year's setup (phases and targets empty), what changed, and this year for reference."""

    setup: Setup
    this_year: int
    changes: pd.DataFrame  # kind, district_code, village_code, had_group_this_year, had_group_next_year, last_month, groups
    reference: pd.DataFrame  # REFERENCE's columns; the province's rows first
    kept_districts: tuple[str, ...]  # no accepted month this year: flags kept
    stale_districts: tuple[str, ...]  # last accepted month before September

    def count(self, kind: str) -> int:
        return int((self.changes["kind"] == kind).sum())


def next_year_setup(setup: Setup, year_end: dict[str, pd.DataFrame], last_months: dict[str, str]) -> NextYear:
    """year_end: district code -> its groups in its last accepted month of this fiscal year
    (village_code, group_code, group_name, status, phase); last_months: district code -> that month
    (``YYYY-MM``). A district in neither keeps this year's flags."""
    villages = setup.villages.copy()
    codes = setup.district_codes
    # Groups recorded under a code this year's setup re-codes count for the village under its new code.
    year_end, last_months = _moved(setup, year_end, last_months)
    known = [c for c in codes if c in last_months]
    frames = [year_end[c] for c in known if c in year_end and len(year_end[c])]
    groups = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["district_code", "village_code", "group_code", "group_name", "status", "phase"])
    live = groups[groups["status"].ne(STATUS_DISSOLVED)]
    with_group = set(live["village_code"])
    decided = villages["district_code"].isin(known)
    now = villages["had_group"].where(~decided, villages["village_code"].isin(with_group)).astype(bool)

    def named(frame: pd.DataFrame, village: str) -> str:
        rows = frame[frame["village_code"] == village]
        return ", ".join(f"{n} ({c})" for c, n in zip(rows["group_code"], rows["group_name"]))

    rows = []
    for v, was, will in zip(villages.itertuples(), villages["had_group"], now):
        if was == will:
            continue
        if will:
            kind, concerned = GAINED, named(live, v.village_code)
        else:
            gone = groups[(groups["village_code"] == v.village_code) & groups["status"].eq(STATUS_DISSOLVED)]
            kind, concerned = (DISSOLVED, named(gone, v.village_code)) if len(gone) else (NOT_REPORTED, "")
        rows.append({"kind": kind, "district_code": v.district_code, "village_code": v.village_code,
                     "had_group_this_year": bool(was), "had_group_next_year": bool(will),
                     "last_month": last_months[v.district_code], "groups": concerned})
    for old, new in setup.moves.items():
        v = villages[villages["village_code"] == new].iloc[0]
        rows.append({"kind": MOVED, "district_code": v.district_code, "village_code": new, "old_code": old,
                     "had_group_this_year": bool(v.had_group),
                     "had_group_next_year": bool(now[villages["village_code"] == new].iloc[0]),
                     "last_month": last_months.get(v.district_code), "groups": named(groups, new)})
    september = Period(setup.fiscal_bounds[1].year, 9).key
    stale = tuple(c for c in known if last_months[c] < september)
    kept = tuple(c for c in codes if c not in last_months)
    for c in stale:
        rows.append({"kind": STALE, "district_code": c, "last_month": last_months[c]})
    for c in kept:
        rows.append({"kind": KEPT, "district_code": c, "last_month": None,
                     "villages": int((villages["district_code"] == c).sum())})
    changes = pd.DataFrame(rows, columns=["kind", "district_code", "village_code", "had_group_this_year",
                                          "had_group_next_year", "last_month", "groups", "villages", "old_code"])
    order = {k: i for i, k in enumerate(CHANGE_KINDS)}
    changes = changes.sort_values(["district_code", "kind", "village_code"], key=lambda s: s.map(order)
                                  if s.name == "kind" else s, kind="stable").reset_index(drop=True)
    empty_targets = setup.targets.iloc[0:0].reset_index(drop=True)
    following = replace(setup, fiscal_year_be=setup.fiscal_year_be + 1, villages=villages.assign(had_group=now),
                        phases=(), targets=empty_targets, village_moves=None)  # this year's moves are done
    return NextYear(following, setup.fiscal_year_be, changes, _reference(setup, groups, last_months), kept, stale)


def _moved(setup: Setup, year_end: dict[str, pd.DataFrame],
           last_months: dict[str, str]) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """The year-end groups with re-coded villages under their new code; a district re-coded takes
    its last month with it."""
    if not setup.moves:
        return year_end, last_months
    months = dict(last_months)
    moved: dict[str, list[pd.DataFrame]] = {}
    for code in last_months:
        frame = year_end.get(code)
        parts = setup.moved_by_district({code: frame}) if frame is not None and len(frame) else {code: frame}
        for district, part in parts.items():
            if part is not None:
                moved.setdefault(district, []).append(part)
            months[district] = max(months.get(district, last_months[code]), last_months[code])
    return {d: pd.concat(ps, ignore_index=True) for d, ps in moved.items()}, months


def _reference(setup: Setup, groups: pd.DataFrame, last_months: dict[str, str]) -> pd.DataFrame:
    """This year's phases and targets with what was founded toward them, by district and province."""
    counted = groups[groups["phase"].notna()]
    rows = []
    scopes = [(None, LABELS["th"]["province_row"].format(name=setup.province_name))] + [
        (c, setup.district_name(c)) for c in setup.district_codes]
    for code, name in scopes:
        t = setup.targets if code is None else setup.targets[setup.targets["district_code"] == code]
        c = counted if code is None else counted[counted["district_code"] == code]
        for p in setup.phases:
            rows.append({"district_code": code or setup.province_code, "district_name": name, "phase": p.number,
                         "phase_name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on, "due_day": p.due_day,
                         "target_groups": int(t.loc[t["phase"] == p.number, "target_groups"].sum()),
                         "founded": int((c["phase"].astype(float) == p.number).sum()),
                         "last_month": None if code is None else last_months.get(code)})
    return pd.DataFrame(rows, columns=REFERENCE.keys)


def _month_th(key: str | None) -> str:
    return Period.parse(key).thai() if isinstance(key, str) else "-"


def change_rows(model: NextYear) -> list[dict]:
    """The change sheet's rows, as the office reads them."""
    L, s = LABELS["th"], model.setup
    villages = s.villages.set_index("village_code")
    out = []
    for r in model.changes.itertuples():
        text = L[r.kind].format(month=_month_th(r.last_month), year=model.this_year,
                                n=0 if pd.isna(r.villages) else int(r.villages), old=r.old_code, new=r.village_code)
        if r.kind in (NOT_REPORTED, STALE, KEPT):
            text += f": {L['check']}"
        row = {"change": text, "district_code": r.district_code, "district_name": s.district_name(r.district_code),
               "last_month": _month_th(r.last_month), "groups": r.groups if isinstance(r.groups, str) else None}
        if isinstance(r.village_code, str):
            v = villages.loc[r.village_code]
            row.update(village_code=r.village_code,
                       village=f"บ้าน{v.village_name} หมู่ที่ {v.moo} ต.{v.subdistrict_name}",
                       had_group_this_year=L["yes" if r.had_group_this_year else "no"],
                       had_group_next_year=L["yes" if r.had_group_next_year else "no"])
        out.append(row)
    return out


def write_next_year(model: NextYear, path: Path) -> Path:
    """The setup workbook of init-setup (same tables, same `_meta`), with the change sheet and the
    reference sheet added; written to a temporary file and renamed."""
    L = LABELS["th"]
    wb = setup_workbook(model.setup)
    note = wb.worksheets[0]  # the instructions sheet
    note.insert_rows(1, 2)
    put(note, 1, 1, L["instructions"].format(this=model.this_year)).font = Font(name=FONT, size=14, bold=True)
    reference_at = wb.sheetnames.index(TARGETS.sheet_th) + 1
    ref = wb.create_sheet(L["reference_sheet"].format(year=model.this_year), reference_at)
    put(ref, 1, 1, L["reference_note"].format(year=model.this_year, next=model.setup.fiscal_year_be)).font = \
        Font(name=FONT, size=14, bold=True)
    write_table(ref, REFERENCE, model.reference.to_dict("records"), first_row=3)
    changes = wb.create_sheet(L["changes_sheet"], 1)
    put(changes, 1, 1, L["changes_note"].format(next=model.setup.fiscal_year_be, this=model.this_year)).font = \
        Font(name=FONT, size=14, bold=True)
    rows = change_rows(model)
    put(changes, 2, 1, L["changes_fix"] if rows else L["changes_none"]).font = Font(name=FONT, size=14)
    write_table(changes, CHANGES, rows, first_row=4)
    return save_atomic(wb, path)


def next_year(setup: Setup, store, out: Path) -> NextYear:
    """Read the store's end of this fiscal year, build next year's setup, write it to ``out``."""
    year_end, last_months = store.year_end_groups(setup.fiscal_year_be)
    model = next_year_setup(setup, year_end, last_months)
    write_next_year(model, out)
    return model

