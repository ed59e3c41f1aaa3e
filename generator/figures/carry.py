"""Carry-forward (pure): last month's accepted groups, as a district's new workbook shows them.

A district then only updates what changed and adds its new groups; each carried row keeps the
code the tool gave the group, so the group is recognised next month whatever its name becomes.
Values are written as the dropdowns offer them (officer name, Thai status), not as stored.
"""

from __future__ import annotations

import pandas as pd

from generator.figures.merge import merge_groups
from generator.core.schema import GROUPS, STATUS_LABELS_TH
from generator.core.model import Setup
from generator.core.values import as_cell_value


def carried_groups(setup: Setup, previous: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """district code -> rows for the template, for the districts of the setup that have history."""
    names = dict(zip(setup.officers["officer_id"], setup.officers["officer_name"]))
    out = {}
    # A village the setup re-codes (village_moves) carries its groups under the new code, codes kept.
    for code, groups in setup.moved_by_district(previous).items():
        if code not in setup.district_codes or groups.empty:
            continue
        rows = groups.sort_values(["village_code", "group_code"]).copy()
        rows["officer"] = [names.get(i, typed) for i, typed in zip(rows["officer_id"], rows["officer"])]
        rows["status"] = rows["status"].map(lambda s: STATUS_LABELS_TH.get(s, s))
        rows = rows.reindex(columns=[k for k in GROUPS.keys if k != "village_name"])
        out[code] = pd.DataFrame([{k: as_cell_value(v) for k, v in r.items()} for r in rows.to_dict("records")],
                                 columns=rows.columns)
    return out


def with_carried(setup: Setup, merged: pd.DataFrame, last: dict[str, tuple[str, pd.DataFrame]],
                 reported: set[str]) -> pd.DataFrame:
    """The month's accepted groups, and for each district without an accepted report this month
    its groups as last accepted (from the store), marked with that month in ``carried_from``.

    Groups founded do not un-found themselves: a district that skips a month, or whose file is
    rejected, keeps counting toward the target and village coverage what it last reported, and
    its money and member figures are those of the same month (README, "What counts toward the
    target")."""
    frames = [merged.assign(carried_from=None)]
    for code, (month, groups) in sorted(last.items()):
        if code in reported or code not in setup.district_codes or groups.empty:
            continue
        frames.append(merge_groups(setup, {code: groups.drop(columns=["phase"], errors="ignore")},
                                   {code: None}).assign(carried_from=month))
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else merged.assign(carried_from=None)
