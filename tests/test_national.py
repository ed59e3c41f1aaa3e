"""The national roll-up on a small synthetic nation: real provincial runs, real result files, real PDF."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.tools import needs
from openpyxl import load_workbook
from typer.testing import CliRunner

from generator.cli import app
from generator.samples.demo import DEMO_PERIOD
from generator.nation import run_national, run_provinces
from generator.figures.national import MissingProvince, ProvinceFigures, collect_results, rank_provinces, roll_up
from generator.figures.progress import Progress
from tests.audit import assert_national_true
from generator.samples.synthetic import NationSpec, write_nation

SMALL = NationSpec(provinces=3, districts=9, kkkj_villages=260, officers=30)
MADE_ON = date(2023, 8, 26)
needs_poppler = needs("pdftotext", "pdffonts")


@pytest.fixture(scope="module")
def provinces(tmp_path_factory) -> list[Path]:
    """Three provinces' months run side by side through the province pool, as the benchmark does."""
    nation = write_nation(tmp_path_factory.mktemp("nation"), SMALL, seed=11, workers=1)
    out = tmp_path_factory.mktemp("provinces")
    jobs = [(nation.setup_path(i), nation.inbox(i), out / p["province_code"]) for i, p in enumerate(nation.provinces)]
    done = run_provinces(jobs, DEMO_PERIOD.key, date(2023, 8, 25), workers=2)
    assert [d["province_code"] for d in done] == [p["province_code"] for p in nation.provinces]
    return [Path(d["out_dir"]) for d in done]


def results(folders: list[Path]) -> list[dict]:
    return [json.loads(next(f.glob("result_*_2566-08.json")).read_text(encoding="utf-8")) for f in folders]


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_totals_are_the_sum_of_the_provinces_results(provinces, tmp_path):
    r = run_national(provinces, DEMO_PERIOD, tmp_path, MADE_ON)
    data, t = results(provinces), r.summary.total
    assert r.exit_code == 0 and not r.summary.missing
    assert t.year.founded == sum(d["year"]["founded"] for d in data) > 0
    assert t.year.target == sum(d["year"]["target"] for d in data)
    for i, phase in enumerate(t.phases):
        assert phase.founded == sum(d["phases"][i]["founded"] for d in data)
        assert phase.target == sum(d["phases"][i]["target"] for d in data)
    for key in ("members", "borrowers", "groups", "officers", "officers_with_group"):
        assert getattr(t, key) == sum(d["totals"][key] for d in data)
    assert t.savings_baht == pytest.approx(sum(d["totals"]["savings_baht"] for d in data))
    assert t.districts == 9 == sum(d["district_reports"]["districts"] for d in data)
    assert t.reported == sum(d["district_reports"]["accepted"] for d in data)
    assert t.kkkj_villages == 260
    assert_national_true(r.summary)


def test_provinces_are_ranked_by_percent_of_target_and_equal_figures_share_a_rank(provinces):
    found, _, _ = collect_results(provinces, DEMO_PERIOD)
    ranked = roll_up(found, DEMO_PERIOD, MADE_ON).provinces
    percents = [p.year.percent for p in ranked]
    assert percents == sorted(percents, reverse=True) and [p.rank for p in ranked][0] == 1

    def province(code: str, founded: int, target: int) -> ProvinceFigures:
        year = Progress("ทั้งปี", target, founded, 1.0)
        return ProvinceFigures(code, f"P{code}", "", MADE_ON, "", (year,), year, 1, 1, 0, 0, None,
                               10, 5, 5 + founded, 5, 50, 1.0, 1, 1.0, 1, 1)

    ranked = rank_provinces([province("10", 5, 10), province("11", 9, 10), province("12", 10, 20),
                             province("13", 0, 0), province("14", 18, 20)])
    assert [(p.province_code, p.rank) for p in ranked] == [("14", 1), ("11", 2), ("12", 3), ("10", 4), ("13", 5)]
    assert [p.rank for p in rank_provinces([province("10", 5, 10), province("11", 5, 10)])] == [1, 1]


def test_a_missing_province_and_an_unusable_file_are_reported_not_dropped(provinces, tmp_path):
    empty = tmp_path / "province_99"
    empty.mkdir()
    broken_dir = tmp_path / "broken"
    broken_dir.mkdir()
    (broken_dir / "result_98_2566-08.json").write_text('{"province_code": "98", "period": ', encoding="utf-8")
    old = json.loads(next(provinces[0].glob("result_*.json")).read_text(encoding="utf-8"))
    del old["result_version"]  # as written before the roll-up existed
    (broken_dir / "result_97_2566-08.json").write_text(json.dumps({**old, "province_code": "97"}), encoding="utf-8")
    expect = tmp_path / "provinces.csv"
    expect.write_text("province_code,province_name\n10,x\n11,y\n12,z\n77,ลำพูนสมมุติ\nabc\n", encoding="utf-8")
    r = run_national(provinces + [empty, broken_dir], DEMO_PERIOD, tmp_path / "out", MADE_ON, expect=expect)
    kinds = sorted(n.rule_id for n in r.summary.notices)
    assert kinds == ["N_BAD_EXPECT", "N_NOT_REPORTED", "N_NO_RESULT", "N_OLD_VERSION", "N_UNREADABLE"]
    assert r.exit_code == 1
    # The broken folder's files are reported as unusable, not as a missing province.
    assert [(m.province_code, m.where) for m in r.summary.missing] == [("77", "--expect"), (None, str(empty))]
    assert r.summary.provinces_expected == 5 and len(r.summary.provinces) == 3
    unreadable = next(n for n in r.summary.notices if n.rule_id == "N_UNREADABLE")
    assert unreadable.file == "result_98_2566-08.json" and "JSON" in unreadable.message_th
    r2 = run_national(provinces + [empty], DEMO_PERIOD, tmp_path / "out2", MADE_ON)
    assert r2.summary.missing == (MissingProvince(None, None, str(empty)),)
    assert r2.exit_code == 0  # a province that sent nothing is listed, like a district that did not report


def test_a_result_of_another_month_and_a_second_result_of_a_province(provinces, tmp_path):
    data = json.loads(next(provinces[0].glob("result_*.json")).read_text(encoding="utf-8"))
    code = data["province_code"]
    (tmp_path / f"result_{code}_2566-08.json").write_text(json.dumps({**data, "period": "2023-07"}), encoding="utf-8")
    later = tmp_path / "later"
    later.mkdir()
    (later / f"result_{code}_2566-08.json").write_text(json.dumps({**data, "made_on": "2023-08-30"}), encoding="utf-8")
    r = run_national(provinces + [tmp_path / f"result_{code}_2566-08.json", later], DEMO_PERIOD, tmp_path / "o",
                     MADE_ON, render=False)
    notices = {n.rule_id: n for n in r.summary.notices}
    assert set(notices) == {"N_OTHER_PERIOD", "N_DUPLICATE"}
    assert "กรกฎาคม 2566" in notices["N_OTHER_PERIOD"].message_th
    used = next(p for p in r.summary.provinces if p.province_code == code)
    assert used.made_on == date(2023, 8, 30) and len(r.summary.provinces) == 3


@needs_poppler
def test_the_national_pdf_and_excel_show_the_figures(provinces, tmp_path):
    r = run_national(provinces + [tmp_path / "nowhere"], DEMO_PERIOD, tmp_path, MADE_ON)
    t = r.summary.total
    text = pdftotext(r.outputs["pdf"])
    assert "รายงานผลการดำเนินงานกลุ่มออมทรัพย์เพื่อการผลิต" in text and "ระดับประเทศ" in text
    assert "ประจำเดือนสิงหาคม 2566" in text and "26 สิงหาคม 2566" in text
    assert f"{t.year.founded:,} / {t.year.target:,}" in text
    assert f"{t.members:,}" in text and f"{t.savings_baht:,.2f}" in text
    for p in r.summary.provinces:
        assert p.province_name in text
    best = r.summary.provinces[0]
    assert f"ลำดับที่ 1 คือจังหวัด{best.province_name}" in text.replace("\n", "")
    assert "จังหวัดที่ยังไม่มีผลของเดือนนี้ (1)" in text and "nowhere" in text
    fonts = subprocess.run(["pdffonts", str(r.outputs["pdf"])], check=True, capture_output=True, text=True).stdout
    assert all("Sarabun" in line for line in fonts.splitlines()[2:]) and len(fonts.splitlines()) > 2

    wb = load_workbook(r.outputs["excel"])
    ws = wb["จังหวัด"]
    header = [c.value for c in ws[1]]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=1 + len(r.summary.provinces))]
    col = header.index("ทั้งปี จัดตั้งแล้ว")
    assert [row[2] for row in rows] == [p.province_name for p in r.summary.provinces]
    assert [row[0] for row in rows] == [p.rank for p in r.summary.provinces]
    total = [c.value for c in ws[2 + len(rows)]]
    assert total[2] == "ทั้งประเทศ" and total[col] == sum(row[col] for row in rows) == t.year.founded
    assert wb["ข้อสังเกต"].cell(row=2, column=2).value.endswith("nowhere")
    record = json.loads(r.outputs["json"].read_text(encoding="utf-8"))
    assert record["total"]["year"]["founded"] == t.year.founded and len(record["provinces"]) == 3


@needs_poppler
def test_the_command_in_english_and_its_exit_statuses(provinces, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["--lang", "en", "national", *map(str, provinces), "--period", "2566-08",
                             "--out", str(tmp_path / "en"), "--made-on", "2023-08-26"])
    assert ok.exit_code == 0, ok.output
    assert "3 of 3 provinces have a result" in ok.output
    text = pdftotext(tmp_path / "en" / "national_2566-08.pdf")
    assert "National Progress Report" in text and "August 2023" in text
    # The workbook attached to the English report is English too: sheets, headers, statuses.
    wb = load_workbook(tmp_path / "en" / "national_2566-08.xlsx")
    assert wb.sheetnames[:3] == ["Summary", "Provinces", "Notices"]
    words = [c.value for ws in wb.worksheets[:3] for c in ws[1]] + [c.value for c in wb["Summary"]["A"]]
    words += [row[0].value for row in wb["Provinces"].iter_rows(min_row=2, min_col=13, max_col=13)]  # statuses
    record = json.loads((tmp_path / "en" / "national_2566-08.json").read_text(encoding="utf-8"))
    labels = {ph["label"] for ph in record["total"]["phases"]}  # the phases' names come from the setups
    thai = [w for w in words if isinstance(w, str) and any("\u0e00" <= ch <= "\u0e7f" for ch in w)
            and not any(w.startswith(label) for label in labels)]
    assert not thai, thai
    none = runner.invoke(app, ["national", str(provinces[0]), "--period", "2566-07", "--out", str(tmp_path / "x")])
    assert none.exit_code == 2 and "ไม่พบผลของเดือนกรกฎาคม 2566" in none.output and not (tmp_path / "x").exists()
    bad_month = runner.invoke(app, ["national", str(provinces[0]), "--period", "2566-13"])
    assert bad_month.exit_code == 2 and "Traceback" not in bad_month.output
