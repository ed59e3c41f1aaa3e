"""The synthetic nation: the department's real totals, deterministic, and files the tool reads."""

from __future__ import annotations

import json
from datetime import date

import pytest

from generator.samples.demo import DEMO_PERIOD
from generator.pipeline import run_month
from tests.audit import assert_report_true
from generator.intake.setup_workbook import load_setup
from generator.outputs.setup_template import write_setup_workbook
from generator.samples.synthetic import NATION, NationSpec, nation_plan, province_setup, scaled, write_nation

SMALL = NationSpec(provinces=3, districts=8, kkkj_villages=200, officers=24)


def test_the_plan_has_the_departments_totals_and_nested_codes():
    plans = nation_plan()
    assert len(plans) == NATION.provinces == 76
    assert sum(len(p.district_codes) for p in plans) == 878
    assert sum(sum(p.kkkj) for p in plans) == 39_600
    assert sum(sum(p.officers) for p in plans) == 3_647
    codes = [p.province_code for p in plans]
    assert len(set(codes)) == 76 and all(len(c) == 2 and c.isdigit() for c in codes)
    assert len({p.province_name for p in plans}) == 76
    for p in plans:
        assert all(d.startswith(p.province_code) and len(d) == 4 for d in p.district_codes)
        assert len(set(p.district_names)) == len(p.district_names)
        assert all(0 <= h < k for h, k in zip(p.had_group, p.kkkj))
    share = sum(sum(p.had_group) for p in plans) / 39_600
    assert 0.5 < share < 0.72  # Chaiyaphum: 405 of 655 (0.62)


def test_the_same_seed_gives_the_same_nation_and_another_seed_another():
    a, b = nation_plan(SMALL, seed=7), nation_plan(SMALL, seed=7)
    assert a == b
    assert province_setup(a[0]).villages.equals(province_setup(b[0]).villages)
    assert nation_plan(SMALL, seed=8) != a


def test_a_synthetic_province_passes_the_setup_checks_through_its_workbook(tmp_path):
    plan = nation_plan(SMALL)[0]
    setup = load_setup(write_setup_workbook(tmp_path / "setup.xlsx", province_setup(plan)))
    kkkj = setup.villages[setup.villages["is_kkkj"]]
    assert len(kkkj) == sum(plan.kkkj)
    assert int(kkkj["had_group"].sum()) == sum(plan.had_group)
    assert len(setup.officers) == sum(plan.officers)
    assert setup.villages["village_code"].str.len().eq(8).all()
    for phase in setup.phases:
        assert 0 < phase.target_groups == setup.targets.loc[setup.targets["phase"] == phase.number, "target_groups"].sum()
    without = kkkj.groupby("district_code")["had_group"].apply(lambda s: int((~s).sum()))
    by_district = setup.targets.groupby("district_code")["target_groups"].sum()
    assert (by_district <= without.reindex(by_district.index)).all()  # a target never exceeds the villages left


def test_scaled_keeps_the_proportions():
    ten = scaled(10)
    assert ten.provinces == 10 and ten.districts == round(878 * 10 / 76)
    assert scaled(76) == NATION


@pytest.fixture(scope="module")
def nation(tmp_path_factory):
    return write_nation(tmp_path_factory.mktemp("nation"), SMALL, seed=3, workers=1)


def test_written_nation_is_reused_from_its_folder_and_read_by_the_tool(nation, tmp_path):
    manifest = nation.root / "nation.json"
    stamp = manifest.stat().st_mtime_ns
    again = write_nation(nation.root, SMALL, seed=3, workers=1)
    assert again.provinces == nation.provinces and manifest.stat().st_mtime_ns == stamp
    assert json.loads(manifest.read_text(encoding="utf-8"))["params"]["spec"]["districts"] == 8
    assert nation.districts == 8
    for i, p in enumerate(nation.provinces):
        files = sorted(nation.inbox(i).iterdir())
        assert len(files) == p["districts"] - p["returns"].get("missing", 0)
        setup = load_setup(nation.setup_path(i))
        result = run_month(setup, DEMO_PERIOD, nation.inbox(i), tmp_path / p["province_code"], date(2023, 8, 25),
                           render=False)
        statuses = [f.status for f in result.summary.files]
        assert statuses.count("rejected") == p["returns"].get("error", 0)
        assert statuses.count("accepted") == len(files) - p["returns"].get("error", 0)
        assert result.summary.year.founded > 0
        assert_report_true(result.summary)


def test_other_parameters_rebuild_the_folder(tmp_path):
    small = NationSpec(provinces=2, districts=3, kkkj_villages=40, officers=6)
    first = write_nation(tmp_path / "n", small, seed=3, workers=1)
    second = write_nation(tmp_path / "n", small, seed=4, workers=1)
    assert second.provinces != first.provinces
    assert json.loads((tmp_path / "n" / "nation.json").read_text(encoding="utf-8"))["params"]["seed"] == 4
