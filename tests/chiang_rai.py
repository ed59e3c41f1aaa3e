"""Chiang Rai (เชียงราย), August 2565: a province built in code whose month adds up to the figures
of the provincial office's own report (seed 004, 5 August 2565):

    "ปัจจุบัน จังหวัดเชียงราย มีกลุ่มออมทรัพย์เพื่อการผลิต จำนวน 395 กลุ่ม จากหมู่บ้านทั้งหมด 1,763
    หมู่บ้าน คิดเป็นร้อยละ 22.40 สมาชิก 64,511 คน มีเงินสัจจะสะสม จำนวน 789,002,813 บาท มีสมาชิกกู้ยืม
    จำนวน 28,149 ราย เป็นเงิน 613,971,726 บาท" and "1 พัฒนากร 1 กลุ่มออมทรัพย์เพื่อการผลิต ... จำนวน
    67 กลุ่ม โดยมีการจัดตั้งแล้ว 45 กลุ่ม คิดเป็นร้อยละ 67.16"

The 18 districts and their codes are real; villages, officers and groups are made up (fixed seed)
so that the totals are exactly those above: 1,763 villages, 395 active groups in 395 villages,
67 field officers of whom 45 founded a group in fiscal year 2565 (the campaign's one phase, target
one group per officer: 67), and the members, savings, borrowers and loans split over the groups.
The returns go through the real tool: setup workbook, district workbooks filled, `run_month`.
"""

from __future__ import annotations

import os
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from generator.samples.demo import split_whole as split
from generator.core.periods import Period
from generator.samples.demo import officer_name
from generator.core.schema import GROUPS, STATUS_LABELS_TH
from generator.core.model import Phase, Setup

PERIOD = Period(2022, 8)  # สิงหาคม 2565
MADE_ON = date(2022, 8, 31)
FIGURES = {"districts": 18, "villages": 1763, "groups": 395, "members": 64511, "savings_baht": 789002813,
           "borrowers": 28149, "loans_baht": 613971726, "officers": 67, "officers_with_group": 45,
           "villages_percent": "22.40", "officers_percent": "67.16"}
DISTRICTS = [
    ("5701", "เมืองเชียงราย"), ("5702", "เวียงชัย"), ("5703", "เชียงของ"), ("5704", "เทิง"), ("5705", "พาน"),
    ("5706", "ป่าแดด"), ("5707", "แม่จัน"), ("5708", "เชียงแสน"), ("5709", "แม่สาย"), ("5710", "แม่สรวย"),
    ("5711", "เวียงป่าเป้า"), ("5712", "พญาเม็งราย"), ("5713", "เวียงแก่น"), ("5714", "ขุนตาล"),
    ("5715", "แม่ฟ้าหลวง"), ("5716", "แม่ลาว"), ("5717", "เวียงเชียงรุ้ง"), ("5718", "ดอยหลวง"),
]
# Relative size of each district (villages, officers, groups follow it).
SIZE = [240, 110, 125, 165, 160, 45, 125, 75, 90, 95, 120, 70, 65, 55, 75, 60, 45, 43]
_PLACE = ["ป่าแดด", "ดอยงาม", "สันทราย", "ห้วยไคร้", "แม่ข้าวต้ม", "ทุ่งก่อ", "ป่าซาง", "โป่งผา", "ศรีดอนชัย",
          "ริมกก", "ท่าสาย", "บ้านดู่", "นางแล", "แม่ยาว", "ดอยฮาง", "ห้วยสัก", "ป่าอ้อ", "สันกลาง", "ม่วงยาย",
          "หล่ายงาว", "ครึ่ง", "ยางฮอม", "ต้นตาล", "ทรายขาว", "เจดีย์หลวง", "แม่เจดีย์", "บ้านโป่ง", "โชคชัย"]
_SUFFIX = ["", "เหนือ", "ใต้", "ใหม่", "พัฒนา", "สามัคคี", "ทอง", "หลวง", "น้อย"]
_LAST = ["ใจคำ", "อินต๊ะ", "ปัญญาวงค์", "คำมูล", "ศรีวิชัย", "ชัยมงคล", "สุริยะ", "กันทะวงค์", "จันทร์แก้ว",
         "ธรรมขันธ์", "มูลเมือง", "แสนใจ", "วงค์ษา", "ติ๊บปะละ"]


def chiang_rai_setup(seed: int = 2565) -> Setup:
    rng = random.Random(seed)
    codes = [c for c, _ in DISTRICTS]
    n_villages = split(FIGURES["villages"], SIZE)
    n_officers = [max(2, n) for n in split(FIGURES["officers"], SIZE)]
    while sum(n_officers) > FIGURES["officers"]:  # the minimum of two per district took some
        n_officers[n_officers.index(max(n_officers))] -= 1
    n_new = split(FIGURES["officers_with_group"], n_officers)
    n_old = split(FIGURES["groups"] - FIGURES["officers_with_group"], SIZE)
    villages, officers, taken = [], [], set()
    for code, nv, no, new, old in zip(codes, n_villages, n_officers, n_new, n_old):
        # Villages in order: those that had a group when the year began, then the กข.คจ. villages
        # without one (where this year's groups are founded), then the rest; shuffled into moo order.
        kinds = ["old"] * old + ["new"] * new + ["none"] * (nv - old - new)
        rng.shuffle(kinds)
        sub, moo = 0, 99
        for kind in kinds:
            if moo >= rng.randint(9, 15):
                sub, moo = sub + 1, 0
                sub_name = rng.choice(_PLACE)
            moo += 1
            is_kkkj = True if kind == "new" else rng.random() < 0.45
            villages.append({"village_code": f"{code}{sub:02d}{moo:02d}", "moo": moo,
                             "village_name": f"{rng.choice(_PLACE)}{rng.choice(_SUFFIX)}",
                             "subdistrict_name": sub_name, "district_code": code, "is_kkkj": is_kkkj,
                             "had_group": kind == "old", "_kind": kind})
        for _ in range(no):
            name = None
            while name is None or name in taken:  # names are how districts pick officers: unique
                name = officer_name(rng, _LAST)  # a title that matches the first name
            taken.add(name)
            officers.append({"officer_id": f"57{len(officers) + 1:03d}", "officer_name": name, "district_code": code})
    village_frame = pd.DataFrame(villages)
    targets = pd.DataFrame([{"district_code": c, "phase": 1, "target_groups": n} for c, n in zip(codes, n_officers)])
    return Setup(
        province_code="57", province_name="เชียงราย", fiscal_year_be=2565,
        districts=pd.DataFrame(DISTRICTS, columns=["district_code", "district_name"]),
        villages=village_frame.drop(columns="_kind"), officers=pd.DataFrame(officers),
        phases=(Phase(1, "ระยะที่ 1", date(2021, 10, 1), date(2022, 9, 30), 5, FIGURES["officers"]),),
        targets=targets,
    )


def chiang_rai_groups(setup: Setup, seed: int = 2565) -> dict[str, pd.DataFrame]:
    """Each district's groups: one in every village that had one, and this year's, one per officer
    who founded one; money and members split so that the province adds up to FIGURES exactly."""
    rng = random.Random(seed)
    v = setup.villages
    rows = []
    start = setup.phases[0].starts_on
    for code in setup.district_codes:
        here = v[v["district_code"] == code]
        officers = list(setup.officers.loc[setup.officers["district_code"] == code, "officer_name"])
        new_villages = here[here["is_kkkj"] & ~here["had_group"]]
        target = int(setup.targets.loc[setup.targets["district_code"] == code, "target_groups"].sum())
        n_new = split(FIGURES["officers_with_group"], list(setup.targets["target_groups"]))[
            setup.district_codes.index(code)]
        founders = rng.sample(officers, n_new)
        assert n_new <= target
        for village in here[here["had_group"]].itertuples():
            rows.append({"district_code": code, "village_code": village.village_code,
                         "village_name": village.village_name, "new": False, "officer": rng.choice(officers),
                         "founded_on": date(rng.randint(1982, 2020), rng.randint(1, 12), rng.randint(1, 28))})
        for village, officer in zip(new_villages.sample(n_new, random_state=rng.randint(0, 9999)).itertuples(),
                                    founders):
            rows.append({"district_code": code, "village_code": village.village_code,
                         "village_name": village.village_name, "new": True, "officer": officer,
                         "founded_on": start + timedelta(days=rng.randint(0, (PERIOD.last_day - start).days - 10))})
    frame = pd.DataFrame(rows)
    size = [rng.uniform(1, 3) * (0.3 if new else 1.0) for new in frame["new"]]
    frame["members"] = [m + 12 for m in split(FIGURES["members"] - 12 * len(frame), size)]
    frame["borrowers"] = split(FIGURES["borrowers"], list(frame["members"] - 1))
    wealth = [m * rng.uniform(0.5, 1.5) * (0.05 if new else 1.0) for m, new in zip(frame["members"], frame["new"])]
    frame["savings_baht"] = split(FIGURES["savings_baht"], wealth)
    frame["loans_baht"] = split(FIGURES["loans_baht"], [w * b for w, b in zip(frame["savings_baht"], frame["borrowers"])])
    assert (frame["borrowers"] <= frame["members"]).all()
    frame["group_name"] = "กลุ่มออมทรัพย์เพื่อการผลิตบ้าน" + frame["village_name"]
    frame["status"] = STATUS_LABELS_TH["active"]
    frame["remarks"] = None
    keys = [c.key for c in GROUPS.columns if c.key not in ("group_code", "village_name", "confirmed")]
    return {code: part[keys].reset_index(drop=True) for code, part in frame.groupby("district_code")}


def build(out_dir: Path, district_reports: tuple[str, ...] = ()):
    """The whole month through the tool: setup workbook, district workbooks, filled returns, run."""
    from generator.samples.demo import fill_workbook
    from generator.outputs.district_template import write_district_workbooks
    from generator.pipeline import run_month
    from generator.intake.setup_workbook import load_setup
    from generator.outputs.setup_template import write_setup_workbook

    out_dir = Path(out_dir)
    setup = load_setup(write_setup_workbook(out_dir / "setup_57_2565.xlsx", chiang_rai_setup()))
    templates = write_district_workbooks(setup, PERIOD, out_dir / "templates")
    groups = chiang_rai_groups(setup)
    due = setup.due_date(PERIOD)
    for path, code in zip(templates, setup.district_codes):
        filled = fill_workbook(path, groups[code], out_dir / "inbox" / path.name)
        stamp = datetime(due.year, due.month, due.day, 9, 0).timestamp()  # every district on time
        os.utime(filled, (stamp, stamp))
    return run_month(setup, PERIOD, out_dir / "inbox", out_dir / "out", MADE_ON, district_reports=district_reports)
