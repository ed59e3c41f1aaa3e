"""The demo: Chaiyaphum (ชัยภูมิ), fiscal year 2566, built from the figures in the news posts.

The 16 districts and their codes are real; villages, officers and groups are made up but
plausible and deterministic (a fixed seed). The province's figures are the real ones: 655 กข.คจ.
villages of which 405 had a group, phase 1 target 71 (20 Jan – 30 Jun 2566, due on the 15th),
phase 2 target 58 (20 Jul – 31 Aug 2566, due on the 20th).

Nothing here is used outside the demo and the tests: a real province comes from its setup workbook.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from generator.outputs.district_template import HEADER_ROW
from generator.core.periods import Period
from generator.core.schema import GROUPS, STATUS_LABELS_TH
from generator.core.model import Phase, Setup

CHAIYAPHUM_DISTRICTS = [
    ("3601", "เมืองชัยภูมิ"), ("3602", "บ้านเขว้า"), ("3603", "คอนสวรรค์"), ("3604", "เกษตรสมบูรณ์"),
    ("3605", "หนองบัวแดง"), ("3606", "จัตุรัส"), ("3607", "บำเหน็จณรงค์"), ("3608", "หนองบัวระเหว"),
    ("3609", "เทพสถิต"), ("3610", "ภูเขียว"), ("3611", "บ้านแท่น"), ("3612", "แก้งคร้อ"),
    ("3613", "คอนสาร"), ("3614", "ภักดีชุมพล"), ("3615", "เนินสง่า"), ("3616", "ซับใหญ่"),
]
# กข.คจ. villages per district (655 in all) and how many of them had a group (405 in all).
KKKJ_VILLAGES = [72, 34, 38, 58, 52, 46, 40, 28, 44, 60, 24, 50, 38, 22, 25, 24]
HAD_GROUP = [46, 21, 23, 36, 32, 28, 25, 17, 27, 37, 15, 31, 24, 14, 15, 14]
DEMO_PERIOD = Period(2023, 8)

PLACE_NAMES = ["โนนสะอาด", "หนองบัว", "โคกสูง", "นาไก่เซา", "หนองแวง", "ดอนแดง", "โพนทอง", "ห้วยยาง", "หนองไผ่",
          "โนนสำราญ", "สระพัง", "กุดตุ้ม", "นาเสียว", "ห้วยต้อน", "หนองนาแซง", "บุ่งคล้า", "โนนคูณ", "ซับม่วง",
          "โคกกลาง", "หนองหญ้าปล้อง", "ท่าหินโงม", "นาฝาย", "โนนไฮ", "หนองปลาซิว", "บ้านค่าย", "โคกมั่งงอย",
          "หนองโดน", "นาวัง", "ทุ่งลุยลาย", "ห้วยบง", "ลาดใหญ่", "โนนเขวา"]
PLACE_SUFFIXES = ["", "เหนือ", "ใต้", "ใหม่", "พัฒนา", "สามัคคี", "ทอง", "น้อย"]
# First names by the title that goes with them: นาย for men, นาง or นางสาว for women. Both lists
# are as long, so that drawing a name takes the same random numbers whichever title came first.
_MEN = ["สมชาย", "ประเสริฐ", "กิตติพงษ์", "ธีรวัฒน์", "พงศกร", "อนุชา", "ศักดิ์ชัย", "วีระพงษ์", "ชยพล",
        "สมศักดิ์", "ธนพล", "ณัฐวุฒิ", "วีรยุทธ", "เอกชัย", "สุรชัย", "อภิชาติ", "ประยุทธ", "วิทยา"]
_WOMEN = ["สมศรี", "วิไลวรรณ", "อรุณี", "ณัฐธิดา", "สุนันทา", "จันทร์เพ็ญ", "ปราณี", "รัตนา", "กนกวรรณ",
          "กัญญา", "สุภาพร", "พิมพ์ชนก", "ศิริพร", "นงลักษณ์", "มาลินี", "พรทิพย์", "อัญชลี", "ดวงใจ"]
TITLES = ("นาย", "นาง", "นางสาว")
_LAST = ["ศรีสุข", "ใจดี", "บุญมา", "ทองคำ", "แก้วประเสริฐ", "พรหมมา", "สุวรรณศรี", "ชัยภักดี", "นามวงศ์",
         "จันทร์หอม", "ภูมิสถาน", "เพ็ชรรัตน์", "วงศ์ใหญ่", "ดวงแก้ว"]


def officer_name(rng: random.Random, last_names: list[str] = _LAST) -> str:
    """นายสมชาย ศรีสุข or นางสาวสุภาพร ใจดี: a title that matches the first name."""
    title = rng.choice(TITLES)
    return f"{title}{rng.choice(_MEN if title == 'นาย' else _WOMEN)} {rng.choice(last_names)}"


def split_whole(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of a whole number in proportion to weights: the parts add up exactly."""
    raw = [total * w / sum(weights) for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def chaiyaphum_setup(seed: int = 2566) -> Setup:
    rng = random.Random(seed)
    villages, officers, officer_id = [], [], 1
    for (code, _name), kkkj, had in zip(CHAIYAPHUM_DISTRICTS, KKKJ_VILLAGES, HAD_GROUP):
        n_villages = kkkj + rng.randint(kkkj // 3, kkkj // 2)  # plus villages outside the project
        kkkj_flags = [True] * kkkj + [False] * (n_villages - kkkj)
        rng.shuffle(kkkj_flags)
        had_left = had
        sub, moo = 0, 99
        for i, is_kkkj in enumerate(kkkj_flags):
            if moo >= rng.randint(8, 16):
                sub, moo = sub + 1, 0
                sub_name = rng.choice(PLACE_NAMES)
            moo += 1
            if is_kkkj:
                had_group = had_left > 0 and rng.random() < had_left / max(1, kkkj_flags[i:].count(True))
                had_left -= had_group
            else:
                had_group = rng.random() < 0.5
            villages.append({
                "village_code": f"{code}{sub:02d}{moo:02d}", "moo": moo,
                "village_name": f"{rng.choice(PLACE_NAMES)}{rng.choice(PLACE_SUFFIXES)}", "subdistrict_name": sub_name,
                "district_code": code, "is_kkkj": is_kkkj, "had_group": bool(had_group),
            })
        for _ in range(rng.randint(3, 6)):
            officers.append({"officer_id": f"36{officer_id:03d}", "officer_name": officer_name(rng),
                             "district_code": code})
            officer_id += 1
    village_frame = pd.DataFrame(villages)
    # Make the had-group count exact whatever the dice said.
    for code, had in zip([d for d, _ in CHAIYAPHUM_DISTRICTS], HAD_GROUP):
        kk = village_frame.index[(village_frame["district_code"] == code) & village_frame["is_kkkj"]]
        village_frame.loc[kk, "had_group"] = [True] * had + [False] * (len(kk) - had)
    without = [k - h for k, h in zip(KKKJ_VILLAGES, HAD_GROUP)]
    phase1 = split_whole(71, without)
    phase2 = split_whole(58, [w - p for w, p in zip(without, phase1)])
    codes = [d for d, _ in CHAIYAPHUM_DISTRICTS]
    targets = pd.DataFrame(
        [{"district_code": c, "phase": 1, "target_groups": t} for c, t in zip(codes, phase1)]
        + [{"district_code": c, "phase": 2, "target_groups": t} for c, t in zip(codes, phase2)])
    return Setup(
        province_code="36", province_name="ชัยภูมิ", fiscal_year_be=2566,
        districts=pd.DataFrame(CHAIYAPHUM_DISTRICTS, columns=["district_code", "district_name"]),
        villages=village_frame, officers=pd.DataFrame(officers),
        phases=(Phase(1, "ระยะที่ 1", date(2023, 1, 20), date(2023, 6, 30), 15, 71),
                Phase(2, "ระยะที่ 2", date(2023, 7, 20), date(2023, 8, 31), 20, 58)),
        targets=targets,
    )


def simulated_groups(setup: Setup, district_code: str, period: Period, seed: int = 0) -> pd.DataFrame:
    """The groups a district would report: old groups in villages that had one, and new ones."""
    rng = random.Random(f"{seed}-{district_code}")
    villages = setup.villages[setup.villages["district_code"] == district_code]
    officers = list(setup.officers.loc[setup.officers["district_code"] == district_code, "officer_name"])
    rows = []

    def group(village, founded: date, new: bool):
        members = rng.randint(25, 60) if new else rng.randint(60, 320)
        savings = round(members * rng.uniform(800 if new else 6000, 2000 if new else 16000), 2)
        borrowers = rng.randint(0, members // 3) if new else rng.randint(members // 4, members * 3 // 4)
        return {"village_code": village.village_code, "group_name": f"กลุ่มออมทรัพย์เพื่อการผลิตบ้าน{village.village_name}",
                "founded_on": founded, "members": members, "savings_baht": savings, "borrowers": borrowers,
                "loans_baht": round(savings * rng.uniform(0.4, 0.85), 2) if borrowers else 0,
                "officer": rng.choice(officers), "status": STATUS_LABELS_TH["active"], "remarks": None}

    for v in villages[villages["had_group"]].itertuples():
        rows.append(group(v, date(rng.randint(1985, 2021), rng.randint(1, 12), rng.randint(1, 28)), new=False))
    candidates = list(villages[villages["is_kkkj"] & ~villages["had_group"]].itertuples())
    rng.shuffle(candidates)
    targets = setup.targets[setup.targets["district_code"] == district_code].set_index("phase")["target_groups"]
    for phase in setup.phases:
        if phase.starts_on > period.last_day:
            continue
        want = int(targets.get(phase.number, 0))
        n = min(len(candidates), max(0, round(want * rng.uniform(0.6, 1.25))))
        last = min(phase.ends_on, period.last_day)
        span = (last - phase.starts_on).days
        for _ in range(n):
            rows.append(group(candidates.pop(), phase.starts_on + timedelta(days=rng.randint(0, span)), new=True))
    return pd.DataFrame(rows, columns=[c.key for c in GROUPS.columns if c.key not in ("group_code", "village_name")])


def fill_workbook(template: Path, groups: pd.DataFrame, out: Path, as_typed: dict | None = None) -> Path:
    """Fill a district template the way district staff do: open it, type into the rows, save."""
    wb = load_workbook(template)
    ws = wb[GROUPS.sheet_th]
    for i, record in enumerate(groups.to_dict("records")):
        for key, value in record.items():
            col = GROUPS.keys.index(key) + 1
            ws.cell(row=HEADER_ROW + 1 + i, column=col).value = None if pd.isna(value) else value
    for (i, key), value in (as_typed or {}).items():
        ws.cell(row=HEADER_ROW + 1 + i, column=GROUPS.keys.index(key) + 1).value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def groups_as_of(setup: Setup, code: str, month: Period, final: Period = DEMO_PERIOD) -> pd.DataFrame:
    """What a district really has at the end of a month of the demo year: the groups founded by
    then, their savings growing a little each month."""
    groups = simulated_groups(setup, code, final)
    groups = groups[groups["founded_on"] <= month.last_day].copy()
    months_to_go = (final.year - month.year) * 12 + final.month - month.month
    groups["savings_baht"] = (groups["savings_baht"] * (1 - 0.01 * months_to_go)).round(2)
    return groups.reset_index(drop=True)


def updated_return(template: Path, carried: pd.DataFrame | None, groups: pd.DataFrame, out: Path,
                   as_typed: dict | None = None) -> Path:
    """A district updates its pre-filled workbook: carried groups keep their rows and codes (found
    by village and name), new groups go below them."""
    codes = {} if carried is None else {
        (v, n): c for c, v, n in zip(carried["group_code"], carried["village_code"], carried["group_name"])}
    order = {c: i for i, c in enumerate(codes.values())}
    groups = groups.assign(group_code=[codes.get((v, n)) for v, n in zip(groups["village_code"], groups["group_name"])])
    groups = groups.assign(_order=groups["group_code"].map(lambda c: order.get(c, len(order))))
    groups = groups.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    return fill_workbook(template, groups, out, as_typed)


# The months before the demo month that went through the store, and what went wrong in them.
DEMO_HISTORY = (Period(2023, 6), Period(2023, 7))
_LATE = {Period(2023, 6): ("3610",), Period(2023, 7): ("3602", "3614"), DEMO_PERIOD: ("3616",)}
_MISSING = {Period(2023, 6): ("3614",), Period(2023, 7): (), DEMO_PERIOD: ("3614",)}


def build_demo(out_dir: Path, period: Period = DEMO_PERIOD, history: tuple[Period, ...] = DEMO_HISTORY):
    """Everything a province does over a few months, for Chaiyaphum: setup, templates pre-filled
    from the history store, filled returns, a run each month.

    A few districts make the usual mistakes; some report late; one does not report; one sends a
    corrected file. Only the last month is rendered; the earlier ones feed the store.
    """
    from generator.figures.carry import carried_groups
    from generator.outputs.district_template import write_district_workbooks
    from generator.store.history import HistoryStore, default_store_path
    from generator.pipeline import run_month
    from generator.intake.setup_workbook import load_setup
    from generator.outputs.setup_template import write_setup_workbook

    out_dir = Path(out_dir)
    setup_path = write_setup_workbook(out_dir / "setup_36_2566.xlsx", chaiyaphum_setup())
    setup = load_setup(setup_path)  # through the file, as a province would
    store_path = default_store_path(out_dir, setup.province_code)
    store_path.unlink(missing_ok=True)  # the demo starts its year afresh
    with HistoryStore.open(store_path, setup.province_code) as store:
        for month in [m for m in history if m < period] + [period]:
            last = month == period
            inbox = out_dir / "inbox" if last else out_dir / "history_inbox" / month.be_key
            if inbox.exists():
                for old in inbox.iterdir():
                    old.unlink()
            carried = carried_groups(setup, store.previous_groups(month))
            templates = write_district_workbooks(setup, month, out_dir / "templates" / month.be_key, carried)
            due = setup.due_date(month)
            for path, code in zip(templates, setup.district_codes):
                if code in _MISSING.get(month, ()):
                    continue
                groups = groups_as_of(setup, code, month, period)
                typed = _mistakes(code, groups) if last else {}
                if last and code == "3603":  # first sent with a member count missing, then corrected
                    first = updated_return(path, carried.get(code), groups, inbox / f"{code}_first.xlsx",
                                           {(3, "members"): None})
                    _received(first, due - timedelta(days=3))
                sent = updated_return(path, carried.get(code), groups, inbox / path.name, typed)
                _received(sent, due + timedelta(days=4 if code in _LATE.get(month, ()) else -2))
            result = run_month(setup, month, inbox, out_dir, made_on=due, store=store, render=last)
    return result


def _mistakes(code: str, groups: pd.DataFrame) -> dict:
    if code == "3605":  # typed by hand: Thai digits, commas and units, a BE date as text
        return {(0, "members"): "๑๒๐", (1, "savings_baht"): "1,250,000 บาท",
                (len(groups) - 1, "founded_on"): _be_text(groups.iloc[-1]["founded_on"])}
    if code == "3609":  # more borrowers than members, and a village of another district
        return {(2, "borrowers"): int(groups.iloc[2]["members"]) + 15, (4, "village_code"): "36010101"}
    if code == "3612":  # an officer typed instead of picked
        return {(1, "officer"): "พัฒนากรอำเภอ (ไม่ระบุชื่อ)"}
    return {}


def _be_text(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year + 543}"


def _received(path: Path, day: date) -> None:
    """Stamp the day a file arrived, as a mail client saving an attachment would."""
    import os
    from datetime import datetime

    stamp = datetime(day.year, day.month, day.day, 10, 0).timestamp()
    os.utime(path, (stamp, stamp))
