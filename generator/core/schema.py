"""The shape of every table the tool writes and reads.

One place says which columns a table has, what they hold and what their Thai headers are. The
template writers, the readers and docs/setup-workbook.md all come from here, so a column cannot be renamed in
one place and forgotten in another.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.core import texts

# Bumped when a district or setup workbook changes shape so that an older one can no longer be
# read. The reader accepts the versions in READABLE_TEMPLATE_VERSIONS.
TEMPLATE_VERSION = "1"
READABLE_TEMPLATE_VERSIONS = frozenset({"1"})

META_SHEET = "_meta"
LISTS_SHEET = "_lists"


@dataclass(frozen=True)
class Column:
    key: str
    header_th: str
    header_en: str
    # code | text | int | money | date | yesno | status | officer | lookup
    kind: str
    required: bool = False
    width: int = 14


@dataclass(frozen=True)
class Table:
    key: str
    sheet_th: str  # the sheet's title, which users see
    columns: tuple[Column, ...]

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


PROVINCE = Table("province", "จังหวัด", (
    Column("province_code", "รหัสจังหวัด (2 หลัก)", "Province code (2 digits)", "code", True, 18),
    Column("province_name", "ชื่อจังหวัด", "Province name", "text", True, 20),
    Column("fiscal_year_be", "ปีงบประมาณ (พ.ศ.)", "Fiscal year (BE)", "int", True, 18),
))

DISTRICTS = Table("districts", "อำเภอ", (
    Column("district_code", "รหัสอำเภอ (4 หลัก)", "District code (4 digits)", "code", True, 18),
    Column("district_name", "ชื่ออำเภอ", "District name", "text", True, 22),
))

VILLAGES = Table("villages", "หมู่บ้าน", (
    Column("village_code", "รหัสหมู่บ้าน (8 หลัก)", "Village code (8 digits)", "code", True, 20),
    Column("moo", "หมู่ที่", "Moo", "int", True, 8),
    Column("village_name", "ชื่อหมู่บ้าน", "Village name", "text", True, 22),
    Column("subdistrict_name", "ตำบล", "Subdistrict", "text", True, 18),
    Column("district_code", "รหัสอำเภอ", "District code", "code", True, 12),
    Column("is_kkkj", "เป็นหมู่บ้าน กข.คจ.", "Is a KKKJ village", "yesno", True, 16),
    Column("had_group", "มีกลุ่มออมทรัพย์ฯ อยู่แล้วเมื่อต้นปีงบประมาณ", "Had a group when the year began",
           "yesno", True, 22),
))

OFFICERS = Table("officers", "พัฒนากร", (
    Column("officer_id", "รหัสพัฒนากร", "Officer id", "code", True, 14),
    Column("officer_name", "ชื่อ-สกุล", "Name", "text", True, 28),
    Column("district_code", "รหัสอำเภอ", "District code", "code", True, 12),
))

PHASES = Table("phases", "ระยะ", (
    Column("phase", "ระยะที่", "Phase", "int", True, 8),
    Column("phase_name", "ชื่อระยะ", "Phase name", "text", True, 30),
    Column("starts_on", "วันเริ่ม", "First day", "date", True, 14),
    Column("ends_on", "วันสิ้นสุด", "Last day", "date", True, 14),
    Column("due_day", "ส่งรายงานทุกวันที่", "Report due day of month", "int", True, 12),
    Column("target_groups", "เป้าหมายจังหวัด (กลุ่ม)", "Province target (groups)", "int", True, 14),
))

TARGETS = Table("targets", "เป้าหมายอำเภอ", (
    Column("district_code", "รหัสอำเภอ", "District code", "code", True, 12),
    Column("phase", "ระยะที่", "Phase", "int", True, 8),
    Column("target_groups", "เป้าหมาย (กลุ่ม)", "Target (groups)", "int", True, 14),
))

SETUP_TABLES = (PROVINCE, DISTRICTS, VILLAGES, OFFICERS, PHASES, TARGETS)

# หมู่บ้านที่เปลี่ยนรหัส (issue 18): a village the store knows by an old code is, from this setup on,
# the village with the new code (re-coded, or its district re-coded). Optional: a setup without the
# sheet, or with the sheet empty, moves nothing.
VILLAGE_MOVES = Table("village_moves", "หมู่บ้านที่เปลี่ยนรหัส", (
    Column("old_village_code", "รหัสหมู่บ้านเดิม (8 หลัก)", "Old village code (8 digits)", "code", True, 20),
    Column("new_village_code", "รหัสหมู่บ้านใหม่ (8 หลัก)", "New village code (8 digits)", "code", True, 20),
    Column("reason", "เหตุที่เปลี่ยน", "Why it changed", "text", False, 30),
))
OPTIONAL_SETUP_TABLES = (VILLAGE_MOVES,)

CONFIRM_KEY = "confirmed"

# กลุ่มออมทรัพย์เพื่อการผลิต: one row per savings group of the district.
GROUPS = Table("groups", "กลุ่มออมทรัพย์", (
    Column("group_code", "รหัสกลุ่ม", "Group code", "code", False, 14),
    Column("village_code", "รหัสหมู่บ้าน", "Village code", "code", True, 14),
    Column("village_name", "ชื่อหมู่บ้าน (แสดงอัตโนมัติ)", "Village name (shown automatically)", "lookup", False, 22),
    Column("group_name", "ชื่อกลุ่ม", "Group name", "text", True, 30),
    Column("founded_on", "วันที่จัดตั้ง", "Date founded", "date", True, 14),
    Column("members", "จำนวนสมาชิก (คน)", "Members", "int", True, 12),
    Column("savings_baht", "เงินสัจจะสะสม (บาท)", "Accumulated savings (baht)", "money", True, 16),
    Column("borrowers", "สมาชิกกู้ยืม (คน)", "Members with loans", "int", True, 12),
    Column("loans_baht", "จำนวนเงินกู้ (บาท)", "Amount lent (baht)", "money", True, 16),
    Column("officer", "พัฒนากรผู้รับผิดชอบ", "Responsible officer", "officer", True, 24),
    Column("status", "สถานะ", "Status", "status", True, 14),
    Column("remarks", "หมายเหตุ", "Remarks", "text", False, 28),
    # ยืนยันข้อมูลถูกต้อง: ใช่ accepts a value that a needs-confirmation rule flags on this row.
    # Last and optional, so a workbook made before it existed reads exactly as before.
    Column(CONFIRM_KEY, "ยืนยันข้อมูลถูกต้อง", "Confirmed correct", "yesno", False, 14),
))

# สถานะกลุ่ม: what the dropdown offers, and the words also understood when typed.
STATUS_ACTIVE = "active"
STATUS_DISSOLVED = "dissolved"
STATUS_LABELS_TH = {key: texts.text("group_status." + key) for key in (STATUS_ACTIVE, STATUS_DISSOLVED)}
STATUS_WORDS = {
    "ดำเนินการอยู่": STATUS_ACTIVE, "ดำเนินการ": STATUS_ACTIVE, "active": STATUS_ACTIVE,
    "ยุบเลิก": STATUS_DISSOLVED, "ยุบ": STATUS_DISSOLVED, "เลิก": STATUS_DISSOLVED,
    "dissolved": STATUS_DISSOLVED,
}


def meta_column_key(table: Table, column: Column) -> str:
    return f"column:{table.key}.{column.key}"
