"""The catalogue of validation rules, as data.

Every problem the tool can report is a row here: an id, a severity, where it applies, the message
and the fix in Thai and English, and, for rules over the rows of a district's groups, a vectorised
check. Messages are `str.format` templates filled from the offending row and the context.

Scopes: ``file`` (the workbook as a whole), ``cell`` (a value that cannot be read as its column
needs), ``row`` (a check over the parsed groups of one district), ``history`` (a district's groups
against its last accepted month), ``province`` (a group against all the groups of the province
this month), ``setup`` (the province setup), ``inbox`` (an entry of the inbox that is not read:
a folder, a link, the program's own output).

Severities (generator.core.problems): *error* rejects the file; *warning* is shown; *needs
confirmation* rejects the file until the district types ใช่ in the row's confirm column, and is
then shown as confirmed; *note* says that a check could not be made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from string import Formatter

from generator.core.lazy import LazyModule
from generator.core.problems import CONFIRMED, ERROR, NEEDS_CONFIRMATION, NOTE, WARNING, Problem
from generator.core.values import name_key

pd = LazyModule("pandas", globals(), "pd")  # imported at first use (see generator.core.lazy)

# Amount lent above this multiple of the accumulated savings is unusual: a group lends its
# members' savings plus what it has earned on them, so lending twice its savings means outside
# money (which the remarks should name) or, far more often, a typo: a digit too many, or the
# savings and loans columns swapped.
LOANS_TO_SAVINGS_FACTOR = 2
# Founding dates before this year are impossible: the Community Development Department began
# promoting savings groups for production in 1974 (พ.ศ. 2517).
FIRST_FOUNDING_YEAR = 1974
# A modified z-score (Iglewicz and Hoaglin, 1993) above this marks an outlier: here the evidence
# for one typo, added up over the per-member figures it moves (generator.checks.validation).
OUTLIER_Z = 3.5
OUTLIER_OWN_Z = 2.0  # a member count is only suspected when the count itself is also far out
# Loans above the savings and this far out among the groups' loans-to-savings ratios: swapped columns.
OUTLIER_SWAP_Z = 1.5
OUTLIER_MIN_GROUPS = 10  # below this many peer groups in the province the test says nothing
# How to save a workbook as .xlsx in the three programs districts use.
SAVE_AS_XLSX = ('โปรดเปิดไฟล์แล้วบันทึกเป็นชนิด .xlsx แล้วส่งใหม่: ใน Excel เลือก ไฟล์ > บันทึกเป็น > ชนิดไฟล์ “Excel Workbook (*.xlsx)”; ใน LibreOffice Calc เลือก ไฟล์ > บันทึกเป็น > ชนิดไฟล์ “Excel 2007-365 (.xlsx)” แล้วกด “ใช้รูปแบบ Excel 2007-365!”; ใน WPS Office เลือก ไฟล์ > บันทึกเป็น > “Excel Workbook (*.xlsx)”',
                "Open the file and save it as .xlsx, then send it again: in Excel, File > Save As > type 'Excel Workbook (*.xlsx)'; in LibreOffice Calc, File > Save As > type 'Excel 2007-365 (.xlsx)', then 'Use Excel 2007-365!'; in WPS Office, File > Save As > 'Excel Workbook (*.xlsx)'.")
CONFIRMED_FIX = ("ยืนยันแล้วในคอลัมน์ “ยืนยันข้อมูลถูกต้อง” ไม่ต้องแก้ไข",
                 "Confirmed in the 'Confirmed correct' column; nothing to do.")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    scope: str
    message_th: str
    message_en: str
    fix_th: str
    fix_en: str
    # For row rules: the column whose cell is marked, the columns the check reads (rows where any
    # of them is empty or unreadable are skipped, so a missing value is reported once, by
    # VALUE_REQUIRED, and not again by every rule that reads it), and the check itself.
    column: str | None = None
    inputs: tuple[str, ...] = ()
    check: Callable[[pd.DataFrame, "RowContext"], pd.Series] | None = field(default=None, repr=False)

    def problem(self, *, file: str, sheet: str | None = None, cell: str | None = None,
                value: object = None, district_code: str | None = None, confirmed: bool = False,
                province_code: str | None = None, province_name: str | None = None, **params) -> Problem:
        """A problem of this rule. A parameter ``x_en`` stands in for ``x`` in the English text.

        ``confirmed``: for a needs-confirmation rule, the district typed ใช่ in the row's confirm
        column, so the problem is shown as confirmed and does not reject the file."""
        params.setdefault("value", "" if value is None else value)
        th, en = bilingual(params)
        severity, fix_th, fix_en = self.severity, _fill(self.fix_th, th), _fill(self.fix_en, en)
        if confirmed and self.severity == NEEDS_CONFIRMATION:
            severity, (fix_th, fix_en) = CONFIRMED, CONFIRMED_FIX
        return Problem(
            rule_id=self.id, severity=severity, file=file, sheet=sheet, cell=cell,
            value=None if value is None else str(value),
            message_th=_fill(self.message_th, th), message_en=_fill(self.message_en, en),
            fix_th=fix_th, fix_en=fix_en, district_code=district_code, province_code=province_code,
            province_name=province_name,
        )


def bilingual(params: dict) -> tuple[dict, dict]:
    """Thai and English parameters of a message: ``x_en`` stands in for ``x`` in the English text."""
    th = {k: v for k, v in params.items() if not k.endswith("_en")}
    return th, {**th, **{k[:-3]: v for k, v in params.items() if k.endswith("_en")}}


class _Blank(dict):
    def __missing__(self, key):
        return "…"


def _fill(template: str, params: dict) -> str:
    # Only named fields are filled; free text such as a group name never becomes a template.
    if not any(name for _, name, _, _ in Formatter().parse(template)):
        return template
    return template.format_map(_Blank(params))


@dataclass(frozen=True)
class RowContext:
    """What the row checks need to know beyond the rows themselves."""

    district_code: str
    district_villages: frozenset[str]
    kkkj_villages: frozenset[str]
    villages_without_group: frozenset[str]  # กข.คจ. villages with no group when the year began
    fiscal_start: pd.Timestamp
    fiscal_end: pd.Timestamp
    period_end: pd.Timestamp
    phases: tuple[tuple[pd.Timestamp, pd.Timestamp], ...] = ()  # first and last day of each phase


FOUNDED_AS_TIME = "_founded_time"  # founded_on as datetimes, made once per file by the validation


def _founded(g: pd.DataFrame) -> pd.Series:
    """The founding dates as datetimes: the column the validation made once for the whole file
    when there is one (six rules compare them), else converted here."""
    return g[FOUNDED_AS_TIME] if FOUNDED_AS_TIME in g.columns else pd.to_datetime(g["founded_on"])


def _founded_this_year(g: pd.DataFrame, ctx: RowContext) -> pd.Series:
    founded = _founded(g)
    return (founded >= ctx.fiscal_start) & (founded <= ctx.fiscal_end)


def _claimed_new_outside_every_phase(g: pd.DataFrame, ctx: RowContext) -> pd.Series:
    """A group in a กข.คจ. village that had none, founded this fiscal year but in no phase."""
    if not ctx.phases:
        return pd.Series(False, index=g.index)
    founded = _founded(g)
    inside = pd.Series(False, index=g.index)
    for first, last in ctx.phases:
        inside |= (founded >= first) & (founded <= last)
    return g["village_code"].isin(ctx.villages_without_group) & _founded_this_year(g, ctx) & ~inside


def _same_name_in_village(g: pd.DataFrame, ctx: RowContext) -> pd.Series:
    # A dissolved group's row stays in the table, and a new group may take its old name.
    live = g[g["status"].ne("dissolved")]
    keys = pd.DataFrame({"village": live["village_code"], "name": live["group_name"].map(name_key)})
    return keys.duplicated(keep="first").reindex(g.index, fill_value=False)


def _live(g: pd.DataFrame) -> pd.Series:
    return g["status"].ne("dissolved")


def _as_numbers(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column, errors="coerce")


def _second_new_group_in_village(g: pd.DataFrame, ctx: RowContext) -> pd.Series:
    new = _founded_this_year(g, ctx)
    return new & g[new].duplicated("village_code", keep="first").reindex(g.index, fill_value=False)


def _village_without_group_but_old_date(g: pd.DataFrame, ctx: RowContext) -> pd.Series:
    # A dissolved group founded earlier is no contradiction: it is why the village starts the
    # year without one, and its row is carried into the new year's templates (issue 18).
    founded = _founded(g)
    return g["village_code"].isin(ctx.villages_without_group) & (founded < ctx.fiscal_start) & _live(g)


R = Rule
CATALOGUE: tuple[Rule, ...] = (
    # --- the file as a whole -------------------------------------------------------------------
    R("F_EMPTY", ERROR, "file", "ไฟล์ว่างเปล่า (0 ไบต์)", "The file is empty (0 bytes).",
      "โปรดส่งไฟล์แบบรายงานที่กรอกแล้วมาใหม่", "Send the filled workbook again."),
    R("F_NOT_XLSX", ERROR, "file", "ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx) หรือไฟล์ตารางคำนวณอื่นที่อ่านได้ (.ods, .xls)",
      "This file is not an Excel workbook (.xlsx) or another spreadsheet that can be read (.ods, .xls).",
      "โปรดใช้แบบรายงานที่จังหวัดส่งให้ " + SAVE_AS_XLSX[0], "Use the workbook the province sent. " + SAVE_AS_XLSX[1]),
    R("F_OLD_XLS", ERROR, "file", "ไฟล์เป็น Excel รุ่นเก่ามาก (ก่อน Excel 97) ซึ่งอ่านไม่ได้",
      "The file is a very old Excel workbook (before Excel 97), which cannot be read.", *SAVE_AS_XLSX),
    R("F_SAVE_AS_XLSX", ERROR, "file", "ไฟล์บันทึกเป็นชนิด {format} ซึ่งโปรแกรมอ่านไม่ได้",
      "The file was saved as {format}, which cannot be read.", *SAVE_AS_XLSX),
    R("F_ENCRYPTED", ERROR, "file", "ไฟล์ถูกตั้งรหัสผ่านไว้ จึงเปิดอ่านไม่ได้",
      "The workbook is protected with a password and cannot be opened.",
      "ยกเลิกรหัสผ่านการเปิดไฟล์ (ไฟล์ > ข้อมูล > ป้องกันเวิร์กบุ๊ก) แล้วส่งใหม่",
      "Remove the opening password (File > Info > Protect Workbook) and send it again."),
    R("F_CORRUPT", ERROR, "file", "ไฟล์เสียหรือไม่ครบ เปิดอ่านไม่ได้ ({detail})",
      "The file is damaged or incomplete and cannot be read ({detail}).",
      "โปรดเปิดไฟล์ใน Excel ให้ได้ก่อน บันทึกใหม่ แล้วส่งอีกครั้ง",
      "Make sure it opens in Excel, save it again and resend it."),
    R("F_VANISHED", ERROR, "file", "ไฟล์หายไปจากโฟลเดอร์ระหว่างที่กำลังอ่าน (ถูกย้าย ลบ หรือเปลี่ยนชื่อ)",
      "The file disappeared from the folder while it was being read (moved, deleted or renamed).",
      "โปรดตรวจว่าไฟล์อยู่ในโฟลเดอร์ครบแล้ว แล้วประมวลผลเดือนนี้ใหม่",
      "Check that the file is in the folder, then run the month again."),
    R("F_CHANGING", ERROR, "file", "ไฟล์ถูกเขียนทับหรือยังดาวน์โหลดไม่เสร็จระหว่างที่กำลังอ่าน จึงไม่ได้อ่าน",
      "The file kept changing while it was being read (still downloading or being saved), so it was not read.",
      "รอให้ดาวน์โหลดหรือบันทึกไฟล์เสร็จ แล้วประมวลผลเดือนนี้ใหม่",
      "Wait until the file is fully downloaded or saved, then run the month again."),
    R("F_UNREADABLE", ERROR, "file", "เปิดอ่านไฟล์ไม่ได้ ({detail})", "The file cannot be opened for reading ({detail}).",
      "ปิดโปรแกรมที่เปิดไฟล์นี้อยู่ และตรวจสิทธิ์การอ่านไฟล์ แล้วประมวลผลเดือนนี้ใหม่",
      "Close any program holding the file and check it may be read, then run the month again."),
    R("F_XML_ENCODING", ERROR, "file",
      "ส่วน {part} ของไฟล์เขียนด้วยรหัสอักขระ {encoding} ไม่ใช่รหัสอักขระมาตรฐานที่ Excel ใช้ จึงอ่านไม่ได้",
      "Part {part} of the file is written in the {encoding} character encoding, not the UTF-8 Excel writes, "
      "so it is not read.",
      "โปรดเปิดไฟล์ใน Excel หรือ LibreOffice แล้วบันทึกเป็น Excel Workbook (.xlsx) ใหม่ แล้วส่งอีกครั้ง",
      "Open it in Excel or LibreOffice, save it as an Excel Workbook (.xlsx) and send it again."),
    R("F_TOO_LARGE", ERROR, "file", "ไฟล์ใหญ่เกินกว่าที่แบบรายงานจะเป็นได้ ({detail})",
      "The file is far larger than a report can be ({detail}).",
      "โปรดส่งเฉพาะแบบรายงานของอำเภอ ลบชีตหรือแถวที่ไม่เกี่ยวข้องออก",
      "Send only the district's report, without unrelated sheets or rows."),
    R("F_MACROS", WARNING, "file", "ไฟล์มีแมโคร (VBA หรือชีตแมโคร Excel 4.0) ซึ่งจังหวัดไม่เปิดใช้",
      "The file contains macros (VBA or Excel 4.0 macro sheets); they were not run.",
      "โปรดบันทึกเป็น Excel Workbook (.xlsx) ที่ไม่มีแมโคร", "Save it as a macro-free Excel Workbook (.xlsx)."),
    R("F_NOT_OURS", ERROR, "file", "ไม่ใช่แบบรายงานที่จังหวัดส่งให้ (ไม่พบชีตข้อมูลที่ซ่อนไว้ของแบบรายงาน)",
      "This is not a workbook made by this tool (no _meta sheet).",
      "โปรดกรอกข้อมูลลงในแบบรายงานที่จังหวัดส่งให้ ห้ามคัดลอกไปไฟล์ใหม่",
      "Fill in the workbook the province sent rather than copying into a new file."),
    R("F_TEMPLATE_VERSION", ERROR, "file", "แบบรายงานรุ่น {value} เป็นรุ่นที่โปรแกรมไม่อ่านแล้ว",
      "Template version {value} is no longer read by this tool.",
      "โปรดขอแบบรายงานเดือนนี้ฉบับใหม่จากจังหวัด แล้วกรอกใหม่", "Ask the province for this month's workbook and fill it in."),
    R("F_OTHER_PROVINCE", ERROR, "file", "เป็นแบบรายงานของจังหวัดรหัส {value} ไม่ใช่ของจังหวัด{province}",
      "The workbook belongs to province {value}, not {province}.",
      "โปรดใช้แบบรายงานที่จังหวัด{province}ส่งให้", "Use the workbook sent by {province}."),
    R("F_UNKNOWN_DISTRICT", ERROR, "file", "รหัสอำเภอ {value} ไม่มีในข้อมูลตั้งต้นของจังหวัด",
      "District code {value} is not in the province setup.",
      "โปรดใช้แบบรายงานที่จังหวัดส่งให้อำเภอของท่าน", "Use the workbook the province sent for your district."),
    R("F_OTHER_PERIOD", ERROR, "file", "เป็นแบบรายงานประจำเดือน{found} ไม่ใช่เดือน{expected}",
      "The workbook is for {found}, not {expected}.",
      "โปรดกรอกข้อมูลลงในแบบรายงานประจำเดือน{expected}", "Fill in the workbook for {expected}."),
    R("F_OUTSIDE_YEAR", ERROR, "file",
      "เป็นแบบรายงานประจำเดือน{found} ซึ่งอยู่นอกปีงบประมาณ พ.ศ. {year} ของไฟล์ข้อมูลตั้งต้น ({start} ถึง {end})",
      "The workbook is for {found}, outside fiscal year {year} BE of the setup ({start} to {end}).",
      "โปรดใช้แบบรายงานของเดือนในปีงบประมาณนี้ หรือตรวจด้วยไฟล์ข้อมูลตั้งต้นของปีงบประมาณของเดือนนั้น",
      "Use a workbook of a month in this fiscal year, or check it against the setup of that month's year."),
    R("F_NO_TABLE", ERROR, "file", "ไม่พบชีตหรือหัวตาราง “{value}”", "Sheet or table header '{value}' not found.",
      "ห้ามลบหรือเปลี่ยนชื่อชีตและหัวตารางของแบบรายงาน", "Do not delete or rename the report's sheets or headers."),
    R("F_MISSING_COLUMN", ERROR, "file", "ไม่พบคอลัมน์ “{value}” ในตาราง", "Column '{value}' is missing from the table.",
      "โปรดกรอกคอลัมน์ “{value}” กลับคืน หรือใช้แบบรายงานฉบับใหม่", "Put column '{value}' back, or use a fresh workbook."),
    # --- what the inbox holds besides files to read: each said, never passed over (issue 16) ----
    R("F_OWN_OUTPUT", NOTE, "inbox", "เป็นผลลัพธ์ที่โปรแกรมเขียนไว้เอง (รายงาน ไฟล์ผลการตรวจ หรือสำเนาที่เก็บไว้) จึงไม่ได้อ่านเป็นแบบรายงานของอำเภอ",
      "This is the program's own output (a report, feedback or archived copies), so it is not read as a district's return.",
      "ไม่ต้องทำอะไร หากต้องการแยกให้ชัด โปรดเก็บผลลัพธ์ไว้นอกโฟลเดอร์ไฟล์ที่อำเภอส่งกลับ",
      "Nothing to do; to keep them apart, write the outputs outside the inbox folder."),
    R("F_FOLDER_LINK", ERROR, "inbox", "เป็นทางลัด (ลิงก์) ไปยังโฟลเดอร์อื่น จึงไม่ได้เปิดอ่านไฟล์ในนั้น",
      "This is a shortcut (link) to another folder, so the files in it were not read.",
      "หากในนั้นมีแบบรายงานของเดือนนี้ โปรดคัดลอกไฟล์มาไว้ในโฟลเดอร์ไฟล์ที่อำเภอส่งกลับ แล้วประมวลผลเดือนนี้ใหม่",
      "If it holds this month's returns, copy the files themselves into the inbox and run the month again."),
    R("F_FOLDER_TOO_DEEP", ERROR, "inbox", "เป็นโฟลเดอร์ที่ซ้อนลึกเกิน {n} ชั้นจากโฟลเดอร์ไฟล์ที่อำเภอส่งกลับ จึงไม่ได้อ่านไฟล์ในนั้น",
      "This folder is nested more than {n} levels below the inbox, so the files in it were not read.",
      "โปรดย้ายไฟล์ขึ้นมาไว้ในโฟลเดอร์ของอำเภอ (ไม่เกิน {n} ชั้น) แล้วประมวลผลเดือนนี้ใหม่",
      "Move the files up into a district's folder (at most {n} levels down) and run the month again."),
    R("F_FOLDER_UNREADABLE", ERROR, "inbox", "เปิดโฟลเดอร์นี้ไม่ได้ ({detail}) จึงไม่ได้อ่านไฟล์ในนั้น",
      "This folder cannot be opened ({detail}), so the files in it were not read.",
      "โปรดตรวจสิทธิ์การเปิดโฟลเดอร์ หรือคัดลอกไฟล์ออกมาไว้ในโฟลเดอร์ไฟล์ที่อำเภอส่งกลับ แล้วประมวลผลเดือนนี้ใหม่",
      "Check that the folder may be opened, or copy its files into the inbox, then run the month again."),
    R("F_NOT_A_FILE", ERROR, "inbox", "รายการนี้ไม่ใช่ไฟล์ (เช่น ทางลัดที่ชี้ไปยังไฟล์ที่ไม่มีอยู่แล้ว) จึงไม่ได้อ่าน",
      "This entry is not a file (for example a shortcut to a file that no longer exists), so it was not read.",
      "หากเป็นแบบรายงานของอำเภอ โปรดคัดลอกไฟล์จริงมาไว้ในโฟลเดอร์ไฟล์ที่อำเภอส่งกลับ แล้วประมวลผลเดือนนี้ใหม่",
      "If it is a district's return, copy the file itself into the inbox and run the month again."),
    # A district's files of one month: the latest accepted counts, the latest is its current one.
    R("F_DUPLICATE_DISTRICT", NOTE, "file",
      "ไฟล์ {replaced} ไม่ได้นำมาใช้ เพราะอำเภอ{district}ส่งไฟล์ {value} ที่ผ่านการตรวจสอบซึ่งได้รับภายหลังมาแล้ว",
      "File {replaced} was not used: {district} sent {value}, received later and accepted.",
      "ไม่ต้องส่งไฟล์ใหม่", "Nothing needs sending."),
    R("F_REPLACED_BY_NEWER", NOTE, "file",
      "ไฟล์ {replaced} ไม่ได้นำมาใช้ เพราะอำเภอ{district}ส่งไฟล์ {value} ซึ่งได้รับภายหลังมาแทนแล้ว",
      "File {replaced} was not used: {district} sent {value} later in its place.",
      "ไม่ต้องแก้ไขไฟล์ {replaced} โปรดดูผลการตรวจของไฟล์ {value}",
      "Nothing to do on {replaced}; see the results for {value}."),
    R("F_EARLIER_FILE_USED", NOTE, "file",
      "ไฟล์นี้ไม่ผ่านการตรวจสอบ รายงานเดือนนี้จึงยังใช้ไฟล์ {value} ที่ผ่านการตรวจสอบซึ่งได้รับก่อนหน้า",
      "This file did not pass the checks, so the month's report still uses {value}, received earlier and accepted.",
      "หากต้องแก้ไขข้อมูลของไฟล์ {value} โปรดแก้ไขไฟล์นี้ตามรายการแล้วส่งกลับ",
      "If the figures of {value} need correcting, fix this file as listed and send it back."),
    # --- hostile content (issue 7): reported, never followed ---------------------------------
    R("F_EXTERNAL_LINKS", WARNING, "file",
      "ไฟล์มีลิงก์ไปยังไฟล์หรือแหล่งข้อมูลภายนอก ซึ่งไม่ได้ถูกเปิดหรือปรับปรุง และไม่ได้ส่งต่อในไฟล์ผลการตรวจ",
      "The file links to outside files or data sources; they were not opened or updated, and are not passed on.",
      "ตัดลิงก์ภายนอก (ข้อมูล > แก้ไขลิงก์ > ตัดลิงก์) แล้วบันทึกใหม่ พิมพ์ตัวเลขลงในแบบรายงานโดยตรง",
      "Break the links (Data > Edit Links > Break Link) and save again; type the figures into the workbook itself."),
    # --- a value that cannot be read as its column needs --------------------------------------
    R("VALUE_REQUIRED", ERROR, "cell", "ยังไม่ได้กรอก “{column}”", "'{column}' is empty.",
      "โปรดกรอก “{column}” ของกลุ่มนี้", "Fill in '{column}' for this group."),
    R("VALUE_NOT_NUMBER", ERROR, "cell", "“{column}” ต้องเป็นตัวเลข", "'{column}' must be a number.",
      "โปรดพิมพ์เป็นตัวเลขเท่านั้น เช่น 1250", "Type digits only, for example 1250."),
    R("VALUE_NEGATIVE", ERROR, "cell", "“{column}” ติดลบไม่ได้", "'{column}' cannot be negative.",
      "โปรดกรอกจำนวนตั้งแต่ 0 ขึ้นไป", "Enter zero or more."),
    R("VALUE_NOT_WHOLE", ERROR, "cell", "“{column}” ต้องเป็นจำนวนเต็ม", "'{column}' must be a whole number.",
      "โปรดกรอกจำนวนเต็ม ไม่มีทศนิยม", "Enter a whole number without decimals."),
    R("VALUE_PERCENT", ERROR, "cell", "“{column}” ต้องเป็นจำนวน ไม่ใช่ร้อยละ", "'{column}' must be a count, not a percentage.",
      "โปรดกรอกจำนวนจริง (คนหรือบาท) แทนร้อยละ", "Enter the actual number (people or baht) instead of a percentage."),
    R("VALUE_NOT_DATE", ERROR, "cell", "“{column}” อ่านเป็นวันที่ไม่ได้", "'{column}' is not a date that can be read.",
      "โปรดพิมพ์วันที่แบบ วัน/เดือน/ปี พ.ศ. เช่น 15/3/2566", "Type the date as day/month/year, e.g. 15/3/2566."),
    R("VALUE_NOT_CODE", ERROR, "cell", "“{column}” ต้องเป็นรหัสตัวเลข", "'{column}' must be a numeric code.",
      "โปรดเลือกรหัสจากรายการ", "Pick the code from the list."),
    R("VALUE_NOT_YESNO", ERROR, "cell", "“{column}” ต้องเป็น ใช่ หรือ ไม่ใช่", "'{column}' must be yes or no.",
      "โปรดพิมพ์ ใช่/ไม่ใช่ (หรือ มี/ไม่มี, 1/0)", "Type yes/no (or 1/0)."),
    R("VALUE_NOT_CHOICE", ERROR, "cell", "“{column}” ต้องเลือกจากรายการ", "'{column}' must be one of the listed values.",
      "โปรดเลือกจากรายการ: {choices}", "Pick one of: {choices}."),
    R("VALUE_ERROR_CELL", ERROR, "cell", "“{column}” มีค่าผิดพลาด {value} (ผลของสูตรที่คำนวณไม่ได้) ไม่ใช่ช่องว่าง",
      "'{column}' holds the error value {value} (a formula that cannot be calculated), not an empty cell.",
      "โปรดแก้สูตรในเซลล์นี้ หรือลบสูตรแล้วพิมพ์ค่าลงไปแทน", "Correct the formula in this cell, or type the value instead."),
    R("VALUE_FORMULA_NO_VALUE", ERROR, "cell",
      "“{column}” เป็นสูตรที่ไม่มีค่าที่คำนวณไว้ (ไฟล์ถูกบันทึกด้วยโปรแกรมที่ไม่คำนวณสูตร) จึงไม่รู้ว่าเป็นค่าใด",
      "'{column}' holds a formula saved without its value (by a program that does not calculate), so its value "
      "is unknown.",
      "โปรดเปิดไฟล์ใน Excel หรือ LibreOffice แล้วบันทึกใหม่ หรือพิมพ์ค่าลงไปแทนสูตร",
      "Open the file in Excel or LibreOffice and save it again, or type the value instead of the formula."),
    # The fix depends on why the value had to be interpreted (parsing.interpreted_advice).
    R("VALUE_FORMULA_STALE", WARNING, "cell",
      "“{column}” เป็นสูตร {formula} ซึ่งคำนวณได้ {worked} แต่ค่าที่บันทึกไว้ในไฟล์คือ {value} จึงใช้ค่า {worked} ตามสูตร",
      "'{column}' holds the formula {formula}, which gives {worked}, but the value saved in the file is {value}; "
      "{worked}, as the formula gives, was used.",
      "โปรดตรวจสอบค่าในเซลล์นี้ หากไม่ถูกต้องโปรดแก้ไข แล้วเปิดไฟล์ใน Excel หรือ LibreOffice บันทึกใหม่ (หรือพิมพ์ค่าลงไปแทนสูตร) แล้วส่งกลับ",
      "Check the value in this cell and correct it if it is wrong, then open the file in Excel or LibreOffice and "
      "save it again (or type the value instead of the formula) and send it back."),
    R("VALUE_INTERPRETED", WARNING, "cell", "“{column}” {how}", "'{column}' {how}", "{advice}", "{advice}"),
    # --- checks over a district's groups --------------------------------------------------------
    R("G_VILLAGE_NOT_IN_DISTRICT", ERROR, "row", "หมู่บ้านรหัส {village_code} ไม่อยู่ในอำเภอนี้",
      "Village {village_code} is not in this district.",
      "โปรดเลือกรหัสหมู่บ้านจากรายการในช่องนี้ (กดลูกศรท้ายช่อง)", "Pick the village code from the cell's dropdown list.",
      column="village_code", inputs=("village_code",),
      check=lambda g, ctx: ~g["village_code"].isin(ctx.district_villages)),
    R("G_BORROWERS_GT_MEMBERS", ERROR, "row", "สมาชิกกู้ยืม ({borrowers} คน) มากกว่าจำนวนสมาชิก ({members} คน)",
      "Members with loans ({borrowers}) exceed members ({members}).",
      "โปรดตรวจสอบจำนวนสมาชิกและสมาชิกกู้ยืมของกลุ่มนี้", "Check the members and borrowers of this group.",
      column="borrowers", inputs=("borrowers", "members"),
      check=lambda g, ctx: g["borrowers"] > g["members"]),
    R("G_FOUNDED_AFTER_PERIOD", ERROR, "row", "วันที่จัดตั้ง {founded_on} อยู่หลังเดือนที่รายงาน",
      "Founding date {founded_on} is after the month reported.",
      "โปรดตรวจสอบวันที่จัดตั้ง (ปี พ.ศ. หรือ ค.ศ.)", "Check the founding date (BE or CE year).",
      column="founded_on", inputs=("founded_on",),
      check=lambda g, ctx: _founded(g) > ctx.period_end),
    R("G_FOUNDED_BEFORE_1974", ERROR, "row",
      "วันที่จัดตั้ง {founded_on} อยู่ก่อนปี พ.ศ. 2517 ซึ่งเป็นปีที่เริ่มส่งเสริมกลุ่มออมทรัพย์เพื่อการผลิต",
      "Founding date {founded_on} is before 1974, when savings groups for production began to be promoted.",
      "โปรดตรวจสอบปีที่จัดตั้ง: พิมพ์ปี พ.ศ. เต็ม 4 หลัก เช่น 15/3/2566",
      "Check the year: type the full four-digit BE year, e.g. 15/3/2566.",
      column="founded_on", inputs=("founded_on",),
      check=lambda g, ctx: _founded(g) < pd.Timestamp(FIRST_FOUNDING_YEAR, 1, 1)),
    R("G_FOUNDED_OUTSIDE_YEAR", ERROR, "row",
      "วันที่จัดตั้ง {founded_on} อยู่นอกปีงบประมาณ แต่หมู่บ้านนี้ยังไม่มีกลุ่มเมื่อต้นปี",
      "Founding date {founded_on} is outside the fiscal year, but this village had no group when the year began.",
      "กลุ่มใหม่ต้องจัดตั้งระหว่าง {fiscal_start} ถึง {fiscal_end}: ตรวจวันที่",
      "A new group must be founded between {fiscal_start} and {fiscal_end}: check the date.",
      column="founded_on", inputs=("founded_on", "village_code"),
      check=_village_without_group_but_old_date),
    R("G_FOUNDED_OUTSIDE_PHASE", WARNING, "row",
      "วันที่จัดตั้ง {founded_on} ไม่อยู่ในช่วงระยะใดของโครงการ ({phases}) กลุ่มใหม่นี้จึงยังไม่นับรวมในเป้าหมาย",
      "Founding date {founded_on} is in no phase of the campaign ({phases}), so this new group does not "
      "count toward the target.",
      "โปรดตรวจสอบวันที่จัดตั้ง หากถูกต้องไม่ต้องแก้ไข กลุ่มยังนับรวมในจำนวนกลุ่ม สมาชิก และเงินสัจจะของอำเภอ",
      "Check the founding date; if it is right, nothing to do: the group still counts in the district's "
      "groups, members and savings.",
      column="founded_on", inputs=("founded_on", "village_code"),
      check=_claimed_new_outside_every_phase),
    R("G_SECOND_NEW_GROUP_IN_VILLAGE", ERROR, "row",
      "หมู่บ้าน {village_code} มีกลุ่มจัดตั้งใหม่ในปีนี้มากกว่าหนึ่งกลุ่ม",
      "Village {village_code} founded more than one group this year.",
      "หนึ่งหมู่บ้านนับได้หนึ่งกลุ่มในโครงการ: ตรวจสอบว่ากรอกซ้ำหรือรหัสหมู่บ้านผิด",
      "The campaign counts one group per village: check for a repeated row or a wrong village code.",
      column="village_code", inputs=("village_code", "founded_on"),
      check=_second_new_group_in_village),
    R("G_DUPLICATE_GROUP_CODE", ERROR, "row", "รหัสกลุ่ม {group_code} ซ้ำกับแถวอื่น",
      "Group code {group_code} appears on more than one row.",
      "แต่ละกลุ่มต้องมีรหัสไม่ซ้ำกัน: ลบแถวที่ซ้ำ", "Each group has its own code: remove the repeated row.",
      column="group_code", inputs=("group_code",),
      check=lambda g, ctx: g["group_code"].duplicated(keep="first")),
    R("G_DUPLICATE_GROUP_NAME", ERROR, "row", "ชื่อกลุ่ม “{group_name}” ซ้ำกับกลุ่มอื่นในหมู่บ้าน {village_code}",
      "Group name '{group_name}' appears twice in village {village_code}.",
      "หากเป็นกลุ่มเดียวกัน ให้ลบแถวที่ซ้ำ หากเป็นคนละกลุ่ม ให้ตั้งชื่อให้ต่างกัน เช่น เติม “กลุ่มที่ 2”",
      "If it is the same group, delete the repeated row; if not, make the names differ, e.g. add 'group 2'.",
      column="group_name", inputs=("group_name", "village_code"),
      check=_same_name_in_village),
    R("G_NEW_GROUP_NOT_KKKJ", WARNING, "row",
      "หมู่บ้าน {village_code} ไม่ใช่หมู่บ้าน กข.คจ. กลุ่มใหม่นี้จึงไม่นับในเป้าหมาย 1 หมู่บ้าน กข.คจ. 1 กลุ่ม "
      "แต่นับรวมในจำนวนกลุ่ม สมาชิก เงินสัจจะ และโครงการ 1 พัฒนากร 1 กลุ่ม",
      "Village {village_code} is not a KKKJ village, so this new group does not count toward the "
      "'1 KKKJ village, 1 group' target; it is counted in the groups, members, savings and the "
      "'1 officer, 1 group' campaign.",
      "โปรดตรวจสอบรหัสหมู่บ้าน หากถูกต้องไม่ต้องแก้ไข", "Check the village code; if it is right, nothing to do.",
      column="village_code", inputs=("village_code", "founded_on"),
      check=lambda g, ctx: _founded_this_year(g, ctx)
      & g["village_code"].isin(ctx.district_villages) & ~g["village_code"].isin(ctx.kkkj_villages)),
    R("G_OFFICER_UNKNOWN", WARNING, "row", "ไม่พบพัฒนากร “{officer}” ในรายชื่อพัฒนากรของจังหวัด",
      "Officer '{officer}' is not among the province's officers.",
      "โปรดเลือกชื่อพัฒนากรจากรายการ", "Pick the officer from the list.",
      column="officer", inputs=("officer",),
      check=lambda g, ctx: g["officer_id"].isna() & g["officer_district"].isna()),
    R("G_OFFICER_OTHER_DISTRICT", WARNING, "row",
      "“{officer}” เป็นพัฒนากรของอำเภอ{officer_district_name} ไม่ใช่อำเภอนี้ "
      "กลุ่มนี้จึงไม่นับในโครงการ 1 พัฒนากร 1 กลุ่ม ของอำเภอนี้",
      "'{officer}' is an officer of {officer_district_name}, not of this district, so the group does not "
      "count toward this district's '1 officer, 1 group' campaign.",
      "โปรดเลือกพัฒนากรของอำเภอนี้จากรายการ หากพัฒนากรย้ายมาแล้ว แจ้งจังหวัดให้แก้ข้อมูลตั้งต้น",
      "Pick an officer of this district from the list; if the officer has moved here, ask the province to "
      "update the setup.",
      column="officer", inputs=("officer",),
      check=lambda g, ctx: g["officer_id"].isna() & g["officer_district"].notna()),
    R("G_DISSOLVED_NO_REMARK", WARNING, "row", "กลุ่มยุบเลิกแต่ไม่ได้ระบุเหตุผลในหมายเหตุ",
      "A dissolved group has no remark.", "โปรดระบุเหตุผลที่ยุบเลิกในช่องหมายเหตุ", "Give the reason in the remarks.",
      column="remarks", inputs=("status",),
      check=lambda g, ctx: (g["status"] == "dissolved") & g["remarks"].isna()),
    R("G_LOANS_FAR_ABOVE_SAVINGS", WARNING, "row",
      "จำนวนเงินกู้ {loans_baht} บาท มากกว่าเงินสัจจะสะสม {savings_baht} บาท เกิน {factor} เท่า",
      "Amount lent ({loans_baht} baht) is more than {factor} times the accumulated savings ({savings_baht} baht).",
      "โปรดตรวจสอบว่าพิมพ์ตัวเลขเกิน หรือสลับช่องเงินกู้กับเงินสัจจะหรือไม่ หากถูกต้อง ระบุแหล่งเงินทุนอื่นในหมายเหตุ",
      "Check for an extra digit or swapped savings and loans; if it is right, name the other source of funds "
      "in the remarks.",
      column="loans_baht", inputs=("loans_baht", "savings_baht"),
      check=lambda g, ctx: (g["loans_baht"] > 0) & (g["loans_baht"] > LOANS_TO_SAVINGS_FACTOR * g["savings_baht"])),
    # --- against the district's last accepted month ----------------------------------------------
    R("H_SAVINGS_FELL", NEEDS_CONFIRMATION, "history",
      "เงินสัจจะสะสมลดลงจาก {prev_savings_baht} บาท (เดือนก่อน) เป็น {savings_baht} บาท",
      "Accumulated savings fell from {prev_savings_baht} baht last month to {savings_baht} baht.",
      "โปรดตรวจสอบตัวเลข หากผิด โปรดแก้ไข หากถูกต้อง (เช่น สมาชิกลาออกและถอนเงินสัจจะ) พิมพ์ “ใช่” ในคอลัมน์ "
      "“ยืนยันข้อมูลถูกต้อง” {confirm_where}",
      "Check the figure and correct it if wrong; if it is right (members left and took their savings), type "
      "ใช่ (yes) in the “Confirmed correct” column {confirm_where}.",
      column="savings_baht", inputs=("savings_baht", "prev_savings_baht"),
      check=lambda g, ctx: _live(g) & (g["savings_baht"] < _as_numbers(g["prev_savings_baht"]) - 0.005)),
    R("H_MEMBERS_HALVED", NEEDS_CONFIRMATION, "history",
      "จำนวนสมาชิกลดลงเกินครึ่ง จาก {prev_members} คน (เดือนก่อน) เป็น {members} คน",
      "Members fell by more than half, from {prev_members} last month to {members}.",
      "โปรดตรวจสอบตัวเลข หากผิด โปรดแก้ไข หากถูกต้อง พิมพ์ “ใช่” ในคอลัมน์ “ยืนยันข้อมูลถูกต้อง” {confirm_where}",
      "Check the figure and correct it if wrong; if it is right, type ใช่ (yes) in the “Confirmed correct” "
      "column {confirm_where}.",
      column="members", inputs=("members", "prev_members"),
      check=lambda g, ctx: _live(g) & (g["members"] * 2 < _as_numbers(g["prev_members"]))),
    R("H_GROUP_MISSING", WARNING, "history",
      "กลุ่ม “{group_name}” (รหัส {group_code}) หมู่บ้าน {village_code} มีในรายงานเดือนก่อน แต่ไม่มีในไฟล์นี้",
      "Group '{group_name}' (code {group_code}) of village {village_code} was in last month's report but is "
      "not in this file.",
      "ห้ามลบแถวของกลุ่ม หากกลุ่มยุบเลิก ให้ใส่แถวคืนพร้อมรหัสกลุ่มเดิมแล้วเลือกสถานะ “ยุบเลิก”",
      "Do not delete a group's row: if it was dissolved, put the row back with its code and set the status "
      "to dissolved."),
    R("H_NO_HISTORY", NOTE, "history",
      "ไม่มีข้อมูลที่ผ่านการตรวจของเดือนก่อนสำหรับอำเภอนี้ จึงยังไม่ได้เทียบกับเดือนก่อน "
      "(เงินสัจจะที่ลดลง สมาชิกที่ลดลงเกินครึ่ง กลุ่มที่หายไป)",
      "There are no accepted figures of an earlier month for this district, so the comparison with last "
      "month (savings that fell, members that halved, groups that disappeared) was skipped.",
      "ไม่ต้องแก้ไข", "Nothing to do."),
    # --- against the other groups of the province -------------------------------------------------
    R("P_OUTLIER", WARNING, "province",
      "“{column}” {value} ต่างจากกลุ่มอื่น{peers}ในจังหวัดมากผิดปกติ: {measure} {found} {unit} "
      "ขณะที่กลุ่ม{peers}โดยทั่วไปมี {typical} {unit}",
      "“{column}” {value} is far from the other groups {peers} in the province: {measure} {found} {unit}, where "
      "such groups typically have {typical} {unit}.",
      "โปรดตรวจสอบว่าพิมพ์ตัวเลขเกินหรือขาดไปหนึ่งหลักหรือไม่ หากถูกต้องไม่ต้องแก้ไข",
      "Check for a digit too many or too few; if it is right, nothing to do."),
    R("P_SWAPPED", WARNING, "province",
      "จำนวนเงินกู้ {loans} บาท มากกว่าเงินสัจจะสะสม {savings} บาท มากเกินกว่ากลุ่มอื่น{peers}ในจังหวัด "
      "อาจพิมพ์สลับช่องกัน",
      "The amount lent ({loans} baht) exceeds the accumulated savings ({savings} baht) far more than for other "
      "groups {peers} in the province: the two may have been swapped.",
      "โปรดตรวจสอบว่าพิมพ์ “เงินสัจจะสะสม (บาท)” กับ “จำนวนเงินกู้ (บาท)” สลับช่องกันหรือไม่ หากถูกต้องไม่ต้องแก้ไข",
      "Check whether savings and loans were typed in each other's column; if they are right, nothing to do."),
    # --- the province setup ----------------------------------------------------------------------
    R("S_MISSING_SHEET", ERROR, "setup", "ไม่พบชีต “{value}” ในไฟล์ข้อมูลตั้งต้น", "Sheet '{value}' is missing from the setup workbook.",
      "โปรดสร้างไฟล์ใหม่ด้วยคำสั่ง init-setup แล้วคัดลอกข้อมูลลงไป", "Create a fresh one with init-setup and copy the data in."),
    R("S_EMPTY_TABLE", ERROR, "setup", "ตาราง “{table}” ยังไม่มีข้อมูล", "Table '{table}' has no rows.",
      "โปรดกรอกข้อมูลในชีตนี้", "Fill in this sheet."),
    R("S_DUPLICATE", ERROR, "setup", "“{column}” {value} ซ้ำกับแถวอื่น", "'{column}' {value} appears twice.",
      "โปรดลบแถวที่ซ้ำหรือแก้รหัส", "Remove the repeated row or fix the code."),
    R("S_CODE_FORMAT", ERROR, "setup", "“{column}” ต้องเป็นตัวเลข {digits} หลัก", "'{column}' must have {digits} digits.",
      "โปรดแก้รหัสตามทะเบียนของกรมการปกครอง", "Correct the code to the official one."),
    R("S_CODE_NESTING", ERROR, "setup", "รหัส {value} ไม่ขึ้นต้นด้วยรหัส{parent} {parent_code}",
      "Code {value} does not start with its {parent} code {parent_code}.",
      "โปรดแก้รหัสให้ขึ้นต้นด้วยรหัส{parent}", "Correct the code so it starts with its {parent} code."),
    R("S_UNKNOWN_DISTRICT", ERROR, "setup", "รหัสอำเภอ {value} ไม่มีในชีตอำเภอ", "District code {value} is not in the districts sheet.",
      "โปรดเพิ่มอำเภอในชีตอำเภอ หรือแก้รหัส", "Add the district to the districts sheet or fix the code."),
    R("S_UNKNOWN_PHASE", ERROR, "setup", "ระยะที่ {value} ไม่มีในชีตระยะ", "Phase {value} is not in the phases sheet.",
      "โปรดแก้เลขระยะให้ตรงกับชีตระยะ", "Use a phase number from the phases sheet."),
    R("S_TARGET_SUM", ERROR, "setup", "เป้าหมายอำเภอของระยะที่ {phase} รวมได้ {total} ไม่เท่ากับเป้าหมายจังหวัด {target}",
      "District targets of phase {phase} add up to {total}, not the province target {target}.",
      "โปรดแก้เป้าหมายอำเภอหรือเป้าหมายจังหวัดให้ตรงกัน", "Make the district targets add up to the province target."),
    R("S_PHASE_DATES", ERROR, "setup", "วันที่ของระยะที่ {phase} ({value}) อยู่นอกปีงบประมาณ {fiscal_year} หรือวันเริ่มอยู่หลังวันสิ้นสุด",
      "Dates of phase {phase} ({value}) lie outside fiscal year {fiscal_year}, or start after they end.",
      "โปรดกรอกวันที่ระหว่าง {fiscal_start} ถึง {fiscal_end}", "Use dates between {fiscal_start} and {fiscal_end}."),
    R("S_DUE_DAY", ERROR, "setup", "วันส่งรายงาน {value} ต้องอยู่ระหว่าง 1 ถึง 31", "Due day {value} must be between 1 and 31.",
      "โปรดกรอกวันที่ของเดือน เช่น 15", "Enter a day of the month, e.g. 15."),
    # The village-code table (หมู่บ้านที่เปลี่ยนรหัส, issue 18).
    R("S_MOVE_SAME", ERROR, "setup", "รหัสหมู่บ้านใหม่ {value} เหมือนกับรหัสเดิม", "The new village code {value} is the old one.",
      "โปรดลบแถวนี้ออก หรือกรอกรหัสใหม่ที่ถูกต้อง", "Delete the row, or type the right new code."),
    R("S_MOVE_UNKNOWN_NEW", ERROR, "setup", "รหัสหมู่บ้านใหม่ {value} ไม่มีในชีต{sheet_villages}",
      "The new village code {value} is not in the {sheet_villages} sheet.",
      "โปรดเพิ่มหมู่บ้านรหัส {value} ในชีต{sheet_villages} หรือแก้ไขรหัสใหม่ให้ตรงกับชีต{sheet_villages}",
      "Add village {value} to the {sheet_villages} sheet, or correct the new code to match it."),
    R("S_MOVE_OLD_LISTED", ERROR, "setup", "รหัสหมู่บ้านเดิม {value} ยังอยู่ในชีต{sheet_villages}",
      "The old village code {value} is still in the {sheet_villages} sheet.",
      "หากหมู่บ้านนี้เปลี่ยนรหัสแล้ว โปรดแก้รหัสในชีต{sheet_villages}เป็นรหัสใหม่ หากหมู่บ้านแยกออกเป็นสองหมู่บ้านและรหัสเดิมยังใช้อยู่ "
      "โปรดลบแถวนี้ออก แล้วให้อำเภอแก้ “รหัสหมู่บ้าน” ของกลุ่มที่ย้ายไปอยู่หมู่บ้านใหม่ในแบบรายงาน",
      "If the village was re-coded, change its code in the {sheet_villages} sheet to the new one. If it split in two "
      "and the old code is still in use, delete this row and let the district change the village code of the "
      "groups that moved, in its workbook."),
    R("S_MOVE_CHAIN", ERROR, "setup", "รหัสหมู่บ้านใหม่ {value} เป็นรหัสเดิมในอีกแถวหนึ่ง ({value} เปลี่ยนเป็น {final})",
      "The new village code {value} is an old code on another row ({value} becomes {final}).",
      "โปรดกรอกรหัสใหม่ของหมู่บ้าน {old} เป็น {final} โดยตรง", "Map {old} straight to {final}."),
    R("S_ONE_PROVINCE", ERROR, "setup", "ชีตจังหวัดต้องมีข้อมูลหนึ่งแถวพอดี", "The province sheet must have exactly one row.",
      "เหลือไว้แถวเดียว", "Keep exactly one row."),
    # --- the national roll-up: the provinces' result files (generator.figures.national)
    R("N_UNREADABLE", ERROR, "national", "ไฟล์ {file} อ่านเป็นไฟล์ผลการประมวลผลของจังหวัดไม่ได้ ({detail})",
      "{file} cannot be read as a province's result file ({detail}).",
      "โปรดประมวลผลเดือนนี้ของจังหวัดใหม่ด้วย savings-report run แล้วส่งไฟล์ result_*.json ที่ได้มาแทน",
      "Run the province's month again with savings-report run and send the new result_*.json."),
    R("N_OLD_VERSION", ERROR, "national", "ไฟล์ {file} เขียนโดยโปรแกรมรุ่นเก่า (รุ่นผลลัพธ์ {value}) ซึ่งไม่มีข้อมูลที่ต้องใช้ในรายงานระดับประเทศ",
      "{file} was written by an older version (result version {value}) that lacks what the national report needs.",
      "โปรดประมวลผลเดือนนี้ของจังหวัดใหม่ด้วยโปรแกรมรุ่นปัจจุบัน", "Run the province's month again with the current version."),
    R("N_OTHER_PERIOD", ERROR, "national", "ไฟล์ {file} เป็นผลของเดือน{value} ไม่ใช่เดือน{expected}",
      "{file} is the result for {value}, not {expected}.",
      "โปรดส่งไฟล์ผลของเดือน{expected}", "Send the result for {expected}."),
    R("N_NO_RESULT", WARNING, "national", "ไม่พบผลของเดือน{expected} ใน {file}{detail}",
      "No result for {expected} in {file}{detail}.",
      "โปรดให้จังหวัดประมวลผลเดือนนี้ (savings-report run) แล้วส่งไฟล์ result_*.json",
      "Ask the province to run the month (savings-report run) and send its result_*.json."),
    R("N_NOT_REPORTED", WARNING, "national", "จังหวัด{value} (รหัส {code}) ยังไม่ส่งผลของเดือน{expected}",
      "{value} (code {code}) has sent no result for {expected}.",
      "โปรดติดตามให้จังหวัดประมวลผลและส่งไฟล์ result_*.json", "Follow up with the province for its result_*.json."),
    R("N_DUPLICATE", WARNING, "national", "จังหวัด{value} มีผลของเดือนนี้มากกว่าหนึ่งไฟล์ จึงใช้ไฟล์ที่ประมวลผลล่าสุด ({file})",
      "{value} has more than one result for this month; the one made last ({file}) is used.",
      "โปรดลบไฟล์ที่ไม่ใช้ออกจากโฟลเดอร์", "Remove the file that is not used from the folder."),
    R("N_BAD_EXPECT", ERROR, "national", "รายชื่อจังหวัด {file} แถวที่ {value}: {detail}", "Province list {file}, line {value}: {detail}.",
      "แต่ละแถวต้องเป็น รหัสจังหวัด 2 หลัก,ชื่อจังหวัด", "Each line must be: 2-digit province code,name."),
)

RULES: dict[str, Rule] = {r.id: r for r in CATALOGUE}
ROW_RULES = tuple(r for r in CATALOGUE if r.scope == "row")
HISTORY_RULES = tuple(r for r in CATALOGUE if r.scope == "history" and r.check is not None)

# Reader errors (from generator.core.values) to the rule that reports them.
VALUE_ERROR_RULES = {
    "not_number": "VALUE_NOT_NUMBER", "negative": "VALUE_NEGATIVE", "not_whole": "VALUE_NOT_WHOLE",
    "percent": "VALUE_PERCENT", "not_date": "VALUE_NOT_DATE", "not_code": "VALUE_NOT_CODE",
    "not_yesno": "VALUE_NOT_YESNO", "not_choice": "VALUE_NOT_CHOICE",
    "error_value": "VALUE_ERROR_CELL", "formula_no_value": "VALUE_FORMULA_NO_VALUE",
}


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]


SEVERITY_WORDS = {ERROR: "error", WARNING: "warning", NEEDS_CONFIRMATION: "needs confirmation", NOTE: "note"}


def catalogue_markdown() -> str:
    """The rule table of docs/rules.md, made from the catalogue (a test keeps the two the same)."""
    def text(template: str) -> str:
        out = []
        for literal, name, _, _ in Formatter().parse(template):
            out.append(literal.replace("|", "\\|"))
            if name is not None:
                out.append(f"‹{name}›")
        return "".join(out)

    lines = ["| id | severity | scope | skipped when empty | message (Thai) | message (English) |",
             "|---|---|---|---|---|---|"]
    for r in CATALOGUE:
        inputs = ", ".join(f"`{i}`" for i in r.inputs) or "–"
        lines.append(f"| `{r.id}` | {SEVERITY_WORDS[r.severity]} | {r.scope} | {inputs} | {text(r.message_th)} | "
                     f"{text(r.message_en)} |")
    return "\n".join(lines)
