"""What the command line says, in Thai and English (`--lang en`)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "bad_lang": ("ภาษา '{value}' ไม่รองรับ ใช้ th หรือ en", "Language '{value}' is not supported: use th or en."),
    "bad_period": ("เดือน '{value}' อ่านไม่ได้ ใช้รูปแบบ ปี-เดือน เช่น 2566-03 (พ.ศ.) หรือ 2023-03 (ค.ศ.)",
                   "Cannot read month '{value}': use year-month, e.g. 2566-03 (BE) or 2023-03 (CE)."),
    "bad_date": ("วันที่ '{value}' อ่านไม่ได้ ใช้รูปแบบ 2023-08-20", "Cannot read date '{value}': use 2023-08-20."),
    "unknown_district": ("ไม่มีอำเภอรหัส {value} ในข้อมูลตั้งต้น รหัสที่ใช้ได้: {codes}",
                         "No district {value} in the setup; the codes are: {codes}"),
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
    "timeliness": ("ส่งตรงเวลา {on_time} อำเภอ ล่าช้า {late} อำเภอ อัตราการส่งตรงเวลา ร้อยละ {rate}",
                   "{on_time} districts on time, {late} late: on-time rate {rate} %."),
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
    "sev_needs_confirmation": ("ต้องยืนยัน (ไม่ผ่านจนกว่าจะยืนยัน)", "needs confirmation (rejected until confirmed)"),
    "sev_note": ("หมายเหตุ", "note"),
    "demo_running": ("กำลังสร้างข้อมูลสาธิต จังหวัดชัยภูมิ...", "Building the Chaiyaphum demo..."),
    "demo_done": ("เสร็จแล้ว รายงาน PDF อยู่ที่ {pdf}", "Done. The PDF report is at {pdf}"),
    "os_error": ("เขียนหรืออ่านไฟล์ไม่ได้ ({detail}) ตรวจสิทธิ์ของโฟลเดอร์และพื้นที่ว่างในดิสก์",
                 "Cannot read or write a file ({detail}): check the folder's permissions and free disk space."),
    "unexpected": ("เกิดข้อผิดพลาดที่ไม่คาดคิด ({detail}) ไฟล์ผลลัพธ์เดิมไม่ถูกแก้ไข กรุณาแจ้งผู้ดูแลพร้อมข้อความนี้",
                   "Unexpected error ({detail}); earlier outputs are untouched. Please report it with this message."),
    "store_busy": ("ฐานข้อมูลประวัติ {path} กำลังถูกใช้โดยการประมวลผลอื่น รอให้เสร็จแล้วลองใหม่",
                   "The history store {path} is in use by another run: wait for it to finish and try again."),
    "store_broken": ("เปิดฐานข้อมูลประวัติ {path} ไม่ได้ ({detail}) ใช้ไฟล์สำรองหรือระบุไฟล์อื่นด้วย --store",
                     "Cannot open the history store {path} ({detail}): restore a backup or give another with --store."),
    "out_busy": ("การประมวลผลอื่นกำลังเขียนผลลัพธ์ลงในโฟลเดอร์ {path} อยู่นานเกิน 2 นาที รอให้เสร็จแล้วลองใหม่ "
                 "ผลลัพธ์และฐานข้อมูลประวัติของรอบนี้ไม่ถูกบันทึก",
                 "Another run has been writing into {path} for more than 2 minutes: wait for it to finish and try "
                 "again. Nothing of this run was written or recorded."),
    "store_empty": ("ฐานข้อมูลประวัติ {path} เป็นไฟล์ว่าง (0 ไบต์) ประวัติที่เคยมีไม่อยู่ในไฟล์นี้แล้ว จึงไม่ใช้และไม่เขียนทับ "
                    "ใช้ไฟล์สำรองแทน หรือระบุไฟล์อื่นด้วย --store",
                    "The history store {path} is empty (0 bytes): the history it held is gone from it, so it is neither "
                    "used nor overwritten. Put a backup in its place, or give another file with --store."),
    "store_truncated": ("ฐานข้อมูลประวัติ {path} ไม่ครบ (มี {size:,} จาก {expected:,} ไบต์) อาจคัดลอกไม่เสร็จ จึงไม่ใช้และไม่เขียนทับ "
                        "ใช้ไฟล์สำรองแทน หรือระบุไฟล์อื่นด้วย --store",
                        "The history store {path} is cut short ({size:,} of {expected:,} bytes; perhaps a copy that did "
                        "not finish), so it is neither used nor overwritten. Put a backup in its place, or give another "
                        "with --store."),
    "store_not_store": ("ไฟล์ {path} ไม่ใช่ฐานข้อมูลประวัติ จึงไม่ใช้และไม่เขียนทับ ระบุไฟล์ฐานข้อมูลที่ถูกต้องด้วย --store",
                        "{path} is not a history store, so it is neither used nor overwritten: give the right file with "
                        "--store."),
    "store_corrupt": ("ฐานข้อมูลประวัติ {path} เสียหาย ไม่ได้ใช้และไม่ได้เขียนทับ ใช้ไฟล์สำรองแทน หรือระบุไฟล์อื่นด้วย --store",
                      "The history store {path} is damaged; it was neither used nor changed. Put a backup in its place, "
                      "or give another with --store."),
    "store_readonly": ("เขียนฐานข้อมูลประวัติ {path} ไม่ได้ เพราะไฟล์หรือโฟลเดอร์ของไฟล์เป็นแบบอ่านอย่างเดียว "
                       "ให้สิทธิ์เขียนโฟลเดอร์นั้น หรือระบุที่อื่นด้วย --store ไม่มีอะไรถูกบันทึกหรือแก้ไข",
                       "Cannot write the history store {path}: the file or its folder is read-only. Allow writing "
                       "there, or give another place with --store. Nothing was recorded or changed."),
    "store_full": ("ดิสก์ที่เก็บฐานข้อมูลประวัติ {path} เต็ม ไม่มีอะไรถูกบันทึกหรือแก้ไข ลบไฟล์ที่ไม่ใช้ออกแล้วประมวลผลใหม่",
                   "The disk holding the history store {path} is full; nothing was recorded or changed. Free some "
                   "space and run again."),
    "store_io": ("อ่านหรือเขียนฐานข้อมูลประวัติ {path} ไม่ได้ (ดิสก์เต็มหรือมีปัญหา) ไม่มีอะไรถูกบันทึกหรือแก้ไข "
                 "ตรวจพื้นที่ว่างและดิสก์ แล้วประมวลผลใหม่",
                 "Cannot read or write the history store {path} (the disk is full or failing); nothing was recorded "
                 "or changed. Check the free space and the disk, then run again."),
    "store_unreadable": ("เปิดฐานข้อมูลประวัติ {path} ไม่ได้ ({detail}) ตรวจสิทธิ์ของไฟล์ แล้วประมวลผลใหม่",
                         "Cannot open the history store {path} ({detail}): check the file's permissions and run again."),
    "store_newer": ("ฐานข้อมูลประวัติ {path} สร้างด้วยโปรแกรมรุ่นใหม่กว่า (รุ่น {version}) กรุณาปรับปรุงโปรแกรม",
                    "The history store {path} was made by a newer version of the tool (schema {version}): upgrade it."),
    "store_other_province": ("ฐานข้อมูลประวัติ {path} เป็นของจังหวัดรหัส {found} ไม่ใช่ {expected}",
                             "The history store {path} belongs to province {found}, not {expected}."),
    "no_store": ("ยังไม่มีฐานข้อมูลประวัติ {path} (สร้างขึ้นเมื่อประมวลผลครั้งแรกด้วยคำสั่ง run)",
                 "There is no history store at {path} yet (the first run creates it)."),
    "carried": ("เติมข้อมูลกลุ่มที่ส่งล่าสุดให้ {n} อำเภอ จาก {path}", "Pre-filled {n} districts' last accepted groups from {path}."),
    "not_carried": ("ไม่มีประวัติ แบบรายงานจึงเป็นแบบว่าง", "No history: the workbooks are blank."),
    "history_title": ("การส่งรายงานรายเดือน จังหวัด{province}", "Monthly reports of {province}"),
    "history_files": ("ไฟล์ที่ได้รับทั้งหมด", "Every file received"),
    "col_month": ("เดือน", "Month"),
    "col_received": ("ได้รับเมื่อ", "Received"),
    # --- the year's turn (issue 18) ---
    "period_other_year": ("เดือน{month} อยู่ในปีงบประมาณ พ.ศ. {period_year} แต่ไฟล์ข้อมูลตั้งต้นเป็นของปีงบประมาณ พ.ศ. "
                          "{fiscal_year} — วิธีแก้ไข: โปรดใช้ไฟล์ข้อมูลตั้งต้นของปีงบประมาณ พ.ศ. {period_year} "
                          "(สร้างจากปีก่อนได้ด้วยคำสั่ง next-year)",
                          "{month_en} is in fiscal year {period_year} BE, but the setup workbook is for fiscal year "
                          "{fiscal_year} BE: use the setup of fiscal year {period_year} (next-year makes it from the "
                          "year before)."),
    "store_other_year": ("เดือน {period} อยู่ในปีงบประมาณ พ.ศ. {period_year} จึงบันทึกด้วยข้อมูลตั้งต้นของปีงบประมาณ "
                         "พ.ศ. {fiscal_year} ไม่ได้ ({path})",
                         "Month {period} is in fiscal year {period_year} BE and cannot be recorded under the setup of "
                         "fiscal year {fiscal_year} BE ({path})."),
    "next_year_done": ("เขียนข้อมูลตั้งต้นปีงบประมาณ พ.ศ. {year} ที่ {path} แล้ว: หมู่บ้านที่มีกลุ่มแล้ว {gained} "
                       "หมู่บ้าน กลุ่มสุดท้ายยุบเลิก {dissolved} หมู่บ้าน มีในข้อมูลตั้งต้นแต่ไม่ได้รายงาน {not_reported} "
                       "หมู่บ้าน (รายละเอียดในชีต การเปลี่ยนแปลง)",
                       "Wrote the setup of fiscal year {year} BE to {path}: {gained} villages gained a group, "
                       "{dissolved} lost their last one, {not_reported} were flagged but had no group reported "
                       "(see the sheet การเปลี่ยนแปลง)."),
    "next_year_kept": ("อำเภอที่ไม่มีรายงานที่ผ่านการตรวจในปีงบประมาณ พ.ศ. {year}: {names} — คงข้อมูล “มีกลุ่มฯ” "
                       "ของปีนี้ไว้ตามเดิมและทำเครื่องหมายในชีต การเปลี่ยนแปลง โปรดตรวจสอบ",
                       "Districts with no accepted report in fiscal year {year} BE: {names}. Their villages' flags "
                       "are kept from this year's setup and marked on the change sheet: please check them."),
    "next_year_stale": ("อำเภอที่รายงานที่ผ่านการตรวจครั้งล่าสุดก่อนเดือนกันยายน: {names} — โปรดตรวจสอบ",
                        "Districts whose last accepted report is older than September: {names}. Please check them."),
    "next_year_fill": ("โปรดกรอกชีต ระยะ และ เป้าหมายอำเภอ ของปีใหม่ (ดูชีต อ้างอิงปี {this}) ก่อนสร้างแบบรายงานเดือนตุลาคม",
                       "Fill in the new year's phases and district targets (this year's are on the sheet อ้างอิงปี "
                       "{this}) before writing October's templates."),
    "history_year": ("ปีงบประมาณ พ.ศ. {year}", "Fiscal year {year} BE"),
    "interrupted": ("หยุดการทำงาน ไม่มีไฟล์ผลลัพธ์ที่เขียนไม่ครบ", "Stopped; no output was left half-written."),
}


def text(key: str, lang: str = "th", **params) -> str:
    th, en = TEXTS[key]
    return (th if lang == "th" else en).format(**params)
