"""Page 1 stays one page whatever the setup holds: long phase names and many districts missing used
to spill two lines onto an otherwise empty page 2. Thai names are never broken inside a word."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import date

from generator.samples.demo import DEMO_PERIOD, chaiyaphum_setup, simulated_groups
from generator.figures.merge import merge_groups
from generator.outputs.render_pdf import write_pdf
from generator.figures.summary import FileOutcome, summarise
from tests.tools import needs

MISSING = ("3602", "3604", "3605", "3607", "3609", "3611", "3613", "3614")
LONG_PHASES = ("ระยะที่ 1 (ต.ค. 66 - มี.ค. 67) ส่งเสริมการออม", "ระยะที่ 2 (เม.ย. 67 - ก.ย. 67) จัดตั้งกลุ่มใหม่")


def _hard_summary():
    s = chaiyaphum_setup()
    s = replace(s, phases=tuple(replace(p, name=name) for p, name in zip(s.phases, LONG_PHASES)))
    acc = {c: simulated_groups(s, c, DEMO_PERIOD).assign(officer_id=None) for c in s.district_codes
           if c not in MISSING}
    rejected = ("3603", "3606")  # accepted groups of theirs are not counted: their files were rejected
    files = [FileOutcome(f"{c}.xlsx", c, s.district_name(c), "rejected" if c in rejected else "accepted", 0, 0)
             for c in acc]
    reports = {c: "rejected" if c in rejected else "accepted" for c in acc}
    acc = {c: g for c, g in acc.items() if c not in rejected}
    return summarise(s, DEMO_PERIOD, merge_groups(s, acc), reports, files, [], date(2023, 8, 21))


@needs("pdftotext")
def test_page_one_is_one_page_with_long_phase_names_and_many_districts_missing(tmp_path):
    summary = _hard_summary()
    pdf = write_pdf(summary, tmp_path / "hard.pdf")
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    first, second = (re.sub(r"\s+", "", page) for page in pages[:2])
    assert "ผลการดำเนินงานข้างต้นจึงยังไม่รวมผลของอำเภอดังกล่าว" in first  # the paragraphs end on page 1
    assert "2.ผลการดำเนินงานรายอำเภอเทียบเป้าหมาย" in second[:300]  # page 2 starts with section 2
    # and no Thai district name is cut at a line end on page 1
    solid = pages[0]
    for d in summary.districts:
        name = d.district_name
        for i in range(1, len(name)):
            assert not re.search(re.escape(name[:i]) + r"\s*\n\s*" + re.escape(name[i:]), solid), name
