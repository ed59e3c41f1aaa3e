"""What the command line says, in Thai and English (`--lang en`)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "bad_lang": ("ภาษา '{value}' ไม่รองรับ ใช้ th หรือ en", "Language '{value}' is not supported: use th or en."),
    "bad_period": ("เดือน '{value}' อ่านไม่ได้ ใช้รูปแบบ ปี-เดือน เช่น 2566-03 (พ.ศ.) หรือ 2023-03 (ค.ศ.)",
                   "Cannot read month '{value}': use year-month, e.g. 2566-03 (BE) or 2023-03 (CE)."),
    "bad_date": ("วันที่ '{value}' อ่านไม่ได้ ใช้รูปแบบ 2023-08-20", "Cannot read date '{value}': use 2023-08-20."),
    "bad_limit": ("ขีดจำกัดอ่านไม่ได้: {detail}", "Cannot read the limit: {detail}"),
    "no_file": ("ไม่พบไฟล์ {path}", "File not found: {path}"),
    "no_inbox": ("ไม่พบโฟลเดอร์ {path}", "Folder not found: {path}"),
    "exists": ("มีไฟล์ {path} อยู่แล้ว ใช้ --force เพื่อเขียนทับ", "{path} already exists: use --force to overwrite it."),
    "setup_invalid": ("ไฟล์ข้อมูลตั้งต้น {path} มีข้อผิดพลาด แก้ไขตามรายการข้างบนแล้วลองใหม่",
                      "The setup workbook {path} has errors: fix those listed above and try again."),
    "more_problems": ("... และอีก {n} รายการ (ดูไฟล์ผลการตรวจ)", "... and {n} more (see the feedback files)"),
    "wrote": ("เขียนไฟล์ {path} แล้ว", "Wrote {path}"),
    "templates_done": ("สร้างแบบรายงาน {n} อำเภอ ใน {out} (ส่งภายในวันที่ {due})",
                       "Wrote {n} district workbooks to {out} (due {due})."),
    "reading": ("กำลังอ่านไฟล์...", "Reading files..."),
    "reading_file": ("กำลังอ่าน {name}", "Reading {name}"),
    "files_title": ("ไฟล์ที่ได้รับ ประจำเดือน {period}", "Files received for {period}"),
    "col_file": ("ไฟล์", "File"),
    "col_district": ("อำเภอ", "District"),
    "col_status": ("ผล", "Result"),
    "col_errors": ("ข้อผิดพลาด", "Errors"),
    "col_warnings": ("คำเตือน", "Warnings"),
    "status_accepted": ("ผ่าน", "accepted"),
    "status_rejected": ("ไม่ผ่าน", "rejected"),
    "status_superseded": ("มีฉบับใหม่กว่า", "superseded"),
    "run_totals": ("อ่าน {read} ไฟล์: ผ่าน {accepted} ไม่ผ่าน {rejected} อำเภอที่ยังไม่ส่ง {missing}",
                   "Read {read} files: {accepted} accepted, {rejected} rejected, {missing} districts missing."),
    "missing": ("ยังไม่ส่ง: {names}", "Not reported: {names}"),
    "headline": ("จัดตั้งกลุ่มในหมู่บ้าน กข.คจ. แล้ว {founded} จากเป้าหมาย {target} กลุ่ม (ร้อยละ {percent})",
                 "Groups founded in KKKJ villages: {founded} of a target of {target} ({percent} %)."),
    "valid_ok": ("✓ {name}: ผ่านการตรวจ", "✓ {name}: passed"),
    "valid_bad": ("✗ {name}: ไม่ผ่านการตรวจ", "✗ {name}: has errors"),
    "rules_title": ("กฎการตรวจข้อมูล", "Validation rules"),
    "col_rule": ("รหัสกฎ", "Rule"),
    "col_severity": ("ระดับ", "Severity"),
    "col_scope": ("ขอบเขต", "Scope"),
    "col_message": ("ข้อความ", "Message"),
    "col_fix": ("วิธีแก้ไข", "Fix"),
    "sev_error": ("ข้อผิดพลาด", "error"),
    "sev_warning": ("คำเตือน", "warning"),
    "demo_running": ("กำลังสร้างข้อมูลสาธิต จังหวัดชัยภูมิ...", "Building the Chaiyaphum demo..."),
    "demo_done": ("เสร็จแล้ว รายงาน PDF อยู่ที่ {pdf}", "Done. The PDF report is at {pdf}"),
    "os_error": ("เขียนหรืออ่านไฟล์ไม่ได้ ({detail}) ตรวจสิทธิ์ของโฟลเดอร์และพื้นที่ว่างในดิสก์",
                 "Cannot read or write a file ({detail}): check the folder's permissions and free disk space."),
    "unexpected": ("เกิดข้อผิดพลาดที่ไม่คาดคิด ({detail}) ไฟล์ผลลัพธ์เดิมไม่ถูกแก้ไข กรุณาแจ้งผู้ดูแลพร้อมข้อความนี้",
                   "Unexpected error ({detail}); earlier outputs are untouched. Please report it with this message."),
    "interrupted": ("หยุดการทำงาน ไม่มีไฟล์ผลลัพธ์ที่เขียนไม่ครบ", "Stopped; no output was left half-written."),
}


def text(key: str, lang: str = "th", **params) -> str:
    th, en = TEXTS[key]
    return (th if lang == "th" else en).format(**params)
