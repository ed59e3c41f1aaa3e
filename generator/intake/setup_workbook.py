"""Reading the province setup workbook (ข้อมูลตั้งต้นของจังหวัด): load it, check it, build the
province's model (`core.model.Setup`). The blank workbook is written by `outputs.setup_template`.

Everything about a province (districts, villages, officers, phases, targets, the fiscal year)
comes from here; nothing about any one province lives in the code.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from generator.core.model import Phase, Setup, SetupInvalid
from generator.intake.parsing import ROW, parse_table
from generator.core.periods import fiscal_year_bounds, thai_date
from generator.core.problems import Problem, errors
from generator.intake.safe import FoundTable, find_table, open_workbook, read_meta
from generator.intake.limits import FileRejected
from generator.core.rules import rule
from generator.core.schema import OPTIONAL_SETUP_TABLES, SETUP_TABLES, VILLAGE_MOVES, VILLAGES


def load_setup(path: Path) -> Setup:
    """Read and check a setup workbook; raises SetupInvalid with every problem found."""
    path = Path(path)
    name = path.name
    try:
        wb, _ = open_workbook(path)
        meta = read_meta(wb, name)
    except FileRejected as exc:
        raise SetupInvalid([exc.problem]) from None
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    found_tables: dict[str, FoundTable] = {}
    for table in SETUP_TABLES:
        try:
            found = find_table(wb, table, meta, name)
        except FileRejected as exc:
            raise SetupInvalid([exc.problem]) from None
        if found is None:
            problems.append(rule("S_MISSING_SHEET").problem(file=name, value=table.sheet_th))
            continue
        for key in found.missing:
            problems.append(rule("F_MISSING_COLUMN").problem(file=name, sheet=found.sheet,
                                                             value=table.column(key).header_th))
        frame, cell_problems = parse_table(found, table, name)
        problems += cell_problems
        frames[table.key], found_tables[table.key] = frame, found
        if frame.empty:
            problems.append(rule("S_EMPTY_TABLE").problem(file=name, sheet=found.sheet, table=table.sheet_th,
                                                           table_en=table.key))
    for table in OPTIONAL_SETUP_TABLES:  # a sheet that is missing or empty is simply nothing
        try:
            found = find_table(wb, table, meta, name)
        except FileRejected as exc:
            raise SetupInvalid([exc.problem]) from None
        if found is None:
            continue
        frame, cell_problems = parse_table(found, table, name)
        problems += cell_problems
        frames[table.key], found_tables[table.key] = frame, found
    # Every problem in one pass: the checks across tables run on whatever could be read, skipping
    # only the values already reported above (issue 11: value errors hid S_TARGET_SUM).
    problems += check_setup(frames, found_tables, name)
    problems += check_moves(frames, found_tables, name)
    if errors(problems):
        raise SetupInvalid(problems)
    return _build(frames)


def check_moves(frames: dict[str, pd.DataFrame], found: dict[str, FoundTable], file: str) -> list[Problem]:
    """The village-code table: each old code once, 8 digits, a new code that is a village of this
    setup, an old code that no longer is one, and no chain (A to B, B to C: say A to C)."""
    moves = frames.get(VILLAGE_MOVES.key)
    if moves is None or not len(moves) or "villages" not in frames:
        return []
    out: list[Problem] = []
    where = found[VILLAGE_MOVES.key]

    def at(row, key: str, rule_id: str, value, **params):
        column = VILLAGE_MOVES.column(key)
        out.append(rule(rule_id).problem(file=file, sheet=where.sheet, cell=where.cell_at(key, int(row[ROW])),
                                         value=value, column=column.header_th, column_en=column.header_en, **params))

    villages = set(frames["villages"]["village_code"].dropna())
    olds = set(moves["old_village_code"].dropna())
    known = moves[moves["old_village_code"].notna()]
    for _, row in known[known["old_village_code"].duplicated(keep="first")].iterrows():
        at(row, "old_village_code", "S_DUPLICATE", row["old_village_code"])
    for _, row in moves.iterrows():
        old, new = row["old_village_code"], row["new_village_code"]
        bad = False
        for key, code in (("old_village_code", old), ("new_village_code", new)):
            if _known(code) and len(code) != 8:
                at(row, key, "S_CODE_FORMAT", code, digits=8)
                bad = True
        if bad or not (_known(old) and _known(new)):
            continue
        if old == new:
            at(row, "new_village_code", "S_MOVE_SAME", new)
        elif new in olds:  # before the villages sheet: a chain's middle code is, rightly, no village
            final = moves.loc[moves["old_village_code"] == new, "new_village_code"].iloc[0]  # the first row counts
            at(row, "new_village_code", "S_MOVE_CHAIN", new, old=old, final=final)
        elif new not in villages:
            at(row, "new_village_code", "S_MOVE_UNKNOWN_NEW", new, sheet_villages=VILLAGES.sheet_th)
        elif old in villages:
            at(row, "old_village_code", "S_MOVE_OLD_LISTED", old, sheet_villages=VILLAGES.sheet_th)
    return out


def _known(value) -> bool:
    return not (value is None or (not isinstance(value, str) and pd.isna(value)))


def check_setup(frames: dict[str, pd.DataFrame], found: dict[str, FoundTable], file: str) -> list[Problem]:
    """Codes nest, nothing repeats, targets add up, phases lie inside the fiscal year.

    A table that is missing, or a value that could not be read (reported by the reader), skips
    only the checks that need it."""
    out: list[Problem] = []
    tables = {t.key: t for t in SETUP_TABLES}
    frames = {t.key: frames.get(t.key, pd.DataFrame(columns=[ROW] + t.keys)).reindex(
        columns=list(dict.fromkeys([ROW, *frames.get(t.key, pd.DataFrame()).columns, *t.keys])))
        for t in SETUP_TABLES}

    def at(table_key: str, row, key: str, rule_id: str, value, **params):
        table = tables[table_key]
        out.append(rule(rule_id).problem(
            file=file, sheet=found[table_key].sheet, cell=found[table_key].cell_at(key, int(row[ROW])), value=value,
            column=table.column(key).header_th, column_en=table.column(key).header_en, **params))

    province = frames["province"]
    if len(province) > 1:  # none at all is S_EMPTY_TABLE
        out.append(rule("S_ONE_PROVINCE").problem(file=file, sheet=found["province"].sheet))
    prow = province.iloc[0] if len(province) else None
    pcode = prow["province_code"] if prow is not None and _known(prow["province_code"]) else None
    if pcode is not None and len(pcode) != 2:
        at("province", prow, "province_code", "S_CODE_FORMAT", pcode, digits=2)

    def codes(table_key, key, digits, parent_key=None, parent_codes=None, parent_word=("", "")):
        frame = frames[table_key]
        frame = frame[frame[key].notna()]
        for _, row in frame[frame[key].duplicated(keep="first")].iterrows():
            at(table_key, row, key, "S_DUPLICATE", row[key])
        for _, row in frame.iterrows():
            code = row[key]
            if digits and len(code) != digits:
                at(table_key, row, key, "S_CODE_FORMAT", code, digits=digits)
            elif parent_key and parent_codes is not None and row[parent_key] in parent_codes \
                    and not code.startswith(row[parent_key]):
                at(table_key, row, key, "S_CODE_NESTING", code, parent=parent_word[0], parent_en=parent_word[1],
                   parent_code=row[parent_key])

    codes("districts", "district_code", 4)
    for _, row in frames["districts"].iterrows():
        if pcode is not None and _known(row["district_code"]) and not row["district_code"].startswith(pcode):
            at("districts", row, "district_code", "S_CODE_NESTING", row["district_code"],
               parent="จังหวัด", parent_en="province", parent_code=pcode)
    district_codes = set(frames["districts"]["district_code"].dropna())
    for table_key in ("villages", "officers", "targets"):
        if "districts" not in found:
            break
        for _, row in frames[table_key].iterrows():
            if _known(row["district_code"]) and row["district_code"] not in district_codes:
                at(table_key, row, "district_code", "S_UNKNOWN_DISTRICT", row["district_code"])
    codes("villages", "village_code", 8, "district_code", district_codes, ("อำเภอ", "district"))
    codes("officers", "officer_id", None)

    fy = int(prow["fiscal_year_be"]) if prow is not None and _known(prow["fiscal_year_be"]) else None
    phases = frames["phases"]
    known_phases = phases[phases["phase"].notna()]
    for _, row in known_phases[known_phases["phase"].duplicated(keep="first")].iterrows():
        at("phases", row, "phase", "S_DUPLICATE", row["phase"])
    for _, row in phases.iterrows():
        if fy is not None and _known(row["starts_on"]) and _known(row["ends_on"]):
            fy_start, fy_end = fiscal_year_bounds(fy)
            if not (fy_start <= row["starts_on"] <= row["ends_on"] <= fy_end):
                at("phases", row, "starts_on", "S_PHASE_DATES",
                   f"{thai_date(row['starts_on'])} – {thai_date(row['ends_on'])}", phase=row["phase"],
                   fiscal_year=fy, fiscal_start=thai_date(fy_start), fiscal_end=thai_date(fy_end),
                   fiscal_start_en=fy_start.isoformat(), fiscal_end_en=fy_end.isoformat())
        if _known(row["due_day"]) and not 1 <= row["due_day"] <= 31:
            at("phases", row, "due_day", "S_DUE_DAY", row["due_day"])
    targets = frames["targets"]
    phase_numbers = set(known_phases["phase"])
    for _, row in targets.iterrows():
        if "phases" in found and _known(row["phase"]) and row["phase"] not in phase_numbers:
            at("targets", row, "phase", "S_UNKNOWN_PHASE", row["phase"])
    keyed = targets[targets["district_code"].notna() & targets["phase"].notna()]
    for _, row in keyed[keyed.duplicated(["district_code", "phase"], keep="first")].iterrows():
        at("targets", row, "district_code", "S_DUPLICATE", f"{row['district_code']} / {row['phase']}")
    for _, row in known_phases.iterrows():
        mine = targets.loc[targets["phase"] == row["phase"], "target_groups"]
        if "targets" not in found or not _known(row["target_groups"]) or not mine.map(_known).all():
            continue  # a target that could not be read is reported already; the sum would be wrong
        total = int(mine.sum())
        if total != row["target_groups"]:
            at("phases", row, "target_groups", "S_TARGET_SUM", row["target_groups"], phase=row["phase"],
               total=total, target=row["target_groups"])
    return out


def _build(frames: dict[str, pd.DataFrame]) -> Setup:
    prow = frames["province"].iloc[0]
    phases = tuple(
        Phase(int(r.phase), r.phase_name, r.starts_on, r.ends_on, int(r.due_day), int(r.target_groups))
        for r in frames["phases"].sort_values("phase").itertuples())
    villages = frames["villages"].drop(columns=[ROW]).astype({"moo": int, "is_kkkj": bool, "had_group": bool})
    targets = frames["targets"].drop(columns=[ROW]).astype({"phase": int, "target_groups": int})
    return Setup(
        province_code=prow["province_code"], province_name=prow["province_name"],
        fiscal_year_be=int(prow["fiscal_year_be"]),
        districts=frames["districts"].drop(columns=[ROW]).reset_index(drop=True),
        villages=villages.reset_index(drop=True),
        officers=frames["officers"].drop(columns=[ROW]).reset_index(drop=True),
        phases=phases, targets=targets.reset_index(drop=True),
        village_moves=frames.get(VILLAGE_MOVES.key, pd.DataFrame(columns=[ROW, *VILLAGE_MOVES.keys])).drop(
            columns=[ROW]).dropna(subset=["old_village_code", "new_village_code"]).reset_index(drop=True),
    )
