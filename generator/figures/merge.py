"""Merging the accepted districts' groups into one table for the province (pure).

Each group gets its district and village names from the setup, and the phase it counts toward:
a group counts toward the campaign "1 หมู่บ้าน กข.คจ. 1 กลุ่มออมทรัพย์เพื่อการผลิต" when it was
founded inside a phase, in a กข.คจ. village that had no group when the year began, and is the
first such group of its village.
"""

from __future__ import annotations

import pandas as pd

from generator.core.schema import GROUPS
from generator.core.model import Setup
from generator.core.values import name_key

MERGED_COLUMNS = ["district_code", "district_name", "subdistrict_name", "moo", "is_kkkj", "had_group", "phase",
                  "source_file"] + GROUPS.keys + ["officer_id"]


def merge_groups(setup: Setup, accepted: dict[str, pd.DataFrame], source_files: dict[str, str] | None = None,
                 known_before: frozenset[str] = frozenset()) -> pd.DataFrame:
    """accepted: district code -> that district's parsed groups (one file per district).

    known_before: codes of groups the store first saw in an earlier fiscal year; they never count
    toward this year's targets, whatever founding date is typed for them."""
    frames = []
    for code, groups in sorted(accepted.items()):
        if groups.empty:
            continue
        frames.append(groups.assign(district_code=code, source_file=(source_files or {}).get(code)))
    if not frames:
        return pd.DataFrame(columns=MERGED_COLUMNS)
    merged = pd.concat(frames, ignore_index=True).drop(columns=["village_name"], errors="ignore")
    # The village name is the setup's, whatever the workbook's lookup column held.
    merged = merged.merge(setup.villages[["village_code", "village_name", "moo", "subdistrict_name", "is_kkkj",
                                          "had_group"]],
                          on="village_code", how="left")
    merged = merged.merge(setup.districts, on="district_code", how="left")
    merged["is_kkkj"] = merged["is_kkkj"].fillna(False).astype(bool)
    merged["had_group"] = merged["had_group"].fillna(False).astype(bool)
    merged["phase"] = campaign_phase(setup, merged, known_before)
    return merged.reindex(columns=MERGED_COLUMNS)


def campaign_phase(setup: Setup, groups: pd.DataFrame, known_before: frozenset[str] = frozenset()) -> pd.Series:
    """The phase a group counts toward, or <NA> when it does not count."""
    founded = pd.to_datetime(groups["founded_on"])
    phase = pd.Series(pd.NA, index=groups.index, dtype="Int64")
    for p in setup.phases:
        inside = (founded >= pd.Timestamp(p.starts_on)) & (founded <= pd.Timestamp(p.ends_on))
        phase = phase.mask(inside & phase.isna(), p.number)
    eligible = groups["is_kkkj"] & ~groups["had_group"]
    if known_before and "group_code" in groups:
        eligible &= ~groups["group_code"].isin(known_before)
    phase = phase.where(eligible)
    # One group per village: the earliest founded counts.
    order = founded.sort_values(kind="stable").index
    first = ~groups.loc[order].assign(_p=phase.loc[order]).dropna(subset=["_p"]).duplicated("village_code")
    counted = pd.Series(False, index=groups.index)
    counted.loc[first[first].index] = True
    return phase.where(counted)


def assign_group_codes(groups: pd.DataFrame, known: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Codes for the rows that have none, and the codes given for the first time.

    A group typed again without its code (the district added a row instead of updating the
    carried one) gets back the code it was given before, found by village and name; a new group
    gets its village code followed by the next two-digit number never used in that village
    (digits only, like every government code, so it reads back as typed), so codes stay
    stable from month to month and are never reused.

    known: the store's registry (group_code, village_code, name_key). Returns the groups with
    codes and the registry rows to add (group_code, village_code, name_key).
    """
    known = known if known is not None else pd.DataFrame(columns=["group_code", "village_code", "name_key"])
    groups = groups.copy()
    keys = groups["group_name"].map(name_key)
    used = set(known["group_code"]) | set(groups["group_code"].dropna())
    by_name = {(v, k): c for c, v, k in zip(known["group_code"], known["village_code"], known["name_key"])}
    taken = set(groups["group_code"].dropna())
    for i in groups.index[groups["group_code"].isna()]:
        village = groups.at[i, "village_code"]
        code = by_name.get((village, keys[i]))
        if code is None or code in taken:
            n = 1
            while f"{village}{n:02d}" in used:
                n += 1
            code = f"{village}{n:02d}"
            used.add(code)
        taken.add(code)
        groups.at[i, "group_code"] = code
    fresh = ~groups["group_code"].isin(set(known["group_code"]))
    registry = pd.DataFrame({"group_code": groups.loc[fresh, "group_code"],
                             "village_code": groups.loc[fresh, "village_code"], "name_key": keys[fresh]})
    return groups, registry.drop_duplicates("group_code").reset_index(drop=True)
