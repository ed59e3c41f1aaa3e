"""Validation: a district's groups, cell by cell and then by the row rules of the catalogue.

The rules themselves live in `generator.core.rules`; this module only applies them, vectorised over
the table, and turns each offending row into a located problem. Three levels:

- one district's file: `validate_submission` (cells, row rules, and, given the district's last
  accepted groups, the history rules);
- the month: `check_province`, each group against all the groups of the province (outliers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from generator.intake.submission import Submission
from generator.intake.parsing import ROW, parse_table
from generator.core.periods import Period, thai_date
from generator.core.problems import NEEDS_CONFIRMATION, Problem, errors
from generator.core.rules import (FOUNDED_AS_TIME, HISTORY_RULES, LOANS_TO_SAVINGS_FACTOR, OUTLIER_MIN_GROUPS,
                                  OUTLIER_OWN_Z, OUTLIER_SWAP_Z, OUTLIER_Z, ROW_RULES, Rule, RowContext, rule)
from generator.core.schema import CONFIRM_KEY, GROUPS
from generator.core.model import Setup
from generator.core.values import name_key

# Columns that the history rules compare with last month's accepted figures.
HISTORY_COLUMNS = ("members", "savings_baht")
PREVIOUS_PREFIX = "prev_"
_HELPER_COLUMNS = ("officer_district", "officer_district_name", "officer_district_name_en", FOUNDED_AS_TIME)


@dataclass
class Checked:
    submission: Submission
    # None only from a memo (`generator.checks.memo`), for a file that did not count when last checked.
    groups: pd.DataFrame | None = field(repr=False)
    problems: list[Problem]
    memo_key: tuple | None = field(default=None, repr=False, compare=False)  # its checks' entry in the memo

    @property
    def accepted(self) -> bool:
        return self.submission.table is not None and not errors(self.problems)


# What a setup gives every file of a month (each district's villages, the officers by name), made
# once per setup: id -> (the setup itself, kept so that its id is not reused, and the values).
_PER_SETUP: dict[int, tuple[Setup, dict]] = {}


def _once(setup: Setup, key: tuple, make):
    held = _PER_SETUP.get(id(setup))
    if held is None or held[0] is not setup:
        if len(_PER_SETUP) >= 8:
            _PER_SETUP.clear()
        held = _PER_SETUP[id(setup)] = (setup, {})
    if key not in held[1]:
        held[1][key] = make()
    return held[1][key]


def row_context(setup: Setup, district_code: str, period: Period) -> RowContext:
    return _once(setup, ("context", district_code, period), lambda: _row_context(setup, district_code, period))


def _row_context(setup: Setup, district_code: str, period: Period) -> RowContext:
    every, kkkj, without = _once(setup, ("villages",), lambda: _villages_by_district(setup)).get(
        district_code, (frozenset(), frozenset(), frozenset()))
    start, end = setup.fiscal_bounds
    return RowContext(
        district_code=district_code, district_villages=every, kkkj_villages=kkkj, villages_without_group=without,
        fiscal_start=pd.Timestamp(start), fiscal_end=pd.Timestamp(end), period_end=pd.Timestamp(period.last_day),
        phases=tuple((pd.Timestamp(p.starts_on), pd.Timestamp(p.ends_on)) for p in setup.phases),
    )


def _villages_by_district(setup: Setup) -> dict[str, tuple[frozenset, frozenset, frozenset]]:
    """Each district's villages, its กข.คจ. villages, and those of them that had no group: one
    pass over the setup's villages for every district (a month has one file a district)."""
    found: dict[str, tuple[set, set, set]] = {}
    v = setup.villages
    for code, village, kkkj, had in zip(v["district_code"], v["village_code"], v["is_kkkj"], v["had_group"]):
        every, of_kkkj, without = found.setdefault(code, (set(), set(), set()))
        every.add(village)
        if kkkj:
            of_kkkj.add(village)
            if not had:
                without.add(village)
    return {code: (frozenset(a), frozenset(b), frozenset(c)) for code, (a, b, c) in found.items()}


def match_officers(groups: pd.DataFrame, setup: Setup, district_code: str) -> pd.Series:
    """The officer id for each row, from the name (as the dropdown gives it) or the id typed."""
    by_district = _once(setup, ("officers by district",), lambda: _officer_keys_by_district(setup.officers))
    return _officer_lookup(groups, by_district.get(district_code, {}))


def officer_districts(groups: pd.DataFrame, setup: Setup) -> pd.Series:
    """The district an officer typed on a row belongs to, over the whole province's officers."""
    return _officer_lookup(groups, _once(setup, ("officer districts",), lambda: _officer_keys(setup.officers,
                                                                                            "district_code")))


def _officer_keys_by_district(officers: pd.DataFrame) -> dict[str, dict]:
    """Each district's officers by name and by id -> their id (one pass for every district)."""
    rows: dict[str, list] = {}
    for name, officer_id, code in zip(officers["officer_name"], officers["officer_id"], officers["district_code"]):
        rows.setdefault(code, []).append((name, officer_id))
    out = {}
    for code, pairs in rows.items():
        by_key = {name_key(n): i for n, i in pairs}
        by_key.update({name_key(i): i for _, i in pairs})
        out[code] = by_key
    return out


def _officer_keys(officers: pd.DataFrame, wanted: str) -> dict:
    by_key = {name_key(n): w for n, w in zip(officers["officer_name"], officers[wanted])}
    by_key.update({name_key(i): w for i, w in zip(officers["officer_id"], officers[wanted])})
    return by_key


def _officer_lookup(groups: pd.DataFrame, by_key: dict) -> pd.Series:
    return groups["officer"].map(lambda o: by_key.get(name_key(o)) if isinstance(o, str) else None)


def validate_submission(sub: Submission, setup: Setup, period: Period,
                        previous: pd.DataFrame | None = None) -> Checked:
    """Check one returned file. ``previous``: the district's last accepted groups (columns of a
    parsed groups table, matched on ``group_code``); without it the history rules are skipped
    and one note (H_NO_HISTORY) says so."""
    problems = list(sub.problems)
    if sub.table is None or errors(sub.problems):
        return Checked(sub, pd.DataFrame(columns=[ROW] + GROUPS.keys), problems)
    groups, cell_problems = parse_table(sub.table, GROUPS, sub.name, district_code=sub.district_code)
    problems += cell_problems
    groups["officer_id"] = match_officers(groups, setup, sub.district_code)
    groups["officer_district"] = officer_districts(groups, setup)
    names = dict(zip(setup.districts["district_code"], setup.districts["district_name"]))
    groups["officer_district_name"] = groups["officer_district"].map(names)
    groups["officer_district_name_en"] = groups["officer_district"].map(
        lambda c: f"district {c}" if isinstance(c, str) else None)
    groups[FOUNDED_AS_TIME] = pd.to_datetime(groups["founded_on"])
    ctx = row_context(setup, sub.district_code, period)
    if previous is None:
        problems += check_rows(groups, ctx, sub, setup)
        problems.append(rule("H_NO_HISTORY").problem(file=sub.name, district_code=sub.district_code))
    else:
        groups = with_previous(groups, previous)
        problems += check_rows(groups, ctx, sub, setup, ROW_RULES + HISTORY_RULES)
        problems += missing_groups(groups, previous, sub)
        groups = groups.drop(columns=[PREVIOUS_PREFIX + k for k in HISTORY_COLUMNS])
    return Checked(sub, groups.drop(columns=list(_HELPER_COLUMNS)), problems)


def with_previous(groups: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Last month's figures beside this month's, as ``prev_<column>``, matched on group_code."""
    out = groups.copy()
    if "group_code" in previous.columns:
        prev = previous[previous["group_code"].notna()]
        prev = prev.assign(group_code=prev["group_code"].astype(str)).drop_duplicates("group_code", keep="last")
        prev = prev.set_index("group_code")
    else:
        prev = pd.DataFrame()
    codes = out["group_code"].map(lambda c: str(c) if isinstance(c, str) and c else None)
    for key in HISTORY_COLUMNS:
        last = prev[key] if key in prev.columns else pd.Series(dtype=float)
        out[PREVIOUS_PREFIX + key] = pd.to_numeric(codes.map(last), errors="coerce")
    return out


def missing_groups(groups: pd.DataFrame, previous: pd.DataFrame, sub: Submission) -> list[Problem]:
    """Active groups of last month that are in this file neither by code nor by village and name."""
    if previous.empty or "group_code" not in previous.columns:
        return []
    prev = previous
    if "status" in prev.columns:
        prev = prev[prev["status"].ne("dissolved")]
    codes = set(groups["group_code"].dropna().astype(str))
    names = set(zip(groups["village_code"], groups["group_name"].map(name_key)))
    gone = prev[~prev["group_code"].astype(str).isin(codes)]
    if "village_code" in gone.columns and "group_name" in gone.columns:
        gone = gone[[(v, name_key(n)) not in names for v, n in zip(gone["village_code"], gone["group_name"])]]
    r = rule("H_GROUP_MISSING")
    return [r.problem(file=sub.name, sheet=sub.table.sheet, value=str(g.get("group_code")),
                      district_code=sub.district_code, group_code=str(g.get("group_code")),
                      group_name=_as_message_value(g.get("group_name")), village_code=_as_message_value(g.get("village_code")))
            for g in gone.to_dict("records")]


def check_rows(groups: pd.DataFrame, ctx: RowContext, sub: Submission, setup: Setup,
               rules: tuple[Rule, ...] = ROW_RULES) -> list[Problem]:
    out: list[Problem] = []
    if groups.empty:
        return out
    context = _message_params(setup)
    confirm_column = CONFIRM_KEY in sub.table.columns
    usable_rows: dict[tuple[str, ...], pd.DataFrame] = {}
    filled: dict[str, np.ndarray] = {}
    for r in rules:
        if r.inputs not in usable_rows:
            usable_rows[r.inputs] = groups[_filled(groups, r.inputs, filled)] if r.inputs else groups
        usable = usable_rows[r.inputs]
        if usable.empty:
            continue
        hit = r.check(usable, ctx)
        hit = hit.to_numpy() if hit.dtype == bool else hit.fillna(False).astype(bool).to_numpy()
        if not hit.any():
            continue
        for record in usable[hit].to_dict("records"):
            shown = {k: _as_message_value(v) for k, v in record.items() if k != CONFIRM_KEY}
            shown.update({f"{k}_en": _as_iso_date(v) for k, v in record.items() if _is_date(v)})
            row = int(record[ROW])
            column = r.column if r.column in sub.table.columns else None
            extra = {}
            if r.severity == NEEDS_CONFIRMATION:
                extra = _confirm_where(sub, row) if confirm_column else _CONFIRM_COLUMN_MISSING
                extra["confirmed"] = _is_yes(record.get(CONFIRM_KEY))
            out.append(r.problem(
                file=sub.name, sheet=sub.table.sheet,
                cell=sub.table.cell_at(column, row) if column else f"{row}",
                value=shown.get(r.column), district_code=sub.district_code, **{**shown, **context, **extra}))
    return sorted(out, key=lambda p: (_row_of(p.cell), p.cell or ""))


def _filled(groups: pd.DataFrame, columns: tuple[str, ...], known: dict | None = None) -> np.ndarray:
    """Rows where every one of the columns holds a value: what dropna(subset=...) keeps, as one
    mask over numpy arrays (pandas' dropna costs milliseconds a call, and it was called per rule);
    ``known``: each column's mask already made for this frame."""
    if known is None or not known:  # every column's at once: one operation, not one a column
        filled = groups.notna().to_numpy()
        known = {} if known is None else known
        known.update({c: filled[:, j] for j, c in enumerate(groups.columns)})
    mask = np.ones(len(groups), dtype=bool)
    for c in columns:
        mask &= known[c]
    return mask


_CONFIRM_COLUMN_MISSING = {
    "confirm_where": f"(ถ้าไม่มีคอลัมน์นี้ ให้เพิ่มหัวคอลัมน์ '{GROUPS.column(CONFIRM_KEY).header_th}' ต่อท้ายตาราง)",
    "confirm_where_en": f"(if there is no such column, add one headed '{GROUPS.column(CONFIRM_KEY).header_th}' "
                        "at the end of the table)",
}


def _is_yes(value) -> bool:
    return isinstance(value, (bool, np.bool_)) and bool(value)


def _confirm_where(sub: Submission, row: int) -> dict:
    ref = sub.table.cell_at(CONFIRM_KEY, row)
    return {"confirm_where": f"เซลล์ {ref}", "confirm_where_en": f"(cell {ref})"}


def _message_params(setup: Setup) -> dict:
    """The setup's dates and factors as the row rules' messages quote them."""
    start, end = setup.fiscal_bounds
    phases_th = "; ".join(f"{p.name}: {thai_date(p.starts_on)} ถึง {thai_date(p.ends_on)}" for p in setup.phases)
    phases_en = "; ".join(f"phase {p.number}: {p.starts_on.isoformat()} to {p.ends_on.isoformat()}"
                          for p in setup.phases)
    return {"fiscal_start": thai_date(start), "fiscal_end": thai_date(end), "fiscal_start_en": start.isoformat(),
            "fiscal_end_en": end.isoformat(), "phases": phases_th, "phases_en": phases_en,
            "factor": LOANS_TO_SAVINGS_FACTOR}


def modified_z(values: pd.Series) -> pd.Series:
    """Iglewicz and Hoaglin's modified z-score, 0.6745 (x − median) / MAD.

    When more than half the values are equal the MAD is 0; the mean absolute deviation then
    stands in for it, scaled (1.253314) to estimate the same spread; if that is 0 too, all
    values are equal and none is an outlier."""
    median = values.median()
    deviation = (values - median).abs()
    mad = deviation.median()
    if mad > 0:
        return 0.6745 * (values - median) / mad
    mean_ad = deviation.mean()
    if mean_ad > 0:
        return (values - median) / (1.253314 * mean_ad)
    return pd.Series(0.0, index=values.index)


# Each check of a group against its peers, as the typo it looks for: (kind, the column marked, the
# signed scores it adds up). A digit too many in one column moves several per-member figures at
# once, each in a known direction, so the evidence is added up rather than any one figure judged
# alone: log members (m), log savings per member (s), log loans per member (l), log loans per
# savings (r). Signs: a digit too many in the savings raises s and lowers r.
OUTLIER_CHECKS = (("members", "members", (("m", 1), ("s", -1), ("l", -1))),
                  ("savings", "savings_baht", (("s", 1), ("r", -1))),
                  ("loans", "loans_baht", (("l", 1), ("r", 1))))


def _peer_scores(groups: pd.DataFrame) -> pd.DataFrame:
    """Modified z-scores of the log figures of each group among its peers (same rows)."""
    members = pd.to_numeric(groups["members"], errors="coerce")
    savings = pd.to_numeric(groups["savings_baht"], errors="coerce")
    loans = pd.to_numeric(groups["loans_baht"], errors="coerce")
    usable = (members > 0) & (savings > 0)
    lending = usable & (loans > 0)
    figures = {"m": np.log(members.where(members > 0)), "s": np.log((savings / members).where(usable)),
               "l": np.log((loans / members).where(lending)), "r": np.log((loans / savings).where(lending))}
    out = pd.DataFrame(index=groups.index)
    for key, values in figures.items():
        values = values.dropna()
        out[key] = modified_z(values) if len(values) >= OUTLIER_MIN_GROUPS else np.nan
    return out


def _peers_of(groups: pd.DataFrame, setup: Setup) -> pd.Series:
    """Groups are compared with groups of their own age: founded this fiscal year (small savings,
    no loans yet) or before. Mixed, the new ones pull the figures down and every established group
    looks far out (issue 11: 33 warnings in 11 of 12 districts on true figures)."""
    founded = pd.to_datetime(groups["founded_on"], errors="coerce")
    return pd.Series(np.where(founded >= pd.Timestamp(setup.fiscal_bounds[0]), "new", "established"),
                     index=groups.index)


def province_outliers(groups: pd.DataFrame, setup: Setup) -> list[tuple[object, str, str, dict]]:
    """(row index, kind, column, figures for the message) for each suspected typo among active
    groups: a digit too many in the members, the savings or the loans, or savings and loans
    swapped. Pure: DataFrame in, findings out."""
    found = []
    peers = _peers_of(groups, setup)
    for age, part in groups.groupby(peers):
        z = _peer_scores(part)
        members = pd.to_numeric(part["members"], errors="coerce")
        savings = pd.to_numeric(part["savings_baht"], errors="coerce")
        loans = pd.to_numeric(part["loans_baht"], errors="coerce")
        typical = {"members": members.median(), "savings": (savings / members).median(),
                   "loans": (loans / members)[loans > 0].median()}
        for i in part.index:
            row = z.loc[i]
            for kind, column, terms in OUTLIER_CHECKS:
                scores = [sign * row[key] for key, sign in terms if not pd.isna(row[key])]
                if not scores or pd.isna(row[terms[0][0]]):
                    continue
                if kind == "members" and row["m"] <= OUTLIER_OWN_Z:
                    continue  # many members with small savings each is a real group, unless the count itself is far out
                if sum(scores) / np.sqrt(len(scores)) > OUTLIER_Z:
                    per = members[i] if kind == "members" else (savings[i] if kind == "savings" else loans[i]) / members[i]
                    found.append((i, kind, column, {"age": age, "found": per, "typical": typical[kind]}))
            if loans[i] > savings[i] > 0 and row["r"] > OUTLIER_SWAP_Z:
                found.append((i, "swapped", "loans_baht", {"age": age, "loans": loans[i], "savings": savings[i]}))
    return found


PEERS = {"new": ("ที่จัดตั้งในปีงบประมาณนี้", "founded this fiscal year"),
         "established": ("ที่จัดตั้งก่อนปีงบประมาณนี้", "founded before this fiscal year")}
MEASURES = {"members": ("จำนวนสมาชิก", "members", "คน", "members"),
            "savings": ("เงินสัจจะสะสมต่อสมาชิก 1 คน", "savings per member", "บาท", "baht"),
            "loans": ("จำนวนเงินกู้ต่อสมาชิก 1 คน", "loans per member", "บาท", "baht")}


def check_province(checked: list[Checked], setup: Setup) -> list[Problem]:
    """Each active group of the accepted files against the groups of its own age in the province.

    Pass one file per district (the one that counts), so a district that sent two copies does
    not weigh twice. Returns the problems, in file and cell order, each naming its district;
    the files' own lists are left as they were."""
    files = [c for c in checked if c.accepted and not c.groups.empty]
    if not files:
        return []
    groups = pd.concat([c.groups.assign(_file=i) for i, c in enumerate(files)], ignore_index=True)
    groups = groups[groups["status"].ne("dissolved")]
    found: list[Problem] = []
    for i, kind, key, figures in province_outliers(groups, setup):
        c = files[int(groups.at[i, "_file"])]
        table = c.submission.table
        row = int(groups.at[i, ROW])
        column = GROUPS.column(key)
        cell = table.cell_at(key, row) if key in table.columns else f"{row}"
        peers_th, peers_en = PEERS[figures["age"]]
        if kind == "swapped":
            problem = rule("P_SWAPPED").problem(
                file=c.submission.name, sheet=table.sheet, cell=cell, value=_as_message_value(figures["loans"]),
                district_code=c.submission.district_code, loans=_as_message_value(figures["loans"]),
                savings=_as_message_value(figures["savings"]), peers=peers_th, peers_en=peers_en)
        else:
            measure_th, measure_en, unit_th, unit_en = MEASURES[kind]
            problem = rule("P_OUTLIER").problem(
                file=c.submission.name, sheet=table.sheet, cell=cell, value=_as_message_value(groups.at[i, key]),
                district_code=c.submission.district_code, column=column.header_th, column_en=column.header_en,
                measure=measure_th, measure_en=measure_en, found=_as_message_value(round(float(figures["found"]), 2)),
                typical=_as_message_value(round(float(figures["typical"]), 2)), peers=peers_th, peers_en=peers_en,
                unit=unit_th, unit_en=unit_en)
        found.append(problem)
    return sorted(found, key=lambda p: (p.file, _row_of(p.cell), p.cell or ""))


def _as_message_value(value) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if hasattr(value, "year") and hasattr(value, "month"):
        return thai_date(value)
    if isinstance(value, float):
        return f"{value:,.2f}" if not value.is_integer() else f"{int(value):,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _is_date(value) -> bool:
    return hasattr(value, "year") and hasattr(value, "month") and not pd.isna(value)


def _as_iso_date(value) -> str:
    return (value.date() if isinstance(value, pd.Timestamp) else value).isoformat()


def _row_of(cell: str | None) -> int:
    digits = "".join(ch for ch in (cell or "") if ch.isdigit())
    return int(digits) if digits else 0
